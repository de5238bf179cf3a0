"""SEED002, process pools: forked tasks drawing from the global NumPy/torch RNGs, and RNG objects
handed to tasks, through real flake8.

(tests/test_rule_tables.py reads only tests/test_seed00N.py; this table has its own tests below.)
"""
from __future__ import annotations

import ast

import pytest

from flake8_seeds.facts import FileFacts
from flake8_seeds.rules import seed002_pools
from flake8_seeds.rules.base import Settings

from tests.conftest import Lint, codes

# A task that draws from the global NumPy RNG, and the pool call that runs it (line 9).
NUMPY_TASK = """\
import multiprocessing as mp
import numpy as np


def work(i):
    return np.random.rand()


def main():
    with {pool} as pool:
        return pool.map(work, range(8))
"""

FLAGGED: list[tuple[str, list[str]]] = [
    # The default start method on Linux (before Python 3.14) is fork.
    (NUMPY_TASK.format(pool="mp.Pool(4)"), ["6:12: SEED002"]),
    (NUMPY_TASK.format(pool="mp.get_context('fork').Pool()"), ["6:12: SEED002"]),
    (NUMPY_TASK.format(pool="mp.get_context().Pool(4)"), ["6:12: SEED002"]),
    # One worker, but recycled after every task: each task is forked afresh from the same parent.
    (NUMPY_TASK.format(pool="mp.Pool(1, maxtasksperchild=1)"), ["6:12: SEED002"]),
    # The initializer reseeds every worker with the same seed: still duplicated.
    ("import multiprocessing as mp\nimport numpy as np\nSEED = 0\n\n\ndef init():\n    np.random.seed(SEED)\n\n\n"
     "def work(i):\n    return np.random.normal(i)\n\n\n"
     "pool = mp.Pool(4, initializer=init)\nresults = pool.map(work, range(8))\n", ["11:12: SEED002"]),
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef init(seed):\n    np.random.seed(seed)\n\n\n"
     "def work(i):\n    return np.random.rand()\n\n\n"
     "pool = mp.Pool(4, initializer=init, initargs=(0,))\npool.map(work, range(8))\n", ["10:12: SEED002"]),
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef work(i):\n    return np.random.rand()\n\n\n"
     "pool = mp.Pool(4, initializer=np.random.seed, initargs=(0,))\npool.map(work, range(8))\n", ["6:12: SEED002"]),
    # torch, from multiprocessing's Pool imported by name; an explicit fork start method.
    ("from multiprocessing import Pool, set_start_method\nimport torch\n\n\ndef work(x):\n"
     "    noise = torch.randn(3)\n    return x + noise\n\n\nset_start_method('fork')\n"
     "p = Pool()\nout = p.imap_unordered(work, [1, 2, 3])\n", ["6:13: SEED002"]),
    # Both families in one task: one finding each, at the first draw.
    ("import multiprocessing as mp\nimport numpy as np\nimport torch\n\n\ndef work(i):\n"
     "    a = np.random.rand()\n    b = torch.rand(1)\n    c = np.random.rand()\n    return a, b, c\n\n\n"
     "with mp.Pool(4) as pool:\n    pool.map(work, range(8))\n", ["7:9: SEED002", "8:9: SEED002"]),
    # ProcessPoolExecutor on the default context, tasks submitted in a loop.
    ("from concurrent.futures import ProcessPoolExecutor\nimport numpy as np\n\n\ndef work(i):\n"
     "    return np.random.randint(10)\n\n\nwith ProcessPoolExecutor(max_workers=4) as ex:\n"
     "    futures = [ex.submit(work, i) for i in range(8)]\n", ["6:12: SEED002"]),
    ("import concurrent.futures as cf\nimport multiprocessing as mp\nimport numpy as np\n\n\ndef work(i):\n"
     "    return np.random.rand()\n\n\nctx = mp.get_context('fork')\n"
     "with cf.ProcessPoolExecutor(4, mp_context=ctx) as ex:\n    list(ex.map(work, range(8)))\n",
     ["7:12: SEED002"]),
    # The draw sits in a helper the task calls: reported there.
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef augment(x):\n    return x + np.random.normal()\n\n\n"
     "def work(x):\n    return augment(x)\n\n\nwith mp.Pool(4) as pool:\n    pool.map(work, range(8))\n",
     ["6:16: SEED002"]),
    # functools.partial binds the seed in the parent: every task reseeds to the same state.
    ("import functools\nimport multiprocessing as mp\nimport numpy as np\n\n\ndef work(seed, i):\n"
     "    np.random.seed(seed)\n    return np.random.rand()\n\n\n"
     "with mp.Pool(4) as pool:\n    pool.map(functools.partial(work, 0), range(8))\n", ["8:12: SEED002"]),
    # Process(target=...) started several times under fork.
    ("import multiprocessing as mp\nimport torch\n\n\ndef work(q):\n    q.put(torch.rand(1))\n\n\n"
     "q = mp.Queue()\nprocs = [mp.Process(target=work, args=(q,)) for _ in range(4)]\n", ["6:11: SEED002"]),
    ("from multiprocessing import Process\nimport numpy as np\n\n\ndef work():\n    print(np.random.rand())\n\n\n"
     "for _ in range(4):\n    Process(target=work).start()\n", ["6:11: SEED002"]),
    # torch.nn.init and in-place draws count as torch draws.
    ("import multiprocessing as mp\nimport torch\n\n\ndef work(w):\n    return w.normal_()\n\n\n"
     "with mp.Pool(2) as pool:\n    pool.apply_async(work, (torch.empty(3),))\n", ["6:12: SEED002"]),

    # -- RNG objects handed to tasks, under any start method --
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    return rng.random()\n\n\n"
     "rng = np.random.default_rng(0)\nwith mp.Pool(4) as pool:\n    pool.map(work, [rng] * 4)\n",
     ["11:5: SEED002"]),
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    return rng.random()\n\n\n"
     "rng = np.random.default_rng(0)\nwith mp.get_context('spawn').Pool(4) as pool:\n    pool.map(work, [rng] * 4)\n",
     ["11:5: SEED002"]),
    ("import itertools\nimport multiprocessing as mp\nimport random\n\n\ndef work(x, rng):\n"
     "    return x + rng.random()\n\n\nrng = random.Random(0)\nwith mp.get_context('forkserver').Pool() as pool:\n"
     "    pool.starmap(work, zip(range(8), itertools.repeat(rng)))\n", ["12:5: SEED002"]),
    ("from concurrent.futures import ProcessPoolExecutor\nimport numpy as np\n\n\ndef work(rng, i):\n"
     "    return rng.random()\n\n\nrng = np.random.RandomState(0)\nwith ProcessPoolExecutor() as ex:\n"
     "    for i in range(8):\n        ex.submit(work, rng, i)\n", ["12:9: SEED002"]),
    ("import multiprocessing as mp\nimport torch\n\n\ndef work(g):\n    return torch.rand(1, generator=g)\n\n\n"
     "g = torch.Generator().manual_seed(0)\nprocs = [mp.Process(target=work, args=(g,)) for _ in range(4)]\n",
     ["10:10: SEED002"]),
    ("import functools\nimport multiprocessing as mp\nimport numpy as np\n\n\ndef work(x, rng):\n"
     "    return x + rng.random()\n\n\nwith mp.Pool(4) as pool:\n"
     "    pool.map(functools.partial(work, rng=np.random.default_rng(0)), range(8))\n", ["11:5: SEED002"]),
    ("import torch.multiprocessing as mp\nimport numpy as np\n\n\ndef work(rank, rng):\n    print(rng.random())\n\n\n"
     "rng = np.random.default_rng(0)\nmp.spawn(work, args=(rng,), nprocs=4)\n", ["10:1: SEED002"]),
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef work(job):\n    i, rng = job\n"
     "    return rng.random()\n\n\n"
     "jobs = [(i, np.random.default_rng(0)) for i in range(4)]\nwith mp.Pool(4) as pool:\n    pool.map(work, jobs)\n",
     ["12:5: SEED002"]),
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    return rng.random()\n\n\n"
     "def run(rng: np.random.Generator):\n    pool = mp.Pool(4)\n"
     "    return [pool.apply_async(work, (rng,)) for _ in range(4)]\n", ["11:13: SEED002"]),
    # The same object handed to two processes.
    ("import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    print(rng.random())\n\n\n"
     "rng = np.random.default_rng(0)\na = mp.Process(target=work, args=(rng,))\n"
     "b = mp.Process(target=work, args=(rng,))\n",
     ["11:5: SEED002"]),
]

