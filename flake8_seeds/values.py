"""What a value is, and what it depends on: questions several rules ask about expressions.

``bound_values`` reads the values a name is bound to where it is used (scope-aware, through
``scopes.py``); ``depends_on`` asks whether an expression involves something (a name that
mentions ``rank`` or ``epoch``, a call of ``torch.initial_seed``), following local variables
to what they were assigned.  ``constant_truth`` says whether an expression is always true or
always false; ``Defaults`` what it is when the program runs with its defaults (parameter
defaults, argparse and click options, ``cfg.get(key, default)``); ``dict_items`` what a dict
built in the file for ``**kwargs`` holds.  Walks are iterative, and the few recursive helpers
stop at MAX_HOPS: nothing recurses with the input.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from flake8_seeds.names import dotted_name, source_text
from flake8_seeds.scopes import ASSIGN, PARAM, Binding, start

if TYPE_CHECKING:
    from flake8_seeds.facts import FileFacts

# How many assignments deep a value is followed.
MAX_HOPS = 8


def bound_values(facts: FileFacts, name: ast.Name) -> list[ast.expr] | None:
    """The values of the bindings of ``name`` that reach it; None when one of them is not an
    assignment or a parameter default the file shows (a loop target, an import, ...)."""
    bindings = facts.scopes.lookup(name.id, start(name))
    if not bindings:
        return None
    values: list[ast.expr] = []
    for binding in bindings:
        if binding.kind not in (ASSIGN, PARAM) or binding.value is None:
            return None
        values.append(binding.value)
    return values


def subexpressions(facts: FileFacts, node: ast.expr, follow: bool = True) -> Iterator[ast.AST]:
    """Every node of an expression and, with ``follow``, of the values its names were assigned
    (and of parameter defaults), each visited once, at most MAX_HOPS assignments deep."""
    seen: set[int] = set()
    stack: list[tuple[ast.AST, int]] = [(node, 0)]
    while stack:
        current, hops = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if follow and hops < MAX_HOPS and isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load):
            for value in bound_values(facts, current) or ():
                stack.append((value, hops + 1))
        stack.extend((child, hops) for child in ast.iter_child_nodes(current))


def depends_on(facts: FileFacts, node: ast.expr, test: Callable[[ast.AST], bool], follow: bool = True) -> bool:
    """True when ``test`` holds for some part of the expression (or of what its names hold)."""
    return any(test(part) for part in subexpressions(facts, node, follow))


def mentions(*words: str) -> Callable[[ast.AST], bool]:
    """A test for ``depends_on``: a name, attribute, keyword or string key containing one of ``words``."""
    lowered = tuple(w.lower() for w in words)

    def test(part: ast.AST) -> bool:
        text = (part.id if isinstance(part, ast.Name) else part.attr if isinstance(part, ast.Attribute)
                else part.arg if isinstance(part, ast.keyword) and part.arg else
                part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "")
        return bool(text) and any(w in text.lower() for w in lowered)
    return test


def calls(facts: FileFacts, *qualified: str) -> Callable[[ast.AST], bool]:
    """A test for ``depends_on``: a call of one of the ``qualified`` names."""
    wanted = frozenset(qualified)
    return lambda part: isinstance(part, ast.Call) and facts.qualified_call_name(part) in wanted


# -- truth: always, or unless the user asks otherwise -------------------------------------------


def literal_truth(node: ast.AST | None) -> bool | None:
    """The truth of ``True``, ``False``, ``None`` or a number literal; None for anything else."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (bool, int, float))):
        return bool(node.value)
    return None


def known_truth(facts: FileFacts, node: ast.expr) -> bool | None:
    """``constant_truth``, or, for ``self.shuffle`` and other attributes, the truth every
    assignment to that attribute in the file gives it, when they all agree."""
    truth = constant_truth(facts, node)
    if truth is not None or not isinstance(node, ast.Attribute):
        return truth
    name = dotted_name(node)
    values = [value for target, value in facts.assigned_dotted_names() if target == name] if name else []
    truths = {literal_truth(value) for value in values}
    return truths.pop() if len(truths) == 1 else None


