"""The bulk upload tables of the store (staged records, addresses, manifests): one suite, both backends.

PostgreSQL as in tests/test_store.py (tests/pgtest.py): a fresh database for the session, skipped
when no server is reachable except in CI.
"""
from __future__ import annotations

import json
import threading
import uuid

import pytest

from pgtest import open_databases
from service.store import AlreadyExists, InvalidRecord, open_store
from service.store.base import Ambiguous, StagedRecord

ORG, OTHER = "ce-00000000-0000-4000-8000-00000000000a", "ce-00000000-0000-4000-8000-00000000000b"


def new_ctid() -> str:
    return f"ce-{uuid.uuid4()}"


def rec(external_id: str, ctid: str | None = None, *, org=ORG, rtype="credential", status="pending",
        digest=None, deferred=False, errors=None, name="x") -> StagedRecord:
    ctid = ctid or new_ctid()
    return StagedRecord(org=org, resource_type=rtype, external_id=external_id, ctid=ctid, status=status,
                        request={"Credential": {"CTID": ctid, "Name": name}}, document={"@graph": [{"n": name}]},
                        errors=errors or [], content_digest=digest or uuid.uuid4().hex, deferred=deferred)


@pytest.fixture(scope="module")
def postgres_url():
    dbs = open_databases("ctdl_staging_")
    try:
        yield dbs.new()
    finally:
        dbs.drop_all()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    url = None
    if request.param == "postgres":
        import psycopg

        url = request.getfixturevalue("postgres_url")
        open_store(tmp_path, url).close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("TRUNCATE staged, org_addresses, org_manifests")
    s = open_store(tmp_path / "data", url)
    yield s
    s.close()


def test_stage_created_unchanged_updated(store):
    r = rec("abc1", digest="d1")
    assert store.stage(r) == "created"
    got = store.get_staged(ORG, "abc1")
    assert got.ctid == r.ctid and got.status == "pending" and got.request == r.request
    assert got.document == r.document and got.errors == [] and got.deferred is False
    assert got.created_at and got.created_at == got.updated_at and got.published_envelope_id is None
    assert store.stage(r) == "unchanged"
    assert store.get_staged(ORG, "abc1") == got                      # nothing written
    changed = rec("abc1", r.ctid, digest="d2", name="y", deferred=True)
    assert store.stage(changed) == "updated"
    after = store.get_staged(ORG, r.ctid.upper())                    # by CTID, any case
    assert after.request == changed.request and after.deferred is True and after.content_digest == "d2"
    assert after.created_at == got.created_at and after.updated_at > got.updated_at


def test_update_keeps_envelope_id_and_takes_the_new_status(store):
    r = rec("e1", digest="d1")
    store.stage(r)
    assert store.record_outcome(ORG, "credential", "e1", "d1", "published", envelope_id="env-1")
    assert store.get_staged(ORG, "e1").status == "published"
    assert store.stage(rec("e1", r.ctid, digest="d2")) == "updated"
    again = store.get_staged(ORG, "e1")
    assert again.status == "pending" and again.published_envelope_id == "env-1"


def test_ctid_is_unique_across_external_ids_and_orgs(store):
    r = rec("one")
    store.stage(r)
    with pytest.raises(AlreadyExists):
        store.stage(rec("two", r.ctid))
    with pytest.raises(AlreadyExists):
        store.stage(rec("one", r.ctid, org=OTHER))
    assert [x.external_id for x in store.staged(ORG)] == ["one"] and store.staged(OTHER) == []
    # records without a CTID (rejected rows) do not collide
    for ext in ("bad1", "bad2"):
        r2 = rec(ext, status="rejected", errors=[{"code": "required", "message": "no CTID"}])
        r2.ctid = None
        assert store.stage(r2) == "created"
    assert store.get_staged(ORG, "bad2").ctid is None


def test_same_external_id_in_two_types(store):
    a, b = rec("x1", rtype="credential"), rec("x1", rtype="learningopportunity")
    store.stage(a)
    store.stage(b)
    with pytest.raises(Ambiguous):
        store.get_staged(ORG, "x1")
    assert store.get_staged(ORG, "x1", "learningopportunity").ctid == b.ctid
    assert store.get_staged(ORG, b.ctid).resource_type == "learningopportunity"
    assert store.get_staged(ORG, "nope") is None and store.get_staged(OTHER, "x1") is None


