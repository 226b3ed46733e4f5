"""Bulk-upload rows: spreadsheet -> one Registry Assistant request per row -> validated, every result
on a cell.

    sheet = read_rows(data, "course")                       # CSV (UTF-8, BOM, Windows-1252) or XLSX
    request, problems = row_request(sheet.rows[0], sheet.model, org_ctid, addresses)
    result = validate_row(sheet.rows[0], sheet.model, org_ctid, addresses)
    results = validate_rows(sheet, org_ctid, addresses)     # + duplicate External Identifiers

Rows are numbered as the spreadsheet shows them (header = row 1).  Every problem says row, column
header (as written in the file; "" for a problem about the whole row), value, message, code and
severity; as a :class:`Result` its path is ``/rows/<row>/<column>``.

Cell rules (the Publisher's bulk upload): ``|`` separates the values of a multi-valued cell;
vocabulary values by label or code (passed through: the pipeline resolves them and names the closest
term when one is unknown); Target Credentials blank or ``#DEFER`` = deferred (the row can be
uploaded, not published until it is connected to a credential); Available At (and Available At
Codes) ``all`` or ``|``-separated address identifiers of the organization; Owned By / Offered By
default to the organization; Language names (English) or codes, English when blank; External
Identifier required, at most 50 characters (shapes/bulk.ttl).  A row without a CTID gets one
derived from the organization and the External Identifier, so uploading the file again updates
the same records.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation

from ..enrich import DEFAULT_REGISTRY, Options
from ..ids import CTID_RE, derive_ctid
from ..pointer import pointer_join, row_and_column, split
from ..pipeline import endpoint_names, format_request
from ..report import INFO, Report, Result, VIOLATION, WARNING
from .columns import language_tag
from .csvread import column_letter
from .spreadsheet import read_table
from .templates import (DEFER, SEPARATOR, Column, ColumnModel, column_model, instruction_text, normalize_header,
                        normalize_type, sample_value)

CODES = {"minCount": "required", "maxCount": "too-many-values", "maxLength": "too-long", "minLength": "too-short",
         "pattern": "invalid-format", "in": "unknown-term", "datatype": "wrong-datatype",
         "minInclusive": "out-of-range", "maxInclusive": "out-of-range"}
SAME_AS_OWNER = {"same as owner", "same as owned by", "same as owning organization"}
TRUE_TEXT = {"true", "yes", "y", "1", "x"}
FALSE_TEXT = {"false", "no", "n", "0"}
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# -- results ---------------------------------------------------------------------------------------------
@dataclass
class CellProblem:
    row: int                    # spreadsheet row (header = 1)
    column: str                 # header as in the file ("" for the whole row)
    value: str | None
    message: str
    code: str
    severity: str
    letter: str = ""            # the spreadsheet column (A, B, ..., AA)
    shape: str = ""
    path: str = ""              # where the pipeline said it, in the row's request (/Course/DeliveryType/1)
    fix: str = ""

    @property
    def pointer(self) -> str:
        return pointer_join("/rows", self.row, self.column) if self.column else f"/rows/{self.row}"

    def at_row(self, row: int) -> "CellProblem":
        """The same problem on another row (a copy; dataclasses.replace is ten times slower)."""
        other = CellProblem.__new__(CellProblem)
        other.__dict__.update(self.__dict__)
        other.row = row
        return other

    def to_result(self) -> Result:
        return Result(self.severity, self.code, self.message, path=self.pointer, property=self.column,
                      value=self.value, shape=self.shape, fix=self.fix)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", None) or k in
                ("row", "column", "message", "code", "severity")}


def _from_result(r: Result, header: list[str]) -> CellProblem:
    """A reader's Result (/rows/N/Column) as a CellProblem."""
    row, column = row_and_column(r.path) or (1, "")
    letter = ""
    if column in header:
        letter = column_letter(header.index(column))
    elif re.fullmatch(r"[A-Z]{1,3}", column or ""):
        letter = column
    return CellProblem(row, column, r.value, r.message, r.code, r.severity, letter, r.shape, "", r.fix)


