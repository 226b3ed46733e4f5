"""Uploaded spreadsheets cannot exhaust the server (transformer.limits: rows, columns, characters per cell,
unzipped size of an XLSX; a sheet's declared dimension is ignored), and CSV cells can never start a
formula while every value comes back as it was (escape_cell / unescape_cell, write_csv -> read_table)."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
import re
import subprocess
import sys
import zipfile
from itertools import product
from pathlib import Path

import pytest

from transformer.bulk.sheets import csvfile as csvread, workbook as spreadsheet
from transformer.bulk.sheets.workbook import FORMULA_START, escape_cell, unescape_cell
from transformer.errors import InputError, LimitExceeded
from transformer.limits import DEFAULT_LIMITS, Limits

ROOT = Path(__file__).resolve().parent.parent
D = DEFAULT_LIMITS
FULL_WIDTH = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
READERS = {"spreadsheet": lambda data, limits: spreadsheet.read_table(data, limits)[0],
           "csvread": lambda data, limits: csvread.read_table(data, limits)}


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx(rows: list[list[str]]) -> bytes:
    """A workbook whose first row is the header (cells stored as text)."""
    return spreadsheet.write_xlsx("Data", [spreadsheet.SheetColumn(h) for h in rows[0]], rows[1:])


def edit_sheet(data: bytes, edit, entries: str = "xl/worksheets/sheet") -> bytes:
    """The workbook with the XML of its worksheets (or the entries starting with ``entries``) changed by
    ``edit(bytes) -> bytes``."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.startswith(entries):
                body = edit(body)
            dst.writestr(item.filename, body)
    return out.getvalue()


def refused(read, data, limits: Limits, limit: str) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as e:
        read(data, limits)
    err = e.value
    assert err.code == "input.limit-exceeded" and err.http_status == 413 and err.limit == limit
    assert isinstance(err, InputError) and err.to_dict()["code"] == "input.limit-exceeded"
    return err


# -- the settings -----------------------------------------------------------------------------------
def test_every_limit_is_written_once_with_its_help_and_cannot_be_changed_in_place():
    fields = dataclasses.fields(Limits)
    assert [f.name for f in fields] == ["max_rows", "max_columns", "max_cell_chars", "max_unzipped_bytes"]
    for f in fields:
        assert f.metadata["help"].strip(), f.name
        assert getattr(DEFAULT_LIMITS, f.name) == f.default > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_rows = 1
    e = LimitExceeded("too many", pointer="/rows/3", limit="max_rows")
    assert (e.limit, e.pointer, e.message, e.http_status) == ("max_rows", "/rows/3", "too many", 413)
    assert LimitExceeded("x").limit == "" and LimitExceeded("x", code="input.other").code == "input.other"


# -- CSV ----------------------------------------------------------------------------------------------
def test_csv_rows_at_the_default_limit_are_read_one_more_is_refused():
    read = READERS["spreadsheet"]
    header = [["External Identifier", "Name"]]
    rows = [[f"C{i}", "x"] for i in range(D.max_rows)]
    blanks = [[""], ["", ""]]                          # blank rows are no data rows, but are rows of the sheet
    assert len(read(as_csv(header + rows[:10] + blanks + rows[10:]), D).rows) == D.max_rows
    err = refused(read, as_csv(header + rows[:10] + blanks + rows[10:] + [["LAST", "x"]]), D, "max_rows")
    assert f"more than {D.max_rows:,} rows" in err.message and "split it into several files" in err.message
    assert err.pointer == f"/rows/{D.max_rows + 4}"


@pytest.mark.parametrize("reader", READERS)
def test_csv_rows_at_a_given_limit_are_read_one_more_is_refused(reader):
    read = READERS[reader]
    header = [["External Identifier", "Name"]]
    rows = [[f"C{i}", "x"] for i in range(8)]
    small = Limits(max_rows=7)
    assert len(read(as_csv(header + rows[:7]), small).rows) == 7
    err = refused(read, as_csv(header + rows[:8]), small, "max_rows")
    assert "more than 7 rows" in err.message and err.pointer == "/rows/9"


