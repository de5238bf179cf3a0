"""SEED002: RNG state copied into every DataLoader worker."""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flake8_seeds.facts import (
    RESEEDING_METHODS, FileFacts, FunctionNode, argument, has_unpacking, is_none, is_true_constant, position,
    walk_local,
)
from flake8_seeds.names import dotted_name
from flake8_seeds.rules.base import Finding, Rule, Settings, finding
from flake8_seeds.rules.seed001 import DRAWS

CODE = "SEED002"
DATASET_BASES = frozenset({"torch.utils.data.Dataset", "torch.utils.data.IterableDataset"})
DATALOADER = "torch.utils.data.DataLoader"
GET_WORKER_INFO = "torch.utils.data.get_worker_info"
# Packages with classes named *Dataset that are not torch Datasets.
NON_TORCH_ROOTS = frozenset({"keras", "tensorflow", "tf_keras", "datasets", "paddle", "mxnet", "jax", "flax"})
WORKER_ENTRY_POINTS = ("__getitem__", "__getitems__", "__iter__", "__next__")
# Calling one of these on an RNG object does not draw from it.
NON_DRAWING = frozenset({"seed", "manual_seed", "set_state", "setstate", "get_state", "getstate",
                         "initial_seed", "bit_generator"})
GLOBAL_SEEDERS = {
    "numpy.random.seed": "numpy.random",
    "random.seed": "random",
    "torch.manual_seed": "torch",
}
Function = FunctionNode | ast.Lambda
FIX = "reseed it per worker in a worker_init_fn from torch.utils.data.get_worker_info().seed"


@dataclass
class WorkerInfoUse:
    """What the file's worker-side hooks (worker_init_fn and friends) reseed."""

    attributes: set[str] = field(default_factory=set)  # `info.dataset.<attr>` reseeded
    names: set[str] = field(default_factory=set)  # module-level RNG names reseeded
    methods: set[str] = field(default_factory=set)  # dataset methods they call
    seeds_numpy: bool = False


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    if not facts.relevant:
        return
    init_functions = _worker_init_functions(facts)
    findings: dict[tuple[int, int, str], Finding] = {}
    for found in _epoch_replaying_init_fns(facts, init_functions):
        findings[(found[0], found[1], found[2])] = found
    classes = {c.name: c for c in facts.classes}
    datasets = [c for c in facts.classes if _is_dataset(facts, c, classes, set())]
    if datasets:
        hooks = _worker_hooks(facts, init_functions)
        module_rngs = _module_level_rngs(facts)
        loaders = _loaders_by_class(facts, classes)
        for cls in datasets:
            # A draw in a base class is reported once, not once per subclass.
            for key, found in _check_dataset(facts, settings, cls, classes, hooks, module_rngs, loaders):
                findings.setdefault(key, found)
    yield from sorted(findings.values())


# -- Dataset classes ---------------------------------------------------------

def _is_dataset(facts: FileFacts, cls: ast.ClassDef, classes: dict[str, ast.ClassDef], seen: set[str]) -> bool:
    seen.add(cls.name)
    for base in cls.bases:
        if isinstance(base, ast.Subscript):  # Dataset[int]
            base = base.value
        qualified = facts.names.qualified_name(base)
        if qualified in DATASET_BASES:
            return True
        if qualified is not None and qualified.split(".", 1)[0] in NON_TORCH_ROOTS:
            continue  # keras.utils.PyDataset, datasets.Dataset: no DataLoader workers
        name = dotted_name(base)
        if name is None:
            continue
        if name.endswith("Dataset"):
            return True
        if name in classes and name not in seen and _is_dataset(facts, classes[name], classes, seen):
            return True
    return False


