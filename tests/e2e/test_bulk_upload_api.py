"""POST /bulk/{type}/upload and GET /bulk/{type}/export against the real server (both backends)."""
from __future__ import annotations

HEADER = ("External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,"
          "Subject Webpage,Language,Available Online At,Delivery Type")


def sheet(*rows: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode("utf-8")


GOOD = ("C-100,Course,Welding I,\"Shop safety and the basic joints of arc welding.\",https://college.example/c100,"
        "English,https://online.college.example/c100,In-Person Only")
BAD = ("C-200,Course,Welding II,\"Out-of-position welds and inspection.\",https://college.example/c200,English,"
       "https://online.college.example/c200,Hybrid")


def test_upload_stages_rows_and_export_gives_them_back(server):
    client, org = server.org_client()
    files = {"file": ("courses.csv", sheet(GOOD, BAD), "text/csv")}
    r = client.post(f"/bulk/course/upload?org={org}", files=files)
    assert r.status_code == 422, r.text                      # one row rejected; the other staged
    result = r.json()
    assert result["Successful"] is False and result["Summary"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert any(e["path"] == "/rows/3/Delivery Type" for e in result["Errors"])
    by_id = {row["external_id"]: row for row in result["Rows"]}
    assert by_id["C-100"]["status"] == "created" and by_id["C-100"]["row"] == 2
    (err,) = [e for e in by_id["C-200"]["errors"] if e["column"] == "Delivery Type"]
    assert err["value"] == "Hybrid"

    # the same file again: nothing changes; only the good row alone: 200
    again = client.post(f"/bulk/course/upload?org={org}", files=files).json()
    assert again["Summary"]["unchanged"] == 1 and again["Summary"]["created"] == 0
    r = client.post(f"/bulk/course/upload?org={org}", data=sheet(GOOD), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["Summary"]["unchanged"] == 1 and r.json()["Successful"] is True

    exported = client.get(f"/bulk/course/export?org={org}")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    assert "Welding I" in exported.content.decode("utf-8-sig")


def test_upload_needs_a_key_of_the_organization(server):
    client, org = server.org_client()
    other, other_org = server.org_client()
    files = {"file": ("courses.csv", sheet(GOOD), "text/csv")}
    assert server.client().post(f"/bulk/course/upload?org={org}", files=files).status_code == 401
    assert other.post(f"/bulk/course/upload?org={org}", files=files).status_code == 403
    r = client.post(f"/bulk/course/upload?org={org}", files={"file": ("x.csv", b"", "text/csv")})
    assert r.status_code == 400


def test_template_over_http(server):
    r = server.client().get("/bulk/course/template?sample=true&instructions=true")
    assert r.status_code == 200 and "External Identifier" in r.content.decode("utf-8-sig").splitlines()[0]
    r = server.client().get("/bulk/course/template?xlsx=1")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert server.client().get("/bulk/course/template?xlsx=maybe").status_code == 400
