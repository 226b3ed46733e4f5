"""GET /envelopes?type= takes a CTDL class with its subclasses or a request type name (issue 17)."""
from __future__ import annotations

from http_support import new_ctid


def test_envelopes_by_request_type_name_or_superclass(api):
    """GET /envelopes?type=credential finds a Certificate (issue 17: only ceterms:Certificate did)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "e2e"))
    from e2e_support import credential, organization

    client, org = api.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    cert = new_ctid()
    assert client.post("/credential/publish", data=credential(cert, org)).status_code == 200

    def found(value: str) -> set:
        r = client.get("/envelopes", query_string={"type": value, "owned_by": org})
        assert r.status_code == 200
        return {e["envelope_ceterms_ctid"] if "envelope_ceterms_ctid" in e else e["decoded_resource"]["@graph"][0]["ceterms:ctid"]
                for e in r.get_json()}

    for value in ("credential", "Credential", "ceterms:credential", "ceterms:Certificate", "certificate"):
        assert found(value) == {cert}, value
    assert found("organization") == {org} and found("Organization") == {org}
    assert found("course") == set() and found("ceterms:Course") == set() and found("no such type") == set()
