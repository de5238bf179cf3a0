"""What a name is bound to at one place in a file, by Python's scoping rules.

A file's bindings (imports, assignments, parameters, ``def``/``class``, loop and ``with``
targets, comprehension variables, walrus, ``except ... as``, match captures) are gathered
from the statements the file's single walk collected, and each is put in its scope
(module, class, function, lambda or comprehension) by position: a scope is the source
range of its body, so nothing here walks the tree again, and nothing recurses.

A use sees the bindings of the innermost scope that binds the name (class scopes are
skipped from nested scopes, ``global``/``nonlocal`` are followed).  In the use's own
scope, a binding reaches it when it comes earlier in the source and no later binding
that surely runs first (same block or an enclosing one; loops, ``if`` branches and
``except`` handlers may not run) replaced it.  From a nested scope (a function using a
module name) the bindings that reach the end of the enclosing scope count.
"""
from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

Position = tuple[int, int]
_END: Position = (1 << 30, 0)

# Binding kinds.
IMPORT, DEF, CLASS, ASSIGN, PARAM, OTHER, STAR = "import", "def", "class", "assign", "param", "other", "star"

_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
                ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def start(node: ast.AST) -> Position:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def end(node: ast.AST) -> Position:
    return node.end_lineno or node.lineno, node.end_col_offset or 0  # type: ignore[attr-defined]


class Binding:
    """One place that binds ``name``: what kind, the node, the value when known.

    ``value`` is the assigned expression (ASSIGN), the default (PARAM), or None when the
    value cannot be read (unpacking, loop targets).  ``target`` is the import's qualified
    name (IMPORT).  ``at`` is where the binding takes effect: after the statement.
    """

    __slots__ = ("name", "kind", "node", "value", "target", "at", "scope", "chain")

    def __init__(self, name: str, kind: str, node: ast.AST, at: Position,
                 value: ast.expr | None = None, target: str = "") -> None:
        self.name = name
        self.kind = kind
        self.node = node
        self.value = value
        self.target = target
        self.at = at
        self.scope: Scope | None = None
        self.chain: tuple[tuple[int, int], ...] | None = None

    def __repr__(self) -> str:
        return f"Binding({self.name!r}, {self.kind}, line {self.at[0]})"


class Scope:
    __slots__ = ("node", "parent", "first", "last", "bindings", "globals", "nonlocals", "body")

    def __init__(self, node: ast.AST, parent: Scope | None, first: Position, last: Position,
                 body: list[ast.stmt]) -> None:
        self.node = node
        self.parent = parent
        self.first = first
        self.last = last
        self.body = body
        self.bindings: dict[str, list[Binding]] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    def contains(self, at: Position) -> bool:
        return self.first <= at <= self.last


