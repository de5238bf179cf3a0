"""SEED004: shuffling without a dedicated, seeded generator."""
from __future__ import annotations

import ast
from collections.abc import Iterator

from flake8_seeds.facts import FileFacts, argument, is_none
from flake8_seeds.names import dotted_name, source_text
from flake8_seeds.rules.base import Finding, Rule, Settings, finding
from flake8_seeds.values import bound_values, dict_items, known_truth

CODE = "SEED004"
DATALOADER = "torch.utils.data.DataLoader"
GENERATOR = "torch.Generator"
PARTIAL = "functools.partial"
UNSEEDED = "never seeded with a value, so it ignores the run's seed"


class Loader:
    """A DataLoader class: how messages name it, and the positions of the parameters read here."""

    __slots__ = ("shown", "positions")

    def __init__(self, shown: str, positions: dict[str, int]) -> None:
        self.shown = shown
        self.positions = positions


# torch's DataLoader and library subclasses that pass shuffle= and generator= on to it (checked on
# torch-geometric 2.8.1 and monai 1.6.1: tests/test_seed004.py builds each one and watches its order).
# torch_geometric's take (dataset, batch_size, shuffle, follow_batch, exclude_keys, **kwargs);
# monai's (dataset, num_workers, **kwargs).
_TORCH = Loader("DataLoader", {"shuffle": 2, "sampler": 3, "batch_sampler": 4, "generator": 12})
_PYG = Loader("torch_geometric.loader.DataLoader", {"shuffle": 2})
_PYG_OLD = Loader("torch_geometric.data.DataLoader", {"shuffle": 2})
_MONAI = Loader("monai.data.DataLoader", {})
LOADERS: dict[str, Loader] = {
    DATALOADER: _TORCH,
    "torch_geometric.loader.DataLoader": _PYG,
    "torch_geometric.loader.dataloader.DataLoader": _PYG,
    "torch_geometric.data.DataLoader": _PYG_OLD,
    "monai.data.DataLoader": _MONAI,
    "monai.data.dataloader.DataLoader": _MONAI,
}

# Callables that draw from `generator=` (or the global torch RNG without it),
# with the position of their `generator` parameter.
RANDOM_CALLS: dict[str, int] = {
    "torch.utils.data.RandomSampler": 3,
    "torch.utils.data.SubsetRandomSampler": 1,
    "torch.utils.data.WeightedRandomSampler": 3,
    "torch.utils.data.random_split": 2,
}

# An argument: the expression, and where it comes from when not from the call itself ("train_kwargs").
Arg = tuple[ast.expr, str]


def _given(node: ast.expr | None) -> bool:
    return node is not None and not is_none(node)


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    calls = [(call, call, name, "") for name in (*LOADERS, *RANDOM_CALLS) for call in facts.calls_by_name.get(name, ())]
    calls += _through_partials(facts)
    if not calls:
        return
    fix = _Fix(facts)
    unseeded = _unseeded_generator_names(facts)
    for call, view, name, through in calls:
        if name in LOADERS:
            loader = LOADERS[name]
            what = through or loader.shown
            yield from _check_loader(facts, call, view, loader, what, fix, unseeded)
        else:
            what = through or name.rsplit(".", 1)[-1]
            yield from _check_random_call(facts, call, view, RANDOM_CALLS[name], what, fix, unseeded)


class _Fix:
    """The fix, written with the file's own torch seed when it has one (``torch.manual_seed(args.seed)``)."""

    def __init__(self, facts: FileFacts) -> None:
        seeds = {source_text(a) for call in facts.calls_to("torch.manual_seed")
                 for a in [argument(call, "seed", 0)] if a is not None and not isinstance(a, ast.Starred)}
        seed = seeds.pop() if len(seeds) == 1 else "seed"
        self.seed = seed if not seed.endswith("...") else "seed"
        self.generator = f"pass generator=torch.Generator().manual_seed({self.seed})"