@pytest.mark.parametrize("reader", READERS)
def test_csv_columns_at_the_limit_are_read_one_more_is_refused(reader):
    read = READERS[reader]
    header = [f"h{i}" for i in range(D.max_columns)]
    assert len(read(as_csv([header, ["x"] * D.max_columns]), D).header) == D.max_columns
    err = refused(read, as_csv([header + ["one more"], ["x"]]), D, "max_columns")
    assert err.message.startswith(f"row 1 has {D.max_columns + 1:,} columns; the limit is {D.max_columns:,}")
    assert err.pointer == "/rows/1"
    rows = [["ID", "Name"]] + [["a", "b"]] * 5 + [["a"] + ["x"] * 1203]
    err = refused(read, as_csv(rows), D, "max_columns")
    assert err.message.startswith(f"row 7 has 1,204 columns; the limit is {D.max_columns:,}")
    assert err.pointer == "/rows/7"


@pytest.mark.parametrize("reader", READERS)
def test_csv_cells_at_the_limit_are_read_one_more_character_is_refused(reader):
    read = READERS[reader]
    header = ["ID", "Name", "Notes", "Description"]
    ok = read(as_csv([header] + [["a", "b", "c", "d"]] * 10 + [["a", "b", "c", "x" * D.max_cell_chars]]), D)
    assert len(ok.rows[-1][1][3]) == D.max_cell_chars
    err = refused(read, as_csv([header] + [["a", "b", "c", "d"]] * 10 + [["a", "b", "c", "x" * 40_112]]), D,
                  "max_cell_chars")
    assert err.message == (f'row 12, column "Description" (D) holds 40,112 characters; a cell holds at most '
                           f"{D.max_cell_chars:,} (Excel's own limit): shorten it")
    assert err.pointer == "/rows/12/Description"
    err = refused(read, as_csv([header[:2] + ["x" * (D.max_cell_chars + 1)]]), D, "max_cell_chars")
    assert err.message.startswith(f"row 1, column C holds {D.max_cell_chars + 1:,} characters")


@pytest.mark.parametrize("reader", READERS)
def test_a_cell_past_the_csv_modules_own_field_limit_is_that_cell_not_a_broken_file(reader):
    read = READERS[reader]
    before = csv.field_size_limit()
    long = 'He said ""hi"" ' * 20_000                      # 260,000 characters once the quotes are undoubled
    data = b'ID,Name,Description\r\na,b,c\r\nd,e,"' + long.encode() + b'",f\r\n'
    err = refused(read, data, D, "max_cell_chars")
    assert err.message.startswith('row 3, column "Description" (C) holds 260,000 characters;')
    assert err.pointer == "/rows/3/Description" and not isinstance(err, csvread.NotCSV)
    assert csv.field_size_limit() == before                 # the default limits never raise it
    try:
        wide = Limits(max_cell_chars=before + 1000)
        data = b"ID,Description\r\na," + b"y" * (before + 1000) + b"\r\n"
        assert len(read(data, wide).rows[0][1][1]) == before + 1000
        assert csv.field_size_limit() == before + 1000      # raised to what the limit needs, no more
        err = refused(read, b"ID,Description\r\na," + b"y" * (before + 1001) + b"\r\n", wide, "max_cell_chars")
        assert f"holds {before + 1001:,} characters; a cell holds at most {before + 1000:,}: shorten it" in err.message
    finally:
        csv.field_size_limit(before)


# -- XLSX ---------------------------------------------------------------------------------------------
def test_xlsx_rows_at_the_limit_are_read_one_more_is_refused():
    limits = Limits(max_rows=30)
    rows = [["External Identifier", "Name"]] + [[f"C{i}", "x"] for i in range(30)]
    assert len(spreadsheet.read_xlsx(xlsx(rows), limits).rows) == 30
    err = refused(spreadsheet.read_table, xlsx(rows + [["LAST", "x"]]), limits, "max_rows")
    assert "more than 30 rows" in err.message and err.pointer == "/rows/32"


