"""SEED005: a shuffling DistributedSampler in a file with an epoch loop and no set_epoch(), through real flake8.

Every flagged case has an allowed twin a line or two away from it.
"""
from __future__ import annotations

import ast

from flake8_seeds.facts import FileFacts
from flake8_seeds.rules import Settings, seed005
from tests.conftest import Lint

HEAD = "from torch.utils.data import DataLoader, DistributedSampler\n\nds = list(range(8))\n"
LOOP = "for epoch in range(3):\n    for batch in loader:\n        pass\n"
BASIC = HEAD + "sampler = DistributedSampler(ds, num_replicas=2, rank=0)\nloader = DataLoader(ds, sampler=sampler)\n"

INLINE = (
    "import torch.utils.data as tud\n\n\n"
    "def train(ds, args):\n"
    "    loader = tud.DataLoader(ds, batch_size=4, sampler=tud.DistributedSampler(ds))\n"
    "    for epoch in range(args.start_epoch, args.epochs):\n"
    "{set_epoch}"
    "        for batch in loader:\n"
    "            pass\n"
)
IN_CLASS = (
    "import torch\nfrom tqdm import trange\n\n\n"
    "class Runner:\n"
    "    def __init__(self, ds):\n"
    "        self.sampler = torch.utils.data.distributed.DistributedSampler(ds)\n\n"
    "    def fit(self):\n"
    "        for i in trange(self.max_epochs):\n"
    "{set_epoch}"
    "            self.step()\n"
)
MAYBE = (
    "import argparse\nfrom torch.utils.data import DistributedSampler\n"
    "args = argparse.Namespace(shuffle=True)\n"
    "sampler = DistributedSampler([1, 2], shuffle={shuffle})\n"
    "for epoch in range(2):\n    pass\n"
)
RECREATED = (
    "from torch.utils.data import DataLoader, DistributedSampler\n\n\n"
    "def main(ds, args):\n"
    "    for epoch in range(args.epochs):\n"
    "        sampler = DistributedSampler(ds, seed={seed})\n"
    "        for batch in DataLoader(ds, sampler=sampler):\n"
    "            pass\n"
)
TRAIN_AND_VAL = (
    HEAD + "train_sampler = DistributedSampler(ds)\n{train_line}"
    "val_sampler = DistributedSampler(ds)\n"
    "test_sampler = DistributedSampler(test_set)\n" + "loader = DataLoader(ds, sampler=train_sampler)\n" + LOOP
)
MONAI = (
    "from monai.data import DistributedSampler\nimport torch\n"
    "sampler = DistributedSampler([1, 2], True, 2, 0{shuffle})\n"
    "for epoch in range(2):\n    pass\n"
)
ACCELERATE = (
    "from accelerate import Accelerator\n" + HEAD + "accelerator = Accelerator()\n"
    "loader = DataLoader(ds, sampler=DistributedSampler(ds))\n{prepare}" + LOOP
)
TRAINER = "from {module} import Trainer\n" + BASIC + "Trainer(max_epochs=3).fit(None)\n" + LOOP

