"""Compare two CTDL JSON-LD documents as sets of RDF facts: how close is our output to the real one?

    real_vs_ours = compare(real_doc, ours_doc)
    real_vs_ours.recall, real_vs_ours.precision, real_vs_ours.missing, real_vs_ours.extra

``to_triples`` turns a document into RDF with pyld (contexts served locally by
``transformer.context.pyld_loader``, never fetched) and normalizes it so that two documents
saying the same thing give the same set of ``(subject, predicate, object)`` strings:

* registry IRIs on any host (production, sandbox, http/https, the project's own registry base)
  become ``registry:resources/ce-...`` / ``registry:graph/ce-...``, CTIDs lower-cased (also the
  ``ceterms:ctid`` literal);
* other IRIs are compacted with the CTDL context's prefixes (``ceterms:``, ``qdata:``, ``schema:``...);
* literals are printed as JSON strings with ``@lang`` (lower-cased) or ``^^datatype`` (not for
  xsd:string);
* blank nodes get a label that does not depend on their id: ``_:<Type>-<position>.<content>``,
  two hashes: the position is who points at it with which predicate, up to the nearest named
  node (``ceterms:aggregateData`` of ``registry:resources/ce-x``, then ``ceterms:jobsObtained``
  of that...); the content is the node's rdf:type and sorted (predicate, literal/IRI object)
  pairs.  So a blank node moved under another predicate or another parent is a different node,
  while a difference in one blank node does not relabel its children or siblings.  Blank nodes
  with the same content at the same position are one node (the facts are a set).

``compare`` then aligns blank nodes (``align``): one of ours with no identical twin in the real
output takes the label of the real blank node at the same position that shares most of its
content, so a blank node differing in one literal costs one missing and one extra fact.
* the name of a named graph (the document's top-level ``@id``) is the fact
  ``("@graph", "@id", name)``.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from pyld import jsonld

from transformer.context import CTDL_CONTEXT_URL, load_context_document, pyld_loader
from transformer.enrich import DEFAULT_REGISTRY, SANDBOX_REGISTRY

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
CTID_PREDICATE = "https://purl.org/ctdl/terms/ctid"

REGISTRY_BASES = tuple(sorted({
    "https://sandbox.credentialengineregistry.org/", "http://sandbox.credentialengineregistry.org/",
    "https://credentialengineregistry.org/", "http://credentialengineregistry.org/",
    DEFAULT_REGISTRY, SANDBOX_REGISTRY}, key=len, reverse=True))
_REGISTRY_PATH = re.compile(r"^(?:ce-registry/)?(resources|graph)/(ce-[0-9a-fA-F-]+)(.*)$")

Fact = tuple[str, str, str]


@lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, str], ...]:
    """(namespace, prefix) of the CTDL context, longest namespace first."""
    ctx = load_context_document(CTDL_CONTEXT_URL)["@context"]
    pairs = {(v, k) for k, v in ctx.items()
             if isinstance(v, str) and v.endswith(("/", "#")) and not k.startswith("@")}
    pairs |= {("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"),
              ("http://www.w3.org/2001/XMLSchema#", "xsd")}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[1])))


def normalize_iri(iri: str) -> str:
    for base in REGISTRY_BASES:
        if iri.startswith(base):
            rest = iri[len(base):]
            m = _REGISTRY_PATH.match(rest)
            if m:
                return f"registry:{m.group(1)}/{m.group(2).lower()}{m.group(3)}"
            return "registry:" + rest
    for ns, prefix in _prefixes():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _literal(obj: dict, predicate: str) -> str:
    value = obj["value"]
    if predicate == CTID_PREDICATE:
        value = value.lower()
    text = json.dumps(value, ensure_ascii=False)
    if obj.get("language"):
        return f"{text}@{obj['language'].lower()}"
    datatype = obj.get("datatype") or XSD_STRING
    if datatype in (XSD_STRING, LANG_STRING):
        return text
    return f"{text}^^{normalize_iri(datatype)}"


def _hash(value) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:8]


def _dataset(doc: dict) -> dict:
    return jsonld.to_rdf(doc, {"documentLoader": pyld_loader})


def to_triples(doc: dict) -> set[Fact]:
    """The document's RDF as normalized, readable facts (see the module docstring)."""
    dataset = _dataset(doc)
    facts: set[Fact] = set()
    raw: list[tuple[tuple[str, str], str, tuple[str, str]]] = []   # ((kind, value), pred, (kind, value))
    for name, triples in dataset.items():
        if name != "@default":
            facts.add(("@graph", "@id", normalize_iri(name)))
        for t in triples:
            s, p, o = t["subject"], t["predicate"]["value"], t["object"]
            subj = ("b", s["value"]) if s["type"] == "blank node" else ("i", normalize_iri(s["value"]))
            if o["type"] == "blank node":
                obj = ("b", o["value"])
            elif o["type"] == "IRI":
                obj = ("i", normalize_iri(o["value"]))
            else:
                obj = ("l", _literal(o, p))
            raw.append((subj, normalize_iri(p), obj))

    # own content of every blank node, and who points at it with which predicate
    content: dict[str, list] = defaultdict(list)
    incoming: dict[str, list] = defaultdict(list)
    for subj, pred, obj in raw:
        if subj[0] == "b":
            content[subj[1]]  # every blank subject has an entry
            if obj[0] != "b":
                content[subj[1]].append((pred, obj[1]))
        if obj[0] == "b":
            content[obj[1]]
            incoming[obj[1]].append((pred, subj))

    positions: dict[str, str] = {}

    def position(b: str, stack: frozenset = frozenset()) -> str:
        if b in positions:
            return positions[b]
        if b in stack:
            return "cycle"
        parts = sorted((pred, s[1] if s[0] == "i" else "^" + position(s[1], stack | {b}))
                       for pred, s in incoming[b])
        pos = json.dumps(parts, ensure_ascii=False)
        if not stack:
            positions[b] = pos
        return pos

    labels: dict[str, str] = {}
    for b, own in content.items():
        own = sorted(set(own))
        types = sorted(o for p, o in own if p == "rdf:type")
        kind = types[0].rpartition(":")[2] if types else "node"
        labels[b] = f"_:{kind}-{_hash(position(b))}.{_hash(own)}"

    def term(x: tuple[str, str]) -> str:
        return labels[x[1]] if x[0] == "b" else x[1]

    facts |= {(term(s), p, term(o)) for s, p, o in raw}
    return facts