def test_xlsx_columns_at_the_limit_are_read_a_cell_further_right_is_refused():
    header = [f"h{i}" for i in range(D.max_columns)]
    table, fmt = spreadsheet.read_table(xlsx([header, ["x"] * D.max_columns]), D)
    assert fmt == "xlsx" and len(table.header) == D.max_columns and len(table.rows[0][1]) == D.max_columns
    # one real cell beyond the last column (ALM = 1,001), the row otherwise short
    err = refused(spreadsheet.read_table, xlsx([["ID", "Name"], ["a"] + [""] * (D.max_columns - 1) + ["far"]]), D,
                  "max_columns")
    assert err.message.startswith(f"row 2 has {D.max_columns + 1:,} columns; the limit is {D.max_columns:,}")
    # cells without a reference each take the next column: 1,001 of them in one row
    many = edit_sheet(xlsx([["ID"], ["a"]]),
                      lambda b: b.replace(b"</sheetData>", b'<row r="5">' + b"<c/>" * 1001 + b"</row></sheetData>"))
    err = refused(spreadsheet.read_table, many, D, "max_columns")
    assert err.pointer == "/rows/5"


def test_xlsx_cells_at_the_limit_are_read_one_more_character_is_refused():
    header = ["ID", "Name", "Notes", "Description"]
    table = spreadsheet.read_xlsx(xlsx([header, ["a", "b", "c", "x" * D.max_cell_chars]]))
    assert len(table.rows[0][1][3]) == D.max_cell_chars
    # openpyxl cuts what it writes at 32,767 characters: the long cell is put in the XML itself
    long = edit_sheet(xlsx([header, ["a", "b", "c", "d"], ["a", "b", "c", "LONG"]]),
                      lambda b: b.replace(b">LONG<", b">" + b"x" * 40_112 + b"<"), entries="xl/")
    err = refused(spreadsheet.read_table, long, D, "max_cell_chars")
    assert err.message == (f'row 3, column "Description" (D) holds 40,112 characters; a cell holds at most '
                           f"{D.max_cell_chars:,} (Excel's own limit): shorten it")
    assert err.pointer == "/rows/3/Description"


def test_an_xlsx_that_unzips_past_the_limit_is_refused_before_openpyxl_opens_it(monkeypatch):
    # a large sheet: 40 cells of 30,000 random letters (which inflate like real text, not like a bomb)
    rng = random.Random(5)
    text = lambda: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz     ") for _ in range(30_000))  # noqa: E731
    data = xlsx([["ID", "Description"]] + [[f"C{i}", text()] for i in range(40)])
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < declared
    assert len(spreadsheet.read_xlsx(data, Limits(max_unzipped_bytes=declared)).rows) == 40

    import openpyxl

    def no_opening(*a, **k):
        raise AssertionError("openpyxl opened a workbook past the limit")

    monkeypatch.setattr(openpyxl, "load_workbook", no_opening)
    err = refused(spreadsheet.read_table, data, Limits(max_unzipped_bytes=declared - 1), "max_unzipped_bytes")
    assert err.message.startswith(f"the workbook unzips to {declared:,} bytes; the limit is {declared - 1:,} bytes")
    err = refused(spreadsheet.read_table, data, Limits(max_unzipped_bytes=512 * 1024), "max_unzipped_bytes")
    assert re.match(r"the workbook unzips to 1\.\d MB; the limit is 512 KB: ", err.message), err.message
    # every entry counts, not only the sheets: the declared size of a padding entry of zeros
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    err = refused(spreadsheet.read_xlsx, out.getvalue(), Limits(max_unzipped_bytes=1024 * 1024), "max_unzipped_bytes")
    assert "unzips to 2 MB; the limit is 1 MB" in err.message


