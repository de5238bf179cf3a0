"""SEED005: a shuffling DistributedSampler in a training file that never calls set_epoch().

``DistributedSampler`` shuffles with ``torch.Generator().manual_seed(seed + epoch)``, and ``epoch``
only changes through ``set_epoch``: without it every epoch gives every rank the order, and the
part of the data, of epoch 0.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from flake8_seeds.facts import FileFacts, argument, has_unpacking, position
from flake8_seeds.names import dotted_name, source_text
from flake8_seeds.values import known_truth
from flake8_seeds.rules.base import Finding, Rule, Settings, finding

CODE = "SEED005"

# Samplers that shuffle like torch's (verified on monai 1.6.1: a subclass that keeps torch's
# __iter__), with the positions of their `shuffle` and `seed` parameters (None: keyword only).
SAMPLERS: dict[str, tuple[str, int, int | None]] = {
    "torch.utils.data.DistributedSampler": ("torch.utils.data.DistributedSampler", 3, 4),
    "monai.data.DistributedSampler": ("monai.data.DistributedSampler", 4, None),
    "monai.data.samplers.DistributedSampler": ("monai.data.DistributedSampler", 4, None),
}

# Frameworks that call set_epoch on the loader's sampler every epoch (read in their sources:
# lightning 2.6.6 fit_loop.FitLoop.on_advance_start -> fabric.utilities.data._set_sampler_epoch;
# accelerate 1.15.0 data_loader.DataLoaderShard/DataLoaderDispatcher.__iter__ -> set_epoch;
# monai 1.6.1 engines.workflow.Workflow.__init__ registers set_sampler_epoch on EPOCH_STARTED).
LIGHTNING_TRAINERS = frozenset({"lightning.pytorch.Trainer", "lightning.pytorch.trainer.Trainer"})
LIGHTNING_MODULES = frozenset({
    "lightning.LightningModule", "lightning.LightningDataModule",
    "lightning.pytorch.LightningModule", "lightning.pytorch.LightningDataModule",
    "lightning.pytorch.core.LightningModule", "lightning.pytorch.core.LightningDataModule",
    "lightning.pytorch.core.module.LightningModule", "lightning.pytorch.core.datamodule.LightningDataModule",
})
ACCELERATORS = frozenset({"accelerate.Accelerator", "accelerate.accelerator.Accelerator"})
ACCELERATE_PREPARE_FUNCTIONS = frozenset({"accelerate.data_loader.prepare_data_loader"})
ACCELERATOR_PREPARE_METHODS = ("prepare", "prepare_data_loader")
FABRIC_SETUP_METHOD = "setup_dataloaders"  # lightning.fabric.Fabric: _FabricDataLoader.__iter__ sets the epoch
MONAI_ENGINES = "monai.engines."

# A sampler for evaluation may repeat its order: the metric does not depend on it.
EVALUATION_WORDS = frozenset({
    "val", "valid", "validation", "valset", "validset", "test", "testset", "testing", "eval", "evaluation",
    "evalset",
})
_WORDS = re.compile(r"[^a-z0-9]+")


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    samplers = facts.calls_to(*SAMPLERS)
    if not samplers:
        return
    bound = _bound_names(facts)
    sampler_names = {bound[id(call)] for call in samplers if id(call) in bound}
    if (_sets_epoch(facts, sampler_names) or _framework_sets_epoch(facts) or not _has_epoch_loop(facts)
            or _handed_to_other_module(facts, sampler_names)):
        return
    for call in sorted(samplers, key=position):
        public, shuffle_at, seed_at = SAMPLERS[facts.qualified_call_name(call) or ""]
        shuffle = _shuffle(facts, call, shuffle_at)
        if shuffle is False or _mentions_epoch(argument(call, "seed", seed_at)):
            continue  # no shuffling, or re-created with a seed that moves with the epoch
        name = _sampler_name(facts, call, bound)
        if _is_evaluation(name or "", call):
            continue
        what = f"{public} shuffles" if shuffle is True else f"{public} may shuffle (shuffle={source_text(shuffle)})"
        yield finding(call, CODE, (
            f"{what}, but this file never calls set_epoch(), so every epoch repeats the first epoch's order "
            "and each rank sees the same subset of the data every epoch; "
            f"call {name or 'sampler'}.set_epoch(epoch) "
            "at the start of each epoch"))


def _shuffle(facts: FileFacts, call: ast.Call, index: int) -> bool | ast.expr:
    """True or False when known, the expression when it is decided at run time."""
    given = argument(call, "shuffle", index)
    if given is None:
        # Not given: the default shuffles, unless *args / **kwargs may carry it.
        return not has_unpacking(call)
    truth = known_truth(facts, given)  # a name resolved in its scope, as SEED004 does
    return given if truth is None else truth


def _sets_epoch(facts: FileFacts, sampler_names: set[str]) -> bool:
    """``x.set_epoch(e)``, a helper such as ``set_sampler_epoch(loader, e)``, ``getattr(x, "set_epoch")``,
    or ``<sampler>.epoch = e`` (what set_epoch does) anywhere in the file."""
    names = [n.rsplit(".", 1)[-1] for n in facts.calls_by_name] + list(facts.method_calls)
    if any(_is_epoch_setter(n) for n in names):
        return True
    for call in facts.calls_to("getattr", "hasattr"):
        if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) and call.args[1].value == "set_epoch":
            return True
    for target, _ in facts.assigned_dotted_names():
        receiver, _, attr = target.rpartition(".")
        if attr == "epoch" and ("sampler" in receiver.lower() or receiver in sampler_names):
            return True
    return False


def _handed_to_other_module(facts: FileFacts, sampler_names: set[str]) -> bool:
    """The sampler is passed to a function imported from another module (``train(..., sampler=s)``),
    or a loader holding it is, with the epoch (``train_one_epoch(model, loader, epoch)``): that
    function may call ``set_epoch``, where this file cannot see."""
    loaders = {target for target, value in facts.assigned_dotted_names()
               if isinstance(value, ast.Call) and any(
                   k.arg == "sampler" and (dotted_name(k.value) in sampler_names or isinstance(k.value, ast.Call))
                   for k in value.keywords)}
    for call in facts.calls:
        name = facts.qualified_call_name(call)
        if name is None or name.split(".", 1)[0] in ("torch", "numpy", "random", "tqdm"):
            continue
        values = [*call.args, *(k.value for k in call.keywords)]
        given = {dotted_name(v) for v in values}
        if given & sampler_names or (given & loaders and any(_mentions_epoch(v) for v in values)):
            return True
    return False


def _is_epoch_setter(name: str) -> bool:
    lowered = name.lstrip("_").lower()
    return lowered.startswith("set") and "epoch" in lowered


def _framework_sets_epoch(facts: FileFacts) -> bool:
    if facts.calls_to(*LIGHTNING_TRAINERS) or facts.calls_to(*ACCELERATE_PREPARE_FUNCTIONS):
        return True
    if FABRIC_SETUP_METHOD in facts.method_calls:
        return True
    if facts.calls_to(*ACCELERATORS) and any(m in facts.method_calls for m in ACCELERATOR_PREPARE_METHODS):
        return True
    if any(name.startswith(MONAI_ENGINES) for name in facts.calls_by_name):
        return True
    resolve = facts.names.qualified_name
    return any(resolve(base) in LIGHTNING_MODULES for cls in facts.classes for base in cls.bases)


def _has_epoch_loop(facts: FileFacts) -> bool:
    """A ``for`` loop anywhere in the file whose target or iterable names an epoch."""
    for node in facts.binders:
        if isinstance(node, (ast.For, ast.AsyncFor)) and (_mentions_epoch(node.target) or _mentions_epoch(node.iter)):
            return True
    return False


def _mentions_epoch(node: ast.expr | None) -> bool:
    if node is None:
        return False
    for child in ast.walk(node):
        text = child.id if isinstance(child, ast.Name) else child.attr if isinstance(child, ast.Attribute) else ""
        if "epoch" in text.lower():
            return True
    return False


def _bound_names(facts: FileFacts) -> dict[int, str]:
    """id(value) -> the dotted name it is assigned to; both arms of ``a if c else b`` count."""
    bound: dict[int, str] = {}
    for target, value in facts.assigned_dotted_names():
        bound[id(value)] = target
        if isinstance(value, ast.IfExp):
            bound[id(value.body)] = bound[id(value.orelse)] = target
    return bound


def _sampler_name(facts: FileFacts, call: ast.Call, bound: dict[int, str]) -> str | None:
    """What the user calls the sampler: ``train_sampler``, or ``loader.sampler`` when passed inline."""
    if id(call) in bound:
        return bound[id(call)]
    for outer in facts.calls:
        for keyword in outer.keywords:
            value = keyword.value
            arms = (value.body, value.orelse) if isinstance(value, ast.IfExp) else (value,)
            if keyword.arg == "sampler" and any(arm is call for arm in arms):
                loader = bound.get(id(outer))
                return f"{loader}.sampler" if loader else None
    return None


def _is_evaluation(name: str, call: ast.Call) -> bool:
    """The sampler, or the dataset it samples, is named for validation or testing."""
    texts = [name]
    if call.args:
        dataset = dotted_name(call.args[0])
        if dataset:
            texts.append(dataset)
    for keyword in call.keywords:
        if keyword.arg == "dataset":
            dataset = dotted_name(keyword.value)
            if dataset:
                texts.append(dataset)
    return any(word in EVALUATION_WORDS for text in texts for word in _WORDS.split(text.lower()))


RULE = Rule(CODE, "a shuffling DistributedSampler whose epoch is never set", check)
