"""Databases made by older versions are migrated on open, their data kept: both backends.

An old database is made by the statements of its version (schema.create_statements(dialect,
version)), the same statements that version ran, then filled the way that version filled it.
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from pgtest import open_databases
from service.store import open_store
from service.store.schema import SCHEMA_VERSION, create_statements
from service.store.sqlite import FILENAME

ORG, OTHER = "ce-00000000-0000-4000-8000-00000000000a", "ce-00000000-0000-4000-8000-00000000000b"
FRAMEWORK, COMPETENCY = "ce-00000000-0000-4000-8000-0000000000f1", "ce-00000000-0000-4000-8000-0000000000c1"
KEY_HASH = "ab12" * 16


@pytest.fixture(params=["sqlite", "postgres"])
def old_database(request, tmp_path):
    """make(version) -> (data folder, database URL or None): a database of that schema version
    holding one key of ORG and one published framework of ORG with one competency."""
    dbs = open_databases("ctdl_migrate_") if request.param == "postgres" else None

    def make(version: int):
        envelope = ("e1", FRAMEWORK, "ceasn:CompetencyFramework", ORG, ORG, 1, "jws", "d" * 64,
                    json.dumps({"@graph": [{"ceterms:ctid": FRAMEWORK}, {"ceterms:ctid": COMPETENCY}]}),
                    "pem", "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z", None, "",
                    json.dumps([FRAMEWORK, COMPETENCY]))
        statements = create_statements(request.param, version) + [
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"INSERT INTO meta (key, value) VALUES ('schema_version', '{version}')",
        ]
        key = ("INSERT INTO keys (key_hash, org, admin, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
               (KEY_HASH, ORG, False, "2026-01-01T00:00:00.000000Z", None))
        if version >= 3:     # keys have their id since version 3 (as that migration gave them)
            key = ("INSERT INTO keys (key_hash, org, admin, created_at, revoked_at, key_id) VALUES (?, ?, ?, ?, ?, ?)",
                   (KEY_HASH, ORG, False, "2026-01-01T00:00:00.000000Z", None, KEY_HASH[:12]))
        inserts = [
            key,
            ("INSERT INTO envelopes VALUES (" + ", ".join("?" for _ in envelope) + ")", envelope),
            ("INSERT INTO revisions VALUES (" + ", ".join("?" for _ in envelope) + ")", envelope),
            ("INSERT INTO envelope_nodes (node_ctid, envelope_id) VALUES (?, ?)", (FRAMEWORK, "e1")),
            ("INSERT INTO envelope_nodes (node_ctid, envelope_id) VALUES (?, ?)", (COMPETENCY, "e1")),
        ] + ([("INSERT INTO ctid_owners (owned_ctid, org, claimed_at) VALUES (?, ?, ?)",
               (c, ORG, "2026-01-01T00:00:00.000000Z")) for c in (FRAMEWORK, COMPETENCY)] if version >= 3 else [])
        if dbs is None:
            with sqlite3.connect(tmp_path / FILENAME) as conn:
                for sql in statements:
                    conn.execute(sql)
                for sql, params in inserts:
                    conn.execute(sql, params)
            return tmp_path, None
        import psycopg

        url = dbs.new()
        with psycopg.connect(url, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)
            for sql, params in inserts:
                conn.execute(sql.replace("?", "%s"), params)
        return tmp_path, url

    try:
        yield make
    finally:
        if dbs is not None:
            dbs.drop_all()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_an_old_database_is_migrated_and_keeps_its_data(old_database, version):
    store = open_store(*old_database(version))
    try:
        assert store.schema_version() == SCHEMA_VERSION
        # version 2: the bulk tables
        store.set_addresses(ORG, {"main": {"City": "Springfield"}})
        assert store.addresses(ORG) == {"main": {"City": "Springfield"}}
        # version 3: key ids from the stored hashes; owners of the CTIDs already published
        key = store.get_key(KEY_HASH)
        assert key.key_id == KEY_HASH[:12] and key.last_used_at is None
        assert store.get_key_by_id(KEY_HASH[:12]) == key
        assert store.key_orgs([ORG, OTHER]) == {ORG}
        assert store.ctid_owners([FRAMEWORK, COMPETENCY, OTHER]) == {FRAMEWORK: ORG, COMPETENCY: ORG}
        assert store.get_by_node_ctid(COMPETENCY).envelope_id == "e1"
        # version 4: upload jobs
        store.create_job("j1", ORG, "course", b"External Identifier\r\n\xff")
        assert store.claim_job("host:1")["input"] == b"External Identifier\r\n\xff"   # bytes kept as they are
        store.update_job("j1", rows_done=3, rows_total=10)
        assert store.get_job("j1")["rows_done"] == 3 and store.claim_job("host:2") is None
    finally:
        store.close()
