"""The API description: GET /openapi.json (OpenAPI 3.1) and GET / (the same, as a page for people)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, render_template

from .app import base_url
from .responses import json_response

bp = Blueprint("docs", __name__)


@lru_cache(maxsize=1)
def openapi() -> dict:
    return json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi_json():
    return json_response({**openapi(), "servers": [{"url": base_url()}]})


@bp.get("/")
def api_page():
    doc = openapi()
    routes = [(path, method.upper(), op) for path, ops in doc["paths"].items() for method, op in ops.items()]
    return render_template("api.html", info=doc["info"], routes=routes, base=base_url())
