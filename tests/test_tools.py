"""Where users run flake8-seeds: pre-commit, editors, CI reports and flake8 config files.

Every test drives a real tool in a subprocess (flake8's CLI, pre-commit, a flake8 formatter
plugin) on files written to a temporary directory, the way a user's project would, and asserts
on what that tool printed or wrote.

Test dependencies beyond the plugin's own: ``pre-commit`` (the hook tests; pre-commit itself
installs this repository into a fresh virtualenv, which needs PyPI), ``flake8-json`` and
``flake8-sarif`` (the report tests).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
# Header a realistic project puts in front of the [flake8] section of each config file.
CONFIG_PREAMBLE = {
    "setup.cfg": "[metadata]\nname = demo\n\n",
    "tox.ini": "[tox]\nenv_list = py311\n\n",
    ".flake8": "",
}
# flake8's default output format: path:row:col: CODE text
DEFAULT_LINE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>[A-Z]+[0-9]+) (?P<text>.+)$")


class Finding(NamedTuple):
    path: str
    row: int
    col: int
    code: str


# A training script with one bug of each kind; its fixed twin is below.
TRAIN_BUGGY = textwrap.dedent(
    """\
    import os

    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset


    class Augmented(Dataset):
        def __init__(self) -> None:
            self.rng = np.random.default_rng(0)

        def __len__(self) -> int:
            return 8

        def __getitem__(self, index: int) -> float:
            return float(self.rng.random())


    def main() -> None:
        torch.backends.cudnn.benchmark = True
        loader = DataLoader(Augmented(), batch_size=2, shuffle=True, num_workers=2)
        for batch in loader:
            print(batch, torch.rand(1))


    if __name__ == "__main__":
        main()
    """
)

TRAIN_FIXED = textwrap.dedent(
    """\
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset, get_worker_info


    class Augmented(Dataset):
        def __init__(self) -> None:
            self.rng = np.random.default_rng(0)

        def __len__(self) -> int:
            return 8

        def __getitem__(self, index: int) -> float:
            return float(self.rng.random())


    def seed_worker(worker_id: int) -> None:
        info = get_worker_info()
        info.dataset.rng = np.random.default_rng(info.seed)


    def main() -> None:
        torch.manual_seed(0)
        torch.backends.cudnn.benchmark = False
        loader = DataLoader(
            Augmented(), batch_size=2, shuffle=True, num_workers=2,
            worker_init_fn=seed_worker, generator=torch.Generator().manual_seed(0),
        )
        for batch in loader:
            print(batch, torch.rand(1))


    if __name__ == "__main__":
        main()
    """
)

# A program seeded only through a project helper whose name does not contain "seed".
HELPER_PROGRAM = textwrap.dedent(
    """\
    import numpy as np
    from mylib import make_deterministic


    def main() -> None:
        make_deterministic(0)
        print(np.random.rand())


    if __name__ == "__main__":
        main()
    """
)

# Global numpy.random in worker code: only a problem before torch 1.9.
LEGACY_DATASET = textwrap.dedent(
    """\
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset


    class Noisy(Dataset):
        def __len__(self) -> int:
            return 8

        def __getitem__(self, index: int) -> float:
            return float(np.random.rand())


    torch.manual_seed(0)  # workers reseed NumPy from torch: seeded, so SEED001 is silent
    loader = DataLoader(Noisy(), num_workers=2)
    """
)

# An unseeded program that also turns on cuDNN benchmark mode: SEED001 and SEED003.
BENCHMARK_PROGRAM = textwrap.dedent(
    """\
    import os

    import torch

    torch.backends.cudnn.benchmark = True
    print(torch.rand(2))
    """
)


def line_of(source: str, snippet: str) -> int:
    """1-based number of the only line of source that contains snippet."""
    rows = [number for number, line in enumerate(source.splitlines(), 1) if snippet in line]
    assert len(rows) == 1, f"{snippet!r} is on lines {rows}"
    return rows[0]


def col_of(source: str, snippet: str) -> int:
    """flake8's 1-based column of snippet on its line."""
    line = source.splitlines()[line_of(source, snippet) - 1]
    return line.index(snippet) + 1


