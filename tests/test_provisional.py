"""Provisional records (the Registry Assistant's {type}/provisional): the minimum of
shapes/provisional/ instead of the full minimum data policy, each of its shapes with a valid and an
invalid example (tests/provisional/<shape>/), over HTTP and the CLI, created once."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from http_support import api, module_postgres, new_ctid  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((Path(__file__).parent / "provisional").glob("*/*.json"))


def provisional_shapes() -> set[str]:
    import rdflib

    g = rdflib.Graph()
    for path in (ROOT / "shapes" / "provisional").glob("*.ttl"):
        g.parse(path, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    return {str(s).rsplit(":", 1)[-1] for t in (sh.NodeShape, sh.PropertyShape) for s in g.subjects(rdflib.RDF.type, t)}


def test_every_provisional_shape_has_a_valid_and_an_invalid_example():
    folders = {p.parent.name for p in EXAMPLES}
    assert provisional_shapes() and provisional_shapes() <= folders, provisional_shapes() - folders
    for shape in provisional_shapes():
        assert {"valid.json", "invalid.json"} <= {p.name for p in EXAMPLES if p.parent.name == shape}, shape


@pytest.mark.parametrize("path", [p for p in EXAMPLES if not p.name.endswith(".expected.json")],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("engine", ["compiled", "pyshacl"])
def test_examples_do_what_they_say(path, engine):
    from transformer import validate_document

    report = validate_document(path.read_bytes(), engine, provisional=True)
    got = sorted((r.path, r.code, r.shape) for r in report.violations)
    expected_file = path.with_name(path.stem + ".expected.json")
    expected = json.loads(expected_file.read_text()) if expected_file.exists() else []
    assert got == sorted((e["path"], e["code"], e["shape"]) for e in expected)
    # the same record is far from the full minimum data policy
    assert not validate_document(path.read_bytes(), engine).conforms


def request(org: str, ctid: str) -> dict:
    return {"Credential": {"Name": "My Provisional Certification Name", "CTID": ctid,
                           "CredentialType": "ceterms:Certification", "OwnedBy": [org]},
            "DefaultLanguage": "en-US", "PublishForOrganizationIdentifier": org}


def test_a_provisional_record_is_created_once_then_completed(api):  # noqa: F811
    client, org = api.org_client()
    ctid = new_ctid()
    assert client.post("/credential/publish", data=request(org, ctid)).status_code == 422   # far from complete
    r = client.post("/credential/provisional", data=request(org, ctid))
    assert r.status_code == 200, r.get_json()
    assert client.get(f"/resources/{ctid}").get_json()["ceterms:name"] == {"en-US": "My Provisional Certification Name"}
    again = client.post("/credential/provisional", data=request(org, ctid))
    assert again.status_code == 409 and again.get_json()["Errors"][0]["code"] == "registry.already-published"
    bad = request(org, new_ctid())
    del bad["Credential"]["OwnedBy"]
    refused = client.post("/credential/provisional", data=bad)
    assert refused.status_code == 422 and refused.get_json()["Errors"][0]["code"] == "required-one-of"
    abstract = request(org, new_ctid())
    abstract["Credential"]["CredentialType"] = "ceterms:Credential"
    assert client.post("/credential/provisional", data=abstract).status_code == 422
    assert client.post("/job/provisional", data={}).status_code == 404


def test_the_cli_formats_and_publishes_provisional_records(tmp_path):
    from cli_runner import run_ctdl

    org, ctid = new_ctid(), new_ctid()
    path = tmp_path / "r.json"
    path.write_text(json.dumps(request(org, ctid)))
    assert run_ctdl("format", "credential", path).returncode == 1
    assert run_ctdl("format", "credential", path, "--provisional").returncode == 0
    done = run_ctdl("publish", "credential", path, "--provisional", "--data", tmp_path / "data", text=True)
    assert done.returncode == 0 and done.stdout.startswith(f"{ctid}: published"), done.stderr
