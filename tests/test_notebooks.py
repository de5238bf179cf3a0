"""Jupyter notebooks: flake8-seeds through nbQA, on the command line and as a pre-commit hook.

flake8 does not read ``.ipynb`` files. nbQA writes a notebook's code cells to a temporary Python
file next to it (IPython magics and shell lines such as ``%matplotlib inline`` and ``!pip install``
become comments), runs flake8 on that file and rewrites each finding's position as
``notebook.ipynb:cell_N:row:col``, where ``N`` counts code cells from 1 (markdown cells are not
counted) and ``row`` is the line within that cell. The cells are module-level code, one after
the other, so a notebook that trains is a program for SEED001.

Every test builds its notebooks with nbformat, runs the real tool (``python -m nbqa flake8``, or
``pre-commit try-repo`` with this repository's ``flake8-seeds-notebooks`` hook) in a subprocess
and asserts on what it printed. No Jupyter server or kernel is involved.

Test dependencies: ``nbqa`` and ``nbformat``; the hook tests also need ``pre-commit``, git, and
PyPI (pre-commit installs this repository and nbqa into a fresh virtualenv).
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.test_tools import REPO, clean_env, validated_hooks, write

# nbqa's rewrite of flake8's default format: path:cell_N:row:col: CODE text
NOTEBOOK_LINE = re.compile(
    r"^(?P<path>.+?\.ipynb):cell_(?P<cell>\d+):(?P<row>\d+):(?P<col>\d+): (?P<code>[A-Z]+[0-9]+) (?P<text>.+)$"
)
HOOK_ID = "flake8-seeds-notebooks"


class Md(str):
    """A markdown cell in a notebook's cell list (every plain string is a code cell)."""


class Row(NamedTuple):
    """One rule in a notebook: the buggy notebook's cells, its fixed twin, and what nbqa reports.

    ``expected`` holds ``cell_N:row:col: CODE`` for the buggy notebook; the fixed one reports nothing.
    """

    code: str
    buggy: tuple[str, ...]
    fixed: tuple[str, ...]
    expected: tuple[str, ...]


TITLE = Md("# Experiment\n\nMarkdown cells are not counted in `cell_N`.")

# The notebook the issue is about: a magic and a shell line, then an unseeded training loop.
TRAIN_CELLS = (
    TITLE,
    "%matplotlib inline\n!pip install -q torch matplotlib",
    "import matplotlib.pyplot as plt\nimport torch\nfrom torch import nn",
    Md("## Model"),
    "model = nn.Linear(4, 1)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)",
    "losses = []\n"
    "for step in range(100):\n"
    "    x = torch.ones(8, 4)\n"
    "    loss = model(x).pow(2).mean()\n"
    "    optimizer.zero_grad()\n"
    "    loss.backward()\n"
    "    optimizer.step()\n"
    "    losses.append(loss.item())",
    "plt.plot(losses)",
)
TRAIN_FIXED_CELLS = tuple(
    cell + "\n\ntorch.manual_seed(0)" if cell.startswith("import matplotlib") else cell for cell in TRAIN_CELLS
)
TRAIN_FINDING = "cell_3:1:9: SEED001"  # nn.Linear in the third code cell

NOISY_DATASET = """\
class Noisy(Dataset):
    def __init__(self):
        self.rng = np.random.default_rng(0)

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return self.rng.random()"""

