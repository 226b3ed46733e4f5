"""The web pages (issue 16) in process, through Flask's test client: sign in with a key (session
cookie, CSRF on every form), dashboard, upload a spreadsheet (a job: progress, then each row's
errors on its cell), rows back with their errors, review, approve, publish, search, a record's page,
validate a pasted document, the format playground, sign out. The same flow in real Chromium:
tests/browser/test_pages_browser.py."""
from __future__ import annotations

import io
import json
import re
import sys
import time
from pathlib import Path

import pytest

from http_support import Api, new_ctid

sys.path.insert(0, str(Path(__file__).parent / "e2e"))
from e2e_support import credential, organization  # noqa: E402  (the e2e tests' real-looking requests)

HEADER = ("External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,Subject Webpage,"
          "Available Online At,Delivery Type,Target Credentials")


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def signed_in(tmp_path):
    api = Api(tmp_path / "data", None)
    org = new_ctid()
    key = api.key(org)
    client = api.app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    r = client.post("/signin", data={"api_key": key, "csrf_token": token(page), "next": "/dashboard"})
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"
    yield api, client, org, key
    api.close()


def wait_for_job(client, url: str) -> str:
    for _ in range(300):
        html = client.get(url).get_data(as_text=True)
        if 'http-equiv="refresh"' not in html:
            return html
        time.sleep(0.05)
    pytest.fail("the upload job did not end")


def test_every_public_page_answers_html_with_its_form_labels(api):
    client = api.app.test_client()
    for path in ("/", "/api", "/signin", "/search", "/check", "/playground", "/playground?example=credential"):
        r = client.get(path)
        assert r.status_code == 200 and r.mimetype == "text/html", path
        html = r.get_data(as_text=True)
        ids = set(re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html))
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        assert ids - {"csrf_token"} <= labelled, (path, ids - labelled)      # every field has a label
    assert "&#34;Credential&#34;" in client.get("/playground?example=credential").get_data(as_text=True)


