"""The registry store: ONE suite run against both backends (ids "sqlite" and "postgres").

PostgreSQL: a fresh database `ctdl_test_<random>` is created for the session through the server
named by CTDL_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/postgres) and dropped at
the end. Unreachable server: skipped on a developer machine, FAILED when CI is set, so CI can never
pass without having run them.
"""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from pgtest import open_databases
from service.store import AlreadyExists, InvalidRecord, StoreError, open_store
from service.store.base import CtidsTaken, EnvelopeRecord, KeyRecord, utc_now
from service.store.schema import SCHEMA_VERSION
from service.store.sqlite import FILENAME, SqliteStore

REPO = Path(__file__).resolve().parent.parent
ORG, OTHER = "ce-00000000-0000-4000-8000-00000000000a", "ce-00000000-0000-4000-8000-00000000000b"


def new_ctid() -> str:
    return f"ce-{uuid.uuid4()}"


def next_version(ctid, current, *, payload=None, owned_by=ORG, ctdl_type="ceterms:Certificate",
                 search_text="", nodes=(), updated_at=None, deleted=False) -> EnvelopeRecord:
    """What the registry's build does, minus signing: the next version of `ctid`."""
    stamp = updated_at or utc_now()
    payload = payload if payload is not None else {"@graph": [{"ceterms:ctid": ctid, "n": random.random()}]}
    return EnvelopeRecord(
        envelope_id=current.envelope_id if current else str(uuid.uuid4()), ctid=ctid, ctdl_type=ctdl_type,
        owned_by=current.owned_by if current else owned_by, published_by=owned_by,
        version=current.version + 1 if current else 1, resource=f"jws.{random.random()}",
        resource_digest=uuid.uuid4().hex, decoded_resource=payload, public_key="-----BEGIN PUBLIC KEY-----",
        created_at=current.created_at if current else stamp, updated_at=stamp,
        deleted_at=stamp if deleted else None, search_text=search_text, node_ctids=[ctid, *nodes])


def put(store, ctid, **kw) -> EnvelopeRecord:
    record, changed = store.publish(ctid, lambda cur: next_version(ctid, cur, **kw))
    assert changed
    return record


# -- backends -----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_url():
    dbs = open_databases("ctdl_test_")
    try:
        yield dbs.new()
    finally:
        dbs.drop_all()


class Backend:
    """Opens stores on one database (more than one = several servers sharing it); closes them."""

    def __init__(self, kind: str, data_dir: Path, url: str | None):
        self.kind, self.data_dir, self.url, self.stores = kind, data_dir, url, []

    def open(self):
        store = open_store(self.data_dir, self.url)
        self.stores.append(store)
        return store


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    url = None
    if request.param == "postgres":
        import psycopg

        url = request.getfixturevalue("postgres_url")
        open_store(tmp_path, url).close()     # creates the schema on first use
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("TRUNCATE envelope_nodes, revisions, envelopes, keys, authorizations, ctid_owners")
    b = Backend(request.param, tmp_path / "data", url)
    yield b
    for store in b.stores:
        store.close()


@pytest.fixture
def store(backend):
    return backend.open()


def count_statements(monkeypatch, store) -> list[str]:
    """Every statement the store sends from now on (both backends run them through _exec)."""
    seen: list[str] = []
    real = store._exec

    def counting(conn, sql, params=()):
        seen.append(sql)
        return real(conn, sql, params)

    monkeypatch.setattr(store, "_exec", counting)
    return seen


# -- keys and authorizations ----------------------------------------------------------------------------
def test_keys_add_get_revoke(store):
    key = KeyRecord(key_hash="ab" * 32, org=ORG, admin=True, created_at=utc_now(), revoked_at=None)
    store.add_key(key)
    assert store.get_key(key.key_hash) == key and store.get_key(key.key_hash).admin is True
    assert store.get_key("cd" * 32) is None
    with pytest.raises(AlreadyExists):
        store.add_key(key)
    when = utc_now()
    assert store.revoke_key(key.key_hash, when) is True
    assert store.get_key(key.key_hash).revoked_at == when
    assert store.revoke_key(key.key_hash, utc_now()) is False      # already revoked
    assert store.revoke_key("cd" * 32, utc_now()) is False         # unknown


