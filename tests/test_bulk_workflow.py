"""service/bulk/workflow.py: staging, approval and publishing of bulk upload rows (both store backends)."""
from __future__ import annotations

import json

import pytest

from bulk_rows import REGISTRY, credential, learning_opportunity, new_ctid, organization, row
from pgtest import open_databases
from service.bulk.workflow import BulkWorkflow, OrganizationNotPublished, published_base_url, summary
from service.bulk.orgdata import save_addresses
from service.registry.core import Forbidden, Registry, now
from service.registry.signing import load_or_create_signing_key, public_key_pem
from service.store import open_store
from service.store.base import KeyRecord
from transformer.enrich import Options
from transformer.errors import UnknownType, WrongShape


@pytest.fixture(scope="module")
def postgres_url():
    dbs = open_databases("ctdl_bulk_")
    try:
        yield dbs.new()
    finally:
        dbs.drop_all()


@pytest.fixture(params=["sqlite", "postgres"])
def registry(request, tmp_path):
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    store = open_store(tmp_path / "data", url)
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("TRUNCATE envelope_nodes, revisions, envelopes, keys, authorizations, staged, ctid_owners, "
                         "org_addresses, org_manifests")
    key = load_or_create_signing_key(tmp_path / "data")
    yield Registry(store, key, public_key_pem(key), Options(registry=REGISTRY))
    store.close()


@pytest.fixture
def bulk(registry):
    return BulkWorkflow(registry)


def key_of(org: str, admin: bool = False) -> KeyRecord:
    return KeyRecord(key_hash="", org=org, admin=admin, created_at=now(), revoked_at=None)


def publish_org(registry, org: str) -> None:
    result = registry.publish(json.dumps(organization(org)).encode(), "organization", key_of(org))
    assert result.record is not None, result.report.to_text()


def creds(org: str, n: int = 2) -> list:
    return [row(f"cred_{i:02d}", credential(new_ctid(), org, f"Welding Certificate Level {i}"), "credential")
            for i in range(1, n + 1)]


def test_stage_rows_records_valid_and_rejected_rows_and_publishes_nothing(bulk, registry):
    org = new_ctid()
    good = creds(org)
    bad_request = credential(new_ctid(), org)
    del bad_request["Credential"]["Name"]
    rows = [*good, row("cred_bad", bad_request, "credential"), row("", credential(new_ctid(), org), "credential"),
            row("cred_01", credential(new_ctid(), org), "credential")]
    out = bulk.stage_rows(org, "Credential", rows)
    assert [(o.external_id, o.result, o.status) for o in out] == [
        ("cred_01", "created", "pending"), ("cred_02", "created", "pending"), ("cred_bad", "rejected", "rejected"),
        ("", "rejected", ""), ("cred_01", "rejected", "")]
    assert any(e["code"] == "required" and e["path"] == "/Credential/Name" for e in out[2].errors)
    assert out[3].errors[0]["code"] == "bulk.external-id-required" and out[3].row == 4
    assert "row 1 of this upload" in out[4].errors[0]["message"]
    staged = {r.external_id: r for r in registry.store.staged(org)}
    assert set(staged) == {"cred_01", "cred_02", "cred_bad"}
    assert staged["cred_bad"].errors and staged["cred_01"].errors == []
    assert staged["cred_01"].request["PublishForOrganizationIdentifier"] == org
    assert staged["cred_01"].document["@graph"][0]["ceterms:ctid"] == staged["cred_01"].ctid
    assert all(registry.store.get_by_ctid(r.ctid) is None for r in staged.values() if r.ctid)
    assert summary(staged["cred_bad"])["status"] == "rejected"


def test_restaging_identical_content_is_unchanged(bulk):
    org = new_ctid()
    rows = creds(org)
    assert [o.result for o in bulk.stage_rows(org, "credential", rows)] == ["created", "created"]
    assert [o.result for o in bulk.stage_rows(org, "credential", rows)] == ["unchanged", "unchanged"]
    ext, request = rows[0].external_id, rows[0].request
    changed = json.loads(json.dumps(request))
    changed["Credential"]["Name"] = "Welding Certificate, Level One"
    out = bulk.stage_rows(org, "credential", [row(ext, changed, "credential"), rows[1]])
    assert [o.result for o in out] == ["updated", "unchanged"]


