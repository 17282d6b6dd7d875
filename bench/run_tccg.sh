#!/usr/bin/env bash
# Runs bench_tccg with repetitions (interleaved, so a noisy neighbour hits every peer alike)
# and prints two tables of medians: GFLOP/s, then the percentage of the sgemm peak measured
# in the same run, each with tenet's ratio to every peer.
#   bash bench/run_tccg.sh [repetitions=9] [build dir: built by bench/build.sh]
# Nine by default: on a shared machine the noise comes in bursts of minutes, which took 3 of 5
# repetitions of whole groups of cells (every library alike) in two runs out of four.
# Extra arguments for the benchmark (e.g. --benchmark_filter=f32) go in TENET_BENCH_ARGS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-9}"; build="${2:-$(bash "$root/bench/build.sh" bench_tccg)}"
out="$(mktemp "${TMPDIR:-/tmp}/bench_tccg.XXXXXX.json")"
# shellcheck disable=SC2086  # TENET_BENCH_ARGS is a word list
"$build/bench/bench_tccg" --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
  --benchmark_min_time=0.2 --benchmark_out="$out" --benchmark_out_format=json ${TENET_BENCH_ARGS:-} >/dev/null
echo "OpenBLAS core: ${OPENBLAS_CORETYPE:-auto}; $(nproc) cores; raw results: $out"
python3 - "$out" <<'PY'
import json, sys
ctx = json.load(open(sys.argv[1]))["context"]
print("sgemm peak: " + ", ".join(f"{k[-2:]} {float(v):.1f} GFLOP/s" for k, v in sorted(ctx.items())
                                 if k.startswith("sgemm_peak")))
PY
echo; echo "GFLOP/s:"
python3 "$root/bench/median_table.py" "$out"
# median_table.py prints one decimal: the fraction as a percentage, in a copy of the results.
pct="${out%.json}.pct.json"
python3 - "$out" "$pct" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["benchmarks"]:
    if "peak_frac" in r:
        r["peak_%"] = 100 * r["peak_frac"]
json.dump(d, open(sys.argv[2], "w"))
PY
echo; echo "percent of the sgemm peak (same thread count):"
python3 "$root/bench/median_table.py" "$pct" "peak_%"
