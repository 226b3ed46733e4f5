"""SHACL property paths: built from their plan (``plan.plan_path``) into evaluators
``ev(ctx, focus) -> sequence of value nodes``.

Value nodes are de-duplicated the way rdflib sets do it (``literals.tkey``), keeping the graph's
own terms so results can be located in the input.  ``build_repr`` gives the result-path form used
in :class:`RawResult` (see the package docstring).
"""
from __future__ import annotations

from ..graph import RDF_TYPE, Literal
from . import ComplexPath
from .literals import XSD_STRING, tkey


def dedupe(vals):
    """``vals`` without rdflib-equal duplicates (only literals can differ yet be equal)."""
    for v in vals:
        if v.__class__ is Literal and (v.datatype == XSD_STRING or (v.lang and not v.lang.islower())):
            break
    else:
        return vals
    seen, out = set(), []
    for v in vals:
        k = tkey(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def predicate_values(p: str):
    if p == RDF_TYPE:
        def ev(ctx, f):
            n = ctx.nodes.get(f)
            if n is None:
                return ()
            extra = n.props.get(RDF_TYPE)
            return dedupe(n.types + extra) if extra else n.types
        return ev

    def ev(ctx, f):
        n = ctx.nodes.get(f)
        if n is None:
            return ()
        vals = n.props.get(p)
        if not vals:
            return ()
        return dedupe(vals) if len(vals) > 1 else vals
    return ev


def _inverse_values(p: str):
    def ev(ctx, f):
        return ctx.inverse().get(p, _EMPTY).get(tkey(f), ())
    return ev


_EMPTY: dict = {}


def _union(evs):
    def ev(ctx, f):
        seen, out = set(), []
        for e in evs:
            for v in e(ctx, f):
                k = tkey(v)
                if k not in seen:
                    seen.add(k)
                    out.append(v)
        return out
    return ev


def _sequence(evs):
    def ev(ctx, f):
        cur = (f,)
        for e in evs:
            seen, nxt = set(), []
            for c in cur:
                for v in e(ctx, c):
                    k = tkey(v)
                    if k not in seen:
                        seen.add(k)
                        nxt.append(v)
            if not nxt:
                return nxt
            cur = nxt
        return cur
    return ev


def _closure(sub, include_self: bool, transitive: bool):
    def ev(ctx, f):
        seen, out = set(), []
        if include_self:
            seen.add(tkey(f))
            out.append(f)
        if not transitive:
            for v in sub(ctx, f):
                k = tkey(v)
                if k not in seen:
                    seen.add(k)
                    out.append(v)
            return out
        stack = list(sub(ctx, f))
        while stack:
            v = stack.pop()
            k = tkey(v)
            if k in seen:
                continue
            seen.add(k)
            out.append(v)
            stack.extend(sub(ctx, v))
        return out
    return ev


_CLOSURES = {"*": (True, True), "+": (False, True), "?": (True, False)}    # (include self, transitive)


def build_path(plan):
    """Evaluator for a path of the plan (``plan.plan_path`` writes them)."""
    kind, arg = plan
    if kind == "p":
        return predicate_values(arg)
    if kind == "i":
        return _inverse_values(arg)
    if kind == "seq":
        return _sequence([build_path(p) for p in arg])
    if kind == "alt":
        return _union([build_path(p) for p in arg])
    include_self, transitive = _CLOSURES[kind]
    return _closure(build_path(arg), include_self, transitive)


def build_repr(plan):
    """The RawResult form of a path from its plan form (``plan.repr_plan``)."""
    if plan is None or isinstance(plan, str):
        return plan
    op, args = plan
    args = tuple(build_repr(a) for a in args)
    return args if op == "/" else ComplexPath(op, args)


__all__ = ["build_path", "build_repr", "predicate_values", "dedupe"]
