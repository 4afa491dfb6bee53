import { BUILD_INFO } from "../../lib/index.ts";
import type { SwarmInfo, SystemInfo } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { parseTemplate } from "../format/list-format.ts";
import { bytesSize, humanDuration } from "../format/units.ts";

/** The Swarm part of `info`, line for line docker's printSwarmInfo (the pools each followed by two spaces, as docker prints them). */
export function swarmSection(swarm: SwarmInfo): string {
  let text = ` Swarm: ${swarm.LocalNodeState}\n`;
  if (swarm.LocalNodeState === "inactive" || swarm.LocalNodeState === "locked") return text;
  text += `  NodeID: ${swarm.NodeID}\n`;
  if (swarm.Error) text += `  Error: ${swarm.Error}\n`;
  text += `  Is Manager: ${swarm.ControlAvailable}\n`;
  const cluster = swarm.Cluster;
  if (swarm.ControlAvailable && cluster && !swarm.Error && swarm.LocalNodeState !== "error") {
    const spec = cluster.Spec;
    text += `  ClusterID: ${cluster.ID}\n`;
    text += `  Managers: ${swarm.Managers ?? 0}\n`;
    text += `  Nodes: ${swarm.Nodes ?? 0}\n`;
    if (cluster.DefaultAddrPool) {
      text += `  Default Address Pool: ${cluster.DefaultAddrPool.map((pool) => `${pool}  `).join("")}\n`;
      text += `  SubnetSize: ${cluster.SubnetSize}\n`;
    }
    if (cluster.DataPathPort > 0) text += `  Data Path Port: ${cluster.DataPathPort}\n`;
    text += `  Orchestration:\n   Task History Retention Limit: ${spec.Orchestration.TaskHistoryRetentionLimit}\n`;
    text += "  Raft:\n";
    text += `   Snapshot Interval: ${spec.Raft.SnapshotInterval}\n`;
    if (spec.Raft.KeepOldSnapshots !== undefined) text += `   Number of Old Snapshots to Retain: ${spec.Raft.KeepOldSnapshots}\n`;
    text += `   Heartbeat Tick: ${spec.Raft.HeartbeatTick}\n`;
    text += `   Election Tick: ${spec.Raft.ElectionTick}\n`;
    text += `  Dispatcher:\n   Heartbeat Period: ${humanDuration(spec.Dispatcher.HeartbeatPeriod)}\n`;
    text += "  CA Configuration:\n";
    text += `   Expiry Duration: ${humanDuration(spec.CAConfig.NodeCertExpiry)}\n`;
    text += `   Force Rotate: ${spec.CAConfig.ForceRotate ?? 0}\n`;
    text += `  Autolock Managers: ${spec.EncryptionConfig.AutoLockManagers}\n`;
    text += `  Root Rotation In Progress: ${cluster.RootRotationInProgress}\n`;
  }
  text += `  Node Address: ${swarm.NodeAddr}\n`;
  if (swarm.RemoteManagers && swarm.RemoteManagers.length > 0) {
    text += "  Manager Addresses:\n";
    for (const address of swarm.RemoteManagers.map((manager) => manager.Addr).sort()) text += `   ${address}\n`;
  }
  return text;
}

/** `shoal info` output, laid out as `docker info` prints it. */
export function formatInfo(info: SystemInfo): string {
  let text = "Client:\n";
  text += ` Version:    ${BUILD_INFO.version}\n`;
  text += " Debug Mode: false\n\nServer:\n";
  text += ` Containers: ${info.Containers}\n  Running: ${info.ContainersRunning}\n  Paused: ${info.ContainersPaused}\n  Stopped: ${info.ContainersStopped}\n`;
  text += ` Images: ${info.Images}\n`;
  text += ` Server Version: ${info.ServerVersion}\n`;
  text += ` Storage Driver: ${info.Driver}\n`;
  for (const [key, value] of info.DriverStatus) text += `  ${key}: ${value}\n`;
  text += ` Logging Driver: ${info.LoggingDriver}\n`;
  text += ` Cgroup Driver: ${info.CgroupDriver}\n`;
  text += ` Cgroup Version: ${info.CgroupVersion}\n`;
  text += " Plugins:\n";
  text += `  Volume: ${info.Plugins.Volume.join(" ")}\n`;
  text += `  Network: ${info.Plugins.Network.join(" ")}\n`;
  text += `  Log: ${info.Plugins.Log.join(" ")}\n`;
  text += swarmSection(info.Swarm);
  text += ` Runtimes: ${Object.keys(info.Runtimes).sort().join(" ")}\n`;
  text += ` Default Runtime: ${info.DefaultRuntime}\n`;
  text += ` Kernel Version: ${info.KernelVersion}\n`;
  text += ` Operating System: ${info.OperatingSystem}\n`;
  text += ` OSType: ${info.OSType}\n`;
  text += ` Architecture: ${info.Architecture}\n`;
  text += ` CPUs: ${info.NCPU}\n`;
  text += ` Total Memory: ${bytesSize(info.MemTotal)}\n`;
  text += ` Name: ${info.Name}\n`;
  text += ` ID: ${info.ID}\n`;
  text += ` Docker Root Dir: ${info.DockerRootDir}\n`;
  text += ` Debug Mode: ${info.Debug}\n`;
  if (info.Labels.length > 0) text += ` Labels:\n${info.Labels.map((label) => `  ${label}\n`).join("")}`;
  text += ` Experimental: ${info.ExperimentalBuild}\n`;
  text += ` Live Restore Enabled: ${info.LiveRestoreEnabled}\n`;
  if (info.Warnings.length > 0) text += "\n" + info.Warnings.map((warning) => `${warning}\n`).join("");
  return text;
}

/** `shoal info [-f FORMAT]`: the daemon's system-wide information, laid out as docker's or through a template (`json`: all of it). */
export async function infoCommand(ctx: CliContext, options: { format?: string } = {}): Promise<void> {
  const info = await ctx.client.json<SystemInfo>("GET", "/info");
  if (!options.format) {
    ctx.out(formatInfo(info));
    return;
  }
  const format = options.format === "json" ? "{{json .}}" : options.format;
  ctx.out(`${parseTemplate(format.replaceAll("\\t", "\t").replaceAll("\\n", "\n")).execute(info)}\n`);
}
