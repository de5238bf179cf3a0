"""Table test for program.py: what entry code reaches, and which processes a file starts."""
from __future__ import annotations

import ast

import pytest

from flake8_seeds.facts import FileFacts
from flake8_seeds.program import dataset_classes, worker_methods

# (source, names of the file's functions the main program runs)
REACHED = [
    ("def a():\n    pass\n\n\ndef b():\n    pass\n\n\na()\n", {"a"}),
    ("def a():\n    b()\n\n\ndef b():\n    pass\n\n\nif __name__ == '__main__':\n    a()\n", {"a", "b"}),
    # Calling a class reaches all its methods and its bases' in the file.
    ("class B:\n    def base(self):\n        pass\n\n\nclass C(B):\n    def __init__(self):\n        pass\n\n"
     "    def m(self):\n        pass\n\n\nC()\n", {"base", "__init__", "m"}),
    # self.m() inside a function reached by name (a method of a class that is never built is not).
    ("class C:\n    def m(self):\n        pass\n\n\ndef f():\n    pass\n", set()),
    # A function passed to a call is taken to be called; a nested function called by name.
    ("def init(m):\n    pass\n\n\ndef main():\n    def inner():\n        pass\n    inner()\n    model.apply(init)\n\n\n"
     "main()\n", {"main", "inner", "init"}),
    # A parameter that shadows a function's name is not the function.
    ("def a():\n    pass\n\n\ndef b(a):\n    a()\n\n\nb(1)\n", {"b"}),
    # Decorators and defaults run at import time.
    ("def deco(f):\n    return f\n\n\ndef d():\n    return 1\n\n\n@deco\ndef g(x=d()):\n    pass\n", {"deco", "d"}),
    # Mutual recursion ends.
    ("def p():\n    q()\n\n\ndef q():\n    p()\n\n\np()\n", {"p", "q"}),
    # A function started by torch.multiprocessing.spawn is not run by the main program.
    ("import torch.multiprocessing as mp\n\n\ndef work(i):\n    pass\n\n\nmp.spawn(work, nprocs=2)\n", set()),
]


def reached_names(source: str) -> set[str]:
    facts = FileFacts(ast.parse(source))
    main = facts.program.main
    return {f.name for f in facts.functions if id(f) in main.reached}


@pytest.mark.parametrize(("source", "expected"), REACHED)
def test_main_program_reaches(source: str, expected: set[str]) -> None:
    assert reached_names(source) == expected


SPAWN = "import multiprocessing as mp\nimport torch.multiprocessing as tmp\n\n\ndef work(i):\n    helper()\n\n\n" \
        "def helper():\n    pass\n\n\n"


@pytest.mark.parametrize(("start", "spawned"), [
    ("tmp.spawn(work, nprocs=2)", True),
    ("mp.get_context('spawn').Process(target=work).start()", True),
    ("ctx = mp.get_context('forkserver')\nctx.Process(target=work).start()", True),
    ("mp.set_start_method('spawn')\nmp.Process(target=work).start()", True),
    ("mp.Process(target=work).start()", False),  # the default start method forks: one program
    ("mp.get_context('fork').Process(target=work).start()", False),
    # Tasks of a pool or executor whose workers start afresh are entries of their own.
    ("with mp.get_context('spawn').Pool(2) as pool:\n    pool.map(work, range(2))", True),
    ("import concurrent.futures as cf\ncf.ProcessPoolExecutor(mp_context=mp.get_context('forkserver')).submit(work, 0)",
     True),
    ("mp.set_start_method('forkserver')\nmp.Pool(2).starmap(work, [(1,)])", True),
    ("mp.Pool(2).map(work, range(2))", False),  # forked workers: one program
    ("ctx = mp.get_context('fork')\nctx.Pool(2).apply_async(work, (1,))", False),
])
def test_spawned_entries(start: str, spawned: bool) -> None:
    facts = FileFacts(ast.parse(SPAWN + start + "\n"))
    entries = facts.program.entries
    functions = {f.name: f for f in facts.functions}
    assert (len(entries) == 2) == spawned
    if spawned:
        assert id(functions["helper"]) in entries[1].reached
        assert id(functions["work"]) not in entries[0].reached
    else:
        assert id(functions["helper"]) in entries[0].reached


def test_context_names_followed_without_recursion() -> None:
    chain = "c0 = mp.get_context('spawn')\n" + "".join(f"c{i + 1} = c{i}\n" for i in range(3000))
    facts = FileFacts(ast.parse(SPAWN + chain + "c3000.Process(target=work).start()\n"))
    assert facts.program.spawn_targets == []  # too many names away to tell: the default
    cycle = "b = mp.get_context('spawn')\nfor _ in range(2):\n    a = b\n    b = a\na.Process(target=work).start()\n"
    assert FileFacts(ast.parse(SPAWN + cycle)).program.spawn_targets == []  # a cycle ends, unknown: the default


def test_module_code_outside_the_main_block_runs_in_spawned_children() -> None:
    source = SPAWN.replace("def helper", "def setup():\n    pass\n\n\nsetup()\n\n\ndef helper") + \
        "if __name__ == '__main__':\n    tmp.spawn(work, nprocs=2)\n"
    facts = FileFacts(ast.parse(source))
    child = facts.program.entries[1]
    setup = next(f for f in facts.functions if f.name == "setup")
    assert id(setup) in child.reached
    call_in_main_block = facts.calls[-1]
    assert not facts.program.runs_in(child, call_in_main_block)


def test_dataset_classes_and_worker_methods() -> None:
    source = (
        "from torch.utils.data import Dataset\n\n\nclass Base(Dataset):\n    def helper(self):\n        pass\n\n\n"
        "class Mine(Base):\n    def __getitem__(self, i):\n        return self.helper()\n\n    def other(self):\n"
        "        pass\n\n\nclass NotOne:\n    def __getitem__(self, i):\n        pass\n"
    )
    facts = FileFacts(ast.parse(source))
    assert [c.name for c in dataset_classes(facts)] == ["Base", "Mine"]
    mine = next(c for c in facts.classes if c.name == "Mine")
    assert set(worker_methods(facts, mine)) == {"__getitem__", "helper"}
