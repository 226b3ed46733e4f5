"""Every route of the real server and every status code it documents, on both backends."""
from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from e2e_support import assert_error_shape, credential, new_ctid, organization, payload_of


def error_codes(resp) -> list[str]:
    return [e["code"] for e in assert_error_shape(resp)["Errors"]]


# -- POST /{type}/format -----------------------------------------------------------------------------------
def test_format_valid(server):
    ctid = new_ctid()
    r = server.client().post("/organization/format", data=organization(ctid))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["Successful"] is True and body["Errors"] == [] and body["Messages"] == []
    assert body["CTID"] == ctid
    doc = payload_of(body)
    assert doc["@graph"][0]["ceterms:ctid"] == ctid
    assert doc["@graph"][0]["@id"] == f"{server.url}resources/{ctid}"
    assert doc["@id"] == f"{server.url}graph/{ctid}"


@pytest.mark.parametrize("path", ["/Organization/format", "/ORGANIZATION/format", "/oRgAnIzAtIoN/format"])
def test_format_type_is_case_insensitive(server, path):
    r = server.client().post(path, data=organization(new_ctid()))
    assert r.status_code == 200 and r.json()["Successful"] is True


def test_format_violations_point_into_the_request(server):
    req = organization(new_ctid())
    del req["Organization"]["Name"]
    req["Organization"]["AgentType"] = ["orgType:TwoYear", "orgType:Nonsense"]
    r = server.client().post("/organization/format", data=req)
    assert r.status_code == 422
    body = assert_error_shape(r)
    assert body["Payload"]                                       # the document is still returned
    by_path = {e["path"]: e for e in body["Errors"]}
    assert by_path["/Organization/Name"]["property"] == "Name"
    assert by_path["/Organization/Name"]["code"] == "required"
    assert by_path["/Organization/AgentType/1"]["property"] == "AgentType"
    assert "orgType:Nonsense" in by_path["/Organization/AgentType/1"]["message"]
    for e in body["Errors"]:                                     # every pointer resolves in the request
        node = req
        for part in e["path"].split("/")[1:]:
            node = node[int(part)] if isinstance(node, list) else node.get(part, {})
        assert node is not None


@pytest.mark.parametrize("body, code", [
    (b"{not json", "input.not-json"),
    (b"", "input.not-json"),
    (b'{"Organization": {"Name": "Caf\xe9 \xff"}}', "input.encoding"),
    (b"[1, 2, 3]", "input.wrong-shape"),
    (b'"text"', "input.wrong-shape"),
    (b'{"Organization": [1]}', "input.wrong-shape"),
    (b'{"Spaceship": {"Name": "x"}}', "input.unknown-type"),
    (b'{"Credential": {"Name": "x"}}', "input.unknown-type"),
])
def test_format_unusable_body_is_400(server, body, code):
    r = server.client().post("/organization/format", data=body)
    assert r.status_code == 400, r.text
    assert error_codes(r)[0].startswith(code.split(".")[0]), r.text
    assert code in error_codes(r), r.text


def test_format_too_deep_is_400(server):
    deep = "[" * 200 + "]" * 200
    r = server.client().post("/organization/format", data=f'{{"Organization": {{"Keyword": {deep}}}}}')
    assert r.status_code == 400 and "input.too-deep" in error_codes(r)


def test_format_unknown_type_is_404(server):
    r = server.client().post("/spaceship/format", data=organization(new_ctid()))
    assert r.status_code == 404
    assert "organization" in assert_error_shape(r)["Messages"][0]


def test_body_over_8_mb_is_413(server):
    big = json.dumps({"Organization": {"Name": "x", "Description": "y" * (8 * 1024 * 1024 + 10)}})
    client, _ = server.org_client()          # publishing checks the key first (401), then the body
    for path in ("/organization/format", "/organization/publish", "/validate"):
        try:
            r = client.post(path, data=big)
        except requests.ConnectionError:     # a server may close the connection after answering early
            pytest.fail(f"{path}: the connection was closed before a 413 answer")
        assert r.status_code == 413, path
        assert "input.too-large" in error_codes(r)


