"""Browse and search published data: a search page (words in names and descriptions, filters by type
and organization, paginated) and a record's page: the CTDL as readable sections (names, descriptions,
linked resources as links, vocabulary terms by their labels), its JSON-LD, its envelope and its
revision history."""
from __future__ import annotations

import json
import re

from flask import request

from transformer import CTID_RE, NotFound

from ..web import base_url, registry
from . import bp, int_arg, page, PER_PAGE

HIDDEN = {"@context", "@id", "@type", "ceterms:ctid"}        # shown in the page's head, not as fields


def words(term: str) -> str:
    """ceterms:subjectWebpage -> Subject Webpage."""
    local = term.split(":", 1)[-1].split("/")[-1].split("#")[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local)[:1].upper() + re.sub(
        r"(?<=[a-z0-9])(?=[A-Z])", " ", local)[1:]


def _href(uri: str) -> str:
    """A registry resource of this registry -> its page here; another URL as it is."""
    tail = uri.rstrip("/").rsplit("/", 1)[-1].lower()
    if CTID_RE.match(tail) and (uri.startswith(base_url()) or "/resources/" in uri or "/graph/" in uri):
        return f"/records/{tail}"
    return uri


def value_view(value, depth: int = 0) -> dict:
    """One value for the template: {"kind": text|link|term|object, ...}."""
    if isinstance(value, dict):
        if "@value" in value:
            return {"kind": "text", "text": str(value["@value"])}
        if value.get("@type") == "ceterms:CredentialAlignmentObject" and ("ceterms:targetNodeName" in value):
            return {"kind": "term", "text": _text(value.get("ceterms:targetNodeName")),
                    "href": _iri(value.get("ceterms:targetNode"))}
        if set(value) <= {"@id"}:
            target = str(value["@id"])
            if not target.startswith(("http://", "https://")):    # never a javascript: or data: link
                return {"kind": "text", "text": target}
            return {"kind": "link", "text": target, "href": _href(target)}
        if all(isinstance(k, str) and (len(k) <= 12 and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", k))
               for k in value) and value:
            return {"kind": "text", "text": " | ".join(
                ", ".join(v) if isinstance(v, list) else str(v) for v in value.values())}
        return {"kind": "object", "type": words(str(value.get("@type", ""))), "fields": fields(value, depth + 1)}
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return {"kind": "link", "text": value, "href": _href(value)}
    return {"kind": "text", "text": str(value)}


def fields(node: dict, depth: int = 0) -> list[dict]:
    """A node's properties in order, each with its label and values."""
    out = []
    for term, value in node.items():
        if term in HIDDEN and depth == 0 or term in ("@context", "@type"):
            continue
        values = value if isinstance(value, list) else [value]
        out.append({"term": term, "label": words(term), "values": [value_view(v, depth) for v in values]})
    return out


@bp.get("/search")
def search():
    store = registry().store
    q = request.args.get("q", "").strip()[:200]
    kind = request.args.get("type", "").strip()
    org = request.args.get("org", "").strip().lower()
    number = int_arg("page", 1, high=100000)
    from ...registry.core import stored_types

    types = (stored_types(kind) or kind) if kind else None
    records, total = store.list_envelopes(owned_by=org or None, ctdl_type=types, q=q or None,
                                          offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    hits = []
    for r in records:
        main = _main(r.decoded_resource, r.ctid)
        hits.append({"ctid": r.ctid, "type": words(r.ctdl_type), "name": _name(main), "owner": r.owned_by,
                     "description": _text(main.get("ceterms:description") or main.get("ceasn:description"))[:240],
                     "updated": r.updated_at[:10]})
    pages = max(1, -(-total // PER_PAGE))
    return page("search.html", q=q, type=kind, org=org, hits=hits, total=total, page_number=number, pages=pages,
                types=store.count_by_type(None))


def _main(document, ctid: str) -> dict:
    graph = document.get("@graph") if isinstance(document, dict) else None
    nodes = graph if isinstance(graph, list) else [document] if isinstance(document, dict) else []
    return next((n for n in nodes if isinstance(n, dict) and str(n.get("ceterms:ctid", "")).lower() == ctid),
                nodes[0] if nodes and isinstance(nodes[0], dict) else {})


def _iri(value) -> str:
    """An IRI as published: a string, {"@id": ...}, or a list of either (the first)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@id", "")
    return value if isinstance(value, str) else ""


def _text(value) -> str:
    if isinstance(value, dict):
        value = next(iter(value.values()), "") if value else ""
    if isinstance(value, list):
        value = ", ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def main_name(document, ctid: str) -> str:
    """The name of a published graph's resource `ctid`."""
    return _name(_main(document, ctid))


def _name(node: dict) -> str:
    return _text(node.get("ceterms:name") or node.get("ceasn:name") or node.get("skos:prefLabel")
                 or node.get("ceasn:competencyText") or node.get("ceterms:ctid"))


@bp.get("/records/<ctid>")
def record(ctid: str):
    store = registry().store
    ctid = ctid.strip().lower()
    if not CTID_RE.match(ctid):
        raise NotFound(f'"{ctid[:60]}" is not a CTID (ce- followed by a UUID)')
    current = store.get_by_ctid(ctid) or store.get_by_node_ctid(ctid)
    if current is None:
        raise NotFound(f"{ctid} is not published in this registry")
    document = current.decoded_resource
    main = _main(document, ctid)
    graph = document.get("@graph") if isinstance(document, dict) else None
    others = [n for n in graph if isinstance(n, dict) and n is not main] if isinstance(graph, list) else []
    revisions = store.revisions(current.envelope_id)
    return page("record.html", ctid=ctid, main=main, name=_name(main), type=words(str(main.get("@type", ""))),
                fields=fields(main), others=[{"name": _name(n), "type": words(str(n.get("@type", ""))),
                                              "ctid": n.get("ceterms:ctid", ""), "fields": fields(n, 1)}
                                             for n in others[:200]],
                more=max(0, len(others) - 200), envelope=current, revisions=revisions,
                jsonld=json.dumps(document, indent=2, ensure_ascii=False))
