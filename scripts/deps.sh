#!/usr/bin/env bash
# Installs what shoal needs to build, test and run on a Debian machine: the npm packages from the
# lockfile, and the host packages that are missing. Safe to run again. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

# Host packages: the OCI runtime and monitor, nftables, namespaces tooling, and what tests drive.
packages=(runc crun conmon tini nftables libnftables1 iproute2 util-linux busybox-static iputils-ping curl procps ca-certificates docker-registry)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# The real docker CLI drives the compatibility tests; Debian's docker.io brings one where none is.
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x node_modules/.bin/bun ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