def test_key_ids_listing_use_and_revoking_by_id(store):
    first = KeyRecord(key_hash="ab" * 32, org=ORG.upper(), admin=False, created_at="2026-01-01T00:00:00.000000Z",
                      revoked_at=None)
    second = KeyRecord(key_hash="cd" * 32, org=OTHER, admin=True, created_at="2026-01-02T00:00:00.000000Z",
                       revoked_at=None)
    store.add_key(first)
    store.add_key(second)
    assert first.key_id == "ab" * 6 and store.get_key_by_id("AB" * 6).org == ORG     # ids: 12 hex digits
    assert [k.key_id for k in store.list_keys()] == ["ab" * 6, "cd" * 6]
    assert [k.key_hash for k in store.list_keys(OTHER)] == ["cd" * 32] and store.list_keys(new_ctid()) == []
    with pytest.raises(AlreadyExists):   # another hash whose id is taken
        store.add_key(KeyRecord(key_hash="ab" * 6 + "ef" * 26, org=ORG, admin=False, created_at=utc_now(),
                                revoked_at=None))
    store.touch_key(first.key_hash, "2026-02-01T00:00:00.000000Z")
    store.touch_key(first.key_hash, "2026-01-15T00:00:00.000000Z")     # an older stamp never goes back
    assert store.get_key(first.key_hash).last_used_at == "2026-02-01T00:00:00.000000Z"
    assert store.get_key(second.key_hash).last_used_at is None
    assert store.key_orgs([ORG, OTHER.upper(), new_ctid()]) == {ORG, OTHER} and store.key_orgs([]) == set()
    assert store.revoke_key_id("CD" * 6, utc_now()) is True and store.revoke_key_id("cd" * 6, utc_now()) is False
    assert store.get_key(second.key_hash).revoked_at and store.revoke_key_id("00" * 6, utc_now()) is False
    assert store.key_orgs([OTHER]) == {OTHER}          # a revoked key's organization keeps its CTID


def test_authorizations(store):
    assert not store.is_authorized(ORG, OTHER)
    store.authorize(ORG, OTHER)
    store.authorize(ORG, OTHER)                                     # idempotent
    assert store.is_authorized(ORG, OTHER) and store.is_authorized(ORG.upper(), OTHER)
    assert not store.is_authorized(OTHER, ORG)                      # one direction only
    third = new_ctid()
    store.authorize(third, OTHER)
    assert store.authorizers([OTHER.upper(), new_ctid()]) == {ORG, third} and store.authorizers([ORG]) == set()
    assert [(o, p) for o, p, _ in store.authorizations(ORG)] == [(ORG, OTHER)]
    assert len(store.authorizations()) == 2
    assert store.unauthorize(ORG, OTHER) is True and store.unauthorize(ORG, OTHER) is False
    assert not store.is_authorized(ORG, OTHER) and store.authorizers([OTHER]) == {third}


# -- publish ------------------------------------------------------------------------------------------
def test_publish_create_update_noop(store):
    ctid, seen = new_ctid(), []
    first, changed = store.publish(ctid, lambda cur: seen.append(cur) or next_version(ctid, cur))
    assert changed and first.version == 1 and seen == [None]
    assert store.get_by_ctid(ctid) == first == store.get_envelope(first.envelope_id)
    second = put(store, ctid.upper())                               # CTIDs are matched lower-cased
    assert second.version == 2 and second.envelope_id == first.envelope_id
    same, changed = store.publish(ctid, lambda cur: seen.append(cur) or None)
    assert (same, changed) == (second, False) and seen[-1] == second
    assert [r.version for r in store.revisions(first.envelope_id)] == [1, 2]


def test_build_raising_writes_nothing(store):
    class Refused(Exception):
        pass

    def refuse(cur):
        raise Refused("no")

    ctid = new_ctid()
    with pytest.raises(Refused):
        store.publish(ctid, refuse)
    assert store.get_by_ctid(ctid, include_deleted=True) is None and not store.existing_ctids([ctid])
    first = put(store, ctid, nodes=["ce-a"])

    def half_then_refuse(cur):
        next_version(ctid, cur, nodes=["ce-b"])
        raise Refused("no")

    with pytest.raises(Refused):
        store.publish(ctid, half_then_refuse)
    assert store.get_by_ctid(ctid) == first and store.revisions(first.envelope_id) == [first]
    assert store.existing_ctids(["ce-a", "ce-b"]) == {"ce-a"}
    put(store, ctid)                                                # the store still works afterwards


