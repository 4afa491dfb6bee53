import { describe, expect, test } from "bun:test";
import { parseServiceSpec } from "./parse-service-spec.ts";

/** A body as `docker service create --name web busybox sleep 1000` sends it. */
function body(extra: Record<string, unknown> = {}, template: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: "web",
    Labels: {},
    TaskTemplate: { ContainerSpec: { Image: "busybox:latest", Args: ["sleep", "1000"], DNSConfig: {} }, Resources: { Limits: {}, Reservations: {} }, Placement: {}, ForceUpdate: 0, ...template },
    Mode: { Replicated: { Replicas: 2 } },
    EndpointSpec: { Mode: "vip" },
    ...extra,
  };
}

function refusal(value: unknown): string {
  try {
    parseServiceSpec(value);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("parseServiceSpec", () => {
  test("keeps what the docker CLI sends and adds the runtime moby shows", () => {
    expect(parseServiceSpec(body())).toEqual({
      Name: "web",
      Labels: {},
      TaskTemplate: {
        ContainerSpec: { Image: "busybox:latest", Args: ["sleep", "1000"], DNSConfig: {} },
        Resources: { Limits: {}, Reservations: {} },
        Placement: {},
        ForceUpdate: 0,
        Runtime: "container",
      },
      Mode: { Replicated: { Replicas: 2 } },
      EndpointSpec: { Mode: "vip" },
    });
  });

  test("fills moby's defaults: one replica, labels, restart condition any, pause and stop-first, vip, tcp ingress ports", () => {
    const spec = parseServiceSpec({
      TaskTemplate: { ContainerSpec: { Image: "nginx" }, RestartPolicy: { Delay: 1e9 } },
      UpdateConfig: { Parallelism: 2 },
      RollbackConfig: {},
      EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080, Protocol: "UDP" }, { TargetPort: 81, PublishMode: "host" }] },
    });
    expect(spec.Name).toBe("");
    expect(spec.Labels).toEqual({});
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: "any", Delay: 1e9, MaxAttempts: 0 });
    expect(spec.TaskTemplate.ForceUpdate).toBe(0);
    expect(spec.UpdateConfig).toEqual({ Parallelism: 2, FailureAction: "pause", MaxFailureRatio: 0, Order: "stop-first" });
    expect(spec.RollbackConfig).toEqual({ Parallelism: 0, FailureAction: "pause", MaxFailureRatio: 0, Order: "stop-first" });
    expect(spec.EndpointSpec).toEqual({
      Mode: "vip",
      Ports: [
        { TargetPort: 80, PublishedPort: 8080, Protocol: "udp", PublishMode: "ingress" },
        { TargetPort: 81, Protocol: "tcp", PublishMode: "host" },
      ],
    });
  });

  test("a replicated job runs one at a time by default, as many completions as run at once", () => {
    expect(parseServiceSpec(body({ Mode: { ReplicatedJob: {} } })).Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(parseServiceSpec(body({ Mode: { ReplicatedJob: { MaxConcurrent: 3 } } })).Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 3, TotalCompletions: 3 } });
    expect(parseServiceSpec(body({ Mode: { Global: {} } })).Mode).toEqual({ Global: {} });
  });

  test("drops unknown fields, nulls and a PullOptions the client sends (credentials come only from X-Registry-Auth)", () => {
    const spec = parseServiceSpec(body({ Bogus: 1, Labels: null }, { ContainerSpec: { Image: "busybox", PullOptions: { RegistryAuth: "x" }, Env: null, Extra: true } }));
    expect(spec.TaskTemplate.ContainerSpec).toEqual({ Image: "busybox" });
    expect(spec.Labels).toEqual({});
    expect("Bogus" in spec).toBe(false);
  });

  test("moves the deprecated top-level Networks into the task template", () => {
    expect(parseServiceSpec(body({ Networks: [{ Target: "net1" }] })).TaskTemplate.Networks).toEqual([{ Target: "net1" }]);
    const both = parseServiceSpec(body({ Networks: [{ Target: "old" }] }, { Networks: [{ Target: "new" }] }));
    expect(both.TaskTemplate.Networks).toEqual([{ Target: "new" }]);
    expect("Networks" in both).toBe(false);
  });

  test("refuses fields of the wrong type with Go's words", () => {
    expect(refusal(body({ Name: 5 }))).toBe("json: cannot unmarshal number 5 into Go struct field ServiceSpec.Name of type string");
    expect(refusal(body({ Mode: { Replicated: { Replicas: "two" } } }))).toBe(
      "json: cannot unmarshal string into Go struct field ServiceSpec.Mode.Replicated.Replicas of type int64",
    );
    expect(refusal(body({}, { RestartPolicy: { MaxAttempts: -1 } }))).toBe(
      "json: cannot unmarshal number -1 into Go struct field ServiceSpec.TaskTemplate.RestartPolicy.MaxAttempts of type uint64",
    );
    expect(refusal(body({}, { ContainerSpec: { Image: "busybox", Args: "sleep" } }))).toBe(
      "json: cannot unmarshal string into Go struct field ServiceSpec.TaskTemplate.ContainerSpec.Args of type []string",
    );
    expect(refusal(body({}, { ContainerSpec: { Image: "busybox", StopGracePeriod: 1.5 } }))).toContain("of type int64");
    expect(refusal([])).toBe("request body must be a JSON object (a ServiceSpec)");
  });

  test("refuses unknown enum values with moby's words", () => {
    expect(refusal(body({}, { RestartPolicy: { Condition: "always" } }))).toBe('invalid RestartCondition: "always"');
    expect(refusal(body({ UpdateConfig: { FailureAction: "explode" } }))).toBe("unrecognized update failure action explode");
    expect(refusal(body({ RollbackConfig: { Order: "random" } }))).toBe("unrecognized update order random");
    expect(refusal(body({ EndpointSpec: { Mode: "anycast" } }))).toBe('invalid resolution mode: "anycast"');
    expect(refusal(body({ Mode: { Replicated: { Replicas: 1 }, Global: {} } }))).toBe("must specify only one service mode");
    expect(refusal(body({}, { ContainerSpec: { Image: "busybox", Mounts: [{ Type: "nfs", Target: "/x" }] } }))).toBe('invalid MountType: "nfs"');
    expect(refusal(body({}, { Runtime: "plugin", PluginSpec: {} }))).toBe('runtime type "plugin" only supported in experimental');
    expect(refusal(body({}, { ContainerSpec: null }))).toBe("mismatched Runtime and *Spec fields");
    expect(refusal(body({}, { ContainerSpec: { Image: "busybox", Configs: [{ ConfigID: "c", ConfigName: "c" }] } }))).toBe("either File or Runtime should be set");
  });
});
