#!/usr/bin/env python3
"""Median table of bench/run_dtn.sh: Google Benchmark JSON files of bench_dtn and JSON-lines
files of bench_dtn_torch.py, one of each per repetition.

  dtn_table.py RESULT...   (files ending in .json: bench_dtn; .jsonl: bench_dtn_torch.py)

Rows: form, n, threads; cells: median tokens/s over the repetitions, the bytes counters, and
the two bars of issue 7: stream time per token at the largest n over that at the smallest
(<= 1.2), and tensor attention tokens/s over exact softmax at n = 16k, per thread count
(>= 10). Checking only: no part of the library.
"""
import json
import statistics
import sys
from collections import OrderedDict

FORMS = ["tensor", "chunked", "stream", "softmax", "linear", "torch_softmax", "torch_linear"]


def load(paths):
    rows = OrderedDict()  # (form, n, threads) -> {"tps": [...], "working": x, "state": x, "skipped": msg}
    for p in paths:
        with open(p) as f:
            if p.endswith(".jsonl"):
                recs = [json.loads(line) for line in f if line.strip()]
            else:
                recs = []
                for b in json.load(f)["benchmarks"]:
                    if b.get("run_type", "iteration") != "iteration":
                        continue
                    parts = b["run_name"].split("/")
                    rec = {"form": parts[0], "n": int(parts[1].split(":")[1]),
                           "threads": int(parts[2].split(":")[1])}
                    if b.get("error_occurred"):
                        rec["skipped"] = b.get("error_message", "skipped")
                    else:
                        rec["tokens_per_s"] = b["items_per_second"]
                        rec["working_bytes"] = b.get("working_bytes")
                        rec["state_bytes"] = b.get("state_bytes")
                    recs.append(rec)
        for r in recs:
            e = rows.setdefault((r["form"], r["n"], r["threads"]), {"tps": []})
            if "skipped" in r:
                e["skipped"] = r["skipped"]
                continue
            e["tps"].append(r["tokens_per_s"])
            for key, name in (("working_bytes", "working"), ("state_bytes", "state")):
                if r.get(key) is not None:
                    e[name] = r[key]
    return rows


def mib(x):
    return "" if x is None else f"{x / 2**20:.2f}"


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = load(sys.argv[1:])
    med = {k: statistics.median(v["tps"]) for k, v in rows.items() if v["tps"]}
    keys = sorted(rows, key=lambda k: (FORMS.index(k[0]) if k[0] in FORMS else 99, k[2], k[1]))
    print("| form | n | threads | tokens/s (median) | reps | state MiB | working MiB |")
    print("|---|---|---|---|---|---|---|")
    for k in keys:
        e = rows[k]
        if k in med:
            cell = f"{med[k]:,.0f}"
        else:
            cell = "skipped"
        print(f"| {k[0]} | {k[1]} | {k[2]} | {cell} | {len(e['tps'])} | {mib(e.get('state'))} | "
              f"{mib(e.get('working'))} |")
    skipped = sorted({v["skipped"] for v in rows.values() if "skipped" in v})
    for s in skipped:
        print(f"\n{s}" if s.startswith("skipped") else f"\nskipped: {s}")
    print()
    ns = sorted({k[1] for k in med if k[0] == "stream"})
    if len(ns) >= 2:
        lo, hi = ns[0], ns[-1]
        r = med[("stream", lo, 1)] / med[("stream", hi, 1)]
        sb = {rows[("stream", n, 1)].get("state") for n in ns}
        print(f"bar 1: stream time per token at n = {hi} / at n = {lo}: {r:.3f} (bar <= 1.2: "
              f"{'pass' if r <= 1.2 else 'FAIL'}); state bytes over n: {sorted(sb)}")
    for t in sorted({k[2] for k in med}):
        a, b = med.get(("tensor", 16384, t)), med.get(("softmax", 16384, t))
        if a and b:
            print(f"bar 2: tensor / softmax tokens/s at n = 16384, {t} thread(s): {a / b:.1f}x (bar >= 10: "
                  f"{'pass' if a / b >= 10 else 'FAIL'})")
        c = med.get(("torch_softmax", 16384, t))
        if a and c:
            print(f"       tensor / torch softmax at n = 16384, {t} thread(s): {a / c:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
