"""SEED002: RNG state shared by DataLoader workers, through real flake8."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from flake8.main.cli import main as flake8_main

from flake8_seeds.checker import SeedsChecker
from flake8_seeds.rules.seed002 import is_monai_random_transform
from tests.conftest import Lint

HEAD = """\
import random
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info
"""


def src(body: str) -> str:
    return HEAD + textwrap.dedent(body)


NAMED_FLAGGED = [
    ("rng in __init__", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()
     """, ["11:16: SEED002"]),
    ("RandomState, random.Random, torch.Generator", """
     class DS(Dataset):
         def __init__(self, seed):
             self.a = np.random.RandomState(seed)
             self.b = random.Random(seed)
             self.g = torch.Generator().manual_seed(seed)

         def __getitem__(self, i):
             return self.a.rand() + self.b.random() + torch.rand(1, generator=self.g)
     """, ["13:16: SEED002", "13:32: SEED002", "13:50: SEED002"]),
    ("drawn through a self.method() call", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(1)

         def augment(self, x):
             return x + self.rng.normal()

         def __getitem__(self, i):
             return self.augment(i)
     """, ["11:20: SEED002"]),
    ("passed to a helper", """
     def jitter(x, rng):
         return x + rng.random()


     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(1)

         def __getitem__(self, i):
             return jitter(i, self.rng)
     """, ["15:16: SEED002"]),
    ("made in a method __init__ calls", """
     class DS(Dataset):
         def __init__(self):
             self.setup()

         def setup(self):
             self.rng = np.random.Generator(np.random.PCG64(3))

         def __getitem__(self, i):
             return self.rng.integers(10)
     """, ["14:16: SEED002"]),
    ("class attribute", """
     class DS(IterableDataset):
         rng = np.random.default_rng(5)

         def __iter__(self):
             yield self.rng.random()
     """, ["10:15: SEED002"]),
    ("module-level RNG", """
     RNG = np.random.default_rng(0)


     class DS(Dataset):
         def __getitem__(self, i):
             return RNG.random()
     """, ["11:16: SEED002"]),
    ("base class in the file", """
     class Base(Dataset):
         def __init__(self):
             self.rng = random.Random(0)


     class Child(Base):
         def __getitem__(self, i):
             return self.rng.choice([1, 2])
     """, ["13:16: SEED002"]),
    ("base named *Dataset from elsewhere", """
     from mylib import ImageDataset


     class DS(ImageDataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()
     """, ["14:16: SEED002"]),
    ("DataLoader with workers", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()


     loader = DataLoader(DS(), num_workers=4)
     """, ["11:16: SEED002"]),
    ("seed_worker reseeds the globals, not the object", """
     def seed_worker(worker_id):
         np.random.seed(torch.initial_seed() % 2**32)


     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()


     ds = DS()
     loader = DataLoader(ds, num_workers=2, worker_init_fn=seed_worker)
     """, ["15:16: SEED002"]),
    ("annotated class attribute", """
     class DS(Dataset):
         rng: np.random.Generator = np.random.default_rng(5)

         def __getitem__(self, i):
             return self.rng.random()
     """, ["10:16: SEED002"]),
    ("a local worker_init_fn that does not reseed the object", """
     def init(worker_id):
         pass


     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()


     loader = DataLoader(DS(), num_workers=2, worker_init_fn=init)
     """, ["15:16: SEED002"]),
    ("map-style dataset that only logs the worker id", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             info = get_worker_info()
             return info.id if info else 0, self.rng.random()
     """, ["12:40: SEED002"]),
    ("epoch replay when one DataLoader does not keep its workers", """
     def init(worker_id):
         np.random.seed(worker_id)


     a = DataLoader([1], num_workers=2, worker_init_fn=init, persistent_workers=True)
     b = DataLoader([1], num_workers=2, worker_init_fn=init)
     """, ["7:5: SEED002"]),
    ("epoch-replaying worker_init_fn: get_state", """
     def worker_init_fn(worker_id):
         np.random.seed(np.random.get_state()[1][0] + worker_id)
     """, ["7:5: SEED002"]),
    ("epoch-replaying worker_init_fn: constant plus worker_id", """
     SEED = 1234


     def init(wid):
         random.seed(SEED + wid)
         torch.manual_seed(7)


     loader = DataLoader([1], num_workers=2, worker_init_fn=init)
     """, ["10:5: SEED002", "11:5: SEED002"]),
    ("epoch-replaying worker_init_fn: lambda and local variable", """
     def worker_init_fn(worker_id):
         base = np.random.get_state()[1][0]
         np.random.seed(int(base) + worker_id)


     loader = DataLoader([1], num_workers=2, worker_init_fn=lambda wid: np.random.seed(wid))
     """, ["8:5: SEED002", "11:68: SEED002"]),
    # -- v2: shapes v1 missed -------------------------------------------------------------
    ("tuple targets in __init__", """
     class DS(Dataset):
         def __init__(self, items):
             self.items, self.rng = items, np.random.default_rng(0)

         def __getitem__(self, i):
             return self.items[i] + self.rng.random()
     """, ["11:32: SEED002"]),
    ("an override in a subclass, reached from the base's __getitem__", """
     class Base(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.augment(i)

         def augment(self, i):
             return i


     class Child(Base):
         def augment(self, i):
             return i + self.rng.random()
     """, ["19:20: SEED002"]),
    ("drawn through a local alias", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             rng = self.rng
             return rng.random()
     """, ["12:16: SEED002"]),
    ("module-level RNG made in a top-level if", """
     if torch.cuda.is_available():
         RNG = np.random.default_rng(0)
     else:
         RNG = np.random.default_rng(1)


     class DS(Dataset):
         def __getitem__(self, i):
             return RNG.random()
     """, ["14:16: SEED002"]),
    ("module-level RNG made in a top-level try", """
     try:
         RNG = np.random.default_rng(0)
     except ImportError:
         RNG = None


     class DS(Dataset):
         def __getitem__(self, i):
             return RNG.random()
     """, ["14:16: SEED002"]),
    ("drawn through a lambda in __getitem__", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             noise = lambda: self.rng.normal()
             return i + noise()
     """, ["11:25: SEED002"]),
    ("worker_init_fn(_): get_state plus get_worker_info().id under a local name", """
     def worker_init_fn(_):
         info = get_worker_info()
         np.random.seed(np.random.get_state()[1][0] + info.id)
     """, ["8:5: SEED002"]),
    ("a Dataset's own worker_init_fn method, passed from another file", """
     class DS(Dataset):
         def __init__(self, seed):
             self.seed = seed

         def worker_init_fn(self, worker_id):
             np.random.seed(self.seed + worker_id)

         def __getitem__(self, i):
             return np.random.rand()
     """, ["11:9: SEED002"]),
    ("lambda calling an imported seeding helper with a config value", """
     from mypkg import utils


     def build(cfg, dataset):
         return DataLoader(dataset, num_workers=4, worker_init_fn=lambda _: utils.set_seed(cfg.seed))
     """, ["10:72: SEED002"]),
    ("functools.partial of a worker_init_fn that mixes rank, worker id and seed", """
     import functools


     def init_fn(worker_id, num_workers, rank, seed):
         worker_seed = num_workers * rank + worker_id + seed
         np.random.seed(worker_seed)
         random.seed(worker_seed)
         torch.manual_seed(worker_seed)


     def build(dataset, rank, seed):
         fn = functools.partial(init_fn, num_workers=4, rank=rank, seed=seed)
         return DataLoader(dataset, num_workers=4, worker_init_fn=fn)
     """, ["11:5: SEED002", "12:5: SEED002", "13:5: SEED002"]),
    ("self.method passed as worker_init_fn", """
     class Data:
         def __init__(self, cfg):
             self.cfg = cfg

         def seed_workers(self, worker_id):
             torch.manual_seed(self.cfg.SEED + worker_id)

         def loader(self, dataset):
             return DataLoader(dataset, num_workers=2, worker_init_fn=self.seed_workers)
     """, ["11:9: SEED002"]),
    ("an RNG object reseeded from the worker id", """
     def worker_init_fn(worker_id):
         get_worker_info().dataset.rng.seed(worker_id)
     """, ["7:5: SEED002"]),
    ("imgaug's seed with the get_state recipe", """
     import imgaug as ia


     def worker_init_fn(worker_id):
         ia.seed(np.random.get_state()[1][0] + worker_id)
     """, ["10:5: SEED002"]),
    ("a module constant read from the environment", """
     import os

     SEED = int(os.environ.get("SEED", "0"))


     def init(worker_id):
         random.seed(SEED + worker_id)


     loader = DataLoader([1], num_workers=2, worker_init_fn=init)
     """, ["12:5: SEED002"]),
    ("config lookups through getattr and .get on a loaded config", """
     CFG = load_config()


     def worker_init_fn(worker_id):
         random.seed(getattr(CFG, "seed", 0) + CFG.get("offset", 1) + worker_id)
     """, ["10:5: SEED002"]),
    ("MONAI random transform in a Compose, torch DataLoader with workers", """
     from monai.data import Dataset as MonaiDataset
     from monai.transforms import Compose, LoadImaged, RandFlipd

     train_tf = Compose([LoadImaged(keys="img"), RandFlipd(keys="img", prob=0.5)])


     def loader(files):
         ds = MonaiDataset(data=files, transform=train_tf)
         return DataLoader(ds, batch_size=2, num_workers=4)
     """, ["14:12: SEED002"]),
    ("MONAI CacheDataset, transform passed by position, workers from args", """
     import monai
     from monai.transforms import RandRotate90d


     def loader(args, files):
         ds = monai.data.CacheDataset(files, RandRotate90d(keys="img"))
         return DataLoader(ds, num_workers=args.workers, persistent_workers=True)
     """, ["12:12: SEED002"]),
    ("MONAI random transform given to a Dataset class of the file", """
     from monai.transforms import RandGaussianNoise


     class Images(Dataset):
         def __init__(self, files, transform):
             self.files, self.transform = files, transform

         def __getitem__(self, i):
             return self.transform(self.files[i])


     loader = DataLoader(Images([], RandGaussianNoise(prob=1.0)), num_workers=2)
     """, ["17:10: SEED002"]),
    ("MONAI OneOf built by a Dataset class of the file", """
     from monai.transforms import OneOf, Flip, Rotate90


     class Images(Dataset):
         def __init__(self, files):
             self.files = files
             self.augment = OneOf([Flip(0), Rotate90()])

         def __getitem__(self, i):
             return self.augment(self.files[i])


     def loader():
         return DataLoader(Images([]), num_workers=2)
     """, ["19:12: SEED002"]),
]

NAMED_ALLOWED = [
    ("global np.random: reseeded per worker since torch 1.9", """
     class DS(Dataset):
         def __getitem__(self, i):
             return np.random.rand() + random.random() + torch.rand(1).item()
     """),
    ("lazy per-worker RNG", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             if get_worker_info() is not None:
                 self.rng = np.random.default_rng(get_worker_info().seed)
             return self.rng.random()
     """),
    ("reseeded in worker code", """
     class DS(Dataset):
         def __init__(self):
             self.g = torch.Generator()

         def __iter__(self):
             self.g.manual_seed(get_worker_info().seed)
             yield torch.rand(1, generator=self.g)
     """),
    ("worker_init_fn re-creates the attribute on the dataset", """
     def worker_init_fn(worker_id):
         info = get_worker_info()
         info.dataset.rng = np.random.default_rng(info.seed)


     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()
     """),
    ("worker_init_fn reseeds through bit_generator.state", """
     def init_fn(worker_id):
         ds = get_worker_info().dataset
         ds.rng.bit_generator.state = np.random.PCG64(get_worker_info().seed).state


     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()
     """),
    ("worker_init_fn calls a dataset method that re-creates it", """
     def worker_init_fn(worker_id):
         info = get_worker_info()
         info.dataset.reseed(info.seed)


     class DS(Dataset):
         def __init__(self):
             self.reseed(0)

         def reseed(self, seed):
             self.rng = np.random.default_rng(seed)

         def __getitem__(self, i):
             return self.rng.random()
     """),
    ("every DataLoader of the class runs in one process", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()


     ds = DS()
     a = DataLoader(ds, batch_size=2)
     b = DataLoader(DS(), num_workers=0)
     """),
    ("RNG made per call in worker code", """
     class DS(Dataset):
         def __init__(self, seed):
             self.seed = seed
             self.epoch = 0

         def __getitem__(self, i):
             rng = np.random.default_rng((self.seed, self.epoch, i))
             return rng.random()
     """),
    ("not a Dataset", """
     class Sampler:
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()
     """),
    ("drawn only outside worker code", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)
             self.order = self.rng.permutation(10)

         def __len__(self):
             return len(self.order)

         def __getitem__(self, i):
             return self.order[i]
     """),
    ("module-level name shadowed by a local", """
     RNG = np.random.default_rng(0)


     class DS(Dataset):
         def __getitem__(self, i):
             RNG = np.random.default_rng(i)
             return RNG.random()
     """),
    ("worker_init_fn from the worker's seed", """
     def worker_init_fn(worker_id):
         np.random.seed(torch.initial_seed() % 2**32)
         random.seed(get_worker_info().seed + worker_id)


     loader = DataLoader([1], num_workers=2, worker_init_fn=worker_init_fn)
     """),
    ("worker-aware IterableDataset: one shared permutation, split by worker id", """
     class Stream(IterableDataset):
         def __init__(self, n, seed=0):
             self.n = n
             self.rng = np.random.default_rng(seed)

         def __iter__(self):
             info = get_worker_info()
             wid, nw = (info.id, info.num_workers) if info else (0, 1)
             yield from self.rng.permutation(self.n)[wid::nw].tolist()
     """),
    ("a worker_init_fn from another module may reseed it", """
     from mylib import seed_worker


     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()


     loader = DataLoader(DS(), num_workers=4, worker_init_fn=seed_worker)
     """),
    ("not a torch Dataset: keras and Hugging Face datasets", """
     import keras
     import datasets


     class Batches(keras.utils.PyDataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()


     class Wrapped(datasets.Dataset):
         rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()
     """),
    ("persistent workers continue the stream across epochs", """
     def worker_init_fn(worker_id):
         np.random.seed(1234 + worker_id)


     loader = DataLoader([1], num_workers=2, worker_init_fn=worker_init_fn, persistent_workers=True)
     other = DataLoader([1], num_workers=2, worker_init_fn=lambda w: random.seed(w), persistent_workers=True)
     """),
    ("reseeding from an unknown value", """
     def worker_init_fn(worker_id):
         np.random.seed(compute_seed(worker_id))
     """),
    # -- v2 near-misses ----------------------------------------------------------------------
    ("tuple targets in __init__: only a seed, the RNG made per item", """
     class DS(Dataset):
         def __init__(self, items):
             self.items, self.seed = items, 0

         def __getitem__(self, i):
             return self.items[i] + np.random.default_rng((self.seed, i)).random()
     """),
    ("an override in a subclass that makes its RNG per item", """
     class Base(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.augment(i)

         def augment(self, i):
             return i


     class Child(Base):
         def augment(self, i):
             return i + np.random.default_rng(i).random()
     """),
    ("a local alias of an attribute that is not an RNG", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)
             self.scale = 2.0

         def __getitem__(self, i):
             rng = self.scale
             return rng.conjugate()
     """),
    ("re-made per worker by a tuple assignment from a call", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             if self.fresh:
                 self.rng, self.fresh = make_worker_rng_and_flag()
             return self.rng.random()
     """),
    ("a local alias re-made per worker", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             rng = np.random.default_rng((get_worker_info().seed, i))
             return rng.random()
     """),
    ("module-level RNG made lazily per worker through global", """
     RNG = None


     def init_rng():
         global RNG
         if RNG is None:
             RNG = np.random.default_rng(get_worker_info().seed)


     class DS(Dataset):
         def __getitem__(self, i):
             init_rng()
             return RNG.random()
     """),
    ("module-level name that a top-level if binds to something unknown", """
     if torch.cuda.is_available():
         RNG = np.random.default_rng(0)
     else:
         RNG = make_rng()


     class DS(Dataset):
         def __getitem__(self, i):
             return RNG.random()
     """),
    ("lambda in __getitem__ drawing from the RNG it is given", """
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             noise = lambda rng: rng.normal()
             return i + noise(np.random.default_rng(i))
     """),
    ("worker_init_fn(_): reseeded from get_worker_info().seed under a local name", """
     def worker_init_fn(_):
         info = get_worker_info()
         np.random.seed(info.seed % 2**32)
     """),
    ("a Dataset's own worker_init_fn method that mixes in the epoch", """
     class DS(Dataset):
         def __init__(self, seed):
             self.seed = seed
             self.epoch = 0

         def worker_init_fn(self, worker_id):
             np.random.seed(self.seed + 1000 * self.epoch + worker_id)

         def __getitem__(self, i):
             return np.random.rand()
     """),
    ("a Dataset's own worker_init_fn method reading a seed that set_epoch changes", """
     class DS(Dataset):
         def __init__(self, seed):
             self.base = seed
             self.seed = seed

         def set_epoch(self, epoch):
             self.seed = self.base + epoch

         def worker_init_fn(self, worker_id):
             np.random.seed(self.seed + worker_id)

         def __getitem__(self, i):
             return np.random.rand()
     """),
    ("lambda calling a seeding helper with the worker's torch seed", """
     from mypkg import utils


     def build(cfg, dataset):
         return DataLoader(dataset, num_workers=4, worker_init_fn=lambda _: utils.set_seed(torch.initial_seed()))
     """),
    ("functools.partial of a worker_init_fn, workers kept across epochs", """
     import functools


     def init_fn(worker_id, num_workers, rank, seed):
         worker_seed = num_workers * rank + worker_id + seed
         np.random.seed(worker_seed)


     def build(dataset, rank, seed):
         fn = functools.partial(init_fn, num_workers=4, rank=rank, seed=seed)
         return DataLoader(dataset, num_workers=4, worker_init_fn=fn, persistent_workers=True)
     """),
    ("self.method passed as worker_init_fn, seeded from the worker's seed", """
     class Data:
         def __init__(self, cfg):
             self.cfg = cfg

         def seed_workers(self, worker_id):
             torch.manual_seed(self.cfg.SEED + get_worker_info().seed)

         def loader(self, dataset):
             return DataLoader(dataset, num_workers=2, worker_init_fn=self.seed_workers)
     """),
    ("an RNG object reseeded from the worker's seed", """
     def worker_init_fn(worker_id):
         get_worker_info().dataset.rng.seed(get_worker_info().seed)
     """),
    ("imgaug's seed from a draw of the reseeded global RNG", """
     import imgaug as ia


     def worker_init_fn(worker_id):
         ia.seed(np.random.randint(0, 2**31) + worker_id)
     """),
    ("a seed from the epoch loop", """
     def train(args, dataset):
         for epoch in range(args.epochs):
             loader = DataLoader(dataset, num_workers=2,
                                 worker_init_fn=lambda w: np.random.seed(args.seed + 100 * epoch + w))
     """),
    ("config lookup of the epoch", """
     CFG = load_config()


     def worker_init_fn(worker_id):
         random.seed(getattr(CFG, "seed", 0) + CFG.get("epoch", 1) + worker_id)
     """),
    ("seed() without a value draws from the OS", """
     def worker_init_fn(worker_id):
         random.seed()
         np.random.seed(None)
     """),
    ("MONAI random transforms through monai.data.DataLoader", """
     from monai.data import DataLoader as MonaiLoader, Dataset as MonaiDataset
     from monai.transforms import Compose, LoadImaged, RandFlipd

     train_tf = Compose([LoadImaged(keys="img"), RandFlipd(keys="img", prob=0.5)])


     def loader(files):
         ds = MonaiDataset(data=files, transform=train_tf)
         return MonaiLoader(ds, batch_size=2, num_workers=4)
     """),
    ("MONAI random transforms, torch DataLoader given MONAI's worker_init_fn", """
     import monai
     from monai.transforms import RandRotate90d


     def loader(args, files):
         ds = monai.data.CacheDataset(files, RandRotate90d(keys="img"))
         return DataLoader(ds, num_workers=args.workers, worker_init_fn=monai.data.utils.worker_init_fn)
     """),
    ("MONAI random transform, torch DataLoader in one process", """
     from monai.transforms import RandGaussianNoise


     class Images(Dataset):
         def __init__(self, files, transform):
             self.files, self.transform = files, transform

         def __getitem__(self, i):
             return self.transform(self.files[i])


     loader = DataLoader(Images([], RandGaussianNoise(prob=1.0)), num_workers=0)
     """),
    ("MONAI transforms without randomness", """
     from monai.transforms import Flip, Rotate90, Compose, RandIdentity


     class Images(Dataset):
         def __init__(self, files):
             self.files = files
             self.augment = Compose([Flip(0), Rotate90(), RandIdentity()])

         def __getitem__(self, i):
             return self.augment(self.files[i])


     def loader():
         return DataLoader(Images([]), num_workers=2)
     """),
]

# The tables test_rule_tables.py runs: full sources, with the names as test ids.
FLAGGED = [(src(source), expected) for _, source, expected in NAMED_FLAGGED]
FLAGGED_IDS = [name for name, _, _ in NAMED_FLAGGED]
ALLOWED = [src(source) for _, source in NAMED_ALLOWED]
ALLOWED_IDS = [name for name, _ in NAMED_ALLOWED]


def test_legacy_global_numpy_option(lint: Lint) -> None:
    source = src("""
     class DS(Dataset):
         def __getitem__(self, i):
             return np.random.rand()
     """)
    assert lint(source) == []
    assert lint(source, "--seeds-min-torch-version=1.9") == []
    assert lint(source, "--seeds-min-torch-version=1.8.1") == [
        "8:16: SEED002 DS calls numpy.random.rand in DataLoader worker code; torch < 1.9 gives every worker "
        "the same NumPy state; call numpy.random.seed(torch.initial_seed() % 2**32) in a worker_init_fn"
    ]


def test_messages(lint: Lint) -> None:
    source = src("""
     class DS(Dataset):
         def __init__(self):
             self.rng = np.random.default_rng(0)

         def __getitem__(self, i):
             return self.rng.random()


     def worker_init_fn(worker_id):
         np.random.seed(worker_id)
     """)
    assert lint(source) == [
        "11:16: SEED002 DS draws from self.rng (numpy.random.default_rng) in DataLoader worker code; each worker "
        "gets a copy with the same state, so workers repeat each other's numbers; reseed it per worker in a "
        "worker_init_fn from torch.utils.data.get_worker_info().seed",
        "15:5: SEED002 worker_init_fn reseeds numpy.random from a value that is the same every epoch, so every "
        "epoch replays the same random numbers; derive it from torch.initial_seed() or "
        "torch.utils.data.get_worker_info().seed",
    ]


def test_messages_v2(lint: Lint) -> None:
    source = src("""
     from monai.data import Dataset as MonaiDataset
     from monai.transforms import RandFlipd
     from mypkg import utils


     def loader(files, cfg):
         ds = MonaiDataset(files, transform=RandFlipd(keys="img"))
         return DataLoader(ds, num_workers=4, worker_init_fn=lambda _: utils.set_seed(cfg.seed))


     def worker_init_fn(worker_id):
         get_worker_info().dataset.rng.seed(worker_id)


     other = DataLoader(MonaiDataset([], RandFlipd(keys="img")), num_workers=2)
     """)
    assert lint(source) == [
        "13:67: SEED002 worker_init_fn reseeds every RNG through mypkg.utils.set_seed() from a value that is the "
        "same every epoch, so every epoch replays the same random numbers; derive it from torch.initial_seed() or "
        "torch.utils.data.get_worker_info().seed",
        "17:5: SEED002 worker_init_fn reseeds get_worker_info().dataset.rng from a value that is the same every "
        "epoch, so every epoch replays the same random numbers; derive it from torch.initial_seed() or "
        "torch.utils.data.get_worker_info().seed",
        "20:9: SEED002 torch.utils.data.DataLoader loads a dataset with MONAI random transform "
        "monai.transforms.RandFlipd (line 20) in worker processes; each worker gets a copy of its RandomState in "
        "the same state, so workers repeat each other's random transforms and each epoch repeats the last; use "
        "monai.data.DataLoader, which reseeds them per worker, or pass worker_init_fn=monai.data.utils.worker_init_fn",
    ]


def test_monai_random_transforms_are_the_randomizable_ones() -> None:
    """The names SEED002 treats as MONAI random transforms are exactly the installed MONAI's
    Randomizable transforms (each holds its own RandomState)."""
    transforms = pytest.importorskip("monai.transforms")
    randomizable = transforms.Randomizable
    mismatched = []
    for name in dir(transforms):
        value = getattr(transforms, name)
        if not isinstance(value, type) or name.startswith("Randomizable"):
            continue  # the base classes themselves are not transforms one builds
        holds_state = issubclass(value, randomizable) and value is not transforms.Compose
        if holds_state != is_monai_random_transform(f"monai.transforms.{name}"):
            mismatched.append(name)
    assert mismatched == []
    assert is_monai_random_transform("monai.transforms.spatial.dictionary.RandFlipd")
    assert not is_monai_random_transform("monai.data.RandFlipd")


# -- files built to break recursion --------------------------------------------------------------

def _flake8(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
            source: str) -> tuple[list[str], str]:
    """Lint a generated file through real flake8: (output lines without the file name, stderr)."""
    monkeypatch.chdir(tmp_path)
    Path("generated.py").write_text(source)
    capsys.readouterr()
    flake8_main(["--isolated", "--select=SEED002", "generated.py"])
    captured = capsys.readouterr()
    return [line.removeprefix("generated.py:") for line in captured.out.splitlines()], captured.err


def test_3000_class_chain_of_datasets(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The RNG is made by the root of a 3,000-class chain and drawn by the last class."""
    lines = ["import numpy as np", "from torch.utils.data import Dataset", "", "",
             "class C0(Dataset):", "    def __init__(self):", "        self.rng = np.random.default_rng(0)", ""]
    lines += [line for i in range(1, 2999) for line in ("", f"class C{i}(C{i - 1}):", "    pass", "")]
    lines += ["", "class C2999(C2998):", "    def __getitem__(self, i):", "        return self.rng.random()"]
    out, err = _flake8(tmp_path, capsys, monkeypatch, "\n".join(lines) + "\n")
    assert err == ""
    assert [" ".join(line.split(" ", 2)[:2]) for line in out] == [f"{len(lines)}:16: SEED002"]
    assert "C2999 draws from self.rng (numpy.random.default_rng)" in out[0]


def test_3000_class_chain_each_with_a_method(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every class of the chain adds a method nothing calls: still one report, at the root's draw."""
    lines = ["import numpy as np", "from torch.utils.data import Dataset", "", "",
             "class C0(Dataset):", "    def __init__(self):", "        self.rng = np.random.default_rng(0)", "",
             "    def __getitem__(self, i):", "        return self.rng.random()", ""]
    for i in range(1, 3000):
        lines += ["", f"class C{i}(C{i - 1}):", f"    def m{i}(self):", "        return 1", ""]
    out, err = _flake8(tmp_path, capsys, monkeypatch, "\n".join(lines) + "\n")
    assert err == ""
    assert [" ".join(line.split(" ", 2)[:2]) for line in out] == ["10:16: SEED002"]


def test_3000_method_chain_in_getitem(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """__getitem__ -> self.m0() -> ... -> self.m2999(), which draws."""
    lines = ["import numpy as np", "from torch.utils.data import Dataset", "", "",
             "class DS(Dataset):", "    def __init__(self):", "        self.rng = np.random.default_rng(0)", "",
             "    def __getitem__(self, i):", "        return self.m0(i)"]
    for i in range(3000):
        lines += ["", f"    def m{i}(self, i):", f"        return self.m{i + 1}(i)" if i < 2999 else
                  "        return self.rng.random()"]
    out, err = _flake8(tmp_path, capsys, monkeypatch, "\n".join(lines) + "\n")
    assert err == ""
    assert [" ".join(line.split(" ", 2)[:2]) for line in out] == [f"{len(lines)}:16: SEED002"]


def test_2000_term_seed_in_a_worker_init_fn(capsys: pytest.CaptureFixture[str]) -> None:
    """A seed built from 2,000 terms (pyflakes itself recurses too deep on it, so the checker runs alone)."""
    terms = " + ".join(["worker_id"] * 1000 + ["SEED"] * 1000)
    source = f"import numpy as np\nSEED = 1\n\n\ndef worker_init_fn(worker_id):\n    np.random.seed({terms})\n"
    found = [(line, col, message.split(" ", 1)[0]) for line, col, message, _ in SeedsChecker(ast.parse(source)).run()]
    assert capsys.readouterr().err == ""
    assert found == [(6, 4, "SEED002")]
