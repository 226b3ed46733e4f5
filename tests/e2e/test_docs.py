"""GET /openapi.json and GET /: the description matches the application's routes; error bodies of every
route have the Registry Assistant shape."""
from __future__ import annotations

import re

import pytest

from e2e_support import assert_error_shape, new_ctid

IGNORED_METHODS = {"HEAD", "OPTIONS"}      # added by Flask to every route


def _template(path: str) -> str:
    """/envelopes/<envelope_id> and /envelopes/{envelope_id} -> /envelopes/{}"""
    return re.sub(r"<(?:[^:>]+:)?[^>]+>|\{[^}]+\}", "{}", path)


@pytest.fixture(scope="module")
def app_routes(tmp_path_factory) -> set[tuple[str, str]]:
    from service.http.app import Settings, create_app

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi-data")))
    try:
        routes = {(_template(rule.rule), method) for rule in app.url_map.iter_rules()
                  if rule.endpoint != "static" and not rule.endpoint.startswith("pages.")   # pages: for people
                  for method in rule.methods - IGNORED_METHODS}
    finally:
        app.extensions["ctdl_registry"].store.close()
    assert len(routes) >= 14
    return routes


def _openapi_routes(doc: dict) -> set[tuple[str, str]]:
    """(route template, METHOD) of every operation; a concrete path (/course/format) counts as the
    route it was expanded from (x-template: /{type}/format)."""
    return {(_template(ops.get("x-template", path)), method.upper()) for path, ops in doc["paths"].items()
            for method in ops if method in ("get", "post", "put", "patch", "delete")}


def test_openapi_describes_every_route_and_nothing_else(server, app_routes):
    r = server.client().get("/openapi.json")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": server.url}]
    described = _openapi_routes(doc)
    assert app_routes - described == set(), "routes missing from openapi.json"
    assert described - app_routes == set(), "openapi.json describes routes the app does not have"


def test_openapi_path_parameters_are_declared(server):
    doc = server.client().get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for method, op in ops.items():
            if method.startswith("x-"):
                continue
            declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            assert declared == names, f"{method.upper()} {path}"
            assert "200" in op["responses"], f"{method.upper()} {path}"


def test_api_page(server):
    r = server.client().get("/api")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.text
    assert "<html" in page.lower() and "</html>" in page.lower()
    doc = server.client().get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        assert path in page, path
    assert server.url in page


# one request per route that must fail, and the status it must fail with
def _probes(org_ctid: str) -> list[tuple[str, str, bytes | None, bool, int]]:
    unknown = new_ctid()
    return [
        ("POST", "/organization/format", b"{oops", False, 400),
        ("POST", "/nope/format", b"{}", False, 404),
        ("POST", "/organization/publish", b"{}", False, 401),
        ("POST", "/organization/publish", b"{oops", True, 400),
        ("DELETE", "/credential/delete", b'{"CTID": "' + unknown.encode() + b'"}', True, 404),
        ("DELETE", "/credential/delete", b"{}", False, 401),
        ("POST", "/supportservice/bulkpublish", b'{"SupportServices": "not a list"}', True, 400),
        ("POST", "/job/publishlist", b"{}", False, 401),
        ("POST", "/credential/publishGraph", b'{"GraphInput": {"@graph": "oops"}}', True, 400),
        ("POST", "/credential/cease", b'{"CTID": "' + unknown.encode() + b'"}', True, 404),
        ("POST", "/credential/provisional", b'{"Credential": {}}', True, 422),
        ("POST", "/validate", b"[]", False, 400),
        ("GET", f"/resources/{unknown}", None, False, 404),
        ("DELETE", f"/resources/{unknown}", None, True, 404),
        ("GET", f"/graph/{unknown}", None, False, 404),
        ("GET", "/envelopes?page=0", None, False, 400),
        ("GET", "/envelopes/00000000-0000-4000-8000-000000000000", None, False, 404),
        ("GET", "/envelopes/00000000-0000-4000-8000-000000000000/revisions", None, False, 404),
        ("POST", "/admin/purge", f'{{"CTID": "{org_ctid}"}}'.encode(), True, 403),
        ("POST", "/admin/transfer", f'{{"CTID": "{org_ctid}", "NewOwner": "{unknown}"}}'.encode(), True, 403),
        ("GET", "/bulk/status", None, False, 401),
        ("GET", "/bulk/course/template?properties=Nonsense", None, False, 400),
        ("POST", "/bulk/course/upload", b"", False, 401),
        ("GET", "/bulk/course/export", None, False, 401),
        ("POST", "/bulk/approve", b'{"all": true}', True, 409),       # the organization is not published
        ("POST", "/bulk/publish", b"{oops", True, 400),
        ("POST", "/bulk/discard", b'{"ids": "x"}', True, 400),
        ("GET", f"/bulk/jobs/{unknown}", None, True, 404),
        ("GET", "/bulk/status?page=0", None, True, 400),
        ("GET", f"/org/{unknown}/addresses", None, True, 403),
        ("PUT", f"/org/{org_ctid}/addresses", b"[]", True, 400),
        ("GET", f"/org/{org_ctid}/manifests/price", None, True, 404),
        ("PUT", f"/org/{org_ctid}/manifests/cost", b'{"tuition": "no-ctid"}', True, 422),
        ("GET", "/keys?org=not-a-ctid", None, True, 400),
        ("POST", "/keys", b'{"Admin": "yes"}', True, 400),
        ("POST", "/keys/000000000000/revoke", None, True, 404),
        ("GET", f"/org/{unknown}/publishers", None, True, 403),
        ("POST", f"/org/{org_ctid}/publishers", b'{"Publisher": "x"}', True, 400),
        ("DELETE", f"/org/{org_ctid}/publishers/{unknown}", None, True, 404),
        ("PUT", "/openapi.json", None, False, 405),
        ("POST", "/api", None, False, 405),
        ("GET", "/no/such/route", None, False, 404),
    ]


def test_every_route_errors_with_the_assistant_shape(server, app_routes):
    client, org = server.org_client()
    probes = _probes(org)
    probed = {(_template(re.sub(r"ce-[0-9a-f-]{36}|[0-9a-f-]{36}", "{x}", p.split("?")[0])), m)
              for m, p, *_ in probes}
    probed |= {("/{}/format", "POST"), ("/{}/publish", "POST"), ("/{}/delete", "DELETE"),
               ("/{}/bulkpublish", "POST"), ("/{}/publishlist", "POST"), ("/{}/publishGraph", "POST"),
               ("/{}/cease", "POST"), ("/{}/provisional", "POST"),
               ("/bulk/{}/template", "GET"), ("/bulk/{}/upload", "POST"),
               ("/bulk/{}/export", "GET"),   # probed as /bulk/course/...
               ("/org/{}/manifests/{}", "GET"), ("/org/{}/manifests/{}", "PUT"),   # as .../manifests/cost
               ("/keys/{}/revoke", "POST")}   # probed with a key id
    cannot_fail = {("/openapi.json", "GET"), ("/api", "GET"),   # their errors: 405 for other methods, probed
                   ("/registry/public-key", "GET")}
    assert app_routes - probed - cannot_fail == set(), "add a failing request for these routes"
    for method, path, body, with_key, status in probes:
        r = (client if with_key else server.client()).request(method, path, data=body)
        assert r.status_code == status, (method, path, r.text[:300])
        body = assert_error_shape(r)
        assert set(body) >= {"Successful", "Messages", "Warnings", "CTID", "Payload", "EnvelopeUrl", "GraphUrl",
                             "RegistryEnvelopeIdentifier", "WasChanged", "Errors"}
