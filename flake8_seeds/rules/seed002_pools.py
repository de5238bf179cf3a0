"""SEED002, process pools: RNG state copied into every worker process of a pool.

Two findings, both about code the file hands to other processes:

- *Global draws under fork.*  A task (a function of the file given to a ``multiprocessing``
  pool, a ``ProcessPoolExecutor`` or ``Process(target=...)``, and what it calls) that draws from
  the global ``numpy.random`` or torch RNG, when the processes are forked (the default on Linux
  before Python 3.14): each worker starts with a copy of the parent's state, so the workers repeat
  each other's numbers.  Silent when the pool's ``initializer=`` or the task reseeds that family
  from something that differs per process.  CPython reseeds ``random`` at fork: never reported.
- *RNG objects handed to tasks*, under any start method: ``pool.map(f, [rng] * n)`` and the like
  give every task a copy with the same state.

"Differs per process" is judged as precision asks: a reseed counts as the same in every process
only when its value is provably the same there (constants, what the parent computed before the
fork, the initializer's arguments); anything the child computes or receives per task counts as
different.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from flake8_seeds.facts import FileFacts, argument, is_none, position, walk_local
from flake8_seeds.names import dotted_name
from flake8_seeds.program import (MAX_HOPS, POOL_MAPS, Handoff, Pools,
                                  assigned_values as _assigned, starts_processes as _starts_processes,
                                  unwrap_partial as _unwrap)
from flake8_seeds.rules.base import Finding, Settings, finding
from flake8_seeds.vocab import DRAWS, INPLACE_METHODS
from flake8_seeds.rules.seed002_reseeds import CODE, reseeds
from flake8_seeds.scopes import ASSIGN, CLASS, DEF, IMPORT, PARAM, end, start

# Global seeding functions of the families this half checks (seed002_reseeds reads the calls
# that give them a value); without a value, numpy.random.seed() and torch.seed() draw fresh entropy.
FAMILY_SEEDERS = {
    "numpy.random.seed": "numpy", "torch.manual_seed": "torch", "torch.seed": "torch",
    "numpy.random.set_state": "numpy", "torch.set_rng_state": "torch", "torch.random.set_rng_state": "torch",
}
STATE_SETTERS = frozenset({"numpy.random.set_state", "torch.set_rng_state", "torch.random.set_rng_state"})
FAMILIES = ("numpy", "torch")
LABELS = {"numpy": "the numpy.random global RNG", "torch": "the torch global RNG"}
RESEED_FIX = {"numpy": "numpy.random.seed(...)", "torch": "torch.manual_seed(...)"}
# Calls whose result, made in a forked child, is the parent's (inherited state, no I/O).
SAME_IN_CHILD = frozenset({"torch.initial_seed", "numpy.random.get_state"})
PURE_BUILTINS = frozenset({"int", "float", "abs", "hash", "str", "len", "min", "max", "sum", "round", "tuple", "list"})

# RNG objects: SEED002's constructors, plus NumPy's seed sequences and bit generators.
RNG_OBJECTS = frozenset({
    "numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator", "random.Random",
    "torch.Generator", "numpy.random.SeedSequence", "numpy.random.PCG64", "numpy.random.PCG64DXSM",
    "numpy.random.MT19937", "numpy.random.Philox", "numpy.random.SFC64",
})
RNG_ANNOTATIONS = frozenset({"numpy.random.Generator", "numpy.random.RandomState", "random.Random",
                             "torch.Generator", "numpy.random.SeedSequence"})
SEED_PARAMETERS = ("seed", "x", "entropy")
# Calls an iterable of tasks may be wrapped in; what they are given reaches the tasks as is.
PASS_THROUGH = frozenset({"zip", "enumerate", "list", "tuple", "iter", "reversed", "itertools.zip_longest",
                          "itertools.product", "itertools.chain"})
MAX_NODES = 400

FIX_OBJECT = ("give each task its own seed instead: one child of numpy.random.SeedSequence(seed).spawn(n) "
              "per task, and build the RNG inside the task from it")


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    if not facts.relevant or not _starts_processes(facts):
        return
    pools = facts.program.pools
    handoffs = facts.program.pool_handoffs
    if not handoffs:
        return
    found: dict[tuple[int, int, str], Finding] = {}
    for item in [*_global_draws(facts, settings, pools, handoffs), *_shared_objects(facts, handoffs)]:
        found.setdefault(item[:3], item)
    yield from sorted(found.values())


# -- tasks handed to pools, executors and processes (found by program.Pools) ---------------------
def _task_functions(facts: FileFacts, node: ast.expr | None) -> list[ast.AST]:
    if isinstance(node, ast.Lambda):
        return [node]
    if node is None:
        return []
    return [t for t in facts.program.local_targets(node) if isinstance(t, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _call_text(call: ast.Call) -> str:
    """``pool.map()``, ``mp.Pool(...).map()``: the call as its reader would name it."""
    parts: list[str] = []
    node = call.func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    else:
        inner = dotted_name(node.func) if isinstance(node, ast.Call) else None
        parts.append(f"{inner}(...)" if inner else "...")
    return ".".join(reversed(parts)) + "()"


def _task_name(function: ast.AST) -> str:
    return f"{function.name}()" if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else "a lambda"


# -- global draws in forked tasks ---------------------------------------------------------------

@dataclass
class _Reseeds:
    """What the code of a task and its pool's initializer does to each global family."""

    differs: set[str] = field(default_factory=set)  # families reseeded with a per-process value
    same: dict[str, str] = field(default_factory=dict)  # family -> a reseed that is the same everywhere
    opaque: bool = False  # an initializer the file cannot see into


