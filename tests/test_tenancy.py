"""One organization must not be able to act as another (service/registry/tenancy.py), over HTTP on both
backends: owned CTIDs (every node of a graph), organization CTIDs, ownership claims, key management
and verifying envelopes against a trusted key."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bulk_rows import credential, organization
from http_support import new_ctid

DATA = Path(__file__).parent / "data" / "bulk"
WELDING = (DATA / "welding-template.csv").read_bytes()


def for_org(request: dict, org: str) -> dict:
    return {**request, "PublishForOrganizationIdentifier": org}


def published_org(api, org: str | None = None):
    """(client, org) of an organization with a key that has published itself."""
    client, org = api.org_client(org)
    r = client.post("/organization/publish", data=organization(org))
    assert r.status_code == 200, r.get_json()
    return client, org


def publish_framework(client, org: str, data: bytes) -> dict:
    """Upload, approve and publish a competency framework over HTTP; the upload's answer."""
    up = client.post(f"/bulk/competencyframework/upload?org={org}", data=data, content_type="text/csv")
    assert up.status_code == 200, up.get_json()["Messages"]
    assert client.post("/bulk/approve", data={"org": org, "all": True}).status_code == 200
    pub = client.post("/bulk/publish", data={"org": org})
    assert pub.status_code == 200, pub.get_json()
    return up.get_json()


def exported(client, org: str) -> list[list[str]]:
    r = client.get(f"/bulk/competencyframework/export?org={org}")
    assert r.status_code == 200
    return list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def error_codes(body: dict) -> set[str]:
    return {e["code"] for e in body["Errors"]}


# -- competency CTIDs: every CTID of a published graph belongs to its first publisher -------------------
def test_another_framework_may_not_take_over_published_competency_ctids(api):
    client_a, a = published_org(api)
    up = publish_framework(client_a, a, WELDING)
    competencies = [r["ctid"] for r in up["Rows"] if r["ctid"] != up["Framework"]["ctid"]]
    before = {c: client_a.get(f"/resources/{c}").get_json() for c in competencies[:3]}
    graph_before = client_a.get(f"/graph/{competencies[0]}").get_json()

    # B takes A's exported file (every CTID filled in), renames the framework and drops its CTID
    client_b, b = published_org(api)
    rows = exported(client_a, a)
    header = rows[0]
    drop = header.index("Framework CTID")
    rows = [[c for i, c in enumerate(r) if i != drop] for r in rows]
    rows[1][header.index("Framework Name")] = "Welding Competencies (copied)"
    r = client_b.post(f"/bulk/competencyframework/upload?org={b}", data=as_csv(rows), content_type="text/csv")
    assert r.status_code == 422
    body = r.get_json()
    assert "registry.ownership-conflict" in error_codes(body)
    conflict = next(e["message"] for e in body["Errors"] if e["code"] == "registry.ownership-conflict")
    assert min(competencies) in conflict and f"belong to {a}" in conflict and f"and {len(competencies) - 10} more" \
        in conflict
    assert len(conflict) < 2000      # the first CTIDs and a count, however many there are

    # a single record that takes a competency's CTID: 409 naming it and its owner
    r = client_b.post("/credential/publish", data=for_org(credential(competencies[1], b), b))
    assert r.status_code == 409 and competencies[1] in r.get_json()["Messages"][0] and a in r.get_json()["Messages"][0]
    # A's competencies are still A's, as they were
    assert {c: client_a.get(f"/resources/{c}").get_json() for c in competencies[:3]} == before
    assert client_a.get(f"/graph/{competencies[0]}").get_json() == graph_before


