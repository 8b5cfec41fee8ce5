# The two commands of the README: `make run` and `make test`. Both install what is
# missing (Debian packages, npm modules) first, so they work on a fresh Debian 12.
PRESET ?= release
BUILD_DIR := build
JOBS ?= $(shell nproc)
PORT ?= 8080

.PHONY: deps build run test unit-test integration-test bench bench-distributed clean format tidy image test-image \
	test-sanitize coverage

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
