"""The class flake8 loads: options in, findings out; it knows nothing about seeds."""
from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator
from typing import Any

from flake8_seeds import __version__
from flake8_seeds.facts import FileFacts
from flake8_seeds.rules import RULES, Settings

_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")
# nbQA lints a notebook as a temporary file and maps each finding's position back to its cell,
# but not the text: a line number quoted in a message would point into the temporary file.
_NBQA_FILE = re.compile(r"_nbqa_ipynb\.py$")
_AT_LINE = re.compile(r" at line \d+")


class SeedsChecker:
    name = "flake8-seeds"
    version = __version__
    settings = Settings()

    def __init__(self, tree: ast.AST, filename: str = "") -> None:
        self.tree = tree
        self.in_notebook = bool(_NBQA_FILE.search(filename))

    @staticmethod
    def add_options(manager: Any) -> None:
        manager.add_option(
            "--seeds-helpers",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="More functions that seed every RNG (SEED001), by name or qualified name, comma separated.",
        )
        manager.add_option(
            "--seeds-min-torch-version",
            default="",
            parse_from_config=True,
            help="The oldest torch you support, e.g. 1.8; below 1.9 SEED002 also flags global "
            "numpy.random draws in DataLoader worker code.",
        )

    @classmethod
    def parse_options(cls, manager: Any, options: argparse.Namespace, args: Any) -> None:
        helpers = options.seeds_helpers or []
        if isinstance(helpers, str):
            helpers = [h.strip() for h in helpers.split(",") if h.strip()]
        for helper in helpers:
            if not all(part.isidentifier() for part in helper.split(".")):
                manager.parser.error(
                    f"--seeds-helpers: {helper!r} is not a function name "
                    "(expected e.g. set_seed or my_pkg.utils.set_seed)"
                )
        version = (options.seeds_min_torch_version or "").strip()
        minimum: tuple[int, ...] | None = None
        if version:
            if not _VERSION.match(version):
                manager.parser.error(
                    f"--seeds-min-torch-version: {version!r} is not a version (expected e.g. 1.8 or 2.1.0)"
                )
            minimum = tuple(int(p) for p in version.split("."))
        cls.settings = Settings(extra_helpers=frozenset(helpers), min_torch_version=minimum)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        # An internal bug must never stop the user's flake8 run, nor hide other rules' findings.
        try:
            facts = FileFacts(self.tree)
        except Exception as error:
            _report_internal_error("reading the file", error)
            return
        if not facts.relevant:
            return
        for rule in RULES:
            try:
                findings = list(rule.check(facts, self.settings))
            except Exception as error:
                _report_internal_error(rule.code, error)
                continue
            for line, col, message in findings:
                if self.in_notebook:
                    message = _AT_LINE.sub("", message)
                yield line, col, message, type(self)


def _report_internal_error(where: str, error: Exception) -> None:
    sys.stderr.write(f"flake8-seeds: internal error in {where} ({type(error).__name__}: {error}); "
                     "other rules still ran. Please report it.\n")