ALLOWED: list[str] = [
    # spawn and forkserver start each child from fresh entropy (SEED001's business).
    NUMPY_TASK.format(pool="mp.get_context('spawn').Pool(4)"),
    NUMPY_TASK.format(pool="mp.get_context('forkserver').Pool(4)"),
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(i):\n    return np.random.rand()\n\n\n"
    "mp.set_start_method('spawn')\nwith mp.Pool(4) as pool:\n    pool.map(work, range(8))\n",
    # A start method the file does not show.
    "import multiprocessing as mp\nimport sys\nimport numpy as np\n\n\ndef work(i):\n    return np.random.rand()\n\n\n"
    "with mp.get_context(sys.argv[1]).Pool(4) as pool:\n    pool.map(work, range(8))\n",
    # One long-lived worker: the tasks continue one stream.
    NUMPY_TASK.format(pool="mp.Pool(1)"),
    # CPython reseeds `random` in a forked child.
    "import multiprocessing as mp\nimport random\n\n\ndef work(i):\n    return random.random()\n\n\n"
    "with mp.Pool(4) as pool:\n    pool.map(work, range(8))\n",
    # Reseeded per process in the initializer, from the pid or fresh entropy.
    "import multiprocessing as mp\nimport os\nimport numpy as np\nSEED = 0\n\n\ndef init():\n"
    "    np.random.seed((SEED + os.getpid()) % 2**32)\n\n\n"
    "def work(i):\n    return np.random.normal(i)\n\n\npool = mp.Pool(4, initializer=init)\n"
    "results = pool.map(work, range(8))\n",
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(i):\n    return np.random.rand()\n\n\n"
    "pool = mp.Pool(4, initializer=np.random.seed)\npool.map(work, range(8))\n",
    # Initializer from elsewhere: it may reseed.
    "import multiprocessing as mp\nimport numpy as np\nfrom utils import init_worker\n\n\ndef work(i):\n"
    "    return np.random.rand()\n\n\npool = mp.Pool(4, initializer=init_worker)\npool.map(work, range(8))\n",
    # Reseeded in each task from a value passed per task (a SeedSequence child, or a seed).
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(job):\n    i, child = job\n"
    "    np.random.seed(child.generate_state(1)[0])\n    return np.random.rand()\n\n\n"
    "children = np.random.SeedSequence(0).spawn(8)\nwith mp.Pool(4) as pool:\n"
    "    pool.map(work, list(enumerate(children)))\n",
    "import functools\nimport multiprocessing as mp\nimport numpy as np\n\n\ndef work(scale, seed):\n"
    "    np.random.seed(seed)\n    return scale * np.random.rand()\n\n\n"
    "with mp.Pool(4) as pool:\n    pool.map(functools.partial(work, 2.0), range(8))\n",
    "from multiprocessing import Pool\nimport torch\n\n\ndef work(seed):\n    torch.manual_seed(seed)\n"
    "    return torch.randn(3)\n\n\np = Pool()\nout = p.map(work, [1, 2, 3])\n",
    # torch.seed() draws a fresh seed from the OS in each process.
    "import multiprocessing as mp\nimport torch\n\n\ndef work(i):\n    torch.seed()\n    return torch.rand(1)\n\n\n"
    "with mp.Pool(4) as pool:\n    pool.map(work, range(8))\n",
    # torch draws from a generator of their own.
    "import multiprocessing as mp\nimport torch\n\n\ndef work(seed):\n    g = torch.Generator().manual_seed(seed)\n"
    "    return torch.rand(1, generator=g)\n\n\nwith mp.Pool(4) as pool:\n    pool.map(work, range(8))\n",
    # ProcessPoolExecutor under forkserver.
    "from concurrent.futures import ProcessPoolExecutor\nimport multiprocessing as mp\nimport numpy as np\n\n\n"
    "def work(i):\n    return np.random.rand()\n\n\n"
    "with ProcessPoolExecutor(4, mp_context=mp.get_context('forkserver')) as ex:\n    ex.submit(work, 1)\n",
    # Threads share one state: no copies.
    "from concurrent.futures import ThreadPoolExecutor\nimport numpy as np\n\n\ndef work(rng, i):\n"
    "    return rng.random()\n\n\nrng = np.random.RandomState(0)\nwith ThreadPoolExecutor() as ex:\n"
    "    for i in range(8):\n        ex.submit(work, rng, i)\n",
    "from multiprocessing.pool import ThreadPool\nimport numpy as np\n\n\ndef work(i):\n    return np.random.rand()\n"
    "\n\n"
    "with ThreadPool(4) as pool:\n    pool.map(work, range(8))\n",
    "import multiprocessing.dummy as mpd\nimport numpy as np\n\n\ndef work(i):\n    return np.random.rand()\n\n\n"
    "with mpd.Pool(4) as pool:\n    pool.map(work, range(8))\n",
    # A seed each worker takes from a queue; a seeding helper given a per-task value.
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef init(seeds):\n    np.random.seed(seeds.get())\n\n\n"
    "def work(i):\n    return np.random.rand()\n\n\nq = mp.Queue()\n"
    "with mp.Pool(4, initializer=init, initargs=(q,)) as pool:\n    pool.map(work, range(8))\n",
    "import multiprocessing as mp\nimport torch\nfrom monai.utils import set_determinism\n\n\ndef work(seed):\n"
    "    set_determinism(seed=seed)\n    return torch.rand(1)\n\n\nwith mp.Pool(4) as pool:\n"
    "    pool.map(work, range(8))\n",
    # A start method set from a value the file does not show.
    "import multiprocessing as mp\nimport sys\nimport numpy as np\n\n\ndef work(i):\n    return np.random.rand()\n\n\n"
    "mp.set_start_method(sys.argv[1])\nwith mp.Pool(4) as pool:\n    pool.map(work, range(8))\n",
    # One process started once.
    "from multiprocessing import Process\nimport numpy as np\n\n\ndef work():\n    print(np.random.rand())\n\n\n"
    "Process(target=work).start()\n",
    # One RNG per task: SeedSequence children, spawned generators, seeds from the loop.
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(child):\n"
    "    return np.random.default_rng(child).random()\n\n\n"
    "with mp.Pool(4) as pool:\n    pool.map(work, np.random.SeedSequence(0).spawn(4))\n",
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    return rng.random()\n\n\n"
    "rng = np.random.default_rng(0)\nwith mp.Pool(4) as pool:\n    pool.map(work, rng.spawn(4))\n",
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(job):\n    i, rng = job\n"
    "    return rng.random()\n\n\n"
    "jobs = [(i, np.random.default_rng(i)) for i in range(4)]\nwith mp.Pool(4) as pool:\n    pool.map(work, jobs)\n",
    "from concurrent.futures import ProcessPoolExecutor\nimport numpy as np\n\n\ndef work(rng, i):\n"
    "    return rng.random()\n\n\nwith ProcessPoolExecutor() as ex:\n    for i in range(8):\n"
    "        rng = np.random.RandomState(i)\n        ex.submit(work, rng, i)\n",
    "import multiprocessing as mp\nimport torch\n\n\ndef work(g):\n    return torch.rand(1, generator=g)\n\n\n"
    "procs = [mp.Process(target=work, args=(torch.Generator().manual_seed(i),)) for i in range(4)]\n",
    # partial binds something that is not an RNG.
    "import functools\nimport multiprocessing as mp\nimport numpy as np\n\n\ndef work(x, scale):\n"
    "    return x * scale\n\n\nwith mp.Pool(4) as pool:\n    pool.map(functools.partial(work, scale=2), range(8))\n",
    # mp.spawn runs one process unless nprocs says otherwise.
    "import torch.multiprocessing as mp\nimport numpy as np\n\n\ndef work(rank, rng):\n    print(rng.random())\n\n\n"
    "rng = np.random.default_rng(0)\nmp.spawn(work, args=(rng,))\n",
    # One RNG handed to a single process; an RNG passed to one task.
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    print(rng.random())\n\n\n"
    "rng = np.random.default_rng(0)\nmp.Process(target=work, args=(rng,)).start()\n",
    "import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    return rng.random()\n\n\n"
    "rng = np.random.default_rng(0)\nwith mp.Pool(4) as pool:\n    pool.apply(work, (rng,))\n",
    # A pool the file cannot see (a parameter): unknown kind and start method.
    "import numpy as np\n\n\ndef work(rng):\n    return np.random.rand()\n\n\ndef run(pool):\n"
    "    rng = np.random.default_rng(0)\n    return pool.map(work, [rng] * 4)\n",
]


