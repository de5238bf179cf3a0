"""Facts about one file, gathered in a single pass and shared by every rule."""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import Any

from flake8_seeds.names import Names, dotted_name
from flake8_seeds.program import Program
from flake8_seeds.scopes import Scopes

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

# A file that imports none of these cannot trigger any rule.
RELEVANT_ROOTS = frozenset({
    "torch", "numpy", "random", "lightning", "pytorch_lightning", "monai", "torch_geometric",
})

# Methods that give an RNG object a new seed or state.
RESEEDING_METHODS = frozenset({"seed", "manual_seed", "set_state", "setstate"})

RNG_CONSTRUCTORS = frozenset({
    "numpy.random.default_rng",
    "numpy.random.RandomState",
    "numpy.random.Generator",
    "random.Random",
    "torch.Generator",
})


def is_true_constant(node: ast.expr | None) -> bool:
    """``True`` or a non-zero int literal."""
    if not isinstance(node, ast.Constant):
        return False
    value = node.value
    return value is True or (type(value) is int and value != 0)


def is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def argument(call: ast.Call, name: str, index: int | None) -> ast.expr | None:
    """The expression passed for parameter ``name`` (keyword or position ``index``)."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if index is not None and index < len(call.args):
        arg = call.args[index]
        if not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
            return arg
    return None


def has_unpacking(call: ast.Call) -> bool:
    """True when ``*args`` or ``**kwargs`` hides what the call is given."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    )


def walk_local(nodes: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Walk statements without entering nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)


# Fields that never lead to a node the facts collect: names and other scalars, and
# expression contexts and operators (singleton leaves that make up a third of a tree).
_SKIPPED_FIELDS = frozenset({
    "ctx", "op", "ops", "names", "id", "attr", "arg", "name", "module", "level", "kind",
    "type_comment", "conversion", "is_async", "simple", "tag", "kwd_attrs", "rest",
    "type_ignores",
    # Annotations (`x: Optional[torch.Tensor]`, `-> torch.Tensor`) run nothing a rule reads, and
    # typed code is full of them: the rules read the nodes that hold them, never their insides.
    "annotation", "returns",
})


class _ChildFields(dict[type, tuple[str, ...]]):
    """Node class -> the fields worth descending into, worked out on first sight."""

    def __missing__(self, kind: type) -> tuple[str, ...]:
        fields: tuple[str, ...] = ()
        if isinstance(kind, type) and issubclass(kind, ast.AST) and kind is not ast.Constant:
            fields = tuple(f for f in kind._fields if f not in _SKIPPED_FIELDS)
        self[kind] = fields
        return fields


_CHILD_FIELDS = _ChildFields()
# Nodes with nothing to walk below them, and None (an absent optional field).
_LEAVES = frozenset({ast.Name, ast.Constant, type(None)})


def _collect(tree: ast.AST, sinks: dict[type, Callable[[Any], None]]) -> None:
    """Hand every node whose class is in ``sinks`` to its sink, in ``ast.walk`` order.

    ``ast.walk`` goes breadth first; so does this, one level at a time, but it reads only
    the fields that can lead to a node of interest (not names, contexts or operators)
    and no generator per node.  Leaving out nodes that hold nothing of interest keeps the
    order of the rest, and the walk takes a third of ``ast.walk``'s time.  Whatever is
    not an AST node (``None`` in ``Dict.keys``) has no fields.
    """
    child_fields = _CHILD_FIELDS
    sink_for = sinks.get
    leaves = _LEAVES.difference(sinks)
    level: list[object] = [tree]
    while level:
        below: list[object] = []
        push, push_all = below.append, below.extend
        for node in level:
            kind = type(node)
            sink = sink_for(kind)
            if sink is not None:
                sink(node)
            for name in child_fields[kind]:
                value = getattr(node, name, None)
                if value.__class__ is list:
                    push_all(value)
                elif value.__class__ not in leaves:  # a name or constant alone: nothing below it
                    push(value)
        level = below


_ARG, _NAME = attrgetter("arg"), attrgetter("name")
_SCOPE_KINDS = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BINDER_KINDS = (
    ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.comprehension,
    ast.ExceptHandler, ast.Global, ast.Nonlocal, ast.MatchAs, ast.MatchStar, ast.MatchMapping,
)


# Binding nodes whose target is an expression, and those that bind the name in ``.name``.
_TARGET_BINDERS = frozenset({ast.For, ast.AsyncFor, ast.comprehension, ast.NamedExpr, ast.AugAssign})
_NAME_BINDERS = frozenset({ast.ExceptHandler, ast.MatchAs, ast.MatchStar})
_UNPACKED = frozenset({ast.Tuple, ast.List, ast.Starred})