def test_staged_filters_and_order(store):
    for ext, rtype, status in [("b", "credential", "pending"), ("a", "credential", "rejected"),
                               ("c", "assessment", "pending")]:
        store.stage(rec(ext, rtype=rtype, status=status))
    store.stage(rec("z", org=OTHER))
    assert [(r.resource_type, r.external_id) for r in store.staged(ORG)] == [
        ("assessment", "c"), ("credential", "a"), ("credential", "b")]
    assert [r.external_id for r in store.staged(ORG, "credential")] == ["a", "b"]
    assert [r.external_id for r in store.staged(ORG, status="pending")] == ["c", "b"]
    assert [r.external_id for r in store.staged(ORG, "Credential", "rejected")] == ["a"]
    with pytest.raises(InvalidRecord):
        store.staged(ORG, status="done")


def test_set_status(store):
    records = [rec(f"r{i}") for i in range(5)]
    records[3].deferred = True
    records[4].status = "rejected"
    for r in records:
        store.stage(r)
    # by external id or CTID; deferred and rejected records are never approved
    ids = ["r0", records[1].ctid.upper(), "r3", "r4", "unknown"]
    assert store.set_status(ORG, ids, "approved") == 2
    assert {r.external_id: r.status for r in store.staged(ORG)} == {
        "r0": "approved", "r1": "approved", "r2": "pending", "r3": "pending", "r4": "rejected"}
    assert store.set_status(ORG, ["r0", "r1"], "approved") == 0          # already
    assert store.set_status(ORG, ["r0", "r2"], "pending", from_status=["approved"]) == 1
    assert store.set_status(OTHER, ["r1"], "pending") == 0               # another org's records
    assert store.set_status(ORG, ["r1"], "pending", resource_type="assessment") == 0
    with pytest.raises(InvalidRecord):
        store.set_status(ORG, ["r1"], "done")


def test_set_status_many_ids_in_one_call(store):
    for i in range(450):
        store.stage(rec(f"m{i:03d}"))
    assert store.set_status(ORG, [f"m{i:03d}" for i in range(450)], "approved") == 450


def test_record_outcome_only_for_the_content_it_published(store):
    store.stage(rec("p1", digest="d1"))
    store.set_status(ORG, ["p1"], "approved")
    store.stage(rec("p1", store.get_staged(ORG, "p1").ctid, digest="d2"))  # staged again meanwhile
    assert not store.record_outcome(ORG, "credential", "p1", "d1", "published", envelope_id="e")
    assert store.get_staged(ORG, "p1").status == "pending"
    errors = [{"code": "registry.ownership-conflict", "message": "no"}]
    assert store.record_outcome(ORG, "credential", "p1", "d2", "rejected", errors=errors)
    assert store.get_staged(ORG, "p1").errors == errors


def test_concurrent_staging_of_one_record(store):
    ctid = new_ctid()
    results: list[str] = []

    def work(i):
        results.append(store.stage(rec("same", ctid, digest=f"d{i % 2}")))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("created") == 1 and len(store.staged(ORG)) == 1


def test_addresses_replace_and_read(store):
    place = {"Address1": "1 Main St", "City": "Springfield", "AddressRegion": "IL", "PostalCode": "62701",
             "Country": "US", "Latitude": 39.8}
    assert store.addresses(ORG) == {}
    assert store.set_addresses(ORG, {"main": place, "north": {"City": "Peoria"}}) == 2
    assert store.addresses(ORG.upper()) == {"main": place, "north": {"City": "Peoria"}}
    assert store.set_addresses(ORG, {"café": {"City": "Paris"}}) == 1        # replaces the set
    assert store.addresses(ORG) == {"café": {"City": "Paris"}} and store.addresses(OTHER) == {}
    with pytest.raises(InvalidRecord):
        store.set_addresses(ORG, {"a": {}, " a ": {}})
    assert store.addresses(ORG) == {"café": {"City": "Paris"}}               # nothing changed
    assert store.set_addresses(ORG, {}) == 0 and store.addresses(ORG) == {}


