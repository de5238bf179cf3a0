"""SEED001, buggy: random and NumPy are seeded, torch is not, and the Dataset draws in DataLoader workers.

``random.seed(0)`` and ``np.random.seed(0)`` make the main process repeat itself. But PyTorch
reseeds ``random`` and NumPy in every DataLoader worker from a base seed it draws from the torch
RNG, so what ``__getitem__`` draws in a worker changes from run to run.

    python examples/seed001_worker_draws.py [--workers 2]

The last line of output is JSON: one draw of each RNG made in the main process, and one row per
sample (index, worker id, the ``random`` draw and the NumPy draw made for it in the worker).
"""
from __future__ import annotations

import argparse
import json
import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class AugmentedDataset(Dataset):
    """Each sample draws its augmentation parameters from the global random and NumPy RNGs."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[int, int, float, float]:
        info = torch.utils.data.get_worker_info()
        worker = info.id if info is not None else -1
        return index, worker, random.random(), float(np.random.rand())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    random.seed(0)
    np.random.seed(0)
    main_process = {"random": random.random(), "numpy": float(np.random.rand())}

    loader = DataLoader(AugmentedDataset(8), batch_size=2, num_workers=args.workers)
    rows = []
    for indices, workers, from_random, from_numpy in loader:
        for index, worker, value, numpy_value in zip(indices.tolist(), workers.tolist(), from_random.tolist(),
                                                     from_numpy.tolist()):
            rows.append({"index": index, "worker": worker, "random": value, "numpy": numpy_value})
    print(json.dumps({"workers": args.workers, "main_process": main_process, "rows": rows}))


if __name__ == "__main__":
    main()
