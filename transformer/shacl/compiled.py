"""The compiled SHACL engine: the shapes graph is compiled once into Python objects and closures
that run on :class:`transformer.graph.Graph` directly.

Compilation (``Compiler``) finds the shapes the way pyshacl does, reads each shape's parameters
with the handlers of ``values``, ``constraints``, ``logical`` and ``durations``, and refuses (``ShapesError``,
naming the shape and the construct) anything it does not implement: SPARQL constraints, SPARQL
targets other than our ``ctdlsh:RecordsOf`` / ``ctdlsh:ReferencesTo`` (``targets``), other custom
components, recursive shapes, unknown ``sh:`` parameters...

Validation (``CompiledEngine.validate``) makes one pass over the graph's nodes to find the focus
nodes of every targeted shape (class index -- every instance, records only or references only --,
subjects-of, objects-of, target nodes), then runs each shape's precompiled (path evaluator,
constraints) on them.
"""
from __future__ import annotations

import rdflib

from ..errors import ShapesError
from ..graph import BNode, IRI, Graph, Literal, RDF_TYPE
from . import DURATION_ORDER, NOT_LONGER_THAN, SH, SH_VIOLATION, RawResult
from . import constraints, logical, values
from .constraints import RDFS_SUBCLASSOF
from .durations import compile_duration_order
from .literals import shapes_key, tkey
from .paths import compile_path, path_repr
from .targets import RECORDS, compile_target, referenced_blank_nodes

