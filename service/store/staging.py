"""The bulk upload queries (staged records, organization addresses and manifests), written once.

A mixin of RelationalStore (relational.py), kept in its own module so each stays readable: the
same `?` SQL runs on SQLite and PostgreSQL through the backend's _exec / _in / _json_* hooks.
The workflow on top of it (what may be approved, publishing) is service/bulk/workflow.py.
"""
from __future__ import annotations

from dataclasses import replace
from itertools import groupby
from typing import Any, Callable, Iterable, Sequence

from . import schema
from .base import (MANIFEST_KINDS, STAGED_STATUSES, AlreadyExists, Ambiguous, InvalidRecord,
                   StagedRecord, utc_now)

_S_COLS = ", ".join(schema.STAGED_COLUMNS)
_S_MARKS = ", ".join("?" for _ in schema.STAGED_COLUMNS)
_S_KEY = "org = ? AND resource_type = ? AND external_id = ?"
# what staging again replaces (created_at and published_envelope_id are kept)
_S_REPLACED = ("resource_ctid", "status", "request", "document", "errors", "content_digest", "deferred",
               "updated_at")
_CHUNK = 400          # ids per statement: two `?` each stays far below SQLite's variable limit
_S_INSERT = f"INSERT INTO staged ({_S_COLS}) VALUES ({_S_MARKS})"
_S_UPDATE = f"UPDATE staged SET {', '.join(c + ' = ?' for c in _S_REPLACED)} WHERE {_S_KEY}"


def _norm(ctid: str) -> str:
    return ctid.strip().lower()


def _status(status: str) -> str:
    if status not in STAGED_STATUSES:
        raise InvalidRecord(f"unknown status {status!r}: one of {', '.join(STAGED_STATUSES)}")
    return status


def _normalized(record: StagedRecord) -> StagedRecord:
    """The record as stored: organization and CTID in lower case, trimmed identifiers; its status
    checked. The record itself when it already is (never changed here: a copy is made to write it)."""
    _status(record.status)
    org, rtype, ext = _norm(record.org), record.resource_type.strip().lower(), record.external_id.strip()
    ctid = _norm(record.ctid) if record.ctid else None
    if (org, rtype, ext, ctid) == (record.org, record.resource_type, record.external_id, record.ctid):
        return record
    return replace(record, org=org, resource_type=rtype, external_id=ext, ctid=ctid)


