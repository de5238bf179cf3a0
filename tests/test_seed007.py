"""SEED007: every DDP rank seeds torch alike, through real flake8.

Each flagged program has an allowed twin that differs only in what SEED007 is about.
"""
from __future__ import annotations

from tests.conftest import Lint

# A torchrun script: every rank runs the module.
TORCHRUN = """\
import argparse

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader

args = argparse.ArgumentParser().parse_args()
dist.init_process_group("nccl")
{seed}
loader = DataLoader(args.dataset, batch_size=8, num_workers={workers})
"""

# mp.spawn calls main_worker(i, args) with i = 0 .. nprocs - 1.
SPAWNED = """\
import torch
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader


def main_worker(gpu, args):
    {seed}
    model = DDP(torch.nn.Linear(4, 2).cuda(gpu), device_ids=[gpu])
    loader = DataLoader(args.dataset, batch_size=8, num_workers=4)
    for batch in loader:
        model(batch)


def main(args):
    mp.spawn(main_worker, args=(args,), nprocs=2)


if __name__ == "__main__":
    {parent}main(object())
"""

HELPER = """\
import random

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(args):
    dist.init_process_group("nccl")
    {seed}
    return DataLoader(args.dataset, num_workers=args.workers)


if __name__ == "__main__":
    train(object())
"""

# PyTorch's reproducibility recipe; in a loader of a DDP program it still gives every rank the same seeds.
SEED_WORKER = """\
import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader

{init_fn}

dist.init_process_group("gloo")
rank = dist.get_rank()
torch.manual_seed(0)
loader = DataLoader(list(range(16)), num_workers=2, worker_init_fn={passed})
"""
RECIPE = """\
def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
"""
RANK_RECIPE = """\
def seed_worker(worker_id, rank):
    worker_seed = (torch.initial_seed() + 1000 * rank) % 2**32
    torch.manual_seed(worker_seed)
    np.random.seed(worker_seed)
"""

# A process started afresh per rank with an explicit rank argument.
PROCESS = """\
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.utils.data import DataLoader


def run(rank, size):
    dist.init_process_group("gloo", rank=rank, world_size=size)
    torch.manual_seed({seed})
    return DataLoader(list(range(8)), num_workers=2)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=run, args=(r, 2)) for r in range(2)]
"""

# A config object handed in by a framework (hydra calls main(cfg)): its fields are the same on every rank.
HYDRA = """\
import hydra
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader


@hydra.main(config_path="conf", config_name="train")
def main(cfg):
    dist.init_process_group("nccl")
    torch.manual_seed({seed})
    return DataLoader(cfg.dataset, num_workers=cfg.workers)


if __name__ == "__main__":
    main()
"""

# The seed kept on an object, or computed by a method.
TRAINER = """\
import torch
import torch.distributed as dist
from monai.data import DataLoader


class Trainer:
    def __init__(self, cfg):
        self.seed = {seed}

    def offset(self):
        return {offset}

    def setup(self):
        dist.init_process_group("nccl")
        torch.manual_seed(self.seed + self.offset())
        self.loader = DataLoader(self.dataset, 4)


if __name__ == "__main__":
    Trainer(object()).setup()
"""

# Two loaders: one mixes the rank into its workers' seeds, the other does not.
TWO_LOADERS = """\
import functools

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader


def seed_with_rank(worker_id, rank):
    torch.manual_seed(torch.initial_seed() + 1000 * rank)


dist.init_process_group("gloo")
rank = dist.get_rank()
torch.manual_seed(0)
train = DataLoader(list(range(16)), num_workers=2, worker_init_fn=functools.partial(seed_with_rank, rank=rank))
{second}
"""

# pytorch/examples' ImageNet layout: seeded in main(), which either spawns the ranks (fresh interpreters,
# not seeded) or, under torchrun, runs main_worker itself in every rank (seeded alike).
IMAGENET = """\
import argparse

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.utils.data import DataLoader


def main():
    args = argparse.ArgumentParser().parse_args()
    torch.manual_seed(args.seed)
    if args.multiprocessing_distributed:
        mp.spawn(main_worker, nprocs=2, args=(args,))
    else:
        {direct}


def main_worker(gpu, args):
    dist.init_process_group("nccl", init_method="env://")
    return DataLoader(args.dataset, num_workers=args.workers)


if __name__ == "__main__":
    main()
"""

