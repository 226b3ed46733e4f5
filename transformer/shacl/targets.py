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

from ..graph import BNode, Graph
from . import CTDLSH

RECORDS_OF = CTDLSH + "RecordsOf"
REFERENCES_TO = CTDLSH + "ReferencesTo"
CLASS = CTDLSH + "class"
RECORDS, REFERENCES = 1, 2          # target modes; 0 is sh:targetClass (every instance)
MODES = {RECORDS_OF: RECORDS, REFERENCES_TO: REFERENCES}



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