@pytest.mark.parametrize(("source", "expected"), FLAGGED)
def test_flagged(lint: Lint, source: str, expected: list[str]) -> None:
    assert codes(lint(source, "--select=SEED002")) == expected


@pytest.mark.parametrize("source", ALLOWED)
def test_allowed(lint: Lint, source: str) -> None:
    assert lint(source, "--select=SEED002") == []


def test_message_for_a_forked_task(lint: Lint) -> None:
    source = ("import multiprocessing as mp\nimport numpy as np\n\n\ndef augment(x):\n"
              "    return x + np.random.normal()\n"
              "\n\ndef work(x):\n    return augment(x)\n\n\nwith mp.Pool(4) as pool:\n    pool.map(work, range(8))\n")
    assert lint(source, "--select=SEED002") == [
        "6:16: SEED002 numpy.random.normal in work() (reached through augment() at line 10) runs in the forked "
        "workers of pool.map() at line 14: each starts with a copy of the numpy.random global RNG's state, so they "
        "repeat each other's numbers; reseed it in each task with numpy.random.seed(...) from its own child of "
        "numpy.random.SeedSequence(seed).spawn(n), or per process in the pool's initializer="
    ]


def test_message_names_a_reseed_that_is_the_same_everywhere(lint: Lint) -> None:
    source = ("import multiprocessing as mp\nimport torch\n\n\ndef init():\n    torch.manual_seed(0)\n\n\n"
              "def work(i):\n    return torch.rand(1)\n\n\nmp.Pool(4, initializer=init).map(work, range(8))\n")
    (line,) = lint(source, "--select=SEED002")
    assert line.startswith("10:12: SEED002 torch.rand in work() runs in the forked workers of "
                           "mp.Pool(...).map() at line 13")
    assert "(torch.manual_seed() at line 6 reseeds it with the same value in every process)" in line


