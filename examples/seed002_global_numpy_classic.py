"""SEED002 background: the classic "PyTorch + NumPy" example, global np.random in __getitem__.

Blog posts from 2020 showed every DataLoader worker returning the same NumPy random numbers here.
PyTorch 1.9 fixed that: each worker now seeds NumPy's global RNG from its own per-epoch seed.
So flake8-seeds does not flag this pattern by default; --seeds-min-torch-version=1.8 turns the
check back on for projects that still support older PyTorch.

    python examples/seed002_global_numpy_classic.py [--workers 4] [--epochs 2]

The last line of output is JSON: the installed torch version, and for each epoch one row per
sample (index, worker id, value).
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class JitterDataset(Dataset):
    """Samples whose value stands in for a random augmentation parameter."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[int, int, float]:
        info = torch.utils.data.get_worker_info()
        worker = info.id if info is not None else -1
        return index, worker, float(np.random.random())


def collect(loader: DataLoader, epochs: int) -> list[list[dict[str, float]]]:
    """Every sample the loader yields, epoch by epoch."""
    result = []
    for _ in range(epochs):
        rows = []
        for indices, workers, values in loader:
            for index, worker, value in zip(indices.tolist(), workers.tolist(), values.tolist()):
                rows.append({"index": index, "worker": worker, "value": value})
        result.append(rows)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)  # workers reseed NumPy from the torch RNG: seeded, so SEED001 has nothing to say
    np.random.seed(0)  # seeds this process only; each worker reseeds NumPy from its own seed
    loader = DataLoader(JitterDataset(8), batch_size=2, num_workers=args.workers)
    epochs = collect(loader, args.epochs)
    print(json.dumps({"torch": torch.__version__, "workers": args.workers, "epochs": epochs}))


if __name__ == "__main__":
    main()
