"""Resolve local names to qualified names through a file's imports.

``ImportMap`` reads every ``import`` statement of a file, wherever it sits, and
turns an expression such as ``npr.default_rng`` or ``cudnn.benchmark`` into
``numpy.random.default_rng`` or ``torch.backends.cudnn.benchmark``.  Public
re-exports are folded onto one canonical spelling, so that a rule only ever
compares against ``torch.utils.data.DataLoader``, never against
``torch.utils.data.dataloader.DataLoader``.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable

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


class ImportMap:
    """Local name -> qualified name, built from every import in a file.

    A name bound by two imports to different things is ambiguous and resolves to
    nothing: precision over recall.  Star imports bind nothing we can know.
    """

    def __init__(self, imports: Iterable[ast.Import | ast.ImportFrom]) -> None:
        bound: dict[str, str | None] = {}
        for node in imports:
            for local, target in _bindings(node):
                # `try: import lightning.pytorch as pl / except ImportError: import
                # pytorch_lightning as pl` binds one thing under two spellings.
                if local in bound and canonical(f"{bound[local]}.") != canonical(f"{target}."):
                    bound[local] = None
                else:
                    bound[local] = target
        self._bound = bound
        self._canonical: dict[str, str] = {}  # per file, so memory does not grow across files

    def roots(self) -> set[str]:
        """The top-level modules this file imports from."""
        return {q.split(".", 1)[0] for q in self._bound.values() if q}

    def qualified_name(self, node: ast.expr) -> str | None:
        """The canonical qualified name of a name or attribute chain, if imported."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self._bound.get(node.id)
        if base is None:
            return None
        if attrs:
            attrs.reverse()
            base = base + "." + ".".join(attrs)
        found = self._canonical.get(base)
        if found is None:
            found = self._canonical[base] = canonical(base)
        return found


def _bindings(node: ast.Import | ast.ImportFrom) -> Iterable[tuple[str, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                # `import torch.utils.data` binds `torch`.
                root = alias.name.split(".", 1)[0]
                yield root, root
        return
    module = "." * node.level + (node.module or "")
    for alias in node.names:
        if alias.name == "*":
            continue
        joiner = "" if module.endswith(".") or not module else "."
        yield alias.asname or alias.name, module + joiner + alias.name
