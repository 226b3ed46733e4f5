"""SHACL Core constraints that look at all value nodes together or at other predicates:
sh:minCount, sh:maxCount, sh:hasValue, sh:uniqueLang, sh:equals, sh:disjoint, sh:lessThan,
sh:lessThanOrEquals, sh:closed.

Every compiled constraint (here, in ``values``, ``logical`` and ``durations``) has
``report(ctx, focus, values, out, shape)`` (append RawResults to ``out``) and
``ok(ctx, focus, values) -> bool`` (no result at all; used inside sh:or, sh:node...); those that
can fail when a property shape has no value nodes say so with ``on_empty``.  Handlers
``compile_<param>(comp, spec, objects)`` turn a shape's parameter values into constraints, each
reproducing pyshacl's reading (one result per value node, per bound, per class...).
"""
from __future__ import annotations

import rdflib

from ..graph import BNode, Literal, RDF_TYPE
from . import SH
from .literals import RL, le, lt, tkey
from .paths import predicate_values

RDFS_SUBCLASSOF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDFS_RESOURCE = "http://www.w3.org/2000/01/rdf-schema#Resource"


def cc(name: str) -> str:
    return f"{SH}{name}ConstraintComponent"


class Count:
    __slots__ = ("n", "is_min", "component", "on_empty")

    def __init__(self, n: int, is_min: bool):
        self.n, self.is_min = n, is_min
        self.on_empty = is_min
        self.component = cc("MinCount" if is_min else "MaxCount")

    def ok(self, ctx, focus, values):
        return len(values) >= self.n if self.is_min else len(values) <= self.n

    def report(self, ctx, focus, values, out, shape):
        if not self.ok(ctx, focus, values):
            out.append(shape.result(ctx, focus, None, self.component))


class HasValue:
    __slots__ = ("key",)
    component = cc("HasValue")
    on_empty = True

    def __init__(self, key):
        self.key = key

    def ok(self, ctx, focus, values):
        key = self.key
        return any(tkey(v) == key for v in values)

    def report(self, ctx, focus, values, out, shape):
        if not self.ok(ctx, focus, values):
            out.append(shape.result(ctx, focus, None, self.component))


class UniqueLang:
    __slots__ = ()
    component = cc("UniqueLang")

    @staticmethod
    def duplicates(values) -> int:
        seen, dups = set(), set()
        for v in values:
            if v.__class__ is Literal and v.lang:
                lang = v.lang.lower()
                (dups if lang in seen else seen).add(lang)
        return len(dups)

    def ok(self, ctx, focus, values):
        return len(values) < 2 or not self.duplicates(values)

    def report(self, ctx, focus, values, out, shape):
        if len(values) > 1:
            for _ in range(self.duplicates(values)):
                out.append(shape.result(ctx, focus, None, self.component))


class PropertyPair:
    """sh:equals / sh:disjoint / sh:lessThan / sh:lessThanOrEquals against another predicate."""

    __slots__ = ("other", "kind", "component", "on_empty")

    def __init__(self, pred: str, kind: str):
        self.other, self.kind = predicate_values(pred), kind
        self.on_empty = kind == "eq"
        self.component = cc({"eq": "Equals", "dis": "Disjoint", "lt": "LessThan",
                             "le": "LessThanOrEquals"}[kind])

    def failures(self, ctx, focus, values) -> list:
        others = self.other(ctx, focus)
        kind = self.kind
        if kind == "eq":
            mine = {tkey(v) for v in values}
            theirs = {tkey(o) for o in others}
            return [v for v in values if tkey(v) not in theirs] + \
                   [o for o in others if tkey(o) not in mine]
        if kind == "dis":
            theirs = {tkey(o) for o in others}
            return [v for v in values if tkey(v) in theirs]
        bad = []
        for v in values:
            for o in others:
                if not _ordered(v, o, kind == "le"):
                    bad.append(v)
        return bad

    def ok(self, ctx, focus, values):
        if not values and self.kind != "eq":
            return True
        return not self.failures(ctx, focus, values)

    def report(self, ctx, focus, values, out, shape):
        if not values and self.kind != "eq":
            return
        for v in self.failures(ctx, focus, values):
            out.append(shape.result(ctx, focus, v, self.component))