def train_buggy_findings(path: str) -> set[Finding]:
    """What flake8-seeds must report on TRAIN_BUGGY, derived from the source text."""
    expected = {
        "SEED002": "self.rng.random()",
        "SEED003": "torch.backends.cudnn.benchmark = True",
        "SEED004": "DataLoader(Augmented()",
        # The shuffling DataLoader is the program's first torch-family use (SEED001 v2).
        "SEED001": "DataLoader(Augmented()",
    }
    return {
        Finding(path, line_of(TRAIN_BUGGY, snippet), col_of(TRAIN_BUGGY, snippet), code)
        for code, snippet in expected.items()
    }


def write(directory: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")


def config(name: str, body: str) -> dict[str, str]:
    """A config file `name` whose [flake8] section is body."""
    return {name: CONFIG_PREAMBLE[name] + "[flake8]\n" + textwrap.dedent(body)}


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without anything that would point git or flake8 elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "FLAKE8"))}
    env.update(extra)
    return env


def flake8(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real flake8 CLI of this interpreter in cwd (so it reads cwd's config files)."""
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )


def parse(result: subprocess.CompletedProcess[str]) -> set[Finding]:
    """Findings from flake8's default output; every line of stdout must be one."""
    assert "Traceback" not in result.stderr, result.stderr
    found: set[Finding] = set()
    for line in result.stdout.splitlines():
        match = DEFAULT_LINE.match(line)
        assert match, f"not a flake8 finding line: {line!r}\nstderr: {result.stderr}"
        found.add(Finding(match["path"], int(match["row"]), int(match["col"]), match["code"]))
    return found


def codes(result: subprocess.CompletedProcess[str]) -> set[tuple[str, str]]:
    """(path, code) pairs from flake8's default output."""
    return {(f.path, f.code) for f in parse(result)}


# --------------------------------------------------------------------------------------------
# pre-commit
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the session, apart from the user's ~/.cache/pre-commit.

    `try-repo` keeps its clone and hook virtualenv in a temporary store of its own, so each call
    still installs this repository once; the shared home keeps pre-commit's log and any other
    state out of the user's cache.
    """
    if importlib.util.find_spec("pre_commit") is None:
        pytest.fail("pre-commit is a test dependency of flake8-seeds: pip install pre-commit")
    if shutil.which("git") is None:
        pytest.fail("the pre-commit tests need git on PATH")
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs flake8-seeds as a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml"],
        cwd=REPO, capture_output=True, text=True, env=clean_env(),
    )
    assert tracked.returncode == 0, ".pre-commit-hooks.yaml must be committed: try-repo only sees tracked files"
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """An empty git repository standing for a user's project."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=clean_env())
    return tmp_path


def try_repo(user_repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "flake8-seeds",
         "--color=never", "--files", *files],
        cwd=user_repo,
        capture_output=True,
        text=True,
        env=clean_env(PRE_COMMIT_HOME=str(home)),
        timeout=540,
    )


def validated_hooks() -> dict[str, dict[str, Any]]:
    """The hooks of this repository's manifest, checked with pre-commit's own validator and read
    by its loader (with the defaults it fills in), by id."""
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
        capture_output=True, text=True, env=clean_env(), timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    from pre_commit.clientlib import load_manifest  # type: ignore[import-untyped]

    return {hook["id"]: hook for hook in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}


def test_hook_manifest_declares_the_documented_hook() -> None:
    hook = validated_hooks()["flake8-seeds"]
    assert hook["language"] == "python"
    assert hook["entry"] == "flake8"
    assert hook["types"] == ["python"]
    assert hook["require_serial"] is False
    assert [arg for arg in hook["args"] if arg.startswith("--select")] == ["--select=SEE"]


def test_pre_commit_hook_fails_on_finding_and_passes_on_fixed_file(pre_commit_home: Path, user_repo: Path) -> None:
    # The user's own flake8 config applies inside the hook: here it turns SEED003 off.
    write(user_repo, config(".flake8", "per-file-ignores = *: SEED003\n"))
    write(user_repo, {"train.py": TRAIN_BUGGY})
    failed = try_repo(user_repo, pre_commit_home, "train.py")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "Failed" in output and "- hook id: flake8-seeds" in output, output
    reported = {Finding(m["path"], int(m["row"]), int(m["col"]), m["code"])
                for m in map(DEFAULT_LINE.match, output.splitlines()) if m}
    expected = {f for f in train_buggy_findings("train.py") if f.code != "SEED003"}
    assert reported == expected and len(expected) == 3, output
    # Only SEED codes: the unused `import os` (pyflakes F401) is not this hook's business.
    assert "F401" not in output

    write(user_repo, {"train.py": TRAIN_FIXED})
    passed = try_repo(user_repo, pre_commit_home, "train.py")
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "Passed" in output and "SEED" not in output.replace("flake8-seeds", ""), output


