"""What a file runs: its entry code, its call graph, and the processes it starts.

Entry code is what runs when the file runs: module-level statements (the ``__main__``
block, class bodies, decorators and default values included).  From there the file's own
functions, lambdas and classes are reached by name (scope-aware, through ``scopes.py``):
calling a function reaches its body; calling a class (or one of its class methods)
reaches every method of the class and of its bases in the file, since the instance is
then used; ``self.m()`` / ``cls.m()`` / ``super().m()`` reach methods; a function of the
file passed to any call (``map(fn, xs)``, ``model.apply(init)``, ``Process(target=fn)``
under fork) is taken to be called; a lambda runs with the code that makes it.

A function started in a fresh interpreter (``torch.multiprocessing.spawn(fn)``, a
``Process`` or pool under the spawn or forkserver start method) is an entry of its own:
nothing of the parent's state reaches it.

Every node belongs to one *unit*: the module, or the innermost function or lambda
around it (class bodies and comprehensions run in their enclosing unit).  Units are found
by position, and reachability is a breadth-first search: nothing here recurses.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from functools import cached_property
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flake8_seeds.names import dotted_name
from flake8_seeds.scopes import ASSIGN, CLASS, DEF, Scope, Scopes, start

if TYPE_CHECKING:
    from flake8_seeds.facts import FileFacts

Unit = ast.AST  # ast.Module, a function definition or a lambda
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)

# Calls that run a function of the file in a new interpreter, whatever the start method.
SPAWNERS = frozenset({"torch.multiprocessing.spawn", "torch.multiprocessing.start_processes"})
# Calls that run a function in another process with the start method in force.
PROCESS_STARTERS = frozenset({"multiprocessing.Process", "torch.multiprocessing.Process",
                              "multiprocessing.context.Process"})
SET_START_METHOD = frozenset({"multiprocessing.set_start_method", "torch.multiprocessing.set_start_method"})
GET_CONTEXT = frozenset({"multiprocessing.get_context", "torch.multiprocessing.get_context"})
FRESH = frozenset({"spawn", "forkserver"})  # start methods whose children start a new interpreter


class Entry:
    """One process the file starts: the main program, or a function started afresh."""

    __slots__ = ("start_call", "function", "reached")

    def __init__(self, start_call: ast.Call | None, function: Unit,
                 reached: dict[int, ast.Call | None]) -> None:
        self.start_call = start_call  # the spawn call; None for the main program
        self.function = function  # the module, or the spawned function
        # unit id -> the call in this entry's own code through which the unit was first reached
        self.reached = reached


class Program:
    """The file's units, its call graph and its entries, built once per file on demand."""

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.module: Unit = facts.tree
        # Names a `def` or `class` of the file binds: no other name can refer to one of them.
        self._defined = {d.name for d in facts.functions} | {c.name for c in facts.classes}
        self._mro: dict[int, list[ast.ClassDef]] = {}

    @property
    def scopes(self) -> Scopes:
        """The file's scopes, built on first need (a file whose classes have no base of the file
        can ask for its Dataset classes without them)."""
        return self.facts.scopes

    # -- units ---------------------------------------------------------------------------

    def unit_of(self, node: ast.AST) -> Unit:
        """The function, lambda or module whose code holds ``node``."""
        scope: Scope | None = self.scopes.scope_at(start(node))
        while scope is not None and not isinstance(scope.node, (*_FUNCTIONS, ast.Module)):
            scope = scope.parent
        return scope.node if scope is not None else self.module

    @cached_property
    def calls_by_unit(self) -> dict[int, list[ast.Call]]:
        grouped: dict[int, list[ast.Call]] = {}
        for call in self.facts.calls:
            grouped.setdefault(id(self.unit_of(call)), []).append(call)
        return grouped

    @cached_property
    def lambdas_by_unit(self) -> dict[int, list[ast.Lambda]]:
        grouped: dict[int, list[ast.Lambda]] = {}
        for scope_node in self.facts.lambdas:
            grouped.setdefault(id(self.unit_of(scope_node)), []).append(scope_node)
        return grouped

    @cached_property
    def decorators_by_unit(self) -> dict[int, list[ast.expr]]:
        """Decorators written without a call (``@deco``): the defining unit calls them."""
        grouped: dict[int, list[ast.expr]] = {}
        for node in [*self.facts.functions, *self.facts.classes]:
            plain = [d for d in node.decorator_list if isinstance(d, (ast.Name, ast.Attribute))]
            if plain:
                grouped.setdefault(id(self.unit_of(node)), []).extend(plain)
        return grouped

    # -- what a call runs -------------------------------------------------------------------

    def local_targets(self, node: ast.expr) -> list[ast.AST]:
        """The file's functions or classes a name or attribute chain refers to, at its place."""
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in self._defined:
            return []
        simple = self._simple_definitions.get(root.id)
        if simple is not None:
            found = [simple]
        else:
            bindings = self.scopes.lookup(root.id, start(root))
            if not bindings or not all(b.kind in (DEF, CLASS) for b in bindings):
                return []
            found = [b.node for b in bindings]
        if root is node:
            return found
        # `Net.build(...)`: a class method of a class of the file reaches the class.
        return [n for n in found if isinstance(n, ast.ClassDef)]

    @cached_property
    def _simple_definitions(self) -> dict[str, ast.AST]:
        """Functions and classes defined once, at module level, under a name nothing else binds:
        every use of the name means them, and no scope lookup is needed."""
        once: dict[str, ast.AST] = {}
        twice: set[str] = set()
        for node in [*self.facts.functions, *self.facts.classes]:
            (twice.add(node.name) if node.name in once else once.__setitem__(node.name, node))
        top = {id(stmt) for stmt in self.facts.tree.body}  # type: ignore[attr-defined]
        candidates = frozenset(n for n, d in once.items() if n not in twice and id(d) in top)
        self.facts.names  # its scan also finds which of the file's definition names are bound otherwise
        return {name: once[name] for name in candidates - self.facts.defined_rebound}

    def methods(self, cls: ast.ClassDef) -> list[ast.AST]:
        """Methods of a class and of its bases defined in the file, nearest first."""
        found: list[ast.AST] = []
        for current in self.mro(cls):
            found.extend(s for s in current.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
        return found

    def mro(self, cls: ast.ClassDef) -> list[ast.ClassDef]:
        """The class and its bases defined in the file (breadth first, each once)."""
        known = self._mro.get(id(cls))
        if known is None:
            known = self._mro[id(cls)] = self._find_mro(cls)
        return list(known)

    def _find_mro(self, cls: ast.ClassDef) -> list[ast.ClassDef]:
        order: list[ast.ClassDef] = []
        seen: set[int] = set()
        queue = [cls]
        while queue:
            current = queue.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            order.append(current)
            for base in current.bases:
                if isinstance(base, ast.Subscript):
                    base = base.value
                queue.extend(n for n in self.local_targets(base) if isinstance(n, ast.ClassDef))
        return order

    def class_of(self, function: ast.AST) -> ast.ClassDef | None:
        scope = self.scopes.scope_of(function)
        parent = scope.parent if scope is not None else None
        return parent.node if parent is not None and isinstance(parent.node, ast.ClassDef) else None

    def _method_targets(self, unit: Unit, node: ast.expr) -> list[ast.AST]:
        """``self.m`` / ``cls.m`` / ``super().m`` inside a method: the methods named ``m``."""
        if not isinstance(node, ast.Attribute) or not isinstance(unit, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        receiver = node.value
        params = unit.args.posonlyargs or unit.args.args
        is_self = isinstance(receiver, ast.Name) and bool(params) and receiver.id == params[0].arg
        is_super = (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name)
                    and receiver.func.id == "super")
        if not (is_self or is_super):
            return []
        cls = self.class_of(unit)
        if cls is None:
            return []
        classes = self.mro(cls)[1:] if is_super else self.mro(cls)
        return [s for c in classes for s in c.body
                if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == node.attr]

    def callees(self, unit: Unit) -> Iterator[tuple[ast.Call | None, ast.AST]]:
        """(call, unit or class) pairs for what code of ``unit`` runs; lambdas come with call None."""
        spawned = self._spawned
        for call in self.calls_by_unit.get(id(unit), ()):
            if id(call) in self._spawn_calls:
                continue
            for target in self._referenced(unit, call.func):
                yield call, target
            for value in [*call.args, *(k.value for k in call.keywords)]:
                if value.__class__ is ast.Starred:
                    value = value.value
                for target in self._referenced(unit, value):
                    if id(target) not in spawned:
                        yield call, target
        for function in self.lambdas_by_unit.get(id(unit), ()):
            yield None, function
        for decorator in self.decorators_by_unit.get(id(unit), ()):
            for target in self.local_targets(decorator):
                yield None, target

    def _referenced(self, unit: Unit, node: ast.expr) -> list[ast.AST]:
        """The file's functions, classes or methods a call's function or argument names."""
        kind = node.__class__
        if kind is ast.Name:  # most arguments: a quick test before any lookup
            return self.local_targets(node) if node.id in self._defined else []  # type: ignore[attr-defined]
        if kind is ast.Attribute:
            return self.local_targets(node) + self._method_targets(unit, node)
        return []

    def expand(self, target: ast.AST) -> list[Unit]:
        """The units a reached function or class runs."""
        if isinstance(target, ast.ClassDef):
            return self.methods(target)
        return [target]

    def reach(self, roots: Iterable[Unit], wanted: set[int] | None = None) -> dict[int, ast.Call | None]:
        """unit id -> the call in a root's own code through which it was first reached (roots: None).

        With ``wanted`` (unit ids), the search stops once all of them are reached: what it returns
        is then the start of the full answer, the same for every unit it holds."""
        reached: dict[int, ast.Call | None] = {}
        queue: list[tuple[Unit, ast.Call | None]] = [(root, None) for root in roots]
        roots_ids = {id(root) for root, _ in queue}
        missing = set(wanted) if wanted is not None else None
        index = 0
        while index < len(queue):
            unit, via = queue[index]
            index += 1
            if id(unit) in reached:
                continue
            reached[id(unit)] = via
            if missing is not None:
                missing.discard(id(unit))
                if not missing:
                    break
            for call, target in self.callees(unit):
                for callee in self.expand(target):
                    if id(callee) not in reached:
                        queue.append((callee, via if id(unit) not in roots_ids else call))
        return reached

    # -- processes ---------------------------------------------------------------------------

    @cached_property
    def start_method(self) -> str | None:
        """The start method the file sets for the whole program (``set_start_method``), if any."""
        for call in self.facts.calls_to(*SET_START_METHOD):
            method = _constant_string(call.args[0] if call.args else None)
            if method is not None:
                return method
        return None

    def context_method(self, node: ast.expr | None) -> str | None:
        """``"spawn"`` for ``mp.get_context("spawn")`` or a name bound only to it (through at most
        MAX_HOPS names: ``a = b`` inside a loop, or a long chain of them, ends)."""
        methods: set[str | None] = set()
        todo: list[tuple[ast.expr | None, int]] = [(node, 0)]
        while todo and len(methods) < 2:
            current, hops = todo.pop()
            if isinstance(current, ast.Call) and self.facts.qualified_call_name(current) in GET_CONTEXT:
                methods.add(_constant_string(current.args[0] if current.args else None))
            elif isinstance(current, ast.Name) and hops < MAX_HOPS:
                bindings = self.scopes.lookup(current.id, start(current))
                if not bindings:
                    methods.add(None)
                todo.extend((b.value if b.value is not current else None, hops + 1) for b in bindings or ())
            else:
                methods.add(None)
        return methods.pop() if len(methods) == 1 else None

    def process_start_method(self, call: ast.Call) -> str | None:
        """The start method a ``Process(...)`` / ``ctx.Process(...)`` / pool call runs under; None: default."""
        func = call.func
        if isinstance(func, ast.Attribute):
            method = self.context_method(func.value)
            if method is not None:
                return method
        for keyword in call.keywords:
            if keyword.arg in ("mp_context", "context"):
                method = self.context_method(keyword.value)
                if method is not None:
                    return method
        return self.start_method

    @cached_property
    def spawn_targets(self) -> list[tuple[ast.Call, ast.AST]]:
        """(call, function of the file) for every function the file starts in a fresh interpreter:
        spawned, a spawn/forkserver ``Process(target=...)``, or the task of a spawn/forkserver pool
        or executor (the pool discovery runs only for a file that makes one)."""
        found: list[tuple[ast.Call, ast.AST]] = []
        for call in self.facts.calls_to(*SPAWNERS):
            target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "fn"), None)
            found.extend((call, t) for t in self._functions(target))
        for call in self.facts.calls:
            if not (isinstance(call.func, ast.Attribute) and call.func.attr == "Process"
                    or self.facts.qualified_call_name(call) in PROCESS_STARTERS):
                continue
            if self.process_start_method(call) not in ("spawn", "forkserver"):
                continue
            target = next((k.value for k in call.keywords if k.arg == "target"), None)
            found.extend((call, t) for t in self._functions(target))
        if self._makes_pools:  # tasks of a pool or executor whose workers start afresh
            for handoff in self.pool_handoffs:
                if handoff.creation is not None and self.pools.start_method(handoff.creation) in FRESH:
                    found.extend((handoff.call, t) for t in self._functions(handoff.task))
        return found

    @property
    def _makes_pools(self) -> bool:
        """A quick test: does the file make a process pool or executor?"""
        names = self.facts.calls_by_name
        return (any(n in names for n in (*POOL_CLASSES, *EXECUTOR_CLASSES))
                or "Pool" in self.facts.method_calls)

    @cached_property
    def pools(self) -> Pools:
        """The file's pools and executors, worked out on first need."""
        return Pools(self.facts)

    @cached_property
    def pool_handoffs(self) -> list[Handoff]:
        """Every call that hands a task to another process: a pool's or executor's map, submit,
        apply..., ``Process(target=...)`` and ``torch.multiprocessing.spawn``."""
        return self.pools.handoffs()

    @cached_property
    def _spawned(self) -> set[int]:
        return {id(fn) for _, fn in self.spawn_targets}

    @cached_property
    def _spawn_calls(self) -> set[int]:
        return {id(call) for call, _ in self.spawn_targets}

    def _functions(self, node: ast.expr | None) -> list[ast.AST]:
        if node is None:
            return []
        return [t for t in self.local_targets(node) if isinstance(t, (ast.FunctionDef, ast.AsyncFunctionDef))]

    @cached_property
    def main(self) -> Entry:
        return Entry(None, self.module, self.reach([self.module]))

    @cached_property
    def entries(self) -> list[Entry]:
        """The main program, then each function it starts in a fresh interpreter."""
        found = [self.main]
        for call, function in self.spawn_targets:
            if id(self.unit_of(call)) in self.main.reached:
                reached = self.reach([function])
                for unit, via in self.prelude.items():  # worked out once, and only for a file that spawns
                    reached.setdefault(unit, via)
                reached = {k: (v if v is not None else call) for k, v in reached.items()}
                found.append(Entry(call, function, reached))
        return found

    @cached_property
    def main_blocks(self) -> list[tuple[int, int]]:
        """Line ranges of the file's ``if __name__ == "__main__":`` blocks."""
        from flake8_seeds.facts import is_main_test
        return [(s.lineno, s.end_lineno or s.lineno) for s in self.facts.tree.body  # type: ignore[attr-defined]
                if isinstance(s, ast.If) and is_main_test(s.test)]

    def in_main_block(self, node: ast.AST) -> bool:
        line: int = node.lineno  # type: ignore[attr-defined]
        return any(first <= line <= last for first, last in self.main_blocks)

    @cached_property
    def prelude(self) -> dict[int, ast.Call | None]:
        """What a spawned child runs before its function: it imports the main script again (as
        ``__mp_main__``), so module-level code outside the ``__main__`` block runs, and what it calls."""
        reached: dict[int, ast.Call | None] = {}
        for call, target in self.callees(self.module):
            if call is not None and self.in_main_block(call):
                continue
            for callee in self.expand(target):
                for unit, via in self.reach([callee]).items():
                    reached.setdefault(unit, via if via is not None else call)
        return reached

    def runs_in(self, entry: Entry, node: ast.AST) -> bool:
        """Whether the process of ``entry`` runs ``node``."""
        unit = self.unit_of(node)
        if id(unit) in entry.reached:
            return True
        return entry.start_call is not None and unit is self.module and not self.in_main_block(node)