RDF = rdflib.RDF
RDFS = rdflib.RDFS
_SH = rdflib.Namespace(SH)
HANDLERS = {**values.HANDLERS, **constraints.HANDLERS, **logical.HANDLERS}
COMPANIONS = {**values.COMPANIONS, **constraints.COMPANIONS, **logical.COMPANIONS}
TARGETS = {SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf", SH + "target"}
ANNOTATIONS = {SH + k for k in ("name", "description", "message", "severity", "deactivated", "order",
                                "group", "defaultValue", "path")} | TARGETS
_SELF = object()


class CShape:
    """A compiled shape: how to get its value nodes, and its constraints."""

    __slots__ = ("id", "named", "is_property", "values", "path_repr", "severity", "message",
                 "constraints", "on_empty", "deactivated")

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
        values, constraints = self._checks(ctx, focus)
        for c in constraints:
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


class Spec:
    """A shape while it is being compiled."""

    __slots__ = ("node", "name", "is_property", "params")

    def __init__(self, node, name, is_property, params):
        self.node, self.name, self.is_property, self.params = node, name, is_property, params


def shape_id(node) -> str:
    return str(node) if isinstance(node, rdflib.URIRef) else f"_:{node}"


def pick_message(literals) -> str:
    """The English sh:message if there is one, else an untagged one, else any (stable choice)."""
    lits = sorted((m for m in literals if isinstance(m, rdflib.Literal)), key=lambda m: (str(m), m.language or ""))
    for test in (lambda l: (l or "").lower() == "en", lambda l: (l or "").lower().startswith("en-"),
                 lambda l: not l, lambda l: True):
        for m in lits:
            if test(m.language):
                return str(m)
    return ""


class Compiler:
    def __init__(self, g: rdflib.Graph):
        self.g = g
        self.kinds = self._discover()            # shape node -> is_property
        self.compiled: dict = {}
        self.stack: list = []
        self.custom = self._custom_components()
        self._meta = None
        self._first = self._rest = None         # RDF list cells, read in one pass when first needed

    # -- discovery (mirrors pyshacl's ShapesGraph) ---------------------------------------------
    def _discover(self) -> dict:
        g, kinds = self.g, {}
        for s in g.subjects(RDF.type, _SH.NodeShape):
            if (s, _SH.path, None) in g:
                raise ShapesError(f"shape {shape_id(s)}: a sh:NodeShape cannot have sh:path")
            kinds[s] = False
        for s in g.subjects(RDF.type, _SH.PropertyShape):
            if s in kinds:
                raise ShapesError(f"shape {shape_id(s)}: both sh:NodeShape and sh:PropertyShape")
            kinds[s] = True
        implied = set()
        for p in (_SH.targetClass, _SH.targetNode, _SH.targetObjectsOf, _SH.targetSubjectsOf,
                  _SH.property, _SH.node):
            implied.update(g.subjects(p, None))
        for p in (_SH.property, _SH.node, _SH["not"], _SH.qualifiedValueShape):
            implied.update(g.objects(None, p))
        for p in (_SH["and"], _SH["or"], _SH.xone):
            for lst in g.objects(None, p):
                implied.update(g.items(lst))
        for s in implied:
            if s not in kinds:
                kinds[s] = (s, _SH.path, None) in g
        return kinds

    def _custom_components(self) -> dict:
        """Custom constraint components in the shapes graph: component -> mandatory parameters."""
        g = self.g
        comps = set(g.subjects(RDF.type, _SH.ConstraintComponent))
        for sub in g.subjects(RDFS.subClassOf, _SH.ConstraintComponent):
            comps.update(g.subjects(RDF.type, sub))
        out = {}
        for c in comps:
            if str(c).startswith(SH):
                continue
            params = set()
            for p in g.objects(c, _SH.parameter):
                if not any(isinstance(o, rdflib.Literal) and o.value is True for o in g.objects(p, _SH.optional)):
                    params.update(str(x) for x in g.objects(p, _SH.path))
            out[str(c)] = frozenset(params)
        return out

    # -- helpers for the handlers ----------------------------------------------------------------
    def where(self, node) -> str:
        """The shape's name; for a blank node, also the named shape it sits in."""
        name = shape_id(node)
        if isinstance(node, rdflib.URIRef):
            return name
        outer = next((n for n in reversed(self.stack) if isinstance(n, rdflib.URIRef)), None)
        if outer is None:
            outer = next((s for s in self.g.subjects(None, node) if isinstance(s, rdflib.URIRef)), None)
        return f"{name} (in {shape_id(outer)})" if outer is not None else name

    def fail(self, spec: Spec, what: str):
        raise ShapesError(f"shape {self.where(spec.node)}: {what}")

    def require(self, spec: Spec, cond: bool, what: str) -> None:
        if not cond:
            self.fail(spec, f"unsupported or malformed: {what}")

    def term(self, t):
        if isinstance(t, rdflib.URIRef):
            return IRI(str(t))
        if isinstance(t, rdflib.BNode):
            return BNode(str(t))
        return Literal(str(t), str(t.datatype) if t.datatype else None, t.language)

    def key(self, t):
        term = self.term(t)
        return shapes_key(term) if isinstance(term, Literal) else term

    def list(self, spec: Spec, node, what: str, allow_empty: bool = False) -> list:
        if node == RDF.nil:
            items = []
        elif not isinstance(node, rdflib.BNode) or (node, RDF.first, None) not in self.g:
            self.fail(spec, f"{what} needs an RDF list")
        else:
            items = self._items(spec, node, what)
        if not items and not allow_empty:
            self.fail(spec, f"{what} needs a non-empty list")
        return items

    def _items(self, spec: Spec, node, what: str) -> list:
        """The members of an RDF list (what ``Graph.items`` gives, without two lookups per cell:
        the schema layer's ~800 lists of up to 80 classes made those a third of compiling)."""
        if self._first is None:
            self._first = {s: o for s, _, o in self.g.triples((None, RDF.first, None))}
            self._rest = {s: o for s, _, o in self.g.triples((None, RDF.rest, None))}
        items, seen = [], set()
        while node is not None and node != RDF.nil:
            if node in seen:
                self.fail(spec, f"{what}: the list loops back on itself")
            seen.add(node)
            if node in self._first:
                items.append(self._first[node])
            node = self._rest.get(node)
        return items

    def shape(self, node, spec: Spec | None = None, via: str = "") -> CShape:
        if node in self.compiled:
            return self.compiled[node]
        if node in self.stack:
            cycle = " -> ".join(shape_id(n) for n in self.stack[self.stack.index(node):] + [node])
            raise ShapesError(f"recursive shapes are not supported: {cycle}")
        if node not in self.kinds:
            if isinstance(node, rdflib.Literal):
                self.fail(spec, f"{via} value {node!r} is not a shape")
            self.kinds[node] = (node, _SH.path, None) in self.g
        self.stack.append(node)
        try:
            cs = self._compile(node)
        finally:
            self.stack.pop()
        self.compiled[node] = cs
        return cs

    # -- one shape ---------------------------------------------------------------------------------
    def _compile(self, node) -> CShape:
        g = self.g
        params: dict[str, list] = {}
        for p, o in g.predicate_objects(node):
            params.setdefault(str(p), []).append(o)
        spec = Spec(node, shape_id(node), self.kinds[node], params)
        cs = CShape()
        cs.id, cs.named, cs.is_property = spec.name, isinstance(node, rdflib.URIRef), spec.is_property
        sev = params.get(SH + "severity", [])
        self.require(spec, len(sev) <= 1 and all(isinstance(s, rdflib.URIRef) for s in sev), "sh:severity")
        cs.severity = str(sev[0]) if sev else SH_VIOLATION
        deact = params.get(SH + "deactivated", [])
        self.require(spec, len(deact) <= 1 and all(isinstance(d, rdflib.Literal) for d in deact),
                     "sh:deactivated")
        cs.deactivated = bool(deact[0].value) if deact else False
        cs.message = pick_message(params.get(SH + "message", []))
        cs.values, cs.path_repr = None, None
        if spec.is_property:
            paths = params.get(SH + "path", [])
            self.require(spec, len(paths) == 1, "a property shape needs exactly one sh:path")
            cs.values = compile_path(g, paths[0], self.where(node))
            cs.path_repr = path_repr(g, paths[0])
        constraints = []
        for p in sorted(params):
            handler = HANDLERS.get(p)
            if handler is not None:
                constraints.extend(handler(self, spec, params[p]))
            elif p in COMPANIONS:
                self.require(spec, COMPANIONS[p] in params, f"{p} without {COMPANIONS[p]}")
            elif p.startswith(SH) and p not in ANNOTATIONS:
                self.fail(spec, f"{p.replace(SH, 'sh:')} is not supported by the compiled engine")
        constraints.extend(self._custom(spec))
        cs.constraints = tuple(constraints)
        # the few constraints that can fail when a property shape has no value nodes at all
        cs.on_empty = tuple(c for c in constraints if getattr(c, "on_empty", False))
        return cs

    def _custom(self, spec: Spec) -> list:
        out = []
        for comp, mandatory in self.custom.items():
            if mandatory and mandatory.issubset(spec.params):
                if comp != DURATION_ORDER:
                    self.fail(spec, f"custom constraint component {comp} is not supported")
                out.extend(compile_duration_order(self, spec, spec.params[NOT_LONGER_THAN]))
        if NOT_LONGER_THAN in spec.params and DURATION_ORDER not in self.custom:
            self.fail(spec, "ctdlsh:notLongerThan is used but ctdlsh:DurationOrderConstraintComponent "
                            "is not defined in the shapes (shapes/components.ttl)")
        return out

    # -- targets -----------------------------------------------------------------------------------
    def class_targets(self, node) -> list:
        """sh:targetClass values, plus the shape itself if it is a class (implicit target)."""
        g = self.g
        classes = list(g.objects(node, _SH.targetClass))
        if self._meta is None:          # pyshacl adds owl:Class rdfs:subClassOf rdfs:Class
            self._meta = set(g.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class, rdflib.OWL.Class}
        if any(t in self._meta for t in g.objects(node, RDF.type)):
            classes.append(node)
        return classes


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


class CompiledEngine:
    def __init__(self, shapes: rdflib.Graph):
        comp = Compiler(shapes)
        # class -> [(shape, mode)]: mode 0 every instance (sh:targetClass), targets.RECORDS or
        # targets.REFERENCES (ctdlsh:RecordsOf / ctdlsh:ReferencesTo)
        self.by_class: dict = {}
        self.by_subject: dict = {}
        self.by_object: dict = {}
        self.target_nodes: list = []
        for node in list(comp.kinds):
            cs = comp.shape(node)
            if cs.deactivated:
                continue
            g = shapes
            for c in comp.class_targets(node):
                self._add_class(comp.term(c), cs, 0)
            for decl in g.objects(node, _SH.target):
                mode, c = compile_target(g, comp.where(node), decl)
                self._add_class(comp.term(c), cs, mode)
            for p in g.objects(node, _SH.targetSubjectsOf):
                self.by_subject.setdefault(str(p), []).append(cs)
            for p in g.objects(node, _SH.targetObjectsOf):
                self.by_object.setdefault(str(p), []).append(cs)
            for t in g.objects(node, _SH.targetNode):
                self.target_nodes.append((cs, comp.term(t)))
        self.shapes = comp.compiled

    def _add_class(self, cls, shape: CShape, mode: int) -> None:
        entries = self.by_class.setdefault(cls, [])
        if (shape, mode) not in entries:
            entries.append((shape, mode))

    def validate(self, graph: Graph) -> list[RawResult]:
        ctx = Ctx(graph)
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
        if self.by_object:
            for n in graph.nodes.values():
                for p, vals in (*n.props.items(), (RDF_TYPE, n.types)):
                    for s in self.by_object.get(p, ()):
                        for v in vals:
                            focus.setdefault(s, {})[tkey(v)] = v
        for s, t in self.target_nodes:
            focus.setdefault(s, {})[tkey(t)] = t
        out: list[RawResult] = []
        for s, nodes in focus.items():
            ctx.root = s.id if s.named else None
            for f in nodes.values():
                s.report(ctx, f, out)
        return out
