"""SEED004, fixed: the DataLoader shuffles with a generator of its own, seeded once.

The order now depends only on that generator's seed, not on the random draws made before the
loader starts: a wider model or an extra random tensor leaves the data order as it was.

    python examples/seed004_shuffle_generator.py [--width 16] [--extra-draw] [--device cpu|cuda]
    (WIDTH=17 python examples/seed004_shuffle_generator.py also sets the width)

The last line of output is JSON: the settings and the order of the samples in the first epoch.
"""
from __future__ import annotations

import argparse
import json
import os

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=int, default=int(os.environ.get("WIDTH", "16")), help="hidden units")
    parser.add_argument("--extra-draw", action="store_true", help="run a sanity-check forward pass on random input")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, args.width), nn.ReLU(), nn.Linear(args.width, 1)).to(args.device)
    if args.extra_draw:
        model(torch.randn(2, 4).to(args.device))

    dataset = TensorDataset(torch.arange(8))
    shuffle_rng = torch.Generator().manual_seed(0)
    loader = DataLoader(dataset, batch_size=2, shuffle=True, num_workers=2, generator=shuffle_rng)
    order = [int(i) for (batch,) in loader for i in batch]
    print(json.dumps({"width": args.width, "extra_draw": args.extra_draw, "device": args.device, "order": order}))


if __name__ == "__main__":
    main()
