"""SEED006 at runtime: a misspelt cuDNN setting is accepted and changes nothing; spelt right, it changes the flag.

Both programs try to set cudnn.deterministic = True, cudnn.allow_tf32 = False and
cuda.matmul.allow_tf32 = False, and report the three flags before and after. The settings are
process-wide flags, readable and settable on a CPU-only build, so the CPU test is the proof; the
GPU test repeats it on a CUDA build, where cuDNN is really there.
"""
from __future__ import annotations

import pytest
import torch

from tests.runtime.helpers import Observe, Output, run_examples, seed_codes

TYPO, FLAGS = "seed006_cudnn_typo.py", "seed006_cudnn_flags.py"
LINT = {TYPO: ["SEED006", "SEED006", "SEED006"], FLAGS: []}
DETERMINISTIC, CUDNN_TF32, MATMUL_TF32 = "cudnn.deterministic", "cudnn.allow_tf32", "cuda.matmul.allow_tf32"


@pytest.mark.parametrize("name", sorted(LINT))
def test_lint(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert seed_codes(capsys, name) == LINT[name]


def _prove(observe: Observe) -> tuple[Output, Output]:
    typo, flags = run_examples([(TYPO,), (FLAGS,)])
    observe(torch=typo["torch"], cudnn_available=typo["cudnn_available"],
            typo_before=typo["before"], typo_after=typo["after"], typo_assigned=typo["assigned"],
            typo_matmul_error=typo["matmul_error"], fixed_before=flags["before"], fixed_after=flags["after"],
            fixed_matmul_error=flags["matmul_error"])
    # Misspelt: the module took the new attributes without a word, and the real flags kept their values.
    assert typo["assigned"] == {"cudnn.determinstic": True, "cudnn.allow_tf_32": False}
    assert typo["after"] == typo["before"]
    assert typo["after"][DETERMINISTIC] is False and typo["after"][CUDNN_TF32] is True
    # cuBLAS's settings object checks the name: the misspelt assignment raised.
    assert typo["matmul_error"] == "AttributeError: Unknown attribute allow_tf23"
    # Spelt right, the same assignments change the flags (from the same defaults) and raise nothing.
    assert flags["before"] == typo["before"]
    assert flags["after"] == {DETERMINISTIC: True, CUDNN_TF32: False, MATMUL_TF32: False}
    assert flags["matmul_error"] is None
    return typo, flags


def test_misspelt_setting_is_accepted_and_changes_nothing(observe: Observe) -> None:
    _prove(observe)


def test_augmented_assignment_of_a_misspelt_setting_raises() -> None:
    """Why SEED006 leaves `cudnn.benchmrk |= x` alone: reading the missing name fails first."""
    with pytest.raises(AttributeError, match="benchmrk"):
        torch.backends.cudnn.benchmrk |= True  # type: ignore[attr-defined]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device; torch.cuda.is_available() is False")
def test_misspelt_setting_is_accepted_and_changes_nothing_cuda(observe: Observe) -> None:
    typo, _ = _prove(observe)
    assert typo["cudnn_available"] is True