def test_approval_is_refused_while_the_organization_is_unpublished(bulk, registry):
    org = new_ctid()
    bulk.stage_rows(org, "credential", creds(org))
    with pytest.raises(OrganizationNotPublished, match="not published in this registry") as exc:
        bulk.approve(org, all=True)
    assert exc.value.http_status == 409 and exc.value.code == "bulk.organization-not-published"
    assert {r.status for r in registry.store.staged(org)} == {"pending"}        # nothing approved
    publish_org(registry, org)
    out = bulk.approve(org, all=True)
    assert [(o.result, o.status) for o in out] == [("approved", "approved")] * 2
    assert {r.status for r in registry.store.staged(org)} == {"approved"}
    assert [o.result for o in bulk.approve(org, ["cred_01"])] == ["unchanged"]


def test_deferred_and_rejected_records_cannot_be_approved(bulk, registry):
    org = new_ctid()
    publish_org(registry, org)
    bad = credential(new_ctid(), org)
    bad["Credential"]["CredentialStatusType"] = "credentialStat:Nope"
    lo = row("lopp_1", learning_opportunity(new_ctid(), org), "learningopportunity", deferred=True)
    bulk.stage_rows(org, "learningopportunity", [lo, row("lopp_2", learning_opportunity(new_ctid(), org),
                                                           "learningopportunity")])
    bulk.stage_rows(org, "credential", [row("cred_bad", bad, "credential")])
    out = bulk.approve(org, ["lopp_1", "lopp_2"])                      # all or nothing
    assert [(o.external_id, o.result) for o in out] == [("lopp_1", "refused")]
    assert "connect it to a Target Credential first" in out[0].message and out[0].errors[0]["code"] == "bulk.deferred"
    assert registry.store.get_staged(org, "lopp_2").status == "pending"
    out = bulk.approve(org, ["cred_bad"])
    assert out[0].result == "refused" and out[0].errors[0]["code"] == "bulk.rejected"
    out = bulk.approve(org, [new_ctid()])
    assert out[0].result == "refused" and out[0].errors[0]["code"] == "bulk.not-found"
    out = {o.external_id: o for o in bulk.approve(org, all=True)}
    assert out["lopp_2"].result == "approved"
    assert out["lopp_1"].result == "skipped" and "Target Credential" in out["lopp_1"].message
    assert out["cred_bad"].result == "skipped"
    assert registry.store.get_staged(org, "lopp_1").status == "pending"
    with pytest.raises(WrongShape):
        bulk.approve(org)
    with pytest.raises(WrongShape):
        bulk.approve(org, ["lopp_2"], all=True)


def test_same_external_id_in_two_types_needs_the_ctid_or_type(bulk, registry):
    org = new_ctid()
    publish_org(registry, org)
    bulk.stage_rows(org, "credential", [row("x1", credential(new_ctid(), org), "credential")])
    bulk.stage_rows(org, "learningopportunity", [row("x1", learning_opportunity(new_ctid(), org),
                                                     "learningopportunity")])
    assert bulk.approve(org, ["x1"])[0].errors[0]["code"] == "bulk.ambiguous-id"
    assert bulk.approve(org, ["x1"], resource_type="credential")[0].result == "approved"
    assert registry.store.get_staged(org, "x1", "learningopportunity").status == "pending"


def test_publish_approved_marks_published_and_the_envelope_exists(bulk, registry):
    org = new_ctid()
    publish_org(registry, org)
    lopp = row("lopp_1", learning_opportunity(new_ctid(), org), "learningopportunity")
    bulk.stage_rows(org, "learningopportunity", [lopp])
    bulk.stage_rows(org, "credential", creds(org))
    assert bulk.publish_approved(org) == []                             # nothing approved yet
    bulk.approve(org, all=True)
    out = bulk.publish_approved(org)
    assert [(o.type, o.result, o.status) for o in out] == [             # credentials first
        ("credential", "published", "published"), ("credential", "published", "published"),
        ("learningopportunity", "published", "published")]
    for record in registry.store.staged(org):
        envelope = registry.store.get_by_ctid(record.ctid)
        assert envelope is not None and envelope.envelope_id == record.published_envelope_id
        assert envelope.owned_by == org and envelope.published_by == org and envelope.version == 1
    assert envelope.decoded_resource["@graph"][0]["@id"] == f"{REGISTRY}resources/{envelope.ctid}"
    assert bulk.publish_approved(org) == []                             # nothing left approved


