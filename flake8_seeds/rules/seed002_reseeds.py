"""SEED002, both halves: what gives an RNG a new seed inside worker code.

The DataLoader half asks it of a ``worker_init_fn`` (does the seed it gives change every
epoch?), the process-pool half of a pool's ``initializer`` and of its tasks (does the seed
differ per process?).  A reseed is a call of a global family's seeding function, ``.seed(v)`` /
``.manual_seed(v)`` on an RNG object, or a seeding helper (SEED001's: any imported function whose
name says it seeds, the known ones, and those the user names with ``--seeds-helpers``).
"""
from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flake8_seeds.facts import FileFacts, is_none, walk_local
from flake8_seeds.names import dotted_name
from flake8_seeds.rules.base import Settings
from flake8_seeds.vocab import NAMED_HELPERS, OTHER_FRAMEWORKS, STDLIB_ROOTS, names_a_seeder

CODE = "SEED002"

# Seeding functions of the global RNG families: qualified name -> family.
GLOBAL_SEEDERS = {
    "numpy.random.seed": "numpy",
    "random.seed": "random",
    "torch.manual_seed": "torch",
}
FAMILY_LABELS = {"numpy": "numpy.random", "random": "random", "torch": "torch"}
# Methods that give an RNG object (numpy RandomState, random.Random, torch.Generator) a seed.
OBJECT_SEEDERS = frozenset({"seed", "manual_seed"})
EVERY_FAMILY = frozenset(GLOBAL_SEEDERS.values())


@dataclass(frozen=True)
class Reseed:
    """One call that reseeds: what it reseeds, and the seed it gives."""

    call: ast.Call
    # What the message names: "numpy.random", "self.rng", "utils.set_seed".
    what: str
    # The global families it reseeds: one for a seeding function, all for a helper, none for an object.
    families: frozenset[str]
    value: ast.expr

    @property
    def helper(self) -> bool:
        return len(self.families) > 1


def reseeds(facts: FileFacts, settings: Settings, calls: Iterable[ast.Call]) -> Iterator[Reseed]:
    """The calls among ``calls`` that reseed with a value (``seed()`` and ``seed(None)`` draw entropy)."""
    for call in calls:
        value = _seed_value(call)
        if value is None or is_none(value):
            continue
        qualified = facts.qualified_call_name(call)
        family = GLOBAL_SEEDERS.get(qualified or "")
        if family is not None:
            yield Reseed(call, FAMILY_LABELS[family], frozenset({family}), value)
            continue
        func = call.func
        if qualified is None and isinstance(func, ast.Attribute) and func.attr in OBJECT_SEEDERS:
            yield Reseed(call, chain_text(func.value), frozenset(), value)
            continue
        helper = _helper_name(facts, settings, call, qualified)
        if helper is not None:
            yield Reseed(call, helper, EVERY_FAMILY, value)


def chain_text(node: ast.expr) -> str:
    """``get_worker_info().dataset.rng`` for a chain of attributes and calls on a name."""
    parts: list[str] = []
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Attribute):
            parts.append("." + node.attr)
            node = node.value
        else:
            parts.append("()")
            node = node.func
    if not isinstance(node, ast.Name):
        return "an RNG object"
    return node.id + "".join(reversed(parts))


def _seed_value(call: ast.Call) -> ast.expr | None:
    """The seed a call passes: its first positional argument, or ``seed=`` / ``a=`` (random.seed)."""
    if call.args:
        first = call.args[0]
        return None if isinstance(first, ast.Starred) else first
    for keyword in call.keywords:
        if keyword.arg in ("seed", "a"):
            return keyword.value
    return None


def _helper_name(facts: FileFacts, settings: Settings, call: ast.Call, qualified: str | None) -> str | None:
    """The name of the seeding helper a call runs, or None."""
    func = call.func
    if qualified is not None:
        last = qualified.rsplit(".", 1)[-1]
        if qualified in settings.extra_helpers or last in settings.extra_helpers or qualified in NAMED_HELPERS:
            return qualified
        if names_a_seeder(last) and qualified.split(".", 1)[0] not in STDLIB_ROOTS | OTHER_FRAMEWORKS:
            return qualified
        return None
    if isinstance(func, ast.Name):
        if func.id in settings.extra_helpers:
            return func.id
        # A helper of this file seeds what its body seeds: it counts when it seeds a global family.
        for function in facts.program.local_targets(func):
            if (isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and names_a_seeder(function.name)
                    and any(isinstance(node, ast.Call) and facts.qualified_call_name(node) in GLOBAL_SEEDERS
                            for node in walk_local(function.body))):
                return func.id
        return None
    if isinstance(func, ast.Attribute) and (names_a_seeder(func.attr) or func.attr in settings.extra_helpers):
        # A method on an object the file cannot see into (``utils.set_seed`` of a local module object).
        return dotted_name(func) or func.attr
    return None