# --------------------------------------------------------------------------------------------
# Editors: flake8 reads the unsaved buffer from stdin
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_stdin_findings_equal_file_findings(tmp_path: Path, newline: str) -> None:
    source = TRAIN_BUGGY.replace("\n", newline)
    write(tmp_path, {"pkg/train.py": source})
    from_file = flake8(tmp_path, "--select=SEE", "pkg/train.py")
    from_stdin = flake8(tmp_path, "--select=SEE", "--stdin-display-name=pkg/train.py", "-", stdin=source)
    assert from_file.returncode == from_stdin.returncode == 1
    assert parse(from_stdin) == parse(from_file) == train_buggy_findings("pkg/train.py")
    # The whole report, messages included, is the same text.
    assert from_stdin.stdout == from_file.stdout


def test_stdin_lints_the_buffer_not_the_file_on_disk(tmp_path: Path) -> None:
    """What an editor needs: findings for the text being edited, whatever is saved."""
    write(tmp_path, {"train.py": TRAIN_FIXED})
    unsaved_bug = flake8(tmp_path, "--select=SEE", "--stdin-display-name=train.py", "-", stdin=TRAIN_BUGGY)
    assert parse(unsaved_bug) == train_buggy_findings("train.py")

    write(tmp_path, {"train.py": TRAIN_BUGGY})
    unsaved_fix = flake8(tmp_path, "--select=SEE", "--stdin-display-name=train.py", "-", stdin=TRAIN_FIXED)
    assert unsaved_fix.returncode == 0 and parse(unsaved_fix) == set(), unsaved_fix.stdout


def test_stdin_uses_display_name_for_config_and_noqa(tmp_path: Path) -> None:
    """Config is found from the cwd; per-file-ignores match the display name, noqa works."""
    buffer = TRAIN_BUGGY.replace("num_workers=2)", "num_workers=2)  # noqa: SEED004")
    write(tmp_path, config(".flake8", "per-file-ignores = pkg/*: SEED003\n"))
    named = flake8(tmp_path, "--select=SEE", "--stdin-display-name=pkg/train.py", "-", stdin=buffer)
    assert {f.code for f in parse(named)} == {"SEED001", "SEED002"}
    # Without a display name flake8 calls the buffer "stdin" and the path pattern cannot match.
    anonymous = flake8(tmp_path, "--select=SEE", "-", stdin=buffer)
    assert codes(anonymous) == {("stdin", "SEED001"), ("stdin", "SEED002"), ("stdin", "SEED003")}


# --------------------------------------------------------------------------------------------
# CI reports: machine-readable output through flake8 formatter plugins
# --------------------------------------------------------------------------------------------


