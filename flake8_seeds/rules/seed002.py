"""SEED002: RNG state duplicated across worker processes.

The DataLoader half, here, finds three things:

- a Dataset that draws, in worker code, from an RNG object made outside it: every worker gets
  a copy in the same state (``_object_draws``);
- a ``worker_init_fn`` that reseeds from a value that is the same every epoch: every epoch
  replays the last (``_epoch_replays``);
- MONAI random transforms, each holding its own ``RandomState``, loaded by torch's DataLoader
  with worker processes (``_monai_transforms``).

The process-pool half is ``seed002_pools``; what both halves share is ``seed002_reseeds``.
Class hierarchies, worker code and the file's call graph come from ``program.py``; every walk
here is iterative.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, compress
from operator import attrgetter

from flake8_seeds.facts import (
    FileFacts, FunctionNode, argument, has_unpacking, is_none, is_true_constant, position, walk_local,
)
from flake8_seeds.names import dotted_name
from flake8_seeds.program import WORKER_ENTRY_POINTS, dataset_classes, worker_methods
from flake8_seeds.rules import seed002_pools
from flake8_seeds.rules.base import Finding, Rule, Settings, finding
from flake8_seeds.vocab import DRAWS
from flake8_seeds.rules.seed002_reseeds import CODE, Reseed, reseeds
from flake8_seeds.scopes import ASSIGN, IMPORT, PARAM, start
from flake8_seeds.values import MAX_HOPS, bound_values, depends_on, mentions, subexpressions

DATALOADER = "torch.utils.data.DataLoader"
GET_WORKER_INFO = "torch.utils.data.get_worker_info"
PARTIAL = "functools.partial"
# Calling one of these on an RNG object does not draw from it.
NON_DRAWING = frozenset({"seed", "manual_seed", "set_state", "setstate", "get_state", "getstate",
                         "initial_seed", "bit_generator"})
Function = FunctionNode | ast.Lambda
Key = tuple[int, int, str]
FIX = "reseed it per worker in a worker_init_fn from torch.utils.data.get_worker_info().seed"
_KEYWORDS, _ARG = attrgetter("keywords"), attrgetter("arg")


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    if facts.relevant:
        yield from _dataloader_findings(facts, settings)
    yield from seed002_pools.check(facts, settings)


def _dataloader_findings(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    init_functions = _worker_init_functions(facts)
    findings: dict[Key, Finding] = {}
    for found in _epoch_replays(facts, settings, init_functions):
        findings[found[:3]] = found
    datasets = _dataset_classes(facts)
    if datasets:
        hooks = _worker_hooks(facts, init_functions)
        loaders = _loaders_by_class(facts, datasets)
        memo: dict[int, dict[str, str]] = {}  # a class or method -> the RNG objects it makes
        for cls in _classes_to_check(facts, datasets, memo):
            # A draw in a base class is reported once, not once per subclass.
            for key, found in _object_draws(facts, settings, cls, hooks, loaders, memo):
                findings.setdefault(key, found)
    for found in _monai_transforms(facts, datasets):
        findings.setdefault(found[:3], found)
    yield from sorted(findings.values())


# -- Dataset classes ---------------------------------------------------------------------

def _dataset_classes(facts: FileFacts) -> list[ast.ClassDef]:
    """The file's torch Dataset classes, in source order (bases before the classes built on them)."""
    return sorted(dataset_classes(facts), key=position) if facts.classes else []


def _classes_to_check(facts: FileFacts, datasets: list[ast.ClassDef],
                      memo: dict[int, dict[str, str]]) -> Iterator[ast.ClassDef]:
    """The Dataset classes, less those that add nothing to a class already checked: no RNG object,
    no worker entry point, no method that anything calls as ``x.name()`` (``class B(A): pass``).
    They draw what their base draws, and a 3,000-class chain stays linear."""
    seen: set[int] = set()
    called = facts.method_calls
    for cls in datasets:
        bases = [t for base in cls.bases for t in facts.program.local_targets(_unsubscripted(base))]
        adds_nothing = bool(bases) and not _rngs_made(facts, cls, memo) and not any(
            isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
            and (s.name in WORKER_ENTRY_POINTS or s.name in called or _rngs_made(facts, s, memo))
            for s in cls.body)
        if not (adds_nothing and all(id(base) in seen for base in bases)):
            yield cls
        seen.add(id(cls))