def _body_range(node: ast.AST) -> tuple[Position, Position, list[ast.stmt]]:
    """The part of a scope node that runs in the new scope."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return start(node.body[0]), end(node), node.body
    if isinstance(node, ast.Lambda):
        return start(node.body), end(node), []
    # A comprehension: all of it but the first iterable, which runs in the enclosing scope.
    assert isinstance(node, _COMPREHENSIONS)
    return start(node), end(node), []


class Scopes:
    """The file's scopes and every binding in them."""

    def __init__(self, tree: ast.Module, scope_nodes: Iterable[ast.AST], binders: Iterable[ast.AST]) -> None:
        self.module = Scope(tree, None, (0, 0), _END, tree.body)
        ranges = sorted((_body_range(n) + (n,) for n in scope_nodes if isinstance(n, _SCOPE_NODES)),
                        key=lambda r: r[0])
        self._scopes: list[Scope] = []
        self._starts: list[Position] = []
        self._by_node: dict[int, Scope] = {id(tree): self.module}
        stack = [self.module]
        for first, last, body, node in ranges:
            while stack[-1] is not self.module and not stack[-1].contains(first):
                stack.pop()
            scope = Scope(node, stack[-1], first, last, body)
            stack.append(scope)
            self._scopes.append(scope)
            self._starts.append(first)
            self._by_node[id(node)] = scope
        self._binders = binders
        self._unplaced: dict[str, list[Binding]] = {}  # name -> bindings read but not yet in a scope
        self._read: set[str] | None = None  # names whose bindings were read; None: none yet, or all
        self._read_all = False
        self._indexed: set[str] = set()
        self._final: dict[tuple[int, str], list[Binding]] = {}
        self._wanted: set[str] = set()

    def want(self, names: Iterable[str]) -> None:
        """Names that will be looked up: read together, in one pass, on the first lookup."""
        self._wanted.update(names)

    def _index(self, name: str) -> None:
        """Put the bindings of ``name`` in their scopes.

        The first lookup reads the bindings of every wanted name in one pass over the binding
        nodes (``global``/``nonlocal`` declarations included); a later lookup of a name not
        read then reads those of every other name, in a second and last pass.  Each name's
        bindings keep the order of the binding nodes, and are placed on the name's first lookup.
        """
        if not self._read_all and (self._read is None or name not in self._read):
            wanted: set[str] | None
            if self._read is None:
                wanted = read = self._read = self._wanted | {name}
            else:
                wanted, read, self._read_all = None, self._read, True
            unplaced = self._unplaced
            for node in self._binders:
                for binding in self._bindings_of(node, wanted):
                    if wanted is None and binding.name in read:
                        continue  # read in the first pass
                    found = unplaced.get(binding.name)
                    if found is None:
                        unplaced[binding.name] = [binding]
                    else:
                        found.append(binding)
        self._indexed.add(name)
        for binding in self._unplaced.pop(name, ()):
            self._place(binding)

    # -- where things are ------------------------------------------------------------------

    def scope_at(self, at: Position) -> Scope:
        """The innermost scope whose body holds a position."""
        index = bisect_right(self._starts, at) - 1
        scope = self._scopes[index] if index >= 0 else self.module
        while scope is not self.module and not scope.contains(at):
            scope = scope.parent  # type: ignore[assignment]
        if isinstance(scope.node, _COMPREHENSIONS):
            # The first iterable runs in the enclosing scope.
            first_iter = scope.node.generators[0].iter
            if start(first_iter) <= at <= end(first_iter):
                return scope.parent or self.module
        return scope

    def scope_of(self, node: ast.AST) -> Scope | None:
        """The scope a function, lambda, class or comprehension node opens."""
        return self._by_node.get(id(node))

    # -- what a name means -------------------------------------------------------------------

    def lookup(self, name: str, at: Position, scope: Scope | None = None) -> list[Binding] | None:
        """Bindings of ``name`` that reach position ``at``; None when no scope binds it."""
        if name not in self._indexed:
            self._index(name)
        here = scope or self.scope_at(at)
        current: Scope | None = here
        own = True
        while current is not None:
            if name in current.globals:
                current, own = self.module, current is self.module
                break
            if name in current.bindings and not (current.is_class and not own):
                break
            current = current.parent
            own = False
        if current is None:
            return None
        if name not in current.bindings:
            return None
        if not own:  # seen from a nested scope: what reaches the end of the scope, the same for every use
            key = (id(current), name)
            final = self._final.get(key)
            if final is None:
                final = self._final[key] = self._reaching(current, name, _END, ())
            return final
        return self._reaching(current, name, at, self._chain(current, at))

    def _reaching(self, scope: Scope, name: str, at: Position, chain: tuple[tuple[int, int], ...]) -> list[Binding]:
        before = [b for b in scope.bindings[name] if b.at <= at]
        killer = None
        for binding in before:  # bindings are not kept in source order: the latest sure one wins
            if (killer is None or binding.at > killer.at) and _prefix(self._binding_chain(binding), chain):
                killer = binding
        if killer is not None:
            before = [b for b in before if b.at >= killer.at]
        # In a loop, bindings later in the same loop body reach the next iteration.
        loops = {level for level in chain if level[1] < 0}
        if loops:
            later = [b for b in scope.bindings[name] if b.at > at
                     and any(level in loops for level in self._binding_chain(b))]
            before.extend(later)
        return before

    def _binding_chain(self, binding: Binding) -> tuple[tuple[int, int], ...]:
        if binding.chain is None:
            scope = binding.scope or self.module
            binding.chain = self._chain(scope, start(binding.node)) if binding.kind != PARAM else ()
        return binding.chain

    def _chain(self, scope: Scope, at: Position) -> tuple[tuple[int, int], ...]:
        """The conditional blocks around a position in a scope: (statement id, branch) pairs.

        A loop body is marked by a negative branch (it may run zero or many times); ``with``
        blocks, ``try`` bodies and ``finally`` run whenever the statement does and add nothing.
        """
        chain: list[tuple[int, int]] = []
        statements: Sequence[ast.stmt] = scope.body
        while statements:
            stmt = _statement_at(statements, at)
            if stmt is None:
                break
            branches = _branches(stmt)
            if not branches:
                break
            statements = []
            for key, block in branches:
                if block and start(block[0]) <= at <= end(block[-1]):
                    if key != 0:
                        chain.append((id(stmt), key))
                    statements = block
                    break
        return tuple(chain)

    # -- building ------------------------------------------------------------------------------

    def _place(self, binding: Binding) -> None:
        scope = binding.scope or self.scope_at(start(binding.node))
        if isinstance(binding.node, ast.NamedExpr):
            while isinstance(scope.node, _COMPREHENSIONS) and scope.parent is not None:
                scope = scope.parent  # the walrus binds in the enclosing function
        while scope.parent is not None and binding.name in scope.globals | scope.nonlocals:
            declared_global = binding.name in scope.globals
            binding.chain = ((id(scope.node), 1),)  # runs whenever the function is called: never kills
            binding.at = start(scope.node)
            scope = self.module if declared_global else self._enclosing_function(scope)
        binding.scope = scope
        scope.bindings.setdefault(binding.name, []).append(binding)

    def _enclosing_function(self, scope: Scope) -> Scope:
        current = scope.parent
        while current is not None and current.parent is not None and current.is_class:
            current = current.parent
        return current or self.module

    def _bindings_of(self, node: ast.AST, wanted: set[str] | None) -> Iterator[Binding]:
        """The bindings a node makes: those of ``wanted`` names (None: of every name)."""
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from import_bindings(node, [], wanted)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if wanted is None or node.name in wanted:
                yield Binding(node.name, CLASS if isinstance(node, ast.ClassDef) else DEF, node, end(node))
            if not isinstance(node, ast.ClassDef):
                yield from self._parameters(node, node.args, wanted)
        elif isinstance(node, ast.Lambda):
            yield from self._parameters(node, node.args, wanted)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if wanted is None or not (isinstance(target, ast.Name) and target.id not in wanted):
                    yield from _targets(target, node.value, end(node), wanted)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None or not isinstance(node.target, ast.Name):
                yield from _targets(node.target, node.value, end(node), wanted)
        elif isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name) and (wanted is None or node.target.id in wanted):
                yield Binding(node.target.id, OTHER, node.target, end(node))
        elif isinstance(node, ast.NamedExpr):
            if isinstance(node.target, ast.Name) and (wanted is None or node.target.id in wanted):
                yield Binding(node.target.id, ASSIGN, node, end(node), node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            yield from _targets(node.target, None, end(node.iter), wanted)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    yield from _targets(item.optional_vars, None, end(item.context_expr), wanted)
        elif isinstance(node, ast.comprehension):
            for binding in _targets(node.target, None, start(node.target), wanted):
                binding.at = (0, 0)  # visible in the whole comprehension
                yield binding
        elif isinstance(node, ast.ExceptHandler):
            if node.name and node.body and (wanted is None or node.name in wanted):
                yield Binding(node.name, OTHER, node, start(node.body[0]))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            scope = self.scope_at(start(node))
            (scope.globals if isinstance(node, ast.Global) else scope.nonlocals).update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)):
            if node.name and (wanted is None or node.name in wanted):
                yield Binding(node.name, OTHER, node, end(node))
        elif isinstance(node, ast.MatchMapping):
            if node.rest and (wanted is None or node.rest in wanted):
                yield Binding(node.rest, OTHER, node, end(node))

    def _parameters(self, function: ast.AST, args: ast.arguments, wanted: set[str] | None) -> Iterator[Binding]:
        if wanted is not None and wanted.isdisjoint(
                [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a]):
            return
        scope = self._by_node.get(id(function))
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
        pairs += [(a, None) for a in (args.vararg, args.kwarg) if a is not None]
        for arg, default in pairs:
            if wanted is None or arg.arg in wanted:
                binding = Binding(arg.arg, PARAM, arg, (0, 0), default)
                binding.scope = scope
                yield binding


