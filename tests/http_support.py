"""The HTTP API in process, on both store backends: Flask's test client, no server process.

    api.client(key)        requests through the whole WSGI app (routing, error handlers, headers);
                           every answer is checked: never a 5xx, every error in the Registry
                           Assistant body shape (as tests/e2e/e2e_support.check_response does)
    api.key(org)           a new API key of `org` (made as `ctdl keys create` makes one)
    api.ctdl(*argv)        the `ctdl` command in process, on the same registry (exit status, stdout)

    app, client, runner    flaskr's fixtures, on one embedded registry per test module:
                           runner.invoke("keys", "create", "--org", ORG) is `ctdl` on the app's registry

A process is started only where the process itself is what a test checks (tests/e2e/).
"""
from __future__ import annotations

import contextlib
import io
import json
import uuid
from pathlib import Path

import pytest

from pgtest import open_databases

ERROR_KEYS = {"Successful", "Messages", "Errors"}
ERROR_ITEM_KEYS = {"path", "property", "code", "message"}


def new_ctid() -> str:
    return f"ce-{uuid.uuid4()}"


def check_answer(resp, method: str, path: str):
    where = f"{method} {path} -> {resp.status_code}"
    assert resp.status_code < 500, f"{where}: {resp.get_data(as_text=True)[:500]}"
    if resp.status_code >= 400:
        assert resp.mimetype == "application/json", f"{where}: not JSON"
        body = resp.get_json()
        # a list request that failed for every item answers one error body per item
        for item in body if isinstance(body, list) and body else [body]:
            assert isinstance(item, dict) and ERROR_KEYS <= set(item), f"{where}: {item!r:.300}"
            assert item["Successful"] is False and item["Messages"] and all(item["Messages"]), where
            assert item["Errors"], where
            for e in item["Errors"]:
                assert ERROR_ITEM_KEYS <= set(e) and e["code"] and e["message"], f"{where}: {e!r}"
    return resp


class Client:
    """A test client with an API key; ``data`` given as a dict or list is sent as JSON."""

    def __init__(self, app, key: str | None = None):
        self._client = app.test_client()
        self.headers = {"Authorization": f"ApiToken {key}"} if key else {}

    def request(self, method: str, path: str, data=None, headers=None, **kw):
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
        resp = self._client.open(path, method=method, data=data, headers={**self.headers, **(headers or {})}, **kw)
        return check_answer(resp, method, path)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.request("PUT", path, data, **kw)

    def delete(self, path, data=None, **kw):
        return self.request("DELETE", path, data, **kw)


class Api:
    def __init__(self, data_dir: Path, database: str | None, **settings):
        from service.http.app import Settings, create_app

        self.data_dir, self.database = data_dir, database
        self.app = create_app(Settings(data_dir=data_dir, database_url=database, **settings))
        self.registry = self.app.extensions["ctdl_registry"]
        self.store = self.registry.store

    def client(self, key: str | None = None) -> Client:
        return Client(self.app, key)

    def key(self, org: str, admin: bool = False) -> str:
        code, out, _ = self.ctdl("keys", "create", "--org", org, *(["--admin"] if admin else []))
        assert code == 0, out
        return out.strip().splitlines()[-1]

    def org_client(self, org: str | None = None, admin: bool = False) -> tuple[Client, str]:
        org = org or new_ctid()
        return self.client(self.key(org, admin)), org

    def ctdl(self, *argv: str) -> tuple[int, str, str]:
        """`ctdl ARGV --data DIR [--database URL]` in process: (exit status, stdout, stderr)."""
        return self.ctdl_plain(*argv, "--data", str(self.data_dir),
                               *(["--database", self.database] if self.database else []))

    @staticmethod
    def ctdl_plain(*args: str) -> tuple[int, str, str]:
        """`ctdl ARGS` in process, as given: (exit status, stdout, stderr)."""
        from service.cli.main import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        return code, out.getvalue(), err.getvalue()

    def close(self) -> None:
        self.store.close()


@pytest.fixture(scope="module")
def module_postgres():
    """One PostgreSQL database per test module (organizations are new in every test, so tests do not
    meet each other's data)."""
    dbs = open_databases("ctdl_http_")
    try:
        yield dbs.new()
    finally:
        dbs.drop_all()


# -- flaskr's fixtures: the app, its test client, the command line on its registry -------------------
class Runner:
    """``ctdl`` in process on the app's registry (flaskr's ``runner``): ``runner.invoke("keys", "list")``."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir

    def invoke(self, *args, stdin: bytes | str | None = None, registry: bool = True):
        from cli_runner import run_ctdl

        return run_ctdl(*args, *(["--data", self.data_dir] if registry else []), stdin=stdin, text=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app on a new embedded registry, one per test module (``api`` runs on both backends)."""
    a = Api(tmp_path_factory.mktemp("app") / "data", None)
    yield a.app
    a.close()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def runner(app):
    return Runner(Path(app.config["SETTINGS"].data_dir))


@pytest.fixture(params=["sqlite", "postgres"])
def api(request, tmp_path):
    database = request.getfixturevalue("module_postgres") if request.param == "postgres" else None
    a = Api(tmp_path / "data", database)
    yield a
    a.close()
