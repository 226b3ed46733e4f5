"""Spreadsheet files: CSV and XLSX, written safely and read into one :class:`csvfile.Table`.

Both directions in one module (so longer than most): the escaping of formula-like cells and its
inverse must live together, and ``read_table`` is the one entry for an uploaded file.

Writing
* CSV: UTF-8 with a BOM (so that Excel shows accented letters), CRLF line ends, every cell quoted
  when needed.  CSV injection: a cell that starts with ``= + - @``, their full-width forms
  ``\uff1d \uff0b \uff0d \uff20`` (East Asian locales run them too), a TAB or a CR would be run as a formula by
  a spreadsheet program; it is written with an apostrophe in front (``'=1+1``), which the spreadsheet
  hides and :func:`read_table` strips back.  A cell that itself starts with an apostrophe followed by
  such a start or by another apostrophe (``'=x``) gets one more, so that every value comes back as it
  was: ``unescape_cell(escape_cell(v)) == v`` for every string.  Only the header row keeps the exact
  JSON-LD keywords (``@id``, ``@type``: the CaSS CTDL-ASN CSV needs them) as written.
* XLSX (openpyxl): a frozen header, a note on each header cell (the column's instructions), a
  dropdown (data validation list) on every column with a vocabulary (lists too long to write inline
  go on a hidden "Lists" sheet), and every cell stored as text, in columns formatted as text, so that
  nothing is ever a formula, a date or a number.  A value that the reader would take for an escaped
  one (``'=x``) gets an apostrophe in front, as in CSV.

Reading (:func:`read_table`): XLSX by its magic bytes (a ZIP holding ``xl/``), else CSV through
``csvfile.read_table`` (encoding detection: UTF-8, UTF-8 with BOM, Windows-1252, UTF-16; delimiter;
ragged rows).  Rows are numbered as the spreadsheet shows them (header = row 1).  XLSX cells become
text: numbers without a spurious ``.0``, dates as YYYY-MM-DD, booleans as TRUE/FALSE; a formula is
never evaluated (its text is read, with a Warning).

Limits (:class:`transformer.limits.Limits`, ``DEFAULT_LIMITS`` unless given): rows, columns per row
and characters per cell in both formats, and for XLSX the total declared uncompressed size of the
archive, checked before openpyxl opens it (zipfile never inflates an entry past its declared size).
The sheet is then checked by a streaming XML pass that builds nothing (cells per row, row numbers,
rows that hold values), stopping at the first row past a limit, before openpyxl reads it; the sheet's
declared dimension (``<dimension ref="A1:XFD1048576"/>``) is ignored: only real cells are read.
Past a limit: :class:`transformer.errors.LimitExceeded` (413), naming the limit.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from ...errors import InputError, LimitExceeded
from ...limits import DEFAULT_LIMITS, Limits
from ...report import INFO, Result, WARNING
from . import csvfile
from .csvfile import (EmptyFile, NotCSV, Table, cell_too_long, column_letter, drop_extra_cells, too_many_columns,
                      too_many_rows)

# what a spreadsheet program runs as a formula: = + - @ (and their full-width forms), TAB, CR
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")
_ESCAPED_START = FORMULA_START + ("'",)      # what follows the apostrophe of an escaped cell
# the JSON-LD keywords, kept as written in a header row (the CaSS CTDL-ASN CSV's @id and @type columns)
JSONLD_KEYWORDS = frozenset({
    "@base", "@container", "@context", "@direction", "@graph", "@id", "@import", "@included", "@index", "@json",
    "@language", "@list", "@nest", "@none", "@prefix", "@propagate", "@protected", "@reverse", "@set", "@type",
    "@value", "@version", "@vocab"})
EXCEL_ROWS = 1_048_576
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LISTS_SHEET = "Lists"
INLINE_LIST_LIMIT = 250          # Excel's limit for a list written in the validation itself is 255


class NotSpreadsheet(InputError):
    code = "input.not-spreadsheet"


# -- cells -------------------------------------------------------------------------------------------
def escape_cell(text: str) -> str:
    """A cell as written to CSV: an apostrophe before what a spreadsheet would run as a formula, and
    before an apostrophe that :func:`unescape_cell` would take for one (``'=x`` -> ``''=x``)."""
    text = "" if text is None else str(text)
    if text.startswith(FORMULA_START) or (text.startswith("'") and text[1:].startswith(_ESCAPED_START)):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """The reverse of :func:`escape_cell`: one leading apostrophe followed by a formula start or by
    another apostrophe is dropped (``'=1+1`` -> ``=1+1``, ``''=x`` -> ``'=x``); other apostrophes are kept."""
    if text.startswith("'") and text[1:].startswith(_ESCAPED_START):
        return text[1:]
    return text


# -- writing -----------------------------------------------------------------------------------------
def write_csv(rows: list[list[str]], header: bool = True) -> bytes:
    """The rows as CSV, every cell escaped (:func:`escape_cell`).  ``header``: the first row is the
    header row, whose exact JSON-LD keywords (``@id``, ``@type``...) are written as they are."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for i, row in enumerate(rows):
        keep = JSONLD_KEYWORDS if header and i == 0 else ()
        writer.writerow([c if c in keep else escape_cell(c) for c in row])
    return csvfile.UTF8_BOM + out.getvalue().encode("utf-8")


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
        _text(cell, _literal(col.header))
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
                _text(ws.cell(row=i, column=j), _literal(value))
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# what XML 1.0 (an XLSX cell) cannot hold: control characters (TAB, LF and CR apart), U+FFFE/FFFF and
# unpaired surrogates. A CSV cell may hold them; the workbook shows U+FFFD in their place.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(cell, value) -> None:
    """Store ``value`` as a text cell: never a formula, a number or a date."""
    cell.value = _NOT_XML.sub("\ufffd", str(value))
    cell.data_type = "s"
    cell.number_format = "@"


def _literal(value) -> str:
    """A value as written to a text cell: the reader unescapes cells (:func:`unescape_cell`), so a value
    it would change (``'=x``) gets an apostrophe in front, and comes back as it was."""
    text = str(value)
    return "'" + text if unescape_cell(text) != text else text


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


def read_table(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Table, str]:
    """(table, "csv" | "xlsx").  Raises an InputError when the bytes are no spreadsheet at all, and
    LimitExceeded when they are past one of ``limits``."""
    if data is None or len(data) == 0:
        raise EmptyFile("the file is empty: upload the template spreadsheet (CSV or XLSX) with its header "
                        "row and one row per record.", pointer="/rows/1")
    if isinstance(data, (bytes, bytearray)) and bytes(data[:8]) == XLS_MAGIC:
        raise NotSpreadsheet("this is an old Excel workbook (.xls). Save it as Excel Workbook (.xlsx) or as "
                             '"CSV UTF-8 (Comma delimited)" and upload that file.', pointer="/rows/1")
    if sniff(data) == "xlsx":
        return read_xlsx(bytes(data), limits), "xlsx"
    try:
        table = csvfile.read_table(data, limits)
    except EmptyFile as e:
        raise EmptyFile(e.message.replace("one row per competency", "one row per record")
                        .replace("per competency", "per record"), pointer=e.pointer) from e
    except NotCSV as e:
        raise NotCSV(e.message.replace("competency framework", "spreadsheet"), pointer=e.pointer) from e
    table.header = [unescape_cell(h) for h in table.header]
    table.rows = [(n, [unescape_cell(c) for c in cells]) for n, cells in table.rows]
    return table, "csv"


# A part that inflates more than this many times its compressed size is a decompression bomb, not a
# spreadsheet: real XLSX parts (XML) inflate 5 to 30 times. Apache POI refuses the same ratio by
# default (ZipSecureFile, minimum inflate ratio 0.01). Small parts are not judged (a 2 KB part of
# repeated tags may inflate further and costs nothing).
MAX_INFLATE_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024


def _refuse_bomb_entries(zf: zipfile.ZipFile, limits: Limits) -> None:
    for info in zf.infolist():
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_INFLATE_RATIO * max(1, info.compress_size):
            raise LimitExceeded(
                f"the part {info.filename} of the workbook inflates {info.file_size // max(1, info.compress_size):,} "
                f"times (from {_size(info.compress_size)} to {_size(info.file_size)}); a spreadsheet's parts inflate "
                f"at most {MAX_INFLATE_RATIO} times, so this is not a workbook a spreadsheet program saved: open it "
                "in one and save it again", limit="max_unzipped_bytes")


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Table:
    zf = None
    try:
        from openpyxl import load_workbook

        zf = zipfile.ZipFile(io.BytesIO(data))
        if not any(n.startswith("xl/") for n in zf.namelist()):
            raise NotSpreadsheet("the file is a ZIP archive but not an Excel workbook (.xlsx): upload the "
                                 "template as .xlsx or .csv.", pointer="/rows/1")
        # zipfile never inflates an entry past its declared size: the declared sizes bound the work
        unzipped = sum(info.file_size for info in zf.infolist())
        if unzipped > limits.max_unzipped_bytes:
            found, limit = _size(unzipped), _size(limits.max_unzipped_bytes)
            if found == limit:
                found, limit = f"{unzipped:,} bytes", f"{limits.max_unzipped_bytes:,} bytes"
            raise LimitExceeded(f"the workbook unzips to {found}; the limit is {limit}: remove the pictures and "
                                "the sheets that are not needed, or split the rows into several workbooks",
                                limit="max_unzipped_bytes")
        _refuse_bomb_entries(zf, limits)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except InputError:
        if zf is not None:
            zf.close()
        raise
    except Exception as e:  # noqa: BLE001 - any reader error means the workbook cannot be used
        if zf is not None:
            zf.close()
        raise NotSpreadsheet(f"the workbook cannot be read ({type(e).__name__}: {e}). Open it in a spreadsheet "
                             "program, save it again as .xlsx (or CSV UTF-8) and upload it again.",
                             pointer="/rows/1") from e
    try:
        sheets = [ws for ws in wb.worksheets
                  if ws.title != LISTS_SHEET and getattr(ws, "sheet_state", "visible") == "visible"]
        if not sheets:
            sheets = list(wb.worksheets)
        ws = sheets[0]
        path = getattr(ws, "_worksheet_path", None)
        for name in [path] if path in zf.namelist() else [n for n in zf.namelist() if n.startswith("xl/worksheets/")]:
            with zf.open(name) as source:
                _scan_sheet(source, limits)
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()      # the declared dimension (A1:XFD1048576...) never sizes the reading
        records, formulas = _read_rows(ws, limits)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - a sheet openpyxl cannot parse is no usable workbook
        raise NotSpreadsheet(f"the workbook's sheet cannot be read ({type(e).__name__}: {e}). Open it in a "
                             "spreadsheet program, save it again as .xlsx (or CSV UTF-8) and upload it again.",
                             pointer="/rows/1") from e
    finally:
        wb.close()
        zf.close()
    if not records:
        raise EmptyFile("the workbook's first sheet holds no rows: fill the template's header row and one row "
                        "per record.", pointer="/rows/1")
    header_number, header = records[0]
    header = [h.lstrip("\ufeff").strip() for h in header]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    problems: list[Result] = []
    table = Table(header, [], "xlsx", "", problems)
    if header_number != 1:
        problems.append(Result(INFO, "header-row", f"the header is row {header_number} of the sheet "
                               f"\"{ws.title}\"; the rows above it were skipped", path=f"/rows/{header_number}"))
    for number, cells in records[1:]:
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


def _read_rows(ws, limits: Limits) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """The sheet's non-empty rows as (row number, cells: trimmed and unescaped text), the header first,
    and the cells that hold a formula.  Stops at the first row past a limit."""
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
                if col > limits.max_columns:
                    raise too_many_columns(number, col, limits)
                while len(cells) < col - 1:
                    cells.append("")
            text, was_formula = _cell_text(cell)
            if len(text) > limits.max_cell_chars:
                raise cell_too_long(number, len(cells), len(text), records[0][1] if records else [], limits)
            if was_formula:
                formulas.append(f"{column_letter(len(cells))}{number}")
            cells.append(text)
        if number is None:
            continue
        if len(cells) > limits.max_columns:
            raise too_many_columns(number, len(cells), limits)
        cells = [unescape_cell(c.strip()) for c in cells]
        if not any(cells):
            continue
        if len(records) > limits.max_rows:           # the header and max_rows data rows are in
            raise too_many_rows(number, limits)
        records.append((number, cells))
    return records, formulas


def _scan_sheet(source, limits: Limits) -> None:
    """Check a worksheet's XML as it streams, before openpyxl reads it, building nothing: every row
    number is one of a spreadsheet (openpyxl would fill the rows up to any number it finds), no row
    has more cells or a cell further right than ``limits.max_columns`` (openpyxl builds a whole row
    before anyone can count it), and at most ``max_rows`` + 1 (the header) rows hold a value.
    Raises at the first row past a limit."""
    row = cells = col = width = valued = 0
    has_value = False
    columns: dict[str, int] = {}          # "AB" -> 28, the columns seen (a column past the limit raises)

    def end_of_row():
        nonlocal valued
        if has_value:
            valued += 1
            if valued > limits.max_rows + 1:
                raise too_many_rows(row, limits)

    def start(name, attrs):
        nonlocal row, cells, col, width, has_value
        local = name[name.find(":") + 1:]          # x:row, row
        if local == "c":
            cells += 1
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                col = columns.get(letters) or _ref_column(letters)
                if col and len(columns) < 4 * limits.max_columns:
                    columns[letters] = col
            else:
                col += 1
            if col > width:
                width = col
            if width > limits.max_columns or cells > limits.max_columns:
                raise too_many_columns(row, max(width, cells), limits)
        elif local == "v" or local == "f" or local == "is":
            has_value = True
        elif local == "row":
            end_of_row()
            row = _row_number(attrs.get("r"), row)
            cells = col = width = 0
            has_value = False

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.ParseFile(source)
    except expat.ExpatError as e:
        raise NotSpreadsheet(f"the workbook's sheet is not well-formed XML ({e}). Open it in a spreadsheet "
                             "program, save it again as .xlsx (or CSV UTF-8) and upload it again.",
                             pointer="/rows/1") from e
    end_of_row()


def _ref_column(ref: str) -> int:
    """The column number of a cell reference ("AB12" -> 28, "$c$3" -> 3)."""
    n = 0
    for ch in ref:
        if ch == "$":
            continue
        o = ord(ch) & ~32               # upper case
        if not 65 <= o <= 90:
            break
        n = n * 26 + o - 64
    return n


def _row_number(ref: str | None, previous: int) -> int:
    if ref is None:
        number = previous + 1
    else:
        try:
            value = float(ref)
        except ValueError:
            value = 0.0
        number = int(value) if value.is_integer() else 0
    if not 1 <= number <= EXCEL_ROWS:
        raise NotSpreadsheet(f"the workbook's sheet holds a row numbered {ref if ref is not None else number}; "
                             f"a spreadsheet's rows are numbered 1 to {EXCEL_ROWS:,}. Open it in a spreadsheet "
                             "program, save it again as .xlsx (or CSV UTF-8) and upload it again.", pointer="/rows/1")
    return number


def _size(n: int) -> str:
    """A size as people read it: 1.2 GB, 200 MB, 512 KB, 900 bytes."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f}".rstrip("0").rstrip(".") + " " + unit
    return f"{n:,} bytes"


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
