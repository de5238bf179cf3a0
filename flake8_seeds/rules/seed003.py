"""SEED003: cuDNN benchmark mode enabled, by a constant or by a default the user did not change."""
from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from flake8_seeds.facts import FileFacts, argument, is_true_constant
from flake8_seeds.names import source_text
from flake8_seeds.rules.base import Finding, Rule, Settings, finding
from flake8_seeds.scopes import Position, end, start, statement_index
from flake8_seeds.values import Default, Defaults, depends_on, mentions

CODE = "SEED003"
CUDNN = "torch.backends.cudnn"
TRAINER = "lightning.pytorch.Trainer"
TIMING = "lets cuDNN pick convolution algorithms by timing each run"
FIX = "set it to False and torch.backends.cudnn.deterministic = True for reproducible runs"
DEFAULT_FIX = "make the default False and set torch.backends.cudnn.deterministic = True for reproducible runs"
FLAGS_FIX = "pass benchmark=False, deterministic=True"
# An `if` / `match` on a setting with one of these in its name makes benchmark mode the user's choice.
CHOICE_WORDS = ("bench", "determin", "reproduc")
# A value that involves the user's determinism switch (`not args.deterministic`) is their choice.
DETERMINISM_WORDS = ("determin", "reproduc")
# Statements after which the rest of the block does not run.
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


class Site:
    """A place that sets benchmark mode (or asks for determinism) to ``value``: the statement or
    call reported, how the setting is written (``{}`` where the value goes), and whether it is a
    keyword of flags() / Trainer() (fixed by passing benchmark=False)."""

    __slots__ = ("node", "value", "shown", "keyword")

    def __init__(self, node: ast.AST, value: ast.expr, shown: str, keyword: bool) -> None:
        self.node = node
        self.value = value
        self.shown = shown
        self.keyword = keyword


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    sites = list(_sites(facts, "benchmark"))
    if not sites:
        return
    defaults = Defaults(facts)
    determinism: list[tuple[str, int] | None] = []  # looked up on the first finding
    for site in sites:
        truth = _truth(facts, defaults, site.value)
        if truth is None or not truth.value or _chosen_by_user(facts, site.node):
            continue
        if not determinism:
            determinism.append(_determinism(facts, defaults))
        yield finding(site.node, CODE, _message(site, truth, determinism[0]))


def _truth(facts: FileFacts, defaults: Defaults, value: ast.expr) -> Default | None:
    if isinstance(value, ast.Constant):
        return Default(True) if is_true_constant(value) else None
    if depends_on(facts, value, mentions(*DETERMINISM_WORDS)):
        return None  # `benchmark = not args.deterministic`: the user's switch decides
    return defaults.truth(value)


def _message(site: Site, truth: Default, determinism: tuple[str, int] | None) -> str:
    literal = isinstance(site.value, ast.Constant)
    setting = site.shown.format("True" if literal else source_text(site.value))
    # Where the value comes from, unless the value itself says it (`cfg.get("benchmark", True)`).
    said_here = truth.why.startswith(source_text(site.value) + " falls back to")
    origin = "" if said_here else f" ({truth.why} at line {truth.line})"
    if literal:
        what = f"{setting} {TIMING}"
    elif truth.always:
        what = f"{setting}, which is True{origin}, {TIMING}"
    else:
        what = f"{setting}, which is True unless the user asks otherwise{origin}, {TIMING}"
    if determinism is not None:
        asked, line = determinism
        fix = "pass benchmark=False" if site.keyword else (
            "make the default False" if not truth.always else "set it to False")
        return f"{what}, which undoes {asked} at line {line} (each run may time its way to another algorithm); {fix}"
    return f"{what}; {FLAGS_FIX if site.keyword else FIX if truth.always else DEFAULT_FIX}"


def _sites(facts: FileFacts, setting: str) -> Iterator[Site]:
    """Every place that sets cuDNN's ``setting`` (benchmark or deterministic), whatever the value."""
    resolve = facts.names.qualified_name
    wanted = f"{CUDNN}.{setting}"
    for node, target, value in facts.attribute_assignments:
        if value is not None and target.attr == setting and resolve(target) == wanted:
            yield Site(node, value, wanted + " = {}", False)
    for call in facts.calls_to("setattr"):
        if len(call.args) == 3 and not call.keywords:
            obj, attr, value = call.args
            if (isinstance(attr, ast.Constant) and attr.value == setting and not isinstance(obj, ast.Starred)
                    and not isinstance(value, ast.Starred) and resolve(obj) == CUDNN):
                yield Site(call, value, f'setattr({CUDNN}, "{setting}", {{}})', False)
    for call in facts.calls_to(CUDNN + ".flags"):
        given = argument(call, setting, 1 if setting == "benchmark" else 3)
        if given is not None and not isinstance(given, ast.Starred):
            yield Site(call, given, f"{CUDNN}.flags({setting}={{}})", True)
    for call in facts.calls_to(TRAINER):
        given = argument(call, setting, None)
        if given is not None:
            yield Site(call, given, f"{TRAINER}({setting}={{}})", True)