def _unsubscripted(base: ast.expr) -> ast.expr:
    return base.value if isinstance(base, ast.Subscript) else base  # Dataset[int]


def _self_name(function: FunctionNode) -> str | None:
    params = function.args.posonlyargs + function.args.args
    return params[0].arg if params else None


def _self_attr(node: ast.expr, self_name: str | None) -> str | None:
    """``X`` when node is ``self.X``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == self_name:
        return node.attr
    return None


def _assigned(node: ast.Assign | ast.AnnAssign) -> Iterator[tuple[ast.expr, ast.expr]]:
    """(target, value) pairs of an assignment, tuples paired item by item (``self.a, self.b = x, y``)."""
    if node.value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    stack = [(target, node.value) for target in targets]
    while stack:
        target, value = stack.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            if (isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts)
                    and not any(isinstance(e, ast.Starred) for e in [*target.elts, *value.elts])):
                stack.extend(zip(target.elts, value.elts))
            continue
        yield target, value


def _nested_nodes(function: FunctionNode) -> Iterator[ast.AST]:
    """Every node of a method's body, lambdas and nested functions included (they run in the worker too)."""
    for stmt in function.body:
        yield from ast.walk(stmt)


# -- RNG objects drawn in worker code --------------------------------------------------------

@dataclass
class WorkerHooks:
    """What the file's worker-side hooks (worker_init_fn and code that asks get_worker_info()) reseed."""

    attributes: set[str] = field(default_factory=set)  # `info.dataset.<attr>` reseeded
    names: set[str] = field(default_factory=set)  # module-level names reseeded
    methods: set[str] = field(default_factory=set)  # dataset methods they call
    seeds_numpy: bool = False


def _object_draws(facts: FileFacts, settings: Settings, cls: ast.ClassDef, hooks: WorkerHooks,
                  loaders: dict[int, list[ast.Call]], memo: dict[int, dict[str, str]]) -> Iterator[tuple[Key, Finding]]:
    program = facts.program
    worker = worker_methods(facts, cls)
    if not worker:
        return
    given = _loaders_given(facts, cls, loaders)
    if given and (all(_single_process(call) for call in given) or all(_opaque_init_fn(facts, c) for c in given)):
        return
    streaming = worker_methods(facts, cls, ("__iter__",))
    if any(facts.qualified_call_name(call) == GET_WORKER_INFO
           for method in streaming.values() for call in program.calls_by_unit.get(id(method), ())):
        return  # an iterator that shards by worker: one shared RNG (a common permutation) may be deliberate
    worker_side = {**worker, **worker_methods(facts, cls, hooks.methods)}

    mro = program.mro(cls)
    methods: dict[str, FunctionNode] = {}
    for base in mro:
        for stmt in base.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.setdefault(stmt.name, stmt)
    # RNG objects made outside worker code: class attributes, self.X in other methods.
    made: dict[str, str] = {}
    for base in reversed(mro):
        made.update(_rngs_made(facts, base, memo))
    for name, method in methods.items():
        if name not in worker_side:
            made.update(_rngs_made(facts, method, memo))
    # Silent when worker-side code re-creates or reseeds the object before use.
    for method in worker_side.values():
        self_name = _self_name(method)
        for remade in _reseeded(method.body, partial(_self_attr, self_name=self_name)):
            made.pop(remade, None)
    for remade in hooks.attributes:
        made.pop(remade, None)

    draws: list[tuple[ast.AST, str, str]] = []  # (node, shown name, constructor)
    legacy: list[tuple[ast.AST, str]] = []
    for method in worker.values():
        self_name = _self_name(method)
        for node in _nested_nodes(method):
            if not isinstance(node, ast.Call):
                continue
            for used in _rng_uses(node):
                if isinstance(used, ast.Name):
                    # A local alias (`rng = self.rng`) draws from what it names.
                    aliased = [v for v in bound_values(facts, used) or () if _self_attr(v, self_name) in made]
                    used = aliased[0] if aliased else used
                attr = _self_attr(used, self_name)
                if attr in made:
                    draws.append((node, f"self.{attr}", made[attr]))
                elif isinstance(used, ast.Name) and used.id not in hooks.names:
                    ctor = _module_rng(facts, used)
                    if ctor is not None:
                        draws.append((node, used.id, ctor))
            if settings.legacy_numpy_workers and not hooks.seeds_numpy:
                qualified = facts.qualified_call_name(node)
                if qualified is not None and DRAWS.get(qualified) == "numpy":
                    legacy.append((node, qualified))

    seen: set[str] = set()
    for node, shown, ctor in sorted(draws, key=lambda d: position(d[0])):
        if shown in seen:
            continue
        seen.add(shown)
        yield (*position(node), shown), finding(node, CODE, (
            f"{cls.name} draws from {shown} ({ctor}) in DataLoader worker code; each worker "
            f"gets a copy with the same state, so workers repeat each other's numbers; {FIX}"
        ))
    if legacy:
        node, qualified = min(legacy, key=lambda item: position(item[0]))
        yield (*position(node), qualified), finding(node, CODE, (
            f"{cls.name} calls {qualified} in DataLoader worker code; torch < 1.9 gives every "
            f"worker the same NumPy state; call numpy.random.seed(torch.initial_seed() % 2**32) "
            f"in a worker_init_fn"
        ))


