"""Notices of publishing (service/registry/notices.py, the dashboard's Notices form) and the registry
staff's review queue across organizations."""
from __future__ import annotations

import json
import logging
import re
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from http_support import Api, new_ctid

sys.path.insert(0, str(Path(__file__).parent / "e2e"))
from e2e_support import credential, organization  # noqa: E402


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(api, key):
    client = api.app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    assert client.post("/signin", data={"api_key": key, "csrf_token": token(page)}).status_code == 302
    return client


@pytest.fixture
def hook():
    """A webhook receiver on 127.0.0.1: the bodies it got."""
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append({"event": self.headers["X-CTDL-Event"], **json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/ctdl", got
    server.shutdown()


@pytest.fixture
def smtp():
    """A minimal SMTP server on 127.0.0.1: the messages it got (envelope recipients, data)."""
    got: list[tuple[list[str], str]] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            rcpt, write = [], lambda line: self.wfile.write(line.encode() + b"\r\n")
            write("220 test")
            while line := self.rfile.readline().decode():
                cmd = line.strip().upper()
                if cmd.startswith(("EHLO", "HELO")):
                    write("250 test")
                elif cmd.startswith("RCPT TO"):
                    rcpt.append(line.split(":", 1)[1].strip().strip("<>"))
                    write("250 ok")
                elif cmd == "DATA":
                    write("354 go")
                    data = []
                    while (part := self.rfile.readline().decode()) not in (".\r\n", ""):
                        data.append(part)
                    got.append((rcpt, "".join(data)))
                    write("250 queued")
                elif cmd == "QUIT":
                    write("221 bye")
                    return
                else:
                    write("250 ok")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], got
    server.shutdown()


def test_a_publish_notifies_the_organizations_webhook_and_email(tmp_path, hook, smtp, monkeypatch):
    url, posts = hook
    port, mails = smtp
    monkeypatch.setenv("CTDL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CTDL_SMTP_PORT", str(port))
    api = Api(tmp_path / "data", None)
    org = new_ctid()
    key = api.key(org)
    client = sign_in(api, key)
    html = client.get("/dashboard").get_data(as_text=True)
    r = client.post("/dashboard/notices", data={"csrf_token": token(html), "webhook_url": url,
                                                "notice_email": "registrar@riverside.example"})
    assert r.status_code == 302 and api.store.org_settings(org) == {
        "webhook_url": url, "notice_email": "registrar@riverside.example"}
    assert api.client(key).post("/organization/publish", data=organization(org)).status_code == 200
    cred = new_ctid()
    assert api.client(key).post("/credential/publish", data=credential(cred, org)).status_code == 200
    api.registry.notices.wait()
    records = [r for p in posts for r in p["records"]]
    assert {r["ctid"] for r in records} == {org, cred} and all(p["event"] == "published" for p in posts)
    assert all(p["organization"] == org and r["url"].endswith(f"/resources/{r['ctid']}") for p in posts
               for r in p["records"])
    assert mails and all(rcpt == ["registrar@riverside.example"] for rcpt, _ in mails)
    assert cred in "".join(data for _, data in mails)
    # the same again changes nothing: no notice
    before = len(records)
    assert api.client(key).post("/credential/publish", data=credential(cred, org)).status_code == 200
    api.registry.notices.wait()
    assert sum(len(p["records"]) for p in posts) == before
    api.close()


def test_without_an_smtp_server_the_notice_is_logged(tmp_path, caplog, monkeypatch):
    monkeypatch.delenv("CTDL_SMTP_HOST", raising=False)
    api = Api(tmp_path / "data", None)
    org = new_ctid()
    key = api.key(org)
    api.store.set_org_setting(org, "notice_email", "registrar@riverside.example")
    with caplog.at_level(logging.INFO, logger="ctdl.notices"):
        assert api.client(key).post("/organization/publish", data=organization(org)).status_code == 200
        api.registry.notices.wait()
    assert any("registrar@riverside.example" in r.getMessage() and org in r.getMessage()
               and "CTDL_SMTP_HOST" in r.getMessage() for r in caplog.records)
    api.close()


def test_a_bad_webhook_url_or_email_is_refused_on_its_field(tmp_path):
    api = Api(tmp_path / "data", None)
    org = new_ctid()
    client = sign_in(api, api.key(org))
    html = client.get("/dashboard").get_data(as_text=True)
    r = client.post("/dashboard/notices", data={"csrf_token": token(html), "webhook_url": "ftp://x.example/"})
    assert r.status_code == 400 and "http or https URL" in r.get_data(as_text=True)
    r = client.post("/dashboard/notices", data={"csrf_token": token(html), "notice_email": "not an address"})
    assert r.status_code == 400 and "not an email address" in r.get_data(as_text=True)
    assert api.store.org_settings(org) == {}
    api.close()


def test_the_review_queue_is_for_admins_and_lists_every_organization(tmp_path):
    api = Api(tmp_path / "data", None)
    orgs = [new_ctid(), new_ctid()]
    header = "External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,Subject Webpage,Available Online At"
    for i, org in enumerate(orgs):
        sheet = f"{header}\nC-{i},Course,Welding {i},Shop safety and the basic joints of arc welding.,https://r.example/{i},https://o.r.example/{i}\n"
        r = api.client(api.key(org)).post(f"/bulk/course/upload?org={org}", data=sheet.encode(),
                                          headers={"Content-Type": "text/csv"})
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
    user = sign_in(api, api.key(orgs[0]))
    assert user.get("/review/queue").status_code == 403
    admin = sign_in(api, api.key(new_ctid(), admin=True))
    page = admin.get("/review/queue").get_data(as_text=True)
    assert "2 pending records" in page and orgs[0] in page and orgs[1] in page
    assert admin.get(f"/review/course/C-1?org={orgs[1]}").status_code == 200    # an admin opens any record
    api.close()
