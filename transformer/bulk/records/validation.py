"""A row's request validated by the pipeline, each result put back on its cell (``validate_row``;
``map_pointer`` turns a pointer into the request into a column), and the whole file
(``validate_rows``: every row, rows repeated verbatim validated once, duplicate External
Identifiers)."""
from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache

from ...enrich import DEFAULT_REGISTRY, Options
from ...pointer import split
from ...pipeline import endpoint_names, format_request
from ...report import Report, VIOLATION
from .columns import Column, ColumnModel
from .sheet import CODES, CellProblem, cell_problem, Row, SheetRows
from .request import build_request, row_columns

# -- one row, validated ------------------------------------------------------------------------------------
@dataclass
class RowResult:
    row: int
    external_id: str
    ctid: str | None
    type: str                         # the row's endpoint type (course, learningprogram, ...)
    wrapper: str
    request: dict
    document: dict | None
    problems: list[CellProblem]
    deferred: bool = False            # no Target Credential yet: can be uploaded, not published
    ctid_derived: bool = False

    @property
    def conforms(self) -> bool:
        return not any(p.severity == VIOLATION for p in self.problems)

    @property
    def errors(self) -> list[CellProblem]:
        return [p for p in self.problems if p.severity == VIOLATION]

    @property
    def report(self) -> Report:
        """The problems as a Report (paths /rows/<row>/<column>)."""
        return Report(list(self.problems))

    def to_dict(self) -> dict:
        return {"row": self.row, "external_id": self.external_id, "ctid": self.ctid, "type": self.type,
                "conforms": self.conforms, "deferred": self.deferred, "ctid_derived": self.ctid_derived,
                "problems": [p.as_cell() for p in self.problems]}


def validate_row(row: Row, columns, org_ctid: str, addresses: dict | None = None, default_language: str = "en-US",
                 credentials: dict | None = None, engine: str | None = None,
                 registry: str = DEFAULT_REGISTRY, manifests: dict | None = None) -> RowResult:
    """Build the row's request, run ``transformer.pipeline.format_request`` on it and put every result
    on its cell: ``/LearningOpportunity/DeliveryType/1`` -> column "Delivery Type", the row's second
    delivery type.  Results about a property without a column are about the whole row."""
    model, cols = row_columns(columns, row)
    # the model's own columns (when the row is read with them) and what is worked out from them are
    # shared by every row: the key index, the columns by key, the benchmark properties' names
    shared = _shared(model) if columns is None or isinstance(columns, (ColumnModel, SheetRows)) else None
    if shared is not None:
        cols = model.columns
    built = build_request(row, columns, org_ctid, addresses, default_language, credentials, manifests)
    outcome = format_request(built.request, None, Options(registry, default_language or "en-US"), engine,
                             rules=model.rules, built=True)
    problems = list(built.problems)
    # the same problem said by a cell rule and by the pipeline (a malformed CTID) is said once
    have = {(p.column, p.code, p.value) for p in problems if p.column} | \
        {(p.column, p.code, None) for p in problems if p.column}
    by_key = model.by_key if shared is not None else {c.key: c for c in cols}
    # what a result becomes on the sheet, remembered per column model: the rows of a file mostly get
    # the same results (the benchmark properties every row misses), and working each out again was a
    # sixth of validating a row. The key holds all the computation reads (the row's header and letter
    # of the column, whether it has a CTID); a problem is copied onto each row.
    memo = shared.setdefault("cells", {}) if shared is not None else {}
    if len(memo) > 20000:
        memo.clear()
    for r in outcome.report.sorted():
        key, value = map_pointer(r.path, built.wrapper, built.origins, cols)
        col = by_key.get(key) if key else None
        mk = (r.path, r.code, r.message, r.severity, r.value, r.property, r.shape, r.fix, key, value, not built.ctid,
              row.headers.get(col.key, col.header) if col is not None else "",
              row.letters.get(col.key, "") if col is not None else "")
        hit = memo.get(mk, memo)
        if hit is memo:
            hit = memo[mk] = _on_cell(r, col, value, row, built, cols, model, shared)
        if hit is None:
            continue
        header, v, proto = hit
        if header and ((header, r.code, v) in have or (header, r.code, None) in have and v is None):
            continue
        if header:
            have.add((header, r.code, v))
        problems.append(proto.at_row(row.number))
    return RowResult(row.number, row.external_id, outcome.ctid or built.ctid,
                     _wrapper_types().get(built.wrapper, row.type), built.wrapper, built.request, outcome.document,
                     problems, built.deferred, built.ctid_derived)


