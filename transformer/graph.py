"""A small, fast in-memory RDF graph that remembers where each value came from.

rdflib graphs are the reference representation (pyshacl, isomorphism tests), but building one
costs far more than the whole transform of a small document.  The pipeline therefore works on
this structure and converts to rdflib only when asked (``to_rdflib``).

Terms:
  * ``IRI``     -- a ``str`` subclass holding an absolute IRI
  * ``BNode``   -- a ``str`` subclass holding a blank-node label (without ``_:``)
  * ``Literal`` -- (lexical value, datatype IRI or None, language tag or None)

Every node keeps the JSON pointer of the input object it was read from, and for each property
the pointer of the input key, the input key's name, and one pointer per value, so that a
validation result about (node, property, value) can be reported in the user's own terms.
"""
from __future__ import annotations

import itertools
from typing import Iterator, NamedTuple, Union

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = XSD + "string"


class IRI(str):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{str(self)}>"


class BNode(str):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"_:{str(self)}"


class Literal(NamedTuple):
    value: str
    datatype: str | None = None
    lang: str | None = None

    def __repr__(self) -> str:
        if self.lang:
            return f'"{self.value}"@{self.lang}'
        if self.datatype:
            return f'"{self.value}"^^<{self.datatype}>'
        return f'"{self.value}"'


Term = Union[IRI, BNode, Literal]
Subject = Union[IRI, BNode]

_bnode_counter = itertools.count(1)


def new_bnode() -> BNode:
    return BNode(f"b{next(_bnode_counter)}")


class Node:
    """One subject with its types and properties, plus where in the input each part came from."""

    __slots__ = ("id", "types", "props", "pointer", "key_pointer", "key_name", "value_pointers")

    def __init__(self, id: Subject, pointer: str = ""):
        self.id = id
        self.types: list[IRI] = []
        self.props: dict[str, list[Term]] = {}
        self.pointer = pointer                      # JSON pointer of the input object
        self.key_pointer: dict[str, str] = {}       # predicate -> pointer of the input key
        self.key_name: dict[str, str] = {}          # predicate -> input key as written
        self.value_pointers: dict[str, list[str]] = {}  # predicate -> pointer per value

    def add(self, pred: str, value: Term, pointer: str | None = None,
            key_name: str | None = None, key_pointer: str | None = None) -> None:
        values = self.props.get(pred)
        if values is None:
            values = self.props[pred] = []
            self.value_pointers[pred] = []
        if value in values:  # RDF graphs are sets
            return
        values.append(value)
        self.value_pointers[pred].append(pointer if pointer is not None else
                                         (key_pointer or self.pointer))
        if key_name is not None and pred not in self.key_name:
            self.key_name[pred] = key_name
        if key_pointer is not None and pred not in self.key_pointer:
            self.key_pointer[pred] = key_pointer

    def get(self, pred: str) -> list[Term]:
        return self.props.get(pred, [])

    def first(self, pred: str) -> Term | None:
        values = self.props.get(pred)
        return values[0] if values else None

    def remove(self, pred: str) -> None:
        self.props.pop(pred, None)
        self.value_pointers.pop(pred, None)

    def replace(self, pred: str, index: int, value: Term) -> None:
        self.props[pred][index] = value

    def pointer_of(self, pred: str, value: Term | None = None) -> str:
        """Best pointer for a property (or one of its values) of this node."""
        if value is not None and pred in self.props:
            try:
                return self.value_pointers[pred][self.props[pred].index(value)]
            except (ValueError, IndexError):
                pass
        return self.key_pointer.get(pred) or self.pointer

    def __repr__(self) -> str:
        return f"Node({self.id!r}, types={self.types}, props={len(self.props)})"


class Graph:
    """Nodes in insertion order; ``main`` is the resource the document is about; ``members`` the
    other resources a request publishes in the same @graph (a framework's competencies)."""

    __slots__ = ("nodes", "main", "members", "base_pointer")

    def __init__(self) -> None:
        self.nodes: dict[Subject, Node] = {}
        self.main: Subject | None = None
        self.members: list[Subject] = []
        self.base_pointer = ""

    def node(self, id: Subject, pointer: str = "") -> Node:
        n = self.nodes.get(id)
        if n is None:
            n = self.nodes[id] = Node(id, pointer)
        elif pointer and not n.pointer:
            n.pointer = pointer
        return n

    def get(self, id: Subject) -> Node | None:
        return self.nodes.get(id)

    def triples(self) -> Iterator[tuple[Subject, str, Term]]:
        for n in self.nodes.values():
            for t in n.types:
                yield n.id, RDF_TYPE, t
            for p, values in n.props.items():
                for v in values:
                    yield n.id, p, v

    def __len__(self) -> int:
        return sum(len(n.types) + sum(len(v) for v in n.props.values()) for n in self.nodes.values())

    def instances(self, type_iri: str) -> list[Node]:
        return [n for n in self.nodes.values() if type_iri in n.types]

    def referrers(self) -> dict[Subject, list[tuple[Node, str]]]:
        """For each node id, the (node, predicate) pairs that point at it."""
        refs: dict[Subject, list[tuple[Node, str]]] = {}
        for n in self.nodes.values():
            for p, values in n.props.items():
                for v in values:
                    if isinstance(v, (IRI, BNode)) and v in self.nodes:
                        refs.setdefault(v, []).append((n, p))
        return refs

    # -- conversion -------------------------------------------------------------------------
    def to_rdflib(self, term_map: dict | None = None, normalize: bool | None = None):
        """The same triples as an ``rdflib.Graph``.

        If ``term_map`` is given, it is filled with rdflib term -> this graph's term for every blank
        node and literal, so that terms coming back from rdflib (e.g. in pyshacl results) can be
        mapped to the graph's own terms.  ``normalize=False`` keeps lexical forms as they are
        (rdflib's default rewrites some: "01"^^xsd:integer -> "1").
        """
        import rdflib

        g = rdflib.Graph()
        bnodes: dict[str, rdflib.BNode] = {}

        def conv(t):
            if isinstance(t, BNode):
                b = bnodes.get(t)
                if b is None:
                    b = bnodes[t] = rdflib.BNode()
                    if term_map is not None:
                        term_map[b] = t
                return b
            if isinstance(t, IRI):
                return rdflib.URIRef(t)
            if isinstance(t, Literal):
                if t.lang:
                    lit = rdflib.Literal(t.value, lang=t.lang)
                elif t.datatype and t.datatype != XSD_STRING:
                    lit = rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype), normalize=normalize)
                else:
                    lit = rdflib.Literal(t.value)
                if term_map is not None:
                    term_map.setdefault(lit, t)
                return lit
            return rdflib.URIRef(t)

        rdf_type = rdflib.RDF.type
        for s, p, o in self.triples():
            g.add((conv(s), rdf_type if p == RDF_TYPE else rdflib.URIRef(p), conv(o)))
        return g

    @classmethod
    def from_rdflib(cls, g) -> "Graph":
        import rdflib

        out = cls()

        def conv(t):
            if isinstance(t, rdflib.BNode):
                return BNode(str(t))
            if isinstance(t, rdflib.URIRef):
                return IRI(str(t))
            dt = str(t.datatype) if t.datatype else None
            return Literal(str(t), dt, t.language)

        for s, p, o in g:
            node = out.node(conv(s))
            if p == rdflib.RDF.type and isinstance(o, rdflib.URIRef):
                if IRI(str(o)) not in node.types:
                    node.types.append(IRI(str(o)))
            else:
                node.add(str(p), conv(o))
        return out
