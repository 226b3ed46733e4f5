"""Benchmark: server time of every web page (issue 16: each under 100 ms) on the embedded SQLite
registry holding 10,000 published records (one real organization, real course records formatted and
signed once, then stored under 10,000 CTIDs with their own names and search text), measured through
Flask's test client (no network: the server's own time). Medians of --repeat runs per page.

    python bench/pages.py [--records 10000] [--repeat 15]
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))

WORDS = "welding nursing accounting robotics design logistics culinary electrical carpentry analytics".split()


def populate(api, org: str, key: str, n: int) -> list[str]:
    """n course records of `org`: one published through the API, copied under new CTIDs."""
    from e2e_support import organization

    from service.registry.core import node_ctids, search_text

    client = api.client(key)
    assert client.post("/organization/publish", data=json.dumps(organization(org)).encode()).status_code == 200
    course = {"PublishForOrganizationIdentifier": org, "Course": {
        "CTID": "ce-" + str(uuid.uuid4()), "Name": "Welding 0", "Description": "Shop safety and arc welding.",
        "SubjectWebpage": "https://riverside.example/c0", "AvailableOnlineAt": ["https://online.riverside.example/c0"],
        "DeliveryType": ["deliveryType:InPerson"], "OwnedBy": [org], "InLanguage": ["en-US"]}}
    r = client.post("/course/publish", data=json.dumps(course).encode())
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    model = api.store.get_by_ctid(course["Course"]["CTID"].lower())
    ctids = []
    for i in range(n - 2):
        ctid = "ce-" + str(uuid.uuid4())
        text = json.dumps(model.decoded_resource).replace(model.ctid, ctid).replace(
            "Welding 0", f"{WORDS[i % len(WORDS)].title()} {i}")
        payload = json.loads(text)
        record = dataclasses.replace(model, envelope_id=str(uuid.uuid4()), ctid=ctid, decoded_resource=payload,
                                     search_text=search_text(payload), node_ctids=node_ctids(payload))
        api.store.publish(ctid, lambda current, record=record: record)
        ctids.append(ctid)
    return ctids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    from http_support import Api, new_ctid

    api = Api(Path(tempfile.mkdtemp()) / "data", None)
    org = new_ctid()
    key = api.key(org)
    t0 = time.perf_counter()
    ctids = populate(api, org, key, args.records)
    print(f"{args.records} published records stored in {time.perf_counter() - t0:.1f} s")
    client = api.app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/signin", data={"api_key": key, "csrf_token": token}).status_code == 302
    # an upload job with 200 rows, for the job page; its records for the review pages
    rows = "\n".join(f"C-{i},Course,Welding {i},Shop safety {i}.,https://r.example/{i},https://o.r.example/{i}"
                     for i in range(200))
    sheet = ("External Identifier,Learning Opportunity Class Type,Learning Opportunity Name,Description,"
             "Subject Webpage,Available Online At\n" + rows + "\n").encode()
    job = client.post("/upload", data={"csrf_token": token, "type": "course", "file": (io.BytesIO(sheet), "c.csv")},
                      content_type="multipart/form-data").headers["Location"]
    while 'http-equiv="refresh"' in client.get(job).get_data(as_text=True):
        time.sleep(0.1)
    doc = json.dumps(api.store.get_by_ctid(ctids[0]).decoded_resource)
    pages = {
        "home": ("GET", "/", None), "sign in": ("GET", "/signin", None), "dashboard": ("GET", "/dashboard", None),
        "upload": ("GET", "/upload", None), "upload job (200 rows)": ("GET", job, None),
        "review (200 staged)": ("GET", "/review", None), "review one record": ("GET", "/review/course/C-7", None),
        "search, no words": ("GET", "/search", None), "search 'welding'": ("GET", "/search?q=welding", None),
        "search, page 200": ("GET", "/search?page=200", None), "record page": ("GET", f"/records/{ctids[5]}", None),
        "validate form": ("GET", "/check", None), "validate a record": ("POST", "/check", {"document": doc}),
        "playground": ("GET", "/playground?example=credential", None),
    }
    print(f"| page | median ms | max ms |\n|---|---|---|")
    for name, (method, path, form) in pages.items():
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = client.post(path, data={**form, "csrf_token": token}) if method == "POST" else client.get(path)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (name, r.status_code)
        print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} |")
    api.close()


if __name__ == "__main__":
    main()
