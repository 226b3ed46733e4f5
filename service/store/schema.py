"""The registry's tables, written once for both backends.

One template rendered per dialect, so the SQLite and PostgreSQL schemas cannot drift apart; the only
differences are the JSON column type (TEXT holding JSON in SQLite, jsonb in PostgreSQL) and the
byte-wise collation PostgreSQL needs to sort like SQLite. The columns of `envelopes` and
`revisions` come from one list that is checked against the EnvelopeRecord dataclass at import time.

Versioning: `meta.schema_version` says which version a database has. A later change adds its
statements to MIGRATIONS[n] (taking a database from version n to n + 1) and bumps SCHEMA_VERSION;
the store runs them on open.

Version 2 added the bulk upload tables: `staged` (uploaded rows awaiting approval and publishing),
`org_addresses` and `org_manifests` (an organization's reference data for its uploads).
Version 3 gave keys a public id (`key_id`: listed and revoked by it; never the secret) and a
`last_used_at`, and added `ctid_owners`: every CTID of a published graph (competencies, concepts,
components... not only the main one) belongs to the organization that first published it.
Version 4 added `jobs`: large bulk uploads as a queue of jobs (service/bulk/jobs.py).
Version 5 indexed `envelopes.search_text` for the search page and ?q= (SQLite: an FTS5 trigram
table kept by triggers; PostgreSQL: a pg_trgm GIN index, skipped with a notice where the extension
cannot be created) and added `org_settings` (an organization's webhook URL and notice email).

A new database is made by the version 1 statements followed by every migration, so a new database
and a migrated one are built by the same statements and cannot differ.
"""
from __future__ import annotations

from dataclasses import fields

from .base import EnvelopeRecord, StagedRecord, StoreError

SCHEMA_VERSION = 5

# {key}: text compared byte by byte, as SQLite always does, so that sorting and equality on CTIDs
# and timestamps do not depend on the PostgreSQL server's locale (en_US would order differently).
DIALECT_TYPES = {
    "sqlite": {"json": "TEXT", "key": "TEXT", "bytes": "BLOB"},
    "postgres": {"json": "JSONB", "key": 'TEXT COLLATE "C"', "bytes": "BYTEA"},
}

# Every EnvelopeRecord field but envelope_id, in dataclass order, as SQL columns: shared by
# envelopes (the current version of each CTID) and revisions (every version, current included).
# The field `ctid` is the column `envelope_ctid`: PostgreSQL reserves the name ctid for the system
# column holding a row's physical address.
RECORD_COLUMNS: dict[str, str] = {
    "envelope_ctid": "{key} NOT NULL",
    "ctdl_type": "{key} NOT NULL",
    "owned_by": "{key} NOT NULL",
    "published_by": "TEXT NOT NULL",
    "version": "INTEGER NOT NULL CHECK (version >= 1)",
    "resource": "TEXT NOT NULL",
    "resource_digest": "TEXT NOT NULL",
    "decoded_resource": "{json} NOT NULL",
    "public_key": "TEXT NOT NULL",
    "created_at": "TEXT NOT NULL",
    "updated_at": "{key} NOT NULL",
    "deleted_at": "TEXT",
    "search_text": "TEXT NOT NULL DEFAULT ''",
    "node_ctids": "{json} NOT NULL",
}

# Column order of every SELECT that builds an EnvelopeRecord, and the record fields they fill.
ENVELOPE_COLUMNS: tuple[str, ...] = ("envelope_id", *RECORD_COLUMNS)
ENVELOPE_FIELDS: tuple[str, ...] = tuple("ctid" if c == "envelope_ctid" else c for c in ENVELOPE_COLUMNS)
JSON_FIELDS = frozenset(name for name, decl in RECORD_COLUMNS.items() if decl.startswith("{json}"))
KEY_FIELDS: tuple[str, ...] = ("key_hash", "org", "admin", "created_at", "revoked_at", "key_id", "last_used_at")

# The columns of `staged`, in StagedRecord's field order (`ctid` is the column resource_ctid, as above).
STAGED_COLUMNS: dict[str, str] = {
    "org": "{key} NOT NULL",
    "resource_type": "{key} NOT NULL",
    "external_id": "{key} NOT NULL",
    "resource_ctid": "{key}",
    "status": "{key} NOT NULL CHECK (status IN ('pending', 'approved', 'published', 'rejected'))",
    "request": "{json} NOT NULL",
    "document": "{json}",
    "errors": "{json} NOT NULL",
    "content_digest": "TEXT NOT NULL",
    "deferred": "BOOLEAN NOT NULL",
    "created_at": "TEXT NOT NULL",
    "updated_at": "{key} NOT NULL",
    "published_envelope_id": "TEXT",
}
STAGED_FIELDS: tuple[str, ...] = tuple("ctid" if c == "resource_ctid" else c for c in STAGED_COLUMNS)
STAGED_JSON_FIELDS = frozenset(("request", "document", "errors"))

