"""SEED006: cuDNN / cuBLAS settings that do not exist, through real flake8, and the tables against torch."""
from __future__ import annotations

import ast
import inspect
import textwrap

from flake8_seeds.rules import seed006
from tests.conftest import Lint

FLAGGED = [
    ("import torch\ntorch.backends.cudnn.determinstic = True\n", ["2:1: SEED006"]),
    ("import torch.backends.cudnn as cudnn\ncudnn.benchmarks = False\n", ["2:1: SEED006"]),
    ("import torch as t\nt.backends.cudnn.enable = True\n", ["2:1: SEED006"]),
    ("from torch.backends import cudnn\ncudnn.deterministic, cudnn.benchmrk = True, False\n", ["2:22: SEED006"]),
    ("from torch.backends import cudnn\n(cudnn.enabled, [cudnn.allow_tf_32, *cudnn.rest]) = True, [False]\n",
     ["2:18: SEED006", "2:38: SEED006"]),
    ("from torch.backends import cudnn\ncudnn.determinstic = cudnn.benchmark = False\n", ["2:1: SEED006"]),
    ("import torch\ntorch.backends.cudnn.determinstic: bool = True\n", ["2:1: SEED006"]),
    ("import torch\n\n\ndef setup():\n    torch.backends.cudnn.deterministc = True\n", ["5:5: SEED006"]),
    ("import torch\nsetattr(torch.backends.cudnn, 'determinstic', True)\n", ["2:1: SEED006"]),
    # A name no setting resembles: still nothing changes.
    ("import torch\ntorch.backends.cudnn.fastest = True\n", ["2:1: SEED006"]),
    ("import torch\ntorch.backends.cuda.matmul.allow_tf23 = False\n", ["2:1: SEED006"]),
    ("import torch.backends.cuda as tbc\ntbc.matmul.allow_fp16_reduced_precision = False\n", ["2:1: SEED006"]),
    ("from torch.backends.cuda import matmul\nmatmul.allow_fp16_reduced_precision_reduction_split_k = False\n",
     ["2:1: SEED006"]),
    ("import torch\nsetattr(torch.backends.cuda.matmul, 'fp32_precison', 'tf32')\n", ["2:1: SEED006"]),
    ("import torch\ncudnn = torch.backends.cudnn\ncudnn.determinstic = True\n", ["3:1: SEED006"]),
]
FLAGGED_IDS = [
    "typo", "alias-module", "alias-torch", "tuple-target", "nested-targets", "chained", "annotated",
    "in-function", "setattr", "no-suggestion", "matmul", "matmul-alias", "matmul-read-only", "matmul-setattr",
    "alias-by-assignment",
]

