"""The reference engine: pyshacl on ``Graph.to_rdflib()``, results mapped to :class:`RawResult`.

pyshacl's shapes graph (shape discovery, constraint parsing) is built once and reused for every
validation.  Inference none, owl:imports never followed, SHACL-AF on (``advanced=True``): the
SPARQL-based target types of ``shapes/components.ttl`` (``ctdlsh:RecordsOf``,
``ctdlsh:ReferencesTo``) need it; the SPARQL-based constraint component is SHACL Core + SPARQL.
The shapes have no rules (sh:rule), so validation runs in place (``inplace=True``): the data graph,
built for this validation only, is not copied.

Terms come back as the graph's own: blank nodes and literals are mapped through the term map
``Graph.to_rdflib`` fills.  Lexical forms are not normalised on the way (``normalize=False``), so
pyshacl sees "01"^^xsd:integer and "P12M"^^xsd:duration as the compiled engine does.

Three patches to pyshacl, applied when this engine is first built: it cannot name the SPARQL
variable of a parameter whose IRI has no ``#`` or ``/`` (ours are ``urn:ctdl-assistant:ns:...``),
so ``_patch_parameter_names`` lets it use the part after the last ``:``; SPARQL texts are parsed
once, not on every query (``_cache_parsed_queries``); and each shape's SHACL-AF target
declarations are bound once per shapes graph, not on every validation (``_cache_advanced_targets``:
pyshacl rebuilds a query helper, prefixes included, for each of the ~400 ``sh:target``
declarations every time it looks for focus nodes).  None of them changes any result.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import warnings

import rdflib

from ..graph import XSD_STRING, BNode, Graph, IRI, Literal
from . import SH, RawResult
from .plan import path_repr, pick_message, shape_id
from .targets import CLASS, MODES, RECORDS

_SH = rdflib.Namespace(SH)
_patched = False


def _patch_parameter_names() -> None:
    global _patched
    if _patched:
        return
    from pyshacl.errors import ReportableRuntimeError
    from pyshacl.parameter import SHACLParameter

    original = SHACLParameter.localname

    def localname(self):
        try:
            return original.fget(self)
        except ReportableRuntimeError:
            return str(self.path()).rsplit(":", 1)[-1]

    SHACLParameter.localname = property(localname)
    _patched = True


@contextlib.contextmanager
def _quiet():
    """rdflib logs a traceback (and warns) for every ill-typed literal it is given: not news here."""
    log = logging.getLogger("rdflib.term")
    was = log.disabled
    log.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.disabled = was


def _rdflib_literal(t: Literal) -> rdflib.Literal:
    """The rdflib literal ``Graph.to_rdflib(normalize=False)`` makes of ``t``."""
    if t.lang:
        return rdflib.Literal(t.value, lang=t.lang)
    if t.datatype and t.datatype != XSD_STRING:
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype), normalize=False)
    return rdflib.Literal(t.value)


def _own_literal(graph: Graph, focus, path, value: rdflib.Literal):
    """The graph's literal behind a literal of pyshacl's report.

    Several of the graph's literals can be one rdflib term ("x"@en and "x"@EN), so look among the
    focus node's values first."""
    node = graph.nodes.get(focus)
    if node is not None and isinstance(path, str):
        for t in node.props.get(path, ()):
            if isinstance(t, Literal) and _rdflib_literal(t) == value:
                return t
    return None


def _cache_parsed_queries(data_graph_class) -> None:
    """rdflib parses a SPARQL text on every ``query`` call (~0.4 s for the duration component's
    query, run once per value node); keep the parsed form of each text pyshacl sends."""
    if getattr(data_graph_class, "_ctdl_cached_queries", False):
        return
    from rdflib.plugins.sparql import prepareQuery

    original = data_graph_class.query
    prepared: dict = {}

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str) and not args and kwargs.get("initNs") is None:
            q = prepared.get(query_object)
            if q is None:
                try:
                    q = prepared[query_object] = prepareQuery(query_object, initNs=dict(self.namespaces()))
                except Exception:  # noqa: BLE001 - let rdflib report it the usual way
                    q = query_object
            query_object = q
        return original(self, query_object, *args, **kwargs)

    data_graph_class.query = query
    data_graph_class._ctdl_cached_queries = True


def _instance_of(f, cls, data: rdflib.Graph) -> bool:
    """Is ``f`` a SHACL instance of ``cls`` in ``data`` (rdf:type/rdfs:subClassOf*)?"""
    return any(cls in data.transitive_objects(t, rdflib.RDFS.subClassOf)
               for t in data.objects(f, rdflib.RDF.type))


def _cache_advanced_targets() -> None:
    """``Shape.advanced_target`` (the bound ``sh:target`` declarations of a shape) depends on the
    shapes graph only: compute it once per shape, in a cache kept on pyshacl's ShapesGraph."""
    from pyshacl.shape import Shape

    if getattr(Shape, "_ctdl_cached_targets", False):
        return
    original = Shape.advanced_target

    def advanced_target(self):
        cache = self.sg.__dict__.setdefault("_ctdl_advanced_targets", {})
        hit = cache.get(self.node)
        if hit is None:
            hit = cache[self.node] = original(self)
        return hit

    Shape.advanced_target = advanced_target
    Shape._ctdl_cached_targets = True


