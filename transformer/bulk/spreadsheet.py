"""Spreadsheet files: CSV and XLSX, written safely and read into one :class:`csvread.Table`.

Writing
* CSV: UTF-8 with a BOM (so that Excel shows accented letters), CRLF line ends, every cell quoted
  when needed.  CSV injection: a cell that starts with ``= + - @``, a TAB or a CR would be run as a
  formula by a spreadsheet program; it is written with an apostrophe in front (``'=1+1``), which the
  spreadsheet hides and :func:`read_table` strips back.
* XLSX (openpyxl): a frozen header, a note on each header cell (the column's instructions), a
  dropdown (data validation list) on every column with a vocabulary (lists too long to write inline
  go on a hidden "Lists" sheet), and every cell stored as text, in columns formatted as text, so that
  nothing is ever a formula, a date or a number.

Reading (:func:`read_table`): XLSX by its magic bytes (a ZIP holding ``xl/``), else CSV through
``csvread.read_table`` (encoding detection: UTF-8, UTF-8 with BOM, Windows-1252, UTF-16; delimiter;
ragged rows).  Rows are numbered as the spreadsheet shows them (header = row 1).  XLSX cells become
text: numbers without a spurious ``.0``, dates as YYYY-MM-DD, booleans as TRUE/FALSE; a formula is
never evaluated (its text is read, with a Warning).
"""
from __future__ import annotations

import csv
import re
import datetime as _dt
import io
import zipfile
from dataclasses import dataclass

from ..errors import InputError
from ..report import INFO, Result, WARNING
from . import csvread
from .csvread import EmptyFile, NotCSV, Table, column_letter, drop_extra_cells

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LISTS_SHEET = "Lists"
INLINE_LIST_LIMIT = 250          # Excel's limit for a list written in the validation itself is 255


class NotSpreadsheet(InputError):
    code = "input.not-spreadsheet"


# -- cells -------------------------------------------------------------------------------------------
# JSON-LD keywords used as column names (the CaSS CTDL-ASN CSV's @id and @type): a bare "@word"
# holds no function call, so no formula can run from it, and CaSS needs the header as written.
_KEYWORD = re.compile(r"^@[A-Za-z]+$")


def escape_cell(text: str) -> str:
    """A cell as written to CSV: an apostrophe before what a spreadsheet would run as a formula."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_START) and not _KEYWORD.match(text) else text


def unescape_cell(text: str) -> str:
    """The reverse of :func:`escape_cell`: ``'=1+1`` -> ``=1+1`` (other apostrophes are kept)."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


# -- writing -----------------------------------------------------------------------------------------
def write_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([escape_cell(c) for c in row])
    return csvread.UTF8_BOM + out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class SheetColumn:
    header: str
    note: str = ""
    choices: tuple[str, ...] = ()
    multiple: bool = False
    required: bool = False


