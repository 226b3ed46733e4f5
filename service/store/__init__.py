"""The registry store: SQLite under the data folder by default, PostgreSQL when given a URL.

See base.py for the interface every backend implements and docs/SERVICE.md for how the service
uses it.
"""
from __future__ import annotations

from pathlib import Path

from .base import (AlreadyExists, EnvelopeRecord, InvalidRecord, KeyRecord, Store, StoreError,
                   utc_now)

__all__ = ["open_store", "Store", "StoreError", "AlreadyExists", "InvalidRecord", "KeyRecord",
           "EnvelopeRecord", "utc_now"]

_POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_store(data_dir: Path | str, database_url: str | None = None) -> Store:
    """PostgreSQL for a postgresql:// URL, else `registry.sqlite3` in `data_dir` (created if needed)."""
    if database_url:
        scheme = database_url.split(":", 1)[0].lower()
        if scheme not in _POSTGRES_SCHEMES:
            raise StoreError(f"unsupported database URL {database_url.split('@')[-1]!r}: "
                             "use postgresql://user@host:5432/dbname, or no URL for SQLite in --data")
        from .postgres import PostgresStore

        return PostgresStore(database_url)
    from .sqlite import FILENAME, SqliteStore

    return SqliteStore(Path(data_dir) / FILENAME)