if list(ENVELOPE_FIELDS) != [f.name for f in fields(EnvelopeRecord)]:  # pragma: no cover - a coding error
    raise ImportError("service/store/schema.py: RECORD_COLUMNS no longer match EnvelopeRecord's fields")
if list(STAGED_FIELDS) != [f.name for f in fields(StagedRecord)]:  # pragma: no cover - a coding error
    raise ImportError("service/store/schema.py: STAGED_COLUMNS no longer match StagedRecord's fields")

META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

_TABLES = """
CREATE TABLE IF NOT EXISTS keys (
    key_hash TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    admin BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS authorizations (
    org TEXT NOT NULL,
    publisher TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org, publisher)
);
CREATE TABLE IF NOT EXISTS envelopes (
    envelope_id TEXT PRIMARY KEY,
    {record_columns}
);
CREATE UNIQUE INDEX IF NOT EXISTS envelopes_ctid ON envelopes (envelope_ctid);
CREATE INDEX IF NOT EXISTS envelopes_recent ON envelopes (updated_at DESC, envelope_ctid);
CREATE INDEX IF NOT EXISTS envelopes_owner ON envelopes (owned_by, updated_at DESC, envelope_ctid);
CREATE INDEX IF NOT EXISTS envelopes_type ON envelopes (ctdl_type, updated_at DESC, envelope_ctid);
CREATE TABLE IF NOT EXISTS revisions (
    envelope_id TEXT NOT NULL REFERENCES envelopes (envelope_id) ON DELETE CASCADE,
    {record_columns},
    PRIMARY KEY (envelope_id, version)
);
CREATE TABLE IF NOT EXISTS envelope_nodes (
    node_ctid {key} PRIMARY KEY,
    envelope_id TEXT NOT NULL REFERENCES envelopes (envelope_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS envelope_nodes_envelope ON envelope_nodes (envelope_id)
"""

# Schema version 2: bulk uploads (service/bulk/workflow.py).
_BULK_TABLES = """
CREATE TABLE IF NOT EXISTS staged (
    {staged_columns},
    PRIMARY KEY (org, resource_type, external_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS staged_ctid ON staged (resource_ctid);
CREATE INDEX IF NOT EXISTS staged_status ON staged (org, status);
CREATE TABLE IF NOT EXISTS org_addresses (
    org {key} NOT NULL,
    address_id {key} NOT NULL,
    place {json} NOT NULL,
    PRIMARY KEY (org, address_id)
);
CREATE TABLE IF NOT EXISTS org_manifests (
    org {key} NOT NULL,
    kind {key} NOT NULL CHECK (kind IN ('cost', 'condition')),
    manifest_id {key} NOT NULL,
    manifest_ctid {key} NOT NULL,
    PRIMARY KEY (org, kind, manifest_id)
)
"""


# Schema version 3: key ids and last use; who owns each CTID of a published graph (service/registry/core.py);
# the column is owned_ctid, as PostgreSQL reserves the name ctid.
# The owners of CTIDs already published are their envelopes' owners (a node CTID is in one envelope).
_OWNERSHIP = """
ALTER TABLE keys ADD COLUMN key_id TEXT;
ALTER TABLE keys ADD COLUMN last_used_at TEXT;
UPDATE keys SET key_id = substr(key_hash, 1, 12);
CREATE UNIQUE INDEX IF NOT EXISTS keys_id ON keys (key_id);
CREATE INDEX IF NOT EXISTS keys_org ON keys (org);
CREATE TABLE IF NOT EXISTS ctid_owners (
    owned_ctid {key} PRIMARY KEY,
    org {key} NOT NULL,
    claimed_at TEXT NOT NULL
);
INSERT INTO ctid_owners (owned_ctid, org, claimed_at)
    SELECT n.node_ctid, e.owned_by, e.created_at FROM envelope_nodes n
    JOIN envelopes e ON e.envelope_id = n.envelope_id WHERE true
    ON CONFLICT (owned_ctid) DO NOTHING
"""


