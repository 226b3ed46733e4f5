"""The compiled SHACL engine: the shapes are compiled once into a plan (``plan``: plain data,
kept on disk by ``rules``) and the plan built into Python objects and closures that run on
:class:`transformer.graph.Graph` directly.  Nothing here needs rdflib.

Validation (``CompiledEngine.validate``) makes one pass over the graph's nodes to find the focus
nodes of every targeted shape (class index -- every instance, records only or references only --,
subjects-of, objects-of, target nodes), then runs each shape's precompiled (path evaluator,
constraints) on them.
"""
from __future__ import annotations

from ..graph import BNode, IRI, Graph, Literal, RDF_TYPE
from . import RawResult
from . import constraints, durations, logical, values
from .constraints import RDFS_SUBCLASSOF
from .literals import tkey
from .logical import PropertyC
from .paths import build_path, build_repr
from .targets import RECORDS, referenced_blank_nodes

BUILDERS = {**values.BUILDERS, **constraints.BUILDERS, **logical.BUILDERS, **durations.BUILDERS}
_SELF = object()
_NONE: dict = {}


class CShape:
    """A compiled shape: how to get its value nodes, and its constraints."""

    __slots__ = ("id", "named", "is_property", "values", "path_repr", "severity", "message",
                 "constraints", "on_empty", "deactivated", "checks")

    def result(self, ctx, focus, value, component, path=_SELF) -> RawResult:
        return RawResult(focus, self.path_repr if path is _SELF else path, value, self.severity,
                         self.id, component, self.message, ctx.root or self.id)

    def _checks(self, ctx, focus):
        """(value nodes, constraints to run): a property shape with no values runs only the
        constraints that can fail on nothing (minCount...)."""
        if self.is_property:
            values = self.values(ctx, focus)
            return values, (self.constraints if values else self.on_empty)
        return (focus,), self.constraints

    def report(self, ctx, focus, out) -> None:
        if self.deactivated:
            return
        # _checks, inlined: this runs ~150 times per document (a bulk upload: per row)
        if self.is_property:
            values = self.values(ctx, focus)
            constraints = self.constraints if values else self.on_empty
            for c in constraints:
                c.report(ctx, focus, values, out, self)
            return
        # a node shape: a property shape of a plain predicate that can say nothing about a missing
        # property is not asked about a node without it (most of a class's properties, on most nodes)
        node = ctx.nodes.get(focus)
        props = node.props if node is not None else _NONE
        values = (focus,)
        for c, pred in self.checks:
            if pred is None or pred in props:
                c.report(ctx, focus, values, out, self)

    def conforms(self, ctx, focus) -> bool:
        if self.deactivated:
            return True
        values, constraints = self._checks(ctx, focus)
        for c in constraints:
            if not c.ok(ctx, focus, values):
                return False
        return True

    def __repr__(self) -> str:
        return f"<CShape {self.id} {len(self.constraints)} constraints>"


class Ctx:
    """Per-validation state: the graph's nodes, the data's rdfs:subClassOf closure, lazy indexes."""

    __slots__ = ("nodes", "supers", "root", "_inverse")

    def __init__(self, graph: Graph):
        self.nodes = graph.nodes
        self.root = None
        self._inverse = None
        self.supers = None
        subclass = {n.id: n.props[RDFS_SUBCLASSOF] for n in self.nodes.values() if RDFS_SUBCLASSOF in n.props}
        if subclass:
            self.supers = {}
            for c in subclass:
                seen, stack = set(), list(subclass[c])
                while stack:
                    s = stack.pop()
                    if s not in seen:
                        seen.add(s)
                        stack.extend(subclass.get(s, ()))
                self.supers[c] = seen

    def inverse(self) -> dict:
        """predicate -> object key -> subjects."""
        if self._inverse is None:
            inv: dict = {}
            for n in self.nodes.values():
                if n.types:
                    d = inv.setdefault(RDF_TYPE, {})
                    for t in n.types:
                        d.setdefault(t, []).append(n.id)
                for p, vals in n.props.items():
                    d = inv.setdefault(p, {})
                    for v in vals:
                        subs = d.setdefault(tkey(v), [])
                        if not subs or subs[-1] != n.id:
                            subs.append(n.id)
            self._inverse = inv
        return self._inverse


def term(x):
    """A term of the plan as a graph term."""
    if x.__class__ is str:
        return IRI(x)
    if x[0] == "b":
        return BNode(x[1])
    return Literal(x[1], x[2], x[3])


def _with_terms(kind: str, args: list) -> list:
    """Plan entries whose arguments are terms: turn them into graph terms."""
    if kind == "in":
        return [[term(x) for x in args[0]]]
    if kind in ("hasValue", "class"):
        return [term(args[0])]
    return args


