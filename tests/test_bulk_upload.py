"""`ctdl bulk upload` / `ctdl bulk template`: a spreadsheet's rows validated and staged, never published."""
import json
from pathlib import Path

from cli_runner import run_ctdl

ROOT = Path(__file__).parent.parent
ORG = "ce-3f2a9c4e-7b1d-4e8a-9c2f-5d6e7f8a9b0c"
HEADER = ("External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,"
          "Subject Webpage,Language,Available Online At,Delivery Type,Available At")
ROWS = [
    "WELD 101,Course,Introduction to Welding,\"Shop safety, welding equipment and basic joints.\","
    "https://www.lvtc.example/courses/weld-101,English,https://online.lvtc.example/weld-101,In-Person Only,main",
    "WELD 110,Course,Blueprint Reading for Welders,\"Reading shop drawings and welding symbols.\","
    "https://www.lvtc.example/courses/weld-110,English,https://online.lvtc.example/weld-110,Hybrid,",
    "WELD 150,Course,Pipe Welding,\"Pipe welding in all positions with SMAW and GTAW.\","
    "https://www.lvtc.example/courses/weld-150,English,https://online.lvtc.example/weld-150,Online Only,all",
]


def ctdl(*args, data: Path):
    return run_ctdl(*args, "--data", data)


def write_sheet(path: Path, rows) -> Path:
    path.write_bytes(("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode("utf-8"))
    return path


def test_upload_stages_valid_rows_rejects_bad_ones_and_is_idempotent(tmp_path):
    data = tmp_path / "data"
    addresses = tmp_path / "addresses.json"
    addresses.write_text(json.dumps({"main": {"Name": "Main campus", "Address1": "1 College Ave", "City": "Riverside",
                                              "AddressRegion": "CA", "PostalCode": "92501", "Country": "US"}}))
    assert ctdl("org", "addresses", "--org", ORG, "--set", addresses, data=data).returncode == 0
    sheet = write_sheet(tmp_path / "courses.csv", ROWS)

    r = ctdl("bulk", "upload", "course", sheet, "--org", ORG, "--format", "json", data=data)
    assert r.returncode == 1, r.stderr.decode()          # one row is rejected
    result = json.loads(r.stdout)
    by_id = {row["external_id"]: row for row in result["rows"]}
    assert [row["row"] for row in result["rows"]] == [2, 3, 4]   # spreadsheet rows: header = 1
    assert by_id["WELD 101"]["status"] == "created" and by_id["WELD 101"]["ctid"].startswith("ce-")
    assert by_id["WELD 150"]["status"] == "created"
    bad = by_id["WELD 110"]
    assert bad["status"] == "rejected"
    (err,) = [e for e in bad["errors"] if e["column"] == "Delivery Type"]
    assert err["value"] == "Hybrid" and "Delivery Type" in err["message"]
    assert result["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}

    # staged, not published
    status = json.loads(ctdl("bulk", "status", "--org", ORG, "--format", "json", data=data).stdout)
    assert sorted((s["external_id"], s["status"]) for s in status) == [
        ("WELD 101", "pending"), ("WELD 110", "rejected"), ("WELD 150", "pending")]

    # the same file again changes nothing
    again = json.loads(ctdl("bulk", "upload", "course", sheet, "--org", ORG, "--format", "json", data=data).stdout)
    assert again["summary"]["unchanged"] == 2 and again["summary"]["created"] == 0
    assert {row["ctid"] for row in again["rows"]} == {row["ctid"] for row in result["rows"]}

    # an edited row updates its record (same CTID)
    edited = write_sheet(tmp_path / "edited.csv", [ROWS[0].replace("Introduction to Welding", "Welding I")])
    upd = json.loads(ctdl("bulk", "upload", "course", edited, "--org", ORG, "--format", "json", data=data).stdout)
    assert upd["rows"][0]["status"] == "updated" and upd["rows"][0]["ctid"] == by_id["WELD 101"]["ctid"]


def test_upload_of_an_unusable_file_exits_2(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"")
    r = ctdl("bulk", "upload", "course", f, "--org", ORG, data=tmp_path / "data")
    assert r.returncode == 2 and "Traceback" not in r.stderr.decode()


def test_template_from_the_shapes(tmp_path):
    out = tmp_path / "t.csv"
    r = run_ctdl("bulk", "template", "learningopportunity", "--sample", "--instructions", "-o", out)
    assert r.returncode == 0, r.stderr.decode()
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    for column in ("External Identifier", "Learning Opportunity Name", "Description", "Subject Webpage",
                   "Available Online At", "Availability Listing", "Available At"):
        assert column in header
    xlsx = tmp_path / "t.xlsx"
    r = run_ctdl("bulk", "template", "course", "--xlsx", "-o", xlsx)
    assert r.returncode == 0 and xlsx.read_bytes()[:2] == b"PK"


def test_export_edit_reupload_updates_the_same_records(tmp_path):
    data = tmp_path / "data"
    addresses = tmp_path / "addresses.json"
    addresses.write_text(json.dumps({"main": {"Name": "Main campus", "Address1": "1 College Ave", "City": "Riverside",
                                              "AddressRegion": "CA", "PostalCode": "92501", "Country": "US"}}))
    assert ctdl("org", "addresses", "--org", ORG, "--set", addresses, data=data).returncode == 0
    sheet = write_sheet(tmp_path / "courses.csv", [ROWS[0], ROWS[2]])
    first = json.loads(ctdl("bulk", "upload", "course", sheet, "--org", ORG, "--format", "json", data=data).stdout)
    assert first["summary"]["created"] == 2

    exported = tmp_path / "export.csv"
    r = ctdl("bulk", "export", "course", "--org", ORG, "-o", exported, data=data)
    assert r.returncode == 0, r.stderr.decode()
    text = exported.read_text(encoding="utf-8-sig")
    assert "External Identifier" in text.splitlines()[0] and "Pipe Welding" in text

    # re-uploading the export as it is changes nothing
    same = json.loads(ctdl("bulk", "upload", "course", exported, "--org", ORG, "--format", "json", data=data).stdout)
    assert same["summary"] == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}

    # edit one cell, re-upload: that record is updated, under the same CTID
    exported.write_text(text.replace("Pipe Welding", "Pipe Welding I"), encoding="utf-8-sig")
    upd = json.loads(ctdl("bulk", "upload", "course", exported, "--org", ORG, "--format", "json", data=data).stdout)
    assert upd["summary"] == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    ctids = {row["external_id"]: row["ctid"] for row in first["rows"]}
    assert {row["external_id"]: row["ctid"] for row in upd["rows"]} == ctids


def test_upload_shows_progress_on_stderr(tmp_path):
    sheet = write_sheet(tmp_path / "courses.csv", [ROWS[0].replace(",main", ","), ROWS[2].replace(",all", ",")])
    r = ctdl("bulk", "upload", "course", sheet, "--org", ORG, data=tmp_path / "data")
    err = r.stderr.decode()
    assert "2/2 rows validated" in err and "[" + "#" * 30 + "]" in err