def _on_cell(r, col: Column | None, value, row: Row, built, cols: list[Column], model, shared) -> tuple | None:
    """(header, value, problem) of a pipeline result on the row's sheet; None: not said (a CTID the
    row lacks for a reason said on its cell)."""
    if col is not None and r.code == "recommended" and not _holds(col, r.path):
        col = None     # a benchmark property inside what the column made (Target Credentials' profile)
    if col is not None and col.kind == "ctid" and r.code == "required" and not built.ctid:
        return None    # no CTID because there is no External Identifier, or a malformed one: said there
    header = row.headers.get(col.key, col.header) if col is not None else ""
    message = _rename(r.message, r.property or (col.input_key.split("/")[-1] if col else ""), header)
    v = value if value is not None else r.value
    shape = r.shape or (_rule_shape(col, r.code) if col is not None else "")
    fix = r.fix
    if r.code == "unknown-term" and col is not None and col.vocabulary:
        message, fix = _as_labels(message, col), _as_labels(fix, col)   # "Semester Hour", as the dropdown
    problem = cell_problem(row.number, header, v, message, r.code, r.severity,
                           row.letters.get(col.key, "") if col is not None else "", shape, r.path, fix)
    if col is None and r.code == "recommended":   # (a fresh problem: set in place, replace() is slow)
        problem.property = (_benchmark(shared, r.path, shape, cols, model.rules) if shared is not None
                            else benchmark_name(r.path, shape, cols, model.rules))
    return header, v, problem


def _holds(col: Column, pointer: str) -> bool:
    """Is the property `pointer` names (its names after the wrapper, list positions left out) the one
    the column fills? A column that only feeds something built from it (Target Credentials: an
    IsRequiredFor profile) holds none of that thing's properties."""
    if not col.input_key:
        return False
    names = [p for p in split(pointer)[1:] if not p.isdigit()]
    return names == col.input_key.split("/")


def _as_labels(text: str, col: Column) -> str:
    """A vocabulary term named as the column's dropdown names it: "SemesterHour" -> "Semester Hour"."""
    for term in col.vocabulary:
        if term.code and term.code != term.label:
            text = text.replace(f'"{term.code}"', f'"{term.label}"')
    return text


_SHARED: dict[int, tuple[ColumnModel, dict]] = {}


def _shared(model: ColumnModel) -> dict:
    """What validating rows remembers of a column model (kept while it is in use: a model's columns
    do not change)."""
    hit = _SHARED.get(id(model))
    if hit is None or hit[0] is not model:
        if len(_SHARED) > 16:
            _SHARED.clear()
        hit = _SHARED[id(model)] = (model, {})
    return hit[1]


def _benchmark(shared: dict, pointer: str, shape: str, cols: list[Column], rules) -> str:
    """benchmark_name, worked out once per model for each (shape, property): every row misses the same
    benchmark properties, and working their names out again was an eighth of validating a row."""
    key = ("benchmark", shape, "/".join(p for p in split(pointer)[1:] if not p.isdigit()))
    name = shared.get(key)
    if name is None:
        name = shared[key] = benchmark_name(pointer, shape, cols, rules)
    return name


@lru_cache(maxsize=1)
def _wrapper_types() -> dict[str, str]:
    """Wrapper key -> endpoint name (Course -> course): the inverse of endpoint_names(), made once."""
    return {w: k for k, w in endpoint_names().items()}


