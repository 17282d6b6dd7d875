#!/usr/bin/env bash
# Runs bench_einsum with repetitions (interleaved, so a noisy neighbour hits every peer
# alike) and prints the table of medians with tenet's ratio to each peer.
#   bash bench/run_einsum.sh [repetitions=5] [build dir: built by bench/build.sh]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-5}"; build="${2:-$(bash "$root/bench/build.sh" bench_einsum)}"
out="$(mktemp "${TMPDIR:-/tmp}/bench_einsum.XXXXXX.json")"
"$build/bench/bench_einsum" --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
  --benchmark_min_time=0.3 --benchmark_out="$out" --benchmark_out_format=json >/dev/null
echo "OpenBLAS core: ${OPENBLAS_CORETYPE:-auto}; $(nproc) cores; raw results: $out"
python3 "$root/bench/median_table.py" "$out"
