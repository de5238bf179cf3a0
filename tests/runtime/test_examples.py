"""Every example is covered by a runtime test, is a program, and is clean of everything but its finding."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.runtime.helpers import EXAMPLES, lint

RUNTIME_MODULES = sorted(path.stem for path in Path(__file__).parent.glob("test_*_runtime.py"))
LINT_TABLES = [importlib.import_module(f"tests.runtime.{name}").LINT for name in RUNTIME_MODULES]
NAMES = sorted(name for table in LINT_TABLES for name in table)


def test_every_example_has_a_runtime_test() -> None:
    assert NAMES == sorted(path.name for path in EXAMPLES.glob("*.py"))


def _is_main_guard(node: ast.stmt) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and ast.unparse(node.test) in ('__name__ == "__main__"', "__name__ == '__main__'"))


@pytest.mark.parametrize("name", NAMES)
def test_example_is_a_program(name: str) -> None:
    tree = ast.parse((EXAMPLES / name).read_text(), filename=name)
    assert any(_is_main_guard(node) for node in tree.body), f"{name} has no `if __name__ == \"__main__\":` block"


@pytest.mark.parametrize("name", NAMES)
def test_example_is_clean_of_style_and_pyflakes_findings(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert lint(capsys, name, "--select=E,W,F,C90", "--max-line-length=120") == []
