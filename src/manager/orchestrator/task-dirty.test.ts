import { expect, test } from "bun:test";
import type { EndpointSpec, Service } from "../../types/index.ts";
import { newReplicatedTask } from "./new-task.ts";
import { isTaskDirty } from "./task-dirty.ts";

const now = "2026-11-29T00:00:00.000Z";
function service(endpoint?: EndpointSpec): Service {
  return {
    ID: "s1",
    Version: { Index: 7 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: { Name: "web", Labels: {}, TaskTemplate: { ContainerSpec: { Image: "busybox" }, ForceUpdate: 0 }, Mode: { Replicated: { Replicas: 1 } }, ...(endpoint ? { EndpointSpec: endpoint } : {}) },
    Endpoint: { Spec: endpoint ?? {} },
  };
}
const hostPort = (published: number): EndpointSpec => ({ Ports: [{ Protocol: "tcp", TargetPort: 80, PublishedPort: published, PublishMode: "host" }] });

test("a task is dirty when the template or its host-mode ports changed; an ingress port change leaves it alone", () => {
  const current = service(hostPort(8080));
  const task = newReplicatedTask(current, 1, now);
  expect(task.Endpoint).toEqual({ Spec: hostPort(8080) });
  expect(isTaskDirty(current, task)).toBe(false);
  expect(isTaskDirty(service(hostPort(9090)), task)).toBe(true);
  expect(isTaskDirty({ ...current, Spec: { ...current.Spec, TaskTemplate: { ...current.Spec.TaskTemplate, ForceUpdate: 1 } } }, task)).toBe(true);
  const ingress = (published: number): EndpointSpec => ({ Ports: [{ Protocol: "tcp", TargetPort: 80, PublishedPort: published, PublishMode: "ingress" }] });
  const plain = newReplicatedTask(service(ingress(30000)), 1, now);
  expect(isTaskDirty(service(ingress(30001)), plain)).toBe(false);
});