def build(plan: dict) -> list:
    """The plan's shapes as CShape objects (constraints refer to each other by index)."""
    shapes = []
    for sid, named, is_property, severity, message, deactivated, path, shown, _ in plan["shapes"]:
        cs = CShape()
        cs.id, cs.named, cs.is_property = sid, named, is_property
        cs.severity, cs.message, cs.deactivated = severity, message, deactivated
        cs.values = build_path(path) if path is not None else None
        cs.path_repr = build_repr(shown)
        shapes.append(cs)
    for cs, entry in zip(shapes, plan["shapes"]):
        built = tuple(BUILDERS[c[0]](shapes, *_with_terms(c[0], c[1:])) for c in entry[8])
        cs.constraints = built
        # the few constraints that can fail when a property shape has no value nodes at all
        cs.on_empty = tuple(c for c in built if getattr(c, "on_empty", False))
    paths = {cs.id: entry[6] for cs, entry in zip(shapes, plan["shapes"])}
    for cs in shapes:
        cs.checks = () if cs.is_property else tuple((c, _only_with(c, paths)) for c in cs.constraints)
    return shapes


def _only_with(c, paths: dict) -> str | None:
    """The predicate without which constraint ``c`` of a node shape cannot report anything: an
    sh:property whose shape has a plain predicate path (not rdf:type) and no constraint that fails
    on no values; None: always run it."""
    if c.__class__ is not PropertyC:
        return None
    shape = c.shape
    path = paths.get(shape.id)
    if shape.on_empty or not shape.is_property or path is None or path[0] != "p" or path[1] == RDF_TYPE:
        return None
    return path[1]


class CompiledEngine:
    def __init__(self, shapes=None, plan: dict | None = None):
        """From an rdflib shapes graph (compiled here) or from its ``plan`` (``plan.compile_plan``)."""
        if plan is None:
            from .plan import compile_plan
            plan = compile_plan(shapes)
        built = build(plan)
        # class -> [(shape, mode)]: mode 0 every instance (sh:targetClass), targets.RECORDS or
        # targets.REFERENCES (ctdlsh:RecordsOf / ctdlsh:ReferencesTo)
        self.by_class: dict = {}
        for cls, i, mode in plan["class"]:
            self.by_class.setdefault(IRI(cls), []).append((built[i], mode))
        self.by_subject: dict = {}
        for p, i in plan["subject"]:
            self.by_subject.setdefault(p, []).append(built[i])
        self.by_object: dict = {}
        for p, i in plan["object"]:
            self.by_object.setdefault(p, []).append(built[i])
        self.target_nodes = [(built[i], term(t)) for i, t in plan["node"]]
        self.shapes = {cs.id: cs for cs in built}

    def validate(self, graph: Graph) -> list[RawResult]:
        ctx = Ctx(graph)
        # shape -> {focus key: focus node}, in the order first met (the order of the results)
        focus: dict = {}
        by_class, by_subject, supers = self.by_class, self.by_subject, ctx.supers
        referenced = None                   # blank nodes referred to, computed when first needed
        for nid, n in graph.nodes.items():
            classes = n.types
            extra = n.props.get(RDF_TYPE)
            if supers or extra:             # rare: rdfs:subClassOf in the data, non-IRI types
                classes = set(n.types)
                if extra:
                    classes.update(tkey(t) for t in extra)
                if supers:
                    for t in list(classes):
                        classes.update(supers.get(t, ()))
            record = None                   # is this instance a record (not a reference)?
            for t in classes:
                entries = by_class.get(t)
                if entries:
                    for s, mode in entries:
                        if mode:
                            if record is None:
                                if nid.__class__ is BNode:
                                    if referenced is None:
                                        referenced = referenced_blank_nodes(graph)
                                    record = nid not in referenced
                                else:
                                    record = True
                            if record != (mode == RECORDS):
                                continue
                        focus.setdefault(s, {})[nid] = nid
            if by_subject:
                for p in (*n.props, *((RDF_TYPE,) if n.types else ())):
                    for s in by_subject.get(p, ()):
                        focus.setdefault(s, {})[nid] = nid
        by_object = self.by_object
        if by_object:
            for n in graph.nodes.values():
                props = n.props
                for p, vals in props.items():
                    if vals and p in by_object:
                        for s in by_object[p]:
                            d = focus.setdefault(s, {})
                            for v in vals:
                                d[tkey(v)] = v
                if n.types and RDF_TYPE in by_object:
                    for s in by_object[RDF_TYPE]:
                        d = focus.setdefault(s, {})
                        for v in n.types:
                            d[tkey(v)] = v
        for s, t in self.target_nodes:
            focus.setdefault(s, {})[tkey(t)] = t
        out: list[RawResult] = []
        for s, nodes in focus.items():
            ctx.root = s.id if s.named else None
            for f in nodes.values():
                s.report(ctx, f, out)
        return out
