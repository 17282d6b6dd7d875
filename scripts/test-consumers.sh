#!/usr/bin/env bash
# Builds and runs tests/consumers/ against tenet three ways: add_subdirectory,
# find_package after `cmake --install`, and FetchContent. Fails if any one fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tenet-consumers.XXXXXX")"
trap 'rm -rf "$work"' EXIT
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)

consume() {  # <mode> [extra cmake args...]
  local mode="$1"; shift
  echo "=== consumer: $mode"
  cmake -S "$root/tests/consumers" -B "$work/$mode" "${gen[@]}" \
        -DTENET_CONSUME="$mode" -DTENET_SOURCE_DIR="$root" "$@" >"$work/$mode.log" 2>&1 \
    && cmake --build "$work/$mode" >>"$work/$mode.log" 2>&1 \
    && "$work/$mode/consumer" \
    || { cat "$work/$mode.log"; echo "FAILED: consumer via $mode" >&2; return 1; }
  echo "ok: consumer via $mode"
}

# Install tenet into a throw-away prefix for the find_package consumer.
echo "=== installing tenet into $work/prefix"
cmake -S "$root" -B "$work/tenet-build" "${gen[@]}" -DTENET_BUILD_TESTS=OFF \
      -DTENET_BUILD_BENCH=OFF -DTENET_BUILD_EXAMPLES=OFF -DTENET_CUDA=OFF >"$work/install.log" 2>&1 \
  && cmake --install "$work/tenet-build" --prefix "$work/prefix" >>"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; echo "FAILED: installing tenet" >&2; exit 1; }

status=0
consume subdirectory -DTENET_CUDA=OFF || status=1
consume package -DCMAKE_PREFIX_PATH="$work/prefix" || status=1
consume fetchcontent -DTENET_CUDA=OFF || status=1

if [ "$status" -ne 0 ]; then echo "test-consumers: FAILED" >&2; exit 1; fi
echo "test-consumers: all 3 consumers built and ran"
