"""SEED004: shuffling without a dedicated, seeded generator, through real flake8."""
from __future__ import annotations

import warnings

import pytest

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
    "from torch.utils.data import DataLoader\n\n\ndef make(kw):\n    return DataLoader([1], shuffle=True, **kw)\n",
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


# -- v2; each flagged case has an allowed twin ------------------------------------------------------

LOADER_HEAD = "import torch\nfrom torch.utils.data import DataLoader, DistributedSampler\n"
SAMPLER = LOADER_HEAD + "\n\ndef make(ds, distributed):\n    sampler = {sampler}\n" \
    "    return DataLoader(ds, shuffle={shuffle}, sampler=sampler)\n"
SAMPLER_PARAMETER = LOADER_HEAD + "\n\ndef make(ds, is_train, sampler{default}):\n" \
    "    return DataLoader(ds, shuffle={shuffle}, sampler=sampler)\n"
SAMPLER_LATER = LOADER_HEAD + "\n\ndef make(ds, args):\n    train_sampler = None\n    if args.distributed:\n" \
    "        train_sampler = DistributedSampler(ds)\n" \
    "    return DataLoader(ds, shuffle=(train_sampler is None), sampler=train_sampler)\n"
MNIST = "import torch\n\n\ndef main(args, dataset1):\n    train_kwargs = {{'batch_size': args.batch_size}}\n" \
    "    train_kwargs.update({update})\n    return torch.utils.data.DataLoader(dataset1, **train_kwargs)\n"
MNIST_CUDA = "import torch\n\n\ndef main(args, dataset1, use_cuda):\n" \
    "    train_kwargs = {{'batch_size': args.batch_size}}\n    if use_cuda:\n" \
    "        cuda_kwargs = {{'num_workers': 1, 'pin_memory': True, 'shuffle': True}}\n" \
    "        train_kwargs.update(cuda_kwargs)\n{extra}" \
    "    return torch.utils.data.DataLoader(dataset1, **train_kwargs)\n"
KWARGS = LOADER_HEAD + "g = torch.Generator().manual_seed(0)\n{build}\nloader = DataLoader([1, 2], **kw)\n"
PARTIAL = "import torch\nfrom functools import partial\nfrom torch.utils.data import DataLoader\n" \
    "make_loader = partial(DataLoader, batch_size=2, shuffle=True)\nloader = make_loader([1, 2]{extra})\n"
REBOUND = "import functools\nimport torch\nfrom torch.utils.data import DataLoader\n{g}\n" \
    "DataLoader = functools.partial(DataLoader, generator=g)\nloader = DataLoader([1, 2], shuffle=True)\n"
PYG = "import torch\nfrom torch_geometric.loader import DataLoader\nloader = DataLoader({args})\n"
MONAI = "import torch\nimport monai\nloader = monai.data.DataLoader({args})\n"
SCOPED = "from torch.utils.data import DataLoader\n\n\ndef val(ds):\n    shuffle = False\n" \
    "    return DataLoader(ds, shuffle=shuffle)\n\n\ndef train(ds{parameter}):\n" \
    "    return DataLoader(ds, shuffle={value})\n"
SEEDED = "import torch\nfrom torch.utils.data import DataLoader\ntorch.manual_seed(args.seed)\n"