def _rngs_made(facts: FileFacts, node: ast.ClassDef | FunctionNode, memo: dict[int, dict[str, str]]) -> dict[str, str]:
    """RNG objects a class body makes (class attributes) or a method assigns to ``self.X``:
    name -> constructor.  Worked out once per class and method, however many subclasses share it."""
    found = memo.get(id(node))
    if found is None:
        found = memo[id(node)] = {}
        if isinstance(node, ast.ClassDef):
            self_name = None
            statements: Iterable[ast.AST] = node.body
        else:
            self_name = _self_name(node)
            statements = walk_local(node.body)
        for stmt in statements:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                for target, value in _assigned(stmt):
                    name = target.id if isinstance(target, ast.Name) and self_name is None else _self_attr(
                        target, self_name)
                    ctor = facts.is_rng_constructor(value) if name else None
                    if name and ctor:
                        found[name] = ctor
    return found


def _rng_uses(call: ast.Call) -> Iterator[ast.expr]:
    """Expressions a call draws from: its receiver, and every object passed to it."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr not in NON_DRAWING:
        yield func.value
    yield from call.args
    for keyword in call.keywords:
        yield keyword.value


def _module_rng(facts: FileFacts, name: ast.Name) -> str | None:
    """The constructor, when ``name`` is a module-level RNG object made at import time
    (in a top-level ``if`` or ``try`` too); None when a function (re)binds it through ``global``."""
    bindings = facts.scopes.lookup(name.id, start(name))
    ctors: list[str] = []
    for binding in bindings or ():
        if binding.scope is not facts.scopes.module or binding.kind != ASSIGN:
            return None
        if facts.program.unit_of(binding.node) is not facts.tree:
            return None  # `global RNG; RNG = ...` in a function: made lazily, perhaps per worker
        if is_none(binding.value):
            continue
        ctor = facts.is_rng_constructor(binding.value)
        if ctor is None:
            return None
        ctors.append(ctor)
    return ctors[0] if ctors else None


def _reseeded(body: list[ast.stmt] | list[ast.expr], extract: Callable[[ast.expr], str | None]) -> Iterator[str]:
    """Names (through ``extract``) that statements assign or reseed."""
    for node in walk_local(body):
        targets: list[ast.expr] = []
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = _flat_targets(node.targets if isinstance(node, ast.Assign) else [node.target])
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("seed", "manual_seed", "set_state", "setstate")):
            targets = [node.func.value]
        for target in targets:
            if (isinstance(target, ast.Attribute) and target.attr == "state"
                    and isinstance(target.value, ast.Attribute) and target.value.attr == "bit_generator"):
                target = target.value.value  # x.bit_generator.state = ...
            name = extract(target)
            if name:
                yield name


def _flat_targets(targets: list[ast.expr]) -> list[ast.expr]:
    """Assignment targets with tuples and lists opened: ``self.rng, x = ...`` assigns ``self.rng``."""
    flat: list[ast.expr] = []
    stack = list(targets)
    while stack:
        target = stack.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            stack.extend(target.elts)
        elif isinstance(target, ast.Starred):
            stack.append(target.value)
        else:
            flat.append(target)
    return flat


# -- DataLoaders that get a class ------------------------------------------------------------

def _loaders_by_class(facts: FileFacts, datasets: list[ast.ClassDef]) -> dict[int, list[ast.Call]]:
    """id of a Dataset class -> the torch DataLoader calls given an instance of it."""
    wanted = {id(cls) for cls in datasets}
    made_by_name: dict[str, set[int]] = {}  # `self.train_set = DS(...)` anywhere in the file
    for name, value in facts.assigned_dotted_names():
        if "." in name:
            made_by_name.setdefault(name, set()).update(_instantiated(facts, value, wanted) or {0})
    by_class: dict[int, list[ast.Call]] = {}
    for call in facts.calls_to(DATALOADER):
        dataset = argument(call, "dataset", 0)
        if dataset is None:
            continue
        classes: set[int] = set()
        for part in subexpressions(facts, dataset):
            if isinstance(part, ast.Call):
                classes |= _instantiated(facts, part, wanted)
        if not classes and isinstance(dataset, ast.Attribute):
            bound = made_by_name.get(dotted_name(dataset) or "", set())
            classes = bound if len(bound) == 1 and 0 not in bound else set()
        for cls in classes:
            by_class.setdefault(cls, []).append(call)
    return by_class


def _instantiated(facts: FileFacts, node: ast.expr, wanted: set[int]) -> set[int]:
    """ids of the Dataset classes a call instantiates."""
    if not isinstance(node, ast.Call):
        return set()
    return {id(t) for t in facts.program.local_targets(node.func) if id(t) in wanted}


def _loaders_given(facts: FileFacts, cls: ast.ClassDef, loaders: dict[int, list[ast.Call]]) -> list[ast.Call]:
    """The DataLoader calls of the file given this class (or a subclass)."""
    given: list[ast.Call] = []
    if not loaders:
        return given
    by_id = {id(c): c for c in facts.classes}
    for class_id, calls in loaders.items():
        if any(base is cls for base in facts.program.mro(by_id[class_id])):
            given.extend(calls)
    return given


def _single_process(call: ast.Call) -> bool:
    if has_unpacking(call):
        return False
    workers = argument(call, "num_workers", 5)
    return workers is None or (isinstance(workers, ast.Constant) and workers.value == 0)


def _opaque_init_fn(facts: FileFacts, call: ast.Call) -> bool:
    """A worker_init_fn the file cannot read (imported, an unknown attribute): it may reseed the dataset."""
    init_fn = argument(call, "worker_init_fn", 10)
    if init_fn is None or is_none(init_fn):
        return False
    return not _functions_passed(facts, init_fn)


# -- worker_init_fn ----------------------------------------------------------------------------

@dataclass
class InitFunction:
    """A worker_init_fn of the file, and the calls it is passed to (none when only its name says so)."""

    function: Function
    given_to: list[ast.Call] = field(default_factory=list)


def _worker_init_functions(facts: FileFacts) -> list[InitFunction]:
    """Functions and methods named ``worker_init_fn``, and whatever is passed as ``worker_init_fn=``."""
    found: dict[int, InitFunction] = {id(f): InitFunction(f) for f in facts.local_functions.get("worker_init_fn", ())}
    given: list[tuple[ast.Call, ast.expr]] = []
    keyword_names = map(_ARG, chain.from_iterable(map(_KEYWORDS, facts.calls)))  # every keyword, at C speed
    if "worker_init_fn" in set(keyword_names):
        for call in compress(facts.calls, map(_KEYWORDS, facts.calls)):  # calls with keywords
            for keyword in call.keywords:
                if keyword.arg == "worker_init_fn":
                    given.append((call, keyword.value))
                    break
    for call in facts.calls_to(DATALOADER):
        positional = argument(call, "worker_init_fn", 10)
        if positional is not None and not any(k.arg == "worker_init_fn" for k in call.keywords):
            given.append((call, positional))
    for call, value in given:
        if is_none(value):
            continue
        for function in _functions_passed(facts, value):
            found.setdefault(id(function), InitFunction(function)).given_to.append(call)
    return list(found.values())


def _functions_passed(facts: FileFacts, node: ast.expr) -> list[Function]:
    """The file's functions an expression passes: a name, a lambda, ``self.method``,
    ``functools.partial(f, ...)``, or a name bound to one of those."""
    program = facts.program
    found: list[Function] = []
    stack: list[tuple[ast.expr, int]] = [(node, 0)]
    seen: set[int] = set()
    while stack:
        current, hops = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ast.Lambda):
            found.append(current)
        elif isinstance(current, ast.Call):
            if facts.qualified_call_name(current) == PARTIAL and current.args:
                stack.append((current.args[0], hops))
        elif isinstance(current, ast.Name):
            functions = [t for t in program.local_targets(current)
                         if isinstance(t, (ast.FunctionDef, ast.AsyncFunctionDef))]
            found.extend(functions)
            if not functions and hops < MAX_HOPS:
                stack.extend((value, hops + 1) for value in bound_values(facts, current) or ())
        elif isinstance(current, ast.Attribute):
            found.extend(_methods_named(facts, current))
    return found


def _methods_named(facts: FileFacts, node: ast.Attribute) -> list[Function]:
    """``self.m`` in a method, ``Class.m``, or ``obj.m`` for ``obj = Class(...)``: the file's method ``m``."""
    program = facts.program
    receiver = node.value
    if not isinstance(receiver, ast.Name):
        return []
    classes: list[ast.ClassDef] = []
    for binding in facts.scopes.lookup(receiver.id, start(receiver)) or ():
        owner = binding.scope.node if binding.scope is not None else None
        if binding.kind == PARAM and isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cls = program.class_of(owner)
            if cls is not None and _self_name(owner) == receiver.id:
                classes.append(cls)
        elif binding.kind == ASSIGN and isinstance(binding.value, ast.Call):
            classes.extend(t for t in program.local_targets(binding.value.func) if isinstance(t, ast.ClassDef))
    classes.extend(t for t in program.local_targets(receiver) if isinstance(t, ast.ClassDef))
    found: list[Function] = []
    for cls in classes:
        method = next((m for m in program.methods(cls)
                       if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name == node.attr), None)
        if method is not None and method not in found:
            found.append(method)
    return found


