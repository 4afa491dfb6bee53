/**
 * The Engine API's `ServiceSpec` as Go decodes it (moby `api/types/swarm/service.go`, `task.go`,
 * `container.go`, `network.go`): what `POST /services/create` and `/services/{id}/update` accept.
 * Fields not listed here are dropped, as Go's decoder drops them (a `PullOptions` a client sends
 * among them: registry credentials come only from `X-Registry-Auth`).
 */
import type { Shape } from "./json-shape.ts";

const strings: Shape = { list: "string" };

const DRIVER: Shape = { struct: "Driver", fields: { Name: "string", Options: "labels" } };

const FILE_TARGET: Shape = { struct: "SecretReferenceFileTarget", fields: { Name: "string", UID: "string", GID: "string", Mode: "uint" } };

const MOUNT: Shape = {
  struct: "Mount",
  fields: {
    Type: "string",
    Source: "string",
    Target: "string",
    ReadOnly: "bool",
    Consistency: "string",
    BindOptions: { struct: "BindOptions", fields: { Propagation: "string", NonRecursive: "bool", CreateMountpoint: "bool", ReadOnlyNonRecursive: "bool", ReadOnlyForceRecursive: "bool" } },
    VolumeOptions: { struct: "VolumeOptions", fields: { NoCopy: "bool", Labels: "labels", Subpath: "string", DriverConfig: DRIVER } },
    TmpfsOptions: { struct: "TmpfsOptions", fields: { SizeBytes: "int", Mode: "uint", Options: { list: strings } } },
    ClusterOptions: "object",
  },
};

const HEALTH: Shape = {
  struct: "HealthConfig",
  fields: { Test: strings, Interval: "int", Timeout: "int", StartPeriod: "int", StartInterval: "int", Retries: "int" },
};

const CONTAINER: Shape = {
  struct: "ContainerSpec",
  fields: {
    Image: "string",
    Labels: "labels",
    Command: strings,
    Args: strings,
    Hostname: "string",
    Env: strings,
    Dir: "string",
    User: "string",
    Groups: strings,
    Privileges: "object",
    Init: "bool",
    StopSignal: "string",
    TTY: "bool",
    OpenStdin: "bool",
    ReadOnly: "bool",
    Mounts: { list: MOUNT },
    StopGracePeriod: "int",
    Healthcheck: HEALTH,
    Hosts: strings,
    DNSConfig: { struct: "DNSConfig", fields: { Nameservers: strings, Search: strings, Options: strings } },
    Secrets: { list: { struct: "SecretReference", fields: { File: FILE_TARGET, SecretID: "string", SecretName: "string" } } },
    Configs: { list: { struct: "ConfigReference", fields: { File: FILE_TARGET, Runtime: "object", ConfigID: "string", ConfigName: "string" } } },
    Isolation: "string",
    Sysctls: "labels",
    CapabilityAdd: strings,
    CapabilityDrop: strings,
    Ulimits: { list: { struct: "Ulimit", fields: { Name: "string", Soft: "int", Hard: "int" } } },
    OomScoreAdj: "int",
  },
};

const NETWORK_ATTACHMENT: Shape = { struct: "NetworkAttachmentConfig", fields: { Target: "string", Aliases: strings, DriverOpts: "labels" } };

const RESOURCES: Shape = {
  struct: "ResourceRequirements",
  fields: {
    Limits: { struct: "Limit", fields: { NanoCPUs: "int", MemoryBytes: "int", Pids: "int" } },
    Reservations: { struct: "Resources", fields: { NanoCPUs: "int", MemoryBytes: "int", GenericResources: { list: "object" } } },
  },
};

const TASK: Shape = {
  struct: "TaskSpec",
  fields: {
    ContainerSpec: CONTAINER,
    PluginSpec: "object",
    NetworkAttachmentSpec: "object",
    Resources: RESOURCES,
    RestartPolicy: { struct: "RestartPolicy", fields: { Condition: "string", Delay: "int", MaxAttempts: "uint", Window: "int" } },
    Placement: {
      struct: "Placement",
      fields: {
        Constraints: strings,
        Preferences: { list: { struct: "PlacementPreference", fields: { Spread: { struct: "SpreadOver", fields: { SpreadDescriptor: "string" } } } } },
        MaxReplicas: "uint",
        Platforms: { list: { struct: "Platform", fields: { Architecture: "string", OS: "string" } } },
      },
    },
    Networks: { list: NETWORK_ATTACHMENT },
    LogDriver: DRIVER,
    ForceUpdate: "uint",
    Runtime: "string",
  },
};

const UPDATE_CONFIG = (name: string): Shape => ({
  struct: name,
  fields: { Parallelism: "uint", Delay: "int", FailureAction: "string", Monitor: "int", MaxFailureRatio: "float", Order: "string" },
});

/** `ServiceSpec`. Replica counts are decoded as signed so that a negative one gets SwarmKit's own refusal. */
export const SERVICE_SPEC_SHAPE: Shape = {
  struct: "ServiceSpec",
  fields: {
    Name: "string",
    Labels: "labels",
    TaskTemplate: TASK,
    Mode: {
      struct: "ServiceMode",
      fields: {
        Replicated: { struct: "ReplicatedService", fields: { Replicas: "int" } },
        Global: "object",
        ReplicatedJob: { struct: "ReplicatedJob", fields: { MaxConcurrent: "int", TotalCompletions: "int" } },
        GlobalJob: "object",
      },
    },
    UpdateConfig: UPDATE_CONFIG("UpdateConfig"),
    RollbackConfig: UPDATE_CONFIG("UpdateConfig"),
    /** Deprecated (API < 1.44): moved into `TaskTemplate.Networks`. */
    Networks: { list: NETWORK_ATTACHMENT },
    EndpointSpec: {
      struct: "EndpointSpec",
      fields: {
        Mode: "string",
        Ports: { list: { struct: "PortConfig", fields: { Name: "string", Protocol: "string", TargetPort: "uint", PublishedPort: "uint", PublishMode: "string" } } },
      },
    },
  },
};
