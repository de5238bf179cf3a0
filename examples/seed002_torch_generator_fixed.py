"""SEED002, fixed: each DataLoader worker reseeds its copy of the Dataset's torch.Generator from its own seed.

PyTorch gives every worker a distinct seed (``get_worker_info().seed``), drawn afresh each epoch,
so the workers no longer repeat each other and epochs no longer repeat.

    python examples/seed002_torch_generator_fixed.py [--workers 4] [--epochs 2]

The last line of output is JSON: for each epoch, one row per sample (index, worker id, value).
"""
from __future__ import annotations

import argparse
import json

import torch
from torch.utils.data import DataLoader, Dataset


class JitterDataset(Dataset):
    """Samples whose value stands in for a random augmentation parameter."""

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self.g = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[int, int, float]:
        info = torch.utils.data.get_worker_info()
        worker = info.id if info is not None else -1
        return index, worker, torch.rand(1, dtype=torch.float64, generator=self.g).item()


def seed_worker(worker_id: int) -> None:
    """Reseed this worker's copy of the dataset's generator with the worker's own seed."""
    info = torch.utils.data.get_worker_info()
    assert info is not None
    info.dataset.g.manual_seed(info.seed)


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
    loader = DataLoader(JitterDataset(8), batch_size=2, num_workers=args.workers, worker_init_fn=seed_worker)
    print(json.dumps({"workers": args.workers, "epochs": collect(loader, args.epochs)}))


if __name__ == "__main__":
    main()
