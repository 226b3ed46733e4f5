"""The registry's read API: resources, graphs, envelopes (with revisions and search)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, request

from transformer import CTID_RE, UUID_RE

from ..registry.answers import assistant_body
from .web import api_key, base_url, registry
from ..registry.envelope import build_envelope, revision_summary
from ..registry.core import NotFound
from .responses import error_response, json_response

bp = Blueprint("registry", __name__)
MAX_PER_PAGE = 100
# ?q=: every word must occur (one LIKE each); more words than a person types, or text longer than
# a sentence, would only make the database work for nothing
MAX_QUERY_WORDS = 16
MAX_QUERY_CHARS = 500


def _ctid(ctid: str) -> str:
    ctid = ctid.strip().lower()
    if not CTID_RE.match(ctid):
        raise NotFound(f'"{ctid}" is not a CTID (ce- followed by a UUID)')
    return ctid


def _current(ctid: str):
    store = registry().store
    record = store.get_by_ctid(ctid) or store.get_by_node_ctid(ctid)
    if record is None:
        deleted = store.get_by_ctid(ctid, include_deleted=True)
        if deleted is not None:
            raise NotFound(f"{ctid} was deleted on {deleted.deleted_at}; its history is at "
                           f"{base_url()}envelopes/{deleted.envelope_id}/revisions")
        raise NotFound(f"{ctid} is not in this registry")
    return record


def _envelope(record) -> dict:
    # the documented entry (docs/SERVICE.md: version, digest, updated_at, published_by) + deleted_at
    revisions = [{**revision_summary(r), "deleted_at": r.deleted_at}
                 for r in registry().store.revisions(record.envelope_id)]
    return build_envelope(record, revisions)


@bp.get("/registry/public-key")
def public_key():
    """The key this registry signs envelopes with (PEM): what `ctdl verify --registry URL` trusts."""
    from flask import Response

    return Response(registry().public_key_pem, mimetype="application/x-pem-file")


@bp.get("/resources/<ctid>")
def resource(ctid: str):
    ctid = _ctid(ctid)
    record = _current(ctid)
    doc = record.decoded_resource
    for node in doc.get("@graph", []):
        if isinstance(node, dict) and str(node.get("ceterms:ctid", "")).lower() == ctid:
            return json_response({"@context": doc.get("@context"), **node}, mimetype="application/ld+json")
    raise NotFound(f"{ctid} is not in this registry")


@bp.delete("/resources/<ctid>")
def delete_resource(ctid: str):
    key = api_key()
    record = registry().delete(_ctid(ctid), key, request.args.get("PublishForOrganizationIdentifier"))
    return json_response(assistant_body(True, [f"{record.ctid} was deleted; its history is kept"],
                                        ctid=record.ctid, envelope_id=record.envelope_id, was_changed=True))


@bp.get("/graph/<ctid>")
def graph(ctid: str):
    return json_response(_current(_ctid(ctid)).decoded_resource, mimetype="application/ld+json")


def _envelope_id(envelope_id: str) -> str:
    """Envelope ids are UUIDs: anything else is not here (and is never sent to the store)."""
    if not UUID_RE.match(envelope_id.strip()):
        raise NotFound(f"no envelope {envelope_id}")
    return envelope_id.strip().lower()


@bp.get("/envelopes/<envelope_id>")
def envelope(envelope_id: str):
    record = registry().store.get_envelope(_envelope_id(envelope_id))
    if record is None:
        raise NotFound(f"no envelope {envelope_id}")
    return json_response(_envelope(record))


@bp.get("/envelopes/<envelope_id>/revisions")
def revisions(envelope_id: str):
    records = registry().store.revisions(_envelope_id(envelope_id))
    if not records:
        raise NotFound(f"no envelope {envelope_id}")
    return json_response([build_envelope(r) for r in records])


def _int_arg(name: str, default: int, low: int, high: int):
    raw = request.args.get(name)
    if raw is None:
        return default, None
    try:
        value = int(raw)
    except ValueError:
        return None, error_response(400, "input.invalid-parameter", f"{name} must be a whole number, not {raw!r}",
                                    path=f"?{name}")
    if not low <= value <= high:
        return None, error_response(400, "input.invalid-parameter", f"{name} must be between {low} and {high}",
                                    path=f"?{name}")
    return value, None


@bp.get("/envelopes")
def envelopes():
    page, err = _int_arg("page", 1, 1, 10**9)
    if err:
        return err
    per_page, err = _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    if err:
        return err
    owned_by = request.args.get("owned_by")
    ctdl_type = request.args.get("type")
    q = request.args.get("q")
    for name, value in (("owned_by", owned_by), ("type", ctdl_type), ("q", q)):
        if value and "\x00" in value:   # no stored text holds U+0000 (PostgreSQL cannot even be asked)
            return error_response(400, "input.invalid-parameter", f"{name} must not contain U+0000",
                                  path=f"?{name}")
    if q and (len(q) > MAX_QUERY_CHARS or len(q.split()) > MAX_QUERY_WORDS):
        return error_response(400, "input.query-too-long",
                              f"q has {len(q.split()):,} words and {len(q):,} characters; a search takes at most "
                              f"{MAX_QUERY_WORDS} words and {MAX_QUERY_CHARS} characters: search for a few "
                              "distinctive words", path="?q")
    from ..registry.core import stored_types

    # ?type=: a CTDL class with its subclasses (credential: every kind), or a request type name
    types = (stored_types(ctdl_type) or ctdl_type) if ctdl_type else None
    items, total = registry().store.list_envelopes(owned_by=owned_by.lower() if owned_by else None,
                                                   ctdl_type=types, q=q.lower() if q else None,
                                                   offset=(page - 1) * per_page, limit=per_page)
    last = max(1, -(-total // per_page))
    params = {k: v for k, v in (("owned_by", owned_by), ("type", ctdl_type), ("q", q)) if v}
    link = lambda p, rel: f'<{base_url()}envelopes?{urlencode({**params, "page": p, "per_page": per_page})}>; rel="{rel}"'  # noqa: E731
    links = [link(1, "first"), link(last, "last")]
    if page > 1:
        links.append(link(page - 1, "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    headers = {"X-Total-Count": str(total), "X-Page": str(page), "X-Per-Page": str(per_page),
               "Link": ", ".join(links)}
    return json_response([build_envelope(r) for r in items], headers=headers)
