"""SEED001: randomness used but never seeded, through real flake8."""
from __future__ import annotations

from tests.conftest import Lint, codes

MAIN = '\n\nif __name__ == "__main__":\n    main()\n'

FLAGGED = [
    # Module-level draws make a file a program.
    ("import torch\nx = torch.randn(3)\n", ["2:5: SEED001"]),
    ("import numpy as np\nx = np.random.rand(3)\n", ["2:5: SEED001"]),
    ("import random\nrandom.shuffle([1, 2])\n", ["2:1: SEED001"]),
    ("import random as rnd\nprint(rnd.randint(0, 9))\n", ["2:7: SEED001"]),
    ("from numpy.random import permutation\nprint(permutation(3))\n", ["2:7: SEED001"]),
    ("import numpy.random as npr\nnpr.normal()\n", ["2:1: SEED001"]),
    # A __main__ block makes a file a program; draws inside functions then count.
    ("import torch\n\n\ndef main():\n    print(torch.rand(2))\n" + MAIN, ["5:11: SEED001"]),
    # Weight-holding layers draw at construction; nn.init too.
    ("import torch.nn as nn\nmodel = nn.Linear(2, 2)\n", ["2:9: SEED001"]),
    ("from torch import nn\nnet = nn.Sequential(nn.Conv2d(1, 1, 3))\n", ["2:21: SEED001"]),
    ("import torch\nw = torch.empty(2)\ntorch.nn.init.xavier_uniform_(w)\n", ["3:1: SEED001"]),
    ("import torch\nw = torch.empty(2)\nw.uniform_()\n", ["3:1: SEED001"]),
    # One finding per family, at the first use in source order.
    ("import torch\nimport numpy as np\nimport random\na = torch.rand(1)\nb = torch.rand(1)\n"
     "c = np.random.rand()\nd = random.random()\n", ["4:5: SEED001", "6:5: SEED001", "7:5: SEED001"]),
    # Seeding one family does not seed another.
    ("import torch\nimport numpy as np\ntorch.manual_seed(0)\nx = torch.rand(1) + np.random.rand()\n",
     ["4:21: SEED001"]),
    # torch.cuda.manual_seed seeds only CUDA.
    ("import torch\ntorch.cuda.manual_seed_all(0)\nx = torch.randn(3)\n", ["3:5: SEED001"]),
    # Seeds that are not reproducible count as not seeded.
    ("import torch\ntorch.seed()\nx = torch.randn(3)\n", ["3:5: SEED001"]),
    ("import numpy as np\nnp.random.seed()\nx = np.random.rand()\n", ["3:5: SEED001"]),
    ("import numpy as np\nnp.random.seed(None)\nx = np.random.rand()\n", ["3:5: SEED001"]),
    ("import random\nrandom.seed()\nrandom.random()\n", ["3:1: SEED001"]),
    ("import random\nimport time\nrandom.seed(time.time())\nrandom.random()\n", ["4:1: SEED001"]),
    ("import torch\nfrom datetime import datetime\ntorch.manual_seed(int(datetime.now().timestamp()))\n"
     "x = torch.rand(1)\n", ["4:5: SEED001"]),
    ("import os\nimport random\nrandom.seed(os.urandom(8))\nrandom.random()\n", ["4:1: SEED001"]),
    # Unseeded RNG objects: reported where they are made, whatever else is seeded.
    ("import numpy as np\nnp.random.seed(0)\nrng = np.random.default_rng()\nx = np.random.rand()\n",
     ["3:7: SEED001"]),
    ("from numpy.random import default_rng\nrng = default_rng(None)\n" + MAIN, ["2:7: SEED001"]),
    ("import random\nr = random.Random()\n" + MAIN, ["2:5: SEED001"]),
    ("import numpy as np\n\n\ndef main():\n    return np.random.RandomState()\n" + MAIN, ["5:12: SEED001"]),
    # A helper of this file seeds what its body seeds.
    ("import numpy as np\nimport torch\n\n\ndef set_seed(s):\n    torch.manual_seed(s)\n\n\n"
     "set_seed(0)\nx = torch.rand(1) + np.random.rand()\n", ["10:21: SEED001"]),
    ("import torch\n\n\ndef seed_everything(s):\n    pass\n\n\nseed_everything(0)\nx = torch.rand(1)\n",
     ["9:5: SEED001"]),
    # detectron2's seed_all_rng without a value picks a random seed.
    ("import torch\nfrom detectron2.utils.env import seed_all_rng\nseed_all_rng()\nx = torch.rand(1)\n",
     ["4:5: SEED001"]),
    # Getters and other frameworks' seeders do not seed torch, NumPy or random.
    ("import torch\nfrom utils import get_seed\nget_seed()\nx = torch.rand(1)\n", ["4:5: SEED001"]),
    ("import torch\nimport tensorflow as tf\ntf.random.set_seed(0)\nx = torch.rand(1)\n", ["4:5: SEED001"]),
    # A seeding method of this file is judged by its body.
    ("import torch\n\n\nclass Exp:\n    def set_seed(self, s):\n        self.s = s\n\n\n"
     "Exp().set_seed(0)\nx = torch.rand(1)\n", ["10:5: SEED001"]),
    # A test runner that also draws at import time is still a program.
    ("import unittest\nimport torch\nX = torch.rand(3)\n\nif __name__ == '__main__':\n    unittest.main()\n",
     ["3:5: SEED001"]),
    # A generator= that is None is the global RNG.
    ("import torch\nx = torch.randn(3, generator=None)\n", ["2:5: SEED001"]),
]

