"""SEED003, buggy: cuDNN benchmark mode lets cuDNN choose convolution algorithms by timing them.

The choice is made afresh in every process and can differ from run to run; different algorithms
round differently, so two runs of the same seeded program need not give the same bits. On a
machine without cuDNN (CPU only) the flag has no effect.

    python examples/seed003_cudnn_benchmark.py [--device cuda] [--batch 8] [--channels 16] [--size 32]

The last line of output is JSON: the cuDNN settings, a SHA-256 digest of the output and of the
gradients for each repeated training step, and (on CUDA) the names of the GPU kernels one step ran.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import time

import torch
from torch import nn


def build(channels: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, channels, 3, padding=1), nn.ReLU(),
        nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(),
        nn.Conv2d(channels, channels, 5, padding=2),
    )


def digest(tensor: torch.Tensor) -> str:
    return hashlib.sha256(tensor.detach().cpu().contiguous().numpy().tobytes()).hexdigest()


def step(model: nn.Module, batch: torch.Tensor) -> tuple[str, str]:
    """One forward and backward pass; digests of the output and of every gradient."""
    model.zero_grad(set_to_none=True)
    output = model(batch)
    output.square().mean().backward()
    grads = torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])
    return digest(output), digest(grads)


def kernel_names(model: nn.Module, batch: torch.Tensor) -> list[str] | str:
    """The CUDA kernels one step launches (they name the convolution algorithms cuDNN chose)."""
    from torch.profiler import ProfilerActivity, profile
    try:
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step(model, batch)
            torch.cuda.synchronize()
        return sorted({event.name for event in prof.events() if event.device_type == torch.autograd.DeviceType.CUDA})
    except Exception as error:  # no CUPTI: report it rather than fail the measurement
        return f"profiler unavailable: {type(error).__name__}: {error}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    torch.backends.cudnn.benchmark = True

    torch.manual_seed(0)  # same weights and inputs in every run: only the algorithms can differ
    device = torch.device(args.device)
    model = build(args.channels).to(device)
    batch = torch.randn(args.batch, 3, args.size, args.size).to(device)
    steps, seconds = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        steps.append(step(model, batch))
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "cudnn_available": torch.backends.cudnn.is_available(),
        "cudnn_version": torch.backends.cudnn.version(),
        "benchmark": torch.backends.cudnn.benchmark,
        "deterministic": torch.backends.cudnn.deterministic,
        "outputs": [output for output, _ in steps],
        "grads": [grads for _, grads in steps],
        "step_seconds": seconds,
        "kernels": kernel_names(model, batch) if device.type == "cuda" else None,
    }))


if __name__ == "__main__":
    main()