def _check_loader(facts: FileFacts, call: ast.Call, view: ast.Call, loader: Loader, what: str, fix: _Fix,
                  unseeded: set[str]) -> Iterator[Finding]:
    explicit = argument(view, "generator", loader.positions.get("generator"))
    if _given(explicit):
        yield from _check_generator(facts, call, what, explicit, unseeded, fix)
        return
    args = _arguments(facts, view, loader.positions)
    if args is None:
        return  # *args or **kwargs the file does not show: unknown
    generators = [value for value, _ in args.get("generator", ()) if _given(value)]
    if generators:
        for generator in generators:
            yield from _check_generator(facts, call, what, generator, unseeded, fix)
        return
    shuffle = _shuffles(facts, args.get("shuffle", []))
    if shuffle is None:
        return
    value, origin = shuffle
    shown = f"shuffle={source_text(value)}" + (f" in {origin}" if origin else "")
    samplers = [arg for key in ("sampler", "batch_sampler") for arg in args.get(key, ()) if _given(arg[0])]
    if samplers:
        # PyTorch refuses a sampler with shuffle=True: this shuffles exactly when the sampler is None.
        unsure = [arg for arg in samplers if _may_be_none(facts, arg[0], value)]
        if len(unsure) < len(samplers) or not unsure:
            return
        sampler = source_text(unsure[0][0])
        shown = f"shuffle={source_text(value, parenthesized=True)}" + (f" in {origin}" if origin else "")
        yield finding(call, CODE, f"{what} shuffles with the global torch RNG whenever {sampler} is None "
                                  f"({shown}); {fix.generator}")
        return
    if known_truth(facts, value):
        detail = f" ({shown})" if origin else ""
        yield finding(call, CODE, f"{what} shuffles with the global torch RNG{detail}; {fix.generator}")
    else:
        yield finding(call, CODE, f"{what} may shuffle ({shown}) with the global torch RNG; {fix.generator}")


def _check_random_call(facts: FileFacts, call: ast.Call, view: ast.Call, position: int, what: str, fix: _Fix,
                       unseeded: set[str]) -> Iterator[Finding]:
    explicit = argument(view, "generator", position)
    if _given(explicit):
        yield from _check_generator(facts, call, what, explicit, unseeded, fix)
        return
    args = _arguments(facts, view, {"generator": position})
    if args is None:
        return
    generators = [value for value, _ in args.get("generator", ()) if _given(value)]
    for generator in generators:
        yield from _check_generator(facts, call, what, generator, unseeded, fix)
    if not generators:
        yield finding(call, CODE, f"{what} draws from the global torch RNG; {fix.generator}")


def _arguments(facts: FileFacts, call: ast.Call, positions: dict[str, int]) -> dict[str, list[Arg]] | None:
    """Each parameter read here with the expressions it may get: positional, keyword, and keys of
    ``**d`` for dicts the file builds (``dict_items``).  None when ``*args`` or an unknown ``**``."""
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    found: dict[str, list[Arg]] = {}
    for name, index in positions.items():
        if index < len(call.args):
            found.setdefault(name, []).append((call.args[index], ""))
    for keyword in call.keywords:
        if keyword.arg is not None:
            found.setdefault(keyword.arg, []).append((keyword.value, ""))
            continue
        items = dict_items(facts, keyword.value)
        if items is None:
            return None
        origin = dotted_name(keyword.value) or "the unpacked dict"
        for key, values in items.items():
            found.setdefault(key, []).extend((value, origin) for value in values)
    return found


def _shuffles(facts: FileFacts, candidates: list[Arg]) -> Arg | None:
    """The shuffle= value that makes the loader shuffle: a true one first, else one decided at run
    time; None when every value is false (or none is given)."""
    unknown: Arg | None = None
    for value, origin in candidates:
        truth = known_truth(facts, value)
        if truth:
            return value, origin
        if truth is None and unknown is None:
            unknown = value, origin
    return unknown


