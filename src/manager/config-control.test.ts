import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { ShoalError } from "../lib/index.ts";
import { ClusterStore } from "../store/index.ts";
import * as fixtures from "../store/store-fixtures.ts";
import { ConfigControl } from "./config-control.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");

function setup() {
  const store = new ClusterStore({ clock: new FakeClock() });
  return { store, control: new ConfigControl(store) };
}

/** What `fn` throws, as `code: message`. */
async function refusal(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ShoalError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("ConfigControl", () => {
  test("create answers the ID; list and inspect show the data, labels sorted", async () => {
    const { control } = setup();
    const { ID } = await control.create({ Name: "app.conf", Labels: { z: "1", a: "2" }, Data: b64("port=80\n") });
    const shown = control.inspect("app.conf");
    expect(shown.ID).toBe(ID);
    expect(shown.Spec).toEqual({ Name: "app.conf", Labels: { a: "2", z: "1" }, Data: b64("port=80\n") });
    expect(Object.keys(shown.Spec.Labels)).toEqual(["a", "z"]);
    expect(control.list({})[0]!.Spec.Data).toBe(b64("port=80\n"));
  });

  test("SwarmKit's refusals: taken name, size, name rule", async () => {
    const { control } = setup();
    await control.create({ Name: "app.conf", Data: b64("x") });
    expect(await refusal(() => control.create({ Name: "app.conf", Data: b64("y") }))).toBe("name_conflict: rpc error: code = AlreadyExists desc = config app.conf already exists");
    expect(await refusal(() => control.create({ Name: "c", Data: "" }))).toBe("invalid_argument: rpc error: code = InvalidArgument desc = config data must be larger than 0 and less than 1024000 bytes");
    expect(await refusal(() => control.create({ Name: "app.", Data: b64("x") }))).toStartWith("invalid_argument: rpc error: code = InvalidArgument desc = invalid name, only 64");
  });

  test("filters: id, name and label; `names` is for secrets only", async () => {
    const { control } = setup();
    await control.create({ Name: "app.conf", Labels: { app: "web" }, Data: b64("x") });
    await control.create({ Name: "nginx.conf", Data: b64("y") });
    const names = (filters: Record<string, string[]>) => control.list(filters).map((config) => config.Spec.Name);
    expect(names({ name: ["app"] })).toEqual(["app.conf"]);
    expect(names({ label: ["app=web"] })).toEqual(["app.conf"]);
    expect(await refusal(() => control.list({ names: ["app.conf"] }))).toBe("invalid_argument: invalid filter 'names'");
  });

  test("update changes labels only; remove is refused while a service uses the config", async () => {
    const { control, store } = setup();
    const { ID } = await control.create({ Name: "app.conf", Data: b64("x") });
    await control.update(ID, control.inspect(ID).Version.Index, { Name: "app.conf", Labels: { v: "2" } });
    expect(control.inspect(ID).Spec.Labels).toEqual({ v: "2" });
    expect(await refusal(() => control.update(ID, control.inspect(ID).Version.Index, { Name: "app.conf", Data: b64("changed") }))).toBe(
      "invalid_argument: rpc error: code = InvalidArgument desc = only updates to Labels are allowed",
    );
    const service = fixtures.service("web");
    service.Spec.TaskTemplate.ContainerSpec!.Configs = [{ ConfigID: ID, ConfigName: "app.conf", File: { Name: "/etc/app.conf", UID: "0", GID: "0", Mode: 0o444 } }];
    const web = await store.update((tx) => tx.create("services", service));
    expect(await refusal(() => control.remove("app.conf"))).toBe("invalid_argument: rpc error: code = InvalidArgument desc = config 'app.conf' is in use by the following service: web");
    await store.update((tx) => tx.delete("services", web.ID));
    await control.remove("app.conf");
    expect(control.list({})).toEqual([]);
  });
});
