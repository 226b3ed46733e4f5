"""The reference engine: pyshacl on ``Graph.to_rdflib()``, results mapped to :class:`RawResult`.

pyshacl's shapes graph (shape discovery, constraint parsing) is built once and reused for every
validation.  Inference none, owl:imports never followed, SHACL-AF off (the SPARQL-based custom
components of ``shapes/components.ttl`` are SHACL Core + SPARQL and run without it).

Terms come back as the graph's own: blank nodes and literals are mapped through the term map
``Graph.to_rdflib`` fills (rdflib may have normalised a literal's lexical form).

pyshacl cannot name the SPARQL variable of a parameter whose IRI has no ``#`` or ``/`` (ours are
``urn:ctdl-assistant:ns:...``); ``_patch_parameter_names`` lets it use the part after the last ``:``.
"""
from __future__ import annotations

import threading

import rdflib

from ..graph import BNode, Graph, IRI, Literal
from . import SH, RawResult
from .compiled import pick_message, shape_id
from .paths import path_repr

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


class ReferenceEngine:
    def __init__(self, shapes: rdflib.Graph):
        _patch_parameter_names()
        from pyshacl.graph_abstraction import DataGraph
        from pyshacl.validator import Validator

        self._DataGraph = DataGraph
        self.shapes = shapes
        self._validator = Validator(DataGraph.from_rdflib(rdflib.Graph()), shacl_graph=shapes,
                                    options={"inference": "none", "advanced": False})
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
        term_map: dict = {}
        data = graph.to_rdflib(term_map)
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
                out.append(RawResult(
                    conv(focus),
                    path_repr(report, path) if path is not None else None,
                    conv(report.value(r, _SH.value)),
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
        """Outermost named shape on a sh:property chain down to ``shape`` (best effort: when the
        shape is reached from several targeted shapes, prefer one that targets ``focus``)."""
        chains = []

        def up(node, chain, depth):
            parents = self._parents.get(node, [])
            if self._has_targets(node) or not parents or depth > 20:
                chains.append([node] + chain)
            for p in parents:
                if p not in chain:
                    up(p, [node] + chain, depth + 1)
        up(shape, [], 0)
        roots = []
        for chain in chains:
            named = next((n for n in chain if isinstance(n, rdflib.URIRef)), chain[-1])
            roots.append((not self._targets_focus(chain[0], focus, data), shape_id(named)))
        return min(roots)[1] if roots else shape_id(shape)

    def _has_targets(self, node) -> bool:
        g = self.shapes
        return any((node, p, None) in g for p in (_SH.targetClass, _SH.targetNode,
                                                  _SH.targetSubjectsOf, _SH.targetObjectsOf)) \
            or (node, rdflib.RDF.type, rdflib.RDFS.Class) in g

    def _targets_focus(self, node, f, data: rdflib.Graph) -> bool:
        g = self.shapes
        classes = set(g.objects(node, _SH.targetClass))
        if (node, rdflib.RDF.type, rdflib.RDFS.Class) in g:
            classes.add(node)
        return any((f, rdflib.RDF.type, c) in data for c in classes) \
            or (node, _SH.targetNode, f) in g \
            or any((f, p, None) in data for p in g.objects(node, _SH.targetSubjectsOf))
