#!/usr/bin/env bash
# Issue 7's benchmark: bench_dtn (tenet's tensor attention forms, softmax and linear
# attention) and bench_dtn_torch.py (the same softmax and linear attention in PyTorch), in
# one run with interleaved repetitions (tenet first on odd ones, torch first on even ones,
# so a noisy neighbour hits both alike), then the table of medians and the two bars.
#   bash bench/run_dtn.sh [repetitions=3] [build dir: built by bench/build.sh]
# Without a build dir, bench/build.sh builds bench_dtn optimized in build-bench/ (or reuses
# it); a given build dir must be configured with the benchmarks on (bench_dtn is rebuilt
# there, a no-op when up to date). The torch reference needs Debian's
# python3-torch (PyTorch 1.13, CPU): apt-get install python3-torch; it is run by
# /usr/bin/python3 and is not a dependency of tenet. Without it only bench_dtn runs.
# One repetition took ~7.5 minutes on the shared 2-core machine under load ~5 (mostly the
# single iterations of softmax at n = 16k, tenet and torch, 1 and 2 threads).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-3}"
if [[ $# -ge 2 ]]; then
  build="$2"
  cmake --build "$build" --target bench_dtn >/dev/null
else
  build="$(bash "$root/bench/build.sh" bench_dtn)"
fi
out="$(mktemp -d "${TMPDIR:-/tmp}/bench_dtn.XXXXXX")"
torch=1
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  torch=0
  echo "python3-torch is not installed (apt-get install python3-torch): tenet only" >&2
fi
run_tenet() {
  "$build/bench/bench_dtn" --benchmark_min_time=0.3 --benchmark_enable_random_interleaving=true \
    --benchmark_out="$out/tenet_$1.json" --benchmark_out_format=json >/dev/null
}
run_torch() {
  if [[ $torch == 1 ]]; then /usr/bin/python3 "$root/bench/bench_dtn_torch.py" --min-time 0.3 >"$out/torch_$1.jsonl"; fi
}
for ((r = 1; r <= reps; ++r)); do
  echo "repetition $r of $reps" >&2
  if ((r % 2)); then run_tenet "$r"; run_torch "$r"; else run_torch "$r"; run_tenet "$r"; fi
done
echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); raw results: $out"
files=("$out"/*.json)
if [[ $torch == 1 ]]; then files+=("$out"/*.jsonl); fi
python3 "$root/bench/dtn_table.py" "${files[@]}"
