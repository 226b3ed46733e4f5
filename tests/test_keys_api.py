"""An organization's keys and third-party publishers over the API (GET/POST /keys, POST
/keys/{id}/revoke, /org/{ctid}/publishers): the same rules as the dashboard and `ctdl keys`."""
from __future__ import annotations

import json

from http_support import new_ctid


def test_a_key_lists_creates_and_revokes_its_own_organizations_keys(api):
    client, org = api.org_client()
    listed = client.get("/keys").get_json()
    assert [k["Organization"] for k in listed["Keys"]] == [org]
    assert all(set(k) == {"KeyId", "Organization", "Admin", "Created", "LastUsed", "Revoked"} for k in listed["Keys"])
    made = client.post("/keys", data=b"{}")
    assert made.status_code == 200
    new = made.get_json()
    assert new["Key"].startswith("ctdl_") and new["Organization"] == org and new["Admin"] is False
    assert api.client(new["Key"]).get("/keys").status_code == 200                  # it works
    assert len(client.get("/keys").get_json()["Keys"]) == 2
    r = client.post(f"/keys/{new['KeyId']}/revoke")
    assert r.status_code == 200 and api.client(new["Key"]).get("/keys").status_code == 401
    assert client.post(f"/keys/{new['KeyId']}/revoke").status_code == 404          # already revoked


def test_a_key_never_manages_another_organizations_keys(api):
    client, org = api.org_client()
    other_client, other = api.org_client()
    other_id = other_client.get("/keys").get_json()["Keys"][0]["KeyId"]
    assert client.get(f"/keys?org={other}").status_code == 403
    assert client.post("/keys", data=json.dumps({"Organization": other}).encode()).status_code == 403
    assert client.post(f"/keys/{other_id}/revoke").status_code == 404             # not found among its own
    assert other_client.get("/keys").status_code == 200                           # still valid
    assert client.post("/keys", data=b'{"Admin": true}').status_code == 403         # no admin keys from it


def test_an_admin_key_manages_any_organization(api):
    admin, _ = api.org_client(admin=True)
    org = new_ctid()
    made = admin.post("/keys", data=json.dumps({"Organization": org}).encode()).get_json()
    assert made["Organization"] == org
    assert [k["KeyId"] for k in admin.get(f"/keys?org={org}").get_json()["Keys"]] == [made["KeyId"]]
    assert admin.post(f"/keys/{made['KeyId']}/revoke?org={org}").status_code == 200


def test_third_party_publishers(api):
    client, org = api.org_client()
    publisher = new_ctid()
    assert client.post(f"/org/{org}/publishers", data=json.dumps({"Publisher": publisher}).encode()).status_code == 200
    assert api.store.is_authorized(org, publisher)
    assert [p["Publisher"] for p in client.get(f"/org/{org}/publishers").get_json()["Publishers"]] == [publisher]
    assert client.delete(f"/org/{org}/publishers/{publisher}").status_code == 200
    assert not api.store.is_authorized(org, publisher)
    assert client.delete(f"/org/{org}/publishers/{publisher}").status_code == 404
    assert client.get(f"/org/{new_ctid()}/publishers").status_code == 403