ALLOWED = [
    "import torch\ntorch.manual_seed(0)\nx = torch.randn(3)\n",
    "import torch\nx = torch.randn(3)\ntorch.random.manual_seed(0)\n",
    "from torch import manual_seed, rand\nmanual_seed(1)\nrand(2)\n",
    "import numpy as np\nnp.random.seed(0)\nx = np.random.rand(3)\n",
    "import random\nrandom.seed(42)\nrandom.shuffle([1, 2])\n",
    "import numpy as np\nrng = np.random.default_rng(0)\nx = rng.random()\n",
    "import numpy as np\nrng = np.random.default_rng(seed=7)\n",
    "import random\nr = random.Random(5)\nr.random()\n",
    # Library modules (functions and classes only) are never flagged; a private
    # module-level RNG object is not a draw, so it does not make a program.
    "import random\n_rng = random.Random()\n\n\ndef seed(s):\n    _rng.seed(s)\n",
    "import torch\n\n\ndef noise(n):\n    return torch.randn(n)\n",
    "import numpy as np\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n        self.fc = nn.Linear(2, 2)\n        self.rng = np.random.default_rng()\n",
    # Draws from a dedicated generator are not the global RNG's.
    "import torch\ng = torch.Generator().manual_seed(0)\nx = torch.randn(3, generator=g)\n",
    # Seeding helpers, known and imported, seed every family.
    "import torch\nimport numpy as np\nimport lightning as L\nL.seed_everything(0)\n"
    "x = torch.rand(1) + np.random.rand()\n",
    "import torch\nfrom pytorch_lightning.utilities.seed import seed_everything\nseed_everything(1)\n"
    "x = torch.rand(1)\n",
    "import torch\nfrom transformers import set_seed\nset_seed(0)\nx = torch.rand(1)\n",
    "import torch\nfrom accelerate.utils import set_seed\nset_seed(0)\nx = torch.rand(1)\n",
    "import torch\nfrom detectron2.utils.env import seed_all_rng\nseed_all_rng(3)\nx = torch.rand(1)\n",
    "import torch\nimport keras\nkeras.utils.set_random_seed(0)\nx = torch.rand(1)\n",
    "import torch\nfrom mmengine.runner import set_random_seed\nset_random_seed(0)\nx = torch.rand(1)\n",
    "import torch\nfrom .utils import init_seeds\ninit_seeds(0)\nx = torch.rand(1)\n",
    "import torch\nimport common\ncommon.fix_random_seeds()\nx = torch.rand(1)\n",
    # A helper of this file that seeds every family.
    "import numpy as np\nimport random\nimport torch\n\n\ndef set_seed(s):\n    random.seed(s)\n"
    "    np.random.seed(s)\n    torch.manual_seed(s)\n\n\ndef main():\n    set_seed(0)\n"
    "    print(torch.rand(1), np.random.rand(), random.random())\n" + MAIN,
    # A seeding method on an object we cannot see into.
    "import torch\n\n\nclass Exp:\n    pass\n\n\nexp = Exp()\nexp.set_seed(0)\nx = torch.rand(1)\n",
    # An RNG object made without a seed and seeded right after.
    "import random\n\n\ndef main(seed):\n    picker = random.Random()\n    picker.seed(seed)\n" + MAIN,
    "import numpy as np\n\n\nclass Env:\n    def __init__(self):\n        self.rng = np.random.RandomState()\n\n"
    "    def seed(self, s):\n        self.rng.seed(s)\n" + MAIN,
    # An inference script: the weights the layers drew are overwritten.
    "import torch\nnet = torch.nn.Linear(2, 2)\nnet.load_state_dict(torch.load('w.pt'))\n",
    # A parameter or loop variable that shadows a module is not the module.
    "import random\n\n\ndef pick(items, random):\n    return random.choice(items)\n" + MAIN,
    "import random\n\n\ndef main(rngs):\n    for random in rngs:\n        random.shuffle([1])\n" + MAIN,
    # A __main__ block that only runs the tests makes a test module, not a program.
    "import unittest\nimport torch\n\n\nclass T(unittest.TestCase):\n    def test(self):\n"
    "        self.assertEqual(torch.rand(2).shape, (2,))\n\n\nif __name__ == '__main__':\n    unittest.main()\n",
    # Near-misses: not the global RNGs.
    "import torch\nx = torch.zeros(3)\nx.fill_(1.0)\n",
    "import torch.nn as nn\nbn = nn.BatchNorm1d(3)\nrelu = nn.ReLU()\n",
    "from mylib import random\nrandom.shuffle([1, 2])\n",
    "import numpy as np\nx = np.random\n",
    # Files that do not import torch/numpy/random are skipped.
    "def shuffle(x):\n    return x\n\n\nshuffle([1])\n",
]


