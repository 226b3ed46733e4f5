"""Competency-framework bulk import: both spreadsheet formats, every structural rule with its row and
column, encodings, CTIDs (kept or derived, stable), the graph round trip, and a large framework."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest

from transformer.bulk import EmptyFile, NotCSV, UnknownFormat, import_framework
from transformer.bulk.sheets.workbook import NotSpreadsheet
from transformer.errors import InputError
from transformer.pipeline import lift_ctdl

DATA = Path(__file__).parent / "data" / "bulk"
PUBLISHER = "ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f"
ASN_CONTEXT = "https://credreg.net/ctdlasn/schema/context/json"
REG = "https://credentialengineregistry.org/resources/"


def rows_of(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((DATA / name).read_text(encoding="utf-8"), newline="")))


def to_csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def run(rows_or_bytes, **kw):
    data = rows_or_bytes if isinstance(rows_or_bytes, bytes) else to_csv(rows_or_bytes)
    kw.setdefault("publisher", PUBLISHER)
    return import_framework(data, **kw)


def results(imp, code: str) -> list[tuple[str, str]]:
    """(path, severity) of the results with ``code``."""
    return sorted((r.path, r.severity) for r in imp.report.results if r.code == code)


def cass():
    return rows_of("welding-cass.csv")


def template():
    return rows_of("welding-template.csv")


def col(rows, header: str) -> int:
    return rows[0].index(header)


def row_of_code(rows, code: str) -> int:
    """The spreadsheet row number (header = 1) of the competency with this coded notation."""
    c = col(rows, "ceasn:codedNotation") if "ceasn:codedNotation" in rows[0] else col(rows, "Coded Notation")
    return next(i + 1 for i, r in enumerate(rows) if len(r) > c and r[c] == code)


def hierarchy(doc: dict) -> dict:
    """codedNotation -> (parent codedNotation or "TOP", children codedNotations), from the document."""
    by_id = {n["@id"]: n for n in doc["@graph"]}
    out = {}
    for n in doc["@graph"][1:]:
        parents = ["TOP"] * len(n.get("ceasn:isTopChildOf", [])) + [
            by_id[p]["ceasn:codedNotation"] for p in n.get("ceasn:isChildOf", [])]
        kids = [by_id[k]["ceasn:codedNotation"] for k in n.get("ceasn:hasChild", [])]
        out[n["ceasn:codedNotation"]] = (parents, kids)
    return out


# --------------------------------------------------------------------------------------------
# The two formats
@pytest.mark.parametrize("name,fmt", [("welding-cass.csv", "cass"), ("welding-template.csv", "template")])
def test_welding_framework_imports(name, fmt):
    imp = run((DATA / name).read_bytes())
    assert imp.format == fmt and imp.encoding == "utf-8"
    assert imp.report.conforms, [r.text() for r in imp.report.violations]
    doc = imp.document
    assert doc["@context"] == ASN_CONTEXT
    assert doc["@id"] == f"https://credentialengineregistry.org/graph/{imp.ctid}"
    fw, comps = doc["@graph"][0], doc["@graph"][1:]
    assert fw["@type"] == "ceasn:CompetencyFramework" and fw["ceterms:ctid"] == imp.ctid
    assert fw["ceasn:name"] == {("en-US" if fmt == "cass" else "en"): "Entry-Level Welder Competencies"}
    assert fw["ceasn:publisher"] == [REG + PUBLISHER]
    assert len(comps) == 21 and all(c["@type"] == "ceasn:Competency" for c in comps)
    assert all(c["ceasn:isPartOf"] == [fw["@id"]] for c in comps)
    assert all(c["@id"] == REG + c["ceterms:ctid"] for c in doc["@graph"])
    # both directions of the hierarchy, depth 3
    h = hierarchy(doc)
    assert [h[c][0] for c in ("W1", "W2", "W3", "W4", "W5")] == [["TOP"]] * 5
    assert len(fw["ceasn:hasTopChild"]) == 5
    assert h["W2.2"] == (["W2"], ["W2.2.1", "W2.2.2"]) and h["W2.2.1"] == (["W2.2"], [])
    assert h["W3"][1] == ["W3.1", "W3.2", "W3.3"]
    for code, (parents, _) in h.items():
        for p in parents:
            assert p == "TOP" or code in h[p][1]
    # the multi-valued comment cell of W3.2.2 (a "|" separates values)
    w322 = next(c for c in comps if c["ceasn:codedNotation"] == "W3.2.2")
    assert len(next(iter(w322["ceasn:comment"].values()))) == 2
    # rows: one per spreadsheet row, with kind and CTID
    kinds = {r.row: r.kind for r in imp.rows}
    assert kinds[1] == "header"
    assert len(imp.rows) == (23 if fmt == "cass" else 22)     # header (+ framework row) + 21 competencies
    assert kinds[2] == ("framework" if fmt == "cass" else "framework+competency")
    assert {r.ctid for r in imp.rows if r.kind == "competency"} <= {c["ceterms:ctid"] for c in comps}


def test_both_formats_give_the_same_framework():
    a, b = run((DATA / "welding-cass.csv").read_bytes()), run((DATA / "welding-template.csv").read_bytes())
    assert hierarchy(a.document) == hierarchy(b.document)
    texts = lambda d: sorted(next(iter(c["ceasn:competencyText"].values())) for c in d["@graph"][1:])  # noqa: E731
    assert texts(a.document) == texts(b.document)


def test_cass_headers_without_prefix():
    rows = cass()
    bare = [[h.replace("ceasn:", "") for h in rows[0]]] + rows[1:]
    assert run(bare).document == run(rows).document


def test_header_matching_is_case_insensitive_and_trimmed():
    rows = template()
    rows[0] = [f"  {h.upper()} " for h in rows[0]]
    assert run(rows).document == run(template()).document


def test_unknown_columns_are_named():
    rows = template()
    rows[0].append("Notes for reviewers")
    for r in rows[1:]:
        r.append("check")
    imp = run(rows)
    [r] = [r for r in imp.report.results if r.code == "unknown-column"]
    assert r.path == "/rows/1/Notes for reviewers" and r.severity == "Warning"
    assert "Notes for reviewers" in r.message
    assert imp.document == run(template()).document


# --------------------------------------------------------------------------------------------
# CTIDs and stable output
def test_reimport_is_byte_identical():
    for name in ("welding-cass.csv", "welding-template.csv"):
        data = (DATA / name).read_bytes()
        assert json.dumps(run(data).document) == json.dumps(run(data).document)


def test_derived_ctids_are_stable_and_depend_on_the_row_identity():
    a = run(cass())
    rows = cass()
    rows[5], rows[6] = rows[6], rows[5]          # reorder two competency rows
    b = run(rows)
    ids = lambda imp: {c["ceasn:codedNotation"]: c["ceterms:ctid"] for c in imp.document["@graph"][1:]}  # noqa: E731
    assert ids(a) == ids(b)
    assert len(set(ids(a).values())) == 21


def test_given_ctids_are_kept_lower_cased():
    rows = cass()
    fw_ctid = "ce-0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"
    rows[1][0] = fw_ctid
    r = row_of_code(rows, "W1")
    old_id = rows[r - 1][0]
    rows[r - 1][col(rows, "@id")] = "https://credentialengineregistry.org/resources/ce-11111111-2222-4333-8444-555555555555"
    for row in rows[2:]:
        if row[col(rows, "ceasn:isTopChildOf")]:
            row[col(rows, "ceasn:isTopChildOf")] = fw_ctid
        if row[col(rows, "ceasn:isChildOf")] == old_id:       # the children name W1 by its CTID
            row[col(rows, "ceasn:isChildOf")] = "CE-11111111-2222-4333-8444-555555555555"
    imp = run(rows)
    assert imp.report.conforms, [x.text() for x in imp.report.violations]
    assert imp.ctid == fw_ctid.lower()
    w1 = next(c for c in imp.document["@graph"] if c.get("ceasn:codedNotation") == "W1")
    assert w1["ceterms:ctid"] == "ce-11111111-2222-4333-8444-555555555555"
    assert len(w1["ceasn:hasChild"]) == 3


def test_template_framework_ctid_column():
    rows = template()
    rows[0].append("Framework CTID")
    rows[1].append("ce-6c2d4e8f-1a3b-4c5d-9e7f-0a1b2c3d4e5f")
    for r in rows[2:]:
        r.append("")
    imp = run(rows)
    assert imp.ctid == "ce-6c2d4e8f-1a3b-4c5d-9e7f-0a1b2c3d4e5f"
    assert not results(imp, "derived-ctid")
    assert results(run(template()), "derived-ctid") == [("/rows/2/Framework CTID", "Info")]


def test_invalid_ctid_is_reported_and_replaced():
    rows = template()
    rows[0].append("CTID")
    for r in rows[1:]:
        r.append("")
    rows[3][-1] = "ce-not-a-uuid"
    imp = run(rows)
    assert results(imp, "invalid-ctid") == [("/rows/4/CTID", "Violation")]
    assert imp.rows[3].ctid.startswith("ce-") and imp.rows[3].ctid != "ce-not-a-uuid"


# --------------------------------------------------------------------------------------------
# The round trip: the document re-reads as the same graph
@pytest.mark.parametrize("name", ["welding-cass.csv", "welding-template.csv"])
def test_document_rereads_as_the_same_graph(name):
    imp = run((DATA / name).read_bytes())
    problems = []
    again = lift_ctdl(json.loads(json.dumps(imp.document)), "", problems)
    assert problems == []
    assert set(again.triples()) == set(imp.graph.triples())
    assert len(again) == len(imp.graph)


# --------------------------------------------------------------------------------------------
# Structural rules, with their row and column
def test_cycle_cass():
    rows = cass()
    w1, w11 = row_of_code(rows, "W1"), row_of_code(rows, "W1.1")
    rows[w1 - 1][col(rows, "ceasn:isTopChildOf")] = ""
    rows[w1 - 1][col(rows, "ceasn:isChildOf")] = rows[w11 - 1][0]      # W1 child of W1.1 child of W1
    imp = run(rows)
    assert results(imp, "cycle") == [(f"/rows/{w11}/ceasn:isChildOf", "Violation")]
    assert not results(imp, "orphan")
    assert f"row {w11} is a child of row {w1}" in next(r.message for r in imp.report.results if r.code == "cycle")


def test_longer_cycle_and_self_parent_template():
    rows = template()
    w2, w22, w221 = (row_of_code(rows, c) for c in ("W2", "W2.2", "W2.2.1"))
    p = col(rows, "Parent")
    rows[w2 - 1][p] = "W2.2.1"                  # W2 -> W2.2.1 -> W2.2 -> W2
    w5 = row_of_code(rows, "W5")
    rows[w5 - 1][p] = "W5"                      # its own parent
    imp = run(rows)
    assert results(imp, "cycle") == sorted([(f"/rows/{w22}/Parent", "Violation"), (f"/rows/{w5}/Parent", "Violation")])
    msgs = sorted(r.message for r in imp.report.results if r.code == "cycle")
    assert any(f"row {w5} is its own parent" in m for m in msgs)
    assert any(f"rows {w2} → {w221} → {w22} → {w2}" in m for m in msgs)


def test_a_long_cycle_is_said_in_constant_size():
    header = ["Framework Name", "Framework Description", "Competency Text", "Coded Notation", "Parent"]
    n = 3000
    rows = [header, ["Loop", "A framework whose hierarchy loops back.", "Competency 0", "K0", f"K{n - 1}"]]
    rows += [["", "", f"Competency {i}", f"K{i}", f"K{i - 1}"] for i in range(1, n)]
    cycles = [r for r in run(rows).report.results if r.code == "cycle"]
    assert len(cycles) == 1
    assert "more)" in cycles[0].message and len(cycles[0].message) < 400


def test_orphan():
    rows = cass()
    w5 = row_of_code(rows, "W5")
    rows[w5 - 1][col(rows, "ceasn:isTopChildOf")] = ""
    imp = run(rows)
    assert results(imp, "orphan") == [(f"/rows/{w5}/ceasn:isTopChildOf", "Violation")]
    # the SHACL hierarchy benchmark does not say it a second time
    assert not [r for r in imp.report.results if r.shape == "shape:Competency-hierarchy"]
    assert any(e["code"] == "orphan" and e["column"] == "ceasn:isTopChildOf" for e in imp.rows[w5 - 1].as_cells())


def test_duplicate_coded_notation():
    rows = cass()
    w12 = row_of_code(rows, "W1.2")
    rows[w12 - 1][col(rows, "ceasn:codedNotation")] = "W1.1"
    imp = run(rows)
    assert results(imp, "duplicate-coded-notation") == [(f"/rows/{w12}/ceasn:codedNotation", "Violation")]
    assert len({c["ceterms:ctid"] for c in imp.document["@graph"]}) == 22


def test_duplicate_coded_notation_template_makes_parent_ambiguous():
    rows = template()
    w12, w13 = row_of_code(rows, "W1.2"), row_of_code(rows, "W1.3")
    rows[w12 - 1][col(rows, "Coded Notation")] = "W1.3"
    rows[w13 - 1][col(rows, "Parent")] = "W1.3"
    imp = run(rows)
    assert results(imp, "duplicate-coded-notation") == [(f"/rows/{w13}/Coded Notation", "Violation")]
    assert results(imp, "ambiguous-parent") == [(f"/rows/{w13}/Parent", "Violation")]


def test_parent_not_in_the_file():
    rows = cass()
    w11 = row_of_code(rows, "W1.1")
    rows[w11 - 1][col(rows, "ceasn:isChildOf")] = "9f1c2b3a-0000-4000-8000-000000000000"
    imp = run(rows)
    assert results(imp, "parent-not-found") == [(f"/rows/{w11}/ceasn:isChildOf", "Violation")]
    assert not results(imp, "orphan")
    t = template()
    t[4][col(t, "Parent")] = "W9"
    imp = run(t)
    assert results(imp, "parent-not-found") == [("/rows/5/Parent", "Violation")]
    [row] = [r for r in imp.rows if r.row == 5]
    assert row.as_cells()[0]["column"] == "Parent" and row.as_cells()[0]["value"] == "W9"


def test_parent_by_competency_text():
    rows = template()
    w11 = row_of_code(rows, "W1.1")
    rows[w11 - 1][col(rows, "Parent")] = "apply occupational safety and health practices in a welding and cutting environment."
    imp = run(rows)
    assert imp.report.conforms
    assert hierarchy(imp.document)["W1.1"][0] == ["W1"]


def test_two_framework_rows():
    rows = cass()
    second = list(rows[1])
    second[0] = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"
    second[col(rows, "ceasn:name")] = "Advanced Welder Competencies"
    rows.append(second)
    imp = run(rows)
    n = len(rows)
    assert results(imp, "multiple-frameworks") == [(f"/rows/{n}/@type", "Violation")]
    assert imp.rows[-1].kind == "ignored"
    assert len(imp.document["@graph"]) == 22


def test_no_framework_row():
    rows = cass()
    del rows[1]
    imp = run(rows)
    assert results(imp, "no-framework") == [("/rows/2/@type", "Violation")]
    assert imp.document is None
    # the competencies pointing to the missing framework are not told so 21 more times
    assert len(imp.report.violations) == 1 + 5      # + their isTopChildOf naming an unknown framework
    assert {r.code for r in imp.report.violations} == {"no-framework", "other-framework"}
    t = template()
    t[1][0] = ""
    imp = run(t)
    assert results(imp, "no-framework") == [("/rows/2/Framework Name", "Violation")]


def test_competency_of_another_framework():
    rows = cass()
    w4, w5 = row_of_code(rows, "W4"), row_of_code(rows, "W5")
    other = "77777777-8888-4999-8aaa-bbbbbbbbbbbb"
    rows[w4 - 1][col(rows, "ceasn:isTopChildOf")] = other
    rows[0].append("ceasn:isPartOf")
    for r in rows[1:]:
        r.append("")
    rows[w5 - 1][-1] = other
    imp = run(rows)
    assert results(imp, "other-framework") == sorted([(f"/rows/{w4}/ceasn:isTopChildOf", "Violation"),
                                                      (f"/rows/{w5}/ceasn:isPartOf", "Violation")])
    t = template()
    w3 = row_of_code(t, "W3")
    t[w3 - 1][0] = "Pipe Welder Competencies"
    imp = run(t)
    assert results(imp, "other-framework") == [(f"/rows/{w3}/Framework Name", "Violation")]


def test_unknown_type_row():
    rows = cass()
    rows[3][1] = "skos:Concept"
    imp = run(rows)
    assert results(imp, "unknown-type") == [("/rows/4/@type", "Violation")]
    assert imp.rows[3].kind == "ignored"


# --------------------------------------------------------------------------------------------
# SHACL (shapes/competency.ttl) results point at the cells
def test_shacl_results_point_at_rows_and_columns():
    rows = cass()
    fw = rows[1]
    fw[col(rows, "ceasn:description")] = ""
    fw[col(rows, "ceasn:inLanguage")] = "Engrish"
    fw[col(rows, "ceasn:publicationStatusType")] = "Final"
    fw[col(rows, "ceasn:license")] = "CC BY 4.0"
    w22 = row_of_code(rows, "W2.2")
    rows[w22 - 1][col(rows, "ceasn:competencyText")] = ""
    imp = run(rows, publisher=None)
    got = {(r.path, r.code, r.severity, r.shape) for r in imp.report.violations}
    assert got == {
        ("/rows/2/ceasn:description", "required", "Violation", "shape:CompetencyFramework-description-required"),
        ("/rows/2/ceasn:publisher", "required", "Violation", "shape:CompetencyFramework-publisher-required"),
        ("/rows/2/ceasn:inLanguage", "invalid-format", "Violation", "shape:CompetencyFramework-inLanguage"),
        ("/rows/2/ceasn:publicationStatusType", "unknown-term", "Violation",
         "shape:CompetencyFramework-publicationStatusType"),
        ("/rows/2/ceasn:license", "not-a-url", "Violation", "shape:CompetencyFramework-license"),
        (f"/rows/{w22}/ceasn:competencyText", "required", "Violation", "shape:Competency-competencyText-required"),
    }
    errors = {e["column"]: e for e in imp.rows[1].as_cells() if e["severity"] == "Violation"}
    assert errors["ceasn:inLanguage"]["value"] == "Engrish"
    assert errors["ceasn:publicationStatusType"]["value"] == "Final"


def test_recommended_properties_are_warnings():
    imp = run(template())
    w = {(r.path, r.shape) for r in imp.report.warnings if r.code == "recommended"}
    assert ("/rows/3/ceasn:weight", "shape:Competency-weight-recommended") in w
    assert ("/rows/2/ceasn:license", "shape:CompetencyFramework-license-recommended") in w
    assert not any(p.endswith("Coded Notation") for p, _ in w)


def test_template_language_names_and_publisher_column():
    rows = template()
    rows[0].append("Publisher")
    rows[1].append("https://credentialengineregistry.org/resources/ce-fb2aa323-d357-57a1-9100-7dfe4868ca68")
    for r in rows[2:]:
        r.append("")
    rows[1][col(rows, "Language")] = "Spanish"
    imp = import_framework(to_csv(rows))
    fw = imp.document["@graph"][0]
    assert fw["ceasn:inLanguage"] == ["es"] and "es" in fw["ceasn:name"]
    assert fw["ceasn:publisher"] == ["https://credentialengineregistry.org/resources/ce-fb2aa323-d357-57a1-9100-7dfe4868ca68"]
    assert imp.report.conforms


# --------------------------------------------------------------------------------------------
# Encodings and unusable files
def test_utf8_with_bom():
    data = (DATA / "welding-template.csv").read_bytes()
    imp = run(b"\xef\xbb\xbf" + data)
    assert imp.encoding == "utf-8-sig"
    assert imp.document == run(data).document
    assert not results(imp, "encoding")


def test_windows_1252():
    rows = template()
    w11 = row_of_code(rows, "W1.1")
    rows[w11 - 1][col(rows, "Comment")] = "Use the welder’s helmet with a shade 10 lens; see the fiche « Sécurité »."
    imp = run(to_csv(rows, "cp1252"))
    assert imp.encoding == "cp1252"
    [r] = [r for r in imp.report.results if r.code == "encoding"]
    assert r.severity == "Warning" and "Windows-1252" in r.message
    assert r.path == f"/rows/{w11}/Comment"
    c = next(c for c in imp.document["@graph"] if c.get("ceasn:codedNotation") == "W1.1")
    assert c["ceasn:comment"] == {"en": "Use the welder’s helmet with a shade 10 lens; see the fiche « Sécurité »."}


def test_bytes_that_are_no_text_do_not_crash():
    data = (DATA / "welding-template.csv").read_bytes().replace(b"Fire Prevention", b"Fire \x81\x8d Prevention")
    imp = run(data)
    assert imp.encoding == "cp1252"
    assert results(imp, "encoding") == [("/rows/4/Competency Label", "Warning")]
    assert imp.document is not None


@pytest.mark.parametrize("data,error", [
    (b"", EmptyFile), (b"   \r\n\r\n", EmptyFile), (b"\xef\xbb\xbf", EmptyFile), (b",,,\r\n,,\r\n", EmptyFile),
    (b"PK\x03\x04\x14\x00\x06\x00", NotSpreadsheet), (b"\x00\x01\x02binary", NotCSV),
    (b"Name,Price,Quantity\r\nWidget,3,4\r\n", UnknownFormat),
])
def test_unusable_files_raise_input_errors(data, error):
    with pytest.raises(error) as e:
        import_framework(data)
    assert isinstance(e.value, InputError) and e.value.code.startswith("input.")
    assert e.value.message


def test_header_only():
    imp = run(b"Framework Name,Competency Text,Parent\r\n")
    assert results(imp, "no-framework") == [("/rows/2/Framework Name", "Violation")]
    assert imp.document is None


def test_ragged_rows():
    data = (DATA / "welding-cass.csv").read_bytes().decode("utf-8").split("\r\n")
    data[3] += ",surplus value"              # row 4: a 17th cell
    data[5] = to_csv([next(csv.reader([data[5]]))[:14]]).decode().strip()   # row 6: 14 cells
    imp = run("\r\n".join(data).encode())
    assert results(imp, "ragged-row") == [("/rows/4/Q", "Warning"), ("/rows/6/ceasn:isTopChildOf", "Info")]
    assert results(imp, "orphan") == [("/rows/6/ceasn:isTopChildOf", "Violation")]


def test_quoted_cells_with_line_breaks_keep_row_numbers():
    rows = template()
    rows[2][col(rows, "Comment")] = "First line.\nSecond line."
    rows[5][col(rows, "Parent")] = "W404"
    imp = run(rows)
    assert results(imp, "parent-not-found") == [("/rows/6/Parent", "Violation")]


def test_semicolon_separated():
    rows = template()
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    assert run(out.getvalue().encode()).document == run(rows).document


# --------------------------------------------------------------------------------------------
# A large framework (the benchmark's generator; no timing here)
def _bench():
    spec = importlib.util.spec_from_file_location("bench_competencies", Path(__file__).parent.parent / "bench" / "competencies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("fmt", ["cass", "template"])
def test_large_generated_framework(fmt):
    bench = _bench()
    imp = run(bench.generate(2000, fmt, depth=5))
    assert imp.report.conforms, [r.text() for r in imp.report.violations][:5]
    graph = imp.document["@graph"]
    assert len(graph) == 2001
    by_id = {n["@id"]: n for n in graph}
    depth = {}
    for n in graph[1:]:                 # parents come before their children in the file
        parents = n.get("ceasn:isChildOf", [])
        depth[n["@id"]] = 1 if not parents else depth[parents[0]] + 1
        for p in parents:
            assert n["@id"] in by_id[p]["ceasn:hasChild"]
    assert max(depth.values()) == 5
    assert len(imp.rows) == (2002 if fmt == "cass" else 2001)   # + the header (+ the framework row)