@pytest.mark.parametrize("change", ["version", "envelope_id", "ctid"])
def test_records_that_would_break_history_are_refused(store, change):
    ctid = new_ctid()
    first = put(store, ctid)
    bad = next_version(ctid, first)
    setattr(bad, change, {"version": 5, "envelope_id": str(uuid.uuid4()), "ctid": new_ctid()}[change])
    with pytest.raises(InvalidRecord):
        store.publish(ctid, lambda cur: bad)
    assert store.revisions(first.envelope_id) == [first] and store.get_by_ctid(ctid) == first


def test_revisions_keep_every_version(store):
    ctid = new_ctid()
    published = [put(store, ctid, payload={"@graph": [{"n": n, "name": {"en": f"v{n}"}}]}) for n in range(5)]
    history = store.revisions(published[0].envelope_id)
    assert history == published and [r.version for r in history] == [1, 2, 3, 4, 5]
    assert history[-1] == store.get_by_ctid(ctid) and store.revisions(str(uuid.uuid4())) == []


def test_delete_keeps_history(store):
    ctid = new_ctid()
    first = put(store, ctid, nodes=["ce-n1"])
    deleted = put(store, ctid, nodes=["ce-n1"], deleted=True)
    assert store.get_by_ctid(ctid) is None and store.get_by_ctid(ctid, include_deleted=True) == deleted
    assert store.get_by_node_ctid("ce-n1") is None and store.get_by_node_ctid("ce-n1", include_deleted=True) == deleted
    assert store.existing_ctids([ctid, "ce-n1"]) == set()
    assert store.list_envelopes() == ([], 0) and store.list_envelopes(include_deleted=True) == ([deleted], 1)
    assert store.get_envelope(first.envelope_id) == deleted
    assert [r.deleted_at is not None for r in store.revisions(first.envelope_id)] == [False, True]
    seen = []
    again, _ = store.publish(ctid, lambda cur: seen.append(cur) or next_version(ctid, cur))
    assert seen == [deleted] and again.version == 3 and again.deleted_at is None   # republish resumes history


def test_purge_removes_everything(store):
    keep, gone = new_ctid(), new_ctid()
    kept = put(store, keep, nodes=["ce-k"])
    record = put(store, gone, nodes=["ce-g"])
    put(store, gone, nodes=["ce-g"])
    assert store.purge(gone.upper()) is True
    assert store.get_by_ctid(gone, include_deleted=True) is None and store.get_envelope(record.envelope_id) is None
    assert store.revisions(record.envelope_id) == [] and store.get_by_node_ctid("ce-g", include_deleted=True) is None
    assert store.existing_ctids([gone, "ce-g", keep, "ce-k"]) == {keep, "ce-k"}
    assert store.list_envelopes(include_deleted=True) == ([kept], 1)
    assert store.purge(gone) is False
    assert put(store, gone).version == 1                            # a purged CTID starts afresh


def test_transfer(store):
    ctid = new_ctid()
    first = put(store, ctid, owned_by=ORG)
    assert store.transfer(ctid, OTHER.upper()) is True
    now = store.get_by_ctid(ctid)
    assert now.owned_by == OTHER and now.version == 2 and now.resource == first.resource
    assert [r.owned_by for r in store.revisions(first.envelope_id)] == [ORG, OTHER]   # recorded in the history
    assert store.transfer(ctid, OTHER) is True and store.get_by_ctid(ctid).version == 2  # already theirs
    assert store.transfer(new_ctid(), OTHER) is False
    assert store.list_envelopes(owned_by=ORG)[1] == 0 and store.list_envelopes(owned_by=OTHER)[1] == 1