def test_manifests(store):
    cost, cond = new_ctid(), new_ctid()
    store.set_manifests(ORG, "cost", {"tuition": cost.upper()})
    store.set_manifests(ORG, "condition", {"admission": cond})
    assert store.manifests(ORG, "cost") == {"tuition": cost}
    assert store.manifests(ORG, "condition") == {"admission": cond}
    with pytest.raises(InvalidRecord):
        store.manifests(ORG, "fee")


# -- stage_many: many records in one transaction, each as stage() would have it ------------------------------
def _taken(record: StagedRecord) -> StagedRecord:
    """What the workflow does with a record whose CTID another record holds: rejected, without it."""
    from dataclasses import replace

    return replace(record, ctid=None, status="rejected", content_digest=record.content_digest + "-taken",
                   errors=[*record.errors, {"code": "bulk.ctid-taken"}])


def test_stage_many_says_what_stage_says(store):
    kept, changed = rec("m1", digest="d1"), rec("m2", digest="d1")
    store.stage(kept)
    store.stage(changed)
    before = store.get_staged(ORG, "m1")
    new = rec("m3", digest="d1")
    out = store.stage_many([kept, rec("m2", changed.ctid, digest="d2", name="y"), new], _taken)
    assert [change for change, _ in out] == ["unchanged", "updated", "created"]
    assert [r.external_id for _, r in out] == ["m1", "m2", "m3"]
    assert store.get_staged(ORG, "m1") == before                                  # nothing written
    m2 = store.get_staged(ORG, "m2")
    assert m2.content_digest == "d2" and m2.request["Credential"]["Name"] == "y" and m2.updated_at > before.updated_at
    m3 = store.get_staged(ORG, new.ctid.upper())
    assert m3.external_id == "m3" and m3.created_at == m3.updated_at and m3.published_envelope_id is None
    assert store.stage_many([], _taken) == []


def test_stage_many_replaces_a_record_whose_ctid_is_taken(store):
    theirs = rec("theirs", org=OTHER)
    store.stage(theirs)
    mine = rec("mine", theirs.ctid.upper())
    twice = rec("twice")
    out = store.stage_many([mine, twice, rec("again", twice.ctid)], _taken)
    assert [(c, r.ctid, r.status) for c, r in out] == [("created", None, "rejected"), ("created", twice.ctid, "pending"),
                                                       ("created", None, "rejected")]
    assert store.get_staged(ORG, "mine").errors == [{"code": "bulk.ctid-taken"}]
    assert store.get_staged(OTHER, theirs.ctid).external_id == "theirs"          # theirs untouched
    # staged again unchanged: the replacement is what is stored, so it is unchanged too
    assert [c for c, _ in store.stage_many([mine], _taken)] == ["unchanged"]


def test_stage_many_decides_in_order_as_one_by_one(store):
    """A record that gives up its CTID frees it for a later record of the same call, not an earlier one."""
    a, b = rec("a"), rec("b")
    store.stage(a)
    store.stage(b)
    x, y = a.ctid, new_ctid()
    out = store.stage_many([rec("a", y), rec("c", x)], _taken)      # a moves to y, then c takes x: fine
    assert [(c, r.ctid) for c, r in out] == [("updated", y), ("created", x)]
    out = store.stage_many([rec("d", b.ctid), rec("b", new_ctid())], _taken)   # d first: b still holds it
    assert [(c, r.ctid) for c, r in out][0] == ("created", None) and out[1][0] == "updated"
    assert store.get_staged(ORG, "c").ctid == x and store.get_staged(ORG, "d").status == "rejected"


