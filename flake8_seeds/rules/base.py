"""What a rule is: a code, a one-line summary and a check over FileFacts."""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flake8_seeds.facts import FileFacts

# (line, column, message); the message starts with the code.
Finding = tuple[int, int, str]


@dataclass(frozen=True)
class Settings:
    """User options, already validated."""

    extra_helpers: frozenset[str] = frozenset()
    # The oldest torch the user supports; None means a current one (>= 1.9).
    min_torch_version: tuple[int, ...] | None = None

    @property
    def legacy_numpy_workers(self) -> bool:
        """torch < 1.9 did not reseed NumPy in each DataLoader worker."""
        return self.min_torch_version is not None and self.min_torch_version < (1, 9)


@dataclass(frozen=True)
class Rule:
    code: str
    summary: str
    check: Callable[[FileFacts, Settings], Iterator[Finding]]


def finding(node: ast.AST, code: str, text: str) -> Finding:
    return node.lineno, node.col_offset, f"{code} {text}"  # type: ignore[attr-defined]