V2_FLAGGED = [
    ("**kwargs of a dict chosen by a conditional expression (pytorch/examples' VAE)",
     "import torch\ntorch.manual_seed(0)\nkw = {'num_workers': 1} if torch.cuda.is_available() else {}\n"
     "dl = torch.utils.data.DataLoader(list(range(8)), shuffle=True, **kw)\n", ["4:6: SEED004"]),
    ("shuffle=(sampler is None) with a sampler that may be None",
     SAMPLER.format(sampler="DistributedSampler(ds) if distributed else None", shuffle="(sampler is None)"),
     ["7:12: SEED004"]),
    ("shuffle=is_train and sampler is None, sampler a parameter",
     SAMPLER_PARAMETER.format(default="", shuffle="is_train and sampler is None"), ["6:12: SEED004"]),
    ("shuffle=is_train with a sampler parameter defaulting to None",
     SAMPLER_PARAMETER.format(default="=None", shuffle="is_train"), ["6:12: SEED004"]),
    ("sampler bound to None, then to a sampler on one path", SAMPLER_LATER, ["9:12: SEED004"]),
    ("PyTorch's MNIST example: **kwargs with update({...})",
     MNIST.format(update="{'shuffle': True, 'num_workers': 1}"), ["7:12: SEED004"]),
    ("**kwargs updated from a dict built on one path", MNIST_CUDA.format(extra=""), ["9:12: SEED004"]),
    ("**kwargs with update(k=v)", MNIST.format(update="shuffle=True"), ["7:12: SEED004"]),
    ("the dict merged into another dict first",
     MNIST_CUDA.format(extra="").replace("    if use_cuda", "    test_kwargs = {}\n    if use_cuda").replace(
         "        train_kwargs.update", "        test_kwargs.update(cuda_kwargs)\n        train_kwargs.update"),
     ["11:12: SEED004"]),
    ("**dict(...)", KWARGS.format(build="kw = dict(batch_size=2, shuffle=True)"), ["5:10: SEED004"]),
    ("**kwargs with d['k'] = v", KWARGS.format(build="kw = {}\nkw['shuffle'] = True"), ["6:10: SEED004"]),
    ("**{**a, **b} of known dicts", KWARGS.format(build="a = {'batch_size': 2}\nb = dict(shuffle=True)\n"
                                                        "kw = {**a, **b}"), ["7:10: SEED004"]),
    ("**kwargs from a copy, with setdefault",
     KWARGS.format(build="base = {'batch_size': 2}\nkw = base.copy()\nkw.setdefault('shuffle', True)"),
     ["7:10: SEED004"]),
    ("an empty dict adds nothing", "from torch.utils.data import DataLoader\nkw = {}\n"
     "DataLoader([1], shuffle=True, **kw)\n", ["3:1: SEED004"]),
    ("a name bound to the DataLoader class",
     "import torch\nfrom torch.utils.data import DataLoader\nloader_class = DataLoader\n"
     "loader_class([1], shuffle=True)\n", ["4:1: SEED004"]),
    ("a name bound to a random sampler",
     "import torch.utils.data as tud\nsampler_class = tud.RandomSampler\nsampler_class([1])\n", ["3:1: SEED004"]),
    ("functools.partial(DataLoader, shuffle=True)", PARTIAL.format(extra=""), ["5:10: SEED004"]),
    ("functools.partial called inline", "import torch\nimport functools\nfrom torch.utils.data import DataLoader\n"
     "functools.partial(DataLoader, shuffle=True)([1])\n", ["4:1: SEED004"]),
    ("DataLoader rebound to a partial with an unseeded generator",
     REBOUND.format(g="g = torch.Generator()"), ["6:10: SEED004"]),
    ("functools.partial of a random sampler",
     "import functools\nimport torch\nfrom torch.utils.data import RandomSampler\n"
     "sampler = functools.partial(RandomSampler, replacement=True)\nsampler([1, 2])\n", ["5:1: SEED004"]),
    ("torch_geometric.loader.DataLoader", PYG.format(args="[], batch_size=2, shuffle=True"), ["3:10: SEED004"]),
    ("torch_geometric's 4th positional argument is not a sampler", PYG.format(args="[], 2, True, ['x']"),
     ["3:10: SEED004"]),
    ("the old torch_geometric.data.DataLoader",
     "import torch\nfrom torch_geometric.data import DataLoader\nDataLoader([], shuffle=True)\n", ["3:1: SEED004"]),
    ("monai.data.DataLoader", MONAI.format(args="[], 2, shuffle=True"), ["3:10: SEED004"]),
    ("a parameter defaulting to True, next to a False constant in another function",
     SCOPED.format(parameter=", shuffle=True", value="shuffle"), ["10:12: SEED004"]),
    ("a parameter defaulting to False: the caller may pass True",
     SCOPED.format(parameter=", shuffle=False", value="shuffle"), ["10:12: SEED004"]),
    ("a name bound to True by tuple unpacking",
     LOADER_HEAD + "shuffle, drop_last = True, False\nDataLoader([1], shuffle=shuffle, drop_last=drop_last)\n",
     ["4:1: SEED004"]),
    ("a name bound to True by walrus",
     LOADER_HEAD + "print(shuffle := True)\nDataLoader([1], shuffle=shuffle)\n", ["4:1: SEED004"]),
]
V2_ALLOWED = [
    ("**kwargs of a conditional dict whose both branches hold a generator",
     "import torch\ng = torch.Generator().manual_seed(0)\nkw = {'generator': g} if torch.cuda.is_available() "
     "else {'generator': g, 'num_workers': 0}\ndl = torch.utils.data.DataLoader(list(range(8)), shuffle=True, **kw)\n"),
    ("shuffle=(sampler is None) with a sampler always given",
     SAMPLER.format(sampler="DistributedSampler(ds)", shuffle="(sampler is None)")),
    ("shuffle=is_train with a sampler that is always a call",
     LOADER_HEAD + "\n\ndef make(ds, is_train):\n"
     "    return DataLoader(ds, shuffle=is_train, sampler=DistributedSampler(ds))\n"),
    ("shuffle=False with a sampler that may be None",
     SAMPLER.format(sampler="DistributedSampler(ds) if distributed else None", shuffle="False")),
    ("a sampler parameter the shuffle= expression does not test",
     SAMPLER_PARAMETER.format(default="", shuffle="is_train")),
    ("the MNIST example with a seeded generator in the update",
     MNIST.format(update="{'shuffle': True, 'generator': torch.Generator().manual_seed(args.seed)}")),
    ("the MNIST example with shuffle=False", MNIST.format(update="{'shuffle': False, 'num_workers': 1}")),
    ("**kwargs updated with a dict the file does not show", MNIST.format(update="args.loader_kwargs")),
    ("**kwargs handed to a function first (it may add a generator)",
     MNIST_CUDA.format(extra="    add_generator(train_kwargs)\n")),
    ("**kwargs with a seeded generator set by key",
     MNIST_CUDA.format(extra="    train_kwargs['generator'] = torch.Generator().manual_seed(0)\n")),
    ("**dict(...) with a seeded generator", KWARGS.format(build="kw = dict(batch_size=2, shuffle=True, generator=g)")),
    ("**{**a, **b} with a part the file does not show",
     KWARGS.format(build="a = {'shuffle': True}\nkw = {**a, **globals()}")),
    ("**kwargs changed by another method (pop)",
     KWARGS.format(build="base = {'batch_size': 2}\nkw = base.copy()\nkw.setdefault('shuffle', True)\n"
                         "kw.pop('batch_size')")),
    ("**kwargs aliased before the call", KWARGS.format(build="kw = {'shuffle': True}\nalias = kw")),
    ("**kwargs changed with |=", KWARGS.format(build="kw = {'shuffle': True}\nkw |= extra")),
    ("a module dict that a function adds a generator to",
     KWARGS.format(build="kw = {'shuffle': True}\n\n\ndef seeded(gen):\n    kw['generator'] = gen\n")),
    ("a name bound to another loader class",
     "import torch\nfrom mylib import FastLoader\nloader_class = FastLoader\nloader_class([1], shuffle=True)\n"),
    ("a name bound to a random sampler given a generator",
     "import torch\nimport torch.utils.data as tud\nsampler_class = tud.RandomSampler\n"
     "sampler_class([1], generator=torch.Generator().manual_seed(0))\n"),
    ("functools.partial called with a seeded generator",
     PARTIAL.format(extra=", generator=torch.Generator().manual_seed(0)")),
    ("functools.partial(DataLoader, shuffle=False)", PARTIAL.format(extra="").replace("shuffle=True", "shuffle=False")),
    ("DataLoader rebound to a partial with a seeded generator",
     REBOUND.format(g="g = torch.Generator().manual_seed(0)")),
    ("torch_geometric.loader.DataLoader with a seeded generator",
     PYG.format(args="[], batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(0)")),
    ("torch_geometric.loader.DataLoader without shuffle", PYG.format(args="[], 2, False, ['x']")),
    ("monai.data.DataLoader: the 2nd positional argument is num_workers", MONAI.format(args="[], 2")),
    ("monai.data.DataLoader with a seeded generator",
     MONAI.format(args="[], shuffle=True, generator=torch.Generator().manual_seed(0)")),
    ("a False constant in the same function", SCOPED.format(parameter="", value="False")),
    ("a name bound to False by tuple unpacking",
     LOADER_HEAD + "shuffle, drop_last = False, False\nDataLoader([1], shuffle=shuffle, drop_last=drop_last)\n"),
    ("a name bound to False by walrus", LOADER_HEAD + "print(shuffle := False)\nDataLoader([1], shuffle=shuffle)\n"),
    ("a seeded program with a seeded loader", SEEDED + "DataLoader([1], shuffle=True, "
     "generator=torch.Generator().manual_seed(args.seed))\n"),
]
FLAGGED_IDS = [f"v1-{i}" for i in range(len(FLAGGED))] + [name for name, _, _ in V2_FLAGGED]
ALLOWED_IDS = [f"v1-{i}" for i in range(len(ALLOWED))] + [name for name, _ in V2_ALLOWED]
FLAGGED += [(source, expected) for _, source, expected in V2_FLAGGED]
ALLOWED += [source for _, source in V2_ALLOWED]


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


