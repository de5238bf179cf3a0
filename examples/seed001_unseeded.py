"""SEED001, buggy: a program that draws from three global RNGs and seeds none of them.

Every run prints different numbers, so no result of this program can be reproduced.

    python examples/seed001_unseeded.py [--device cpu|cuda]

The last line of output is JSON: the values drawn from each RNG and a SHA-256 digest of their bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random

import numpy as np
import torch


def draw(device: str) -> dict[str, object]:
    """Three values from each of the random, numpy and torch global RNGs."""
    from_random = np.array([random.random() for _ in range(3)])
    from_numpy = np.random.rand(3)
    from_torch = torch.rand(3, device=device).cpu().numpy()
    digest = hashlib.sha256()
    for values in (from_random, from_numpy, from_torch):
        digest.update(values.tobytes())
    return {
        "device": device,
        "random": from_random.tolist(),
        "numpy": from_numpy.tolist(),
        "torch": from_torch.tolist(),
        "digest": digest.hexdigest(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu", help="where the torch tensor is drawn (cpu or cuda)")
    args = parser.parse_args()
    print(json.dumps(draw(args.device)))


if __name__ == "__main__":
    main()