# -- the sheet -------------------------------------------------------------------------------------------
@dataclass
class Row:
    number: int
    type: str                                         # the upload type ("course")
    cells: dict[str, str] = field(default_factory=dict)     # column key -> trimmed text
    headers: dict[str, str] = field(default_factory=dict)   # column key -> header as written
    letters: dict[str, str] = field(default_factory=dict)   # column key -> A, B, ...

    def get(self, key: str) -> str:
        return self.cells.get(key, "")

    @property
    def external_id(self) -> str:
        return self.get("ExternalIdentifier")


@dataclass
class SheetRows:
    type: str
    format: str                      # csv | xlsx
    encoding: str                    # utf-8, utf-8-sig, cp1252, utf-16, xlsx
    header: list[str]
    model: ColumnModel
    columns: list[Column]            # the model's columns found in the file, in file order
    rows: list[Row]
    skipped: list[tuple[int, str]] = field(default_factory=list)   # (row, "sample" | "instructions" | "marked")
    problems: list[CellProblem] = field(default_factory=list)      # about the file (encoding, header, skipped rows)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(p.severity == VIOLATION for p in self.problems)


def refuse_json(data: bytes, kind: str) -> None:
    """A JSON body (an object, an array, null, true, false, a number) sent to a spreadsheet upload is
    refused with what to do instead; a CSV header never starts like JSON."""
    head = bytes(data[:64]).lstrip(b"\xef\xbb\xbf \t\r\n") if isinstance(data, (bytes, bytearray)) else b""
    word = head.split(b",")[0].strip().lower() if head else b""
    if head[:1] in (b"{", b"[") or word in (b"null", b"true", b"false") or re.fullmatch(rb"-?\d+(\.\d+)?", word or b"x"):
        from .spreadsheet import NotSpreadsheet

        raise NotSpreadsheet(f"this is JSON, not a spreadsheet: upload the {kind} template saved as CSV or XLSX "
                             f"(ctdl bulk template {kind}; GET /bulk/{kind}/template), or send JSON requests to "
                             f"POST /{kind}/publish one record at a time.", pointer="/rows/1")


def read_rows(data: bytes, kind: str) -> SheetRows:
    """Read an upload (CSV or XLSX, detected from the bytes) for ``kind`` (learningopportunity,
    learningprogram, course, credential, assessment). InputError when it is no spreadsheet of
    that kind at all: JSON, a header with none of the template's columns, no record below it."""
    kind = normalize_type(kind)
    model = column_model(kind)
    refuse_json(data, kind)
    table, fmt = read_table(data)
    header = table.header
    problems = [_from_result(r, header) for r in table.problems]
    index: dict[int, Column] = {}
    seen: dict[str, int] = {}
    unknown: list[str] = []
    used = {j for _, cells in table.rows for j, c in enumerate(cells) if c}
    for i, h in enumerate(header):
        letter = column_letter(i)
        if not h:
            if i in used:
                problems.append(CellProblem(1, "", None, f"column {letter} has no header; its values were ignored",
                                            "unknown-column", WARNING, letter,
                                            fix="Give the column a header, or delete it."))
            continue
        col = model.find(h)
        if col is None:
            unknown.append(h)
            problems.append(CellProblem(1, h, h, f'"{h}" is not a column of the {kind} upload; it was ignored',
                                        "unknown-column", WARNING, letter, fix=_suggest(h, model)))
            continue
        if col.key in seen:
            problems.append(CellProblem(1, h, h, f'"{h}" is a second {col.header} column; it was ignored (the '
                                        f"values of column {column_letter(seen[col.key])} are used)",
                                        "duplicate-column", WARNING, letter))
            continue
        seen[col.key] = i
        index[i] = col
    if not index:
        from .spreadsheet import NotSpreadsheet

        shown = ", ".join(f'"{h[:40]}"' for h in header[:5] if h) or "nothing"
        raise NotSpreadsheet(f"the first row ({shown}) holds none of the columns of the {kind} template, so this "
                             f"is not a {kind} upload: download the template (ctdl bulk template {kind}; GET "
                             f"/bulk/{kind}/template), fill it in and upload it with its header row.",
                             pointer="/rows/1")
    for col in model.columns:
        if col.key not in seen and col.required and not _has_default(col):
            problems.append(CellProblem(1, col.header, None, f'the file has no "{col.header}" column; it is required',
                                        "missing-column", VIOLATION, "", col.shapes[0] if col.shapes else "",
                                        fix=f'Add a "{col.header}" column (download the template to see every column).'))
    present = [index[i] for i in sorted(index)]
    samples = {c.key: normalize_cell(sample_value(c, kind)) for c in present}
    instructions = {c.key: normalize_cell(instruction_text(c)) for c in present}
    rows: list[Row] = []
    skipped: list[tuple[int, str]] = []
    for number, cells in table.rows:
        row = Row(number, kind)
        for i, col in index.items():
            text = cells[i].strip() if i < len(cells) else ""
            row.headers[col.key] = header[i]
            row.letters[col.key] = column_letter(i)
            if text:
                row.cells[col.key] = text
        what = _template_row(row, cells, present, samples, instructions)
        if what:
            skipped.append((number, what))
            problems.append(CellProblem(number, "", None, {
                "sample": f"row {number} is the template's sample row; it was skipped (delete it before uploading)",
                "instructions": f"row {number} holds the template's instructions; it was skipped",
                "marked": f"row {number} is marked as a comment (#SAMPLE / #INSTRUCTIONS); it was skipped"}[what],
                f"{what}-row" if what != "marked" else "comment-row", INFO))
            continue
        rows.append(row)
    if not rows:
        from .csvread import EmptyFile

        left = f" (rows {', '.join(str(n) for n, _ in skipped[:5])} are the template's own and were skipped)" \
            if skipped else ""
        raise EmptyFile(f"the file has its header row but no record below it{left}: add one row per {kind}.",
                        pointer="/rows/2")
    return SheetRows(kind, fmt, table.encoding, header, model, present, rows, skipped, problems, unknown)


