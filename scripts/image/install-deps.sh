#!/usr/bin/env bash
# What `make image` / `make test-image` need beyond scripts/install-deps.sh: Debian's podman
# and buildah (no Docker engine here), runc as podman's runtime (crun refuses these
# machines' hybrid cgroups), debootstrap for the base image, catatonit for podman's pods
# (their pause container). Not part of `make test`.
# Idempotent: installs only what is missing.
set -euo pipefail
packages=(podman buildah runc debootstrap uidmap slirp4netns catatonit)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "image deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# podman's default ulimits exceed what root may set on these machines, and crun fails on
# their hybrid cgroups: without this file every `podman run` fails. Written only if absent,
# so an administrator's own configuration wins.
conf=/etc/containers/containers.conf
if [ ! -e "$conf" ]; then
  $SUDO tee "$conf" >/dev/null <<'TOML'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
TOML
  echo "image deps: wrote $conf (runc, lower ulimits)"
fi
