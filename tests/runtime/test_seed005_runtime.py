"""SEED005 at runtime: without set_epoch(), a shuffling DistributedSampler replays epoch 0 forever.

Both programs simulate two ranks in one process (``DistributedSampler(ds, num_replicas=2, rank=r)``
needs no process group) and record the indices each rank gets in each of 3 epochs over 8 samples.
"""
from __future__ import annotations

import pytest

from tests.runtime.helpers import Observe, Output, run_examples, seed_codes

NO_SET_EPOCH, SET_EPOCH = "seed005_no_set_epoch.py", "seed005_set_epoch.py"
LINT = {NO_SET_EPOCH: ["SEED005"], SET_EPOCH: []}


@pytest.mark.parametrize("name", sorted(LINT))
def test_lint(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert seed_codes(capsys, name) == LINT[name]


def _orders(output: Output) -> list[list[list[int]]]:
    """orders[rank][epoch]: the indices that rank got in that epoch, in order."""
    by_rank = output["orders"]
    assert sorted(by_rank, key=int) == [str(r) for r in range(output["world_size"])], output
    return [by_rank[str(rank)] for rank in range(output["world_size"])]


def _measures(output: Output) -> dict[str, list[int]]:
    orders = _orders(output)
    epochs = len(orders[0])
    every = list(range(output["size"]))
    return {
        # Per rank: later epochs whose order equals epoch 0's.
        "epochs_repeating_epoch_0": [sum(o == rank[0] for o in rank[1:]) for rank in orders],
        # Per rank: later epochs in which the rank got a different set of samples than in epoch 0.
        "epochs_with_other_samples": [sum(set(o) != set(rank[0]) for o in rank[1:]) for rank in orders],
        # Per epoch: do the ranks together cover the dataset exactly once (1) or not (0)?
        "covered_exactly_once": [int(sorted(i for rank in orders for i in rank[e]) == every) for e in range(epochs)],
    }


def test_orders_repeat_without_set_epoch(observe: Observe) -> None:
    bug_output, fix_output = run_examples([(NO_SET_EPOCH,), (SET_EPOCH,)])
    bug, fix = _measures(bug_output), _measures(fix_output)
    observe(no_set_epoch=_orders(bug_output), set_epoch=_orders(fix_output), no_set_epoch_measures=bug,
            set_epoch_measures=fix)
    epochs = len(_orders(bug_output)[0])
    assert epochs >= 3 and len(_orders(fix_output)[0]) == epochs

    # Without set_epoch: every epoch is epoch 0 again, on each rank, with the same samples.
    assert bug["epochs_repeating_epoch_0"] == [epochs - 1, epochs - 1]
    assert bug["epochs_with_other_samples"] == [0, 0]
    assert bug["covered_exactly_once"] == [1] * epochs

    # With set_epoch: no epoch repeats epoch 0 on any rank, each rank gets other samples, and the
    # two ranks still split every epoch's order so that each sample is seen exactly once.
    assert fix["epochs_repeating_epoch_0"] == [0, 0]
    assert all(count > 0 for count in fix["epochs_with_other_samples"])
    assert fix["covered_exactly_once"] == [1] * epochs
    fixed = _orders(fix_output)
    assert all(rank[e] != rank[e - 1] for rank in fixed for e in range(1, epochs))


def _epoch_orders(sampler_class: type, set_epoch: bool) -> list[list[list[int]]]:
    orders = []
    for rank in range(2):
        sampler = sampler_class(list(range(8)), num_replicas=2, rank=rank)
        epochs = []
        for epoch in range(3):
            if set_epoch:
                sampler.set_epoch(epoch)
            epochs.append(list(sampler))
        orders.append(epochs)
    return orders


def test_monai_sampler_shuffles_like_torchs(observe: Observe) -> None:
    """Why SEED005 covers monai.data.DistributedSampler: a subclass with torch's shuffle and epoch."""
    monai_data = pytest.importorskip("monai.data")
    from torch.utils.data import DistributedSampler

    assert issubclass(monai_data.DistributedSampler, DistributedSampler)
    for set_epoch in (False, True):
        monai_orders = _epoch_orders(monai_data.DistributedSampler, set_epoch)
        assert monai_orders == _epoch_orders(DistributedSampler, set_epoch)
        observe(set_epoch=set_epoch, monai_orders=monai_orders)
    assert all(rank[1] == rank[0] for rank in _epoch_orders(monai_data.DistributedSampler, False))
