"""Lint an example through real flake8, run it in fresh interpreters, and measure its output."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flake8.main.cli import main as flake8_main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# One example run imports torch (~3 s of CPU); running more at once than there are cores only adds waiting.
PARALLEL = max(1, min(4, os.cpu_count() or 1))
RUN_TIMEOUT_S = 180

_FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")

Output = dict[str, Any]
Row = dict[str, Any]  # one sample from a SEED002 example: index, worker, value
Observe = Callable[..., None]  # the `observe` fixture: observe(name=value, ...)


def lint(capsys: pytest.CaptureFixture[str], name: str, *options: str) -> list[tuple[int, str]]:
    """(line, code) of every finding in-process flake8 reports for ``examples/<name>``."""
    path = EXAMPLES / name
    capsys.readouterr()
    try:
        status = flake8_main(["--isolated", *options, str(path)])
    except SystemExit as exit_:  # flake8 may exit instead of returning its status
        status = exit_.code
    out = capsys.readouterr().out
    findings = []
    for line in out.splitlines():
        match = _FINDING.match(line)
        assert match is not None, f"unexpected flake8 output line: {line!r}"
        findings.append((int(match["line"]), match["code"]))
    assert bool(status) == bool(findings), f"flake8 exit status {status!r} with output {out!r}"
    return findings


def seed_codes(capsys: pytest.CaptureFixture[str], name: str, *options: str) -> list[str]:
    """The codes flake8 --select=SEE reports for an example, in output order."""
    return [code for _, code in lint(capsys, name, "--select=SEE", *options)]


def run_example(name: str, *args: str, env: dict[str, str] | None = None) -> Output:
    """Run ``python examples/<name> args`` in a fresh interpreter; parse the JSON on its last line."""
    environment = dict(os.environ)
    environment.update(env or {})
    command = [sys.executable, str(EXAMPLES / name), *args]
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S, check=False)
    where = " ".join(command[1:])
    assert done.returncode == 0, f"{where} exited {done.returncode}:\n{done.stderr[-4000:]}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"{where} printed nothing; stderr:\n{done.stderr[-4000:]}"
    result: Output = json.loads(lines[-1])
    return result


def run_examples(runs: Sequence[tuple[str, ...]], parallel: int = PARALLEL) -> list[Output]:
    """Run several examples (each a tuple: file name, then its arguments), ``parallel`` at a time."""
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda run: run_example(*run), runs))


# -- measuring SEED002 output ------------------------------------------------------------------

def epochs_of(output: Output) -> list[list[Row]]:
    epochs: list[list[Row]] = output["epochs"]
    for rows in epochs:
        assert sorted(row["index"] for row in rows) == list(range(len(rows))), "every sample exactly once"
    return epochs


def repeated_rows(rows: list[Row]) -> int:
    """Samples in one epoch whose random value an earlier sample of the same epoch already had."""
    return len(rows) - len({row["value"] for row in rows})


def values_shared_by_workers(rows: list[Row]) -> int:
    """Distinct random values that two or more different workers produced within one epoch."""
    workers_by_value: dict[float, set[int]] = defaultdict(set)
    for row in rows:
        workers_by_value[row["value"]].add(row["worker"])
    return sum(1 for workers in workers_by_value.values() if len(workers) > 1)


def replayed_rows(previous: list[Row], current: list[Row]) -> int:
    """Samples that got exactly the same random value as in the previous epoch."""
    before = {row["index"]: row["value"] for row in previous}
    return sum(1 for row in current if before[row["index"]] == row["value"])


def workers_seen(rows: list[Row]) -> int:
    return len(Counter(row["worker"] for row in rows))


def seed002_measures(output: Output) -> dict[str, Any]:
    """Per-epoch duplicate counts and epoch-to-epoch replays, as numbers a test can assert on."""
    epochs = epochs_of(output)
    return {
        "workers": output["workers"],
        "workers_seen": [workers_seen(rows) for rows in epochs],
        "samples": [len(rows) for rows in epochs],
        "repeated_rows": [repeated_rows(rows) for rows in epochs],
        "values_shared_by_workers": [values_shared_by_workers(rows) for rows in epochs],
        "replayed_rows": [replayed_rows(a, b) for a, b in zip(epochs, epochs[1:])],
    }
