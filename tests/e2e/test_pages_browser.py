"""The web pages in real headless Chromium (Debian's chromium package, driven by Playwright for
Python through executable_path; never a downloaded browser build), against a real server process:
sign in, upload a spreadsheet with a bad row and see the error on its cell, fix it and upload again,
approve, publish, find the record by search, open its page, validate a pasted document, sign out; a
form posted without its CSRF token is refused. Screenshots of each page at desktop and phone widths
go to tests/e2e/screenshots/ (not committed) for a reviewer to look at."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from e2e_support import Server, credential, new_ctid, organization

CHROMIUM = os.environ.get("CTDL_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
HEADER = ("External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,Subject Webpage,"
          "Available Online At,Delivery Type,Target Credentials")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), \
        f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


def shoot(browser, url: str, name: str, cookies: list) -> None:
    """The page at both widths, with the session of the test's page."""
    SHOTS.mkdir(exist_ok=True)
    for label, (w, h) in WIDTHS.items():
        context = browser.new_context(viewport={"width": w, "height": h})
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(url)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        context.close()


def sheet(path: Path, delivery: str, cred: str) -> Path:
    rows = [f"C-1,Course,Welding I,Shop safety and arc welding.,https://riverside.example/c1,"
            f"https://online.riverside.example/c1,In-Person Only,{cred}",
            f"C-2,Course,Welding II,Out of position welds.,https://riverside.example/c2,"
            f"https://online.riverside.example/c2,{delivery},{cred}"]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_registrar_from_sign_in_to_a_published_record(browser, tmp_path):
    server = Server(tmp_path / "data")
    org = new_ctid()
    key = server.create_key(org)
    server.start()
    try:
        api = server.client(key)
        assert api.post("/organization/publish", data=json.dumps(organization(org))).status_code == 200
        cred = new_ctid()
        assert api.post("/credential/publish", data=json.dumps(credential(cred, org))).status_code == 200
        base = server.url.rstrip("/")
        context = browser.new_context(viewport=WIDTHS["desktop"] and {"width": 1280, "height": 900})
        page = context.new_page()

        # sign in (by keyboard: the label finds the field)
        page.goto(base + "/dashboard")
        assert "/signin" in page.url
        page.get_by_label("Your organization's API key").fill(key)
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/dashboard")
        assert page.get_by_role("heading", name="Riverside Technical College").is_visible(), page.content()[-3000:]

        # upload a file with a bad row: the error is on its cell
        page.goto(base + "/upload")
        page.get_by_label("Type of records in the file").select_option("course")
        page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(sheet(tmp_path / "bad.csv", "Hybrid", cred)))
        page.get_by_role("button", name="Upload and check").click()
        page.wait_for_selector("#summary", timeout=60000)
        assert "1 rejected" in page.inner_text("#summary")
        bad_row = page.locator("#row-3")
        assert "Delivery Type" in bad_row.inner_text() and "Hybrid" in bad_row.inner_text()
        shoot(browser, page.url, "upload-result", context.cookies())

        # fix it and upload again
        page.goto(base + "/upload")
        page.get_by_label("Type of records in the file").select_option("course")
        page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(sheet(tmp_path / "good.csv", "Online Only", cred)))
        page.get_by_role("button", name="Upload and check").click()
        page.wait_for_selector("#summary", timeout=60000)
        assert "0 rejected" in page.inner_text("#summary") and "1 updated" in page.inner_text("#summary")

        # approve and publish
        page.goto(base + "/review")
        shoot(browser, page.url, "review", context.cookies())
        page.get_by_role("button", name="Approve selected").click()
        assert "2 approved" in page.inner_text("#notice")
        page.get_by_role("button", name="Publish everything approved").click()
        assert "2 published" in page.inner_text("#notice")

        # find it, open its page
        page.goto(base + "/search")
        page.get_by_label("Words").fill("welding out of position")
        page.get_by_role("button", name="Search").click()
        assert page.inner_text("#hits").startswith("1 record")
        page.get_by_role("link", name="Welding II").click()
        assert page.get_by_role("heading", name="Welding II").is_visible()
        assert page.locator(".term", has_text="Online Only").count() == 1
        shoot(browser, page.url, "record", context.cookies())
        shoot(browser, base + "/dashboard", "dashboard", context.cookies())
        shoot(browser, base + "/", "home", context.cookies())

        # validate a pasted document: the bad line is highlighted
        page.goto(base + "/check")
        page.get_by_label("Paste a CTDL document").fill(json.dumps(
            {"@type": "ceterms:CredentialOrganization", "ceterms:ctid": org, "ceterms:name": {"en-US": "Acme"},
             "ceterms:subjectWebpage": "not a url"}, indent=1))
        page.get_by_role("button", name="Validate").click()
        flagged = page.locator("pre.doc .line.error")
        assert flagged.count() >= 1 and any("subjectWebpage" in t for t in flagged.all_inner_texts())
        shoot(browser, base + "/playground?example=credential", "playground", context.cookies())
        page.screenshot(path=str(SHOTS / "check-desktop.png"), full_page=True)

        # a form without its CSRF token is refused (a cross-site post: the session cookie, no token)
        cookie = next(c for c in context.cookies() if c["name"] == "ctdl_session")
        import requests

        forged = requests.post(base + "/dashboard/keys", cookies={"ctdl_session": cookie["value"]},
                               allow_redirects=False, timeout=10)
        assert forged.status_code == 400 and "did not come from this site" in forged.text

        # sign out
        page.get_by_role("button", name="Sign out").click()
        page.goto(base + "/dashboard")
        assert "/signin" in page.url
        context.close()
    finally:
        assert server.stop() == 0 and not server.problems(), "".join(server.log)
