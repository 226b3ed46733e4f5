"""Cost manifests by spreadsheet (``ctdl bulk ... costmanifest``): rows with the same External
Identifier are one manifest, one cost profile per row; the manifest's own columns on its first row.

The template's columns come from shapes/bulk.ttl; each manifest is checked by the API's pipeline with
every result on its row and column; manifests are staged create-or-update by External Identifier,
exported as uploaded, approved and published whole; a later upload's Common Costs names them by
External Identifier.  Both store backends (the fixtures of test_bulk_workflow.py and http_support.py).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from http_support import new_ctid
from service.bulk.costmanifests import COST_MANIFEST, cost_manifest_ids
from service.bulk.upload import export, upload
from test_bulk_workflow import bulk, key_of, postgres_url, publish_org, registry  # noqa: F401 (fixtures)
from transformer import build_template, column_model
from transformer.bulk.sheets import workbook as spreadsheet

DATA = Path(__file__).parent / "data" / "bulk"
FILE = (DATA / "cost-manifests.csv").read_bytes()          # 2 manifests, 5 rows (one continuation row)
ORG = "ce-ea5121ad-98b0-4a28-ab97-ff2e567968b2"            # the golden file's CTIDs are derived from it
HEADER = ["External Identifier", "Name", "Description", "Cost Details (URL)", "Start Date", "End Date",
          "Cost: Description", "Cost: Direct Cost Type", "Cost: Price", "Cost: Currency", "Cost: Payment Pattern",
          "Cost: Audience Type", "Cost: Residency Type"]


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def to_csv(rows) -> bytes:
    return spreadsheet.write_csv(rows)


def sheet(*rows: dict) -> bytes:
    """A file of the HEADER columns; each row given as {header: cell}."""
    return to_csv([HEADER, *([r.get(h, "") for h in HEADER] for r in rows)])


TUITION = {"External Identifier": "tuition", "Name": "Tuition 2025-2026",
           "Description": "Tuition of the 2025-2026 academic year.", "Cost Details (URL)": "https://www.example.edu/tuition",
           "Cost: Description": "Tuition per credit hour for district residents.", "Cost: Direct Cost Type": "Tuition",
           "Cost: Price": "150", "Cost: Currency": "USD"}


def errors_of(result: dict) -> set[tuple]:
    return {(r["row"], e["column"], e["value"], e["code"]) for r in result["rows"] for e in r["errors"]}


# -- the template ------------------------------------------------------------------------------------------
def test_the_template_columns_come_from_the_shapes():
    import rdflib

    model = column_model(COST_MANIFEST)
    headers = [c.header for c in model.columns]
    assert headers[:4] == ["External Identifier", "Description", "Cost Details (URL)", "Cost: Description"]
    assert {"Name", "Start Date", "End Date", "Cost: Direct Cost Type", "Cost: Price", "Cost: Currency",
            "Cost: Payment Pattern", "Cost: Audience Type", "Cost: Residency Type", "CTID", "Cost Manifest Of",
            "Cost: Name", "Cost: Cost Details (URL)"} <= set(headers)
    # every column is a bulk column shape naming ceterms:CostManifest: no second, hand-kept list
    g = rdflib.Graph().parse(Path(__file__).resolve().parent.parent / "shapes" / "bulk.ttl")
    ns = rdflib.Namespace("urn:ctdl-assistant:ns:")
    shaped = {str(g.value(s, rdflib.SH.name)) for s in g.subjects(ns.columnsOf,
                                                                   rdflib.URIRef("https://purl.org/ctdl/terms/CostManifest"))}
    assert set(headers) == shaped and not model.omitted
    by_header = {c.header: c for c in model.columns}
    assert by_header["Cost: Direct Cost Type"].kind == "vocabulary" and "Tuition" in by_header["Cost: Direct Cost Type"].labels
    assert by_header["Cost: Residency Type"].multiple and "In-State" in by_header["Cost: Residency Type"].labels
    assert by_header["Cost: Price"].kind == "number" and by_header["Start Date"].kind == "date"
    assert [c.header for c in model.required] == headers[:4]
    # CSV with instructions and a sample row; XLSX with dropdowns; both read back as the template's own rows
    csv_rows = rows_of(build_template(COST_MANIFEST, sample=True, instructions=True))
    assert csv_rows[0] == headers and csv_rows[1][0].startswith("Required. Your system's identifier")
    assert csv_rows[2][0] == "abc-tuition-2025"
    table, fmt = spreadsheet.read_table(build_template(COST_MANIFEST, sample=True, instructions=True, fmt="xlsx"))
    assert fmt == "xlsx" and table.header == headers
    # the documentation page is generated from the same columns
    page = (Path(__file__).resolve().parent.parent / "docs" / "properties" / "template-costmanifest.md").read_text()
    assert all(f"**{h}**" in page for h in headers)


def test_the_sample_row_is_only_the_one_with_the_sample_identifier():
    from transformer import read_rows

    template = rows_of(build_template(COST_MANIFEST, sample=True))
    # a real cost row shares many of the sample's values (Tuition, USD, per credit hour): it is data
    real = dict(zip(template[0], template[1]))
    real.update({"External Identifier": "tuition", "Cost: Description": "Tuition per credit hour, district residents."})
    data = to_csv([template[0], template[1], [real.get(h, "") for h in template[0]]])
    read = read_rows(data, COST_MANIFEST)
    assert read.skipped == [(2, "sample")] and [r.number for r in read.rows] == [3]


# -- upload ------------------------------------------------------------------------------------------------
def test_golden_upload_stages_two_manifests_from_five_rows(bulk, registry):
    result = upload(bulk, ORG, COST_MANIFEST, FILE)
    assert result["summary"] == {"created": 5, "updated": 0, "unchanged": 0, "rejected": 0}
    assert [(r["row"], r["external_id"], r["cost"]) for r in result["rows"]] == [
        (2, "tuition-2025", 1), (3, "tuition-2025", 2), (4, "tuition-2025", 3), (5, "fees-2025", 1),
        (6, "fees-2025", 2)]
    assert [(m["external_id"], m["rows"], m["costs"], m["result"]) for m in result["manifests"]] == [
        ("tuition-2025", [2, 3, 4], 3, "created"), ("fees-2025", [5, 6], 2, "created")]
    staged = {r.external_id: r for r in registry.store.staged(ORG, COST_MANIFEST)}
    assert {r.status for r in staged.values()} == {"pending"}
    expected = json.loads((DATA / "cost-manifests.expected.json").read_text(encoding="utf-8"))
    assert {ext: r.document for ext, r in staged.items()} == expected
    # the row 3 continuation (blank External Identifier), read as people type: tuition, usd, resident
    cost = expected["tuition-2025"]["@graph"][0]["ceterms:estimatedCost"][1]
    assert cost["ceterms:directCostType"]["ceterms:targetNode"] == "costType:Tuition"
    assert cost["ceterms:currency"] == "USD" and cost["ceterms:residencyType"][0]["ceterms:targetNode"] == "residency:InState"
    # each cost without its own Cost Details has the manifest's
    assert cost["ceterms:costDetails"] == "https://www.example.edu/tuition"
    assert all(r["ctid"] == staged[r["external_id"]].ctid for r in result["rows"])


def test_the_same_file_again_changes_nothing(bulk, registry):
    first = upload(bulk, ORG, COST_MANIFEST, FILE)
    before = {r.external_id: (r.content_digest, r.updated_at) for r in registry.store.staged(ORG, COST_MANIFEST)}
    again = upload(bulk, ORG, COST_MANIFEST, FILE)
    assert again["summary"] == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0}
    assert {r.external_id: (r.content_digest, r.updated_at) for r in registry.store.staged(ORG, COST_MANIFEST)} == before
    assert [r["ctid"] for r in again["rows"]] == [r["ctid"] for r in first["rows"]]


def test_a_bad_cell_is_an_error_on_its_row_and_column_and_rejects_its_manifest_only(bulk, registry):
    org = new_ctid()
    data = sheet(TUITION,
                 {"External Identifier": "tuition", "Cost: Description": "Tuition per credit hour for other states.",
                  "Cost: Direct Cost Type": "Tution fees", "Cost: Price": "$450", "Cost: Currency": "USD"},
                 {"External Identifier": "fees", "Description": "Fees charged to every student.",
                  "Cost Details (URL)": "https://www.example.edu/fees",
                  "Cost: Description": "Technology fee charged each semester.", "Cost: Price": "75",
                  "Cost: Residency Type": "In State|Mars"})
    result = upload(bulk, org, COST_MANIFEST, data)
    errors = errors_of(result)
    assert (3, "Cost: Price", "$450", "wrong-datatype") in errors
    assert (3, "Cost: Direct Cost Type", "Tution fees", "unknown-term") in errors
    assert (4, "Cost: Residency Type", "Mars", "unknown-term") in errors
    assert not [e for e in errors if e[0] == 2]               # row 2 is fine: its manifest is rejected by row 3
    by_row = {r["row"]: r for r in result["rows"]}
    price = next(e for e in by_row[3]["errors"] if e["column"] == "Cost: Price")
    assert "plain number" in price["message"]
    assert [by_row[n]["status"] for n in (2, 3, 4)] == ["rejected"] * 3
    assert any('cost manifest "tuition" (rows 2-3) was not staged' in n and "row 3 has errors" in n
               for n in result["notes"])
    staged = {r.external_id: r for r in registry.store.staged(org, COST_MANIFEST)}
    assert staged["tuition"].status == "rejected" and staged["fees"].status == "rejected"
    assert {e["path"] for e in staged["tuition"].errors} >= {"/rows/3/Cost: Price", "/rows/3/Cost: Direct Cost Type"}
    # the manifest's required columns are said on its first row
    missing = upload(bulk, org, COST_MANIFEST, sheet({"External Identifier": "bare", "Name": "Bare",
                                                      "Cost: Description": "A cost of a manifest without details."}))
    assert {(2, "Description", None, "required"), (2, "Cost Details (URL)", None, "required")} <= errors_of(missing)


def test_repeated_manifest_cells_must_agree(bulk, registry):
    org = new_ctid()
    data = sheet(TUITION,
                 {**TUITION, "Cost: Description": "Tuition per credit hour for other states.", "Cost: Price": "450",
                  "Start Date": "", "Name": "Tuition 2025-2026 "},                 # the same, spaces aside
                 {"External Identifier": "tuition", "Name": "Tuition 2026-2027", "Cost Details (URL)": "",
                  "Cost: Description": "Tuition per credit hour for international students.", "Cost: Price": "600"})
    result = upload(bulk, org, COST_MANIFEST, data)
    assert errors_of(result) == {(4, "Name", "Tuition 2026-2027", "manifest-disagreement")}
    (e,) = [e for r in result["rows"] for e in r["errors"]]
    assert 'differs from "Tuition 2025-2026" on row 2' in e["message"] and "Leave Name blank" in e["message"]
    # dates agree once read (8/15/2025 is 2025-08-15); a different date does not
    dated = sheet({**TUITION, "Start Date": "2025-08-15"},
                  {"External Identifier": "tuition", "Start Date": "8/15/2025",
                   "Cost: Description": "Tuition per credit hour for other states."},
                  {"External Identifier": "tuition", "Start Date": "2025-09-01",
                   "Cost: Description": "Tuition per credit hour for international students."})
    assert errors_of(upload(bulk, org, COST_MANIFEST, dated)) == {(4, "Start Date", "2025-09-01",
                                                                    "manifest-disagreement")}


def test_a_row_with_manifest_cells_but_no_identifier_is_an_error(bulk):
    org = new_ctid()
    data = sheet({**TUITION, "External Identifier": ""})
    result = upload(bulk, org, COST_MANIFEST, data)
    assert [(e[0], e[1], e[3]) for e in errors_of(result)] == [(2, "External Identifier", "required")]
    assert result["rows"][0]["status"] == "rejected"


# -- export ------------------------------------------------------------------------------------------------
def test_export_gives_the_rows_back_and_round_trips(bulk, registry):
    upload(bulk, ORG, COST_MANIFEST, FILE)
    exported = rows_of(export(bulk, ORG, COST_MANIFEST))
    original = rows_of(FILE)
    assert set(exported[0]) == set(original[0])
    as_dicts = lambda table: sorted(tuple(sorted(dict(zip(table[0], r)).items())) for r in table[1:])  # noqa: E731
    assert as_dicts(exported) == as_dicts(original)
    # manifests keep their rows together and in order (the continuation row after its manifest's first)
    ext = exported[0].index("External Identifier")
    assert [r[ext] for r in exported[1:]] == ["fees-2025", "fees-2025", "tuition-2025", "", "tuition-2025"]
    again = upload(bulk, ORG, COST_MANIFEST, to_csv(exported))
    assert again["summary"] == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0}
    # an edit of one cost updates its manifest only
    price = exported[0].index("Cost: Price")
    exported[2][price] = "30"
    edited = upload(bulk, ORG, COST_MANIFEST, to_csv(exported))
    assert {r["external_id"]: r["status"] for r in edited["rows"]} == {"fees-2025": "updated",
                                                                       "tuition-2025": "unchanged"}
    xlsx = export(bulk, ORG, COST_MANIFEST, "xlsx")
    assert upload(bulk, ORG, COST_MANIFEST, xlsx)["summary"]["unchanged"] == 5


# -- publishing and Common Costs ---------------------------------------------------------------------------
def test_staged_manifests_are_known_to_common_costs_and_publish(bulk, registry):
    org = new_ctid()
    publish_org(registry, org)
    first = upload(bulk, org, COST_MANIFEST, sheet(TUITION))
    ctid = first["rows"][0]["ctid"]
    assert cost_manifest_ids(registry.store, org) == {"tuition": ctid}
    # Step 1's set is kept as written and wins on a clash
    other = new_ctid()
    registry.store.set_manifests(org, "cost", {"lab": other})
    assert cost_manifest_ids(registry.store, org) == {"tuition": ctid, "lab": other}
    assert registry.store.manifests(org, "cost") == {"lab": other}
    bulk.approve(org, all=True)
    (out,) = bulk.publish_approved(org)
    assert (out.type, out.result, out.ctid) == (COST_MANIFEST, "published", ctid)
    published = registry.store.get_by_ctid(ctid).decoded_resource["@graph"][0]
    assert published["@type"] == "ceterms:CostManifest" and len(published["ceterms:estimatedCost"]) == 1
    assert upload(bulk, org, COST_MANIFEST, sheet(TUITION))["rows"][0]["status"] == "unchanged"


def test_http_upload_approve_publish_then_a_course_names_the_manifest(api):
    from bulk_rows import organization

    client, org = api.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    r = client.post(f"/bulk/costmanifest/upload?org={org}", data=FILE, headers={"Content-Type": "text/csv"})
    body = r.get_json()
    assert r.status_code == 200 and body["Summary"]["created"] == 5, body
    ctids = {row["external_id"]: row["ctid"] for row in body["Rows"]}
    # an error answers 422 with the cell's path
    bad = client.post(f"/bulk/costmanifest/upload?org={org}", data=sheet({**TUITION, "Cost: Price": "lots"}),
                      headers={"Content-Type": "text/csv"})
    assert bad.status_code == 422
    assert {"path": "/rows/2/Cost: Price", "code": "wrong-datatype"}.items() <= bad.get_json()["Errors"][0].items()
    assert client.post(f"/bulk/costmanifest/upload?org={org}", data=FILE,
                       headers={"Content-Type": "text/csv"}).get_json()["Summary"]["rejected"] == 0
    assert client.post("/bulk/approve", data={"org": org, "all": True, "type": "costmanifest"}).status_code == 200
    published = client.post("/bulk/publish", data={"org": org}).get_json()
    assert published["Successful"], published
    for ctid in ctids.values():
        assert client.get(f"/resources/{ctid}").status_code == 200
    # the template and the export over HTTP
    template = client.get("/bulk/costmanifest/template?instructions=true")
    assert template.status_code == 200 and rows_of(template.data)[0][:2] == ["External Identifier", "Description"]
    exported = client.get(f"/bulk/costmanifest/export?org={org}")
    assert exported.status_code == 200 and len(rows_of(exported.data)) == 1 + 5 + 1   # + the rejected "tuition"
    # a course of a later upload names the manifest by its External Identifier in Common Costs
    course = [["External Identifier", "Learning Opportunity Name", "Description", "Subject Webpage",
               "Available Online At", "Target Credentials", "Common Costs"],
              ["WELD 101", "Introduction to Welding", "Shop safety, welding equipment and the basic joints.",
               "https://www.example.edu/weld-101", "https://online.example.edu/weld-101", "#DEFER",
               "tuition-2025|fees-2025"]]
    up = client.post(f"/bulk/course/upload?org={org}", data=to_csv(course), headers={"Content-Type": "text/csv"})
    assert up.status_code == 200, up.get_json()
    (staged,) = [s for s in api.store.staged(org, "course")]
    assert staged.request["Course"]["CommonCosts"] == [ctids["tuition-2025"], ctids["fees-2025"]]
    costs = staged.document["@graph"][0]["ceterms:commonCosts"]
    assert [c.rsplit("/", 1)[-1] for c in costs] == [ctids["tuition-2025"], ctids["fees-2025"]]
    unknown = [["External Identifier", "Learning Opportunity Name", "Common Costs"], ["WELD 102", "Welding II", "books"]]
    answer = client.post(f"/bulk/course/upload?org={org}", data=to_csv(unknown),
                         headers={"Content-Type": "text/csv"}).get_json()
    (err,) = [e for e in answer["Errors"] if e["code"] == "unknown-manifest"]
    assert "tuition-2025" in err["message"] and "fees-2025" in err["message"]


def test_the_command_line_uploads_and_prints_each_manifest(runner):
    org = new_ctid()
    path = Path(runner.data_dir) / "costs.csv"
    path.write_bytes(FILE)
    done = runner.invoke("bulk", "upload", "costmanifest", path, "--org", org)
    assert done.returncode == 0, done.stderr
    assert "cost manifest tuition-2025" in done.stdout and "3 costs (rows 2, 3, 4)" in done.stdout
    template = runner.invoke("bulk", "template", "costmanifest", "--instructions", registry=False)
    assert template.returncode == 0 and template.stdout.lstrip("\ufeff").startswith("External Identifier,")