def _worker_hooks(facts: FileFacts, init_functions: list[InitFunction]) -> WorkerHooks:
    """What worker_init_fns, and functions that call get_worker_info(), reseed."""
    program = facts.program
    hooks = WorkerHooks()
    functions: dict[int, Function] = {id(i.function): i.function for i in init_functions}
    for call in facts.calls_to(GET_WORKER_INFO):
        unit = program.unit_of(call)
        if isinstance(unit, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            functions.setdefault(id(unit), unit)
    init_ids = {id(i.function) for i in init_functions}
    for hook in functions.values():
        body: list[ast.stmt] | list[ast.expr] = hook.body if isinstance(hook.body, list) else [hook.body]
        self_name = None
        if id(hook) in init_ids and not isinstance(hook, ast.Lambda) and program.class_of(hook) is not None:
            self_name = _self_name(hook)  # a Dataset's own worker_init_fn reseeds self.X
        hooks.attributes.update(_reseeded(body, lambda n: _dataset_attribute(facts, n, self_name)))
        hooks.names.update(_reseeded(body, lambda n: n.id if isinstance(n, ast.Name) else None))
        for node in walk_local(body):
            if isinstance(node, ast.Call):
                qualified = facts.qualified_call_name(node)
                if isinstance(node.func, ast.Attribute) and qualified is None:
                    hooks.methods.add(node.func.attr)
                if qualified == "numpy.random.seed":
                    hooks.seeds_numpy = True
    return hooks


def _dataset_attribute(facts: FileFacts, node: ast.expr, self_name: str | None) -> str | None:
    """``X`` for ``<something>.X``, unless it is a module's (``np.random``) or, outside the
    Dataset's own worker_init_fn, ``self.X``."""
    if not isinstance(node, ast.Attribute) or facts.names.qualified_name(node) is not None:
        return None
    if isinstance(node.value, ast.Name) and node.value.id == "self" and self_name != "self":
        return None  # the Dataset's own state, set in the main process
    return node.attr


def _epoch_replays(facts: FileFacts, settings: Settings, init_functions: list[InitFunction]) -> Iterator[Finding]:
    seeds: SeedValues | None = None
    for init in init_functions:
        if init.given_to and all(is_true_constant(argument(c, "persistent_workers", None)) for c in init.given_to):
            continue  # workers live across epochs: the next epoch continues the stream
        for reseed in reseeds(facts, settings, facts.program.calls_by_unit.get(id(init.function), ())):
            seeds = seeds or SeedValues(facts)
            if seeds.same_every_epoch(reseed.value, init.function):
                yield finding(reseed.call, CODE, _replay_message(reseed))


def _replay_message(reseed: Reseed) -> str:
    what = f"every RNG through {reseed.what}()" if reseed.helper else reseed.what
    return (f"worker_init_fn reseeds {what} from a value that is the same every epoch, so every epoch "
            f"replays the same random numbers; derive it from torch.initial_seed() or "
            f"torch.utils.data.get_worker_info().seed")


# Calls whose result is the same whenever their arguments are.
_PURE_BUILTINS = frozenset({"int", "float", "abs", "round", "min", "max", "sum", "len", "bool"})
_NUMPY_CASTS = frozenset({"numpy.uint32", "numpy.uint64", "numpy.int32", "numpy.int64", "numpy.int_"})
_CONFIG_LOOKUPS = frozenset({"os.getenv", "os.environ.get"})
_SAME_EVERY_TIME = frozenset({"numpy.random.get_state", GET_WORKER_INFO})
_mentions_epoch = mentions("epoch")


class SeedValues:
    """Whether a seed given in a worker_init_fn is the same every epoch.

    It is when it is built only from constants, module constants, parameters (the worker id,
    values bound by ``partial``), config values (``args.seed``, ``self.seed``, ``cfg["seed"]``),
    ``get_worker_info().id`` and ``np.random.get_state()[...]``.  It changes per epoch, or cannot
    be read, as soon as a part is ``torch.initial_seed()``, ``get_worker_info().seed``, a global-RNG
    draw, an unknown call, a name or attribute that mentions ``epoch``, or an attribute that the file
    sets from one (``self.seed = base + epoch`` in ``set_epoch``).
    """

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.epoch_attributes = {
            target.rsplit(".", 1)[-1] for target, value in facts.assigned_dotted_names()
            if "." in target and depends_on(facts, value, _mentions_epoch)}

    def same_every_epoch(self, value: ast.expr, function: Function) -> bool:
        stack: list[tuple[ast.AST, int]] = [(value, 0)]
        seen: set[int] = set()
        while stack:
            node, hops = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if _mentions_epoch(node):
                return False
            parts: list[ast.expr] | None
            if isinstance(node, ast.Constant):
                parts = []
            elif isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Tuple, ast.List,
                                   ast.Starred)):
                parts = [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]
            elif isinstance(node, ast.Name):
                parts = self._name_values(node)
                if parts:
                    if hops >= MAX_HOPS:
                        return False
                    hops += 1
            elif isinstance(node, (ast.Attribute, ast.Subscript)):
                parts = self._lookup_parts(node, function)
            elif isinstance(node, ast.Call):
                parts = self._call_parts(node, function)
            else:
                parts = None
            if parts is None:
                return False
            stack.extend((part, hops) for part in parts)
        return True

    def _name_values(self, name: ast.Name) -> list[ast.expr] | None:
        """What a name's value is made of: [] for a parameter or an import, the assigned values,
        or None when something else binds it (a loop, a ``with``) or nothing does."""
        bindings = self.facts.scopes.lookup(name.id, start(name))
        if not bindings:
            return None
        values: list[ast.expr] = []
        for binding in bindings:
            if binding.kind in (PARAM, IMPORT):
                continue  # the worker id, a value bound by partial or a default; an imported constant
            if binding.kind != ASSIGN or binding.value is None:
                return None
            values.append(binding.value)
        return values

    def _lookup_parts(self, node: ast.expr, function: Function) -> list[ast.expr] | None:
        """A config lookup (``args.seed``, ``cfg["seed"]``, ``info.id``): its keys, and its root when
        the worker_init_fn itself assigned it (``info = get_worker_info()``); a config object from
        outside (``args``, ``self``, a module) is the same every epoch whatever made it."""
        parts: list[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, (ast.Attribute, ast.Subscript)):
            if isinstance(current, ast.Attribute):
                if (_mentions_epoch(current) or current.attr in self.epoch_attributes
                        or current.attr == "seed" and self._is_worker_info(current.value)):
                    return None
            else:
                parts.append(current.slice)
            current = current.value
        if isinstance(current, ast.Name):
            bindings = self.facts.scopes.lookup(current.id, start(current)) or []
            if any(b.scope is not None and b.scope.node is function for b in bindings):
                parts.append(current)  # a local of the worker_init_fn (`info = get_worker_info()`): follow it
            elif _mentions_epoch(current):
                return None
        else:
            parts.append(current)  # `np.random.get_state()[1][0]`, `get_worker_info().id`
        return parts

    def _is_worker_info(self, node: ast.expr) -> bool:
        """``get_worker_info()``, or a name bound to it."""
        values = (bound_values(self.facts, node) or []) if isinstance(node, ast.Name) else [node]
        return any(isinstance(v, ast.Call) and self.facts.qualified_call_name(v) == GET_WORKER_INFO for v in values)

    def _call_parts(self, call: ast.Call, function: Function) -> list[ast.expr] | None:
        """The parts of a call's result: none for ``np.random.get_state()``, the arguments of a cast
        or of a config lookup (``int(x)``, ``cfg.get("seed")``, ``getattr(cfg, "seed")``); None for
        any other call (``torch.initial_seed()``, a draw, anything unknown)."""
        facts = self.facts
        qualified = facts.qualified_call_name(call)
        if qualified in _SAME_EVERY_TIME:
            return []
        arguments = [*call.args, *(k.value for k in call.keywords)]
        func = call.func
        if qualified in _NUMPY_CASTS or qualified in _CONFIG_LOOKUPS:
            return arguments
        builtin = func.id if isinstance(func, ast.Name) and facts.scopes.lookup(func.id, start(func)) is None else ""
        if builtin == "getattr" and call.args:
            root = self._lookup_parts(call.args[0], function)
            return None if root is None else [*root, *arguments[1:]]
        if builtin in _PURE_BUILTINS:
            return arguments
        if isinstance(func, ast.Attribute) and func.attr == "get" and qualified is None:
            root = self._lookup_parts(func.value, function)
            return None if root is None else [*root, *arguments]
        return None


