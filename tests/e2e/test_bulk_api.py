"""Bulk uploads over HTTP against the real server (both backends): review, approve, publish, addresses;
and the `ctdl bulk` command acting on the same registry as the server.

Rows are staged in this process straight into the server's store (SQLite in its --data, or its
PostgreSQL database), as the upload step will: the routes under test only review and act on them.
"""
from __future__ import annotations

import json

import pytest

from bulk_rows import credential, learning_opportunity, row
from e2e_support import new_ctid, organization
from service.bulk.workflow import BulkWorkflow
from service.registry.core import Registry
from service.store import open_store
from transformer.enrich import Options


def stage(server, org: str, kind: str, rows: list) -> list:
    store = open_store(server.data_dir, server.database)
    try:
        return BulkWorkflow(Registry(store, None, "", Options(registry=server.url))).stage_rows(org, kind, rows)
    finally:
        store.close()


def upload(server, org: str) -> dict:
    """Two credentials and a deferred learning opportunity: external id -> CTID."""
    creds = [row(f"cred_{i}", credential(new_ctid(), org), "credential") for i in (1, 2)]
    lopp = row("lopp_1", learning_opportunity(new_ctid(), org), "learningopportunity", deferred=True)
    out = stage(server, org, "credential", creds) + stage(server, org, "learningopportunity", [lopp])
    assert [o.result for o in out] == ["created"] * 3
    return {o.external_id: o.ctid for o in out}


def records(client, org: str, **params) -> dict:
    r = client.get("/bulk/status", params={"org": org, **params})
    assert r.status_code == 200, r.text
    return {x["external_id"]: x for x in r.json()["Records"]}


def test_review_approve_publish(server):
    client, org = server.org_client()
    ctids = upload(server, org)
    listed = records(client, org)
    assert {k: (v["status"], v["ctid"], v["deferred"]) for k, v in listed.items()} == {
        "cred_1": ("pending", ctids["cred_1"], False), "cred_2": ("pending", ctids["cred_2"], False),
        "lopp_1": ("pending", ctids["lopp_1"], True)}
    assert set(records(client, org, type="Credential")) == {"cred_1", "cred_2"}

    r = client.post("/bulk/approve", data={"org": org, "all": True})
    assert r.status_code == 409 and r.json()["Errors"][0]["code"] == "bulk.organization-not-published"
    assert "not published in this registry" in r.json()["Messages"][0]
    assert client.post("/organization/publish", data=organization(org)).status_code == 200

    r = client.post("/bulk/approve", data={"org": org, "ids": ["lopp_1", "cred_1"]})
    assert r.status_code == 409
    assert [(e["code"], e["external_id"]) for e in r.json()["Errors"]] == [("bulk.deferred", "lopp_1")]
    assert "connect it to a Target Credential first" in r.json()["Errors"][0]["message"]
    assert records(client, org)["cred_1"]["status"] == "pending"             # all or nothing

    r = client.post("/bulk/approve", data={"org": org, "all": True})
    assert r.status_code == 200 and r.json()["Successful"] is True
    assert {x["external_id"]: x["result"] for x in r.json()["Results"]} == {
        "cred_1": "approved", "cred_2": "approved", "lopp_1": "skipped"}

    r = client.post("/bulk/publish", data={"org": org})
    assert r.status_code == 200 and r.json()["Successful"] is True, r.text
    results = {x["external_id"]: x for x in r.json()["Results"]}
    assert {k: v["result"] for k, v in results.items()} == {"cred_1": "published", "cred_2": "published"}
    for ext in ("cred_1", "cred_2"):
        envelope = client.get(f"/envelopes/{results[ext]['envelope_id']}").json()
        assert envelope["envelope_ceterms_ctid"] == ctids[ext] and envelope["owned_by"] == org
        assert client.get(f"/resources/{ctids[ext]}").status_code == 200
    listed = records(client, org, status="published")
    assert set(listed) == {"cred_1", "cred_2"} and listed["cred_1"]["envelope_id"] == results["cred_1"]["envelope_id"]
    r = client.post("/bulk/publish", data={"org": org})
    assert r.status_code == 200 and r.json()["Results"] == []


