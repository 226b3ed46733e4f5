"""Bulk-upload templates: the column model read from the shapes, and the CSV / XLSX files."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
import rdflib
from openpyxl import Workbook, load_workbook

from transformer.bulk.sheets import workbook as spreadsheet
from transformer.bulk.records.columns import TYPES, instruction_text
from transformer.bulk.records.model import column_model, type_classes
from transformer.bulk.records.template import build_template, sample_value
from transformer.errors import InputError, UnknownType
from transformer.shacl import load_shapes

C = "https://purl.org/ctdl/terms/"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
GROUP_LABELS = ["Required", "Require at least one of", "Recommended Benchmark", "Optional"]


def headers(kind):
    return [c.header for c in column_model(kind).columns]


def group_of(kind, header):
    return column_model(kind).find(header).group_label


# -- the column model --------------------------------------------------------------------------------
def test_learning_opportunity_required_columns_are_the_seeds_in_its_order():
    model = column_model("learningopportunity")
    assert [c.header for c in model.required] == [
        "Target Credentials", "Target Credential Relationship", "External Identifier",
        "Learning Opportunity Class Type", "Learning Opportunity Name", "Description", "Subject Webpage", "Language"]
    assert model.wrapper == "LearningOpportunity"
    assert {c.rsplit("/", 1)[1] for c in model.classes} == {"LearningOpportunityProfile", "LearningProgram", "Course"}


@pytest.mark.parametrize("kind,name", [("learningprogram", "Learning Opportunity Name"),
                                       ("course", "Learning Opportunity Name"),
                                       ("assessment", "Assessment Name"), ("credential", "Credential Name")])
def test_every_type_has_its_required_columns(kind, name):
    required = [c.header for c in column_model(kind).required]
    for h in ("External Identifier", name, "Description", "Subject Webpage", "Language"):
        assert h in required, (kind, h)
    if kind == "credential":
        assert required[:2] == ["External Identifier", "Credential Type"]
        assert "Credential Status Type" in required
        assert "Target Credentials" not in headers(kind)
    else:
        assert required[:3] == ["Target Credentials", "Target Credential Relationship", "External Identifier"]


@pytest.mark.parametrize("kind", TYPES)
def test_columns_are_grouped_and_ordered(kind):
    model = column_model(kind)
    ranks = [GROUP_LABELS.index(c.group_label) for c in model.columns]
    assert ranks == sorted(ranks), "columns are listed group by group"
    assert set(ranks) == {0, 1, 2, 3}
    assert len({c.header.lower() for c in model.columns}) == len(model.columns), "headers are unique"
    for c in model.columns:
        assert c.description, c.header
        assert c.required == (c.group_label == "Required")


def test_groups_follow_the_shapes_and_the_seed():
    lo = "learningopportunity"
    for h in ("Available At", "Available At Codes", "Available Online At", "Availability Listing", "Owned By",
              "Offered By"):
        assert group_of(lo, h) == "Require at least one of", h
    for h in ("Learning Method Type", "Delivery Type", "Delivery Type Description", "Credit Unit Type",
              "Credit Unit Value", "Credit Unit Max Value", "Credit Unit Type Description", "Teaches", "Keyword"):
        assert group_of(lo, h) == "Recommended Benchmark", h
    for h in ("CTID", "Life Cycle Status Type", "Audience Type", "Same As"):
        assert group_of(lo, h) == "Optional", h
    # the same properties are only benchmark for credentials (shape:Credential-location is a Warning)
    assert group_of("credential", "Available Online At") == "Recommended Benchmark"
    assert group_of("credential", "Available At Codes") == "Recommended Benchmark"
    # Available At Codes sits next to Available At
    hs = headers(lo)
    assert hs.index("Available At Codes") == hs.index("Available At") + 1


def test_single_or_multiple():
    model = column_model("course")
    multiple = {c.header: c.multiple for c in model.columns}
    assert multiple["Language"] and multiple["Delivery Type"] and multiple["Target Credentials"]
    assert multiple["Available At"] and multiple["Keyword"] and multiple["Owned By"]
    for h in ("Learning Opportunity Name", "Description", "Subject Webpage", "External Identifier",
              "Target Credential Relationship", "Credit Unit Type", "Credit Unit Value", "CTID",
              "Life Cycle Status Type"):
        assert not multiple[h], h


def test_vocabularies_come_from_the_scheme_shapes():
    model = column_model("course")
    delivery = model.find("Delivery Type")
    assert delivery.labels == ["Blended Delivery", "In-Person Only", "Online Only", "Variable Site"]
    assert [t.code for t in delivery.vocabulary] == ["BlendedDelivery", "InPerson", "OnlineOnly", "VariableSite"]
    assert "Semester Hour" in model.find("Credit Unit Type").labels
    assert model.find("Target Credential Relationship").labels == [
        "Requires", "Is Preparation For", "Is Required For", "Is Recommended For"]
    assert model.find("Learning Opportunity Class Type").labels == ["Course"]
    assert column_model("learningopportunity").find("Learning Type").labels == [
        "Learning Opportunity", "Learning Program", "Course"]
    types = column_model("credential").find("Credential Type")
    assert {"Certificate", "Certification", "Bachelor's Degree", "Digital Badge"} <= set(types.labels)
    assert "Credential" not in types.labels, "the abstract class is no choice"
    assert len(types.labels) == len(type_classes("credential")[2])


def test_input_keys():
    model = column_model("course")
    keys = {c.header: c.input_key for c in model.columns}
    assert keys["Delivery Type"] == "DeliveryType"
    assert keys["Learning Opportunity Name"] == "Name"
    assert keys["Language"] == "InLanguage"
    assert keys["Credit Unit Value"] == "CreditValue/Value"
    assert keys["Credit Unit Type"] == "CreditValue/CreditUnitType"
    assert keys["Credit Unit Type Description"] == "CreditValue/Description"
    assert keys["External Identifier"] == "" and keys["Target Credentials"] == ""
    assert column_model("credential").find("Credential Type").input_key == "CredentialType"


def test_headers_match_by_name_alias_and_key_in_any_case():
    model = column_model("course")
    assert model.find("  learning TYPE ").key == "LearningOpportunityClassType"
    assert model.find("Name").key == "Name"
    assert model.find("In Language").key == "InLanguage"
    assert model.find("keywords").key == "Keyword"
    assert model.find("DeliveryType").key == "DeliveryType"
    assert model.find("External Identifier*").key == "ExternalIdentifier"
    assert column_model("credential").find("Credential Status").key == "CredentialStatusType"
    assert model.find("Version Identifier").key == "VersionIdentifier/IdentifierValueCode"   # real templates' column
    assert model.find("Subjects").key == "Subject" and model.find("CIP List").key == "CIP_Codes"


def test_every_property_of_the_shapes_is_a_column_or_said_to_be_omitted():
    """No hand-kept list: each property shape and at-least-one member of the Learning Opportunity record
    shapes gives a column, or is listed as omitted (a nested profile)."""
    g = load_shapes()
    lo = rdflib.URIRef("urn:ctdl-assistant:shape:LearningOpportunity")
    props = set()
    for ps in g.objects(lo, SH.property):
        path = g.value(ps, SH.path)
        props.add(str(path) if isinstance(path, rdflib.URIRef) else str(next(iter(g.items(path)))))
    for name in ("LearningOpportunity-location", "LearningOpportunity-ownedOrOfferedBy"):
        for member in g.items(g.value(rdflib.URIRef("urn:ctdl-assistant:shape:" + name), SH["or"])):
            props.add(str(g.value(member, SH.path)))
    model = column_model("learningopportunity")
    paths = {c.path[0] for c in model.columns}
    omitted = {h for h, _ in model.omitted}
    from transformer.vocab import schema_index

    for p in props:
        assert p in paths or schema_index().label(p) in omitted, p
    assert {"Estimated Cost", "Estimated Duration", "Jurisdiction"} <= omitted
    assert all("single cell" in why for _, why in model.omitted)


def test_model_as_json():
    import json

    d = json.loads(json.dumps(column_model("course").to_dict()))
    assert [g["group"] for g in d["groups"]] == GROUP_LABELS
    first = d["groups"][0]["columns"][0]
    assert first["header"] == "Target Credentials" and first["required"] and first["multiple"]
    assert first["instructions"].startswith("Required.")
    assert any(o["property"] == "Estimated Cost" and "single cell" in o["reason"] for o in d["omitted"])


def test_unknown_type():
    with pytest.raises(UnknownType):
        column_model("widget")
    assert column_model("Learning Opportunity") is column_model("learningopportunity")


# -- templates ---------------------------------------------------------------------------------------
def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_required_columns_cannot_be_deselected():
    rows = read_csv(build_template("course", properties=["delivery type", "Credit Unit Value"]))
    assert rows == [[c.header for c in column_model("course").required][:4]
                    + ["Learning Opportunity Name", "Description", "Subject Webpage", "Language",
                       "Credit Unit Value", "Delivery Type"]]
    all_rows = read_csv(build_template("course"))
    assert all_rows[0] == headers("course")


def test_unknown_property_is_refused_with_a_suggestion():
    with pytest.raises(InputError) as e:
        build_template("course", properties=["Delivery Typ", "Widgets"])
    assert 'did you mean "Delivery Type"' in e.value.message and "Widgets" in e.value.message


def test_sample_instructions_and_credentials_rows():
    creds = ["cred_01", "ce-d271e466-4ebd-4042-a038-597c9ba3184e"]
    rows = read_csv(build_template("learningopportunity", sample=True, instructions=True, credentials=creds))
    header, instructions, sample, *prefilled = rows
    model = column_model("learningopportunity")
    assert header == headers("learningopportunity")
    by = dict(zip(header, instructions))
    assert by["External Identifier"].startswith("Required.") and "Limit 50 characters." in by["External Identifier"]
    assert by["Language"].endswith("Multiple values: separate them with |.")
    assert by["Description"].endswith("Single value.")
    assert "Blended Delivery, In-Person Only, Online Only, Variable Site" in by["Delivery Type"]
    assert by["Subject Webpage"] == instruction_text(model.find("Subject Webpage"))
    s = dict(zip(header, sample))
    assert s["External Identifier"] == "abc10012"
    assert s["Learning Opportunity Name"] == "Web Design Certificate Program"
    assert s["Delivery Type"] == "Blended Delivery" and s["Learning Opportunity Class Type"] == "Learning Opportunity"
    assert s["Subject Webpage"].startswith("https://")
    assert [dict(zip(header, r))["Target Credentials"] for r in prefilled] == creds
    assert all(sum(1 for c in r if c) == 1 for r in prefilled)
    with pytest.raises(InputError):
        build_template("credential", credentials=creds)
    assert sample_value(column_model("course").find("Learning Type"), "course") == "Course"


def test_csv_injection_is_neutralised_and_read_back():
    cells = ["=1+1", "+33 1 23", "-5", "@SUM(A1)", "\tx", "\rx", "plain", "'quoted", "a=b"]
    data = spreadsheet.write_csv([["h%d" % i for i in range(len(cells))], cells])
    raw = read_csv(data)[1]
    assert raw[:6] == ["'=1+1", "'+33 1 23", "'-5", "'@SUM(A1)", "'\tx", "'\rx"]
    assert raw[6:] == ["plain", "'quoted", "a=b"]
    table, fmt = spreadsheet.read_table(data)
    assert fmt == "csv"
    # a spreadsheet trims nothing, but cells are read trimmed: the TAB / CR cells come back trimmed
    assert table.rows[0][1][:4] == ["=1+1", "+33 1 23", "-5", "@SUM(A1)"]
    assert table.rows[0][1][6:] == ["plain", "'quoted", "a=b"]


# -- XLSX ----------------------------------------------------------------------------------------------
def xlsx(kind="learningopportunity", **kw):
    data = build_template(kind, fmt="xlsx", **kw)
    assert data[:4] == b"PK\x03\x04"
    return data, load_workbook(io.BytesIO(data))


def test_xlsx_frozen_header_notes_and_text_cells():
    data, wb = xlsx(sample=True, instructions=True)
    ws = wb.worksheets[0]
    assert ws.title == "Learning Opportunities"
    assert ws.freeze_panes == "A2"
    model = column_model("learningopportunity")
    assert [c.value for c in ws[1]] == headers("learningopportunity")
    for cell, col in zip(ws[1], model.columns):
        assert cell.comment is not None and instruction_text(col) in cell.comment.text
        assert cell.font.b
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if cell.value is not None:
                assert cell.data_type == "s" and cell.number_format == "@"
    assert ws.column_dimensions["A"].number_format == "@"
    assert [c.value for c in ws[3]][2] == "abc10012"


def test_xlsx_dropdown_for_every_vocabulary_column():
    data, wb = xlsx()
    ws = wb.worksheets[0]
    model = column_model("learningopportunity")
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    lists = wb["Lists"]
    assert lists.sheet_state == "hidden"
    for i, col in enumerate(model.columns):
        letter = spreadsheet.column_letter(i)
        if not col.vocabulary:
            assert f"{letter}2" not in validations, col.header
            continue
        dv = validations[f"{letter}2"]
        assert dv.type == "list"
        assert str(dv.sqref) == f"{letter}2:{letter}1048576"
        if dv.formula1.startswith('"'):
            assert dv.formula1.strip('"').split(",") == col.labels
        else:
            ref = dv.formula1.split("!")[1].replace("$", "")
            values = [c.value for row in lists[ref] for c in row]
            assert values == col.labels, col.header
        assert dv.showErrorMessage == (not col.multiple)
    # the long lists (Audience Type: 29 terms) are on the hidden sheet
    audience = spreadsheet.column_letter(model.columns.index(model.find("Audience Type")))
    assert validations[f"{audience}2"].formula1.startswith("'Lists'!")


def test_xlsx_cells_are_never_formulas_and_round_trip():
    cols = [spreadsheet.SheetColumn("Name"), spreadsheet.SheetColumn("Notes")]
    data = spreadsheet.write_xlsx("Data", cols, [["=1+1", "+SUM(A1:A3)"], ["-5", "@x"]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    table, fmt = spreadsheet.read_table(data)
    assert fmt == "xlsx"
    assert table.header == ["Name", "Notes"]
    assert table.rows == [(2, ["=1+1", "+SUM(A1:A3)"]), (3, ["-5", "@x"])]
    assert not table.problems


def test_xlsx_real_formula_is_read_as_text_with_a_warning():
    wb = Workbook()
    ws = wb.active
    ws.append(["External Identifier", "Credit Unit Value"])
    ws.append(["X1", "=1+2"])
    out = io.BytesIO()
    wb.save(out)
    table, _ = spreadsheet.read_table(out.getvalue())
    assert table.rows == [(2, ["X1", "=1+2"])]
    [w] = table.problems
    assert w.code == "formula" and "B2" in w.message and w.path == "/rows/2"


def test_template_round_trips_through_both_formats():
    for fmt in ("csv", "xlsx"):
        table, got = spreadsheet.read_table(build_template("assessment", fmt=fmt, sample=True))
        assert got == fmt
        assert table.header == headers("assessment")
        assert [n for n, _ in table.rows] == [2]


def test_not_a_spreadsheet():
    with pytest.raises(InputError):
        spreadsheet.read_table(b"")
    with pytest.raises(InputError) as e:
        spreadsheet.read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xls" in e.value.message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InputError) as e:
        spreadsheet.read_table(buf.getvalue())
    assert "not an Excel workbook" in e.value.message