def test_messages(lint: Lint) -> None:
    source = (
        "import numpy as np\nimport random\nimport torch.nn as nn\n"
        "net = nn.Linear(1, 1)\nx = np.random.rand()\nrandom.random()\nrng = np.random.default_rng()\n"
    )
    assert lint(source) == [
        "4:7: SEED001 torch.nn.Linear draws from the torch global RNG, which this program never seeds; "
        "call torch.manual_seed(seed) at startup",
        "5:5: SEED001 numpy.random.rand draws from the numpy.random global RNG, which this program never seeds; "
        "call numpy.random.seed(seed) at startup or draw from numpy.random.default_rng(seed)",
        "6:1: SEED001 random.random draws from the random module's global RNG, which this program never seeds; "
        "call random.seed(seed) at startup",
        "7:7: SEED001 numpy.random.default_rng() is created without a seed, so every run differs; "
        "pass one: numpy.random.default_rng(seed)",
    ]


def test_extra_helper_option(lint: Lint) -> None:
    source = "import torch\nfrom mylib import make_deterministic\nmake_deterministic()\nx = torch.rand(1)\n"
    assert codes(lint(source)) == ["4:5: SEED001"]
    assert lint(source, "--seeds-helpers=make_deterministic") == []
    assert lint(source, "--seeds-helpers=other,mylib.make_deterministic") == []