def _constant_string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


# -- process pools and executors ---------------------------------------------------------------
# Which calls make a pool or executor, which calls hand a task function to one (or to a Process,
# or to torch.multiprocessing.spawn), and the start method each runs under.  Built only for a
# file that makes a pool or starts a process (``starts_processes``), through ``Program.pools``.

POOL_CLASSES = frozenset({"multiprocessing.Pool", "multiprocessing.pool.Pool", "torch.multiprocessing.Pool"})
EXECUTOR_CLASSES = frozenset({"concurrent.futures.ProcessPoolExecutor",
                              "concurrent.futures.process.ProcessPoolExecutor"})
POOL_MAPS = frozenset({"map", "imap", "imap_unordered", "starmap", "map_async", "starmap_async"})
POOL_METHODS = POOL_MAPS | {"apply", "apply_async"}
EXECUTOR_METHODS = frozenset({"submit", "map"})
PARTIAL = "functools.partial"
UNKNOWN = "?"  # a start method the file does not show
MAX_HOPS = 8  # names followed to their values, at most


@dataclass
class Handoff:
    """A call that hands a function (and its arguments) to other processes."""

    call: ast.Call
    kind: str  # "pool", "executor", "process" or "spawn"
    task: ast.expr | None
    creation: ast.Call | None = None  # the pool or executor the call uses
    bound: list[ast.expr] = field(default_factory=list)  # functools.partial's arguments
    bound_positions: int = 0  # how many leading parameters functools.partial binds
    bound_names: set[str] = field(default_factory=set)  # and which by keyword

    @property
    def method(self) -> str:
        return self.call.func.attr if isinstance(self.call.func, ast.Attribute) else ""