def _global_draws(facts: FileFacts, settings: Settings, pools: Pools, handoffs: list[Handoff]
                  ) -> Iterator[Finding]:
    program = facts.program
    draws = _draw_calls(facts)
    if not draws:
        return
    targets_started: dict[int, int] = {}
    for handoff in handoffs:
        if handoff.kind == "process":
            for function in _task_functions(facts, handoff.task):
                targets_started[id(function)] = targets_started.get(id(function), 0) + 1
    reported: set[tuple[int, str]] = set()
    for handoff in handoffs:
        if handoff.kind == "spawn":
            continue
        creation = handoff.creation if handoff.creation is not None else handoff.call
        if pools.start_method(creation) != "fork":
            continue
        for function in _task_functions(facts, handoff.task):
            if handoff.kind == "process":
                several = targets_started.get(id(function), 0) > 1 or _in_loop(facts, handoff.call)
            else:
                several = not _single_worker(creation, handoff.kind)
            if not several:
                continue
            reached = program.reach([function])
            reseeds = _reseeds(facts, settings, handoff, function, reached)
            if reseeds.opaque:
                continue
            first: dict[str, tuple[ast.Call, str]] = {}
            for call, family, what in draws:
                if (family not in reseeds.differs and family not in first and (id(function), family) not in reported
                        and id(program.unit_of(call)) in reached):
                    first[family] = (call, what)
            for family, (call, what) in first.items():
                reported.add((id(function), family))
                yield finding(call, CODE, _draw_message(facts, handoff, function, reached, call, what, family,
                                                        reseeds.same.get(family)))


def _draw_calls(facts: FileFacts) -> list[tuple[ast.Call, str, str]]:
    """(call, family, what) for every draw from the global NumPy or torch RNG, in source order."""
    found: list[tuple[ast.Call, str, str]] = []
    for name, calls in facts.calls_by_name.items():
        family = DRAWS.get(name)
        if family in FAMILIES:
            found.extend((c, family, name) for c in calls
                         if not any(k.arg == "generator" and not is_none(k.value) for k in c.keywords))
    if "torch" in facts.names.roots():
        for method in INPLACE_METHODS:
            for call in facts.method_calls.get(method, ()):
                if facts.qualified_call_name(call) is None and not any(k.arg == "generator" for k in call.keywords):
                    found.append((call, "torch", f"Tensor.{method}"))
    found.sort(key=lambda item: position(item[0]))
    return found


