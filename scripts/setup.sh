#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) for kubesim: system packages, npm
# dependencies, and the build. Idempotent: a second run skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's service is not started in containers (no init), which is what we want:
  # kubesim starts its own etcd.
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "setup: build"
npm run build --silent
echo "setup: done (etcd $(etcd --version 2>/dev/null | head -1 | awk '{print $3}'), node $(node --version))"
