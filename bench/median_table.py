#!/usr/bin/env python3
"""Prints the medians of a Google Benchmark JSON file (--benchmark_out) as a table.

  median_table.py RUN.json [COUNTER]

Benchmark names are `<case>/<peer>/<rest>`; rows are (case, rest), columns the peers in
the order first seen, cells the median of COUNTER (default GFLOP/s) over the repetitions.
Ratios are tenet's median over each peer's. Checking only: no part of the library.
"""
import json
import statistics
import sys
from collections import OrderedDict


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    counter = sys.argv[2] if len(sys.argv) == 3 else "GFLOP/s"
    with open(sys.argv[1]) as f:
        runs = json.load(f)["benchmarks"]
    values: "OrderedDict[tuple, OrderedDict[str, list]]" = OrderedDict()
    peers: list = []
    for r in runs:
        if r.get("run_type") != "iteration" or counter not in r:
            continue
        parts = r["run_name"].split("/")
        if len(parts) < 3:
            continue
        case, peer, rest = parts[0], parts[1], "/".join(p for p in parts[2:] if "time" not in p)
        if peer not in peers:
            peers.append(peer)
        values.setdefault((case, rest), OrderedDict()).setdefault(peer, []).append(r[counter])
    # tenet first (the ratios are tenet's), then the peers as first seen; rows by run, then case.
    peers.sort(key=lambda p: p != "tenet")
    values = OrderedDict(sorted(values.items(), key=lambda kv: (kv[0][1], list(values).index(kv[0]))))
    head = ["case", "run"] + peers + [f"{peers[0]}/{p}" for p in peers[1:]]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for (case, rest), cells in values.items():
        med = {p: statistics.median(v) for p, v in cells.items()}
        row = [case, rest] + [f"{med[p]:.1f}" if p in med else "" for p in peers]
        base = med.get(peers[0])
        row += [f"{base / med[p]:.2f}x" if base and p in med and med[p] else "" for p in peers[1:]]
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