def require_formatter(package: str, module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{package} is a test dependency of flake8-seeds (pip install {package})")


def test_json_report(tmp_path: Path) -> None:
    require_formatter("flake8-json", "flake8_json_reporter")
    write(tmp_path, {"pkg/train.py": TRAIN_BUGGY, "pkg/fixed.py": TRAIN_FIXED})
    result = flake8(tmp_path, "--select=SEE", "--format=json", "--output-file=report.json", "pkg")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    report: dict[str, list[dict[str, Any]]] = json.loads((tmp_path / "report.json").read_text())
    assert set(report) == {"pkg/train.py", "pkg/fixed.py"}
    assert report["pkg/fixed.py"] == []
    found = {Finding(e["filename"], e["line_number"], e["column_number"], e["code"]) for e in report["pkg/train.py"]}
    assert found == train_buggy_findings("pkg/train.py")
    for entry in report["pkg/train.py"]:
        # flake8 splits the code off the message; the text still names the fix.
        assert not entry["text"].startswith("SEED") and ";" in entry["text"], entry


def test_sarif_report(tmp_path: Path) -> None:
    """flake8-sarif writes SARIF 2.1.0; redirect stdout (its --output-file stays empty)."""
    require_formatter("flake8-sarif", "flake8_sarif_reporter")
    write(tmp_path, {"pkg/train.py": TRAIN_BUGGY})
    result = flake8(tmp_path, "--select=SEE", "--format=sarif", "pkg/train.py")
    assert result.returncode == 1, result.stderr
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    found = set()
    for entry in run["results"]:
        location = entry["locations"][0]["physicalLocation"]
        region = location["region"]
        found.add(Finding(location["artifactLocation"]["uri"], region["startLine"], region["startColumn"],
                          entry["ruleId"]))
        assert rule_ids[entry["ruleIndex"]] == entry["ruleId"]
    assert found == train_buggy_findings("pkg/train.py")
    assert sorted(rule_ids) == ["SEED001", "SEED002", "SEED003", "SEED004"]


def test_github_annotation_format(tmp_path: Path) -> None:
    """flake8's own --format string can print GitHub workflow-command annotations."""
    write(tmp_path, {"pkg/train.py": TRAIN_BUGGY})
    template = "::error file=%(path)s,line=%(row)d,col=%(col)d,title=%(code)s::%(code)s %(text)s"
    result = flake8(tmp_path, "--select=SEE", f"--format={template}", "pkg/train.py")
    assert result.returncode == 1, result.stderr
    pattern = re.compile(r"^::error file=(?P<path>[^,]+),line=(?P<row>\d+),col=(?P<col>\d+),"
                         r"title=(?P<code>SEED\d{3})::(?P=code) \S.*$")
    found = set()
    for line in result.stdout.splitlines():
        match = pattern.match(line)
        assert match, line
        found.add(Finding(match["path"], int(match["row"]), int(match["col"]), match["code"]))
    assert found == train_buggy_findings("pkg/train.py")


# --------------------------------------------------------------------------------------------
# Configuration: plugin options and turning rules off, from the CLI and from config files
# --------------------------------------------------------------------------------------------


@pytest.fixture
def option_project(tmp_path: Path) -> Path:
    write(tmp_path, {"prog.py": HELPER_PROGRAM, "data/noisy.py": LEGACY_DATASET})
    return tmp_path


LEGACY_FINDING = Finding(
    "data/noisy.py", line_of(LEGACY_DATASET, "np.random.rand()"), col_of(LEGACY_DATASET, "np.random.rand()"),
    "SEED002",
)
HELPER_FINDING = Finding(
    "prog.py", line_of(HELPER_PROGRAM, "np.random.rand()"), col_of(HELPER_PROGRAM, "np.random.rand()"), "SEED001"
)


def test_options_default_without_config(option_project: Path) -> None:
    """The baseline the option tests change: an unknown helper seeds nothing; no legacy check."""
    result = flake8(option_project, "--select=SEE", "prog.py", "data/noisy.py")
    assert parse(result) == {HELPER_FINDING}


@pytest.mark.parametrize("config_name", CONFIG_FILES)
def test_options_from_config_file(option_project: Path, config_name: str) -> None:
    write(option_project, config(config_name, """\
        select = SEE
        seeds-helpers = make_deterministic
        seeds-min-torch-version = 1.8
        """))
    result = flake8(option_project, "prog.py", "data/noisy.py")
    assert parse(result) == {LEGACY_FINDING}


def test_multiline_helper_list_in_config(option_project: Path) -> None:
    write(option_project, config("setup.cfg", """\
        seeds-helpers =
            other_pkg.reset_everything,
            make_deterministic
        """))
    assert parse(flake8(option_project, "--select=SEE", "prog.py")) == set()


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("--seeds-helpers=make_deterministic", set()),
        ("--seeds-helpers=mylib.make_deterministic", set()),
        ("--seeds-helpers=other_pkg.make_deterministic", {HELPER_FINDING}),  # imported from mylib
        ("--seeds-helpers=reset_everything", {HELPER_FINDING}),
        ("--seeds-min-torch-version=1.8", {HELPER_FINDING, LEGACY_FINDING}),
        ("--seeds-min-torch-version=1.9", {HELPER_FINDING}),
    ],
)
def test_options_on_command_line(option_project: Path, option: str, expected: set[Finding]) -> None:
    assert parse(flake8(option_project, "--select=SEE", option, "prog.py", "data/noisy.py")) == expected


