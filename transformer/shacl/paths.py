"""SHACL property paths: compiled to evaluators ``ev(ctx, focus) -> sequence of value nodes``.

Value nodes are de-duplicated the way rdflib sets do it (``literals.tkey``), keeping the graph's
own terms so results can be located in the input.  ``path_repr`` gives the result-path form used in
:class:`RawResult` (see the package docstring); it reads any rdflib graph, so the reference engine
uses it on pyshacl's report graph too.
"""
from __future__ import annotations

import rdflib

from ..errors import ShapesError
from ..graph import RDF_TYPE, Literal
from . import SH, ComplexPath
from .literals import XSD_STRING, tkey

RDF_FIRST = rdflib.RDF.first
_SH_INVERSE = rdflib.URIRef(SH + "inversePath")
_SH_ALT = rdflib.URIRef(SH + "alternativePath")
_UNARY = {rdflib.URIRef(SH + "zeroOrMorePath"): "*", rdflib.URIRef(SH + "oneOrMorePath"): "+",
          rdflib.URIRef(SH + "zeroOrOnePath"): "?"}


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


def _list(g, node, what: str, where: str) -> list:
    items = list(g.items(node))
    if len(items) < 2:
        raise ShapesError(f"shape {where}: a {what} path needs at least two members")
    return items


def compile_path(g: rdflib.Graph, node, where: str, inverse: bool = False):
    """Evaluator for the path at ``node`` of shapes graph ``g`` (``where`` names the shape)."""
    if isinstance(node, rdflib.URIRef):
        return _inverse_values(str(node)) if inverse else predicate_values(str(node))
    if not isinstance(node, rdflib.BNode):
        raise ShapesError(f"shape {where}: sh:path must be an IRI or a blank node, not {node!r}")
    kinds = [p for p in set(g.predicates(node)) if p != rdflib.RDF.rest]
    if (node, RDF_FIRST, None) in g:
        if inverse:
            raise ShapesError(f"shape {where}: sh:inversePath of a sequence path is not supported "
                              "(pyshacl evaluates it differently from the SHACL spec)")
        return _sequence([compile_path(g, i, where) for i in _list(g, node, "sequence", where)])
    if len(kinds) != 1:
        raise ShapesError(f"shape {where}: unsupported or malformed path "
                          f"({', '.join(sorted(str(k) for k in kinds)) or 'empty'})")
    kind = kinds[0]
    target = g.value(node, kind)
    if kind == _SH_INVERSE:
        return compile_path(g, target, where, not inverse)
    if kind == _SH_ALT:
        return _union([compile_path(g, i, where, inverse) for i in _list(g, target, "alternative", where)])
    op = _UNARY.get(kind)
    if op is None:
        raise ShapesError(f"shape {where}: unsupported path construct {kind}")
    return _closure(compile_path(g, target, where, inverse), op != "+", op != "?")


def path_repr(g: rdflib.Graph, node):
    """The RawResult form of the path at ``node`` of graph ``g``."""
    if isinstance(node, rdflib.URIRef):
        return str(node)
    if (node, RDF_FIRST, None) in g:
        return tuple(path_repr(g, i) for i in g.items(node))
    inv = g.value(node, _SH_INVERSE)
    if inv is not None:
        return ComplexPath("^", (path_repr(g, inv),))
    alt = g.value(node, _SH_ALT)
    if alt is not None:
        return ComplexPath("|", tuple(path_repr(g, i) for i in g.items(alt)))
    for kind, op in _UNARY.items():
        sub = g.value(node, kind)
        if sub is not None:
            return ComplexPath(op, (path_repr(g, sub),))
    return str(node)


__all__ = ["compile_path", "path_repr", "predicate_values", "dedupe"]
