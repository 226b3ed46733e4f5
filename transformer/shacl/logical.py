"""Shape-based constraints: sh:property, sh:node, sh:not, sh:and, sh:or, sh:xone,
sh:qualifiedValueShape.

Only sh:property passes the nested shape's own results up (with the nested shape as source, as
pyshacl does; ``ctx.root`` tracks the nearest named shape on the way, for blank-node shapes);
the others ask the nested shapes only whether a value conforms and report one result at the
referring shape, with the value node as sh:value.
"""
from __future__ import annotations

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


# -- from the plan: shapes are referred to by their index in ``shapes`` ----------------------------
BUILDERS = {
    "property": lambda shapes, i: PropertyC(shapes[i]),
    "node": lambda shapes, i: NodeC([shapes[i]]),
    "not": lambda shapes, i: NotC([shapes[i]]),
    "and": lambda shapes, ids: AndC([shapes[i] for i in ids]),
    "or": lambda shapes, ids: OrC([shapes[i] for i in ids]),
    "xone": lambda shapes, ids: XoneC([shapes[i] for i in ids]),
    "qualified": lambda shapes, i, siblings, qmin, qmax: QualifiedC(shapes[i], [shapes[s] for s in siblings],
                                                                    qmin, qmax),
}
