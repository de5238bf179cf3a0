"""SEED002, buggy: process-pool tasks draw from the global NumPy and torch RNGs under fork.

The main process seeds all three global RNGs, then runs 8 tasks on 4 forked worker processes,
once with ``multiprocessing.Pool`` and once with ``ProcessPoolExecutor``. A forked worker starts
with a copy of the parent's RNG state, so every worker draws the same NumPy and torch numbers as
the others. CPython reseeds ``random`` in a forked child, so its draws stay distinct.

    python examples/seed002_pool_global_rng.py [--workers 4] [--tasks 8]

The last line of output is JSON: for each runner, one row per task (task, worker pid, and one draw
from each of numpy, torch and random).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import torch


def draw(task: int) -> dict[str, float | int]:
    """One task: a random augmentation parameter from each global RNG."""
    row: dict[str, float | int] = {
        "task": task,
        "worker": os.getpid(),
        "numpy": float(np.random.rand()),
        "torch": float(torch.rand(1)),
        "random": random.random(),
    }
    time.sleep(0.05)  # keep each worker busy long enough for the tasks to spread over all workers
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=8)
    args = parser.parse_args()

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    fork = multiprocessing.get_context("fork")
    with fork.Pool(args.workers) as pool:
        pool_rows = pool.map(draw, range(args.tasks), chunksize=1)
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=fork) as executor:
        executor_rows = list(executor.map(draw, range(args.tasks)))
    print(json.dumps({"workers": args.workers, "pool": pool_rows, "executor": executor_rows}))


if __name__ == "__main__":
    main()
