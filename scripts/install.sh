#!/usr/bin/env bash
# Installs shoal on this host: the host packages it needs, the binary and its systemd unit.
# Usage: scripts/install.sh [PATH-TO-shoal-BINARY]   (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=${1:-$here/../dist/shoal}
prefix=${PREFIX:-/usr/local}
unit_dir=${SYSTEMD_UNIT_DIR:-/etc/systemd/system}

if [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root" >&2; exit 1; fi
if [ ! -x "$binary" ]; then echo "install.sh: no shoal binary at $binary (run make build)" >&2; exit 1; fi

packages=(runc conmon nftables libnftables1 iproute2)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

install -D -m 0755 "$binary" "$prefix/bin/shoal"
install -d -m 0711 /var/lib/shoal /run/shoal
if [ -d "$unit_dir" ]; then
  sed "s|/usr/local/bin/shoal|$prefix/bin/shoal|" "$here/shoal.service" > "$unit_dir/shoal.service"
  chmod 0644 "$unit_dir/shoal.service"
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "installed: $prefix/bin/shoal and shoal.service; start it with: systemctl enable --now shoal"
    exit 0
  fi
fi
echo "installed: $prefix/bin/shoal (no systemd here: run 'shoal daemon' yourself)"
