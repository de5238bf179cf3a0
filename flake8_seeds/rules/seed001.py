"""SEED001: a program draws random numbers from an RNG it never seeds."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from flake8_seeds.facts import RESEEDING_METHODS, FileFacts, argument, is_none, position
from flake8_seeds.program import Entry, dataset_classes, worker_methods
from flake8_seeds.rules.base import Finding, Rule, Settings, finding
from flake8_seeds.vocab import (
    DRAWS, INPLACE_METHODS, LAYERS, NAMED_HELPERS, OTHER_FRAMEWORKS, SELF_SEEDING_TRAINERS, STDLIB_ROOTS,
    names_a_seeder,
)

CODE = "SEED001"


@dataclass(frozen=True)
class Family:
    name: str
    label: str
    seeder: str
    fix: str


FAMILIES = {
    "torch": Family("torch", "the torch global RNG", "torch.manual_seed",
                    "call torch.manual_seed(seed) at startup"),
    "numpy": Family("numpy", "the numpy.random global RNG", "numpy.random.seed",
                    "call numpy.random.seed(seed) at startup or draw from numpy.random.default_rng(seed)"),
    "random": Family("random", "the random module's global RNG", "random.seed",
                     "call random.seed(seed) at startup"),
}

RANDOM_DATA = ("torch.utils.data.RandomSampler", "torch.utils.data.SubsetRandomSampler",
               "torch.utils.data.WeightedRandomSampler", "torch.utils.data.random_split")
DATALOADERS = ("torch.utils.data.DataLoader", "torch_geometric.loader.DataLoader",
               "torch_geometric.data.DataLoader", "monai.data.DataLoader")
# A program that loads weights overwrites what the layers drew when they were built.
WEIGHT_LOADERS = ("load_state_dict", "from_pretrained", "load_from_checkpoint")
TRAINERS = {"lightning.pytorch.Trainer": "fit"}

# RNG objects that seed themselves from OS entropy when given no seed.
SELF_SEEDING = frozenset({
    "numpy.random.default_rng", "numpy.random.RandomState", "random.Random",
    "numpy.random.SeedSequence", "numpy.random.PCG64", "numpy.random.PCG64DXSM",
    "numpy.random.MT19937", "numpy.random.Philox", "numpy.random.SFC64",
})

SEED_PARAMETER = {"random.Random": "x", "numpy.random.SeedSequence": "entropy"}

# Values that differ from run to run: a seed computed from them seeds nothing.
NONDETERMINISTIC = frozenset({
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "os.urandom", "os.getpid", "torch.seed", "random.SystemRandom",
})
NONDETERMINISTIC_MODULES = ("time.", "secrets.", "uuid.")
# Methods of RNG objects: `g.manual_seed(0)` seeds g, not a global family.
RNG_OBJECT_METHODS = RESEEDING_METHODS | {"initial_seed"}


class Use:
    """One place where a program draws from a global RNG family."""

    __slots__ = ("node", "family", "what", "worker")

    def __init__(self, node: ast.Call, family: str, what: str, worker: str = "") -> None:
        self.node = node
        self.family = family
        self.what = what
        self.worker = worker  # the family it seems to draw from, when it runs in DataLoader workers


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    uses = _uses(facts)
    objects = _unseeded_objects(facts)
    if not uses and not objects:
        return
    program = facts.program
    _retarget_worker_draws(facts, uses)
    file_seeded = _seeded_families(facts, settings, None)
    if not objects and not program.spawn_targets and all(u.family in file_seeded for u in uses):
        return  # one process, and every family it uses is seeded: nothing to report, no reach needed
    if program.spawn_targets:
        entries = program.entries
    else:  # one process: search the call graph only as far as the units that matter here
        needed = {id(program.unit_of(u.node)) for u in uses
                  if u.family not in file_seeded or u.what.startswith("training")}
        needed.update(id(program.unit_of(call)) for call, _ in objects)
        entries = [Entry(None, program.module, program.reach([program.module], needed))]

    def reached(node: ast.AST) -> bool:
        unit = id(program.unit_of(node))
        return any(unit in entry.reached for entry in entries)

    if not any(reached(u.node) for u in uses) and not any(reached(c) for c, _ in objects):
        return
    trains = any(u.what.startswith("training") and reached(u.node) for u in uses)
    if not trains and any(method in facts.method_calls for method in WEIGHT_LOADERS):
        uses = [u for u in uses if u.what not in LAYERS]  # an inference script: weights are loaded
    reported: set[str] = set()
    for entry in entries:
        seeded = file_seeded if entry.start_call is None else _seeded_families(facts, settings, entry)
        first: dict[str, Use] = {}
        for use in sorted(uses, key=lambda u: position(u.node)):
            if use.family in seeded or use.family in first or use.family in reported:
                continue
            if id(program.unit_of(use.node)) in entry.reached:
                first[use.family] = use
        for family, use in sorted(first.items(), key=lambda item: position(item[1].node)):
            reported.add(family)
            yield finding(use.node, CODE, _message(facts, entry, use, use.family in file_seeded))
    for call, name in objects:
        if reached(call):
            yield finding(call, CODE,
                          f"{name}() is created without a seed, so every run differs; pass one: {name}(seed)")


def _message(facts: FileFacts, entry: Entry, use: Use, parent_seeds: bool = False) -> str:
    info = FAMILIES[use.family]
    via = entry.reached.get(id(facts.program.unit_of(use.node)))
    where = ""
    if entry.start_call is not None:
        function = entry.function.name  # type: ignore[attr-defined]
        starter = _call_text(entry.start_call)
        where = f" in {function}(), which {starter} at line {entry.start_call.lineno} starts in a fresh interpreter"
        if parent_seeds:
            where += " (the parent's seed does not reach it)"
        elif via is not None and via is not entry.start_call:
            where += f" (reached through {_call_text(via)} at line {via.lineno})"
        fix = f"seed {info.seeder.split('.')[0]} in {function}(): {info.fix.removeprefix('call ')}"
        return f"{use.what}{where} draws from {info.label}, which that process never seeds; {fix}"
    if via is not None:
        where = f" (reached through {_call_text(via)} at line {via.lineno})"
    if use.worker:
        return (f"{use.what}{where} runs in DataLoader worker processes, where PyTorch reseeds "
                f"{FAMILIES[use.worker].label} from the torch RNG, which this program never seeds; "
                f"seeding {use.worker} does not make it reproducible: {info.fix}")
    return f"{use.what}{where} draws from {info.label}, which this program never seeds; {info.fix}"


def _call_text(call: ast.Call) -> str:
    func = call.func
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    elif isinstance(func, ast.Call):
        parts.append("...()")
    return ".".join(reversed(parts)) + "()" if parts else "a call"


def _uses(facts: FileFacts) -> list[Use]:
    """Every call that draws from a global RNG family (reached or not)."""
    uses: list[Use] = []
    for name, calls in facts.calls_by_name.items():
        family = DRAWS.get(name)
        if family is not None:
            uses.extend(Use(c, family, name) for c in calls if not (family == "torch" and _has_generator(c)))
        elif name in RANDOM_DATA:
            uses.extend(Use(c, "torch", f"{name.rsplit('.', 1)[-1]} without generator=")
                        for c in calls if argument(c, "generator", None) is None)
        elif name in DATALOADERS:
            uses.extend(Use(c, "torch", "a shuffling DataLoader without generator=")
                        for c in calls if _shuffles(c))
        elif name.startswith("torch.optim.") and name.rsplit(".", 1)[-1][:1].isupper() and "lr_scheduler" not in name:
            uses.extend(Use(c, "torch", f"training with {name}") for c in calls)
        elif name.startswith("torch.distributions.") and name.rsplit(".", 1)[-1][:1].isupper():
            uses.extend(Use(c, "torch", f"sampling {name}") for c in calls if _sampled(facts, c))
        elif name in TRAINERS and TRAINERS[name] in facts.method_calls:
            uses.extend(Use(c, "torch", f"training with {name}") for c in calls)
    if "torch" in facts.names.roots():
        for method in INPLACE_METHODS:
            for call in facts.method_calls.get(method, ()):
                if _has_generator(call) or facts.qualified_call_name(call) is not None:
                    continue  # a resolved name (torch.nn.init.normal_) is handled above
                uses.append(Use(call, "torch", f"Tensor.{method}"))
        for call in facts.method_calls.get("backward", ()):
            if not call.args or not isinstance(call.args[0], ast.Constant):
                uses.append(Use(call, "torch", f"training ({_call_text(call)})"))
    return uses


def _shuffles(call: ast.Call) -> bool:
    if any(k.arg == "generator" for k in call.keywords) or len(call.args) > 12:
        return False
    shuffle = argument(call, "shuffle", 2)
    return shuffle is not None and not (isinstance(shuffle, ast.Constant) and not shuffle.value)


def _sampled(facts: FileFacts, call: ast.Call) -> bool:
    """A distribution that the file samples: ``Normal(...).sample()`` or a name bound to it."""
    return "sample" in facts.method_calls or "rsample" in facts.method_calls


def _retarget_worker_draws(facts: FileFacts, uses: list[Use]) -> None:
    """random / NumPy draws in Dataset worker code run in workers that PyTorch reseeds from torch."""
    if not any(u.family != "torch" for u in uses) or not _loads_with_workers(facts):
        return
    worker_units: set[int] = set()
    for cls in dataset_classes(facts):
        worker_units.update(id(m) for m in worker_methods(facts, cls).values())
    if not worker_units:
        return
    program = facts.program
    for use in uses:
        if use.family != "torch" and id(program.unit_of(use.node)) in worker_units:
            use.worker, use.family = use.family, "torch"


def _loads_with_workers(facts: FileFacts) -> bool:
    for name in DATALOADERS:
        # num_workers is torch's 6th parameter, monai's 2nd; torch_geometric takes it by keyword.
        position = {"torch.utils.data.DataLoader": 5, "monai.data.DataLoader": 1}.get(name)
        for call in facts.calls_to(name):
            workers = argument(call, "num_workers", position)
            if workers is not None and not (isinstance(workers, ast.Constant) and workers.value == 0):
                return True
    return False


def _has_generator(call: ast.Call) -> bool:
    return any(k.arg == "generator" and not is_none(k.value) for k in call.keywords)


def _unseeded_objects(facts: FileFacts) -> list[tuple[ast.Call, str]]:
    """Self-seeding RNG objects made with no seed (or ``None``) and never seeded later."""
    found = []
    for name in SELF_SEEDING:
        for call in facts.calls_by_name.get(name, ()):
            seed = argument(call, SEED_PARAMETER.get(name, "seed"), 0)
            if (not call.args and not call.keywords) or (seed is not None and is_none(seed)):
                found.append((call, name))
    if found:
        reseeded = facts.reseeded_names
        bound_to = {id(value): target for target, value in facts.assigned_dotted_names()}
        found = [(c, n) for c, n in found if bound_to.get(id(c)) not in reseeded]
    found.sort(key=lambda item: position(item[0]))
    return found


def _seeded_families(facts: FileFacts, settings: Settings, entry: Entry | None) -> set[str]:
    """Families the file seeds (``entry`` given: only by code that entry runs)."""
    program = facts.program

    def runs(call: ast.Call) -> bool:
        return entry is None or program.runs_in(entry, call)

    seeded: set[str] = set()
    for family in FAMILIES.values():
        if any(runs(c) and _seeds_reproducibly(facts, c) for c in facts.calls_by_name.get(family.seeder, ())):
            seeded.add(family.name)
    if seeded == set(FAMILIES):
        return seeded
    local = facts.local_functions
    for name, calls in facts.calls_by_name.items():
        calls = [c for c in calls if runs(c)]
        if not calls:
            continue
        last = name.rsplit(".", 1)[-1]
        if name in settings.extra_helpers or last in settings.extra_helpers or name in SELF_SEEDING_TRAINERS:
            return set(FAMILIES)
        if name in NAMED_HELPERS:
            if any(_seeds_reproducibly(facts, c, parameter=NAMED_HELPERS[name]) for c in calls):
                return set(FAMILIES)
            continue
        if not names_a_seeder(last) or name.split(".", 1)[0] in STDLIB_ROOTS | OTHER_FRAMEWORKS:
            continue
        if "." not in name and name in local:
            continue  # a helper of this file: its body's seeding calls count instead
        if last == "seed_all_rng" and not any(_seeds_reproducibly(facts, c) for c in calls):
            continue  # detectron2 picks a random seed when given none
        if any(_seeds_reproducibly(facts, c, allow_empty=True) for c in calls):
            return set(FAMILIES)
    # A method whose name says it seeds, on an object we cannot see into; a method of
    # this file is judged by its body instead.
    for method, calls in facts.method_calls.items():
        if names_a_seeder(method) and method not in RNG_OBJECT_METHODS and method not in local:
            if any(runs(c) and facts.qualified_call_name(c) is None
                   and _seeds_reproducibly(facts, c, allow_empty=True) for c in calls):
                return set(FAMILIES)
    return seeded


def _seeds_reproducibly(facts: FileFacts, call: ast.Call, allow_empty: bool = False,
                        parameter: str | None = None) -> bool:
    values = list(call.args) + [k.value for k in call.keywords if parameter is None or k.arg == parameter]
    if parameter is not None:
        values = values[:1] if call.args else values
    if not values:
        return allow_empty
    value = values[0]
    if is_none(value):
        return False
    stack: list[ast.AST] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            name = facts.qualified_call_name(node) or ""
            if name in NONDETERMINISTIC or name.startswith(NONDETERMINISTIC_MODULES):
                return False
        stack.extend(ast.iter_child_nodes(node))
    return True


RULE = Rule(CODE, "randomness used but never seeded", check)
