"""SEED007: every DDP rank seeds torch alike, so DataLoader workers draw alike on every rank.

A DataLoader draws its workers' base seed from the torch global RNG when it is iterated
(``_BaseDataLoaderIter.__init__``: ``torch.empty((), dtype=torch.int64).random_(generator=loader.generator)``);
worker ``k`` is seeded ``base_seed + k``.  When every rank of a distributed program calls
``torch.manual_seed`` with the same value, worker ``k`` of every rank gets the same seed and
draws the same augmentations for different samples.

Judged per process the file starts (``program.entries``): the seeding call, the process group
(or the DDP wrapper) and the DataLoader must all run in that process.  A value depends on the
rank when some part of it names the rank (``rank``, ``local_rank``, ``get_rank()``,
``process_index``, ``os.environ["RANK"]``), is the rank parameter of a spawned function, or is a
local variable, attribute or local function result that does; a seed passed into a function of
the file is judged where that function is called.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from functools import cached_property

from flake8_seeds.facts import FileFacts, argument, has_unpacking, is_none, position
from flake8_seeds.names import dotted_name, source_text
from flake8_seeds.program import SPAWNERS, Entry, Program
from flake8_seeds.rules.base import Finding, Rule, Settings, finding
from flake8_seeds.vocab import NAMED_HELPERS, names_a_seeder
from flake8_seeds.scopes import ASSIGN, CLASS, DEF, IMPORT, PARAM, STAR, Binding, start
from flake8_seeds.values import bound_values, mentions

CODE = "SEED007"

# What makes a program run as several ranks.
PROCESS_GROUP = ("torch.distributed.init_process_group", "torch.distributed.distributed_c10d.init_process_group")
DDP = ("torch.nn.parallel.DistributedDataParallel", "torch.nn.parallel.distributed.DistributedDataParallel",
       "torch.distributed.fsdp.FullyShardedDataParallel",
       "torch.distributed.fsdp.fully_sharded_data_parallel.FullyShardedDataParallel",
       "torch.distributed.fsdp.fully_shard")
TORCH_SEEDERS = frozenset({"torch.manual_seed"})  # torch.random.manual_seed is folded onto it
# DataLoaders whose workers take their base seed from the loader's generator, else the torch
# global RNG, with the positions of the parameters read here (absent: keyword only).
DATALOADERS: dict[str, dict[str, int]] = {
    "torch.utils.data.DataLoader": {"num_workers": 5, "worker_init_fn": 10, "generator": 12},
    # monai 1.6.1: its default worker_init_fn reseeds MONAI transforms from get_worker_info().seed,
    # base seed + worker id, which is as alike across ranks as the base seed.
    "monai.data.DataLoader": {"num_workers": 1},
    "torch_geometric.loader.DataLoader": {},
    "torch_geometric.data.DataLoader": {},
}
# Lightning: seed_everything(seed, workers=True) makes Trainer / Fabric add pl_worker_init_function,
# which mixes the global rank into every worker's seeds (lightning 2.6.6, fabric/utilities/seed.py
# and fabric/utilities/data.py::_auto_add_worker_init_fn).  Only loaders that go through Trainer or
# Fabric get it, and only when they have no worker_init_fn; DESIGN.md keeps the rule silent on it.
LIGHTNING_SEEDERS = frozenset({
    "lightning.pytorch.seed_everything", "lightning_fabric.seed_everything",
    "lightning_fabric.utilities.seed.seed_everything", "lightning_fabric.utilities.seed_everything",
})
# accelerate: set_seed(seed, device_specific=True) adds AcceleratorState().process_index
# (accelerate 1.15.0, utils/random.py).
ACCELERATE_SEEDERS = frozenset({"accelerate.utils.set_seed", "accelerate.utils.random.set_seed"})
# Seeding helpers whose names lack "seed", with the parameter that carries the seed.
# Packages whose *seed* functions do not seed torch.
NOT_TORCH_SEEDERS = frozenset({
    "numpy", "random", "tensorflow", "jax", "paddle", "mxnet", "cupy", "imgaug", "gym", "gymnasium", "sklearn",
})
# Values that differ from process to process anyway: not "the same seed on every rank".
PER_PROCESS = frozenset({
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
    "os.urandom", "os.getpid", "torch.seed", "random.SystemRandom",
})
PER_PROCESS_MODULES = ("time.", "secrets.", "uuid.")
PARTIAL = frozenset({"functools.partial"})

# How many assignments, returns and calls deep a value is followed.
MAX_HOPS = 8

_names_the_rank = mentions("rank", "process_index", "slurm_procid", "slurm_localid")

# Classification of a value.
RANK, FIXED, UNKNOWN = "rank", "fixed", "unknown"


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    if not facts.calls_to(*PROCESS_GROUP, *DDP) or not any(_workers(facts, c) for c in facts.calls_to(*DATALOADERS)):
        return
    analysis = _Analysis(facts)
    reported: set[int] = set()
    for entry in facts.program.entries:
        for call, text in analysis.findings(entry):
            if id(call) not in reported:
                reported.add(id(call))
                yield finding(call, CODE, text)


def _workers(facts: FileFacts, call: ast.Call) -> bool:
    """``num_workers`` given and not 0 (a DataLoader with worker processes)."""
    workers = _given(facts, call, "num_workers")
    if workers is None or isinstance(workers, ast.Constant) and workers.value == 0:
        return False
    if isinstance(workers, ast.Name):
        values = bound_values(facts, workers)
        if values and all(isinstance(v, ast.Constant) and v.value == 0 for v in values):
            return False
    return True


def _given(facts: FileFacts, call: ast.Call, name: str) -> ast.expr | None:
    """What a DataLoader call passes for a parameter; None when absent or None."""
    positions = DATALOADERS.get(facts.qualified_call_name(call) or "", {})
    value = argument(call, name, positions.get(name))
    return None if value is None or is_none(value) else value


class _Seeding:
    """A call that seeds torch, the value it seeds with, and how to fix it."""

    __slots__ = ("call", "value", "name", "fix", "per_rank")

    def __init__(self, call: ast.Call, value: ast.expr, name: str, fix: str = "", per_rank: bool = False) -> None:
        self.call = call
        self.value = value
        self.name = name  # what the user wrote, qualified when imported
        self.fix = fix  # extra advice for library helpers
        self.per_rank = per_rank  # a library seeder told to make each rank's seeds differ


class _Finding:
    """A rank-independent seed: the call to report (the seeding call, or the call of a seeding helper
    of the file that passes the seed) and the value it passes."""

    __slots__ = ("call", "value", "seeding")

    def __init__(self, call: ast.Call, value: ast.expr, seeding: _Seeding) -> None:
        self.call = call
        self.value = value
        self.seeding = seeding


class _Analysis:
    """SEED007's questions about one file, with what they share cached."""

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.program: Program = facts.program
        self.scopes = facts.scopes

    # -- file-wide indexes, built on first use --------------------------------------------------

    @cached_property
    def _statement_calls(self) -> set[int]:
        """Calls made for their effect: ``helper(seed)`` as a statement."""
        return {id(node.value) for node in self._walk if isinstance(node, ast.Expr)}

    @cached_property
    def _augmented(self) -> dict[int, ast.AugAssign]:
        """id(target name) -> the ``x += ...`` that binds it."""
        return {id(node.target): node for node in self._walk if isinstance(node, ast.AugAssign)}

    @cached_property
    def _loop_targets(self) -> set[int]:
        """ids of names bound by ``for`` loops."""
        found: set[int] = set()
        for node in self._walk:
            if isinstance(node, (ast.For, ast.AsyncFor)):
                found.update(id(n) for n in ast.walk(node.target) if isinstance(n, ast.Name))
        return found

    @cached_property
    def _walk(self) -> list[ast.AST]:
        return list(ast.walk(self.facts.tree))

    @cached_property
    def _dotted_values(self) -> dict[str, list[ast.expr]]:
        """``args.gpu`` -> every value the file assigns to it."""
        values: dict[str, list[ast.expr]] = {}
        for target, value in self.facts.assigned_dotted_names():
            if "." in target:
                values.setdefault(target, []).append(value)
        return values

    # -- the rule --------------------------------------------------------------------------------

    def findings(self, entry: Entry) -> Iterator[tuple[ast.Call, str]]:
        runs = self._runs_in(entry)
        parallel = sorted((c for c in self.facts.calls_to(*PROCESS_GROUP, *DDP) if runs(c)), key=position)
        if not parallel:
            return
        loaders = [c for c in self.facts.calls_to(*DATALOADERS) if runs(c) and _workers(self.facts, c)
                   and _given(self.facts, c, "generator") is None]
        if not loaders or all(self._init_fn_mixes_rank(entry, c) for c in loaders):
            return
        rank_params = self._rank_parameters(entry)
        candidates: list[_Finding] = []
        for seeding in self._seedings(runs):
            if seeding.per_rank:
                return  # a library seeder told to make each rank's seeds differ
            verdict = self._judge(entry, rank_params, runs, seeding)
            if verdict is None:
                return  # some seeding depends on the rank, or cannot be known: stay silent
            candidates.extend(verdict)
        marker = parallel[0]
        where = f"{self.facts.qualified_call_name(marker)} at line {marker.lineno}"
        marker_unit = self.program.unit_of(marker)
        rank = self._rank_word(entry, rank_params)
        for found in sorted(candidates, key=lambda c: position(c.call)):
            unit = self.program.unit_of(found.call)
            shown = where
            inside = ""
            if unit is not marker_unit and isinstance(marker_unit, (ast.FunctionDef, ast.AsyncFunctionDef)):
                shown += f" in {marker_unit.name}()"
                inside = marker_unit.name  # the rank is known there, not where the seed is set now
            yield found.call, _message(found, shown, rank, inside)

    def _runs_in(self, entry: Entry) -> Callable[[ast.AST], bool]:
        program = self.program

        def runs(call: ast.AST) -> bool:
            return program.runs_in(entry, call)
        return runs

    def _seedings(self, runs: Callable[[ast.AST], bool]) -> Iterator[_Seeding]:
        """Calls in the entry that seed torch's global RNG (library seeders told to differ per rank
        come marked ``per_rank``)."""
        facts = self.facts
        for call in sorted(facts.calls, key=position):
            if not runs(call) or id(self.program.unit_of(call)) in self._worker_units:
                continue
            name = facts.qualified_call_name(call)
            if name is None:
                continue
            if name in TORCH_SEEDERS:
                value = argument(call, "seed", 0)
                if value is not None:
                    yield _Seeding(call, value, name)
                continue
            if "." not in name and name in facts.local_functions:
                continue  # a helper of this file: the seeding calls in its body count
            if id(call) not in self._statement_calls:
                continue  # `seed = init_random_seed(...)` computes a seed, it does not seed
            if name in LIGHTNING_SEEDERS:
                value = argument(call, "seed", 0)
                workers = argument(call, "workers", 1)
                if workers is not None and not (isinstance(workers, ast.Constant) and not workers.value):
                    yield _Seeding(call, value or call, name, per_rank=True)
                elif value is not None and not is_none(value):
                    yield _Seeding(call, value, name)
                continue
            if name in ACCELERATE_SEEDERS:
                value = argument(call, "seed", 0)
                specific = argument(call, "device_specific", 1)
                if specific is not None and not (isinstance(specific, ast.Constant) and not specific.value):
                    yield _Seeding(call, value or call, name, per_rank=True)
                elif value is not None:
                    yield _Seeding(call, value, name, "or pass device_specific=True")
                continue
            if name in NAMED_HELPERS:
                value = argument(call, NAMED_HELPERS[name], 0)
                if value is not None and not is_none(value):
                    yield _Seeding(call, value, name)
                continue
            last = name.rsplit(".", 1)[-1]
            if "." not in name or not _names_a_seeder(last) or name.split(".", 1)[0] in NOT_TORCH_SEEDERS | {"torch"}:
                continue
            if any(k.arg and _names_the_rank(k) and not (isinstance(k.value, ast.Constant) and not k.value.value)
                   for k in call.keywords):
                yield _Seeding(call, call, name, per_rank=True)  # set_random_seed(seed, diff_rank_seed=True)
                continue
            value = call.args[0] if call.args and not isinstance(call.args[0], ast.Starred) else next(
                (k.value for k in call.keywords if k.arg and "seed" in k.arg.lower()), None)
            if value is not None and not is_none(value):
                yield _Seeding(call, value, name)

    def _judge(self, entry: Entry, rank_params: set[int], runs: Callable[[ast.AST], bool],
               seeding: _Seeding) -> list[_Finding] | None:
        """Where a rank-independent seed is given; None when the seed depends on the rank or cannot be
        known.  A seed that comes in through a parameter is judged at the calls of that function, and
        reported there when the function is a seeding helper (``set_seed(args.seed)``)."""
        found: list[_Finding] = []
        # (call to report at, the value it passes, the value to judge, judged as an object, depth)
        work: list[tuple[ast.Call, ast.expr, ast.expr, bool, int]] = [
            (seeding.call, seeding.value, seeding.value, False, 0)]
        seen: set[tuple[int, int]] = set()
        while work:
            report_at, shown, value, of_object, depth = work.pop()
            if (id(report_at), id(value)) in seen:
                continue
            seen.add((id(report_at), id(value)))
            kind, params = self._classify(entry, rank_params, value, of_object)
            if kind != FIXED:
                return None
            if not params:
                found.append(_Finding(report_at, shown, seeding))
                continue
            if depth >= MAX_HOPS:
                return None
            fixed = True
            for param, as_object in params:
                function = param.scope.node if param.scope is not None else None
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    return None
                sites = [c for c in self._call_sites(function) if runs(c)]
                if not sites and not as_object:
                    return None  # a bare value from callers the file does not show
                helper = _names_a_seeder(function.name)
                for site in sites:
                    passed = self._arguments(function, site).get(id(param.node))
                    if passed is None:
                        if as_object:
                            continue  # `cfg.seed` with cfg supplied by a framework: a config object
                        return None
                    fixed = False
                    if helper:
                        work.append((site, passed, passed, as_object, depth + 1))
                    else:
                        work.append((report_at, shown, passed, as_object, depth + 1))
            if fixed:
                found.append(_Finding(report_at, shown, seeding))
        return found

    # -- values ------------------------------------------------------------------------------

    def _classify(self, entry: Entry, rank_params: set[int], value: ast.AST, of_object: bool = False,
                  ) -> tuple[str, list[tuple[Binding, bool]]]:
        """RANK, UNKNOWN, or FIXED with the parameters of the file's functions the value comes from
        (each with True when only its attributes or items are used: ``args.seed``, ``cfg["seed"]``)."""
        params: list[tuple[Binding, bool]] = []
        bases: set[int] = {id(value)} if of_object else set()  # used as ``x.attr`` / ``x[key]``
        seen: set[int] = set()
        # (node, hops, parameter id -> the argument a followed call passed for it)
        stack: list[tuple[ast.AST, int, dict[int, ast.expr | None]]] = [(value, 0, {})]
        while stack:
            node, hops, passed = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if _names_the_rank(node):
                return RANK, []
            if isinstance(node, ast.Call):
                name = self.facts.qualified_call_name(node) or ""
                if name in PER_PROCESS or name.startswith(PER_PROCESS_MODULES):
                    return UNKNOWN, []
                functions = [f for f in self.program.local_targets(node.func) + self._own_methods(node.func)
                             if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
                if functions:
                    # A function of the file: what it returns, with the arguments this call passes.
                    if hops >= MAX_HOPS:
                        return UNKNOWN, []
                    for function in functions:
                        arguments = self._arguments(function, node)
                        stack.extend((returned, hops + 1, arguments) for returned in _returns(function))
                    continue
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                bindings = self.scopes.lookup(node.id, start(node))
                pending = list(bindings or ())
                while pending:
                    binding = pending.pop()
                    kind = binding.kind
                    if kind in (IMPORT, DEF, CLASS, STAR):
                        continue
                    if hops >= MAX_HOPS:
                        return UNKNOWN, []
                    if kind == PARAM:
                        if id(binding.node) in rank_params:
                            return RANK, []
                        owner = binding.scope.node if binding.scope is not None else None
                        as_object = id(node) in bases
                        if id(binding.node) in passed:
                            given = passed[id(binding.node)]
                            if given is not None:
                                if as_object:
                                    bases.add(id(given))  # still used for its attributes
                                stack.append((given, hops + 1, {}))
                            elif not as_object:
                                return UNKNOWN, []
                        elif owner is entry.function or self._is_self(owner, binding.node):
                            continue  # mp.spawn(fn, args=...): the same arguments on every rank; `self`
                        elif isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            params.append((binding, as_object))
                        else:
                            return UNKNOWN, []
                    elif kind == ASSIGN and binding.value is not None:
                        stack.append((binding.value, hops + 1, passed))
                    elif id(binding.node) in self._augmented:
                        augmented = self._augmented[id(binding.node)]
                        stack.append((augmented.value, hops + 1, passed))
                        pending.extend(self.scopes.lookup(binding.name, start(augmented)) or ())
                    else:
                        return UNKNOWN, []  # a loop target, an unpacked tuple, ...
            elif isinstance(node, ast.Subscript):
                bases.add(id(node.value))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                bases.add(id(node.value))
                dotted = dotted_name(node)
                if dotted is not None and dotted in self._dotted_values:
                    if hops >= MAX_HOPS:
                        return UNKNOWN, []
                    for assigned in self._dotted_values[dotted]:
                        if id(node) in bases:
                            bases.add(id(assigned))  # `self.cfg = cfg` ... `self.cfg.seed`
                        stack.append((assigned, hops + 1, passed))
            for child in ast.iter_child_nodes(node):
                stack.append((child, hops, passed))
        return FIXED, params

    def _own_methods(self, func: ast.expr) -> list[ast.AST]:
        """``self.m`` / ``cls.m`` inside a method: the methods ``m`` of its class and bases in the file."""
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return []
        receiver = func.value
        for binding in self.scopes.lookup(receiver.id, start(receiver)) or []:
            owner = binding.scope.node if binding.scope is not None else None
            if binding.kind == PARAM and self._is_self(owner, binding.node):
                cls = self.program.class_of(owner)  # type: ignore[arg-type]
                if cls is not None:
                    return [m for m in self.program.methods(cls) if getattr(m, "name", "") == func.attr][:1]
        return []

    def _is_self(self, function: ast.AST | None, param: ast.AST) -> bool:
        """The first parameter of a method (not a static method)."""
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or self.program.class_of(function) is None:
            return False
        params = function.args.posonlyargs + function.args.args
        return bool(params) and params[0] is param and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)

    def _rank_parameters(self, entry: Entry) -> set[int]:
        """ids of the parameters that carry the rank in a spawned function: the first parameter of an
        ``mp.spawn`` target; for a ``Process(target=f, args=(...))``, those given a rank or a loop variable."""
        start_call, function = entry.start_call, entry.function
        if start_call is None or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return set()
        params = function.args.posonlyargs + function.args.args
        if self.facts.qualified_call_name(start_call) in SPAWNERS:
            return {id(params[0])} if params else set()
        given = next((k.value for k in start_call.keywords if k.arg == "args"), None)
        if not isinstance(given, (ast.Tuple, ast.List)):
            return set()
        found: set[int] = set()
        for param, value in zip(params, given.elts):
            if isinstance(value, ast.Starred):
                break
            if self._per_process(value):
                found.add(id(param))
        return found

    def _per_process(self, value: ast.expr) -> bool:
        """A value passed to a started process that names the rank or is a loop variable."""
        for node in ast.walk(value):
            if _names_the_rank(node):
                return True
            if isinstance(node, ast.Name) and any(
                    id(b.node) in self._loop_targets for b in self.scopes.lookup(node.id, start(node)) or []):
                return True
        return False

    # -- calls of the file's functions ---------------------------------------------------------------

    def _call_sites(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Call]:
        """Calls of a function of the file by its name, or of a method through ``self`` / ``cls``."""
        sites: list[ast.Call] = []
        cls = self.program.class_of(function)
        is_method = cls is not None
        if cls is not None and function.name == "__init__":
            sites.extend(c for c in self.facts.calls if any(t is cls for t in self.program.local_targets(c.func)))
        for call in self.facts.calls:
            func = call.func
            if isinstance(func, ast.Name):
                if func.id == function.name and function in self.program.local_targets(func):
                    sites.append(call)
            elif is_method and isinstance(func, ast.Attribute) and func.attr == function.name:
                receiver = func.value
                if (isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
                        or isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name)
                        and receiver.func.id == "super"):
                    sites.append(call)
        return sites

    def _arguments(self, function: ast.FunctionDef | ast.AsyncFunctionDef,
                   call: ast.Call) -> dict[int, ast.expr | None]:
        """parameter id -> what ``call`` passes for it (its default when not passed; None: unknown)."""
        args = function.args
        positional = args.posonlyargs + args.args
        if positional and self._is_self(function, positional[0]):
            positional = positional[1:]  # self / cls: `obj.method(...)`, `Class(...)` for __init__
        defaults: list[ast.expr | None] = [None] * (len(args.posonlyargs + args.args) - len(args.defaults))
        defaults += list(args.defaults)
        defaults = defaults[len(defaults) - len(positional):]
        passed: dict[int, ast.expr | None] = {}
        unpacked = has_unpacking(call)
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        for index, (param, default) in enumerate(zip(positional, defaults)):
            if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[:index + 1]):
                passed[id(param)] = call.args[index]
            elif param.arg in keywords:
                passed[id(param)] = keywords[param.arg]
            else:
                passed[id(param)] = None if unpacked else default
        for param, kw_default in zip(args.kwonlyargs, args.kw_defaults):
            passed[id(param)] = keywords.get(param.arg, None if unpacked else kw_default)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                passed[id(extra)] = None
        return passed

    # -- worker_init_fn ----------------------------------------------------------------------------

    def _init_fn_mixes_rank(self, entry: Entry, loader: ast.Call) -> bool:
        """The loader's worker_init_fn mixes in the rank, or comes from elsewhere and may."""
        init_fn = _given(self.facts, loader, "worker_init_fn")
        if init_fn is None:
            return False
        parts, functions = self._init_fn_parts(init_fn)
        if parts is None:
            return True
        rank_params = self._rank_parameters(entry)
        if any(self._classify(entry, rank_params, part)[0] == RANK for part in parts):
            return True  # functools.partial(fn, rank=rank), a lambda naming the rank
        for function in self._with_callees(functions):
            for node in ast.walk(function):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) or _names_the_rank(node):
                    if self._classify(entry, rank_params, node)[0] == RANK:
                        return True
        return False

    def _init_fn_parts(self, init_fn: ast.expr) -> tuple[list[ast.AST] | None, list[ast.AST]]:
        """What a worker_init_fn expression is made of: the values bound to it (``partial(fn, rank=r)``;
        None when part of it comes from elsewhere: imported, a parameter, a factory) and the file's
        functions and lambdas it runs."""
        parts: list[ast.AST] = []
        functions: list[ast.AST] = []
        opaque = False
        seen: set[int] = set()
        stack: list[tuple[ast.expr, int]] = [(init_fn, 0)]
        while stack:
            node, hops = stack.pop()
            if id(node) in seen or hops > MAX_HOPS:
                continue
            seen.add(id(node))
            if isinstance(node, ast.Lambda):
                functions.append(node)
            elif isinstance(node, ast.Call) and self.facts.qualified_call_name(node) in PARTIAL and node.args:
                stack.append((node.args[0], hops))
                parts.extend([*node.args[1:], *(k.value for k in node.keywords)])
            elif isinstance(node, ast.Name):
                for binding in self.scopes.lookup(node.id, start(node)) or []:
                    if binding.kind == DEF:
                        functions.append(binding.node)
                    elif binding.kind == ASSIGN and binding.value is not None:
                        stack.append((binding.value, hops + 1))
                    else:
                        opaque = True  # imported, a parameter, a loop variable: cannot be seen
            elif isinstance(node, ast.IfExp):
                stack.extend([(node.body, hops), (node.orelse, hops)])  # the condition is not the function
            elif not isinstance(node, ast.Constant):
                opaque = True  # a factory `make_init_fn(...)`, `self.seed_worker`, `utils.worker_init_fn`
        return (None if opaque else parts), functions

    def _with_callees(self, functions: list[ast.AST]) -> list[ast.AST]:
        """The functions and the file's functions they call, each once."""
        found: dict[int, ast.AST] = {}
        queue = list(functions)
        while queue:
            function = queue.pop()
            if id(function) in found:
                continue
            found[id(function)] = function
            for call in self.program.calls_by_unit.get(id(function), ()):
                queue.extend(self.program.local_targets(call.func))
        return list(found.values())

    @cached_property
    def _worker_units(self) -> set[int]:
        """ids of the functions that run in DataLoader workers as (part of) a worker_init_fn: their
        seeding calls seed a worker, not the rank."""
        functions: list[ast.AST] = []
        for loader in self.facts.calls_to(*DATALOADERS):
            init_fn = _given(self.facts, loader, "worker_init_fn")
            if init_fn is not None:
                functions.extend(self._init_fn_parts(init_fn)[1])
        return {id(f) for f in self._with_callees(functions)}

    # -- the message -------------------------------------------------------------------------------

    def _rank_word(self, entry: Entry, rank_params: set[int]) -> str:
        function = entry.function
        if rank_params and isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for param in function.args.posonlyargs + function.args.args:
                if id(param) in rank_params:
                    return param.arg
        return "rank"