NAMED_FLAGGED: list[tuple[str, str, list[str]]] = [
    ("basic", BASIC + LOOP, ["4:11: SEED005"]),
    ("private-module-alias", "from torch.utils.data.distributed import DistributedSampler as DS\n"
     "sampler = DS([1, 2], shuffle=True)\nfor epoch in range(2):\n    pass\n", ["2:11: SEED005"]),
    ("inline-in-function", INLINE.format(set_epoch=""), ["5:55: SEED005"]),
    ("attribute-in-class", IN_CLASS.format(set_epoch=""), ["7:24: SEED005"]),
    ("positional-shuffle-true", HEAD + "sampler = DistributedSampler(ds, 2, 0, True)\n" + LOOP.replace(
        "loader", "sampler"), ["4:11: SEED005"]),
    ("non-constant-shuffle", MAYBE.format(shuffle="args.shuffle"), ["4:11: SEED005"]),
    ("name-bound-to-true", MAYBE.format(shuffle="SHUFFLE").replace("sampler =", "SHUFFLE = True\nsampler ="),
     ["5:11: SEED005"]),
    ("conditional-sampler-and-epoch-in-iterable", HEAD + "distributed = True\n"
     "sampler = DistributedSampler(ds) if distributed else None\n"
     "for ep in range(cfg.num_epochs):\n    pass\n", ["5:11: SEED005"]),
    ("recreated-with-constant-seed", RECREATED.format(seed="args.seed"), ["6:19: SEED005"]),
    ("train-flagged-val-and-test-not", TRAIN_AND_VAL.format(train_line=""), ["4:17: SEED005"]),
    ("monai", MONAI.format(shuffle=""), ["3:11: SEED005"]),
    ("monai-positional-shuffle-true", MONAI.format(shuffle=", True"), ["3:11: SEED005"]),
    ("accelerator-without-prepare", ACCELERATE.format(prepare=""), ["6:33: SEED005"]),
    ("another-librarys-trainer", TRAINER.format(module="mylib"), ["5:11: SEED005"]),
    ("explicit-shuffle-with-kwargs", HEAD + "kw = {}\nsampler = DistributedSampler(ds, shuffle=True, **kw)\n"
     + LOOP, ["5:11: SEED005"]),
    ("async-for", HEAD + "sampler = DistributedSampler(ds)\n\n\nasync def run(loader, epochs):\n"
     "    async for epoch in epochs:\n        pass\n", ["4:11: SEED005"]),
    ("other-object-epoch-attribute", BASIC + "for epoch in range(3):\n    state.epoch = epoch\n", ["4:11: SEED005"]),
]

NAMED_ALLOWED: list[tuple[str, str]] = [
    # shuffle resolved in its own scope: True elsewhere in the file does not make this sampler shuffle.
    ("shuffle-false-in-this-scope", "from torch.utils.data import DistributedSampler\n\n\n"
     "def train(ds):\n    shuffle = False\n    sampler = DistributedSampler(ds, shuffle=shuffle)\n"
     "    for epoch in range(3):\n        pass\n\n\ndef other():\n    shuffle = True\n    return shuffle\n"),
    # The sampler, or a loader holding it together with the epoch, goes to a function of another module.
    ("sampler-handed-to-imported-train", HEAD + "from mytrain import train\nsampler = DistributedSampler(ds)\n"
     "loader = DataLoader(ds, sampler=sampler)\nfor epoch in range(3):\n    train(loader, epoch, sampler=sampler)\n"),
    ("loader-and-epoch-handed-to-imported-function", HEAD + "from engine import train_one_epoch\n"
     "sampler = DistributedSampler(ds)\nloader = DataLoader(ds, sampler=sampler)\n"
     "for epoch in range(3):\n    train_one_epoch(loader, epoch)\n"),
    ("basic-set-epoch", BASIC + "for epoch in range(3):\n    sampler.set_epoch(epoch)\n"
     "    for batch in loader:\n        pass\n"),
    ("shuffle-false", "from torch.utils.data.distributed import DistributedSampler as DS\n"
     "sampler = DS([1, 2], shuffle=False)\nfor epoch in range(2):\n    pass\n"),
    ("inline-set-epoch-under-hasattr", INLINE.format(
        set_epoch="        if hasattr(loader.sampler, 'set_epoch'):\n            loader.sampler.set_epoch(epoch)\n")),
    ("epoch-attribute-set-directly", IN_CLASS.format(set_epoch="            self.sampler.epoch = i\n")),
    ("positional-shuffle-false", HEAD + "sampler = DistributedSampler(ds, 2, 0, False)\n" + LOOP.replace(
        "loader", "sampler")),
    ("name-bound-to-false", MAYBE.format(shuffle="SHUFFLE").replace("sampler =", "SHUFFLE = False\nsampler =")),
    ("no-epoch-loop", HEAD + "sampler = DistributedSampler(ds)\nfor step in range(100):\n    pass\n"),
    ("no-loop-at-all", "from torch.utils.data import DistributedSampler\n"
     "DistributedSampler([1], num_replicas=1, rank=0)\n"),
    ("recreated-with-epoch-seed", RECREATED.format(seed="args.seed + epoch")),
    ("train-set-epoch-val-and-test-not", TRAIN_AND_VAL.format(train_line="train_sampler.set_epoch(0)\n")),
    ("monai-positional-shuffle-false", MONAI.format(shuffle=", False")),
    ("accelerator-prepare", ACCELERATE.format(prepare="loader = accelerator.prepare(loader)\n")),
    ("lightning-trainer", TRAINER.format(module="lightning.pytorch")),
    ("pytorch-lightning-trainer", TRAINER.format(module="pytorch_lightning")),
    ("lightning-module", "import lightning as L\nfrom torch.utils.data import DataLoader, DistributedSampler\n\n\n"
     "class Model(L.LightningModule):\n    def train_dataloader(self):\n"
     "        return DataLoader(self.ds, sampler=DistributedSampler(self.ds))\n\n\n"
     "def report(history):\n    for epoch in history:\n        print(epoch)\n"),
    ("fabric-setup-dataloaders", "from lightning.fabric import Fabric\n" + BASIC
     + "loader = Fabric().setup_dataloaders(loader)\n" + LOOP),
    ("monai-engine", "from monai.engines import SupervisedTrainer\n" + BASIC
     + "SupervisedTrainer(None, 3, loader, None, None, None).run()\n" + LOOP),
    ("set-epoch-helper", "from utils import set_sampler_epoch\n" + BASIC
     + "for epoch in range(3):\n    set_sampler_epoch(loader, epoch)\n"),
    ("unknown-kwargs", HEAD + "kw = {}\nsampler = DistributedSampler(ds, **kw)\n" + LOOP),
    ("not-torchs-sampler", BASIC.replace("from torch.utils.data import", "from mylib import") + LOOP),
    ("while-loop-is-not-a-for-loop", BASIC + "epoch = 0\nwhile epoch < 3:\n    epoch += 1\n"),
    ("weighted-monai-sampler-not-covered", "from monai.data import DistributedWeightedRandomSampler\nimport torch\n"
     "sampler = DistributedWeightedRandomSampler([1, 2], [0.5, 0.5])\nfor epoch in range(2):\n    pass\n"),
]