def facts_by_predicate(facts) -> dict[str, list[Fact]]:
    """Facts grouped by predicate (sorted), for reports."""
    groups: dict[str, list[Fact]] = defaultdict(list)
    for f in sorted(facts):
        groups[f[1]].append(f)
    return dict(sorted(groups.items()))


@dataclass
class Comparison:
    real: set[Fact]
    ours: set[Fact]
    missing: list[Fact] = field(default_factory=list)   # real facts we lack
    extra: list[Fact] = field(default_factory=list)     # our facts the real output lacks

    @property
    def common(self) -> int:
        return len(self.real & self.ours)

    @property
    def recall(self) -> float:
        return self.common / len(self.real) if self.real else 1.0

    @property
    def precision(self) -> float:
        return self.common / len(self.ours) if self.ours else 1.0

    def missing_by_predicate(self) -> dict[str, list[Fact]]:
        return facts_by_predicate(self.missing)

    def extra_by_predicate(self) -> dict[str, list[Fact]]:
        return facts_by_predicate(self.extra)


_LABEL = re.compile(r"^_:.*-([0-9a-f]{8})\.([0-9a-f]{8})$")


def _own_content(facts: set[Fact]) -> dict[str, set[tuple[str, str]]]:
    """Blank node label -> its (predicate, non-blank object) pairs (empty for object-only nodes)."""
    nodes: dict[str, set] = defaultdict(set)
    for s, p, o in facts:
        if s.startswith("_:"):
            nodes[s]
            if not o.startswith("_:"):
                nodes[s].add((p, o))
        if o.startswith("_:"):
            nodes[o]
    return nodes


def align(real: set[Fact], ours: set[Fact]) -> set[Fact]:
    """``ours`` with each blank node that has no identical twin in ``real`` renamed to the real
    blank node at the same position (same predicates from the same named node) sharing the most
    (predicate, object) pairs with it; greedy, deterministic.  So a blank node that differs in
    one literal costs that literal only, not all its facts."""
    rn, on = _own_content(real), _own_content(ours)
    free_real = defaultdict(list)
    for label in sorted(set(rn) - set(on)):
        free_real[_LABEL.match(label).group(1)].append(label)
    candidates = []
    for b in sorted(set(on) - set(rn)):
        for a in free_real.get(_LABEL.match(b).group(1), ()):
            shared = len(rn[a] & on[b])
            if shared:
                candidates.append((-shared, a, b))
    rename: dict[str, str] = {}
    taken: set[str] = set()
    for _, a, b in sorted(candidates):
        if a not in taken and b not in rename:
            rename[b] = a
            taken.add(a)
    if not rename:
        return ours
    return {(rename.get(s, s), p, rename.get(o, o)) for s, p, o in ours}


def compare(real_doc: dict, ours_doc: dict, aligned: bool = True) -> Comparison:
    """Real vs ours.  ``aligned=False`` compares blank nodes by their labels only (a blank node
    differing in one fact then counts all its facts as missing and extra)."""
    real, ours = to_triples(real_doc), to_triples(ours_doc)
    if aligned:
        ours = align(real, ours)
    return Comparison(real, ours, sorted(real - ours), sorted(ours - real))


def format_fact(f: Fact, width: int = 160) -> str:
    text = " ".join(f)
    return text if len(text) <= width else text[:width - 1] + "…"