def _single_worker(creation: ast.Call, kind: str) -> bool:
    """One worker process that lives for every task: the tasks continue one stream."""
    workers = argument(creation, "processes" if kind == "pool" else "max_workers", 0)
    recycled = argument(creation, "maxtasksperchild", 3) if kind == "pool" else argument(
        creation, "max_tasks_per_child", None)
    return (isinstance(workers, ast.Constant) and workers.value == 1
            and (recycled is None or is_none(recycled)))


def _in_loop(facts: FileFacts, call: ast.Call) -> bool:
    return _enclosing_loop(facts, call) is not None


def _enclosing_loop(facts: FileFacts, call: ast.Call) -> ast.AST | None:
    """The innermost loop or comprehension of the call's own function whose body runs the call."""
    unit = facts.program.unit_of(call)
    body: list[ast.AST] = list(unit.body) if isinstance(unit, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)) \
        else [unit.body] if isinstance(unit, ast.Lambda) else []
    at = start(call)
    innermost: ast.AST | None = None
    for node in walk_local(body):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            inside = start(node.body[0]) <= at <= end(node.body[-1])
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            inside = start(node.elt) <= at <= end(node.elt)
        elif isinstance(node, ast.DictComp):
            inside = start(node.key) <= at <= end(node.value)
        else:
            continue
        if inside and (innermost is None or start(node) >= start(innermost)):
            innermost = node
    return innermost


def _reseeds(facts: FileFacts, settings: Settings, handoff: Handoff, task: ast.AST,
             reached: dict[int, ast.Call | None]) -> _Reseeds:
    """Which families the task's code and its pool's initializer reseed, and how."""
    program = facts.program
    result = _Reseeds()
    child_units = dict(reached)
    initializer: ast.AST | None = None
    if handoff.kind in ("pool", "executor") and handoff.creation is not None:
        creation = handoff.creation
        index = 1 if handoff.kind == "pool" else 2
        init = argument(creation, "initializer", index)
        initargs = argument(creation, "initargs", index + 1)
        if init is not None and not is_none(init):
            init_handoff = _unwrap(facts, Handoff(creation, handoff.kind, init))
            functions = _task_functions(facts, init_handoff.task)
            seeder = facts.names.qualified_name(init_handoff.task) if isinstance(
                init_handoff.task, (ast.Name, ast.Attribute)) else None
            shown = isinstance(initargs, (ast.Tuple, ast.List)) or initargs is None
            if functions:
                initializer = functions[0]
                child_units.update(program.reach([initializer]))
            elif seeder is None or seeder not in FAMILY_SEEDERS or not shown:
                result.opaque = True  # a function from elsewhere, or arguments the file does not show
                return result
            else:  # initializer=np.random.seed: with initargs evaluated once, in the parent, or none
                family = FAMILY_SEEDERS[seeder]
                given = [*init_handoff.bound, *(initargs.elts if isinstance(initargs, (ast.Tuple, ast.List)) else [])]
                if not given or seeder == "torch.seed":
                    result.differs.add(family)  # fresh entropy in each process
                else:
                    result.same[family] = f"the initializer= of {_call_text(creation)} at line {creation.lineno}"
    judge = _SameEverywhere(facts, child_units, task, initializer, handoff)
    calls = [call for unit in child_units for call in program.calls_by_unit.get(unit, ())]
    for reseed in reseeds(facts, settings, calls):
        for family in reseed.families & set(FAMILIES):
            if judge.same(reseed.value):
                result.same.setdefault(family, f"{_call_text(reseed.call)} at line {reseed.call.lineno}")
            else:
                result.differs.add(family)
    for call in calls:  # what seed002_reseeds leaves out: no seed (fresh entropy), and set_state
        qualified = facts.qualified_call_name(call) or ""
        if qualified not in FAMILY_SEEDERS:
            continue
        family = FAMILY_SEEDERS[qualified]
        value = call.args[0] if call.args else argument(call, "seed", None)
        if qualified == "torch.seed" or (qualified == "numpy.random.seed" and (value is None or is_none(value))):
            result.differs.add(family)  # a fresh seed from the OS in each process
        elif qualified in STATE_SETTERS and value is not None:
            if judge.same(value):
                result.same.setdefault(family, f"{_call_text(call)} at line {call.lineno}")
            else:
                result.differs.add(family)
    return result


