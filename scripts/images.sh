#!/usr/bin/env bash
# Builds the images kubesim's node agents run, offline: each deploy/images/<name>/ holds
# a Dockerfile (FROM scratch by default) and its files; the build context is a temp dir
# with those files and Debian's static busybox. Incremental: an image whose label
# kubesim.hash matches the hash of its Dockerfile, files and busybox is not rebuilt.
#
#   scripts/images.sh                 # build every image that is missing or stale
#   scripts/images.sh pause hostname  # only these
#   FORCE=1 scripts/images.sh         # rebuild all
#   BASE=busybox:1.36 scripts/images.sh   # online: a public base image instead of scratch
set -euo pipefail
cd "$(dirname "$0")/.."

BUSYBOX=${BUSYBOX:-/bin/busybox}
IMAGES_DIR=deploy/images

log() { echo "images: $*"; }

if ! command -v docker >/dev/null 2>&1; then
  echo "images: the docker CLI is missing (apt-get install -y docker.io)" >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "images: the Docker engine does not answer (is dockerd running?)" >&2
  exit 1
fi

# A static busybox is what lets every image start FROM scratch.
is_static() {
  [ -x "$1" ] || return 1
  local out
  out=$(LC_ALL=C ldd "$1" 2>&1 || true)
  [[ "$out" == *"not a dynamic executable"* ]]
}
if ! is_static "$BUSYBOX"; then
  log "installing busybox-static (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq busybox-static >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq busybox-static >/dev/null; }
  BUSYBOX=/bin/busybox
fi

# The hash of everything that goes into an image: its files (names and contents), the
# busybox binary and the base image name.
image_hash() {
  local dir=$1
  {
    (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    sha256sum <"$BUSYBOX"
    if [ -f "$dir/binaries" ]; then
      while read -r b; do [ -n "$b" ] && sha256sum <"$b"; done <"$dir/binaries"
    fi
    echo "base=${BASE:-scratch}"
  } | sha256sum | cut -c1-16
}

build() {
  local name=$1 dir="$IMAGES_DIR/$1" tag="kubesim/$1:latest"
  if [ ! -f "$dir/Dockerfile" ]; then
    echo "images: no $dir/Dockerfile" >&2
    return 1
  fi
  # An image made of this machine's binaries (file `binaries`): skipped when one is
  # missing, since such an image only serves as a fallback.
  if [ -f "$dir/binaries" ]; then
    local b
    while read -r b; do
      [ -z "$b" ] && continue
      if [ ! -x "$b" ]; then
        log "skipping $tag: $b is not on this machine"
        return 0
      fi
    done <"$dir/binaries"
  fi
  local hash current
  hash=$(image_hash "$dir")
  current=$(docker image inspect -f '{{index .Config.Labels "kubesim.hash"}}' "$tag" 2>/dev/null || true)
  if [ "${FORCE:-}" != "1" ] && [ "$current" = "$hash" ]; then
    log "$tag is up to date (kubesim.hash=$hash)"
    return 0
  fi
  local ctx
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' RETURN
  cp -a "$dir/." "$ctx/"
  cp "$BUSYBOX" "$ctx/busybox"
  if [ -f "$dir/binaries" ]; then
    # Each binary with the shared libraries ldd resolves for it, at the same paths.
    local bin
    while read -r bin; do
      [ -z "$bin" ] && continue
      for f in "$bin" $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do
        mkdir -p "$ctx/rootfs$(dirname "$f")"
        cp -L "$f" "$ctx/rootfs$f"
      done
    done <"$dir/binaries"
  fi
  log "building $tag (kubesim.hash=$hash${current:+, was $current})"
  local args=(build -q -t "$tag" --label "kubesim.hash=$hash")
  [ -n "${BASE:-}" ] && args+=(--build-arg "BASE=$BASE")
  # The legacy builder (no buildx here) warns that it is deprecated on every build.
  local out
  if ! out=$(DOCKER_BUILDKIT=0 docker "${args[@]}" "$ctx" 2>&1); then
    echo "$out" >&2
    return 1
  fi
  log "built $tag ($(docker image inspect -f '{{.Id}}' "$tag" | cut -c8-19))"
}

if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  # Folders with a BUILT_BY file are built by another script (scripts/images-node.sh).
  for d in "$IMAGES_DIR"/*/; do [ -f "$d/BUILT_BY" ] || names+=("$(basename "$d")"); done
fi
for n in "${names[@]}"; do build "$n"; done