def _determinism(facts: FileFacts, defaults: Defaults) -> tuple[str, int] | None:
    """The first place the file asks for deterministic algorithms: what it says and its line."""
    asked: list[tuple[int, str]] = []
    for site in _sites(facts, "deterministic"):
        literal = isinstance(site.value, ast.Constant)
        if is_true_constant(site.value) if literal else _is_true(defaults.truth(site.value)):
            shown = site.shown.format("True" if literal else source_text(site.value))
            asked.append((site.node.lineno, shown))  # type: ignore[attr-defined]
    for call in facts.calls_to("torch.use_deterministic_algorithms"):
        mode = argument(call, "mode", 0)
        if is_true_constant(mode):
            asked.append((call.lineno, "torch.use_deterministic_algorithms(True)"))
    if not asked:
        return None
    line, text = min(asked)
    return text, line


def _is_true(truth: Default | None) -> bool:
    return truth is not None and truth.value


def _chosen_by_user(facts: FileFacts, node: ast.AST) -> bool:
    """Whether ``node`` runs only as the user's own benchmark or determinism setting decides:
    under ``if cfg.benchmark:`` / ``else:`` of ``if args.deterministic:``, a ``case`` of
    ``match cfg.benchmark:``, after ``if not cfg.benchmark: return``, or in an ``x if cfg.benchmark
    else y`` arm.  Found by descending from the module to the node by position: no walk of the file.
    """
    at = start(node)
    block: Sequence[ast.stmt] = facts.tree.body  # type: ignore[attr-defined]
    while block:
        index = statement_index(block, at)
        if index is None:
            return False
        for earlier in block[:index]:
            if isinstance(earlier, ast.If) and _exits(earlier) and _names_the_choice(earlier.test):
                return True
        stmt = block[index]
        inner: Sequence[ast.stmt] | None = None
        for body, test in _blocks(stmt):
            if body and start(body[0]) <= at <= end(body[-1]):
                if test is not None and any(_names_the_choice(t) for t in test):
                    return True
                inner = body
                break
        if inner is None:
            return stmt is not node and _in_chosen_arm(stmt, node, at)
        block = inner
    return False


def _blocks(stmt: ast.stmt) -> list[tuple[list[ast.stmt], list[ast.AST] | None]]:
    """The blocks of a compound statement, each with what chooses whether it runs (None: always)."""
    if isinstance(stmt, ast.If):
        return [(stmt.body, [stmt.test]), (stmt.orelse, [stmt.test])]
    if isinstance(stmt, ast.Match):
        return [(case.body, [stmt.subject, case.pattern, *([case.guard] if case.guard else [])])
                for case in stmt.cases]
    if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
        return [(stmt.body, None), (stmt.orelse, None)]
    if isinstance(stmt, (ast.With, ast.AsyncWith, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [(stmt.body, None)]
    if isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        handlers = [(h.body, None) for h in stmt.handlers]  # type: ignore[attr-defined]
        return [(stmt.body, None), *handlers, (stmt.orelse, None), (stmt.finalbody, None)]  # type: ignore[attr-defined]
    return []


def _exits(stmt: ast.If) -> bool:
    """``if ...: return`` (or raise, continue, break): what follows runs only when the test fails."""
    return any(block and isinstance(block[-1], _EXITS) for block in (stmt.body, stmt.orelse))


def _in_chosen_arm(stmt: ast.stmt, node: ast.AST, at: Position) -> bool:
    """``node`` sits in an arm of ``a if <choice> else b`` inside the statement."""
    for part in ast.walk(stmt):
        if isinstance(part, ast.IfExp) and _names_the_choice(part.test):
            for arm in (part.body, part.orelse):
                if start(arm) <= at <= end(arm):
                    return True
    return False


def _names_the_choice(test: ast.AST) -> bool:
    for node in ast.walk(test):
        text = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else (
            node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "")
        if any(word in text.lower() for word in CHOICE_WORDS):
            return True
    return False


RULE = Rule(CODE, "cuDNN benchmark mode enabled", check)
