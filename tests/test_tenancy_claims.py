"""service/registry/tenancy.py's ownership claims, as functions: ``claims`` (every claim of a payload,
walked) and ``claims_of_others`` (those naming another organization than the publishing one, read off
the payload's JSON text when it can be). Both must find the same claims in every way a claim is
written: a shortcut that missed one would let a row claim an organization that never consented."""
from __future__ import annotations

import json

import pytest

from service.registry.tenancy import claims, claims_of_others
from service.store.base import json_text

ORG = "ce-3f2a9c4e-7b1d-4e8a-9c2f-5d6e7f8a9b0c"
OTHER = "ce-11111111-2222-4333-8444-555555555555"
CTID = "ce-7f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a7b"
URI = "https://credentialengineregistry.org/resources/"


def course(**claimed) -> dict:
    main = {"@id": URI + CTID, "@type": "ceterms:Course", "ceterms:ctid": CTID, "ceterms:name": {"en": "Welding"}}
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [{**main, **claimed}]}


PAYLOADS = {
    "own only, as URIs": course(**{"ceterms:ownedBy": [URI + ORG], "ceterms:offeredBy": [URI + ORG]}),
    "own, a bare CTID in capitals": course(**{"ceterms:ownedBy": ORG.upper()}),
    "none": course(),
    "empty list": course(**{"ceterms:ownedBy": []}),
    "another, as a URI": course(**{"ceterms:ownedBy": [URI + ORG], "ceterms:offeredBy": [URI + OTHER]}),
    "another, as a URI of another host": course(**{"ceterms:offeredBy": [f"https://x.example/graph/{OTHER}"]}),
    "another, as {@id}": course(**{"ceterms:offeredBy": [{"@id": URI + OTHER}]}),
    "another, as a node of the graph": {"@graph": [
        {**course(**{"ceterms:ownedBy": ["_:b0"]})["@graph"][0]},
        {"@id": "_:b0", "@type": "ceterms:CredentialOrganization", "ceterms:ctid": OTHER}]},
    "another, nested": course(**{"ceterms:commonCosts": [
        {"@type": "ceterms:CostManifest", "ceterms:costManifestOf": URI + OTHER}]}),
    "another, after its own": course(**{"ceterms:ownedBy": [URI + ORG, URI + OTHER]}),
    "a claim key inside a text, and another's claim": course(**{
        "ceterms:description": {"en": 'see "ceterms:ownedBy":"' + URI + ORG + '"'},
        "ceasn:publisher": URI + OTHER}),
    "a claim key inside a text only": course(**{"ceterms:description": {"en": '"ceterms:ownedBy":"' + OTHER + '"'}}),
    "not a CTID": course(**{"ceterms:ownedBy": ["https://example.org/someone"]}),
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_claims_of_others_are_the_walked_claims_less_the_publishers_own(name):
    payload = PAYLOADS[name]
    expected = [c for c in claims(payload) if c.org != ORG]
    assert claims_of_others(payload, ORG, json_text(payload)) == expected
    # text written otherwise (spaces, sorted keys) gives the same answer
    assert claims_of_others(payload, ORG, json.dumps(payload, indent=1, sort_keys=True)) == expected


def test_the_cases_hold_claims_of_another_organization_where_they_say_so():
    """(so that the test above compares something: the walk finds another's claim in each such case)"""
    for name, payload in PAYLOADS.items():
        others = {c.org for c in claims(payload)} - {ORG}
        assert (others == {OTHER}) == (name.startswith("another") or "another's" in name), name