class _SameEverywhere:
    """Is a value, computed in a child process, provably the same in every one of them?"""

    def __init__(self, facts: FileFacts, child_units: dict[int, ast.Call | None], task: ast.AST,
                 initializer: ast.AST | None, handoff: Handoff) -> None:
        self.facts = facts
        self.child_units = child_units
        self.task = task
        self.initializer = initializer
        self.handoff = handoff

    def same(self, value: ast.expr) -> bool:
        program = self.facts.program
        stack: list[tuple[ast.AST, int]] = [(value, 0)]
        seen = 0
        while stack:
            node, hops = stack.pop()
            seen += 1
            if seen > MAX_NODES or hops > MAX_HOPS:
                return False
            if id(program.unit_of(node)) not in self.child_units:
                continue  # computed by the parent before the fork: inherited as is
            if isinstance(node, ast.Constant):
                continue
            if isinstance(node, ast.Name):
                parts = self._name(node)
                if parts is None:
                    return False
                stack.extend((p, hops + 1) for p in parts)
            elif isinstance(node, (ast.Attribute, ast.Starred)):
                stack.append((node.value, hops))
            elif isinstance(node, (ast.Subscript, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
                                   ast.Tuple, ast.List, ast.JoinedStr, ast.FormattedValue, ast.Slice)):
                stack.extend((child, hops) for child in ast.iter_child_nodes(node)
                             if not isinstance(child, (ast.expr_context, ast.operator, ast.unaryop,
                                                       ast.boolop, ast.cmpop)))
            elif isinstance(node, ast.Call):
                qualified = self.facts.qualified_call_name(node)
                builtin = (isinstance(node.func, ast.Name) and node.func.id in PURE_BUILTINS
                           and self.facts.scopes.lookup(node.func.id, start(node.func)) is None)
                if not builtin and qualified not in SAME_IN_CHILD:
                    return False  # os.getpid(), queue.get(), a SeedSequence child's state, ...
                stack.extend((a, hops) for a in [*node.args, *(k.value for k in node.keywords)])
            else:
                return False
        return True

    def _name(self, node: ast.Name) -> list[ast.AST] | None:
        """What a name's value is made of; None when it may differ per process."""
        bindings = self.facts.scopes.lookup(node.id, start(node))
        if bindings is None:
            return None
        parts: list[ast.AST] = []
        program = self.facts.program
        for binding in bindings:
            if binding.kind in (IMPORT, DEF, CLASS):
                continue
            if binding.kind == PARAM:
                function = binding.scope.node if binding.scope is not None else None
                if function is None or id(function) not in self.child_units:
                    continue  # a parameter of the parent's code: one value for every child
                found = self._parameter(function, binding.node)  # type: ignore[arg-type]
                if found is None:
                    return None
                parts.extend(found)
                continue
            if id(program.unit_of(binding.node)) not in self.child_units:
                continue
            if binding.kind != ASSIGN or binding.value is None:
                return None  # a loop target, an unpacked value: unknown
            parts.append(binding.value)
        return parts

    def _parameter(self, function: ast.AST, param: ast.arg) -> list[ast.AST] | None:
        if function is self.initializer:
            return []  # initargs: the same for every worker process
        args = function.args  # type: ignore[attr-defined]
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        if function is self.task:
            bound = self.handoff
            if param.arg in bound.bound_names or param.arg in positional[:bound.bound_positions]:
                return []  # bound by functools.partial in the parent: the same for every task
            return None  # a value passed per task
        # A helper the task calls: what its callers in child code pass.
        values: list[ast.AST] = []
        callers = 0
        for unit in self.child_units:
            for call in self.facts.program.calls_by_unit.get(unit, ()):
                if function not in self.facts.program.local_targets(call.func):
                    continue
                callers += 1
                index = positional.index(param.arg) if param.arg in positional else None
                given = argument(call, param.arg, index)
                if given is None:
                    return None  # a default, *args or **kwargs: not followed
                values.append(given)
        return values if callers else None


