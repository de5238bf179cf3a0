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


# -- v2: values that are True unless the user asks otherwise; each flagged case has an allowed twin --

ARGPARSE = "import argparse\nimport torch\nparser = argparse.ArgumentParser()\nparser.add_argument({option})\n" \
    "args = parser.parse_args()\ntorch.backends.cudnn.benchmark = {value}\n"
CLICK = "import click\nimport torch\n\n\n@click.command()\n@click.option({option})\ndef main(benchmark):\n" \
    "    torch.backends.cudnn.benchmark = benchmark\n"
PARAMETER = "import torch\n\n\ndef train(model, cudnn_benchmark={default}):\n" \
    "    torch.backends.cudnn.benchmark = cudnn_benchmark\n"
CONFIG = "import torch\n\n\ndef setup(cfg):\n    torch.backends.cudnn.benchmark = {value}\n"
EARLY_RETURN = "import torch\n\n\ndef setup(cfg):\n    if {test}:\n        return\n" \
    "    torch.backends.cudnn.benchmark = True\n"
MATCH = "import torch\n\n\ndef setup(cfg):\n    match {subject}:\n        case {case}:\n" \
    "            torch.backends.cudnn.benchmark = True\n"
CONTEXT = "import contextlib\nimport torch\n\n\ndef run(args):\n" \
    "    with torch.backends.cudnn.flags(benchmark=True) if {test} else contextlib.nullcontext():\n        pass\n"

