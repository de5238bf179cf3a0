"""flake8-seeds: find randomness bugs in PyTorch and NumPy code."""
from __future__ import annotations

__version__ = "0.1.0"