FLAGGED = [(source, expected) for _, source, expected in NAMED_FLAGGED]
FLAGGED_IDS = [name for name, _, _ in NAMED_FLAGGED]
ALLOWED = [source for _, source in NAMED_ALLOWED]
ALLOWED_IDS = [name for name, _ in NAMED_ALLOWED]


def test_message(lint: Lint) -> None:
    assert lint(BASIC + LOOP) == [
        "4:11: SEED005 torch.utils.data.DistributedSampler shuffles, but this file never calls set_epoch(), "
        "so every epoch repeats the first epoch's order and each rank sees the same subset of the data "
        "every epoch; "
        "call sampler.set_epoch(epoch) at the start of each epoch"
    ]


def test_message_names_the_loader_when_the_sampler_is_inline(lint: Lint) -> None:
    (line,) = lint(INLINE.format(set_epoch=""))
    assert line.endswith("call loader.sampler.set_epoch(epoch) at the start of each epoch")


def test_message_shows_a_shuffle_decided_at_run_time(lint: Lint) -> None:
    (line,) = lint(MAYBE.format(shuffle="args.shuffle"))
    assert "monai" not in line
    assert line.startswith("4:11: SEED005 torch.utils.data.DistributedSampler may shuffle (shuffle=args.shuffle), ")


def test_message_names_monais_sampler(lint: Lint) -> None:
    (line,) = lint(MONAI.format(shuffle=""))
    assert line.startswith("3:11: SEED005 monai.data.DistributedSampler shuffles, ")


def test_deep_expressions_where_the_rule_looks_do_not_crash() -> None:
    # Called directly: pyflakes itself recurses on a 2,000-term expression under flake8.
    deep = " + ".join(["x"] * 2000)
    source = (HEAD + f"sampler = DistributedSampler(ds, shuffle={deep}, seed={deep})\n"
              f"for epoch in range({deep}):\n    pass\n")
    (found,) = seed005.check(FileFacts(ast.parse(source)), Settings())
    assert found[:2] == (4, 10)
    assert "may shuffle (shuffle=" in found[2]
