"""Table test for scopes.py: which bindings reach a use, by Python's scoping rules."""
from __future__ import annotations

import ast

import pytest

from flake8_seeds.facts import FileFacts
from flake8_seeds.scopes import start

# (source, the line of the use marked `USE`, the kinds of the bindings that reach it; None: unbound)
CASES = [
    ("import x\nUSE\n", ["import"]),
    ("import x\nx = 1\nUSE\n", ["assign"]),
    ("x = 1\nimport x\nUSE\n", ["import"]),
    # A binding in a branch is an alternative; one in the same block replaces.
    ("import x\nif c:\n    x = 1\nUSE\n", ["import", "assign"]),
    ("import x\nif c:\n    x = 1\nelse:\n    x = 2\nUSE\n", ["import", "assign", "assign"]),
    ("import x\ntry:\n    x = 1\nexcept E:\n    x = 2\nUSE\n", ["assign", "assign"]),
    ("import x\nwith c:\n    x = 1\nUSE\n", ["assign"]),
    # Functions: parameters and locals hide module names; the module's final bindings are seen.
    ("import x\n\n\ndef f(x):\n    USE\n", ["param"]),
    ("import x\n\n\ndef f():\n    USE\n\n\nx = 1\n", ["assign"]),
    ("import x\n\n\ndef f():\n    global x\n    x = 1\n\n\ndef g():\n    USE\n", ["import", "assign"]),
    ("import x\n\n\ndef f():\n    for x in y:\n        USE\n", ["other"]),
    # Lambdas and comprehensions have their own scopes.
    ("import x\nf = lambda x: USE\n", ["param"]),
    ("import x\nys = [USE for x in z]\n", ["other"]),
    # Class bodies are not seen from their methods.
    ("import x\n\n\nclass C:\n    x = 1\n\n    def m(self):\n        USE\n", ["import"]),
    ("import x\n\n\nclass C:\n    x = 1\n    USE\n", ["assign"]),
    # def and class bind their names.
    ("def x():\n    pass\n\n\nUSE\n", ["def"]),
    ("class x:\n    pass\n\n\nUSE\n", ["class"]),
    # A loop body sees bindings made later in the same loop (the next iteration).
    ("import x\nfor i in r:\n    USE\n    x = 1\n", ["import", "assign"]),
    # Nothing binds it.
    ("import y\nUSE\n", None),
]


def kinds(source: str) -> list[str] | None:
    tree = ast.parse(source.replace("USE", "x.use"))
    use = next(n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "use")
    assert isinstance(use.value, ast.Name)
    bindings = FileFacts(tree).scopes.lookup("x", start(use.value))
    return None if bindings is None else sorted(b.kind for b in bindings)


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_reaching_bindings(source: str, expected: list[str] | None) -> None:
    assert kinds(source) == (sorted(expected) if expected is not None else None)


def test_a_walrus_in_a_comprehension_binds_in_the_enclosing_scope() -> None:
    source = "def f():\n    [(y := v) for v in z]\n    return y.use\n"
    tree = ast.parse(source)
    use = next(n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "use")
    bindings = FileFacts(tree).scopes.lookup("y", start(use.value))
    assert bindings is not None and [b.kind for b in bindings] == ["assign"]
