"""Read a spreadsheet saved as CSV: bytes -> header + rows numbered as in the spreadsheet.

* Encoding: UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV" on Windows), said in a
  Warning that names the first row and column where the bytes were not UTF-8; UTF-16 (Excel's
  "Unicode text") when the file starts with its BOM (transformer/parse.decode_file, the policy for
  every saved file).  Bytes that break UTF-16 are replaced (U+FFFD) and reported; nothing here
  crashes on bad bytes.
* Delimiter: ``,`` unless the header row is clearly split by ``;`` or a tab (Excel in some locales).
* Rows: the header is spreadsheet row 1, so the first data row is row 2.  A quoted cell may span
  lines; row numbers count records, as a spreadsheet shows them.  Blank rows are skipped; rows with
  more cells than the header (non-empty extras) or fewer are reported, with their row number.
* A file that cannot be a CSV at all (empty, a workbook, binary) raises an :class:`InputError`.
* Limits (:class:`transformer.limits.Limits`): more data rows, more columns in a row or more
  characters in a cell than allowed raise :class:`LimitExceeded` at the first row past the limit,
  before the rest of the file is read.  Blank rows are not kept.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ...errors import InputError, LimitExceeded
from ...pointer import pointer_join
from ...limits import DEFAULT_LIMITS, Limits
from ...parse import decode_file
from ...report import INFO, Result, WARNING

UTF8_BOM = b"\xef\xbb\xbf"
EXCEL_CELL_CHARS = 32_767      # the most characters Excel holds in one cell


class EmptyFile(InputError):
    code = "input.empty"


class NotCSV(InputError):
    code = "input.not-csv"


class UnknownFormat(InputError):
    code = "input.unknown-format"


@dataclass
class Table:
    header: list[str]                      # trimmed header cells, as written
    rows: list[tuple[int, list[str]]]      # (spreadsheet row number, trimmed cells, padded to header)
    encoding: str                          # "utf-8", "utf-8-sig", "cp1252", "utf-16"
    delimiter: str = ","
    problems: list[Result] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (the column names a spreadsheet shows)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def decode(data: bytes) -> tuple[str, str, int | None, bool]:
    """(text, encoding, offset of the first byte that was not UTF-8 or None, replaced anything)."""
    if isinstance(data, str):
        return data, "text", None, False
    data = bytes(data)
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise NotCSV("this is a spreadsheet workbook (.xlsx / .xls), not a CSV file. In Excel use "
                     "File > Save As > \"CSV UTF-8 (Comma delimited)\", then upload the .csv file.")
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and (nul := data.find(b"\x00")) >= 0:
        raise NotCSV("the file holds binary data (NUL bytes), not text: upload the competency "
                     "framework saved as CSV.", pointer=f"byte {nul}")
    return decode_file(data)


def _delimiter(first_line: str) -> str:
    counts = {d: _split_count(first_line, d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def _split_count(line: str, delim: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            n += 1
    return n


def read_table(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Table:
    if data is None or len(data) == 0:
        raise EmptyFile("the file is empty: upload a CSV file with a header row and one row per "
                        "competency.", pointer="/rows/1")
    text, encoding, bad_offset, replaced = decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise EmptyFile("the file holds no rows: upload a CSV file with a header row and one row "
                        "per competency.", pointer="/rows/1")
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    if csv.field_size_limit() < limits.max_cell_chars:   # only ever raised, and only to what the limit needs
        csv.field_size_limit(limits.max_cell_chars)
    read = [0]                       # characters of text handed to the reader so far

    def lines():
        for line in io.StringIO(text, newline=""):
            read[0] += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, strict=False)
    # the non-blank records: (spreadsheet row number, cells as read, last line of the record)
    records: list[tuple[int, list[str], int]] = []
    number, record_start = 0, 0
    try:
        for rec in reader:
            number += 1
            if len(rec) > limits.max_columns:
                raise too_many_columns(number, len(rec), limits)
            if any(c.strip() for c in rec):
                if max(map(len, rec)) > limits.max_cell_chars:
                    j = next(j for j, c in enumerate(rec) if len(c) > limits.max_cell_chars)
                    raise cell_too_long(number, j, len(rec[j]), records[0][1] if records else [], limits)
                if len(records) > limits.max_rows:        # the header and max_rows data rows are in
                    raise too_many_rows(number, limits)
                records.append((number, rec, reader.line_num))
            record_start = read[0]
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            j, length = _long_field(text, record_start, delimiter, limits.max_cell_chars)
            raise cell_too_long(number + 1, j, length, records[0][1] if records else [], limits) from e
        raise NotCSV(f"the file cannot be read as CSV after spreadsheet row {number + 1}: {e}. "
                     "Save it again from the spreadsheet as CSV.",
                     pointer=f"/rows/{number + 1}") from e
    # the header: the first non-blank record
    if not records:
        raise EmptyFile("the file holds only blank rows: add the header row and one row per competency.",
                        pointer="/rows/1")
    header = [c.strip().lstrip("\ufeff").strip() for c in records[0][1]]
    while header and not header[-1]:
        header.pop()
    table = Table(header, [], encoding, delimiter)
    width = len(header)
    for number, rec, _ in records[1:]:
        cells = [c.strip() for c in rec]
        if len(cells) > width:
            cells = drop_extra_cells(number, cells, width, table.problems)
        elif len(cells) < width:
            missing = header[len(cells):]
            table.problems.append(Result(
                INFO, "ragged-row",
                f"row {number} has {len(cells)} cells but the header has {width} columns; "
                f"{', '.join(missing[:5])}{'...' if len(missing) > 5 else ''} were read as empty",
                path=pointer_join("/rows", number, missing[0] or column_letter(len(cells)))))
            cells = cells + [""] * (width - len(cells))
        table.rows.append((number, cells))
    if encoding == "cp1252" or replaced:
        table.problems.append(_encoding_result(text, bad_offset, replaced, records, header))
    elif encoding == "utf-16":
        table.problems.append(Result(INFO, "encoding", "the file was read as UTF-16 (Unicode text)",
                                     path="/rows/1"))
    return table


# -- limits (shared by the CSV and the XLSX readers) --------------------------------------------------
def too_many_rows(number: int, limits: Limits) -> LimitExceeded:
    """Row ``number`` is one data row more than ``limits.max_rows``."""
    return LimitExceeded(f"the file has more than {limits.max_rows:,} rows (the limit per upload): split it "
                         f"into several files of at most {limits.max_rows:,} rows each (row {number} is the first "
                         "over the limit)", pointer=f"/rows/{number}", limit="max_rows")


def too_many_columns(number: int, count: int, limits: Limits) -> LimitExceeded:
    return LimitExceeded(f"row {number} has {count:,} columns; the limit is {limits.max_columns:,} columns per row: "
                         "remove the columns that are not in the template (or empty cells far to the right) and "
                         "upload it again", pointer=f"/rows/{number}", limit="max_columns")


def cell_too_long(number: int, index: int | None, length: int, header: list[str], limits: Limits) -> LimitExceeded:
    """Row ``number``, column ``index`` (0-based; None when unknown) holds ``length`` characters."""
    if index is None:
        where, pointer = f"row {number} has a cell that", f"/rows/{number}"
    else:
        letter = column_letter(index)
        name = header[index].strip().lstrip("\ufeff").strip() if index < len(header) else ""
        where = f'row {number}, column "{name}" ({letter})' if name else f"row {number}, column {letter}"
        pointer = pointer_join("/rows", number, name or letter)
    excel = " (Excel's own limit)" if limits.max_cell_chars == EXCEL_CELL_CHARS else ""
    return LimitExceeded(f"{where} holds {length:,} characters; a cell holds at most {limits.max_cell_chars:,}"
                         f"{excel}: shorten it", pointer=pointer, limit="max_cell_chars")


def _long_field(text: str, start: int, delimiter: str, limit: int) -> tuple[int | None, int]:
    """(column, length) of the first field longer than ``limit`` characters in the record that starts at
    ``text[start]`` (the csv module only says that there is one); (None, limit + 1) if not found."""
    column, length, quoted, i, n = 0, 0, False, start, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if not text.startswith('"', i + 1):
                    quoted = False
                    i += 1
                    continue
                i += 1                        # a doubled quote is one character
            length += 1
        elif ch == '"' and length == 0:
            quoted = True
        elif ch == delimiter or ch in "\r\n":
            if length > limit:
                return column, length
            if ch != delimiter:               # the record ends
                return None, limit + 1
            column, length = column + 1, 0
        else:
            length += 1
        i += 1
    return (column, length) if length > limit else (None, limit + 1)


def drop_extra_cells(number: int, cells: list[str], width: int, problems: list[Result]) -> list[str]:
    """The cells of a row cut to the header's width; values beyond it are reported, never silently lost.
    Shared by the CSV and the XLSX readers."""
    extra = [c for c in cells[width:] if c]
    if extra:
        problems.append(Result(
            WARNING, "ragged-row",
            f"row {number} has values after the last column with a header ({column_letter(width - 1)}); "
            f"they were ignored: {' | '.join(extra)[:200]}",
            path=pointer_join("/rows", number, column_letter(width)), value=" | ".join(extra)[:200],
            fix="Remove the extra cells, or give them a column header."))
    return cells[:width]


def _encoding_result(text: str, offset: int | None, replaced: bool, records, header) -> Result:
    """Where the first byte that was not UTF-8 is, as /rows/N/Column (``records``: the non-blank
    records as (row number, cells, last line))."""
    row, column, char = 1, "", ""
    if offset is not None and offset < len(text):
        char = text[offset]
        line = text.count("\n", 0, offset) + 1
        row, rec, _ = next((r for r in records if r[2] >= line), records[-1])
        col = next((j for j, c in enumerate(rec) if char in c), None)
        if col is not None:
            column = header[col] if col < len(header) and header[col] else column_letter(col)
    path = pointer_join("/rows", row, column) if column else f"/rows/{row}"
    if replaced:
        return Result(WARNING, "encoding",
                      "the file starts as UTF-16 but holds bytes that are not UTF-16; they were replaced "
                      "by \ufffd",
                      path=path, property=column,
                      fix='Save the file from the spreadsheet as "CSV UTF-8" and upload it again.')
    return Result(WARNING, "encoding",
                  f"the file was read as Windows-1252: it is not UTF-8 (first at row {row}"
                  f"{', column ' + column if column else ''}: {char!r}). Check accented letters and quotes.",
                  path=path, property=column, value=char or None,
                  fix='Save the file from the spreadsheet as "CSV UTF-8" to be sure every character is kept.')
