#!/usr/bin/python3
"""PyTorch reference for bench_cuda: torch.einsum on a CUDA device, float32, for the six
contractions of bench_einsum.cpp / bench_cuda.cu, next to torch.bmm of the same m, n, k (the
GEMM peer), exact FP32 and TF32 (torch.backends.cuda.matmul.allow_tf32).

  /usr/bin/python3 bench/bench_cuda_torch.py [--reps 20] [--warmup 3] [--device cuda:0]

Time: CUDA events around each call (device time), median over --reps calls after --warmup;
torch.einsum allocates its result per call from PyTorch's caching allocator (as tenet's from
the stream-ordered pool). Needs a PyTorch built with CUDA and a device; not a dependency of
tenet. Prints one JSON object per line: {"case", "impl", "tf32", "ms", "gflops"}.
"""
import argparse
import json
import sys

import torch

# name, einsum, extents, (batch, m, n, k) of the GEMM peer
CASES = [
    ("abc=acd*db", "acd,db->abc", dict(a=150, b=150, c=150, d=150), (1, 22500, 150, 150)),
    ("abcd=aebf*fdec", "aebf,fdec->abcd", dict(a=48, b=48, c=48, d=48, e=48, f=48), (1, 2304, 2304, 2304)),
    ("ab=acd*dbc", "acd,dbc->ab", dict(a=256, b=256, c=48, d=48), (1, 256, 256, 2304)),
    ("abc=ad*bdc", "ad,bdc->abc", dict(a=150, b=150, c=150, d=150), (1, 150, 22500, 150)),
    ("bij=bik*bkj", "bik,bkj->bij", dict(b=64, i=128, j=128, k=128), (64, 128, 128, 128)),
    ("iaj=ibj*ab", "ibj,ab->iaj", dict(i=256, a=256, b=256, j=256), (1, 256, 65536, 256)),
]


def time_ms(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("bench_cuda_torch: no CUDA device (torch.cuda.is_available() is False)", file=sys.stderr)
        return 1
    dev = torch.device(args.device)
    torch.backends.cudnn.allow_tf32 = False
    gen = torch.Generator(device="cpu").manual_seed(1)
    for name, sub, ext, (batch, m, n, k) in CASES:
        ins, _ = sub.split("->")
        ops = [(torch.rand([ext[c] for c in labels], generator=gen) * 2 - 1).to(dev) for labels in ins.split(",")]
        ga = torch.rand(batch, m, k, generator=gen).to(dev)
        gb = torch.rand(batch, k, n, generator=gen).to(dev)
        flops = 2.0 * batch * m * n * k
        for tf32 in (False, True):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            for impl, fn in (("torch_einsum", lambda: torch.einsum(sub, *ops)), ("torch_bmm", lambda: torch.bmm(ga, gb))):
                ms = time_ms(fn, args.reps, args.warmup)
                print(json.dumps({"case": name, "impl": impl, "tf32": tf32, "ms": round(ms, 4),
                                  "gflops": round(flops / (ms * 1e-3) / 1e9, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
