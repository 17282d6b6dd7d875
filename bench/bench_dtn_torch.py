#!/usr/bin/python3
"""PyTorch (1.13, CPU) reference for bench_dtn: the same exact softmax attention and linear
attention (phi = elu + 1), float32, one batch of 8 heads, d = dv = 64, on 1 and 2 threads.

  /usr/bin/python3 bench/bench_dtn_torch.py [--sizes 1024,4096,16384,65536] [--min-time 0.3]

Needs Debian's python3-torch (`apt-get install python3-torch`), run by /usr/bin/python3; it
is a reference for the benchmark only, not a dependency of tenet.

softmax: per head, blocks of 256 query rows: (block @ K^T) / sqrt(d), torch.softmax over
the row, times V, as bench_dtn does it with tenet (no n x n matrix). At n > 16k it is
skipped (64k: ~9 TFLOP). linear: phi(Q) (phi(K)^T V) / (phi(Q) (phi(K)^T 1)), batched over
the heads.

Prints one JSON object per line: {"form", "n", "threads", "tokens_per_s", "seconds",
"iterations", "working_bytes"} or, for a skipped size, {"form", "n", "threads", "skipped"}.
"""
import argparse
import json
import math
import sys
import time

import torch

H, D, DV = 8, 64, 64
BLOCK = 256
SOFTMAX_MAX_N = 16384


def softmax_attention(q, k, v, out):
    scale = 1.0 / math.sqrt(D)
    n = q.shape[1]
    for h in range(H):
        kt = k[h].t()
        for r0 in range(0, n, BLOCK):
            s = torch.mm(q[h, r0:r0 + BLOCK], kt).mul_(scale)
            torch.mm(torch.softmax(s, dim=-1), v[h], out=out[h, r0:r0 + BLOCK])
    return out


def linear_attention(q, k, v):
    fq = torch.nn.functional.elu(q) + 1
    fk = torch.nn.functional.elu(k) + 1
    kv = torch.bmm(fk.transpose(1, 2), v)            # (H, D, DV)
    z = fk.sum(dim=1)                                  # (H, D)
    den = torch.bmm(fq, z.unsqueeze(2))                # (H, n, 1)
    return torch.bmm(fq, kv).div_(den)


def time_it(f, min_time):
    f()  # warm-up
    iters, total = 0, 0.0
    while total < min_time:
        t0 = time.perf_counter()
        f()
        total += time.perf_counter() - t0
        iters += 1
    return iters, total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1024,4096,16384,65536")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--min-time", type=float, default=0.3)
    args = ap.parse_args()
    torch.manual_seed(0)
    for n in (int(x) for x in args.sizes.split(",")):
        q = torch.rand(H, n, D) * 2 - 1
        k = torch.rand(H, n, D) * 2 - 1
        v = torch.rand(H, n, DV) * 2 - 1
        out = torch.empty(H, n, DV)
        io = 4 * H * n * (2 * D + 2 * DV)
        for threads in (int(x) for x in args.threads.split(",")):
            torch.set_num_threads(threads)
            with torch.no_grad():
                if n > SOFTMAX_MAX_N:
                    print(json.dumps({"form": "torch_softmax", "n": n, "threads": threads,
                                      "skipped": "exact softmax at this n costs ~9 TFLOP"}))
                else:
                    it, sec = time_it(lambda: softmax_attention(q, k, v, out), args.min_time)
                    print(json.dumps({"form": "torch_softmax", "n": n, "threads": threads,
                                      "tokens_per_s": n * it / sec, "seconds": sec / it, "iterations": it,
                                      "working_bytes": io + 4 * 2 * BLOCK * n}))
                it, sec = time_it(lambda: linear_attention(q, k, v), args.min_time)
                print(json.dumps({"form": "torch_linear", "n": n, "threads": threads,
                                  "tokens_per_s": n * it / sec, "seconds": sec / it, "iterations": it,
                                  "working_bytes": io + 4 * (2 * H * n * D + H * D * DV + H * D + H * n)}))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
