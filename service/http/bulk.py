"""Bulk uploads over HTTP: review, approve and publish staged records; an organization's addresses.

    GET  /bulk/status?org=CTID[&type=T][&status=S]   the organization's uploaded records
    POST /bulk/approve  {"org", "ids": [...] | "all": true, "type"?}
    POST /bulk/publish  {"org", "type"?}             publish every approved record
    GET  /org/{ctid}/addresses                       address id -> place
    PUT  /org/{ctid}/addresses  {id: place, ...}      replaces them
    GET  /org/{ctid}/manifests/{cost|condition}      manifest id -> CTID
    PUT  /org/{ctid}/manifests/{cost|condition}  {id: CTID, ...}   replaces them

Every route needs an API key of the organization, of a publisher it authorized, or an admin key
(401 without a valid key, 403 for another organization's). The workflow is service/bulk/workflow.py.
"""
from __future__ import annotations

import re

from flask import Blueprint, request

from transformer import CtdlError, NotFound, parse_json, require_object, UUID_RE, WrongShape

from ..registry.answers import assistant_body, bulk_body
from .web import api_key, base_url, registry
from ..bulk import jobs
from ..bulk.workflow import BulkWorkflow, summary
from ..bulk.orgdata import save_addresses
from .responses import json_response

bp = Blueprint("bulk", __name__)
# what no name in a list parameter holds: the characters XML 1.0 (an XLSX cell) cannot carry
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# text no store keeps (service.registry.check_storable says the same of published resources):
# U+0000, which PostgreSQL refuses, and unpaired surrogates ("\ud800" in JSON), which are not Unicode
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _workflow() -> BulkWorkflow:
    return BulkWorkflow(registry())


def _body() -> dict:
    return require_object(parse_json(request.get_data()), "the request")


def _spreadsheet(data: bytes, fmt: str, name: str):
    """A CSV or XLSX download."""
    from flask import Response

    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                else "text/csv; charset=utf-8")
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _query_flag(name: str) -> bool:
    """A true/false query parameter (?xlsx=true, ?sample=1); anything else is a 400."""
    raw = request.args.get(name)
    if raw is None:
        return False
    value = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(raw.strip().lower())
    if value is None:
        raise WrongShape(f'"{name}" must be true or false, not "{raw}"', pointer=f"?{name}")
    return value


def _org(body: dict, key) -> str:
    """The body's "org": absent, null or "" -> the key's organization; other text is checked as a CTID
    by the workflow; anything else (a number, a list...) is a 400, never taken for "absent"."""
    org = body.get("org")
    if org is None or org == "":
        return key.org
    if not isinstance(org, str):
        raise WrongShape('"org" must be an organization CTID (text)', pointer="/org")
    return org


def _record_type(body: dict):
    """The body's "type": absent or null -> every type; other text is checked by the workflow (400
    when unknown); "" and what is not text (false, 0, []) are a 400, never taken for "every type"."""
    kind = body.get("type")
    if kind is None:
        return None
    if not isinstance(kind, str) or not kind.strip():
        from ..bulk.common import record_names

        raise WrongShape(f'"type" must be one of: {", ".join(sorted(record_names()))}', pointer="/type")
    return kind


