"""What a value is, and what it depends on: questions several rules ask about expressions.

``bound_values`` reads the values a name is bound to where it is used (scope-aware, through
``scopes.py``); ``depends_on`` asks whether an expression involves something (a name that
mentions ``rank`` or ``epoch``, a call of ``torch.initial_seed``), following local variables
to what they were assigned.  Walks are iterative and bounded: nothing recurses with the input.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from flake8_seeds.scopes import ASSIGN, PARAM, start

if TYPE_CHECKING:
    from flake8_seeds.facts import FileFacts

# How many assignments deep a value is followed.
MAX_HOPS = 8


def bound_values(facts: FileFacts, name: ast.Name) -> list[ast.expr] | None:
    """The values of the bindings of ``name`` that reach it; None when one of them is not an
    assignment or a parameter default the file shows (a loop target, an import, ...)."""
    bindings = facts.scopes.lookup(name.id, start(name))
    if not bindings:
        return None
    values: list[ast.expr] = []
    for binding in bindings:
        if binding.kind not in (ASSIGN, PARAM) or binding.value is None:
            return None
        values.append(binding.value)
    return values


def subexpressions(facts: FileFacts, node: ast.expr, follow: bool = True) -> Iterator[ast.AST]:
    """Every node of an expression and, with ``follow``, of the values its names were assigned
    (and of parameter defaults), each visited once, at most MAX_HOPS assignments deep."""
    seen: set[int] = set()
    stack: list[tuple[ast.AST, int]] = [(node, 0)]
    while stack:
        current, hops = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if follow and hops < MAX_HOPS and isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load):
            for value in bound_values(facts, current) or ():
                stack.append((value, hops + 1))
        stack.extend((child, hops) for child in ast.iter_child_nodes(current))


def depends_on(facts: FileFacts, node: ast.expr, test: Callable[[ast.AST], bool], follow: bool = True) -> bool:
    """True when ``test`` holds for some part of the expression (or of what its names hold)."""
    return any(test(part) for part in subexpressions(facts, node, follow))


def mentions(*words: str) -> Callable[[ast.AST], bool]:
    """A test for ``depends_on``: a name, attribute, keyword or string key containing one of ``words``."""
    lowered = tuple(w.lower() for w in words)

    def test(part: ast.AST) -> bool:
        text = (part.id if isinstance(part, ast.Name) else part.attr if isinstance(part, ast.Attribute)
                else part.arg if isinstance(part, ast.keyword) and part.arg else
                part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "")
        return bool(text) and any(w in text.lower() for w in lowered)
    return test


def calls(facts: FileFacts, *qualified: str) -> Callable[[ast.AST], bool]:
    """A test for ``depends_on``: a call of one of the ``qualified`` names."""
    wanted = frozenset(qualified)
    return lambda part: isinstance(part, ast.Call) and facts.qualified_call_name(part) in wanted
