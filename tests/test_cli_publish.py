"""`ctdl publish TYPE FILE` and `ctdl delete TYPE CTID`: into the local registry (--data, in process)
and to a running registry (--url --key: a real server)."""
from __future__ import annotations

import json

import pytest

from cli_runner import run_ctdl
from http_support import Api, new_ctid


def framework_request(org: str, fw: str, top: str, child: str) -> dict:
    return {"PublishForOrganizationIdentifier": org,
            "CompetencyFramework": {"CTID": fw, "Name": "Welding Skills", "InLanguage": ["en-US"],
                                    "Description": "What an entry-level welder knows and can do.",
                                    "Publisher": [org], "HasTopChild": [top]},
            "Competencies": [{"CTID": top, "CompetencyText": "Weld safely", "IsTopChildOf": fw, "HasChild": [child]},
                             {"CTID": child, "CompetencyText": "Wear a welding helmet", "IsChildOf": [top]}]}


def test_publish_into_the_local_registry_then_read_back_update_and_delete(tmp_path):
    org, fw, top, child = new_ctid(), new_ctid(), new_ctid(), new_ctid()
    data = tmp_path / "data"
    request = tmp_path / "framework.json"
    request.write_text(json.dumps(framework_request(org, fw, top, child)), encoding="utf-8")

    done = run_ctdl("publish", "competencyframework", request, "--data", data, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"{fw}: published"

    api = Api(data, None)
    try:
        client = api.app.test_client()
        graph = client.get(f"/graph/{fw}").get_json()["@graph"]
        assert [n["ceterms:ctid"] for n in graph] == [fw, top, child]
        # each competency is part of the framework (the Registry Assistant adds it) and readable by its CTID
        competency = client.get(f"/resources/{child}").get_json()
        assert competency["ceasn:isPartOf"] == [f"http://127.0.0.1:8080/resources/{fw}"]
        assert competency["@type"] == "ceasn:Competency"
    finally:
        api.close()

    again = run_ctdl("publish", "competencyframework", request, "--data", data, text=True)
    assert again.returncode == 0 and again.stdout.splitlines()[0] == f"{fw}: unchanged"

    deleted = run_ctdl("delete", "competencyframework", fw, "--data", data, "--org", org, text=True)
    assert deleted.returncode == 0 and deleted.stdout.splitlines()[0] == f"{fw}: deleted"
    gone = run_ctdl("delete", "competencyframework", fw, "--data", data, "--org", org, text=True)
    assert gone.returncode == 1 and "is not in this registry" in gone.stderr


def test_publish_refuses_violations_and_says_where(tmp_path):
    org, fw = new_ctid(), new_ctid()
    request = framework_request(org, fw, new_ctid(), new_ctid())
    del request["CompetencyFramework"]["Name"]
    done = run_ctdl("publish", "competencyframework", "-", "--data", tmp_path / "data", "--format", "json",
                    stdin=json.dumps(request), text=True)
    assert done.returncode == 1
    body = json.loads(done.stdout)
    assert body["Successful"] is False
    assert [e["path"] for e in body["Errors"]] == ["/CompetencyFramework/Name"]


def test_publish_needs_an_organization_and_a_known_type(tmp_path):
    request = framework_request(new_ctid(), new_ctid(), new_ctid(), new_ctid())
    del request["PublishForOrganizationIdentifier"]
    done = run_ctdl("publish", "competencyframework", "-", "--data", tmp_path / "data",
                    stdin=json.dumps(request), text=True)
    assert done.returncode == 2 and "PublishForOrganizationIdentifier" in done.stderr
    unknown = run_ctdl("publish", "framework", "-", "--data", tmp_path / "data", stdin="{}", text=True)
    assert unknown.returncode == 2 and "competencyframework" in unknown.stderr


def test_publish_to_a_url_needs_a_key_and_says_when_unreachable(tmp_path):
    request = tmp_path / "r.json"
    request.write_text(json.dumps(framework_request(new_ctid(), new_ctid(), new_ctid(), new_ctid())))
    no_key = run_ctdl("publish", "competencyframework", request, "--url", "http://127.0.0.1:9", text=True,
                      env={"CTDL_API_KEY": ""})
    assert no_key.returncode == 2 and "--key" in no_key.stderr
    down = run_ctdl("publish", "competencyframework", request, "--url", "http://127.0.0.1:9", "--key", "k", text=True)
    assert down.returncode == 2 and "cannot reach http://127.0.0.1:9/competencyframework/publish" in down.stderr


@pytest.mark.process
def test_publish_to_a_running_registry(tmp_path):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent / "e2e"))
    from e2e_support import Server, organization, stop_and_check

    server = Server(tmp_path / "srv").start()
    try:
        org = new_ctid()
        key = server.create_key(org)
        org_file = tmp_path / "org.json"
        org_file.write_text(json.dumps(organization(org)))
        first = run_ctdl("publish", "organization", org_file, "--url", server.url, "--key", key, text=True)
        assert first.returncode == 0, first.stderr
        fw = new_ctid()
        request = tmp_path / "fw.json"
        request.write_text(json.dumps(framework_request(org, fw, new_ctid(), new_ctid())))
        done = run_ctdl("publish", "competencyframework", request, "--url", server.url, text=True,
                        env={"CTDL_API_KEY": key})
        assert done.returncode == 0, done.stderr
        assert f"GraphUrl: {server.url.rstrip('/')}/graph/{fw}" in done.stdout
        wrong_key = run_ctdl("publish", "competencyframework", request, "--url", server.url, "--key", "nope", text=True)
        assert wrong_key.returncode == 2 and "not valid" in wrong_key.stderr
    finally:
        stop_and_check(server)
