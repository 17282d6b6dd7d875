#!/usr/bin/env bash
# THE demo command: installs the dependencies, builds examples/demo.cpp and runs it.
# Shares build/ (and its settings) with scripts/test.sh, so neither rebuilds the other.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-deps.sh >&2

gen=()
if [ ! -f build/CMakeCache.txt ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
cmake -S . -B build "${gen[@]}" -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
  -DCMAKE_BUILD_TYPE=Release -DTENET_BUILD_TESTS=ON -DTENET_BUILD_BENCH=OFF \
  -DTENET_BUILD_EXAMPLES=ON >&2
cmake --build build --parallel "$(nproc)" --target example_demo >&2
exec ./build/examples/example_demo "$@"
