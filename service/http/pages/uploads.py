"""Upload a spreadsheet (every upload from a page is a job: its progress, then its rows), download
the rows back with their errors as a column, and review staged records: the formatted CTDL, what
changes against the published version, approve / discard / publish."""
from __future__ import annotations

import difflib
import json

from flask import Response, redirect, request, session, url_for

from transformer import NotFound, UUID_RE, WrongShape

from ..web import registry
from . import bp, int_arg, page, signin_required
from .account import org_of

SHOWS = {"all": "every row", "rejected": "rejected rows only", "warnings": "rows with warnings"}
ROWS_PER_PAGE = 100


def upload_kinds() -> list[str]:
    """Every upload type, as the API's /bulk/{kind}/template lists them."""
    from ..docs import bulk_kinds

    return list(bulk_kinds())


def _workflow():
    from ...bulk.workflow import BulkWorkflow

    return BulkWorkflow(registry())


@bp.get("/upload")
@signin_required
def upload(key):
    return page("upload.html", kinds=upload_kinds(), org=org_of(key), chosen=request.args.get("type", "course"))


@bp.post("/upload")
@signin_required
def upload_post(key):
    from ...bulk import jobs

    org = org_of(key)
    kind = request.form.get("type", "")
    if kind not in upload_kinds():
        raise WrongShape(f'pick the type of records in the file ({", ".join(upload_kinds())})', pointer="/type")
    sent = request.files.get("file")
    data = sent.read() if sent is not None else b""
    if not data:
        return page("upload.html", 400, kinds=upload_kinds(), org=org, chosen=kind,
                    error="Choose the spreadsheet to upload (CSV or XLSX).")
    job_id = jobs.submit(_workflow(), org, kind, data, key=key)
    return redirect(url_for("pages.job", job_id=job_id))


def _job(key, job_id: str) -> dict:
    found = registry().store.get_job(job_id.strip().lower()) if UUID_RE.match(job_id.strip()) else None
    if found is None or (found["org"] != key.org and not key.admin and
                         not registry().store.is_authorized(found["org"], key.org)):
        raise NotFound(f"no upload job {job_id[:40]} of {key.org}")
    return found


def _shown(rows: list[dict], show: str) -> list[dict]:
    if show == "rejected":
        return [r for r in rows if r["status"] == "rejected"]
    if show == "warnings":
        return [r for r in rows if r.get("warnings")]
    return rows


@bp.get("/upload/jobs/<job_id>")
@signin_required
def job(key, job_id: str):
    found = _job(key, job_id)
    show = request.args.get("show", "all")
    if show not in SHOWS:
        show = "all"
    result = found["result"] or {}
    rows = _shown(result.get("rows", []), show)
    number = int_arg("page", 1)
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    shown = rows[(number - 1) * ROWS_PER_PAGE:number * ROWS_PER_PAGE]
    return page("job.html", job=found, result=result, rows=shown, total=len(rows), show=show, shows=SHOWS,
                page_number=min(number, pages), pages=pages)


