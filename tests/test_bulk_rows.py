"""Bulk-upload rows: reading CSV / XLSX uploads, the cell rules, and results on their cells."""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from transformer.bulk.records.sheet import UnknownColumns
from openpyxl import Workbook

from transformer.bulk.sheets import workbook as spreadsheet
from transformer.bulk.sheets.csvfile import EmptyFile
from transformer.ids import derive_ctid
from transformer.bulk.records.request import row_request
from transformer.bulk.records.sheet import Row, read_rows
from transformer.bulk.records.validation import duplicate_identifiers, map_pointer, validate_row, validate_rows
from transformer.bulk.records.model import column_model
from transformer.bulk.records.template import build_template

DATA = Path(__file__).resolve().parent / "data" / "bulk"
EXAMPLES = Path(__file__).resolve().parent / "shapes"
ORG = "ce-ea5121ad-98b0-4a28-ab97-ff2e567968b2"
CRED = "ce-3c8e1f2a-7b4d-4e6f-9a1b-2c3d4e5f6a7b"
CERT_WELD = "ce-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ADDRESSES = {
    "main": {"Name": "Main Campus", "Address1": "2370 Main St", "City": "Schnecksville", "AddressRegion": "PA",
             "PostalCode": "18078", "Country": "US"},
    "north": {"Name": "North Center", "Address1": "900 North Rd", "City": "Schnecksville", "AddressRegion": "PA",
              "PostalCode": "18078", "Country": "US"},
}
CREDENTIALS = {"CERT-WELD": CERT_WELD, "cred_01": "ce-5b0f6a8e-1c2d-4e3f-9a4b-6c7d8e9f0a1b"}
REGISTRY_URI = "https://credentialengineregistry.org/resources/"
MANIFESTS = {"cost": {"tuition": "ce-8d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
             "condition": {"admission": "ce-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"}}


def csv_bytes(rows) -> bytes:
    return spreadsheet.write_csv(rows)


def one_row(cells: dict, kind="course") -> Row:
    sheet = read_rows(csv_bytes([list(cells), list(cells.values())]), kind)
    assert len(sheet.rows) == 1
    return sheet.rows[0]


BASE = {"External Identifier": "WELD 101", "Learning Opportunity Name": "Introduction to Welding",
        "Description": "Shop safety, welding equipment and the basic joints of arc welding.",
        "Subject Webpage": "https://www.lvtc.edu/catalog/courses/weld-101", "Target Credentials": CRED,
        "Available Online At": "https://online.lvtc.edu/weld-101"}


def cells_of(problems, severity=None):
    return {(p.row, p.column, p.value, p.code) for p in problems if severity is None or p.severity == severity}


# -- the real-looking files ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bom_results():
    sheet = read_rows((DATA / "courses-utf8-bom.csv").read_bytes(), "course")
    return sheet, validate_rows(sheet, ORG, ADDRESSES, credentials=CREDENTIALS)


def test_bom_file_is_read_with_rows_numbered_as_in_the_spreadsheet(bom_results):
    sheet, results = bom_results
    assert sheet.format == "csv" and sheet.encoding == "utf-8-sig"
    assert sheet.header[0] == "Target Credentials"          # no BOM left in the first header
    assert [r.number for r in sheet.rows] == [2, 3, 4, 5, 6, 7]
    assert [r.external_id for r in results] == ["WELD 101", "WELD 110", "WELD 150", "WELD 210", "WELD 220", "WELD 110"]
    assert sheet.problems == [] and sheet.unknown_columns == []
    assert sheet.model.find("Learning Type").key == "LearningOpportunityClassType"


def test_bom_file_errors_are_on_their_cells(bom_results):
    _, results = bom_results
    errors = {e for r in results for e in cells_of(r.problems, "Violation")}
    assert errors == {
        (3, "External Identifier", "WELD 110", "duplicate-external-identifier"),
        (7, "External Identifier", "WELD 110", "duplicate-external-identifier"),
        (4, "Delivery Type", "Hybrid", "unknown-term"),
        (6, "Credit Unit Value", "three", "wrong-datatype"),
    }
    # a host name without https:// is read as https://..., and the cell says so
    assert (5, "Subject Webpage", "www.lvtc.edu/catalog/courses/weld-210", "value-assumed") in {
        e for r in results for e in cells_of(r.problems, "Warning")}
    by_row = {r.row: r for r in results}
    assert by_row[2].conforms and not by_row[2].deferred
    hybrid = next(p for p in by_row[4].problems if p.code == "unknown-term")
    assert hybrid.letter == "K" and hybrid.at == "/Course/DeliveryType/1"
    assert hybrid.pointer == "/rows/4/Delivery Type"
    assert by_row[4].report.to_dict()["results"][0]["path"].startswith("/rows/4/")
    assert "Delivery Type" in hybrid.message
    dup = next(p for p in by_row[3].problems if p.code.startswith("duplicate"))
    assert "rows 3 and 7" in dup.message


def test_bom_file_requests(bom_results):
    _, results = bom_results
    first = results[0].request
    assert set(first) == {"Course", "PublishForOrganizationIdentifier"}
    assert first["PublishForOrganizationIdentifier"] == ORG
    course = first["Course"]
    assert course["LearningMethodType"] == ["Lecture", "Laboratory"]              # | separates values
    assert course["CreditValue"] == [{"CreditUnitType": "Semester Hour", "Value": 3}]
    assert course["OwnedBy"] == [ORG] and course["OfferedBy"] == [ORG]          # "same as owner", defaults
    assert course["AvailableAt"] == [ADDRESSES["main"]]
    assert course["IsRequiredFor"][0]["TargetCredential"] == [CRED]
    assert course["InLanguage"] == ["en"] and course["CodedNotation"] == "WELD 101"
    assert course["CTID"] == derive_ctid(ORG, "course", "WELD 101") == results[0].ctid and results[0].ctid_derived
    # the pipeline resolved the vocabulary labels and codes
    graph = results[0].document["@graph"][0]
    assert [a["ceterms:targetNode"] for a in graph["ceterms:learningMethodType"]] == [
        "learnMethod:Lecture", "learnMethod:Laboratory"]
    assert graph["ceterms:creditValue"][0]["ceterms:creditUnitType"][0]["ceterms:targetNode"] == "creditUnit:SemesterHour"
    # row 3: deferred, two languages, codes instead of labels
    row3 = results[1]
    assert row3.deferred and [p.code for p in row3.errors] == ["duplicate-external-identifier"]
    assert row3.request["Course"]["InLanguage"] == ["en", "es"]
    assert "IsRequiredFor" not in row3.request["Course"]
    assert (3, "Target Credentials", "#DEFER", "deferred") in cells_of(row3.problems, "Info")
    # row 4: the credential named by its External Identifier, relationship "Is Preparation For"
    row4 = results[2].request["Course"]
    assert row4["IsPreparationFor"][0]["TargetCredential"] == [CERT_WELD]
    assert row4["AvailableAt"] == [ADDRESSES["main"], ADDRESSES["north"]]
    # row 6: all addresses
    assert results[4].request["Course"]["AvailableAt"] == list(ADDRESSES.values())


def test_cp1252_file_is_detected_and_reported():
    sheet = read_rows((DATA / "courses-cp1252.csv").read_bytes(), "course")
    assert sheet.encoding == "cp1252"
    [warning] = sheet.problems
    assert (warning.code, warning.severity, warning.row, warning.column, warning.value) == (
        "encoding", "Warning", 3, "Learning Opportunity Name", "é")
    assert sheet.rows[1].get("Name") == "Café Operations"
    assert "guest’s experience" in sheet.rows[1].get("Description")
    assert sheet.rows[2].get("Name") == "Pâtisserie Fundamentals"
    results = validate_rows(sheet, ORG)
    assert all(r.conforms and r.deferred for r in results)
    assert results[1].document["@graph"][0]["ceterms:name"] == {"en-US": "Café Operations"}


def test_xlsx_upload_built_by_hand():
    """A workbook as a person makes it: header case and spaces vary, numbers and dates are typed
    cells, the data is on the first sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "My courses"
    ws.append(["  external identifier ", "LEARNING TYPE", "Learning Opportunity Name", "Description",
               "Subject Webpage", "Available Online At", "Credit Unit Value", "Date Effective", "Is Non-Credit",
               "Target Credentials", "Notes"])
    ws.append(["NURS 101", "Course", "Foundations of Nursing", "Basic nursing skills, patient safety and care.",
               "https://www.lvtc.edu/nurs-101", "https://online.lvtc.edu/nurs-101", 4, dt.datetime(2025, 1, 15),
               False, CRED])      # the Notes column is empty: said, nothing lost
    ws.append([])
    ws.append(["NURS 102", "Course", "Pharmacology", "Drug classes, dosage calculation and administration.",
               "https://www.lvtc.edu/nurs-102", "https://online.lvtc.edu/nurs-102", 3.0, "2025-01-15", None, "#DEFER"])
    out = io.BytesIO()
    wb.save(out)
    sheet = read_rows(out.getvalue(), "course")
    assert sheet.format == "xlsx" and sheet.encoding == "xlsx"
    assert [r.number for r in sheet.rows] == [2, 4]
    assert sheet.unknown_columns == ["Notes"]
    [unknown] = [p for p in sheet.problems if p.code == "unknown-column"]
    assert (unknown.row, unknown.column, unknown.letter, unknown.severity) == (1, "Notes", "K", "Warning")
    r2 = sheet.rows[0]
    assert r2.get("CreditValue/Value") == "4" and r2.get("DateEffective") == "2025-01-15"
    assert r2.get("IsNonCredit") == "FALSE" and r2.headers["ExternalIdentifier"] == "external identifier"
    assert sheet.rows[1].get("CreditValue/Value") == "3"
    results = validate_rows(sheet, ORG)
    assert [r.conforms for r in results] == [True, True]
    course = results[0].request["Course"]
    assert course["CreditValue"] == [{"Value": 4}] and course["IsNonCredit"] is False
    assert course["DateEffective"] == "2025-01-15"


# -- header --------------------------------------------------------------------------------------------
def test_header_problems():
    # a column with values the upload has no place for: refused whole, with the closest column
    with pytest.raises(UnknownColumns, match=r'"Externl Identifier" \(column A\): Did you mean "External Identifier"'):
        read_rows(csv_bytes([["Externl Identifier", "Learning Opportunity Name"], ["X", "A"]]), "learningopportunity")
    data = csv_bytes([["Externl Identifier", "Learning Opportunity Name", "name", "", "Subject Webpage"],
                      ["", "A", "B", "stray", "https://x.org"]])
    sheet = read_rows(data, "learningopportunity")
    got = {(p.column, p.code, p.severity) for p in sheet.problems}
    assert ("Externl Identifier", "unknown-column", "Warning") in got
    assert ("name", "duplicate-column", "Warning") in got
    assert ("", "unknown-column", "Warning") in got                          # column D: values, no header
    missing = {p.column for p in sheet.problems if p.code == "missing-column"}
    assert missing == {"External Identifier", "Learning Opportunity Class Type", "Description"}
    suggestion = next(p for p in sheet.problems if p.column == "Externl Identifier")
    assert suggestion.fix == 'Did you mean "External Identifier"?'
    # a course upload may leave out the class type (it can only be Course), and the language (English)
    sheet = read_rows(csv_bytes([list(BASE), list(BASE.values())]), "course")
    assert not [p for p in sheet.problems if p.code == "missing-column"]


def test_sample_and_instruction_rows_are_skipped_with_a_note():
    for fmt in ("csv", "xlsx"):
        data = build_template("course", sample=True, instructions=True, fmt=fmt)
        if fmt == "xlsx":   # the template alone: nothing but its own rows, said as such
            with pytest.raises(EmptyFile, match=r"no record below it \(rows 2, 3 are the template's own"):
                read_rows(data, "course")
        rows = spreadsheet.read_table(data)[0]
        body = [rows.header] + [c for _, c in rows.rows] + [list(BASE.get(h, "") for h in rows.header)]
        sheet = read_rows(csv_bytes(body), "course")
        assert sheet.skipped[:2] == [(2, "instructions"), (3, "sample")], fmt
        notes = {(p.row, p.code, p.severity) for p in sheet.problems}
        assert {(2, "instructions-row", "Info"), (3, "sample-row", "Info")} <= notes
        assert [r.number for r in sheet.rows] == [4]
    # a sample row someone started to edit is still the sample row; a marked row is skipped too
    header = ["External Identifier", "Learning Opportunity Name", "Description", "Subject Webpage", "Language"]
    data = csv_bytes([header,
                      ["abc10012", "Introduction to Web Design", "My own text here, longer than fifteen.",
                       "https://www.example.edu/programs/web-design", "English"],
                      ["#SAMPLE row", "x", "", "", ""],
                      ["W1", "Welding", "Welding for beginners, in the shop.", "https://x.edu/w", "English"]])
    sheet = read_rows(data, "course")
    assert sheet.skipped == [(2, "sample"), (3, "marked")]
    assert [r.number for r in sheet.rows] == [4]


# -- cell rules ----------------------------------------------------------------------------------------
def test_request_shape_and_defaults():
    request, problems = row_request(one_row(BASE), column_model("course"), ORG)
    assert set(request) == {"Course", "PublishForOrganizationIdentifier"}
    course = request["Course"]
    assert course["OwnedBy"] == [ORG] and course["OfferedBy"] == [ORG]
    assert course["InLanguage"] == ["en-US"]
    assert course["Name"] == "Introduction to Welding"
    assert course["IsRequiredFor"] == [{"Name": "Is Required For", "Description":
                                        "This course is required for the credential(s) listed.",
                                        "TargetCredential": [CRED]}]
    assert problems == []
    request, _ = row_request(one_row(BASE), column_model("course"), ORG, default_language="es")
    assert request["Course"]["InLanguage"] == ["es"] and request["DefaultLanguage"] == "es"


def test_class_type_chooses_the_wrapper():
    for value, wrapper in (("Learning Program", "LearningProgram"), ("course", "Course"),
                           ("LearningOpportunity", "LearningOpportunity")):
        row = one_row({**BASE, "Learning Opportunity Class Type": value}, "learningopportunity")
        request, problems = row_request(row, column_model("learningopportunity"), ORG)
        assert wrapper in request and not problems, value
    row = one_row({**BASE, "Learning Opportunity Class Type": "Learning Program"}, "course")
    _, problems = row_request(row, column_model("course"), ORG)
    assert cells_of(problems) == {(2, "Learning Opportunity Class Type", "Learning Program", "unknown-term")}
    row = one_row(BASE, "learningopportunity")
    result = validate_row(row, column_model("learningopportunity"), ORG)
    assert (2, "Learning Opportunity Class Type", None, "required") in cells_of(result.problems, "Violation")


def test_multiple_values_and_vocabulary_by_label_or_code():
    row = one_row({**BASE, "Delivery Type": "Online Only | InPerson|deliveryType:BlendedDelivery",
                   "Life Cycle Status Type": "Active", "Keyword": "welding|safety",
                   "Learning Method Type": "Work Based|Lecutre"})
    result = validate_row(row, column_model("course"), ORG)
    course = result.request["Course"]
    assert course["DeliveryType"] == ["Online Only", "InPerson", "deliveryType:BlendedDelivery"]
    assert course["LifeCycleStatusType"] == "Active" and course["Keyword"] == ["welding", "safety"]
    nodes = [a["ceterms:targetNode"] for a in result.document["@graph"][0]["ceterms:deliveryType"]]
    assert nodes == ["deliveryType:OnlineOnly", "deliveryType:InPerson", "deliveryType:BlendedDelivery"]
    [bad] = [p for p in result.problems if p.severity == "Violation"]
    assert (bad.row, bad.column, bad.value, bad.code) == (2, "Learning Method Type", "Lecutre", "unknown-term")
    assert 'did you mean "lecture"' in bad.message.lower()


def test_target_credentials_deferred_resolved_and_unknown():
    model = column_model("course")
    for cell in ("", "#DEFER", "#defer"):
        built = validate_row(one_row({**BASE, "Target Credentials": cell}), model, ORG)
        assert built.deferred and built.conforms, cell
        assert "IsRequiredFor" not in built.request["Course"]
    ok = validate_row(one_row({**BASE, "Target Credentials": "cert-weld|" + CRED.upper(),
                               "Target Credential Relationship": "requires"}), model, ORG, credentials=CREDENTIALS)
    assert not ok.deferred and ok.conforms
    assert ok.request["Course"]["Requires"][0]["TargetCredential"] == [CERT_WELD, CRED]
    bad = validate_row(one_row({**BASE, "Target Credentials": "cred_99|" + CRED}), model, ORG, credentials=CREDENTIALS)
    assert cells_of(bad.problems, "Violation") == {(2, "Target Credentials", "cred_99", "unknown-credential")}
    assert not bad.deferred
    wrong = validate_row(one_row({**BASE, "Target Credential Relationship": "Prepares"}), model, ORG)
    assert cells_of(wrong.problems, "Violation") == {(2, "Target Credential Relationship", "Prepares", "unknown-term")}


def test_available_at():
    model = column_model("course")
    every = validate_row(one_row({**BASE, "Available At": "ALL"}), model, ORG, ADDRESSES)
    assert every.request["Course"]["AvailableAt"] == list(ADDRESSES.values()) and every.conforms
    both = validate_row(one_row({**BASE, "Available At": "north", "Available At Codes": "Main|north"}), model, ORG,
                        ADDRESSES)
    assert both.request["Course"]["AvailableAt"] == [ADDRESSES["north"], ADDRESSES["main"]]
    bad = validate_row(one_row({**BASE, "Available At": "main|south"}), model, ORG, ADDRESSES)
    assert (2, "Available At", "south", "unknown-address") in cells_of(bad.problems, "Violation")
    assert bad.request["Course"]["AvailableAt"] == [ADDRESSES["main"]]
    none = validate_row(one_row({**BASE, "Available At": "all"}), model, ORG, {})
    assert (2, "Available At", "all", "unknown-address") in cells_of(none.problems, "Violation")


def test_owned_and_offered_by():
    model = column_model("course")
    other = "ce-11111111-2222-4333-8444-555555555555"
    r = validate_row(one_row({**BASE, "Owned By": other, "Offered By": "same as owner|" + ORG}), model, ORG)
    assert r.request["Course"]["OwnedBy"] == [other] and r.request["Course"]["OfferedBy"] == [other, ORG]
    r = validate_row(one_row({**BASE, "Offered By": "Lehigh Valley Technical College"}), model, ORG)
    assert any(p.column == "Offered By" and p.severity == "Violation" for p in r.problems)


def test_language_names_and_codes():
    model = column_model("course")
    r = validate_row(one_row({**BASE, "Language": "english|Spanish|fr-ca"}), model, ORG)
    assert r.request["Course"]["InLanguage"] == ["en", "es", "fr-CA"] and r.conforms
    r = validate_row(one_row({**BASE, "Language": "Klingonese"}), model, ORG)
    assert (2, "Language", "Klingonese", "invalid-format") in cells_of(r.problems, "Violation")


def test_external_identifier_and_ctid():
    model = column_model("course")
    long = validate_row(one_row({**BASE, "External Identifier": "X" * 51}), model, ORG)
    assert cells_of(long.problems, "Violation") == {(2, "External Identifier", "X" * 51, "too-long")}
    assert validate_row(one_row({**BASE, "External Identifier": "X" * 50}), model, ORG).conforms
    missing = validate_row(one_row({**BASE, "External Identifier": ""}), model, ORG)
    assert cells_of(missing.problems, "Violation") == {(2, "External Identifier", None, "required")}
    assert missing.ctid is None
    # the CTID of a new row is derived: the same file gives the same CTIDs; a given CTID is kept
    a = validate_row(one_row(BASE), model, ORG)
    b = validate_row(one_row({**BASE, "Learning Opportunity Name": "Renamed"}), model, ORG)
    assert a.ctid == b.ctid == derive_ctid(ORG, "course", "WELD 101") and a.ctid_derived
    assert derive_ctid(ORG, "course", "WELD 101") == derive_ctid(ORG, "learningprogram", "WELD 101")
    assert derive_ctid(ORG, "course", "WELD 101") != derive_ctid(ORG, "assessment", "WELD 101")
    given = validate_row(one_row({**BASE, "CTID": CRED.upper()}), model, ORG)
    assert given.ctid == CRED and not given.ctid_derived
    bad = validate_row(one_row({**BASE, "CTID": "ce-123"}), model, ORG)
    assert cells_of(bad.problems, "Violation") == {(2, "CTID", "ce-123", "invalid-format")}
    assert bad.ctid is None


def test_numbers_booleans_dates():
    model = column_model("course")
    r = validate_row(one_row({**BASE, "Credit Unit Value": "1,200", "Credit Unit Max Value": "4.5",
                              "Is Non-Credit": "yes", "Date Effective": "9/13/2025"}), model, ORG)
    course = r.request["Course"]
    assert course["CreditValue"] == [{"Value": 1200, "MaxValue": 4.5}]
    assert course["IsNonCredit"] is True and course["DateEffective"] == "2025-09-13"
    assert (2, "Date Effective", "9/13/2025", "date-read") in cells_of(r.problems, "Warning")
    # 9/1/2025 is 1 September or 9 January: not guessed
    r = validate_row(one_row({**BASE, "Date Effective": "9/1/2025"}), model, ORG)
    assert (2, "Date Effective", "9/1/2025", "ambiguous-date") in cells_of(r.problems, "Violation")
    r = validate_row(one_row({**BASE, "Date Effective": "25/12/2025"}), model, ORG)      # only day/month/year
    assert r.request["Course"]["DateEffective"] == "2025-12-25"
    r = validate_row(one_row({**BASE, "Date Effective": "2025-13-01"}), model, ORG)
    assert (2, "Date Effective", "2025-13-01", "wrong-datatype") in cells_of(r.problems, "Violation")


def test_problems_without_a_column_are_about_the_row():
    r = validate_row(one_row({k: v for k, v in BASE.items() if k != "Available Online At"}), column_model("course"),
                     ORG)
    [where] = [p for p in r.problems if p.code == "required-one-of"]
    assert (where.row, where.column, where.letter) == (2, "", "")
    assert where.pointer == "/rows/2" and where.at == "/Course"
    assert any(p.column == "" and p.code == "recommended" for p in r.problems)


def test_map_pointer():
    model = column_model("course")
    origins = {("DeliveryType", "0"): ("DeliveryType", "Online Only"), ("DeliveryType", "1"): ("DeliveryType", "Hybrid")}
    assert map_pointer("/Course/DeliveryType/1", "Course", origins, model.columns) == ("DeliveryType", "Hybrid")
    assert map_pointer("/Course/DeliveryType/1/TargetNodeName", "Course", origins, model.columns) == (
        "DeliveryType", "Hybrid")
    assert map_pointer("/Course/DeliveryType", "Course", {}, model.columns) == ("DeliveryType", None)
    assert map_pointer("/Course/CreditValue/0/CreditUnitType/0", "Course", {}, model.columns) == (
        "CreditValue/CreditUnitType", None)
    assert map_pointer("/Course/EstimatedCost", "Course", {}, model.columns) == (None, None)
    assert map_pointer("/Course", "Course", {}, model.columns) == (None, None)
    assert map_pointer("/PublishForOrganizationIdentifier", "Course", {}, model.columns) == (None, None)


def test_duplicates_are_errors_on_every_row():
    rows = [one_row({**BASE, "External Identifier": e}) for e in ("A", "B", "A", "A")]
    for i, r in enumerate(rows):
        r.number = i + 2
    got = sorted((p.row, p.value) for p in duplicate_identifiers(rows))
    assert got == [(2, "A"), (4, "A"), (5, "A")]
    assert {p.message for p in duplicate_identifiers(rows)} == {
        'External Identifier "A" is on 3 rows of this file (rows 2, 4 and 5); each row needs its own (the same '
        'identifier would update the same record)'}


def test_a_large_group_of_duplicates_is_said_in_constant_size():
    """5,000 rows of one identifier: one message per row naming the first rows and the count, not
    the 4,999 others (which made the answer grow with the square of the file)."""
    rows = [one_row({**BASE, "External Identifier": "SAME"}) for _ in range(5000)]
    for i, r in enumerate(rows):
        r.number = i + 2
    problems = duplicate_identifiers(rows)
    assert len(problems) == 5000
    assert {p.message for p in problems} == {
        'External Identifier "SAME" is on 5,000 rows of this file (rows 2, 3, 4 and 4,997 more); each row needs '
        'its own (the same identifier would update the same record)'}


def test_repeated_rows_are_validated_once_and_keep_their_own_row_numbers(monkeypatch):
    import transformer.bulk.records.validation as rows_module

    calls = []
    real = rows_module.format_request
    monkeypatch.setattr(rows_module, "format_request", lambda *a, **k: calls.append(1) or real(*a, **k))
    other = {**BASE, "External Identifier": "WELD 102", "Learning Opportunity Name": "Welding Two",
             "Delivery Type": "Hybrid"}
    table = [list(BASE)] + [list(BASE.values())] * 3 + [[other.get(h, "") for h in BASE]] + [list(BASE.values())]
    sheet = read_rows(csv_bytes(table), "course")
    results = validate_rows(sheet, ORG, credentials={})
    assert len(calls) == 2                                     # two different rows, five rows in all
    assert [r.row for r in results] == [2, 3, 4, 5, 6]
    for r in results:
        assert {p.row for p in r.problems} == {r.row}
    dup = [r for r in results if r.external_id == "WELD 101"]
    assert [[(p.code, p.column, p.message) for p in r.problems] for r in dup] == \
        [[(p.code, p.column, p.message) for p in dup[0].problems]] * len(dup)


def test_credential_rows():
    row = one_row({"External Identifier": "CERT-WELD", "Credential Type": "bachelor's degree",
                   "Credential Name": "Welding Engineering Technology",
                   "Description": "A four-year degree in welding engineering technology.",
                   "Subject Webpage": "https://www.lvtc.edu/degrees/welding", "Credential Status": "Active"},
                  "credential")
    r = validate_row(row, column_model("credential"), ORG)
    assert r.conforms and r.wrapper == "Credential" and r.type == "credential"
    assert r.request["Credential"]["CredentialType"] == "ceterms:BachelorDegree"
    assert r.document["@graph"][0]["@type"] == "ceterms:BachelorDegree"
    bad = validate_row(one_row({"External Identifier": "X", "Credential Type": "Widget", "Credential Name": "W"},
                               "credential"), column_model("credential"), ORG)
    assert (2, "Credential Type", "Widget", "wrong-class") in cells_of(bad.problems, "Violation")


# -- the examples of the bulk column shapes (shapes/bulk.ttl) --------------------------------------------
BULK_EXAMPLES = sorted(p for p in EXAMPLES.glob("Bulk-*/*.csv"))


@pytest.mark.parametrize("path", BULK_EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bulk_shape_example(path: Path):
    """The runner `ctdl shapes test` uses; the upload context is tests/shapes/bulk-context.json."""
    from transformer.shapes_tools.examples import run_one

    result = run_one(path)
    assert result.ok, "\n".join(result.lines())
    if path.name.startswith("invalid"):
        expected = json.loads(path.with_name("invalid.expected.json").read_text(encoding="utf-8"))
        assert expected and all("shape:" + path.parent.name == e["shape"] for e in expected)


def test_bulk_example_context_matches_these_tests():
    ctx = json.loads((EXAMPLES / "bulk-context.json").read_text(encoding="utf-8"))
    assert (ctx["org"], ctx["addresses"], ctx["credentials"], ctx["manifests"]) == (ORG, ADDRESSES, CREDENTIALS,
                                                                                    MANIFESTS)


def test_every_bulk_shape_has_spreadsheet_examples():
    import rdflib

    g = rdflib.Graph().parse(Path(__file__).resolve().parent.parent / "shapes" / "bulk.ttl")
    names = {str(s).rsplit(":", 1)[1] for s in g.subjects(rdflib.RDF.type, rdflib.SH.PropertyShape)}
    assert names == {p.parent.name for p in BULK_EXAMPLES}
    assert len(BULK_EXAMPLES) == 2 * len(names)


def test_manifest_cells_name_the_organizations_manifests_or_ctids():
    other = "ce-5b0f2d4e-1c3a-4e8b-9f7d-2a6c8e0b4d13"
    row = one_row({"External Identifier": "X", "Learning Opportunity Class Type": "Course",
                   "Learning Opportunity Name": "Welding", "Common Costs": f"TUITION|{other.upper()}",
                   "Common Conditions": "admission"})
    r = validate_row(row, column_model("learningopportunity"), ORG, manifests=MANIFESTS)
    body = r.request["Course"]
    assert body["CommonCosts"] == [MANIFESTS["cost"]["tuition"], other]
    assert body["CommonConditions"] == [MANIFESTS["condition"]["admission"]]
    graph = r.document["@graph"][0]
    assert graph["ceterms:commonCosts"] == [f"{REGISTRY_URI}{MANIFESTS['cost']['tuition']}", f"{REGISTRY_URI}{other}"]
    # a condition manifest id is not a cost manifest id
    wrong = validate_row(one_row({"External Identifier": "X", "Learning Opportunity Class Type": "Course",
                                  "Learning Opportunity Name": "Welding", "Common Costs": "admission"}),
                         column_model("learningopportunity"), ORG, manifests=MANIFESTS)
    (p,) = [p for p in wrong.problems if p.code == "unknown-manifest"]
    assert p.column == "Common Costs" and p.value == "admission" and "tuition" in p.message
