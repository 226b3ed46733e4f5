"""The Registry Assistant API: POST /{type}/format, POST /{type}/publish, DELETE /{type}/delete."""
from __future__ import annotations

from flask import Blueprint, request

from transformer import endpoint_names, graph_input, parse_json, plan_request, require_object, wrappers, WrongShape

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
    data = request.get_data()
    plan = _plan(data, kind.lower())
    if plan is not None:   # pathwayset/publish with its Pathways, competency/publish with Competencies
        return _list_answer(plan, key)
    result = registry().publish(data, kind.lower(), key)
    return json_response(*publish_answer(result, base_url()))


@bp.post("/<kind>/provisional")
def provisional(kind: str):
    """A provisional record (the Registry Assistant's {type}/provisional): the minimum of
    shapes/provisional/ (CTID, Name, Owned or Offered By), created once; the full description is
    published later with POST /{type}/publish."""
    if not _kind(kind):
        return _unknown_kind(kind)
    spec = wrappers()["wrappers"].get(endpoint_names()[kind.lower()], {})
    if not spec.get("provisional"):
        kinds = sorted(w["endpoint"] for w in wrappers()["wrappers"].values() if w.get("provisional"))
        return error_response(404, "http.not-found", f'{kind.lower()} has no provisional form; these do: {", ".join(kinds)}')
    key = api_key()
    result = registry().publish(request.get_data(), kind.lower(), key, provisional=True)
    return json_response(*publish_answer(result, base_url()))


@bp.post("/<kind>/bulkpublish")
@bp.post("/<kind>/publishlist")
def publish_list(kind: str):
    """A list of resources (SupportServices, TransferValueProfiles, JobList...): one answer each."""
    if not _kind(kind):
        return _unknown_kind(kind)
    key = api_key()
    plan = _plan(request.get_data(), kind.lower())
    if plan is None:
        lists = [k for k, spec in wrappers().get("lists", {}).items() if spec["endpoint"] == kind.lower()]
        lists += [spec["items"] for w, spec in wrappers().get("composites", {}).items()
                  if wrappers()["wrappers"][w]["endpoint"] == kind.lower()]
        raise WrongShape(f"this is not a list request: send the {kind.lower()} resources under "
                         + (" or ".join(f'"{k}"' for k in lists) if lists else "a list key (there is none for this type)"),
                         pointer="")
    return _list_answer(plan, key)


def _plan(data: bytes, kind: str):
    body = parse_json(data)
    return plan_request(body, kind) if isinstance(body, dict) else None


def _list_answer(plan, key):
    """A JSON array, one Registry Assistant answer per resource (each with the Pointer of where it was
    in the request): 200 when all were published, 422 when none was, 207 otherwise."""
    from ..registry.answers import error_body
    from ..registry.lists import publish_plan

    base = base_url()
    answers = []
    for o in publish_plan(registry(), plan, key):
        if o.result is not None:
            body, _ = publish_answer(o.result, base)
        elif o.error is not None:
            body = error_body(o.error)
        else:
            body = assistant_body(False, [o.skipped], errors=[{"path": o.pointer, "property": "", "code": "input.item-skipped",
                                                              "message": o.skipped}])
        answers.append({"Pointer": o.pointer, **body})
    ok = [a["Successful"] for a in answers]
    return json_response(answers, 200 if all(ok) else 422 if not any(ok) else 207)


@bp.post("/<kind>/publishGraph")
def publish_graph(kind: str):
    """A CTDL document published as it is ({"GraphInput": {...}}), after `ctdl validate`'s checks."""
    if not _kind(kind):
        return _unknown_kind(kind)
    key = api_key()
    doc, keys = graph_input(require_object(parse_json(request.get_data()), "the request"))
    result = registry().publish_document(doc, key, keys.get("PublishForOrganizationIdentifier"), kind=kind.lower())
    return json_response(*publish_answer(result, base_url()))


@bp.delete("/<kind>/delete")
def delete(kind: str):
    if not _kind(kind):
        return _unknown_kind(kind)
    key = api_key()
    data = request.get_data()
    body = require_object(parse_json(data), "the request") if data.strip() else {}
    if "CTIDList" in body:
        return _delete_list(body, kind, key)
    ctid = body.get("CTID") or request.args.get("ctid")
    if not isinstance(ctid, str) or not ctid:
        raise WrongShape('send the CTID to delete: {"CTID": "ce-...", "PublishForOrganizationIdentifier": "ce-..."} '
                         '(or up to 50 as "CTIDList": [...])', pointer="/CTID")
    record = registry().delete(ctid, key, body.get("PublishForOrganizationIdentifier"), kind=kind)
    base = base_url()
    return json_response(assistant_body(True, [f"{record.ctid} was deleted; its history is kept"], ctid=record.ctid,
                                        envelope_url=f"{base}envelopes/{record.envelope_id}",
                                        envelope_id=record.envelope_id, was_changed=True))


@bp.post("/<kind>/cease")
def cease(kind: str):
    """{"CTID", "PublishForOrganizationIdentifier", "NewStatus"}: the resource's status set (blank:
    ceased), published as its next version."""
    if not _kind(kind):
        return _unknown_kind(kind)
    key = api_key()
    body = require_object(parse_json(request.get_data()), "the request")
    ctid = body.get("CTID")
    if not isinstance(ctid, str) or not ctid:
        raise WrongShape('send the CTID to cease: {"CTID": "ce-...", "NewStatus": "..."}', pointer="/CTID")
    status = body.get("NewStatus")
    if status is not None and not isinstance(status, str):
        raise WrongShape("NewStatus must be text: a term of the resource's status scheme", pointer="/NewStatus")
    result = registry().cease(ctid, key, body.get("PublishForOrganizationIdentifier"), kind.lower(), status)
    return json_response(*publish_answer(result, base_url()))


MAX_DELETE_LIST = 50    # the Registry Assistant's limit


def _delete_list(body: dict, kind: str, key):
    """{"CTIDList": [...]}: each deleted on its own; one answer that lists what was and was not."""
    from transformer import CtdlError

    ctids = body["CTIDList"]
    if not isinstance(ctids, list) or not ctids or not all(isinstance(c, str) for c in ctids):
        raise WrongShape("CTIDList must be a list of CTIDs", pointer="/CTIDList")
    if len(ctids) > MAX_DELETE_LIST:
        raise WrongShape(f"CTIDList holds {len(ctids)} CTIDs; the limit is {MAX_DELETE_LIST} per request",
                         pointer="/CTIDList")
    messages, errors, statuses = [], [], []
    for i, ctid in enumerate(ctids):
        try:
            record = registry().delete(ctid, key, body.get("PublishForOrganizationIdentifier"), kind=kind)
            messages.append(f"{record.ctid} was deleted; its history is kept")
        except CtdlError as e:
            if e.http_status >= 500:
                raise
            statuses.append(e.http_status)
            errors.append({"path": f"/CTIDList/{i}", "property": "CTIDList", "code": e.code, "message": e.message})
    done = len(ctids) - len(errors)
    status = 200 if not errors else 207 if done else statuses[0]
    return json_response(assistant_body(not errors, messages + [e["message"] for e in errors], errors=errors,
                                        was_changed=done > 0), status)


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