def constant_truth(facts: FileFacts, node: ast.expr, depth: int = 0) -> bool | None:
    """True or False when an expression always has that truth: a literal, ``not`` of one, or a name
    whose every reaching binding is an assignment of one (walrus and tuple unpacking included).
    A parameter is the caller's choice: unknown, whatever its default."""
    negate = False
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        negate, node = not negate, node.operand
    truth = literal_truth(node)
    if truth is None and isinstance(node, ast.Name) and depth < MAX_HOPS:
        bindings = facts.scopes.lookup(node.id, start(node))
        if not bindings or any(b.kind != ASSIGN or b.value is None for b in bindings):
            return None
        truths = {constant_truth(facts, b.value, depth + 1) for b in bindings if b.value is not None}
        truth = truths.pop() if len(truths) == 1 else None
    return None if truth is None else truth != negate


class Default:
    """The truth an expression has unless the user asks otherwise, and what decides it.

    ``why`` says what decides it (``--benchmark has default=True``), empty for a literal;
    ``line`` is where; ``always`` is True when no choice of the user's is involved
    (``BENCHMARK = True`` at module level).  (A plain class: a dataclass costs a third of a
    millisecond of import time.)
    """

    __slots__ = ("value", "why", "line", "always")

    def __init__(self, value: bool, why: str = "", line: int = 0, always: bool = True) -> None:
        self.value = value
        self.why = why
        self.line = line
        self.always = always

    def negated(self) -> Default:
        return Default(not self.value, self.why, self.line, self.always)


# argparse actions with a boolean default of their own.
_ACTION_DEFAULTS = {"store_true": False, "store_false": True}
_BOOLEAN_OPTIONAL_ACTION = "argparse.BooleanOptionalAction"


