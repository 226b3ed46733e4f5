"""ctdlsh:RecordsOf and ctdlsh:ReferencesTo, natively.

``shapes/components.ttl`` defines the two SPARQL-based target types (SHACL-AF ``sh:SPARQLTargetType``,
so pyshacl runs them with ``advanced=True``); the compiled engine recognises them by IRI and finds
their focus nodes here.  Both split the instances of ``ctdlsh:class`` (``rdf:type/rdfs:subClassOf*``,
as ``sh:targetClass``) in two:

* records (``ctdlsh:RecordsOf``): IRIs, and blank nodes that no other node refers to;
* references (``ctdlsh:ReferencesTo``): blank nodes that another node refers to, by any predicate
  (``rdf:type`` included, a node referring to itself does not count).

Which blank nodes are referred to is computed at most once per validation
(:func:`referenced_blank_nodes`), and only when a blank node of a class with such targets is met.
"""
from __future__ import annotations

import rdflib

from ..errors import ShapesError
from ..graph import BNode, Graph
from . import CTDLSH, SH

RECORDS_OF = CTDLSH + "RecordsOf"
REFERENCES_TO = CTDLSH + "ReferencesTo"
CLASS = CTDLSH + "class"
RECORDS, REFERENCES = 1, 2          # target modes; 0 is sh:targetClass (every instance)
MODES = {RECORDS_OF: RECORDS, REFERENCES_TO: REFERENCES}

_SH = rdflib.Namespace(SH)


def compile_target(g: rdflib.Graph, where: str, decl) -> tuple[int, rdflib.term.Node]:
    """(mode, class) of one ``sh:target`` declaration of shape ``where``.

    Only ``[ a ctdlsh:RecordsOf ; ctdlsh:class C ]`` and ``[ a ctdlsh:ReferencesTo ; ctdlsh:class C ]``
    are implemented, and only when the shapes graph defines the target type as a
    ``sh:SPARQLTargetType`` (as pyshacl needs it to); anything else (``sh:select`` targets, other
    target types) is refused."""
    types = {str(t) for t in g.objects(decl, rdflib.RDF.type)}
    ours = types & set(MODES)
    if (decl, _SH.select, None) in g or len(ours) != 1:
        raise ShapesError(f"shape {where}: sh:target is not supported by the compiled engine "
                          "(only ctdlsh:RecordsOf and ctdlsh:ReferencesTo targets)")
    kind = next(iter(ours))
    if (rdflib.URIRef(kind), rdflib.RDF.type, _SH.SPARQLTargetType) not in g:
        raise ShapesError(f"shape {where}: sh:target uses {kind.replace(CTDLSH, 'ctdlsh:')} but the target "
                          "type is not defined in the shapes (shapes/components.ttl)")
    classes = list(g.objects(decl, rdflib.URIRef(CLASS)))
    if len(classes) != 1 or not isinstance(classes[0], rdflib.URIRef):
        raise ShapesError(f"shape {where}: a {kind.replace(CTDLSH, 'ctdlsh:')} target needs exactly one "
                          "ctdlsh:class IRI")
    return MODES[kind], classes[0]


def referenced_blank_nodes(graph: Graph) -> set:
    """The blank nodes some other node of ``graph`` refers to (as the object of any triple)."""
    out: set = set()
    add = out.add
    for nid, n in graph.nodes.items():
        for values in n.props.values():
            for v in values:
                if v.__class__ is BNode and (v != nid or nid.__class__ is not BNode):
                    add(v)
    return out
