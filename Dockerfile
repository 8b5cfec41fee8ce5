# The backend in a container: one image for every role (`serve --role=all|api|audit|...`),
# with the web UI built in (served at /). `make image` builds it here with podman
# (scripts/image/build.sh), `make test-image` runs it read-only as uid 10001 with every
# capability dropped; tests/deploy/dockerfiles.test.mjs checks it statically in `make test`.
#
#   docker build -t todo .
#   docker run -p 8080:8080 -v todo-data:/data todo          # single binary, SQLite in /data
#   docker run -e DATABASE_URL=postgres://… -e TODO_JWT_SECRET=… -e TODO_BUS=dapr \
#     todo serve --role=api --listen 0.0.0.0:8080             # one role (see charts/todo-platform)

# --- the web UI (Next.js static export: npm ci and next build by the script `make build` runs) ---
FROM node:20-bookworm-slim AS ui
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY frontend frontend
COPY scripts/build-ui.sh scripts/
RUN UI_OUT_DIR=/out/ui bash scripts/build-ui.sh

# --- the binary (Debian 12's compiler and libraries, as on our machines) ---
FROM debian:12 AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      g++ cmake ninja-build pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-context1.81-dev \
      libsqlite3-dev libpq-dev libsodium-dev libssl-dev libical-dev libspdlog-dev libcli11-dev \
      libcurl4-openssl-dev libicu-dev libjemalloc-dev \
      libpwquality-dev libzxcvbn-dev \
      zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY migrations migrations
COPY openapi openapi
COPY src src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
 && cmake --build /build --target todo \
 && strip /build/todo

# --- what runs: the binary, its shared libraries, the UI; no compiler, no shell tools ---
# (cracklib-runtime: the common-password dictionary libpwquality reads, built when installed)
FROM debian:12-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libboost-json1.81.0 libboost-url1.81.0 libfmt9 libical3 libpq5 libsodium23 \
      libspdlog1.10 libsqlite3-0 libssl3 libcurl4 zlib1g libicu72 libjemalloc2 ca-certificates tzdata \
      libpwquality1 libzxcvbn0 cracklib-runtime \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home todo \
 && mkdir -p /data && chown todo:todo /data
COPY --from=build /build/todo /app/todo
COPY --from=ui /out/ui /app/ui
# OCI labels (revision = the commit, source = the repository, version); the build passes them.
# Last, so a new commit rebuilds no layer for them.
ARG VCS_REF=unknown
ARG VCS_URL=https://github.com/todo-platform/todo-platform
ARG VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="todo" \
      org.opencontainers.image.description="Todo Platform backend: every role of build/todo, with the web UI" \
      org.opencontainers.image.revision="${VCS_REF}" \
      org.opencontainers.image.source="${VCS_URL}" \
      org.opencontainers.image.version="${VERSION}"
# SQLite file and generated JWT key of the single-binary shape; the roles keep nothing here.
VOLUME /data
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/app/todo"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--data-dir", "/data"]
