"""frame: Graph -> CTDL JSON-LD in the registry's own form.

``{"@context": ..., "@id": ".../graph/<ctid>", "@graph": [main resource, other entities...]}``:
the main resource first; profiles (blank nodes used once: ConditionProfile, CostProfile,
alignment objects...) embedded where they are used; inline entities (an organization or
credential described by name, without a CTID) as their own ``_:`` entries, referenced by id;
language maps; references as URI strings; compact IRIs with the CTDL prefixes; empty values
omitted; keys in a stable order; blank-node ids derived from the graph's identity, so the same
input always gives byte-identical output.
"""
from __future__ import annotations

import uuid
from functools import lru_cache

from .context import CTDL_CONTEXT_URL, CTDLASN_CONTEXT_URL, ActiveContext, ctdl_context
from .enrich import CTID, Options
from .graph import BNode, Graph, IRI, Literal, Node, XSD
from .vocab import embedded_classes, schema_index

FIRST_KEYS = ["ceterms:ctid", "ceterms:name", "ceterms:description", "ceterms:subjectWebpage"]
_NUMBERS = {XSD + "decimal", XSD + "double", XSD + "float"}
_INTEGERS = {XSD + "integer", XSD + "nonNegativeInteger", XSD + "positiveInteger", XSD + "int", XSD + "long"}
_BLANK_NS = uuid.UUID("6f1d6e2a-3c55-4c1b-9a51-8f0d1c2b7e11")
INTERNAL = "urn:ctdl-assistant:"


@lru_cache(maxsize=1)
def _single_valued() -> frozenset[str]:
    import json
    from .resources import data_dir

    data = json.loads((data_dir("vocabularies") / "schema-index.json").read_text(encoding="utf-8"))
    ctx = ctdl_context()
    return frozenset((ctx.expand_curie(p) or p) for p in data.get("single_valued", [])) | {CTID}


_ENTITIES: list = []


def _entities() -> frozenset[str]:
    """The classes whose instances are @graph entries of their own (not embedded), made once per
    schema index."""
    index = schema_index()
    if not _ENTITIES or _ENTITIES[0] is not index:
        _ENTITIES[:] = [index, frozenset(index.entity_classes - embedded_classes())]
    return _ENTITIES[1]


@lru_cache(maxsize=8192)
def _sort_key(key: str) -> tuple:
    if key in ("@type", "@id"):
        return (0, 0 if key == "@type" else 1, key)
    if key in FIRST_KEYS:
        return (1, FIRST_KEYS.index(key), key)
    return (2, 0, key)


_KEYS: dict[int, tuple] = {}         # id(context) -> (context, predicate -> its key): Framer.node_json
_COMPACTED: dict[tuple, tuple] = {}   # (id(context), prefixes) -> (context, IRI -> as framed): Framer.compact


