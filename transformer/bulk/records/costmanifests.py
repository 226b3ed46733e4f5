"""Cost manifests by spreadsheet: several rows make ONE record (``validate_manifests``).

    sheet = read_rows(data, "costmanifest")              # sheet.py: the columns of shapes/bulk.ttl
    results = validate_manifests(sheet, org_ctid)        # one ManifestResult per manifest

How a registrar fills the template in (``ctdl bulk template costmanifest``): one row per cost.

* The rows with the same External Identifier are one manifest, wherever they are in the file.  A
  row whose External Identifier is blank and whose manifest columns are blank too is one more cost
  of the manifest of the row above it (rows grouped as people group them in a spreadsheet); a row
  with manifest columns but no External Identifier is an error on that cell.
* The manifest's own columns (Name, Description, Cost Details (URL), Start Date, End Date, CTID,
  Cost Manifest Of) are read from the first row of the manifest that gives each of them; its other
  rows leave them blank or repeat them (the same value, read as the cell readers read it: 8/15/2025
  is 2025-08-15).  A different value is a ``manifest-disagreement`` error on that cell.
* The ``Cost: ...`` columns of each row make one Cost Profile (Estimated Cost), in row order.  A
  cost without its own Cost Details takes the manifest's (the policy requires one on each cost);
  Cost Manifest Of defaults to the uploading organization; a currency is read in any case (usd).

Each row is read by the same cell readers as the other uploads (``request.build_request``: split on
``|``, numbers, dates, vocabulary labels or codes passed to the pipeline), the manifest's request is
then checked by the API's pipeline (``format_request`` of a CostManifest request), and every result
is put back on the row and column it comes from: ``/CostManifest/EstimatedCost/2/Price`` is the Cost:
Price cell of the manifest's third cost row; ``/CostManifest/Description`` the Description cell of
the row that gave it (its first row when nobody did).  Without a CTID the manifest's CTID is derived
from the organization and the External Identifier, as for every upload type, so uploading the file
again updates the same manifests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ...enrich import DEFAULT_REGISTRY, Options
from ...pipeline import format_request
from ...pointer import split
from ...report import Report, VIOLATION
from .columns import Column, ColumnModel
from .request import build_request
from .sheet import CODES, CellProblem, CellResults, Row, SheetRows, cell_problem
from .validation import benchmark_name

KIND = "costmanifest"
COSTS = "EstimatedCost"              # the request key of the manifest's cost profiles


@dataclass
class ManifestResult(CellResults):
    """One cost manifest of a sheet: its rows (spreadsheet numbers, first = the manifest's row), its
    request and CTDL document, and every problem on the cell it is about."""
    external_id: str
    ctid: str | None
    rows: list[int]
    request: dict
    document: dict | None
    problems: list[CellProblem] = field(default_factory=list)
    ctid_derived: bool = False
    cost_rows: list[int] = field(default_factory=list)     # the row of each cost profile, in order

    def problems_of(self, row: int) -> list[CellProblem]:
        return [p for p in self.problems if p.row == row]

    def to_dict(self) -> dict:
        return {"external_id": self.external_id, "ctid": self.ctid, "rows": self.rows, "conforms": self.conforms,
                "ctid_derived": self.ctid_derived, "cost_rows": self.cost_rows,
                "problems": [p.as_cell() for p in self.problems]}


def is_cost_column(col: Column) -> bool:
    """A ``Cost: ...`` column (it fills the row's cost profile), as opposed to the manifest's own."""
    return col.input_key.split("/")[0] == COSTS


def manifest_columns(model: ColumnModel) -> list[Column]:
    """The manifest's own columns: given once per manifest (not the External Identifier)."""
    return [c for c in model.columns if c.kind != "identifier" and not is_cost_column(c)]


# -- rows -> manifests -------------------------------------------------------------------------------------
def group_rows(sheet: SheetRows) -> list[tuple[str, list[Row]]]:
    """(External Identifier, rows) per manifest, in the order of their first rows.  A continuation row
    (blank External Identifier and manifest columns) comes back with the identifier of the manifest
    above it filled in; a row that starts a manifest without an identifier is a manifest of its own
    with the identifier "" (said on its cell by the column's rule)."""
    own = [c.key for c in manifest_columns(sheet.model)]
    groups: dict[str, list[Row]] = {}
    anonymous: list[tuple[str, list[Row]]] = []
    order: list[tuple[str, list[Row]]] = []
    current: list[Row] | None = None
    current_id = ""
    for row in sheet.rows:
        ext = row.external_id.strip()
        if not ext:
            if current is not None and current_id and not any(row.get(k) for k in own):
                current.append(replace(row, cells={**row.cells, "ExternalIdentifier": current_id}))
                continue
            group = (ext, [row])
            anonymous.append(group)
            order.append(group)
            current, current_id = None, ""
            continue
        if ext not in groups:
            groups[ext] = []
            order.append((ext, groups[ext]))
        groups[ext].append(row)
        current, current_id = groups[ext], ext
    return order


def validate_manifests(sheet: SheetRows, org_ctid: str, default_language: str = "en-US", engine: str | None = None,
                       registry: str = DEFAULT_REGISTRY, progress=None) -> list[ManifestResult]:
    """Every manifest of a cost-manifest sheet, built from its rows and validated by the pipeline;
    ``progress(rows done, rows total)`` after each manifest."""
    out = []
    done, total = 0, len(sheet.rows)
    for ext, rows in group_rows(sheet):
        out.append(_Manifest(sheet.model, ext, rows, org_ctid, default_language, engine, registry).run())
        done += len(rows)
        if progress is not None:
            progress(done, total)
    return out


class _Manifest:
    """One manifest: its rows' requests merged into one, validated, the results put on their cells."""

    def __init__(self, model: ColumnModel, ext: str, rows: list[Row], org: str, language: str, engine, registry):
        self.model, self.ext, self.rows = model, ext, rows
        self.org = (org or "").strip().lower()
        self.language, self.engine, self.registry = language or "en-US", engine, registry
        self.cols = list(model.columns)
        self.by_key = {c.key: c for c in self.cols}
        self.problems: list[CellProblem] = []
        self.origins: dict[tuple, tuple[Row, str, str | None]] = {}    # request segments -> (row, column key, text)
        self.cost_rows: dict[int, Row] = {}                             # cost index -> its row
        self.index = {tuple(c.input_key.split("/")): c for c in self.cols if c.input_key}

    def run(self) -> ManifestResult:
        built = [(row, build_request(row, self.model, self.org, None, self.language, {}, {})) for row in self.rows]
        for _, b in built:
            self.problems.extend(b.problems)
        wrapper = self.model.wrapper
        body: dict = {}
        self.manifest_fields(body, built)
        ctid, derived = self.ctid(body, built)
        self.ctid_given = ctid is not None
        self.costs(body, built)
        request = {wrapper: body, "PublishForOrganizationIdentifier": self.org}
        if self.language != "en-US":
            request["DefaultLanguage"] = self.language
        outcome = format_request(request, None, Options(self.registry, self.language), self.engine,
                                 rules=self.model.rules)
        self.results(outcome.report)
        self.problems.sort(key=lambda p: (p.row, _SEVERITY.get(p.severity, 9)))
        return ManifestResult(self.ext, outcome.ctid or ctid, [r.number for r in self.rows], request,
                              outcome.document, self.problems, derived,
                              [self.cost_rows[i].number for i in sorted(self.cost_rows)])

    # -- building ------------------------------------------------------------------------------------------
    def manifest_fields(self, body: dict, built) -> None:
        """The manifest's own columns: the first row giving each; other rows blank or the same."""
        for col in manifest_columns(self.model):
            key = col.input_key
            first: tuple[Row, object, str] | None = None
            for row, b in built:
                text = row.get(col.key)
                if not text:
                    continue
                value = b.request[b.wrapper].get(key)
                if first is None:
                    first = (row, value, text)
                    if value is not None:
                        body[key] = value
                        for segs, (ckey, t) in b.origins.items():
                            if segs and segs[0] == key:
                                self.origins[segs] = (row, ckey, t)
                    continue
                if not _same(first[2], text, first[1], value):
                    head = row.headers.get(col.key, col.header)
                    self.problems.append(cell_problem(
                        row.number, head, text,
                        f'{head} "{text}" differs from "{first[2]}" on row {first[0].number}, the row of manifest '
                        f'"{self.ext}" that gives it: a manifest has one {head}', "manifest-disagreement", VIOLATION,
                        row.letters.get(col.key, ""), col.shapes[0] if col.shapes else "",
                        fix=f"Leave {head} blank on the manifest's other rows (or repeat it exactly); to give "
                            "these costs another manifest, use another External Identifier."))
        if not body.get("CostManifestOf") and self.org:
            body["CostManifestOf"] = self.org
            col = next((c for c in self.cols if c.input_key == "CostManifestOf"), None)
            self.origins[("CostManifestOf",)] = (self.rows[0], col.key if col else "", None)

    def ctid(self, body: dict, built) -> tuple[str | None, bool]:
        """The CTID: given (the CTID column), else derived from the organization and the identifier."""
        if isinstance(body.get("CTID"), str):
            return body["CTID"], False
        first = built[0][1]
        if first.ctid and first.ctid_derived:
            body["CTID"] = first.ctid
            return first.ctid, True
        return None, False

    def costs(self, body: dict, built) -> None:
        """One cost profile per row that has ``Cost: ...`` cells, in row order."""
        details = body.get("CostDetails")
        costs: list[dict] = []
        for row, b in built:
            found = b.request[b.wrapper].get(COSTS)
            if not isinstance(found, list) or not found or not isinstance(found[0], dict):
                continue
            cost = dict(found[0])
            i = len(costs)
            self.cost_rows[i] = row
            for segs, (ckey, text) in b.origins.items():
                if len(segs) >= 2 and segs[0] == COSTS:
                    self.origins[(COSTS, str(i), *segs[2:])] = (row, ckey, text)
            currency = cost.get("Currency")
            if isinstance(currency, str) and re.fullmatch(r"[A-Za-z]{3}", currency.strip()):
                cost["Currency"] = currency.strip().upper()
            if not cost.get("CostDetails") and details:
                cost["CostDetails"] = details       # the policy wants one per cost: the manifest's
                if ("CostDetails",) in self.origins:
                    self.origins[(COSTS, str(i), "CostDetails")] = self.origins[("CostDetails",)]
            costs.append(cost)
        if costs:
            body[COSTS] = costs

    # -- results -> cells ----------------------------------------------------------------------------------
    def place(self, pointer: str) -> tuple[Row, Column | None, str | None]:
        """(row, column or None for the whole row, cell text) a pointer into the request is about."""
        segs = split(pointer)[1:] if split(pointer)[:1] == [self.model.wrapper] else []
        row = self.rows[0]
        floor = 1
        if len(segs) >= 2 and segs[0] == COSTS and segs[1].isdigit() and int(segs[1]) in self.cost_rows:
            row, floor = self.cost_rows[int(segs[1])], 3
        for n in range(len(segs), floor - 1, -1):
            hit = self.origins.get(tuple(segs[:n])) if n else None
            if hit is not None:
                return hit[0], self.by_key.get(hit[1]), hit[2]
        names = tuple(s for s in segs if not s.isdigit())
        for n in range(len(names), max(floor - 1, 1) - 1, -1):
            col = self.index.get(names[:n])
            if col is not None:
                return row, col, None
        return row, None, None

    def results(self, report: Report) -> None:
        have = {(p.row, p.column, p.code, p.value) for p in self.problems}
        have |= {(p.row, p.column, p.code, None) for p in self.problems}
        for r in report.sorted():
            row, col, text = self.place(r.path)
            if col is not None and col.kind == "ctid" and r.code == "required" and not self.ctid_given:
                continue   # no CTID because there is no External Identifier: said on its cell
            header = row.headers.get(col.key, col.header) if col is not None else ""
            value = text if text is not None else r.value
            if (row.number, header, r.code, value) in have or (header and (row.number, header, r.code, None) in have
                                                               and value is None):
                continue
            have.add((row.number, header, r.code, value))
            name = r.property or (col.input_key.split("/")[-1] if col is not None else "")
            shape = r.shape or (_rule_shape(col, r.code) if col is not None else "")
            problem = cell_problem(row.number, header, value, _renamed(r.message, name, header), r.code,
                                   r.severity, row.letters.get(col.key, "") if col is not None else "", shape,
                                   r.path, r.fix)
            if col is None and r.code == "recommended":
                problem = replace(problem, property=benchmark_name(r.path, shape, self.cols, self.model.rules))
            self.problems.append(problem)


_SEVERITY = {"Violation": 0, "Warning": 1, "Info": 2}


def _norm(text: str) -> str:
    return " ".join(str(text).split())


def _same(first_text: str, text: str, first_value, value) -> bool:
    """Two cells of one manifest column say the same: the same text (spaces aside), or the same value
    once read (8/15/2025 and 2025-08-15; a CTID in either case)."""
    return _norm(first_text) == _norm(text) or (value is not None and value == first_value)


def _renamed(message: str, name: str, header: str) -> str:
    """The pipeline names a property as the request does (PaymentPattern); the sheet by its header."""
    if not name or not header or name == header or ":" in name:
        return message
    return re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", header, message)


def _rule_shape(col: Column, code: str) -> str:
    """The bulk column shape behind a result the pipeline found without one (an unknown term)."""
    for rule in col.rules:
        if CODES.get(rule.component, "unknown-term" if rule.component == "node" else "") == code:
            return rule.shape
    return ""
