"""One learning-opportunity spreadsheet, three classes: the Learning Opportunity Class Type column
(Learning Opportunity, Learning Program, Course, in any case, with or without spaces, as the bulk
upload seed's own values) makes each row a resource of its class, staged and published as one."""
from __future__ import annotations

import csv
import io
import json

import pytest

from http_support import new_ctid

ROWS = [("lo-1", "Course", "ceterms:Course"), ("lo-2", "Learning Program", "ceterms:LearningProgram"),
        ("lo-3", "learning opportunity", "ceterms:LearningOpportunityProfile"),
        ("lo-4", "LearningProgram", "ceterms:LearningProgram"), ("lo-5", " COURSE ", "ceterms:Course")]


def sheet() -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["External Identifier", "Learning Opportunity Class Type", "Learning Opportunity Name", "Description",
                "Subject Webpage", "Language", "Available Online At", "Target Credentials"])
    for ext, kind, _ in ROWS:
        w.writerow([ext, kind, f"Welding {ext}", "A practical introduction to safe welding in the shop.",
                    f"https://example.edu/{ext}", "English", "https://example.edu/online", "#DEFER"])
    return out.getvalue()


@pytest.fixture
def uploaded(runner, tmp_path):
    org = new_ctid()
    path = tmp_path / "lo.csv"
    path.write_text(sheet(), encoding="utf-8")
    done = runner.invoke("bulk", "upload", "learningopportunity", path, "--org", org, "--format", "json")
    return org, json.loads(done.stdout)


def test_each_row_is_staged_as_its_class(uploaded, app):
    org, result = uploaded
    assert [r["status"] for r in result["rows"]] == ["created"] * len(ROWS), result
    store = app.extensions["ctdl_registry"].store
    for ext, _, ctdl_type in ROWS:
        record = store.get_staged(org, ext)
        assert record.resource_type == "learningopportunity"
        assert record.document["@graph"][0]["@type"] == ctdl_type, ext


def test_an_unknown_class_type_is_refused_at_its_cell(runner, tmp_path):
    text = sheet().replace("Learning Program", "Apprenticeship", 1)
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    done = runner.invoke("bulk", "upload", "learningopportunity", path, "--org", new_ctid(), "--format", "json")
    rows = json.loads(done.stdout)["rows"]
    assert rows[1]["status"] == "rejected"
    assert rows[1]["errors"][0]["column"] == "Learning Opportunity Class Type"
    assert "Learning Program" in rows[1]["errors"][0]["message"]


def test_a_course_row_is_published_as_a_course(app, runner, tmp_path):
    """Through approval and publishing: the registry's record is a ceterms:Course, not a profile."""
    from bulk_rows import credential

    from service.bulk.workflow import BulkWorkflow

    registry = app.extensions["ctdl_registry"]
    org = new_ctid()
    org_request = {"Organization": {"Type": "ceterms:CredentialOrganization", "CTID": org, "Name": "Riverside College",
                                    "Description": "A public two-year college with career programs.",
                                    "SubjectWebpage": "https://riverside.example.edu/", "AgentType": ["orgType:TwoYear"],
                                    "AgentSectorType": "agentSector:Public", "Email": ["info@riverside.example.edu"]},
                   "PublishForOrganizationIdentifier": org}
    from service.registry.keys import operator_key
    assert registry.publish(json.dumps(org_request).encode(), "organization", operator_key(org)).record is not None
    cred = credential(new_ctid(), org)
    assert registry.publish(json.dumps(cred).encode(), "credential", operator_key(org)).record is not None
    text = sheet().replace("#DEFER", cred["Credential"]["CTID"])
    path = tmp_path / "lo.csv"
    path.write_text(text, encoding="utf-8")
    result = json.loads(runner.invoke("bulk", "upload", "learningopportunity", path, "--org", org,
                                      "--format", "json").stdout)
    assert [r["status"] for r in result["rows"]] == ["created"] * len(ROWS), result
    workflow = BulkWorkflow(registry)
    workflow.approve(org, all=True)
    outcomes = workflow.publish_approved(org)
    assert {o.result for o in outcomes} == {"published"}, [(o.external_id, o.message, o.errors) for o in outcomes]
    for o, (_, _, ctdl_type) in zip(sorted(outcomes, key=lambda o: o.external_id), ROWS):
        assert registry.store.get_by_ctid(o.ctid).ctdl_type == ctdl_type, o.external_id