def test_message_for_processes(lint: Lint) -> None:
    source = ("from multiprocessing import Process\nimport numpy as np\n\n\ndef work():\n    print(np.random.rand())\n"
              "\n\nfor _ in range(4):\n    Process(target=work).start()\n")
    assert lint(source, "--select=SEED002") == [
        "6:11: SEED002 numpy.random.rand in work() runs in the processes Process() at line 10 forks: each starts "
        "with a copy of the numpy.random global RNG's state, so they repeat each other's numbers; reseed it at the "
        "start of work() with numpy.random.seed(...) from a value each process gets its own of (a child of "
        "numpy.random.SeedSequence(seed).spawn(n))"
    ]


def test_message_for_an_rng_object(lint: Lint) -> None:
    source = ("import multiprocessing as mp\nimport random\nimport numpy as np\n\n\ndef work(job):\n    return job\n"
              "\n\n"
              "rng = np.random.default_rng(0)\nr = random.Random(1)\nwith mp.Pool(4) as pool:\n"
              "    pool.map(work, [(i, rng, r) for i in range(4)])\n")
    assert lint(source, "--select=SEED002") == [
        "13:5: SEED002 rng (numpy.random.default_rng) and r (random.Random) are handed to every task by pool.map(): "
        "each task gets a copy with the same state, so the tasks draw the same numbers; give each task its own "
        "seed instead: one child of numpy.random.SeedSequence(seed).spawn(n) per task, and build the RNG inside "
        "the task from it"
    ]


