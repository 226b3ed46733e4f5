"""Publishing rules through the real server: read-back, history, no-op, third party, references."""
from __future__ import annotations

import pytest

from e2e_support import assert_error_shape, credential, new_ctid, organization, payload_of


def test_published_graph_equals_the_formatted_payload(server, publisher):
    client, org = publisher
    for kind, req in (("organization", organization(org)), ("credential", credential(new_ctid(), org))):
        formatted = server.client().post(f"/{kind}/format", data=req)
        assert formatted.status_code == 200
        published = client.post(f"/{kind}/publish", data=req)
        assert published.status_code == 200
        ctid = published.json()["CTID"]
        graph = server.client().get(f"/graph/{ctid}").json()
        assert graph == payload_of(formatted.json()) == payload_of(published.json())


def test_update_keeps_history_and_identical_content_is_a_no_op(server):
    client, org = server.org_client()
    names = ["Riverside Technical College", "Riverside Technical College East", "Riverside College"]
    bodies = []
    for name in names:
        r = client.post("/organization/publish", data=organization(org, name))
        assert r.status_code == 200 and r.json()["WasChanged"] is True
        bodies.append(r.json())
    envelope_id = bodies[0]["RegistryEnvelopeIdentifier"]
    assert {b["RegistryEnvelopeIdentifier"] for b in bodies} == {envelope_id}

    again = client.post("/organization/publish", data=organization(org, names[-1]))
    assert again.status_code == 200
    assert again.json()["WasChanged"] is False and again.json()["Successful"] is True
    assert again.json()["RegistryEnvelopeIdentifier"] == envelope_id

    revisions = server.client().get(f"/envelopes/{envelope_id}/revisions").json()
    assert [payload_of(b) for b in bodies] == [r["decoded_resource"] for r in revisions]
    envelope = server.client().get(f"/envelopes/{envelope_id}").json()
    history = envelope["node_headers"]["revision_history"]
    assert [h["version"] for h in history] == [1, 2, 3]
    assert [h["digest"] for h in history] == [r["node_headers"]["resource_digest"] for r in revisions]
    assert envelope["node_headers"]["created_at"] == revisions[0]["node_headers"]["created_at"]
    assert envelope["node_headers"]["updated_at"] == revisions[-1]["node_headers"]["updated_at"]
    assert server.client().get(f"/resources/{org}").json()["ceterms:name"] == {"en-US": names[-1]}


def test_third_party_publishing(server):
    client_a, a = server.org_client()
    client_b, b = server.org_client()
    assert client_a.post("/organization/publish", data=organization(a)).status_code == 200
    cred = new_ctid()
    # not yet authorized
    r = client_b.post("/credential/publish", data=credential(cred, a, for_org=a))
    assert r.status_code == 403 and a in assert_error_shape(r)["Messages"][0]
    server.authorize(a, b)
    r = client_b.post("/credential/publish", data=credential(cred, a, for_org=a.upper()))
    assert r.status_code == 200, r.text
    envelope = server.client().get(f"/envelopes/{r.json()['RegistryEnvelopeIdentifier']}").json()
    assert envelope["owned_by"] == a and envelope["published_by"] == b
    # the owner may update it; B publishing for itself may not (it belongs to A)
    assert client_a.post("/credential/publish", data=credential(cred, a, "Welding, by A")).status_code == 200
    assert client_b.post("/credential/publish", data=credential(cred, b, for_org=b)).status_code == 409
    # B may delete it for A
    r = client_b.delete("/credential/delete", data={"CTID": cred, "PublishForOrganizationIdentifier": a})
    assert r.status_code == 200
    history = server.client().get(f"/envelopes/{envelope['envelope_id']}").json()["node_headers"]["revision_history"]
    assert [(h["version"], h["published_by"]) for h in history] == [(1, b), (2, a), (3, b)]
    # authorization is one way: A may not publish for B
    assert client_a.post("/organization/publish", data=organization(b)).status_code == 403


def test_admin_key_may_publish_for_anyone(server):
    admin, admin_org = server.org_client(admin=True)
    client, org = server.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    r = admin.post("/organization/publish", data=organization(org, "Corrected by the registry"))
    assert r.status_code == 200
    env = server.client().get(f"/envelopes/{r.json()['RegistryEnvelopeIdentifier']}").json()
    assert env["owned_by"] == org and env["published_by"] == admin_org


def test_unknown_owner_is_a_warning(server, publisher):
    client, org = publisher
    missing = new_ctid()
    server.authorize(missing, org)
    r = client.post("/credential/publish", data=credential(new_ctid(), missing))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Successful"] is True
    assert any(missing in w for w in body["Warnings"]), body["Warnings"]
    # a known owner gives no such warning
    r = client.post("/credential/publish", data=credential(new_ctid(), org))
    assert r.status_code == 200 and not any("not in this registry" in w for w in r.json()["Warnings"])


def test_strict_references_refuse_unknown_owner(strict_server):
    client, org = strict_server.org_client()
    cred = new_ctid()
    r = client.post("/credential/publish", data=credential(cred, org))   # the owner is not published yet
    assert r.status_code == 422
    body = assert_error_shape(r)
    assert any(org in e["message"] and e["code"] == "reference-not-found" for e in body["Errors"]), body["Errors"]
    assert strict_server.client().get(f"/resources/{cred}").status_code == 404
    # format does not check the registry
    assert strict_server.client().post("/credential/format", data=credential(cred, org)).status_code == 200
    # once the owner is published, the credential is accepted
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    r = client.post("/credential/publish", data=credential(cred, org))
    assert r.status_code == 200 and r.json()["WasChanged"] is True
    # a deleted owner no longer counts
    other_cred = new_ctid()
    assert client.delete(f"/resources/{org}").status_code == 200
    assert client.post("/credential/publish", data=credential(other_cred, org)).status_code == 422


@pytest.mark.parametrize("kind, case", [
    ("organization", "handbook-organization-recommended"),
    ("assessment", "handbook-assessment-recommended"),
    ("learningopportunity", "handbook-learningopportunity-recommended"),
    ("credential", "handbook-credential-recommended"),
])
def test_handbook_examples_format(server, kind, case):
    """The Registry Assistant handbook's examples go through POST /{type}/format without a 5xx."""
    from e2e_support import REPO

    data = (REPO / "tests" / "cases" / case / "input.json").read_bytes()
    r = server.client().post(f"/{kind}/format", data=data)
    assert r.status_code in (200, 422)
    assert payload_of(r.json())["@graph"][0]["ceterms:ctid"] == r.json()["CTID"]