def test_body_limit_is_exact(server):
    """8 MB is accepted, one byte more is not: with Content-Length and chunked (no Content-Length)."""
    limit = 8 * 1024 * 1024
    doc = json.dumps(organization(new_ctid())).encode()
    at_limit = doc + b" " * (limit - len(doc))
    client = server.client()
    assert client.post("/organization/format", data=at_limit).status_code == 200
    assert client.post("/organization/format", data=at_limit + b" ").status_code == 413
    chunked = lambda data: (data[i:i + (1 << 20)] for i in range(0, len(data), 1 << 20))  # noqa: E731
    assert client.post("/organization/format", data=chunked(at_limit)).status_code == 200
    r = client.post("/organization/format", data=chunked(at_limit + b"  "))
    assert r.status_code == 413 and "input.too-large" in error_codes(r)


# -- POST /{type}/publish ------------------------------------------------------------------------------------
def test_publish_without_key_is_401(server):
    org = new_ctid()
    for headers in ({}, {"Authorization": ""}, {"Authorization": "ApiToken"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "ApiToken ctdl_not-a-real-key"},
                    {"Authorization": "Bearer " + "x" * 600}):
        r = server.client().post("/organization/publish", data=organization(org), headers=headers)
        assert r.status_code == 401, headers
        assert "auth.required" in error_codes(r)
    assert server.client().get(f"/resources/{org}").status_code == 404