def starts_processes(facts: FileFacts) -> bool:
    """A quick test before any scope lookup: does the file make a pool or start a process?"""
    names = facts.calls_by_name
    return (any(n in names for n in (*POOL_CLASSES, *EXECUTOR_CLASSES, *PROCESS_STARTERS, *SPAWNERS))
            or "Pool" in facts.method_calls or "Process" in facts.method_calls)


class Pools:
    """The file's process pools and the calls that hand work to other processes."""

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.program = facts.program
        self._with_targets: dict[int, ast.Call] | None = None

    def creation_kind(self, call: ast.Call) -> str | None:
        qualified = self.facts.qualified_call_name(call)
        if qualified in POOL_CLASSES:
            return "pool"
        if qualified in EXECUTOR_CLASSES:
            return "executor"
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "Pool" and self.is_context(func.value):
            return "pool"
        return None

    def is_context(self, node: ast.expr) -> bool:
        """``multiprocessing.get_context(...)`` or a name bound only to one."""
        for _ in range(MAX_HOPS):
            if isinstance(node, ast.Call):
                return self.facts.qualified_call_name(node) in GET_CONTEXT
            if not isinstance(node, ast.Name):
                return False
            values = assigned_values(self.facts, node)
            if not values or len(values) != 1:
                return False
            node = values[0]
        return False

    def with_targets(self) -> dict[int, ast.Call]:
        """id of the name in ``with <pool creation> as name`` -> the creation call."""
        if self._with_targets is None:
            self._with_targets = {}
            for node in self.facts.binders:
                if isinstance(node, (ast.With, ast.AsyncWith)):
                    for item in node.items:
                        value = item.context_expr
                        if (isinstance(item.optional_vars, ast.Name) and isinstance(value, ast.Call)
                                and self.creation_kind(value)):
                            self._with_targets[id(item.optional_vars)] = value
        return self._with_targets

    def creations(self, receiver: ast.expr) -> list[ast.Call]:
        """The pool or executor creations an expression is (all of them, or none)."""
        if isinstance(receiver, ast.Call):
            return [receiver] if self.creation_kind(receiver) else []
        found: list[ast.Call] = []
        if isinstance(receiver, ast.Name):
            bindings = self.facts.scopes.lookup(receiver.id, start(receiver)) or []
            for binding in bindings:
                value = binding.value if binding.kind == ASSIGN else self.with_targets().get(id(binding.node))
                if not (isinstance(value, ast.Call) and self.creation_kind(value)):
                    return []
                found.append(value)
            return found
        name = dotted_name(receiver)
        if name is None or "." not in name:
            return []
        for target, value in self.facts.assigned_dotted_names():
            if target == name:
                if not (isinstance(value, ast.Call) and self.creation_kind(value)):
                    return []
                found.append(value)
        return found

    def handoffs(self) -> list[Handoff]:
        from flake8_seeds.facts import argument
        facts = self.facts
        found: list[Handoff] = []
        for method in sorted(POOL_METHODS | EXECUTOR_METHODS):
            for call in facts.method_calls.get(method, ()):
                for creation in self.creations(call.func.value):  # type: ignore[attr-defined]
                    kind = self.creation_kind(creation)
                    if method in (POOL_METHODS if kind == "pool" else EXECUTOR_METHODS):
                        task = (argument(call, "func", 0) if kind == "pool" else
                                call.args[0] if call.args and method == "submit" else argument(call, "fn", 0))
                        found.append(unwrap_partial(facts, Handoff(call, kind or "", task, creation)))
        processes = {id(c): c for c in facts.calls_to(*PROCESS_STARTERS)}
        for call in facts.method_calls.get("Process", ()):
            if self.is_context(call.func.value):  # type: ignore[attr-defined]
                processes[id(call)] = call
        for call in processes.values():
            found.append(unwrap_partial(facts, Handoff(call, "process", argument(call, "target", 1))))
        for call in facts.calls_to(*SPAWNERS):
            found.append(unwrap_partial(facts, Handoff(call, "spawn", argument(call, "fn", 0))))
        return found

    def start_method(self, call: ast.Call) -> str:
        """fork, spawn, forkserver or UNKNOWN for a pool, executor or Process creation."""
        from flake8_seeds.facts import is_none
        program = self.program
        default = program.start_method or ("fork" if not self.facts.calls_to(*SET_START_METHOD) else UNKNOWN)
        func = call.func
        context: ast.expr | None = None
        if isinstance(func, ast.Attribute) and func.attr in ("Pool", "Process") and self.is_context(func.value):
            context = func.value
        else:
            context = next((k.value for k in call.keywords if k.arg in ("mp_context", "context")), None)
            if context is None and self.creation_kind(call) == "executor" and len(call.args) > 1:
                context = call.args[1]
        if context is None or is_none(context):
            return default
        if self._default_context(context):
            return default
        return program.context_method(context) or UNKNOWN

    def _default_context(self, node: ast.expr) -> bool:
        """``get_context()`` without a method: the default one."""
        values = assigned_values(self.facts, node) if isinstance(node, ast.Name) else [node]
        if not values:
            return False
        return all(isinstance(v, ast.Call) and not v.args and not v.keywords
                   and self.facts.qualified_call_name(v) in GET_CONTEXT for v in values)


