"""Runtime proof: what the tests observed is listed at the end of the pytest run."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.runtime.helpers import Observe

_OBSERVED = pytest.StashKey[list[str]]()


@pytest.fixture
def observe(request: pytest.FixtureRequest, record_property: Callable[[str, object], None]) -> Observe:
    """Record measured numbers: shown in the terminal summary and stored as JUnit properties."""
    def record(**values: Any) -> None:
        lines = request.config.stash.setdefault(_OBSERVED, [])
        shown = ", ".join(f"{key}={value}" for key, value in values.items())
        lines.append(f"{request.node.nodeid}: {shown}")
        for key, value in values.items():
            record_property(key, value)
    return record


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(_OBSERVED, [])
    if lines:
        terminalreporter.section("runtime proof: observed")
        for line in lines:
            terminalreporter.write_line(line)