class Framer:
    def __init__(self, graph: Graph, opts: Options):
        self.g = graph
        self.opts = opts
        self.ctx: ActiveContext = ctdl_context()
        # a ProcessProfile (which CTDL lets carry a CTID) is embedded in the resource, as the registry has it
        self.entities = _entities()
        self.single = _single_valued()
        self.refcount: dict = {}
        for n in graph.nodes.values():
            for values in n.props.values():
                for v in values:
                    if isinstance(v, BNode):
                        self.refcount[v] = self.refcount.get(v, 0) + 1
        main = graph.nodes.get(graph.main) if graph.main is not None else None
        ctid = main.first(CTID) if main else None
        self.graph_id = opts.graph_uri(ctid.value) if isinstance(ctid, Literal) else None
        self.blank_ns = None                # made when a blank node first needs its id (blank_id)
        self.blank_ids: dict = {}
        self.members = set(graph.members)   # a request's other resources: in the @graph, never embedded
        memo = _KEYS.get(id(self.ctx))
        if memo is None or memo[0] is not self.ctx or len(memo[1]) > 20000:
            memo = _KEYS[id(self.ctx)] = (self.ctx, {})
        self.keys: dict = memo[1]           # predicate -> (key, term definition, is a language map)

    def embedded(self, node: Node) -> bool:
        return (isinstance(node.id, BNode) and node.id != self.g.main and node.id not in self.members
                and self.refcount.get(node.id, 0) == 1
                and not any(t in self.entities for t in node.types))

    def blank_id(self, b: BNode) -> str:
        if b not in self.blank_ids:
            if self.blank_ns is None:
                self.blank_ns = uuid.uuid5(_BLANK_NS, self.graph_id or "urn:ctdl-assistant:anonymous")
            self.blank_ids[b] = "_:" + str(uuid.uuid5(self.blank_ns, str(len(self.blank_ids))))
        return self.blank_ids[b]

    def frame(self) -> dict:
        self.prefixes = _prefixes(self.context_url())
        order = []
        if self.g.main is not None and self.g.main in self.g.nodes:
            order.append(self.g.nodes[self.g.main])
        order += [n for n in self.g.nodes.values() if n.id != self.g.main and not self.embedded(n)]
        graph = [self.node_json(n, top=True) for n in order]
        doc = {"@context": self.context_url()}
        if self.graph_id:
            doc["@id"] = self.graph_id
        doc["@graph"] = graph
        return doc

    def context_url(self) -> str:
        # CTDL-ASN resources (frameworks, concept schemes, progression models, rubrics) are published
        # with the CTDL-ASN context
        asn = ("https://purl.org/ctdlasn/terms/", "http://www.w3.org/2004/02/skos/core#",
               "http://purl.org/ASN/schema/core/")
        main = self.g.nodes.get(self.g.main) if self.g.main is not None else None
        if main is not None and any(t.startswith(asn) for t in main.types):
            return CTDLASN_CONTEXT_URL
        return CTDL_CONTEXT_URL

    def compact(self, iri: str) -> str:
        """A compact IRI only with a prefix the document's own @context defines: a CTDL document
        has no publicationStatus: prefix (CTDL-ASN's), a CTDL-ASN document no audLevel:.
        Remembered per (context, prefixes): the same few hundred types and terms on every document."""
        memo = _COMPACTED.get((id(self.ctx), self.prefixes))
        if memo is None or memo[0] is not self.ctx or len(memo[1]) > 20000:
            memo = _COMPACTED[(id(self.ctx), self.prefixes)] = (self.ctx, {})
        done = memo[1].get(iri)
        if done is None:
            short = self.ctx.compact(iri)
            prefix, sep, _ = short.partition(":")
            done = memo[1][iri] = str(iri) if sep and short != iri and prefix not in self.prefixes else short
        return done

    def node_json(self, node: Node, top: bool = False) -> dict:
        out: dict = {}
        if node.types:
            types = [self.compact(t) for t in node.types]
            out["@type"] = types[0] if len(types) == 1 else types
        if node.id.__class__ is IRI:
            out["@id"] = str(node.id)
        elif top:
            out["@id"] = self.blank_id(node.id)
        keys, single, value_json = self.keys, self.single, self.value_json
        for pred, values in node.props.items():
            if not values:
                continue
            hit = keys.get(pred)
            if hit is None:   # the key and term of a predicate: the same on every node and document
                key = self.ctx.compact(pred)
                td = self.ctx.terms.get(key)
                # (an internal predicate is never published: enrich reports what it could not place)
                hit = keys[pred] = (key, td, td is not None and td.container == "@language",
                                    pred.startswith(INTERNAL))
            key, td, language_map, internal = hit
            if internal:
                continue
            if language_map:
                lmap: dict = {}
                for v in values:
                    if v.__class__ is not Literal:
                        break
                    lmap.setdefault(v.lang or "@none", []).append(v.value)
                else:
                    out[key] = {k: (vs[0] if len(vs) == 1 else vs) for k, vs in lmap.items()}
                    continue
            rendered = []
            for v in values:
                r = value_json(v, td)
                if r is not None and r != "" and r != [] and r != {}:
                    rendered.append(r)
            if not rendered:
                continue
            out[key] = rendered[0] if len(rendered) == 1 and pred in single else rendered
        return {k: out[k] for k in sorted(out, key=_sort_key)}

    def value_json(self, v, td):
        cls = v.__class__
        if cls is BNode:
            child = self.g.nodes.get(v)
            if child is not None and self.embedded(child):
                return self.node_json(child)
            return self.blank_id(v)
        if cls is IRI:
            return self.compact(v) if (td is None or td.type in ("@id", "@vocab")) else str(v)
        if cls is Literal:
            dt = v.datatype
            if dt is None and not v.lang:
                return v.value
            if dt and dt.startswith(INTERNAL):   # text enrich could not resolve (reported): published as text
                return v.value
            if dt in _INTEGERS:
                try:
                    return int(v.value)
                except ValueError:
                    pass
            elif dt in _NUMBERS:
                try:
                    f = float(v.value)
                    return int(f) if f.is_integer() and dt != XSD + "decimal" else f
                except ValueError:
                    pass
            elif dt == XSD + "boolean" and v.value in ("true", "false"):
                return v.value == "true"
            if v.lang:
                return {"@value": v.value, "@language": v.lang}
            if dt and (td is None or td.type != dt) and dt != XSD + "string":
                return {"@value": v.value, "@type": self.ctx.compact(dt)}
            return v.value
        if isinstance(v, BNode):      # (subclasses of the term classes, if any: as above)
            return self.value_json(BNode(v), td)
        if isinstance(v, IRI):
            return self.value_json(IRI(v), td)
        if isinstance(v, Literal):
            return self.value_json(Literal(*v), td)
        return str(v)


def frame(graph: Graph, opts: Options | None = None) -> dict:
    return Framer(graph, opts or Options()).frame()


@lru_cache(maxsize=4)
def _prefixes(url: str) -> frozenset[str]:
    """The prefixes (terms that name a namespace) the context at ``url`` defines."""
    from .context import load_context_document

    ctx = load_context_document(url)["@context"]
    return frozenset(k for k, v in ctx.items() if isinstance(v, str) and v.endswith(("/", "#")))
