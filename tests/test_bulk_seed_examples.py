"""The bulk-upload seed's own example for each column (its "Example:" values), as golden cells: each
is read into the request as the column says, in a learning-opportunity upload, and the seed's whole
example row is staged; Teaches Competency Framework takes the competencies of a framework of this
registry (nothing is fetched from elsewhere)."""
from __future__ import annotations

import csv
import json

import pytest

from http_support import new_ctid
from test_bulk_rows import BASE, ORG, one_row
from transformer.bulk.records.model import column_model
from transformer.bulk.records.validation import validate_row

# column -> (the seed's example, what the request holds)
SEED = {
    "Target Credential Relationship": ("Requires", None),
    "External Identifier": ("abc10012", None),
    "Learning Opportunity Class Type": ("Learning Opportunity", None),
    "Learning Opportunity Name": ("Web Design Certificate Program", ("Name", "Web Design Certificate Program")),
    "Description": ("This certifies that someone is qualified as a web user.",
                    ("Description", "This certifies that someone is qualified as a web user.")),
    "Subject Webpage": ("https://apps.credentialengine.org/resource/123",
                        ("SubjectWebpage", "https://apps.credentialengine.org/resource/123")),
    "Language": ("english", ("InLanguage", ["en"])),
    "Available Online At": ("https://apps.credentialengine.org/online/resource/123/begin",
                            ("AvailableOnlineAt", ["https://apps.credentialengine.org/online/resource/123/begin"])),
    "Learning Method Type": ("Seminar", ("LearningMethodType", ["Seminar"])),
    "Delivery Type": ("BlendedDelivery", ("DeliveryType", ["BlendedDelivery"])),
    "Credit Unit Type": ("DegreeCredit", ("CreditValue", [{"CreditUnitType": "DegreeCredit"}])),
}


@pytest.mark.parametrize("column", sorted(SEED))
def test_the_seeds_example_cell(column):
    example, expected = SEED[column]
    cells = {**BASE, "Learning Opportunity Class Type": "Learning Opportunity", column: example}
    r = validate_row(one_row(cells, "learningopportunity"), column_model("learningopportunity"), ORG)
    assert r.conforms, [(p.column, p.message) for p in r.problems if p.severity == "Violation"]
    if expected:
        key, value = expected
        assert r.request[r.wrapper][key] == value


def test_teaches_competency_framework_takes_the_frameworks_competencies(api, tmp_path):
    from test_cli_publish import framework_request

    org, fw, top, child = new_ctid(), new_ctid(), new_ctid(), new_ctid()
    client = api.client(api.key(org))
    assert client.post("/competencyframework/publish", data=framework_request(org, fw, top, child)).status_code == 200
    path = tmp_path / "lo.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*BASE, "Teaches Competency Framework"])
        w.writerow([*BASE.values(), fw])
        w.writerow([*{**BASE, "External Identifier": "WELD 102"}.values(), new_ctid()])
    done = api.ctdl("bulk", "upload", "course", str(path), "--org", org, "--format", "json")
    rows = json.loads(done[1])["rows"]
    assert rows[0]["status"] == "created", rows[0]
    staged = api.store.get_staged(org, "WELD 101")
    assert sorted(staged.request["Course"]["Teaches"]) == sorted([top, child])
    assert rows[1]["status"] == "rejected" and rows[1]["errors"][0]["code"] == "unknown-framework"
