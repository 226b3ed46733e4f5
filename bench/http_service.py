"""HTTP benchmark: format latency (p50/p99) and publish throughput with N concurrent clients,
against `ctdl serve` (threaded) and against gunicorn with several worker processes.

    python bench/http_service.py [--clients 8] [--requests 2000] [--workers 4]

Both servers use a fresh SQLite registry in a temporary folder; clients are threads in this
process using keep-alive sessions, so the figures include the client's own cost on the same
2-core machine (they are a floor for the server, not a ceiling).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

PY = sys.executable
ORG = "ce-3f2a9c4e-7b1d-4e8a-9c2f-5d6e7f8a9b0c"


def wait_ready(url: str, proc, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if requests.get(url + "openapi.json", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def start_ctdl(data: Path, port: int):
    proc = subprocess.Popen([PY, "-m", "service.cli", "serve", "--port", str(port), "--data", str(data)],
                            cwd=ROOT, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}/"


def start_gunicorn(data: Path, port: int, workers: int):
    # the production command of the README (service/http/gunicorn_conf.py), with WORKERS processes
    env = {**os.environ, "CTDL_DATA": str(data), "CTDL_PUBLIC_URL": f"http://127.0.0.1:{port}/",
           "CTDL_BIND": f"127.0.0.1:{port}", "CTDL_WORKERS": str(workers)}
    # create the signing key and schema once, before the workers race for them
    subprocess.run([PY, "-c", "import service.http.wsgi"], cwd=ROOT, env=env, check=True)
    proc = subprocess.Popen([PY, "-m", "gunicorn", "-c", "python:service.http.gunicorn_conf", "--log-level", "warning",
                             "--no-control-socket", "service.http.wsgi:app"], cwd=ROOT, env=env,
                            stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}/"


def key_for(data: Path, database=None) -> str:
    out = subprocess.run([PY, "-m", "service.cli", "keys", "create", "--org", ORG, "--data", str(data)],
                         cwd=ROOT, capture_output=True, check=True)
    return out.stdout.decode().strip().splitlines()[-1]


def run_clients(n_clients: int, jobs: list, fn) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    it = iter(jobs)

    def worker():
        s = requests.Session()
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                return
            t = time.perf_counter()
            fn(s, job)
            dt = time.perf_counter() - t
            with lock:
                latencies.append(dt)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(n_clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def measure(name: str, url: str, key: str, args) -> None:
    docs = [json.dumps(d).encode() for d in generate(args.requests)]
    kinds = [next(k for k in d if k[0].isupper()) for d in generate(args.requests)]
    kinds = [k.lower() for k in kinds]
    org = json.dumps({"Organization": {"Type": "ceterms:CredentialOrganization", "Name": "Bench Org", "CTID": ORG,
                                       "Description": "An organization for the HTTP benchmark.",
                                       "SubjectWebpage": "https://bench.example", "AgentType": ["Vendor"],
                                       "AgentSectorType": "PrivateForProfit", "Email": ["b@bench.example"]}}).encode()
    h = {"Authorization": f"ApiToken {key}"}
    r = requests.post(url + "organization/publish", data=org, headers=h)
    assert r.status_code == 200, r.text

    def do_format(s, i):
        s.post(f"{url}{kinds[i]}/format", data=docs[i])

    lat, wall = run_clients(args.clients, list(range(len(docs))), do_format)
    print(f"{name}: format, {args.clients} clients, {len(docs)} requests: p50 {pct(lat, 50):.1f} ms, "
          f"p99 {pct(lat, 99):.1f} ms, {len(docs) / wall:,.0f} requests/s")

    # publish: valid organizations (each a new CTID) so every request writes a version
    orgs = []
    for i in range(args.requests // 2):
        body = json.loads(org)
        body["Organization"]["CTID"] = "ce-" + str(uuid.UUID(int=i + 1, version=4))
        body["Organization"]["Name"] = f"Bench Org {i}"
        body["PublishForOrganizationIdentifier"] = ORG
        orgs.append(json.dumps(body).encode())
    statuses: list[int] = []

    def do_publish(s, body):
        statuses.append(s.post(url + "organization/publish", data=body, headers=h).status_code)

    lat, wall = run_clients(args.clients, orgs, do_publish)
    ok = sum(1 for x in statuses if x == 200)
    print(f"{name}: publish, {args.clients} clients, {len(orgs)} requests ({ok} published): p50 {pct(lat, 50):.1f} ms, "
          f"p99 {pct(lat, 99):.1f} ms, {len(orgs) / wall:,.0f} requests/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, starter in (("ctdl serve", lambda d, p: start_ctdl(d, p)),
                          (f"gunicorn -w {args.workers}", lambda d, p: start_gunicorn(d, p, args.workers))):
        data = Path(tempfile.mkdtemp(prefix="ctdl-bench-"))
        port = 18000 + os.getpid() % 1000
        proc, url = starter(data, port)
        try:
            wait_ready(url, proc)
            measure(name, url, key_for(data), args)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
