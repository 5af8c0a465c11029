#!/usr/bin/env bash
# Runs every podnet test on a fresh Debian machine: installs what the machine
# lacks (the kernel lab needs root, iproute2, ping, traceroute and iptables), installs
# the npm packages, then runs `npm test` (typecheck + unit + kernel lab).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ip >/dev/null || need_apt+=(iproute2)
command -v bridge >/dev/null || need_apt+=(iproute2)
command -v ping >/dev/null || need_apt+=(iputils-ping)
command -v traceroute >/dev/null || need_apt+=(traceroute)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v ethtool >/dev/null || need_apt+=(ethtool)
# kube-proxy-style Service rules in the kernel lab, and the collector's iptables-save.
command -v iptables-save >/dev/null || need_apt+=(iptables)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

export NEXT_TELEMETRY_DISABLED=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# better-sqlite3 builds from source against the local Node headers.
export npm_config_nodedir=/usr

echo "== npm install"
npm install --no-audit --no-fund

echo "== npm test"
npm test