def _message(found: _Finding, where: str, rank: str, inside: str = "") -> str:
    seeding = found.seeding
    through = found.call is not seeding.call
    name = _call_name(found.call) if through else seeding.name
    shown = source_text(found.value) if found.value is not found.call else ""
    via = f" (through {seeding.name} at line {seeding.call.lineno})" if through else ""
    fix = f"add the rank: {name}({shown or 'seed'} + {rank})"
    if inside:
        fix = f"seed in {inside}() once the rank is known: {name}({shown or 'seed'} + {rank})"
    if seeding.fix:
        fix += f" {seeding.fix}"
    return (f"{name}({shown}){via} gives every DDP rank the same seed ({where}), so DataLoader workers "
            f"on every rank draw the same augmentations; {fix}")


def _returns(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """The values a function returns (not those of functions nested in it)."""
    found: list[ast.expr] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            found.append(node.value)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)
    return found


def _names_a_seeder(name: str) -> bool:
    """The shared seeder test, without ``seed`` alone (``env.seed``, ``imgaug.seed`` seed something else)."""
    return names_a_seeder(name) and name.lower().lstrip("_") != "seed"


def _call_name(call: ast.Call) -> str:
    return dotted_name(call.func) or "a call"


RULE = Rule(CODE, "every DDP rank seeds torch alike", check)
