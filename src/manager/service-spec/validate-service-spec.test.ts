import { describe, expect, test } from "bun:test";
import type { ServiceSpec } from "../../types/index.ts";
import { parseServiceSpec } from "./parse-service-spec.ts";
import { validateServiceSpec } from "./validate-service-spec.ts";

/** A valid spec with `change` applied to a copy of it. */
function spec(change: (spec: ServiceSpec) => void = () => {}): ServiceSpec {
  const base = parseServiceSpec({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "busybox:latest" } }, Mode: { Replicated: { Replicas: 2 } } });
  change(base);
  return base;
}

function refusal(value: ServiceSpec): string {
  try {
    validateServiceSpec(value);
  } catch (error) {
    return (error as Error).message;
  }
  return "accepted";
}

const invalid = (desc: string) => `rpc error: code = InvalidArgument desc = ${desc}`;

describe("validateServiceSpec", () => {
  test("accepts a plain replicated service", () => {
    expect(refusal(spec())).toBe("accepted");
  });

  test("names must be DNS label components of at most 63 characters", () => {
    expect(refusal(spec((s) => (s.Name = "")))).toBe(invalid("meta: name must be provided"));
    expect(refusal(spec((s) => (s.Name = "web.app")))).toBe(invalid("name must be valid as a DNS name component"));
    expect(refusal(spec((s) => (s.Name = "-web")))).toBe(invalid("name must be valid as a DNS name component"));
    expect(refusal(spec((s) => (s.Name = "a".repeat(64))))).toBe(invalid("name must be 63 characters or fewer"));
    expect(refusal(spec((s) => (s.Name = `web_${"a".repeat(59)}`)))).toBe("accepted");
  });

  test("an image is required and must be a valid reference", () => {
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Image = "")))).toBe(invalid("ContainerSpec: image reference must be provided"));
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Image = "Busy Box")))).toBe(invalid('ContainerSpec: "Busy Box" is not a valid repository/tag'));
  });

  test("replica and job counts may not be negative", () => {
    expect(refusal(spec((s) => (s.Mode = { Replicated: { Replicas: -1 } })))).toBe(invalid("Number of replicas must be non-negative"));
    expect(refusal(spec((s) => (s.Mode = { Replicated: { Replicas: 0 } })))).toBe("accepted");
    expect(refusal(spec((s) => (s.Mode = { ReplicatedJob: { MaxConcurrent: -2, TotalCompletions: 1 } })))).toBe(invalid("Maximum concurrent jobs must not be negative"));
    expect(refusal(spec((s) => (s.Mode = { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: -1 } })))).toBe(invalid("Total completed jobs must not be negative"));
  });

  test("durations may not be negative", () => {
    expect(refusal(spec((s) => (s.TaskTemplate.RestartPolicy = { Condition: "any", Delay: -1 })))).toBe(invalid("TaskSpec: restart-delay cannot be negative"));
    expect(refusal(spec((s) => (s.TaskTemplate.RestartPolicy = { Condition: "any", Window: -5 })))).toBe(invalid("TaskSpec: restart-window cannot be negative"));
    const update = { Parallelism: 1, FailureAction: "pause" as const, MaxFailureRatio: 0, Order: "stop-first" as const };
    expect(refusal(spec((s) => (s.UpdateConfig = { ...update, Delay: -1 })))).toBe(invalid("TaskSpec: update-delay cannot be negative"));
    expect(refusal(spec((s) => (s.UpdateConfig = { ...update, Monitor: -1 })))).toBe(invalid("TaskSpec: update-monitor cannot be negative"));
    expect(refusal(spec((s) => (s.RollbackConfig = { ...update, Delay: -1 })))).toBe(invalid("TaskSpec: rollback-delay cannot be negative"));
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.StopGracePeriod = -1)))).toBe(invalid("ContainerSpec: StopGracePeriod cannot be negative"));
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Healthcheck = { Interval: 1000 })))).toBe(invalid("ContainerSpec: Interval in HealthConfig cannot be less than 1ms"));
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Healthcheck = { Retries: -1 })))).toBe(invalid("ContainerSpec: Retries in HealthConfig cannot be negative"));
  });

  test("the max failure ratio lies within 0 and 1", () => {
    const update = { Parallelism: 1, FailureAction: "pause" as const, Order: "stop-first" as const };
    expect(refusal(spec((s) => (s.UpdateConfig = { ...update, MaxFailureRatio: 1.5 })))).toBe(invalid("TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"));
    expect(refusal(spec((s) => (s.UpdateConfig = { ...update, MaxFailureRatio: -0.1 })))).toBe(invalid("TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"));
    expect(refusal(spec((s) => (s.UpdateConfig = { ...update, MaxFailureRatio: 0.3 })))).toBe("accepted");
  });

  test("jobs may not have an update config", () => {
    const update = { Parallelism: 1, FailureAction: "pause" as const, MaxFailureRatio: 0, Order: "stop-first" as const };
    expect(refusal(spec((s) => ((s.Mode = { GlobalJob: {} }), (s.UpdateConfig = update))))).toBe(invalid("Jobs may not have an update config"));
  });

  test("placement constraints must parse; the parser's text comes through as SwarmKit passes it on", () => {
    expect(refusal(spec((s) => (s.TaskTemplate.Placement = { Constraints: ["node.role==manager", "node.labels.zone != east"] })))).toBe("accepted");
    expect(refusal(spec((s) => (s.TaskTemplate.Placement = { Constraints: ["node.role=manager"] })))).toBe(
      "rpc error: code = Unknown desc = constraint expected one operator from ==, !=",
    );
  });

  test("resources below SwarmKit's minimums are refused", () => {
    expect(refusal(spec((s) => (s.TaskTemplate.Resources = { Limits: { NanoCPUs: 1000 } })))).toBe(invalid("invalid cpu value 1e-06: Must be at least 0.001"));
    expect(refusal(spec((s) => (s.TaskTemplate.Resources = { Limits: { NanoCPUs: 5e5 } })))).toBe(invalid("invalid cpu value 0.0005: Must be at least 0.001"));
    expect(refusal(spec((s) => (s.TaskTemplate.Resources = { Reservations: { MemoryBytes: 1024 } })))).toBe(invalid("invalid memory value 1024: Must be at least 4MiB"));
  });

  test("secret and config references need IDs, names and distinct file targets", () => {
    const file = (name: string) => ({ Name: name, UID: "0", GID: "0", Mode: 0o444 });
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Secrets = [{ SecretID: "", SecretName: "pw", File: file("pw") }])))).toBe(invalid("malformed secret reference"));
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Secrets = [{ SecretID: "s1", SecretName: "pw" }])))).toBe(invalid("malformed secret reference, no target provided"));
    expect(
      refusal(
        spec(
          (s) =>
            (s.TaskTemplate.ContainerSpec!.Secrets = [
              { SecretID: "s1", SecretName: "a", File: file("x") },
              { SecretID: "s2", SecretName: "b", File: file("x") },
            ]),
        ),
      ),
    ).toBe(invalid("secret references 'a' and 'b' have a conflicting target: 'x'"));
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Configs = [{ ConfigID: "c1", ConfigName: "c", File: file("") }])))).toBe(
      invalid("malformed file config reference, invalid target file name provided"),
    );
  });

  test("endpoints: no duplicate published ports, no ingress ports with dnsrr", () => {
    const port = { Protocol: "tcp" as const, TargetPort: 80, PublishedPort: 8080, PublishMode: "ingress" as const };
    expect(refusal(spec((s) => (s.EndpointSpec = { Mode: "vip", Ports: [port, { ...port, TargetPort: 81 }] })))).toBe(invalid("EndpointSpec: duplicate published ports provided"));
    expect(refusal(spec((s) => (s.EndpointSpec = { Mode: "vip", Ports: [port, { ...port, Protocol: "udp" }] })))).toBe("accepted");
    expect(refusal(spec((s) => (s.EndpointSpec = { Mode: "dnsrr", Ports: [port] })))).toBe(invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode"));
    expect(refusal(spec((s) => (s.EndpointSpec = { Mode: "dnsrr", Ports: [{ ...port, PublishMode: "host" }] })))).toBe("accepted");
  });

  test("two mounts on one target are refused", () => {
    const mount = { Type: "volume" as const, Source: "data", Target: "/data" };
    expect(refusal(spec((s) => (s.TaskTemplate.ContainerSpec!.Mounts = [mount, { ...mount, Source: "other" }])))).toBe(invalid("ContainerSpec: duplicate mount point: /data"));
  });
});
