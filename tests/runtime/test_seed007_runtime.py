"""SEED007 at runtime: ranks seeded alike give their DataLoader workers the same draws.

Both programs run two real ranks (``torch.multiprocessing.spawn``, a gloo process group over a
``file://`` rendezvous in a fresh temporary directory), each reading its half of 16 items through a
DistributedSampler and a DataLoader with 2 workers whose Dataset draws from torch and NumPy in
``__getitem__``. The buggy one seeds ``torch.manual_seed(seed)`` on both ranks, the fixed one
``torch.manual_seed(seed + rank)``. Draws are compared position by position: the k-th sample a rank
reads comes from the same worker, at the same step, on both ranks.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.runtime.helpers import Observe, Output, run_examples, seed_codes

SAME_SEED, SEED_PLUS_RANK = "seed007_same_seed_all_ranks.py", "seed007_seed_plus_rank.py"
LINT = {SAME_SEED: ["SEED007"], SEED_PLUS_RANK: []}


@pytest.mark.parametrize("name", sorted(LINT))
def test_lint(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert seed_codes(capsys, name) == LINT[name]


def _measures(output: Output) -> dict[str, dict[str, Any]]:
    """Per way of reading: how many of a rank's draws the other rank repeats."""
    assert output["world_size"] == 2
    found = {}
    for name, (rank0, rank1) in output["variants"].items():
        indices0, indices1 = [row[0] for row in rank0], [row[0] for row in rank1]
        # Different images: the ranks split the dataset, each item read once.
        assert not set(indices0) & set(indices1), output
        assert sorted(indices0 + indices1) == list(range(len(rank0) + len(rank1))), output
        # Position k comes from the same worker on both ranks.
        assert [row[1] for row in rank0] == [row[1] for row in rank1], output
        found[name] = {
            "samples_per_rank": len(rank0),
            "workers_seen": len({row[1] for row in rank0}),
            "torch_draws_equal_across_ranks": sum(a[2] == b[2] for a, b in zip(rank0, rank1)),
            "numpy_draws_equal_across_ranks": sum(a[3] == b[3] for a, b in zip(rank0, rank1)),
            "torch_values_shared": len({a[2] for a in rank0} & {b[2] for b in rank1}),
        }
    return found


def test_ranks_seeded_alike_repeat_each_others_draws(observe: Observe) -> None:
    bug_output, fix_output = run_examples([(SAME_SEED,), (SEED_PLUS_RANK,)])
    bug, fix = _measures(bug_output), _measures(fix_output)
    observe(same_seed=bug, seed_plus_rank=fix,
            weights_equal_before_ddp=fix_output["weights_equal_before_ddp"],
            weights_equal_after_ddp=fix_output["weights_equal_after_ddp"])
    samples = bug["no_worker_init_fn"]["samples_per_rank"]
    assert samples >= 8
    assert all(v["workers_seen"] == bug_output["workers"] == 2 for v in [*bug.values(), *fix.values()])

    # Same seed on both ranks: every draw of rank 1 repeats rank 0's, for different images...
    for name in ("no_worker_init_fn", "seed_worker"):  # ...and PyTorch's seed_worker recipe does not help.
        assert bug[name]["torch_draws_equal_across_ranks"] == samples
        assert bug[name]["numpy_draws_equal_across_ranks"] == samples
    # A worker_init_fn that mixes in the rank separates them even with the shared seed.
    assert bug["worker_init_fn_with_rank"]["torch_values_shared"] == 0
    assert bug["worker_init_fn_with_rank"]["numpy_draws_equal_across_ranks"] == 0

    # seed + rank: no draw is shared, with or without seed_worker.
    for name in ("no_worker_init_fn", "seed_worker"):
        assert fix[name]["torch_values_shared"] == 0
        assert fix[name]["numpy_draws_equal_across_ranks"] == 0

    # The fix does not split the model: the ranks build different weights, and DDP broadcasts rank 0's.
    assert fix_output["weights_equal_before_ddp"] is False
    assert fix_output["weights_equal_after_ddp"] is True
