"""Cells as people type them (issue 15): vocabulary labels in any case, with spaces or hyphens;
language names or codes; "same as owner" (or blank) for Owned By and Offered By; dates written
N/N/YYYY read when only one reading is a date, refused when two are; and a row's warnings said at
upload, not only after publishing."""
from __future__ import annotations

import json
import re

import pytest

from test_bulk_rows import BASE, ORG, cells_of, one_row
from transformer.bulk.records.model import column_model
from transformer.bulk.records.validation import validate_row


def course(cells: dict):
    return validate_row(one_row({**BASE, **cells}), column_model("course"), ORG)


@pytest.mark.parametrize("typed, term", [("In-Person", "InPerson"), ("in person", "InPerson"),
                                         ("online only", "OnlineOnly"), ("ONLINE-ONLY", "OnlineOnly"),
                                         ("Blended Delivery", "BlendedDelivery"), ("BlendedDelivery", "BlendedDelivery")])
def test_vocabulary_labels_as_typed(typed, term):
    r = course({"Delivery Type": typed})
    assert r.conforms, r.problems
    targets = [a["ceterms:targetNode"] for a in r.document["@graph"][0]["ceterms:deliveryType"]]
    assert targets == [f"deliveryType:{term}"]


@pytest.mark.parametrize("typed, tags", [("english", ["en"]), ("English", ["en"]), ("en", ["en"]),
                                         ("ENGLISH|spanish", ["en", "es"]), ("French", ["fr"])])
def test_languages_by_name_or_code(typed, tags):
    r = course({"Language": typed})
    assert r.conforms and r.request["Course"]["InLanguage"] == tags


@pytest.mark.parametrize("owned, offered", [("", ""), ("same as owner", ""), ("Same As Owner", "SAME AS OWNER"),
                                            ("", "same as owner")])
def test_owner_blank_or_same_as_owner_is_the_uploading_organization(owned, offered):
    r = course({"Owned By": owned, "Offered By": offered})
    assert r.conforms, r.problems
    assert r.request["Course"]["OwnedBy"] == [ORG] and r.request["Course"]["OfferedBy"] == [ORG]


@pytest.mark.parametrize("typed, iso, code", [("03/15/2025", "2025-03-15", "date-read"),
                                              ("15/03/2025", "2025-03-15", "date-read"),
                                              ("04/04/2025", "2025-04-04", "date-read"),
                                              ("03/04/2025", None, "ambiguous-date")])
def test_dates_as_spreadsheets_write_them(typed, iso, code):
    r = course({"Date Effective": typed})
    if iso:
        assert r.conforms and r.request["Course"]["DateEffective"] == iso
        assert (2, "Date Effective", typed, code) in cells_of(r.problems, "Warning")
    else:
        assert not r.conforms and (2, "Date Effective", typed, code) in cells_of(r.problems, "Violation")
        assert "2025-03-04 or 2025-04-03" in r.problems[0].message + r.problems[0].fix


def test_warnings_are_said_at_upload_per_row(runner, tmp_path):
    import csv
    from http_support import new_ctid

    path = tmp_path / "w.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*BASE, "Date Effective"])
        w.writerow([*BASE.values(), "03/15/2025"])
    result = json.loads(runner.invoke("bulk", "upload", "course", path, "--org", new_ctid(), "--format", "json").stdout)
    warnings = result["rows"][0]["warnings"]
    assert [w["code"] for w in warnings if w["column"] == "Date Effective"] == ["date-read"]
    [benchmark] = [w for w in warnings if w["code"] == "recommended"]
    assert "benchmark (recommended) properties are missing" in benchmark["message"] and "Teaches" in benchmark["message"]
    # each named as the spreadsheet can fill it (never an internal name, never "?"), counted once
    names = benchmark["message"].split(": ", 1)[1].split(", ")
    assert int(benchmark["message"].split()[0]) == len(names) == len(set(names))
    assert "Accredited By / Approved By / Recognized By / Regulated By" in names     # one of a group
    assert "Credit Unit Type" in names and "Prerequisite" in names                  # a column filling part of it
    assert "Estimated Duration (no column)" in names                                 # no column for it
    assert not [n for n in names if n == "?" or n[0].islower() or re.match(r"[a-z]+:", n)]   # no CTDL term


@pytest.mark.parametrize("kind, prop", [("", "Requires"), ("requires", "Requires"), ("Recommends", "Recommends"),
                                        ("Entry Condition", "EntryCondition"), ("co-prerequisite", "CoPrerequisite")])
def test_a_rows_condition_profile(kind, prop):
    """The "ConditionProfile: ..." columns of real templates: one condition profile per row, under
    the property its Type names; its External Identifier is not published."""
    r = course({"ConditionProfile: Type": kind, "ConditionProfile: Name": "Prerequisites",
                "ConditionProfile: Description": "ACCT 121 with a grade of C or better.",
                "ConditionProfile: Credit Unit Value": "60", "ConditionProfile: External Identifier": "cp-1"})
    assert r.conforms, [(p.column, p.message) for p in r.problems if p.severity == "Violation"]
    assert r.request["Course"][prop] == [{"Name": "Prerequisites", "Description": "ACCT 121 with a grade of C or better.",
                                          "CreditValue": [{"Value": 60}]}]
    assert "cp-1" not in json.dumps(r.document)
    term = {"Requires": "ceterms:requires", "Recommends": "ceterms:recommends", "EntryCondition": "ceterms:entryCondition",
            "CoPrerequisite": "ceterms:coPrerequisite"}[prop]
    [profile] = r.document["@graph"][0][term]
    assert profile["ceterms:name"] == {"en-US": "Prerequisites"}


def test_a_condition_profiles_error_is_on_its_cell():
    r = course({"ConditionProfile: Name": "Prerequisites", "ConditionProfile: Description": "too short"})
    assert ("ConditionProfile: Description", "too-short") in {(p.column, p.code) for p in r.problems}


def test_a_filled_column_is_never_named_missing_and_terms_are_named_as_the_dropdown():
    """Issue 17: a benchmark property inside the profile Target Credentials makes is named with that
    profile, never as the (filled) Target Credentials column; an unknown term's suggestion is the
    dropdown's label (Semester Hour), not the term's code (SemesterHour)."""
    r = course({"Target Credentials": "ce-3c8e1f2a-7b4d-4e6f-9a1b-2c3d4e5f6a7b", "Credit Unit Type": "Semester Hourz", "Credit Unit Value": "3"})
    missing = {p.column or p.property for p in r.problems if p.code == "recommended"}
    assert "Target Credentials" not in missing and "Is Required For: Condition (no column)" in missing
    [bad] = [p for p in r.problems if p.column == "Credit Unit Type" and p.code == "unknown-term"]
    assert '"Semester Hour"' in bad.message + bad.fix and "SemesterHour" not in bad.message + bad.fix
