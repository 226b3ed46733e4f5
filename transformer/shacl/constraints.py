"""SHACL Core constraints that look at value nodes (not at other shapes), compiled to objects.

Every constraint has ``report(ctx, focus, values, out, shape)`` (append RawResults to ``out``) and
``ok(ctx, focus, values) -> bool`` (no result at all; used inside sh:or, sh:node...).  Handlers
``compile_<param>(comp, spec, objects)`` turn a shape's parameter values into constraints; each
reproduces pyshacl's reading (one result per value node, per bound, per class...).
"""
from __future__ import annotations

import re

import rdflib

from ..graph import BNode, IRI, Literal, RDF_TYPE
from . import SH
from .literals import RL, compare, datatype_test, le, lt, tkey
from .paths import predicate_values

RDFS_SUBCLASSOF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDFS_RESOURCE = "http://www.w3.org/2000/01/rdf-schema#Resource"


def cc(name: str) -> str:
    return f"{SH}{name}ConstraintComponent"


class ValueTest:
    """A test on each value node on its own; one result per failing value."""

    __slots__ = ("test", "component", "needs_ctx")

    def __init__(self, test, component: str, needs_ctx: bool = False):
        self.test, self.component, self.needs_ctx = test, component, needs_ctx

    def report(self, ctx, focus, values, out, shape):
        test = self.test
        if self.needs_ctx:
            for v in values:
                if not test(ctx, v):
                    out.append(shape.result(ctx, focus, v, self.component))
        else:
            for v in values:
                if not test(v):
                    out.append(shape.result(ctx, focus, v, self.component))

    def ok(self, ctx, focus, values):
        test = self.test
        if self.needs_ctx:
            for v in values:
                if not test(ctx, v):
                    return False
        else:
            for v in values:
                if not test(v):
                    return False
        return True


class Count:
    __slots__ = ("n", "is_min", "component")

    def __init__(self, n: int, is_min: bool):
        self.n, self.is_min = n, is_min
        self.component = cc("MinCount" if is_min else "MaxCount")

    def ok(self, ctx, focus, values):
        return len(values) >= self.n if self.is_min else len(values) <= self.n

    def report(self, ctx, focus, values, out, shape):
        if not self.ok(ctx, focus, values):
            out.append(shape.result(ctx, focus, None, self.component))


class HasValue:
    __slots__ = ("key",)
    component = cc("HasValue")

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

    __slots__ = ("other", "kind", "component")

    def __init__(self, pred: str, kind: str):
        self.other, self.kind = predicate_values(pred), kind
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


# -- value tests -----------------------------------------------------------------------------
def _class_test(cls: str):
    def test(ctx, v):
        if v.__class__ is Literal:
            return False
        n = ctx.nodes.get(v)
        if n is None:
            return False
        if cls in n.types:
            return True
        supers = ctx.supers
        if supers:
            extra = n.props.get(RDF_TYPE, ())
            for t in (*n.types, *extra):
                if cls in supers.get(t, ()):
                    return True
        return False
    return test


_KINDS = {SH + "IRI": "I", SH + "BlankNode": "B", SH + "Literal": "L", SH + "BlankNodeOrIRI": "BI",
          SH + "BlankNodeOrLiteral": "BL", SH + "IRIOrLiteral": "IL"}


def _nodekind_test(kinds: str):
    iri, blank, lit = "I" in kinds, "B" in kinds, "L" in kinds

    def test(v):
        if v.__class__ is Literal:
            return lit
        if v.__class__ is BNode:
            return blank
        return iri
    return test


def _range_test(bound: RL, op: str):
    bound_is_string = bound.is_string
    accept = {"minExclusive": (1,), "minInclusive": (0, 1), "maxExclusive": (-1,),
              "maxInclusive": (-1, 0)}[op]

    def test(v):
        if v.__class__ is not Literal:
            return False
        a = RL.of_data(v)
        if a.is_string != bound_is_string:
            return False
        try:
            return compare(a, bound) in accept
        except TypeError:
            return False
    return test


def value_string(v) -> str | None:
    """The string pyshacl matches sh:pattern / measures sh:minLength on (None for blank nodes)."""
    if v.__class__ is Literal:
        return v.value
    return None if v.__class__ is BNode else str(v)


def _length_test(n: int, is_min: bool):
    if is_min and n == 0:
        return lambda v: True

    def test(v):
        s = value_string(v)
        if s is None:
            return False
        return len(s) >= n if is_min else len(s) <= n
    return test


def _pattern_test(rx):
    search = rx.search

    def test(v):
        s = value_string(v)
        return s is not None and search(s) is not None
    return test


def _language_in_test(langs: set):
    wildcard = "*" in langs

    def test(v):
        if v.__class__ is not Literal or not v.lang:
            return False
        if wildcard:
            return True
        lang = v.lang.lower()
        return lang in langs or lang.split("-")[0] in langs
    return test


# -- handlers: (comp, spec, objects) -> list of constraints ---------------------------------------
def compile_class(comp, spec, objs):
    out = []
    for c in objs:
        comp.require(spec, isinstance(c, (rdflib.URIRef, rdflib.BNode)), "sh:class needs an IRI")
        out.append(ValueTest(_class_test(comp.term(c)), cc("Class"), True))
    return out


def compile_datatype(comp, spec, objs):
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.URIRef), "one IRI sh:datatype")
    if str(objs[0]) == "http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML":
        comp.fail(spec, "sh:datatype rdf:HTML is not supported")
    return [ValueTest(datatype_test(str(objs[0])), cc("Datatype"))]


