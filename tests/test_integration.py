"""The plugin inside flake8, in process: on by default, select; plus one subprocess smoke test.

noqa, per-file-ignores, ignore, every option from the command line and from setup.cfg,
tox.ini and .flake8, and malformed option values are tested in test_tools.py.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from flake8.main.cli import main as flake8_main

from flake8_seeds.rules import RULES, Finding, Rule

BUGGY = textwrap.dedent("""\
    import torch
    torch.backends.cudnn.benchmark = True
    x = torch.randn(3)
""")


def run_in(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           *args: str, config: str | None = None, source: str = BUGGY) -> list[str]:
    """Run flake8 in ``tmp_path`` (reading its setup.cfg, if any) and return the codes it printed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.py").write_text(source)
    if config is not None:
        (tmp_path / "setup.cfg").write_text("[flake8]\n" + textwrap.dedent(config))
    capsys.readouterr()
    flake8_main([*args, "t.py"])
    return [line.split(" ")[1] for line in capsys.readouterr().out.splitlines()]


def test_on_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_in(tmp_path, capsys, monkeypatch) == ["SEED003", "SEED001"]


def test_select_hides_the_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_in(tmp_path, capsys, monkeypatch, config="select = E,F,W\n") == []


def test_extend_select_on_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_in(tmp_path, capsys, monkeypatch, "--select=E", "--extend-select=SEED001") == ["SEED001"]


def test_subprocess_smoke(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(BUGGY)
    result = subprocess.run([sys.executable, "-m", "flake8", "--select=SEE", "t.py"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "t.py:2:1: SEED003 torch.backends.cudnn.benchmark = True lets cuDNN pick convolution algorithms by "
        "timing each run; set it to False and torch.backends.cudnn.deterministic = True for reproducible runs",
        "t.py:3:5: SEED001 torch.randn draws from the torch global RNG, which this program never seeds; "
        "call torch.manual_seed(seed) at startup",
    ]


def test_version_lists_the_plugin() -> None:
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "flake8-seeds" in result.stdout.replace("\n", " ")


def test_plugin_imports_nothing_heavy() -> None:
    code = ("import sys, flake8_seeds.checker; "
            "print(sorted(m for m in ('torch', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_internal_error_is_one_line_and_other_rules_still_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(facts: object, settings: object) -> Iterator[Finding]:
        raise RuntimeError("boom")

    rules = tuple(Rule(r.code, r.summary, broken) if r.code == "SEED001" else r for r in RULES)
    monkeypatch.setattr("flake8_seeds.checker.RULES", rules)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.py").write_text(BUGGY)
    capsys.readouterr()
    flake8_main(["--select=SEE", "t.py"])
    captured = capsys.readouterr()
    assert [line.split(" ")[1] for line in captured.out.splitlines()] == ["SEED003"]
    assert captured.err == "flake8-seeds: internal error in SEED001 (RuntimeError: boom); other rules still ran. " \
                           "Please report it.\n"
