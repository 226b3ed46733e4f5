"""One root-cause error for a mistyped node, instead of the dozens of results its wrong type brings.

A pathway whose components are typed ``ceterms:Certification`` gets, for each component, every
rule of a certification record (name, description, owner, status... and twenty benchmark
warnings), plus a wrong-class error on the property that points at it.  What is wrong is one
``@type``.  A node is **mistyped** when it is a resource defined in the document (an IRI with a type and a
place: a member of the @graph, not an embedded profile or term), is not the document's main
resource, and every property that points at it takes classes its types
are not (the schema's ranges, subclasses included).  Its results, those of the blank nodes inside
it, and the wrong-class results about it at the properties pointing at it, become one violation on
its ``@type`` naming the property, what it takes and what the node says it is.
"""
from __future__ import annotations

from .context import ctdl_context
from .graph import BNode, Graph
from .report import Result, VIOLATION
from .vocab import schema_index


def mistyped_nodes(graph: Graph, main: set) -> dict:
    """node id -> [(referring node, predicate)] for each mistyped node of ``graph``."""
    schema = schema_index()
    referrers: dict = {}
    for n in graph.nodes.values():
        for pred, values in n.props.items():
            for v in values:
                if v in graph.nodes and v != n.id:
                    referrers.setdefault(v, []).append((n, pred))
    out = {}
    for nid, refs in referrers.items():
        node = graph.nodes[nid]
        if nid in main or nid.__class__ is BNode or not node.types or not node.pointer:
            continue                        # embedded profiles and terms follow registry practice
        wrong = []
        for ref, pred in refs:
            ranges = schema.ranges.get(pred)
            if not ranges or not ranges <= schema.classes:
                break                       # a property we cannot judge (or one taking URLs): it may be right
            if any(schema.is_subclass(t, r) for t in node.types for r in ranges):
                break                       # one property takes it as it is
            wrong.append((ref, pred))
        else:
            out[nid] = wrong
    return out


def _inside(graph: Graph, nid) -> set:
    """The node and the blank nodes inside it."""
    seen, todo = {nid}, [nid]
    while todo:
        n = graph.nodes.get(todo.pop())
        for values in (n.props.values() if n else ()):
            for v in values:
                if v.__class__ is BNode and v not in seen and v in graph.nodes:
                    seen.add(v)
                    todo.append(v)
    return seen


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _classes(ranges, types) -> tuple[str, str]:
    """(what a property takes, in words; the class of it the node most likely meant)."""
    ctx = ctdl_context()
    names = sorted(ctx.compact(r) for r in ranges)
    if len(names) <= 3:
        takes = " or ".join(names)
    else:
        first = sorted(ranges)[0]
        common = next((a for a in schema_index().ancestors(first)
                       if a in schema_index().classes and all(schema_index().is_subclass(r, a) for r in ranges)), None)
        listed = f"{len(names)} classes: {', '.join(names[:3])}, ..."
        takes = f"a kind of {ctx.compact(common)} ({listed})" if common else f"one of {listed}"

    def closeness(r: str) -> int:         # Certification (a Credential) -> CredentialComponent
        best = 0
        for t in types:
            for a in schema_index().ancestors(t):
                x, y = _local(a), _local(r)
                n = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
                best = max(best, n)
        return best

    scored = sorted(ranges, key=lambda r: (-closeness(r), ctx.compact(r)))
    return takes, ctx.compact(scored[0])


def fold(results: list[Result], graph: Graph, main: set) -> list[Result]:
    """``results`` with the results of each mistyped node folded into one error on its @type."""
    found = mistyped_nodes(graph, main)
    if not found:
        return results
    ctx, schema = ctdl_context(), schema_index()
    drop_focus: set = set()
    drop_at: set = set()                    # (pointer of the referring key) for its wrong-class results
    roots = []
    for nid, refs in found.items():
        node = graph.nodes[nid]
        drop_focus |= {str(x) for x in _inside(graph, nid)}
        ref, pred = refs[0]
        for r, p in refs:
            drop_at.add(r.key_pointer.get(p, ""))
        key = ref.key_name.get(pred) or ctx.compact(pred)
        where = ref.key_pointer.get(pred) or ref.pointer
        types = ", ".join(ctx.compact(t) for t in node.types)
        takes, example = _classes(schema.ranges[pred], node.types)
        roots.append(Result(VIOLATION, "wrong-class",
                            f"{key} (at {where}) takes {takes}, but this node is typed {types}; the rules of "
                            f"{types} were not applied to it, since its type is the mistake",
                            path=node.pointer + "/@type", property="@type", value=types, focus=str(nid),
                            fix=f"Give it the type {key} takes (e.g. {example}), or point at it from a "
                                f"property that takes a {types}."))
    kept = [r for r in results
            if r.focus not in drop_focus and not (r.code == "wrong-class" and r.path in drop_at)]
    return kept + roots


__all__ = ["mistyped_nodes", "fold"]
