"""Reading a record spreadsheet: the file -> its rows (``read_rows``), each cell under its column,
the template's sample and instructions rows skipped, unknown headers refused at the header.  Every
problem is a ``CellProblem``: a :class:`Result` whose path is ``/rows/<row>/<column>``, with the row,
the column header as written and the column letter.  The whole flow: ``records/__init__.py``."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...errors import InputError
from ...pointer import cell, escape, row_and_column
from ...report import INFO, Report, Result, VIOLATION, WARNING
from ..sheets.csvfile import column_letter
from ..sheets.workbook import read_table
from .columns import Column, ColumnModel, instruction_text, normalize_header, normalize_type
from .model import column_model
from .template import sample_value

CODES = {"minCount": "required", "maxCount": "too-many-values", "maxLength": "too-long", "minLength": "too-short",
         "pattern": "invalid-format", "in": "unknown-term", "datatype": "wrong-datatype",
         "minInclusive": "out-of-range", "maxInclusive": "out-of-range"}
SAME_AS_OWNER = {"same as owner", "same as owned by", "same as owning organization"}
TRUE_TEXT = {"true", "yes", "y", "1", "x"}
FALSE_TEXT = {"false", "no", "n", "0"}
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# upload types whose sample row is told by its External Identifier alone (see _template_row)
IDENTIFIED_SAMPLES = {"costmanifest"}


# -- results ---------------------------------------------------------------------------------------------
@dataclass
class CellProblem(Result):
    """A spreadsheet's result: a :class:`Result` whose path is its cell (``/rows/<row>/<column>``,
    ``/rows/<row>`` for the whole row), with what a registrar needs to find it: the row, the column
    header as written, the column letter, and ``at``, where in the row's request the pipeline said
    it (``/Course/DeliveryType/1``).  Made by :func:`cell_problem`."""

    row: int = 1                # spreadsheet row (header = 1)
    column: str = ""            # header as in the file ("" for the whole row)
    letter: str = ""            # the spreadsheet column (A, B, ..., AA)
    at: str = ""                # where the pipeline said it, in the row's request

    @property
    def pointer(self) -> str:
        return self.path

    def at_row(self, row: int) -> "CellProblem":
        """The same problem on another row (a copy; dataclasses.replace is ten times slower)."""
        other = CellProblem.__new__(CellProblem)
        other.__dict__ = fields = self.__dict__.copy()     # (the fields copied at once: twice as fast as update)
        column = self.column       # cell(row, column), inlined: ~20 problems per row of an upload
        fields["row"], fields["path"] = row, f"/rows/{row}/{escape(column)}" if column else f"/rows/{row}"
        return other

    def as_cell(self) -> dict:
        """As the bulk answers give it: row, column, letter, and ``path`` = where in the row's request
        (``to_dict`` gives it as any other Result, with the cell's pointer as ``path``)."""
        out = {"row": self.row, "column": self.column, "value": self.value, "message": self.message,
               "code": self.code, "severity": self.severity, "letter": self.letter, "shape": self.shape,
               "path": self.at, "fix": self.fix}
        return {k: v for k, v in out.items() if v not in ("", None) or k in ("row", "column", "message", "code",
                                                                              "severity")}


def cell_problem(row: int, column: str, value, message: str, code: str, severity: str, letter: str = "",
                 shape: str = "", at: str = "", fix: str = "") -> CellProblem:
    return CellProblem(severity, code, message, path=cell(row, column), property=column, value=value, shape=shape,
                       fix=fix, row=row, column=column, letter=letter, at=at)


def from_reader(r: Result, header: list[str]) -> CellProblem:
    """A reader's Result (/rows/N/Column) with its row, column and letter."""
    row, column = row_and_column(r.path) or (1, "")
    letter = ""
    if column in header:
        letter = column_letter(header.index(column))
    elif re.fullmatch(r"[A-Z]{1,3}", column or ""):
        letter = column
    return cell_problem(row, column, r.value, r.message, r.code, r.severity, letter, r.shape, "", r.fix)


class CellResults:
    """What a result of an upload (a row's, a cost manifest's) says of its ``problems``."""

    problems: list[CellProblem]

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    @property
    def errors(self) -> list[CellProblem]:
        return self.report.violations

    @property
    def report(self) -> Report:
        """The problems as a Report (paths /rows/<row>/<column>)."""
        return Report(list(self.problems))


# -- the sheet -------------------------------------------------------------------------------------------
@dataclass
class Row:
    number: int
    type: str                                         # the upload type ("course")
    cells: dict[str, str] = field(default_factory=dict)     # column key -> trimmed text
    # column key -> header as written; column key -> A, B, ... (read_rows: one dict of each for all rows)
    headers: dict[str, str] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)

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
        from ..sheets.workbook import NotSpreadsheet

        raise NotSpreadsheet(f"this is JSON, not a spreadsheet: upload the {kind} template saved as CSV or XLSX "
                             f"(ctdl bulk template {kind}; GET /bulk/{kind}/template), or send JSON requests to "
                             f"POST /{kind}/publish one record at a time.", pointer="/rows/1")


