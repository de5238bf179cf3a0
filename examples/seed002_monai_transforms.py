"""SEED002, buggy: MONAI random transforms loaded by torch's DataLoader with worker processes.

Every MONAI ``Rand*`` transform keeps its own ``numpy.random.RandomState``. Each DataLoader worker
gets a copy of the transforms in the same state, and ``torch.utils.data.DataLoader`` reseeds only
the global RNGs in a worker, not these: the workers pick the same random crops, and each epoch
(fresh workers, same parent state) picks the crops of the epoch before. The program is seeded
(``monai.utils.set_determinism``): seeding the main process does not help.

    python examples/seed002_monai_transforms.py [--workers 4] [--epochs 2]

The last line of output is JSON: for each epoch, one row per sample (index, worker id, value),
where the value is the position of the 1x1 random crop in a 256x256 image.
"""
from __future__ import annotations

import argparse
import json
from typing import Any

import torch
from monai.data import Dataset
from monai.transforms import Compose, Lambda, RandSpatialCropd
from monai.utils import set_determinism
from torch.utils.data import DataLoader

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
