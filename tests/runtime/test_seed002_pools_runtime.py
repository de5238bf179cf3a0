"""SEED002 (process pools) at runtime: forked workers repeat the global NumPy and torch streams, and an
RNG object handed to every task gives every task the same numbers, under any start method.

The global-RNG programs run 8 tasks on 4 forked workers (``multiprocessing.Pool`` and
``ProcessPoolExecutor``); each task draws once from numpy, torch and random. The RNG-object programs
map 4 tasks under fork, spawn and forkserver. The counts below come from their output.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from tests.runtime.helpers import Observe, Output, run_examples, seed_codes

GLOBAL_RNG, RESEEDED = "seed002_pool_global_rng.py", "seed002_pool_reseeded.py"
RNG_ARGUMENT, RNG_CHILDREN = "seed002_pool_rng_argument.py", "seed002_pool_rng_children.py"
# One finding per family the task draws from (numpy, torch); random is reseeded at fork.
LINT = {GLOBAL_RNG: ["SEED002", "SEED002"], RESEEDED: [], RNG_ARGUMENT: ["SEED002"], RNG_CHILDREN: []}
FAMILIES = ("numpy", "torch", "random")
START_METHODS = ("fork", "spawn", "forkserver")


def test_lint(capsys: Any) -> None:
    assert {name: seed_codes(capsys, name) for name in LINT} == LINT


def _measure(rows: list[dict[str, Any]], families: tuple[str, ...] = FAMILIES) -> dict[str, Any]:
    """How many tasks and workers, and per family: distinct values, and values two workers both drew."""
    assert sorted(row["task"] for row in rows) == list(range(len(rows))), "every task exactly once"
    measured: dict[str, Any] = {"tasks": len(rows), "workers": len({row["worker"] for row in rows})}
    for family in families:
        workers_by_value: dict[float, set[int]] = defaultdict(set)
        for row in rows:
            workers_by_value[row[family]].add(row["worker"])
        measured[family] = {
            "distinct": len(workers_by_value),
            "shared_by_workers": sum(1 for workers in workers_by_value.values() if len(workers) > 1),
        }
    return measured


def _values(rows: list[dict[str, Any]], family: str) -> list[float]:
    return [row[family] for row in sorted(rows, key=lambda row: row["task"])]


def test_forked_workers_repeat_global_numpy_and_torch(observe: Observe) -> None:
    bug, fix, fix_again = run_examples([(GLOBAL_RNG,), (RESEEDED,), (RESEEDED,)])
    measured = {runner: _measure(bug[runner]) for runner in ("pool", "executor")}
    fixed = {mode: _measure(fix[mode]) for mode in ("task", "initializer")}
    observe(buggy=measured, fixed=fixed)

    for runner, result in measured.items():
        assert result["tasks"] == 8 and result["workers"] > 1, (runner, result)
        # Every forked worker starts from the parent's NumPy and torch state: workers repeat each other...
        for family in ("numpy", "torch"):
            assert result[family]["distinct"] < result["tasks"], (runner, family, result)
            assert result[family]["shared_by_workers"] > 0, (runner, family, result)
        # ...while CPython reseeds `random` in each forked child.
        assert result["random"]["distinct"] == result["tasks"], (runner, result)

    for mode, result in fixed.items():
        assert result["tasks"] == 8 and result["workers"] > 1, (mode, result)
        for family in FAMILIES:
            assert result[family]["distinct"] == result["tasks"], (mode, family, result)
            assert result[family]["shared_by_workers"] == 0, (mode, family, result)
    # Seeds from SeedSequence children, one per task, give each task the same numbers on every run.
    for family in FAMILIES:
        assert _values(fix["task"], family) == _values(fix_again["task"], family), family


def _by_method(output: Output) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = output["results"]
    assert sorted(results) == sorted(START_METHODS)
    return results


def test_rng_object_handed_to_every_task_repeats_under_every_start_method(observe: Observe) -> None:
    bug_output, fix_output = run_examples([(RNG_ARGUMENT,), (RNG_CHILDREN,)])
    bug, fix = _by_method(bug_output), _by_method(fix_output)
    families = {method: FAMILIES if method == "fork" else ("numpy", "random") for method in START_METHODS}
    measured = {method: _measure(bug[method], families[method]) for method in START_METHODS}
    fixed = {method: _measure(fix[method], families[method]) for method in START_METHODS}
    observe(buggy=measured, fixed=fixed)

    for method in START_METHODS:
        # Each task unpickles (or, for Process under fork, inherits) its own copy of one state: 4 identical draws.
        assert measured[method]["tasks"] == 4, (method, measured[method])
        for family in families[method]:
            assert measured[method][family]["distinct"] == 1, (method, family, measured[method])
        # One SeedSequence child per task: 4 different draws...
        for family in families[method]:
            assert fixed[method][family]["distinct"] == 4, (method, family, fixed[method])
    # ...and the same ones whatever the start method.
    for family in ("numpy", "random"):
        assert _values(fix["fork"], family) == _values(fix["spawn"], family) == _values(fix["forkserver"], family)