def compile_node_kind(comp, spec, objs):
    comp.require(spec, len(objs) == 1 and str(objs[0]) in _KINDS, "one known sh:nodeKind")
    return [ValueTest(_nodekind_test(_KINDS[str(objs[0])]), cc("NodeKind"))]


def compile_count(comp, spec, objs, is_min: bool):
    name = "sh:minCount" if is_min else "sh:maxCount"
    comp.require(spec, spec.is_property, f"{name} on a node shape")
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and str(objs[0].datatype) == "http://www.w3.org/2001/XMLSchema#integer"
                 and isinstance(objs[0].value, int) and objs[0].value >= 0,
                 f"{name} needs one non-negative xsd:integer")
    n = objs[0].value
    return [] if is_min and n == 0 else [Count(n, is_min)]


def compile_range(comp, spec, objs, op: str):
    out = []
    for b in objs:
        comp.require(spec, isinstance(b, rdflib.Literal), f"sh:{op} needs a literal")
        dt = str(b.datatype) if b.datatype else None
        comp.require(spec, dt is None or not (dt.endswith("Duration") or dt.endswith("#duration")
                                              or dt.endswith("Binary") or "rdf-syntax" in dt),
                     f"sh:{op} with a {dt} bound is not supported")
        out.append(ValueTest(_range_test(RL(str(b), dt, b.language), op), cc(op[0].upper() + op[1:])))
    return out


def _int_param(comp, spec, objs, name):
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and isinstance(objs[0].value, int) and not isinstance(objs[0].value, bool)
                 and objs[0].value >= 0 and not objs[0].ill_typed, f"{name} needs one integer >= 0")
    return objs[0].value


def compile_length(comp, spec, objs, is_min: bool):
    name = "sh:minLength" if is_min else "sh:maxLength"
    n = _int_param(comp, spec, objs, name)
    return [ValueTest(_length_test(n, is_min), cc("MinLength" if is_min else "MaxLength"))]


def compile_pattern(comp, spec, objs):
    flags = spec.params.get(SH + "flags", [])
    comp.require(spec, len(flags) <= 1, "more than one sh:flags")
    re_flags = 0
    if flags:
        f = str(flags[0]).lower()
        comp.require(spec, set(f) <= {"i", "m"}, f"sh:flags {f!r} (only i and m are supported)")
        re_flags = (re.I if "i" in f else 0) | (re.M if "m" in f else 0)
    out = []
    for p in objs:
        comp.require(spec, isinstance(p, rdflib.Literal), "sh:pattern needs a literal")
        try:
            rx = re.compile(str(p), re_flags)
        except re.error as e:
            comp.fail(spec, f"invalid sh:pattern {str(p)!r}: {e}")
        out.append(ValueTest(_pattern_test(rx), cc("Pattern")))
    return out


def compile_language_in(comp, spec, objs):
    comp.require(spec, len(objs) == 1, "one sh:languageIn")
    langs = comp.list(spec, objs[0], "sh:languageIn")
    comp.require(spec, all(isinstance(x, rdflib.Literal) and isinstance(x.value, str) for x in langs),
                 "sh:languageIn members must be strings")
    return [ValueTest(_language_in_test({str(x).lower() for x in langs}), cc("LanguageIn"))]


def compile_unique_lang(comp, spec, objs):
    comp.require(spec, spec.is_property, "sh:uniqueLang on a node shape")
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and isinstance(objs[0].value, bool), "one boolean sh:uniqueLang")
    return [UniqueLang()] if objs[0].value else []


def compile_in(comp, spec, objs):
    comp.require(spec, len(objs) == 1, "one sh:in")
    keys = frozenset(comp.key(x) for x in comp.list(spec, objs[0], "sh:in", allow_empty=True))
    return [ValueTest(lambda v, keys=keys: tkey(v) in keys, cc("In"))]


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
    SH + "class": compile_class,
    SH + "datatype": compile_datatype,
    SH + "nodeKind": compile_node_kind,
    SH + "minCount": lambda c, s, o: compile_count(c, s, o, True),
    SH + "maxCount": lambda c, s, o: compile_count(c, s, o, False),
    SH + "minExclusive": lambda c, s, o: compile_range(c, s, o, "minExclusive"),
    SH + "minInclusive": lambda c, s, o: compile_range(c, s, o, "minInclusive"),
    SH + "maxExclusive": lambda c, s, o: compile_range(c, s, o, "maxExclusive"),
    SH + "maxInclusive": lambda c, s, o: compile_range(c, s, o, "maxInclusive"),
    SH + "minLength": lambda c, s, o: compile_length(c, s, o, True),
    SH + "maxLength": lambda c, s, o: compile_length(c, s, o, False),
    SH + "pattern": compile_pattern,
    SH + "languageIn": compile_language_in,
    SH + "uniqueLang": compile_unique_lang,
    SH + "in": compile_in,
    SH + "hasValue": compile_has_value,
    SH + "equals": lambda c, s, o: compile_pair(c, s, o, "eq"),
    SH + "disjoint": lambda c, s, o: compile_pair(c, s, o, "dis"),
    SH + "lessThan": lambda c, s, o: compile_pair(c, s, o, "lt"),
    SH + "lessThanOrEquals": lambda c, s, o: compile_pair(c, s, o, "le"),
    SH + "closed": compile_closed,
}
# parameters read by the handler of another parameter
COMPANIONS = {SH + "flags": SH + "pattern", SH + "ignoredProperties": SH + "closed"}

__all__ = ["HANDLERS", "COMPANIONS", "ValueTest", "cc", "IRI"]
