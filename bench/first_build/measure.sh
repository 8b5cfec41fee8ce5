#!/usr/bin/env bash
# The first-build ratio of issue 15: a cold build of the binary alone (RelWithDebInfo as the
# release preset, no ccache, ninja -j2, tests off) divided by the compile of reference.cpp,
# measured reference, build, reference in one sitting; run it on a quiet machine.
#   bench/first_build/measure.sh [SOURCE_TREE] [extra cmake args...]
# Prints the three timings and the ratio (build / mean of the two reference compiles).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "${1:-$here/../..}" && pwd)"
shift || true
work="$(mktemp -d /tmp/todo-first-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
reference() { seconds g++ -std=c++20 -O2 -g -c "$here/reference.cpp" -o "$work/reference.o"; }
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DBUILD_TESTING=OFF \
  -DCMAKE_CXX_COMPILER_LAUNCHER= "$@" >/dev/null
r1=$(reference)
build=$(seconds ninja -C "$work/build" -j2 todo)
r2=$(reference)
echo "reference: $r1 s, $r2 s; build of todo ($src): $build s"
echo "ratio: $(echo "scale=2; $build * 2 / ($r1 + $r2)" | bc)"
