"""SEED003: cuDNN benchmark mode, through real flake8."""
from __future__ import annotations

from tests.conftest import Lint

FLAGGED = [
    ("import torch\ntorch.backends.cudnn.benchmark = True\n", ["2:1: SEED003"]),
    ("import torch.backends.cudnn as cudnn\ncudnn.benchmark = True\n", ["2:1: SEED003"]),
    ("from torch.backends import cudnn\ncudnn.benchmark = 1\n", ["2:1: SEED003"]),
    ("from torch.backends import cudnn\ncudnn.deterministic = cudnn.benchmark = True\n", ["2:1: SEED003"]),
    ("import torch\n\n\ndef setup():\n    torch.backends.cudnn.benchmark = True\n", ["5:5: SEED003"]),
    ("import torch\nsetattr(torch.backends.cudnn, 'benchmark', True)\n", ["2:1: SEED003"]),
    ("import torch\nwith torch.backends.cudnn.flags(enabled=True, benchmark=True):\n    pass\n", ["2:6: SEED003"]),
    ("import torch\nwith torch.backends.cudnn.flags(True, True):\n    pass\n", ["2:6: SEED003"]),
    ("import lightning as L\ntrainer = L.Trainer(max_epochs=1, benchmark=True)\n", ["2:11: SEED003"]),
    ("from pytorch_lightning import Trainer\nTrainer(benchmark=True)\n", ["2:1: SEED003"]),
    # A condition that is not the user's benchmark setting: benchmark mode is on for every GPU run.
    ("import torch\nif torch.cuda.is_available():\n    torch.backends.cudnn.benchmark = True\n", ["3:5: SEED003"]),
]

ALLOWED = [
    "import torch\ntorch.backends.cudnn.benchmark = False\n",
    "import torch\ntorch.backends.cudnn.deterministic = True\n",
    # Not a constant: the user's choice, decided at run time.
    "import torch\ncfg = {}\ntorch.backends.cudnn.benchmark = cfg.get('cudnn_benchmark')\n",
    # Other objects' `benchmark` attributes are not cuDNN's.
    "import torch\n\n\nclass Run:\n    pass\n\n\nrun = Run()\nrun.benchmark = True\n",
    "import torch\ntorch.backends.mkldnn.benchmark = True\n",
    "from mylib import cudnn\ncudnn.benchmark = True\n",
    "import torch\nsetattr(torch.backends.cudnn, 'benchmark', False)\n",
    # Under an `if` on the user's own setting, the constant is the user's choice.
    "import torch\ncfg = object()\nif cfg.benchmark:\n    torch.backends.cudnn.benchmark = True\n",
    "import torch\nimport sys\ndeterministic = '--det' in sys.argv\nif deterministic:\n"
    "    torch.backends.cudnn.deterministic = True\nelse:\n    torch.backends.cudnn.benchmark = True\n",
    "import torch\nwith torch.backends.cudnn.flags(enabled=True, benchmark=False):\n    pass\n",
    "import lightning as L\nL.Trainer(benchmark=False, deterministic=True)\n",
    "from mylib import Trainer\nTrainer(benchmark=True)\n",
]


def test_message(lint: Lint) -> None:
    assert lint("import torch.backends.cudnn as cudnn\ncudnn.benchmark = True\n") == [
        "2:1: SEED003 torch.backends.cudnn.benchmark = True lets cuDNN pick convolution algorithms by "
        "timing each run; set it to False and torch.backends.cudnn.deterministic = True for reproducible runs"
    ]