def test_stage_many_falls_back_to_one_by_one_when_a_ctid_is_taken_meanwhile(store, monkeypatch):
    """A CTID another organization stages between the read and the write (PostgreSQL: another lock):
    the batch rolls back and every record is staged with stage(), with the same answers."""
    theirs = rec("theirs", org=OTHER)
    mine, other = rec("mine", theirs.ctid), rec("other")
    real = type(store)._holders

    def late(self, conn, holders, ctids):   # the holder is read before the other organization stages it
        real(self, conn, holders, ctids - {theirs.ctid})
        holders.setdefault(theirs.ctid, None)

    store.stage(theirs)
    monkeypatch.setattr(type(store), "_holders", late)
    one_by_one = []
    stage = type(store).stage
    monkeypatch.setattr(type(store), "stage", lambda self, r: one_by_one.append(r.external_id) or stage(self, r))
    out = store.stage_many([other, mine], _taken)
    assert [(c, r.ctid) for c, r in out] == [("created", other.ctid), ("created", None)]
    assert one_by_one == ["other", "mine", "mine"]      # the batch was rolled back: "other" written once
    assert store.get_staged(ORG, "mine").status == "rejected" and store.get_staged(ORG, "other").ctid == other.ctid


def test_envelope_types(store):
    from service.store.base import EnvelopeRecord, utc_now

    def publish(ctid, ctdl_type, owner, deleted=False):
        stamp = utc_now()
        store.publish(ctid, lambda cur: EnvelopeRecord(
            envelope_id=str(uuid.uuid4()), ctid=ctid, ctdl_type=ctdl_type, owned_by=owner, published_by=owner,
            version=1, resource="jws", resource_digest=uuid.uuid4().hex, decoded_resource={"@graph": []},
            public_key="pem", created_at=stamp, updated_at=stamp, deleted_at=stamp if deleted else None,
            node_ctids=[ctid]))

    org_ctid, gone, node = new_ctid(), new_ctid(), new_ctid()
    publish(org_ctid, "ceterms:CredentialOrganization", org_ctid)
    publish(gone, "ceterms:Certificate", ORG, deleted=True)
    assert store.envelope_types([org_ctid.upper(), gone, node, " ", ""]) == {
        org_ctid: ("ceterms:CredentialOrganization", org_ctid), gone: ("ceterms:Certificate", ORG)}
    assert store.envelope_types([]) == {}


def test_json_given_as_its_text_is_written_as_it_is_and_read_back_as_its_value(store):
    """EncodedJSON (a large upload's rows, encoded by the workers that validated them) is stored as the
    text it holds, in one batch (stage_many) or alone (stage), and read back as the JSON value."""
    import json
    from dataclasses import replace
    from service.store.base import EncodedJSON

    def encoded(r):
        return replace(r, request=EncodedJSON(json.dumps(r.request, ensure_ascii=False)),
                       document=EncodedJSON(json.dumps(r.document)))

    a, b, c = rec("text1", name="één"), rec("text2", name="two"), rec("text3", name="three")
    out = store.stage_many([encoded(a), encoded(b)], _taken)
    assert [ch for ch, _ in out] == ["created", "created"]
    assert store.stage(encoded(c)) == "created"
    for r in (a, b, c):
        got = store.get_staged(ORG, r.external_id)
        assert (got.request, got.document) == (r.request, r.document)
    assert store.get_staged(ORG, "text1").request["Credential"]["Name"] == "één"


def test_values_orjson_refuses_or_writes_otherwise_are_stored_and_read_back(store):
    """json_text writes with orjson and falls back to the standard encoder for what orjson refuses:
    every value comes back as it went in (text in any script, control characters but NUL, which
    PostgreSQL's jsonb refuses, an integer over
    64 bits, numbers written with an exponent)."""
    from dataclasses import replace

    from service.store.base import json_text

    value = {"Name": "Soudage \u00e9 \u2713 \u2028 \t\n\x1f \"q\" \\", "Big": 10 ** 30, "Small": -(2 ** 63),
             "Floats": [1.5, 1e16, 1e-7, -0.0], "Nested": [{"a": [True, False, None]}], "": "empty key"}
    for text in (json_text(value), json_text({1: "not text key"})):
        assert json.loads(text) == json.loads(json.dumps(json.loads(text)))     # valid JSON
    assert json.loads(json_text(value)) == value
    r = replace(rec("values"), request=value, document={"@graph": [value]})
    assert store.stage(r) == "created"
    got = store.get_staged(ORG, "values")
    assert got.request == value and got.document == {"@graph": [value]}
