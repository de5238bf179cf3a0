"""SEED006: assignments to cuDNN / cuBLAS settings that do not exist.

``torch.backends.cudnn`` is a module object: assigning a misspelt name (``determinstic``) adds a
new attribute, raises nothing and changes no setting. ``torch.backends.cuda.matmul`` checks the
name and raises ``AttributeError`` when the line runs. The tables below are those of torch 2.13;
tests/test_seed006.py compares them with the installed torch.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator

from flake8_seeds.facts import FileFacts
from flake8_seeds.rules.base import Finding, Rule, Settings, finding

CODE = "SEED006"
CUDNN = "torch.backends.cudnn"
MATMUL = "torch.backends.cuda.matmul"

# The settings (the module's annotated properties), in the order messages list them.
CUDNN_SETTINGS: tuple[str, ...] = (
    "enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32", "fp32_precision", "depthwise_kernel",
)
# Every other public name the module object has: functions, submodules, its own imports.
# Assigning one replaces something that exists (a deliberate patch), so it is never reported.
CUDNN_OTHER_NAMES = frozenset({
    "conv", "rnn", "m", "flags", "set_flags", "is_available", "is_acceptable", "version", "CUDNN_TENSOR_DTYPES",
    "ContextProp", "CudnnModule", "PropModule", "Optional", "contextmanager", "os", "sys", "torch", "warnings",
})
# The names cuBLASModule.__setattr__ accepts; every other name raises AttributeError.
MATMUL_SETTINGS: tuple[str, ...] = (
    "allow_tf32", "allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction",
    "allow_fp16_accumulation", "fp32_precision",
)
# Names cuBLASModule.__getattr__ answers but __setattr__ refuses: set through the tuple form.
SPLIT_K = "_split_k"
MATMUL_READ_ONLY = frozenset(name + SPLIT_K for name in MATMUL_SETTINGS if "reduced_precision" in name)

CUDNN_EFFECT = "is not a cuDNN setting; PyTorch accepts it and nothing changes"
MATMUL_EFFECT = "is not a cuBLAS setting; PyTorch raises AttributeError when this line runs"
READ_ONLY_EFFECT = "can be read but not set; PyTorch raises AttributeError when this line runs"

# Attribute names longer than this are not compared (a suggestion would be a guess) and are cut in messages.
_LONGEST_COMPARED = 64


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    if "torch" not in facts.names.roots():
        return
    resolve = facts.names.qualified_name
    for _, target, _ in facts.attribute_assignments:
        message = _message(resolve(target.value), target.attr)
        if message is not None:
            yield finding(target, CODE, message)
    for call in facts.calls_to("setattr"):
        if len(call.args) != 3 or call.keywords:
            continue
        obj, attr = call.args[0], call.args[1]
        if isinstance(obj, ast.Starred) or not (isinstance(attr, ast.Constant) and isinstance(attr.value, str)):
            continue
        message = _message(resolve(obj), attr.value)
        if message is not None:
            yield finding(call, CODE, message)


def _message(owner: str | None, attr: str) -> str | None:
    """The finding for assigning ``owner.attr``, or None when that name exists (or is private)."""
    if owner is None or attr.startswith("_"):
        return None
    shown = attr if len(attr) <= _LONGEST_COMPARED else attr[:_LONGEST_COMPARED] + "..."
    if owner == CUDNN:
        if attr in CUDNN_SETTINGS or attr in CUDNN_OTHER_NAMES:
            return None
        return _with_fix(f"{CUDNN}.{shown} {CUDNN_EFFECT}", CUDNN, attr, CUDNN_SETTINGS)
    if owner == MATMUL:
        if attr in MATMUL_SETTINGS:
            return None
        if attr in MATMUL_READ_ONLY:
            base = attr[: -len(SPLIT_K)]
            return (f"{MATMUL}.{attr} {READ_ONLY_EFFECT}; "
                    f"set {MATMUL}.{base} = (allow_reduced_precision, allow_split_k) instead")
        return _with_fix(f"{MATMUL}.{shown} {MATMUL_EFFECT}", MATMUL, attr, MATMUL_SETTINGS)
    return None


def _with_fix(found: str, owner: str, attr: str, known: tuple[str, ...]) -> str:
    meant = most_likely_meant(attr, known)
    if meant is not None:
        return f"{found}; did you mean {owner}.{meant}?"
    return f"{found}; the settings are {', '.join(known)}"


def most_likely_meant(attr: str, known: tuple[str, ...]) -> str | None:
    """The known name ``attr`` is most likely a misspelling or a variant of, if any is close.

    Ignoring case, a name that contains the other (``deterministic_mode``, ``enable``; at least 5
    letters) wins, the one nearest in length first. Otherwise the nearest by edit distance
    (insertions, deletions, substitutions and swaps of two neighbouring letters), if that is at
    most a third of the known name's length (at least 2).
    """
    typed = attr.lower()
    if len(typed) > _LONGEST_COMPARED:
        return None
    contained = [(abs(len(name) - len(typed)), name) for name in known
                 if min(len(name), len(typed)) >= 5 and (name in typed or typed in name)]
    if contained:
        return min(contained)[1]
    best: tuple[int, str] | None = None
    for name in known:
        limit = max(2, len(name) // 3)
        if abs(len(name) - len(typed)) <= limit:
            distance = edit_distance(typed, name)
            if distance <= limit and (best is None or distance < best[0]):
                best = distance, name
    return None if best is None else best[1]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: Levenshtein plus swapping two neighbouring letters."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        previous2, previous = previous, current
    return previous[len(b)]


RULE = Rule(CODE, "a cuDNN or cuBLAS setting that does not exist", check)
