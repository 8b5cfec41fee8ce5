#!/usr/bin/env bash
# `make image`: builds every image with podman, tagged with the commit SHA, with the OCI
# labels revision (the commit), source (the repository) and version:
#   localhost/todo:<sha>      Dockerfile            (every role, the migrations, the UI at /)
#   localhost/todo-ui:<sha>   frontend/Dockerfile   (the UI behind nginx, /api/ proxied)
# A tree with uncommitted changes gets <sha>-dirty, so a tag never claims a commit it is not.
# Prints the image names, one a line, last. IMAGE_TAG overrides the tag.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/image/install-deps.sh
bash scripts/image/base.sh
sha=$(git rev-parse HEAD)
tag=${IMAGE_TAG:-$sha$(git diff --quiet HEAD -- . 2>/dev/null || echo -dirty)}
source_url=${VCS_URL:-$(git config --get remote.origin.url 2>/dev/null || echo https://github.com/todo-platform/todo-platform)}
version=$(git describe --tags --always --dirty 2>/dev/null || echo "$sha")
# The labels also as --label: buildah (1.28) reuses a cached LABEL layer when only a
# build argument changed, which would stamp an image with an older commit.
args=(--pull=never --layers --build-arg "VCS_REF=$sha" --build-arg "VCS_URL=$source_url" --build-arg "VERSION=$version"
  --label "org.opencontainers.image.revision=$sha" --label "org.opencontainers.image.source=$source_url"
  --label "org.opencontainers.image.version=$version")
echo "image: building localhost/todo:$tag (the C++ build takes about 10 minutes on 2 cores)"
podman build "${args[@]}" -f Dockerfile -t "localhost/todo:$tag" .
echo "image: building localhost/todo-ui:$tag"
podman build "${args[@]}" -f frontend/Dockerfile -t "localhost/todo-ui:$tag" frontend
echo "localhost/todo:$tag"
echo "localhost/todo-ui:$tag"
