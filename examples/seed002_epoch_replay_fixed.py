"""SEED002, fixed: the worker_init_fn reseeds NumPy from the worker's torch seed, which changes every epoch.

``torch.initial_seed()`` inside a worker is that worker's seed: distinct per worker and drawn
afresh for every epoch. (On PyTorch >= 1.9 leaving out the worker_init_fn works too; see
seed002_global_numpy_classic.py.)

    python examples/seed002_epoch_replay_fixed.py [--workers 4] [--epochs 2]

The last line of output is JSON: for each epoch, one row per sample (index, worker id, value).
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


def worker_init_fn(worker_id: int) -> None:
    np.random.seed(torch.initial_seed() % 2**32)


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
    loader = DataLoader(JitterDataset(8), batch_size=2, num_workers=args.workers, worker_init_fn=worker_init_fn)
    print(json.dumps({"workers": args.workers, "epochs": collect(loader, args.epochs)}))


if __name__ == "__main__":
    main()