ALLOWED = [
    "import torch\ntorch.backends.cudnn.deterministic = True\n",
    "import torch.backends.cudnn as cudnn\ncudnn.benchmark = False\n",
    "import torch as t\nt.backends.cudnn.enabled = True\n",
    "from torch.backends import cudnn\ncudnn.deterministic, cudnn.benchmark = True, False\n",
    "from torch.backends import cudnn\n(cudnn.enabled, [cudnn.allow_tf32, *rest]) = True, [False]\n",
    "from torch.backends import cudnn\ncudnn.deterministic = cudnn.benchmark = False\n",
    "import torch\ntorch.backends.cudnn.deterministic: bool = True\n",
    # Annotated without a value: nothing is assigned.
    "import torch\ntorch.backends.cudnn.determinstic: bool\n",
    "import torch\n\n\ndef setup():\n    torch.backends.cudnn.deterministic = True\n",
    "import torch\nsetattr(torch.backends.cudnn, 'deterministic', True)\n",
    "import torch\nname = 'deterministic'\nsetattr(torch.backends.cudnn, name, True)\n",
    # Names that exist but are not settings (a deliberate patch), private names, newer settings.
    "import torch\ntorch.backends.cudnn.version = lambda: 0\n",
    "import torch\ntorch.backends.cudnn._seen = True\n",
    "import torch\ntorch.backends.cudnn.benchmark_limit = 0\ntorch.backends.cudnn.fp32_precision = 'ieee'\n",
    "import torch\ntorch.backends.cudnn.conv.fp32_precision = 'tf32'\n",
    # Other objects' attributes.
    "import torch\n\n\nclass Run:\n    def __init__(self):\n        self.cudnn.determinstic = True\n",
    "import argparse\nimport torch\nargs = argparse.Namespace()\nargs.cudnn_determinstic = True\n",
    "from mylib import cudnn\ncudnn.determinstic = True\n",
    "import torch\ntorch.backends.mkldnn.determinstic = True\n",
    "import torch\ntorch.backends.cuda.matmul.allow_tf32 = False\n",
    "import torch.backends.cuda as tbc\ntbc.matmul.allow_fp16_reduced_precision_reduction = False\n",
    "from torch.backends.cuda import matmul\nmatmul.allow_fp16_reduced_precision_reduction = (False, False)\n",
    "import torch\nsetattr(torch.backends.cuda.matmul, 'fp32_precision', 'tf32')\n",
    # A parameter that shadows the module-level alias is something else.
    "import torch\ncudnn = torch.backends.cudnn\n\n\ndef setup(cudnn):\n    cudnn.determinstic = True\n",
    # Reading is not assigning.
    "import torch\nflag = torch.backends.cudnn.determinstic\n",
]


def test_message_names_the_setting_it_most_likely_meant(lint: Lint) -> None:
    assert lint("import torch.backends.cudnn as cudnn\ncudnn.determinstic = True\n") == [
        "2:1: SEED006 torch.backends.cudnn.determinstic is not a cuDNN setting; PyTorch accepts it and nothing "
        "changes; did you mean torch.backends.cudnn.deterministic?"
    ]


def test_message_lists_the_settings_when_none_is_close(lint: Lint) -> None:
    assert lint("import torch\ntorch.backends.cudnn.fastest = True\n") == [
        "2:1: SEED006 torch.backends.cudnn.fastest is not a cuDNN setting; PyTorch accepts it and nothing changes; "
        "the settings are enabled, benchmark, benchmark_limit, deterministic, allow_tf32, fp32_precision, "
        "depthwise_kernel"
    ]


def test_setattr_message(lint: Lint) -> None:
    assert lint("import torch\nsetattr(torch.backends.cudnn, 'benchmarks', False)\n") == [
        "2:1: SEED006 torch.backends.cudnn.benchmarks is not a cuDNN setting; PyTorch accepts it and nothing "
        "changes; did you mean torch.backends.cudnn.benchmark?"
    ]


def test_matmul_messages_say_it_raises(lint: Lint) -> None:
    source = """\
        import torch
        torch.backends.cuda.matmul.allow_tf23 = False
        torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction_split_k = False
        """
    assert lint(source) == [
        "2:1: SEED006 torch.backends.cuda.matmul.allow_tf23 is not a cuBLAS setting; PyTorch raises "
        "AttributeError when this line runs; did you mean torch.backends.cuda.matmul.allow_tf32?",
        "3:1: SEED006 torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction_split_k can be read but "
        "not set; PyTorch raises AttributeError when this line runs; set "
        "torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = (allow_reduced_precision, "
        "allow_split_k) instead",
    ]


def test_each_typo_of_a_tuple_target_is_reported_where_it_is(lint: Lint) -> None:
    source = "from torch.backends import cudnn\ncudnn.determinstic, cudnn.benchmrk = True, False\n"
    assert [line.split(" did you mean ")[1] for line in lint(source)] == [
        "torch.backends.cudnn.deterministic?", "torch.backends.cudnn.benchmark?",
    ]