def _draw_message(facts: FileFacts, handoff: Handoff, function: ast.AST, reached: dict[int, ast.Call | None],
                  call: ast.Call, what: str, family: str, same: str | None) -> str:
    via = reached.get(id(facts.program.unit_of(call)))
    through = f" (reached through {_call_text(via)} at line {via.lineno})" if via is not None else ""
    task = _task_name(function)
    starter = f"{_call_text(handoff.call)} at line {handoff.call.lineno}"
    note = f" ({same} reseeds it with the same value in every process)" if same is not None else ""
    if handoff.kind == "process":
        fix = (f"reseed it at the start of {task} with {RESEED_FIX[family]} from a value each process gets "
               f"its own of (a child of numpy.random.SeedSequence(seed).spawn(n))")
    else:
        fix = (f"reseed it in each task with {RESEED_FIX[family]} from its own child of "
               f"numpy.random.SeedSequence(seed).spawn(n), or per process in the pool's initializer=")
    where = f"the processes {starter} forks" if handoff.kind == "process" else f"the forked workers of {starter}"
    return (f"{what} in {task}{through} runs in {where}: each starts with a copy of {LABELS[family]}'s "
            f"state, so they repeat each other's numbers{note}; {fix}")


# -- RNG objects handed to tasks ----------------------------------------------------------------

def _shared_objects(facts: FileFacts, handoffs: list[Handoff]) -> Iterator[Finding]:
    direct: dict[tuple[int, ...], list[tuple[Handoff, str]]] = {}
    for handoff in handoffs:
        shown: list[str] = []
        for node, label, repeated in sorted(_payload_rngs(facts, handoff), key=lambda item: position(item[0])):
            if repeated:
                if label not in shown:
                    shown.append(label)
                continue
            key = _identity(facts, node)
            if key is not None:
                direct.setdefault(key, []).append((handoff, label))
        if shown:
            how = f"handed to every task by {_call_text(handoff.call)}"
            yield finding(handoff.call, CODE, _object_message(shown, how))
    # One object handed to several single-task calls (two Process(...) given the same rng).
    for calls in direct.values():
        calls.sort(key=lambda item: position(item[0].call))
        first = calls[0][0].call
        for handoff, label in calls[1:]:
            if handoff.call is not first:
                yield finding(handoff.call, CODE, _object_message([label], (
                    f"handed to both {_call_text(first)} at line {first.lineno} and {_call_text(handoff.call)} here")))


def _object_message(shown: list[str], how: str) -> str:
    objects = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    verb = "is" if len(shown) == 1 else "are"
    return (f"{objects} {verb} {how}: each task gets a copy with the same state, "
            f"so the tasks draw the same numbers; {FIX_OBJECT}")


def _label(node: ast.expr, ctor: str, via: ast.expr | None = None) -> str:
    """``rng (numpy.random.default_rng)``, or the constructor call as written (``... in jobs``)."""
    name = dotted_name(node)
    if name is not None:
        return f"{name} ({ctor})"
    text = ast.unparse(node)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} in {via.id}" if isinstance(via, ast.Name) else text


def _identity(facts: FileFacts, node: ast.expr) -> tuple[int, ...] | None:
    """The bindings that make a named RNG object: one key per object."""
    if isinstance(node, ast.Name):
        bindings = facts.scopes.lookup(node.id, start(node)) or []
        return tuple(sorted(id(b.node) for b in bindings)) or None
    return None


