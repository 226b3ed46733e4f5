"""A row's request validated by the pipeline, each result put back on its cell (``validate_row``;
``map_pointer`` turns a pointer into the request into a column), and the whole file
(``validate_rows``: every row, rows repeated verbatim validated once, duplicate External
Identifiers)."""
from __future__ import annotations

import copy
import gc
import pickle
import re
import uuid
from dataclasses import dataclass, replace
from functools import lru_cache

from ...enrich import DEFAULT_REGISTRY, Options
from ...memo import PerObject
from ...pointer import split
from ...pipeline import endpoint_names, format_request
from ...report import VIOLATION
from .columns import Column, ColumnModel
from .sheet import CODES, CellProblem, CellResults, cell_problem, Row, SheetRows
from .request import build_request, row_columns
from .workers import cycle_collector_paused, pack_results, shared_pool, start_pool, unpack_results

# -- one row, validated ------------------------------------------------------------------------------------
@dataclass
class RowResult(CellResults):
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
    prepared: object = None           # validate_rows(prepare=): what the caller made of the row where it was validated

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


# what validating rows remembers of a column model (a model's columns do not change): the cells the
# pipeline's results become, the benchmark properties' names
_shared = PerObject(lambda model: {}, 17)


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
    first, prefixes, names = _pointer_plan(pointer)
    if first != wrapper:
        return None, None
    for prefix in prefixes:
        hit = origins.get(prefix)
        if hit is not None:
            return hit
    if not prefixes:
        return None, None
    index, found = _key_index(cols)
    key = (names, prefixes[-1][0])
    best = found.get(key, found)
    if best is found:     # the column of the longest key path the pointer names (the same for every row)
        best = next((index[names[:n]] for n in range(len(names), 0, -1) if names[:n] in index), None)
        if best is None and prefixes[-1][0] in ("Type", "CredentialType"):
            best = next((c for c in cols if c.kind == "type"), None)
        found[key] = best
    return (best.key, None) if best is not None else (None, None)


_PLANS: dict[str, tuple] = {}


def _pointer_plan(pointer: str) -> tuple[str | None, tuple[tuple, ...], tuple[str, ...]]:
    """(the pointer's first segment, its segments after it as key paths from the longest to the
    shortest, its names without list positions): what map_pointer asks of a pointer, worked out once
    (rows of one file say the same pointers over and over)."""
    plan = _PLANS.get(pointer)
    if plan is None:
        segs = split(pointer)
        rest = segs[1:]
        plan = (segs[0] if segs else None, tuple(tuple(rest[:n]) for n in range(len(rest), 0, -1)),
                tuple(s for s in rest if not s.isdigit()))
        if len(_PLANS) > 20000:
            _PLANS.clear()
        _PLANS[pointer] = plan
    return plan


def _index_of(cols: list[Column]) -> tuple[dict[tuple, Column], dict]:
    index: dict[tuple, Column] = {}
    for c in cols:
        if c.input_key:
            index.setdefault(tuple(c.input_key.split("/")), c)
    return index, {}


# (request key path (CreditValue, Value) -> the column that fills it, the first such column winning;
# map_pointer's answers by names): made once per column list (a model's columns do not change)
_key_index = PerObject(_index_of)


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
# what a new worker formats on starting (ready): a course with a vocabulary term, so that the
# rules of both layers, the contexts and the vocabularies are loaded
_READY_REQUEST = {"Course": {"Name": "Welding", "Description": "Loads the rules.", "DeliveryType": ["InPerson"],
                             "CTID": "ce-00000000-0000-4000-8000-000000000000"}}


def start_workers(data: bytes) -> None:
    """Start the worker processes validate_rows(parallel=True) will share the rows of the spreadsheet
    ``data`` among, now, so that they load the rules while the caller reads the file (a new
    process's first large upload is 0.2-0.3 s sooner). A CSV is about a row a line; an XLSX (a zip)
    is not counted. Nothing when the workers are running already or the rows are few."""
    from ...documents import workers_for
    from ..sheets.workbook import XLSX_MAGIC

    if bytes(data[:4]) == XLSX_MAGIC:
        return
    n = workers_for(data.count(b"\n"), PARALLEL_ROWS, "spawn")
    if n > 1:
        start_pool(n, ready)


def ready() -> None:
    """What every row needs, loaded in this process (a new worker's first step: shared_pool's
    initializer): the project's rules, contexts and vocabularies, by formatting one small course."""
    try:
        format_request(_READY_REQUEST, None, Options(), built=True)
    except Exception:       # (never stops a worker from starting: its first chunk meets it again, and says so)
        pass