def test_a_framework_staged_before_the_owner_published_is_refused_at_publish(api):
    """B staged a copy first; A publishes; B's publish then fails with the conflict, A's data kept."""
    client_a, a = published_org(api)
    client_b, b = published_org(api)
    up = client_a.post(f"/bulk/competencyframework/upload?org={a}", data=WELDING, content_type="text/csv")
    rows = exported(client_a, a)
    header = rows[0]
    rows = [[c for i, c in enumerate(r) if header[i] != "Framework CTID"] for r in rows]
    rows[1][header.index("Framework Name")] = "Copied framework"
    staged = client_b.post(f"/bulk/competencyframework/upload?org={b}", data=as_csv(rows), content_type="text/csv")
    assert staged.status_code == 200, staged.get_json()        # nobody has published them yet
    publish_framework(client_a, a, WELDING)
    assert client_b.post("/bulk/approve", data={"org": b, "all": True}).status_code == 200
    r = client_b.post("/bulk/publish", data={"org": b})
    assert r.status_code == 422
    failed = r.get_json()["Results"][0]
    assert failed["result"] == "failed" and failed["errors"][0]["code"] == "registry.ownership-conflict"
    competency = next(x["ctid"] for x in up.get_json()["Rows"] if x["ctid"] != up.get_json()["Framework"]["ctid"])
    assert client_a.get(f"/resources/{competency}").get_json()["ceterms:ctid"] == competency
    assert api.store.get_by_node_ctid(competency).owned_by == a


# -- organization CTIDs: an organization with a key owns its CTID --------------------------------------
def test_nobody_else_publishes_under_the_ctid_of_an_organization_with_a_key(api):
    api.key(a := new_ctid())                                          # A holds a key, has published nothing
    client_b, b = published_org(api)
    for kind, body in (("organization", organization(a, "Not Really A")), ("credential", credential(a, b))):
        r = client_b.post(f"/{kind}/publish", data=for_org(body, b))
        assert r.status_code == 403, (kind, r.get_json())
        message = r.get_json()["Messages"][0]
        assert a in message and "API key" in message and b in message
    assert api.store.get_by_ctid(a, include_deleted=True) is None
    # bulk staging says the same at upload
    rows = [["External Identifier", "Credential Name", "Credential Type", "Description", "Subject Webpage",
             "Credential Status", "CTID"],
            ["X1", "Welding Certificate", "Certificate", "A certificate for entry-level welders.",
             "https://example.edu/w", "Active", a]]
    r = client_b.post(f"/bulk/credential/upload?org={b}", data=as_csv(rows), content_type="text/csv")
    assert r.status_code == 422 and "auth.forbidden" in error_codes(r.get_json())
    # A itself, and a publisher A authorized publishing for A, may
    assert api.client(api.key(a)).post("/organization/publish", data=organization(a)).status_code == 200
    code, _, _ = api.ctdl("keys", "authorize", "--org", a, "--publisher", b)
    assert code == 0
    r = client_b.post("/credential/publish", data=for_org(credential(new_ctid(), a), a))
    assert r.status_code == 200, r.get_json()


# -- ownership claims need the named organization's consent ---------------------------------------------
@pytest.mark.parametrize("claim", ["OwnedBy", "OfferedBy"])
def test_a_claim_for_another_organization_needs_its_authorization(api, claim):
    client_b, b = published_org(api)
    _, c = published_org(api)
    request = for_org(credential(new_ctid(), b), b)
    request["Credential"][claim] = [c] if claim == "OwnedBy" else [b, c]
    r = client_b.post("/credential/publish", data=request)
    assert r.status_code == 403
    message = r.get_json()["Messages"][0]
    assert f"{claim} (ceterms:{claim[0].lower() + claim[1:]}) {c}" in message
    assert f"ctdl keys authorize --org {c} --publisher {b}" in message
    assert r.get_json()["Errors"][0]["path"].startswith("/@graph/0/ceterms:")
    # C authorizes B: accepted; C withdraws it: refused again
    assert api.ctdl("keys", "authorize", "--org", c, "--publisher", b)[0] == 0
    assert client_b.post("/credential/publish", data=request).status_code == 200
    assert api.ctdl("keys", "unauthorize", "--org", c, "--publisher", b)[0] == 0
    request["Credential"]["Name"] = "Welding Certificate Level Two"
    assert client_b.post("/credential/publish", data=request).status_code == 403


def test_a_claim_written_as_a_registry_url_of_any_host_is_seen(api):
    client_b, b = published_org(api)
    c = new_ctid()
    request = for_org(credential(new_ctid(), b), b)
    request["Credential"]["OfferedBy"] = [f"https://credentialengineregistry.org/resources/{c}"]
    r = client_b.post("/credential/publish", data=request)
    assert r.status_code == 403 and c in r.get_json()["Messages"][0]


def test_an_admin_key_is_not_limited_by_claims(api):
    admin, _ = api.org_client(admin=True)
    _, b = published_org(api)
    _, c = published_org(api)
    request = for_org(credential(new_ctid(), b), b)
    request["Credential"]["OfferedBy"] = [c]
    assert admin.post("/credential/publish", data=request).status_code == 200