def test_a_changed_published_record_waits_for_approval(server):
    client, org = server.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    request = credential(new_ctid(), org)
    stage(server, org, "credential", [row("c1", request, "credential")])
    client.post("/bulk/approve", data={"org": org, "ids": ["c1"]})
    assert client.post("/bulk/publish", data={"org": org}).status_code == 200
    request["Credential"]["Name"] = "Welding Certificate, Level One"
    assert stage(server, org, "credential", [row("c1", request, "credential")])[0].result == "updated"
    assert records(client, org)["c1"]["status"] == "pending"
    ctid = request["Credential"]["CTID"]
    text = client.get(f"/resources/{ctid}").text                         # the registry still has the old name
    assert "Welding Certificate Level One" in text and "Certificate, Level One" not in text


def test_keys_act_for_their_organization(server):
    owner, org = server.org_client()
    upload(server, org)
    assert owner.post("/organization/publish", data=organization(org)).status_code == 200
    stranger, _ = server.org_client()
    anonymous = server.client()
    for method, path, body in [("GET", f"/bulk/status?org={org}", None), ("POST", "/bulk/approve", {"org": org, "all": True}),
                               ("POST", "/bulk/publish", {"org": org}), ("GET", f"/org/{org}/addresses", None),
                               ("PUT", f"/org/{org}/addresses", {})]:
        assert anonymous.request(method, path, data=body).status_code == 401, path
        assert stranger.request(method, path, data=body).status_code == 403, path
    third, publisher = server.org_client()
    server.authorize(org, publisher)
    assert third.post("/bulk/approve", data={"org": org, "ids": ["cred_1"]}).status_code == 200
    r = third.post("/bulk/publish", data={"org": org})
    assert r.status_code == 200
    envelope = third.get(f"/envelopes/{r.json()['Results'][0]['envelope_id']}").json()
    assert envelope["published_by"] == publisher and envelope["owned_by"] == org
    admin = server.client(server.create_key(new_ctid(), admin=True))
    assert admin.get("/bulk/status", params={"org": org}).status_code == 200


def test_unusable_requests(server):
    client, org = server.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    upload(server, org)
    cases = [({"org": org, "ids": "cred_1"}, 400), ({"org": org}, 400), ({"org": org, "ids": ["cred_1"], "all": True}, 400),
             ({"org": org, "all": "yes"}, 400), ({"org": org, "all": True, "type": "widget"}, 400),
             ({"org": "ce-nope", "all": True}, 400), ({"org": org, "ids": [new_ctid()]}, 404)]
    for body, status in cases:
        r = client.post("/bulk/approve", data=body)
        assert r.status_code == status, (body, r.text)
    assert client.get("/bulk/status", params={"org": org, "status": "done"}).status_code == 400
    assert client.get("/bulk/status").json()["Organization"] == org                # the key's by default


def test_a_record_the_registry_refuses_fails_and_the_others_publish(server):
    client, org = server.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    ctids = upload(server, org)
    client.post("/bulk/approve", data={"org": org, "all": True})
    rival, rival_org = server.org_client()
    taken = {**credential(ctids["cred_2"], rival_org), "PublishForOrganizationIdentifier": rival_org}
    assert rival.post("/credential/publish", data=taken).status_code == 200
    r = client.post("/bulk/publish", data={"org": org})
    assert r.status_code == 422 and r.json()["Successful"] is False
    assert [(e["external_id"], e["code"]) for e in r.json()["Errors"]] == [("cred_2", "registry.ownership-conflict")]
    listed = records(client, org)
    assert listed["cred_1"]["status"] == "published" and listed["cred_2"]["status"] == "rejected"


