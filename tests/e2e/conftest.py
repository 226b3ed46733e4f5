"""End-to-end fixtures: servers per backend (see e2e_support.py for the helpers)."""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from e2e_support import PG_URL, Server, organization, stop_and_check


# -- PostgreSQL ------------------------------------------------------------------------------------------
def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the PostgreSQL end-to-end tests must run, not be skipped")
    pytest.skip(reason)


class PostgresDatabases:
    def __init__(self, admin):
        self.admin, self.names = admin, []

    def new(self) -> str:
        name = f"ctdl_e2e_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return urlunsplit(urlsplit(PG_URL)._replace(path="/" + name))

    def drop_all(self) -> None:
        for name in self.names:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="session")
def postgres_databases():
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed")
    where = urlsplit(PG_URL).netloc.split("@")[-1]
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _unavailable(f"PostgreSQL at {where} is unreachable (set CTDL_TEST_POSTGRES): {str(exc).strip()}")
    dbs = PostgresDatabases(admin)
    try:
        yield dbs
    finally:
        dbs.drop_all()


def database_for(request, backend: str) -> str | None:
    if backend == "sqlite":
        return None
    return request.getfixturevalue("postgres_databases").new()


# -- servers ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def server(request, backend, tmp_path_factory):
    """The session's server for `backend` (default flags)."""
    srv = Server(tmp_path_factory.mktemp(f"data-{backend}"), database_for(request, backend)).start()
    try:
        yield srv
    finally:
        stop_and_check(srv)


@pytest.fixture
def new_database(request, backend):
    """For a test that starts its own server on `backend`: new_database() gives None (SQLite in
    --data) or the URL of a fresh PostgreSQL database."""
    return lambda: database_for(request, backend)


@pytest.fixture(scope="session")
def strict_server(tmp_path_factory):
    """A server started with --strict-references (SQLite)."""
    srv = Server(tmp_path_factory.mktemp("data-strict"), flags=("--strict-references",)).start()
    try:
        yield srv
    finally:
        stop_and_check(srv)


@pytest.fixture(scope="session")
def publisher(server):
    """(client, org CTID) of an organization that has published itself: a valid OwnedBy target."""
    client, org = server.org_client()
    r = client.post("/organization/publish", data=organization(org))
    assert r.status_code == 200, r.text
    return client, org
