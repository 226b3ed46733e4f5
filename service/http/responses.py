"""The one place where the HTTP API builds its JSON bodies.

Every Assistant-style answer (format, publish, delete, errors of any route) has the Registry
Assistant's shape, plus machine-readable ``Errors``:

    {"Successful": bool, "Messages": [...], "Warnings": [...], "CTID": ..., "Payload": ...,
     "EnvelopeUrl": ..., "GraphUrl": ..., "RegistryEnvelopeIdentifier": ..., "WasChanged": ...,
     "Errors": [{"path", "property", "code", "message"}]}

A test checks that every error response of every route has this shape.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response

from ..registry.answers import assistant_body

JSON_MIMETYPE = "application/json"


def json_response(body: Any, status: int = 200, headers: dict | None = None,
                  mimetype: str = JSON_MIMETYPE) -> Response:
    try:
        data = json.dumps(body, ensure_ascii=False, indent=None).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (\ud800) from the request: keep it as a JSON escape
        data = json.dumps(body, ensure_ascii=True, indent=None).encode("ascii")
    return Response(data, status=status, mimetype=mimetype, headers=headers)


def error_response(status: int, code: str, message: str, path: str = "", prop: str = "",
                   headers: dict | None = None) -> Response:
    body = assistant_body(False, messages=[message],
                          errors=[{"path": path, "property": prop, "code": code, "message": message}])
    return json_response(body, status, headers)
