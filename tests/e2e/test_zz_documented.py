"""Runs last (file order): every status code the suite received from a route is documented for that
route and method in /openapi.json. (The response hook already checked each error body's shape.)"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from e2e_support import RESPONSES_SEEN


def test_every_status_seen_is_documented(tmp_path):
    if len(RESPONSES_SEEN) < 200:
        pytest.skip("run with the whole e2e suite: too few responses were collected")
    from service.http.app import Settings, create_app

    app = create_app(Settings(data_dir=tmp_path))
    app.extensions["ctdl_registry"].store.close()
    doc = json.loads((Path(__import__("service.http").http.__file__).parent / "openapi.json").read_text())
    documented = {}
    for path, ops in doc["paths"].items():     # the source: /{type}/format is every /course/format...
        for method, op in ops.items():
            if method.startswith("x-"):            # x-expand (service/http/docs.py)
                continue
            documented[(re.sub(r"\{[^}]+\}", "{}", path), method.upper())] = set(op["responses"])
    adapter = app.url_map.bind("localhost")
    undocumented: Counter = Counter()
    statuses: Counter = Counter()
    for method, url, status in list(RESPONSES_SEEN):
        statuses[status] += 1
        try:
            rule, _ = adapter.match(unquote(urlsplit(url).path), method=method, return_rule=True)
        except (NotFound, MethodNotAllowed):
            continue                 # no route: the generic 404 / 405 answers (shape checked by the hook)
        if rule.endpoint.startswith("pages.") or rule.endpoint == "static":
            continue                 # the web pages for people (README: Web pages), not the API
        key = (re.sub(r"<[^>]+>", "{}", rule.rule), "GET" if method == "HEAD" else method)
        if str(status) not in documented.get(key, set()):
            undocumented[(key, status)] += 1
    assert not undocumented, f"statuses not in openapi.json: {dict(undocumented)}"
    assert {200, 400, 401, 403, 404, 405, 409, 413, 422} <= set(statuses), statuses
