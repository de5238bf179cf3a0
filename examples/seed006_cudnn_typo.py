"""SEED006, buggy: misspelt cuDNN and cuBLAS settings.

The program means to make cuDNN deterministic and to turn TF32 off in cuDNN convolutions and in
cuBLAS matrix products (TF32 rounds float32 inputs to 10 mantissa bits on Ampere and newer GPUs).
Two names are misspelt: `torch.backends.cudnn` is a module object, so it takes any new attribute
without a word and the real settings keep their defaults; `torch.backends.cuda.matmul` checks the
name and raises AttributeError, caught here so the program can report it. No GPU is needed: the
settings are the same process-wide flags on a CPU-only build.

    python examples/seed006_cudnn_typo.py

The last line of output is JSON: each intended setting before and after, the misspelt attribute as
the module now holds it, and the error the cuBLAS assignment raised.
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
    torch.backends.cudnn.determinstic = True
    torch.backends.cudnn.allow_tf_32 = False
    try:
        torch.backends.cuda.matmul.allow_tf23 = False
        matmul_error = None
    except AttributeError as error:
        matmul_error = f"{type(error).__name__}: {error}"
    print(json.dumps({
        "torch": torch.__version__,
        "cudnn_available": torch.backends.cudnn.is_available(),
        "before": before,
        "after": settings(),
        "assigned": {
            "cudnn.determinstic": getattr(torch.backends.cudnn, "determinstic", None),
            "cudnn.allow_tf_32": getattr(torch.backends.cudnn, "allow_tf_32", None),
        },
        "matmul_error": matmul_error,
    }))


if __name__ == "__main__":
    main()
