"""The PostgreSQL store (psycopg 3), for `--database postgresql://user@host/db`.

Several servers may share one database, so every write transaction first takes a transaction-level
advisory lock on the CTID it changes (pg_advisory_xact_lock(hashtextextended(ctid, 0))). Row locks
alone could not serialise the FIRST publish of a CTID (there is no row yet to lock); the advisory
lock can, and it is released by COMMIT or ROLLBACK. The schema is created or migrated under an
advisory lock too, so two servers starting at once do not race.

Connections run in autocommit mode: a read is one statement, a write is an explicit transaction
(READ COMMITTED, so the read after the lock sees the latest commit). JSON columns are jsonb.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Sequence

import psycopg
from psycopg import pq
from psycopg.types.json import Jsonb

from .pool import ConnectionPool
from .relational import RelationalStore

CONNECT_TIMEOUT_SECONDS = 10
MAX_CONNECTIONS = 20   # per process; callers above it wait for a free one


@lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    """`?` placeholders (the shared SQL) to psycopg's `%s`; the shared SQL has no literal `%` or `?`."""
    return sql.replace("?", "%s")


class PostgresStore(RelationalStore):
    dialect = "postgres"
    lock_current = " FOR UPDATE"
    integrity_errors = (psycopg.errors.IntegrityError,)

    def __init__(self, url: str, max_connections: int = MAX_CONNECTIONS):
        self.url = url
        super().__init__(ConnectionPool(self._connect, _reusable, max_idle=max_connections,
                                        max_open=max_connections))
        self._init_schema()

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                               application_name="ctdl-assistant")

    @contextmanager
    def _writing(self, lock_name: str) -> Iterator[psycopg.Connection]:
        with self._pool.connection() as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (lock_name,))
                yield conn

    def _exec(self, conn: psycopg.Connection, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return conn.execute(_pg(sql), tuple(params) if params else None)

    def _exec_many(self, conn: psycopg.Connection, sql: str, rows: list[Sequence[Any]]) -> None:
        with conn.cursor() as cur:
            cur.executemany(_pg(sql), rows)

    def _select_in(self, conn: psycopg.Connection, sql: str, column: str, values: list[str]) -> list[tuple]:
        # one array parameter, whatever the number of values
        return self._exec(conn, sql.replace("{in}", f"{column} = ANY(?)"), (list(values),)).fetchall()

    def _in(self, column: str, values: list[str]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [list(values)]

    def _json_param(self, value: Any) -> Jsonb:
        return Jsonb(value)

    def _json_value(self, value: Any) -> Any:
        return value   # psycopg already loads jsonb into Python objects


def _reusable(conn: psycopg.Connection) -> bool:
    return (not conn.closed and not conn.broken
            and conn.info.transaction_status == pq.TransactionStatus.IDLE)
