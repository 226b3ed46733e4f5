"""Benchmark: a 10,000-row learning-opportunity (course) CSV end to end: read, validate every row
through the API's pipeline, stage (SQLite), then re-upload the same file (all unchanged); first as a
new process meets the upload (`ctdl bulk upload`), then as a running server does. Each run is a
process of its own.
Each figure is the median of ``--repeat`` runs (each on a fresh store): this machine is shared, and
one run can be a second off.

    python bench/bulk_upload.py [--rows 10000] [--repeat 3] [--database postgresql://postgres@127.0.0.1:5432/postgres]

``--database``: PostgreSQL instead of the embedded SQLite; each store is a new database
(``ctdl_bulk_bench``, made and dropped on that server).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
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


BENCH_DB = "ctdl_bulk_bench"


def _store(tmp: str, database: str | None = None):
    """(a new, empty store, its BulkWorkflow): SQLite under ``tmp``, or a new PostgreSQL database."""
    from service.bulk.workflow import BulkWorkflow
    from service.registry.core import Registry
    from service.store import open_store
    from transformer.enrich import Options

    url = None
    if database:
        from urllib.parse import urlsplit

        import psycopg

        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        url = urlsplit(database)._replace(path="/" + BENCH_DB).geturl()
    store = open_store(Path(tmp), url)
    store.set_addresses(ORG, {"main": {"Name": "Main campus", "Address1": "1 College Ave", "City": "Riverside",
                                       "AddressRegion": "CA", "PostalCode": "92501", "Country": "US"}})
    return store, BulkWorkflow(Registry(store, None, "", Options(registry="http://127.0.0.1:8080/")))


def run_once(data: bytes, database: str | None = None) -> dict:
    """One measured run, in a process of its own (main() starts one per run), on fresh stores:
    {figure: seconds, ...}. First the upload as a new process meets it (`ctdl bulk upload`: rules
    loaded and workers started by it), then each step on its own and the upload again as a running
    server meets it (rules loaded, workers running)."""
    from service.bulk.upload import upload
    from transformer.bulk.records.sheet import read_rows
    from transformer.bulk.records.validation import validate_rows

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        store, workflow = _store(tmp, database)
        t = time.perf_counter()
        out["cold_summary"] = upload(workflow, ORG, "course", data)["summary"]
        out["cold"] = time.perf_counter() - t
        store.close()
    with tempfile.TemporaryDirectory() as tmp:
        store, workflow = _store(tmp, database)
        t = time.perf_counter()
        rows = read_rows(data, "course")
        out["read"] = time.perf_counter() - t
        t = time.perf_counter()
        validate_rows(rows, ORG, store.addresses(ORG), parallel=True)
        out["validate"] = time.perf_counter() - t
        t = time.perf_counter()
        out["first"] = upload(workflow, ORG, "course", data)["summary"]
        out["total"] = time.perf_counter() - t
        t = time.perf_counter()
        out["again_summary"] = upload(workflow, ORG, "course", data)["summary"]
        out["again"] = time.perf_counter() - t
        store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3, help="runs; each figure is their median")
    ap.add_argument("--database", help="postgresql://... : PostgreSQL instead of SQLite (a new database per store)")
    ap.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)   # a run, as JSON (main starts it)
    args = ap.parse_args()
    data = sheet(args.rows)
    if args.one_run:
        print(json.dumps(run_once(data, args.database)))
        return
    more = ["--database", args.database] if args.database else []
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--one-run", *more],
                                      check=True, capture_output=True, text=True).stdout)
            for _ in range(max(1, args.repeat))]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def spread(key: str) -> str:
        return f" (runs: {', '.join(f'{r[key]:.2f}' for r in runs)})" if len(runs) > 1 else ""

    n = args.rows
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of {len(runs)} run(s)")
    print(f"{n:,} course rows, {len(data) / 1024:,.0f} KiB CSV (UTF-8 with BOM); "
          f"store: {'PostgreSQL' if args.database else 'SQLite'}")
    print(f"upload in a new process (loads the rules, starts the workers): {median('cold'):6.2f} s  "
          f"({n / median('cold'):,.0f} rows/s){spread('cold')}; summary {runs[-1]['cold_summary']}")
    print("then, in that process (rules loaded, workers running):")
    print(f"read (decode, header, cells):        {median('read'):6.2f} s{spread('read')}")
    print(f"validate every row (pipeline+SHACL): {median('validate'):6.2f} s  ({n / median('validate'):,.0f} rows/s)"
          f"{spread('validate')}")
    print(f"upload end to end (read, validate, stage): {median('total'):6.2f} s  ({n / median('total'):,.0f} rows/s)"
          f"{spread('total')}; summary {runs[-1]['first']}")
    print(f"re-upload of the same file:          {median('again'):6.2f} s{spread('again')}; "
          f"summary {runs[-1]['again_summary']}")


if __name__ == "__main__":
    main()
