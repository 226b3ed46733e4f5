"""service/bulk/staging.py's ``prepared``: a row as staging needs it, made where the row was validated.
Its digest, put together from parts encoded once, must be the content digest the registry has always
used (signing.digest of {type, deferred, errors, request without the row's cells (, document)}): a
different one would make every row of the next re-upload "updated"."""
from __future__ import annotations

import json
import pickle

import pytest

from service.bulk.common import ROW_KEY, Row, error
from service.bulk.staging import Prepared, prepared
from service.registry.signing import digest
from service.store.base import EncodedJSON

ORG = "ce-3f2a9c4e-7b1d-4e8a-9c2f-5d6e7f8a9b0c"
OTHER = "ce-11111111-2222-4333-8444-555555555555"
CTID = "ce-7f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a7b"


def _content(record, request: dict, document, kind: str) -> dict:
    content = {"type": kind, "deferred": record.deferred, "errors": record.errors,
               "request": {k: v for k, v in request.items() if k != ROW_KEY}}
    if kind == "competencyframework":
        content["document"] = document
    return content


@pytest.mark.parametrize("kind,wrapper", [("course", "Course"), ("credential", "Credential"),
                                          ("competencyframework", "CompetencyFramework")])
@pytest.mark.parametrize("deferred", [False, True])
def test_digest_is_the_content_digest_before_and_after_more_errors(kind, wrapper, deferred):
    request = {wrapper: {"CTID": CTID.upper(), "Name": "Soudage ✓ \u00e9", "Keyword": ["a", "b"], "Value": 1.5},
               ROW_KEY: {"Name": "Soudage ✓ \u00e9", "External Identifier": "X1"}}
    document = {"@graph": [{"@id": "x", "ceterms:name": {"fr": "é"}, "z": None, "a": [True, 2]}]}
    p = prepared(ORG, kind, True, Row("X1", request, document, deferred=deferred))
    r = p.record
    assert isinstance(r.request, EncodedJSON) and isinstance(r.document, EncodedJSON)
    stored = json.loads(r.request.text)
    assert stored[ROW_KEY] == request[ROW_KEY] and stored["PublishForOrganizationIdentifier"] == ORG
    assert json.loads(r.document.text) == document
    assert r.content_digest == digest(_content(r, stored, document, kind))
    r.errors.append(error("bulk.ctid-taken", "taken", f"/{wrapper}/CTID", "CTID"))
    before = r.content_digest
    p.digested(r)
    assert r.content_digest != before
    assert r.content_digest == digest(_content(r, stored, document, kind))


def test_cells_alone_do_not_change_the_digest_and_content_does():
    def made(name: str, cell: str) -> str:
        return prepared(ORG, "course", True, Row("X1", {"Course": {"CTID": CTID, "Name": name},
                                                         ROW_KEY: {"Name": cell}}, None)).record.content_digest

    assert made("Welding", "Welding") == made("Welding", " welding ")
    assert made("Welding", "Welding") != made("Welding 2", "Welding")


def test_claims_ctids_and_a_row_without_identifier():
    document = {"@graph": [{"ceterms:ctid": CTID, "ceterms:offeredBy": [f"https://x.example/resources/{OTHER}"]},
                           {"ceterms:ctid": "ce-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}]}
    request = {"Course": {"CTID": CTID}}
    p = prepared(ORG, "course", True, Row("X1", request, document))
    assert p.ctids == [CTID, CTID, "ce-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"]
    assert [(c.property, c.org) for c in p.claims] == [("ceterms:offeredBy", OTHER)]
    assert prepared(ORG, "course", False, Row("X1", request, document)).claims == []     # an admin's key
    assert prepared(ORG, "course", True, Row("  ", request, document)) is None
    again = pickle.loads(pickle.dumps(p))          # as it travels back from a worker
    assert isinstance(again, Prepared) and again.record == p.record and again.head == p.head \
        and again.tail == p.tail and again.claims == p.claims and again.record.request.text == p.record.request.text