def test_message_for_one_rng_given_to_two_processes(lint: Lint) -> None:
    source = ("import multiprocessing as mp\nimport numpy as np\n\n\ndef work(rng):\n    print(rng.random())\n\n\n"
              "rng = np.random.default_rng(0)\na = mp.Process(target=work, args=(rng,))\n"
              "b = mp.Process(target=work, args=(rng,))\n")
    (line,) = lint(source, "--select=SEED002")
    assert line.startswith("11:5: SEED002 rng (numpy.random.default_rng) is handed to both mp.Process() at line 10 "
                           "and mp.Process() here: each task gets a copy with the same state")


def test_seeding_helpers_named_by_the_user_count(lint: Lint) -> None:
    source = ("import multiprocessing as mp\nimport numpy as np\nfrom mylib import reset_rngs\n\n\ndef work(i):\n"
              "    reset_rngs(i)\n    return np.random.rand()\n\n\nwith mp.Pool(4) as pool:\n"
              "    pool.map(work, range(8))\n")
    assert codes(lint(source, "--select=SEED002")) == ["8:12: SEED002"]
    assert lint(source, "--select=SEED002", "--seeds-helpers=reset_rngs") == []


def test_deep_files_do_not_crash() -> None:
    """A 3,000-function call chain from a task, a 3,000-class chain, a 2,000-term seed and list.

    Run on the tree directly: pyflakes, which flake8 runs too, recurses on the long expression."""
    depth = 3000
    chain = "".join(f"def f{i}(x):\n    return f{i + 1}(x)\n\n\n" for i in range(depth))
    classes = "class C0:\n    pass\n\n\n" + "".join(f"class C{i + 1}(C{i}):\n    pass\n\n\n" for i in range(depth))
    source = (
        "import multiprocessing as mp\nimport numpy as np\nS = 1\nrng = np.random.default_rng(0)\n\n\n" + chain
        + classes + f"def f{depth}(x):\n    np.random.seed(" + " + ".join(["S"] * 2000) + ")\n"
        f"    return C{depth}(), np.random.rand()\n\n\n"
        "with mp.Pool(4) as pool:\n    pool.map(f0, range(8))\n"
        "    pool.map(f0, [" + ", ".join(["rng"] * 2000) + "] * 2)\n"
    )
    found = [(line, message.split(" ", 1)[0]) for line, _, message in
             seed002_pools.check(FileFacts(ast.parse(source)), Settings())]
    # The draw is reseeded with a value too large to judge: silent. The repeated RNG is found.
    assert found == [(source.count("\n"), "SEED002")]