def test_a_part_that_inflates_like_a_bomb_is_refused_whatever_the_total():
    """40 cells of 30,000 times "x": 1 MB of sheet from 2 KB, far above what a saved workbook inflates."""
    data = xlsx([["ID", "Description"]] + [[f"C{i}", "x" * 30_000] for i in range(40)])
    err = refused(spreadsheet.read_table, data, Limits(), "max_unzipped_bytes")
    assert err.message.startswith("the part xl/worksheets/sheet1.xml of the workbook inflates")
    assert "at most 100 times" in err.message
    # a real-looking workbook of 5,000 repeated rows is read (its sheet inflates about 20 times)
    rows = [["C1", "Intro", "A twelve-week course on the basics of welding safety and technique."]] * 5_000
    assert len(spreadsheet.read_table(xlsx([["ID", "Name", "Description"]] + rows))[0].rows) == 5_000


ISOLATED = r"""
import json, sys, time
from transformer.bulk.sheets import workbook as spreadsheet
out = {}
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    t = time.perf_counter()
    try:
        table, fmt = spreadsheet.read_table(data)
        out[path] = {"header": table.header, "rows": table.rows}
    except Exception as e:
        out[path] = {"error": [type(e).__name__, getattr(e, "code", ""), str(e)]}
    out[path]["seconds"] = time.perf_counter() - t
print(json.dumps(out))
"""


