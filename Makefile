# The two commands of the README: `make run` and `make test`. Both install what is
# missing (Debian packages, npm modules) first, so they work on a fresh Debian 12.
PRESET ?= release
BUILD_DIR := build
JOBS ?= $(shell nproc)
PORT ?= 8080

.PHONY: deps build run test unit-test integration-test bench bench-distributed bench-audit-retention clean format tidy image test-image \
	bench-users bench-soak bench-side-by-side bench-perf fuzz test-sanitize coverage

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)
	@UI_OUT_DIR=$(BUILD_DIR)/ui bash scripts/build-ui.sh

run: build
	./$(BUILD_DIR)/todo serve --listen 127.0.0.1:$(PORT) --data-dir ./data

test: build
	@bash scripts/test.sh

bench: build
	@bash bench/run.sh

# Issue 4: the distributed pipeline (api + audit roles, sidecar doubles, PostgreSQL).
bench-distributed: build
	@bash bench/distributed.sh

# Issue 16 item 7: retiring a day of audit_log on PostgreSQL, partition DROP vs batched
# DELETE, on 10 million rows (ROWS=... for fewer); no build needed (SQL and pgbench).
bench-audit-retention:
	@bash bench/audit_retention.sh $(ROWS)

# Issue 16: 1 000 users per target (bench/users.sh), the soak (SOAK_MINUTES, 30), our binary
# beside the seed's FastAPI stack (bench/side_by_side.sh), perf of the create path. Long runs:
# not part of `make test` (its self-check is: tests/integration/load_generator.test.mjs).
bench-users: build
	@bash bench/baseline/install-deps.sh
	@bash bench/users.sh

bench-soak: build
	@bash bench/soak.sh $(or $(SOAK_MINUTES),30)

bench-side-by-side: build
	@bash bench/baseline/install-deps.sh
	@bash bench/side_by_side.sh

bench-perf: build
	@bash bench/baseline/install-deps.sh
	@bash bench/perf_create.sh

# Issue 16: each libFuzzer target of fuzz/ for FUZZ_SECONDS (fuzz/README.md); a short run over
# the seed corpora is part of `make test`.
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh run

# clang-tidy over src/ (.clang-tidy); compile commands from a configuration without the
# precompiled header, which clang cannot read, and without unity batches (file by file).
tidy: deps
	@cmake -S . -B build-tidy -G Ninja -DTODO_PRECOMPILED_HEADERS=OFF -DTODO_UNITY_BUILD=OFF -DBUILD_TESTING=OFF >/dev/null
	@run-clang-tidy -p build-tidy -quiet -j $(JOBS) '$(CURDIR)/src/.*\.cpp$$'

# Issue 13: the images, built with podman from a debootstrap base (scripts/image/), tagged
# with the commit SHA; test-image runs each read-only, non-root, capabilities dropped.
# Not part of `make test` (the image build compiles for about 10 minutes).
image:
	@bash scripts/image/build.sh

test-image: image
	@bash scripts/image/test.sh

# Issue 16: ASan+UBSan over the C++ suites and the HTTP integration suite, TSan over the
# storage, relay and consumer tests (build-asan/, build-tsan/; SANITIZERS="asan" for one);
# and line/branch coverage of src/ over the whole suite plus Vitest coverage of frontend/
# (build-coverage/). Slow, so not part of `make test`.
SANITIZERS ?= asan tsan
test-sanitize: deps
	@bash scripts/test-sanitize.sh $(SANITIZERS)

coverage: deps
	@bash scripts/coverage.sh

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR)
