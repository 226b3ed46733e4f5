"""The production entry point (service/http/wsgi.py): CTDL_PUBLIC_URL is required (it becomes every
published @id), and CTDL_PROXY_FIX=1 follows one reverse proxy's X-Forwarded-* headers."""
from __future__ import annotations

import importlib

import pytest


def load(monkeypatch, tmp_path, **env):
    for name in ("CTDL_PUBLIC_URL", "CTDL_PROXY_FIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CTDL_DATA", str(tmp_path / "data"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import service.http.wsgi as wsgi

    return importlib.reload(wsgi)


@pytest.mark.parametrize("value", ["", "registry.example.org", "ftp://registry.example.org/"])
def test_no_public_url_no_start(monkeypatch, tmp_path, value):
    env = {"CTDL_PUBLIC_URL": value} if value else {}
    with pytest.raises(Exception, match="set CTDL_PUBLIC_URL to the address clients use"):
        load(monkeypatch, tmp_path, **env)


def test_the_public_url_is_the_published_base_and_the_proxy_is_followed_when_asked(monkeypatch, tmp_path):
    wsgi = load(monkeypatch, tmp_path, CTDL_PUBLIC_URL="https://registry.example.org/", CTDL_PROXY_FIX="1")
    client = wsgi.app.test_client()
    assert client.get("/openapi.json").get_json()["servers"] == [{"url": "https://registry.example.org/"}]
    r = client.get("/dashboard", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "registry.example.org",
                                          "X-Forwarded-Prefix": "/ctdl"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/ctdl/signin")   # the proxy's prefix
    wsgi.app.extensions["ctdl_registry"].store.close()