def statement_index(statements: Sequence[ast.stmt], at: Position) -> int | None:
    """The index of the statement of a block that holds a position (binary search by position)."""
    low, high = 0, len(statements)
    while low < high:
        middle = (low + high) // 2
        if start(statements[middle]) <= at:
            low = middle + 1
        else:
            high = middle
    if low == 0 or at > end(statements[low - 1]):
        return None
    return low - 1


def _statement_at(statements: Sequence[ast.stmt], at: Position) -> ast.stmt | None:
    index = statement_index(statements, at)
    return None if index is None else statements[index]


def _branches(stmt: ast.stmt) -> list[tuple[int, list[ast.stmt]]]:
    """(branch key, block) for the blocks of a compound statement; key 0 = always runs."""
    if isinstance(stmt, ast.If):
        return [(1, stmt.body), (2, stmt.orelse)]
    if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
        return [(-1, stmt.body), (2, stmt.orelse)]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [(0, stmt.body)]
    if isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        handlers = [(3 + i, h.body) for i, h in enumerate(stmt.handlers)]  # type: ignore[attr-defined]
        return [(0, stmt.body), *handlers, (2, stmt.orelse), (0, stmt.finalbody)]  # type: ignore[attr-defined]
    if isinstance(stmt, ast.Match):
        return [(3 + i, case.body) for i, case in enumerate(stmt.cases)]
    return []


