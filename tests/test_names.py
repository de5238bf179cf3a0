"""Table test for name resolution: every import form DESIGN.md lists."""
from __future__ import annotations

import ast

import pytest

from flake8_seeds.facts import FileFacts
from flake8_seeds.names import canonical, dotted_name

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
    # Rebound by a later import: the later one is what the use sees.
    ("import random\nfrom numpy import random", "random.seed", "numpy.random.seed"),
    # Bound to two different things on two paths: ambiguous, so unresolved.
    ("if x:\n    import random\nelse:\n    from numpy import random", "random.seed", None),
    # The same module under two spellings is one binding.
    ("try:\n    import lightning.pytorch as pl\nexcept ImportError:\n    import pytorch_lightning as pl",
     "pl.Trainer", "lightning.pytorch.Trainer"),
    # Star imports of the modules the rules read bind the names those modules export.
    ("from numpy.random import *", "seed", "numpy.random.seed"),
    ("from torch.utils.data import *", "DataLoader", "torch.utils.data.DataLoader"),
    ("from random import *", "shuffle", "random.shuffle"),
    ("from numpy.random import *", "not_exported", None),
    ("from mymodels import *", "DataLoader", None),
    # Exact re-exports under a try/except fallback are one binding.
    ("try:\n    from torch import Generator\nexcept ImportError:\n    from torch._C import Generator",
     "Generator", "torch.Generator"),
    ("try:\n    from lightning import Trainer\nexcept ImportError:\n    from pytorch_lightning import Trainer",
     "Trainer", "lightning.pytorch.Trainer"),
    ("from lightning.pytorch.trainer import Trainer", "Trainer", "lightning.pytorch.Trainer"),
    ("from pytorch_lightning.trainer import Trainer", "Trainer", "lightning.pytorch.Trainer"),
    # An alias made by assignment.
    ("import torch\ncudnn = torch.backends.cudnn", "cudnn.benchmark", "torch.backends.cudnn.benchmark"),
    ("from torch.utils.data import DataLoader\nloader_class = DataLoader", "loader_class",
     "torch.utils.data.DataLoader"),
    ("import torch as t\nnn = t.nn", "nn.Linear", "torch.nn.Linear"),
    # Aliases are followed only into what the rules read (or a *seed* name): torch's own sources
    # alias internals everywhere, and resolving them would cost a scope lookup per use.
    ("import torch\naten = torch.ops.aten", "aten.add", None),
    ("import utils\nset_seed = utils.set_seed", "set_seed", "utils.set_seed"),
    ("import torch\nx = torch.nn\nx = torch.optim", "x.SGD", "torch.optim.SGD"),
    ("import torch\nx = torch.nn\n\n\ndef f(x):\n    pass", "x.Linear", "torch.nn.Linear"),
    # A name rebound to something else is no longer the import.
    ("import random\nrandom = random.Random(42)", "random.random", None),
    ("from torch.utils.data import random_split\n\n\ndef random_split(a, b):\n    pass", "random_split", None),
    ("import functools\nfrom torch.utils.data import DataLoader\nDataLoader = functools.partial(DataLoader)",
     "DataLoader", None),
    # `except ImportError: np = None` keeps the import's meaning.
    ("try:\n    import numpy as np\nexcept ImportError:\n    np = None", "np.random.seed", "numpy.random.seed"),
    # A binding in only one branch does not replace the import for code after the if.
    ("import random\nif x:\n    random = None\nelse:\n    import random", "random.seed", "random.seed"),
]


def resolve(source: str, expression: str) -> str | None:
    """The qualified name of ``expression`` written on the last line of ``source``."""
    tree = ast.parse(f"{source}\n{expression}\n")
    node = tree.body[-1]
    assert isinstance(node, ast.Expr)
    return FileFacts(tree).names.qualified_name(node.value)


@pytest.mark.parametrize(("imports", "expression", "expected"), CASES)
def test_qualified_name(imports: str, expression: str, expected: str | None) -> None:
    assert resolve(imports, expression) == expected


def test_imports_inside_functions_count() -> None:
    source = "def f():\n    import numpy as np\n    np.random.seed(0)\n"
    tree = ast.parse(source)
    call = tree.body[0].body[1].value  # type: ignore[attr-defined]
    assert FileFacts(tree).names.qualified_name(call.func) == "numpy.random.seed"


def test_canonical_leaves_public_names_alone() -> None:
    assert canonical("torch.utils.data.DataLoader") == "torch.utils.data.DataLoader"
    assert canonical("torch.Generator") == "torch.Generator"


def test_dotted_name() -> None:
    assert dotted_name(ast.parse("self.g", mode="eval").body) == "self.g"
    assert dotted_name(ast.parse("f().g", mode="eval").body) is None
