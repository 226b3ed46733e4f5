"""The served description (GET /openapi.json) itself, in process: valid OpenAPI 3.1 as far as can be
checked without the network, one concrete operation per request type and per upload type (expanded
from the project's tables by service/http/docs.py), and the points where it and the server were made
to agree (bench/fuzz_api.py runs schemathesis over the real server)."""
from __future__ import annotations

import re
import uuid

import pytest

from service.http import docs as api_docs

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
NOT_A_CTID = "ce-000000000000000000000000000000000000"     # 36 characters after ce-, but no UUID


@pytest.fixture(scope="module")
def doc(client) -> dict:
    r = client.get("/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def walk(node, where=""):
    """(pointer, dict) of every object in the document."""
    if isinstance(node, dict):
        yield where, node
        for k, v in node.items():
            yield from walk(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{where}/{i}")


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def schema_of(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = resolve(doc, schema["$ref"])
    return schema


# -- the document ------------------------------------------------------------------------------------------
def test_openapi_31_with_every_reference_resolving(doc):
    assert doc["openapi"].startswith("3.1.") and doc["info"]["title"] and doc["info"]["version"]
    refs = [(where, node["$ref"]) for where, node in walk(doc) if isinstance(node.get("$ref"), str)]
    assert len(refs) > 100
    for where, ref in refs:
        resolve(doc, ref)      # raises with the reference that does not resolve


def test_no_template_extension_is_served(doc):
    """x-expand, x-kinds, x-enum and x-examples-by-wrapper are the source's own (service/http/docs.py)."""
    left = [where for where, node in walk(doc) for key in node if key in api_docs.EXTENSIONS]
    assert left == []


def test_every_path_parameter_is_declared_and_required(doc):
    for path, method, op in operations(doc):
        names = set(re.findall(r"\{([^}]+)\}", path))
        declared = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "path"}
        assert set(declared) == names, f"{method.upper()} {path}"
        assert all(p.get("required") is True for p in declared.values()), f"{method.upper()} {path}"
        assert "200" in op["responses"], f"{method.upper()} {path}"
        ids = [(p["name"], p["in"]) for p in op.get("parameters", [])]
        assert len(ids) == len(set(ids)), f"{method.upper()} {path}: a parameter is declared twice"


# -- one operation per type, from the tables ------------------------------------------------------------
def test_one_concrete_operation_per_request_type(doc):
    from transformer.pipeline import endpoint_names

    names = endpoint_names()
    assert len(names) >= 6
    for action, method in (("format", "post"), ("publish", "post"), ("delete", "delete")):
        served = {p for p in doc["paths"] if p.endswith(f"/{action}") and not p.startswith("/bulk/")}
        assert served == {f"/{name}/{action}" for name in names}, action
        for name in names:
            item = doc["paths"][f"/{name}/{action}"]
            assert list(m for m in item if m in HTTP_METHODS) == [method]
            assert item["x-template"] == f"/{{type}}/{action}"


@pytest.mark.parametrize("action", ["format", "publish"])
def test_each_request_operation_names_its_wrapper_and_refuses_the_others(doc, action):
    from transformer.pipeline import endpoint_names

    for name, wrapper in endpoint_names().items():
        schema = doc["paths"][f"/{name}/{action}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert schema["required"] == [wrapper], name
        assert schema_of(doc, schema["properties"][wrapper])["type"] == "object"
        others = {k for k, v in schema["properties"].items() if v is False}
        assert others == set(endpoint_names().values()) - {wrapper}, name
        assert wrapper in doc["paths"][f"/{name}/{action}"]["post"]["summary"]


def test_the_example_is_given_only_where_its_wrapper_is_the_operations(doc):
    media = doc["paths"]["/organization/format"]["post"]["requestBody"]["content"]["application/json"]
    assert set(media["example"]) >= {"Organization"}
    assert "example" not in doc["paths"]["/course/format"]["post"]["requestBody"]["content"]["application/json"]


def test_a_new_request_type_appears_without_editing_the_description(client, monkeypatch):
    from transformer.pipeline import endpoint_names

    monkeypatch.setattr(api_docs, "request_types", lambda: {**endpoint_names(), "jobrole": "JobRole"})
    api_docs.served.cache_clear()
    try:
        paths = client.get("/openapi.json").get_json()["paths"]
        body = paths["/jobrole/publish"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["required"] == ["JobRole"] and paths["/course/publish"]["post"]["requestBody"][
            "content"]["application/json"]["schema"]["properties"]["JobRole"] is False
        assert "/jobrole/format" in paths and "/jobrole/delete" in paths
        assert "/jobrole/format" in client.get("/api").get_data(as_text=True)
    finally:
        monkeypatch.undo()
        api_docs.served.cache_clear()


def test_one_operation_per_upload_type(doc):
    kinds = api_docs.bulk_kinds()
    assert "competencyframework" in kinds and "course" in kinds
    for action in ("template", "upload", "export"):
        served = {p for p in doc["paths"] if p.startswith("/bulk/") and p.endswith(f"/{action}")}
        assert served == {f"/bulk/{kind}/{action}" for kind in kinds}, action
    # parameters only where the server reads them
    params = lambda path: {p["name"] for p in next(iter(  # noqa: E731
        op for m, op in doc["paths"][path].items() if m in HTTP_METHODS))["parameters"]}
    assert "layout" in params("/bulk/competencyframework/template") and "layout" not in params("/bulk/course/template")
    assert "properties" in params("/bulk/course/template")
    assert "credentials" in params("/bulk/course/template") and "credentials" not in params("/bulk/credential/template")
    assert "ctid" in params("/bulk/competencyframework/export") and "ctid" not in params("/bulk/course/export")


def test_the_api_page_lists_every_path(client, doc):
    page = client.get("/api").get_data(as_text=True)
    for path in doc["paths"]:
        assert path in page, path
    assert "/{type}/format" in page         # the template form, with its concrete paths


# -- what the server and the description agree on ---------------------------------------------------------
CTID_FIELDS = {"ctid", "CTID", "org", "NewOwner", "PublishForOrganizationIdentifier"}


def ctid_schemas(doc: dict):
    """(where, schema) of every parameter and body property that takes a CTID."""
    for path, method, op in operations(doc):
        for p in op.get("parameters", []):
            if p["name"] in CTID_FIELDS:
                yield f"{method.upper()} {path} ?{p['name']}", schema_of(doc, p["schema"])
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if body:
            body = schema_of(doc, body)
            for part in [body, *body.get("allOf", [])]:
                part = schema_of(doc, part)
                for name, prop in (part.get("properties") or {}).items():
                    if name in CTID_FIELDS and prop is not False and "pattern" in schema_of(doc, prop):
                        yield f"{method.upper()} {path} /{name}", schema_of(doc, prop)
    yield "components/Manifests", schema_of(doc, resolve(doc, "#/components/schemas/Manifests")["additionalProperties"])


def test_every_ctid_is_ce_and_a_uuid(doc):
    found = list(ctid_schemas(doc))
    assert len(found) >= 20
    good = f"ce-{uuid.uuid4()}"
    for where, schema in found:
        pattern = re.compile(schema["pattern"])
        assert pattern.search(good) and pattern.search(good.upper().replace("CE-", "ce-")), where
        assert not pattern.search(NOT_A_CTID), where
        assert not pattern.search("ce-" + str(uuid.uuid4())[:-1]), where


def test_the_server_refuses_what_the_ctid_pattern_refuses(client):
    r = client.get(f"/resources/{NOT_A_CTID}")
    assert r.status_code == 404 and "not a CTID" in r.get_json()["Messages"][0]


@pytest.mark.parametrize("kind", ["course", "credential", "competencyframework"])
def test_an_unknown_layout_is_a_400_naming_the_choices(client, kind):
    r = client.get(f"/bulk/{kind}/template?layout=AAA")
    assert r.status_code == 400
    message = r.get_json()["Messages"][0]
    assert "template" in message and "cass" in message and "AAA" in message
    assert client.get(f"/bulk/{kind}/template?layout=cass").status_code == 200


def test_template_properties_are_the_columns_the_server_takes(client, doc):
    for kind in ("course", "credential", "assessment"):
        param = next(p for p in doc["paths"][f"/bulk/{kind}/template"]["get"]["parameters"]
                     if p["name"] == "properties")
        headers = param["schema"]["items"]["enum"]
        assert "External Identifier" in headers
        from urllib.parse import quote

        r = client.get(f"/bulk/{kind}/template?properties=" + quote(",".join(headers)))
        assert r.status_code == 200, (kind, r.get_data(as_text=True)[:300])
        assert client.get(f"/bulk/{kind}/template?properties=Nonsense").status_code == 400
        assert client.get(f"/bulk/{kind}/template?properties=").status_code == 400   # minItems 1: no empty name
        assert "minItems" in param["schema"]


def test_control_characters_in_pre_filled_credentials_are_a_400(client, doc):
    param = next(p for p in doc["paths"]["/bulk/course/template"]["get"]["parameters"] if p["name"] == "credentials")
    assert not re.search(param["schema"]["items"]["pattern"], "a\x01b")
    for fmt in ("", "&xlsx=true"):
        assert client.get(f"/bulk/course/template?credentials=a%01b{fmt}").status_code == 400
        assert client.get(f"/bulk/course/template?credentials=Welding%20Certificate{fmt}").status_code == 200


def test_envelope_pages_go_to_a_billion(client, doc):
    page = next(p for p in doc["paths"]["/envelopes"]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"]["maximum"] == 10**9
    assert client.get(f"/envelopes?page={10**9}").status_code == 200
    assert client.get(f"/envelopes?page={10**9 + 1}").status_code == 400


def test_search_words_are_counted_as_the_server_counts_them(client, doc):
    q = next(p for p in doc["paths"]["/envelopes"]["get"]["parameters"] if p["name"] == "q")["schema"]
    pattern = re.compile(q["pattern"])
    for text in ["welding", " a  b ", "a\u0085b", "a\x1fb", "x " * 16, "x " * 17, "x\u00a0" * 17, "a\x00"]:
        documented = bool(pattern.search(text)) and len(text) <= q["maxLength"]
        from urllib.parse import quote

        assert (client.get("/envelopes?q=" + quote(text)).status_code == 200) == documented, repr(text)


def test_approve_needs_exactly_one_of_ids_and_all(doc):
    body = doc["paths"]["/bulk/approve"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    import jsonschema

    valid = jsonschema.Draft202012Validator(body).is_valid
    assert not valid({}) and not valid({"all": False}) and not valid({"ids": []})
    assert not valid({"ids": ["x"], "all": True}) and not valid({"ids": [" "]})
    assert valid({"ids": ["x"]}) and valid({"all": True}) and valid({"all": True, "ids": []})
    assert not valid({"type": "nonsense", "all": True}) and valid({"type": "course", "all": True})


def test_bulk_bodies_refuse_what_is_not_text_instead_of_taking_it_for_absent(api):
    client, _ = api.org_client()
    for body in ({"org": 0, "all": True}, {"org": [], "all": True}, {"type": False, "all": True},
                 {"type": "", "all": True}, {"type": "nonsense", "all": True}):
        r = client.post("/bulk/approve", data=body)
        assert r.status_code == 400, (body, r.get_data(as_text=True)[:300])
    for body in ({"org": None, "type": None}, {"org": "", "type": "Course"}):
        r = client.post("/bulk/publish", data=body)
        assert r.status_code == 409, body   # read as absent: the key's organization, not published here
    for raw in ('{"ids": ["a\\u0000b"]}', '{"ids": ["x", "a\\ud800"]}'):   # never sent to the store
        r = client.post("/bulk/approve", data=raw)
        assert r.status_code == 400 and r.get_json()["Errors"][0]["path"].startswith("/ids/"), raw


@pytest.mark.parametrize("route, body", [
    ("addresses", '{"a\\u0000": {"City": "x"}}'), ("addresses", '{"a": {"City": "x\\u0000"}}'),
    ("addresses", '{"a": {"City": "x\\ud800"}}'), ("manifests/cost", '{"a\\u0000": "ce-16ae8902-bda0-45f9-960c-7080e16bdfe0"}'),
    ("manifests/cost", '{"a\\udfff": "ce-16ae8902-bda0-45f9-960c-7080e16bdfe0"}')])
def test_reference_data_no_store_can_keep_is_a_422(api, route, body):
    """U+0000 (PostgreSQL refuses it) or an unpaired surrogate: said where it is, never a 500."""
    client, org = api.org_client()
    r = client.put(f"/org/{org}/{route}", data=body)
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert [e["code"] for e in r.get_json()["Errors"]] == ["invalid-character"]


def test_addresses_are_described_as_the_server_checks_them(api, doc):
    """PUT /org/{ctid}/addresses: a well-formed body whose places or ids are wrong is a 422 report."""
    addresses = resolve(doc, "#/components/schemas/Addresses")
    place = resolve(doc, "#/components/schemas/Place")
    assert place["minProperties"] == 1 and not re.search(addresses["propertyNames"]["pattern"], "a|b")
    client, org = api.org_client()
    for body in ({"main": {}}, {"a|b": {"City": "Springfield"}}, {"main": {"Latitude": 200}},
                 {"main": {"Nonsense": "x"}}, {" all ": {"City": "Springfield"}}):
        r = client.put(f"/org/{org}/addresses", data=body)
        assert r.status_code == 422, (body, r.get_data(as_text=True)[:300])
    assert client.put(f"/org/{org}/addresses", data=[]).status_code == 400       # not an object at all
    r = client.put(f"/org/{org}/addresses", data={" main ": {"City": "Springfield", "Latitude": "39.8"}})
    assert r.status_code == 200 and list(r.get_json()["Addresses"]) == ["main"]


def test_405_names_the_documented_methods(client, doc):
    for path, item in doc["paths"].items():
        documented = {m.upper() for m in item if m in HTTP_METHODS}
        concrete = re.sub(r"\{ctid\}", f"ce-{uuid.uuid4()}", path)
        concrete = concrete.replace("{envelope_id}", str(uuid.uuid4())).replace("{kind}", "cost")
        for method in ("PATCH", "TRACE", *({"GET", "POST", "PUT", "DELETE"} - documented)):
            r = client.open(concrete, method=method)
            assert r.status_code == 405, (method, path)
            allowed = {m.strip() for m in r.headers["Allow"].split(",")}
            assert allowed - {"HEAD", "OPTIONS"} == documented, (method, path, r.headers["Allow"])


def test_a_key_made_on_the_command_line_works_over_http(client, runner):
    """The command line and the API act on one registry (flaskr's runner and client)."""
    org = "ce-" + "5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f"
    made = runner.invoke("keys", "create", "--org", org)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    listed = runner.invoke("keys", "list", "--format", "json")
    assert listed.returncode == 0 and org in listed.stdout and key not in listed.stdout   # never the secret
    r = client.get(f"/bulk/status?org={org}", headers={"Authorization": f"ApiToken {key}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert client.get(f"/bulk/status?org={org}").status_code == 401


def test_the_column_tables_follow_the_servers_shapes(tmp_path):
    """`ctdl serve --shapes DIR`: the described upload columns are that folder's, not the project's."""
    import shutil
    from pathlib import Path

    from http_support import Api

    shapes = tmp_path / "shapes"
    shutil.copytree(Path(__file__).parents[1] / "shapes", shapes)
    ttl = shapes / "assessment.ttl"
    ttl.write_text(ttl.read_text(encoding="utf-8").replace('"Assessment Name"', '"Exam Title"'), encoding="utf-8")

    def columns(api) -> list:
        served = api.app.test_client().get("/openapi.json").get_json()
        return [v for _, n in walk(served["paths"]["/bulk/assessment/template"]) for v in n.get("enum") or []]

    ours, theirs = Api(tmp_path / "a", None), Api(tmp_path / "b", None, shapes_dir=shapes)
    try:
        assert "Assessment Name" in columns(ours) and "Exam Title" not in columns(ours)
        assert "Exam Title" in columns(theirs) and "Assessment Name" not in columns(theirs)
    finally:
        ours.close(), theirs.close()