def write_xlsx(title: str, columns: list[SheetColumn], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = _safe_title(title)
    lists = None
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for j, col in enumerate(columns, start=1):
        letter = column_letter(j - 1)
        cell = ws.cell(row=1, column=j)
        _text(cell, col.header)
        cell.font = bold
        if col.required:
            cell.fill = required_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if col.note:
            note = Comment(col.note, "ctdl-assistant")
            note.width, note.height = 320, min(600, 60 + 16 * (len(col.note) // 45 + 1))
            cell.comment = note
        dim = ws.column_dimensions[letter]
        dim.width = max(14, min(45, len(col.header) + 4))
        dim.number_format = "@"      # what people type later stays text too
        if col.choices:
            inline = ",".join(col.choices)
            if len(inline) <= INLINE_LIST_LIMIT and not any(("," in c or '"' in c) for c in col.choices):
                formula = f'"{inline}"'
            else:
                if lists is None:
                    lists = wb.create_sheet(LISTS_SHEET)
                    lists.sheet_state = "hidden"
                k = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value is not None else 1
                for i, choice in enumerate(col.choices, start=1):
                    _text(lists.cell(row=i, column=k), choice)
                lk = column_letter(k - 1)
                formula = f"'{LISTS_SHEET}'!${lk}$1:${lk}${len(col.choices)}"
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            # several values are written "a|b": the dropdown helps, it must not refuse them
            dv.showErrorMessage = not col.multiple
            dv.errorStyle = "warning"
            dv.error = f"Choose a value of the list for {col.header}."
            dv.errorTitle = col.header[:32]
            dv.promptTitle = col.header[:32]
            dv.prompt = ("Several values: separate them with |" if col.multiple else "Choose one value")[:255]
            dv.showInputMessage = True
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}1048576")
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            if value not in (None, ""):
                _text(ws.cell(row=i, column=j), value)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(cell, value) -> None:
    """Store ``value`` as a text cell: never a formula, a number or a date."""
    cell.value = str(value)
    cell.data_type = "s"
    cell.number_format = "@"


def _safe_title(title: str) -> str:
    bad = set('[]:*?/\\')
    t = "".join(ch for ch in title if ch not in bad).strip() or "Data"
    return t[:31]


# -- reading -----------------------------------------------------------------------------------------
def sniff(data: bytes) -> str:
    """"xlsx" or "csv" (by content, never by file name)."""
    if isinstance(data, (bytes, bytearray)) and bytes(data[:4]) == XLSX_MAGIC:
        return "xlsx"
    return "csv"


def read_table(data: bytes) -> tuple[Table, str]:
    """(table, "csv" | "xlsx").  Raises an InputError when the bytes are no spreadsheet at all."""
    if data is None or len(data) == 0:
        raise EmptyFile("the file is empty: upload the template spreadsheet (CSV or XLSX) with its header "
                        "row and one row per record.", pointer="/rows/1")
    if isinstance(data, (bytes, bytearray)) and bytes(data[:8]) == XLS_MAGIC:
        raise NotSpreadsheet("this is an old Excel workbook (.xls). Save it as Excel Workbook (.xlsx) or as "
                             '"CSV UTF-8 (Comma delimited)" and upload that file.', pointer="/rows/1")
    if sniff(data) == "xlsx":
        return read_xlsx(bytes(data)), "xlsx"
    try:
        table = csvread.read_table(data)
    except EmptyFile as e:
        raise EmptyFile(e.message.replace("one row per competency", "one row per record")
                        .replace("per competency", "per record"), pointer=e.pointer) from e
    except NotCSV as e:
        raise NotCSV(e.message.replace("competency framework", "spreadsheet"), pointer=e.pointer) from e
    table.header = [unescape_cell(h) for h in table.header]
    table.rows = [(n, [unescape_cell(c) for c in cells]) for n, cells in table.rows]
    return table, "csv"


def read_xlsx(data: bytes) -> Table:
    try:
        from openpyxl import load_workbook

        zf = zipfile.ZipFile(io.BytesIO(data))
        if not any(n.startswith("xl/") for n in zf.namelist()):
            raise NotSpreadsheet("the file is a ZIP archive but not an Excel workbook (.xlsx): upload the "
                                 "template as .xlsx or .csv.", pointer="/rows/1")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - any reader error means the workbook cannot be used
        raise NotSpreadsheet(f"the workbook cannot be read ({type(e).__name__}: {e}). Open it in a spreadsheet "
                             "program, save it again as .xlsx (or CSV UTF-8) and upload it again.",
                             pointer="/rows/1") from e
    try:
        sheets = [ws for ws in wb.worksheets
                  if ws.title != LISTS_SHEET and getattr(ws, "sheet_state", "visible") == "visible"]
        if not sheets:
            sheets = list(wb.worksheets)
        ws = sheets[0]
        problems: list[Result] = []
        records: list[tuple[int, list[str]]] = []
        formulas: list[str] = []
        for row in ws.iter_rows():
            number = None
            cells: list[str] = []
            for cell in row:
                if getattr(cell, "row", None) is not None and number is None:
                    number = cell.row
                col = getattr(cell, "column", None)
                if col is not None:
                    while len(cells) < col - 1:
                        cells.append("")
                text, was_formula = _cell_text(cell)
                if was_formula:
                    formulas.append(f"{column_letter(len(cells))}{number}")
                cells.append(text)
            if number is None:
                continue
            records.append((number, [unescape_cell(c.strip()) for c in cells]))
    finally:
        wb.close()
    start = next((i for i, (_, cells) in enumerate(records) if any(cells)), None)
    if start is None:
        raise EmptyFile("the workbook's first sheet holds no rows: fill the template's header row and one row "
                        "per record.", pointer="/rows/1")
    header_number, header = records[start]
    header = [h.lstrip("\ufeff").strip() for h in header]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    table = Table(header, [], "xlsx", "", problems)
    if header_number != 1:
        problems.append(Result(INFO, "header-row", f"the header is row {header_number} of the sheet "
                               f"\"{ws.title}\"; the rows above it were skipped", path=f"/rows/{header_number}"))
    for number, cells in records[start + 1:]:
        if not any(cells):
            continue
        if len(cells) > width:
            cells = drop_extra_cells(number, cells, width, problems)
        cells = cells + [""] * (width - len(cells))
        table.rows.append((number, cells))
    if formulas:
        problems.append(Result(
            WARNING, "formula",
            f"{len(formulas)} cell(s) hold a formula ({', '.join(formulas[:10])}{'...' if len(formulas) > 10 else ''}); "
            "formulas are never run: the text of the formula was read as the value",
            path=f"/rows/{formulas[0].lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}",
            fix="Type the values themselves, or format the column as text."))
    return table


def _cell_text(cell) -> tuple[str, bool]:
    value = getattr(cell, "value", None)
    if value is None:
        return "", False
    if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")
                                                     and getattr(cell, "data_type", "s") == "f"):
        return str(value), True
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), False
        return repr(value), False
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat(), False
        return value.isoformat(), False
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat(), False
    if isinstance(value, _dt.timedelta):
        return str(value), False
    return str(value), False
