"""Competency frameworks in the bulk workflow (service/bulk/frameworks.py): upload, export, approve, publish.

Both store backends (the fixtures of test_bulk_workflow.py); files from tests/data/bulk/.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bulk_rows import new_ctid
from cli_runner import run_ctdl
from service.bulk.workflow import OrganizationNotPublished
from service.bulk.frameworks import FRAMEWORK
from service.registry.core import Forbidden
from service.bulk.upload import export, upload
from test_bulk_workflow import bulk, key_of, postgres_url, publish_org, registry  # noqa: F401 (fixtures)
from transformer.bulk.sheets import workbook as spreadsheet
from transformer.bulk.frameworks.columns import TEMPLATE_COLUMNS
from transformer.bulk.frameworks.template import framework_template

DATA = Path(__file__).parent / "data" / "bulk"
TEMPLATE = (DATA / "welding-template.csv").read_bytes()
CASS = (DATA / "welding-cass.csv").read_bytes()


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def to_csv(rows: list[list[str]]) -> bytes:
    return spreadsheet.write_csv(rows)


def statuses(result: dict) -> dict[int, str]:
    return {r["row"]: r["status"] for r in result["rows"]}


def test_upload_stages_one_framework_and_the_same_file_changes_nothing(bulk, registry):
    org = new_ctid()
    first = upload(bulk, org, "competencyframework", TEMPLATE)
    fw = first["framework"]
    competencies = len(rows_of(TEMPLATE)) - 1
    assert fw["result"] == "created" and fw["status"] == "pending" and fw["competencies"] == competencies
    assert set(statuses(first).values()) == {"created"} and first["summary"]["created"] == competencies
    assert [r["row"] for r in first["rows"]] == list(range(2, competencies + 2))
    (record,) = registry.store.staged(org, FRAMEWORK)
    assert record.ctid == fw["ctid"] and record.external_id == fw["ctid"] and record.status == "pending"
    graph = record.document["@graph"]
    assert graph[0]["@type"] == "ceasn:CompetencyFramework" and len(graph) == competencies + 1
    assert {n["ceterms:ctid"] for n in graph[1:]} == {r["ctid"] for r in first["rows"]}

    again = upload(bulk, org, "competencyframework", TEMPLATE)
    assert set(statuses(again).values()) == {"unchanged"} and again["framework"]["result"] == "unchanged"
    (same,) = registry.store.staged(org, FRAMEWORK)
    assert same.content_digest == record.content_digest and same.updated_at == record.updated_at


def test_export_fills_ctids_and_an_edit_updates_only_that_competency(bulk, registry):
    org = new_ctid()
    first = upload(bulk, org, "competencyframework", TEMPLATE)
    exported = rows_of(export(bulk, org, "competencyframework"))
    header = exported[0]
    assert header[-2:] == ["CTID", "Framework CTID"]
    by_row = {r["row"]: r["ctid"] for r in first["rows"]}
    assert [row[header.index("CTID")] for row in exported[1:]] == [by_row[n] for n in range(2, len(exported) + 1)]
    assert exported[1][header.index("Framework CTID")] == first["framework"]["ctid"]
    assert all(not row[header.index("Framework CTID")] for row in exported[2:])

    assert set(statuses(upload(bulk, org, "competencyframework", to_csv(exported))).values()) == {"unchanged"}
    text = header.index("Competency Text")
    exported[3][text] = "Identify fire hazards and apply hot-work permit procedures."   # spreadsheet row 4
    # the CTID column keeps the competency's identity even if its text (and so its derived key) changes
    edited = upload(bulk, org, "competencyframework", to_csv(exported))
    changed = {n: s for n, s in statuses(edited).items() if s != "unchanged"}
    assert changed == {4: "updated"}
    assert {r["row"]: r["ctid"] for r in edited["rows"]} == by_row
    (record,) = registry.store.staged(org, FRAMEWORK)
    node = next(n for n in record.document["@graph"] if n["ceterms:ctid"] == by_row[4])
    assert "hot-work permit" in json.dumps(node["ceasn:competencyText"])


def test_cass_layout_uploads_and_exports_a_ctid_column(bulk):
    org = new_ctid()
    first = upload(bulk, org, "competencyframework", CASS)
    assert first["framework"]["result"] == "created" and first["summary"]["rejected"] == 0
    exported = rows_of(export(bulk, org, "competencyframework"))
    at = exported[0].index("ceterms:ctid")
    assert [row[at] for row in exported[1:]] == [r["ctid"] for r in first["rows"]]
    assert set(statuses(upload(bulk, org, "competencyframework", to_csv(exported))).values()) == {"unchanged"}


def test_a_framework_with_errors_is_staged_whole_as_rejected(bulk, registry):
    org = new_ctid()
    rows = rows_of(TEMPLATE)
    header = rows[0]
    rows[5][header.index("Parent")] = "W9"                       # spreadsheet row 6: a parent not in the file
    rows[7][header.index("Coded Notation")] = rows[6][header.index("Coded Notation")]   # rows 7 and 8: same code
    result = upload(bulk, org, "competencyframework", to_csv(rows))
    assert result["framework"]["result"] == "rejected"
    assert set(statuses(result).values()) == {"rejected"}
    bad = {r["row"]: r["errors"] for r in result["rows"] if r["errors"]}
    assert any(e["column"] == "Parent" and e["value"] == "W9" for e in bad[6])
    assert any(e["column"] == "Coded Notation" for e in bad[8])
    assert 2 not in bad and 3 not in bad
    assert any("not staged for approval" in n and "row" in n for n in result["notes"])
    (record,) = registry.store.staged(org, FRAMEWORK)
    assert record.status == "rejected" and record.errors
    publish_org(bulk.registry, org)
    (outcome,) = bulk.approve(org, all=True)
    assert outcome.result == "skipped" and outcome.status == "rejected"


def test_approve_and_publish_after_the_organization(bulk, registry):
    org = new_ctid()
    result = upload(bulk, org, "competencyframework", TEMPLATE)
    ctid = result["framework"]["ctid"]
    with pytest.raises(OrganizationNotPublished):
        bulk.approve(org, all=True)
    publish_org(registry, org)
    assert [o.result for o in bulk.approve(org, [ctid])] == ["approved"]
    (published,) = bulk.publish_approved(org)
    assert published.result == "published" and published.envelope_id
    envelope = registry.store.get_by_ctid(ctid)
    assert envelope.ctdl_type == "ceasn:CompetencyFramework" and envelope.owned_by == org
    graph = envelope.decoded_resource["@graph"]
    assert graph[0]["ceterms:ctid"] == ctid and len(graph) == len(result["rows"]) + 1
    competency = result["rows"][5]["ctid"]
    assert registry.store.get_by_node_ctid(competency).envelope_id == envelope.envelope_id

    again = upload(bulk, org, "competencyframework", TEMPLATE)
    assert again["framework"]["result"] == "unchanged"
    assert registry.store.staged(org, FRAMEWORK)[0].status == "published"
    rows = rows_of(TEMPLATE)
    rows[2][rows[0].index("Competency Label")] = "PPE"
    edited = upload(bulk, org, "competencyframework", to_csv(rows))
    assert edited["framework"]["result"] == "updated"
    assert registry.store.staged(org, FRAMEWORK)[0].status == "pending"


def test_publish_document_validates_again_and_checks_the_key(bulk, registry):
    org = new_ctid()
    document = upload(bulk, org, "competencyframework", TEMPLATE)["framework"]
    (record,) = registry.store.staged(org, FRAMEWORK)
    broken = json.loads(json.dumps(record.document))
    del broken["@graph"][0]["ceasn:name"]
    result = registry.publish_document(broken, key_of(org), org)
    assert result.record is None and not result.report.conforms
    assert any(r.code == "required" and "name" in r.path for r in result.report.violations)
    assert registry.store.get_by_ctid(document["ctid"]) is None
    with pytest.raises(Forbidden):
        registry.publish_document(record.document, key_of(new_ctid()), org)


def test_an_xlsx_framework_gets_the_same_ctids_as_the_csv(bulk):
    rows = rows_of(TEMPLATE)
    xlsx = spreadsheet.write_xlsx("Framework", [spreadsheet.SheetColumn(h) for h in rows[0]], rows[1:])
    org = new_ctid()
    from_csv = upload(bulk, org, "competencyframework", TEMPLATE)
    from_xlsx = upload(bulk, org, "competencyframework", xlsx)
    # CTIDs are derived from the organization, the framework name and the rows, not from the file type
    assert [r["ctid"] for r in from_xlsx["rows"]] == [r["ctid"] for r in from_csv["rows"]]
    assert {r["status"] for r in from_xlsx["rows"]} == {"unchanged"}
    assert any("XLSX" in n for n in from_xlsx["notes"])
    # another organization uploading the same file gets CTIDs of its own
    other = upload(bulk, new_ctid(), "competencyframework", TEMPLATE)
    assert not {r["ctid"] for r in other["rows"]} & {r["ctid"] for r in from_csv["rows"]}
    assert rows_of(export(bulk, org, "competencyframework"))[1][:len(rows[0])] == rows[1]


def test_templates_come_from_the_shapes_and_upload_as_they_are(bulk):
    rows = rows_of(framework_template())
    assert rows == [[c.label for c in TEMPLATE_COLUMNS if c.key != "publisher"]]
    header, notes = rows_of(framework_template(instructions=True))
    required = {h for h, n in zip(header, notes) if n.startswith("Required.")}
    assert {"Framework Name", "Framework Description", "Competency Text"} <= required
    assert "Comment" not in required and "Parent" not in required
    cass = rows_of(framework_template("cass", sample=True))
    assert cass[0][:2] == ["@id", "@type"] and cass[1][1] == "ceasn:CompetencyFramework"
    sample = upload(bulk, new_ctid(), "competencyframework", framework_template(sample=True, instructions=True))
    assert sample["framework"]["result"] == "created" and [r["row"] for r in sample["rows"]] == [3, 4]
    assert any("row 2" in n and "instructions" in n for n in sample["notes"])
    assert upload(bulk, new_ctid(), "competencyframework", bytes(framework_template("cass", sample=True))
                  )["framework"]["result"] == "created"


def test_export_needs_a_framework_and_says_which_when_there_are_several(bulk):
    from transformer.errors import CtdlError

    org = new_ctid()
    with pytest.raises(CtdlError) as none:
        export(bulk, org, "competencyframework")
    assert none.value.http_status == 404 and "no uploaded competency framework" in none.value.message
    first = upload(bulk, org, "competencyframework", TEMPLATE)["framework"]["ctid"]
    rows = rows_of(TEMPLATE)
    rows[1][0] = "Advanced Welder Competencies"
    second = upload(bulk, org, "competencyframework", to_csv(rows))["framework"]["ctid"]
    assert first != second
    with pytest.raises(CtdlError) as several:
        export(bulk, org, "competencyframework")
    assert first in several.value.message and second in several.value.message
    assert rows_of(export(bulk, org, "competencyframework", ctid=second))[1][0] == "Advanced Welder Competencies"


# -- the command line ------------------------------------------------------------------------------------
def ctdl(tmp_path: Path | None, *args):
    store = ["--data", str(tmp_path / "data")] if tmp_path is not None else []
    return run_ctdl(*args, *store, text=True)


def test_cli_upload_export_and_exit_codes(tmp_path):
    org = new_ctid()
    r = ctdl(tmp_path, "bulk", "upload", "competencyframework", DATA / "welding-cass.csv", "--org", org,
             "--format", "json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["framework"]["result"] == "created" and result["summary"]["rejected"] == 0
    assert {"row", "external_id", "status", "ctid", "errors"} <= set(result["rows"][0])

    rows = rows_of(CASS)
    rows[3][rows[0].index("ceasn:isChildOf")] = "no-such-id"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv(rows))
    r = ctdl(tmp_path, "bulk", "upload", "competencyframework", bad, "--org", org)
    assert r.returncode == 1 and "rejected" in r.stdout and "row 4" in r.stdout, r.stdout
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    r = ctdl(tmp_path, "bulk", "upload", "competencyframework", empty, "--org", org)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("ctdl: error [input.empty]")

    r = ctdl(tmp_path, "bulk", "upload", "competencyframework", DATA / "welding-template.csv", "--org", org)
    assert r.returncode == 0, r.stderr
    r = ctdl(tmp_path, "bulk", "export", "competencyframework", "--org", org)    # two frameworks now
    assert r.returncode == 2 and "--ctid" in r.stderr
    status = json.loads(ctdl(tmp_path, "bulk", "status", "--org", org, "--format", "json").stdout)
    assert sorted(s["type"] for s in status) == [FRAMEWORK, FRAMEWORK]
    chosen = next(s["ctid"] for s in status if s["status"] == "pending")
    out = tmp_path / "out.csv"
    r = ctdl(tmp_path, "bulk", "export", "competencyframework", "--org", org, "--ctid", chosen, "-o", out)
    assert r.returncode == 0 and rows_of(out.read_bytes())[0][0] == "Framework Name"
    r = ctdl(None, "bulk", "template", "competencyframework", "--layout", "cass")
    assert r.returncode == 0 and r.stdout.lstrip("\ufeff").startswith("@id,@type,")