def test_updating_a_published_record_returns_it_to_pending(bulk, registry):
    org = new_ctid()
    publish_org(registry, org)
    rows = creds(org, 1)[0]
    ext, request = rows.external_id, rows.request
    bulk.stage_rows(org, "credential", [rows])
    bulk.approve(org, all=True)
    bulk.publish_approved(org)
    assert bulk.stage_rows(org, "credential", [rows])[0].result == "unchanged"
    assert registry.store.get_staged(org, ext).status == "published"
    request["Credential"]["Description"] = "A certificate for entry-level welders, updated for 2026."
    out = bulk.stage_rows(org, "credential", [row(ext, request, "credential")])
    assert (out[0].result, out[0].status) == ("updated", "pending")
    record = registry.store.get_staged(org, ext)
    assert record.status == "pending" and record.published_envelope_id
    assert registry.store.get_by_ctid(record.ctid).version == 1          # the registry waits for approval
    bulk.approve(org, [record.ctid])
    assert bulk.publish_approved(org)[0].result == "published"
    assert registry.store.get_by_ctid(record.ctid).version == 2


def test_conflicts_are_rejected_at_staging(bulk, registry):
    org, other = new_ctid(), new_ctid()
    publish_org(registry, other)
    theirs = credential(new_ctid(), other)
    registry.publish(json.dumps({**theirs, "PublishForOrganizationIdentifier": other}).encode(), "credential",
                     key_of(other))
    ctid = new_ctid()
    wrong_org = {**credential(new_ctid(), org), "PublishForOrganizationIdentifier": other}
    out = bulk.stage_rows(org, "credential", [
        row("theirs", {"Credential": {**theirs["Credential"], "OwnedBy": [org]}}, "credential"),
        row("wrong_org", wrong_org, "credential"),
        row("first", credential(ctid, org), "credential"),
        row("second", credential(ctid, org), "credential"),
        row("org", credential(other, org), "credential")])
    codes = {o.external_id: [e["code"] for e in o.errors] for o in out}
    assert codes == {"theirs": ["registry.ownership-conflict"], "wrong_org": ["bulk.wrong-organization"],
                     "first": [], "second": ["bulk.ctid-taken"], "org": ["registry.ownership-conflict"]}
    assert registry.store.get_staged(org, "second").ctid is None


def test_rows_flushed_one_at_a_time_are_staged_as_in_one_transaction(bulk, registry):
    """A large upload stages each chunk as it comes back from the workers (Stager.flush): a row of a
    later chunk meets the rows staged before it exactly as in one batch (a CTID taken by an earlier
    row, an External Identifier an earlier row has, a CTID given up and taken again), and the
    outcomes are in the order the rows were added."""
    def scenario(flush_each: bool) -> tuple[list, list]:
        org, ctid, freed = new_ctid(), new_ctid(), new_ctid()
        bulk.stage_rows(org, "credential", [row("old", credential(freed, org), "credential")])
        rows = [row("first", credential(ctid, org), "credential"),
                row("second", credential(ctid, org), "credential"),
                row("first", credential(new_ctid(), org), "credential"),
                row("old", credential(new_ctid(), org), "credential"),      # gives up `freed`...
                row("", credential(new_ctid(), org), "credential"),
                row("takes_freed", credential(freed, org), "credential")]   # ...which a later row takes
        if flush_each:
            stager = bulk.stager(org, "credential")
            for r in rows:
                stager.add(r)
                stager.flush()
            out = stager.finish()
        else:
            out = bulk.stage_rows(org, "credential", rows)
        named = {ctid: "ctid", freed: "freed"}
        return ([(o.external_id, o.result, o.status, [e["code"] for e in o.errors], o.row) for o in out],
                sorted((r.external_id, named.get(r.ctid, r.ctid and "new"), r.status)
                       for r in registry.store.staged(org)))

    flushed = scenario(True)
    assert flushed == scenario(False)
    assert flushed[0] == [("first", "created", "pending", [], 1),
                          ("second", "rejected", "rejected", ["bulk.ctid-taken"], 2),
                          ("first", "rejected", "", ["bulk.duplicate-external-id"], 3),
                          ("old", "updated", "pending", [], 4), ("", "rejected", "", ["bulk.external-id-required"], 5),
                          ("takes_freed", "created", "pending", [], 6)]
    assert flushed[1] == [("first", "ctid", "pending"), ("old", "new", "pending"), ("second", None, "rejected"),
                          ("takes_freed", "freed", "pending")]