def test_pages_for_publishers_need_a_session(api):
    client = api.app.test_client()
    for path in ("/dashboard", "/upload", "/review"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/signin?next=")


def test_a_wrong_key_or_a_form_without_its_token_is_refused(api):
    client = api.app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    r = client.post("/signin", data={"api_key": "not-a-key", "csrf_token": token(page)})
    assert r.status_code == 401 and "not valid" in r.get_data(as_text=True)
    key = api.key(new_ctid())
    r = client.post("/signin", data={"api_key": key})                       # no CSRF token: refused
    assert r.status_code == 400 and "did not come from this site" in r.get_data(as_text=True)
    r = client.post("/signin", data={"api_key": key, "csrf_token": "forged"})
    assert r.status_code == 400
    assert client.get("/dashboard").status_code == 302                      # still signed out


def test_the_session_cookie_is_httponly_samesite_and_never_holds_the_key(signed_in):
    api, client, org, key = signed_in
    cookie = client.get_cookie("ctdl_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert key not in cookie.value


def test_a_next_that_leaves_the_site_is_not_followed(api):
    client = api.app.test_client()
    key = api.key(new_ctid())
    page = client.get("/signin").get_data(as_text=True)
    r = client.post("/signin", data={"api_key": key, "csrf_token": token(page), "next": "//evil.example/x"})
    assert r.headers["Location"] == "/dashboard"


def test_upload_review_publish_search_and_read_a_record(signed_in):
    api, client, org, key = signed_in
    publisher = api.client(key)
    assert publisher.post("/organization/publish", data=organization(org)).status_code == 200
    cred = new_ctid()
    assert publisher.post("/credential/publish", data=credential(cred, org)).status_code == 200
    rows = [f"C-1,Course,Welding I,Shop safety and arc welding.,https://riverside.example/c1,"
            f"https://online.riverside.example/c1,In-Person Only,{cred}",
            f"C-2,Course,Welding II,Out of position welds.,https://riverside.example/c2,"
            f"https://online.riverside.example/c2,Hybrid,{cred}"]
    sheet = ("\n".join([HEADER, *rows]) + "\n").encode()
    html = client.get("/upload").get_data(as_text=True)
    r = client.post("/upload", data={"csrf_token": token(html), "type": "course", "file": (io.BytesIO(sheet), "c.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302 and "/upload/jobs/" in r.headers["Location"]
    job = r.headers["Location"]
    html = wait_for_job(client, job)
    assert re.search(r'id="summary">\s*1 created, 0 updated, 0 unchanged, 1 rejected', html)
    row3 = re.search(r'<tr class="rejected" id="row-3">.*?</tr>', html, re.S).group(0)
    assert "<b>Delivery Type</b> <q>Hybrid</q>" in row3                   # the error on its cell, with its value
    only = client.get(job + "?show=rejected").get_data(as_text=True)
    assert 'id="row-3"' in only and 'id="row-2"' not in only
    back = client.get(job + "/rows.csv")
    text = back.get_data().decode("utf-8-sig").splitlines()
    assert text[0].startswith("Row,Status,Errors,Warnings,External Identifier")
    assert text[2].startswith("3,rejected,") and "Delivery Type: " in text[2] and "Hybrid" in text[2]

    html = client.get("/review").get_data(as_text=True)
    client.post("/review", data={"csrf_token": token(html), "action": "approve"})
    notice = client.get("/review").get_data(as_text=True)
    assert "1 approved, 1 skipped" in notice and "C-2" in notice             # the rejected row says why
    detail = client.get("/review/course/C-1").get_data(as_text=True)
    assert "Not published yet: publishing creates it." in detail and "ceterms:Course" in detail
    client.post("/review", data={"csrf_token": token(html), "action": "publish"})
    assert "publish: 1 published" in client.get("/review").get_data(as_text=True)
    assert "Nothing: the published version is the same." in client.get("/review/course/C-1").get_data(as_text=True)

    found = client.get("/search?q=welding+arc").get_data(as_text=True)
    assert re.search(r'id="hits">\s*1 record', found)
    ctid = re.search(r'href="/records/(ce-[0-9a-f-]+)">Welding I<', found).group(1)
    record = client.get(f"/records/{ctid}").get_data(as_text=True)
    assert '<span class="term">In-Person Only</span>' in record              # a vocabulary term by its label
    assert f'href="/records/{cred}"' in record                              # a linked resource, as a link here
    assert "version 1" in record and "Envelope" in record

    dash = client.get("/dashboard").get_data(as_text=True)
    assert "ceterms:Course</a></td><td>1<" in dash and "Published records (3)" in dash


def test_keys_and_publishers_from_the_dashboard(signed_in):
    api, client, org, key = signed_in
    html = client.get("/dashboard").get_data(as_text=True)
    client.post(f"/dashboard/keys?org={org}", data={"csrf_token": token(html)})
    html = client.get("/dashboard").get_data(as_text=True)
    new_key = re.search(r'<pre class="key">([^<]+)</pre>', html).group(1)
    assert api.client(new_key).get("/bulk/status").status_code == 200          # the new key works on the API
    assert '<pre class="key">' not in client.get("/dashboard").get_data(as_text=True)   # shown once
    new_id = [k.key_id for k in api.store.list_keys(org) if k.key_hash != api.store.list_keys(org)[0].key_hash
              or len(api.store.list_keys(org)) == 1][-1]
    client.post(f"/dashboard/keys/{new_id}/revoke?org={org}", data={"csrf_token": token(html)})
    assert api.client(new_key).get("/bulk/status").status_code == 401
    publisher = new_ctid()
    client.post(f"/dashboard/publishers?org={org}", data={"csrf_token": token(html), "publisher": publisher,
                                                          "action": "add"})
    assert api.store.is_authorized(org, publisher)
    other = new_ctid()                                                         # another organization's dashboard
    assert client.get(f"/dashboard?org={other}").status_code == 403


def test_revoking_the_key_signs_the_session_out(signed_in):
    api, client, org, key = signed_in
    api.ctdl("keys", "revoke", key)
    assert client.get("/dashboard").status_code == 302


def test_validate_a_pasted_document_highlights_the_line_of_each_result(signed_in):
    api, client, org, key = signed_in
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json", "@id": f"https://x.example/resources/{org}",
           "@type": "ceterms:CredentialOrganization", "ceterms:ctid": org, "ceterms:name": {"en-US": "Acme"},
           "ceterms:subjectWebpage": "not a url"}
    html = client.get("/check").get_data(as_text=True)
    r = client.post("/check", data={"csrf_token": token(html), "document": json.dumps(doc)})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert re.search(r"1 document: [1-9]\d* errors?", page)
    line = re.search(r'<span id="r1-L(\d+)" class="line error"><span class="ln" aria-hidden="true">\d+</span>\s*'
                     r'&#34;ceterms:subjectWebpage&#34;', page)
    assert line is not None                                                  # the bad field's line is flagged
    assert f'href="#r1-L{line.group(1)}"' in page                           # and its result links to it
    r = client.post("/check", data={"csrf_token": token(html), "document": "{not json"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'role="alert">the input is not valid JSON' in page and "0 errors" not in page


def test_validate_a_zip_of_documents(signed_in):
    import zipfile

    api, client, org, key = signed_in
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.json", json.dumps({"@type": "ceterms:CredentialOrganization", "ceterms:ctid": org}))
        z.writestr("b.json", "[]")
    html = client.get("/check").get_data(as_text=True)
    r = client.post("/check", data={"csrf_token": token(html), "file": (io.BytesIO(buf.getvalue()), "docs.zip")},
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and ">a.json<" in page and ">b.json<" in page


def test_the_playground_puts_each_message_under_its_field(api):
    client = api.app.test_client()
    html = client.get("/playground").get_data(as_text=True)
    request = {"PublishForOrganizationIdentifier": new_ctid(),
               "Credential": {"Name": "Welding", "CredentialType": "ceterms:Certificate",
                              "SubjectWebpage": "not a url"}}
    r = client.post("/playground", data={"csrf_token": token(html), "type": "credential",
                                         "request": json.dumps(request, indent=2)})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "errors" in page
    # the message about SubjectWebpage comes right after the SubjectWebpage line
    assert re.search(r'&#34;SubjectWebpage&#34;: &#34;not a url&#34;</span>\s*<span class="msg error">', page)


def test_a_record_page_links_only_to_web_addresses():
    """A published value that is no http(s) URL is shown as text, never as a link (javascript:...)."""
    from service.http.pages.browse import value_view

    assert value_view({"@id": "javascript:alert(1)"}) == {"kind": "text", "text": "javascript:alert(1)"}
    assert value_view("javascript:alert(1)")["kind"] == "text"
    assert value_view({"@id": "https://example.org/x"})["kind"] == "link"
