"""Compiling a shapes graph into a plan: plain JSON data that ``compiled.build`` turns into the
running engine without rdflib.

Compilation (``Compiler``) finds the shapes the way pyshacl does, reads each shape's parameters
with the readers of ``params``, and refuses (``ShapesError``, naming the shape and the construct)
anything the compiled engine does not implement: SPARQL constraints, SPARQL targets other than our
``ctdlsh:RecordsOf`` / ``ctdlsh:ReferencesTo``, other custom components, recursive shapes, unknown
``sh:`` parameters...

The plan (``compile_plan``) is what ``rules`` keeps on disk, keyed by the shape files' bytes, so a
process that validates never parses Turtle or builds an rdflib graph once the shapes have been
compiled on this machine.  Its layout::

    {"format": PLAN_FORMAT,
     "shapes": [[id, named, is_property, severity, message, deactivated, path, path_repr,
                 [constraint, ...]], ...],            # constraints refer to shapes by index
     "class": [[class IRI, shape index, mode], ...],  # mode 0 every instance, targets.RECORDS...
     "subject": [[predicate, index], ...], "object": [[predicate, index], ...],
     "node": [[index, term], ...],
     "info": {shape IRI: [sh:name, ctdlsh:code, typed sh:PropertyShape, [sh:or alternative paths]]}}

Terms: an IRI is its string, a blank node ``["b", label]``, a literal ``["l", lexical, datatype,
lang]``.  Paths: ``["p", iri]``, ``["i", iri]`` (inverse), ``["seq" | "alt", [path, ...]]``,
``["*" | "+" | "?", path]``.  Result paths (``path_repr``): an IRI, ``["/", [...]]`` for a
sequence, ``[op, [...]]`` for a :class:`ComplexPath`.
"""
from __future__ import annotations

import rdflib

from ..errors import ShapesError
from . import CTDLSH, DURATION_ORDER, NOT_LONGER_THAN, PLAN_FORMAT, SH, SH_VIOLATION, ComplexPath
from . import params
from .targets import CLASS, MODES

