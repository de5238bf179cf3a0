"""SEED002, buggy: the worker_init_fn from old blog posts reseeds NumPy with the same value every epoch.

PyTorch >= 1.9 already seeds NumPy in each worker from that worker's seed, which changes every
epoch. After that seeding ``np.random.get_state()[1][0]`` is always the same number, so this
worker_init_fn reseeds worker k with a constant plus k: the workers differ from each other, but
every epoch replays the same random numbers.

    python examples/seed002_epoch_replay.py [--workers 4] [--epochs 2]

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
    np.random.seed(np.random.get_state()[1][0] + worker_id)


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
