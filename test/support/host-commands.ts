import type { TestHost } from "./hosts.ts";

/** `docker <args>` on a test host; its trimmed stdout, or an error naming the host and docker's words. */
export async function dockerOk(host: TestHost, args: string[]): Promise<string> {
  const result = await host.docker(args);
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(" ")} on ${host.hostname} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout.trim();
}

/** Polls `check` (a throw counts as not yet) every 200 ms until it holds; resolves with the ms it took. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await Bun.sleep(200);
  }
  return Date.now() - started;
}

/** `shoal <args>` on a test host; its stdout as printed (untrimmed), or an error naming the host and shoal's words. */
export async function shoalOk(host: TestHost, args: string[]): Promise<string> {
  const result = await host.shoal(args);
  if (result.exitCode !== 0) throw new Error(`shoal ${args.join(" ")} on ${host.hostname} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout;
}