# -- v2: what entry code reaches ---------------------------------------------------------------

NET = (
    "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n"
    "        return self.fc(x)\n"
)
TRAIN_STEP = (
    "import torch\nfrom models import *\n\n\ndef main():\n    net = ResNet18()\n"
    "    opt = torch.optim.SGD(net.parameters(), lr=0.1)\n    loss = net(torch.ones(1)).sum()\n"
    "    loss.backward()\n    opt.step()\n"
)
WORKERS = (
    "import random\nimport numpy as np\nfrom torch.utils.data import DataLoader, Dataset\n\n\n"
    "class DS(Dataset):\n    def __len__(self):\n        return 8\n\n    def __getitem__(self, i):\n"
    "        return random.random() + np.random.rand()\n\n\nrandom.seed(0)\nnp.random.seed(0)\n"
)
SPAWN = (
    "import torch\nimport torch.multiprocessing as mp\nimport torch.nn as nn\n\n\ndef main_worker(gpu, args):\n"
    "{seed}    model = nn.Linear(2, 2)\n    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n\n\n"
    "def main():\n    torch.manual_seed(0)\n    mp.spawn(main_worker, nprocs=2, args=(None,))\n" + MAIN
)
POOL = (
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef task(i):\n{seed}    return np.random.rand()\n\n\n"
    "def main():\n    np.random.seed(0)\n    {start}\n" + MAIN
)
SPAWN_POOL = "with mp.get_context('spawn').Pool(4) as pool:\n        pool.map(task, range(8))"
V2_FLAGGED = [
    ("model class built at module level", NET + "\n\nmodel = Net()\n", ["8:19: SEED001"]),
    ("model class built in main()", NET + "\n\ndef main():\n    model = Net()\n" + MAIN, ["8:19: SEED001"]),
    ("script that runs through a module-level call",
     "import random\n\n\ndef train(files):\n    random.shuffle(files)\n\n\ntrain(['a', 'b'])\n", ["5:5: SEED001"]),
    ("training step with every draw in another module", TRAIN_STEP + MAIN, ["7:11: SEED001"]),
    ("in-place initialiser on a local name",
     "import torch\n\n\ndef init():\n    w = torch.empty(3, 4)\n    w.normal_(0, 0.01)\n    return w\n\n\ninit()\n",
     ["6:5: SEED001"]),
    ("in-place initialiser on an attribute chain", NET + "\n\nmodel = Net()\nmodel.fc.weight.data.normal_(0, 0.01)\n",
     ["8:19: SEED001"]),
    ("a resume path does not make a training script an inference script",
     "import torch\nnet = torch.nn.Linear(2, 2)\nif args.resume:\n    net.load_state_dict(torch.load(args.resume))\n"
     "opt = torch.optim.Adam(net.parameters())\n", ["2:7: SEED001"]),
    ("torchvision random transforms",
     "import torchvision.transforms as T\nimport torch\naug = T.Compose([T.RandomCrop(32), T.ToTensor()])\n",
     ["3:18: SEED001"]),
    ("transforms v2", "from torchvision.transforms import v2\nimport torch\naug = v2.RandomHorizontalFlip()\n",
     ["3:7: SEED001"]),
    ("distributions sampling",
     "import torch\nd = torch.distributions.Normal(0.0, 1.0)\nx = d.sample()\n", ["2:5: SEED001"]),
    ("shuffling DataLoader without generator", "import torch\nfrom torch.utils.data import DataLoader\n"
     "loader = DataLoader(range(8), shuffle=True)\n", ["3:10: SEED001"]),
    ("random_split without generator", "import torch\nfrom torch.utils.data import random_split\n"
     "a, b = random_split(range(8), [4, 4])\n", ["3:8: SEED001"]),
    ("random and NumPy seeded, torch not: worker draws",
     WORKERS + "loader = DataLoader(DS(), num_workers=2)\n", ["11:16: SEED001"]),
    ("set_determinism(seed=None) seeds nothing",
     "import torch\nfrom monai.utils import set_determinism\nset_determinism(seed=None)\nx = torch.rand(1)\n",
     ["4:5: SEED001"]),
    ("a parameter in one class does not hide the module in another function",
     "import random\n\n\nclass A:\n    def __init__(self, items, random=True):\n        self.r = random\n\n\n"
     "def main(items):\n    random.shuffle(items)\n" + MAIN, ["10:5: SEED001"]),
    ("seeds from secrets or the clock",
     "import random\nimport secrets\nrandom.seed(secrets.choice(range(9)))\nrandom.random()\n", ["4:1: SEED001"]),
    ("seed from time.strftime", "import random\nimport time\nrandom.seed(time.strftime('%S'))\nrandom.random()\n",
     ["4:1: SEED001"]),
    ("seed from mktime(localtime())", "import torch\nimport time\n"
     "torch.manual_seed(int(time.mktime(time.localtime())))\nx = torch.rand(1)\n", ["4:5: SEED001"]),
    ("class body draws at import time", "import torch\n\n\nclass Config:\n    W = torch.randn(3)\n",
     ["5:9: SEED001"]),
    ("default argument draws at import time",
     "import numpy as np\n\n\ndef f(noise=np.random.rand(3)):\n    return noise\n", ["4:13: SEED001"]),
    ("decorator argument draws at import time",
     "import random\n\n\n@register(random.random())\ndef f():\n    pass\n", ["4:11: SEED001"]),
    ("spawned workers do not inherit the parent's seed", SPAWN.format(seed=""), ["7:13: SEED001"]),
    ("nested function called from main",
     "import torch\n\n\ndef main():\n    def build():\n        return torch.nn.Linear(2, 2)\n    build()\n" + MAIN,
     ["6:16: SEED001"]),
    ("a method reached through self", "import numpy as np\n\n\nclass T:\n    def run(self):\n        self.step()\n\n"
     "    def step(self):\n        np.random.shuffle([1])\n\n\nT().run()\n", ["9:9: SEED001"]),
    ("a spawn pool's workers do not inherit the parent's seed", POOL.format(seed="", start=SPAWN_POOL),
     ["6:12: SEED001"]),
    ("a forkserver executor's workers start afresh", POOL.format(seed="", start=(
        "import concurrent.futures as cf\n    ex = cf.ProcessPoolExecutor(2, mp_context=mp.get_context('forkserver'))\n"
        "    ex.submit(task, 0)")), ["6:12: SEED001"]),
    ("set_start_method('spawn') makes every pool start afresh",
     POOL.format(seed="", start="mp.set_start_method('spawn')\n    list(mp.Pool(2).imap(task, range(4)))"),
     ["6:12: SEED001"]),
]
V2_ALLOWED = [
    ("seeded twin of the model class", NET + "\n\ntorch.manual_seed(0)\nmodel = Net()\n"),
    ("model class never built from entry code", NET),
    ("a library whose demo block only prints", NET + "\n\nif __name__ == '__main__':\n    print('models')\n"),
    ("a demo block that calls an imported function",
     NET + "\n\nif __name__ == '__main__':\n    import argparse\n    from runner import run\n"
     "    run(argparse.ArgumentParser())\n"),
    ("training step seeded through an imported helper",
     TRAIN_STEP.replace("def main():\n", "def main():\n    set_seed(0)\n").replace(
         "from models import *", "from models import *\nfrom utils import set_seed") + MAIN),
    ("an inference script that loads weights and never trains",
     NET + "\n\nmodel = Net()\nmodel.load_state_dict(torch.load('w.pt'))\nmodel.eval()\n"),
    ("transforms that draw nothing",
     "import torchvision.transforms as T\naug = T.Compose([T.CenterCrop(32), T.ToTensor()])\nimport torch\n"),
    ("DataLoader with a generator", "import torch\nfrom torch.utils.data import DataLoader\n"
     "loader = DataLoader(range(8), shuffle=True, generator=torch.Generator().manual_seed(0))\n"),
    ("worker draws without workers", WORKERS + "loader = DataLoader(DS())\n"),
    ("worker draws, monai loader in one process (num_workers is its 2nd parameter)",
     WORKERS + "import monai\nloader = monai.data.DataLoader(DS(), 0)\n"),
    ("worker draws with workers and torch seeded",
     WORKERS + "import torch\ntorch.manual_seed(0)\nloader = DataLoader(DS(), num_workers=2)\n"),
    ("set_determinism(seed=0) seeds every family",
     "import torch\nfrom monai.utils import set_determinism\nset_determinism(seed=0)\nx = torch.rand(1)\n"),
    ("lambda parameters shadow", "import random\npick = lambda random, xs: random.choice(xs)\npick(None, [1])\n"),
    ("comprehension variables shadow", "import random\nxs = [random.random() for random in rngs]\n"),
    ("a name rebound to a seeded object", "import random\nrandom = random.Random(42)\nrandom.random()\n"),
    ("seeding by keyword", "import numpy as np\nrs = np.random.RandomState()\nrs.seed(seed=0)\nrs.rand()\n"),
    ("seeding random.Random by keyword", "import random\nr = random.Random()\nr.seed(a=0)\nr.random()\n"),
    ("spawned worker that seeds itself", SPAWN.format(seed="    torch.manual_seed(args.seed + gpu)\n")),
    ("a module-level seed runs again in every spawned child (it imports the main script)",
     SPAWN.format(seed="").replace("\n\n\ndef main_worker", "\ntorch.manual_seed(0)\n\n\ndef main_worker")),
    ("Hugging Face Trainer seeds from its arguments",
     "import torch\nfrom transformers import Trainer\nmodel = torch.nn.Linear(2, 2)\nTrainer(model=model).train()\n"),
    ("a spawn pool's task seeds itself from its per-task seed",
     POOL.format(seed="    np.random.seed(i)\n", start=SPAWN_POOL)),
    ("a pool under the default start method forks: the workers inherit the parent's seed",
     POOL.format(seed="", start="mp.Pool(4).map(task, range(8))")),
    ("a fork context pool is one program", POOL.format(seed="", start="mp.get_context('fork').Pool(4).map(task, [1])")),
    ("a module-level seed runs again in every spawn pool worker",
     POOL.format(seed="", start=SPAWN_POOL).replace("\n\n\ndef task", "\nnp.random.seed(0)\n\n\ndef task")),
]
FLAGGED_IDS = [f"v1-{i}" for i in range(len(FLAGGED))] + [name for name, _, _ in V2_FLAGGED]
ALLOWED_IDS = [f"v1-{i}" for i in range(len(ALLOWED))] + [name for name, _ in V2_ALLOWED]
FLAGGED += [(source, expected) for _, source, expected in V2_FLAGGED]
ALLOWED += [source for _, source in V2_ALLOWED]


def test_message_names_the_entry_call(lint: Lint) -> None:
    source = NET + "\n\ndef main():\n    model = Net()\n" + MAIN
    assert lint(source, "--select=SEED001") == [
        "8:19: SEED001 torch.nn.Linear (reached through main() at line 19) draws from the torch global RNG, "
        "which this program never seeds; call torch.manual_seed(seed) at startup",
    ]


def test_worker_message_names_torch_manual_seed(lint: Lint) -> None:
    (line,) = lint(WORKERS + "loader = DataLoader(DS(), num_workers=2)\n", "--select=SEED001")
    assert "runs in DataLoader worker processes" in line
    assert "call torch.manual_seed(seed) at startup" in line


def test_spawn_message_names_the_spawned_function(lint: Lint) -> None:
    (line,) = lint(SPAWN.format(seed=""), "--select=SEED001")
    assert "in main_worker()" in line and "fresh interpreter" in line
