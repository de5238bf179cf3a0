"""SEED002, fixed: the same MONAI transforms loaded by ``monai.data.DataLoader``.

``monai.data.DataLoader`` passes ``monai.data.utils.worker_init_fn``, which reseeds every random
transform of the worker's dataset copy (``set_rnd``) from that worker's own seed; PyTorch draws a
new base seed each epoch, so the workers pick different crops and no epoch repeats the last.

    python examples/seed002_monai_transforms_fixed.py [--workers 4] [--epochs 2]

The last line of output is JSON: for each epoch, one row per sample (index, worker id, value),
where the value is the position of the 1x1 random crop in a 256x256 image.
"""
from __future__ import annotations

import argparse
import json
from typing import Any

import torch
from monai.data import DataLoader, Dataset
from monai.transforms import Compose, Lambda, RandSpatialCropd
from monai.utils import set_determinism

SIDE = 256


def to_row(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample's index, the worker that loaded it, and where the crop landed."""
    info = torch.utils.data.get_worker_info()
    worker = info.id if info is not None else -1
    return {"index": sample["index"], "worker": worker, "value": float(sample["image"].flatten()[0])}


def collect(loader: DataLoader, epochs: int) -> list[list[dict[str, float]]]:
    """Every sample the loader yields, epoch by epoch."""
    result = []
    for _ in range(epochs):
        rows = []
        for batch in loader:
            for index, worker, value in zip(batch["index"].tolist(), batch["worker"].tolist(),
                                            batch["value"].tolist()):
                rows.append({"index": index, "worker": worker, "value": value})
        result.append(rows)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    set_determinism(seed=0)

    # Eight copies of one image whose pixel values are their positions (0 .. SIDE*SIDE-1).
    image = torch.arange(SIDE * SIDE, dtype=torch.float32).reshape(1, SIDE, SIDE)
    transform = Compose([RandSpatialCropd(keys="image", roi_size=(1, 1), random_size=False), Lambda(to_row)])
    dataset = Dataset(data=[{"index": index, "image": image} for index in range(8)], transform=transform)
    loader = DataLoader(dataset, batch_size=2, num_workers=args.workers)
    print(json.dumps({"workers": args.workers, "epochs": collect(loader, args.epochs)}))


if __name__ == "__main__":
    main()
