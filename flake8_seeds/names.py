"""Resolve local names to qualified names, the way Python binds them.

``Names`` turns an expression such as ``npr.default_rng`` or ``cudnn.benchmark`` into
``numpy.random.default_rng`` or ``torch.backends.cudnn.benchmark``: through the imports
that bind its first name in its scope (``scopes.py``), through assignments that alias a
module or function (``cudnn = torch.backends.cudnn``), and through star imports of the
modules whose names the rules know.  A parameter, a local ``def`` or any other binding
that reaches the use hides the import.  Public re-exports are folded onto one canonical
spelling, so that a rule only ever compares against ``torch.utils.data.DataLoader``, never
against ``torch.utils.data.dataloader.DataLoader``.
"""
from __future__ import annotations

import ast
from collections.abc import Callable

from flake8_seeds.scopes import ASSIGN, IMPORT, Scopes, import_targets, start

# Exact spellings that name the same object as a public one.
_REEXPORTS: dict[str, str] = {
    "torch._C.Generator": "torch.Generator",
    "torch.random.manual_seed": "torch.manual_seed",
    "torch.random.seed": "torch.seed",
    "torch.random.initial_seed": "torch.initial_seed",
    "torch.cuda.random.manual_seed": "torch.cuda.manual_seed",
    "torch.cuda.random.manual_seed_all": "torch.cuda.manual_seed_all",
    "torch.utils.data._utils.worker.get_worker_info": "torch.utils.data.get_worker_info",
    "numpy.random._generator.default_rng": "numpy.random.default_rng",
    "numpy.random._generator.Generator": "numpy.random.Generator",
    "lightning.Trainer": "lightning.pytorch.Trainer",
    "lightning.seed_everything": "lightning.pytorch.seed_everything",
    "lightning.pytorch.trainer.Trainer": "lightning.pytorch.Trainer",
    "lightning.fabric.utilities.seed.seed_everything": "lightning.pytorch.seed_everything",
    "lightning.pytorch.utilities.seed.seed_everything": "lightning.pytorch.seed_everything",
    "lightning.fabric.seed_everything": "lightning.pytorch.seed_everything",
}

# Private modules whose public names are re-exported by a parent package.
_PREFIX_REEXPORTS: tuple[tuple[str, str], ...] = (
    ("pytorch_lightning.", "lightning.pytorch."),
    ("lightning.pytorch.trainer.trainer.", "lightning.pytorch."),
    ("torch.utils.data.dataloader.", "torch.utils.data."),
    ("torch.utils.data.sampler.", "torch.utils.data."),
    ("torch.utils.data.dataset.", "torch.utils.data."),
    ("torch.utils.data.distributed.", "torch.utils.data."),
    ("numpy.random.mtrand.", "numpy.random."),
)


_PRIVATE_PREFIXES = tuple(private for private, _ in _PREFIX_REEXPORTS)


def canonical(qualified: str) -> str:
    """Fold a re-exported spelling onto its public name."""
    if qualified.startswith(_PRIVATE_PREFIXES):  # one test for the usual case: none
        for private, public in _PREFIX_REEXPORTS:
            if qualified.startswith(private):
                qualified = public + qualified[len(private):]
    if qualified.startswith("torch.nn.modules."):
        # torch.nn.modules.conv.Conv2d -> torch.nn.Conv2d
        qualified = "torch.nn." + qualified.rsplit(".", 1)[-1]
    return _REEXPORTS.get(qualified, qualified)


_SAME: dict[str, str] = {}


def same_thing(qualified: str) -> str:
    """A key under which two spellings of one module or object are equal."""
    key = _SAME.get(qualified)
    if key is None:
        if len(_SAME) > 4096:  # import targets repeat from file to file; keep the memo small
            _SAME.clear()
        key = _SAME[qualified] = canonical(canonical(qualified + ".")[:-1])
    return key