def validate_rows(sheet: SheetRows, org_ctid: str, addresses: dict | None = None, default_language: str = "en-US",
                  credentials: dict | None = None, engine: str | None = None,
                  registry: str = DEFAULT_REGISTRY, progress=None, manifests: dict | None = None,
                  parallel: bool = False, each=None, prepare=None) -> list[RowResult]:
    """Every row of a sheet, validated; duplicate External Identifiers are errors on each row.
    ``progress(done, total)`` is called after each row (for a progress bar); ``each(results)`` with
    the rows' results in the file's order as they are done, a few hundred at a time (a caller can
    work on them while the rest are validated).  ``parallel``: from PARALLEL_ROWS rows on, the rows
    are shared among worker processes (one per core, ``$CTDL_CHECK_WORKERS``; workers.py: started once,
    "spawn", kept while uploads come), each reading the compiled rules from the cache; the calling
    program's main module must then be import-safe (``if __name__ == "__main__":``), as the ``ctdl``
    command and the WSGI app are.

    ``prepare(result, row)``: what the caller will do with each row, done where the row is validated
    (in the worker: a large upload's staging JSON, digest, ownership claims and answer are then
    made on every core, and a row's request, document and problems do not travel back as objects).
    Its answer is the result's ``prepared``; the result's ``request``, ``document`` and ``problems``
    are then None (prepare takes from them what the caller needs). It must be picklable (a
    module-level function, or a functools.partial of one)."""
    from ...documents import workers_for

    duplicates = {p.row: p for p in duplicate_identifiers(sheet.rows)}   # one per row at most
    n = workers_for(len(sheet.rows), PARALLEL_ROWS, "spawn") if parallel else 1
    args = (org_ctid, addresses, default_language, credentials, engine, registry, manifests)
    if n > 1:
        return _in_workers(sheet, n, args, progress, each, duplicates, prepare)
    results = validate_all(sheet.rows, sheet.model, args, progress, duplicates=duplicates, prepare=prepare)
    if each is not None:
        each(results)
    return results


def validate_all(rows: list[Row], model, args: tuple, progress=None, done_before: int = 0,
                 total: int | None = None, duplicates: dict | None = None, prepare=None) -> list[RowResult]:
    """validate_row of each row; ``duplicates``: row number -> its duplicate-identifier problem, said
    first; ``prepare``: see validate_rows."""
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
            res = done
        else:
            res = replace(done, row=r.number, problems=[p.at_row(r.number) for p in done.problems])
        p = duplicates.get(r.number) if duplicates else None
        if p is not None:
            res = replace(res, problems=[p, *res.problems])
        if prepare is not None:
            res.prepared = prepare(res, r)
        results.append(res)
        if progress is not None:
            progress(done_before + i, total or len(rows))
    if prepare is not None:      # (after the loop: a repeated row's result shares them with its first)
        for res in results:
            res.request = res.document = res.problems = None
    return results


def _in_workers(sheet: SheetRows, n: int, args: tuple, progress, each, duplicates: dict, prepare) -> list:
    """Every row of ``sheet`` validated by n worker processes; the results in the file's order, each
    chunk's given to ``each`` as it comes."""
    shapes = str(sheet.model.rules.shapes_dir) if getattr(sheet.model, "rules", None) is not None else None
    model = None
    if isinstance(sheet.model, ColumnModel):   # its rule set does not travel: a worker has its own
        model = copy.copy(sheet.model)
        model.rules = None
    setup = (uuid.uuid4().hex, sheet.type, shapes, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    # small chunks (a few hundred rows): when one worker ends, the other has at most one chunk left
    size = max(50, min(250, len(sheet.rows) // (n * 8)))
    chunks = [sheet.rows[i:i + size] for i in range(0, len(sheet.rows), size)]
    out: list = []
    items = [(setup, chunk, args, {r.number: duplicates[r.number] for r in chunk if r.number in duplicates}, prepare)
             for chunk in chunks]
    with shared_pool(n, ready) as pool, cycle_collector_paused():
        for part in pool.imap(_validate_chunk, items):
            results = unpack_results(part)
            if each is not None:
                each(results)
            out.extend(results)
            if progress is not None:
                progress(len(out), len(sheet.rows))
    return out


# -- in a worker process ---------------------------------------------------------------------------------
_MODELS: dict[str, object] = {}      # upload token -> the column model its rows are read with (last few)
_STATE = {"frozen": False}


def _model_for(setup: tuple):
    """The upload's column model under the worker's own rule set (as column_model(kind, rules) would
    have it), made once per upload."""
    token, kind, shapes, model_bytes = setup
    model = _MODELS.get(token)
    if model is None:
        from ...ruleset import RuleSet
        from .model import column_model

        rules = RuleSet.for_folder(shapes) if shapes else None
        model = pickle.loads(model_bytes)
        if model is None:
            model = column_model(kind, rules)
        else:
            model.rules = rules or RuleSet.default()
        while len(_MODELS) >= 4:
            _MODELS.pop(next(iter(_MODELS)))
        _MODELS[token] = model
    return model


def _validate_chunk(item: tuple) -> tuple:
    """The rows of one chunk. After the first, what the worker loaded for it (rules, vocabularies,
    contexts: it lives as long as the worker) is frozen out of the cycle collector's walks
    (gc.freeze: 5% of a worker's time)."""
    setup, rows, args, duplicates, prepare = item
    model = _model_for(setup)
    with cycle_collector_paused():     # a chunk's results live until it is sent: nothing for it to find
        out = pack_results(validate_all(rows, model, args, duplicates=duplicates, prepare=prepare))
    if not _STATE["frozen"]:
        _STATE["frozen"] = True
        gc.freeze()
    return out
