import { expect, test } from "bun:test";
import type { Config, Secret, Task } from "../types/index.ts";
import { NodeAssignments } from "./node-assignments.ts";

const now = "2026-11-28T00:00:00.000Z";
function task(id: string, overrides: Partial<Task> = {}): Task {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: now,
    UpdatedAt: now,
    Labels: {},
    Spec: { ContainerSpec: { Image: "busybox" }, ForceUpdate: 0 },
    ServiceID: "svc",
    ServiceAnnotations: { Name: "web", Labels: {} },
    Slot: 1,
    NodeID: "n1",
    Status: { Timestamp: now, State: "assigned", Message: "" },
    DesiredState: "running",
    ...overrides,
  };
}
const secret: Secret = { ID: "s1", Version: { Index: 3 }, CreatedAt: now, UpdatedAt: now, Spec: { Name: "pw", Labels: {}, Data: Buffer.from("x").toString("base64") } };
const files = { secret: (id: string) => (id === "s1" ? secret : undefined), config: (_id: string): Config | undefined => undefined };

test("the first message holds the node's assigned tasks only", () => {
  const assignments = new NodeAssignments("n1", files);
  const message = assignments.complete([task("a"), task("b", { Status: { Timestamp: now, State: "pending", Message: "" } }), task("c", { NodeID: "n2" })]);
  expect(message.type).toBe("complete");
  expect(message.updateTasks.map((t) => t.ID)).toEqual(["a"]);
  expect(assignments.flush()).toBeNull();
});

test("status-only changes are not echoed; desired state, new assignments and removals are", () => {
  const assignments = new NodeAssignments("n1", files);
  assignments.complete([task("a")]);
  assignments.observe("a", task("a", { Version: { Index: 5 }, Status: { Timestamp: now, State: "running", Message: "" } }));
  expect(assignments.flush()).toBeNull();
  assignments.observe("a", task("a", { DesiredState: "shutdown" }));
  assignments.observe("b", task("b"));
  const message = assignments.flush()!;
  expect([message.type, message.updateTasks.map((t) => `${t.ID}:${t.DesiredState}`), message.removeTasks]).toEqual(["incremental", ["a:shutdown", "b:running"], []]);
  assignments.observe("a", null);
  assignments.observe("b", task("b", { NodeID: "n2" }));
  expect(assignments.flush()!.removeTasks).toEqual(["a", "b"]);
});

test("secrets go with the live tasks that use them and are withdrawn when none does", () => {
  const assignments = new NodeAssignments("n1", files);
  const withSecret = task("a", { Spec: { ContainerSpec: { Image: "busybox", Secrets: [{ SecretID: "s1", SecretName: "pw" }] }, ForceUpdate: 0 } });
  expect(assignments.complete([withSecret]).updateFiles.map((f) => [f.ID, f.kind, Buffer.from(f.data).toString()])).toEqual([["s1", "secret", "x"]]);
  assignments.observeFile("s1");
  expect(assignments.flush()!.updateFiles.map((f) => f.ID)).toEqual(["s1"]);
  assignments.observe("a", { ...withSecret, Status: { Timestamp: now, State: "complete", Message: "" } });
  expect(assignments.flush()!.removeFiles).toEqual(["s1"]);
});