def test_addresses(server):
    client, org = server.org_client()
    places = {"main": {"Address1": "1 Main St", "City": "Springfield", "AddressRegion": "IL", "PostalCode": "62701",
                       "Country": "US"}, "north": {"City": "Peoria", "AddressRegion": "IL", "Latitude": 40.69}}
    assert client.get(f"/org/{org}/addresses").json()["Addresses"] == {}
    r = client.put(f"/org/{org}/addresses", data=places)
    assert r.status_code == 200 and r.json()["Addresses"] == places
    assert client.get(f"/org/{org.upper()}/addresses").json()["Addresses"] == places
    r = client.put(f"/org/{org}/addresses", data={"main": {"Citty": "x"}, "all": {"City": "y"}})
    assert r.status_code == 422
    assert {(e["path"], e["code"]) for e in r.json()["Errors"]} == {
        ("/main/Citty", "unknown-property"), ("/all", "org.invalid-address-id")}
    assert client.put(f"/org/{org}/addresses", data=b"[]").status_code == 400
    assert client.get(f"/org/{org}/addresses").json()["Addresses"] == places      # unchanged
    assert client.get("/org/ce-nope/addresses").status_code == 400


def test_manifests(server):
    client, org = server.org_client()
    costs = {"tuition": new_ctid(), "lab-fees": new_ctid()}
    assert client.get(f"/org/{org}/manifests/cost").json()["Manifests"] == {}
    r = client.put(f"/org/{org}/manifests/cost", data=costs)
    assert r.status_code == 200 and r.json()["Manifests"] == costs
    assert client.get(f"/org/{org}/manifests/condition").json()["Manifests"] == {}   # kept apart
    r = client.put(f"/org/{org}/manifests/cost", data={"all": new_ctid(), "fees": "not-a-ctid"})
    assert r.status_code == 422
    assert {(e["path"], e["code"]) for e in r.json()["Errors"]} == {
        ("/all", "org.invalid-manifest-id"), ("/fees", "invalid-ctid")}
    assert client.get(f"/org/{org}/manifests/cost").json()["Manifests"] == costs     # unchanged
    r = client.get(f"/org/{org}/manifests/price")
    assert r.status_code == 404 and "cost and condition" in r.json()["Messages"][0]
    assert client.put(f"/org/{org}/manifests/cost", data=b"[]").status_code == 400
    # the command line sees the same manifests
    out = server.ctdl("org", "manifests", "--org", org, "--kind", "cost", "--format", "json").stdout
    assert json.loads(out) == costs


def test_the_command_line_acts_on_the_servers_registry(server):
    client, org = server.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    ctids = upload(server, org)
    assert client.post("/bulk/approve", data={"org": org, "ids": ["cred_1"]}).status_code == 200
    status = json.loads(server.ctdl("bulk", "status", "--org", org, "--format", "json").stdout)
    assert {x["external_id"]: x["status"] for x in status} == {"cred_1": "approved", "cred_2": "pending",
                                                               "lopp_1": "pending"}
    server.ctdl("bulk", "approve", "--org", org, "cred_2")
    out = server.ctdl("bulk", "publish", "--org", org, "--format", "json").stdout
    assert {x["external_id"]: x["result"] for x in json.loads(out)} == {"cred_1": "published", "cred_2": "published"}
    doc = client.get(f"/resources/{ctids['cred_1']}").json()
    assert doc["@id"] == f"{server.url}resources/{ctids['cred_1']}"       # the server's URIs
    assert records(client, org)["cred_2"]["status"] == "published"
    refused = server.ctdl("bulk", "approve", "--org", org, "lopp_1", check=False)
    assert refused.returncode == 1 and "Target Credential" in refused.stdout


@pytest.mark.parametrize("body", [b"{oops", b"[]"])
def test_bad_bodies_are_400(server, body):
    client, org = server.org_client()
    assert client.post("/bulk/approve", data=body).status_code == 400
    assert client.post("/bulk/publish", data=body).status_code == 400