def _payload_rngs(facts: FileFacts, handoff: Handoff) -> Iterator[tuple[ast.expr, str, bool]]:
    """(RNG expression, how to name it, handed to several tasks) for what a call gives its tasks."""
    call = handoff.call
    many_tasks = handoff.kind in ("pool", "executor") and handoff.method in POOL_MAPS | {"map"}
    for node in handoff.bound:  # functools.partial: every task of a map gets the same object
        ctor = _rng_object(facts, node)
        if ctor is not None:
            yield node, _label(node, ctor), many_tasks or _in_loop(facts, call)
    if many_tasks:
        if handoff.kind == "pool":
            iterables = [x for x in [argument(call, "iterable", 1)] if x is not None]
        else:
            iterables = call.args[1:]
        for iterable in iterables:
            yield from _repeated_in(facts, iterable)
        return
    if handoff.kind == "spawn":
        nprocs = argument(call, "nprocs", 2)
        several = nprocs is not None and not (isinstance(nprocs, ast.Constant) and nprocs.value == 1)
        values = [argument(call, "args", 1)]
    elif handoff.kind == "process":
        several = _in_loop(facts, call)
        values = [argument(call, "args", 3), argument(call, "kwargs", 4)]
    elif handoff.method == "submit":
        several = _in_loop(facts, call)
        values = [*call.args[1:], *(k.value for k in call.keywords)]
    else:  # apply, apply_async
        several = _in_loop(facts, call)
        values = [argument(call, "args", 1), argument(call, "kwds", 2)]
    loop = _enclosing_loop(facts, call) if several and handoff.kind != "spawn" else None
    for value in values:
        for node in _argument_parts(facts, value):
            ctor = _rng_object(facts, node)
            if ctor is None:
                continue
            if loop is not None and not _same_each_time(facts, node, loop):
                continue  # a new object (or state) each time round the loop
            yield node, _label(node, ctor), several


def _argument_parts(facts: FileFacts, value: ast.expr | None) -> Iterator[ast.expr]:
    """The expressions an ``args=`` tuple or ``kwargs=`` dict holds (a name followed to its value)."""
    stack: list[tuple[ast.expr | None, int]] = [(value, 0)]
    while stack:
        node, hops = stack.pop()
        if node is None:
            continue
        if isinstance(node, (ast.Tuple, ast.List)):
            stack.extend((e, hops) for e in node.elts)
        elif isinstance(node, ast.Dict):
            stack.extend((v, hops) for v in node.values)
        elif isinstance(node, ast.Starred):
            stack.append((node.value, hops))
        elif isinstance(node, ast.Name) and _rng_object(facts, node) is None and hops < MAX_HOPS:
            stack.extend((v, hops + 1) for v in _assigned(facts, node) or ())
        else:
            yield node


def _repeated_in(facts: FileFacts, iterable: ast.expr) -> Iterator[tuple[ast.expr, str, bool]]:
    """RNG objects an iterable of tasks repeats: ``[rng] * n``, ``itertools.repeat(rng)``,
    ``[(x, rng) for x in xs]``, ``[default_rng(0) for _ in range(n)]``, through names and ``zip``.

    Each entry: (node, how it repeats: "" not, "same" one object, or the comprehension whose
    elements make it afresh, the name it was reached through, assignment hops)."""
    stack: list[tuple[ast.AST, object, ast.expr | None, int]] = [(iterable, "", None, 0)]
    seen = 0
    while stack and seen < MAX_NODES:
        node, repeat, shown, hops = stack.pop()
        seen += 1
        ctor = _rng_object(facts, node) if isinstance(node, ast.expr) else None
        if ctor is not None:
            if isinstance(node, ast.expr) and (
                    repeat == "same" or (isinstance(repeat, ast.AST) and _same_each_time(facts, node, repeat))):
                direct = isinstance(shown, ast.Name) and any(v is node for v in _assigned_or_some(facts, shown))
                yield node, _label(shown if direct and shown is not None else node, ctor, shown), True
            continue
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            stack.extend((e, repeat, shown, hops) for e in node.elts)
        elif isinstance(node, ast.Starred):
            stack.append((node.value, repeat, shown, hops))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for side in (node.left, node.right):
                if isinstance(side, (ast.List, ast.Tuple)):
                    stack.extend((e, "same", shown, hops) for e in side.elts)
        elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            stack.append((node.elt, repeat if repeat == "same" else node, shown, hops))
            stack.extend((g.iter, repeat, shown, hops) for g in node.generators)
        elif isinstance(node, ast.Call):
            qualified = facts.qualified_call_name(node) or (node.func.id if isinstance(node.func, ast.Name) else "")
            if qualified == "itertools.repeat" and node.args:
                stack.append((node.args[0], "same", shown, hops))
            elif qualified in PASS_THROUGH:
                stack.extend((a, repeat, shown, hops) for a in node.args)
        elif isinstance(node, ast.Name) and hops < MAX_HOPS:
            # A value made once, outside any comprehension that repeats the name: one object.
            again = "same" if isinstance(repeat, ast.AST) and not _changes_in(facts, node, repeat) else repeat
            stack.extend((v, again, node, hops + 1) for v in _assigned_or_some(facts, node))


