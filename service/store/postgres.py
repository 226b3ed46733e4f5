"""The PostgreSQL store (psycopg 3), for `--database postgresql://user@host/db`.

Several servers may share one database, so every write transaction first takes a transaction-level
advisory lock on the CTID it changes (pg_advisory_xact_lock(hashtextextended(ctid, 0))). Row locks
alone could not serialise the FIRST publish of a CTID (there is no row yet to lock); the advisory
lock can, and it is released by COMMIT or ROLLBACK. The schema is created or migrated under an
advisory lock too, so two servers starting at once do not race.

Connections run in autocommit mode: a read is one statement, a write is an explicit transaction
(READ COMMITTED, so the read after the lock sees the latest commit). JSON columns are jsonb.

Connections come from psycopg_pool (psycopg's own pool): at most MAX_CONNECTIONS per process
(callers above it wait up to WAIT_SECONDS), each checked before it is lent (a connection the server
dropped is replaced, not handed out), renewed after MAX_LIFETIME_SECONDS, and broken ones discarded.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Sequence

import psycopg
import psycopg_pool
from psycopg.types.json import Jsonb

from .base import EncodedJSON, StoreError
from .relational import RelationalStore

CONNECT_TIMEOUT_SECONDS = 10
MAX_CONNECTIONS = 20   # per process; callers above it wait for a free one
WAIT_SECONDS = 30.0
MAX_LIFETIME_SECONDS = 3600.0


@lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    """`?` placeholders (the shared SQL) to psycopg's `%s`; the shared SQL has no literal `%` or `?`."""
    return sql.replace("?", "%s")


class PostgresStore(RelationalStore):
    dialect = "postgres"
    lock_current = " FOR UPDATE"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    integrity_errors = (psycopg.errors.IntegrityError,)

    def __init__(self, url: str, max_connections: int = MAX_CONNECTIONS):
        self.url = url
        super().__init__(_Pool(url, max_connections))
        self._init_schema()

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
        if value.__class__ is EncodedJSON:
            return Jsonb(value.text, dumps=str)     # (str of the text: the text itself)
        return Jsonb(value)

    def _json_value(self, value: Any) -> Any:
        return value   # psycopg already loads jsonb into Python objects


class _Pool:
    """psycopg_pool behind the two calls the relational store makes (``connection()``, ``close()``),
    its errors as StoreErrors."""

    def __init__(self, url: str, max_connections: int):
        settings = {"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                    "application_name": "ctdl-assistant"}
        psycopg.connect(url, **settings).close()     # a wrong URL or a server down: its own error, at once
        self._pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=max_connections, open=False, timeout=WAIT_SECONDS,
            max_lifetime=MAX_LIFETIME_SECONDS, check=psycopg_pool.ConnectionPool.check_connection,
            kwargs=settings)
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
        except psycopg_pool.PoolTimeout as e:
            self._pool.close()
            raise psycopg.OperationalError(f"cannot connect to the database: {e}") from None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg_pool.PoolTimeout:
            raise StoreError(f"no database connection became free within {WAIT_SECONDS:g} s") from None
        except psycopg_pool.PoolClosed:
            raise StoreError("the store is closed") from None

    def close(self) -> None:
        self._pool.close()