def read_rows(data: bytes, kind: str, rules=None) -> SheetRows:
    """Read an upload (CSV or XLSX, detected from the bytes) for ``kind`` (learningopportunity,
    learningprogram, course, credential, assessment), with the columns of ``rules`` (a RuleSet;
    default: the project's). InputError when it is no spreadsheet of that kind at all: JSON, a
    header with none of the template's columns, no record below it."""
    kind = normalize_type(kind)
    model = column_model(kind, rules)
    refuse_json(data, kind)
    table, fmt = read_table(data)
    header = table.header
    problems = [from_reader(r, header) for r in table.problems]
    index: dict[int, Column] = {}
    seen: dict[str, int] = {}
    unknown: list[str] = []
    refused: list[str] = []
    used = {j for _, cells in table.rows for j, c in enumerate(cells) if c}
    for i, h in enumerate(header):
        letter = column_letter(i)
        if not h:
            if i in used:
                problems.append(cell_problem(1, "", None, f"column {letter} has no header; its values were ignored",
                                            "unknown-column", WARNING, letter,
                                            fix="Give the column a header, or delete it."))
            continue
        col = model.find(h)
        if col is None:
            unknown.append(h)
            if i in used:     # data we cannot place: the upload is refused below, never dropped
                refused.append(f'"{h}" (column {letter}): {_suggest(h, model)}')
            else:
                problems.append(cell_problem(1, h, h, f'"{h}" is not a column of the {kind} upload; it is empty, so '
                                            "nothing was lost", "unknown-column", WARNING, letter,
                                            fix=_suggest(h, model)))
            continue
        if col.key in seen:
            problems.append(cell_problem(1, h, h, f'"{h}" is a second {col.header} column; it was ignored (the '
                                        f"values of column {column_letter(seen[col.key])} are used)",
                                        "duplicate-column", WARNING, letter))
            continue
        seen[col.key] = i
        index[i] = col
    if refused and index:
        raise UnknownColumns(
            f"the file has {'a column' if len(refused) == 1 else f'{len(refused)} columns'} the {kind} upload cannot "
            f"use, so nothing was staged (their values would be lost): {'; '.join(refused)}. Rename "
            f"{'it' if len(refused) == 1 else 'them'} to a column of the template (ctdl bulk template {kind}), or "
            "delete the column and upload again.", pointer="/rows/1")
    if not index:
        from ..sheets.workbook import NotSpreadsheet

        shown = ", ".join(f'"{h[:40]}"' for h in header[:5] if h) or "nothing"
        raise NotSpreadsheet(f"the first row ({shown}) holds none of the columns of the {kind} template, so this "
                             f"is not a {kind} upload: download the template (ctdl bulk template {kind}; GET "
                             f"/bulk/{kind}/template), fill it in and upload it with its header row.",
                             pointer="/rows/1")
    for col in model.columns:
        if col.key not in seen and col.required and not _has_default(col):
            problems.append(cell_problem(1, col.header, None, f'the file has no "{col.header}" column; it is required',
                                        "missing-column", VIOLATION, "", col.shapes[0] if col.shapes else "",
                                        fix=f'Add a "{col.header}" column (download the template to see every column).'))
    present = [index[i] for i in sorted(index)]
    samples = {c.key: normalize_cell(sample_value(c, kind)) for c in present}
    instructions = {c.key: normalize_cell(instruction_text(c)) for c in present}
    rows: list[Row] = []
    skipped: list[tuple[int, str]] = []
    # every row's headers and letters are the same: one dict each, shared by the rows (read-only)
    headers = {col.key: header[i] for i, col in index.items()}
    letters = {col.key: column_letter(i) for i, col in index.items()}
    for number, cells in table.rows:
        row = Row(number, kind, {}, headers, letters)
        for i, col in index.items():
            text = cells[i].strip() if i < len(cells) else ""
            if text:
                row.cells[col.key] = text
        what = _template_row(row, cells, present, samples, instructions, kind in IDENTIFIED_SAMPLES)
        if what:
            skipped.append((number, what))
            problems.append(cell_problem(number, "", None, {
                "sample": f"row {number} is the template's sample row; it was skipped (delete it before uploading)",
                "instructions": f"row {number} holds the template's instructions; it was skipped",
                "marked": f"row {number} is marked as a comment (#SAMPLE / #INSTRUCTIONS); it was skipped"}[what],
                f"{what}-row" if what != "marked" else "comment-row", INFO))
            continue
        rows.append(row)
    if not rows:
        from ..sheets.csvfile import EmptyFile

        left = f" (rows {', '.join(str(n) for n, _ in skipped[:5])} are the template's own and were skipped)" \
            if skipped else ""
        raise EmptyFile(f"the file has its header row but no record below it{left}: add one row per {kind}.",
                        pointer="/rows/2")
    return SheetRows(kind, fmt, table.encoding, header, model, present, rows, skipped, problems, unknown)


def normalize_cell(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _template_row(row: Row, cells: list[str], present: list[Column], samples: dict, instructions: dict,
                  identified: bool = False) -> str:
    """"sample", "instructions", "marked" (a #SAMPLE / #INSTRUCTIONS row) or "" (a row of data).
    ``identified``: the sample row is only the one with the sample's External Identifier (cost
    manifests: a row with a few cost cells such as Tuition, USD, per credit hour is often half the
    sample's values)."""
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
    if identified and filled.get("ExternalIdentifier") != samples.get("ExternalIdentifier"):
        return ""
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


class UnknownColumns(InputError):
    """A spreadsheet with values in a column the upload type has no place for."""
    code = "input.unknown-column"


def _suggest(h: str, model: ColumnModel) -> str:
    import difflib

    names = [c.header for c in model.columns]
    close = difflib.get_close_matches(normalize_header(h), [n.lower() for n in names], n=1, cutoff=0.6)
    if close:
        return f'Did you mean "{next(n for n in names if n.lower() == close[0])}"?'
    return "Download the template to see the columns of this upload."
