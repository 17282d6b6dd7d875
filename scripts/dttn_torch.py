#!/usr/bin/python3
"""The image DTTN (MATH.md 1.1) in PyTorch, written from MATH.md, as a check on tenet.

The module tree gives the state_dict names tenet uses (docs/dttn.md "Image network"):
stem.{0,1}, stages.S.down (S >= 1), stages.S.blocks.B.{left.0, left.1, right.0, right.1,
n1, n2 | norm, proj, n3, alpha}, head. A checking tool, not a dependency of the library.

  /usr/bin/python3 scripts/dttn_torch.py fixtures [--out tests/fixtures/dttn]
      writes the test fixtures: a tiny network (blocks 2/2/2/2, channels 8/8/12/16, 10
      classes) for each variant with seeded random weights (norms and alpha non-trivial),
      and one input batch (2, 3, 32, 32) with each variant's output computed in float64.
  /usr/bin/python3 scripts/dttn_torch.py count     prints the parameter counts of T, S, L.

Safetensors files are written by hand (8-byte little-endian header length, JSON header,
raw little-endian data), so that the safetensors package is not needed.
"""
import argparse
import json
import os
import struct

import torch
from torch import nn

PRESETS = {  # MATH.md 1.1's table
    "T": ([6, 6, 16, 6], [96, 128, 160, 192]),
    "S": ([6, 6, 24, 8], [96, 128, 192, 192]),
    "L": ([8, 8, 32, 8], [128, 192, 256, 384]),
}


class Affine(nn.Module):
    """Per-channel affine map (batch norm in inference form) on NCHW."""

    def __init__(self, c):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(c))
        self.shift = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        return x * self.scale.view(1, -1, 1, 1) + self.shift.view(1, -1, 1, 1)


class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels of each pixel of an NCHW batch."""

    def forward(self, x):
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class AIMBlock(nn.Module):
    def __init__(self, c, hc, dagger):
        super().__init__()
        self.dagger = dagger
        self.left = nn.Sequential(nn.Conv2d(c, hc, 3, padding=1, groups=c), nn.Conv2d(hc, hc, 1))
        self.right = nn.Sequential(nn.Conv2d(c, hc, 1), nn.Conv2d(hc, hc, 3, padding=1, groups=hc))
        if dagger:
            self.norm = ChannelLayerNorm(hc, eps=1e-6)
        else:
            self.n1 = Affine(hc)
            self.n2 = Affine(hc)
        self.proj = nn.Conv2d(hc, c, 1)
        self.n3 = Affine(c)
        self.alpha = nn.Parameter(torch.ones(1))

    def forward(self, x):
        u, w = self.left(x), self.right(x)
        if self.dagger:
            p = self.norm(u * w)
        else:
            p = self.n1(u) * self.n2(w)
        return x + self.alpha * self.n3(self.proj(p))


class Stage(nn.Module):
    def __init__(self, c_in, c, blocks, dagger, down):
        super().__init__()
        if down:
            self.down = nn.Conv2d(c_in, c, 2, stride=2)
        # Hc = C in even-numbered blocks, 3C in odd ones.
        self.blocks = nn.ModuleList(AIMBlock(c, 3 * c if b % 2 else c, dagger) for b in range(blocks))

    def forward(self, x):
        if hasattr(self, "down"):
            x = self.down(x)
        for b in self.blocks:
            x = b(x)
        return x


class DTTN(nn.Module):
    def __init__(self, blocks, channels, num_classes, dagger):
        super().__init__()
        c1 = channels[0]
        self.stem = nn.Sequential(nn.Conv2d(3, c1 // 2, 2, stride=2), nn.Conv2d(c1 // 2, c1, 2, stride=2))
        self.stages = nn.ModuleList(
            Stage(channels[s - 1] if s else c1, channels[s], blocks[s], dagger, s > 0) for s in range(4))
        self.head = nn.Linear(channels[3], num_classes)

    def forward(self, x):
        x = self.stem(x)
        for s in self.stages:
            x = s(x)
        return self.head(x.mean(dim=(2, 3)))


def randomize(model, seed):
    """Seeded random weights with every part non-trivial: biases, norms and alpha too."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("weight") and p.dim() >= 2:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64) / fan_in ** 0.5)
            elif name.endswith("scale") or name.endswith("norm.weight"):
                p.copy_(0.8 + 0.4 * torch.rand(p.shape, generator=g, dtype=torch.float64))
            elif name.endswith("alpha"):
                p.copy_(0.2 + 0.3 * torch.rand(p.shape, generator=g, dtype=torch.float64))
            else:  # biases, shifts
                p.copy_(0.2 * torch.rand(p.shape, generator=g, dtype=torch.float64) - 0.1)


DTYPES = {torch.float32: "F32", torch.float64: "F64"}


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


TINY = ([2, 2, 2, 2], [8, 8, 12, 16], 10)


def fixtures(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    x = (2 * torch.rand((2, 3, 32, 32), generator=torch.Generator().manual_seed(7)) - 1).float()
    io = {"input": x}
    for tag, dagger, seed in (("dttn", False, 1), ("dagger", True, 2)):
        blocks, channels, classes = TINY
        m = DTTN(blocks, channels, classes, dagger).float()
        randomize(m, seed)
        sd = {k: v.float() for k, v in m.state_dict().items()}
        write_safetensors(os.path.join(out, f"tiny_{tag}.safetensors"), sd,
                          {"config": f"blocks {blocks}, channels {channels}, {classes} classes, {tag}"})
        with torch.no_grad():
            y64 = m.double()(x.double())      # the reference: float32 weights and input, float64 arithmetic
            y32 = m.float()(x)
        io[f"output.{tag}"] = y64
        with torch.no_grad():  # how much the AIM blocks contribute: the output without them
            for n, p in m.named_parameters():
                if n.endswith("alpha"):
                    p.zero_()
            y0 = m.double()(x.double())
        print(f"{tag}: without the blocks' contributions the output moves by "
              f"{((y0 - y64).abs().max() / y64.abs().max()).item():.3g} (relative)")
        rel = ((y32.double() - y64).abs().max() / y64.abs().max()).item()
        print(f"{tag}: params {sum(p.numel() for p in m.parameters())}, |y| max {y64.abs().max().item():.4g}, "
              f"torch float32 vs float64 rel {rel:.3g}")
    write_safetensors(os.path.join(out, "tiny_io.safetensors"), io)


def count():
    for name, (blocks, channels) in PRESETS.items():
        for dagger in (False, True):
            m = DTTN(blocks, channels, 1000, dagger)
            print(f"DTTN{'-dagger' if dagger else ''}-{name}: {sum(p.numel() for p in m.parameters())} parameters")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["fixtures", "count"])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "dttn"))
    a = ap.parse_args()
    fixtures(a.out) if a.what == "fixtures" else count()
