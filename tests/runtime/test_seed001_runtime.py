"""SEED001 at runtime: an unseeded program differs from run to run; seeding every global RNG makes it repeat."""
from __future__ import annotations

import pytest
import torch

from tests.runtime.helpers import Observe, Output, run_examples, seed_codes

UNSEEDED, SEEDED = "seed001_unseeded.py", "seed001_seeded.py"
# One finding per global RNG the program draws from and never seeds.
LINT = {UNSEEDED: ["SEED001", "SEED001", "SEED001"], SEEDED: []}
FAMILIES = ("random", "numpy", "torch")


@pytest.mark.parametrize("name", sorted(LINT))
def test_lint(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert seed_codes(capsys, name) == LINT[name]


def _differs(a: Output, b: Output) -> dict[str, bool]:
    return {family: a[family] != b[family] for family in FAMILIES}


def _prove(device: str, observe: Observe) -> dict[str, bool]:
    on = ("--device", device)
    first, second, seeded, seeded_again, other_seed = run_examples([
        (UNSEEDED, *on), (UNSEEDED, *on), (SEEDED, "--seed", "0", *on), (SEEDED, "--seed", "0", *on),
        (SEEDED, "--seed", "1", *on),
    ])
    unseeded_differs = _differs(first, second)
    seeded_differs = _differs(seeded, seeded_again)
    other_seed_differs = _differs(seeded, other_seed)
    observe(device=device, unseeded_runs_differ=unseeded_differs, seeded_runs_differ=seeded_differs,
            seed_0_vs_1_differ=other_seed_differs)

    assert first["digest"] != second["digest"], "two runs of the unseeded program printed the same bits"
    assert seeded["digest"] == seeded_again["digest"], "two runs with --seed 0 printed different bits"
    assert not any(seeded_differs.values())
    # The seed reaches every RNG: a different seed changes every family's numbers.
    assert all(other_seed_differs.values()), other_seed_differs
    return unseeded_differs


def test_unseeded_runs_differ_seeded_runs_repeat(observe: Observe) -> None:
    unseeded_differs = _prove("cpu", observe)
    # Each global RNG starts from fresh OS entropy in every process when nothing seeds it.
    assert all(unseeded_differs.values()), unseeded_differs


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device; torch.cuda.is_available() is False")
def test_unseeded_runs_differ_seeded_runs_repeat_cuda(observe: Observe) -> None:
    # The torch draw happens on the GPU. Whether an unseeded CUDA generator starts from the same
    # default seed in every process is recorded, not assumed: the random and numpy draws differ either way.
    unseeded_differs = _prove("cuda", observe)
    assert unseeded_differs["random"] and unseeded_differs["numpy"], unseeded_differs
