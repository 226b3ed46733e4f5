"""End-to-end fixtures: servers per backend (see e2e_support.py for the helpers)."""
from __future__ import annotations

import pytest

from e2e_support import Server, organization, stop_and_check
from pgtest import open_databases


# -- PostgreSQL ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_databases():
    dbs = open_databases("ctdl_e2e_")
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
