"""The Registry Assistant API: POST /{type}/format, POST /{type}/publish, DELETE /{type}/delete."""
from __future__ import annotations

from flask import Blueprint, request

from transformer import endpoint_names, parse_json, require_object, WrongShape

from ..registry.answers import assistant_body, publish_answer, report_parts
from .responses import error_response, json_response

from .web import api_key, base_url, registry

bp = Blueprint("assistant", __name__)


def _kind(kind: str):
    if kind.lower() not in endpoint_names():
        return None
    return kind.lower()


def _unknown_kind(kind: str):
    return error_response(404, "http.not-found", f'unknown type "{kind}"; use one of: '
                          f'{", ".join(sorted(endpoint_names()))}')



@bp.post("/<kind>/format")
def format_(kind: str):
    if not _kind(kind):
        return _unknown_kind(kind)
    outcome = registry().format(request.get_data(), kind.lower())
    messages, warnings, errors = report_parts(outcome.report)
    ok = outcome.report.conforms
    body = assistant_body(ok, messages, warnings, errors, ctid=outcome.ctid, payload=outcome.document)
    return json_response(body, 200 if ok else 422)


@bp.post("/<kind>/publish")
def publish(kind: str):
    if not _kind(kind):
        return _unknown_kind(kind)
    key = api_key()
    result = registry().publish(request.get_data(), kind.lower(), key)
    return json_response(*publish_answer(result, base_url()))


@bp.delete("/<kind>/delete")
def delete(kind: str):
    if not _kind(kind):
        return _unknown_kind(kind)
    key = api_key()
    data = request.get_data()
    body = require_object(parse_json(data), "the request") if data.strip() else {}
    ctid = body.get("CTID") or request.args.get("ctid")
    if not isinstance(ctid, str) or not ctid:
        raise WrongShape('send the CTID to delete: {"CTID": "ce-...", "PublishForOrganizationIdentifier": "ce-..."}',
                         pointer="/CTID")
    record = registry().delete(ctid, key, body.get("PublishForOrganizationIdentifier"), kind=kind)
    base = base_url()
    return json_response(assistant_body(True, [f"{record.ctid} was deleted; its history is kept"], ctid=record.ctid,
                                        envelope_url=f"{base}envelopes/{record.envelope_id}",
                                        envelope_id=record.envelope_id, was_changed=True))


@bp.post("/validate")
def validate():
    """Any CTDL input: a document, an @graph document, an envelope, or a JSON array of them; the
    body lists every result ("results", or per document in "documents") and the rules found
    ("groups": counts and the first ?examples=N examples)."""
    from transformer import check, summary, WrongShape

    raw = request.args.get("examples", "3")
    if not raw.isdigit() or int(raw) > 1000:
        raise WrongShape(f'"examples" must be a whole number from 0 to 1000, not "{raw}"', pointer="?examples")
    checked = check(request.get_data(), "body", registry().engine, unreadable="raise", rules=registry().rules)
    return json_response(summary.json_summary(checked, summary.group_results(checked, int(raw))), 200)


@bp.post("/admin/purge")
def purge():
    key = api_key()
    body = require_object(parse_json(request.get_data()), "the request")
    registry().purge(str(body.get("CTID") or ""), key)
    return json_response(assistant_body(True, [f"{body.get('CTID')} and its history were purged"],
                                        ctid=body.get("CTID"), was_changed=True))


@bp.post("/admin/transfer")
def transfer():
    key = api_key()
    body = require_object(parse_json(request.get_data()), "the request")
    registry().transfer(str(body.get("CTID") or ""), str(body.get("NewOwner") or ""), key)
    return json_response(assistant_body(True, [f"{body.get('CTID')} now belongs to {body.get('NewOwner')}"],
                                        ctid=body.get("CTID"), was_changed=True))