class StagingQueries:
    """Store methods for bulk uploads (see the Store protocol in base.py for the contract)."""

    # -- staged records --------------------------------------------------------------------------
    def stage(self, record: StagedRecord) -> str:
        record = _normalized(record)
        key = (record.org, record.resource_type, record.external_id)
        try:
            with self._writing(f"staged:{record.org}") as conn:
                row = self._exec(conn, f"SELECT content_digest FROM staged WHERE {_S_KEY}{self.lock_current}",
                                 key).fetchone()
                if row is not None and row[0] == record.content_digest:
                    return "unchanged"
                stamp = utc_now()
                if row is None:
                    new = replace(record, created_at=stamp, updated_at=stamp, published_envelope_id=None)
                    self._exec(conn, _S_INSERT, self._staged_row(new))
                    return "created"
                values = dict(zip(schema.STAGED_COLUMNS, self._staged_row(replace(record, updated_at=stamp))))
                self._exec(conn, _S_UPDATE, (*(values[c] for c in _S_REPLACED), *key))
                return "updated"
        except self.integrity_errors as exc:
            raise AlreadyExists(f"{record.ctid} is already staged under another external identifier "
                                "or organization") from exc

    def stage_many(self, records: Sequence[StagedRecord],
                   taken: Callable[[StagedRecord], StagedRecord]) -> list[tuple[str, StagedRecord]]:
        """stage() for every record, in order, in one transaction: a 10,000-row upload is a few
        reads and a few executemany writes, not 10,000 transactions (they were most of staging's time).

        The decisions are stage()'s, taken one record after the other as if each were staged alone:
        the store's rows of the records' keys and the holders of their CTIDs are read once, then kept
        up to date in memory as each record is decided, so a record that gives up a CTID frees it
        for a later one, as one by one. A record whose CTID another record holds (stage() would raise
        AlreadyExists) is replaced by ``taken(record)``, staged in its place (AlreadyExists if its CTID
        is taken too). ``taken`` must not change its argument: it may be called again when the batch
        falls back (below). A write that still meets a CTID taken meanwhile (another organization
        staging it at the same moment: PostgreSQL takes a lock per organization) rolls the batch back,
        and the records are staged one by one with stage()."""
        records = [_normalized(r) for r in records]
        if len({r.org for r in records}) == 1:
            try:
                return self._stage_batch(records, taken)
            except self.integrity_errors:
                pass
        out = []
        for record in records:
            try:
                out.append((self.stage(record), record))
            except AlreadyExists:
                other = _normalized(taken(record))
                out.append((self.stage(other), other))
        return out

    def _stage_batch(self, records: list[StagedRecord],
                     taken: Callable[[StagedRecord], StagedRecord]) -> list[tuple[str, StagedRecord]]:
        org = records[0].org
        with self._writing(f"staged:{org}") as conn:
            current: dict[tuple, tuple] = {}     # key -> (content_digest, CTID) as staging goes on
            by_type: dict[str, set] = {}
            for r in records:
                by_type.setdefault(r.resource_type, set()).add(r.external_id)
            for rtype, exts in by_type.items():
                exts = sorted(exts)
                for start in range(0, len(exts), _CHUNK):
                    cond, params = self._in("external_id", exts[start:start + _CHUNK])
                    for ext, dig, ctid in self._exec(
                            conn, f"SELECT external_id, content_digest, resource_ctid FROM staged WHERE org = ? "
                                  f"AND resource_type = ? AND {cond}{self.lock_current}", (org, rtype, *params)):
                        current[(org, rtype, ext)] = (dig, ctid)
            holders: dict[str, tuple] = {}       # CTID -> the key holding it; every CTID looked at is here
            self._holders(conn, holders, {r.ctid for r in records if r.ctid} | {c for _, c in current.values() if c})
            out, writes = [], []
            stamp = utc_now()       # the batch's records are staged together: one time for them all
            for record in records:
                change, record = self._decide(conn, record, current, holders, writes, taken, stamp)
                out.append((change, record))
            for sql, group in groupby(writes, key=lambda w: w[0]):   # in order: each write as one by one
                self._exec_many(conn, sql, [params for _, params in group])
        return out

    def _holders(self, conn: Any, holders: dict, ctids: set) -> None:
        wanted = sorted(c for c in ctids if c not in holders)
        for c in wanted:
            holders[c] = None
        if wanted:
            for ctid, *key in self._select_in(conn, "SELECT resource_ctid, org, resource_type, external_id FROM staged "
                                                    "WHERE {in}", "resource_ctid", wanted):
                holders[ctid] = tuple(key)

    def _decide(self, conn: Any, record: StagedRecord, current: dict, holders: dict, writes: list,
                taken: Callable[[StagedRecord], StagedRecord], stamp: str) -> tuple[str, StagedRecord]:
        """What stage(record) does, against the batch's view of the table; the write is queued."""
        for attempt in (1, 2):
            key = (record.org, record.resource_type, record.external_id)
            now = current.get(key)
            if now is not None and now[0] == record.content_digest:
                return "unchanged", record
            if record.ctid:
                self._holders(conn, holders, {record.ctid})
                if holders[record.ctid] not in (None, key):
                    if attempt == 2:
                        raise AlreadyExists(f"{record.ctid} is already staged under another external identifier "
                                            "or organization")
                    record = _normalized(taken(record))
                    continue
            if now is None:   # (the row as replace(record, created_at=...) would give it, without the copy)
                writes.append((_S_INSERT, self._staged_row(record, {
                    "created_at": stamp, "updated_at": stamp, "published_envelope_id": None})))
            else:
                values = dict(zip(schema.STAGED_COLUMNS, self._staged_row(record, {"updated_at": stamp})))
                writes.append((_S_UPDATE, (*(values[c] for c in _S_REPLACED), *key)))
                if now[1] and holders.get(now[1]) == key:
                    holders[now[1]] = None
            if record.ctid:
                holders[record.ctid] = key
            current[key] = (record.content_digest, record.ctid)
            return ("created" if now is None else "updated"), record
        raise AssertionError("unreachable")

    def staged(self, org: str, resource_type: str | None = None,
               status: str | None = None, content: bool = True) -> list[StagedRecord]:
        where, params = ["org = ?"], [_norm(org)]
        if resource_type:
            where.append("resource_type = ?")
            params.append(resource_type.strip().lower())
        if status:
            where.append("status = ?")
            params.append(_status(status))
        # without content: the request, document and errors are left empty (not read, not decoded)
        cols = _S_COLS if content else ", ".join("NULL" if f in schema.STAGED_JSON_FIELDS else c
                                                 for c, f in zip(schema.STAGED_COLUMNS, schema.STAGED_FIELDS))
        with self._reading() as conn:
            rows = self._exec(conn, f"SELECT {cols} FROM staged WHERE {' AND '.join(where)} "
                                    "ORDER BY resource_type, external_id", params).fetchall()
        return [self._staged_record(r) for r in rows]

    def envelope_types(self, ctids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """CTID -> (ctdl_type, owned_by) of the envelopes whose main CTID is one of ``ctids``, deleted
        ones included: what staging checks each row's CTID against, in one query (get_by_ctid per row
        read and decoded whole envelopes)."""
        wanted = sorted({_norm(c) for c in ctids if c and c.strip()})
        if not wanted:
            return {}
        with self._reading() as conn:
            rows = self._select_in(conn, "SELECT envelope_ctid, ctdl_type, owned_by FROM envelopes WHERE {in}",
                                   "envelope_ctid", wanted)
        return {c: (t, o) for c, t, o in rows}

    def get_staged(self, org: str, id: str, resource_type: str | None = None) -> StagedRecord | None:
        typed = " AND resource_type = ?" if resource_type else ""
        params = [_norm(org), _norm(id), id.strip()] + ([resource_type.strip().lower()] if resource_type else [])
        with self._reading() as conn:
            rows = self._exec(conn, f"SELECT {_S_COLS} FROM staged WHERE org = ? AND "
                                    f"(resource_ctid = ? OR external_id = ?){typed} ORDER BY resource_type",
                              params).fetchall()
        records = [self._staged_record(r) for r in rows]
        by_ctid = [r for r in records if r.ctid == _norm(id)]
        if by_ctid:
            return by_ctid[0]
        if len(records) > 1:
            raise Ambiguous(f'"{id.strip()}" is the external identifier of a '
                            f'{" and a ".join(r.resource_type for r in records)}: give its CTID or its type')
        return records[0] if records else None

    def set_status(self, org: str, ids: Iterable[str], status: str, resource_type: str | None = None,
                   from_status: Iterable[str] | None = None) -> int:
        _status(status)
        ids = sorted({i.strip() for i in ids if i and i.strip()})
        if not ids:
            return 0
        extra, extra_params = "", []
        if resource_type:
            extra += " AND resource_type = ?"
            extra_params.append(resource_type.strip().lower())
        if from_status is not None:
            allowed = [_status(s) for s in from_status]
            if not allowed:
                return 0
            extra += " AND status IN (" + ", ".join("?" for _ in allowed) + ")"
            extra_params.extend(allowed)
        if status == "approved":
            extra += " AND NOT deferred AND status <> 'rejected'"
        changed = 0
        with self._writing(f"staged:{_norm(org)}") as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start:start + _CHUNK]
                by_ctid, ctid_params = self._in("resource_ctid", [_norm(i) for i in chunk])
                by_ext, ext_params = self._in("external_id", chunk)
                cur = self._exec(conn, f"UPDATE staged SET status = ?, updated_at = ? WHERE org = ? "
                                       f"AND status <> ? AND ({by_ctid} OR {by_ext}){extra}",
                                 (status, utc_now(), _norm(org), status, *ctid_params, *ext_params, *extra_params))
                changed += cur.rowcount
        return changed

    def discard(self, org: str, record: StagedRecord) -> bool:
        """Removes a staged record that is pending or rejected (never one that is approved or
        published: the registry holds it, and its External Identifier updates it); False when it
        changed meanwhile."""
        with self._writing(f"staged:{_norm(org)}") as conn:
            cur = self._exec(conn, f"DELETE FROM staged WHERE {_S_KEY} AND content_digest = ? AND status IN "
                                   "('pending', 'rejected') AND published_envelope_id IS NULL",
                             (_norm(org), record.resource_type, record.external_id, record.content_digest))
            return cur.rowcount > 0

    def record_outcome(self, org: str, resource_type: str, external_id: str, content_digest: str,
                       status: str, errors: list | None = None, envelope_id: str | None = None) -> bool:
        sets, params = ["status = ?", "updated_at = ?"], [_status(status), utc_now()]
        if errors is not None:
            sets.append("errors = ?")
            params.append(self._json_param(errors))
        if envelope_id is not None:
            sets.append("published_envelope_id = ?")
            params.append(envelope_id)
        with self._writing(f"staged:{_norm(org)}") as conn:
            cur = self._exec(conn, f"UPDATE staged SET {', '.join(sets)} WHERE {_S_KEY} AND content_digest = ?",
                             (*params, _norm(org), resource_type.strip().lower(), external_id.strip(),
                              content_digest))
            return cur.rowcount > 0

    # -- upload jobs: a queue in the store (service/bulk/jobs.py) ---------------------------------------
    skip_locked = ""         # PostgreSQL: " FOR UPDATE SKIP LOCKED" (SQLite's one write lock already serializes)

    def create_job(self, job_id: str, org: str, kind: str, data: bytes, key_id: str = "",
                   language: str = "en-US") -> None:
        """A queued job: the uploaded file waits in the store until a process claims it. ``key_id``:
        the key that uploaded ("" for the host's operator), checked again when the job runs."""
        stamp = utc_now()
        with self._writing(f"job:{job_id}") as conn:
            self._exec(conn, "INSERT INTO jobs (job_id, org, kind, status, rows_done, rows_total, result, error, "
                             "runner, input, key_id, language, attempts, created_at, updated_at) "
                             "VALUES (?, ?, ?, 'queued', 0, 0, NULL, NULL, '', ?, ?, ?, 0, ?, ?)",
                       (job_id, _norm(org), kind, bytes(data), key_id, language, stamp, stamp))

    def claim_job(self, runner: str) -> dict | None:
        """The oldest queued job, now ``running`` by ``runner`` ("host:pid"), with its file; None when
        none waits. Two processes never claim the same job (PostgreSQL: the row is locked and others
        skip it; SQLite: one writer at a time)."""
        with self._writing(f"job-claim:{runner}") as conn:
            row = self._exec(conn, "SELECT job_id FROM jobs WHERE status = 'queued' ORDER BY created_at, job_id "
                                   f"LIMIT 1{self.skip_locked}").fetchone()
            if row is None:
                return None
            self._exec(conn, "UPDATE jobs SET status = 'running', runner = ?, attempts = attempts + 1, "
                             "rows_done = 0, updated_at = ? WHERE job_id = ?", (runner, utc_now(), row[0]))
            found = self._exec(conn, "SELECT job_id, org, kind, input, key_id, language, attempts FROM jobs "
                                     "WHERE job_id = ?", (row[0],)).fetchone()
        job = dict(zip(("job_id", "org", "kind", "input", "key_id", "language", "attempts"), found))
        job["input"] = bytes(job["input"] or b"")
        return job

    def update_job(self, job_id: str, *, rows_done: int | None = None, rows_total: int | None = None,
                   status: str | None = None, result: Any = None, error: str | None = None) -> None:
        """Progress, or the end (``done`` / ``failed``: the file is dropped, the answer kept)."""
        sets, params = ["updated_at = ?"], [utc_now()]
        for name, value in (("rows_done", rows_done), ("rows_total", rows_total), ("status", status),
                            ("error", error)):
            if value is not None:
                sets.append(f"{name} = ?")
                params.append(value)
        if result is not None:
            sets.append("result = ?")
            params.append(self._json_param(result))
        if status in ("done", "failed"):
            sets.append("input = NULL")
        with self._writing(f"job:{job_id}") as conn:
            self._exec(conn, f"UPDATE jobs SET {', '.join(sets)} WHERE job_id = ?", (*params, job_id))

    def requeue_job(self, job_id: str, runner: str) -> bool:
        """A running job whose process is gone waits again (only if ``runner`` still has it)."""
        with self._writing(f"job:{job_id}") as conn:
            cur = self._exec(conn, "UPDATE jobs SET status = 'queued', runner = '', updated_at = ? "
                                   "WHERE job_id = ? AND status = 'running' AND runner = ?",
                             (utc_now(), job_id, runner))
            return cur.rowcount > 0

    _JOB_FIELDS = ("job_id", "org", "kind", "status", "rows_done", "rows_total", "result", "error", "attempts",
                   "created_at", "updated_at")

    def get_job(self, job_id: str) -> dict | None:
        """A job without its file."""
        with self._reading() as conn:
            row = self._exec(conn, f"SELECT {', '.join(self._JOB_FIELDS)} FROM jobs WHERE job_id = ?",
                             (job_id,)).fetchone()
        if row is None:
            return None
        job = dict(zip(self._JOB_FIELDS, row))
        job["result"] = self._json_value(job["result"]) if job["result"] is not None else None
        return job

    def running_jobs(self) -> list[tuple[str, str, int]]:
        """(job id, runner, attempts) of the jobs claimed and not ended."""
        with self._reading() as conn:
            return [tuple(r) for r in self._exec(conn, "SELECT job_id, runner, attempts FROM jobs "
                                                       "WHERE status = 'running'", ()).fetchall()]

    # -- organization reference data ---------------------------------------------------------------
    def set_addresses(self, org: str, places: dict[str, dict]) -> int:
        rows = [(_norm(org), str(k).strip(), self._json_param(v)) for k, v in places.items()]
        return self._replace_all("org_addresses", "org = ?", (_norm(org),),
                                 "INSERT INTO org_addresses (org, address_id, place) VALUES (?, ?, ?)", rows)

    def addresses(self, org: str) -> dict[str, dict]:
        with self._reading() as conn:
            rows = self._exec(conn, "SELECT address_id, place FROM org_addresses WHERE org = ? ORDER BY address_id",
                              (_norm(org),)).fetchall()
        return {r[0]: self._json_value(r[1]) for r in rows}

    def set_manifests(self, org: str, kind: str, manifests: dict[str, str]) -> int:
        kind = _manifest_kind(kind)
        rows = [(_norm(org), kind, str(k).strip(), _norm(v)) for k, v in manifests.items()]
        return self._replace_all("org_manifests", "org = ? AND kind = ?", (_norm(org), kind),
                                 "INSERT INTO org_manifests (org, kind, manifest_id, manifest_ctid) "
                                 "VALUES (?, ?, ?, ?)", rows)

    def manifests(self, org: str, kind: str) -> dict[str, str]:
        with self._reading() as conn:
            rows = self._exec(conn, "SELECT manifest_id, manifest_ctid FROM org_manifests WHERE org = ? AND kind = ? "
                                    "ORDER BY manifest_id", (_norm(org), _manifest_kind(kind))).fetchall()
        return {r[0]: r[1] for r in rows}

    def _replace_all(self, table: str, where: str, key: Sequence[Any], insert: str, rows: list) -> int:
        if len({r[len(key)] for r in rows}) != len(rows):
            raise InvalidRecord(f"{table}: two entries have the same identifier (after trimming spaces)")
        with self._writing(f"{table}:{key[0]}") as conn:
            self._exec(conn, f"DELETE FROM {table} WHERE {where}", key)
            if rows:
                self._exec_many(conn, insert, rows)
        return len(rows)

    # -- rows <-> records ------------------------------------------------------------------------
    def _staged_row(self, record: StagedRecord, instead: dict | None = None) -> tuple:
        """The record as a row of the staged table; ``instead``: fields written with other values."""
        out = []
        for f in schema.STAGED_FIELDS:
            v = instead[f] if instead and f in instead else getattr(record, f)
            if f in schema.STAGED_JSON_FIELDS:
                v = self._json_param(v)
            elif f == "deferred":
                v = bool(v)
            out.append(v)
        return tuple(out)

    def _staged_record(self, row: Sequence[Any]) -> StagedRecord:
        values = dict(zip(schema.STAGED_FIELDS, row))
        for name in schema.STAGED_JSON_FIELDS:
            values[name] = self._json_value(values[name]) if values[name] is not None else (
                [] if name == "errors" else {} if name == "request" else None)
        values["deferred"] = bool(values["deferred"])
        return StagedRecord(**values)


def _manifest_kind(kind: str) -> str:
    if kind not in MANIFEST_KINDS:
        raise InvalidRecord(f"unknown manifest kind {kind!r}: one of {', '.join(MANIFEST_KINDS)}")
    return kind
