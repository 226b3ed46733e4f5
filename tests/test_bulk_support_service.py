"""Support services by spreadsheet: the template has every column of the support-service template
publishers use (tests/data/bulk/bulk_upload_column_lists.csv), and an upload of such a file stages
each row formatted as a ceterms:SupportService, with per-cell errors."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from http_support import new_ctid

DATA = Path(__file__).parent / "data" / "bulk"


def real_columns() -> list[str]:
    with (DATA / "bulk_upload_column_lists.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["template"] == "Support Service bulk upload"]
    return [r["column"] for r in sorted(rows, key=lambda r: int(r["position"]))]


def test_the_template_has_every_column_of_the_real_one():
    from transformer import build_template

    header = next(csv.reader(io.StringIO(build_template("supportservice", fmt="csv").decode("utf-8-sig"))))
    assert real_columns() and set(real_columns()) <= set(header), set(real_columns()) - set(header)


def test_an_upload_of_the_real_columns_stages_support_services(runner, client):
    org = new_ctid()
    rows = [real_columns(),
            ["ss-1", "Peer Tutoring Center", "Free drop-in tutoring in math and writing for enrolled students.",
             "https://example.edu/tutoring", "Active", "English", "Accessible Parking", "Tutoring", "In Person",
             "tutoring|math help", ""],
            ["ss-2", "Career Coaching", "", "https://example.edu/careers", "Active", "en", "", "", "Online Only", "", ""]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = Path(runner.data_dir) / "ss.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    done = runner.invoke("bulk", "upload", "supportservice", path, "--org", org, "--format", "json")
    result = json.loads(done.stdout)
    assert [r["status"] for r in result["rows"]] == ["created", "rejected"], done.stderr
    assert [e["column"] for e in result["rows"][1]["errors"]] == ["Description"]
    status = runner.invoke("bulk", "status", "--org", org, "--format", "json")
    staged = {r["external_id"]: r for r in json.loads(status.stdout)}
    assert staged["ss-1"]["type"] == "supportservice" and staged["ss-1"]["status"] == "pending"