@bp.get("/upload/jobs/<job_id>/rows.csv")
@signin_required
def job_rows(key, job_id: str):
    """The upload's rows as the file had them (their cells as staged), after Row, Status, Errors and
    Warnings columns: the registrar fixes the cells, removes those four columns and uploads again."""
    found = _job(key, job_id)
    rows = (found["result"] or {}).get("rows", [])
    store = registry().store
    headers: list[str] = []
    lines = []
    from ...bulk.common import ROW_KEY

    seen: dict[str, int] = {}              # rows of one record so far (a cost manifest has several)
    for r in rows:
        cells = {}
        record = store.get_staged(found["org"], r["external_id"], found["kind"]) if r.get("external_id") else None
        if record is not None:
            cells = record.request.get(ROW_KEY, {}) if isinstance(record.request, dict) else {}
            if isinstance(cells.get("rows"), list):       # a record of several rows: this row's cells
                i = seen[r["external_id"]] = seen.get(r["external_id"], -1) + 1
                cells = cells["rows"][i] if i < len(cells["rows"]) and isinstance(cells["rows"][i], dict) else {}
        for h in cells:
            if h not in headers:
                headers.append(h)
        errors = "; ".join(f"{e['column'] + ': ' if e.get('column') else ''}{e['message']}" for e in r["errors"])
        warnings = "; ".join(f"{w['column'] + ': ' if w.get('column') else ''}{w['message']}"
                             for w in r.get("warnings", []))
        lines.append((r, cells, errors, warnings))
    from transformer import write_csv

    table = [["Row", "Status", "Errors", "Warnings", *headers]]
    table += [[str(r["row"]), r["status"], errors, warnings, *(str(cells.get(h, "")) for h in headers)]
              for r, cells, errors, warnings in lines]
    name = f"{found['kind']}-rows-{found['job_id'][:8]}.csv"
    return Response(write_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- review ----------------------------------------------------------------------------------------------
@bp.get("/review")
@signin_required
def review(key):
    from ...bulk.workflow import summary

    org = org_of(key)
    status = request.args.get("status") or None
    records = _workflow().status(org, request.args.get("type") or None, status, key=key)
    number = int_arg("page", 1)
    pages = max(1, -(-len(records) // ROWS_PER_PAGE))
    shown = [summary(r) for r in records[(number - 1) * ROWS_PER_PAGE:number * ROWS_PER_PAGE]]
    return page("review.html", org=org, records=shown, total=len(records), status=status or "",
                page_number=min(number, pages), pages=pages, notice=session.pop("notice", None),
                kinds=upload_kinds(), kind=request.args.get("type", ""))


@bp.get("/review/queue")
@signin_required
def review_queue(key):
    """The registry staff's queue (admin keys): uploaded records of every organization waiting in a
    status, oldest first; each opens in its organization's review page, where an admin may act."""
    from transformer import Forbidden

    if not key.admin:
        raise Forbidden("the review queue across organizations is for the registry's staff (an admin key); "
                        "your organization's records are under Review")
    status = request.args.get("status", "pending")
    if status not in ("pending", "approved", "rejected", "published"):
        status = "pending"
    number = int_arg("page", 1)
    records, total = registry().store.review_queue(status, (number - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE)
    pages = max(1, -(-total // ROWS_PER_PAGE))
    return page("review_queue.html", records=records, total=total, status=status, page_number=number, pages=pages)


def _lines(value) -> list[str]:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).splitlines() if value else []


def _diff(published, staged) -> list[tuple[str, str]]:
    """A readable diff of the published graph and the staged one: (kind, line), kind in +, -, ' ', @."""
    out = []
    for line in difflib.unified_diff(_lines(published), _lines(staged), "published", "staged", n=2, lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        out.append((line[:1] if line[:1] in "+-@" else " ", line[1:] if line[:1] in "+- " else line))
    return out


def _comparable(document):
    """A graph without what changes on every format (dates of the envelope, not of the record)."""
    if not isinstance(document, dict):
        return document
    return {k: v for k, v in document.items() if k != "@context"}


@bp.get("/review/<kind>/<path:external_id>")
@signin_required
def review_record(key, kind: str, external_id: str):
    from ...bulk.workflow import summary

    org = org_of(key)
    record = registry().store.get_staged(org, external_id, kind)
    if record is None:
        raise NotFound(f"{org} has no uploaded {kind} {external_id[:80]}")
    current = registry().store.get_by_ctid(record.ctid) if record.ctid else None
    published = _comparable(current.decoded_resource) if current is not None else None
    staged = _comparable(record.document)
    return page("review_record.html", org=org, record=summary(record),
                document=json.dumps(record.document, indent=2, ensure_ascii=False) if record.document else "",
                diff=_diff(published, staged) if published is not None else None,
                same=published == staged)


@bp.post("/review")
@signin_required
def review_action(key):
    org = org_of(key)
    action = request.form.get("action", "")
    ids = [i for i in request.form.getlist("id") if i.strip()]
    kind = request.form.get("type") or None
    workflow = _workflow()
    if action == "approve":
        outcomes = workflow.approve(org, ids, key=key, resource_type=kind) if ids else \
            workflow.approve(org, all=True, key=key, resource_type=kind)
    elif action == "discard":
        outcomes = workflow.discard(org, ids, key=key, resource_type=kind)
    elif action == "publish":
        outcomes = workflow.publish_approved(org, key=key, resource_type=kind)
    else:
        raise WrongShape("the action must be approve, discard or publish", pointer="/action")
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.result] = counts.get(o.result, 0) + 1
    problems = [f"{o.external_id}: {e.get('message', '')}" for o in outcomes for e in (o.errors or [])]
    problems += [f"{o.external_id}: {o.message}" for o in outcomes if o.message and not o.errors
                 and o.result not in ("approved", "published", "discarded", "unchanged")]
    problems = problems[:10]
    session["notice"] = (f"{action}: " + (", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
                                          or "nothing to do") + ("; " + "; ".join(problems) if problems else ""))
    back = request.form.get("back", "")
    if back.startswith("/review"):
        return redirect(back)
    return redirect(url_for("pages.review", org=org))
