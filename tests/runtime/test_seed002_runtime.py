"""SEED002 at runtime: RNG state copied into DataLoader workers repeats numbers across workers and epochs.

Every example loads 8 samples in batches of 2 with 4 worker processes for 2 epochs; each sample
carries the worker that made it and one random value. The counts below come from that output.
"""
from __future__ import annotations

import pytest
import torch

from tests.runtime.helpers import Observe, run_examples, seed002_measures, seed_codes

# Dataset RNG objects made outside worker code: (buggy, fixed).
SHARED_STATE = [
    ("seed002_rng_in_init.py", "seed002_rng_in_init_fixed.py"),
    ("seed002_module_rng.py", "seed002_module_rng_fixed.py"),
    ("seed002_torch_generator.py", "seed002_torch_generator_fixed.py"),
]
EPOCH_REPLAY = ("seed002_epoch_replay.py", "seed002_epoch_replay_fixed.py")
CLASSIC = "seed002_global_numpy_classic.py"
# MONAI Rand* transforms (each with its own RandomState): torch's DataLoader vs monai.data.DataLoader.
MONAI = ("seed002_monai_transforms.py", "seed002_monai_transforms_fixed.py")

LINT = {name: ["SEED002"] for name, _ in [*SHARED_STATE, EPOCH_REPLAY, MONAI]}
LINT.update({fixed: [] for _, fixed in [*SHARED_STATE, EPOCH_REPLAY, MONAI]})
LINT[CLASSIC] = []  # global np.random is reseeded per worker by torch >= 1.9: not flagged by default


@pytest.mark.parametrize("name", sorted(LINT))
def test_lint(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert seed_codes(capsys, name) == LINT[name]


def test_lint_legacy_torch_option(capsys: pytest.CaptureFixture[str]) -> None:
    """For torch < 1.9 the classic example is a bug; a worker_init_fn seeding NumPy per worker fixes it."""
    legacy = "--seeds-min-torch-version=1.8"
    assert seed_codes(capsys, CLASSIC, legacy) == ["SEED002"]
    assert seed_codes(capsys, EPOCH_REPLAY[1], legacy) == []


@pytest.mark.parametrize("buggy, fixed", SHARED_STATE, ids=[b.removesuffix(".py") for b, _ in SHARED_STATE])
def test_shared_rng_repeats_across_workers_and_epochs(buggy: str, fixed: str, observe: Observe) -> None:
    bug, fix = (seed002_measures(output) for output in run_examples([(buggy,), (fixed,)]))
    observe(buggy=bug, fixed=fix)

    assert all(n > 1 for n in bug["workers_seen"]), "the samples did not come from several workers"
    # Within each epoch, different workers drew the same numbers...
    assert all(n > 0 for n in bug["repeated_rows"]), bug
    assert all(n > 0 for n in bug["values_shared_by_workers"]), bug
    # ...and each epoch replayed the numbers of the epoch before.
    assert bug["replayed_rows"] and all(n > 0 for n in bug["replayed_rows"]), bug

    assert all(n > 1 for n in fix["workers_seen"])
    assert fix["repeated_rows"] == [0] * len(fix["repeated_rows"]), fix
    assert fix["replayed_rows"] == [0] * len(fix["replayed_rows"]), fix


def test_epoch_replaying_worker_init_fn(observe: Observe) -> None:
    buggy, fixed = EPOCH_REPLAY
    bug, fix = (seed002_measures(output) for output in run_examples([(buggy,), (fixed,)]))
    observe(buggy=bug, fixed=fix)

    assert all(n > 1 for n in bug["workers_seen"])
    # The workers differ from each other (constant + worker_id), but every epoch repeats the last one.
    assert bug["repeated_rows"] == [0] * len(bug["repeated_rows"]), bug
    assert bug["replayed_rows"] and all(n > 0 for n in bug["replayed_rows"]), bug

    assert fix["repeated_rows"] == [0] * len(fix["repeated_rows"]), fix
    assert fix["replayed_rows"] == [0] * len(fix["replayed_rows"]), fix


def test_classic_global_numpy_is_reseeded_per_worker(observe: Observe) -> None:
    (output,) = run_examples([(CLASSIC,)])
    measured = seed002_measures(output)
    observe(torch=output["torch"], measured=measured)

    assert output["torch"] == torch.__version__
    assert all(n > 1 for n in measured["workers_seen"])
    assert measured["repeated_rows"] == [0] * len(measured["repeated_rows"]), (
        f"torch {output['torch']} gave DataLoader workers the same NumPy state: {measured}")
    assert measured["replayed_rows"] == [0] * len(measured["replayed_rows"]), measured


def test_monai_random_transforms_repeat_under_torch_dataloader(observe: Observe) -> None:
    """Both programs call monai.utils.set_determinism(seed=0): a seeded main process still duplicates."""
    buggy, fixed = MONAI
    bug, fix = (seed002_measures(output) for output in run_examples([(buggy,), (fixed,)]))
    observe(buggy=bug, fixed=fix)

    assert all(n == bug["workers"] for n in bug["workers_seen"]), bug
    # Every worker copies the same transform state: all four pick worker 0's two crops, 6 of 8 rows repeat...
    assert bug["repeated_rows"] == [6] * len(bug["repeated_rows"]), bug
    assert bug["values_shared_by_workers"] == [2] * len(bug["values_shared_by_workers"]), bug
    # ...and the next epoch's fresh workers pick the same 8 crops again.
    assert bug["replayed_rows"] == [8] * len(bug["replayed_rows"]), bug

    # monai.data.DataLoader reseeds the transforms in each worker from that worker's seed.
    assert all(n == fix["workers"] for n in fix["workers_seen"]), fix
    assert fix["repeated_rows"] == [0] * len(fix["repeated_rows"]), fix
    assert fix["replayed_rows"] == [0] * len(fix["replayed_rows"]), fix
