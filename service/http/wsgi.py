"""WSGI entry point for production servers, e.g. ``gunicorn -w 4 'service.http.wsgi:app'``.

Settings come from the environment (the same names as ``ctdl serve`` options):
CTDL_PUBLIC_URL (required: the address clients use, e.g. https://registry.example.org/), CTDL_DATA
(default ./ctdl-data), CTDL_DATABASE (postgresql://...), CTDL_STRICT_REFERENCES (1/true), CTDL_ENGINE,
CTDL_PROXY_FIX (1/true: behind one reverse proxy, read X-Forwarded-For/-Proto/-Host/-Prefix, so
that redirects and the session cookie follow the address the client used).

Why CTDL_PUBLIC_URL is required here: it is written into every published record's @id. Guessing it
(the bind address, or the request's Host header, which any client sets) would publish records whose
identifiers point nowhere or somewhere a client chose; so the server refuses to start without it.
"""
from __future__ import annotations

import os
from pathlib import Path

from .app import Settings, create_app


class MissingPublicUrl(RuntimeError):
    pass


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def settings_from_env() -> Settings:
    from urllib.parse import urlsplit

    public = os.environ.get("CTDL_PUBLIC_URL", "").strip()
    parts = urlsplit(public)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MissingPublicUrl(
            "set CTDL_PUBLIC_URL to the address clients use for this registry (e.g. https://registry.example.org/): "
            "it becomes the @id of every published record" + (f'; "{public}" is not an http(s) URL' if public else ""))
    return Settings(
        data_dir=Path(os.environ.get("CTDL_DATA", "ctdl-data")),
        database_url=os.environ.get("CTDL_DATABASE") or None,
        public_url=public,
        strict_references=_flag("CTDL_STRICT_REFERENCES"),
        engine=os.environ.get("CTDL_ENGINE") or None,
    )


def build_app():
    app = create_app(settings_from_env())
    if _flag("CTDL_PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
    return app


app = build_app()