V2_FLAGGED = [
    ("parameter defaulting to True", PARAMETER.format(default="True"), ["5:5: SEED003"]),
    ("module constant bound only to True",
     "import torch\nBENCHMARK = True\n\n\ndef setup():\n    torch.backends.cudnn.benchmark = BENCHMARK\n",
     ["6:5: SEED003"]),
    ("argparse default=True", ARGPARSE.format(option='"--benchmark", type=bool, default=True', value="args.benchmark"),
     ["6:1: SEED003"]),
    ("argparse store_false", ARGPARSE.format(option='"--cudnn-benchmark", action="store_false"',
                                             value="args.cudnn_benchmark"), ["6:1: SEED003"]),
    ("argparse dest=", ARGPARSE.format(option='"-b", dest="bench", default=1', value="args.bench"), ["6:1: SEED003"]),
    ("not args.no_X of a store_true option",
     ARGPARSE.format(option='"--no_benchmark", action="store_true"', value="not args.no_benchmark"), ["6:1: SEED003"]),
    ("argparse set_defaults(X=True)",
     ARGPARSE.format(option='"--benchmark", action="store_true"', value="args.benchmark").replace(
         "args = ", "parser.set_defaults(benchmark=True)\nargs = "), ["7:1: SEED003"]),
    ("argparse option on an attribute", ARGPARSE.format(option='"--benchmark", default=True',
                                                        value="self.args.benchmark"), ["6:1: SEED003"]),
    ("argparse option through a local variable",
     ARGPARSE.format(option='"--benchmark", default=True', value="bench").replace(
         "torch.backends", "bench = args.benchmark\ntorch.backends"), ["7:1: SEED003"]),
    ("click option with default=True", CLICK.format(option='"--benchmark/--no-benchmark", default=True'),
     ["8:5: SEED003"]),
    ("cfg.get('benchmark', True)", CONFIG.format(value='cfg.get("benchmark", True)'), ["5:5: SEED003"]),
    ("getattr(cfg, 'benchmark', True)", CONFIG.format(value='getattr(cfg, "benchmark", True)'), ["5:5: SEED003"]),
    ("flags(benchmark=) with a default", "import torch\n\n\ndef run(cfg):\n"
     "    with torch.backends.cudnn.flags(benchmark=cfg.get('benchmark', True)):\n        pass\n", ["5:10: SEED003"]),
    ("Trainer(benchmark=) with a default", "import lightning as L\n\n\ndef fit(cfg):\n"
     "    L.Trainer(benchmark=getattr(cfg, 'benchmark', True))\n", ["5:5: SEED003"]),
    ("setattr with a module constant",
     "import torch\nFAST = True\nsetattr(torch.backends.cudnn, 'benchmark', FAST)\n", ["3:1: SEED003"]),
    ("tuple target", "import torch.backends.cudnn as cudnn\ncudnn.deterministic, cudnn.benchmark = False, True\n",
     ["2:1: SEED003"]),
    ("alias made by assignment", "import torch\ncudnn = torch.backends.cudnn\ncudnn.benchmark = True\n",
     ["3:1: SEED003"]),
    ("match on something else", MATCH.format(subject="cfg.mode", case='"fast"'), ["7:13: SEED003"]),
    ("early return on something else", EARLY_RETURN.format(test="not torch.cuda.is_available()"),
     ["7:5: SEED003"]),
    ("conditional expression on something else", CONTEXT.format(test="torch.cuda.is_available()"),
     ["6:10: SEED003"]),
    ("determinism asked for elsewhere in the file",
     "import torch\ntorch.backends.cudnn.deterministic = True\ntorch.backends.cudnn.benchmark = True\n",
     ["3:1: SEED003"]),
]
V2_ALLOWED = [
    ("parameter defaulting to False", PARAMETER.format(default="False")),
    ("parameter without a default", PARAMETER.format(default="None").replace("=None", "")),
    ("parameter defaulting to True that the file's caller sets",
     PARAMETER.format(default="True") + "\n\ntrain(None, cudnn_benchmark=False)\n"),
    ("module constant also bound to False",
     "import sys\nimport torch\nBENCHMARK = True\nif '--exact' in sys.argv:\n    BENCHMARK = False\n"
     "torch.backends.cudnn.benchmark = BENCHMARK\n"),
    ("argparse store_true", ARGPARSE.format(option='"--benchmark", action="store_true"', value="args.benchmark")),
    ("argparse default=False", ARGPARSE.format(option='"--benchmark", type=int, default=0', value="args.benchmark")),
    ("argparse default not a literal",
     ARGPARSE.format(option='"--benchmark", default=bool(1)', value="args.benchmark")),
    ("not args.no_X of a store_false option",
     ARGPARSE.format(option='"--no_benchmark", action="store_false"', value="not args.no_benchmark")),
    ("not args.deterministic: the user's determinism switch decides",
     ARGPARSE.format(option='"--deterministic", action="store_true"', value="not args.deterministic")),
    ("benchmark unless deterministic",
     ARGPARSE.format(option='"--benchmark", default=True', value="args.benchmark and not args.deterministic")),
    ("argparse set_defaults(X=False)",
     ARGPARSE.format(option='"--benchmark", default=True', value="args.benchmark").replace(
         "args = ", "parser.set_defaults(benchmark=False)\nargs = ")),
    ("click flag without a default", CLICK.format(option='"--benchmark/--no-benchmark"')),
    ("cfg.get('benchmark', False)", CONFIG.format(value='cfg.get("benchmark", False)')),
    ("cfg.get('benchmark') without a fallback", CONFIG.format(value='cfg.get("benchmark")')),
    ("getattr(cfg, 'benchmark', False)", CONFIG.format(value='getattr(cfg, "benchmark", False)')),
    ("a value the file cannot see", CONFIG.format(value="cfg.cudnn_benchmark")),
    ("an object's own attribute named like an argparse option",
     ARGPARSE.format(option='"--benchmark", default=True', value="self.benchmark")),
    ("tuple target setting benchmark to False",
     "import torch.backends.cudnn as cudnn\ncudnn.deterministic, cudnn.benchmark = True, False\n"),
    ("alias of another backend", "import torch\ncudnn = torch.backends.mkldnn\ncudnn.benchmark = True\n"),
    ("match on the user's benchmark setting", MATCH.format(subject="cfg.benchmark", case="True")),
    ("a case naming the setting", MATCH.format(subject="cfg.mode", case='"benchmark"')),
    ("early return on the user's benchmark setting", EARLY_RETURN.format(test="not cfg.benchmark")),
    ("early return on the user's determinism setting", EARLY_RETURN.format(test="cfg.deterministic")),
    ("conditional expression on the user's setting", CONTEXT.format(test="args.benchmark")),
    ("determinism asked for, benchmark off",
     "import torch\ntorch.backends.cudnn.deterministic = True\ntorch.backends.cudnn.benchmark = False\n"),
]
FLAGGED_IDS = [f"v1-{i}" for i in range(len(FLAGGED))] + [name for name, _, _ in V2_FLAGGED]
ALLOWED_IDS = [f"v1-{i}" for i in range(len(ALLOWED))] + [name for name, _ in V2_ALLOWED]
FLAGGED += [(source, expected) for _, source, expected in V2_FLAGGED]
ALLOWED += [source for _, source in V2_ALLOWED]


def test_message(lint: Lint) -> None:
    assert lint("import torch.backends.cudnn as cudnn\ncudnn.benchmark = True\n") == [
        "2:1: SEED003 torch.backends.cudnn.benchmark = True lets cuDNN pick convolution algorithms by "
        "timing each run; set it to False and torch.backends.cudnn.deterministic = True for reproducible runs"
    ]