def _assigned_or_some(facts: FileFacts, name: ast.Name) -> list[ast.expr]:
    """The values assigned to a name where that is all that binds it, ignoring ``None``
    (``generator = None`` then ``generator = torch.Generator()``: sometimes an RNG)."""
    return [v for v in _assigned(facts, name) or () if not is_none(v)]


def _same_each_time(facts: FileFacts, node: ast.expr, loop: ast.AST) -> bool:
    """An RNG expression in a loop or comprehension that gives the same state every time round:
    a name bound outside it, or a constructor seeded with a value that does not change in it."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        return not _changes_in(facts, node, loop)
    if not isinstance(node, ast.Call):
        return False
    seed = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in SEED_PARAMETERS), None)
    if seed is None or is_none(seed):
        return False  # fresh entropy for each object
    return not _changes_in(facts, seed, loop)


def _changes_in(facts: FileFacts, node: ast.expr, loop: ast.AST) -> bool:
    """True when the expression uses a name bound inside the loop or comprehension, or calls something."""
    first, last = start(loop), end(loop)
    for part in ast.walk(node):
        if isinstance(part, ast.Call):
            return True  # computed afresh each time round
        if isinstance(part, ast.Name):
            for binding in facts.scopes.lookup(part.id, start(part)) or ():
                if first <= start(binding.node) <= last:
                    return True
    return False


def _rng_object(facts: FileFacts, node: ast.AST) -> str | None:
    """The constructor of the RNG object an expression is (inline, or a name bound only to one)."""
    if isinstance(node, ast.Call):
        return _constructor(facts, node)
    if isinstance(node, ast.Name):
        bindings = facts.scopes.lookup(node.id, start(node))
        if not bindings:
            return None
        ctors: set[str] = set()
        for binding in bindings:
            if binding.kind == ASSIGN and isinstance(binding.value, ast.Call):
                ctor = _constructor(facts, binding.value)
            elif binding.kind == PARAM and isinstance(binding.node, ast.arg) and binding.node.annotation is not None:
                annotation = binding.node.annotation
                ctor = facts.names.qualified_name(annotation) if isinstance(
                    annotation, (ast.Name, ast.Attribute)) else None
                ctor = ctor if ctor in RNG_ANNOTATIONS else None
            else:
                ctor = None
            if ctor is None:
                return None
            ctors.add(ctor)
        return min(ctors)
    if isinstance(node, ast.Attribute):
        name = dotted_name(node)
        if name is None:
            return None
        values = [v for target, v in facts.assigned_dotted_names() if target == name]
        made = [_constructor(facts, v) if isinstance(v, ast.Call) else None for v in values]
        known = [c for c in made if c is not None]
        if values and len(known) == len(made):
            return min(known)
    return None


def _constructor(facts: FileFacts, call: ast.Call) -> str | None:
    found = facts.is_rng_constructor(call)
    if found is not None:
        return found
    qualified = facts.qualified_call_name(call)
    return qualified if qualified in RNG_OBJECTS else None
