"""SEED002: RNG state shared by DataLoader workers, through real flake8."""
from __future__ import annotations

import textwrap

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
