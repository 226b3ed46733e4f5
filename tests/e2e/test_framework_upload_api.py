"""Competency frameworks over HTTP against the real server (both backends): upload, export, template,
approve and publish; competency CTIDs resolve in the read API."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from e2e_support import organization

DATA = Path(__file__).resolve().parent.parent / "data" / "bulk"
TEMPLATE = (DATA / "welding-template.csv").read_bytes()


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_framework_upload_approve_publish_and_read(server):
    client, org = server.org_client()
    files = {"file": ("welding.csv", TEMPLATE, "text/csv")}
    r = client.post(f"/bulk/competencyframework/upload?org={org}", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    framework = body["Framework"]
    assert body["Successful"] is True and framework["result"] == "created" and framework["status"] == "pending"
    assert body["Summary"]["created"] == len(body["Rows"]) == framework["competencies"]
    competency = body["Rows"][3]["ctid"]

    r = client.post("/bulk/approve", data={"org": org, "all": True})
    assert r.status_code == 409 and r.json()["Errors"][0]["code"] == "bulk.organization-not-published"
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    # the organization is published now: its base URL is the server's, so the framework is built again
    # with the server's resource URIs (an upload after the organization: the usual order)
    r = client.post(f"/bulk/competencyframework/upload?org={org}", files=files)
    assert r.status_code == 200 and r.json()["Framework"]["ctid"] == framework["ctid"]
    assert client.post("/bulk/approve", data={"org": org, "ids": [framework["ctid"]]}).status_code == 200
    r = client.post("/bulk/publish", data={"org": org})
    assert r.status_code == 200, r.text
    for ctid in (framework["ctid"], competency):
        got = server.client().get(f"/resources/{ctid}")
        assert got.status_code == 200, (ctid, got.text)
    graph = server.client().get(f"/graph/{framework['ctid']}").json()
    assert graph["@graph"][0]["@type"] == "ceasn:CompetencyFramework"
    assert graph["@graph"][0]["ceasn:publisher"] == [f"{server.url.rstrip('/')}/resources/{org}"]

    exported = client.get(f"/bulk/competencyframework/export?org={org}")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    rows = rows_of(exported.content)
    assert rows[0][-2:] == ["CTID", "Framework CTID"] and rows[1][-1] == framework["ctid"]
    r = client.post(f"/bulk/competencyframework/upload?org={org}", data=exported.content,
                    headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["Framework"]["result"] == "unchanged"
    assert r.json()["Framework"]["status"] == "published"


def test_a_bad_framework_is_422_with_errors_on_rows_and_columns(server):
    client, org = server.org_client()
    rows = rows_of(TEMPLATE)
    rows[5][rows[0].index("Parent")] = "W9"
    data = "\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode("utf-8")
    r = client.post(f"/bulk/competencyframework/upload?org={org}", files={"file": ("f.csv", data, "text/csv")})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["Successful"] is False and body["Framework"]["result"] == "rejected"
    assert any(e["path"] == "/rows/6/Parent" and e.get("value") == "W9" for e in body["Errors"])
    assert client.post(f"/bulk/competencyframework/upload?org={org}",
                       files={"file": ("f.csv", b"", "text/csv")}).status_code == 400
    assert client.get(f"/bulk/competencyframework/export?org={org}").status_code == 200   # the rejected file
    other, _ = server.org_client()
    assert other.get(f"/bulk/competencyframework/export?org={org}").status_code == 403


def test_framework_templates_over_http(server):
    r = server.client().get("/bulk/competencyframework/template?instructions=true")
    assert r.status_code == 200
    header, notes = rows_of(r.content)
    assert header[:3] == ["Framework Name", "Framework Description", "Competency Text"]
    assert notes[0].startswith("Required.")
    r = server.client().get("/bulk/competencyframework/template?layout=cass&sample=true")
    assert r.status_code == 200 and rows_of(r.content)[0][:2] == ["@id", "@type"]
    r = server.client().get("/bulk/competencyframework/template?xlsx=true")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert server.client().get("/bulk/competencyframework/template?layout=excel").status_code == 400