def _mro(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> list[ast.ClassDef]:
    """The class and its bases defined in this file, nearest first."""
    order: list[ast.ClassDef] = []
    stack = [cls]
    while stack:
        current = stack.pop(0)
        if current in order:
            continue
        order.append(current)
        for base in current.bases:
            name = dotted_name(base.value if isinstance(base, ast.Subscript) else base)
            if name in classes:
                stack.append(classes[name])
    return order


def _methods(mro: list[ast.ClassDef]) -> dict[str, FunctionNode]:
    methods: dict[str, FunctionNode] = {}
    for cls in mro:
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.setdefault(stmt.name, stmt)
    return methods


def _self_name(method: FunctionNode) -> str | None:
    args = method.args.posonlyargs + method.args.args
    return args[0].arg if args else None


def _self_attr(node: ast.expr, self_name: str | None) -> str | None:
    """``X`` when node is ``self.X``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == self_name:
        return node.attr
    return None


def _reachable(methods: dict[str, FunctionNode], entries: set[str]) -> set[str]:
    """Methods reached from ``entries`` through ``self.method(...)`` calls."""
    reached: set[str] = set()
    todo = [name for name in entries if name in methods]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        method = methods[name]
        self_name = _self_name(method)
        for node in walk_local(method.body):
            if isinstance(node, ast.Call):
                callee = _self_attr(node.func, self_name)
                if callee in methods and callee not in reached:
                    todo.append(callee)
    return reached


def _check_dataset(
    facts: FileFacts, settings: Settings, cls: ast.ClassDef, classes: dict[str, ast.ClassDef],
    hooks: WorkerInfoUse, module_rngs: dict[str, str], loaders: dict[str, list[ast.Call]],
) -> Iterator[tuple[tuple[int, int, str], Finding]]:
    mro = _mro(cls, classes)
    methods = _methods(mro)
    worker = _reachable(methods, set(WORKER_ENTRY_POINTS))
    if not worker:
        return
    given = _loaders_given(cls, classes, loaders)
    if given and (all(_single_process(call) for call in given) or all(_opaque_init_fn(facts, c) for c in given)):
        return
    streaming = _reachable(methods, {"__iter__"})
    if any(facts.qualified_call_name(node) == GET_WORKER_INFO
           for name in streaming for node in walk_local(methods[name].body) if isinstance(node, ast.Call)):
        return  # an iterator that shards by worker: one shared RNG (a common permutation) may be deliberate
    worker_side = worker | _reachable(methods, hooks.methods)

    # RNG objects made outside worker code: self.X in other methods, class attributes.
    made: dict[str, str] = {}
    for base in reversed(mro):
        for stmt in base.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                ctor = facts.is_rng_constructor(stmt.value)
                for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                    if ctor and isinstance(target, ast.Name):
                        made[target.id] = ctor
    for name, method in methods.items():
        if name in worker_side:
            continue
        self_name = _self_name(method)
        for node in walk_local(method.body):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                ctor = facts.is_rng_constructor(node.value)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    attr = _self_attr(target, self_name)
                    if ctor and attr:
                        made[attr] = ctor

    # Silent when worker-side code re-creates or reseeds the object before use.
    for name in worker_side:
        method = methods[name]
        self_name = _self_name(method)
        for attr in _reseeded(method.body, lambda n: _self_attr(n, self_name)):
            made.pop(attr, None)
    for attr in hooks.attributes:
        made.pop(attr, None)
    globals_ = {name: ctor for name, ctor in module_rngs.items() if name not in hooks.names}

    draws: list[tuple[ast.AST, str, str]] = []  # (node, shown name, constructor)
    legacy: list[tuple[ast.AST, str]] = []
    for name in worker:
        method = methods[name]
        self_name = _self_name(method)
        local_names = _locally_bound(method)
        for node in walk_local(method.body):
            if not isinstance(node, ast.Call):
                continue
            for used in _rng_uses(node):
                attr = _self_attr(used, self_name)
                if attr in made:
                    draws.append((node, f"self.{attr}", made[attr]))
                elif isinstance(used, ast.Name) and used.id in globals_ and used.id not in local_names:
                    draws.append((node, used.id, globals_[used.id]))
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


def _rng_uses(call: ast.Call) -> Iterator[ast.expr]:
    """Expressions a call draws from: its receiver, and every object passed to it."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr not in NON_DRAWING:
        yield func.value
    yield from call.args
    for keyword in call.keywords:
        yield keyword.value


def _reseeded(body: list[ast.stmt] | list[ast.expr], extract: Callable[[ast.expr], str | None]) -> Iterator[str]:
    """Names (through ``extract``) that statements assign or reseed."""
    for node in walk_local(body):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in RESEEDING_METHODS):
            targets = [node.func.value]
        for target in targets:
            if (isinstance(target, ast.Attribute) and target.attr == "state"
                    and isinstance(target.value, ast.Attribute) and target.value.attr == "bit_generator"):
                target = target.value.value  # x.bit_generator.state = ...
            name = extract(target)
            if name:
                yield name


