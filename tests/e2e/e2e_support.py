"""End-to-end helpers: the REAL server process (`ctdl serve`), keys made with the CLI, requests.

One server per backend per session (ids "sqlite" and "postgres"); servers with special flags
(--strict-references) and the crash test start their own. PostgreSQL: a fresh database
`ctdl_e2e_<random>` per need, created through CTDL_TEST_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped at the end; an unreachable server is
skipped on a developer machine and FAILS when CI is set (as in tests/test_store.py).

Every response the suite receives goes through `check_response`: never a 5xx, and every error
(4xx) has the Registry Assistant body shape. So the shape is checked for every error response of
every test, not only in the tests written for it.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
_SCRIPT = Path(sys.executable).with_name("ctdl")
CTDL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "service.cli"]

START_TIMEOUT = 30

ERROR_KEYS = {"Successful", "Messages", "Errors"}
ERROR_ITEM_KEYS = {"path", "property", "code", "message"}


def new_ctid() -> str:
    return f"ce-{uuid.uuid4()}"


# -- request bodies ------------------------------------------------------------------------------------
def organization(ctid: str, name: str = "Riverside Technical College", *, for_org: str | None = None,
                 **extra) -> dict:
    """A valid Organization request (Registry Assistant wrapper)."""
    org = {
        "Type": "ceterms:CredentialOrganization",
        "Name": name,
        "Description": "A public two-year college offering career and technical programs, certificates "
                       "and associate degrees.",
        "SubjectWebpage": "https://www.riverside.example.edu/",
        "CTID": ctid,
        "AgentType": ["orgType:TwoYear", "Primarily Online"],
        "AgentSectorType": "agentSector:Public",
        "Email": ["admissions@riverside.example.edu"],
        "Keyword": ["Career and technical education", "Associate degrees"],
        **extra,
    }
    return {"Organization": org, "PublishForOrganizationIdentifier": for_org or ctid, "DefaultLanguage": "en-US"}


def credential(ctid: str, owner: str, name: str = "Welding Certificate Level One", *,
               for_org: str | None = None, **extra) -> dict:
    """A valid Credential request owned by `owner`."""
    cred = {
        "Type": "ceterms:Certificate",
        "Name": name,
        "Description": "A certificate for entry-level welders in advanced manufacturing.",
        "SubjectWebpage": "https://www.riverside.example.edu/welding",
        "CTID": ctid,
        "CredentialStatusType": ["credentialStat:Active"],
        "InLanguage": ["en-US"],
        "OwnedBy": [owner],
        "Keyword": ["Welding", "Manufacturing"],
        **extra,
    }
    return {"Credential": cred, "PublishForOrganizationIdentifier": for_org or owner, "DefaultLanguage": "en-US"}


def payload_of(body: dict) -> dict:
    """The Payload of a Registry Assistant answer (a JSON string) as a dict."""
    assert isinstance(body.get("Payload"), str), body
    return json.loads(body["Payload"])


# -- response checks -------------------------------------------------------------------------------------
def assert_error_shape(resp: requests.Response) -> dict:
    """The Registry Assistant error body: {"Successful": false, "Messages": [...], "Errors": [...], ...}."""
    where = f"{resp.request.method} {resp.request.path_url} -> {resp.status_code}"
    assert resp.headers.get("Content-Type", "").startswith("application/json"), f"{where}: not JSON"
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(f"{where}: body is not JSON: {resp.text[:200]!r}") from None
    assert isinstance(body, dict) and ERROR_KEYS <= set(body), f"{where}: {body!r:.300}"
    assert body["Successful"] is False, where
    assert isinstance(body["Messages"], list) and body["Messages"], where
    assert all(isinstance(m, str) and m for m in body["Messages"]), where
    assert isinstance(body["Errors"], list) and body["Errors"], where
    for e in body["Errors"]:
        assert isinstance(e, dict) and ERROR_ITEM_KEYS <= set(e), f"{where}: {e!r}"
        assert isinstance(e["code"], str) and e["code"] and isinstance(e["message"], str) and e["message"], where
    return body


# (method, path with query, status) of every response the suite received (see test_zz_documented.py)
RESPONSES_SEEN: list[tuple[str, str, int]] = []


def check_response(resp: requests.Response, *args, **kwargs) -> requests.Response:
    where = f"{resp.request.method} {resp.request.path_url}"
    RESPONSES_SEEN.append((resp.request.method, resp.request.path_url, resp.status_code))
    assert resp.status_code < 500, f"{where} -> {resp.status_code}: {resp.text[:500]}"
    if resp.status_code >= 400:
        assert_error_shape(resp)
    return resp


class Client(requests.Session):
    """requests against one server: relative URLs, every answer checked by check_response."""

    def __init__(self, base: str, key: str | None = None):
        super().__init__()
        self.base = base
        self.hooks["response"].append(check_response)
        if key:
            self.headers["Authorization"] = f"ApiToken {key}"

    def request(self, method, url, *args, **kwargs):
        if not url.startswith("http"):
            url = self.base + url.lstrip("/")
        kwargs.setdefault("timeout", 30)
        data = kwargs.get("data")
        if isinstance(data, (dict, list)):
            kwargs["data"] = json.dumps(data)
        return super().request(method, url, *args, **kwargs)


# -- the server process --------------------------------------------------------------------------------
class Server:
    """`ctdl serve --port 0 --data DIR [--database URL] [flags]` as a child process."""

    def __init__(self, data_dir: Path, database: str | None = None, flags: tuple[str, ...] = ()):
        self.data_dir, self.database, self.flags = Path(data_dir), database, tuple(flags)
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.log: list[str] = []
        self._reader: threading.Thread | None = None

    # process
    def start(self) -> "Server":
        cmd = [*CTDL, "serve", "--port", "0", "--data", str(self.data_dir), *self.flags]
        if self.database:
            cmd += ["--database", self.database]
        self.log = []
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=_env())
        first = _read_line(self.proc, START_TIMEOUT)
        if not first.startswith("ctdl-assistant listening on http://"):
            self.proc.kill()
            rest = self.proc.stderr.read()
            raise RuntimeError(f"the server did not start: {first!r} {rest[-2000:]}")
        self.url = first.split(" on ", 1)[1].split()[0]
        self.log.append(first + "\n")
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        return self

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line)

    def stop(self) -> int:
        """SIGTERM; the exit status (the caller asserts it is 0)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the server did not stop within 15 s of SIGTERM") from None
        self._reader.join(timeout=5)              # every line of the log, for problems()
        return status

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=15)
        self._reader.join(timeout=5)

    def problems(self) -> list[str]:
        """Log lines that show a server-side failure (tracebacks, internal errors)."""
        return [line for line in self.log if "Traceback" in line or "internal error" in line
                or " ERROR " in line]

    # command line
    def ctdl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [*CTDL, *args, "--data", str(self.data_dir)]
        if self.database:
            cmd += ["--database", self.database]
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60, env=_env())
        if check:
            assert proc.returncode == 0, f"ctdl {' '.join(args)}: {proc.returncode} {proc.stderr}"
        return proc

    def create_key(self, org: str, admin: bool = False) -> str:
        out = self.ctdl("keys", "create", "--org", org, *(["--admin"] if admin else [])).stdout
        key = out.strip().splitlines()[-1].strip()
        assert key and " " not in key, out
        return key

    def authorize(self, org: str, publisher: str) -> None:
        self.ctdl("keys", "authorize", "--org", org, "--publisher", publisher)

    def revoke(self, key: str) -> None:
        self.ctdl("keys", "revoke", key)

    # HTTP
    def client(self, key: str | None = None) -> Client:
        return Client(self.url, key)

    def org_client(self, org: str | None = None, admin: bool = False) -> tuple[Client, str]:
        """A client with a new key of a new (or given) organization: (client, org CTID)."""
        org = org or new_ctid()
        return self.client(self.create_key(org, admin)), org


def verify(envelope: dict, tmp_path: Path, *args: str, name: str = "envelope.json") -> subprocess.CompletedProcess:
    """`ctdl verify FILE [ARGS]` on `envelope` saved to tmp_path/name."""
    path = tmp_path / name
    path.write_text(json.dumps(envelope), encoding="utf-8")
    return subprocess.run([*CTDL, "verify", str(path), *args], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env=_env())


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("CTDL_DEBUG", None)
    return env


def _read_line(proc: subprocess.Popen, timeout: float) -> str:
    box: list[str] = []
    t = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)   # the URL: stdout
    t.start()
    t.join(timeout)
    if not box:
        proc.kill()
        raise RuntimeError(f"the server printed nothing within {timeout} s")
    return box[0].strip()


def stop_and_check(server: Server) -> None:
    status = server.stop()
    assert status == 0, f"the server exited {status} on SIGTERM: {''.join(server.log)[-3000:]}"
    assert not server.problems(), "server-side errors logged:\n" + "".join(server.log)[-5000:]


