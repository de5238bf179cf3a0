"""SEED002, fixed: each task or worker process reseeds NumPy and torch with a seed of its own.

The same 8 tasks on 4 forked workers as the buggy program, fixed two ways:

- ``task``: the main process spawns one ``numpy.random.SeedSequence`` child per task, and each
  task reseeds the global RNGs from its child before drawing. The numbers no longer depend on
  which worker runs which task, so they repeat from run to run.
- ``initializer``: the pool's ``initializer=`` reseeds each worker process once, from the run's
  seed mixed with the worker's pid. The workers differ, but not reproducibly (pids change).

    python examples/seed002_pool_reseeded.py [--workers 4] [--tasks 8] [--seed 0]

The last line of output is JSON: for each fix, one row per task (task, worker pid, and one draw
from each of numpy, torch and random).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import time

import numpy as np
import torch


def sample() -> dict[str, float | int]:
    return {
        "worker": os.getpid(),
        "numpy": float(np.random.rand()),
        "torch": float(torch.rand(1)),
        "random": random.random(),
    }


def draw_seeded(job: tuple[int, np.random.SeedSequence]) -> dict[str, float | int]:
    """One task, given its own SeedSequence child: reseed the global RNGs from it, then draw."""
    task, child = job
    numpy_seed, torch_seed = child.generate_state(2)
    np.random.seed(numpy_seed)
    torch.manual_seed(int(torch_seed))
    random.seed(int(numpy_seed))
    row = {"task": task, **sample()}
    time.sleep(0.05)  # keep each worker busy long enough for the tasks to spread over all workers
    return row


def reseed_worker(seed: int) -> None:
    """Pool initializer: give this worker process streams of its own (the run's seed and its pid)."""
    numpy_seed, torch_seed = np.random.SeedSequence([seed, os.getpid()]).generate_state(2)
    np.random.seed(numpy_seed)
    torch.manual_seed(int(torch_seed))


def draw(task: int) -> dict[str, float | int]:
    """One task on a worker the initializer reseeded."""
    row = {"task": task, **sample()}
    time.sleep(0.05)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    fork = multiprocessing.get_context("fork")
    children = np.random.SeedSequence(args.seed).spawn(args.tasks)
    with fork.Pool(args.workers) as pool:
        task_rows = pool.map(draw_seeded, list(enumerate(children)), chunksize=1)
    with fork.Pool(args.workers, initializer=reseed_worker, initargs=(args.seed,)) as pool:
        initializer_rows = pool.map(draw, range(args.tasks), chunksize=1)
    print(json.dumps({"workers": args.workers, "task": task_rows, "initializer": initializer_rows}))


if __name__ == "__main__":
    main()
