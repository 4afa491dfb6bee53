import { describe, expect, test } from "bun:test";
import { buildProgram, type DaemonCommandFlags } from "../cli/program.ts";
import { resolveDaemonOptions } from "./daemon-options.ts";

/** The flags `shoal daemon <args>` hands to the daemon runner. */
async function daemonFlags(args: string[]): Promise<DaemonCommandFlags> {
  let seen: DaemonCommandFlags | undefined;
  const program = buildProgram({ runDaemon: async (flags) => ((seen = flags), 0) }, () => {}).exitOverride();
  await program.parseAsync(["daemon", ...args], { from: "user" });
  process.exitCode = 0;
  if (!seen) throw new Error("the daemon runner was not called");
  return seen;
}

describe("shoal daemon --bridge", () => {
  test("the default network uses shoal0 unless told otherwise", async () => {
    const flags = await daemonFlags(["--data-root", "/tmp/x"]);
    expect(flags.bridge).toBeUndefined();
    expect(resolveDaemonOptions(flags).defaultBridge).toBe("shoal0");
  });

  test("--bridge none (and -b none) disables the default network", async () => {
    expect(resolveDaemonOptions(await daemonFlags(["--bridge", "none"])).defaultBridge).toBeNull();
    expect(resolveDaemonOptions(await daemonFlags(["-b", "none"])).defaultBridge).toBeNull();
  });

  test("another name is the Linux bridge of the default network", async () => {
    expect(resolveDaemonOptions(await daemonFlags(["--bridge=br-test"])).defaultBridge).toBe("br-test");
  });

  test("a name the kernel would refuse is refused", () => {
    expect(() => resolveDaemonOptions({ bridge: "much-too-long-bridge-name" })).toThrow("invalid --bridge");
    expect(() => resolveDaemonOptions({ bridge: "a/b" })).toThrow("invalid --bridge");
  });
});

describe("shoal daemon --insecure-registry", () => {
  test("is repeatable and reaches the daemon's settings", async () => {
    const flags = await daemonFlags(["--insecure-registry", "registry.lan:5000", "--insecure-registry", "mirror.lan"]);
    expect(resolveDaemonOptions(flags).insecureRegistries).toEqual(["registry.lan:5000", "mirror.lan"]);
    expect(resolveDaemonOptions(await daemonFlags([])).insecureRegistries).toEqual([]);
  });

  test("a value that is not host[:port] is refused with what to give", () => {
    expect(() => resolveDaemonOptions({ insecureRegistry: ["http://registry.lan"] })).toThrow("give host[:port]");
  });
});
