"""SEED001: a program draws random numbers from an RNG it never seeds."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from flake8_seeds.facts import RESEEDING_METHODS, FileFacts, argument, is_main_test, is_none, position
from flake8_seeds.rules.base import Finding, Rule, Settings, finding

CODE = "SEED001"


@dataclass(frozen=True)
class Family:
    name: str
    label: str
    seeder: str
    fix: str


FAMILIES = {
    "torch": Family("torch", "the torch global RNG", "torch.manual_seed",
                    "call torch.manual_seed(seed) at startup"),
    "numpy": Family("numpy", "the numpy.random global RNG", "numpy.random.seed",
                    "call numpy.random.seed(seed) at startup or draw from numpy.random.default_rng(seed)"),
    "random": Family("random", "the random module's global RNG", "random.seed",
                     "call random.seed(seed) at startup"),
}

_RANDOM_FUNCS = (
    "random randint randrange choice choices shuffle sample uniform gauss normalvariate "
    "triangular betavariate expovariate gammavariate lognormvariate vonmisesvariate "
    "paretovariate weibullvariate getrandbits randbytes binomialvariate"
)
_NUMPY_FUNCS = (
    "rand randn randint random_integers random_sample random ranf sample choice bytes shuffle "
    "permutation beta binomial chisquare dirichlet exponential f gamma geometric gumbel "
    "hypergeometric laplace logistic lognormal logseries multinomial multivariate_normal "
    "negative_binomial noncentral_chisquare noncentral_f normal pareto poisson power rayleigh "
    "standard_cauchy standard_exponential standard_gamma standard_normal standard_t triangular "
    "uniform vonmises wald weibull zipf"
)
_TORCH_FUNCS = (
    "rand rand_like randn randn_like randint randint_like randperm normal bernoulli multinomial poisson"
)
_INIT_FUNCS = (
    "uniform_ normal_ trunc_normal_ xavier_uniform_ xavier_normal_ kaiming_uniform_ "
    "kaiming_normal_ orthogonal_ sparse_"
)
_LAYERS = (
    "Linear Bilinear LazyLinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d "
    "ConvTranspose3d LazyConv1d LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d "
    "LazyConvTranspose3d Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell "
    "MultiheadAttention Transformer TransformerEncoderLayer TransformerDecoderLayer"
)
# In-place tensor methods that fill from the global torch RNG.
INPLACE_METHODS = frozenset(
    "uniform_ normal_ random_ bernoulli_ exponential_ geometric_ cauchy_ log_normal_".split()
)

DRAWS: dict[str, str] = {}
DRAWS.update({f"random.{f}": "random" for f in _RANDOM_FUNCS.split()})
DRAWS.update({f"numpy.random.{f}": "numpy" for f in _NUMPY_FUNCS.split()})
DRAWS.update({f"torch.{f}": "torch" for f in _TORCH_FUNCS.split()})
DRAWS.update({f"torch.nn.init.{f}": "torch" for f in _INIT_FUNCS.split()})
LAYERS = frozenset(f"torch.nn.{f}" for f in _LAYERS.split())
DRAWS.update({name: "torch" for name in LAYERS})
# A program that loads weights overwrites what the layers drew when they were built.
WEIGHT_LOADERS = ("load_state_dict", "from_pretrained", "load_from_checkpoint")

# RNG objects that seed themselves from OS entropy when given no seed.
SELF_SEEDING = frozenset({
    "numpy.random.default_rng", "numpy.random.RandomState", "random.Random",
    "numpy.random.SeedSequence", "numpy.random.PCG64", "numpy.random.PCG64DXSM",
    "numpy.random.MT19937", "numpy.random.Philox", "numpy.random.SFC64",
})

SEED_PARAMETER = {"random.Random": "x", "numpy.random.SeedSequence": "entropy"}

# Values that differ from run to run: a seed computed from them seeds nothing.
NONDETERMINISTIC = frozenset({
    "time.time", "time.time_ns", "time.perf_counter", "time.perf_counter_ns",
    "time.monotonic", "time.monotonic_ns", "time.process_time",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "os.urandom", "os.getpid", "uuid.uuid1", "uuid.uuid4",
    "torch.seed", "secrets.randbits", "secrets.token_bytes", "secrets.token_hex",
    "secrets.randbelow",
})
# Methods of RNG objects: `g.manual_seed(0)` seeds g, not a global family.
RNG_OBJECT_METHODS = RESEEDING_METHODS | {"initial_seed"}
STDLIB_ROOTS = frozenset({"torch", "numpy", "random"})
# Libraries whose *seed* functions seed only themselves.
OTHER_FRAMEWORKS = frozenset({"tensorflow", "jax", "paddle", "mxnet", "cupy"})
TEST_RUNNERS = frozenset({
    "unittest.main", "pytest.main", "sys.exit", "absl.testing.absltest.main",
    "torch.testing._internal.common_utils.run_tests", "run_tests",
})


def check(facts: FileFacts, settings: Settings) -> Iterator[Finding]:
    draws = _family_draws(facts)
    unseeded_objects = _unseeded_objects(facts)
    if not draws and not unseeded_objects:
        return
    if not _is_program(facts, draws):
        return
    shadowed = _locally_bound_names(facts)
    if shadowed:
        draws = [d for d in draws if _root_name(d[0].func) not in shadowed]
        unseeded_objects = [o for o in unseeded_objects if _root_name(o[0].func) not in shadowed]
    seeded = _seeded_families(facts, settings)
    first: dict[str, tuple[ast.Call, str]] = {}
    for call, family, what in sorted(draws, key=lambda d: position(d[0])):
        if family not in seeded and family not in first:
            first[family] = (call, what)
    for family, (call, what) in first.items():
        info = FAMILIES[family]
        yield finding(call, CODE, f"{what} draws from {info.label}, which this program never seeds; {info.fix}")
    for call, name in unseeded_objects:
        yield finding(call, CODE, f"{name}() is created without a seed, so every run differs; pass one: {name}(seed)")


def _family_draws(facts: FileFacts) -> list[tuple[ast.Call, str, str]]:
    """(call, family, what it calls) for every draw from a global RNG."""
    draws: list[tuple[ast.Call, str, str]] = []
    loads_weights = any(method in facts.method_calls for method in WEIGHT_LOADERS)
    for name, calls in facts.calls_by_name.items():
        family = DRAWS.get(name)
        if family is None or (loads_weights and name in LAYERS):
            continue
        for call in calls:
            if family == "torch" and _has_generator(call):
                continue
            draws.append((call, family, name))
    if "torch" in facts.names.roots():
        for method in INPLACE_METHODS:
            for call in facts.method_calls.get(method, ()):
                if _has_generator(call) or facts.qualified_call_name(call) is not None:
                    continue  # a resolved name (torch.nn.init.normal_) is handled above
                draws.append((call, "torch", f"Tensor.{method}"))
    return draws


def _has_generator(call: ast.Call) -> bool:
    return any(k.arg == "generator" and not is_none(k.value) for k in call.keywords)


def _unseeded_objects(facts: FileFacts) -> list[tuple[ast.Call, str]]:
    """Self-seeding RNG objects made with no seed (or ``None``) and never seeded later."""
    found = []
    for name in SELF_SEEDING:
        for call in facts.calls_by_name.get(name, ()):
            seed = argument(call, SEED_PARAMETER.get(name, "seed"), 0)
            if (not call.args and not call.keywords) or (seed is not None and is_none(seed)):
                found.append((call, name))
    if found:
        reseeded = facts.reseeded_names
        bound_to = {id(value): target for target, value in facts.assigned_dotted_names()}
        found = [(c, n) for c, n in found if bound_to.get(id(c)) not in reseeded]
    found.sort(key=lambda item: position(item[0]))
    return found


def _root_name(func: ast.expr) -> str | None:
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _locally_bound_names(facts: FileFacts) -> set[str]:
    """Names that a function binds itself (parameters, assignments, loop targets).

    ``def pick(items, random): random.choice(items)`` does not use the module.
    """
    bound: set[str] = set()
    for function in facts.functions:
        for node in ast.walk(function):
            if isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
    return bound


def _is_program(facts: FileFacts, draws: list[tuple[ast.Call, str, str]]) -> bool:
    """A ``__main__`` block that is not just a test runner, or a draw at import time.

    Making an RNG object at module level is not a draw: libraries keep private
    RNGs that they seed through their own API.
    """
    if facts.has_main_block and not _main_only_runs_tests(facts):
        return True
    module_level = facts.module_level_nodes
    return any(id(d[0]) in module_level for d in draws)


def _main_only_runs_tests(facts: FileFacts) -> bool:
    """``if __name__ == "__main__": unittest.main()`` makes a test module, not a program."""
    for stmt in facts.tree.body:  # type: ignore[attr-defined]
        if isinstance(stmt, ast.If) and is_main_test(stmt.test):
            calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call)]
            names = {facts.qualified_call_name(c) or "" for c in calls}
            if not calls or not names <= TEST_RUNNERS:
                return False
    return True


def _seeded_families(facts: FileFacts, settings: Settings) -> set[str]:
    seeded: set[str] = set()
    for family in FAMILIES.values():
        if any(_seeds_reproducibly(facts, call) for call in facts.calls_by_name.get(family.seeder, ())):
            seeded.add(family.name)
    if seeded == set(FAMILIES):
        return seeded
    local = facts.local_functions
    for name, calls in facts.calls_by_name.items():
        last = name.rsplit(".", 1)[-1]
        if name in settings.extra_helpers or last in settings.extra_helpers:
            return set(FAMILIES)
        if not _names_a_seeder(last) or name.split(".", 1)[0] in STDLIB_ROOTS | OTHER_FRAMEWORKS:
            continue
        if "." not in name and name in local:
            continue  # a helper of this file: its body's seeding calls count instead
        if last == "seed_all_rng" and not any(_seeds_reproducibly(facts, c) for c in calls):
            continue  # detectron2 picks a random seed when given none
        if any(_seeds_reproducibly(facts, c, allow_empty=True) for c in calls):
            return set(FAMILIES)
    # A method whose name says it seeds, on an object we cannot see into; a method of
    # this file is judged by its body instead.
    for method, calls in facts.method_calls.items():
        if _names_a_seeder(method) and method not in RNG_OBJECT_METHODS and method not in local:
            if any(facts.qualified_call_name(c) is None and _seeds_reproducibly(facts, c, allow_empty=True)
                   for c in calls):
                return set(FAMILIES)
    return seeded


def _names_a_seeder(name: str) -> bool:
    """``set_seed``, ``seed_everything``, ``init_seeds``; not ``get_seed`` or ``initial_seed``."""
    lowered = name.lower()
    return "seed" in lowered and not lowered.startswith(("get", "initial")) and lowered != "initial_seed"


def _seeds_reproducibly(facts: FileFacts, call: ast.Call, allow_empty: bool = False) -> bool:
    values = list(call.args) + [k.value for k in call.keywords]
    if not values:
        return allow_empty
    value = values[0]
    if is_none(value):
        return False
    for node in ast.walk(value):
        if isinstance(node, ast.Call) and facts.qualified_call_name(node) in NONDETERMINISTIC:
            return False
    return True


RULE = Rule(CODE, "randomness used but never seeded", check)