def test_v2_messages(lint: Lint) -> None:
    named = dict((name, source) for name, source, _ in V2_FLAGGED)
    sources = [
        named["shuffle=(sampler is None) with a sampler that may be None"],
        named["PyTorch's MNIST example: **kwargs with update({...})"],
        named["functools.partial(DataLoader, shuffle=True)"],
        named["torch_geometric.loader.DataLoader"],
        SEEDED + "DataLoader([1], shuffle=True)\ng = torch.Generator()\nDataLoader([1], shuffle=True, generator=g)\n",
    ]
    fix = "pass generator=torch.Generator().manual_seed(seed)"
    assert [line for source in sources for line in lint(source, "--select=SEED004")] == [
        f"7:12: SEED004 DataLoader shuffles with the global torch RNG whenever sampler is None "
        f"(shuffle=(sampler is None)); {fix}",
        f"7:12: SEED004 DataLoader shuffles with the global torch RNG (shuffle=True in train_kwargs); {fix}",
        f"5:10: SEED004 make_loader (functools.partial of DataLoader at line 4) shuffles with the global torch RNG; "
        f"{fix}",
        f"3:10: SEED004 torch_geometric.loader.DataLoader shuffles with the global torch RNG; {fix}",
        # The fix uses the file's own torch seed.
        "4:1: SEED004 DataLoader shuffles with the global torch RNG; "
        "pass generator=torch.Generator().manual_seed(args.seed)",
        "6:1: SEED004 DataLoader gets generator g, a torch.Generator() that is never seeded with a value, so it "
        "ignores the run's seed; call g.manual_seed(args.seed)",
    ]