def normalize_cell(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _template_row(row: Row, cells: list[str], present: list[Column], samples: dict, instructions: dict) -> str:
    first = next((c.strip() for c in cells if c.strip()), "")
    if first.lower().startswith(("#sample", "#instruction")):
        return "marked"
    filled = {k: normalize_cell(v) for k, v in row.cells.items()}
    if not filled:
        return ""
    n = len(filled)
    hits = sum(1 for k, v in filled.items() if v and v == instructions.get(k))
    if hits and hits * 2 >= n and (hits >= 2 or n == 1):
        return "instructions"
    by_key = {c.key: c for c in present}
    hits = [k for k, v in filled.items() if v and v == samples.get(k)]
    distinctive = [k for k in hits if by_key[k].kind in ("text", "url", "identifier", "reference", "credentials",
                                                         "date", "term", "number")]
    if hits and len(hits) * 2 >= n and distinctive:
        return "sample"
    return ""


def _has_default(col: Column) -> bool:
    """A Required column that may be left out of the file: it has a default or may be blank."""
    if col.kind in ("language", "credentials"):
        return True
    if col.kind == "choice" and (len(col.vocabulary) == 1 or not any(r.component == "minCount" for r in col.rules)):
        return True
    return False


def _suggest(h: str, model: ColumnModel) -> str:
    import difflib

    names = [c.header for c in model.columns]
    close = difflib.get_close_matches(normalize_header(h), [n.lower() for n in names], n=1, cutoff=0.6)
    if close:
        return f'Did you mean "{next(n for n in names if n.lower() == close[0])}"?'
    return "Download the template to see the columns of this upload."


# -- one row -> a request ----------------------------------------------------------------------------------
@dataclass
class RowRequest:
    request: dict
    problems: list[CellProblem]
    wrapper: str
    origins: dict                    # pointer segments in the resource -> (column key, value text)
    deferred: bool = False
    ctid: str | None = None
    ctid_derived: bool = False


def _columns(columns, row: Row) -> tuple[ColumnModel, list[Column]]:
    model = column_model(row.type)
    if columns is None:
        return model, list(model.columns)
    if isinstance(columns, ColumnModel):
        return columns, list(columns.columns)
    if isinstance(columns, SheetRows):
        return columns.model, list(columns.model.columns)
    return model, list(columns)


def split_cell(text: str) -> list[str]:
    return [v.strip() for v in text.split(SEPARATOR) if v.strip()]


def row_request(row: Row, columns, org_ctid: str, addresses: dict | None = None,
                default_language: str = "en-US", credentials: dict | None = None,
                manifests: dict | None = None) -> tuple[dict, list[CellProblem]]:
    """The Registry Assistant request of a row, ``{"Course": {...}, "PublishForOrganizationIdentifier":
    org}``, and the problems found in its cells (before the pipeline runs).  ``addresses``: the
    organization's places, address id -> Place (Registry Assistant form); ``credentials``: External
    Identifier -> CTID of the organization's credentials (Target Credentials may name them);
    ``manifests``: {"cost": {id: CTID}, "condition": {id: CTID}} (Common Costs / Common Conditions)."""
    built = build_request(row, columns, org_ctid, addresses, default_language, credentials, manifests)
    return built.request, built.problems


def build_request(row: Row, columns, org_ctid: str, addresses: dict | None = None,
                  default_language: str = "en-US", credentials: dict | None = None,
                  manifests: dict | None = None) -> RowRequest:
    model, cols = _columns(columns, row)
    b = _Builder(row, model, cols, (org_ctid or "").strip().lower(), addresses, default_language or "en-US",
                 credentials or {}, manifests or {})
    return b.run()


class _Builder:
    def __init__(self, row: Row, model: ColumnModel, cols: list[Column], org: str, addresses, language: str,
                 credentials: dict, manifests: dict):
        self.row, self.model, self.cols = row, model, cols
        self.org, self.addresses, self.language, self.credentials = org, addresses, language, credentials
        self.manifests = manifests
        self.body: dict = {}
        self.origins: dict = {}
        self.problems: list[CellProblem] = []
        self.wrapper = model.wrapper
        self.by_key = {c.key: c for c in cols}

    # helpers
    def header(self, col: Column) -> str:
        return self.row.headers.get(col.key, col.header)

    def problem(self, col: Column | None, value, message: str, code: str, severity: str = VIOLATION,
                shape: str = "", fix: str = "") -> None:
        if col is None:
            self.problems.append(CellProblem(self.row.number, "", value, message, code, severity, fix=fix))
            return
        self.problems.append(CellProblem(self.row.number, self.header(col), value, message, code, severity,
                                         self.row.letters.get(col.key, ""),
                                         shape or (col.shapes[0] if col.shapes else ""), fix=fix))

    def put(self, col: Column, key_path: str, values: list, texts: list[str], multiple: bool) -> None:
        """Set ``key_path`` (CreditValue/Value) in the body; remember where each value came from."""
        keys = key_path.split("/")
        target = self.body
        segs: list[str] = []
        for k in keys[:-1]:
            holder = target.setdefault(k, [{}])
            target = holder[0]
            segs += [k, "0"]
            self.origins.setdefault((k,), (col.key, None))
        last = keys[-1]
        if multiple:
            existing = target.setdefault(last, [])
            start = len(existing)
            existing.extend(values)
            for i, t in enumerate(texts):
                self.origins[tuple(segs + [last, str(start + i)])] = (col.key, t)
        else:
            target[last] = values[0]
            self.origins[tuple(segs + [last])] = (col.key, texts[0])
        self.origins.setdefault(tuple(segs + [last]), (col.key, texts[0] if len(texts) == 1 else None))

    def run(self) -> RowRequest:
        row, cols = self.row, self.cols
        deferred, targets, relationship = False, [], None
        ctid, ctid_derived = None, False
        places: list[tuple[str, dict, Column]] = []
        for col in cols:
            text = row.get(col.key)
            values = split_cell(text) if col.multiple else ([text] if text else [])
            values = self.check_rules(col, text, values)
            if col.kind == "identifier":
                continue
            if col.key == "LearningOpportunityClassType":
                self.class_type(col, values)
                continue
            if col.kind == "credentials":
                targets, deferred = self.target_credentials(col, values)
                continue
            if col.key == "TargetCredentialRelationship":
                relationship = (values[0] if values else None, col)
                continue
            if col.kind == "place":
                places += [(v, p, col) for v, p in self.places(col, values)]
                continue
            if not values:
                continue
            if col.kind == "ctid":
                ctid = values[0].lower()
                self.put(col, col.input_key, [ctid], values, False)
            elif col.kind == "type":
                term = _find_term(col, values[0])
                self.put(col, col.input_key, ["ceterms:" + term.code if term else values[0]], values, False)
                self.origins[("Type",)] = (col.key, values[0])
            elif col.kind == "language":
                self.put(col, col.input_key, [language_tag(v) for v in values], values, True)
            elif col.kind == "number":
                nums = [_number(v) for v in values]
                if any(n is None for n in nums):
                    if not any(r.component == "datatype" for r in col.rules):
                        self.problem(col, text, f'{self.header(col)} must be a number (not "{text}")',
                                     "wrong-datatype")
                    continue
                self.put(col, col.input_key, nums, values, col.multiple)
            elif col.kind == "boolean":
                flags = [_boolean(v) for v in values]
                if any(f is None for f in flags):
                    if not any(r.component == "datatype" for r in col.rules):
                        self.problem(col, text, f'{self.header(col)} must be TRUE or FALSE (not "{text}")',
                                     "wrong-datatype")
                    continue
                self.put(col, col.input_key, flags, values, col.multiple)
            elif col.kind == "date":
                self.put(col, col.input_key, [self.date(col, v) for v in values], values, col.multiple)
            elif col.kind == "manifest":
                found = [(ctid, v) for v in values for ctid in [self.manifest(col, v)] if ctid]
                if found:
                    self.put(col, col.input_key, [c for c, _ in found], [v for _, v in found], True)
            elif col.kind == "reference":
                refs = values
                if col.key == "OfferedBy" and any(v.casefold() in SAME_AS_OWNER for v in values):
                    owners = self.body.get("OwnedBy") or [self.org]
                    refs = [x for v in values for x in (owners if v.casefold() in SAME_AS_OWNER else [v])]
                    values = [v for v in values for _ in (owners if v.casefold() in SAME_AS_OWNER else [v])]
                self.put(col, col.input_key, refs, values, col.multiple)
            else:   # text, url, vocabulary, term, duration
                self.put(col, col.input_key, list(values), values, col.multiple)
        self.defaults()
        if places:
            key = next((c.fills or c.input_key for c in cols if c.kind == "place" and (c.input_key or c.fills)),
                       "AvailableAt")
            seen: set[str] = set()
            out = self.body.setdefault(key, [])
            for address_id, place, col in places:
                if address_id in seen:
                    continue
                seen.add(address_id)
                self.origins[(key, str(len(out)))] = (col.key, address_id)
                self.origins.setdefault((key,), (col.key, None))
                out.append(dict(place))
        if targets:
            self.conditions(targets, relationship)
        # the record's CTID: given, else derived from the organization and the External Identifier
        if ctid is None and not any(c.kind == "ctid" and row.get(c.key) for c in cols):
            ext = row.external_id
            if ext and CTID_RE.match(self.org):
                ctid = derive_ctid(self.org, self.model.type, ext)
                ctid_derived = True
                self.body["CTID"] = ctid
        request = {self.wrapper: self.body, "PublishForOrganizationIdentifier": self.org}
        if self.language != "en-US":
            request["DefaultLanguage"] = self.language
        return RowRequest(request, self.problems, self.wrapper, self.origins, deferred, ctid, ctid_derived)

    # -- cell rules of the bulk column shapes ----------------------------------------------------------------
    def check_rules(self, col: Column, text: str, values: list[str]) -> list[str]:
        header = self.header(col)
        ok = list(values)
        for rule in col.rules:
            msg = lambda v: rule.message.replace("{field}", header).replace("{value}", v or "")  # noqa: E731
            code = CODES.get(rule.component, "invalid")
            if rule.component == "minCount":
                if len(values) < int(rule.value) and not (col.key == "LearningOpportunityClassType"
                                                          and len(col.vocabulary) == 1):
                    self.problem(col, None, msg(""), code, shape=rule.shape)
            elif rule.component == "maxCount":
                if not col.multiple and SEPARATOR in text and not col.free_text:
                    self.problem(col, text, f"{header} takes one value, not several separated by |", code,
                                 shape=rule.shape)
                    ok = []
            elif rule.component in ("maxLength", "minLength"):
                for v in values:
                    if (len(v) > int(rule.value)) if rule.component == "maxLength" else (len(v) < int(rule.value)):
                        self.problem(col, v, msg(v), code, shape=rule.shape)
            elif rule.component == "pattern":
                flags = re.I if "i" in rule.flags else 0
                for v in values:
                    if not re.search(rule.value, v, flags):
                        self.problem(col, v, msg(v), code, shape=rule.shape)
                        ok = [x for x in ok if x != v]
            elif rule.component == "in":
                fixed = []
                for v in ok:
                    term = _find_term(col, v)
                    if term is None:
                        self.problem(col, v, msg(v), code, shape=rule.shape, fix=_term_hint(col, v))
                    else:
                        fixed.append(term.label)
                ok = fixed
            elif rule.component == "datatype":
                for v in values:
                    bad = (_number(v) is None) if rule.value.endswith(("decimal", "float", "integer")) else \
                        (_boolean(v) is None) if rule.value.endswith("boolean") else False
                    if bad:
                        self.problem(col, v, msg(v), code, shape=rule.shape)
                        ok = [x for x in ok if x != v]
            elif rule.component in ("minInclusive", "maxInclusive"):
                for v in values:
                    n = _number(v)
                    if n is not None and (n < rule.value if rule.component == "minInclusive" else n > rule.value):
                        self.problem(col, v, msg(v), code, shape=rule.shape)
                        ok = [x for x in ok if x != v]
        return ok

    # -- special columns -----------------------------------------------------------------------------------
    def class_type(self, col: Column, values: list[str]) -> None:
        if values:
            term = _find_term(col, values[0])
            if term is not None:
                self.wrapper = term.code
                self.origins.setdefault(("Type",), (col.key, values[0]))
        elif len(col.vocabulary) == 1:
            self.wrapper = col.vocabulary[0].code

    def target_credentials(self, col: Column, values: list[str]) -> tuple[list[tuple[str, str]], bool]:
        targets: list[tuple[str, str]] = []
        lower = {str(k).strip().casefold(): v for k, v in self.credentials.items()}
        for v in values:
            if v.upper() == DEFER:
                continue
            if CTID_RE.match(v):
                targets.append((v.lower(), v))
                continue
            ctid = self.credentials.get(v) or lower.get(v.casefold())
            if ctid:
                targets.append((str(ctid).lower(), v))
                continue
            shape = next((s for s in col.shapes), "")
            from .templates import shape_reader

            message = shape_reader().text(_shape_iri(shape), "message") or "{value} is not a known credential."
            self.problem(col, v, message.replace("{value}", v).replace("{field}", self.header(col)),
                         "unknown-credential", shape=shape)
        if not targets:
            has_error = any(p.code == "unknown-credential" for p in self.problems)
            if not has_error:
                self.problem(col, self.row.get(col.key) or None,
                             "no Target Credential yet: the row can be uploaded, but it cannot be published until it "
                             "is connected to a credential", "deferred", INFO)
            return [], not has_error
        return targets, False

    def conditions(self, targets: list[tuple[str, str]], relationship) -> None:
        text, rel_col = relationship if relationship else (None, None)
        label = text or "Is Required For"
        key = label.replace(" ", "")
        noun = {"Assessment": "assessment"}.get(self.wrapper, {"Course": "course", "LearningProgram": "learning program"}
                                                .get(self.wrapper, "learning opportunity"))
        what = {"Requires": f"This {noun} requires the credential(s) listed.",
                "IsPreparationFor": f"This {noun} prepares for the credential(s) listed.",
                "IsRecommendedFor": f"This {noun} is recommended for the credential(s) listed.",
                "IsRequiredFor": f"This {noun} is required for the credential(s) listed."}.get(key)
        if what is None:
            return
        col = next(c for c in self.cols if c.kind == "credentials")
        profiles = self.body.setdefault(key, [])
        i = len(profiles)
        profiles.append({"Name": label, "Description": what, "TargetCredential": [t for t, _ in targets]})
        self.origins[(key, str(i))] = (col.key, self.row.get(col.key))
        self.origins.setdefault((key,), (col.key, self.row.get(col.key)))
        for j, (_, raw) in enumerate(targets):
            self.origins[(key, str(i), "TargetCredential", str(j))] = (col.key, raw)

    def places(self, col: Column, values: list[str]):
        for v in values:
            if v.casefold() == "all":
                if not self.addresses:
                    self.problem(col, v, "the organization has no addresses yet: add them (Step 1) before using all",
                                 "unknown-address")
                for address_id, place in (self.addresses or {}).items():
                    yield address_id, place
                continue
            place = None
            if self.addresses:
                place = self.addresses.get(v)
                if place is None:
                    folded = {str(k).casefold(): k for k in self.addresses}
                    k = folded.get(v.casefold())
                    place = self.addresses.get(k) if k is not None else None
            if place is None:
                known = ", ".join(list(self.addresses or {})[:20]) or "none yet"
                shape = "shape:Bulk-availableAtCode"
                self.problem(col, v, f'"{v}" is not the identifier of an address of the organization (its addresses: '
                             f"{known}); use the address identifiers separated by |, or all", "unknown-address",
                             shape=shape if col.bulk else "")
                continue
            yield v, place

    def manifest(self, col: Column, v: str) -> str | None:
        """The CTID a Common Costs / Common Conditions cell value names: the identifier of one of the
        organization's manifests (Step 1), or a CTID."""
        from .templates import manifest_kind

        if CTID_RE.match(v):
            return v.lower()
        kind = manifest_kind(col.path[-1]) or ""
        known = self.manifests.get(kind) or {}
        ctid = known.get(v) or next((c for k, c in known.items() if str(k).casefold() == v.casefold()), None)
        if ctid is None:
            listed = ", ".join(list(known)[:20]) or "none yet"
            self.problem(col, v, f'"{v}" is not the identifier of a {kind} manifest of the organization (its {kind} '
                         f"manifests: {listed}); use their identifiers or CTIDs, separated by |", "unknown-manifest",
                         fix=f"Add the manifest to the organization first (ctdl org manifests --kind {kind} --set "
                             "FILE.json), or give its CTID.")
        return ctid

    def date(self, col: Column, v: str) -> str:
        m = _US_DATE.match(v)
        if m:
            month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            iso = f"{year:04d}-{month:02d}-{day:02d}"
            self.problem(col, v, f"{self.header(col)} {v} was read as {iso} (month/day/year); write dates as "
                         "YYYY-MM-DD", "date-read", INFO)
            return iso
        return v

    def defaults(self) -> None:
        body = self.body
        if not body.get("InLanguage"):
            col = self.by_key.get("InLanguage")
            body["InLanguage"] = [language_tag(self.language)]
            if col is not None:
                self.origins.setdefault(("InLanguage",), (col.key, None))
        for key in ("OwnedBy", "OfferedBy"):
            if not body.get(key) and self.org:
                body[key] = [self.org]
                col = self.by_key.get(key)
                if col is not None:
                    self.origins.setdefault((key,), (col.key, None))


def _shape_iri(compact: str) -> object:
    import rdflib

    from ..validate import expand_shape

    return rdflib.URIRef(expand_shape(compact))


def _norm_term(text: str) -> str:
    t = text.strip()
    if ":" in t and not t.startswith("http"):
        t = t.split(":", 1)[1]
    return re.sub(r"[^0-9a-z]+", "", t.casefold())


def _find_term(col: Column, text: str):
    want = _norm_term(text)
    for t in col.vocabulary:
        if want in (_norm_term(t.label), _norm_term(t.code)):
            return t
    return None


def _term_hint(col: Column, text: str) -> str:
    import difflib

    labels = col.labels
    close = difflib.get_close_matches(text, labels, n=1, cutoff=0.5)
    if close:
        return f'Did you mean "{close[0]}"?'
    return f"Use one of: {', '.join(labels[:12])}{'...' if len(labels) > 12 else ''}."


def _number(text: str):
    t = text.strip().replace(",", "") if re.fullmatch(r"[\d,]+(\.\d+)?", text.strip()) else text.strip()
    try:
        d = Decimal(t)
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _boolean(text: str):
    t = text.strip().casefold()
    if t in TRUE_TEXT:
        return True
    if t in FALSE_TEXT:
        return False
    return None


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
        return Report([p.to_result() for p in self.problems])

    def to_dict(self) -> dict:
        return {"row": self.row, "external_id": self.external_id, "ctid": self.ctid, "type": self.type,
                "conforms": self.conforms, "deferred": self.deferred, "ctid_derived": self.ctid_derived,
                "problems": [p.to_dict() for p in self.problems]}


def validate_row(row: Row, columns, org_ctid: str, addresses: dict | None = None, default_language: str = "en-US",
                 credentials: dict | None = None, engine: str | None = None,
                 registry: str = DEFAULT_REGISTRY, manifests: dict | None = None) -> RowResult:
    """Build the row's request, run ``transformer.pipeline.format_request`` on it and put every result
    on its cell: ``/LearningOpportunity/DeliveryType/1`` -> column "Delivery Type", the row's second
    delivery type.  Results about a property without a column are about the whole row."""
    model, cols = _columns(columns, row)
    built = build_request(row, columns, org_ctid, addresses, default_language, credentials, manifests)
    outcome = format_request(built.request, None, Options(registry, default_language or "en-US"), engine)
    problems = list(built.problems)
    # the same problem said by a cell rule and by the pipeline (a malformed CTID) is said once
    have = {(p.column, p.code, p.value) for p in problems if p.column} | \
        {(p.column, p.code, None) for p in problems if p.column}
    by_key = {c.key: c for c in cols}
    for r in outcome.report.sorted():
        key, value = map_pointer(r.path, built.wrapper, built.origins, cols)
        col = by_key.get(key) if key else None
        if col is not None and col.kind == "ctid" and r.code == "required" and not built.ctid:
            continue   # no CTID because there is no External Identifier, or a malformed one: said there
        header = row.headers.get(col.key, col.header) if col is not None else ""
        message = _rename(r.message, r.property or (col.input_key.split("/")[-1] if col else ""), header)
        v = value if value is not None else r.value
        if header and ((header, r.code, v) in have or (header, r.code, None) in have and v is None):
            continue
        if header:
            have.add((header, r.code, v))
        shape = r.shape or (_rule_shape(col, r.code) if col is not None else "")
        problems.append(CellProblem(row.number, header, v, message, r.code, r.severity,
                                    row.letters.get(col.key, "") if col is not None else "",
                                    shape, r.path, r.fix))
    names = {w: k for k, w in endpoint_names().items()}
    return RowResult(row.number, row.external_id, outcome.ctid or built.ctid, names.get(built.wrapper, row.type),
                     built.wrapper, built.request, outcome.document, problems, built.deferred, built.ctid_derived)


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
    names = [s for s in segs if not s.isdigit()]
    best, best_len = None, 0
    for c in cols:
        keys = c.input_key.split("/") if c.input_key else []
        if keys and names[:len(keys)] == keys and len(keys) > best_len:
            best, best_len = c, len(keys)
    if best is None and segs[0] in ("Type", "CredentialType"):
        best = next((c for c in cols if c.kind == "type"), None)
    return (best.key, None) if best is not None else (None, None)


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
            out.append(CellProblem(
                r.number, r.headers.get("ExternalIdentifier", "External Identifier"), ext, message,
                "duplicate-external-identifier", VIOLATION, r.letters.get("ExternalIdentifier", ""),
                "shape:Bulk-externalIdentifier"))
    return out


def validate_rows(sheet: SheetRows, org_ctid: str, addresses: dict | None = None, default_language: str = "en-US",
                  credentials: dict | None = None, engine: str | None = None,
                  registry: str = DEFAULT_REGISTRY, progress=None, manifests: dict | None = None) -> list[RowResult]:
    """Every row of a sheet, validated; duplicate External Identifiers are errors on each row.
    ``progress(done, total)`` is called after each row (for a progress bar)."""
    results = []
    # a row whose cells are those of an earlier row gets that row's result (its own row number): a row
    # repeated thousands of times is validated once. Results are never changed afterwards, so the
    # request and document may be shared.
    seen: dict[tuple, RowResult] = {}
    for i, r in enumerate(sheet.rows, 1):
        key = tuple(sorted(r.cells.items()))
        done = seen.get(key)
        if done is None:
            done = seen[key] = validate_row(r, sheet.model, org_ctid, addresses, default_language, credentials,
                                            engine, registry, manifests)
            results.append(done)
        else:
            results.append(replace(done, row=r.number, problems=[p.at_row(r.number) for p in done.problems]))
        if progress is not None:
            progress(i, len(sheet.rows))
    by_row = {res.row: res for res in results}
    for p in duplicate_identifiers(sheet.rows):
        by_row[p.row].problems.insert(0, p)
    return results
