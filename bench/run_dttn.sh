#!/usr/bin/env bash
# Issue 6's benchmark: DTTN-T (and DTTN-dagger-T) inference at 224 x 224, batch 1 and 8,
# tenet (bench_dttn: seq = 1 thread, par = the OpenMP thread count) and PyTorch
# (bench_dttn_torch.py on the same weights: tenet exports them first and torch checks its
# logits against tenet's), in one run with interleaved repetitions (tenet first on odd ones,
# torch first on even ones), then the table of median images/s and tenet / torch at equal
# threads.
#   bash bench/run_dttn.sh [repetitions=3] [build dir: built by bench/build.sh]
# The torch side needs Debian's python3-torch (PyTorch 1.13, CPU), run by /usr/bin/python3;
# it is not a dependency of tenet. Without it only bench_dttn runs.
# Both sides run under the caller's OpenMP settings (by default libgomp spins briefly before a
# waiting thread sleeps). OMP_WAIT_POLICY=passive, which this script used to set for tenet,
# made tenet's batch-1 forward on 2 threads 25% slower on a quiet machine (15 vs 20 images/s:
# a forward opens hundreds of short parallel regions); set it only on a machine shared with
# other work (bench_conv.cpp says why).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-3}"
if [[ $# -ge 2 ]]; then
  build="$2"
  cmake --build "$build" --target bench_dttn >/dev/null
else
  build="$(bash "$root/bench/build.sh" bench_dttn)"
fi
out="$(mktemp -d "${TMPDIR:-/tmp}/bench_dttn.XXXXXX")"
threads="${OMP_NUM_THREADS:-$(nproc)}"
torch=1
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  torch=0
  echo "python3-torch is not installed (apt-get install python3-torch): tenet only" >&2
fi
TENET_DTTN_WEIGHTS="$out/w" "$build/bench/bench_dttn" --benchmark_filter=none >/dev/null
run_tenet() {
  OMP_NUM_THREADS="$threads" "$build/bench/bench_dttn" --benchmark_min_time=2 \
    --benchmark_out="$out/tenet_$1.json" --benchmark_out_format=json >/dev/null
}
run_torch() {
  if [[ $torch == 1 ]]; then
    /usr/bin/python3 "$root/bench/bench_dttn_torch.py" --weights "$out/w" --threads "1,$threads" \
      >"$out/torch_$1.jsonl"
  fi
}
for ((r = 1; r <= reps; ++r)); do
  echo "repetition $r of $reps" >&2
  if ((r % 2)); then run_tenet "$r"; run_torch "$r"; else run_torch "$r"; run_tenet "$r"; fi
done
echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); raw results: $out"
python3 - "$threads" "$out" <<'PY'
import glob, json, os, statistics, sys
threads, out = int(sys.argv[1]), sys.argv[2]
ips = {}  # (variant, batch, threads, who) -> [images/s]
for p in sorted(glob.glob(os.path.join(out, "tenet_*.json"))):
    for b in json.load(open(p))["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue
        variant, mode, batch = b["name"].split("/")[:3]  # e.g. DTTN-T/seq/8/real_time
        t = 1 if mode == "seq" else threads
        ips.setdefault((variant, int(batch), t, "tenet"), []).append(b["items_per_second"])
for p in sorted(glob.glob(os.path.join(out, "torch_*.jsonl"))):
    for line in open(p):
        r = json.loads(line)
        if "check" in r:
            print(f"{r['variant']}: {r['check']}: max relative error {r['max_rel']:.2e}")
            continue
        ips.setdefault((r["variant"], r["batch"], r["threads"], "torch"), []).append(r["images_per_s"])
print("\n| variant | batch | threads | tenet images/s | torch images/s | tenet / torch |")
print("|---|---|---|---|---|---|")
for key in sorted({k[:3] for k in ips}):
    t = statistics.median(ips[key + ("tenet",)]) if key + ("tenet",) in ips else None
    q = statistics.median(ips[key + ("torch",)]) if key + ("torch",) in ips else None
    ratio = f"{t / q:.2f}x" if t and q else "-"
    print(f"| {key[0]} | {key[1]} | {key[2]} | {t or 0:.2f} | {q or 0:.2f} | {ratio} |")
PY
