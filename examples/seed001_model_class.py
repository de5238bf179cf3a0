"""SEED001, buggy: a training script whose model class is defined in the same file, torch never seeded.

``Net.__init__`` builds ``nn.Conv2d`` and ``nn.Linear`` layers, whose weights are drawn from the
global torch RNG. The data are fixed (built with ``torch.arange``), yet the trained weights differ
from run to run because the starting weights do.

    python examples/seed001_model_class.py [--steps 5]

The last line of output is JSON: the final loss and a SHA-256 digest of the trained weights.
"""
from __future__ import annotations

import argparse
import hashlib
import json

import torch
from torch import nn


class Net(nn.Module):
    """A small convolutional regressor."""

    def __init__(self, channels: int = 4) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, channels, kernel_size=3, padding=1)
        self.head = nn.Linear(channels * 8 * 8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.conv(x)).flatten(1))


def fixed_batch() -> tuple[torch.Tensor, torch.Tensor]:
    """Sixteen 8x8 images and targets, the same in every run: no random numbers involved."""
    images = (torch.arange(16 * 64, dtype=torch.float32) % 7 / 7).reshape(16, 1, 8, 8)
    targets = (torch.arange(16, dtype=torch.float32) / 16).reshape(16, 1)
    return images, targets


def weights_digest(model: nn.Module) -> str:
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    images, targets = fixed_batch()
    for _ in range(args.steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(images), targets)
        loss.backward()
        optimizer.step()
    print(json.dumps({"steps": args.steps, "loss": loss.item(), "digest": weights_digest(model)}))


if __name__ == "__main__":
    main()
