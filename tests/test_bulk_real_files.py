"""Real spreadsheets, as publishers have them: a real course upload (tests/data/bulk/kutztown-courses.csv,
an excerpt of Kutztown University's catalog) has every column read and the outcome of every row
pinned; every column of every real template (tests/data/bulk/bulk_upload_column_lists.csv) is a
column of its upload type, or the upload is refused at its header (never a column silently dropped)."""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from http_support import new_ctid

DATA = Path(__file__).parent / "data" / "bulk"

# template (bulk_upload_column_lists.csv) -> upload type; the competency framework ones: test_framework*
TEMPLATES = {"Course (ctdl-xtra catalog extraction -> CE bulk upload)": "course",
             "Course bulk upload (NJ community colleges)": "course",
             "Course bulk upload (pdf-catalog-to-bulk-upload sample header)": "course",
             "Learning Program (ctdl-xtra)": "learningprogram", "Credential (ctdl-xtra)": "credential",
             "Credential update bulk upload (Kutztown)": "credential",
             "Credit credential bulk upload (NJCCC Credit Credential Template.xlsx": "credential",
             "Support Service bulk upload": "supportservice"}
# columns that are no template's (an extraction tool's quality checks): an upload with values in them is
# refused at its header
NOT_YET = {"Text Verification Average", "Text Verification Details"}     # quality checks of an extraction tool


def templates() -> dict[str, list[str]]:
    out = defaultdict(list)
    with (DATA / "bulk_upload_column_lists.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out[r["template"].split(",")[0] if r["template"].startswith("Credit credential") else r["template"]].append(
                r["column"])
    return out


def test_every_template_is_covered():
    names = {t for t in templates() if "ompetency" not in t and t != "template"}
    assert names == set(TEMPLATES), names ^ set(TEMPLATES)


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_column_of_the_real_templates_is_read(template):
    from transformer import column_model

    model = column_model(TEMPLATES[template])
    unread = [c for c in templates()[template] if model.find(c) is None]
    assert set(unread) <= NOT_YET, unread


def with_column(path: Path, header: str, value: str) -> Path:
    """The real course file with one more column, ``value`` on every row, written at ``path``."""
    with (DATA / "kutztown-courses.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[0].append(header)
    for r in rows[1:]:
        r.append(value)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_a_column_the_upload_cannot_use_refuses_it_at_the_header(runner, tmp_path):
    path = with_column(tmp_path / "c.csv", "Text Verification Details", "checked: 0.93")
    done = runner.invoke("bulk", "upload", "course", path, "--org", new_ctid())
    assert done.returncode == 2
    assert '"Text Verification Details" (column Q)' in done.stderr and "nothing was staged" in done.stderr


def test_the_real_course_file_row_by_row(runner):
    """Every column is read (none ignored); every row is refused for the one thing the registry's
    minimum data policy requires and the file does not say: where the course can be taken."""
    org = new_ctid()
    done = runner.invoke("bulk", "upload", "course", DATA / "kutztown-courses.csv", "--org", org, "--format", "json")
    result = json.loads(done.stdout)
    assert result["notes"] == ["read as CSV, utf-8"]                    # no column ignored
    rows = {r["external_id"]: r for r in result["rows"]}
    assert set(rows) == {"ACCT 121", "ACCT 122", "ACCT 306", "ACCT 395"}
    for ext, r in rows.items():
        assert r["status"] == "rejected" and r["deferred"] is True, ext      # no Target Credentials column
        assert [(e["column"], e["code"]) for e in r["errors"]] == [("", "required-one-of")], (ext, r["errors"])
        assert "Available Online At" in r["errors"][0]["message"]
    # with a place where the courses are taken, each row is staged, its CTID kept from the file
    path = with_column(Path(runner.data_dir) / "with-location.csv", "Availability Listing",
                       "https://www.kutztown.edu/academics/course-schedule.html")
    done = runner.invoke("bulk", "upload", "course", path, "--org", org, "--format", "json")
    staged = json.loads(done.stdout)["rows"]
    # the same External Identifiers: the rejected records are updated, now pending approval
    assert [r["status"] for r in staged] == ["updated"] * 4, [r["errors"] for r in staged]
    with path.open(newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert [r["ctid"] for r in staged] == [row[0] for row in table[1:]]