def test_messages_say_where_the_default_comes_from(lint: Lint) -> None:
    flagged = [case for case in V2_FLAGGED if case[0] in (
        "parameter defaulting to True", "module constant bound only to True", "argparse store_false",
        "not args.no_X of a store_true option", "click option with default=True", "cfg.get('benchmark', True)")]
    messages = [lint(source, "--select=SEED003")[0].split(" ", 1)[1] for _, source, _ in flagged]
    assert messages == [
        "SEED003 torch.backends.cudnn.benchmark = cudnn_benchmark, which is True unless the user asks otherwise "
        "(parameter cudnn_benchmark of train() defaults to True at line 4), lets cuDNN pick convolution algorithms "
        "by timing each run; make the default False and set torch.backends.cudnn.deterministic = True for "
        "reproducible runs",
        "SEED003 torch.backends.cudnn.benchmark = BENCHMARK, which is True (BENCHMARK = True at line 2), lets cuDNN "
        "pick convolution algorithms by timing each run; set it to False and torch.backends.cudnn.deterministic = "
        "True for reproducible runs",
        "SEED003 torch.backends.cudnn.benchmark = args.cudnn_benchmark, which is True unless the user asks otherwise "
        "(--cudnn-benchmark is store_false at line 4), lets cuDNN pick convolution algorithms by timing each run; "
        "make the default False and set torch.backends.cudnn.deterministic = True for reproducible runs",
        "SEED003 torch.backends.cudnn.benchmark = not args.no_benchmark, which is True unless the user asks "
        "otherwise (--no_benchmark is store_true at line 4), lets cuDNN pick convolution algorithms by timing each "
        "run; make the default False and set torch.backends.cudnn.deterministic = True for reproducible runs",
        "SEED003 torch.backends.cudnn.benchmark = benchmark, which is True unless the user asks otherwise "
        "(click option --benchmark/--no-benchmark has default=True at line 6), lets cuDNN pick convolution "
        "algorithms by timing each run; make the default False and set torch.backends.cudnn.deterministic = True "
        "for reproducible runs",
        "SEED003 torch.backends.cudnn.benchmark = cfg.get('benchmark', True), which is True unless the user asks "
        "otherwise, lets cuDNN pick convolution algorithms by timing each run; make the default False and set "
        "torch.backends.cudnn.deterministic = True for reproducible runs",
    ]


def test_message_names_the_determinism_it_undoes(lint: Lint) -> None:
    source = (
        "import argparse\nimport torch\nparser = argparse.ArgumentParser()\n"
        "parser.add_argument('--benchmark', default=True)\nargs = parser.parse_args()\n"
        "torch.use_deterministic_algorithms(True)\n"
        "torch.backends.cudnn.deterministic = True\n"
        "torch.backends.cudnn.benchmark = True\n"
        "torch.backends.cudnn.benchmark = args.benchmark\n"
        "with torch.backends.cudnn.flags(benchmark=True):\n    pass\n"
    )
    undoes = ("which undoes torch.use_deterministic_algorithms(True) at line 6 (each run may time its way to "
              "another algorithm)")
    assert lint(source, "--select=SEED003") == [
        f"8:1: SEED003 torch.backends.cudnn.benchmark = True lets cuDNN pick convolution algorithms by timing each "
        f"run, {undoes}; set it to False",
        "9:1: SEED003 torch.backends.cudnn.benchmark = args.benchmark, which is True unless the user asks otherwise "
        "(--benchmark has default=True at line 4), lets cuDNN pick convolution algorithms by timing each run, "
        f"{undoes}; make the default False",
        f"10:6: SEED003 torch.backends.cudnn.flags(benchmark=True) lets cuDNN pick convolution algorithms by timing "
        f"each run, {undoes}; pass benchmark=False",
    ]
    only_cudnn = "import torch\ntorch.backends.cudnn.benchmark = True\ntorch.backends.cudnn.deterministic = True\n"
    assert lint(only_cudnn, "--select=SEED003") == [
        "2:1: SEED003 torch.backends.cudnn.benchmark = True lets cuDNN pick convolution algorithms by timing each "
        "run, which undoes torch.backends.cudnn.deterministic = True at line 3 (each run may time its way to "
        "another algorithm); set it to False",
    ]


CHAIN = 3000


def test_long_chains_are_cut_off_not_followed(lint: Lint) -> None:
    """3,000 aliases of a constant, 3,000 early returns, 3,000 `and` operands: no crash."""
    aliases = ("import torch\nb0 = True\n" + "".join(f"b{i} = b{i - 1}\n" for i in range(1, CHAIN))
               + f"torch.backends.cudnn.benchmark = b{CHAIN - 1}\n")
    assert lint(aliases, "--select=SEED003") == []  # followed only 8 assignments deep: unknown
    returns = ("import torch\n\n\ndef f(cfg):\n" + "".join(f"    if cfg.a{i}:\n        return\n" for i in range(CHAIN))
               + "    torch.backends.cudnn.benchmark = True\n")
    reported = [line.split(" ", 2)[:2] for line in lint(returns, "--select=SEED003")]
    assert reported == [[f"{4 + 2 * CHAIN + 1}:5:", "SEED003"]]
    operands = "import torch\nx = True\ntorch.backends.cudnn.benchmark = " + " and ".join(["x"] * CHAIN) + "\n"
    assert [line.split(" ", 2)[1] for line in lint(operands, "--select=SEED003")] == ["SEED003"]