class Defaults:
    """What expressions are worth when the program runs with its defaults.

    Read from the file: literals, names bound to them, parameter defaults (when no call in the
    file passes the parameter), argparse options (``args.X`` for ``--X`` with ``default=`` or a
    ``store_true`` / ``store_false`` action, ``set_defaults``), click options of the function
    whose parameter it is, and ``cfg.get(key, default)`` / ``getattr(cfg, key, default)``.
    Anything else is unknown (None).  Built per rule run; the argparse scan runs on first use.
    """

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts

    @cached_property
    def options(self) -> dict[str, Default]:
        """argparse destination -> its default, for options whose default is a known truth."""
        found: dict[str, Default] = {}
        clashing: set[str] = set()

        def record(dest: str, default: Default) -> None:
            if dest in found and found[dest].value != default.value:
                clashing.add(dest)
            found.setdefault(dest, default)

        for call in self.facts.method_calls.get("add_argument", ()):
            flags = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if not flags or len(flags) != len(call.args) or not flags[0].startswith("-"):
                continue  # positional arguments are required: no default to read
            dest = _constant_keyword(call, "dest") or _option_dest(flags)
            shown = next((f for f in flags if f.startswith("--")), flags[0])
            default = _keyword(call, "default")
            action = _keyword(call, "action")
            if default is not None:
                truth = literal_truth(default)
                if truth is None:
                    clashing.add(dest)
                    continue
                record(dest, Default(truth, f"{shown} has default={source_text(default)}", call.lineno, False))
            elif isinstance(action, ast.Constant) and action.value in _ACTION_DEFAULTS:
                record(dest, Default(_ACTION_DEFAULTS[action.value], f"{shown} is {action.value}", call.lineno, False))
            elif (isinstance(action, (ast.Name, ast.Attribute))
                  and self.facts.names.qualified_name(action) == _BOOLEAN_OPTIONAL_ACTION):
                record(dest, Default(False, f"{shown} has no default", call.lineno, False))
            else:
                clashing.add(dest)  # a default of None for a value of any type: not a switch
        for call in self.facts.method_calls.get("set_defaults", ()):
            for keyword in call.keywords:
                if keyword.arg is None:
                    continue
                truth = literal_truth(keyword.value)
                if truth is None:
                    clashing.add(keyword.arg)
                else:
                    found.pop(keyword.arg, None)
                    record(keyword.arg, Default(truth, f"set_defaults({keyword.arg}={source_text(keyword.value)})",
                                                call.lineno, False))
        for dest in clashing:
            found.pop(dest, None)
        return found

    def truth(self, node: ast.expr, depth: int = 0) -> Default | None:
        """The truth of ``node`` when the program runs with its defaults, or None when unknown."""
        if depth > MAX_HOPS:
            return None
        if isinstance(node, ast.Constant):
            truth = literal_truth(node)
            return None if truth is None else Default(truth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.truth(node.operand, depth + 1)
            return None if inner is None else inner.negated()
        if isinstance(node, ast.BoolOp):
            return self._bool_op(node, depth)
        if isinstance(node, ast.IfExp):
            body, orelse = self.truth(node.body, depth + 1), self.truth(node.orelse, depth + 1)
            return body if body is not None and orelse is not None and body.value == orelse.value else None
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        if isinstance(node, ast.Attribute):
            # `args.X`, `self.args.X`, `cfg.X`; not `self.X`, the object's own attribute.
            receiver = node.value
            if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
                return None
            if isinstance(receiver, (ast.Name, ast.Attribute)) and node.attr in self.options:
                return self.options[node.attr]
            return None
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        return None

    def _bool_op(self, node: ast.BoolOp, depth: int) -> Default | None:
        # `a and b` is false when any part is, true when all are; `or` the other way round.
        decisive = not isinstance(node.op, ast.And)
        parts = [self.truth(value, depth + 1) for value in node.values]
        for part in parts:
            if part is not None and part.value == decisive:
                return part
        if all(part is not None for part in parts):
            chosen = [p for p in parts if p is not None and not p.always] or [p for p in parts if p is not None]
            return chosen[0]
        return None

    def _name(self, node: ast.Name, depth: int) -> Default | None:
        bindings = self.facts.scopes.lookup(node.id, start(node))
        if not bindings:
            return None
        found: list[Default] = []
        for binding in bindings:
            if binding.kind == ASSIGN and binding.value is not None:
                value = self.truth(binding.value, depth + 1)
                if value is not None and not value.why:
                    value = Default(value.value, f"{node.id} = {source_text(binding.value)}", start(binding.node)[0])
            elif binding.kind == PARAM:
                value = self._parameter(binding, depth)
            else:
                return None
            if value is None:
                return None
            found.append(value)
        if len({d.value for d in found}) != 1:
            return None
        return next((d for d in found if not d.always), found[0])

    def _parameter(self, binding: Binding, depth: int) -> Default | None:
        function = binding.scope.node if binding.scope is not None else None
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or self._passed(function, binding.name):
            return None
        if binding.value is None:
            return self._click_default(function, binding.name)
        value = self.truth(binding.value, depth + 1)
        if value is None:
            return None
        return Default(value.value, f"parameter {binding.name} of {function.name}() defaults to "
                                    f"{source_text(binding.value)}", binding.value.lineno, False)

    def _passed(self, function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str) -> bool:
        """Whether a call in the file may pass ``parameter`` (by name, position or unpacking)."""
        args = function.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        index = positional.index(parameter) if parameter in positional else None
        callers = [*self.facts.calls_by_name.get(function.name, ()), *self.facts.method_calls.get(function.name, ())]
        for call in callers:
            if any(k.arg is None or k.arg == parameter for k in call.keywords):
                return True
            if any(isinstance(a, ast.Starred) for a in call.args):
                return True
            if index is not None:
                # A method called on an object does not pass `self`.
                shift = 1 if isinstance(call.func, ast.Attribute) and positional[:1] in (["self"], ["cls"]) else 0
                if len(call.args) > index - shift:
                    return True
        return False

    def _click_default(self, function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: str) -> Default | None:
        for decorator in function.decorator_list:
            if not (isinstance(decorator, ast.Call) and self.facts.qualified_call_name(decorator) == "click.option"):
                continue
            declarations = [a.value for a in decorator.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(declarations) != len(decorator.args) or _click_dest(declarations) != parameter:
                continue
            default = _keyword(decorator, "default")
            shown = declarations[0]
            if default is not None:
                truth = literal_truth(default)
                if truth is None:
                    return None
                why = f"click option {shown} has default={source_text(default)}"
                return Default(truth, why, decorator.lineno, False)
            is_flag = literal_truth(_keyword(decorator, "is_flag"))
            if is_flag or any("/" in d for d in declarations):
                return Default(False, f"click flag {shown} has no default", decorator.lineno, False)
            return None
        return None

    def _call(self, node: ast.Call, depth: int) -> Default | None:
        func = node.func
        fallback: ast.expr | None = None
        if isinstance(func, ast.Attribute) and func.attr == "get" and len(node.args) == 2 and not node.keywords:
            fallback = node.args[1]
        elif _is_builtin(self.facts, func, "getattr") and len(node.args) == 3 and not node.keywords:
            fallback = node.args[2]
        elif _is_builtin(self.facts, func, "bool") and len(node.args) == 1 and not node.keywords:
            return self.truth(node.args[0], depth + 1)
        if fallback is None or any(isinstance(a, ast.Starred) for a in node.args):
            return None
        value = self.truth(fallback, depth + 1)
        if value is None:
            return None
        return Default(value.value, f"{source_text(node)} falls back to {source_text(fallback)}", node.lineno, False)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _constant_keyword(call: ast.Call, name: str) -> str | None:
    value = _keyword(call, name)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _option_dest(flags: list[str]) -> str:
    """argparse's dest: the first long option, else the first short one, without dashes."""
    chosen = next((f for f in flags if f.startswith("--")), flags[0])
    return chosen.lstrip("-").replace("-", "_")


def _click_dest(declarations: list[str]) -> str | None:
    """click's parameter name: an identifier among the declarations, else the first of the
    options with the longest prefix (``--x`` before ``-x``; ``--x/--no-x`` counts as ``--x``)."""
    for declaration in declarations:
        if declaration.isidentifier():
            return declaration
    options = [d.split("/", 1)[0].strip() for d in declarations]
    options = [o for o in options if o.startswith("-")]
    if not options:
        return None
    longest = max(len(o) - len(o.lstrip("-")) for o in options)
    chosen = next(o for o in options if len(o) - len(o.lstrip("-")) == longest)
    return chosen.lstrip("-").replace("-", "_").lower()


def _is_builtin(facts: FileFacts, func: ast.expr, name: str) -> bool:
    return isinstance(func, ast.Name) and func.id == name and facts.scopes.lookup(name, start(func)) is None


# -- dicts built for **kwargs ----------------------------------------------------------------------

# Methods that read a dict without changing it.
_READING_METHODS = frozenset({"get", "items", "keys", "values", "copy", "__getitem__", "__contains__"})
# Builtins that read their argument without keeping it.
_READING_BUILTINS = frozenset({"print", "len", "repr", "str", "sorted", "list", "dict", "set", "tuple", "isinstance"})

DictItems = dict[str, list[ast.expr]]


def dict_items(facts: FileFacts, node: ast.expr, depth: int = 0) -> DictItems | None:
    """The keys a dict may hold, each with the values it may have, when the file shows how the
    dict is built; None when any part is unknown.

    Known: a literal with constant string keys, ``dict(...)``, ``{**a, **b}``, ``a.copy()`` and
    ``a if c else b`` of known dicts, and a name whose every reaching binding assigns one, with what ``.update(...)``,
    ``.setdefault(k, v)`` and ``d["k"] = v`` add to it before ``node`` (anywhere, from another
    function).  Passing the dict to a function, aliasing it, or another method on it makes it
    unknown.  A key set on only some paths lists its values from each; a key removed is still listed.
    """
    if depth > MAX_HOPS:
        return None
    if isinstance(node, ast.Dict):
        items: DictItems = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                if not _merge(items, dict_items(facts, value, depth + 1)):
                    return None
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                items.setdefault(key.value, []).append(value)
            else:
                return None
        return items
    if isinstance(node, ast.Call):
        func = node.func
        if any(isinstance(a, ast.Starred) for a in node.args):
            return None
        if _is_builtin(facts, func, "dict") and len(node.args) <= 1:
            items = {}
            if node.args and not _merge(items, dict_items(facts, node.args[0], depth + 1)):
                return None
            if not _add_keywords(facts, items, node.keywords, depth):
                return None
            return items
        if isinstance(func, ast.Attribute) and func.attr == "copy" and not node.args and not node.keywords:
            return dict_items(facts, func.value, depth + 1)
        if (len(node.args) == 1 and not node.keywords
                and facts.qualified_call_name(node) in ("copy.copy", "copy.deepcopy")):
            return dict_items(facts, node.args[0], depth + 1)
        return None
    if isinstance(node, ast.IfExp):  # `{"num_workers": 1} if cuda else {}`: either, keys of both listed
        items = {}
        if _merge(items, dict_items(facts, node.body, depth + 1)) and _merge(
                items, dict_items(facts, node.orelse, depth + 1)):
            return items
        return None
    if isinstance(node, ast.Name):
        return _named_dict(facts, node, depth)
    return None


def _merge(items: DictItems, more: DictItems | None) -> bool:
    if more is None:
        return False
    for key, values in more.items():
        items.setdefault(key, []).extend(values)
    return True


def _add_keywords(facts: FileFacts, items: DictItems, keywords: list[ast.keyword], depth: int) -> bool:
    for keyword in keywords:
        if keyword.arg is None:
            if not _merge(items, dict_items(facts, keyword.value, depth + 1)):
                return False
        else:
            items.setdefault(keyword.arg, []).append(keyword.value)
    return True


def _reads_its_arguments(facts: FileFacts, func: ast.expr) -> bool:
    """``print(d)``, ``len(d)``, ``other.update(d)``: the dict is read, not changed or kept."""
    if isinstance(func, ast.Attribute):
        return func.attr == "update"
    return any(_is_builtin(facts, func, name) for name in _READING_BUILTINS)


def _named_dict(facts: FileFacts, name: ast.Name, depth: int) -> DictItems | None:
    bindings = facts.scopes.lookup(name.id, start(name))
    if not bindings or any(b.kind != ASSIGN or b.value is None for b in bindings):
        return None
    items: DictItems = {}
    for binding in bindings:
        if binding.value is None or not _merge(items, dict_items(facts, binding.value, depth + 1)):
            return None
    ours = {id(b) for b in bindings}
    scopes = facts.scopes
    here = scopes.scope_at(start(name))

    def same_dict(use: ast.expr) -> bool:
        """``use`` is this name, bound by the same assignments, and may run before ``name``."""
        if not isinstance(use, ast.Name) or use.id != name.id or use is name:
            return False
        found = scopes.lookup(use.id, start(use))
        if not found or not any(id(b) in ours for b in found):
            return False
        return scopes.scope_at(start(use)) is not here or start(use) < start(name)

    for call in facts.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and same_dict(func.value):
            if func.attr == "update":
                if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > 1:
                    return None
                if call.args and not _merge(items, dict_items(facts, call.args[0], depth + 1)):
                    return None
                if not _add_keywords(facts, items, call.keywords, depth):
                    return None
            elif func.attr == "setdefault":
                key = call.args[0] if call.args else None
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or len(call.args) != 2:
                    return None
                items.setdefault(key.value, []).append(call.args[1])
            elif func.attr not in _READING_METHODS:
                return None
        passed = [*call.args, *(k.value for k in call.keywords if k.arg is not None)]
        if any(same_dict(a) for a in passed) and not _reads_its_arguments(facts, func):
            return None
    for node in facts.assigns:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is not None and same_dict(node.value):
            return None  # an alias: what is done through it is not followed
        for target in targets:
            if isinstance(target, ast.Subscript) and same_dict(target.value):
                key = target.slice
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or node.value is None:
                    return None
                items.setdefault(key.value, []).append(node.value)
    return items
