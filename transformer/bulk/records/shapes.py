"""What the shapes say about the record columns, read once from the project's rules
(``ShapeReader``: names, groups, orders, descriptions, vocabularies and the classes each record
shape targets)."""
from __future__ import annotations

import json
from functools import lru_cache

from ...context import ctdl_context
from ...resources import data_dir
from ...ruleset import RuleSet
from ...vocab import schema_index, vocabularies
from .columns import OPTIONAL, CETERMS, CTDLSH, GROUP_NS, RDFS, SH, SHAPE_NS, Term

# -- the shapes, read once per rule set -------------------------------------------------------------
@lru_cache(maxsize=1)
def schema_facts() -> dict:
    data = json.loads((data_dir("vocabularies") / "schema-index.json").read_text(encoding="utf-8"))
    ctx = ctdl_context()
    full = lambda c: ctx.expand_curie(c) or c  # noqa: E731
    return {"ranges": {full(k): v for k, v in data["ranges"].items()},
            "single": {full(p) for p in data["single_valued"]},
            "definitions": {full(k): v for k, v in data["definitions"].items()}}


def compact(iri: str) -> str:
    if iri.startswith(SHAPE_NS):
        return "shape:" + iri[len(SHAPE_NS):]
    return ctdl_context().compact(iri)


class ShapeReader:
    def __init__(self, rules: RuleSet | None = None) -> None:
        import rdflib

        self.rdflib = rdflib
        self.rules = rules or RuleSet.default()
        self.g = self.rules.graph()
        self.U = lambda local, ns=SH: rdflib.URIRef(ns + local)  # noqa: E731
        g, U = self.g, self.U
        self.groups: dict[str, tuple[str, int]] = {}
        for grp in g.subjects(U("type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"), U("PropertyGroup")):
            label = str(g.value(grp, U("label", RDFS)) or "")
            self.groups[str(grp)] = (label, int(g.value(grp, U("order")) or 9))
        # classes that have records (RecordsOf targets) or checked reference stubs: what a reference can name
        self.record_targets: dict = {}          # node shape -> set of classes
        self.referenceable: set[str] = set()
        for shape, decl in g.subject_objects(U("target")):
            kinds = {str(t) for t in g.objects(decl, U("type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"))}
            cls = g.value(decl, U("class", CTDLSH))
            if cls is None:
                continue
            if CTDLSH + "RecordsOf" in kinds:
                self.record_targets.setdefault(shape, set()).add(str(cls))
                self.referenceable.add(str(cls))
            if CTDLSH + "ReferencesTo" in kinds:
                self.referenceable.add(str(cls))
        # classes whose shapes target them by class: nested profiles (ConditionProfile, CostProfile...)
        self.profiles = ({str(c) for c in g.objects(None, U("targetClass"))} - schema_index().entity_classes
                         - {CETERMS + "CredentialAlignmentObject"})

    def value(self, s, local, ns=SH):
        return self.g.value(s, self.U(local, ns))

    def values(self, s, local, ns=SH) -> list:
        return list(self.g.objects(s, self.U(local, ns)))

    def text(self, s, local, ns=SH) -> str:
        v = self.value(s, local, ns)
        return str(v) if v is not None else ""

    def path(self, s) -> tuple[str, ...] | None:
        """A predicate or sequence path as a tuple of IRIs; None for other paths."""
        p = self.value(s, "path")
        if p is None:
            return None
        if isinstance(p, self.rdflib.URIRef):
            return (str(p),)
        items = list(self.g.items(p)) if (p, self.rdflib.RDF.first, None) in self.g else []
        if items and all(isinstance(i, self.rdflib.URIRef) for i in items):
            return tuple(str(i) for i in items)
        return None

    def group(self, s) -> tuple[str, int]:
        iri = self.text(s, "group")
        local = iri[len(GROUP_NS):] if iri.startswith(GROUP_NS) else OPTIONAL
        return local, self.groups.get(iri, ("", 9))[1]

    def order(self, s) -> float:
        v = self.value(s, "order")
        try:
            return float(v) if v is not None else 99.0
        except (TypeError, ValueError):
            return 99.0

    def is_warning(self, s) -> bool:
        return self.text(s, "severity") == SH + "Warning"

    def scheme_terms(self, scheme_shape) -> tuple[Term, ...]:
        scheme = self.value(scheme_shape, "conceptScheme", CTDLSH)
        sch = vocabularies().schemes.get(str(scheme)) if scheme is not None else None
        if sch is None:
            return ()
        order = [str(i) for lst in self.values(scheme_shape, "in") for i in self.g.items(lst)]
        concepts = [sch.concepts[i] for i in order if i in sch.concepts] or list(sch.concepts.values())
        return tuple(Term(c.label or c.notation, c.notation) for c in concepts)