# Schema version 4: bulk uploads run as jobs (service/bulk/jobs.py), a queue in the store: the
# uploaded file waits as `queued` until a process claims it (`running`, its `runner` "host:pid"),
# its progress and then its answer (`done`) or why it failed (`failed`). The file is kept until the
# job ends, so a job whose process died is queued again and run from its file (`attempts` counts).
_JOBS = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    org {key} NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_done INTEGER NOT NULL,
    rows_total INTEGER NOT NULL,
    result {json},
    error TEXT,
    runner TEXT NOT NULL,
    input {bytes},
    key_id TEXT NOT NULL,
    language TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_org ON jobs (org, created_at);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created_at)
"""


# Schema version 5, one list per dialect (the trigger bodies and the DO block hold semicolons).
# The search keeps its meaning (every word a substring of search_text, matched by LIKE): the index
# only narrows the rows LIKE looks at (SQLite: words of 3 characters or more, as trigram phrases).
_SEARCH = {
    "sqlite": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS envelopes_search USING fts5(search_text, content='envelopes', "
        "content_rowid='rowid', tokenize='trigram')",
        "CREATE TRIGGER IF NOT EXISTS envelopes_search_insert AFTER INSERT ON envelopes BEGIN "
        "INSERT INTO envelopes_search (rowid, search_text) VALUES (new.rowid, new.search_text); END",
        "CREATE TRIGGER IF NOT EXISTS envelopes_search_delete AFTER DELETE ON envelopes BEGIN "
        "INSERT INTO envelopes_search (envelopes_search, rowid, search_text) "
        "VALUES ('delete', old.rowid, old.search_text); END",
        "CREATE TRIGGER IF NOT EXISTS envelopes_search_update AFTER UPDATE OF search_text ON envelopes BEGIN "
        "INSERT INTO envelopes_search (envelopes_search, rowid, search_text) "
        "VALUES ('delete', old.rowid, old.search_text); "
        "INSERT INTO envelopes_search (rowid, search_text) VALUES (new.rowid, new.search_text); END",
        "INSERT INTO envelopes_search (envelopes_search) VALUES ('rebuild')",
    ],
    "postgres": [
        "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
        "CREATE INDEX IF NOT EXISTS envelopes_search ON envelopes USING GIN (search_text gin_trgm_ops); "
        "EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm is not available: search works without its index'; "
        "END $$",
    ],
}
_ORG_SETTINGS = """
CREATE TABLE IF NOT EXISTS org_settings (
    org {key} NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org, name)
)
"""


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


# MIGRATIONS[n]: the statements that take a database from schema version n to n + 1.
# A migration is a list of statements, or {dialect: list} where the dialects differ.
MIGRATIONS: dict[int, list[str] | dict[str, list[str]]] = {
    1: _statements(_BULK_TABLES),
    2: _statements(_OWNERSHIP),
    3: _statements(_JOBS),
    4: {d: [*_SEARCH[d], _ORG_SETTINGS.strip()] for d in _SEARCH},
}


def _migration(version: int, dialect: str) -> list[str]:
    steps = MIGRATIONS[version]
    return [_render(s, dialect) for s in (steps[dialect] if isinstance(steps, dict) else steps)]


def _render(sql: str, dialect: str) -> str:
    types = DIALECT_TYPES[dialect]
    columns = ",\n    ".join(f"{name} {decl}" for name, decl in RECORD_COLUMNS.items())
    sql = sql.replace("{record_columns}", columns)
    sql = sql.replace("{staged_columns}", ",\n    ".join(f"{n} {d}" for n, d in STAGED_COLUMNS.items()))
    for name, sql_type in types.items():
        sql = sql.replace("{" + name + "}", sql_type)
    return sql


def create_statements(dialect: str, version: int = SCHEMA_VERSION) -> list[str]:
    """The statements that create the schema of `version` (default: the current one), one per item:
    version 1's tables, then each migration up to `version`."""
    if dialect not in DIALECT_TYPES:
        raise StoreError(f"unknown SQL dialect {dialect!r}")
    out = _statements(_render(_TABLES, dialect))
    for v in range(1, version):
        out.extend(_migration(v, dialect))
    return out


def migration_statements(from_version: int, dialect: str) -> list[str]:
    """The statements that take a database from `from_version` to SCHEMA_VERSION, in order."""
    out: list[str] = []
    for version in range(from_version, SCHEMA_VERSION):
        if version not in MIGRATIONS:
            raise StoreError(f"no migration from schema version {version} to {version + 1}")
        out.extend(_migration(version, dialect))
    return out
