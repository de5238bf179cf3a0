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


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    resolve = facts.names.qualified_name
    for node in facts.assigns:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not is_true_constant(node.value):
            continue
        for target in targets:
            if isinstance(target, ast.Attribute) and resolve(target) == CUDNN + ".benchmark":
                yield finding(node, CODE, f"{CUDNN}.benchmark = True {TIMING}; {FIX}")
                break
    for call in facts.calls_to("setattr"):
        if len(call.args) == 3:
            obj, attr, value = call.args
            if (isinstance(attr, ast.Constant) and attr.value == "benchmark"
                    and is_true_constant(value) and not isinstance(obj, ast.Starred) and resolve(obj) == CUDNN):
                yield finding(call, CODE, f'setattr({CUDNN}, "benchmark", True) {TIMING}; {FIX}')
    for call in facts.calls_to(CUDNN + ".flags"):
        if is_true_constant(argument(call, "benchmark", 1)):
            yield finding(call, CODE, f"{CUDNN}.flags(benchmark=True) {TIMING}; {FLAGS_FIX}")
    for call in facts.calls_to("lightning.pytorch.Trainer"):
        if is_true_constant(argument(call, "benchmark", None)):
            yield finding(call, CODE, f"lightning.pytorch.Trainer(benchmark=True) {TIMING}; {FLAGS_FIX}")


RULE = Rule(CODE, "cuDNN benchmark mode enabled", check)