def _locally_bound(function: FunctionNode) -> set[str]:
    args = function.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    for node in walk_local(function.body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Global):
            names.difference_update(node.names)
    return names


def _module_level_rngs(facts: FileFacts) -> dict[str, str]:
    found: dict[str, str] = {}
    for stmt in facts.tree.body:  # type: ignore[attr-defined]
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            ctor = facts.is_rng_constructor(stmt.value)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if ctor and isinstance(target, ast.Name):
                    found[target.id] = ctor
    return found


# -- DataLoaders that get a class ---------------------------------------------

def _loaders_by_class(facts: FileFacts, classes: dict[str, ast.ClassDef]) -> dict[str, list[ast.Call]]:
    """Class name -> the DataLoader calls given an instance of it."""
    instance_of: dict[str, set[str]] = {}
    for name, value in facts.assigned_dotted_names():
        made = _instantiated_class(value, classes)
        instance_of.setdefault(name, set()).add(made or "")
    by_class: dict[str, list[ast.Call]] = {}
    for call in facts.calls_to(DATALOADER):
        dataset = argument(call, "dataset", 0)
        if dataset is None:
            continue
        made = _instantiated_class(dataset, classes)
        if made is None:
            bound = instance_of.get(dotted_name(dataset) or "", set())
            made = next(iter(bound)) if len(bound) == 1 else None
        if made:
            by_class.setdefault(made, []).append(call)
    return by_class


def _instantiated_class(node: ast.expr, classes: dict[str, ast.ClassDef]) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes:
        return node.func.id
    return None


def _loaders_given(cls: ast.ClassDef, classes: dict[str, ast.ClassDef],
                   loaders: dict[str, list[ast.Call]]) -> list[ast.Call]:
    """The DataLoader calls of the file given this class (or a subclass)."""
    return [call for name, calls in loaders.items() if cls in _mro(classes[name], classes) for call in calls]


def _single_process(call: ast.Call) -> bool:
    if has_unpacking(call):
        return False
    workers = argument(call, "num_workers", 5)
    return workers is None or (isinstance(workers, ast.Constant) and workers.value == 0)


def _opaque_init_fn(facts: FileFacts, call: ast.Call) -> bool:
    """A worker_init_fn from elsewhere (imported, an attribute): it may reseed the dataset."""
    init_fn = argument(call, "worker_init_fn", 10)
    if init_fn is None or is_none(init_fn) or isinstance(init_fn, ast.Lambda):
        return False
    return not (isinstance(init_fn, ast.Name) and init_fn.id in facts.local_functions)


# -- worker_init_fn ---------------------------------------------------------------

def _worker_init_functions(facts: FileFacts) -> list[Function]:
    """Functions passed as ``worker_init_fn=`` or named so."""
    found: list[Function] = list(facts.local_functions.get("worker_init_fn", ()))
    given = [k.value for call in facts.calls for k in call.keywords if k.arg == "worker_init_fn"]
    for call in facts.calls_to(DATALOADER):
        positional = argument(call, "worker_init_fn", 10)
        if positional is not None and positional not in given:
            given.append(positional)
    for value in given:
        if isinstance(value, ast.Lambda):
            found.append(value)
        elif isinstance(value, ast.Name):
            for function in facts.local_functions.get(value.id, ()):
                if function not in found:
                    found.append(function)
    return found


def _worker_hooks(facts: FileFacts, init_functions: list[Function]) -> WorkerInfoUse:
    """What worker_init_fns and functions that call get_worker_info() reseed."""
    hooks = WorkerInfoUse()
    functions: list[Function] = list(init_functions)
    for call in facts.calls_to(GET_WORKER_INFO):
        for function in facts.functions:
            if function not in functions and _contains(function, call):
                functions.append(function)
    for hook in functions:
        body = hook.body if isinstance(hook.body, list) else [hook.body]
        hooks.attributes.update(_reseeded(body, lambda n: _dataset_attribute(facts, n)))
        hooks.names.update(_reseeded(body, lambda n: n.id if isinstance(n, ast.Name) else None))
        for node in walk_local(body):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Attribute) and facts.qualified_call_name(node) is None:
                    hooks.methods.add(node.func.attr)
                if facts.qualified_call_name(node) == "numpy.random.seed":
                    hooks.seeds_numpy = True
    return hooks