def _prefix(chain: tuple[tuple[int, int], ...], of: tuple[tuple[int, int], ...]) -> bool:
    return len(chain) <= len(of) and of[: len(chain)] == chain


def _targets(target: ast.expr, value: ast.expr | None, at: Position,
             wanted: set[str] | None = None) -> Iterator[Binding]:
    """Name bindings of an assignment target, each with its own value when it can be read
    (of ``wanted`` names; None: of every name)."""
    stack: list[tuple[ast.expr, ast.expr | None]] = [(target, value)]
    while stack:
        node, val = stack.pop()
        if isinstance(node, ast.Name):
            if wanted is None or node.id in wanted:
                yield Binding(node.id, ASSIGN if val is not None else OTHER, node, at, val)
        elif isinstance(node, ast.Starred):
            stack.append((node.value, None))
        elif isinstance(node, (ast.Tuple, ast.List)):
            values: list[ast.expr | None] = [None] * len(node.elts)
            if (isinstance(val, (ast.Tuple, ast.List)) and len(val.elts) == len(node.elts)
                    and not any(isinstance(e, ast.Starred) for e in val.elts + node.elts)):
                values = list(val.elts)
            stack.extend(zip(node.elts, values))


def import_targets(node: ast.Import | ast.ImportFrom, stars: list[str]) -> Iterator[tuple[str, str]]:
    """(name, qualified target) for each name an import binds; star imports go to ``stars``."""
    if node.__class__ is ast.Import:
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                root = alias.name.partition(".")[0]  # `import torch.utils.data` binds `torch`
                yield root, root
        return
    module = "." * node.level + (node.module or "")  # type: ignore[union-attr]
    joiner = "" if module.endswith(".") or not module else "."
    for alias in node.names:
        if alias.name == "*":
            stars.append(module)
        else:
            yield alias.asname or alias.name, module + joiner + alias.name


def import_bindings(node: ast.Import | ast.ImportFrom, stars: list[str],
                    wanted: set[str] | None = None) -> Iterator[Binding]:
    """The names an import binds (of ``wanted`` names; None: every name); star imports go to ``stars``."""
    at = end(node)
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                if wanted is None or alias.asname in wanted:
                    yield Binding(alias.asname, IMPORT, node, at, target=alias.name)
            else:
                root = alias.name.split(".", 1)[0]  # `import torch.utils.data` binds `torch`
                if wanted is None or root in wanted:
                    yield Binding(root, IMPORT, node, at, target=root)
        return
    module = "." * node.level + (node.module or "")
    joiner = "" if module.endswith(".") or not module else "."
    for alias in node.names:
        if alias.name == "*":
            stars.append(module)
            continue
        if wanted is None or (alias.asname or alias.name) in wanted:
            yield Binding(alias.asname or alias.name, IMPORT, node, at, target=module + joiner + alias.name)
