"""SHACL Core constraints that look at all value nodes together or at other predicates:
sh:minCount, sh:maxCount, sh:hasValue, sh:uniqueLang, sh:equals, sh:disjoint, sh:lessThan,
sh:lessThanOrEquals, sh:closed.

Every compiled constraint (here, in ``values``, ``logical`` and ``durations``) has
``report(ctx, focus, values, out, shape)`` (append RawResults to ``out``) and
``ok(ctx, focus, values) -> bool`` (no result at all; used inside sh:or, sh:node...); those that
can fail when a property shape has no value nodes say so with ``on_empty``.  Each is
built from its plan entry (``params`` reads the shapes into entries) and reproduces pyshacl's
reading (one result per value node, per bound, per class...).
"""
from __future__ import annotations

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


# -- from the plan (params.py writes these entries) ----------------------------------------------
BUILDERS = {
    "count": lambda shapes, n, is_min: Count(n, is_min),
    "uniqueLang": lambda shapes: UniqueLang(),
    "hasValue": lambda shapes, key: HasValue(key),
    "pair": lambda shapes, pred, kind: PropertyPair(pred, kind),
    "closed": lambda shapes, allowed: Closed(frozenset(allowed)),
}
