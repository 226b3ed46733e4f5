"""Spreadsheet upload: read the file, validate every row through the API's pipeline, stage the rows.

Nothing is published here: valid rows are staged as pending (even when other rows fail), rows
with violations are recorded as rejected with their per-cell errors.  Shared by
`ctdl bulk upload` and `POST /bulk/{type}/upload`.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache, partial

from transformer import (cycle_collector_paused, read_rows, start_workers, validate_rows, VIOLATION, WARNING,
                         with_fix)

from .common import ROW_KEY, cell_error
from .workflow import BulkWorkflow
from .costmanifests import cost_manifest_ids, export_cost_manifests, is_cost_manifest, upload_cost_manifests
from .frameworks import export_framework, is_framework, upload_framework
from ..store.base import MANIFEST_KINDS


def upload(workflow: BulkWorkflow, org: str, kind: str, data: bytes, key=None, progress=None,
           language: str = "en-US") -> dict:
    """The result for scripts: ``{"rows": [{"row", "external_id", "status", "ctid", "errors"}],
    "summary": {...}, "notes": [...]}`` (``row`` is the spreadsheet row; header = row 1).
    Competency frameworks: service/bulk/frameworks.py (one framework per file); cost manifests:
    service/bulk/costmanifests.py (several rows per manifest)."""
    if is_framework(kind):
        return upload_framework(workflow, org, data, key, language)
    if is_cost_manifest(kind):
        return upload_cost_manifests(workflow, org, data, key, progress, language)
    org, _ = workflow.actor(org, key)
    # the rows' results (a million objects for 10,000 rows) live until staged: see cycle_collector_paused
    with cycle_collector_paused():
        return _upload_rows(workflow, org, kind, data, key, progress)


def _upload_rows(workflow: BulkWorkflow, org: str, kind: str, data: bytes, key, progress) -> dict:
    start_workers(data)      # they load the rules while the file is read
    sheet = read_rows(data, kind, workflow.registry.rules)
    store = workflow.store
    credentials = {r.external_id: r.ctid for r in store.staged(org, "credential") if r.ctid}
    manifests = {kind: store.manifests(org, kind) for kind in MANIFEST_KINDS}
    manifests["cost"] = cost_manifest_ids(store, org)     # + the uploaded cost manifests, by External Identifier
    manifests["framework"] = framework_competencies(store, sheet)
    stager = workflow.stager(org, sheet.type, key)
    said: list[tuple[list, list, set]] = []      # per row: (its errors, its warnings, what its errors say)

    def stage(results) -> None:    # each chunk of rows is staged while the rest are validated
        for r in results:
            prepared, answer = r.prepared
            stager.add_prepared(r.external_id, prepared)
            said.append(answer)
        stager.flush()

    # each row is prepared for staging (staging.prepare_row: its violations, its store JSON, digest and
    # ownership claims), and answered, by the worker that validated it: its problems stay there
    results = validate_rows(sheet, org, store.addresses(org), credentials=credentials,
                            registry=workflow.registry.opts.registry, progress=progress, manifests=manifests,
                            parallel=True, each=stage, prepare=partial(_staged_and_answered, stager.preparer()))
    outcomes = stager.finish()
    out_rows = []
    for res, outcome, (errors, warnings, seen) in zip(results, outcomes, said):
        row_flagged = {e["column"] for e in errors}
        for e in outcome.errors:  # staging's own refusals (ownership, CTID conflicts...)
            column = e.get("property", "")
            if e.get("code") == "bulk.duplicate-external-id" and column in row_flagged:
                continue  # already said, with the spreadsheet's row numbers
            if (column, e.get("message")) not in seen:
                seen.add((column, e.get("message")))
                errors.append(cell_error(e))
        out_rows.append({"row": res.row, "external_id": res.external_id, "status": outcome.result,
                         "ctid": outcome.ctid or res.ctid, "deferred": res.deferred, "errors": errors,
                         "warnings": warnings})
    counts = Counter(r["status"] for r in out_rows)
    notes = [f"read as {sheet.format.upper()}" + (f", {sheet.encoding}" if sheet.format == "csv" else "")]
    notes += [f"row {n}: {what} row skipped" for n, what in sheet.skipped]
    notes += [p.message for p in sheet.problems]
    return {"rows": out_rows,
            "summary": {s: counts.get(s, 0) for s in ("created", "updated", "unchanged", "rejected")},
            "notes": notes}


def _staged_and_answered(prepare, res, row) -> tuple:
    """(what staging needs of a validated row, its answer): made where the row was validated."""
    return prepare(res, row), _row_answer(res)


def _row_answer(res) -> tuple[list, list, set]:
    """(errors, warnings, (column, message) of its errors) of a row's results, as the answer gives them;
    staging's own refusals are added to the errors once the rows are staged."""
    errors, seen = [], set()
    for p in res.problems:
        if p.severity == VIOLATION:
            message = with_fix(p.message, p.fix)
            if (p.column, message) not in seen:
                seen.add((p.column, message))
                errors.append({"column": p.column, "value": p.value, "message": message, "code": p.code})
    # what the row should still say (benchmark properties, dates read one way...): said at upload
    warnings, said, benchmark = [], set(), []
    for p in res.problems:
        if p.severity != WARNING:
            continue
        if p.code == "recommended":     # one line per row, as `ctdl format` sums them up
            benchmark.append(p.column or p.property)
            continue
        message = with_fix(p.message, p.fix)
        if (p.column, message) not in said:
            said.add((p.column, message))
            warnings.append({"column": p.column, "value": p.value, "message": message, "code": p.code})
    if benchmark:
        warnings.append({"column": "", "value": None, "code": "recommended", "message": _benchmark_line(
            tuple(dict.fromkeys(benchmark)))})
    return errors, warnings, seen