RDF = rdflib.RDF
RDFS = rdflib.RDFS
_SH = rdflib.Namespace(SH)
TARGETS = {SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf", SH + "target"}
ANNOTATIONS = {SH + k for k in ("name", "description", "message", "severity", "deactivated", "order",
                                "group", "defaultValue", "path")} | TARGETS
_UNARY = {_SH.zeroOrMorePath: "*", _SH.oneOrMorePath: "+", _SH.zeroOrOnePath: "?"}


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


def term(t):
    """A shapes-graph term in the plan's form."""
    if isinstance(t, rdflib.URIRef):
        return str(t)
    if isinstance(t, rdflib.BNode):
        return ["b", str(t)]
    return ["l", str(t), str(t.datatype) if t.datatype else None, t.language]


class Compiler:
    def __init__(self, g: rdflib.Graph):
        self.g = g
        self.kinds = self._discover()            # shape node -> is_property
        self.index: dict = {}                   # shape node -> its index in self.shapes
        self.shapes: list = []                  # the plan's shape entries
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
            mandatory = set()
            for p in g.objects(c, _SH.parameter):
                if not any(isinstance(o, rdflib.Literal) and o.value is True for o in g.objects(p, _SH.optional)):
                    mandatory.update(str(x) for x in g.objects(p, _SH.path))
            out[str(c)] = frozenset(mandatory)
        return out

    # -- helpers for the parameter readers -------------------------------------------------------
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

    term = staticmethod(term)

    def key(self, t):
        """A term as sh:in / sh:hasValue compare it (language tags in lower case)."""
        if isinstance(t, rdflib.Literal) and t.language:
            return ["l", str(t), str(t.datatype) if t.datatype else None, t.language.lower()]
        return term(t)

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

    def shape(self, node, spec: Spec | None = None, via: str = "") -> int:
        """The plan index of the shape at ``node``, compiled on first use."""
        hit = self.index.get(node)
        if hit is not None:
            return hit
        if node in self.stack:
            cycle = " -> ".join(shape_id(n) for n in self.stack[self.stack.index(node):] + [node])
            raise ShapesError(f"recursive shapes are not supported: {cycle}")
        if node not in self.kinds:
            if isinstance(node, rdflib.Literal):
                self.fail(spec, f"{via} value {node!r} is not a shape")
            self.kinds[node] = (node, _SH.path, None) in self.g
        self.stack.append(node)
        try:
            entry = self._compile(node)
        finally:
            self.stack.pop()
        self.index[node] = len(self.shapes)
        self.shapes.append(entry)
        return self.index[node]

    def entry(self, i: int) -> list:
        return self.shapes[i]

    # -- one shape ---------------------------------------------------------------------------------
    def _compile(self, node) -> list:
        g = self.g
        found: dict[str, list] = {}
        for p, o in g.predicate_objects(node):
            found.setdefault(str(p), []).append(o)
        spec = Spec(node, shape_id(node), self.kinds[node], found)
        sev = found.get(SH + "severity", [])
        self.require(spec, len(sev) <= 1 and all(isinstance(s, rdflib.URIRef) for s in sev), "sh:severity")
        deact = found.get(SH + "deactivated", [])
        self.require(spec, len(deact) <= 1 and all(isinstance(d, rdflib.Literal) for d in deact),
                     "sh:deactivated")
        path = shown = None
        if spec.is_property:
            paths = found.get(SH + "path", [])
            self.require(spec, len(paths) == 1, "a property shape needs exactly one sh:path")
            path = plan_path(g, paths[0], self.where(node))
            shown = repr_plan(path_repr(g, paths[0]))
        constraints = []
        for p in sorted(found):
            reader = params.READERS.get(p)
            if reader is not None:
                constraints.extend(reader(self, spec, found[p]))
            elif p in params.COMPANIONS:
                self.require(spec, params.COMPANIONS[p] in found, f"{p} without {params.COMPANIONS[p]}")
            elif p.startswith(SH) and p not in ANNOTATIONS:
                self.fail(spec, f"{p.replace(SH, 'sh:')} is not supported by the compiled engine")
        constraints.extend(self._custom(spec))
        return [spec.name, isinstance(node, rdflib.URIRef), spec.is_property,
                str(sev[0]) if sev else SH_VIOLATION, pick_message(found.get(SH + "message", [])),
                bool(deact[0].value) if deact else False, path, shown, constraints]

    def _custom(self, spec: Spec) -> list:
        out = []
        for comp, mandatory in self.custom.items():
            if mandatory and mandatory.issubset(spec.params):
                if comp != DURATION_ORDER:
                    self.fail(spec, f"custom constraint component {comp} is not supported")
                out.extend(params.duration_order(self, spec, spec.params[NOT_LONGER_THAN]))
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


def compile_target(g: rdflib.Graph, where: str, decl) -> tuple[int, rdflib.term.Node]:
    """(mode, class) of one ``sh:target`` declaration of shape ``where``.

    Only ``[ a ctdlsh:RecordsOf ; ctdlsh:class C ]`` and ``[ a ctdlsh:ReferencesTo ; ctdlsh:class C ]``
    are implemented, and only when the shapes graph defines the target type as a
    ``sh:SPARQLTargetType`` (as pyshacl needs it to); anything else (``sh:select`` targets, other
    target types) is refused."""
    types = {str(t) for t in g.objects(decl, RDF.type)}
    ours = types & set(MODES)
    if (decl, _SH.select, None) in g or len(ours) != 1:
        raise ShapesError(f"shape {where}: sh:target is not supported by the compiled engine "
                          "(only ctdlsh:RecordsOf and ctdlsh:ReferencesTo targets)")
    kind = next(iter(ours))
    if (rdflib.URIRef(kind), RDF.type, _SH.SPARQLTargetType) not in g:
        raise ShapesError(f"shape {where}: sh:target uses {kind.replace(CTDLSH, 'ctdlsh:')} but the target "
                          "type is not defined in the shapes (shapes/components.ttl)")
    classes = list(g.objects(decl, rdflib.URIRef(CLASS)))
    if len(classes) != 1 or not isinstance(classes[0], rdflib.URIRef):
        raise ShapesError(f"shape {where}: a {kind.replace(CTDLSH, 'ctdlsh:')} target needs exactly one "
                          "ctdlsh:class IRI")
    return MODES[kind], classes[0]


# -- paths -----------------------------------------------------------------------------------------
def _path_list(g, node, what: str, where: str) -> list:
    items = list(g.items(node))
    if len(items) < 2:
        raise ShapesError(f"shape {where}: a {what} path needs at least two members")
    return items


def plan_path(g: rdflib.Graph, node, where: str, inverse: bool = False) -> list:
    """The plan of the path at ``node`` of shapes graph ``g`` (``where`` names the shape)."""
    if isinstance(node, rdflib.URIRef):
        return ["i" if inverse else "p", str(node)]
    if not isinstance(node, rdflib.BNode):
        raise ShapesError(f"shape {where}: sh:path must be an IRI or a blank node, not {node!r}")
    kinds = [p for p in set(g.predicates(node)) if p != RDF.rest]
    if (node, RDF.first, None) in g:
        if inverse:
            raise ShapesError(f"shape {where}: sh:inversePath of a sequence path is not supported "
                              "(pyshacl evaluates it differently from the SHACL spec)")
        return ["seq", [plan_path(g, i, where) for i in _path_list(g, node, "sequence", where)]]
    if len(kinds) != 1:
        raise ShapesError(f"shape {where}: unsupported or malformed path "
                          f"({', '.join(sorted(str(k) for k in kinds)) or 'empty'})")
    kind = kinds[0]
    target = g.value(node, kind)
    if kind == _SH.inversePath:
        return plan_path(g, target, where, not inverse)
    if kind == _SH.alternativePath:
        return ["alt", [plan_path(g, i, where, inverse) for i in _path_list(g, target, "alternative", where)]]
    op = _UNARY.get(kind)
    if op is None:
        raise ShapesError(f"shape {where}: unsupported path construct {kind}")
    return [op, plan_path(g, target, where, inverse)]


def path_repr(g: rdflib.Graph, node):
    """The RawResult form of the path at ``node`` of graph ``g`` (any rdflib graph: the reference
    engine reads pyshacl's report graph with it too)."""
    if isinstance(node, rdflib.URIRef):
        return str(node)
    if (node, RDF.first, None) in g:
        return tuple(path_repr(g, i) for i in g.items(node))
    inv = g.value(node, _SH.inversePath)
    if inv is not None:
        return ComplexPath("^", (path_repr(g, inv),))
    alt = g.value(node, _SH.alternativePath)
    if alt is not None:
        return ComplexPath("|", tuple(path_repr(g, i) for i in g.items(alt)))
    for kind, op in _UNARY.items():
        sub = g.value(node, kind)
        if sub is not None:
            return ComplexPath(op, (path_repr(g, sub),))
    return str(node)


def repr_plan(p):
    if isinstance(p, str):
        return p
    if isinstance(p, tuple):
        return ["/", [repr_plan(x) for x in p]]
    return [p.op, [repr_plan(x) for x in p.args]]


# -- the whole plan --------------------------------------------------------------------------------
def compile_plan(g: rdflib.Graph) -> dict:
    """The plan of every shape of ``g`` (see the module docstring); ShapesError if it cannot run."""
    comp = Compiler(g)
    by_class: list = []
    subject: list = []
    obj: list = []
    nodes: list = []
    for node in list(comp.kinds):
        i = comp.shape(node)
        if comp.entry(i)[5]:                    # deactivated
            continue
        for c in comp.class_targets(node):
            entry = [str(c), i, 0]
            if entry not in by_class:
                by_class.append(entry)
        for decl in g.objects(node, _SH.target):
            mode, c = compile_target(g, comp.where(node), decl)
            entry = [str(c), i, mode]
            if entry not in by_class:
                by_class.append(entry)
        subject.extend([str(p), i] for p in g.objects(node, _SH.targetSubjectsOf))
        obj.extend([str(p), i] for p in g.objects(node, _SH.targetObjectsOf))
        nodes.extend([i, term(t)] for t in g.objects(node, _SH.targetNode))
    return {"format": PLAN_FORMAT, "shapes": comp.shapes, "class": by_class, "subject": subject,
            "object": obj, "node": nodes, "info": shape_info(g)}


def shape_info(g: rdflib.Graph) -> dict:
    """What the report layer reads about each named shape: [sh:name, ctdlsh:code, typed sh:PropertyShape,
    the predicates of its sh:or alternatives that are simple paths]."""
    name, code = _SH.name, rdflib.URIRef(CTDLSH + "code")
    out = {}
    for s in sorted(set(g.subjects()), key=str):
        if not isinstance(s, rdflib.URIRef):
            continue
        alternatives = []
        for lst in g.objects(s, _SH["or"]):
            for member in g.items(lst):
                path = g.value(member, _SH.path)
                if isinstance(path, rdflib.URIRef):
                    alternatives.append(str(path))
        out[str(s)] = [str(g.value(s, name) or ""), str(g.value(s, code) or ""),
                       (s, RDF.type, _SH.PropertyShape) in g, alternatives]
    return out


__all__ = ["compile_plan", "Compiler", "PLAN_FORMAT", "path_repr", "pick_message", "shape_id"]
