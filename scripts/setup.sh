#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) for kubesim: system packages, npm
# dependencies, and the build. Idempotent: a second run skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
# docker-compose mode: debootstrap builds the base image, compose 1.29 runs the cluster.
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's service is not started in containers (no init), which is what we want:
  # kubesim starts its own etcd.
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Docker: node agents run pods as containers. Start the engine when none answers
# (containers and CI machines have no init system to do it).
if ! docker info >/dev/null 2>&1; then
  echo "setup: starting dockerd (log: /var/log/kubesim-dockerd.log)"
  nohup dockerd >/var/log/kubesim-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "setup: dockerd did not start; see /var/log/kubesim-dockerd.log" >&2; exit 1; }
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "setup: build"
npm run build --silent
echo "setup: images"
npm run images --silent
echo "setup: done (etcd $(etcd --version 2>/dev/null | head -1 | awk '{print $3}'), node $(node --version))"
