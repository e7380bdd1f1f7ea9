#!/usr/bin/env bash
# Builds the two images of the docker-compose mode, offline, after scripts/images.sh:
#   kubesim/base     Debian bookworm minimal root (debootstrap --variant=minbase from the
#                    mirror in /etc/apt/sources.list.d/) with docker.io, iptables, iproute2
#                    and this machine's /usr/bin/node, made with `docker import`
#   kubesim/kubesim  FROM kubesim/base: the built project (packages/*/dist), its production
#                    node_modules and the pod images (pause, hostname, busybox) as `docker
#                    save` tarballs that node containers load into their own engine
# Incremental: each image carries a kubesim.hash label of what went into it and is rebuilt
# only when that changes; the debootstrap root (the slow part, ~1 min) is cached as a
# tarball under $KUBESIM_CACHE (default ~/.cache/kubesim), keyed by suite, mirror and
# package list.
#
#   scripts/images-node.sh            # build what is missing or stale
#   FORCE=1 scripts/images-node.sh    # rebuild both (the cached root is kept)
# Online users can skip the base image: docker build --build-arg BASE=node:20-bookworm ...
# (deploy/images/kubesim/Dockerfile installs docker.io when the base lacks dockerd).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "images: $*"; }
CACHE=${KUBESIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubesim}
SUITE=bookworm
PACKAGES="docker.io iptables iproute2 ca-certificates procps"
NODE_BIN=${NODE_BIN:-/usr/bin/node}
# Bump when the recipe below changes in a way the inputs do not show.
RECIPE=2
mkdir -p "$CACHE"

if [ "$(id -u)" != 0 ]; then
  log "skipping kubesim/base and kubesim/kubesim: building the base root needs root (debootstrap, chroot)"
  exit 0
fi

# The Debian mirror this machine's apt uses (deb822 .sources or one-line .list).
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/{u=$2} /^Suites:/{ if ($0 ~ /(^| )'"$SUITE"'( |$)/ && u !~ /security/) {print u; exit} }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1=="deb" && $3=="'"$SUITE"'" {print $2; exit}' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  echo "http://deb.debian.org/debian"
}