def test_type_mismatch_claims_without_consent_and_changed_ctids_are_rejected_at_staging(bulk, registry):
    """The checks against the registry, asked once for the whole upload, still said row by row."""
    org, other = new_ctid(), new_ctid()
    publish_org(registry, org)
    publish_org(registry, other)
    kept = credential(new_ctid(), org)
    offered = {"Credential": {**credential(new_ctid(), org)["Credential"], "OfferedBy": [other]}}
    out = bulk.stage_rows(org, "credential", [
        row("as_credential", credential(org, org), "credential"),      # the organization's own CTID
        row("claims_other", offered, "credential"),
        row("kept", kept, "credential")])
    codes = {o.external_id: [e["code"] for e in o.errors] for o in out}
    assert codes == {"as_credential": ["wrong-class", "bulk.type-mismatch"], "claims_other": [Forbidden.code], "kept": []}
    assert [o.result for o in out] == ["rejected", "rejected", "created"]
    bulk.approve(org, ["kept"])
    assert bulk.publish_approved(org)[0].result == "published"
    again = bulk.stage_rows(org, "credential", [row("kept", credential(new_ctid(), org), "credential")])
    assert [e["code"] for e in again[0].errors] == ["bulk.ctid-changed"] and again[0].result == "rejected"


def test_a_record_the_registry_refuses_at_publish_is_rejected(bulk, registry):
    org, other = new_ctid(), new_ctid()
    publish_org(registry, org)
    bulk.stage_rows(org, "credential", creds(org, 1))
    bulk.approve(org, all=True)
    record = registry.store.get_staged(org, "cred_01")
    taken = {**credential(record.ctid, other), "PublishForOrganizationIdentifier": other}
    assert registry.publish(json.dumps(taken).encode(), "credential", key_of(other)).record is not None
    out = bulk.publish_approved(org)
    assert (out[0].result, out[0].status) == ("failed", "rejected")
    assert out[0].errors[0]["code"] == "registry.ownership-conflict"
    assert registry.store.get_staged(org, "cred_01").errors[0]["code"] == "registry.ownership-conflict"


def test_keys_act_for_their_organization_only(bulk, registry):
    org, other, publisher = new_ctid(), new_ctid(), new_ctid()
    publish_org(registry, org)
    bulk.stage_rows(org, "credential", creds(org, 1), key=key_of(org))
    with pytest.raises(Forbidden):
        bulk.approve(org, all=True, key=key_of(other))
    with pytest.raises(Forbidden):
        bulk.status(org, key=key_of(other))
    registry.store.authorize(org, publisher)
    assert bulk.approve(org, all=True, key=key_of(publisher))[0].result == "approved"
    out = bulk.publish_approved(org, key=key_of(publisher))
    assert out[0].result == "published"
    assert registry.store.get_by_ctid(out[0].ctid).published_by == publisher
    assert bulk.status(org, key=key_of(other, admin=True))[0].status == "published"


def test_unknown_type_and_status(bulk):
    with pytest.raises(UnknownType):
        bulk.stage_rows(new_ctid(), "widget", [])
    with pytest.raises(Exception, match="unknown status"):
        bulk.status(new_ctid(), status="done")
    assert bulk.status(new_ctid(), "Learning Opportunity") == []


def test_addresses_are_checked_then_stored(registry):
    org = new_ctid()
    place = {"Address1": "1 Main St", "City": "Springfield", "AddressRegion": "IL", "PostalCode": "62701",
             "Country": "US"}
    count, errors = save_addresses(registry.store, org, {"main": place, "bad": {"Citty": "x", "Latitude": 200}})
    assert count == 0 and {(e["path"], e["code"]) for e in errors} == {
        ("/bad/Citty", "unknown-property"), ("/bad/Latitude", "out-of-range")}
    assert registry.store.addresses(org) == {}
    assert save_addresses(registry.store, org, {" main ": place}) == (1, [])
    assert registry.store.addresses(org) == {"main": place}
    with pytest.raises(WrongShape):
        save_addresses(registry.store, org, [place])


def test_published_base_url(registry):
    org = new_ctid()
    assert published_base_url(registry.store, org) is None
    publish_org(registry, org)
    assert published_base_url(registry.store, org) == REGISTRY