@lru_cache(maxsize=256)
def _benchmark_line(names: tuple[str, ...]) -> str:
    return f"{len(names)} benchmark (recommended) properties are missing: {', '.join(names)}"


def framework_competencies(store, sheet) -> dict[str, list[str]]:
    """The competency CTIDs of each competency framework of this registry that a Teaches Competency
    Framework cell of the sheet names (looked up here, once: the rows never reach the network)."""
    from transformer import CTID_RE

    named = {c.strip().lower() for r in sheet.rows
             for key in ("TeachesCompetencyFramework", "ConditionCompetencyFramework")
             for v in r.get(key).split("|") for c in [v.strip().rsplit("/", 1)[-1]] if CTID_RE.match(c.strip())}
    out: dict[str, list[str]] = {}
    for ctid in sorted(named):
        record = store.get_by_ctid(ctid)
        graph = record.decoded_resource.get("@graph") if record is not None else None
        if not isinstance(graph, list) or not graph or graph[0].get("@type") != "ceasn:CompetencyFramework":
            continue
        out[ctid] = [n["ceterms:ctid"] for n in graph[1:]
                     if isinstance(n, dict) and n.get("@type") == "ceasn:Competency" and n.get("ceterms:ctid")]
    return out


def export(workflow: BulkWorkflow, org: str, kind: str, fmt: str = "csv", key=None, ctid: str | None = None) -> bytes:
    """The organization's uploaded records of a type as a spreadsheet in the upload format: the
    template's columns (those the records use, required ones always), one row per record.  A
    competency framework: its file, with the CTIDs filled in (``ctid`` says which framework)."""
    from transformer import column_model, instruction_text, normalize_type, SheetColumn, write_csv, write_xlsx

    if is_framework(kind):
        return export_framework(workflow, org, fmt, key, ctid)
    if is_cost_manifest(kind):
        return export_cost_manifests(workflow, org, fmt, key)
    org, _ = workflow.actor(org, key)
    kind = normalize_type(kind)
    records = [r for r in workflow.store.staged(org, kind) if isinstance(r.request, dict)]
    rows = [r.request.get(ROW_KEY) or {} for r in records]
    model = column_model(kind, workflow.registry.rules)
    used = {h for row in rows for h, v in row.items() if v}
    columns = [c for c in model.columns if c.required or c.header in used]
    headers = [c.header for c in columns]
    headers += sorted(used - set(headers))   # columns of the upload the model no longer has: kept
    table = [[row.get(h, "") for h in headers] for row in rows]
    if fmt == "xlsx":
        specs = [SheetColumn(c.header, note=instruction_text(c), choices=tuple(c.labels),
                                         multiple=c.multiple, required=c.required) for c in columns]
        specs += [SheetColumn(h) for h in headers[len(columns):]]
        return write_xlsx(f"{kind} records", specs, table)
    return write_csv([headers, *table])
