"""SEED007, buggy: every DDP rank calls torch.manual_seed with the same seed.

Two ranks run for real: ``torch.multiprocessing.spawn`` starts two processes that join a gloo
process group (``file://`` rendezvous in a fresh temporary directory, so runs cannot collide). Each
rank reads its half of a 16-item dataset through a DistributedSampler and a DataLoader with 2
workers; the Dataset draws a random "augmentation" from torch and one from NumPy in ``__getitem__``,
as random crops and flips do. The workers are forked (``multiprocessing_context="fork"``) to keep
the run short: under mp.spawn they would otherwise start as fresh interpreters.

Both ranks seed torch with the same value, so each DataLoader draws the same base seed and worker k
of rank 0 and worker k of rank 1 make the same draws for different images. The loader is read three
times: without a worker_init_fn, with PyTorch's ``seed_worker`` recipe (it reseeds NumPy and
``random`` from ``torch.initial_seed()``, which is the same on every rank), and with a
worker_init_fn that mixes the rank into every worker's seeds.

    python examples/seed007_same_seed_all_ranks.py [--seed 0] [--size 16] [--workers 2]

The last line of output is JSON: for each way of reading, each rank's samples as
[index, worker, torch draw, numpy draw].
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import random
import tempfile
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.utils.data import DataLoader, Dataset, DistributedSampler, get_worker_info

WORLD_SIZE = 2


class AugmentedDataset(Dataset):
    """Item ``i`` with the random draws an augmentation would make for it."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> list[Any]:
        info = get_worker_info()
        worker = info.id if info is not None else -1
        return [index, worker, torch.rand(()).item(), float(np.random.rand())]


def keep_rows(batch: list[list[Any]]) -> list[list[Any]]:
    return batch


def seed_worker(worker_id: int) -> None:
    """PyTorch's reproducibility recipe (docs, 'Randomness in DataLoader')."""
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def seed_worker_with_rank(worker_id: int, rank: int) -> None:
    """Mix the rank into the worker's seeds, as Lightning's pl_worker_init_function does."""
    sequence = np.random.SeedSequence([torch.initial_seed(), rank])
    torch.manual_seed(int(sequence.generate_state(1, np.uint64)[0]))
    np.random.seed(sequence.generate_state(4))
    random.seed(int(sequence.generate_state(1, np.uint64)[0]))


def run(rank: int, args: argparse.Namespace, init_file: str, out_path: str) -> None:
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=WORLD_SIZE)
    torch.manual_seed(args.seed)

    dataset = AugmentedDataset(args.size)
    sampler = DistributedSampler(dataset, num_replicas=WORLD_SIZE, rank=rank, shuffle=False)
    loaders = {
        "no_worker_init_fn": DataLoader(
            dataset, batch_size=2, sampler=sampler, num_workers=args.workers, collate_fn=keep_rows,
            multiprocessing_context="fork"),
        "seed_worker": DataLoader(
            dataset, batch_size=2, sampler=sampler, num_workers=args.workers, collate_fn=keep_rows,
            multiprocessing_context="fork", worker_init_fn=seed_worker),
        "worker_init_fn_with_rank": DataLoader(
            dataset, batch_size=2, sampler=sampler, num_workers=args.workers, collate_fn=keep_rows,
            multiprocessing_context="fork", worker_init_fn=functools.partial(seed_worker_with_rank, rank=rank)),
    }
    rows = {name: [row for batch in loader for row in batch] for name, loader in loaders.items()}

    gathered: list[Any] = [None] * WORLD_SIZE
    dist.all_gather_object(gathered, rows)
    if rank == 0:
        result = {
            "world_size": WORLD_SIZE,
            "workers": args.workers,
            "variants": {name: [g[name] for g in gathered] for name in loaders},
        }
        with open(out_path, "w") as out:
            json.dump(result, out)
    dist.destroy_process_group()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=16, help="items in the dataset (each rank reads half)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers per rank")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        init_file, out_path = os.path.join(tmp, "rendezvous"), os.path.join(tmp, "result.json")
        mp.spawn(run, args=(args, init_file, out_path), nprocs=WORLD_SIZE, join=True)
        with open(out_path) as result:
            print(json.dumps(json.load(result)))


if __name__ == "__main__":
    main()
