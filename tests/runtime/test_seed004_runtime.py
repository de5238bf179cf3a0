"""SEED004 at runtime: without its own generator, a DataLoader's order moves when unrelated code changes.

Both programs call torch.manual_seed(0), build a model, then shuffle 8 samples. Each is run as is,
once more as is, with the model one unit wider, and with one extra random draw before the loader.
"""
from __future__ import annotations

import pytest
import torch

from tests.runtime.helpers import Observe, run_examples, seed_codes

GLOBAL_RNG, GENERATOR = "seed004_shuffle_global_rng.py", "seed004_shuffle_generator.py"
LINT = {GLOBAL_RNG: ["SEED004"], GENERATOR: []}
VARIANTS = {
    "base": ("--width", "16"),
    "base_again": ("--width", "16"),
    "wider": ("--width", "17"),
    "extra_draw": ("--width", "16", "--extra-draw"),
}


@pytest.mark.parametrize("name", sorted(LINT))
def test_lint(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert seed_codes(capsys, name) == LINT[name]


def _orders(device: str) -> dict[str, dict[str, list[int]]]:
    """First-epoch order for each (program, variant); the fixed program skips the repeat run."""
    jobs = [(name, variant) for name in (GLOBAL_RNG, GENERATOR) for variant in VARIANTS
            if not (name == GENERATOR and variant == "base_again")]
    outputs = run_examples([(name, *VARIANTS[variant], "--device", device) for name, variant in jobs])
    orders: dict[str, dict[str, list[int]]] = {GLOBAL_RNG: {}, GENERATOR: {}}
    for (name, variant), output in zip(jobs, outputs):
        assert sorted(output["order"]) == list(range(8)), output
        orders[name][variant] = output["order"]
    return orders


def _prove(device: str, observe: Observe) -> None:
    orders = _orders(device)
    observe(device=device, global_rng=orders[GLOBAL_RNG], generator=orders[GENERATOR])
    bug, fix = orders[GLOBAL_RNG], orders[GENERATOR]
    # The buggy program is seeded: run as is, it repeats its order...
    assert bug["base_again"] == bug["base"]
    # ...but a wider model or one more random draw moves the data order.
    assert bug["wider"] != bug["base"]
    assert bug["extra_draw"] != bug["base"]
    # With a seeded generator of its own, the loader's order ignores both changes.
    assert fix["wider"] == fix["base"]
    assert fix["extra_draw"] == fix["base"]


def test_unrelated_change_moves_order_without_generator(observe: Observe) -> None:
    _prove("cpu", observe)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device; torch.cuda.is_available() is False")
def test_unrelated_change_moves_order_without_generator_cuda(observe: Observe) -> None:
    # The model is built on the CPU and moved to the GPU (the usual `.to(device)`), so its
    # initialisation draws from the same global CPU generator the shuffle uses.
    _prove("cuda", observe)