def read_isolated(tmp_path, files: dict[str, bytes]) -> dict[str, dict]:
    """read_table of each file in a child process that is killed if it takes long (a regression here
    would build 16,384 x 1,048,576 cells, or loop for ever, instead of failing)."""
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.xlsx"
        paths[name].write_bytes(data)
    done = subprocess.run([sys.executable, "-c", ISOLATED, *map(str, paths.values())], cwd=ROOT,
                          capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    return {name: answers[str(path)] for name, path in paths.items()}


def test_a_sheet_is_read_by_its_real_cells_whatever_it_declares(tmp_path):
    rows = [["External Identifier", "Name", "Description"], ["C1", "Welding", "=1+1"], ["C2", "'=x", "ok"]]
    small = xlsx(rows)
    sheet = zipfile.ZipFile(io.BytesIO(small)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:C3"/>' in sheet
    bogus = edit_sheet(small, lambda b: b.replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:XFD1048576"/>'))
    assert b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(bogus)).read("xl/worksheets/sheet1.xml")
    assert len(bogus) < 8 * 1024
    # a row numbered past any spreadsheet (openpyxl fills in every row up to it), and the last row
    far = edit_sheet(small, lambda b: b.replace(b"</sheetData>", b'<row r="99999999999"/></sheetData>'))
    last = edit_sheet(small, lambda b: b.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr">'
                                                                   b"<is><t>C9</t></is></c></row></sheetData>"))
    # 16,384 cells in one row (as wide as a sheet goes): refused before openpyxl builds the row
    # (a million bare <c/> is refused even earlier, as a part inflating like a bomb)
    cells = b"".join(b'<c r="%s5" t="inlineStr"><is><t>v%d</t></is></c>' % (csvread.column_letter(i).encode(), i)
                     for i in range(16_384))
    wide = edit_sheet(small, lambda b: b.replace(b"</sheetData>", b'<row r="5">' + cells + b"</row></sheetData>"))
    assert len(wide) < 256 * 1024
    got = read_isolated(tmp_path, {"small": small, "bogus": bogus, "far": far, "last": last, "wide": wide})
    assert got["small"]["rows"] == [[2, ["C1", "Welding", "=1+1"]], [3, ["C2", "'=x", "ok"]]]
    assert {k: v for k, v in got["bogus"].items() if k != "seconds"} == \
        {k: v for k, v in got["small"].items() if k != "seconds"}
    assert got["bogus"]["seconds"] < 0.5, got["bogus"]
    name, code, message = got["far"]["error"]
    assert name == "NotSpreadsheet" and code == "input.not-spreadsheet" and "99999999999" in message
    assert got["far"]["seconds"] < 0.5
    assert got["last"]["rows"][-1] == [1048576, ["C9", "", ""]] and got["last"]["seconds"] < 3
    name, code, message = got["wide"]["error"]
    assert code == "input.limit-exceeded" and message.startswith(f"row 5 has {D.max_columns + 1:,} columns")
    assert got["wide"]["seconds"] < 0.5


# -- formula injection ------------------------------------------------------------------------------
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", *FULL_WIDTH])
def test_every_formula_start_is_escaped(start):
    for value in (start, start + "SUM(A1)", start + "id", start + "1+1"):
        assert escape_cell(value) == "'" + value
        assert unescape_cell(escape_cell(value)) == value


def test_at_cells_are_escaped_except_json_ld_keywords_in_the_header_row():
    data = spreadsheet.write_csv([["@id", "@type", "@context", "@SUM(A1)", "@idx", "Name"],
                                  ["@id", "@type", "@SUM(A1)", "\uff20x", "'@id", "x"]])
    raw = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert raw == [["@id", "@type", "@context", "'@SUM(A1)", "'@idx", "Name"],
                   ["'@id", "'@type", "'@SUM(A1)", "'\uff20x", "''@id", "x"]]
    assert spreadsheet.read_table(data)[0].rows == [(2, ["@id", "@type", "@SUM(A1)", "\uff20x", "'@id", "x"])]
    # a file without a header row: its first row is data, escaped like any other
    headless = spreadsheet.write_csv([["@id", "=1"]], header=False)
    assert list(csv.reader(io.StringIO(headless.decode("utf-8-sig")))) == [["'@id", "'=1"]]


ALPHABET = ["=", "+", "-", "@", *FULL_WIDTH, "\t", "\r", "\n", "'", "a", " ", '"', ","]
VALUES = sorted({"".join(p) + tail for n in range(4) for p in product(ALPHABET, repeat=n)
                 for tail in ("", "x", "SUM(A1)")})


def test_escaping_round_trips_every_value_and_nothing_escaped_starts_a_formula():
    assert len(VALUES) > 10_000 and "" in VALUES and "'=x" in VALUES and "''" in VALUES
    for v in VALUES:
        e = escape_cell(v)
        assert unescape_cell(e) == v, repr(v)
        assert not e.startswith(FORMULA_START), repr(v)
    assert escape_cell("'=x") == "''=x" and unescape_cell("'=x") == "=x"
    assert escape_cell("''") == "'''" and escape_cell("'quoted") == "'quoted" and escape_cell("a=b") == "a=b"
    assert escape_cell(None) == ""


def test_write_csv_then_read_table_gives_back_every_value():
    # the reader trims cells, so values with spaces, TABs or line ends around them are not theirs to keep
    values = [v for v in VALUES if v == v.strip()]
    rows = [values[i:i + 40] for i in range(0, len(values), 40)]
    rows[-1] += ["end"] * (40 - len(rows[-1]))
    header = [f"h{i}" for i in range(40)]
    data = spreadsheet.write_csv([header, *rows])
    raw = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert all(not cell.startswith(FORMULA_START) for row in raw for cell in row)
    table, fmt = spreadsheet.read_table(data)
    assert fmt == "csv" and table.header == header
    assert [cells for _, cells in table.rows] == rows


def test_an_uploaded_literal_apostrophe_cell_reads_as_its_value_and_exports_the_same():
    uploaded = as_csv([["Name", "Notes"], ["'=x", "''x"], ["'\uff1dx", "'plain"]])
    table, _ = spreadsheet.read_table(uploaded)
    assert table.rows == [(2, ["=x", "'x"]), (3, ["\uff1dx", "'plain"])]
    again = spreadsheet.write_csv([table.header, *[cells for _, cells in table.rows]])
    # the values are exported so that they read the same again ('x needs no escaping)
    assert list(csv.reader(io.StringIO(again.decode("utf-8-sig")))) == [["Name", "Notes"], ["'=x", "'x"],
                                                                       ["'\uff1dx", "'plain"]]
    assert spreadsheet.read_table(again)[0].rows == table.rows


def test_xlsx_text_cells_come_back_as_written():
    values = ["=1+1", "'=x", "''x", "'plain", "\uff1dSUM(A1)", "@id", "''"]
    table, _ = spreadsheet.read_table(xlsx([["Name"] + [f"h{i}" for i in range(len(values) - 1)], values]))
    assert table.rows == [(2, values)]