def _dataset_attribute(facts: FileFacts, node: ast.expr) -> str | None:
    """``X`` for ``<something>.X``, unless it is ``self.X`` or a module's (``np.random``)."""
    if not isinstance(node, ast.Attribute) or facts.names.qualified_name(node) is not None:
        return None
    if isinstance(node.value, ast.Name) and node.value.id == "self":
        return None
    return node.attr


def _contains(function: FunctionNode, node: ast.AST) -> bool:
    start, end = function.lineno, function.end_lineno or function.lineno
    line: int = node.lineno  # type: ignore[attr-defined]
    return start <= line <= end and any(n is node for n in walk_local(function.body))


def _epoch_replaying_init_fns(facts: FileFacts, init_functions: list[Function]) -> Iterator[Finding]:
    module_constants = _module_constants(facts)
    persistent = _persistent_only(facts)
    for function in init_functions:
        if persistent.get(id(function) if isinstance(function, ast.Lambda) else function.name):
            continue  # workers live across epochs: the next epoch continues the stream
        body = function.body if isinstance(function.body, list) else [function.body]
        params = function.args.posonlyargs + function.args.args
        worker_id = params[0].arg if params else None
        local_values: dict[str, list[ast.expr]] = {}
        if not isinstance(function, ast.Lambda):
            for node in walk_local(body):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    local_values.setdefault(node.targets[0].id, []).append(node.value)
        for node in walk_local(body):
            if not isinstance(node, ast.Call):
                continue
            family = GLOBAL_SEEDERS.get(facts.qualified_call_name(node) or "")
            values = list(node.args) + [k.value for k in node.keywords]
            if family is None or len(values) != 1:
                continue
            if _same_every_epoch(facts, values[0], worker_id, local_values, module_constants, 0):
                yield finding(node, CODE, (
                    f"worker_init_fn reseeds {family} from a value that is the same every epoch, "
                    f"so every epoch replays the same random numbers; derive it from "
                    f"torch.initial_seed() or torch.utils.data.get_worker_info().seed"
                ))


def _persistent_only(facts: FileFacts) -> dict[str | int, bool]:
    """worker_init_fn (name, or id of a lambda) -> every DataLoader given it keeps its workers."""
    persistent: dict[str | int, bool] = {}
    for call in facts.calls_to(DATALOADER):
        init_fn = argument(call, "worker_init_fn", 10)
        key: str | int | None = None
        if isinstance(init_fn, ast.Lambda):
            key = id(init_fn)
        elif isinstance(init_fn, ast.Name):
            key = init_fn.id
        if key is not None:
            keeps = is_true_constant(argument(call, "persistent_workers", None))
            persistent[key] = persistent.get(key, True) and keeps
    return persistent


def _module_constants(facts: FileFacts) -> set[str]:
    """Module-level names bound to a literal or to an expression of literals."""
    names: set[str] = set()
    for stmt in facts.tree.body:  # type: ignore[attr-defined]
        literal = (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)
        if isinstance(stmt, ast.Assign) and all(isinstance(n, literal) for n in ast.walk(stmt.value)):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names


def _same_every_epoch(facts: FileFacts, node: ast.expr, worker_id: str | None,
                      local_values: dict[str, list[ast.expr]], constants: set[str], depth: int) -> bool:
    """True when the expression provably repeats every epoch."""
    if depth > 8:
        return False

    def recurse(child: ast.expr) -> bool:
        return _same_every_epoch(facts, child, worker_id, local_values, constants, depth + 1)

    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float))
    if isinstance(node, ast.Name):
        if node.id == worker_id:
            return True
        if node.id in local_values:
            return all(recurse(v) for v in local_values[node.id])
        return node.id in constants
    if isinstance(node, ast.BinOp):
        return recurse(node.left) and recurse(node.right)
    if isinstance(node, ast.UnaryOp):
        return recurse(node.operand)
    if isinstance(node, ast.Subscript):
        return recurse(node.value)
    if isinstance(node, ast.Call):
        name = facts.qualified_call_name(node)
        if name == "numpy.random.get_state":
            return True
        if (isinstance(node.func, ast.Name) and node.func.id in ("int", "abs")
                and len(node.args) == 1 and not node.keywords):
            return recurse(node.args[0])
    return False


RULE = Rule(CODE, "RNG state duplicated across DataLoader workers", check)
