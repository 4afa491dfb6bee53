import { expect, test } from "bun:test";
import { silentLogger, systemClock } from "../lib/index.ts";
import { ClusterStore } from "../store/index.ts";
import { node, service } from "../store/store-fixtures.ts";
import { clusterEventOf, type ClusterEvent } from "./cluster-events.ts";

test("swarm object changes become docker's events with what changed; tasks and the cluster make none", async () => {
  const store = new ClusterStore({ clock: systemClock, logger: silentLogger });
  const events: ClusterEvent[] = [];
  const stop = new AbortController();
  const watching = (async () => {
    for await (const change of store.watch({ signal: stop.signal })) {
      if (change.kind === "commit") continue;
      const event = clusterEventOf(change, 1);
      if (event) events.push(event);
    }
  })().catch(() => {});
  const worker = await store.update((tx) => tx.create("nodes", node("worker1")));
  await store.update((tx) => {
    const current = tx.get("nodes", worker.ID)!;
    tx.update("nodes", { ...current, Spec: { ...current.Spec, Availability: "drain" } });
  });
  const web = await store.update((tx) => tx.create("services", service("web")));
  await store.update((tx) => {
    const current = tx.get("services", web.ID)!;
    tx.update("services", {
      ...current,
      Spec: { ...current.Spec, Mode: { Replicated: { Replicas: 3 } }, TaskTemplate: { ...current.Spec.TaskTemplate, ContainerSpec: { Image: "busybox:2" } } },
      UpdateStatus: { State: "updating" },
    });
  });
  await store.update((tx) => tx.delete("services", web.ID));
  await Bun.sleep(20);
  stop.abort();
  await watching;
  expect(events.map((event) => [event.Type, event.Action, event.attributes])).toEqual([
    ["node", "create", { name: "worker1" }],
    ["node", "update", { name: "worker1", "availability.old": "active", "availability.new": "drain" }],
    ["service", "create", { name: "web" }],
    ["service", "update", { name: "web", "image.old": "busybox:latest", "image.new": "busybox:2", "replicas.old": "1", "replicas.new": "3", "updatestate.new": "updating" }],
    ["service", "remove", { name: "web" }],
  ]);
  expect(events[0]!.timeNano).toBeGreaterThan(1e18);
  store.close();
});
