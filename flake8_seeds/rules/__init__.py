"""The rule registry: every rule flake8-seeds runs, in code order."""
from __future__ import annotations

from flake8_seeds.rules import seed001, seed002, seed003, seed004, seed005, seed006, seed007
from flake8_seeds.rules.base import Finding, Rule, Settings

RULES: tuple[Rule, ...] = (
    seed001.RULE, seed002.RULE, seed003.RULE, seed004.RULE, seed005.RULE, seed006.RULE, seed007.RULE,
)

__all__ = ["RULES", "Finding", "Rule", "Settings"]
