"""SEED003: cuDNN benchmark mode enabled."""
from __future__ import annotations

import ast
from collections.abc import Iterator

from flake8_seeds.facts import FileFacts, argument, is_true_constant
from flake8_seeds.rules.base import Finding, Rule, Settings, finding

CODE = "SEED003"
CUDNN = "torch.backends.cudnn"
FIX = "set it to False and torch.backends.cudnn.deterministic = True for reproducible runs"
TIMING = "lets cuDNN pick convolution algorithms by timing each run"
FLAGS_FIX = "pass benchmark=False, deterministic=True"
# An `if` on a setting with one of these in its name makes benchmark mode the user's choice.
CHOICE_WORDS = ("bench", "determin", "reproduc")


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    found = list(_candidates(facts))
    if found:
        chosen = _user_choices(facts)
        yield from (f for node, f in found if id(node) not in chosen)


def _candidates(facts: FileFacts) -> Iterator[tuple[ast.AST, Finding]]:
    """Every place that turns benchmark mode on with a constant."""
    resolve = facts.names.qualified_name
    for node in facts.assigns:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not is_true_constant(node.value):
            continue
        for target in targets:
            if isinstance(target, ast.Attribute) and resolve(target) == CUDNN + ".benchmark":
                yield node, finding(node, CODE, f"{CUDNN}.benchmark = True {TIMING}; {FIX}")
                break
    for call in facts.calls_to("setattr"):
        if len(call.args) == 3:
            obj, attr, value = call.args
            if (isinstance(attr, ast.Constant) and attr.value == "benchmark"
                    and is_true_constant(value) and not isinstance(obj, ast.Starred) and resolve(obj) == CUDNN):
                yield call, finding(call, CODE, f'setattr({CUDNN}, "benchmark", True) {TIMING}; {FIX}')
    for call in facts.calls_to(CUDNN + ".flags"):
        if is_true_constant(argument(call, "benchmark", 1)):
            yield call, finding(call, CODE, f"{CUDNN}.flags(benchmark=True) {TIMING}; {FLAGS_FIX}")
    for call in facts.calls_to("lightning.pytorch.Trainer"):
        if is_true_constant(argument(call, "benchmark", None)):
            yield call, finding(call, CODE, f"lightning.pytorch.Trainer(benchmark=True) {TIMING}; {FLAGS_FIX}")


def _user_choices(facts: FileFacts) -> set[int]:
    """ids of nodes under ``if cfg.benchmark:`` / ``if not deterministic:``: the user decides."""
    chosen: set[int] = set()
    for node in ast.walk(facts.tree):
        if isinstance(node, ast.If) and _names_the_choice(node.test):
            chosen.update(id(child) for stmt in node.body + node.orelse for child in ast.walk(stmt))
    return chosen


def _names_the_choice(test: ast.expr) -> bool:
    for node in ast.walk(test):
        text = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else (
            node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "")
        if any(word in text.lower() for word in CHOICE_WORDS):
            return True
    return False


RULE = Rule(CODE, "cuDNN benchmark mode enabled", check)
