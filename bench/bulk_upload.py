"""Benchmark: a 10,000-row learning-opportunity (course) CSV end to end: read, validate every row
through the API's pipeline, stage (SQLite), then re-upload the same file (all unchanged).

    python bench/bulk_upload.py [--rows 10000]
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ORG = "ce-3f2a9c4e-7b1d-4e8a-9c2f-5d6e7f8a9b0c"
HEADER = ["External Identifier", "Learning Opportunity Class Type", "Learning Opportunity Name", "Description",
          "Subject Webpage", "Language", "Available Online At", "Available At", "Delivery Type",
          "Learning Method Type", "Credit Unit Type", "Credit Unit Value", "Keyword"]
WORDS = "welding nursing accounting robotics design logistics culinary electrical carpentry analytics".split()


def sheet(n: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    for i in range(n):
        topic = rng.choice(WORDS)
        w.writerow([f"C{i:05d}", "Course", f"{topic.title()} {i}", f"An introduction to {topic} for working adults, "
                    f"with labs and projects ({i}).", f"https://college.example/courses/c{i:05d}", "English",
                    f"https://online.college.example/c{i:05d}", "main" if i % 2 else "",
                    rng.choice(["In-Person Only", "Online Only", "Blended Delivery"]),
                    "|".join(rng.sample(["Lecture", "Laboratory", "Seminar"], 2)), "Semester Hour",
                    str(rng.randint(1, 5)), f"{topic}|career"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000)
    args = ap.parse_args()
    from service.bulk.workflow import BulkWorkflow
    from service.registry.core import Registry
    from service.store import open_store
    from service.bulk.upload import upload
    from transformer.bulk.records.sheet import read_rows
    from transformer.bulk.records.validation import validate_rows
    from transformer.enrich import Options

    data = sheet(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp), None)
        store.set_addresses(ORG, {"main": {"Name": "Main campus", "Address1": "1 College Ave", "City": "Riverside",
                                           "AddressRegion": "CA", "PostalCode": "92501", "Country": "US"}})
        workflow = BulkWorkflow(Registry(store, None, "", Options(registry="http://127.0.0.1:8080/")))
        t = time.perf_counter()
        rows = read_rows(data, "course")
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        validate_rows(rows, ORG, store.addresses(ORG), parallel=True)
        t_validate = time.perf_counter() - t
        t = time.perf_counter()
        first = upload(workflow, ORG, "course", data)
        t_total = time.perf_counter() - t
        t = time.perf_counter()
        again = upload(workflow, ORG, "course", data)
        t_again = time.perf_counter() - t
        store.close()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{args.rows:,} course rows, {len(data) / 1024:,.0f} KiB CSV (UTF-8 with BOM)")
    print(f"read (decode, header, cells):        {t_read:6.2f} s")
    print(f"validate every row (pipeline+SHACL): {t_validate:6.2f} s  ({args.rows / t_validate:,.0f} rows/s)")
    print(f"upload end to end (read, validate, stage): {t_total:6.2f} s  ({args.rows / t_total:,.0f} rows/s); "
          f"summary {first['summary']}")
    print(f"re-upload of the same file:          {t_again:6.2f} s; summary {again['summary']}")


if __name__ == "__main__":
    main()
