"""An upload job killed mid-way (SIGKILL of the server) is resumed from its file when the server
starts again, and ends with every row staged once (both backends)."""
from __future__ import annotations

import time

import pytest

from e2e_support import Server, new_ctid

ROWS = 4000
HEADER = ("External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,Subject Webpage,"
          "Available Online At")


def sheet() -> bytes:
    rows = [f"C-{i:05d},Course,Welding {i},\"Shop safety and the joints of arc welding, part {i}.\","
            f"https://college.example/c{i},https://online.college.example/c{i}" for i in range(ROWS)]
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def poll(client, path: str, until, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(path).json()
        if until(body):
            return body
        time.sleep(0.05)
    pytest.fail(f"the job never got there: {body}")


def test_a_job_killed_mid_way_is_resumed_after_the_restart(backend, new_database, tmp_path):
    server = Server(tmp_path / "data", new_database())
    org = new_ctid()
    key = server.create_key(org)
    server.start()
    try:
        client = server.client(key)
        r = client.post(f"/bulk/course/upload?org={org}&job=true", data=sheet(), headers={"Content-Type": "text/csv"})
        assert r.status_code == 202, r.text[:500]
        path = "/" + r.json()["JobUrl"].split("/", 3)[3]
        mid = poll(client, path, lambda b: 0 < b["RowsDone"] < b["RowsTotal"])
        server.kill()                                    # kill -9 in the middle of the rows
        assert mid["Status"] == "running" and mid["RowsTotal"] == ROWS
        server.start()
        client = server.client(key)
        done = poll(client, path, lambda b: b["Status"] not in ("queued", "running"))
        assert done["Status"] == "done" and done["Attempts"] == 2, done["Messages"]
        assert done["RowsDone"] == ROWS and "resumed" in done["Result"]["notes"][0]
        summary = done["Result"]["summary"]
        assert summary["created"] + summary["unchanged"] == ROWS and summary["rejected"] == 0
        status = client.get(f"/bulk/status?org={org}&type=course&per_page=1").json()
        assert status["Total"] == ROWS                  # every row staged once, none twice
    finally:
        server.stop()