# -- keys: list, revoke by id, unauthorize ---------------------------------------------------------------
def test_keys_are_listed_without_their_secret_and_revoked_by_id(api):
    org = new_ctid()
    key = api.key(org)
    client = api.client(key)
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    code, out, _ = api.ctdl("keys", "list", "--org", org, "--format", "json")
    assert code == 0
    listed = json.loads(out)["keys"]
    assert len(listed) == 1 and set(listed[0]) == {"id", "org", "admin", "created_at", "last_used_at", "revoked_at"}
    entry = listed[0]
    assert entry["org"] == org and entry["last_used_at"] and entry["revoked_at"] is None
    assert key not in out and key[5:20] not in out                    # never the secret
    code, text, _ = api.ctdl("keys", "list")
    assert code == 0 and entry["id"] in text and "last used" in text and key not in text
    # the key is lost: revoke it by its id
    assert api.ctdl("keys", "revoke", entry["id"])[0] == 0
    r = client.post("/organization/publish", data=organization(org, "Renamed"))
    assert r.status_code == 401
    code, _, err = api.ctdl("keys", "revoke", entry["id"])
    assert code == 2 and "already revoked" in err
    assert json.loads(api.ctdl("keys", "list", "--org", org, "--format", "json")[1])["keys"][0]["revoked_at"]


def test_unauthorize_withdraws_publishing_for_another_organization(api):
    client_a, a = published_org(api)
    client_b, b = published_org(api)
    assert api.ctdl("keys", "authorize", "--org", a, "--publisher", b)[0] == 0
    assert client_b.post("/credential/publish", data=for_org(credential(new_ctid(), a), a)).status_code == 200
    code, out, _ = api.ctdl("keys", "list", "--org", a)
    assert f"{a} <- {b}" in out
    assert api.ctdl("keys", "unauthorize", "--org", a, "--publisher", b)[0] == 0
    assert client_b.post("/credential/publish", data=for_org(credential(new_ctid(), a), a)).status_code == 403
    code, _, err = api.ctdl("keys", "unauthorize", "--org", a, "--publisher", b)
    assert code == 2 and "was not authorized" in err


# -- envelopes checked against a key you trust ----------------------------------------------------------
def test_verify_against_a_trusted_key(api, tmp_path):
    from service.registry.signing import load_or_create_signing_key, public_key_pem

    client, org = published_org(api)
    envelope_id = client.post("/organization/publish", data=organization(org, "Renamed College")).get_json()[
        "RegistryEnvelopeIdentifier"]
    envelope = client.get(f"/envelopes/{envelope_id}").get_json()
    path = tmp_path / "envelope.json"
    path.write_text(json.dumps(envelope), encoding="utf-8")
    ours = tmp_path / "ours.pem"
    ours.write_text(client.get("/registry/public-key").get_data(as_text=True), encoding="ascii")
    theirs = tmp_path / "theirs.pem"
    theirs.write_text(public_key_pem(load_or_create_signing_key(tmp_path / "other")), encoding="ascii")

    code, out, _ = api.ctdl_plain("verify", str(path))
    assert code == 0 and out.startswith("self-consistent only") and "--key" in out
    code, out, _ = api.ctdl_plain("verify", str(path), "--key", str(ours))
    assert code == 0 and out.startswith("verified:")
    code, out, _ = api.ctdl_plain("verify", str(path), "--registry", str(api.data_dir))
    assert code == 0 and out.startswith("verified:")
    code, out, _ = api.ctdl_plain("verify", str(path), "--key", str(theirs))
    assert code == 1 and "not the trusted key" in out
    # an envelope re-signed by someone else with their own key is self-consistent, never trusted
    from service.registry.signing import sign_jws

    forged_key = load_or_create_signing_key(tmp_path / "forger")
    forged = {**envelope, "resource": sign_jws(envelope["decoded_resource"], forged_key),
              "resource_public_key": public_key_pem(forged_key)}
    path.write_text(json.dumps(forged), encoding="utf-8")
    assert api.ctdl_plain("verify", str(path))[0] == 0
    code, out, _ = api.ctdl_plain("verify", str(path), "--key", str(ours))
    assert code == 1 and "not the trusted key" in out
