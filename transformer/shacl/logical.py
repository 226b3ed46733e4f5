"""Shape-based constraints: sh:property, sh:node, sh:not, sh:and, sh:or, sh:xone,
sh:qualifiedValueShape.

Only sh:property passes the nested shape's own results up (with the nested shape as source, as
pyshacl does; ``ctx.root`` tracks the nearest named shape on the way, for blank-node shapes);
the others ask the nested shapes only whether a value conforms and report one result at the
referring shape, with the value node as sh:value.
"""
from __future__ import annotations

import rdflib

from . import SH
from .constraints import cc


class PropertyC:
    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    def ok(self, ctx, focus, values):
        s = self.shape
        for v in values:
            if not s.conforms(ctx, v):
                return False
        return True

    def report(self, ctx, focus, values, out, shape):
        s = self.shape
        prev = ctx.root
        if s.named:
            ctx.root = s.id
        for v in values:
            s.report(ctx, v, out)
        ctx.root = prev


class _PerValue:
    """One result per value node that fails ``passes(ctx, v)``."""

    __slots__ = ("shapes",)
    component = ""

    def __init__(self, shapes):
        self.shapes = shapes

    def ok(self, ctx, focus, values):
        for v in values:
            if not self.passes(ctx, v):
                return False
        return True

    def report(self, ctx, focus, values, out, shape):
        for v in values:
            if not self.passes(ctx, v):
                out.append(shape.result(ctx, focus, v, self.component))


class NodeC(_PerValue):
    __slots__ = ()
    component = cc("Node")

    def passes(self, ctx, v):
        return self.shapes[0].conforms(ctx, v)


class NotC(_PerValue):
    __slots__ = ()
    component = cc("Not")

    def passes(self, ctx, v):
        return not self.shapes[0].conforms(ctx, v)


class AndC(_PerValue):
    __slots__ = ()
    component = cc("And")

    def passes(self, ctx, v):
        for s in self.shapes:
            if not s.conforms(ctx, v):
                return False
        return True


class OrC(_PerValue):
    __slots__ = ()
    component = cc("Or")

    def passes(self, ctx, v):
        for s in self.shapes:
            if s.conforms(ctx, v):
                return True
        return False


class XoneC(_PerValue):
    __slots__ = ()
    component = cc("Xone")

    def passes(self, ctx, v):
        n = 0
        for s in self.shapes:
            if s.conforms(ctx, v):
                n += 1
        return n == 1


class QualifiedC:
    __slots__ = ("shape", "siblings", "min", "max", "on_empty")

    def __init__(self, shape, siblings, qmin, qmax):
        self.shape, self.siblings, self.min, self.max = shape, siblings, qmin, qmax
        self.on_empty = qmin is not None and qmin > 0

    def counts(self, ctx, values) -> int:
        n = 0
        for v in values:
            if self.shape.conforms(ctx, v) and not any(s.conforms(ctx, v) for s in self.siblings):
                n += 1
        return n

    def failures(self, ctx, values) -> list:
        n = self.counts(ctx, values)
        bad = []
        if self.max is not None and n > self.max:
            bad.append(cc("QualifiedMaxCount"))
        if self.min is not None and n < self.min:
            bad.append(cc("QualifiedMinCount"))
        return bad

    def ok(self, ctx, focus, values):
        return not self.failures(ctx, values)

    def report(self, ctx, focus, values, out, shape):
        for component in self.failures(ctx, values):
            out.append(shape.result(ctx, focus, None, component))


# -- handlers ---------------------------------------------------------------------------------
def compile_property(comp, spec, objs):
    out = []
    for o in objs:
        s = comp.shape(o, spec, "sh:property")
        comp.require(spec, s.is_property, f"sh:property value {s.id} is not a property shape")
        out.append(PropertyC(s))
    return out


def _node_shapes(comp, spec, objs, name):
    out = []
    for o in objs:
        s = comp.shape(o, spec, name)
        if name == "sh:node":
            comp.require(spec, not s.is_property, f"sh:node value {s.id} is a property shape")
        out.append(s)
    return out


def compile_node(comp, spec, objs):
    return [NodeC([s]) for s in _node_shapes(comp, spec, objs, "sh:node")]


def compile_not(comp, spec, objs):
    return [NotC([s]) for s in _node_shapes(comp, spec, objs, "sh:not")]


def _lists(cls, name, dedupe: bool):
    def handler(comp, spec, objs):
        out = []
        for lst in objs:
            shapes = _node_shapes(comp, spec, comp.list(spec, lst, name), name)
            if dedupe:                                   # pyshacl keeps a set for and/or
                shapes = list({id(s): s for s in shapes}.values())
            out.append(cls(shapes))
        return out
    return handler


def _count_param(comp, spec, name):
    vals = spec.params.get(SH + name, [])
    if not vals:
        return None
    comp.require(spec, len(vals) == 1 and isinstance(vals[0], rdflib.Literal)
                 and isinstance(vals[0].value, int) and not isinstance(vals[0].value, bool),
                 f"one integer sh:{name}")
    return vals[0].value


def compile_qualified(comp, spec, objs):
    comp.require(spec, spec.is_property, "sh:qualifiedValueShape on a node shape")
    qmin, qmax = _count_param(comp, spec, "qualifiedMinCount"), _count_param(comp, spec, "qualifiedMaxCount")
    comp.require(spec, qmin is not None or qmax is not None,
                 "sh:qualifiedValueShape without sh:qualifiedMinCount or sh:qualifiedMaxCount")
    disjoint = any(isinstance(d, rdflib.Literal) and d.value is True
                   for d in spec.params.get(SH + "qualifiedValueShapesDisjoint", []))
    g, qvs = comp.g, rdflib.URIRef(SH + "qualifiedValueShape")
    out = []
    for o in objs:
        siblings = []
        if disjoint:
            sib_nodes = {sib for parent in g.subjects(rdflib.URIRef(SH + "property"), spec.node)
                         for ps in g.objects(parent, rdflib.URIRef(SH + "property"))
                         for sib in g.objects(ps, qvs) if sib != o}
            siblings = [comp.shape(s, spec, "sibling sh:qualifiedValueShape") for s in sib_nodes]
        out.append(QualifiedC(comp.shape(o, spec, "sh:qualifiedValueShape"), siblings, qmin, qmax))
    return out


HANDLERS = {
    SH + "property": compile_property,
    SH + "node": compile_node,
    SH + "not": compile_not,
    SH + "and": _lists(AndC, "sh:and", True),
    SH + "or": _lists(OrC, "sh:or", True),
    SH + "xone": _lists(XoneC, "sh:xone", False),
    SH + "qualifiedValueShape": compile_qualified,
}
COMPANIONS = {SH + k: SH + "qualifiedValueShape"
              for k in ("qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint")}
