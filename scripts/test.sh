#!/usr/bin/env bash
# THE test command: bash scripts/test.sh [--sanitize] [--all-compilers]
#
#   (always)          build/        g++, Release, tests + examples, ctest,
#                                   then the three consumer projects
#   --sanitize        build-asan/   g++, Debug (-O0), ASan+UBSan, tests only, ctest
#                                   (compile-fail tests excluded: build/ runs them)
#   --all-compilers   build-clang/  clang++, -O0, tests + examples + benchmarks (compiled,
#                                   not run: bench/run_*.sh build and time them), -Werror, ctest
#
# The same switches as environment variables: TENET_TEST_SANITIZE=1,
# TENET_TEST_ALL_COMPILERS=1. CXX picks the compiler of build/ (default g++).
set -euo pipefail

sanitize="${TENET_TEST_SANITIZE:-0}"
all_compilers="${TENET_TEST_ALL_COMPILERS:-0}"
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    --all-compilers) all_compilers=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-deps.sh
jobs="$(nproc)"

# configure_build_test <dir> <ctest args> <cmake args...>
configure_build_test() {
  local dir="$1" ctest_args="$2"; shift 2
  local gen=()
  # Pick the generator only for a fresh dir: CMake refuses to switch it later.
  if [ ! -f "$dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
  echo "=== $dir: configure"
  cmake -S . -B "$dir" "${gen[@]}" "$@"
  echo "=== $dir: build"
  cmake --build "$dir" --parallel "$jobs"
  echo "=== $dir: ctest"
  # shellcheck disable=SC2086  # ctest_args is a word list
  ctest --test-dir "$dir" --output-on-failure --parallel "$jobs" $ctest_args
}

configure_build_test build "" -DCMAKE_CXX_COMPILER="${CXX:-g++}" -DCMAKE_BUILD_TYPE=Release \
  -DTENET_BUILD_TESTS=ON -DTENET_BUILD_BENCH=OFF -DTENET_BUILD_EXAMPLES=ON

if [ "$sanitize" = 1 ]; then
  # -O0: compiling the tests under ASan at -O1 takes four times as long (the CI budget),
  # while the tests themselves still run in seconds. Leak checks stay on (ASan's default).
  UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
  configure_build_test build-asan "-LE compile_fail" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-g -O0" -DTENET_SANITIZE=ON \
    -DTENET_BUILD_TESTS=ON -DTENET_BUILD_BENCH=OFF -DTENET_BUILD_EXAMPLES=OFF
fi

if [ "$all_compilers" = 1 ]; then
  # -O0: this build is for clang's warnings and diagnostics (which do not depend on the
  # optimizer) and a second compiler's results. The benchmarks are compiled here, at -O0
  # too, so that they keep compiling without CI paying for -O3 (timed builds: bench/).
  configure_build_test build-clang "" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O0" -DTENET_BENCH_COMPILE_ONLY=ON \
    -DTENET_WERROR=ON -DTENET_BUILD_TESTS=ON -DTENET_BUILD_BENCH=ON -DTENET_BUILD_EXAMPLES=ON \
    -DTENET_BLAS=ON  # engine::blas compiles and its tests run (OpenBLAS: scripts/install-deps.sh)
fi

echo "=== consumers"
bash scripts/test-consumers.sh
echo "test.sh: all passed"
