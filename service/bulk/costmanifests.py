"""Cost manifests uploaded in bulk: several rows -> one cost manifest record each, staged.

The spreadsheet (``ctdl bulk template costmanifest``) has one row per cost: the rows with the same
External Identifier are one manifest, its own columns (Name, Description, Cost Details (URL), Start
Date, End Date) on its first row, one Cost Profile per row (transformer.validate_manifests builds
and checks each manifest with the API's pipeline and puts every result on its row and column).

The manifest is the unit of staging, approval and publishing, as a competency framework is: a
manifest with an error on any of its rows is staged whole as rejected (with every error on its
cell), and nothing of it can be approved until the file is fixed.  Staging is create-or-update by
External Identifier, like every upload type; per row the answer says what the upload did to that
row's manifest (created, updated, unchanged or rejected).  Export gives back the rows as uploaded,
manifest after manifest.

Common Costs.  A course, credential, assessment or learning opportunity row names a cost manifest
in its Common Costs column by identifier or by CTID (transformer/bulk/records/request.py,
``manifest``).  The identifiers it knows are the organization's Step 1 reference data
(``ctdl org manifests --kind cost``, ``store.manifests``) and, from the moment a manifest is
staged, the External Identifiers of the organization's uploaded cost manifests
(``cost_manifest_ids``).  The identifier -> CTID mapping is read from the staged records when a
later file is uploaded, as Target Credentials finds the organization's uploaded credentials by
External Identifier: a staged manifest's CTID never changes (given, or derived from the
organization and the External Identifier; staging refuses a new CTID for a published one), so the
reference is right before and after the manifest is published, and nothing is copied into the
Step 1 set (which ``--set`` replaces whole, and which stays what the registrar wrote).  An
identifier in both takes the Step 1 entry: the registrar chose it by hand.
"""
from __future__ import annotations

from collections import Counter

from transformer import read_rows, type_key, validate_manifests, VIOLATION, WARNING, with_fix

from .common import ROW_KEY, Row, cell_error
from .workflow import BulkWorkflow

COST_MANIFEST = "costmanifest"
_STATUSES = ("created", "updated", "unchanged", "rejected")


def is_cost_manifest(kind) -> bool:
    return type_key(kind) == COST_MANIFEST


def cost_manifest_ids(store, org: str) -> dict[str, str]:
    """Identifier -> CTID of the organization's cost manifests, as Common Costs cells name them: its
    uploaded ones (staged, by External Identifier) and its Step 1 set (which wins on a clash)."""
    staged = {r.external_id: r.ctid for r in store.staged(org, COST_MANIFEST, content=False) if r.ctid}
    return {**staged, **store.manifests(org, "cost")}


