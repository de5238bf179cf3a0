"""Table test for name resolution: every import form DESIGN.md lists."""
from __future__ import annotations

import ast

import pytest

from flake8_seeds.names import ImportMap, canonical, dotted_name

CASES = [
    ("import numpy as np", "np.random.rand", "numpy.random.rand"),
    ("import numpy.random as npr", "npr.default_rng", "numpy.random.default_rng"),
    ("from numpy import random as npr", "npr.seed", "numpy.random.seed"),
    ("from numpy.random import default_rng", "default_rng", "numpy.random.default_rng"),
    ("from torch.utils import data", "data.DataLoader", "torch.utils.data.DataLoader"),
    ("import torch.utils.data as tud", "tud.DataLoader", "torch.utils.data.DataLoader"),
    ("from torch.utils.data.dataloader import DataLoader as DL", "DL", "torch.utils.data.DataLoader"),
    ("import torch.backends.cudnn as cudnn", "cudnn.benchmark", "torch.backends.cudnn.benchmark"),
    ("from torch.backends import cudnn", "cudnn.benchmark", "torch.backends.cudnn.benchmark"),
    ("import random as rnd", "rnd.shuffle", "random.shuffle"),
    ("import torch.utils.data", "torch.utils.data.DataLoader", "torch.utils.data.DataLoader"),
    ("import torch", "torch.random.manual_seed", "torch.manual_seed"),
    ("from torch.random import manual_seed", "manual_seed", "torch.manual_seed"),
    ("from torch.utils.data.sampler import RandomSampler", "RandomSampler", "torch.utils.data.RandomSampler"),
    ("from torch.utils.data.dataset import random_split", "random_split", "torch.utils.data.random_split"),
    ("import torch.nn as nn", "nn.modules.conv.Conv2d", "torch.nn.Conv2d"),
    ("from numpy.random.mtrand import RandomState", "RandomState", "numpy.random.RandomState"),
    ("import pytorch_lightning as pl", "pl.Trainer", "lightning.pytorch.Trainer"),
    ("import lightning as L", "L.Trainer", "lightning.pytorch.Trainer"),
    ("from batchgenerators.dataloading import DataLoader", "DataLoader", "batchgenerators.dataloading.DataLoader"),
    ("from .utils import set_seed", "set_seed", ".utils.set_seed"),
    ("from . import utils", "utils.set_seed", ".utils.set_seed"),
    # Not imported: nothing to resolve.
    ("import numpy as np", "rng.random", None),
    # Bound to two different things: ambiguous, so unresolved.
    ("import random\nfrom numpy import random", "random.seed", None),
    # The same module under two spellings is one binding.
    ("try:\n    import lightning.pytorch as pl\nexcept ImportError:\n    import pytorch_lightning as pl",
     "pl.Trainer", "lightning.pytorch.Trainer"),
    # Star imports bind nothing we can know.
    ("from numpy.random import *", "seed", None),
]


@pytest.mark.parametrize(("imports", "expression", "expected"), CASES)
def test_qualified_name(imports: str, expression: str, expected: str | None) -> None:
    tree = ast.parse(imports)
    names = ImportMap(n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))
    node = ast.parse(expression, mode="eval").body
    assert names.qualified_name(node) == expected


def test_imports_inside_functions_count() -> None:
    tree = ast.parse("def f():\n    import numpy as np\n")
    names = ImportMap(n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))
    assert names.qualified_name(ast.parse("np.random.seed", mode="eval").body) == "numpy.random.seed"


def test_canonical_leaves_public_names_alone() -> None:
    assert canonical("torch.utils.data.DataLoader") == "torch.utils.data.DataLoader"
    assert canonical("torch.Generator") == "torch.Generator"


def test_dotted_name() -> None:
    assert dotted_name(ast.parse("self.g", mode="eval").body) == "self.g"
    assert dotted_name(ast.parse("f().g", mode="eval").body) is None
