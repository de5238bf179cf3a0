"""Every code in the registry is documented and has flagged and allowed cases."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from flake8_seeds.rules import RULES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented(rule: object) -> None:
    code = rule.code  # type: ignore[attr-defined]
    assert re.search(rf"^## {code}\b", README, re.MULTILINE), f"README has no '## {code}' section"
    assert f"| {code} |" in README, f"README's rule table has no row for {code}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_has_flagged_and_allowed_cases(rule: object) -> None:
    code = rule.code  # type: ignore[attr-defined]
    module = importlib.import_module(f"tests.test_{code.lower()}")
    assert len(module.FLAGGED) >= 5
    assert len(module.ALLOWED) >= 5


def test_codes_are_unique_and_ordered() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(set(codes))
    assert all(re.fullmatch(r"SEED\d{3}", c) for c in codes)


def test_ci_runs_the_readme_test_command() -> None:
    section = README.split("## Test it", 1)[1]
    command = section.split("```console\n", 1)[1].split("\n", 1)[0]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert command in ci.splitlines()


def test_try_it_counts_match_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    from flake8.main.cli import main as flake8_main

    claim = re.search(r"\((\d+) findings in (\d+) files", README)
    assert claim is not None
    examples = Path(__file__).resolve().parent.parent / "examples"
    flake8_main(["--isolated", "--select=SEE", str(examples)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == int(claim[1])
    assert len({line.split(":", 1)[0] for line in lines}) == int(claim[2])
