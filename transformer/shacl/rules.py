"""The rules of a layer, precompiled: what a process that validates loads instead of the shapes.

Compiling the shapes (``plan.compile_plan``) needs their rdflib graph: parsing or rebuilding
~40,000 triples and reading ~3,500 shapes takes most of a second, which every ``ctdl validate``
of one file would pay.  The plan is plain JSON, so it is kept in the cache folder of
``rdf_cache`` (``$CTDL_CACHE_DIR``...), named after a hash of the shape files' bytes and of the
compiler's own source: an edited shapes file, or a new version of the compiler, is simply a new
entry, and a process whose entry exists never imports rdflib.  JSON, never pickle: reading a
cache cannot run code; a damaged entry is compiled again.

``Rules`` holds a layer's plan, the engine built from it (on first use) and what the report layer
reads about its shapes (``info``: name and code per shape; ``alternatives``: the predicates of a
shape's sh:or).
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from ..rdf_cache import entry_for, read_entry, write_entry
from . import PLAN_FORMAT

_lock = threading.Lock()
_loaded: dict = {}
_COMPILER = ("plan.py", "params.py")
_KEYS = {"shapes", "class", "subject", "object", "node", "info"}


class Rules:
    def __init__(self, plan: dict):
        self.plan = plan
        self._engine = None

    @property
    def engine(self):
        """The compiled engine of these rules, built once."""
        if self._engine is None:
            from .compiled import CompiledEngine
            with _lock:
                if self._engine is None:
                    self._engine = CompiledEngine(plan=self.plan)
        return self._engine

    def info(self, property_shapes_only: bool = False) -> dict[str, dict]:
        """Per shape IRI: {"name": sh:name, "code": ctdlsh:code} (built on each call: RuleSet.info keeps it)."""
        return {iri: {"name": name, "code": code} for iri, (name, code, is_property, _) in self.plan["info"].items()
                if is_property or not property_shapes_only}

    def alternatives(self, shape_iri: str) -> list[str]:
        """The predicates of the shape's sh:or alternatives that are simple paths."""
        entry = self.plan["info"].get(shape_iri)
        return list(entry[3]) if entry else []


def _compiler_version() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in _COMPILER:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def rules_for(paths: list[Path]) -> Rules:
    """The rules of the Turtle files ``paths``: from the cache when they were compiled before,
    else compiled (ShapesError naming the shape if they cannot be) and kept; once per process."""
    key = tuple(map(str, paths))
    hit = _loaded.get(key)
    if hit is not None:
        return hit
    paths = [Path(p) for p in paths]
    with _lock:
        hit = _loaded.get(key)
        if hit is not None:
            return hit
        try:
            contents = [p.read_bytes() for p in paths]
        except OSError as e:
            from ..errors import ShapesError
            raise ShapesError(f"cannot read the shapes: {e}; nothing was loaded") from e
        entry = entry_for("rules", paths, contents, f"{PLAN_FORMAT} {_compiler_version()}")
        plan = read_entry(entry)
        if not isinstance(plan, dict) or plan.get("format") != PLAN_FORMAT or not _KEYS <= set(plan):
            from . import load_shapes
            from .plan import compile_plan
            plan = compile_plan(load_shapes(paths))
            write_entry(entry, plan)
        rules = _loaded[key] = Rules(plan)
        return rules


__all__ = ["Rules", "rules_for"]