def benchmark_name(pointer: str, shape: str, cols: list[Column], rules=None) -> str:
    """What a spreadsheet user calls a missing benchmark property that no single column holds: the
    columns of an at-least-one group ("Accredited By / Approved By / ..."), the first column filling a
    part of it (Credit Value: "Credit Unit Type"), else the property's request name in words, marked as
    having no column in this template ("Advanced Standing From (no column)"; one inside a profile the
    row made, with the profile's: "Is Required For: Subject Webpage (no column)")."""
    from ...ruleset import RuleSet
    from ...validate import expand_shape

    alternatives = (rules or RuleSet.default()).alternatives(expand_shape(shape)) if shape else []
    headers = [c.header for c in cols if c.path and c.path[0] in alternatives and not c.fills]
    if headers:
        return " / ".join(dict.fromkeys(headers))
    last = next((p for p in reversed(split(pointer)) if not p.isdigit()), "") if pointer else ""
    part_of = [c.header for c in cols if last and c.input_key.startswith(last + "/")]
    if part_of:                     # Credit Value: filled by Credit Unit Type, Credit Unit Value...
        return part_of[0]
    names = [re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", p) for p in split(pointer)[1:] if not p.isdigit()]
    if not names:
        return "a benchmark property (no column)"
    # inside something a column made (Target Credentials' Is Required For profile): say whose it is
    return ": ".join(names[-2:]) + " (no column)"


def _rule_shape(col: Column, code: str) -> str:
    """The bulk column shape behind a result the pipeline found without a shape (an unknown Credit Unit
    Type is found by enrich; shape:Bulk-creditUnitType says the rule)."""
    for rule in col.rules:
        if CODES.get(rule.component, "unknown-term" if rule.component == "node" else "") == code:
            return rule.shape
    return ""


def _rename(message: str, name: str, header: str) -> str:
    """The pipeline names properties as the request does (DeliveryType); the sheet as its header."""
    if not name or not header or name == header or ":" in name:
        return message
    return re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", header, message)


def map_pointer(pointer: str, wrapper: str, origins: dict, cols: list[Column]) -> tuple[str | None, str | None]:
    """(column key, cell value) a pointer into a row's request is about; (None, None) for the row."""
    segs = split(pointer)
    if not segs or segs[0] != wrapper:
        return None, None
    segs = segs[1:]
    for n in range(len(segs), 0, -1):
        hit = origins.get(tuple(segs[:n]))
        if hit is not None:
            return hit
    if not segs:
        return None, None
    names = tuple(s for s in segs if not s.isdigit())
    index = _key_index(cols)
    best = next((index[names[:n]] for n in range(len(names), 0, -1) if names[:n] in index), None)
    if best is None and segs[0] in ("Type", "CredentialType"):
        best = next((c for c in cols if c.kind == "type"), None)
    return (best.key, None) if best is not None else (None, None)


_INDEXES: dict[int, tuple[list, dict]] = {}


def _key_index(cols: list[Column]) -> dict[tuple, Column]:
    """Request key path (CreditValue, Value) -> the column that fills it, the first such column
    winning; built once per column list (a model's columns do not change)."""
    hit = _INDEXES.get(id(cols))
    if hit is None or hit[0] is not cols:
        index: dict[tuple, Column] = {}
        for c in cols:
            if c.input_key:
                index.setdefault(tuple(c.input_key.split("/")), c)
        hit = _INDEXES[id(cols)] = (cols, index)
        if len(_INDEXES) > 64:
            _INDEXES.pop(next(iter(_INDEXES)))
    return hit[1]


# -- the whole file ----------------------------------------------------------------------------------------
def duplicate_identifiers(rows: list[Row]) -> list[CellProblem]:
    """An error on every row whose External Identifier another row of the file also has. Each says
    how many rows share it and names the first few, so its size does not grow with the group."""
    seen: dict[str, list[Row]] = {}
    for r in rows:
        ext = r.external_id.strip()
        if ext:
            seen.setdefault(ext, []).append(r)
    out = []
    for ext, group in seen.items():
        if len(group) < 2:
            continue
        numbers = [f"{r.number:,}" for r in group[:3]]
        listed = (f"{', '.join(numbers[:-1])} and {numbers[-1]}" if len(group) <= 3
                  else f"{', '.join(numbers)} and {len(group) - 3:,} more")
        message = (f'External Identifier "{ext}" is on {len(group):,} rows of this file (rows {listed}); each row '
                   "needs its own (the same identifier would update the same record)")
        for r in group:
            out.append(cell_problem(
                r.number, r.headers.get("ExternalIdentifier", "External Identifier"), ext, message,
                "duplicate-external-identifier", VIOLATION, r.letters.get("ExternalIdentifier", ""),
                "shape:Bulk-externalIdentifier"))
    return out


PARALLEL_ROWS = 1000     # rows: fewer are validated in this process (starting workers would not pay)


def validate_rows(sheet: SheetRows, org_ctid: str, addresses: dict | None = None, default_language: str = "en-US",
                  credentials: dict | None = None, engine: str | None = None,
                  registry: str = DEFAULT_REGISTRY, progress=None, manifests: dict | None = None,
                  parallel: bool = False, each=None) -> list[RowResult]:
    """Every row of a sheet, validated; duplicate External Identifiers are errors on each row.
    ``progress(done, total)`` is called after each row (for a progress bar); ``each(results)`` with
    the rows' results in the file's order as they are done, a few hundred at a time (a caller can
    work on them while the rest are validated).  ``parallel``: from PARALLEL_ROWS rows on, the rows
    are shared among worker processes (one per core, ``$CTDL_WORKERS``; workers.py: started once,
    "spawn", kept while uploads come), each reading the compiled rules from the cache; the calling
    program's main module must then be import-safe (``if __name__ == "__main__":``), as the ``ctdl``
    command and the WSGI app are."""
    from ...documents import workers_for

    duplicates = {p.row: p for p in duplicate_identifiers(sheet.rows)}   # one per row at most

    def done(results: list[RowResult]) -> None:
        for res in results:
            p = duplicates.get(res.row)
            if p is not None:
                res.problems.insert(0, p)
        if each is not None:
            each(results)

    n = workers_for(len(sheet.rows), PARALLEL_ROWS, "spawn") if parallel else 1
    args = (org_ctid, addresses, default_language, credentials, engine, registry, manifests)
    if n > 1:
        from .workers import in_workers

        return in_workers(sheet, n, args, progress, done)
    results = validate_all(sheet.rows, sheet.model, args, progress)
    done(results)
    return results


def validate_all(rows: list[Row], model, args: tuple, progress=None, done_before: int = 0,
                  total: int | None = None) -> list[RowResult]:
    org_ctid, addresses, default_language, credentials, engine, registry, manifests = args
    results = []
    # a row whose cells are those of an earlier row gets that row's result (its own row number): a row
    # repeated thousands of times is validated once. Results are never changed afterwards, so the
    # request and document may be shared.
    seen: dict[tuple, RowResult] = {}
    for i, r in enumerate(rows, 1):
        key = tuple(sorted(r.cells.items()))
        done = seen.get(key)
        if done is None:
            done = seen[key] = validate_row(r, model, org_ctid, addresses, default_language, credentials,
                                            engine, registry, manifests)
            results.append(done)
        else:
            results.append(replace(done, row=r.number, problems=[p.at_row(r.number) for p in done.problems]))
        if progress is not None:
            progress(done_before + i, total or len(rows))
    return results


@contextmanager
def cycle_collector_paused():
    """Receiving a large upload's results makes a million objects (documents, requests, problems)
    that all live on until they are staged: the cycle collector, walking them and everything the
    process holds again and again, took three quarters of the receiving time and, once resumed, half
    a second of staging. It is paused meanwhile (process-wide, so only for one upload: what is
    garbage meanwhile is freed by reference counting; cycles wait until it resumes). Nested uses
    resume it once, at the outermost end."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def pack_results(results: list[RowResult]) -> tuple:
    """Results as a worker sends them back: the rows of a file mostly share their problems (the same
    benchmark properties missing on every row), so each distinct problem travels once per chunk, as
    its class, field names and values, and each row's problems as (which one, row, path). Pickled
    as objects, the ~20 problems of a row were 4.9 KB and most of what the calling process spent
    receiving them."""
    protos: dict[tuple, int] = {}
    table: list[tuple] = []           # index -> (class, field names, values but row and path)
    rows = []
    for res in results:
        problems = []
        for p in res.problems:
            d = p.__dict__
            key = (p.__class__, tuple(d), *(v for k, v in d.items() if k != "row" and k != "path"))
            try:
                i = protos.get(key)
                if i is None:
                    i = protos[key] = len(table)
                    table.append(key)
            except TypeError:          # a value that cannot be a key (a list): this problem alone
                i = len(table)
                table.append(key)
            problems.append((i, d.get("row"), d.get("path")))
        state = dict(res.__dict__)
        state["problems"] = problems
        rows.append(state)
    return tuple(table), tuple(rows)


def unpack_results(packed: tuple) -> list[RowResult]:
    """pack_results's results as RowResults again (the same fields, the same values)."""
    keys, rows = packed
    protos = []
    for key in keys:
        cls, names, values = key[0], key[1], iter(key[2:])
        protos.append((cls, {n: None if n in ("row", "path") else next(values) for n in names}))
    out = []
    for state in rows:
        problems = []
        for i, row, path in state["problems"]:
            cls, fields = protos[i]
            p = cls.__new__(cls)
            p.__dict__.update(fields)
            p.__dict__["row"], p.__dict__["path"] = row, path
            problems.append(p)
        res = RowResult.__new__(RowResult)
        res.__dict__.update(state)
        res.problems = problems
        out.append(res)
    return out