def test_every_ctid_of_a_graph_belongs_to_its_first_publisher(store):
    framework, c1, c2 = new_ctid(), new_ctid(), new_ctid()
    put(store, framework, nodes=[c1, c2], owned_by=ORG)
    assert store.ctid_owners([framework, c1, c2, new_ctid()]) == {framework: ORG, c1: ORG, c2: ORG}
    # another organization's graph holding c1, or a record whose CTID is c2: refused, nothing written
    for ctid, nodes in ((new_ctid(), [c1]), (c2, [])):
        with pytest.raises(CtidsTaken) as refused:
            put(store, ctid, nodes=nodes, owned_by=OTHER)
        assert refused.value.owners == {c1 if nodes else c2: ORG}
        assert store.get_by_ctid(ctid, include_deleted=True) is None or ctid == c2
    assert store.get_by_node_ctid(c1).ctid == framework and store.get_by_node_ctid(c2).ctid == framework
    assert put(store, new_ctid(), nodes=[c1], owned_by=ORG)       # the same organization may reuse its own
    # a transfer moves the claims with the envelope; a purge frees those no other envelope holds
    store.transfer(framework, OTHER)
    assert store.ctid_owners([framework, c2]) == {framework: OTHER, c2: OTHER}
    store.purge(framework)
    assert store.ctid_owners([framework, c2]) == {}
    assert put(store, c2, owned_by=ORG).version == 1


def test_get_by_node_ctid(store):
    framework, other = new_ctid(), new_ctid()
    c1, c2 = new_ctid(), new_ctid()
    v1 = put(store, framework, nodes=[c1, c2])
    assert store.get_by_node_ctid(c1) == v1 == store.get_by_node_ctid(c2.upper()) == store.get_by_node_ctid(framework)
    v2 = put(store, framework, nodes=[c1])                          # c2 left the graph
    assert store.get_by_node_ctid(c2) is None and store.get_by_node_ctid(c1) == v2
    holder = put(store, other, nodes=[framework, c1])               # mentions the framework and c1
    assert store.get_by_node_ctid(framework) == v2                  # a main CTID stays with its envelope
    assert store.get_by_node_ctid(c1) == holder                     # a shared node: the latest publisher
    assert store.get_by_node_ctid(new_ctid()) is None


def test_existing_ctids_is_one_query(store, monkeypatch):
    present = [put(store, new_ctid(), nodes=[new_ctid()]) for _ in range(5)]
    wanted = [c for r in present for c in r.node_ctids]
    asked = wanted + [new_ctid() for _ in range(2000)]
    random.shuffle(asked)
    seen = count_statements(monkeypatch, store)
    assert store.existing_ctids(c.upper() for c in asked) == set(wanted)
    assert len(seen) == 1
    assert store.existing_ctids([]) == set() and len(seen) == 1     # nothing asked, nothing sent


def test_sqlite_existing_ctids_sends_one_statement(tmp_path):
    """Counted by SQLite itself (trace callback), not by our wrapper."""
    store = open_store(tmp_path)
    ctids = [put(store, new_ctid()).ctid for _ in range(3)]
    traced: list[str] = []
    with store._pool.connection() as conn:                         # the connection the next call reuses
        conn.set_trace_callback(traced.append)
    assert store.existing_ctids(ctids + [new_ctid() for _ in range(3000)]) == set(ctids)
    assert len(traced) == 1 and " IN (" in traced[0]
    with store._pool.connection() as conn:                         # above SQLite's variable limit: chunks
        conn.set_trace_callback(None)
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)
    assert store.existing_ctids(ctids + [new_ctid() for _ in range(250)]) == set(ctids)
    store.close()


# -- listing ------------------------------------------------------------------------------------------
def test_list_envelopes_filters(store):
    cert = put(store, new_ctid(), ctdl_type="ceterms:Certificate", owned_by=ORG,
               search_text="certificate in practical nursing care of the elderly")
    org = put(store, new_ctid(), ctdl_type="ceterms:CredentialOrganization", owned_by=ORG,
              search_text="école supérieure d'infirmières hôpital 100%_sure")
    course = put(store, new_ctid(), ctdl_type="ceterms:Course", owned_by=OTHER, search_text="welding basics")

    def ids(**kw):
        return {r.ctid for r in store.list_envelopes(**kw)[0]}

    assert ids() == {cert.ctid, org.ctid, course.ctid}
    assert ids(owned_by=ORG) == {cert.ctid, org.ctid} and ids(owned_by=OTHER.upper()) == {course.ctid}
    assert ids(ctdl_type="ceterms:Course") == {course.ctid}
    assert ids(q="NURSING") == {cert.ctid} and ids(q="nursing elderly") == {cert.ctid}    # every word
    assert ids(q="nursing welding") == set()
    assert ids(q="HÔPITAL") == ids(q="école") == {org.ctid}                               # any language
    assert ids(q="100%_") == {org.ctid} and ids(q="0%") == {org.ctid} and ids(q="e_c") == set()  # literal % _
    assert ids(q="basics", owned_by=ORG) == set() and ids(q="in", ctdl_type="ceterms:Certificate") == {cert.ctid}
    assert store.list_envelopes(q="zzz") == ([], 0)


