"""flake8-seeds never breaks a user's flake8 run, and says the same thing however it is run.

- Every .py file of the standard library and of the installed torch package is parsed once and
  checked: ``SeedsChecker.run()`` must raise nothing and its internal-error guard must write
  nothing to stderr.  Each rule also runs directly (unguarded) on every file as if the file
  imported torch, so rule code meets all of that syntax even where the plugin would stop early.
- Generated programs (hypothesmith, from the grammar and from libCST nodes, and templates that
  put generated expressions where the rules look) never crash a rule either.
- Real flake8, ``-j 1`` and ``-j 2``, on a folder and through stdin, with two hash seeds: the same
  findings, sorted by line and column in every file.
- Syntax that Python 3.10+ added, inside the constructs the rules look at: findings where the
  code has them.  Cases for newer Pythons are collected only where they parse (never skipped),
  and a separate test proves each of those really is a syntax error here.
"""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import traceback
import warnings
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flake8_seeds.checker import SeedsChecker
from flake8_seeds.facts import FileFacts
from flake8_seeds.rules import RULES, Settings

# hypothesmith compiles what it generates; `1.5()` and friends make CPython warn.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

REPO = Path(__file__).resolve().parents[1]
# Default settings, and every option switched on: both reach code the other does not.
ALL_SETTINGS = (
    Settings(),
    Settings(extra_helpers=frozenset({"init_seeds", "my_pkg.utils.set_seed"}), min_torch_version=(1, 8)),
)
CODES = tuple(rule.code for rule in RULES)


