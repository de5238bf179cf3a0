"""SEED002, fixed: each task gets its own child of one SeedSequence and makes its RNG from it.

``numpy.random.SeedSequence(seed).spawn(4)`` gives 4 independent, reproducible seeds; each task
builds ``numpy.random.default_rng(child)`` (and a ``random.Random`` and, under fork, a
``torch.Generator`` seeded from the child). The 4 tasks draw different numbers, and the same ones
under every start method.

    python examples/seed002_pool_rng_children.py [--tasks 4] [--seed 0] [--methods fork spawn forkserver]

The last line of output is JSON: for each start method, one row per task (task, worker pid, and
one draw from each RNG the task made).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random

import numpy as np


def draw(job: tuple[int, np.random.SeedSequence, bool]) -> dict[str, float | int | None]:
    """One task: RNGs made from its own SeedSequence child."""
    task, child, with_torch = job
    rng = np.random.default_rng(child)
    torch_seed, random_seed = child.generate_state(2)
    row: dict[str, float | int | None] = {
        "task": task,
        "worker": os.getpid(),
        "numpy": float(rng.random()),
        "random": random.Random(int(random_seed)).random(),
        "torch": None,
    }
    if with_torch:
        import torch

        generator = torch.Generator().manual_seed(int(torch_seed))
        row["torch"] = float(torch.rand(1, generator=generator))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", default=["fork", "spawn", "forkserver"])
    args = parser.parse_args()

    results = {}
    for method in args.methods:
        children = np.random.SeedSequence(args.seed).spawn(args.tasks)
        jobs = [(task, child, method == "fork") for task, child in enumerate(children)]
        if method == "fork":
            import torch  # noqa: F401  (imported in the parent, as the buggy program does)
        with multiprocessing.get_context(method).Pool(args.tasks) as pool:
            results[method] = pool.map(draw, jobs, chunksize=1)
    print(json.dumps({"tasks": args.tasks, "results": results}))


if __name__ == "__main__":
    main()