def unwrap_partial(facts: FileFacts, handoff: Handoff) -> Handoff:
    """``functools.partial(f, a, k=b)``: the task is ``f``; ``a`` and ``b`` go to every task."""
    task = handoff.task
    for _ in range(MAX_HOPS):
        if not (isinstance(task, ast.Call) and facts.qualified_call_name(task) == PARTIAL and task.args):
            break
        handoff.bound.extend(task.args[1:])
        handoff.bound.extend(k.value for k in task.keywords)
        handoff.bound_names.update(k.arg for k in task.keywords if k.arg)
        handoff.bound_positions += len(task.args) - 1
        task = task.args[0]
    handoff.task = task
    return handoff


def assigned_values(facts: FileFacts, name: ast.Name) -> list[ast.expr] | None:
    bindings = facts.scopes.lookup(name.id, start(name))
    if not bindings or any(b.kind != ASSIGN or b.value is None for b in bindings):
        return None
    return [b.value for b in bindings if b.value is not None]


# -- DataLoader worker code ------------------------------------------------------------------

DATASET_BASES = frozenset({"torch.utils.data.Dataset", "torch.utils.data.IterableDataset"})
# Packages with classes named *Dataset that are not torch Datasets.
NON_TORCH_ROOTS = frozenset({"keras", "tensorflow", "tf_keras", "datasets", "paddle", "mxnet", "jax", "flax"})
WORKER_ENTRY_POINTS = ("__getitem__", "__getitems__", "__iter__", "__next__")


