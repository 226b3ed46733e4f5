"""Read a spreadsheet saved as CSV: bytes -> header + rows numbered as in the spreadsheet.

* Encoding: UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV" on Windows), said in a
  Warning that names the first row and column where the bytes were not UTF-8; UTF-16 (Excel's
  "Unicode text") when the file starts with its BOM.  Bytes that are text in no encoding are
  replaced (U+FFFD) and reported; nothing here crashes on bad bytes.
* Delimiter: ``,`` unless the header row is clearly split by ``;`` or a tab (Excel in some locales).
* Rows: the header is spreadsheet row 1, so the first data row is row 2.  A quoted cell may span
  lines; row numbers count records, as a spreadsheet shows them.  Blank rows are skipped; rows with
  more cells than the header (non-empty extras) or fewer are reported, with their row number.
* A file that cannot be a CSV at all (empty, a workbook, binary) raises an :class:`InputError`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ..errors import InputError
from ..lift import pointer_join
from ..report import INFO, Result, WARNING

UTF8_BOM = b"\xef\xbb\xbf"


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
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
        return text, "utf-16", None, "\ufffd" in text
    nul = data.find(b"\x00")
    if nul >= 0:
        raise NotCSV("the file holds binary data (NUL bytes), not text: upload the competency "
                     "framework saved as CSV.", pointer=f"byte {nul}")
    if data.startswith(UTF8_BOM):
        body, encoding = data[len(UTF8_BOM):], "utf-8-sig"
    else:
        body, encoding = data, "utf-8"
    try:
        return body.decode("utf-8"), encoding, None, False
    except UnicodeDecodeError as e:
        bad = e.start
    try:
        return body.decode("cp1252"), "cp1252", bad, False
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252", bad, True


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


def read_table(data: bytes) -> Table:
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    line_ends: list[int] = []
    try:
        for rec in reader:
            records.append(rec)
            line_ends.append(reader.line_num)
    except csv.Error as e:
        raise NotCSV(f"the file cannot be read as CSV after spreadsheet row {len(records) + 1}: {e}. "
                     "Save it again from the spreadsheet as CSV.",
                     pointer=f"/rows/{len(records) + 1}") from e
    # the header: the first non-blank record
    start = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if start is None:
        raise EmptyFile("the file holds only blank rows: add the header row and one row per competency.",
                        pointer="/rows/1")
    header = [c.strip().lstrip("\ufeff").strip() for c in records[start]]
    while header and not header[-1]:
        header.pop()
    table = Table(header, [], encoding, delimiter)
    width = len(header)
    for i in range(start + 1, len(records)):
        number = i + 1
        cells = [c.strip() for c in records[i]]
        if not any(cells):
            continue
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
        table.problems.append(_encoding_result(text, bad_offset, replaced, records, line_ends, header))
    elif encoding == "utf-16":
        table.problems.append(Result(INFO, "encoding", "the file was read as UTF-16 (Unicode text)",
                                     path="/rows/1"))
    return table


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


def _encoding_result(text: str, offset: int | None, replaced: bool, records, line_ends, header) -> Result:
    """Where the first byte that was not UTF-8 is, as /rows/N/Column."""
    row, column, char = 1, "", ""
    if offset is not None and offset < len(text):
        char = text[offset]
        line = text.count("\n", 0, offset) + 1
        idx = next((i for i, end in enumerate(line_ends) if end >= line), len(records) - 1)
        row = idx + 1
        rec = records[idx] if 0 <= idx < len(records) else []
        col = next((j for j, c in enumerate(rec) if char in c), None)
        if col is not None:
            column = header[col] if col < len(header) and header[col] else column_letter(col)
    path = pointer_join("/rows", row, column) if column else f"/rows/{row}"
    if replaced:
        return Result(WARNING, "encoding",
                      "the file is neither UTF-8 nor Windows-1252 text; it was read as Windows-1252 and "
                      "characters that are text in neither were replaced by \ufffd",
                      path=path, property=column,
                      fix='Save the file from the spreadsheet as "CSV UTF-8" and upload it again.')
    return Result(WARNING, "encoding",
                  f"the file was read as Windows-1252: it is not UTF-8 (first at row {row}"
                  f"{', column ' + column if column else ''}: {char!r}). Check accented letters and quotes.",
                  path=path, property=column, value=char or None,
                  fix='Save the file from the spreadsheet as "CSV UTF-8" to be sure every character is kept.')