# Shapes the rules flag in a .py file, spread over cells, with magics along the way.
# When a rule lands, add its row (and a fixed twin that differs only in the fix).
DISTRIBUTED_IMPORTS = (
    "import torch\nimport torch.distributed as dist\nfrom torch.utils.data import DataLoader, TensorDataset"
)
ROWS = [
    Row("SEED001", TRAIN_CELLS, TRAIN_FIXED_CELLS, (TRAIN_FINDING,)),
    Row(
        "SEED002",
        (
            TITLE,
            "import numpy as np\nimport torch\nfrom torch.utils.data import DataLoader, Dataset",
            NOISY_DATASET,
            "torch.manual_seed(0)\nloader = DataLoader(Noisy(), batch_size=2, num_workers=2)\n"
            "for batch in loader:\n    print(batch)",
        ),
        (
            TITLE,
            "import numpy as np\nimport torch\nfrom torch.utils.data import DataLoader, Dataset, get_worker_info",
            NOISY_DATASET,
            "def seed_worker(worker_id):\n    info = get_worker_info()\n"
            "    info.dataset.rng = np.random.default_rng(info.seed)",
            "torch.manual_seed(0)\n"
            "loader = DataLoader(Noisy(), batch_size=2, num_workers=2, worker_init_fn=seed_worker)\n"
            "for batch in loader:\n    print(batch)",
        ),
        ("cell_2:9:16: SEED002",),
    ),
    Row(
        "SEED003",
        (TITLE, "%load_ext autoreload\n%autoreload 2\nimport torch\n\ntorch.manual_seed(0)",
         "torch.backends.cudnn.benchmark = True"),
        (TITLE, "%load_ext autoreload\n%autoreload 2\nimport torch\n\ntorch.manual_seed(0)",
         "torch.backends.cudnn.benchmark = False"),
        ("cell_2:1:1: SEED003",),
    ),
    Row(
        "SEED004",
        (
            TITLE,
            "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n\ntorch.manual_seed(0)",
            "data = TensorDataset(torch.arange(8.0))\nloader = DataLoader(data, batch_size=2, shuffle=True)",
            "%%time\nfor epoch in range(2):\n    for batch in loader:\n        print(epoch, batch)",
        ),
        (
            TITLE,
            "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n\ntorch.manual_seed(0)",
            "data = TensorDataset(torch.arange(8.0))\n"
            "loader = DataLoader(data, batch_size=2, shuffle=True, generator=torch.Generator().manual_seed(0))",
            "%%time\nfor epoch in range(2):\n    for batch in loader:\n        print(epoch, batch)",
        ),
        ("cell_2:2:10: SEED004",),
    ),
    Row(
        "SEED005",
        (TITLE, "import torch\nfrom torch.utils.data import DataLoader, DistributedSampler, TensorDataset\n\n"
         "torch.manual_seed(0)",
         "data = TensorDataset(torch.arange(8.0))\nsampler = DistributedSampler(data, num_replicas=2, rank=0)\n"
         "loader = DataLoader(data, batch_size=2, sampler=sampler)",
         "%%time\nfor epoch in range(3):\n    for batch in loader:\n        print(epoch, batch)"),
        (TITLE, "import torch\nfrom torch.utils.data import DataLoader, DistributedSampler, TensorDataset\n\n"
         "torch.manual_seed(0)",
         "data = TensorDataset(torch.arange(8.0))\nsampler = DistributedSampler(data, num_replicas=2, rank=0)\n"
         "loader = DataLoader(data, batch_size=2, sampler=sampler)",
         "%%time\nfor epoch in range(3):\n    sampler.set_epoch(epoch)\n    for batch in loader:\n"
         "        print(epoch, batch)"),
        ("cell_2:2:11: SEED005",),
    ),
    Row(
        "SEED006",
        (TITLE, "import torch\n\ntorch.manual_seed(0)", "%env CUBLAS_WORKSPACE_CONFIG=:4096:8\n"
         "torch.backends.cudnn.determinstic = True\ntorch.backends.cudnn.benchmark = False"),
        (TITLE, "import torch\n\ntorch.manual_seed(0)", "%env CUBLAS_WORKSPACE_CONFIG=:4096:8\n"
         "torch.backends.cudnn.deterministic = True\ntorch.backends.cudnn.benchmark = False"),
        ("cell_2:2:1: SEED006",),
    ),
    Row(
        "SEED007",
        (TITLE, DISTRIBUTED_IMPORTS,
         "dist.init_process_group(\"gloo\")\nrank = dist.get_rank()\ntorch.manual_seed(0)",
         "data = TensorDataset(torch.arange(8.0))\nloader = DataLoader(data, batch_size=2, num_workers=2)\n"
         "for batch in loader:\n    print(rank, batch)"),
        (TITLE, DISTRIBUTED_IMPORTS,
         "dist.init_process_group(\"gloo\")\nrank = dist.get_rank()\ntorch.manual_seed(0 + rank)",
         "data = TensorDataset(torch.arange(8.0))\nloader = DataLoader(data, batch_size=2, num_workers=2)\n"
         "for batch in loader:\n    print(rank, batch)"),
        ("cell_2:3:1: SEED007",),
    ),
]


def require(package: str) -> None:
    if importlib.util.find_spec(package) is None:
        pytest.fail(f"{package} is a test dependency of flake8-seeds (pip install {package})")


