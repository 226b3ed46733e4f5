"""Small requests stay small, and odd ones get a 4xx that says what is wrong (over HTTP, both backends):
duplicate identifiers said once per group, numbers past any use, runaway searches, bodies that are
no spreadsheet, documents with nothing to check, formula cells in exports, security headers."""
from __future__ import annotations

import csv
import io
import json

import pytest

from bulk_rows import organization
from http_support import new_ctid

COURSE_HEADER = ["External Identifier", "Learning Opportunity Name", "Description", "Subject Webpage", "Language",
                 "Available Online At"]


def course_row(ext: str, name: str = "Introduction to Welding") -> list[str]:
    return [ext, name, "A twelve-week course on the basics of welding safety and technique.",
            "https://www.riverside.example.edu/welding-101", "English", "https://www.riverside.example.edu/online"]


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def publisher(api):
    client, org = api.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    return client, org


def test_one_identifier_on_every_row_is_said_once_per_row_in_constant_size(api):
    client, org = publisher(api)
    n = 2000
    r = client.post(f"/bulk/course/upload?org={org}", data=as_csv([COURSE_HEADER] + [course_row("SAME")] * n),
                    content_type="text/csv")
    assert r.status_code == 422
    body = r.get_json()
    assert body["Summary"]["rejected"] == n and len(body["Rows"]) == n
    duplicates = [e for row in body["Rows"] for e in row["errors"] if e["code"] == "duplicate-external-identifier"]
    assert len(duplicates) == n                       # one per row, not one per pair of rows
    assert {e["message"] for e in duplicates} == {duplicates[0]["message"]}
    assert f"on {n:,} rows" in duplicates[0]["message"] and "rows 2, 3, 4 and" in duplicates[0]["message"]
    assert len(r.get_data()) / n < 3000               # a few KB per row at most, whatever n is


@pytest.mark.parametrize("route", ["/credential/format", "/validate", "/organization/publish"])
def test_a_number_past_any_use_is_a_400_naming_where(api, route):
    client, _ = api.org_client()
    body = '{"Credential": {"Name": "x", "CreditValue": 1' + "0" * 5000 + "}}"
    r = client.post(route, data=body)
    assert r.status_code == 400
    message = r.get_json()["Messages"][0]
    assert "5,001 digits" in message and "line 1, column" in message
    r = client.post(route, data='{"Credential": {"Name": "x", "CreditValue": 1e999}}')
    assert r.status_code == 400 and "infinity" in r.get_json()["Messages"][0]


def test_runaway_searches_are_refused_with_the_limit(api):
    client = api.client()
    for q in (" ".join(f"w{i}" for i in range(1000)), "a" * 50000):
        r = client.get("/envelopes", query_string={"q": q})
        assert r.status_code == 400
        assert r.get_json()["Errors"][0]["path"] == "?q" and "at most 16 words" in r.get_json()["Messages"][0]
    assert client.get("/envelopes", query_string={"q": "welding certificate"}).status_code == 200


@pytest.mark.parametrize("body, says", [
    ('{"Course": {"Name": "x"}}', "this is JSON, not a spreadsheet"),
    ("null", "this is JSON, not a spreadsheet"),
    ("[1, 2]", "this is JSON, not a spreadsheet"),
    ("Name=Welding&Description=x", "holds none of the columns of the course template"),
    (",".join(COURSE_HEADER) + "\r\n", "no record below it"),
])
def test_a_body_that_is_no_spreadsheet_is_a_400(api, body, says):
    client, org = publisher(api)
    r = client.post(f"/bulk/course/upload?org={org}", data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400, r.get_json()
    assert says in r.get_json()["Messages"][0]
    assert api.store.staged(org) == []


def test_a_document_with_nothing_to_check_does_not_conform(api, tmp_path):
    client = api.client()
    for doc in ({}, {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": []},
                {"name": "not CTDL", "@type": "schema:Thing"}):
        r = client.post("/validate", data=doc)
        assert r.status_code == 200
        body = r.get_json()
        assert body["conforms"] is False and body["results"][0]["code"] == "nothing-to-check", body
    path = tmp_path / "empty.json"
    path.write_text("{}", encoding="utf-8")
    code, out, _ = api.ctdl_plain("validate", str(path))
    assert code == 1 and "nothing in it could be checked" in out


def test_exports_escape_every_formula_start_and_round_trip_what_was_uploaded(api):
    client, org = publisher(api)
    names = ["=HYPERLINK(\"http://x\")", "\uff1dSUM(A1)", "@SUM(A1)", "+1 Welding", "-Welding", "'=x"]
    rows = [COURSE_HEADER] + [course_row(f"C{i}", name) for i, name in enumerate(names)]
    up = client.post(f"/bulk/course/upload?org={org}", data=as_csv(rows), content_type="text/csv")
    assert up.status_code == 200, up.get_json()
    exported = client.get(f"/bulk/course/export?org={org}").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(exported)))
    ext, column = table[0].index("External Identifier"), table[0].index("Learning Opportunity Name")
    cells = {r[ext]: r[column] for r in table[1:]}
    # what the uploader typed ('=x meant the text =x) comes back in the same form, nothing starts a formula
    assert cells == {"C0": "'=HYPERLINK(\"http://x\")", "C1": "'\uff1dSUM(A1)", "C2": "'@SUM(A1)",
                     "C3": "'+1 Welding", "C4": "'-Welding", "C5": "'=x"}
    again = client.post(f"/bulk/course/upload?org={org}", data=exported.encode("utf-8"), content_type="text/csv")
    assert again.get_json()["Summary"]["unchanged"] == len(names)
    stored = {r.external_id: r.request["Course"]["Name"] for r in api.store.staged(org, "course")}
    assert stored["C5"] == "=x" and stored["C1"] == "\uff1dSUM(A1)"


