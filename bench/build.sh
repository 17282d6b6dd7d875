#!/usr/bin/env bash
# Builds benchmark executables, optimized, in build-bench/ (the test build does not build
# them; CI only checks that they compile):
#   bash bench/build.sh bench_einsum [bench_ops ...]   (no target: all of them)
# Prints nothing on stdout but the build dir, so scripts can write dir="$(bash bench/build.sh x)".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${TENET_BENCH_BUILD:-$root/build-bench}"
gen=()
if [ ! -f "$dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
{
  cmake -S "$root" -B "$dir" "${gen[@]}" -DCMAKE_CXX_COMPILER="${CXX:-g++}" -DCMAKE_BUILD_TYPE=Release \
    -DTENET_BUILD_TESTS=OFF -DTENET_BUILD_EXAMPLES=OFF -DTENET_BUILD_BENCH=ON -DTENET_BENCH_COMPILE_ONLY=OFF
  targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
} >&2
echo "$dir"
