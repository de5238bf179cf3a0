"""SEED006, fixed: the same settings, spelt as PyTorch defines them.

`torch.backends.cudnn.deterministic`, `torch.backends.cudnn.allow_tf32` and
`torch.backends.cuda.matmul.allow_tf32` are process-wide flags; assigning them changes what every
later cuDNN convolution and cuBLAS matrix product may do. No GPU is needed to read them back.

    python examples/seed006_cudnn_flags.py

The last line of output is JSON: each intended setting before and after, and the error the cuBLAS
assignment raised (none).
"""
from __future__ import annotations

import json

import torch


def settings() -> dict[str, object]:
    return {
        "cudnn.deterministic": torch.backends.cudnn.deterministic,
        "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32,
        "cuda.matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32,
    }


def main() -> None:
    before = settings()
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.allow_tf32 = False
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        matmul_error = None
    except AttributeError as error:
        matmul_error = f"{type(error).__name__}: {error}"
    print(json.dumps({
        "torch": torch.__version__,
        "cudnn_available": torch.backends.cudnn.is_available(),
        "before": before,
        "after": settings(),
        "assigned": {},
        "matmul_error": matmul_error,
    }))


if __name__ == "__main__":
    main()
