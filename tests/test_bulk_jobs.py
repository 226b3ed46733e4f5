"""Large uploads as jobs (issue 15): an upload over JOB_BYTES (or ?job=true) answers 202 with the
job's URL; the job reports rows done of rows total, then the upload's answer; a job whose process
is gone is resumed from its file when the app starts (failed after MAX_ATTEMPTS), never left
"running"; the queue never gives one job to two processes. The kill -9 test is
tests/e2e/test_bulk_job_crash.py."""
from __future__ import annotations

import time

import pytest

from http_support import Api, new_ctid
from test_bulk_cells import BASE


def sheet(rows: int) -> bytes:
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(list(BASE))
    for i in range(rows):
        w.writerow([*{**BASE, "External Identifier": f"WELD {i:04d}"}.values()])
    return out.getvalue().encode("utf-8")


def wait(client, url: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        body = client.get(url).get_json()
        seen.append((body["RowsDone"], body["RowsTotal"]))
        if body["Status"] not in ("queued", "running"):
            return {**body, "seen": seen}
        time.sleep(0.05)
    pytest.fail(f"the job did not end: {seen[-3:]}")


def test_a_large_upload_is_a_job_with_progress_then_its_answer(api):
    org = new_ctid()
    client = api.client(api.key(org))
    r = client.post(f"/bulk/course/upload?org={org}&job=true", data=sheet(60), headers={"Content-Type": "text/csv"})
    assert r.status_code == 202 and r.headers["Location"] == r.get_json()["JobUrl"]
    done = wait(client, r.get_json()["JobUrl"].split("localhost", 1)[-1])
    assert done["Status"] == "done" and (done["RowsDone"], done["RowsTotal"]) == (60, 60)
    assert done["Result"]["summary"]["created"] == 60
    assert all(a <= b for (a, _), (b, _) in zip(done["seen"], done["seen"][1:]))     # progress only grows
    # another organization's key does not see it
    other, _ = api.org_client()
    assert other.get(r.get_json()["JobUrl"].split("localhost", 1)[-1]).status_code == 404


def test_a_job_that_fails_says_why(api):
    org = new_ctid()
    client = api.client(api.key(org))
    r = client.post(f"/bulk/course/upload?org={org}&job=true", data=b'{"not": "a spreadsheet"}')
    done = wait(client, r.get_json()["JobUrl"].split("localhost", 1)[-1])
    assert done["Status"] == "failed" and "input." in done["Messages"][-1]


def test_a_job_left_running_by_a_process_that_is_gone_is_resumed_at_start(tmp_path):
    from service.bulk import jobs

    first = Api(tmp_path / "data", None)
    org = new_ctid()
    first.key(org)
    key_id = first.store.list_keys(org)[0].key_id          # the uploader's key, looked up when it runs
    this_host = jobs.runner().rsplit(":", 1)[0]
    for job_id, runner in (("a6f1c0de-0000-4000-8000-000000000001", f"{this_host}:999999"),
                           ("a6f1c0de-0000-4000-8000-000000000002", "elsewhere:1")):
        first.store.create_job(job_id, org, "course", sheet(30), key_id)
        assert first.store.claim_job(runner)["job_id"] == job_id       # claimed, then its process died
    first.store.update_job("a6f1c0de-0000-4000-8000-000000000001", rows_done=10, rows_total=30)
    first.close()
    second = Api(tmp_path / "data", None)        # the server starts again
    try:
        client = second.client(second.key(org))
        done = wait(client, "/bulk/jobs/a6f1c0de-0000-4000-8000-000000000001")
        assert done["Status"] == "done" and done["Attempts"] == 2 and done["RowsDone"] == 30
        assert done["Result"]["summary"]["created"] == 30 and jobs.RESUMED in done["Result"]["notes"]
        assert second.store.get_job("a6f1c0de-0000-4000-8000-000000000002")["status"] == "running"  # not ours
    finally:
        second.close()


def test_a_job_interrupted_too_often_is_failed_saying_to_upload_again(tmp_path):
    from service.bulk import jobs

    store = Api(tmp_path / "data", None).store
    org = new_ctid()
    store.create_job("a6f1c0de-0000-4000-8000-000000000003", org, "course", sheet(3))
    dead = f"{jobs.runner().rsplit(':', 1)[0]}:999999"
    for _ in range(jobs.MAX_ATTEMPTS):
        store.claim_job(dead)
        store.requeue_job("a6f1c0de-0000-4000-8000-000000000003", dead)
    store.claim_job(dead)
    store.requeue_job("a6f1c0de-0000-4000-8000-000000000003", "someone-else:1")   # not its runner: no change
    assert store.get_job("a6f1c0de-0000-4000-8000-000000000003")["status"] == "running"
    second = Api(tmp_path / "data", None)
    try:
        job = second.store.get_job("a6f1c0de-0000-4000-8000-000000000003")
        assert job["status"] == "failed" and job["error"] == jobs.INTERRUPTED
    finally:
        second.close()


def test_the_queue_never_gives_one_job_to_two_runners(api):
    """Claims from many threads at once (each a process of the deployment): each job once."""
    import threading

    org = new_ctid()
    ids = [f"a6f1c0de-0000-4000-8000-0000000001{i:02d}" for i in range(20)]
    for job_id in ids:
        api.store.create_job(job_id, org, "course", b"x")
    claimed: list[str] = []

    def claim(n: int) -> None:
        while (job := api.store.claim_job(f"host:{n}")) is not None:
            claimed.append(job["job_id"])

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == ids
    assert all(api.store.get_job(j)["attempts"] == 1 for j in ids)


def test_a_job_whose_key_was_revoked_before_it_ran_fails_saying_so(api):
    from service.bulk import jobs
    from service.bulk.workflow import BulkWorkflow

    org = new_ctid()
    key = api.key(org)
    record = next(k for k in api.store.list_keys(org))
    api.store.create_job("a6f1c0de-0000-4000-8000-000000000004", org, "course", sheet(2), record.key_id)
    api.ctdl("keys", "revoke", key)
    job = api.store.claim_job("host:1")
    jobs.run(BulkWorkflow(api.app.extensions["ctdl_registry"]), job)
    assert api.store.get_job(job["job_id"])["error"] == jobs.KEY_GONE