@pytest.mark.parametrize("config_name", CONFIG_FILES)
def test_per_file_ignores_turns_off_one_rule_from_config(tmp_path: Path, config_name: str) -> None:
    """The documented way to turn off one SEED rule in a config file."""
    write(tmp_path, {"bench.py": BENCHMARK_PROGRAM, "sub/dir/bench.py": BENCHMARK_PROGRAM})
    write(tmp_path, config(config_name, "per-file-ignores = *: SEED003\n"))
    result = flake8(tmp_path, "bench.py", "sub/dir/bench.py")
    assert codes(result) == {("bench.py", "SEED001"), ("bench.py", "F401"),
                             ("sub/dir/bench.py", "SEED001"), ("sub/dir/bench.py", "F401")}


@pytest.mark.parametrize("key", ["extend-ignore", "ignore"])
def test_four_letter_code_in_config_ignore_is_refused_by_flake8(tmp_path: Path, key: str) -> None:
    """flake8 (7.x) validates ignore / extend-ignore in config files against [A-Z]{1,3}[0-9]{0,3}."""
    write(tmp_path, {"bench.py": BENCHMARK_PROGRAM})
    write(tmp_path, config(".flake8", f"{key} = SEED003\n"))
    result = flake8(tmp_path, "bench.py")
    assert result.returncode != 0
    assert "ValueError" in result.stderr
    assert f"Error code 'SEED003' supplied to '{key}' option does not match" in result.stderr
    assert result.stdout == ""


def test_extend_ignore_see_in_config_turns_off_every_seed_rule(tmp_path: Path) -> None:
    write(tmp_path, {"bench.py": BENCHMARK_PROGRAM})
    write(tmp_path, config(".flake8", "extend-ignore = SEE\n"))
    assert codes(flake8(tmp_path, "bench.py")) == {("bench.py", "F401")}


def test_select_listing_codes_in_config_leaves_one_rule_out(tmp_path: Path) -> None:
    write(tmp_path, {"bench.py": BENCHMARK_PROGRAM})
    write(tmp_path, config("tox.ini", "select = E,F,W,C90,SEED001,SEED002,SEED004\n"))
    assert codes(flake8(tmp_path, "bench.py")) == {("bench.py", "SEED001"), ("bench.py", "F401")}


@pytest.mark.parametrize("option", ["--extend-ignore=SEED003", "--ignore=SEED003"])
def test_four_letter_ignore_works_on_command_line(tmp_path: Path, option: str) -> None:
    write(tmp_path, {"bench.py": BENCHMARK_PROGRAM})
    assert codes(flake8(tmp_path, "--select=SEE", option, "bench.py")) == {("bench.py", "SEED001")}


def test_noqa_with_a_seed_code(tmp_path: Path) -> None:
    source = BENCHMARK_PROGRAM.replace("= True", "= True  # noqa: SEED003").replace(
        "print(torch.rand(2))", "print(torch.rand(2))  # noqa: SEED003")
    write(tmp_path, {"bench.py": source})
    # The noqa names SEED003, so it silences SEED003 and leaves SEED001 on its line alone.
    assert parse(flake8(tmp_path, "--select=SEE", "bench.py")) == {
        Finding("bench.py", line_of(source, "torch.rand(2)"), col_of(source, "torch.rand(2)"), "SEED001")}


BAD_VALUES = [
    ("seeds-min-torch-version", "banana", "is not a version"),
    ("seeds-helpers", "1bad", "is not a function name"),
]


def assert_clean_usage_error(result: subprocess.CompletedProcess[str], option: str, value: str, why: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"flake8: error: --{option}: {value!r} {why}"), result.stderr
    assert len(errors[0]) < 200


@pytest.mark.parametrize(("option", "value", "why"), BAD_VALUES)
def test_malformed_option_on_command_line(tmp_path: Path, option: str, value: str, why: str) -> None:
    write(tmp_path, {"bench.py": BENCHMARK_PROGRAM})
    assert_clean_usage_error(flake8(tmp_path, f"--{option}={value}", "bench.py"), option, value, why)


@pytest.mark.parametrize(("option", "value", "why"), BAD_VALUES)
def test_malformed_option_in_config_file(tmp_path: Path, option: str, value: str, why: str) -> None:
    write(tmp_path, {"bench.py": BENCHMARK_PROGRAM})
    write(tmp_path, config("setup.cfg", f"{option} = {value}\n"))
    assert_clean_usage_error(flake8(tmp_path, "bench.py"), option, value, why)
