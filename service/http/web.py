"""What every route reaches for, as flaskr's ``get_db``: the registry of this app, its public base
URL, and the API key of the request.  Blueprints import these; the app factory (``app.py``) puts
the objects they return in place and imports the blueprints, never the other way round."""
from __future__ import annotations

from flask import current_app, request


def registry():
    """The app's Registry (service/registry/core.py)."""
    return current_app.extensions["ctdl_registry"]


def base_url() -> str:
    """The public base URL of resource URIs and links, ending in "/"."""
    return current_app.extensions["ctdl_base_url"]


def api_key():
    """The KeyRecord of the request's ``Authorization: ApiToken ...`` header (401 without a valid one)."""
    from ..registry.keys import parse_authorization

    return registry().authenticate(parse_authorization(request.headers.get("Authorization")))
