"""Shared fixtures: lint a snippet through real, in-process flake8."""
from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from flake8.main.cli import main as flake8_main

Lint = Callable[..., list[str]]


@pytest.fixture
def lint(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Lint:
    """Lint ``source`` with only the SEED codes selected; return ``line:col: message`` lines."""
    monkeypatch.chdir(tmp_path)

    def run(source: str, *args: str, filename: str = "t.py") -> list[str]:
        (tmp_path / filename).write_text(textwrap.dedent(source))
        capsys.readouterr()
        flake8_main(["--isolated", "--select=SEE", *args, filename])
        out = capsys.readouterr().out
        prefix = filename + ":"
        return [line[len(prefix):] if line.startswith(prefix) else line for line in out.splitlines()]

    return run


def codes(lines: list[str]) -> list[str]:
    """``3:1: SEED003`` for each output line: position and code, without the message."""
    return [" ".join(line.split(" ", 2)[:2]) for line in lines]
