"""SHACL Core constraints that test each value node on its own: sh:class, sh:datatype,
sh:nodeKind, sh:min/maxInclusive/Exclusive, sh:min/maxLength, sh:pattern, sh:languageIn, sh:in.

Each becomes a :class:`ValueTest` (one result per failing value node, with the value as
sh:value); the tests reproduce pyshacl's reading of each parameter (see ``literals`` for how
literals are typed, compared and ordered).
"""
from __future__ import annotations

import re

import rdflib

from ..graph import BNode, Literal, RDF_TYPE
from . import SH
from .constraints import cc
from .literals import RL, compare, datatype_test, tkey


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


# -- the tests ---------------------------------------------------------------------------------
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


def compile_in(comp, spec, objs):
    comp.require(spec, len(objs) == 1, "one sh:in")
    keys = frozenset(comp.key(x) for x in comp.list(spec, objs[0], "sh:in", allow_empty=True))
    return [ValueTest(lambda v, keys=keys: tkey(v) in keys, cc("In"))]


HANDLERS = {
    SH + "class": compile_class,
    SH + "datatype": compile_datatype,
    SH + "nodeKind": compile_node_kind,
    SH + "minExclusive": lambda c, s, o: compile_range(c, s, o, "minExclusive"),
    SH + "minInclusive": lambda c, s, o: compile_range(c, s, o, "minInclusive"),
    SH + "maxExclusive": lambda c, s, o: compile_range(c, s, o, "maxExclusive"),
    SH + "maxInclusive": lambda c, s, o: compile_range(c, s, o, "maxInclusive"),
    SH + "minLength": lambda c, s, o: compile_length(c, s, o, True),
    SH + "maxLength": lambda c, s, o: compile_length(c, s, o, False),
    SH + "pattern": compile_pattern,
    SH + "languageIn": compile_language_in,
    SH + "in": compile_in,
}
COMPANIONS = {SH + "flags": SH + "pattern"}