def test_the_search_index_follows_updates_and_purges(store):
    """The index (SQLite FTS5 trigrams kept by triggers; PostgreSQL pg_trgm) never answers for an
    old name, and a purged record is gone from it."""
    ctid = new_ctid()
    put(store, ctid, search_text="certificate in welding technology")
    assert [r.ctid for r in store.list_envelopes(q="welding")[0]] == [ctid]
    put(store, ctid, search_text="certificate in nursing practice")
    assert store.list_envelopes(q="welding") == ([], 0)
    assert [r.ctid for r in store.list_envelopes(q="nursing practice")[0]] == [ctid]
    assert [r.ctid for r in store.list_envelopes(q='"nurs')[0]] == []           # a quote is a character
    assert store.purge(ctid)
    assert store.list_envelopes(q="nursing") == ([], 0)
    if getattr(store, "dialect", "") == "sqlite":
        with store._pool.connection() as conn:
            plan = " ".join(str(r) for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT envelope_ctid FROM envelopes WHERE rowid IN (SELECT rowid FROM "
                "envelopes_search WHERE envelopes_search MATCH ?)", ('"nursing"',)).fetchall())
        assert "VIRTUAL TABLE INDEX" in plan                                    # the index, not a scan


def test_list_envelopes_pagination(store):
    base = "2026-01-01T00:00:%02d.000000Z"
    records = [put(store, new_ctid(), updated_at=base % (i // 2)) for i in range(25)]   # pairs share a time
    expected = sorted(records, key=lambda r: r.ctid)
    expected.sort(key=lambda r: r.updated_at, reverse=True)
    pages = [store.list_envelopes(offset=o, limit=10) for o in (0, 10, 20)]
    assert [t for _, t in pages] == [25, 25, 25] and [len(p) for p, _ in pages] == [10, 10, 5]
    assert [r for p, _ in pages for r in p] == expected
    assert store.list_envelopes(offset=100, limit=10) == ([], 25)
    assert store.list_envelopes(limit=0) == ([], 25)
    assert store.list_envelopes(owned_by=ORG, offset=24, limit=10) == ([expected[-1]], 25)


# -- concurrency and durability --------------------------------------------------------------------------
def test_concurrent_publishers_lose_nothing(backend):
    """20 threads update one CTID while 20 others each write their own, through two stores (two
    servers on one database): every version kept, numbered 1..n, current == last revision."""
    stores = [backend.open(), backend.open()]
    shared, own = new_ctid(), [new_ctid() for _ in range(20)]
    rounds, start, errors = 3, threading.Barrier(40), []

    def writer(i: int, ctid: str):
        try:
            start.wait()
            for n in range(rounds):
                put(stores[i % 2], ctid, payload={"writer": i, "n": n}, nodes=[f"{ctid}-w{i}"])
        except BaseException as exc:   # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i, shared)) for i in range(20)]
    threads += [threading.Thread(target=writer, args=(20 + i, c)) for i, c in enumerate(own)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    store = stores[0]
    for ctid, writers in [(shared, range(20))] + [(c, [20 + i]) for i, c in enumerate(own)]:
        current = store.get_by_ctid(ctid)
        history = store.revisions(current.envelope_id)
        assert [r.version for r in history] == list(range(1, len(writers) * rounds + 1))
        assert sorted((r.decoded_resource["writer"], r.decoded_resource["n"]) for r in history) == \
            sorted((w, n) for w in writers for n in range(rounds))
        assert history[-1] == current and store.get_by_node_ctid(current.node_ctids[-1]) == current
    assert store.list_envelopes(limit=0)[1] == 21


def test_schema_version_and_reopen(backend):
    store = backend.open()
    assert store.schema_version() == SCHEMA_VERSION
    record = put(store, new_ctid())
    store.close()
    assert backend.open().get_by_ctid(record.ctid) == record        # opening again keeps everything


def test_newer_schema_is_refused(tmp_path):
    SqliteStore(tmp_path / FILENAME).close()
    with sqlite3.connect(tmp_path / FILENAME) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(tmp_path / FILENAME)


def test_sqlite_file_and_settings(tmp_path):
    store = open_store(tmp_path / "new" / "data")
    assert (tmp_path / "new" / "data" / FILENAME).is_file()
    with store._pool.connection() as conn:
        settings = [conn.execute(f"PRAGMA {p}").fetchone()[0]
                    for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")]
    assert settings[:3] == ["wal", 1, 1] and settings[3] >= 5000  # synchronous 1 = NORMAL
    put(store, new_ctid())
    # the registry's data is its owner's only: the folder 0700, the database and its WAL files 0600
    data = tmp_path / "new" / "data"
    assert data.stat().st_mode & 0o777 == 0o700
    files = sorted(data.iterdir())
    assert {f.name for f in files} >= {FILENAME, FILENAME + "-wal"}
    assert {f.name: f.stat().st_mode & 0o777 for f in files} == {f.name: 0o600 for f in files}
    store.close()
    with pytest.raises(StoreError, match="unsupported"):
        open_store(tmp_path, "mysql://root@localhost/db")


_CRASH_WRITER = textwrap.dedent("""
    import itertools, sys, uuid
    from pathlib import Path
    from service.store.sqlite import SqliteStore
    from service.store.base import EnvelopeRecord, utc_now
    store = SqliteStore(Path(sys.argv[1]))
    ctids = [f"ce-00000000-0000-4000-8000-{i:012d}" for i in range(5)]
    def build(ctid, n):
        def make(cur):
            stamp = utc_now()
            return EnvelopeRecord(
                envelope_id=cur.envelope_id if cur else str(uuid.uuid4()), ctid=ctid, ctdl_type="ceterms:Course",
                owned_by="ce-org", published_by="ce-org", version=cur.version + 1 if cur else 1, resource="r" * 3000,
                resource_digest=str(n), decoded_resource={"n": n, "pad": "x" * 5000}, public_key="k",
                created_at=cur.created_at if cur else stamp, updated_at=stamp, deleted_at=None,
                search_text="crash test", node_ctids=[ctid, f"{ctid}-{n % 7}"])
        return make
    for n in itertools.count():
        store.publish(ctids[n % 5], build(ctids[n % 5], n))
        if n == 4:
            print("ready", flush=True)   # every CTID has a version: now kill me whenever
""")


def test_sqlite_survives_sigkill_mid_publish(tmp_path):
    path = tmp_path / FILENAME
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for _ in range(3):                                              # kill, reopen, go on, kill again
        child = subprocess.Popen([sys.executable, "-c", _CRASH_WRITER, str(path)], stdout=subprocess.PIPE,
                                 env=env, cwd=REPO)
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(random.uniform(0.05, 0.4))
        child.kill()                                                # SIGKILL: no cleanup at all
        child.wait()
        child.stdout.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    store = SqliteStore(path)
    records, total = store.list_envelopes(limit=100)
    assert total == 5
    for current in records:
        history = store.revisions(current.envelope_id)
        assert [r.version for r in history] == list(range(1, len(history) + 1))
        assert history[-1] == current
        assert store.get_by_node_ctid(current.node_ctids[-1]) == current
        assert store.existing_ctids(current.node_ctids) == set(current.node_ctids)
    store.close()


def test_postgres_replaces_a_connection_the_server_dropped(postgres_url, tmp_path):
    """psycopg_pool checks a connection before lending it: one the server closed (a restart, an
    idle timeout, an administrator) is replaced, and the call works; an unreachable server is its
    own error at once."""
    import psycopg

    store = open_store(tmp_path, postgres_url)
    try:
        ctid = put(store, new_ctid()).ctid
        with store._pool.connection() as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        assert store.existing_ctids([ctid]) == {ctid}
        with store._pool.connection() as conn:
            assert conn.info.backend_pid != pid
    finally:
        store.close()
    with pytest.raises(StoreError, match="closed"):
        store.existing_ctids([ctid])
    with pytest.raises(psycopg.OperationalError):
        open_store(tmp_path, "postgresql://postgres@127.0.0.1:1/none")
