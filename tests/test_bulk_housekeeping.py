"""Housekeeping of uploaded records (issue 15): discard a pending or rejected record (never a
published one), GET /bulk/status by pages, and what each record is and what publishing it will do."""
from __future__ import annotations

from bulk_rows import credential, row
from http_support import new_ctid


def test_discard_pending_and_rejected_only(api):
    from service.bulk.workflow import BulkWorkflow

    org = new_ctid()
    workflow = BulkWorkflow(api.registry)
    bad = credential(new_ctid(), org)
    del bad["Credential"]["Name"]
    workflow.stage_rows(org, "credential", [row("c-1", credential(new_ctid(), org), "credential"),
                                            row("c-2", bad, "credential"), row("c-3", credential(new_ctid(), org),
                                                                                 "credential")])
    client = api.client(api.key(org))
    r = client.post("/bulk/discard", data={"ids": ["c-1", "c-2", "nope"]})
    assert r.status_code == 207
    results = {o["external_id"]: o["result"] for o in r.get_json()["Results"]}
    assert results == {"c-1": "discarded", "c-2": "discarded", "nope": "refused"}
    assert [x.external_id for x in api.store.staged(org)] == ["c-3"]
    # a record the registry holds is never discarded
    api.store.set_status(org, ["c-3"], "approved")
    kept = client.post("/bulk/discard", data={"ids": ["c-3"]})
    assert kept.status_code == 409 and kept.get_json()["Results"][0]["errors"][0]["code"] == "bulk.not-discardable"


def test_the_cli_discards(runner):
    from service.bulk.workflow import BulkWorkflow
    from service.store import open_store

    org = new_ctid()
    store = open_store(runner.data_dir, None)
    try:
        from service.registry.core import Registry
        from transformer import Options
        BulkWorkflow(Registry(store, None, "", Options())).stage_rows(
            org, "credential", [row("c-1", credential(new_ctid(), org), "credential")])
    finally:
        store.close()
    done = runner.invoke("bulk", "discard", "--org", org, "c-1")
    assert done.returncode == 0 and "discarded" in done.stdout
    assert runner.invoke("bulk", "discard", "--org", org, "c-1").returncode == 1


def test_status_pages_names_classes_and_what_publishing_will_do(api):
    from service.bulk.workflow import BulkWorkflow

    org = new_ctid()
    BulkWorkflow(api.registry).stage_rows(org, "credential", [
        row(f"c-{i:02d}", credential(new_ctid(), org, f"Welding Level {i}"), "credential") for i in range(5)])
    client = api.client(api.key(org))
    first = client.get("/bulk/status?per_page=2").get_json()
    assert first["Total"] == 5 and first["Page"] == 1 and len(first["Records"]) == 2
    last = client.get("/bulk/status?per_page=2&page=3").get_json()
    assert [r["external_id"] for r in last["Records"]] == ["c-04"]
    record = first["Records"][0]
    assert record["name"] == "Welding Level 0" and record["class"] == "ceterms:Certificate"
    assert record["on_publish"] == "create"
    assert client.get("/bulk/status?per_page=5000").status_code == 400