def _may_be_none(facts: FileFacts, sampler: ast.expr, shuffle: ast.expr) -> bool:
    """The sampler may be None: a name bound to None (or to ``x if c else None``, or a parameter
    defaulting to None) on some path; for a value the file does not show, the shuffle= expression
    itself tests it against None (``shuffle=(sampler is None)``).  A call is always given."""
    if isinstance(sampler, ast.IfExp):
        return is_none(sampler.body) or is_none(sampler.orelse)
    if isinstance(sampler, ast.Call):
        return False
    if isinstance(sampler, ast.Name):
        values = bound_values(facts, sampler)
        if values is not None:
            return any(is_none(v) or (isinstance(v, ast.IfExp) and (is_none(v.body) or is_none(v.orelse)))
                       for v in values)
    return _tests_none(shuffle, sampler)


def _tests_none(shuffle: ast.expr, sampler: ast.expr) -> bool:
    wanted = dotted_name(sampler)
    if wanted is None:
        return False
    for part in ast.walk(shuffle):
        if isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], (ast.Is, ast.IsNot)):
            sides = (part.left, part.comparators[0])
            if any(is_none(s) for s in sides) and any(dotted_name(s) == wanted for s in sides):
                return True
        if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not) and dotted_name(part.operand) == wanted:
            return True
    return False


def _through_partials(facts: FileFacts) -> list[tuple[ast.Call, ast.Call, str, str]]:
    """Calls of ``functools.partial(DataLoader, ...)`` (or of a random sampler), bound to a name
    or called inline: (the call, a view of it with the partial's arguments first, what the partial
    wraps, how messages name it).  The view is a new node: the shared tree is never changed."""
    partials: dict[int, tuple[ast.Call, str]] = {}
    for call in facts.calls_to(PARTIAL):
        if call.args and isinstance(call.args[0], (ast.Name, ast.Attribute)):
            wrapped = facts.names.qualified_name(call.args[0])
            if wrapped in LOADERS or wrapped in RANDOM_CALLS:
                partials[id(call)] = call, wrapped
    if not partials:
        return []
    named: dict[str, list[ast.Call]] = {}
    for node in facts.assigns:
        if id(node.value) in partials and isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    named.setdefault(target.id, []).append(node.value)  # type: ignore[arg-type]
    found: list[tuple[ast.Call, ast.Call, str, str]] = []
    for call in facts.calls:
        func = call.func
        partial: ast.Call | None = None
        through = ""
        if isinstance(func, ast.Call) and id(func) in partials:
            partial = func
        elif isinstance(func, ast.Name) and func.id in named:
            values = bound_values(facts, func)
            if values and len(values) == 1 and id(values[0]) in partials:
                partial = values[0]  # type: ignore[assignment]
                through = func.id
        if partial is None:
            continue
        _, wrapped = partials[id(partial)]
        short = LOADERS[wrapped].shown if wrapped in LOADERS else wrapped.rsplit(".", 1)[-1]
        what = (f"{through} (functools.partial of {short} at line {partial.lineno})" if through
                else f"functools.partial({short}, ...)")
        given = {k.arg for k in call.keywords if k.arg is not None}
        view = ast.Call(func=partial.args[0], args=[*partial.args[1:], *call.args],
                        keywords=[*call.keywords, *(k for k in partial.keywords if k.arg not in given)])
        found.append((call, view, wrapped, what))
    return found


def _check_generator(facts: FileFacts, call: ast.Call, what: str, generator: ast.expr | None, unseeded: set[str],
                     fix: _Fix) -> Iterator[Finding]:
    if isinstance(generator, ast.Call) and facts.qualified_call_name(generator) == GENERATOR:
        yield finding(call, CODE, f"{what} gets torch.Generator() that is {UNSEEDED}; {fix.generator}")
        return
    name = dotted_name(generator) if generator is not None else None
    if name is not None and name in unseeded:
        yield finding(call, CODE, f"{what} gets generator {name}, a torch.Generator() that is {UNSEEDED}; "
                                  f"call {name}.manual_seed({fix.seed})")


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
