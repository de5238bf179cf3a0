"""SEED005, buggy: a shuffling DistributedSampler whose epoch is never set.

DistributedSampler shuffles with a generator seeded from ``seed + epoch``, and ``epoch`` only moves
when the program calls ``sampler.set_epoch(epoch)``. This program never does, so every epoch gives
each rank exactly the order of epoch 0: each rank also sees the same half of the data forever.

Two ranks are simulated in one process (``num_replicas=2, rank=r`` needs no process group).

    python examples/seed005_no_set_epoch.py [--epochs 3] [--size 8]

The last line of output is JSON: for each rank, the sample indices it got in each epoch.
"""
from __future__ import annotations

import argparse
import json

import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def train(rank: int, world_size: int, epochs: int, size: int) -> list[list[int]]:
    dataset = TensorDataset(torch.arange(size))
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True)
    loader = DataLoader(dataset, batch_size=2, sampler=sampler)
    orders = []
    for epoch in range(epochs):
        orders.append([int(i) for (batch,) in loader for i in batch])
    return orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--size", type=int, default=8, help="samples in the dataset")
    args = parser.parse_args()

    torch.manual_seed(0)
    world_size = 2
    orders = {rank: train(rank, world_size, args.epochs, args.size) for rank in range(world_size)}
    print(json.dumps({"size": args.size, "world_size": world_size, "orders": orders}))


if __name__ == "__main__":
    main()
