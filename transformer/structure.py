"""Whole-document checks for any CTDL document: what the shapes cannot see node by node.

Run by ``pipeline.validate_document`` on the JSON as given (pointers are exact), in one pass over
the document plus dictionary lookups, so a framework of 8,000 competencies costs milliseconds:

  unknown-class / unknown-property  a CTDL or CTDL-ASN term the schema does not have ("did you
                                     mean": ceterms:inLangaue -> ceterms:inLanguage)
  deprecated                        a term CTDL replaced (vocabularies/superseded-terms.json, and
                                     terms the encodings mark deprecated): a warning naming the
                                     replacement, so old 2017-2018 documents are still read
  ctid-case                         an upper-case CTID (warning: accepted, but write lower case)
  ctid-mismatch                     a node whose @id ends with another CTID than its ceterms:ctid
  unresolved-blank-node             a reference to _:b0 that no node of the document defines
  main-not-first                    the @graph's @id names a resource that is not @graph[0]
  inverse-one-way                   A hasPart B inside one document, but B does not say isPartOf A
  other-framework                   a competency of a framework document that is part of another
                                     framework (violation), or of none (warning)
  invalid-language / language-map   language-map keys that are not BCP 47 tags, values that are
                                     not text, language maps written inside arrays (legacy data)
"""
from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from typing import Any

from .context import ActiveContext, ctdl_context, document_context
from .ids import CTID_AT_END as _CTID_TAIL, CTID_RE
from .pointer import pointer_join
from .report import Result, VIOLATION, WARNING
from .resources import data_dir, data_json
from .vocab import schema_index

NAMESPACES = ("https://purl.org/ctdl/terms/", "https://purl.org/ctdlasn/terms/")
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
FRAMEWORK, COMPETENCY = "ceasn:CompetencyFramework", "ceasn:Competency"


class _Schema:
    def __init__(self) -> None:
        index = json.loads((data_dir("vocabularies") / "schema-index.json").read_text(encoding="utf-8"))
        self.classes = set(index["classes"])
        self.properties = set(index["properties"])
        self.inverses = dict(index.get("inverses", {}))
        extra = json.loads((data_dir("vocabularies") / "inverse-pairs.json").read_text(encoding="utf-8"))
        for a, b in extra["pairs"]:
            self.inverses.setdefault(a, b)
            self.inverses.setdefault(b, a)
        superseded = json.loads((data_dir("vocabularies") / "superseded-terms.json").read_text(encoding="utf-8"))
        self.superseded = {k: v for k, v in superseded["terms"].items()}
        for term, by in index.get("deprecated", {}).items():
            self.superseded.setdefault(term, {"replacement": ", ".join(by), "note": ""})
        self._lower = {t.lower(): t for t in self.classes | self.properties}
        legacy = data_json("vocabularies", "legacy-forms.json")["pathwayKeys"]
        full = ctdl_context().expand_curie
        sch, roots = schema_index(), {full(c) for c in legacy["classes"]}
        # the classes whose ceasn:hasPart / ceasn:isPartOf are read as ceterms: (both written forms)
        self.pathway_classes = {form for c in self.classes if not roots.isdisjoint(sch.ancestors(full(c) or c))
                                for form in (c, c.replace("ceterms:", "https://purl.org/ctdl/terms/"))}
        self.pathway_keys = {form: new for old, new in legacy["keys"].items()
                             for form in (old, old.replace("ceasn:", "https://purl.org/ctdlasn/terms/"))}

    def suggest(self, term: str, known: set[str]) -> str | None:
        """The CTDL term closest to `term` among `known`; worked out once per distinct word (difflib
        is slow, and a wrong term comes back on every record of a folder)."""
        memo = self.__dict__.setdefault("_suggested", {})
        key = (term, id(known))
        if key not in memo:
            if len(memo) > 5000:
                memo.clear()
            hit = self._lower.get(term.lower())
            if hit in known:
                memo[key] = hit
            else:
                close = difflib.get_close_matches(term, known, n=1, cutoff=0.8)
                memo[key] = close[0] if close else None
        return memo[key]


@lru_cache(maxsize=1)
def schema() -> _Schema:
    return _Schema()


def check_structure(doc: dict, base: str = "") -> tuple[list[Result], set[str]]:
    """(results, ids of unresolved blank nodes) of one document (the envelope already unwrapped)."""
    ctx = document_context(doc["@context"]) if "@context" in doc else ctdl_context()
    walker = _Walker(ctx, schema())
    items = doc.get("@graph")
    if isinstance(items, list):
        nodes = [(item, pointer_join(base, "@graph", i)) for i, item in enumerate(items) if isinstance(item, dict)]
    else:
        nodes = [({k: v for k, v in doc.items() if k != "@context"}, base)]
    for node, pointer in nodes:
        walker.node(node, pointer)
    walker.finish(doc, nodes, base)
    return walker.results, walker.unresolved


