#!/usr/bin/env bash
# Installs everything tenet needs to build, test and benchmark (Debian/Ubuntu).
# Idempotent: when every package is already installed it does nothing, so the
# test and demo scripts can call it on every run.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang pkg-config
  libomp-dev            # OpenMP runtime for clang (g++ brings libgomp itself)
  libeigen3-dev         # GEMM engine + Eigen interop
  libxtensor-dev xtl-dev libxtensor-blas-dev libopenblas-dev  # xtensor interop/peers
  libboost-dev          # Boost.Hana
  doctest-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  # dpkg -s succeeds for removed-but-not-purged packages too; check the status.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