def dataset_classes(facts: FileFacts) -> list[ast.ClassDef]:
    """Classes of the file that are torch Datasets: a base resolves to ``Dataset`` /
    ``IterableDataset`` or is named ``*Dataset`` (not another library's), directly or through
    other classes of the file.  Breadth first over subclasses: no recursion."""
    program = facts.program
    direct: list[ast.ClassDef] = []
    subclasses: dict[int, list[ast.ClassDef]] = {}
    for cls in facts.classes:
        is_dataset = False
        for base in cls.bases:
            if isinstance(base, ast.Subscript):  # Dataset[int]
                base = base.value
            qualified = facts.names.qualified_name(base)
            if qualified in DATASET_BASES:
                is_dataset = True
            elif qualified is not None and qualified.split(".", 1)[0] in NON_TORCH_ROOTS:
                continue  # keras.utils.PyDataset, datasets.Dataset: no DataLoader workers
            local = [n for n in program.local_targets(base) if isinstance(n, ast.ClassDef)]
            for parent in local:
                subclasses.setdefault(id(parent), []).append(cls)
            if not local and isinstance(base, (ast.Name, ast.Attribute)):
                last = base.id if isinstance(base, ast.Name) else base.attr
                is_dataset = is_dataset or last.endswith("Dataset")
        if is_dataset:
            direct.append(cls)
    found: dict[int, ast.ClassDef] = {}
    queue = list(direct)
    while queue:
        cls = queue.pop()
        if id(cls) not in found:
            found[id(cls)] = cls
            queue.extend(subclasses.get(id(cls), ()))
    return [c for c in facts.classes if id(c) in found]


def worker_methods(facts: FileFacts, cls: ast.ClassDef, entries: Iterable[str] = WORKER_ENTRY_POINTS
                   ) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Methods of a Dataset (and its bases in the file) that run in DataLoader workers:
    ``__getitem__``, ``__iter__``, ... and the methods they call through ``self``."""
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for current in facts.program.mro(cls):
        for stmt in current.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.setdefault(stmt.name, stmt)
    reached: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    todo = [name for name in entries if name in methods]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        method = reached[name] = methods[name]
        params = method.args.posonlyargs + method.args.args
        self_name = params[0].arg if params else None
        for call in facts.program.calls_by_unit.get(id(method), ()):
            func = call.func
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id == self_name and func.attr in methods and func.attr not in reached):
                todo.append(func.attr)
    return reached