def test_publish_with_revoked_key_is_401(server):
    org = new_ctid()
    key = server.create_key(org)
    client = server.client(key)
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    server.revoke(key)
    r = client.post("/organization/publish", data=organization(org, "Renamed College"))
    assert r.status_code == 401 and "revoked" in r.json()["Messages"][0]
    # Bearer works like ApiToken: still refused
    r = server.client().post("/organization/publish", data=organization(org),
                             headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401


def test_publish_for_another_org_without_authorization_is_403(server):
    client, org = server.org_client()
    other = new_ctid()
    r = client.post("/organization/publish", data=organization(other))   # PublishFor... = other
    assert r.status_code == 403 and "auth.forbidden" in error_codes(r)
    r = client.post("/organization/publish", data=organization(org, for_org="not-a-ctid"))
    assert r.status_code == 403
    assert server.client().get(f"/resources/{other}").status_code == 404


def test_publish_invalid_is_422_and_valid_is_200(server):
    client, org = server.org_client()
    bad = organization(org)
    bad["Organization"]["Description"] = "short"
    r = client.post("/organization/publish", data=bad)
    assert r.status_code == 422
    body = assert_error_shape(r)
    assert any(e["path"] == "/Organization/Description" for e in body["Errors"]), body["Errors"]
    assert server.client().get(f"/resources/{org}").status_code == 404       # nothing was stored
    r = client.post("/organization/publish", data=organization(org))
    assert r.status_code == 200
    body = r.json()
    assert body["Successful"] is True and body["WasChanged"] is True and body["CTID"] == org
    assert body["EnvelopeUrl"] == f"{server.url}envelopes/{body['RegistryEnvelopeIdentifier']}"
    assert body["GraphUrl"] == f"{server.url}graph/{org}"


def test_publish_without_ctid_is_422(server):
    client, org = server.org_client()
    req = organization(org)
    del req["Organization"]["CTID"]
    r = client.post("/organization/publish", data=req)
    assert r.status_code == 422
    assert any("CTID" in (e["path"] + e["message"]) for e in assert_error_shape(r)["Errors"])


def test_publish_conflicting_owner_is_409(server):
    client_a, a = server.org_client()
    client_b, b = server.org_client()
    cred = new_ctid()
    r = client_a.post("/credential/publish", data=credential(cred, a))
    assert r.status_code == 200, r.text
    r = client_b.post("/credential/publish", data=credential(cred, b, "Stolen Certificate"))
    assert r.status_code == 409 and "registry.ownership-conflict" in error_codes(r)
    r = client_b.delete("/credential/delete", data={"CTID": cred, "PublishForOrganizationIdentifier": b})
    assert r.status_code == 409
    r = client_b.delete(f"/resources/{cred}")
    assert r.status_code == 409
    doc = server.client().get(f"/graph/{cred}").json()
    assert doc["@graph"][0]["ceterms:name"] == {"en-US": "Welding Certificate Level One"}


# -- deleting ------------------------------------------------------------------------------------------------
def _published_credential(server):
    client, org = server.org_client()
    cred = new_ctid()
    first = client.post("/credential/publish", data=credential(cred, org))
    assert first.status_code == 200, first.text
    second = client.post("/credential/publish", data=credential(cred, org, "Welding Certificate Level Two"))
    assert second.status_code == 200
    return client, org, cred, first.json()["RegistryEnvelopeIdentifier"]


@pytest.mark.parametrize("how", ["assistant", "resources"])
def test_delete_keeps_history(server, how):
    client, org, cred, envelope_id = _published_credential(server)
    if how == "assistant":
        r = client.delete("/credential/delete", data={"CTID": cred, "PublishForOrganizationIdentifier": org})
    else:
        r = client.delete(f"/resources/{cred.upper()}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Successful"] is True and body["CTID"] == cred and body["RegistryEnvelopeIdentifier"] == envelope_id
    for path in (f"/resources/{cred}", f"/graph/{cred}"):
        r = server.client().get(path)
        assert r.status_code == 404
        message = r.json()["Messages"][0]
        assert "deleted" in message and f"envelopes/{envelope_id}/revisions" in message
    revisions = server.client().get(f"/envelopes/{envelope_id}/revisions").json()
    assert [rev["node_headers"]["deleted_at"] is not None for rev in revisions] == [False, False, True]
    envelope = server.client().get(f"/envelopes/{envelope_id}").json()
    assert envelope["node_headers"]["deleted_at"] and len(envelope["node_headers"]["revision_history"]) == 3
    listed = server.client().get("/envelopes", params={"owned_by": org}).json()
    assert cred not in [e["envelope_ceterms_ctid"] for e in listed]
    # deleting again, or something never published: 404
    assert client.delete(f"/resources/{cred}").status_code == 404
    assert client.delete("/credential/delete", data={"CTID": new_ctid()}).status_code == 404
    # publishing again brings it back, as the next version
    r = client.post("/credential/publish", data=credential(cred, org))
    assert r.status_code == 200 and r.json()["WasChanged"] is True
    assert server.client().get(f"/resources/{cred}").status_code == 200
    assert len(server.client().get(f"/envelopes/{envelope_id}/revisions").json()) == 4


def test_delete_errors(server):
    client, org = server.org_client()
    assert server.client().delete("/credential/delete", data={"CTID": new_ctid()}).status_code == 401
    assert server.client().delete(f"/resources/{new_ctid()}").status_code == 401
    r = client.delete("/credential/delete", data={})
    assert r.status_code == 400 and assert_error_shape(r)["Errors"][0]["path"] == "/CTID"
    assert client.delete("/credential/delete").status_code == 400
    assert client.delete("/credential/delete", data=b"[]").status_code == 400
    assert client.delete("/credential/delete", data=b"{oops").status_code == 400
    assert client.delete("/credential/delete", data={"CTID": ["x"]}).status_code == 400
    assert client.delete("/spaceship/delete", data={"CTID": new_ctid()}).status_code == 404
    assert client.delete("/resources/not-a-ctid").status_code == 404
    # the CTID may also come as ?ctid=
    assert client.delete(f"/credential/delete?ctid={new_ctid()}").status_code == 404
    # for another organization without authorization
    r = client.delete("/credential/delete", data={"CTID": new_ctid(), "PublishForOrganizationIdentifier": new_ctid()})
    assert r.status_code == 403


def test_delete_through_the_wrong_type_endpoint_is_refused(server):
    client, org, cred, envelope_id = _published_credential(server)
    r = client.delete("/organization/delete", data={"CTID": cred, "PublishForOrganizationIdentifier": org})
    assert r.status_code == 404 and "not a organization" in r.json()["Messages"][0]
    assert server.client().get(f"/resources/{cred}").status_code == 200  # still there
    r = client.delete("/credential/delete", data={"CTID": cred, "PublishForOrganizationIdentifier": org})
    assert r.status_code == 200


# -- admin -------------------------------------------------------------------------------------------------
def test_purge_and_transfer_need_an_admin_key(server):
    client, org, cred, envelope_id = _published_credential(server)
    for path, body in (("/admin/purge", {"CTID": cred}), ("/admin/transfer", {"CTID": cred, "NewOwner": new_ctid()})):
        assert server.client().post(path, data=body).status_code == 401
        r = client.post(path, data=body)
        assert r.status_code == 403 and "auth.forbidden" in error_codes(r)
    assert len(server.client().get(f"/envelopes/{envelope_id}/revisions").json()) == 2


def test_transfer_then_purge(server):
    client, org, cred, envelope_id = _published_credential(server)
    admin, _ = server.org_client(admin=True)
    new_client, new_owner = server.org_client()
    r = admin.post("/admin/transfer", data={"CTID": cred, "NewOwner": new_owner.upper()})
    assert r.status_code == 200 and r.json()["Successful"] is True
    envelope = server.client().get(f"/envelopes/{envelope_id}").json()
    assert envelope["owned_by"] == new_owner
    # the old owner may no longer change it; the new owner may
    assert client.post("/credential/publish", data=credential(cred, org, "Taken Back")).status_code == 409
    r = new_client.post("/credential/publish", data=credential(cred, new_owner, "Welding Certificate, New Owner"))
    assert r.status_code == 200 and r.json()["WasChanged"] is True
    assert admin.post("/admin/transfer", data={"CTID": cred, "NewOwner": "nobody"}).status_code == 400
    assert admin.post("/admin/transfer", data={"CTID": new_ctid(), "NewOwner": new_owner}).status_code == 404
    assert admin.post("/admin/transfer", data=b"[]").status_code == 400

    r = admin.post("/admin/purge", data={"CTID": cred})
    assert r.status_code == 200 and r.json()["Successful"] is True
    for path in (f"/resources/{cred}", f"/graph/{cred}", f"/envelopes/{envelope_id}",
                 f"/envelopes/{envelope_id}/revisions"):
        assert server.client().get(path).status_code == 404, path
    assert admin.post("/admin/purge", data={"CTID": cred}).status_code == 404
    assert admin.post("/admin/purge", data={}).status_code == 404
    assert admin.post("/admin/purge", data=b"not json").status_code == 400


# -- POST /validate -----------------------------------------------------------------------------------------
def test_validate(server):
    formatted = server.client().post("/organization/format", data=organization(new_ctid())).json()
    doc = payload_of(formatted)
    r = server.client().post("/validate", data=doc)
    assert r.status_code == 200
    report = r.json()
    assert report["conforms"] is True
    broken = json.loads(json.dumps(doc))
    del broken["@graph"][0]["ceterms:name"]
    report = server.client().post("/validate", data=broken).json()
    assert report["conforms"] is False
    assert any(res["path"].startswith("/@graph/0") and res["severity"] == "Violation" for res in report["results"])
    assert server.client().post("/validate", data=b"{nope").status_code == 400
    assert server.client().post("/validate", data=b"[]").status_code == 400


def test_validate_an_array_groups_results_by_rule(server):
    doc = payload_of(server.client().post("/organization/format", data=organization(new_ctid())).json())
    broken = json.loads(json.dumps(doc))
    del broken["@graph"][0]["ceterms:name"]
    r = server.client().post("/validate?examples=1", data=[doc, broken, broken])
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["conforms"] is False and report["summary"]["documents"] == 3
    assert [d["conforms"] for d in report["documents"]] == [True, False, False]
    assert any(res["path"] == "/2/@graph/0/ceterms:name" for res in report["documents"][2]["results"])
    (group,) = [g for g in report["groups"] if g["code"] == "required"]
    assert group["count"] == 2 and group["documents"] == 2 and len(group["examples"]) == 1
    assert server.client().post("/validate?examples=many", data=doc).status_code == 400
    assert server.client().post("/validate", data=[doc, 7]).status_code == 400
    latin = json.dumps(doc, ensure_ascii=False).replace("Riverside", "Rivers\u00efde").encode("utf-8")
    latin = latin.decode("utf-8").encode("cp1252")
    report = server.client().post("/validate", data=latin).json()
    assert any(res["code"] == "input.encoding-cp1252" for res in report["results"])


def test_validate_an_envelope(server, publisher):
    client, org = publisher
    envelope_id = client.post("/organization/publish", data=organization(org)).json()["RegistryEnvelopeIdentifier"]
    envelope = server.client().get(f"/envelopes/{envelope_id}").json()
    report = server.client().post("/validate", data=envelope).json()
    assert report["conforms"] is True


# -- GET /resources, /graph -----------------------------------------------------------------------------------
def _credential_with_part(ctid, part, owner, name="Welding Certificate Level One"):
    """A credential whose document holds a second node with its own CTID: outcome data whose
    DataSetProfile carries its CTID, which the Registry Assistant publishes inside the same @graph
    (a HasPart with a CTID is only a reference to a record published on its own)."""
    return credential(ctid, owner, name, AggregateData=[{
        "Description": "Outcomes of the 2023 graduates.", "DateEffective": "2024-01-01",
        "RelevantDataSet": [{
            "CTID": part, "Name": "Welding graduates 2023",
            "Description": "Wages of the 2023 graduates from state wage records.",
            "DataProvider": owner,
            "DataSetTimePeriod": [{"StartDate": "2023-01-01", "EndDate": "2023-12-31",
                                   "DataAttributes": [{"Title": "All graduates", "MedianEarnings": 44439}]}]}]}])


def test_resources_and_graph(server, publisher):
    client, org = publisher
    cred, part = new_ctid(), new_ctid()
    r = client.post("/credential/publish", data=_credential_with_part(cred, part, org))
    assert r.status_code == 200, r.text
    payload = payload_of(r.json())
    assert [n.get("ceterms:ctid") for n in payload["@graph"]] == [cred, part]

    for asked in (cred, cred.upper()):
        r = server.client().get(f"/resources/{asked}")
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/ld+json")
        resource = r.json()
        assert resource["@context"] == payload["@context"]
        assert {k: v for k, v in resource.items() if k != "@context"} == payload["@graph"][0]
        assert server.client().get(f"/graph/{asked}").json() == payload

    # a CTID inside the document: /graph gives the whole document, /resources that node
    assert server.client().get(f"/graph/{part}").json() == payload
    node = server.client().get(f"/resources/{part}").json()
    assert node["ceterms:ctid"] == part and node["@type"] == "qdata:DataSetProfile"
    # and it counts as present for references
    r = client.post("/credential/publish", data=credential(new_ctid(), org, IsPartOf=[part]))
    assert r.status_code == 200 and not [w for w in r.json()["Warnings"] if part in w]


def test_a_ctid_in_several_documents(server, publisher):
    """A node CTID belongs to the document published last that holds it, but never takes over a
    CTID that is published as a document of its own."""
    client, org = publisher
    first, second, part = new_ctid(), new_ctid(), new_ctid()
    assert client.post("/credential/publish", data=_credential_with_part(first, part, org)).status_code == 200
    assert client.post("/credential/publish", data=_credential_with_part(second, part, org)).status_code == 200
    assert server.client().get(f"/graph/{part}").json()["@graph"][0]["ceterms:ctid"] == second
    badge = credential(part, org, "Welding Safety Badge", Type="ceterms:Badge")  # the node's CTID as a document
    assert client.post("/credential/publish", data=badge).status_code == 200
    assert client.post("/credential/publish", data=_credential_with_part(first, part, org,
                                                                         "Welding Level One, again")).status_code == 200
    assert server.client().get(f"/graph/{part}").json()["@graph"][0]["ceterms:ctid"] == part
    assert server.client().get(f"/resources/{part}").json()["ceterms:name"] == {"en-US": "Welding Safety Badge"}


@pytest.mark.parametrize("path", ["/resources/{}", "/graph/{}"])
def test_resources_not_found(server, path):
    for ctid in (new_ctid(), "not-a-ctid", "ce-123", "ce-" + "0" * 36, "%20"):
        r = server.client().get(path.format(ctid))
        assert r.status_code == 404, ctid
        assert "registry.not-found" in error_codes(r)


# -- GET /envelopes ------------------------------------------------------------------------------------------
def test_envelope_and_revisions(server):
    client, org = server.org_client()
    r1 = client.post("/organization/publish", data=organization(org)).json()
    envelope_id = r1["RegistryEnvelopeIdentifier"]
    r2 = client.post("/organization/publish", data=organization(org, "Riverside Technical College North")).json()
    assert r2["RegistryEnvelopeIdentifier"] == envelope_id
    env = server.client().get(f"/envelopes/{envelope_id}").json()
    assert env["envelope_id"] == envelope_id and env["envelope_ceterms_ctid"] == org
    assert env["envelope_ctdl_type"] == "ceterms:CredentialOrganization"
    assert env["owned_by"] == org and env["published_by"] == org
    assert env["envelope_community"] == "ce_registry" and env["resource_encoding"] == "jwt"
    assert env["decoded_resource"] == payload_of(r2)
    assert [h["version"] for h in env["node_headers"]["revision_history"]] == [1, 2]
    revisions = server.client().get(f"/envelopes/{envelope_id}/revisions").json()
    assert [rev["decoded_resource"] for rev in revisions] == [payload_of(r1), payload_of(r2)]
    for missing in ("00000000-0000-4000-8000-000000000000", "nope", "%20"):
        assert server.client().get(f"/envelopes/{missing}").status_code == 404
        assert server.client().get(f"/envelopes/{missing}/revisions").status_code == 404


def test_envelope_list_filters_and_pagination(server):
    client, org = server.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    word = "zq" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:10])   # letters only
    levels = ["alpha", "bravo", "charlie", "delta", "echo"]
    creds = [new_ctid() for _ in range(5)]
    for i, cred in enumerate(creds):
        r = client.post("/credential/publish", data=credential(cred, org, f"Welding {word} Level {levels[i]}"))
        assert r.status_code == 200, r.text
    anon = server.client()

    r = anon.get("/envelopes", params={"owned_by": org.upper()})
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "6"
    assert {e["owned_by"] for e in r.json()} == {org}
    r = anon.get("/envelopes", params={"owned_by": org, "type": "ceterms:Certificate"})
    assert r.headers["X-Total-Count"] == "5"
    assert {e["envelope_ceterms_ctid"] for e in r.json()} == set(creds)
    r = anon.get("/envelopes", params={"q": f"WELDING {word.upper()}"})
    assert r.headers["X-Total-Count"] == "5"
    r = anon.get("/envelopes", params={"q": f"{word} level DELTA"})
    assert [e["envelope_ceterms_ctid"] for e in r.json()] == [creds[3]]

    seen = []
    for page in (1, 2, 3):
        r = anon.get("/envelopes", params={"owned_by": org, "type": "ceterms:Certificate", "page": page, "per_page": 2})
        assert r.status_code == 200 and r.headers["X-Total-Count"] == "5"
        links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', r.headers["Link"]))
        assert {"first", "last"} <= set(links) and ("next" in links) == (page < 3) and ("prev" in links) == (page > 1)
        assert "page=3" in links["last"] and "per_page=2" in links["last"] and "owned_by=" in links["last"]
        if "next" in links:
            assert anon.get(links["next"]).json()[0]["envelope_id"] not in [e["envelope_id"] for e in r.json()]
        seen += [e["envelope_ceterms_ctid"] for e in r.json()]
    assert sorted(seen) == sorted(creds)
    r = anon.get("/envelopes", params={"owned_by": org, "page": 99})
    assert r.status_code == 200 and r.json() == [] and r.headers["X-Total-Count"] == "6"
    r = anon.get("/envelopes", params={"owned_by": new_ctid()})
    assert r.status_code == 200 and r.json() == [] and r.headers["X-Total-Count"] == "0"
    assert anon.get("/envelopes").status_code == 200


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=", "page=1.5", "per_page=0",
                                   "per_page=101", "per_page=x", "page=99999999999999999999"])
def test_envelope_list_bad_parameters_are_400(server, query):
    r = server.client().get(f"/envelopes?{query}")
    assert r.status_code == 400
    body = assert_error_shape(r)
    assert body["Errors"][0]["code"] == "input.invalid-parameter"
    assert body["Errors"][0]["path"] == "?" + query.split("=")[0]


# -- unknown routes and methods -----------------------------------------------------------------------------
@pytest.mark.parametrize("method, path, status", [
    ("GET", "/nothing-here", 404), ("GET", "/organization/format", 405), ("PUT", "/organization/publish", 405),
    ("GET", "/admin/purge", 405), ("POST", "/envelopes", 405), ("PATCH", "/resources/x", 405),
    ("GET", "/organization", 404), ("POST", "/organization/format/extra", 404),
])
def test_unknown_routes_and_methods(server, method, path, status):
    r = server.client().request(method, path, data=b"{}")
    assert r.status_code == status
    assert assert_error_shape(r)["Errors"][0]["code"] == {404: "http.not-found", 405: "http.method-not-allowed"}[status]
