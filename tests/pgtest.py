"""Fresh PostgreSQL databases for the backend tests (store and end-to-end), in one place.

The server is the local one (127.0.0.1:5432, user postgres, trust auth) or $CTDL_TEST_POSTGRES.
When it cannot be reached the tests are skipped, except in CI (env CI set), where they fail:
the PostgreSQL tests must never silently skip there.
"""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

PG_URL = os.environ.get("CTDL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the PostgreSQL tests must run, not be skipped")
    pytest.skip(reason)


class PostgresDatabases:
    """Creates databases named ``<prefix><random>`` and drops them all at the end."""

    def __init__(self, admin, prefix: str):
        self.admin, self.prefix, self.names = admin, prefix, []

    def new(self) -> str:
        name = f"{self.prefix}{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return urlunsplit(urlsplit(PG_URL)._replace(path="/" + name))

    def drop_all(self) -> None:
        for name in self.names:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


def open_databases(prefix: str) -> PostgresDatabases:
    """Connect to the maintenance database, or skip / fail (in CI) with the reason."""
    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed")
    where = urlsplit(PG_URL).netloc.split("@")[-1]
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL at {where} is unreachable (set CTDL_TEST_POSTGRES): {str(exc).strip()}")
    return PostgresDatabases(admin, prefix)
