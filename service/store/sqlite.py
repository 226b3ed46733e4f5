"""The embedded default store: one SQLite file, `registry.sqlite3` under the --data folder.

Created on first use (parent folders too). WAL journal so readers never wait for the writer; one
writer at a time, which BEGIN IMMEDIATE makes explicit: publish takes the write lock BEFORE it
reads the current version, so two requests updating the same CTID run one after the other and
neither version is lost. A busy timeout makes a second writer wait for the lock instead of failing
with "database is locked".
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from .base import EncodedJSON, json_text
from .pool import ConnectionPool
from .relational import RelationalStore

FILENAME = "registry.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0


class SqliteStore(RelationalStore):
    dialect = "sqlite"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: Path | str):
        self.path = Path(path)
        # the registry's data is its owner's only: the folder 0700, the database 0600 (SQLite
        # creates the -wal and -shm files with the database file's permissions)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            try:
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                pass   # another process created it meanwhile
        super().__init__(ConnectionPool(self._connect, _reusable))
        with self._pool.connection() as conn:
            # WAL is a property of the file: set once, every later connection uses it
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise OSError(f"{self.path}: SQLite could not switch to WAL mode (got {mode!r})")
        self._init_schema()

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions, we say BEGIN ourselves;
        # check_same_thread=False: the pool hands a connection to one thread at a time, but not
        # always the same thread.
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL + synchronous=NORMAL: a commit is in the WAL file (the OS has it) before COMMIT
        # returns, so a crash or SIGKILL of this process loses nothing and never corrupts the
        # database (what the crash test checks); only a power loss or OS crash may roll back the
        # last commits, still without corruption. FULL would fsync every commit for that case.
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def _writing(self, lock_name: str) -> Iterator[sqlite3.Connection]:
        # SQLite has one write lock for the whole file, so lock_name is not needed
        with self._pool.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _exec(self, conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return conn.execute(sql, tuple(params))

    def _exec_many(self, conn: sqlite3.Connection, sql: str, rows: list[Sequence[Any]]) -> None:
        conn.executemany(sql, rows)

    def _search_index(self, words: list[str]) -> tuple[str, list[Any]] | None:
        # FTS5's trigram index holds every substring of 3 characters or more: each such word as a
        # phrase (its double quotes doubled); shorter words are left to LIKE alone
        phrases = ['"' + w.replace('"', '""') + '"' for w in words if len(w) >= 3]
        if not phrases:
            return None
        return "rowid IN (SELECT rowid FROM envelopes_search WHERE envelopes_search MATCH ?)", [" AND ".join(phrases)]

    def _select_in(self, conn: sqlite3.Connection, sql: str, column: str, values: list[str]) -> list[tuple]:
        # One query with one `?` per value; split only above SQLite's limit on variables
        # (32766 since SQLite 3.32; 999 before).
        limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        rows: list[tuple] = []
        for start in range(0, len(values), limit):
            chunk = values[start:start + limit]
            marks = ", ".join("?" for _ in chunk)
            rows.extend(self._exec(conn, sql.replace("{in}", f"{column} IN ({marks})"), chunk).fetchall())
        return rows

    def _in(self, column: str, values: list[str]) -> tuple[str, list[Any]]:
        if not values:
            return "1 = 0", []
        return f"{column} IN ({', '.join('?' for _ in values)})", list(values)

    def _json_param(self, value: Any) -> str:
        return value.text if value.__class__ is EncodedJSON else json_text(value)

    def _json_value(self, value: Any) -> Any:
        return json.loads(value)


def _reusable(conn: sqlite3.Connection) -> bool:
    return not conn.in_transaction
