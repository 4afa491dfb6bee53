import { expect, test } from "bun:test";
import { chooseOciRuntime } from "./oci-runtime-choice.ts";

test("crun on unified cgroups when installed, runc on hybrid or v1 layouts or without crun", () => {
  const all = () => true;
  expect(chooseOciRuntime({ cgroupVersion: "2", installed: all })).toEqual({ name: "crun", path: "/usr/bin/crun" });
  expect(chooseOciRuntime({ cgroupVersion: "1", installed: all })).toEqual({ name: "runc", path: "/usr/sbin/runc" });
  expect(chooseOciRuntime({ cgroupVersion: "2", installed: (path) => path !== "/usr/bin/crun" })).toEqual({ name: "runc", path: "/usr/sbin/runc" });
});