def _flag(value, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise WrongShape(f'"{name}" must be true or false', pointer=f"/{name}")
    return value


@bp.get("/bulk/status")
def status():
    key = api_key()
    workflow = _workflow()
    org = request.args.get("org") or key.org
    records = workflow.status(org, request.args.get("type"), request.args.get("status"), key=key)
    page, per_page = _page("page", 1), _page("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    counts: dict[str, int] = {}
    for r in records:
        counts[r.status] = counts.get(r.status, 0) + 1
    message = f"{len(records)} uploaded records" + (
        ": " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) if counts else "")
    shown = records[(page - 1) * per_page:page * per_page]
    return json_response(assistant_body(True, [message], Organization=org.strip().lower(),
                                        Records=[summary(r) for r in shown], Total=len(records), Page=page,
                                        PerPage=per_page, Counts=counts))


DEFAULT_PER_PAGE, MAX_PER_PAGE = 100, 1000


def _page(name: str, default: int, maximum: int | None = None) -> int:
    """A positive page number or size from the query (?page=2&per_page=100); a 400 otherwise."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum and int(raw) > maximum):
        raise CtdlError(f"{name} must be a whole number from 1" + (f" to {maximum}" if maximum else "") +
                        f', not "{raw[:20]}"', code="input.invalid-parameter", pointer=f"?{name}")
    return int(raw)


@bp.post("/bulk/discard")
def discard():
    """{"ids": [...], "org"?, "type"?}: the pending or rejected records named, removed; one outcome each."""
    key = api_key()
    body = _body()
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids:
        raise WrongShape('"ids" must be a list of CTIDs or external identifiers', pointer="/ids")
    outcomes = _workflow().discard(_org(body, key), ids, key=key, resource_type=_record_type(body))
    refused = [o for o in outcomes if o.result == "refused"]
    done = len(outcomes) - len(refused)
    status = 200 if not refused else 207 if done else (
        404 if all(e["code"] == "bulk.not-found" for o in refused for e in o.errors) else 409)
    return json_response(bulk_body(not refused, [f"{done} records discarded" +
                                                 (f"; {len(refused)} kept (see Results)" if refused else "")],
                                   outcomes), status)


@bp.post("/bulk/approve")
def approve():
    key = api_key()
    body = _body()
    ids = body.get("ids")
    if ids is not None and not isinstance(ids, list):
        raise WrongShape('"ids" must be a list of CTIDs or external identifiers', pointer="/ids")
    for i, id in enumerate(ids or []):
        if isinstance(id, str) and UNSTORABLE.search(id):
            raise WrongShape(f"ids[{i}] holds U+0000 or an unpaired surrogate, which no identifier holds",
                             pointer=f"/ids/{i}")
    outcomes = _workflow().approve(_org(body, key), ids, all=_flag(body.get("all"), "all"), key=key,
                                   resource_type=_record_type(body))
    refused = [o for o in outcomes if o.result == "refused"]
    if refused:
        status = 404 if all(e["code"] == "bulk.not-found" for o in refused for e in o.errors) else 409
        return json_response(bulk_body(False, [f"nothing was approved: {len(refused)} of the records named "
                                               "cannot be"] + [o.message for o in refused], outcomes), status)
    approved = sum(o.result == "approved" for o in outcomes)
    skipped = sum(o.result == "skipped" for o in outcomes)
    message = f"{approved} records approved" + (f"; {skipped} cannot be yet (see Results)" if skipped else "")
    return json_response(bulk_body(True, [message], outcomes))


@bp.post("/bulk/publish")
def publish():
    key = api_key()
    body = _body()
    outcomes = _workflow().publish_approved(_org(body, key), key=key, resource_type=_record_type(body))
    failed = [o for o in outcomes if o.result == "failed"]
    published = sum(o.result in ("published", "unchanged") for o in outcomes)
    message = f"{published} records published" + (f", {len(failed)} failed (see Errors)" if failed else "")
    if not outcomes:
        message = "no approved records to publish"
    return json_response(bulk_body(not failed, [message], outcomes), 422 if failed else 200)


def _org_data(ctid: str, field: str, what: str, load, save=None):
    """GET (save None) or PUT an organization's reference data: addresses or manifests."""
    key = api_key()
    org, _ = _workflow().actor(ctid, key)
    store = registry().store
    if save is None:
        items = load(store, org)
        return json_response(assistant_body(True, [f"{len(items)} {what}"], Organization=org, **{field: items}))
    body = _body()
    errors = _unstorable(body)
    count, errors = (0, errors) if errors else save(store, org, body)
    if errors:
        return json_response(assistant_body(False, ["nothing was stored: " + "; ".join(
            f"{e['path']}: {e['message']}" for e in errors)], errors=errors, Organization=org), 422)
    return json_response(assistant_body(True, [f"{count} {what} stored for {org}"], Organization=org,
                                        was_changed=True, **{field: load(store, org)}))


def _unstorable(value, pointer: str = "") -> list[dict]:
    """An error per identifier, property name or text of a body that no store can keep (the checks of
    service/bulk/orgdata.py run on what is left)."""
    from ..bulk.common import error

    if isinstance(value, str):
        return [error("invalid-character", "this text holds a character that cannot be stored (U+0000 or an "
                      "unpaired surrogate such as \\ud800)", pointer)] if UNSTORABLE.search(value) else []
    out: list[dict] = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = pointer + "/" + k.replace("~", "~0").replace("/", "~1")
            if UNSTORABLE.search(k):
                out.append(error("invalid-character", "this name holds a character that cannot be stored (U+0000 "
                                 "or an unpaired surrogate such as \\ud800)", here))
            out += _unstorable(v, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _unstorable(v, f"{pointer}/{i}")
    return out


def _addresses(store, org):
    return store.addresses(org)


@bp.get("/org/<ctid>/addresses")
def addresses(ctid: str):
    return _org_data(ctid, "Addresses", "addresses", _addresses)


@bp.put("/org/<ctid>/addresses")
def set_addresses(ctid: str):
    return _org_data(ctid, "Addresses", "addresses", _addresses, save_addresses)


def _manifest_kind(kind: str) -> str:
    from ..registry.core import NotFound
    from ..store.base import MANIFEST_KINDS

    if kind not in MANIFEST_KINDS:
        raise NotFound(f'there are cost and condition manifests, not "{kind}": /org/{{ctid}}/manifests/cost '
                       "or /org/{ctid}/manifests/condition")
    return kind


@bp.route("/org/<ctid>/manifests/<kind>", methods=["GET", "PUT"])
def manifests(ctid: str, kind: str):
    from ..bulk.orgdata import save_manifests

    kind = _manifest_kind(kind)
    save = (lambda store, org, body: save_manifests(store, org, kind, body)) if request.method == "PUT" else None
    return _org_data(ctid, "Manifests", f"{kind} manifests", lambda store, org: store.manifests(org, kind), save)


@bp.get("/bulk/<kind>/template")
def template(kind: str):
    """A template spreadsheet whose columns come from the shapes (no key needed)."""
    from transformer import build_template, FRAMEWORK_LAYOUTS as LAYOUTS, InputError

    def listed(name: str, empty_items: bool):
        """A comma-separated list (the parameter may be repeated); None when not given."""
        raw = [v for given in request.args.getlist(name) for v in given.split(",")]
        bad = next((v for v in raw if NOT_TEXT.search(v)), None)
        if bad is not None:   # no name has control characters (and an XLSX cell cannot hold them)
            raise InputError(f'"{name}" holds a control character: {bad!r}', pointer=f"?{name}",
                             code="input.invalid-parameter")
        items = [v.strip() for v in raw]
        if not empty_items and "" in items:   # "?properties=" or "a,,b": not a column name
            raise InputError(f'"{name}" has an empty name: list column headers separated by commas, or leave '
                             f'"{name}" out for every column', pointer=f"?{name}", code="input.invalid-parameter")
        return [v for v in items if v] or None

    fmt = "xlsx" if _query_flag("xlsx") else "csv"
    layout = request.args.get("layout", "template")
    if layout not in LAYOUTS:   # any type (only competency frameworks have layouts): a typo is said, not ignored
        raise InputError(f'"layout" must be {" or ".join(LAYOUTS)}, not "{layout}"', pointer="?layout",
                         code="input.invalid-parameter")
    from ..bulk.frameworks import is_framework

    if is_framework(kind):
        from transformer import framework_template

        data = framework_template(layout, sample=_query_flag("sample"),
                                  instructions=_query_flag("instructions"), fmt=fmt)
        return _spreadsheet(data, fmt, "competencyframework-template")
    data = build_template(kind, properties=listed("properties", False), sample=_query_flag("sample"),
                          instructions=_query_flag("instructions"), credentials=listed("credentials", True), fmt=fmt,
                          rules=registry().rules)
    return _spreadsheet(data, fmt, f"{kind.lower()}-template")


@bp.post("/bulk/<kind>/upload")
def upload_file(kind: str):
    """Validate and stage a spreadsheet (multipart field "file", or the raw body); nothing is published."""
    from ..bulk.upload import upload

    key = api_key()
    org = request.args.get("org") or request.form.get("org")
    if not org:
        raise WrongShape('say which organization the rows belong to: ?org=ce-...', pointer="?org")
    if request.mimetype == "multipart/form-data":
        upload_ = request.files.get("file")
        if upload_ is None:
            raise WrongShape('send the spreadsheet in the multipart field "file"', pointer="file")
        data = upload_.read()
    else:  # the raw file as the body (Content-Type text/csv or the XLSX type)
        data = request.get_data()
    language = request.args.get("language") or "en-US"
    as_job = request.args.get("job")
    if as_job not in (None, "true", "false"):
        raise WrongShape(f'"job" must be true or false, not "{as_job[:20]}"', pointer="?job")
    if as_job == "true" or (as_job is None and len(data) > jobs.JOB_BYTES):
        job_id = jobs.submit(_workflow(), org, kind, data, key=key, language=language)
        url = f"{base_url()}bulk/jobs/{job_id}"
        body = assistant_body(True, [f"the upload runs as job {job_id}: GET {url} says how far it is, then its "
                                     "answer"], Job=job_id, JobUrl=url)
        return json_response(body, 202, {"Location": url})
    result = upload(_workflow(), org, kind, data, key=key, language=language)
    # the Registry Assistant body like every other answer, with the CLI's report in Rows / Summary / Notes
    errors = [{"path": f"/rows/{row['row']}" + (f"/{e['column']}" if e.get("column") else ""),
               "property": e.get("column", ""), "code": e.get("code", ""), "message": e["message"],
               **({"value": e["value"]} if e.get("value") not in (None, "") else {})}
              for row in result["rows"] for e in row["errors"]]
    summary_line = ", ".join(f"{n} {k}" for k, n in result["summary"].items())
    ok = not result["summary"]["rejected"]
    extra = {"Framework": result["framework"]} if "framework" in result else {}
    if "manifests" in result:       # a cost manifest upload: one entry per manifest (its rows, CTID, result)
        extra["Manifests"] = result["manifests"]
    body = assistant_body(ok, [summary_line], result["notes"], errors, Rows=result["rows"],
                          Summary=result["summary"], Notes=result["notes"], **extra)
    return json_response(body, 200 if ok else 422)


@bp.get("/bulk/jobs/<job_id>")
def job(job_id: str):
    """An upload job: its status (queued, running, done, failed), rows done of rows total, then the
    upload's answer (as POST /bulk/{type}/upload gives it) or why it failed."""
    key = api_key()
    found = registry().store.get_job(job_id.strip().lower()) if UUID_RE.match(job_id.strip()) else None
    if found is None or (found["org"] != key.org and not key.admin and
                         not registry().store.is_authorized(found["org"], key.org)):
        raise NotFound(f"no upload job {job_id} of {key.org}")
    body = assistant_body(found["status"] != "failed", [f"job {found['status']}: {found['rows_done']} of "
                                                         f"{found['rows_total']} rows"] +
                          ([found["error"]] if found["error"] else []),
                          Job=found["job_id"], Status=found["status"], RowsDone=found["rows_done"],
                          RowsTotal=found["rows_total"], Attempts=found["attempts"], Type=found["kind"],
                          Organization=found["org"],
                          Result=found["result"], Created=found["created_at"], Updated=found["updated_at"])
    return json_response(body)


@bp.get("/bulk/<kind>/export")
def export_records(kind: str):
    """The organization's uploaded records as a spreadsheet in the upload format (edit, re-upload)."""
    from ..bulk.upload import export

    key = api_key()
    org = request.args.get("org") or key.org
    fmt = "xlsx" if _query_flag("xlsx") else "csv"
    data = export(_workflow(), org, kind, fmt, key=key, ctid=request.args.get("ctid"))
    return _spreadsheet(data, fmt, f"{kind.lower()}-records")