def parse_quietly(source: bytes | str, filename: str) -> ast.Module | None:
    """The tree, or None when this Python cannot parse the file (warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source, filename=filename)
        except (SyntaxError, ValueError):  # ValueError: null bytes
            return None


def crashes(tree: ast.AST) -> list[str]:
    """Tracebacks of everything that failed: the checker, then each rule unguarded."""
    found: list[str] = []
    try:
        for line, col, message, kind in SeedsChecker(tree).run():
            if not (isinstance(line, int) and isinstance(col, int) and message.startswith("SEED")):
                found.append(f"malformed finding {(line, col, message, kind)!r}")
    except Exception:
        found.append(traceback.format_exc())
    try:
        facts = FileFacts(tree)
    except Exception:
        return [*found, f"FileFacts: {traceback.format_exc()}"]
    facts.relevant = True  # as if the file imported torch: run every rule's code
    for rule in RULES:
        for options in ALL_SETTINGS:
            try:
                list(rule.check(facts, options))
            except Exception:
                found.append(f"{rule.code} with {options}: {traceback.format_exc()}")
    return found


# -- every file of the standard library and of torch ------------------------------------------

def stdlib_files() -> tuple[Path, list[Path]]:
    root = Path(sysconfig.get_paths()["stdlib"])
    # A site-packages folder under it holds installed packages, not the standard library.
    return root, [p for p in sorted(root.rglob("*.py")) if "site-packages" not in p.relative_to(root).parts]


def torch_files() -> tuple[Path, list[Path]]:
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("torch is not installed: pip install -e '.[test]'")
    root = Path(list(spec.submodule_search_locations)[0])
    return root, sorted(root.rglob("*.py"))


# At least this many files must have been checked, so that the sweep cannot pass on nothing.
MINIMUM_CHECKED = {"stdlib": 1000, "torch": 1500}


@pytest.mark.parametrize("corpus", ["stdlib", "torch"])
def test_every_file_lints_without_error(
    corpus: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SeedsChecker, "settings", Settings())  # other tests may have set options
    root, files = stdlib_files() if corpus == "stdlib" else torch_files()
    failures: list[str] = []
    unparsable: list[str] = []
    checked = 0
    capsys.readouterr()
    for path in files:
        tree = parse_quietly(path.read_bytes(), str(path))
        if tree is None:
            unparsable.append(str(path.relative_to(root)))
            continue
        checked += 1
        failures.extend(f"{path}: {problem}" for problem in crashes(tree))
        written = capsys.readouterr().err
        if written:
            failures.append(f"{path}: wrote to stderr: {written}")
    with capsys.disabled():
        print(f"\n{corpus}: {checked} files checked, {len(unparsable)} do not parse on Python "
              f"{sys.version.split()[0]}: {', '.join(unparsable)}")
    assert not failures, f"{len(failures)} problems; first ones:\n" + "\n".join(failures[:5])
    assert checked >= MINIMUM_CHECKED[corpus]
    # Only old-syntax test data may fail to parse; a Python that cannot parse its own
    # standard library (or torch) would make this sweep meaningless.
    assert len(unparsable) <= 0.01 * len(files)


# -- generated programs -------------------------------------------------------------------------

# Generated code seldom imports torch; with this in front, every rule looks at it.
HEADER = """\
import random
import numpy as np
import torch
import torch.backends.cudnn as cudnn
from torch.utils.data import DataLoader, Dataset, RandomSampler, get_worker_info
"""

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def assert_checks_cleanly(source: str) -> None:
    tree = parse_quietly(source, "<generated>")
    assume(tree is not None)  # e.g. a generated `from __future__` import after the header
    assert tree is not None
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        problems = crashes(tree)
    assert not problems, problems[0]
    assert stderr.getvalue() == ""


@PROPERTY_SETTINGS
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(source: str) -> None:
    assert_checks_cleanly(HEADER + source)


# libCST-built programs are larger and slow to generate (0.1-0.5 s each, and about two
# rejected per accepted one): fewer of them, so that this file stays well under 5 minutes.
@settings(PROPERTY_SETTINGS, max_examples=50)
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(source: str) -> None:
    assert_checks_cleanly(HEADER + source)


# Where the rules look closely: arguments, seeds, assigned values, Dataset and worker code.
# Each {} is filled with a generated expression.  (hypothesmith's own expression start
# symbol, "eval_input", stalls after a few examples, so expressions come from the small
# generator below, built from the names, attributes and argument shapes the rules test.)
TEMPLATES = (
    "DataLoader({}, shuffle={}, generator={})",
    "DataLoader({}, {}, {}, {}, num_workers={})",
    "RandomSampler({}, generator={})",
    "x = {}\nDataLoader(ds, shuffle=x, generator={})",
    "g = torch.Generator()\ng.manual_seed({})\nDataLoader({}, shuffle=True, generator=g)",
    "torch.manual_seed({})\nnp.random.seed({})\nrandom.seed({})",
    "cudnn.benchmark = {}\nsetattr({}, {}, {})\ncudnn.flags(benchmark={})",
    "if __name__ == '__main__':\n    torch.rand({})\n    np.random.default_rng({})",
    "class DS(Dataset):\n    def __init__(self):\n        self.rng = {}\n"
    "    def __getitem__(self, i):\n        return self.rng.random({})",
    "class Sub(DS, {}):\n    rng = {}\n    def __iter__(self):\n        yield {}",
    "def worker_init_fn(worker_id):\n    np.random.seed({})\n    get_worker_info().dataset.rng = {}",
    "DataLoader(DS(), num_workers=2, worker_init_fn=lambda w: torch.manual_seed({}))",
    "def init_seeds(seed={}):\n    random.seed({})\ninit_seeds({})",
    "{}\n{}\n{}",
)
NAMES = ("x", "self", "np", "torch", "random", "cudnn", "seed", "worker_id", "get_worker_info",
         "DataLoader", "Dataset", "DS", "info", "rng", "g", "worker_init_fn", "setattr", "int")
ATTRIBUTES = ("random", "seed", "manual_seed", "rng", "dataset", "benchmark", "Generator",
              "default_rng", "initial_seed", "get_state", "bit_generator", "state", "randint",
              "utils", "data", "backends", "cudnn", "flags", "uniform_", "normal_")
KEYWORDS = ("generator", "shuffle", "seed", "num_workers", "worker_init_fn", "benchmark",
            "sampler", "batch_sampler", "dataset", "x", None)  # None: **kwargs
LEAVES = st.one_of(
    st.sampled_from(NAMES),
    st.integers(min_value=-3, max_value=2**33).map(lambda n: f"({n})"),
    st.sampled_from(["True", "False", "None", "0", "1.5", "'benchmark'", "...", "b''", "2**32"]),
)


def call_source(parts: tuple[str, list[str], list[tuple[str | None, str]], bool]) -> str:
    func, positional, keywords, star = parts
    arguments = [("*" if star and i == 0 else "") + value for i, value in enumerate(positional)]
    arguments += [f"**{value}" if name is None else f"{name}={value}" for name, value in keywords]
    return f"{func}({', '.join(arguments)})"


def compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(ATTRIBUTES)).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(
            inner, st.lists(inner, max_size=3),
            st.lists(st.tuples(st.sampled_from(KEYWORDS), inner), max_size=3), st.booleans(),
        ).map(call_source),
        st.tuples(inner, st.sampled_from(["+", "%", "*", "-", "//", "or", "if x else"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        inner.map(lambda e: f"(lambda worker_id, *a, **k: {e})"),
        st.lists(inner, max_size=3).map(lambda items: "(" + ", ".join(items) + ",)"),
        inner.map(lambda e: f"(-{e})"),
        inner.map(lambda e: f"[{e} for x in range(3) if x]"),
        inner.map(lambda e: f"(x := {e})"),
        inner.map(lambda e: f"(await {e})"),
        inner.map(lambda e: f"f'{{{e}!r:>{{x}}}}'"),
    )


EXPRESSIONS = st.recursive(LEAVES, compound, max_leaves=10)


@st.composite
def templated_programs(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(TEMPLATES))
    expressions = [draw(EXPRESSIONS) for _ in range(template.count("{}"))]
    return HEADER + template.format(*expressions) + "\n"


# Cheap to generate (a few ms each) and closest to what the rules read: more of them.
@settings(PROPERTY_SETTINGS, max_examples=1000)
@given(templated_programs())
def test_generated_expressions_where_the_rules_look(source: str) -> None:
    assert_checks_cleanly(source)


# -- real flake8: -j 1, -j 2, stdin, hash seeds ------------------------------------------------

OWN_BUGGY_FILES = {
    "dataset_rng.py": """\
        import numpy as np
        import torch
        from torch.utils.data import DataLoader, Dataset


        class Noisy(Dataset):
            def __init__(self):
                self.rng = np.random.default_rng(0)
                self.g = torch.Generator().manual_seed(0)

            def __len__(self):
                return 8

            def __getitem__(self, i):
                return self.rng.random() + torch.rand(1, generator=self.g).item()


        loader = DataLoader(Noisy(), batch_size=2, num_workers=2)
        """,
    "train.py": """\
        import numpy as np
        import torch
        from torch.utils.data import DataLoader, RandomSampler, TensorDataset

        if __name__ == "__main__":
            torch.backends.cudnn.benchmark = True
            data = TensorDataset(torch.arange(8))
            loader = DataLoader(data, batch_size=2, shuffle=True); sampler = RandomSampler(data)
            noise = np.random.rand(3)
        """,
}


def flake8_output(cwd: Path, *args: str, stdin: str | None = None, hash_seed: str = "0") -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=SEE", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr == "", done.stderr
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def buggy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("buggy")
    for name, source in OWN_BUGGY_FILES.items():
        (folder / name).write_text(textwrap.dedent(source))
    examples = REPO / "examples"
    if examples.is_dir():
        for path in sorted(examples.glob("*.py")):
            shutil.copy(path, folder / path.name)
    return folder


LINE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>SEED\d{3}) ")


def parsed(lines: list[str]) -> list[tuple[str, int, int, str]]:
    rows = []
    for line in lines:
        match = LINE.match(line)
        assert match, f"not a flake8 finding line: {line!r}"
        rows.append((match["path"], int(match["row"]), int(match["col"]), match["code"]))
    return rows


@pytest.fixture(scope="module")
def serial_output(buggy_folder: Path) -> list[str]:
    return flake8_output(buggy_folder, "-j", "1", ".")


def test_the_folder_has_findings_of_every_rule(serial_output: list[str]) -> None:
    codes = {code for _, _, _, code in parsed(serial_output)}
    assert codes == set(CODES)


def test_same_output_with_two_jobs_and_another_hash_seed(buggy_folder: Path, serial_output: list[str]) -> None:
    assert flake8_output(buggy_folder, "-j", "2", ".") == serial_output
    assert flake8_output(buggy_folder, "-j", "2", ".", hash_seed="12345") == serial_output
    assert flake8_output(buggy_folder, "-j", "1", ".", hash_seed="987") == serial_output


def test_findings_sorted_by_line_and_column_in_each_file(serial_output: list[str]) -> None:
    rows = parsed(serial_output)
    for path in {row[0] for row in rows}:
        positions = [(line, col) for p, line, col, _ in rows if p == path]
        assert positions == sorted(positions), path


def test_same_output_through_stdin(buggy_folder: Path, serial_output: list[str]) -> None:
    checked = 0
    for path in sorted(buggy_folder.glob("*.py")):
        shown = f"./{path.name}"
        expected = [line for line in serial_output if line.startswith(shown + ":")]
        got = flake8_output(buggy_folder, "-", f"--stdin-display-name={shown}", stdin=path.read_text())
        assert got == expected, path.name
        checked += bool(expected)
    assert checked >= len(OWN_BUGGY_FILES)


def test_direct_runs_repeat_exactly(buggy_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SeedsChecker, "settings", Settings())
    for path in sorted(buggy_folder.glob("*.py")):
        tree = ast.parse(path.read_text())
        first = list(SeedsChecker(tree).run())
        assert first == list(SeedsChecker(tree).run()) == list(SeedsChecker(ast.parse(path.read_text())).run())


# -- Python 3.10+ syntax ------------------------------------------------------------------------

SYNTAX_HEADER = """\
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
"""

# (name, minimum Python, source).  A line ending in `# expect: CODE` must get that finding;
# no other line may get one.
SYNTAX_CASES: list[tuple[str, tuple[int, int], str]] = [
    ("match statement", (3, 10), """
        def build(kind, data):
            match kind:
                case {"shuffle": True, **rest}:
                    return DataLoader(data, shuffle=True)  # expect: SEED004
                case [first, *others] if others:
                    torch.backends.cudnn.benchmark = True  # expect: SEED003
                case Point(x=0, y=_) | None:
                    return None
                case str() as name:
                    return name
        """),
    ("walrus", (3, 10), """
        def loaders(datasets):
            if (n := len(datasets)) > 1:
                return [DataLoader(d, shuffle=True) for d in (chosen := datasets[:n])]  # expect: SEED004
        """),
    ("parenthesized context managers", (3, 10), """
        def run(path):
            with (open(path) as f, torch.no_grad()):
                torch.backends.cudnn.benchmark = True  # expect: SEED003
                return f.read()
        """),
    ("positional-only and keyword-only parameters", (3, 10), """
        class Noisy(Dataset):
            def __init__(self, /, seed, *, size=8):
                self.rng = np.random.default_rng(seed)

            def __getitem__(self, index, /):
                return self.rng.random()  # expect: SEED002
        """),
    ("except*", (3, 11), """
        def train(step):
            try:
                step()
            except* ValueError as group:
                torch.backends.cudnn.benchmark = True  # expect: SEED003
            except* (TypeError, KeyError):
                return DataLoader(range(4), shuffle=True)  # expect: SEED004
        """),
    ("PEP 695 type aliases and generics", (3, 12), """
        type Batch = list[torch.Tensor]
        type Pair[T] = tuple[T, T]


        class Noisy[T](Dataset):
            def __init__(self) -> None:
                self.rng = np.random.default_rng(0)

            def __getitem__(self, index: int) -> T:
                return self.rng.random()  # expect: SEED002


        def pick[T: (int, str), *Ts, **P](items: list[T]) -> T:
            torch.backends.cudnn.benchmark = True  # expect: SEED003
            return items[0]
        """),
    ("PEP 701 f-strings", (3, 12), """
        def report(cfg):
            print(f"{cfg["name"]}: {f"{cfg["size"]:>{cfg["width"]}}"}")
            return DataLoader(cfg["data"], shuffle=True)  # expect: SEED004
        """),
    ("PEP 696 type parameter defaults", (3, 13), """
        class Noisy[T = int](Dataset):
            def __init__(self) -> None:
                self.rng = np.random.default_rng(0)

            def __getitem__(self, index: int) -> T:
                return self.rng.random()  # expect: SEED002
        """),
    ("PEP 750 template strings", (3, 14), """
        def describe(loader_args):
            label = t"{loader_args!r:>10}"
            return DataLoader(label, shuffle=True)  # expect: SEED004
        """),
]

SUPPORTED = [case for case in SYNTAX_CASES if sys.version_info >= case[1]]
NEWER = [case for case in SYNTAX_CASES if sys.version_info < case[1]]


def expected_findings(source: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        marker = re.search(r"# expect: (SEED\d{3})$", line)
        if marker:
            found.append((number, marker.group(1)))
    return found


@pytest.mark.parametrize("case", SUPPORTED, ids=[case[0] for case in SUPPORTED])
def test_findings_inside_newer_syntax(case: tuple[str, tuple[int, int], str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SeedsChecker, "settings", Settings())
    source = SYNTAX_HEADER + textwrap.dedent(case[2])
    expected = expected_findings(source)
    assert expected, "a case must expect at least one finding"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        got = sorted((line, message.split(" ", 1)[0]) for line, _, message, _ in SeedsChecker(ast.parse(source)).run())
    assert stderr.getvalue() == ""
    assert got == expected


def test_cases_left_out_are_syntax_errors_on_this_python() -> None:
    """The version gate hides nothing this interpreter could have run."""
    assert len(SUPPORTED) >= 5  # 3.10 and 3.11 syntax: always collected on a supported Python
    for _, _, body in NEWER:
        with pytest.raises(SyntaxError):
            ast.parse(SYNTAX_HEADER + textwrap.dedent(body))


# -- files built to break recursion (DESIGN.md, "Never crash") -----------------------------------

DEPTH = 3000
_HEAD = "import numpy as np\nimport torch\nfrom torch.utils.data import DataLoader, Dataset\n"


def _class_chain() -> str:
    classes = ["class C0(Dataset):\n    def __init__(self):\n        self.rng = np.random.default_rng(0)\n\n"
               "    def __getitem__(self, i):\n        return self.rng.random()\n"]
    classes += [f"class C{i}(C{i - 1}):\n    pass\n" for i in range(1, DEPTH)]
    return _HEAD + "\n\n".join(classes) + f"\n\nDataLoader(C{DEPTH - 1}(), num_workers=2)\n"


def _function_chain() -> str:
    functions = [f"def f{i}():\n    return f{i + 1}()\n" for i in range(DEPTH - 1)]
    functions.append(f"def f{DEPTH - 1}():\n    return torch.rand(1)\n")
    return _HEAD + "\n\n".join(functions) + "\n\nf0()\n"


def _method_chain() -> str:
    methods = [f"    def m{i}(self):\n        return self.m{i + 1}()\n" for i in range(DEPTH - 1)]
    methods.append(f"    def m{DEPTH - 1}(self):\n        return self.rng.random() + np.random.rand()\n")
    return (_HEAD + "class DS(Dataset):\n    def __init__(self):\n        self.rng = np.random.default_rng(0)\n\n"
            "    def __getitem__(self, i):\n        return self.m0()\n\n" + "\n".join(methods)
            + "\n\nDataLoader(DS(), num_workers=2)\n")


def _mutual_recursion() -> str:
    return _HEAD + ("def ping(n):\n    return pong(n - 1) if n else 0\n\n\n"
                    "def pong(n):\n    torch.rand(1)\n    return ping(n)\n\n\nping(3)\n")


def _long_expression() -> str:
    terms = " + ".join(["x"] * 2000)
    return _HEAD + f"x = 1\ntorch.manual_seed({terms})\ncudnn = torch.backends.cudnn\ncudnn.benchmark = {terms}\n"


DEEP = [
    ("3,000-class inheritance chain", _class_chain, ["SEED002"]),
    ("3,000-function call chain", _function_chain, ["SEED001"]),
    ("3,000-method self.m() chain", _method_chain, ["SEED001", "SEED002"]),
    ("mutual recursion", _mutual_recursion, ["SEED001"]),
    ("2,000-term expression", _long_expression, []),
]


@pytest.mark.parametrize(("name", "make", "expected"), DEEP, ids=[case[0] for case in DEEP])
def test_structures_deeper_than_the_recursion_limit(name: str, make: object, expected: list[str]) -> None:
    source = make()  # type: ignore[operator]
    tree = parse_quietly(source, name)
    assert tree is not None
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        problems = crashes(tree)
        found = sorted({message.split(" ", 1)[0] for _, _, message, _ in SeedsChecker(tree).run()})
    assert not problems, problems[0]
    assert stderr.getvalue() == ""
    assert found == expected
