"""The Store both SQL backends share: every query is written here once.

The SQL uses `?` placeholders and the syntax SQLite and PostgreSQL have in common (ON CONFLICT,
window functions, LIKE ... ESCAPE). A backend (sqlite.py, postgres.py) supplies only what really
differs: connecting, how a write transaction starts and locks a CTID, JSON columns, `IN (...)`
versus `= ANY(...)`, and `?` versus `%s`. Identical SQL means identical behaviour, which the
parametrized tests check. The bulk upload queries (staged records, organization addresses) are
the mixin StagingQueries in staging.py, written the same way.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Iterable, Iterator, Sequence

from . import schema
from .base import (AlreadyExists, Build, CtidsTaken, EnvelopeRecord, InvalidRecord, KeyRecord, StoreError,
                   key_id_of, utc_now)
from .pool import ConnectionPool
from .browse import BrowseQueries
from .staging import StagingQueries

_COLS = ", ".join(schema.ENVELOPE_COLUMNS)
_E_COLS = ", ".join(f"e.{c}" for c in schema.ENVELOPE_COLUMNS)
_MARKS = ", ".join("?" for _ in schema.ENVELOPE_COLUMNS)
_UPDATE_SET = ", ".join(f"{c} = ?" for c in schema.ENVELOPE_COLUMNS[1:])
_SCHEMA_LOCK = "ctdl-assistant:schema"

# A node CTID belongs to the envelope published last that holds it, except that an envelope's own
# main CTID is never taken over by another envelope whose graph merely contains it.
_CLAIM_NODE = ("INSERT INTO envelope_nodes (node_ctid, envelope_id) VALUES (?, ?) "
               "ON CONFLICT (node_ctid) DO UPDATE SET envelope_id = excluded.envelope_id "
               "WHERE NOT EXISTS (SELECT 1 FROM envelopes o WHERE o.envelope_ctid = excluded.node_ctid "
               "AND o.envelope_id <> excluded.envelope_id)")


def _norm(ctid: str) -> str:
    return ctid.strip().lower()


def _like_pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class RelationalStore(StagingQueries, BrowseQueries):
    dialect = ""                  # "sqlite" | "postgres": picks the schema's column types
    lock_current = ""             # appended to the SELECT of the current record inside publish
    integrity_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, pool: ConnectionPool):
        self._pool = pool

    # -- what a backend provides -----------------------------------------------------------------
    def _search_index(self, words: list[str]) -> tuple[str, list[Any]] | None:
        """A condition narrowing the rows to those the search index says may hold every word (the LIKE
        conditions then decide); None: no index for these words (PostgreSQL's pg_trgm index is used
        by LIKE itself)."""
        return None

    @contextmanager
    def _writing(self, lock_name: str) -> Iterator[Any]:
        """A connection inside one transaction that holds the write lock for `lock_name`;
        committed on normal exit, rolled back on an exception."""
        raise NotImplementedError

    def _exec(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        """Runs one statement (written with `?` placeholders); returns the cursor."""
        raise NotImplementedError

    def _exec_many(self, conn: Any, sql: str, rows: list[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _select_in(self, conn: Any, sql: str, column: str, values: list[str]) -> list[tuple]:
        """Runs `sql`, whose `{in}` stands for "`column` is one of `values`", as one query."""
        raise NotImplementedError

    def _in(self, column: str, values: list[str]) -> tuple[str, list[Any]]:
        """(SQL, params) of the condition "`column` is one of `values`" (a few hundred at most)."""
        raise NotImplementedError

    def _json_param(self, value: Any) -> Any:
        raise NotImplementedError

    def _json_value(self, value: Any) -> Any:
        raise NotImplementedError

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        self._pool.close()

    def _reading(self):
        return self._pool.connection()

    def _init_schema(self) -> None:
        """Creates the tables of a new database or migrates an older one, under the write lock
        (two servers starting at once on one database must not both create or migrate)."""
        with self._writing(_SCHEMA_LOCK) as conn:
            self._exec(conn, schema.META_TABLE)
            row = self._exec(conn, "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                for statement in schema.create_statements(self.dialect):
                    self._exec(conn, statement)
                self._exec(conn, "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                           (str(schema.SCHEMA_VERSION),))
                return
            version = int(row[0])
            if version > schema.SCHEMA_VERSION:
                raise StoreError(f"the database has schema version {version}, newer than this program "
                                 f"knows ({schema.SCHEMA_VERSION}): upgrade ctdl-assistant")
            if version < schema.SCHEMA_VERSION:
                for statement in schema.migration_statements(version, self.dialect):
                    self._exec(conn, statement)
                self._exec(conn, "UPDATE meta SET value = ? WHERE key = 'schema_version'",
                           (str(schema.SCHEMA_VERSION),))

    def schema_version(self) -> int:
        with self._reading() as conn:
            row = self._exec(conn, "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    # -- keys ------------------------------------------------------------------------------------
    _KEY_SELECT = f"SELECT {', '.join(schema.KEY_FIELDS)} FROM keys"

    def add_key(self, key: KeyRecord) -> None:
        key_id = key.key_id or key_id_of(key.key_hash)
        try:
            with self._writing("keys") as conn:
                self._exec(conn, "INSERT INTO keys (key_hash, org, admin, created_at, revoked_at, key_id, last_used_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (key.key_hash, _norm(key.org), bool(key.admin), key.created_at, key.revoked_at, key_id,
                            key.last_used_at))
        except self.integrity_errors as exc:
            raise AlreadyExists(f"a key with hash or id {key_id}... is already stored") from exc
        key.key_id = key_id

    def _keys(self, where: str, params: Sequence[Any]) -> list[KeyRecord]:
        with self._reading() as conn:
            rows = self._exec(conn, f"{self._KEY_SELECT} {where}", params).fetchall()
        out = []
        for row in rows:
            values = dict(zip(schema.KEY_FIELDS, row))
            values["admin"] = bool(values["admin"])
            out.append(KeyRecord(**values))
        return out

    def get_key(self, key_hash: str) -> KeyRecord | None:
        found = self._keys("WHERE key_hash = ?", (key_hash,))
        return found[0] if found else None

    def get_key_by_id(self, key_id: str) -> KeyRecord | None:
        found = self._keys("WHERE key_id = ?", (key_id.strip().lower(),))
        return found[0] if found else None

    def list_keys(self, org: str | None = None) -> list[KeyRecord]:
        if org:
            return self._keys("WHERE org = ? ORDER BY created_at, key_id", (_norm(org),))
        return self._keys("ORDER BY created_at, key_id", ())

    def revoke_key(self, key_hash: str, when: str) -> bool:
        with self._writing("keys") as conn:
            cur = self._exec(conn, "UPDATE keys SET revoked_at = ? WHERE key_hash = ? AND revoked_at IS NULL",
                             (when, key_hash))
            return cur.rowcount > 0

    def revoke_key_id(self, key_id: str, when: str) -> bool:
        with self._writing("keys") as conn:
            cur = self._exec(conn, "UPDATE keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                             (when, key_id.strip().lower()))
            return cur.rowcount > 0

    def touch_key(self, key_hash: str, when: str) -> None:
        with self._writing("keys") as conn:
            self._exec(conn, "UPDATE keys SET last_used_at = ? WHERE key_hash = ? "
                             "AND (last_used_at IS NULL OR last_used_at < ?)", (when, key_hash, when))

    def key_orgs(self, ctids: Iterable[str]) -> set[str]:
        wanted = sorted({_norm(c) for c in ctids if c and c.strip()})
        if not wanted:
            return set()
        with self._reading() as conn:
            rows = self._select_in(conn, "SELECT DISTINCT org FROM keys WHERE {in}", "org", wanted)
        return {r[0] for r in rows}

    def authorize(self, org: str, publisher: str) -> None:
        with self._writing("authorizations") as conn:
            self._exec(conn, "INSERT INTO authorizations (org, publisher, created_at) VALUES (?, ?, ?) "
                             "ON CONFLICT (org, publisher) DO NOTHING", (_norm(org), _norm(publisher), utc_now()))

    def unauthorize(self, org: str, publisher: str) -> bool:
        with self._writing("authorizations") as conn:
            cur = self._exec(conn, "DELETE FROM authorizations WHERE org = ? AND publisher = ?",
                             (_norm(org), _norm(publisher)))
            return cur.rowcount > 0

    def is_authorized(self, org: str, publisher: str) -> bool:
        with self._reading() as conn:
            row = self._exec(conn, "SELECT 1 FROM authorizations WHERE org = ? AND publisher = ?",
                             (_norm(org), _norm(publisher))).fetchone()
        return row is not None

    def authorizers(self, publishers: Iterable[str]) -> set[str]:
        wanted = sorted({_norm(p) for p in publishers if p and p.strip()})
        if not wanted:
            return set()
        with self._reading() as conn:
            rows = self._select_in(conn, "SELECT DISTINCT org FROM authorizations WHERE {in}", "publisher", wanted)
        return {r[0] for r in rows}

    def authorizations(self, org: str | None = None) -> list[tuple[str, str, str]]:
        where, params = ("WHERE org = ? ", (_norm(org),)) if org else ("", ())
        with self._reading() as conn:
            rows = self._exec(conn, f"SELECT org, publisher, created_at FROM authorizations {where}"
                                    "ORDER BY org, created_at, publisher", params).fetchall()
        return [tuple(r) for r in rows]

    # -- publishing ------------------------------------------------------------------------------
    def publish(self, ctid: str, build: Build) -> tuple[EnvelopeRecord | None, bool]:
        ctid = _norm(ctid)
        with self._writing(ctid) as conn:
            row = self._exec(conn, f"SELECT {_COLS} FROM envelopes WHERE envelope_ctid = ?{self.lock_current}",
                             (ctid,)).fetchone()
            current = self._record(row) if row else None
            new = build(current)
            if new is None:
                return current, False
            _check_next(ctid, current, new)
            self._save(conn, new, current)
            return new, True

    def _save(self, conn: Any, new: EnvelopeRecord, current: EnvelopeRecord | None) -> None:
        values = self._row(new)
        if current is None:
            self._exec(conn, f"INSERT INTO envelopes ({_COLS}) VALUES ({_MARKS})", values)
        else:
            self._exec(conn, f"UPDATE envelopes SET {_UPDATE_SET} WHERE envelope_id = ?",
                       (*values[1:], new.envelope_id))
        self._exec(conn, f"INSERT INTO revisions ({_COLS}) VALUES ({_MARKS})", values)
        self._exec(conn, "DELETE FROM envelope_nodes WHERE envelope_id = ?", (new.envelope_id,))
        # sorted: concurrent publishers that share nodes lock the rows in one order (no deadlock)
        nodes = sorted({new.ctid, *(_norm(c) for c in new.node_ctids)})
        self._claim(conn, nodes, new.owned_by, current.owned_by if current is not None else None)
        self._exec_many(conn, _CLAIM_NODE, [(node, new.envelope_id) for node in nodes])

    def _claim(self, conn: Any, nodes: list[str], owner: str, previous_owner: str | None) -> None:
        """Every CTID of the graph is claimed for `owner`; CtidsTaken (the transaction rolls back)
        when another organization owns one. A transfer (a new owner) takes the old owner's claims.
        Inserted first, then read: a concurrent claim of the same CTID waits for ours (primary key),
        so two organizations can never both own one."""
        owner = _norm(owner)
        if previous_owner is not None and _norm(previous_owner) != owner:
            for start in range(0, len(nodes), 500):
                cond, params = self._in("owned_ctid", nodes[start:start + 500])
                self._exec(conn, f"UPDATE ctid_owners SET org = ? WHERE org = ? AND {cond}",
                           (owner, _norm(previous_owner), *params))
        stamp = utc_now()
        self._exec_many(conn, "INSERT INTO ctid_owners (owned_ctid, org, claimed_at) VALUES (?, ?, ?) "
                              "ON CONFLICT (owned_ctid) DO NOTHING", [(n, owner, stamp) for n in nodes])
        rows = self._select_in(conn, "SELECT owned_ctid, org FROM ctid_owners WHERE {in}", "owned_ctid", nodes)
        taken = {c: o for c, o in rows if o != owner}
        if taken:
            raise CtidsTaken(taken)

    def ctid_owners(self, ctids: Iterable[str]) -> dict[str, str]:
        wanted = sorted({_norm(c) for c in ctids if c and c.strip()})
        if not wanted:
            return {}
        with self._reading() as conn:
            rows = self._select_in(conn, "SELECT owned_ctid, org FROM ctid_owners WHERE {in}", "owned_ctid", wanted)
        return {c: o for c, o in rows}

    def purge(self, ctid: str) -> bool:
        with self._writing(_norm(ctid)) as conn:
            row = self._exec(conn, "SELECT envelope_id FROM envelopes WHERE envelope_ctid = ?", (_norm(ctid),)).fetchone()
            if row is None:
                return False
            nodes = {_norm(ctid)}
            for (value,) in self._exec(conn, "SELECT node_ctids FROM revisions WHERE envelope_id = ?", (row[0],)):
                nodes.update(_norm(c) for c in self._json_value(value) or [])
            # revisions and envelope_nodes go with it (ON DELETE CASCADE)
            self._exec(conn, "DELETE FROM envelopes WHERE envelope_id = ?", (row[0],))
            # its CTIDs are free again, unless another envelope still holds them
            for start in range(0, len(nodes), 500):
                cond, params = self._in("owned_ctid", sorted(nodes)[start:start + 500])
                self._exec(conn, f"DELETE FROM ctid_owners WHERE {cond} AND NOT EXISTS "
                                 "(SELECT 1 FROM envelope_nodes n WHERE n.node_ctid = ctid_owners.owned_ctid)", params)
            return True

    def transfer(self, ctid: str, new_owner: str) -> bool:
        new_owner = _norm(new_owner)

        def build(current: EnvelopeRecord | None) -> EnvelopeRecord | None:
            if current is None or current.owned_by == new_owner:
                return None
            return replace(current, owned_by=new_owner, version=current.version + 1, updated_at=utc_now())

        record, _ = self.publish(ctid, build)
        return record is not None

    # -- reading ---------------------------------------------------------------------------------
    def get_by_ctid(self, ctid: str, include_deleted: bool = False) -> EnvelopeRecord | None:
        live = "" if include_deleted else " AND deleted_at IS NULL"
        return self._one(f"SELECT {_COLS} FROM envelopes WHERE envelope_ctid = ?{live}", (_norm(ctid),))

    def get_by_node_ctid(self, ctid: str, include_deleted: bool = False) -> EnvelopeRecord | None:
        live = "" if include_deleted else " AND e.deleted_at IS NULL"
        return self._one(f"SELECT {_E_COLS} FROM envelope_nodes n JOIN envelopes e "
                         f"ON e.envelope_id = n.envelope_id WHERE n.node_ctid = ?{live}", (_norm(ctid),))

    def get_envelope(self, envelope_id: str) -> EnvelopeRecord | None:
        return self._one(f"SELECT {_COLS} FROM envelopes WHERE envelope_id = ?", (envelope_id.strip(),))

    def revisions(self, envelope_id: str) -> list[EnvelopeRecord]:
        with self._reading() as conn:
            rows = self._exec(conn, f"SELECT {_COLS} FROM revisions WHERE envelope_id = ? ORDER BY version",
                              (envelope_id.strip(),)).fetchall()
        return [self._record(r) for r in rows]

    def existing_ctids(self, ctids: Iterable[str]) -> set[str]:
        wanted = sorted({_norm(c) for c in ctids if c and c.strip()})
        if not wanted:
            return set()
        with self._reading() as conn:
            rows = self._select_in(conn, "SELECT n.node_ctid FROM envelope_nodes n JOIN envelopes e "
                                         "ON e.envelope_id = n.envelope_id "
                                         "WHERE e.deleted_at IS NULL AND {in}", "n.node_ctid", wanted)
        return {r[0] for r in rows}

    def list_envelopes(self, owned_by: str | None = None, ctdl_type: str | list[str] | None = None,
                       q: str | None = None, offset: int = 0, limit: int = 20,
                       include_deleted: bool = False) -> tuple[list[EnvelopeRecord], int]:
        where: list[str] = []
        params: list[Any] = []
        if not include_deleted:
            where.append("deleted_at IS NULL")
        if owned_by:
            where.append("owned_by = ?")
            params.append(_norm(owned_by))
        if isinstance(ctdl_type, (list, tuple, set, frozenset)):    # any of these types
            sql, values = self._in("ctdl_type", sorted(ctdl_type)) if ctdl_type else ("1 = 0", [])
            where.append(sql)
            params.extend(values)
        elif ctdl_type:
            where.append("ctdl_type = ?")
            params.append(ctdl_type.strip())
        words = (q or "").lower().split()
        indexed = self._search_index(words)
        if indexed is not None:
            where.append(indexed[0])
            params.extend(indexed[1])
        for word in words:
            where.append("search_text LIKE ? ESCAPE '\\'")
            params.append(_like_pattern(word))
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        offset, limit = max(0, int(offset)), max(0, int(limit))
        with self._reading() as conn:
            # the page's CTIDs and the total first (narrow rows: sorting 10,000 whole envelopes, their
            # JWS and JSON, to count them took 150 ms), then the page's envelopes (a record purged
            # between the two is left out of the page)
            page = self._exec(conn, f"SELECT envelope_ctid, COUNT(*) OVER () FROM envelopes{condition} "
                                    "ORDER BY updated_at DESC, envelope_ctid LIMIT ? OFFSET ?",
                              (*params, limit, offset)).fetchall()
            if page:
                total = int(page[0][1])
                order = {r[0]: i for i, r in enumerate(page)}
                rows = self._select_in(conn, f"SELECT {_COLS} FROM envelopes WHERE {{in}}", "envelope_ctid",
                                       list(order))
                rows = sorted(rows, key=lambda r: order[r[1]])     # r[1]: envelope_ctid (r[0]: envelope_id)
            else:
                rows = []
                total = int(self._exec(conn, f"SELECT COUNT(*) FROM envelopes{condition}", params).fetchone()[0])
        return [self._record(r) for r in rows], total

    # -- rows <-> records ------------------------------------------------------------------------
    def _one(self, sql: str, params: Sequence[Any]) -> EnvelopeRecord | None:
        with self._reading() as conn:
            row = self._exec(conn, sql, params).fetchone()
        return self._record(row) if row else None

    def _record(self, row: Sequence[Any]) -> EnvelopeRecord:
        values = dict(zip(schema.ENVELOPE_FIELDS, row))
        for name in schema.JSON_FIELDS:
            values[name] = self._json_value(values[name])
        return EnvelopeRecord(**values)

    def _row(self, record: EnvelopeRecord) -> tuple:
        return tuple(self._json_param(getattr(record, name)) if name in schema.JSON_FIELDS
                     else getattr(record, name) for name in schema.ENVELOPE_FIELDS)


def _check_next(ctid: str, current: EnvelopeRecord | None, new: EnvelopeRecord) -> None:
    """The history stays 1..n without gaps, under one envelope_id per CTID."""
    if _norm(new.ctid) != ctid:
        raise InvalidRecord(f"publish({ctid}) was given a record for {new.ctid}")
    new.ctid = ctid
    if current is None:
        if new.version != 1:
            raise InvalidRecord(f"the first version of {ctid} must be 1, not {new.version}")
        return
    if new.envelope_id != current.envelope_id:
        raise InvalidRecord(f"{ctid} keeps envelope_id {current.envelope_id}, not {new.envelope_id}")
    if new.version != current.version + 1:
        raise InvalidRecord(f"the next version of {ctid} is {current.version + 1}, not {new.version}")