def notebook_json(cells: Sequence[str]) -> str:
    """A valid nbformat 4 notebook with these cells (``Md`` ones as markdown), as JSON text."""
    require("nbformat")
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    # nbformat has no type hints.
    notebook = new_notebook(  # type: ignore[no-untyped-call]
        cells=[
            new_markdown_cell(c) if isinstance(c, Md) else new_code_cell(c)  # type: ignore[no-untyped-call]
            for c in cells
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.validate(notebook)
    text: str = nbformat.writes(notebook)  # type: ignore[no-untyped-call]
    return text + "\n"


def nbqa_flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``nbqa flake8`` of this interpreter, run in cwd (so flake8 reads cwd's config)."""
    require("nbqa")
    return subprocess.run(
        [sys.executable, "-m", "nbqa", "flake8", *args],
        cwd=cwd, capture_output=True, text=True, env=clean_env(), timeout=120,
    )


def findings(output: str) -> Iterator[tuple[str, str]]:
    """(notebook path, ``cell_N:row:col: CODE``) for each finding line of nbqa's output."""
    for line in output.splitlines():
        match = NOTEBOOK_LINE.match(line)
        if match:
            yield match["path"], f"cell_{match['cell']}:{match['row']}:{match['col']}: {match['code']}"


def parse(result: subprocess.CompletedProcess[str]) -> set[tuple[str, str]]:
    """Findings from nbqa's stdout; every line of it must be one, and nothing may crash."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    found = set(findings(result.stdout))
    assert len(found) == len(lines), f"not all nbqa output lines are findings:\n{result.stdout}\n{result.stderr}"
    return found


# --------------------------------------------------------------------------------------------
# nbqa flake8
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=[row.code for row in ROWS])
def test_nbqa_reports_each_rule_at_its_cell_and_line(tmp_path: Path, row: Row) -> None:
    write(tmp_path, {"buggy.ipynb": notebook_json(row.buggy), "fixed.ipynb": notebook_json(row.fixed)})
    result = nbqa_flake8(tmp_path, "buggy.ipynb", "fixed.ipynb", "--select=SEE")
    assert result.returncode == 1, result.stdout + result.stderr
    assert parse(result) == {("buggy.ipynb", finding) for finding in row.expected}
    for line in result.stdout.splitlines():
        # The message is the rule's own one line, starting with the code.
        assert line.split(": ", 1)[1].startswith(row.code + " "), line


def test_fixed_notebooks_pass(tmp_path: Path) -> None:
    """Every fixed twin at once: nbqa exits 0 and prints nothing."""
    write(tmp_path, {f"{row.code}.ipynb": notebook_json(row.fixed) for row in ROWS})
    result = nbqa_flake8(tmp_path, *(f"{row.code}.ipynb" for row in ROWS), "--select=SEE")
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_messages_quote_no_line_of_the_temporary_file(tmp_path: Path) -> None:
    """A use reached through a function of an earlier cell: the message names the call, not nbQA's line."""
    cells = ["import torch\n\n\ndef make_model():\n    return torch.nn.Linear(2, 2)", "%matplotlib inline",
             "model = make_model()"]
    write(tmp_path, {"reached.ipynb": notebook_json(cells)})
    result = nbqa_flake8(tmp_path, "reached.ipynb", "--select=SEE")
    assert parse(result) == {("reached.ipynb", "cell_1:5:12: SEED001")}
    assert "(reached through make_model())" in result.stdout
    assert " at line " not in result.stdout


def test_magics_stop_plain_flake8_but_not_nbqa(tmp_path: Path) -> None:
    """The notebook's code as one .py file is not Python (E999): the plugin never sees it.

    Through nbqa the same cells get their SEED001, so the magic and shell lines stop nothing.
    """
    code = "\n\n".join(cell for cell in TRAIN_CELLS if not isinstance(cell, Md)) + "\n"
    write(tmp_path, {"train.py": code, "train.ipynb": notebook_json(TRAIN_CELLS)})
    as_python = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=SEE,E999", "train.py"],
        cwd=tmp_path, capture_output=True, text=True, env=clean_env(), timeout=120,
    )
    assert [line.split(" ")[1] for line in as_python.stdout.splitlines()] == ["E999"], as_python.stdout
    assert parse(nbqa_flake8(tmp_path, "train.ipynb", "--select=SEE")) == {("train.ipynb", TRAIN_FINDING)}


IMPORTS = "import torch\nfrom torch import nn"
MODEL = "model = nn.Linear(4, 1)"
# (id, the cells after a title and an imports cell, what nbqa reports)
IPYTHON_CELLS = [
    # The body of %%time, %%timeit, %%capture and %%python cells is checked: %%time on the
    # training cell is common.
    ("cell-magic-time", ("%%time\n" + MODEL,), {"cell_2:2:9: SEED001"}),
    ("cell-magic-capture", ("%%capture\n" + MODEL,), {"cell_2:2:9: SEED001"}),
    ("capture-shell-output", ("files = !ls\n" + MODEL,), {"cell_2:2:9: SEED001"}),
    ("help-syntax", (MODEL + "\nmodel?",), {"cell_2:1:9: SEED001"}),
    ("line-magics", ("%load_ext autoreload\n%autoreload 2\n%config InlineBackend.figure_format = 'retina'\n"
                     + MODEL,), {"cell_2:4:9: SEED001"}),
    ("magic-only-cell", ("%matplotlib inline\n!nvidia-smi", MODEL), {"cell_3:1:9: SEED001"}),
    # A cell that is not valid Python is skipped; the cells after it are still checked.
    ("broken-cell", ("def broken(:\n    pass", MODEL), {"cell_3:1:9: SEED001"}),
    ("noqa-in-a-cell", (MODEL + "  # noqa: SEED001",), set()),
    # Known limits: code on a line magic's own line is hidden with the magic, and nbqa skips
    # cells under other cell magics (--nbqa-process-cells=NAME opts one in).
    ("code-after-line-magic", ("%time " + MODEL,), set()),
    ("other-cell-magic", ("%%writefile model.py\n" + MODEL,), set()),
]


@pytest.mark.parametrize(("cells", "expected"), [case[1:] for case in IPYTHON_CELLS], ids=[c[0] for c in IPYTHON_CELLS])
def test_ipython_syntax_in_cells(tmp_path: Path, cells: tuple[str, ...], expected: set[str]) -> None:
    write(tmp_path, {"nb.ipynb": notebook_json([TITLE, IMPORTS, *cells])})
    result = nbqa_flake8(tmp_path, "nb.ipynb", "--select=SEE")
    assert parse(result) == {("nb.ipynb", finding) for finding in expected}
    assert result.returncode == (1 if expected else 0), result.stderr


def test_process_cells_option_checks_another_cell_magic(tmp_path: Path) -> None:
    write(tmp_path, {"nb.ipynb": notebook_json([TITLE, IMPORTS, "%%writefile model.py\n" + MODEL])})
    result = nbqa_flake8(tmp_path, "nb.ipynb", "--select=SEE", "--nbqa-process-cells=writefile")
    assert parse(result) == {("nb.ipynb", "cell_2:2:9: SEED001")}


BENCHMARK_CELLS = (TITLE, "import torch\n\ntorch.manual_seed(0)", "torch.backends.cudnn.benchmark = True")


@pytest.mark.parametrize(
    ("pattern", "reported"),
    [
        ("*", False),
        ("notebooks/*", False),
        # flake8 sees nbqa's temporary file, named <notebook stem><random>_nbqa_ipynb.py.
        ("*_nbqa_ipynb.py", False),
        ("notebooks/train*_nbqa_ipynb.py", False),
        ("*.ipynb", True),
        ("notebooks/train.ipynb", True),
    ],
)
def test_per_file_ignores_patterns_for_notebooks(tmp_path: Path, pattern: str, reported: bool) -> None:
    write(tmp_path, {
        "notebooks/train.ipynb": notebook_json(BENCHMARK_CELLS),
        ".flake8": f"[flake8]\nper-file-ignores =\n    {pattern}: SEED003\n",
    })
    result = nbqa_flake8(tmp_path, "notebooks/train.ipynb", "--select=SEE")
    expected = {("notebooks/train.ipynb", "cell_2:1:1: SEED003")} if reported else set()
    assert parse(result) == expected


def test_plugin_options_from_config_apply_to_notebooks(tmp_path: Path) -> None:
    cells = (TITLE, "import torch\nfrom mylib import make_deterministic", "make_deterministic(0)\nx = torch.rand(2)")
    write(tmp_path, {"nb.ipynb": notebook_json(cells)})
    assert parse(nbqa_flake8(tmp_path, "nb.ipynb", "--select=SEE")) == {("nb.ipynb", "cell_2:2:5: SEED001")}
    write(tmp_path, {"setup.cfg": "[flake8]\nseeds-helpers = make_deterministic\n"})
    assert parse(nbqa_flake8(tmp_path, "nb.ipynb", "--select=SEE")) == set()


# --------------------------------------------------------------------------------------------
# The pre-commit hook for notebooks
# --------------------------------------------------------------------------------------------


def test_notebook_hook_manifest() -> None:
    """The second hook, as pre-commit's own validator and loader read it."""
    hooks = validated_hooks()
    hook = hooks[HOOK_ID]
    assert (hook["language"], hook["entry"], hook["types"]) == ("python", "nbqa flake8", ["jupyter"])
    assert [arg for arg in hook["args"] if arg.startswith("--select")] == ["--select=SEE"]
    # pre-commit installs the repository itself (flake8 and the plugin); nbqa comes from here.
    assert [dep for dep in hook["additional_dependencies"] if dep.startswith("nbqa")] == ["nbqa==1.9.1"]
    # The Python files hook stays as it was.
    assert hooks["flake8-seeds"]["types"] == ["python"] and hooks["flake8-seeds"]["entry"] == "flake8"


# The user's project for the hook: its flake8 config turns SEED003 off for notebooks, so the
# buggy notebook (the training notebook plus a benchmark line) fails with SEED001 only.
HOOK_CONFIG = "[flake8]\nper-file-ignores =\n    *_nbqa_ipynb.py: SEED003\n"
HOOK_BUGGY = TRAIN_CELLS + ("torch.backends.cudnn.benchmark = True",)
HOOK_FIXED = TRAIN_FIXED_CELLS + ("torch.backends.cudnn.benchmark = True",)


class HookRun(NamedTuple):
    returncode: int
    output: str


@pytest.fixture(scope="module")
def hook_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, HookRun]:
    """``pre-commit try-repo`` with the notebook hook, on the buggy and on the fixed notebook.

    try-repo installs the hook's virtualenv in a temporary store of its own on every call, so
    the environment cannot be shared between calls; the two calls run side by side instead, once
    for the module. PRE_COMMIT_HOME points into the test's temporary directory.
    """
    require("pre_commit")
    if shutil.which("git") is None:
        pytest.fail("the pre-commit tests need git on PATH")
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs flake8-seeds as a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml"],
        cwd=REPO, capture_output=True, text=True, env=clean_env(),
    )
    assert tracked.returncode == 0, ".pre-commit-hooks.yaml must be committed: try-repo only sees tracked files"
    home = tmp_path_factory.mktemp("pre-commit-home")
    running = {}
    for name, cells in (("buggy", HOOK_BUGGY), ("fixed", HOOK_FIXED)):
        user_repo = tmp_path_factory.mktemp(f"user-repo-{name}")
        subprocess.run(["git", "init", "-q", str(user_repo)], check=True, env=clean_env())
        write(user_repo, {"notebooks/train.ipynb": notebook_json(cells), ".flake8": HOOK_CONFIG})
        running[name] = subprocess.Popen(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), HOOK_ID,
             "--color=never", "--files", "notebooks/train.ipynb"],
            cwd=user_repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=clean_env(PRE_COMMIT_HOME=str(home)),
        )
    runs = {}
    for name, process in running.items():
        output, _ = process.communicate(timeout=540)
        runs[name] = HookRun(process.returncode, output)
    return runs


def test_notebook_hook_fails_on_the_buggy_notebook(hook_runs: dict[str, HookRun]) -> None:
    run = hook_runs["buggy"]
    assert run.returncode == 1, run.output
    assert "Failed" in run.output and f"- hook id: {HOOK_ID}" in run.output, run.output
    assert set(findings(run.output)) == {("notebooks/train.ipynb", TRAIN_FINDING)}, run.output
    # Only SEED codes: the magic lines' E402 and the like are not this hook's business.
    assert re.search(r"\b[EFW]\d{3}\b", run.output) is None, run.output


def test_notebook_hook_passes_on_the_fixed_notebook(hook_runs: dict[str, HookRun]) -> None:
    run = hook_runs["fixed"]
    assert run.returncode == 0, run.output
    assert "Passed" in run.output and not list(findings(run.output)), run.output
