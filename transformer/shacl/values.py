"""SHACL Core constraints that test each value node on its own: sh:class, sh:datatype,
sh:nodeKind, sh:min/maxInclusive/Exclusive, sh:min/maxLength, sh:pattern, sh:languageIn, sh:in.

Each becomes a :class:`ValueTest` (one result per failing value node, with the value as
sh:value); the tests reproduce pyshacl's reading of each parameter (see ``literals`` for how
literals are typed, compared and ordered).
"""
from __future__ import annotations

import re

from ..graph import BNode, Literal, RDF_TYPE
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


def _pattern_test(source: str, flags: int):
    """Compiled on first use: most of the ~500 patterns never meet a value in a given run."""
    search = None

    def test(v):
        nonlocal search
        if search is None:
            search = re.compile(source, flags).search
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


# -- from the plan (params.py writes these entries) ----------------------------------------------
def _in(keys):
    keys = frozenset(keys)
    return lambda v: tkey(v) in keys


BUILDERS = {
    "class": lambda shapes, cls: ValueTest(_class_test(cls), cc("Class"), True),
    "datatype": lambda shapes, dt: ValueTest(datatype_test(dt), cc("Datatype")),
    "nodeKind": lambda shapes, kinds: ValueTest(_nodekind_test(kinds), cc("NodeKind")),
    "range": lambda shapes, op, lex, dt, lang: ValueTest(_range_test(RL(lex, dt, lang), op),
                                                         cc(op[0].upper() + op[1:])),
    "length": lambda shapes, n, is_min: ValueTest(_length_test(n, is_min),
                                                  cc("MinLength" if is_min else "MaxLength")),
    "pattern": lambda shapes, source, flags: ValueTest(_pattern_test(source, flags), cc("Pattern")),
    "languageIn": lambda shapes, langs: ValueTest(_language_in_test(set(langs)), cc("LanguageIn")),
    "in": lambda shapes, keys: ValueTest(_in(keys), cc("In")),
}
