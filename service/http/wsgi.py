"""WSGI entry point for production servers, e.g. ``gunicorn -w 4 'service.http.wsgi:app'``.

Settings come from the environment (the same names as ``ctdl serve`` options):
CTDL_DATA (default ./ctdl-data), CTDL_DATABASE (postgresql://...), CTDL_PUBLIC_URL,
CTDL_STRICT_REFERENCES (1/true), CTDL_ENGINE.
"""
from __future__ import annotations

import os
from pathlib import Path

from .app import Settings, create_app


def settings_from_env() -> Settings:
    return Settings(
        data_dir=Path(os.environ.get("CTDL_DATA", "ctdl-data")),
        database_url=os.environ.get("CTDL_DATABASE") or None,
        public_url=os.environ.get("CTDL_PUBLIC_URL", "http://127.0.0.1:8080/"),
        strict_references=os.environ.get("CTDL_STRICT_REFERENCES", "").lower() in ("1", "true", "yes"),
        engine=os.environ.get("CTDL_ENGINE") or None,
    )


app = create_app(settings_from_env())