# -- MONAI random transforms -------------------------------------------------------------------

# monai.transforms classes that hold a RandomState (monai 1.6.1: subclasses of Randomizable)
# but whose names do not start with Rand, and Rand* names that are not Randomizable.
_SUFFIXES = ("", "d", "D", "Dict")
_RANDOMIZABLE = frozenset({"OneOf", "SomeOf", "SmoothField", "IntensityRemap"} | {
    base + suffix for base in ("CutMix", "CutOut", "MixUp", "AddExtremePointsChannel") for suffix in _SUFFIXES})
_NOT_RANDOMIZABLE = ("Randomizable", "RandIdentity", "RandMark", "RandRangePop", "RandRangePush",
                     "RandCuCIM", "RandTorchIO", "RandTorchVision")
MONAI_LOADER_FIX = ("use monai.data.DataLoader, which reseeds them per worker, or pass "
                    "worker_init_fn=monai.data.utils.worker_init_fn")


def is_monai_random_transform(qualified: str | None) -> bool:
    """A MONAI transform class that holds its own RandomState (``RandFlipd``, ``OneOf``, ...)."""
    if qualified is None or not qualified.startswith("monai.transforms."):
        return False
    name = qualified.rsplit(".", 1)[-1]
    if name.startswith(_NOT_RANDOMIZABLE):
        return False
    return name.startswith(("Rand", "SignalRand")) or name in _RANDOMIZABLE