class FileFacts:
    """Everything the rules read about a file, computed once."""

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree
        imports: list[ast.Import | ast.ImportFrom] = []
        calls: list[ast.Call] = []
        assigns: list[ast.Assign | ast.AnnAssign] = []
        classes: list[ast.ClassDef] = []
        functions: list[FunctionNode] = []
        scoped: list[ast.AST] = []  # lambdas and comprehensions (functions and classes are listed apart)
        binders: list[ast.AST] = []  # the other statements and nodes that bind names
        sinks: dict[type, Callable[[Any], None]] = {
            ast.Call: calls.append, ast.Assign: assigns.append, ast.AnnAssign: assigns.append,
            ast.Import: imports.append, ast.ImportFrom: imports.append,
            ast.FunctionDef: functions.append, ast.AsyncFunctionDef: functions.append,
            ast.ClassDef: classes.append,
        }
        parameters: list[ast.arg] = []  # of functions and lambdas
        sinks[ast.arg] = parameters.append
        sinks.update(dict.fromkeys(_SCOPE_KINDS, scoped.append))
        sinks.update(dict.fromkeys(_BINDER_KINDS, binders.append))
        _collect(tree, sinks)
        self.imports = imports
        self._parameters = parameters
        self.calls = calls
        self.assigns = assigns
        self.classes = classes
        self.functions = functions
        self._scoped = scoped
        self._binders = binders
        self.relevant = not RELEVANT_ROOTS.isdisjoint(_imported_roots(imports))

    @cached_property
    def scopes(self) -> Scopes:
        """Every scope of the file and what binds each name in it."""
        scopes = Scopes(self.tree, [*self.functions, *self.classes, *self._scoped],  # type: ignore[arg-type]
                        [*self.imports, *self.functions, *self.classes, *self.assigns, *self._binders,
                         *(n for n in self._scoped if isinstance(n, ast.Lambda))])
        # The names surely looked up, read in the first pass: those the imports' meaning depends
        # on, and those of the file's functions and classes (the call graph).
        scopes.want(self.names.looked_up())
        scopes.want([d.name for d in self.functions])
        scopes.want([c.name for c in self.classes])
        return scopes

    @cached_property
    def names(self) -> Names:
        return Names(self.imports, lambda: self.scopes, self._names_rebound)

    @cached_property
    def defined_names(self) -> frozenset[str]:
        """Names the file's ``def`` and ``class`` statements bind."""
        return frozenset(map(_NAME, chain(self.functions, self.classes)))

    def _names_rebound(self, names: frozenset[str]) -> tuple[set[str], dict[str, ast.expr], dict[str, list[ast.expr]]]:
        """``_rebound`` for the imported names, in the same pass also learning which names of the
        file's functions and classes something else binds (``defined_rebound``, for the call graph)."""
        defined = self.defined_names
        found, simple, scoped = self._rebound(names | defined, definitions=False, roots=names)
        self.defined_rebound = found & defined
        return (found & names) | (names & defined), simple, scoped

    def _rebound(self, names: frozenset[str], definitions: bool = True, roots: frozenset[str] | None = None
                 ) -> tuple[set[str], dict[str, ast.expr], dict[str, list[ast.expr]]]:
        """Which of ``names`` something other than an import binds; the aliases of one of them that
        need no scope: bound once in the file, by a module-level statement (``aten =
        torch.ops.aten``), so every use sees that value; and the other aliases (``cudnn =
        torch.backends.cudnn`` in a function), with their values, to be resolved in their scope.
        A quick scan: no scopes.
        Without ``definitions``, ``def`` and ``class`` statements are not counted as bindings.
        Aliases are looked for under ``roots`` (default: ``names``)."""
        found: set[str] = set()
        scoped: dict[str, list[ast.expr]] = {}
        roots = names if roots is None else roots
        if not names:
            return found, {}, scoped
        candidates: dict[str, ast.expr] = {}
        for stmt in self.tree.body:  # type: ignore[attr-defined]
            if stmt.__class__ is ast.Assign and len(stmt.targets) == 1 and stmt.targets[0].__class__ is ast.Name:
                first: Any = stmt.value
                while first.__class__ is ast.Attribute:
                    first = first.value
                if first.__class__ is ast.Name and first.id in roots:
                    candidates[stmt.targets[0].id] = stmt.value
        bound_twice: set[str] = set()
        seen_once: set[str] = set()
        watched = names | candidates.keys()

        def bind(name: str) -> None:
            if name in names:
                found.add(name)
            if name in candidates:
                (bound_twice if name in seen_once else seen_once).add(name)
        name_node, attribute = ast.Name, ast.Attribute
        unpacked: list[Any] = []  # tuple, list and starred targets, opened below
        add = unpacked.append
        node: Any
        target: Any
        dotted = (attribute, name_node)
        for node in self.assigns:
            value: Any = node.value
            for target in node.targets if node.__class__ is ast.Assign else (node.target,):
                kind = target.__class__
                if kind is name_node:
                    identifier = target.id
                    if value.__class__ in dotted:  # `x = a.b.c`: an alias when `a` is one of the names
                        root: Any = value
                        while root.__class__ is attribute:
                            root = root.value
                        if root.__class__ is name_node and root.id in roots and identifier not in candidates:
                            scoped.setdefault(identifier, []).append(value)  # resolved in its scope
                    if identifier in watched and not (value.__class__ is ast.Constant and value.value is None):
                        bind(identifier)  # (`except ImportError: np = None` keeps the import's meaning)
                elif kind in _UNPACKED:
                    add(target)
        for node in self._binders:
            kind = node.__class__
            if kind in _TARGET_BINDERS:
                add(node.target)
            elif kind is ast.With or kind is ast.AsyncWith:
                unpacked.extend(item.optional_vars for item in node.items if item.optional_vars is not None)
            elif kind in _NAME_BINDERS:
                if node.name in watched:
                    bind(node.name)
            elif kind is ast.MatchMapping:
                if node.rest in watched:
                    bind(node.rest)
        while unpacked:
            target = unpacked.pop()
            kind = target.__class__
            if kind is name_node:
                if target.id in watched:
                    bind(target.id)
            elif kind is ast.Tuple or kind is ast.List:
                unpacked.extend(target.elts)
            elif kind is ast.Starred:
                add(target.value)
        if definitions:
            for name in watched.intersection(map(_NAME, chain(self.functions, self.classes))):
                bind(name)
        # Parameters, gathered at C speed: one more binding is all a name needs to count as rebound.
        for name in watched.intersection(map(_ARG, self._parameters)):
            bind(name)
        for name in bound_twice & candidates.keys():  # an alias also bound elsewhere: resolved in its scope
            scoped.setdefault(name, []).append(candidates[name])
        simple = {name: value for name, value in candidates.items() if name not in bound_twice and name not in names}
        return found, simple, scoped

    @property
    def binders(self) -> list[ast.AST]:
        """Loops, ``with`` blocks, comprehensions, walrus, ``except ... as``, ``global``, match
        captures and augmented assignments of the file, in walk order."""
        return self._binders

    @cached_property
    def lambdas(self) -> list[ast.Lambda]:
        return [n for n in self._scoped if isinstance(n, ast.Lambda)]

    @cached_property
    def program(self) -> Program:
        """What the file runs: entry code, call graph, started processes."""
        return Program(self)

    @cached_property
    def calls_by_name(self) -> dict[str, list[ast.Call]]:
        """Calls grouped by the canonical qualified name of what they call.

        A plain name that no import binds (a builtin, a function of this file)
        is grouped under itself, without dots.
        """
        self._group_calls()
        return self.calls_by_name

    @cached_property
    def method_calls(self) -> dict[str, list[ast.Call]]:
        """Calls of the form ``<expr>.method(...)`` grouped by method name."""
        self._group_calls()
        return self.method_calls

    def _group_calls(self) -> None:
        """Fill ``calls_by_name`` and ``method_calls`` in one pass over the calls.

        Most calls are on a name no import binds (``self.f()``, ``x.append()``, ``len()``):
        their first name is tested here, and only the others are resolved."""
        by_name: dict[str, list[ast.Call]] = {}
        by_method: dict[str, list[ast.Call]] = {}
        resolved: dict[int, str | None] = {}  # id(call) -> qualified_call_name(call), when it names an import
        names = self.names
        resolve = names.qualified_name
        imported = names.imported_names()
        looked_up = names.looked_up()
        attribute, name_node = ast.Attribute, ast.Name
        for call in self.calls:
            func = call.func
            kind = func.__class__
            if kind is attribute:
                group = by_method.get(func.attr)  # type: ignore[attr-defined]
                if group is None:
                    by_method[func.attr] = [call]  # type: ignore[attr-defined]
                else:
                    group.append(call)
                root = func.value  # type: ignore[attr-defined]
                while root.__class__ is attribute:
                    root = root.value
                if root.__class__ is not name_node or (root.id not in imported and root.id not in looked_up):
                    continue  # resolves to nothing
            elif kind is name_node:
                plain = func.id  # type: ignore[attr-defined]
                if plain not in imported and plain not in looked_up:
                    group = by_name.get(plain)
                    if group is None:
                        by_name[plain] = [call]
                    else:
                        group.append(call)
                    continue
            else:
                continue
            qualified = resolved[id(call)] = resolve(func)
            if qualified is None and kind is name_node:
                qualified = func.id  # type: ignore[attr-defined]
            if qualified is not None:
                group = by_name.get(qualified)
                if group is None:
                    by_name[qualified] = [call]
                else:
                    group.append(call)
        self._resolved_calls = resolved
        self.__dict__["calls_by_name"] = by_name
        self.__dict__["method_calls"] = by_method

    def calls_to(self, *names: str) -> list[ast.Call]:
        found: list[ast.Call] = []
        for name in names:
            found.extend(self.calls_by_name.get(name, ()))
        return found

    def qualified_call_name(self, call: ast.Call) -> str | None:
        self.calls_by_name  # resolves the file's calls on an import once, into _resolved_calls
        try:
            return self._resolved_calls[id(call)]  # the file's calls stay alive: ids are unique
        except KeyError:
            pass
        func = call.func
        if isinstance(func, (ast.Name, ast.Attribute)):
            return self.names.qualified_name(func)
        return None

    @cached_property
    def local_functions(self) -> dict[str, list[FunctionNode]]:
        by_name: dict[str, list[FunctionNode]] = {}
        for function in self.functions:
            by_name.setdefault(function.name, []).append(function)
        return by_name

    def is_rng_constructor(self, node: ast.expr | None) -> str | None:
        """The constructor's qualified name if ``node`` makes an RNG object."""
        if not isinstance(node, ast.Call):
            return None
        # torch.Generator().manual_seed(s) returns the generator (a chain of them, too).
        while (isinstance(node.func, ast.Attribute) and node.func.attr == "manual_seed"
               and isinstance(node.func.value, ast.Call)):
            node = node.func.value
        name = self.qualified_call_name(node)
        return name if name in RNG_CONSTRUCTORS else None

    def assigned_dotted_names(self) -> Iterator[tuple[str, ast.expr]]:
        """(dotted target, value) for every simple assignment in the file."""
        for node in self.assigns:
            if node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = dotted_name(target)
                if name is not None:
                    yield name, node.value

    @cached_property
    def attribute_assignments(self) -> list[tuple[ast.Assign | ast.AnnAssign, ast.Attribute, ast.expr | None]]:
        """(statement, attribute target, the value it gets when known) for every assignment to an
        attribute other than ``self.x``: ``a.x = v``, ``a.x = b.y = v``, ``a.x, b.y = u, v`` (paired),
        ``a.x, *b.y = w`` (values unknown).  One pass, read by the rules about module settings."""
        found: list[tuple[ast.Assign | ast.AnnAssign, ast.Attribute, ast.expr | None]] = []
        name_node, attribute = ast.Name, ast.Attribute
        target: Any
        for node in self.assigns:
            value = node.value
            if value is None:  # `x.y: bool` annotates and assigns nothing
                continue
            targets = node.targets if node.__class__ is ast.Assign else [node.target]  # type: ignore[union-attr]
            if len(targets) == 1:  # the usual case, kept cheap
                target = targets[0]
                kind = target.__class__
                if kind is name_node:
                    continue
                if kind is attribute:
                    if not (target.value.__class__ is name_node and target.value.id == "self"):
                        found.append((node, target, value))
                    continue
            stack: list[tuple[Any, ast.expr | None]] = [(t, value) for t in reversed(targets)]
            while stack:
                target, given = stack.pop()
                kind = target.__class__
                if kind is attribute:
                    if not (target.value.__class__ is name_node and target.value.id == "self"):
                        found.append((node, target, given))
                elif kind is ast.Tuple or kind is ast.List:
                    if (isinstance(given, (ast.Tuple, ast.List)) and len(given.elts) == len(target.elts)
                            and not any(isinstance(e, ast.Starred) for e in given.elts + target.elts)):
                        stack.extend(reversed(list(zip(target.elts, given.elts))))
                    else:
                        stack.extend((e, None) for e in reversed(target.elts))
                elif kind is ast.Starred:
                    stack.append((target.value, None))
        return found

    @cached_property
    def reseeded_names(self) -> set[str]:
        """Dotted names given a seed or a state with a value: ``g.manual_seed(s)``,
        ``rng.seed(s)``, ``rng.bit_generator.state = ...``."""
        names: set[str] = set()
        for method in RESEEDING_METHODS:
            for call in self.method_calls.get(method, ()):
                receiver = dotted_name(call.func.value)  # type: ignore[attr-defined]
                values = [*call.args, *(k.value for k in call.keywords)]
                if receiver is not None and values and not is_none(values[0]):
                    names.add(receiver)
        for target, _ in self.assigned_dotted_names():
            if target.endswith(".bit_generator.state"):
                names.add(target[: -len(".bit_generator.state")])
        return names


def _imported_roots(imports: list[ast.Import | ast.ImportFrom]) -> set[str]:
    """Top-level packages a file imports (absolute imports only): read before anything else."""
    roots: set[str] = set()
    for node in imports:
        if isinstance(node, ast.Import):
            roots.update(alias.name.partition(".")[0] for alias in node.names)
        elif not node.level and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


def is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(consts) == 1
