"""SEED003 at runtime: cuDNN benchmark mode versus benchmark off + deterministic algorithms.

On CUDA the GPU tests run each configuration in several fresh processes on the same seeded
weights and inputs and compare the bits of the outputs and gradients. Whether benchmark mode
actually picks different algorithms, or gives different bits, depends on the GPU, driver and
cuDNN version, so that test records what it saw instead of assuming it; the guarantee of the
fix (bitwise-identical results in every process) is asserted.
"""
from __future__ import annotations

import statistics

import pytest
import torch

from tests.runtime.helpers import Observe, Output, run_examples, seed_codes

BENCHMARK, DETERMINISTIC = "seed003_cudnn_benchmark.py", "seed003_deterministic.py"
LINT = {BENCHMARK: ["SEED003"], DETERMINISTIC: []}

requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                                   reason="needs a CUDA device with cuDNN; torch.cuda.is_available() is False")
# Big enough that cuDNN has several candidate algorithms per convolution.
GPU_SHAPE = ("--device", "cuda", "--batch", "32", "--channels", "64", "--size", "64", "--repeats", "3")
GPU_PROCESSES = 4


@pytest.mark.parametrize("name", sorted(LINT))
def test_lint(capsys: pytest.CaptureFixture[str], name: str) -> None:
    assert seed_codes(capsys, name) == LINT[name]


def _kernels(run: Output) -> tuple[str, ...] | str:
    """The kernel names a CUDA run reported, or the reason it could not (no profiler support)."""
    kernels = run["kernels"]
    return tuple(kernels) if isinstance(kernels, list) else str(kernels)


def _bits(run: Output) -> set[tuple[str, str]]:
    """The distinct (output digest, gradient digest) pairs of one process's repeated steps."""
    return set(zip(run["outputs"], run["grads"]))


def test_flags_change_nothing_on_cpu(observe: Observe) -> None:
    """Without cuDNN in the computation the flags are inert: both configurations give the same bits."""
    benchmark, deterministic = run_examples([(BENCHMARK, "--device", "cpu"), (DETERMINISTIC, "--device", "cpu")])
    observe(cudnn_available=benchmark["cudnn_available"], benchmark_bits=sorted(_bits(benchmark)),
            deterministic_bits=sorted(_bits(deterministic)))
    assert (benchmark["benchmark"], deterministic["benchmark"], deterministic["deterministic"]) == (True, False, True)
    assert len(_bits(benchmark)) == 1 and _bits(benchmark) == _bits(deterministic)


@pytest.mark.gpu
@requires_cuda
def test_deterministic_is_bitwise_identical_across_processes_cuda(observe: Observe) -> None:
    runs = run_examples([(DETERMINISTIC, *GPU_SHAPE)] * GPU_PROCESSES, parallel=1)
    bits = set().union(*(_bits(run) for run in runs))
    observe(device=runs[0]["device_name"], torch=runs[0]["torch"], cudnn=runs[0]["cudnn_version"],
            processes=len(runs), distinct_bits=len(bits), kernels=runs[0]["kernels"])
    assert all(run["cudnn_available"] and not run["benchmark"] and run["deterministic"] for run in runs)
    assert len(bits) == 1, f"{len(bits)} different results from {len(runs)} processes: {sorted(bits)}"


@pytest.mark.gpu
@requires_cuda
def test_benchmark_effects_cuda(observe: Observe) -> None:
    """Records what benchmark mode does on this GPU: algorithms chosen, bits, speed."""
    runs = run_examples([(BENCHMARK, *GPU_SHAPE)] * GPU_PROCESSES + [(DETERMINISTIC, *GPU_SHAPE)], parallel=1)
    benchmark, deterministic = runs[:-1], runs[-1]
    assert all(run["cudnn_available"] and run["benchmark"] for run in benchmark)

    bits_per_process = [_bits(run) for run in benchmark]
    all_bits = set().union(*bits_per_process)
    kernel_sets = {_kernels(run) for run in benchmark}
    observe(
        device=deterministic["device_name"], torch=deterministic["torch"], cudnn=deterministic["cudnn_version"],
        processes=len(benchmark),
        distinct_bits_across_processes=len(all_bits),
        processes_with_varying_repeats=sum(len(bits) > 1 for bits in bits_per_process),
        processes_differing_from_deterministic=sum(bits != _bits(deterministic) for bits in bits_per_process),
        distinct_kernel_sets=len(kernel_sets),
        kernels_differ_from_deterministic=any(kernels != _kernels(deterministic) for kernels in kernel_sets),
        benchmark_step_s=statistics.median(s for run in benchmark for s in run["step_seconds"][1:]),
        deterministic_step_s=statistics.median(deterministic["step_seconds"][1:]),
        benchmark_kernels=sorted(kernel_sets, key=str),
        deterministic_kernels=deterministic["kernels"],
    )
