"""Every example is covered by a runtime test, is a program, and is clean of everything but its finding."""
from __future__ import annotations

import ast

import pytest

from tests.runtime import test_seed001_runtime, test_seed002_runtime, test_seed003_runtime, test_seed004_runtime
from tests.runtime.helpers import EXAMPLES, lint

LINT_TABLES = [test_seed001_runtime.LINT, test_seed002_runtime.LINT, test_seed003_runtime.LINT,
               test_seed004_runtime.LINT]
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