MODULE_SEED_SPAWN = """\
import torch, torch.distributed as dist, torch.multiprocessing as mp
from torch.utils.data import DataLoader
torch.manual_seed(0)


def run(rank, world_size, data):
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    for batch in DataLoader(data, batch_size=2, num_workers=2):
        pass


if __name__ == "__main__":
    mp.spawn(run, args=(2, list(range(8))), nprocs=2)
"""

FLAGGED = [
    (TORCHRUN.format(seed="torch.manual_seed(args.seed)", workers=4), ["9:1: SEED007"]),
    (TORCHRUN.format(seed="seed = args.seed * 2\ntorch.manual_seed(seed)", workers=4), ["10:1: SEED007"]),
    (TORCHRUN.format(seed="torch.manual_seed(1234)", workers="args.workers"), ["9:1: SEED007"]),
    # Aliases of the seeding function.
    (TORCHRUN.format(seed="from torch.random import manual_seed\nmanual_seed(args.seed)", workers=2),
     ["10:1: SEED007"]),
    # A seeding helper of the file: reported where the seed is passed in.
    (HELPER.format(seed="set_seed(args.seed)"), ["17:5: SEED007"]),
    # An imported seeding helper.
    (TORCHRUN.format(seed="from utils import init_seeds\ninit_seeds(args.seed)", workers=4), ["10:1: SEED007"]),
    (TORCHRUN.format(seed="import lightning as L\nL.seed_everything(42)", workers=4), ["10:1: SEED007"]),
    (TORCHRUN.format(seed="from accelerate.utils import set_seed\nset_seed(args.seed)", workers=4),
     ["10:1: SEED007"]),
    # A function started by mp.spawn: its arguments are the same on every rank; DDP marks the program.
    (SPAWNED.format(seed="torch.manual_seed(args.seed)", parent=""), ["8:5: SEED007"]),
    (SPAWNED.format(seed="torch.manual_seed(args.seed + args.offset)", parent=""), ["8:5: SEED007"]),
    # PyTorch's seed_worker recipe reseeds from torch.initial_seed(), which is the same on every rank.
    (SEED_WORKER.format(init_fn=RECIPE, passed="seed_worker"), ["13:1: SEED007"]),
    (SEED_WORKER.format(init_fn=RECIPE, passed="seed_worker if rank >= 0 else None"), ["13:1: SEED007"]),
    (PROCESS.format(seed="0"), ["9:5: SEED007"]),
    (HYDRA.format(seed="cfg.seed"), ["10:5: SEED007"]),
    (TRAINER.format(seed="cfg.seed", offset="0"), ["15:9: SEED007"]),
    # The torch.manual_seed inside the worker_init_fn seeds a worker, not the rank.
    (TWO_LOADERS.format(second="val = DataLoader(list(range(16)), num_workers=2)"), ["14:1: SEED007"]),
    (IMAGENET.format(direct="main_worker(args.gpu, args)"), ["11:5: SEED007"]),
    # A module-level seed runs again in every child mp.spawn starts (each imports the main script).
    (MODULE_SEED_SPAWN, ["3:1: SEED007"]),
    # FSDP marks a program of several ranks like DDP does.
    (MODULE_SEED_SPAWN.replace('dist.init_process_group("gloo", rank=rank, world_size=world_size)',
                               "model = FSDP(torch.nn.Linear(2, 2))").replace(
        "from torch.utils.data import DataLoader", "from torch.utils.data import DataLoader\n"
        "from torch.distributed.fsdp import FullyShardedDataParallel as FSDP"), ["4:1: SEED007"]),
]
FLAGGED_IDS = [
    "args-seed", "through-local", "literal-seed-workers-variable", "manual-seed-alias", "file-helper",
    "imported-helper", "lightning-without-workers", "accelerate-not-device-specific", "spawn-target",
    "spawn-target-other-arg", "seed-worker-recipe", "seed-worker-conditional", "spawn-process",
    "framework-config-object", "seed-on-self", "one-loader-without-rank", "imagenet-torchrun-path",
    "module-level-seed-rerun-in-spawned-children", "fsdp",
]

