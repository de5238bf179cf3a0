"""SEED002, buggy: one RNG object handed to every task of a process pool.

The main process makes a seeded ``numpy.random.default_rng(0)`` and a ``random.Random(0)`` and maps
4 tasks over ``[rng] * 4``. Whatever the start method, each task gets its own copy of the object
with the same state (pickled under spawn and forkserver, and for pool tasks under fork too), so
all 4 tasks draw the same numbers. Under fork the program also hands a ``torch.Generator`` to the
tasks (torch is imported only for that run, so that spawn and forkserver workers stay light).

    python examples/seed002_pool_rng_argument.py [--tasks 4] [--methods fork spawn forkserver]

The last line of output is JSON: for each start method, one row per task (task, worker pid, and
one draw from each object it was given).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
from typing import Any

import numpy as np


def draw(job: tuple[int, np.random.Generator, random.Random, Any]) -> dict[str, float | int | None]:
    """One task: a draw from each RNG object it was handed."""
    task, rng, py_rng, generator = job
    row: dict[str, float | int | None] = {
        "task": task,
        "worker": os.getpid(),
        "numpy": float(rng.random()),
        "random": py_rng.random(),
        "torch": None,
    }
    if generator is not None:
        import torch

        row["torch"] = float(torch.rand(1, generator=generator))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--methods", nargs="+", default=["fork", "spawn", "forkserver"])
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    py_rng = random.Random(0)
    results = {}
    for method in args.methods:
        generator = None
        if method == "fork":
            import torch

            generator = torch.Generator().manual_seed(0)
        jobs = [(task, rng, py_rng, generator) for task in range(args.tasks)]
        with multiprocessing.get_context(method).Pool(args.tasks) as pool:
            results[method] = pool.map(draw, jobs, chunksize=1)
    print(json.dumps({"tasks": args.tasks, "results": results}))


if __name__ == "__main__":
    main()
