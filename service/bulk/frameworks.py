"""Competency frameworks uploaded in bulk: one spreadsheet -> one framework record, staged.

The spreadsheet (the CaSS CTDL-ASN CSV or the simpler template, CSV or XLSX) becomes one CTDL-ASN
``@graph`` document (transformer.bulk.import_framework).  The framework is the unit of staging,
approval and publishing, as in the Publisher ("approval of frameworks is not allowed unless your
organization has been approved and published"): its competencies only mean something together
(isChildOf, hasTopChild), so a framework with any error is staged whole as rejected, with every
error on its row and column, and nothing of it can be approved until the file is fixed.

Per row the result says what the upload did to that row's competency, compared with the
framework as it was staged before: created, updated, unchanged (or rejected).  Export gives the
file back with every CTID filled in, so that editing a competency's text and uploading the file
again updates that competency instead of making a new one.
"""
from __future__ import annotations

import re
from collections import Counter

from transformer import CtdlError, import_framework, VIOLATION, with_fix

from .common import ROW_KEY, Row, cell_error
from .workflow import BulkWorkflow
from ..registry.signing import digest

FRAMEWORK = "competencyframework"
_WHOLE_ROW = re.compile(r"^/rows/\d+$")
_STATUSES = ("created", "updated", "unchanged", "rejected")


class NoFramework(CtdlError):
    code = "bulk.not-found"
    http_status = 404


def is_framework(kind) -> bool:
    from transformer import type_key

    return type_key(kind) == FRAMEWORK


def upload_framework(workflow: BulkWorkflow, org: str, data: bytes, key=None, language: str = "en-US") -> dict:
    """``{"rows": [...], "summary": {...}, "notes": [...], "framework": {...}}``, as ``upload``
    answers for other types; ``row`` is the spreadsheet row (header = row 1)."""
    org, _ = workflow.actor(org, key)
    registry = workflow.registry
    imp = import_framework(data, registry=registry.opts.registry, language=language or "en-US",
                           publisher=org, engine=registry.engine, rules=registry.rules)
    outcome = previous = None
    if imp.ctid and imp.document is not None:
        previous = workflow.store.get_staged(org, imp.ctid, FRAMEWORK)
        table = imp.table
        source = {"format": imp.format, "header": list(table.header),
                  "rows": [[n, list(cells)] for n, cells in table.rows],
                  "ctids": {str(r.row): r.ctid for r in imp.rows if r.ctid}, "framework": imp.ctid}
        request = {"CompetencyFramework": {"CTID": imp.ctid}, "PublishForOrganizationIdentifier": org,
                   ROW_KEY: source}
        violations = [r for r in imp.report.results if r.severity == VIOLATION]
        outcome = workflow.stage_rows(org, FRAMEWORK, [Row(imp.ctid, request, imp.document, violations)], key)[0]
    rejected = outcome is None or outcome.result == "rejected"
    before = _node_digests(previous.document if previous is not None else None)
    after = _node_digests(imp.document)
    rows = []
    for rr in imp.rows:
        errors = [{"column": e["column"], "value": e["value"], "message": e["message"], "code": e["code"]}
                  for e in rr.as_cells() if e["severity"] == VIOLATION]
        if rr.kind in ("header", "ignored") and not errors:
            continue
        if errors or rejected:
            status = "rejected"
        elif rr.ctid not in before:
            status = "created"
        else:
            status = "unchanged" if before[rr.ctid] == after.get(rr.ctid) else "updated"
        rows.append({"row": rr.row, "external_id": imp.ctid or "", "status": status, "ctid": rr.ctid,
                     "kind": rr.kind, "errors": errors})
    unplaced = []
    if outcome is not None:   # staging's own refusals (the CTID belongs to another organization...)
        said = {x["message"] for r in rows for x in r["errors"]}
        # on the framework's row (which may also hold the first competency), else said in the notes
        target = next((r for r in rows if r["ctid"] == imp.ctid), None) or next(
            (r for r in rows if "framework" in r["kind"]), None)
        for e in outcome.errors:
            if e.get("message") in said or str(e.get("path", "")).startswith("/rows/"):
                continue   # said already, or a violation of the file (on its own row above)
            said.add(e.get("message"))
            item = cell_error(e)
            if target is not None:
                target["errors"].append(item)
            else:
                unplaced.append(item["message"])
    counts = Counter(r["status"] for r in rows)
    notes = [f"read as {_format_name(imp)}", *unplaced]
    if rejected:
        bad = sorted({r["row"] for r in rows if r["errors"]})
        where = f"rows {', '.join(map(str, bad[:10]))}{' ...' if len(bad) > 10 else ''}" if bad else "the file"
        notes.append(f"the framework was not staged for approval: {where} "
                     f"{'have' if len(bad) > 1 else 'has'} errors. A framework is approved and published "
                     "whole: fix them and upload the file again")
    # what is said of the file or of a whole row, not of a cell (encoding, skipped rows)
    notes += [with_fix(r.message, r.fix) for r in imp.report.results
              if not r.path.startswith("/rows/") or (r.severity != VIOLATION and _WHOLE_ROW.match(r.path))]
    competencies = sum(1 for n in (imp.document or {}).get("@graph", [])[1:])
    return {"rows": rows, "summary": {s: counts.get(s, 0) for s in _STATUSES}, "notes": notes,
            "framework": {"ctid": imp.ctid, "status": outcome.status if outcome else "",
                          "result": outcome.result if outcome else "rejected", "competencies": competencies,
                          "envelope_id": previous.published_envelope_id if previous else None}}