ALLOWED = [
    # FSDP with a seed that mixes in the rank.
    MODULE_SEED_SPAWN.replace("torch.manual_seed(0)\n", "").replace(
        'dist.init_process_group("gloo", rank=rank, world_size=world_size)',
        "torch.manual_seed(rank)\n    model = FSDP(torch.nn.Linear(2, 2))").replace(
        "from torch.utils.data import DataLoader", "from torch.utils.data import DataLoader\n"
        "from torch.distributed.fsdp import FullyShardedDataParallel as FSDP"),
    TORCHRUN.format(seed="torch.manual_seed(args.seed + dist.get_rank())", workers=4),
    TORCHRUN.format(seed="seed = args.seed + dist.get_rank()\ntorch.manual_seed(seed)", workers=4),
    TORCHRUN.format(seed="import os\ntorch.manual_seed(1234 + int(os.environ['RANK']))", workers="args.workers"),
    TORCHRUN.format(seed="import os\nargs.gpu = int(os.environ['LOCAL_RANK'])\ntorch.manual_seed(args.seed + args.gpu)",
                    workers=2),
    TORCHRUN.format(seed="seed = args.seed\nseed += args.local_rank\ntorch.manual_seed(seed)", workers=2),
    HELPER.format(seed="set_seed(args.seed + dist.get_rank())"),
    TORCHRUN.format(seed="from utils import init_seeds\ninit_seeds(args.seed + args.rank)", workers=4),
    TORCHRUN.format(seed="from mmengine.runner import set_random_seed\nset_random_seed(args.seed, diff_rank_seed=True)",
                    workers=4),
    # Lightning derives each worker's seeds from the global rank; accelerate adds the process index.
    TORCHRUN.format(seed="import lightning as L\nL.seed_everything(42, workers=True)", workers=4),
    TORCHRUN.format(seed="from accelerate.utils import set_seed\nset_seed(args.seed, device_specific=True)", workers=4),
    SPAWNED.format(seed="torch.manual_seed(args.seed + gpu)", parent=""),
    SPAWNED.format(seed="seed = args.seed + gpu\n    torch.manual_seed(seed)", parent=""),
    # A worker_init_fn that mixes in the rank gives every rank's workers their own seeds.
    SEED_WORKER.format(init_fn="import functools\n\n\n" + RANK_RECIPE,
                       passed="functools.partial(seed_worker, rank=rank)"),
    SEED_WORKER.format(init_fn="", passed="lambda i: np.random.seed((torch.initial_seed() + rank) % 2**32)"),
    # A worker_init_fn from elsewhere may mix in the rank: not known, not reported.
    SEED_WORKER.format(init_fn="from utils import worker_init_fn", passed="worker_init_fn"),
    PROCESS.format(seed="rank"),
    PROCESS.format(seed="100 + rank"),
    # No DataLoader workers: nothing is seeded from the shared base seed.
    TORCHRUN.format(seed="torch.manual_seed(args.seed)", workers=0),
    TORCHRUN.format(seed="torch.manual_seed(args.seed)\nnum_workers = 0", workers="num_workers"),
    # The loader has its own generator: its workers' seeds do not come from the global RNG.
    "import torch\nimport torch.distributed as dist\nfrom torch.utils.data import DataLoader\n\n"
    "dist.init_process_group('nccl')\ntorch.manual_seed(0)\n"
    "loader = DataLoader([1, 2], num_workers=2, generator=torch.Generator().manual_seed(dist.get_rank()))\n",
    # A single-process program: one set of workers.
    "import torch\nfrom torch.utils.data import DataLoader\n\ntorch.manual_seed(0)\n"
    "loader = DataLoader(list(range(16)), batch_size=2, num_workers=4)\n",
    # Seeded in the parent only: each process mp.spawn starts is a fresh interpreter with its own seed.
    SPAWNED.format(seed="pass", parent="torch.manual_seed(0)\n    "),
    # Only the CUDA generators: a DataLoader's base seed comes from the CPU generator.
    TORCHRUN.format(seed="torch.cuda.manual_seed_all(args.seed)", workers=4),
    # A seed that differs from process to process anyway (SEED001's business if anyone's).
    TORCHRUN.format(seed="import os\ntorch.manual_seed(os.getpid())", workers=4),
    # A function that computes a seed is not a seeding call.
    TORCHRUN.format(seed="from mmdet.apis import init_random_seed\nseed = init_random_seed(args.seed)", workers=4),
    HYDRA.format(seed="cfg.seed + dist.get_rank()"),
    TRAINER.format(seed="cfg.seed + dist.get_rank()", offset="0"),
    TRAINER.format(seed="cfg.seed", offset="dist.get_rank()"),
    TWO_LOADERS.format(second="val = DataLoader(list(range(16)), num_workers=0)"),
    IMAGENET.format(direct="raise SystemExit('use --multiprocessing-distributed')"),
]
ALLOWED_IDS = [
    "fsdp-seed-rank", "args-seed-plus-get-rank", "through-local-plus-rank", "environ-rank", "attribute-from-local-rank",
    "augmented-with-rank", "file-helper-plus-rank", "imported-helper-plus-rank", "helper-diff-rank-keyword",
    "lightning-workers", "accelerate-device-specific", "spawn-target-plus-rank", "spawn-target-local",
    "worker-init-partial-rank", "worker-init-lambda-rank", "worker-init-imported", "spawn-process-rank",
    "spawn-process-offset-rank", "no-workers", "workers-variable-zero", "loader-generator", "single-process",
    "seeded-in-parent-only", "cuda-only", "per-process-seed", "computes-a-seed", "framework-config-plus-rank",
    "seed-on-self-plus-rank", "method-adds-rank", "other-loader-no-workers", "imagenet-spawn-only",
]