class _Walker:
    def __init__(self, ctx: ActiveContext, s: _Schema):
        self.ctx, self.s = ctx, s
        self.results: list[Result] = []
        self.defined: set[str] = set()                        # blank node ids defined by a node object
        self.references: list[tuple[str, str, str]] = []     # (blank node id, pointer, property)
        self.edges: list[tuple[str, str, str, str]] = []     # (subject @id, property, object @id, pointer)
        self.props: dict[str, dict[str, set[str]]] = {}      # @id -> property -> object @ids
        self.unresolved: set[str] = set()
        self._curies: dict[str, str | None] = {}       # key -> its CTDL name (keys repeat in every node)

    def add(self, severity: str, code: str, message: str, path: str, prop: str = "", value: Any = None,
            fix: str = "") -> None:
        self.results.append(Result(severity, code, message, path=path, property=prop,
                                   value=None if value is None else str(value), fix=fix))

    def curie(self, key: str) -> str | None:
        """The compact CTDL name of a key or type when it is in a CTDL / CTDL-ASN namespace."""
        try:
            return self._curies[key]
        except KeyError:
            pass
        full = self.ctx.expand_vocab(key) if not key.startswith("@") else None
        name = ctdl_context().compact(full) if full and full.startswith(NAMESPACES) else None
        self._curies[key] = name
        return name

    # -- one node object and what it holds ------------------------------------------------------
    def node(self, node: dict, pointer: str) -> None:
        nid = node.get("@id")
        if isinstance(nid, str) and nid.startswith("_:") and len(node) > 1:
            self.defined.add(nid)
        for t, tp in _values(node.get("@type"), pointer_join(pointer, "@type")):
            if isinstance(t, str):
                self.term(t, tp, self.s.classes, "class")
        ctid = node.get("ceterms:ctid")
        if isinstance(ctid, str):
            self.ctid(ctid, nid, pointer)
        for key, value in node.items():
            if key.startswith("@"):
                continue
            kp = pointer_join(pointer, key)
            name = self.curie(key.strip())   # spaces around a key: lift reads it anyway, with a warning
            if name is not None:
                self.term(name, kp, self.s.properties, "property", key)
            td = self.ctx.terms.get(key)
            if td is not None and td.container == "@language":
                self.language_map(value, kp, key)
            for v, vp in _values(value, kp):
                if isinstance(v, dict):
                    ref = v.get("@id")
                    if len(v) == 1 and isinstance(ref, str):
                        self.reference(ref, nid, name or key, vp)
                    elif not (td is not None and td.container == "@language"):
                        self.node(v, vp)
                elif isinstance(v, str) and v.startswith("_:"):
                    self.reference(v, nid, name or key, vp)
                elif isinstance(v, str) and name in self.s.inverses and isinstance(nid, str):
                    self.edge(nid, name, v, vp)

    def reference(self, ref: str, subject: Any, prop: str, pointer: str) -> None:
        if ref.startswith("_:"):
            self.references.append((ref, pointer, prop))
        if isinstance(subject, str) and prop in self.s.inverses:
            self.edge(subject, prop, ref, pointer)

    def edge(self, subject: str, prop: str, obj: str, pointer: str) -> None:
        self.edges.append((subject, prop, obj, pointer))
        self.props.setdefault(subject, {}).setdefault(prop, set()).add(obj)

    def term(self, name: str, pointer: str, known: set[str], kind: str, written: str | None = None) -> None:
        if not (name.startswith(("ceterms:", "ceasn:")) or self.curie(name)):
            return
        name = self.curie(name) or name
        old = self.s.superseded.get(name)
        if old is not None:
            self.add(WARNING, "deprecated", f"{written or name} is no longer part of CTDL; it was replaced by "
                     f"{old['replacement']}" + (f" ({old['note']})" if old.get("note") else ""), pointer,
                     written or name, fix=f"Use {old['replacement']} instead.")
            return
        if name in known:
            return
        hint = self.s.suggest(name, known)
        fix = f"Did you mean {hint}?" if hint else f"Use a {kind} of CTDL or CTDL-ASN (https://credreg.net/ctdl/terms)."
        self.add(VIOLATION, f"unknown-{kind}", f"{written or name} is not a CTDL or CTDL-ASN {kind}; consumers will "
                 f"not understand it", pointer, written or name, written or name, fix)

    def ctid(self, ctid: str, nid: Any, pointer: str) -> None:
        where = pointer_join(pointer, "ceterms:ctid")
        if CTID_RE.match(ctid.strip()) and ctid.strip() != ctid.strip().lower():
            self.add(WARNING, "ctid-case", f"the CTID {ctid} has upper-case letters", where, "ceterms:ctid", ctid,
                     "Write CTIDs in lower case; registries and consumers compare them as text.")
        if isinstance(nid, str) and not nid.startswith("_:") and CTID_RE.match(ctid.strip()):
            m = _CTID_TAIL.search(nid)
            if m and m.group(1).lower() != ctid.strip().lower():
                self.add(VIOLATION, "ctid-mismatch", f"the @id {nid} ends with the CTID {m.group(1)}, but "
                         f"ceterms:ctid is {ctid}", where, "ceterms:ctid", ctid,
                         "Give the resource one CTID: its @id is the registry URI of that same CTID.")

    def language_map(self, value: Any, pointer: str, key: str) -> None:
        if isinstance(value, list):
            if any(isinstance(v, dict) and v and all(LANG_TAG.match(k) for k in v) for v in value):
                self.add(WARNING, "language-map", f"{key} holds language maps inside an array (old registry data)",
                         pointer, key, fix='Write one language map: {"en-US": "...", "es": "..."}, with an array '
                                           "as the value of a language that has several texts.")
            return
        if not isinstance(value, dict):
            return
        for lang, text in value.items():
            lp = pointer_join(pointer, lang)
            if not LANG_TAG.match(lang):
                self.add(VIOLATION, "invalid-language", f'"{lang}" is not a language tag (BCP 47), so consumers '
                         "cannot tell which language this text is in", lp, key, lang,
                         'Use a tag such as "en", "en-US" or "es-MX" (a hyphen, not an underscore).')
            texts = text if isinstance(text, list) else [text]
            if not all(isinstance(t, str) for t in texts):
                self.add(VIOLATION, "wrong-type", f"the {lang} value of {key} must be text (or a list of texts)",
                         lp, key, fix="Give the text as a JSON string.")

    # -- the document as a whole ---------------------------------------------------------------------
    def finish(self, doc: dict, nodes: list[tuple[dict, str]], base: str) -> None:
        for ref, pointer, prop in self.references:
            if ref not in self.defined:
                self.unresolved.add(ref)
                self.add(VIOLATION, "unresolved-blank-node", f"{prop} refers to the blank node {ref}, which no node "
                         "of this document defines", pointer, prop, ref,
                         f'Add the node ({{"@id": "{ref}", "@type": ...}}) to the @graph, or refer to a URI.')
        graph = doc.get("@graph")
        if isinstance(graph, list) and nodes:
            self.main_first(doc, nodes, base)
            self.framework(nodes)
        ids = {n.get("@id") for n, _ in nodes if isinstance(n.get("@id"), str)}
        for subject, prop, obj, pointer in self.edges:
            back = self.s.inverses[prop]
            if obj in ids and subject not in self.props.get(obj, {}).get(back, ()):
                self.add(WARNING, "inverse-one-way", f"{subject} says {prop} {obj}, but {obj} does not say {back} "
                         f"{subject}", pointer, prop, obj,
                         f"Add {back} to {obj} as well, so that the link reads the same from both ends.")

    def main_first(self, doc: dict, nodes: list[tuple[dict, str]], base: str) -> None:
        gid = doc.get("@id")
        m = _CTID_TAIL.search(gid) if isinstance(gid, str) else None
        if not m:
            return
        want = m.group(1).lower()
        first, first_id = nodes[0][0].get("ceterms:ctid"), nodes[0][0].get("@id")
        if isinstance(first, str) and first.strip().lower() == want:
            return
        tail = _CTID_TAIL.search(first_id) if isinstance(first_id, str) else None
        if tail and tail.group(1).lower() == want:
            return    # @graph[0] is the resource; its ceterms:ctid disagrees (ctid-mismatch says so)
        at = next((p for n, p in nodes if str(n.get("ceterms:ctid", "")).strip().lower() == want), None)
        self.add(VIOLATION, "main-not-first", f"the document is the graph of {want}, but @graph[0] is not that "
                 "resource" + (f" (it is at {at})" if at else " (no node of the @graph has that CTID)"),
                 pointer_join(base, "@graph", 0), "@graph", want,
                 "Put the main resource first in @graph; consumers read @graph[0] as the resource.")

    def framework(self, nodes: list[tuple[dict, str]]) -> None:
        main, _ = nodes[0]
        if FRAMEWORK not in _types(main) or not isinstance(main.get("@id"), str):
            return
        fid = main["@id"]
        for node, pointer in nodes[1:]:
            if COMPETENCY not in _types(node):
                continue
            parts = [v.get("@id") if isinstance(v, dict) else v for v, _ in _values(node.get("ceasn:isPartOf"), "")]
            where = pointer_join(pointer, "ceasn:isPartOf")
            if not parts:
                self.add(WARNING, "other-framework", "this competency does not say which framework it is part of",
                         pointer, "ceasn:isPartOf", fix=f"Add ceasn:isPartOf {fid}.")
            elif fid not in parts:
                self.add(VIOLATION, "other-framework", f"this competency is in the document of {fid} but is part of "
                         f"{', '.join(map(str, parts))}", where, "ceasn:isPartOf", parts[0],
                         "Publish a competency with its own framework, or correct ceasn:isPartOf.")


def _values(value: Any, pointer: str):
    if isinstance(value, list):
        for i, v in enumerate(value):
            yield v, pointer_join(pointer, i)
    elif value is not None:
        yield value, pointer


def _types(node: dict) -> set:
    t = node.get("@type")
    return set(t) if isinstance(t, list) else {t}


__all__ = ["check_structure", "schema"]
