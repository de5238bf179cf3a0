"""SEED004: shuffling without a dedicated, seeded generator, through real flake8."""
from __future__ import annotations

from tests.conftest import Lint

FLAGGED = [
    ("from torch.utils.data import DataLoader\nDataLoader([1, 2], shuffle=True)\n", ["2:1: SEED004"]),
    ("import torch\ntorch.utils.data.DataLoader([1, 2], batch_size=2, shuffle=True)\n", ["2:1: SEED004"]),
    ("from torch.utils import data\nloader = data.DataLoader([1, 2], 2, True)\n", ["2:10: SEED004"]),
    ("import torch.utils.data as tud\ntud.DataLoader([1, 2], shuffle=True, generator=None)\n", ["2:1: SEED004"]),
    ("from torch.utils.data.dataloader import DataLoader as DL\nDL([1], shuffle=True)\n", ["2:1: SEED004"]),
    # Non-constant shuffle: the loader can shuffle, so it needs a generator.
    ("from torch.utils.data import DataLoader\n\n\ndef make(ds, train):\n"
     "    return DataLoader(ds, shuffle=train)\n", ["5:12: SEED004"]),
    # A name bound only to True is a constant.
    ("from torch.utils.data import DataLoader\nSHUFFLE = True\nDataLoader([1], shuffle=SHUFFLE)\n", ["3:1: SEED004"]),
    ("from torch.utils.data import RandomSampler\nRandomSampler([1, 2])\n", ["2:1: SEED004"]),
    ("from torch.utils.data import SubsetRandomSampler\nSubsetRandomSampler([0, 1])\n", ["2:1: SEED004"]),
    ("from torch.utils.data import WeightedRandomSampler\nWeightedRandomSampler([0.5, 0.5], 2)\n", ["2:1: SEED004"]),
    ("from torch.utils.data import random_split\ntrain, val = random_split([1, 2, 3], [2, 1])\n",
     ["2:14: SEED004"]),
    # A sampler given to the DataLoader is checked at its own call.
    ("from torch.utils.data import DataLoader, RandomSampler\nDataLoader([1], sampler=RandomSampler([1]))\n",
     ["2:25: SEED004"]),
    # Unseeded generators.
    ("import torch\nfrom torch.utils.data import DataLoader\n"
     "DataLoader([1], shuffle=True, generator=torch.Generator())\n",
     ["3:1: SEED004"]),
    ("import torch\nfrom torch.utils.data import random_split\ng = torch.Generator()\n"
     "random_split([1, 2], [1, 1], g)\n",
     ["4:1: SEED004"]),
    # g.seed() draws a seed from the OS: not the run's seed.
    ("import torch\nfrom torch.utils.data import DataLoader\ng = torch.Generator()\ng.seed()\n"
     "DataLoader([1], shuffle=True, generator=g)\n", ["5:1: SEED004"]),
    ("import torch\nfrom torch.utils.data import DataLoader\n\n\nclass Run:\n    def __init__(self):\n"
     "        self.g = torch.Generator()\n        self.loader = DataLoader([1], shuffle=True, generator=self.g)\n",
     ["8:23: SEED004"]),
]

ALLOWED = [
    "import torch\nfrom torch.utils.data import DataLoader\n"
    "DataLoader([1], shuffle=True, generator=torch.Generator().manual_seed(0))\n",
    "import torch\nfrom torch.utils.data import DataLoader\ng = torch.Generator()\ng.manual_seed(0)\n"
    "DataLoader([1], shuffle=True, generator=g)\n",
    # Positional generator (13th argument).
    "import torch\nfrom torch.utils.data import DataLoader\n"
    "DataLoader([1], 1, True, None, None, 0, None, False, False, 0, None, None, torch.Generator().manual_seed(0))\n",
    "from torch.utils.data import DataLoader\nDataLoader([1], shuffle=False)\n",
    "from torch.utils.data import DataLoader\nDataLoader([1], batch_size=4)\n",
    # A name bound only to False never shuffles.
    "from torch.utils.data import DataLoader\nSHUFFLE = False\nDataLoader([1], shuffle=SHUFFLE)\n",
    "from torch.utils.data import DataLoader\n\n\ndef make(ds):\n    shuffle = False\n"
    "    return DataLoader(ds, shuffle=shuffle)\n",
    # Unknown arguments: stay silent.
    "from torch.utils.data import DataLoader\nkw = {}\nDataLoader([1], shuffle=True, **kw)\n",
    "from torch.utils.data import DataLoader\nargs = []\nDataLoader([1], *args, shuffle=True)\n",
    # The sampler carries the randomness.
    "from torch.utils.data import DataLoader\nDataLoader([1], shuffle=True, sampler=object())\n",
    "from torch.utils.data import DataLoader\nDataLoader([1], batch_sampler=object())\n",
    "from torch.utils.data import DistributedSampler\nDistributedSampler([1], num_replicas=1, rank=0)\n",
    "import torch\nfrom torch.utils.data import RandomSampler\n"
    "RandomSampler([1], generator=torch.Generator().manual_seed(1))\n",
    "import torch\nfrom torch.utils.data import random_split\n"
    "random_split([1, 2], [1, 1], generator=torch.Generator().manual_seed(42))\n",
    # A generator that comes in as a parameter is the caller's business.
    "from torch.utils.data import DataLoader\n\n\ndef make(ds, generator):\n"
    "    return DataLoader(ds, shuffle=True, generator=generator)\n",
    # Not torch's DataLoader.
    "from batchgenerators.dataloading import DataLoader\nDataLoader([1], shuffle=True)\n",
    "from mylib import random_split\nrandom_split([1, 2], [1, 1])\n",
]


def test_messages(lint: Lint) -> None:
    source = (
        "import torch\nfrom torch.utils.data import DataLoader\n"
        "DataLoader([1], shuffle=True)\n"
        "DataLoader([1], shuffle=True, generator=torch.Generator())\n"
        "DataLoader([1], shuffle=len([]) > 0)\n"
        "DataLoader([1], shuffle=len('a very long expression that gets cut') > 0)\n"
    )
    assert lint(source, "--select=SEED004") == [
        "3:1: SEED004 DataLoader shuffles with the global torch RNG; "
        "pass generator=torch.Generator().manual_seed(seed)",
        "4:1: SEED004 DataLoader gets torch.Generator() that is never seeded with a value, so it ignores "
        "the run's seed; pass generator=torch.Generator().manual_seed(seed)",
        "5:1: SEED004 DataLoader may shuffle (shuffle=len([]) > 0) with the global torch RNG; "
        "pass generator=torch.Generator().manual_seed(seed)",
        "6:1: SEED004 DataLoader may shuffle (shuffle=len('a very long expression that gets...) with the "
        "global torch RNG; pass generator=torch.Generator().manual_seed(seed)",
    ]