# --- kubesim/base -------------------------------------------------------------------
build_base() {
  local mirror root_key root_tar hash current
  mirror=$(debian_mirror)
  root_key=$(echo "$RECIPE $SUITE $mirror $PACKAGES $(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | sha256sum)" | sha256sum | cut -c1-16)
  root_tar="$CACHE/base-root-$root_key.tar"
  hash=$(echo "$root_key $(sha256sum <"$NODE_BIN")" | sha256sum | cut -c1-16)
  current=$(docker image inspect -f '{{index .Config.Labels "kubesim.hash"}}' kubesim/base:latest 2>/dev/null || true)
  if [ "${FORCE:-}" != "1" ] && [ "$current" = "$hash" ]; then
    log "kubesim/base:latest is up to date (kubesim.hash=$hash)"
    return 0
  fi
  if [ ! -f "$root_tar" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      log "installing debootstrap (apt-get)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    local root
    root=$(mktemp -d /tmp/kubesim-base.XXXXXX)
    # shellcheck disable=SC2064
    trap "rm -rf '$root'" RETURN
    log "debootstrap --variant=minbase $SUITE from $mirror (about a minute; cached in $root_tar)"
    debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1 || {
      echo "images: debootstrap failed; see $CACHE/debootstrap.log" >&2; tail -20 "$CACHE/debootstrap.log" >&2; return 1
    }
    # The same apt sources as this machine (mirror and security), so apt works inside too.
    rm -f "$root/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list "$root/etc/apt/sources.list.d/" 2>/dev/null || true
    # No service starts in the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"
    log "installing $PACKAGES in the root"
    chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
      "apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*" \
      >>"$CACHE/debootstrap.log" 2>&1 || {
      echo "images: apt-get install in the root failed; see $CACHE/debootstrap.log" >&2; tail -20 "$CACHE/debootstrap.log" >&2; return 1
    }
    rm -f "$root/usr/sbin/policy-rc.d"
    # Docker's iptables calls need the legacy or nft backend that matches the host kernel;
    # legacy works everywhere this was checked.
    chroot "$root" sh -c 'update-alternatives --set iptables /usr/sbin/iptables-legacy && update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy' >/dev/null 2>&1 || true
    rm -rf "$root"/var/cache/apt/* "$root"/var/log/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
    mkdir -p "$CACHE"
    rm -f "$CACHE"/base-root-*.tar
    tar -C "$root" -cf "$root_tar.tmp" . && mv "$root_tar.tmp" "$root_tar"
    rm -rf "$root"
    trap - RETURN
  else
    log "using the cached base root $root_tar"
  fi
  # Node.js goes in at import time (it changes more often than the root).
  local extra
  extra=$(mktemp -d /tmp/kubesim-node.XXXXXX)
  mkdir -p "$extra/usr/local/bin"
  cp "$NODE_BIN" "$extra/usr/local/bin/node"
  log "importing kubesim/base:latest (kubesim.hash=$hash${current:+, was $current})"
  cp "$root_tar" "$extra.tar"
  tar -C "$extra" -rf "$extra.tar" ./usr/local/bin/node
  docker import \
    -c "LABEL kubesim.hash=$hash" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["/bin/bash"]' \
    "$extra.tar" kubesim/base:latest >/dev/null
  rm -rf "$extra" "$extra.tar"
  log "built kubesim/base:latest ($(docker image inspect -f '{{.Id}}' kubesim/base:latest | cut -c8-19))"
}

# --- kubesim/kubesim ----------------------------------------------------------------
POD_IMAGES="kubesim/pause:latest kubesim/hostname:latest kubesim/busybox:latest"

build_kubesim() {
  local dir=deploy/images/kubesim tag=kubesim/kubesim:latest
  if ! ls packages/cli/dist/main.js >/dev/null 2>&1; then
    echo "images: packages/cli/dist/main.js is missing: run npm run build first" >&2
    return 1
  fi
  local ids="" img
  for img in $POD_IMAGES; do
    ids+="$img=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null || echo missing) "
  done
  local hash current
  hash=$({
    find packages/*/dist -type f ! -name '*.tsbuildinfo' -print0 | sort -z | xargs -0 sha256sum
    sha256sum package.json package-lock.json packages/*/package.json
    (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    echo "$ids"
    docker image inspect -f '{{.Id}}' kubesim/base:latest 2>/dev/null || true
  } | sha256sum | cut -c1-16)
  current=$(docker image inspect -f '{{index .Config.Labels "kubesim.hash"}}' "$tag" 2>/dev/null || true)
  if [ "${FORCE:-}" != "1" ] && [ "$current" = "$hash" ]; then
    log "$tag is up to date (kubesim.hash=$hash)"
    return 0
  fi
  local ctx
  ctx=$(mktemp -d /tmp/kubesim-ctx.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$ctx'" RETURN
  cp -a "$dir/." "$ctx/"
  mkdir -p "$ctx/app" "$ctx/images"
  cp package.json package-lock.json "$ctx/app/"
  local p
  for p in packages/*/; do
    p=${p%/}
    [ -f "$p/package.json" ] || continue
    mkdir -p "$ctx/app/$p"
    cp "$p/package.json" "$ctx/app/$p/"
    [ -d "$p/dist" ] && cp -a "$p/dist" "$ctx/app/$p/"
  done
  # Production dependencies only: a copy of node_modules pruned offline (npm prune reads
  # the lockfile; nothing is downloaded). Workspace links point at the copied packages.
  find "$ctx/app/packages" \( -name '*.tsbuildinfo' -o -name '*.map' -o -name '*.test.*' \) -delete
  cp -a node_modules "$ctx/app/node_modules"
  (cd "$ctx/app" && npm prune --omit=dev --no-audit --no-fund --loglevel=error --offline >/dev/null 2>&1) || log "npm prune failed; keeping dev dependencies in the image"
  for img in $POD_IMAGES; do
    if docker image inspect "$img" >/dev/null 2>&1; then
      docker save "$img" -o "$ctx/images/$(echo "$img" | sed 's#kubesim/##; s#:.*##').tar"
    else
      log "warning: $img is missing; node containers will not have it"
    fi
  done
  log "building $tag (kubesim.hash=$hash${current:+, was $current})"
  local out
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "$tag" --label "kubesim.hash=$hash" ${BASE:+--build-arg "BASE=$BASE"} "$ctx" 2>&1); then
    echo "$out" >&2
    return 1
  fi
  log "built $tag ($(docker image inspect -f '{{.Id}}' "$tag" | cut -c8-19))"
}

build_base
build_kubesim