def test_security_headers_and_allow(api):
    client = api.client()
    for path in ("/openapi.json", "/envelopes", "/registry/public-key", f"/resources/{new_ctid()}"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], path
    page = client.get("/api")
    assert page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    r = client.put("/validate")
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) >= {"POST"}
    r = client.delete("/openapi.json")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    assert json.loads(r.get_data())["Errors"][0]["code"] == "http.method-not-allowed"


def test_spreadsheet_limits_over_http(api):
    """Each limit of transformer/limits.py is a 413 naming it, on the upload route; nothing is staged."""
    import zipfile

    from transformer.bulk.sheets import workbook as spreadsheet
    from transformer.limits import DEFAULT_LIMITS as limits

    client, org = publisher(api)
    short = [["X"] + [""] * (len(COURSE_HEADER) - 1)]
    long_cell = course_row("C1", "x" * (limits.max_cell_chars + 1))
    wide = [COURSE_HEADER + [f"Extra {i}" for i in range(limits.max_columns)]]
    sheet_data = spreadsheet.write_xlsx("Courses", [spreadsheet.SheetColumn(h) for h in COURSE_HEADER], [course_row("C1")])
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sheet_data)) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    for data, limit, says in (
            (as_csv([COURSE_HEADER] + short * (limits.max_rows + 1)), "max_rows", f"more than {limits.max_rows:,} rows"),
            (as_csv([COURSE_HEADER, long_cell]), "max_cell_chars", f"at most {limits.max_cell_chars:,}"),
            (as_csv(wide), "max_columns", f"the limit is {limits.max_columns:,}"),
            (bomb.getvalue(), "max_unzipped_bytes", "inflates")):
        r = client.post(f"/bulk/course/upload?org={org}", data=data, content_type="application/octet-stream")
        assert r.status_code == 413, (limit, r.get_json()["Messages"])
        error = r.get_json()["Errors"][0]
        assert error["code"] == "input.limit-exceeded" and says in error["message"], (limit, error)
    assert api.store.staged(org) == []
    # a workbook whose sheet declares the whole grid is read by its real cells: one row staged
    bogus = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sheet_data)) as src, zipfile.ZipFile(bogus, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:F2"/>' in body
                body = body.replace(b'<dimension ref="A1:F2"/>', b'<dimension ref="A1:XFD1048576"/>')
            dst.writestr(item, body)
    r = client.post(f"/bulk/course/upload?org={org}", data=bogus.getvalue(), content_type="application/octet-stream")
    assert r.status_code == 200 and r.get_json()["Summary"]["created"] == 1


def test_an_xlsx_export_of_text_with_control_characters_is_a_workbook(api):
    """XML 1.0 has no place for U+000B: the workbook shows U+FFFD there instead of failing (it was a 500)."""
    from transformer.bulk.sheets import workbook as spreadsheet

    client, org = publisher(api)
    up = client.post(f"/bulk/course/upload?org={org}", data=as_csv([COURSE_HEADER, course_row("C1", "Weld\x0bing")]),
                     content_type="text/csv")
    assert up.status_code == 200, up.get_json()
    r = client.get(f"/bulk/course/export?org={org}&xlsx=true")
    assert r.status_code == 200
    table, fmt = spreadsheet.read_table(r.get_data())
    assert fmt == "xlsx" and "Weld\ufffding" in table.rows[0][1]
