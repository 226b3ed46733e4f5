"""Benchmark: small or odd requests stay small (issue 10), through the HTTP app in process on a fresh
SQLite registry: the work and the answer grow at most linearly with the input, and pathological
inputs are refused before any real work.

    python bench/abuse_inputs.py [--runs 3]

Prints, per case, the median seconds of --runs runs and the size of the answer:
* a spreadsheet upload whose rows all carry one External Identifier, at 1,250 .. 10,000 rows
  (the time ratio and the bytes per row per doubling show it is linear);
* the same number of distinct rows, for comparison (each row validated);
* refusals: a JSON number of 5,000 digits, a search of 1,000 words, a 50,000-character word, a body
  that is JSON sent as a spreadsheet, an XLSX declaring A1:XFD1048576, an XLSX that unzips past the
  limit, a CSV over the row limit.
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

HEADER = ["External Identifier", "Learning Opportunity Name", "Description", "Subject Webpage", "Language",
          "Available Online At"]


def row(ext: str, i: int = 0) -> list[str]:
    return [ext, f"Introduction to Welding {i}", "A twelve-week course on the basics of welding safety and technique.",
            f"https://www.riverside.example.edu/welding-{i}", "English", "https://www.riverside.example.edu/online"]


def sheet(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


def bogus_dimension_xlsx() -> bytes:
    """A small workbook whose sheet declares the whole grid (A1:XFD1048576) as its dimension."""
    from transformer.bulk import spreadsheet

    data = spreadsheet.write_xlsx("Courses", [spreadsheet.SheetColumn(h) for h in HEADER], [row("C1")])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                body = body.replace(b'<dimension ref="A1:F2"/>', b'<dimension ref="A1:XFD1048576"/>')
            dst.writestr(item, body)
    return out.getvalue()


def unzip_bomb_xlsx(limit: int) -> bytes:
    """A workbook with one extra entry of zeros declaring more than the unzipped-size limit."""
    from transformer.bulk import spreadsheet

    data = spreadsheet.write_xlsx("Courses", [spreadsheet.SheetColumn(h) for h in HEADER], [row("C1")])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/padding.bin", b"\0" * (limit + 1))
    return out.getvalue()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    from http_support import Api
    from transformer.limits import DEFAULT_LIMITS

    api = Api(Path(tempfile.mkdtemp(prefix="ctdl-bench-")), None)
    client, org = api.org_client()
    from bulk_rows import organization

    assert client.post("/organization/publish", data=organization(org)).status_code == 200

    def timed(fn):
        times, last = [], None
        for _ in range(args.runs):
            t = time.perf_counter()
            last = fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times), last

    def upload(data: bytes, content_type: str = "text/csv"):
        return client.post(f"/bulk/course/upload?org={org}", data=data, content_type=content_type)

    print("| rows | one identifier on every row: s | ratio | answer bytes/row | distinct rows: s | ratio |")
    print("|---|---|---|---|---|---|")
    previous = None
    for n in (1250, 2500, 5000, 10000):
        same, r = timed(lambda: upload(sheet([row("SAME")] * n)))
        assert r.status_code == 422
        per_row = len(r.get_data()) / n
        distinct, r2 = timed(lambda: upload(sheet([row(f"D{i}", i) for i in range(n)])))
        assert r2.status_code in (200, 422)
        ratio = f"{same / previous[0]:.2f}x" if previous else "-"
        ratio2 = f"{distinct / previous[1]:.2f}x" if previous else "-"
        print(f"| {n:,} | {same:.3f} | {ratio} | {per_row:,.0f} | {distinct:.3f} | {ratio2} |")
        previous = (same, distinct)

    print()
    print("| refused input | status | s |")
    print("|---|---|---|")
    limits = DEFAULT_LIMITS
    number = '{"Credential": {"CreditValue": 1' + "0" * 5000 + "}}"
    bogus, bomb = bogus_dimension_xlsx(), unzip_bomb_xlsx(limits.max_unzipped_bytes)
    too_many = sheet([["X"] + [""] * (len(HEADER) - 1)] * (limits.max_rows + 1))   # short rows: under the 8 MB body limit
    cases = [
        ("JSON number of 5,000 digits (POST /credential/format)", lambda: client.post("/credential/format", data=number)),
        ("search of 1,000 words (GET /envelopes?q=)",
         lambda: client.get("/envelopes", query_string={"q": " ".join(f"w{i}" for i in range(1000))})),
        ("search word of 50,000 characters", lambda: client.get("/envelopes", query_string={"q": "a" * 50000})),
        ("JSON body sent as a spreadsheet", lambda: upload(b'{"Course": {"Name": "x"}}', "application/json")),
        (f"XLSX of 1 row declaring A1:XFD1048576 ({len(bogus):,} bytes; read by its real cells)",
         lambda: upload(bogus, "application/octet-stream")),
        (f"XLSX of {len(bomb):,} bytes unzipping past {limits.max_unzipped_bytes // 1048576} MB",
         lambda: upload(bomb, "application/octet-stream")),
        (f"CSV of {limits.max_rows + 1:,} rows (limit {limits.max_rows:,})", lambda: upload(too_many)),
    ]
    for name, fn in cases:
        seconds, r = timed(fn)
        print(f"| {name} | {r.status_code} | {seconds:.3f} |")
    api.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