def test_suggestions() -> None:
    meant = {
        "determinstic": "deterministic", "detreministic": "deterministic", "determinism": "deterministic",
        "Deterministic": "deterministic", "deterministic_algorithms": "deterministic",
        "benchmarks": "benchmark", "benchmrk": "benchmark", "benchmark_mode": "benchmark",
        "benchmark_limits": "benchmark_limit", "enable": "enabled", "allow_tf_32": "allow_tf32",
        "fastest": None, "verbose": None, "x" * 200: None,
    }
    assert {typed: seed006.most_likely_meant(typed, seed006.CUDNN_SETTINGS) for typed in meant} == meant
    assert seed006.most_likely_meant("fp32_precison", seed006.MATMUL_SETTINGS) == "fp32_precision"
    assert seed006.most_likely_meant("allow_fp16_accumulate", seed006.MATMUL_SETTINGS) == "allow_fp16_accumulation"


def test_edit_distance() -> None:
    assert seed006.edit_distance("determinstic", "deterministic") == 1
    assert seed006.edit_distance("detreministic", "deterministic") == 1  # two letters swapped
    assert seed006.edit_distance("", "abc") == 3
    assert seed006.edit_distance("kitten", "sitting") == 3


def test_cudnn_table_is_the_installed_torch() -> None:
    """The settings are what torch.backends.cudnn declares; every other public name exists on it."""
    import torch.backends.cudnn as cudnn

    module = cudnn.m  # the plain module that CudnnModule wraps
    # The module annotates its settings (`deterministic: bool`) for type checkers.
    assert set(seed006.CUDNN_SETTINGS) == {name for name in module.__annotations__ if not name.startswith("_")}
    assert len(seed006.CUDNN_SETTINGS) == len(set(seed006.CUDNN_SETTINGS))
    properties = {name for name in vars(type(cudnn)) if not name.startswith("_")}
    assert set(seed006.CUDNN_SETTINGS) <= properties
    public = properties | {name for space in (vars(cudnn), vars(module)) for name in space if not name.startswith("_")}
    assert set(seed006.CUDNN_SETTINGS) | seed006.CUDNN_OTHER_NAMES == public
    assert not set(seed006.CUDNN_SETTINGS) & seed006.CUDNN_OTHER_NAMES


def _compared_names(function: object) -> set[str]:
    """The string constants ``name`` is compared with in a function's source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))  # type: ignore[arg-type]
    return {
        side.value for node in ast.walk(tree) if isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Name) and node.left.id == "name"
        for side in node.comparators if isinstance(side, ast.Constant) and isinstance(side.value, str)
    }


def test_matmul_table_is_the_installed_torch() -> None:
    """cuBLASModule.__setattr__ accepts exactly MATMUL_SETTINGS; __getattr__ adds the read-only names."""
    import torch.backends.cuda

    matmul = torch.backends.cuda.matmul
    settable = _compared_names(type(matmul).__setattr__)
    readable = _compared_names(type(matmul).__getattr__)
    assert set(seed006.MATMUL_SETTINGS) == settable
    assert seed006.MATMUL_READ_ONLY == readable - settable
    assert all(name.endswith(seed006.SPLIT_K) and name[: -len(seed006.SPLIT_K)] in settable
               for name in seed006.MATMUL_READ_ONLY)
    # The source says what the object does: settings take their current value back, the rest raise.
    for name in seed006.MATMUL_SETTINGS:
        setattr(matmul, name, getattr(matmul, name))
    for name in sorted(seed006.MATMUL_READ_ONLY) + ["allow_tf23"]:
        try:
            setattr(matmul, name, False)
        except AttributeError as error:
            assert name in str(error)
        else:
            raise AssertionError(f"torch.backends.cuda.matmul.{name} = False raised nothing")


def test_long_names_are_cut_in_the_message(lint: Lint) -> None:
    [line] = lint("import torch\ntorch.backends.cudnn." + "d" * 1000 + " = True\n")
    assert "torch.backends.cudnn." + "d" * 64 + "... is not a cuDNN setting" in line and len(line) < 300