def export_framework(workflow: BulkWorkflow, org: str, fmt: str = "csv", key=None, ctid: str | None = None) -> bytes:
    """The uploaded file of one of the organization's frameworks (the only one, or ``ctid``) with
    every row's CTID filled in."""
    from transformer import SheetColumn, write_csv, write_xlsx

    org, _ = workflow.actor(org, key)
    records = [r for r in workflow.store.staged(org, FRAMEWORK)
               if isinstance(r.request, dict) and isinstance(r.request.get(ROW_KEY), dict)]
    if ctid:
        records = [r for r in records if r.ctid == ctid.strip().lower() or r.external_id == ctid.strip()]
    if len(records) != 1:
        if not records:
            raise NoFramework(f"{org} has no uploaded competency framework" + (f" {ctid}" if ctid else "")
                              + ": upload one first (ctdl bulk upload competencyframework FILE --org ...)",
                              pointer="/ctid")
        raise CtdlError(f"{org} has {len(records)} uploaded competency frameworks ("
                        + ", ".join(r.ctid or r.external_id for r in records)
                        + "): say which one to export (--ctid, ?ctid=)", code="input.ambiguous", pointer="/ctid")
    header, table = filled_sheet(records[0].request[ROW_KEY])
    if fmt == "xlsx":
        return write_xlsx("Competency framework", [SheetColumn(h) for h in header], table)
    return write_csv([header, *table])


def filled_sheet(source: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of an uploaded framework sheet, with a CTID column for every row's CTID."""
    header = list(source.get("header") or [])
    rows = [list(cells) for _, cells in source.get("rows") or []]
    numbers = [n for n, _ in source.get("rows") or []]
    ctids = source.get("ctids") or {}
    framework = source.get("framework")
    width = len(header)
    rows = [r + [""] * (width - len(r)) for r in rows]

    def column(*names: str) -> int:
        for i, h in enumerate(header):
            if _norm(h) in names:
                return i
        header.append(names[0] if source.get("format") == "cass" else names[-1])
        for r in rows:
            r.append("")
        return len(header) - 1

    if source.get("format") == "cass":
        at = column("ceterms:ctid", "ctid")
        for n, r in zip(numbers, rows):
            if not r[at] and ctids.get(str(n)):
                r[at] = ctids[str(n)]
        return header, rows
    at = column("ctid", "CTID")
    fw = column("framework ctid", "Framework CTID")
    name = next((i for i, h in enumerate(header) if _norm(h) == "framework name"), None)
    for n, r in zip(numbers, rows):
        if not r[at] and ctids.get(str(n)) and ctids[str(n)] != framework:
            r[at] = ctids[str(n)]
        if name is not None and r[name] and not r[fw] and framework:
            r[fw] = framework
    return header, rows


def _norm(header: str) -> str:
    return header.strip().rstrip("*").strip().lower()


def _node_digests(document: dict | None) -> dict[str, str]:
    """CTID -> digest of each node of a framework document."""
    out = {}
    for node in (document or {}).get("@graph", []) if isinstance(document, dict) else []:
        ctid = node.get("ceterms:ctid") if isinstance(node, dict) else None
        if isinstance(ctid, str):
            out[ctid] = digest(node)
    return out


def _format_name(imp) -> str:
    layout = "the CaSS CTDL-ASN CSV layout" if imp.format == "cass" else "the competency framework template"
    encoding = "" if imp.encoding == "xlsx" else f", {imp.encoding}"
    return f"{'XLSX' if imp.encoding == 'xlsx' else 'CSV'}{encoding}, in {layout}"