LIBRARY_LOADERS = [
    ("torch_geometric.loader", "DataLoader"),
    ("torch_geometric.data", "DataLoader"),  # the old name, deprecated: a subclass of the one above
    ("monai.data", "DataLoader"),
]


@pytest.mark.parametrize(("module", "name"), LIBRARY_LOADERS, ids=[m for m, _ in LIBRARY_LOADERS])
def test_library_loaders_shuffle_like_torch(module: str, name: str) -> None:
    """What the rule assumes of each library DataLoader, on the installed version: it subclasses torch's,
    shuffle=True takes its order from the global torch RNG, and generator= replaces that RNG."""
    import torch

    loader_class = getattr(pytest.importorskip(module), name)
    assert issubclass(loader_class, torch.utils.data.DataLoader)
    if module.startswith("torch_geometric"):
        from torch_geometric.data import Data

        items: list[object] = [Data(x=torch.tensor([[i]])) for i in range(8)]

        def values(batch: object) -> list[int]:
            return [int(v) for v in batch.x.view(-1)]  # type: ignore[attr-defined]
    else:
        items = list(range(8))

        def values(batch: object) -> list[int]:
            return [int(v) for v in batch]  # type: ignore[attr-defined]

    def order(global_seed: int, generator_seed: int | None) -> list[int]:
        torch.manual_seed(global_seed)
        extra = {} if generator_seed is None else {"generator": torch.Generator().manual_seed(generator_seed)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch_geometric.data.DataLoader is deprecated
            loader = loader_class(items, batch_size=4, shuffle=True, **extra)
        return [v for batch in loader for v in values(batch)]

    without = [order(seed, None) for seed in range(4)]
    assert all(sorted(o) == list(range(8)) for o in without)
    assert order(0, None) == without[0]  # same global seed, same order...
    assert len({tuple(o) for o in without}) > 1  # ...another global seed, another order
    with_generator = {tuple(order(seed, 7)) for seed in range(4)}
    assert len(with_generator) == 1 and with_generator != {tuple(range(8))}
    # The generator is torch's sampler's: the same order torch's own DataLoader gives with it.
    torch_order = [int(v) for batch in torch.utils.data.DataLoader(
        list(range(8)), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(7)) for v in batch]
    assert with_generator == {tuple(torch_order)}


CHAIN = 3000


def test_long_chains_are_cut_off_not_followed(lint: Lint) -> None:
    """Dicts built from dicts 3,000 deep, and 3,000 updates: no crash, and an unknown end stays silent."""
    chained = ("import torch\nfrom torch.utils.data import DataLoader\nkw0 = {'shuffle': True}\n"
               + "".join(f"kw{i} = {{**kw{i - 1}}}\n" for i in range(1, CHAIN))
               + f"DataLoader([1], **kw{CHAIN - 1})\n")
    assert lint(chained, "--select=SEED004") == []
    updated = ("import torch\nfrom torch.utils.data import DataLoader\nkw = {}\n"
               + "".join(f"kw.update(a{i}=1)\n" for i in range(CHAIN))
               + "kw['shuffle'] = True\nDataLoader([1], **kw)\n")
    assert [line.split(" ", 2)[1] for line in lint(updated, "--select=SEED004")] == ["SEED004"]
