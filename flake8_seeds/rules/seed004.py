"""SEED004: shuffling without a dedicated, seeded generator."""
from __future__ import annotations

import ast
from collections.abc import Iterator

from flake8_seeds.facts import FileFacts, argument, has_unpacking, is_none
from flake8_seeds.names import dotted_name
from flake8_seeds.rules.base import Finding, Rule, Settings, finding

CODE = "SEED004"
DATALOADER = "torch.utils.data.DataLoader"
GENERATOR = "torch.Generator"
FIX = "pass generator=torch.Generator().manual_seed(seed)"
UNSEEDED = "never seeded with a value, so it ignores the run's seed"

# Callables that draw from `generator=` (or the global torch RNG without it),
# with the position of their `generator` parameter.
RANDOM_CALLS: dict[str, int] = {
    "torch.utils.data.RandomSampler": 3,
    "torch.utils.data.SubsetRandomSampler": 1,
    "torch.utils.data.WeightedRandomSampler": 3,
    "torch.utils.data.random_split": 2,
}
DATALOADER_POSITIONS = {"shuffle": 2, "sampler": 3, "batch_sampler": 4, "generator": 12}


def _given(node: ast.expr | None) -> bool:
    return node is not None and not is_none(node)


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    unseeded = _unseeded_generator_names(facts)
    for call in facts.calls_to(DATALOADER):
        generator = argument(call, "generator", DATALOADER_POSITIONS["generator"])
        if _given(generator):
            yield from _check_generator(facts, call, "DataLoader", generator, unseeded)
            continue
        if has_unpacking(call):
            continue
        shuffle = argument(call, "shuffle", DATALOADER_POSITIONS["shuffle"])
        if shuffle is not None and not isinstance(shuffle, ast.Constant):
            shuffle = _bound_constant(facts, shuffle) or shuffle
        if shuffle is None or (isinstance(shuffle, ast.Constant) and not shuffle.value):
            continue
        if _given(argument(call, "sampler", 3)) or _given(argument(call, "batch_sampler", 4)):
            continue
        if isinstance(shuffle, ast.Constant):
            yield finding(call, CODE, f"DataLoader shuffles with the global torch RNG; {FIX}")
        else:
            shown = _short_source(shuffle)
            yield finding(call, CODE, f"DataLoader may shuffle (shuffle={shown}) with the global torch RNG; {FIX}")
    for name, position in RANDOM_CALLS.items():
        short = name.rsplit(".", 1)[-1]
        for call in facts.calls_to(name):
            generator = argument(call, "generator", position)
            if _given(generator):
                yield from _check_generator(facts, call, short, generator, unseeded)
            elif not has_unpacking(call):
                yield finding(call, CODE, f"{short} draws from the global torch RNG; {FIX}")


def _bound_constant(facts: FileFacts, node: ast.expr) -> ast.Constant | None:
    """The constant a name is bound to, when every binding in the file is that constant."""
    name = dotted_name(node)
    if name is None:
        return None
    values = [value for target, value in facts.assigned_dotted_names() if target == name]
    if values and all(isinstance(v, ast.Constant) for v in values):
        truths = {bool(v.value) for v in values}  # type: ignore[attr-defined]
        if len(truths) == 1:
            return values[0]  # type: ignore[return-value]
    return None


def _short_source(node: ast.expr, limit: int = 40) -> str:
    try:
        text = ast.unparse(node)
    except RecursionError:
        return "..."
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_generator(
    facts: FileFacts, call: ast.Call, what: str, generator: ast.expr | None, unseeded: set[str]
) -> Iterator[Finding]:
    if isinstance(generator, ast.Call) and facts.qualified_call_name(generator) == GENERATOR:
        yield finding(call, CODE, f"{what} gets torch.Generator() that is {UNSEEDED}; {FIX}")
        return
    name = dotted_name(generator) if generator is not None else None
    if name is not None and name in unseeded:
        yield finding(call, CODE, f"{what} gets generator {name}, a torch.Generator() that is {UNSEEDED}; "
                                  f"call {name}.manual_seed(seed)")


def _unseeded_generator_names(facts: FileFacts) -> set[str]:
    """Dotted names bound to ``torch.Generator(...)`` that nothing ever seeds."""
    if GENERATOR not in facts.calls_by_name:
        return set()  # no torch.Generator() call anywhere: nothing can be bound to one
    made: set[str] = set()
    other: set[str] = set()
    for name, value in facts.assigned_dotted_names():
        is_generator = isinstance(value, ast.Call) and facts.qualified_call_name(value) == GENERATOR
        (made if is_generator else other).add(name)
    if not made:
        return made
    # A name also bound to something else, or used as a parameter, is not known.
    for function in facts.functions:
        args = function.args
        other.update(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
    return made - facts.reseeded_names - other


RULE = Rule(CODE, "shuffling without its own seeded generator", check)