def _monai_transforms(facts: FileFacts, datasets: list[ast.ClassDef]) -> Iterator[Finding]:
    """torch's DataLoader, with workers, loading a dataset given MONAI random transforms."""
    if "monai" not in facts.names.roots():
        return
    for call in facts.calls_to(DATALOADER):
        workers = argument(call, "num_workers", 5)
        if has_unpacking(call) or workers is None or isinstance(workers, ast.Constant) and workers.value == 0:
            continue
        init_fn = argument(call, "worker_init_fn", 10)
        if init_fn is not None and not is_none(init_fn):
            continue  # it may call monai.data.utils.set_rnd
        dataset = argument(call, "dataset", 0)
        transform = _random_transform_given(facts, dataset, datasets) if dataset is not None else None
        if transform is not None:
            name = facts.qualified_call_name(transform)
            epochs = "" if is_true_constant(argument(call, "persistent_workers", None)) else (
                " and each epoch repeats the last")
            yield finding(call, CODE, (
                f"torch.utils.data.DataLoader loads a dataset with MONAI random transform {name} "
                f"(line {transform.lineno}) in worker processes; each worker gets a copy of its RandomState in "
                f"the same state, so workers repeat each other's random transforms{epochs}; {MONAI_LOADER_FIX}"
            ))