class ReferenceEngine:
    def __init__(self, shapes: rdflib.Graph):
        _patch_parameter_names()
        _cache_advanced_targets()
        from pyshacl.graph_abstraction import DataGraph
        from pyshacl.validator import Validator

        _cache_parsed_queries(type(DataGraph.from_rdflib(rdflib.Graph())))

        self._DataGraph = DataGraph
        self.shapes = shapes
        self._validator = Validator(DataGraph.from_rdflib(rdflib.Graph()), shacl_graph=shapes,
                                    options={"inference": "none", "advanced": True, "inplace": True})
        self._lock = threading.Lock()
        self._messages: dict = {}
        self._parents: dict = {}
        for parent, child in shapes.subject_objects(_SH.property):
            self._parents.setdefault(child, []).append(parent)

    def run(self, g: rdflib.Graph) -> rdflib.Graph:
        """pyshacl's report graph for an rdflib data graph."""
        with self._lock:
            v = self._validator
            v.data_graph = self._DataGraph.from_rdflib(g)
            v._target_graph = None
            _conforms, report, _text = v.run()
        return report

    def validate(self, graph: Graph) -> list[RawResult]:
        with _quiet():
            return self._validate(graph)

    def _validate(self, graph: Graph) -> list[RawResult]:
        term_map: dict = {}
        data = graph.to_rdflib(term_map, normalize=False)
        report = self.run(data)

        def conv(t):
            if t is None:
                return None
            if isinstance(t, rdflib.URIRef):
                return IRI(str(t))
            hit = term_map.get(t)
            if hit is not None:
                return hit
            if isinstance(t, rdflib.BNode):
                return BNode(str(t))
            return Literal(str(t), str(t.datatype) if t.datatype else None, t.language)

        out = []
        for rep in report.subjects(rdflib.RDF.type, _SH.ValidationReport):
            for r in report.objects(rep, _SH.result):
                shape = report.value(r, _SH.sourceShape)
                focus = report.value(r, _SH.focusNode)
                path = report.value(r, _SH.resultPath)
                rpath = path_repr(report, path) if path is not None else None
                gfocus = conv(focus)
                value = report.value(r, _SH.value)
                out.append(RawResult(
                    gfocus,
                    rpath,
                    (_own_literal(graph, gfocus, rpath, value) if isinstance(value, rdflib.Literal)
                     else None) or conv(value),
                    str(report.value(r, _SH.resultSeverity)),
                    shape_id(shape),
                    str(report.value(r, _SH.sourceConstraintComponent)),
                    self._message(shape),
                    self._root(shape, focus, data),
                ))
        return out

    def _message(self, shape) -> str:
        m = self._messages.get(shape)
        if m is None:
            m = self._messages[shape] = pick_message(self.shapes.objects(shape, _SH.message))
        return m

    def _root(self, shape, focus, data: rdflib.Graph) -> str:
        """The source shape if it is named, else the nearest named shape it is reached from through
        sh:property (when there are several, prefer one that targets ``focus``)."""
        if isinstance(shape, rdflib.URIRef):
            return str(shape)
        frontier, seen = [shape], {shape}
        while frontier:
            parents = [p for n in frontier for p in self._parents.get(n, ()) if p not in seen]
            named = sorted({p for p in parents if isinstance(p, rdflib.URIRef)}, key=str)
            if named:
                hit = [p for p in named if self._targets_focus(p, focus, data)]
                return str((hit or named)[0])
            seen.update(parents)
            frontier = parents
        return shape_id(shape)

    def _has_targets(self, node) -> bool:
        g = self.shapes
        return any((node, p, None) in g for p in (_SH.targetClass, _SH.targetNode, _SH.targetSubjectsOf,
                                                  _SH.targetObjectsOf, _SH.target)) \
            or (node, rdflib.RDF.type, rdflib.RDFS.Class) in g

    def _targets_focus(self, node, f, data: rdflib.Graph) -> bool:
        g = self.shapes
        classes = set(g.objects(node, _SH.targetClass))
        if (node, rdflib.RDF.type, rdflib.RDFS.Class) in g:
            classes.add(node)
        return any(_instance_of(f, c, data) for c in classes) \
            or (node, _SH.targetNode, f) in g \
            or any((f, p, None) in data for p in g.objects(node, _SH.targetSubjectsOf)) \
            or any(self._record_target_focus(decl, f, data) for decl in g.objects(node, _SH.target))

    def _record_target_focus(self, decl, f, data: rdflib.Graph) -> bool:
        """Does a ctdlsh:RecordsOf / ctdlsh:ReferencesTo target declaration select ``f``?"""
        g = self.shapes
        modes = [MODES[str(t)] for t in g.objects(decl, rdflib.RDF.type) if str(t) in MODES]
        cls = g.value(decl, rdflib.URIRef(CLASS))
        if not modes or cls is None or not _instance_of(f, cls, data):
            return False
        record = not isinstance(f, rdflib.BNode) or not any(s != f for s in data.subjects(None, f))
        return record == (modes[0] == RECORDS)
