#!/usr/bin/python3
"""PyTorch (1.13, CPU) reference for bench_dttn: DTTN-T (scripts/dttn_torch.py's model, the same
architecture and weight names as tenet) inference, float32, 224 x 224, batch 1 and 8, on 1 and
2 threads (torch.set_num_threads; bench_dttn's seq is 1 thread, par the OpenMP count).

  TENET_DTTN_WEIGHTS=/tmp/w bench_dttn --benchmark_filter=none   # tenet writes its weights
  /usr/bin/python3 bench/bench_dttn_torch.py [--weights /tmp/w] [--threads 1,2] [--min-time 2]

With --weights, loads dir/dttn_t.safetensors (tenet's seeded Kaiming weights) and checks its
logits for dir/dttn_t_io.safetensors' input against tenet's (printed as max relative error);
without, PyTorch's own initialization; alpha = 0.01 in every block either way (bench_dttn.cpp
says why: with alpha = 1 the activations overflow to inf/NaN).
Needs Debian's python3-torch, run by /usr/bin/python3; not a dependency of tenet.
Prints one JSON object per line: {"variant", "batch", "threads", "images_per_s", "seconds",
"iterations"}.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from dttn_torch import DTTN, PRESETS  # noqa: E402

NP = {"F32": np.float32, "F64": np.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        a = np.frombuffer(raw[8 + n + b:8 + n + end], dtype=NP[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


def time_forward(model, x, min_time):
    with torch.inference_mode():
        model(x)  # warm-up
        it, t0 = 0, time.perf_counter()
        while True:
            model(x)
            it += 1
            dt = time.perf_counter() - t0
            if dt >= min_time and it >= 2:
                return dt / it, it


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default="")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--min-time", type=float, default=2.0)
    a = ap.parse_args()
    blocks, channels = PRESETS["T"]
    for dagger in (False, True):
        model = DTTN(blocks, channels, 1000, dagger).eval()
        variant = "DTTN-dagger-T" if dagger else "DTTN-T"
        with torch.no_grad():  # as bench_dttn: alpha 0.01 keeps the activations finite
            for name, p in model.named_parameters():
                if name.endswith("alpha"):
                    p.fill_(0.01)
        if a.weights and not dagger:
            model.load_state_dict(read_safetensors(os.path.join(a.weights, "dttn_t.safetensors")))
            io = read_safetensors(os.path.join(a.weights, "dttn_t_io.safetensors"))
            with torch.inference_mode():
                y = model.double()(io["input"].double())
            model.float()
            rel = ((y - io["output"].double()).abs().max() / y.abs().max()).item()
            print(json.dumps({"variant": variant, "check": "tenet float logits vs torch float64", "max_rel": rel}))
        for threads in (int(t) for t in a.threads.split(",")):
            torch.set_num_threads(threads)
            for n in (int(b) for b in a.batches.split(",")):
                x = torch.rand((n, 3, 224, 224), generator=torch.Generator().manual_seed(n))
                sec, it = time_forward(model, x, a.min_time)
                print(json.dumps({"variant": variant, "batch": n, "threads": threads,
                                  "images_per_s": n / sec, "seconds": sec, "iterations": it}), flush=True)


if __name__ == "__main__":
    main()
