"""`ctdl bulk ...` and `ctdl org addresses` as scripts use them, in process (tests/cli_runner.py) on a registry in
--data, exit codes 0 (done) / 1 (refused, some failed) / 2 (unusable input)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulk_rows import REGISTRY, credential, learning_opportunity, new_ctid, organization, row
from cli_runner import run_ctdl
from service.bulk.workflow import BulkWorkflow
from service.registry.core import Registry, now
from service.registry.signing import load_or_create_signing_key, public_key_pem
from service.store import open_store
from service.store.base import KeyRecord
from transformer.enrich import Options

ROOT = Path(__file__).parent.parent


def ctdl(data: Path, *args):
    return run_ctdl(*args, "--data", data, text=True)


class Host:
    """The registry in `data`, opened in this process between the commands (as a server would be)."""

    def __init__(self, data: Path):
        self.data = data

    def __enter__(self) -> Registry:
        self.store = open_store(self.data)
        key = load_or_create_signing_key(self.data)
        return Registry(self.store, key, public_key_pem(key), Options(registry=REGISTRY))

    def __exit__(self, *exc):
        self.store.close()


@pytest.fixture
def staged(tmp_path):
    """(data dir, org): two credentials and a deferred learning opportunity uploaded; org not published."""
    org = new_ctid()
    with Host(tmp_path) as registry:
        bulk = BulkWorkflow(registry)
        bulk.stage_rows(org, "credential", [row(f"cred_{i}", credential(new_ctid(), org), "credential")
                                            for i in (1, 2)])
        bulk.stage_rows(org, "learningopportunity", [
            row("lopp_1", learning_opportunity(new_ctid(), org), "learningopportunity", deferred=True)])
    return tmp_path, org


def publish_org(data: Path, org: str) -> None:
    with Host(data) as registry:
        key = KeyRecord(key_hash="", org=org, admin=False, created_at=now(), revoked_at=None)
        assert registry.publish(json.dumps(organization(org)).encode(), "organization", key).record


def test_status_json_and_text(staged):
    data, org = staged
    r = ctdl(data, "bulk", "status", "--org", org.upper(), "--format", "json")
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)
    assert [(i["external_id"], i["type"], i["status"]) for i in items] == [
        ("cred_1", "credential", "pending"), ("cred_2", "credential", "pending"),
        ("lopp_1", "learningopportunity", "pending")]
    assert set(items[0]) >= {"external_id", "ctid", "type", "status", "errors"}
    r = ctdl(data, "bulk", "status", "--org", org, "--type", "LearningOpportunity")
    assert r.returncode == 0 and "lopp_1" in r.stdout and "deferred" in r.stdout and "cred_1" not in r.stdout


def test_approve_is_refused_until_the_organization_is_published_then_publish(staged):
    data, org = staged
    r = ctdl(data, "bulk", "approve", "--org", org, "--all")
    assert r.returncode == 1 and "not published in this registry" in r.stderr
    publish_org(data, org)
    r = ctdl(data, "bulk", "approve", "--org", org, "lopp_1")
    assert r.returncode == 1 and "connect it to a Target Credential first" in r.stdout
    r = ctdl(data, "bulk", "approve", "--org", org, "--all", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert {(o["external_id"], o["result"]) for o in json.loads(r.stdout)} == {
        ("cred_1", "approved"), ("cred_2", "approved"), ("lopp_1", "skipped")}
    r = ctdl(data, "bulk", "publish", "--org", org)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("published ") == 2
    with Host(data) as registry:
        for record in registry.store.staged(org, "credential"):
            assert record.status == "published"
            envelope = registry.store.get_envelope(record.published_envelope_id)
            # the CLI made the same resource URIs as the registry that published the organization
            assert envelope.decoded_resource["@graph"][0]["@id"] == f"{REGISTRY}resources/{record.ctid}"
    r = ctdl(data, "bulk", "publish", "--org", org)
    assert r.returncode == 0 and "no approved records" in r.stderr


def test_unusable_input_exits_2(staged):
    data, org = staged
    assert ctdl(data, "bulk", "status", "--org", "not-a-ctid").returncode == 2
    r = ctdl(data, "bulk", "status", "--org", org, "--type", "widget")
    assert r.returncode == 2 and "unknown type" in r.stderr
    r = ctdl(data, "bulk", "approve", "--org", org)
    assert r.returncode == 2 and "--all" in r.stderr


def test_key_mode(staged):
    data, org = staged
    publish_org(data, org)
    other_key = ctdl(data, "keys", "create", "--org", new_ctid()).stdout.strip()
    r = ctdl(data, "bulk", "approve", "--org", org, "--all", "--key", other_key)
    assert r.returncode == 1 and "may not publish for" in r.stderr
    r = ctdl(data, "bulk", "status", "--org", org, "--key", "ctdl_unknown")
    assert r.returncode == 1 and "not valid" in r.stderr
    own_key = ctdl(data, "keys", "create", "--org", org).stdout.strip()
    assert ctdl(data, "bulk", "approve", "--org", org, "cred_1", "--key", own_key).returncode == 0


def test_org_addresses(tmp_path):
    org = new_ctid()
    places = {"main": {"Address1": "1 Main St", "City": "Springfield", "AddressRegion": "IL",
                       "PostalCode": "62701", "Country": "US"}, "north": {"City": "Peoria", "AddressRegion": "IL"}}
    f = tmp_path / "addresses.json"
    f.write_text(json.dumps(places))
    r = ctdl(tmp_path, "org", "addresses", "--org", org, "--set", f)
    assert r.returncode == 0 and "2 addresses stored" in r.stderr, r.stderr
    r = ctdl(tmp_path, "org", "addresses", "--org", org, "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout) == places
    r = ctdl(tmp_path, "org", "addresses", "--org", org)
    assert r.stdout.splitlines() == ["main: 1 Main St, Springfield, IL, 62701, US", "north: Peoria, IL"]
    f.write_text(json.dumps({"main": {"Citty": "Springfield"}}))
    r = ctdl(tmp_path, "org", "addresses", "--org", org, "--set", f)
    assert r.returncode == 1 and 'Did you mean "City"?' in r.stderr and "nothing was stored" in r.stderr
    f.write_text("[1, 2]")
    assert ctdl(tmp_path, "org", "addresses", "--org", org, "--set", f).returncode == 2
    f.write_text("{oops")
    assert ctdl(tmp_path, "org", "addresses", "--org", org, "--set", f).returncode == 2
    assert ctdl(tmp_path, "org", "addresses", "--org", org, "--set", tmp_path / "missing.json").returncode == 2
    r = ctdl(tmp_path, "org", "addresses", "--org", org, "--format", "json")
    assert json.loads(r.stdout) == places                                    # unchanged


def test_org_manifests_and_the_common_costs_column(tmp_path):
    org, tuition, admission = new_ctid(), new_ctid(), new_ctid()
    f = tmp_path / "costs.json"
    f.write_text(json.dumps({"tuition": tuition}))
    r = ctdl(tmp_path, "org", "manifests", "--org", org, "--kind", "cost", "--set", f)
    assert r.returncode == 0 and "1 cost manifests stored" in r.stderr, r.stderr
    f.write_text(json.dumps({"admission": admission}))
    assert ctdl(tmp_path, "org", "manifests", "--org", org, "--kind", "condition", "--set", f).returncode == 0
    r = ctdl(tmp_path, "org", "manifests", "--org", org, "--kind", "cost")
    assert r.stdout.splitlines() == [f"tuition: {tuition}"]
    f.write_text(json.dumps({"fees": "ce-123"}))
    r = ctdl(tmp_path, "org", "manifests", "--org", org, "--kind", "cost", "--set", f)
    assert r.returncode == 1 and "nothing was stored" in r.stderr and "CTID" in r.stderr
    assert ctdl(tmp_path, "org", "manifests", "--org", org, "--kind", "price").returncode == 2

    sheet = tmp_path / "courses.csv"
    sheet.write_text("External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,"
                     "Subject Webpage,Language,Available Online At,Common Costs,Common Conditions\n"
                     "C1,Course,Welding I,Shop safety and basic joints.,https://lvtc.example/c1,English,"
                     "https://lvtc.example/c1/online,Tuition,admission\n"
                     "C2,Course,Welding II,Pipe welding in all positions.,https://lvtc.example/c2,English,"
                     "https://lvtc.example/c2/online,admission,\n", encoding="utf-8")
    r = ctdl(tmp_path, "bulk", "upload", "course", sheet, "--org", org, "--format", "json")
    assert r.returncode == 1, r.stderr
    rows = {x["external_id"]: x for x in json.loads(r.stdout)["rows"]}
    assert rows["C1"]["status"] == "created" and rows["C2"]["status"] == "rejected"
    (err,) = rows["C2"]["errors"]
    assert err["column"] == "Common Costs" and err["value"] == "admission" and "tuition" in err["message"]
    with Host(tmp_path) as registry:
        (staged,) = [s for s in registry.store.staged(org) if s.external_id == "C1"]
        assert staged.request["Course"]["CommonCosts"] == [tuition]
        assert staged.request["Course"]["CommonConditions"] == [admission]