def upload_cost_manifests(workflow: BulkWorkflow, org: str, data: bytes, key=None, progress=None,
                          language: str = "en-US") -> dict:
    """``{"rows": [...], "summary": {...}, "notes": [...], "manifests": [...]}``: ``rows`` and
    ``summary`` as ``upload`` answers for other types (one entry per spreadsheet row, with the status
    of its manifest); ``manifests`` one entry per manifest (its rows, CTID, status)."""
    org, _ = workflow.actor(org, key)
    sheet = read_rows(data, COST_MANIFEST, workflow.registry.rules)
    results = validate_manifests(sheet, org, language or "en-US", registry=workflow.registry.opts.registry,
                                 progress=progress)
    by_number = {row.number: row for row in sheet.rows}
    staged_rows = []
    for m in results:
        # what was uploaded, row by row (headers as written): what export gives back
        cells = [{by_number[n].headers.get(k, k): v for k, v in by_number[n].cells.items()} for n in m.rows]
        staged_rows.append(Row(external_id=m.external_id, request={**m.request, ROW_KEY: {"rows": cells}},
                               document=m.document, report=m.errors))
    outcomes = workflow.stage_rows(org, COST_MANIFEST, staged_rows, key)
    out_rows, manifests, notes = [], [], []
    for m, outcome in zip(results, outcomes):
        # staging's own refusals (ownership, CTID conflicts...): on the manifest's first row
        said = {with_fix(p.message, p.fix) for p in m.errors}
        flagged = {p.column for p in m.errors if p.row == m.rows[0]}    # a cell already said (External Identifier)
        extra = [cell_error(e) for e in outcome.errors
                 if not str(e.get("path", "")).startswith("/rows/") and e.get("message") not in said
                 and e.get("property", "") not in flagged]
        rejected = outcome.result == "rejected"
        for i, number in enumerate(m.rows):
            errors, seen, warnings, benchmark = [], set(), [], []
            for p in m.problems_of(number):
                message = with_fix(p.message, p.fix)
                if (p.column, message) in seen:
                    continue
                seen.add((p.column, message))
                item = {"column": p.column, "value": p.value, "message": message, "code": p.code}
                if p.severity == VIOLATION:
                    errors.append(item)
                elif p.severity == WARNING and p.code == "recommended":
                    benchmark.append(p.column or p.property)
                elif p.severity == WARNING:
                    warnings.append(item)
            if i == 0:
                errors += extra
            if benchmark:
                names = list(dict.fromkeys(benchmark))
                warnings.append({"column": "", "value": None, "code": "recommended",
                                 "message": f"{len(names)} benchmark (recommended) properties are missing: "
                                            f"{', '.join(names)}"})
            cost = m.cost_rows.index(number) + 1 if number in m.cost_rows else None   # 1: the first cost
            out_rows.append({"row": number, "external_id": m.external_id, "status": outcome.result,
                             "ctid": outcome.ctid or m.ctid, "cost": cost, "errors": errors, "warnings": warnings})
        if rejected and m.external_id:
            bad = [n for n in m.rows if any(p.severity == VIOLATION for p in m.problems_of(n))] or m.rows[:1]
            notes.append(f'cost manifest "{m.external_id}" (rows {_rows_text(m.rows)}) was not staged for approval: '
                         f"row{'s' if len(bad) > 1 else ''} {_rows_text(bad)} "
                         f"{'have' if len(bad) > 1 else 'has'} errors. A manifest is approved and published whole: "
                         "fix them and upload the file again")
        manifests.append({"external_id": m.external_id, "ctid": outcome.ctid or m.ctid, "rows": m.rows,
                          "costs": len((m.request.get("CostManifest") or {}).get("EstimatedCost") or []),
                          "result": outcome.result, "status": outcome.status})
    out_rows.sort(key=lambda r: r["row"])
    counts = Counter(r["status"] for r in out_rows)
    head = [f"read as {sheet.format.upper()}" + (f", {sheet.encoding}" if sheet.format == "csv" else ""),
            f"{len(results)} cost manifest{'s' if len(results) != 1 else ''} in {len(sheet.rows)} rows"]
    head += [f"row {n}: {what} row skipped" for n, what in sheet.skipped]
    head += [p.message for p in sheet.problems]
    return {"rows": out_rows, "summary": {s: counts.get(s, 0) for s in _STATUSES}, "notes": head + notes,
            "manifests": manifests}


def export_cost_manifests(workflow: BulkWorkflow, org: str, fmt: str = "csv", key=None) -> bytes:
    """The organization's uploaded cost manifests as the spreadsheet they were uploaded as: the
    template's columns (those the rows use, required ones always), each manifest's rows in order."""
    from transformer import column_model, instruction_text, SheetColumn, write_csv, write_xlsx

    org, _ = workflow.actor(org, key)
    records = [r for r in workflow.store.staged(org, COST_MANIFEST) if isinstance(r.request, dict)]
    rows: list[dict] = []
    for r in records:
        source = r.request.get(ROW_KEY)
        rows += [cells for cells in (source.get("rows") if isinstance(source, dict) else None) or []
                 if isinstance(cells, dict)]
    model = column_model(COST_MANIFEST, workflow.registry.rules)
    used = {h for row in rows for h, v in row.items() if v}
    columns = [c for c in model.columns if c.required or c.header in used]
    headers = [c.header for c in columns]
    headers += sorted(used - set(headers))   # columns of the upload the model no longer has (or aliases): kept
    table = [[row.get(h, "") for h in headers] for row in rows]
    if fmt == "xlsx":
        specs = [SheetColumn(c.header, note=instruction_text(c), choices=tuple(c.labels), multiple=c.multiple,
                             required=c.required) for c in columns]
        specs += [SheetColumn(h) for h in headers[len(columns):]]
        return write_xlsx("Cost manifests", specs, table)
    return write_csv([headers, *table])


def _rows_text(numbers: list[int]) -> str:
    if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    shown = ", ".join(map(str, numbers[:10]))
    return shown + (" ..." if len(numbers) > 10 else "")