def source_text(node: ast.AST, limit: int = 40, parenthesized: bool = False) -> str:
    """The expression as written (unparsed) for a message, cut to ``limit`` characters; with
    ``parenthesized``, a comparison or condition keeps its parentheses (``shuffle=(s is None)``)."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        return "..."
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return f"({text})" if parenthesized and isinstance(node, (ast.Compare, ast.BoolOp, ast.IfExp)) else text


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a plain name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


# What ``from <module> import *`` binds, for the modules whose names the rules read.
_RANDOM_EXPORTS = (
    "Random SystemRandom betavariate binomialvariate choice choices expovariate gammavariate gauss "
    "getrandbits getstate lognormvariate normalvariate paretovariate randbytes randint random randrange "
    "sample seed setstate shuffle triangular uniform vonmisesvariate weibullvariate"
)
_NUMPY_RANDOM_EXPORTS = (
    "beta binomial bytes chisquare choice default_rng dirichlet exponential f gamma geometric get_state "
    "gumbel hypergeometric laplace logistic lognormal logseries multinomial multivariate_normal "
    "negative_binomial noncentral_chisquare noncentral_f normal pareto permutation poisson power rand "
    "randint randn random random_integers random_sample ranf rayleigh sample seed set_state shuffle "
    "standard_cauchy standard_exponential standard_gamma standard_normal standard_t triangular uniform "
    "vonmises wald weibull zipf Generator RandomState SeedSequence BitGenerator MT19937 PCG64 PCG64DXSM "
    "Philox SFC64"
)
_TORCH_DATA_EXPORTS = (
    "BatchSampler ConcatDataset DataLoader Dataset DistributedSampler IterableDataset RandomSampler Sampler "
    "SequentialSampler Subset SubsetRandomSampler TensorDataset WeightedRandomSampler get_worker_info random_split"
)
STAR_EXPORTS: dict[str, frozenset[str]] = {
    "random": frozenset(_RANDOM_EXPORTS.split()),
    "numpy.random": frozenset(_NUMPY_RANDOM_EXPORTS.split()),
    "torch.utils.data": frozenset(_TORCH_DATA_EXPORTS.split()),
}
_MAX_ALIAS_DEPTH = 8
# Aliases by assignment are followed only into what the rules read (and anything named *seed*).
_ALIASED_MODULES = (
    "torch.backends.", "torch.utils.data", "torch.nn", "torch.optim", "torch.distributed", "torch.multiprocessing",
    "torch.random", "torch.cuda.manual_seed", "torch.distributions", "numpy", "random", "multiprocessing",
    "concurrent", "lightning", "pytorch_lightning", "torchvision", "monai", "torch_geometric", "transformers",
    "accelerate", "functools", "time", "datetime", "secrets", "uuid", "os.",
)

_ALIASED_TORCH = frozenset(f"torch.{name}" for name in (
    "manual_seed seed initial_seed Generator use_deterministic_algorithms rand rand_like randn randn_like "
    "randint randint_like randperm normal bernoulli multinomial poisson"
).split())


def _may_matter(target: str) -> bool:
    """Whether a rule could care about names imported from ``target`` (or what it contains)."""
    return (target.startswith(_ALIASED_MODULES) or target in _ALIASED_TORCH or "seed" in target.lower()
            or any(module.startswith(target + ".") for module in _ALIASED_MODULES))


def _first_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class Names:
    """Local name -> canonical qualified name, for one file.

    Most names are bound only by imports, to one thing: they resolve without looking at
    scopes.  The others (also a parameter, a local variable, a ``def``, an alias, a star
    import) are resolved at the place they are used.  A name whose reaching bindings
    disagree resolves to nothing: precision over recall.
    """

    def __init__(self, imports: list[ast.Import | ast.ImportFrom], scopes: Callable[[], Scopes],
                 rebound: Callable[[frozenset[str]], tuple[set[str], dict[str, ast.expr], dict[str, list[ast.expr]]]]
                 ) -> None:
        targets: dict[str, set[str]] = {}
        stars: list[str] = []
        for node in imports:
            for name, target in import_targets(node, stars):
                targets.setdefault(name, set()).add(target)
        self._roots = {t.split(".", 1)[0] for found in targets.values() for t in found if t and t[0] != "."}
        self._stars = [m for m in stars if m in STAR_EXPORTS]
        self._star_names: frozenset[str] = frozenset().union(*(STAR_EXPORTS[m] for m in self._stars))
        # Names also bound otherwise (a parameter, a local, an alias of an import) need their scope.
        self._slow, aliases, scoped = rebound(frozenset(targets) | self._star_names)
        self._fast: dict[str, str] = {}
        for name, found in targets.items():
            single = len({same_thing(t) for t in found}) == 1
            if name in self._slow and not any(_may_matter(t) for t in found):
                # Also bound otherwise, but to a module no rule reads (torch's own internals): read it
                # as its import without a scope lookup; a mistake can only make a rule more silent.
                self._slow.discard(name)
                if single:
                    self._fast[name] = min(found)
            elif name not in self._slow:
                if single:
                    self._fast[name] = min(found)
                else:
                    self._slow.add(name)
        self._scopes = scopes
        self._wanted = False
        self._canonical: dict[str, str] = {}  # per file, so memory does not grow across files
        self._resolved: dict[int, str | None] = {}
        for name, value in aliases.items():  # bound once, at module level: the same everywhere
            known = self._alias_target(value)
            if known is not None:
                self._fast[name] = known
            elif known is None and _first_name(value) not in self._fast:
                self._slow.add(name)
        for name, values in scoped.items():
            if any(_first_name(v) not in self._fast or self._alias_target(v) is not None for v in values):
                self._slow.add(name)
        self._looked_up = self._slow | self._star_names  # names resolved at their place

    def _alias_target(self, value: ast.expr) -> str | None:
        """What an alias of an import-only name stands for, when a rule could care about it.

        ``wrapper = V.graph.wrapper_code`` in torch's own sources names nothing the rules read:
        leaving such aliases unresolved spares a scope lookup for every use."""
        if _first_name(value) not in self._fast:
            return None
        qualified = self.qualified_name(value)
        if qualified is None or not qualified.startswith(_ALIASED_MODULES) and (
                qualified not in _ALIASED_TORCH) and "seed" not in qualified:
            return None
        return qualified

    def imported_names(self) -> dict[str, str]:
        """Names bound only by imports, to one thing: name -> qualified name (not yet canonical)."""
        return self._fast

    def looked_up(self) -> set[str]:
        """The names resolved at their place, through the file's scopes."""
        return self._looked_up

    def roots(self) -> set[str]:
        """The top-level modules this file imports from."""
        return self._roots

    def qualified_name(self, node: ast.expr, _depth: int = 0) -> str | None:
        """The canonical qualified name of a name or attribute chain, if it names an import."""
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return None
        base = self._fast.get(root.id)
        if base is None:
            if root.id not in self._looked_up:
                return None
            base = self._resolve(root, _depth)
            if base is None:
                return None
        if root is not node:
            attrs: list[str] = []
            while isinstance(node, ast.Attribute):
                attrs.append(node.attr)
                node = node.value
            attrs.reverse()
            base = base + "." + ".".join(attrs)
        found = self._canonical.get(base)
        if found is None:
            found = self._canonical[base] = canonical(base)
        return found

    def _resolve(self, name: ast.Name, depth: int) -> str | None:
        key = id(name)
        if key in self._resolved:
            return self._resolved[key]
        self._resolved[key] = None  # a cycle of aliases resolves to nothing
        result = self._resolve_uncached(name, depth)
        self._resolved[key] = result
        return result

    def _resolve_uncached(self, name: ast.Name, depth: int) -> str | None:
        scopes = self._scopes()
        if not self._wanted:
            scopes.want(self._looked_up)
            self._wanted = True
        bindings = scopes.lookup(name.id, start(name))
        if bindings is None:
            exporters = [m for m in self._stars if name.id in STAR_EXPORTS[m]]
            return f"{exporters[0]}.{name.id}" if len(exporters) == 1 else None
        found: list[str] = []
        for binding in bindings:
            if binding.kind == IMPORT:
                found.append(binding.target)
            elif binding.kind == ASSIGN and isinstance(binding.value, ast.Constant) and binding.value.value is None:
                continue  # `except ImportError: np = None` keeps the import's meaning
            elif (binding.kind == ASSIGN and isinstance(binding.value, (ast.Name, ast.Attribute))
                  and depth < _MAX_ALIAS_DEPTH):
                target = self.qualified_name(binding.value, depth + 1)
                if target is None:
                    return None
                found.append(target)
            else:
                return None
        if not found or len({same_thing(t) for t in found}) != 1:
            return None
        return min(found)
