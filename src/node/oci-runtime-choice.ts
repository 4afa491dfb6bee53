/** The OCI runtimes shoal can drive, where Debian installs them. */
export const OCI_RUNTIMES = { runc: "/usr/sbin/runc", crun: "/usr/bin/crun" } as const;

/**
 * crun where the host's cgroup layout lets it run (unified cgroup v2: Debian's crun refuses the
 * hybrid layout), runc otherwise — and runc when crun is not installed.
 */
export function chooseOciRuntime(host: { cgroupVersion: "1" | "2"; installed: (path: string) => boolean }): { name: keyof typeof OCI_RUNTIMES; path: string } {
  if (host.cgroupVersion === "2" && host.installed(OCI_RUNTIMES.crun)) return { name: "crun", path: OCI_RUNTIMES.crun };
  return { name: "runc", path: OCI_RUNTIMES.runc };
}
