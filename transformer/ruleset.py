"""The rules a run checks against, as one object passed where it is needed.

A ``RuleSet`` is the shapes of one folder: its policy layer (``*.ttl``), its schema layer
(``schema/*.ttl`` with ``vocabularies.ttl``), each compiled once per content (``shacl/rules.py``),
what the report says about each shape, and the rdflib graphs the reference engine, the templates
and the docs read.  ``RuleSet.default()`` is the project's (``shapes/``, or ``$CTDL_SHAPES`` read
once); ``RuleSet.for_folder(DIR)`` is a maintainer's working copy (``--shapes DIR``): another object,
not a changed environment, so both can be used in one process.

    rules = RuleSet.for_folder("my-shapes")
    validate_document(doc, rules=rules)
"""
from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path

_lock = threading.Lock()
_sets: dict = {}
_defaults: dict = {}


class RuleSet:
    def __init__(self, shapes_dir: Path):
        self.shapes_dir = Path(shapes_dir).resolve()
        self._graphs: dict = {}
        self._info: dict = {}

    def __repr__(self) -> str:
        return f"<RuleSet {self.shapes_dir}>"

    # -- where they come from ----------------------------------------------------------------
    @classmethod
    def default(cls) -> "RuleSet":
        """The project's rules (``shapes/``; ``$CTDL_SHAPES`` names another folder).  Asked for on
        every document validated: looked up by the (cached) folder, not resolved again."""
        from .resources import data_dir
        folder = data_dir("shapes")
        hit = _defaults.get(folder)
        if hit is None:
            hit = _defaults[folder] = cls.for_folder(folder, check=False)
        return hit

    @classmethod
    def for_folder(cls, folder: Path | str, check: bool = True) -> "RuleSet":
        """The rules of ``folder``, one object per folder in a process; ShapesError if it holds no shapes."""
        path = Path(folder).resolve()
        hit = _sets.get(path)
        if hit is not None:
            return hit
        if check and (not path.is_dir() or not any(path.glob("*.ttl"))):
            from .errors import ShapesError
            raise ShapesError(f"{folder} is not a folder of shapes (*.ttl files)")
        with _lock:
            return _sets.setdefault(path, cls(path))

    # the files and the compiled rules are looked up once: both are read once per process anyway
    # (``shacl.rules.rules_for``), and the layers are asked for on every document validated
    @cached_property
    def _files(self) -> dict[str, list[Path]]:
        folder = self.shapes_dir / "schema"
        schema = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
        # provisional records (a provisional request): their own policy layer instead of the folder's
        provisional = sorted((self.shapes_dir / "provisional").glob("*.ttl"))
        return {"policy": sorted(self.shapes_dir.glob("*.ttl")),
                "schema": schema + [self.shapes_dir / "vocabularies.ttl"] if schema else [],
                "provisional": provisional}

    def policy_files(self) -> list[Path]:
        return self._files["policy"]

    def schema_files(self) -> list[Path]:
        return self._files["schema"]

    # -- compiled (what validation runs) -------------------------------------------------------
    @cached_property
    def policy(self):
        """The policy layer's compiled rules (``shacl.rules.Rules``)."""
        from .shacl.rules import rules_for
        return rules_for(self.policy_files())

    @cached_property
    def schema(self):
        """The schema layer's compiled rules, or None when the folder has none."""
        from .shacl.rules import rules_for
        files = self.schema_files()
        return rules_for(files) if files else None

    @cached_property
    def provisional(self):
        """The provisional records' layer (``provisional/*.ttl``), or None when the folder has none."""
        from .shacl.rules import rules_for
        files = self._files["provisional"]
        return rules_for(files) if files else None

    def engine(self, name: str = "compiled", layer: str = "policy"):
        """The SHACL engine ``name`` of a layer (None: the folder has no such layer)."""
        if name == "compiled":
            rules = getattr(self, layer)
            return rules.engine if rules is not None else None
        from .shacl import get_engine
        graph = self.graph(layer)
        return get_engine(name, graph) if graph is not None else None

    def info(self, layer: str = "policy") -> dict[str, dict]:
        """Per shape IRI, its sh:name and ctdlsh:code; the schema layer's adds its property shapes
        to the policy layer's."""
        hit = self._info.get(layer)
        if hit is None:
            hit = dict(self.provisional.info() if layer == "provisional" and self.provisional else self.policy.info())
            if layer == "schema" and self.schema is not None:
                hit.update(self.schema.info(property_shapes_only=True))
            self._info[layer] = hit
        return hit

    def alternatives(self, shape_iri: str) -> list[str]:
        """The predicates of a policy shape's sh:or alternatives."""
        return self.policy.alternatives(shape_iri)

    # -- as rdflib graphs (the reference engine, templates, docs, the maintainers' checks) -------
    def graph(self, layer: str = "policy"):
        """The layer's shapes as one rdflib graph (parsed once per content; None: no schema layer)."""
        if layer not in self._graphs:
            from .shacl import load_shapes
            files = self._files[layer]
            self._graphs[layer] = load_shapes(files) if files else None
        return self._graphs[layer]


__all__ = ["RuleSet"]