def _as_comparable(t):
    """(is_string, comparable) as pyshacl's sh:lessThan sees a term; None for blank nodes."""
    if t.__class__ is Literal:
        rl = RL.of_data(t)
        return (True, rl.value) if isinstance(rl.value, str) else (False, rl)
    if isinstance(t, BNode):
        return None
    return True, str(t)


def _ordered(v, o, or_equal: bool) -> bool:
    a, b = _as_comparable(v), _as_comparable(o)
    if a is None or b is None:      # pyshacl stops with an error; we report the value
        return False
    if a[0] != b[0]:
        return False
    if a[0]:
        return a[1] <= b[1] if or_equal else a[1] < b[1]
    return le(a[1], b[1]) if or_equal else lt(a[1], b[1])


class Closed:
    __slots__ = ("allowed",)
    component = cc("Closed")

    def __init__(self, allowed: frozenset):
        self.allowed = allowed

    def extra(self, ctx, values):
        allowed = self.allowed
        for v in values:
            n = ctx.nodes.get(v) if v.__class__ is not Literal else None
            if n is None:
                continue
            if RDF_TYPE not in allowed:
                for t in n.types:
                    if t != RDFS_RESOURCE:
                        yield v, RDF_TYPE, t
            for p, objs in n.props.items():
                if p not in allowed:
                    for o in objs:
                        if not (p == RDF_TYPE and o == RDFS_RESOURCE):
                            yield v, p, o

    def ok(self, ctx, focus, values):
        for _ in self.extra(ctx, values):
            return False
        return True

    def report(self, ctx, focus, values, out, shape):
        for _v, p, o in self.extra(ctx, values):
            out.append(shape.result(ctx, focus, o, self.component, p))


# -- handlers: (comp, spec, objects) -> list of constraints ---------------------------------------
def compile_count(comp, spec, objs, is_min: bool):
    name = "sh:minCount" if is_min else "sh:maxCount"
    comp.require(spec, spec.is_property, f"{name} on a node shape")
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and str(objs[0].datatype) == "http://www.w3.org/2001/XMLSchema#integer"
                 and isinstance(objs[0].value, int) and objs[0].value >= 0,
                 f"{name} needs one non-negative xsd:integer")
    n = objs[0].value
    return [] if is_min and n == 0 else [Count(n, is_min)]


def compile_unique_lang(comp, spec, objs):
    comp.require(spec, spec.is_property, "sh:uniqueLang on a node shape")
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and isinstance(objs[0].value, bool), "one boolean sh:uniqueLang")
    return [UniqueLang()] if objs[0].value else []


def compile_has_value(comp, spec, objs):
    return [HasValue(comp.key(x)) for x in objs]


def compile_pair(comp, spec, objs, kind: str):
    name = {"eq": "sh:equals", "dis": "sh:disjoint", "lt": "sh:lessThan", "le": "sh:lessThanOrEquals"}[kind]
    if kind in ("lt", "le"):
        comp.require(spec, spec.is_property, f"{name} on a node shape")
    comp.require(spec, all(isinstance(o, rdflib.URIRef) for o in objs), f"{name} needs IRIs")
    return [PropertyPair(str(o), kind) for o in objs]


def compile_closed(comp, spec, objs):
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and isinstance(objs[0].value, bool), "one boolean sh:closed")
    if not objs[0].value:
        return []
    allowed = set()
    for lst in spec.params.get(SH + "ignoredProperties", []):
        allowed.update(str(x) for x in comp.list(spec, lst, "sh:ignoredProperties", allow_empty=True))
    for p in spec.params.get(SH + "property", []):
        path = comp.g.value(p, rdflib.URIRef(SH + "path"))
        if isinstance(path, rdflib.URIRef):
            allowed.add(str(path))
    return [Closed(frozenset(allowed))]


HANDLERS = {
    SH + "minCount": lambda c, s, o: compile_count(c, s, o, True),
    SH + "maxCount": lambda c, s, o: compile_count(c, s, o, False),
    SH + "uniqueLang": compile_unique_lang,
    SH + "hasValue": compile_has_value,
    SH + "equals": lambda c, s, o: compile_pair(c, s, o, "eq"),
    SH + "disjoint": lambda c, s, o: compile_pair(c, s, o, "dis"),
    SH + "lessThan": lambda c, s, o: compile_pair(c, s, o, "lt"),
    SH + "lessThanOrEquals": lambda c, s, o: compile_pair(c, s, o, "le"),
    SH + "closed": compile_closed,
}
COMPANIONS = {SH + "ignoredProperties": SH + "closed"}
