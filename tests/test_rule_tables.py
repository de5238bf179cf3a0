"""Run every rule's table of flagged and allowed snippets through real flake8.

Each ``tests/test_seed00N.py`` holds ``FLAGGED`` (source, expected ``line:col: CODE`` list) and
``ALLOWED`` (sources that must lint clean), and optionally ``FLAGGED_IDS`` / ``ALLOWED_IDS``.
Each table is linted with only its own code selected: a snippet may also show another rule's bug
(a shuffling DataLoader in an unseeded program is SEED004's and SEED001's), tested where it matters.
"""
from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from flake8_seeds.rules import RULES
from tests.conftest import Lint, codes

TABLES: dict[str, ModuleType] = {r.code: importlib.import_module(f"tests.test_{r.code.lower()}") for r in RULES}


def _ids(code: str, kind: str, count: int) -> list[str]:
    named = getattr(TABLES[code], f"{kind}_IDS", None)
    return [f"{code}-{name}" for name in (named or range(count))]


FLAGGED = [(code, s, e) for code, m in TABLES.items() for s, e in m.FLAGGED]
FLAGGED_IDS = [i for code, m in TABLES.items() for i in _ids(code, "FLAGGED", len(m.FLAGGED))]
ALLOWED = [(code, s) for code, m in TABLES.items() for s in m.ALLOWED]
ALLOWED_IDS = [i for code, m in TABLES.items() for i in _ids(code, "ALLOWED", len(m.ALLOWED))]


@pytest.mark.parametrize(("code", "source", "expected"), FLAGGED, ids=FLAGGED_IDS)
def test_flagged(lint: Lint, code: str, source: str, expected: list[str]) -> None:
    assert all(c.endswith(code) for c in expected)
    assert codes(lint(source, f"--select={code}")) == expected


@pytest.mark.parametrize(("code", "source"), ALLOWED, ids=ALLOWED_IDS)
def test_allowed(lint: Lint, code: str, source: str) -> None:
    assert lint(source, f"--select={code}") == []