def _random_transform_given(facts: FileFacts, dataset: ast.expr, datasets: list[ast.ClassDef]) -> ast.Call | None:
    """The first MONAI random transform built for the dataset an expression makes: passed to a
    MONAI dataset or a Dataset class of the file, or built by that class outside worker code."""
    program = facts.program
    local = {id(cls): cls for cls in datasets}
    for part in subexpressions(facts, dataset):
        if not isinstance(part, ast.Call):
            continue
        qualified = facts.qualified_call_name(part) or ""
        classes = [local[id(t)] for t in program.local_targets(part.func) if id(t) in local]
        if not classes and not (qualified.startswith("monai.data.") and qualified.endswith("Dataset")):
            continue
        for argument_ in [*part.args, *(k.value for k in part.keywords)]:
            found = _random_transform_in(facts, subexpressions(facts, argument_))
            if found is not None:
                return found
        for cls in classes:
            worker = {id(m) for m in worker_methods(facts, cls).values()}
            built = (call for method in program.methods(cls) if id(method) not in worker
                     for call in program.calls_by_unit.get(id(method), ()))
            found = _random_transform_in(facts, built)
            if found is not None:
                return found
    return None


def _random_transform_in(facts: FileFacts, nodes: Iterable[ast.AST]) -> ast.Call | None:
    for node in nodes:
        if isinstance(node, ast.Call) and is_monai_random_transform(facts.qualified_call_name(node)):
            return node
    return None


RULE = Rule(CODE, "RNG state duplicated across worker processes", check)