def test_message(lint: Lint) -> None:
    assert lint(SPAWNED.format(seed="torch.manual_seed(args.seed)", parent="")) == [
        "8:5: SEED007 torch.manual_seed(args.seed) gives every DDP rank the same seed "
        "(torch.nn.parallel.DistributedDataParallel at line 9), so DataLoader workers on every rank draw the "
        "same augmentations; add the rank: torch.manual_seed(args.seed + gpu)"
    ]


def test_message_names_the_helper_and_what_it_calls(lint: Lint) -> None:
    assert lint(HELPER.format(seed="set_seed(args.seed)")) == [
        "17:5: SEED007 set_seed(args.seed) (through torch.manual_seed at line 12) gives every DDP rank the same "
        "seed (torch.distributed.init_process_group at line 16), so DataLoader workers on every rank draw the "
        "same augmentations; add the rank: set_seed(args.seed + rank)"
    ]


def test_message_names_the_function_that_starts_the_process_group(lint: Lint) -> None:
    assert lint(IMAGENET.format(direct="main_worker(args.gpu, args)")) == [
        "11:5: SEED007 torch.manual_seed(args.seed) gives every DDP rank the same seed "
        "(torch.distributed.init_process_group at line 19 in main_worker()), so DataLoader workers on every "
        "rank draw the same augmentations; seed in main_worker() once the rank is known: "
        "torch.manual_seed(args.seed + rank)"
    ]


def test_message_gives_the_library_option(lint: Lint) -> None:
    lines = lint(TORCHRUN.format(seed="from accelerate.utils import set_seed\nset_seed(args.seed)", workers=4))
    assert len(lines) == 1
    assert lines[0].endswith("add the rank: accelerate.utils.set_seed(args.seed + rank) or pass device_specific=True")


def test_each_seeding_call_once(lint: Lint) -> None:
    """Two seeding calls with a fixed seed: both reported, each once, even when two entries reach them."""
    source = TORCHRUN.format(seed="torch.manual_seed(0)\ntorch.manual_seed(1)", workers=4)
    assert [line.split(" ", 2)[:2] for line in lint(source)] == [["9:1:", "SEED007"], ["10:1:", "SEED007"]]


def test_one_rank_dependent_seeding_silences_the_program(lint: Lint) -> None:
    """A later rank-dependent reseed replaces the shared seed: not reported (precision first)."""
    source = TORCHRUN.format(seed="torch.manual_seed(0)\ntorch.manual_seed(args.seed + dist.get_rank())", workers=4)
    assert lint(source) == []
