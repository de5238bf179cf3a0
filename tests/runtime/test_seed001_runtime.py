"""SEED001 at runtime: an unseeded program differs from run to run; seeding every global RNG makes it repeat.

Also: a training script whose model class lives in the same file, and a program that seeds random
and NumPy but not torch while its Dataset draws from them in DataLoader workers.
"""
from __future__ import annotations

import pytest
import torch

from tests.runtime.helpers import Observe, Output, run_examples, seed_codes

UNSEEDED, SEEDED = "seed001_unseeded.py", "seed001_seeded.py"
# One finding per global RNG the program draws from and never seeds.
LINT = {UNSEEDED: ["SEED001", "SEED001", "SEED001"], SEEDED: []}
FAMILIES = ("random", "numpy", "torch")

MODEL_CLASS, MODEL_CLASS_SEEDED = "seed001_model_class.py", "seed001_model_class_seeded.py"
WORKER_DRAWS, WORKER_DRAWS_SEEDED = "seed001_worker_draws.py", "seed001_worker_draws_seeded.py"
# `model = Net()` reaches Net.__init__, which builds torch.nn layers: one finding, for torch.
LINT.update({MODEL_CLASS: ["SEED001"], MODEL_CLASS_SEEDED: []})
# random and NumPy are seeded, but their draws in DataLoader workers depend on the unseeded torch RNG.
LINT.update({WORKER_DRAWS: ["SEED001"], WORKER_DRAWS_SEEDED: []})


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


def test_model_class_in_the_same_file_trains_differently_unless_seeded(observe: Observe) -> None:
    first, second, seeded, seeded_again = run_examples([
        (MODEL_CLASS,), (MODEL_CLASS,), (MODEL_CLASS_SEEDED, "--seed", "0"), (MODEL_CLASS_SEEDED, "--seed", "0"),
    ])
    observe(unseeded_losses=[first["loss"], second["loss"]], seeded_losses=[seeded["loss"], seeded_again["loss"]],
            unseeded_digests_differ=first["digest"] != second["digest"],
            seeded_digests_equal=seeded["digest"] == seeded_again["digest"])

    # Same data, same steps: only the initial weights Net() drew can make the trained weights differ.
    assert first["digest"] != second["digest"], "two unseeded trainings gave bitwise-identical weights"
    # Bitwise equality needs the same number of intra-op threads too (OMP_NUM_THREADS=1 changed the
    # digest, not the loss, when measured); both runs inherit this process's environment.
    assert seeded["digest"] == seeded_again["digest"], "two trainings with --seed 0 gave different weights"
    assert seeded["loss"] == seeded_again["loss"]


def _worker_draws_changed(a: Output, b: Output) -> dict[str, int]:
    """How many of the samples got a different draw from each RNG in run ``b`` than in run ``a``."""
    rows_a, rows_b = ({row["index"]: row for row in run["rows"]} for run in (a, b))
    assert sorted(rows_a) == sorted(rows_b) == list(range(len(rows_a))), "every sample exactly once"
    return {family: sum(rows_a[i][family] != rows_b[i][family] for i in rows_a) for family in ("random", "numpy")}


def test_worker_draws_change_unless_torch_is_seeded(observe: Observe) -> None:
    first, second, seeded, seeded_again = run_examples([
        (WORKER_DRAWS,), (WORKER_DRAWS,), (WORKER_DRAWS_SEEDED,), (WORKER_DRAWS_SEEDED,),
    ])
    unseeded_changed = _worker_draws_changed(first, second)
    seeded_changed = _worker_draws_changed(seeded, seeded_again)
    workers = sorted({row["worker"] for row in first["rows"]})
    main_process_repeats = first["main_process"] == second["main_process"]
    observe(samples=len(first["rows"]), workers=workers, main_process_repeats=main_process_repeats,
            torch_unseeded_worker_draws_changed=unseeded_changed, torch_seeded_worker_draws_changed=seeded_changed)

    assert workers == list(range(first["workers"])), "the samples were not drawn in the worker processes"
    # random.seed(0) and np.random.seed(0) work in the main process: its draws repeat...
    assert main_process_repeats
    # ...but every draw made in a worker changed, because the workers' seeds come from the torch RNG.
    assert all(n == len(first["rows"]) for n in unseeded_changed.values()), unseeded_changed
    # Seeding torch as well makes every worker draw repeat.
    assert seeded["rows"] == seeded_again["rows"], seeded_changed
