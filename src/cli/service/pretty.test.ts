import { expect, test } from "bun:test";
import type { Service } from "../../types/index.ts";
import { prettyService } from "./pretty.ts";

const NOW = Date.parse("2026-11-28T12:00:00Z");

function service(UpdateStatus: Service["UpdateStatus"]): Service {
  return {
    ID: "x2gtl3tb3bm19ht926dux9tex",
    Version: { Index: 9 },
    CreatedAt: "2026-11-28T11:00:00Z",
    UpdatedAt: "2026-11-28T11:59:00Z",
    Spec: { Name: "web", Mode: { Replicated: { Replicas: 3 } }, TaskTemplate: { ContainerSpec: { Image: "busybox" } } },
    UpdateStatus,
  } as Service;
}

const updateStatusLines = (text: string) => text.split("\n").slice(text.split("\n").indexOf("UpdateStatus:"), text.split("\n").indexOf("Placement:"));

test("shows when an update started and completed as docker does, in words ago", () => {
  const text = prettyService(service({ State: "completed", StartedAt: "2026-11-28T11:59:48Z", CompletedAt: "2026-11-28T11:59:58.5Z", Message: "update completed" }), new Map(), NOW);
  expect(updateStatusLines(text)).toEqual(["UpdateStatus:", " State:\t\tcompleted", " Started:\t12 seconds ago", " Completed:\t1 second ago", " Message:\tupdate completed"]);
});

test("shows no completion time while updating, nor for a rollback (docker shows it only for a completed update)", () => {
  const updating = prettyService(service({ State: "updating", StartedAt: "2026-11-28T11:59:59.6Z", Message: "update in progress" }), new Map(), NOW);
  expect(updateStatusLines(updating)).toEqual(["UpdateStatus:", " State:\t\tupdating", " Started:\tLess than a second ago", " Message:\tupdate in progress"]);
  const rolledBack = prettyService(service({ State: "rollback_completed", StartedAt: "2026-11-28T11:56:00Z", CompletedAt: "2026-11-28T11:57:00Z", Message: "rollback completed" }), new Map(), NOW);
  expect(updateStatusLines(rolledBack)).toEqual(["UpdateStatus:", " State:\t\trollback_completed", " Started:\t4 minutes ago", " Message:\trollback completed"]);
});

test("prints the placement and container lines as docker's template does (what docker 28 printed for the same spec)", () => {
  const text = prettyService(
    {
      ...service(undefined),
      Spec: {
        Name: "cmp",
        Mode: { Replicated: { Replicas: 1 } },
        TaskTemplate: {
          ContainerSpec: { Image: "shoal-test/busybox:2", Command: ["busybox", "sleep"], Args: ["1000"], Env: ["A=1", "B=2"], Dir: "/tmp", User: "0", Init: false, StopGracePeriod: 10e9 },
          Placement: { Constraints: ["node.role==worker"], Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }], MaxReplicas: 3 },
        },
      },
    } as Service,
    new Map(),
    NOW,
  ).split("\n");
  expect(text.slice(text.indexOf("Placement:"), text.indexOf("Placement:") + 4)).toEqual(["Placement:", " Constraints:\t[node.role==worker]", " Preferences:   [spread=node.labels.zone]", " Max Replicas Per Node:   3"]);
  expect(text.slice(text.indexOf("ContainerSpec:"), text.indexOf("Endpoint Mode:\tvip"))).toEqual([
    "ContainerSpec:",
    " Image:\t\tshoal-test/busybox:2",
    " Args:\t\t1000 ",
    " Env:\t\tA=1 B=2 ",
    " Dir:\t\t/tmp",
    " Init:\t\tfalse",
    " User: 0",
  ]);
});
