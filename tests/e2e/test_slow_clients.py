"""Slow clients (slowloris): connections that send half a request and then nothing must not stall the
server, nor make it start a thread each; they are dropped after a timeout and never delay SIGTERM.

Against real server processes: `ctdl serve` (service/http/server.py) and gunicorn with
service/http/gunicorn_conf.py. Each test opens more half-sent connections than the server has threads.
"""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import requests

from e2e_support import (REPO, START_TIMEOUT, Client, Server, _env, _read_line, new_ctid, organization,
                         stop_and_check)

HALF_SENT = b"GET /openapi.json HTTP/1.1\r\nHost: localhost\r\nX-Slow: "   # no end of line, no end of head
QUICK = 5.0          # seconds an ordinary request may take while the half-sent connections are open


def open_half_sent(url: str, n: int) -> list[socket.socket]:
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    socks = []
    for _ in range(n):
        s = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        s.sendall(HALF_SENT)
        socks.append(s)
    time.sleep(0.5)                  # accepted (and, without the fix, each read by a thread that waits)
    return socks


def close_all(socks: list[socket.socket]) -> None:
    for s in socks:
        s.close()


def assert_answers_quickly(url: str) -> None:
    """GET /openapi.json and POST /organization/format, each on a new connection, within QUICK seconds."""
    for method, path, body in (("GET", "openapi.json", None), ("POST", "organization/format", organization(new_ctid()))):
        try:
            r = Client(url).request(method, path, data=body, timeout=QUICK)
        except requests.Timeout:
            raise AssertionError(f"{method} /{path} got no answer within {QUICK} s") from None
        assert r.status_code == 200, r.text[:500]
        assert method == "GET" or r.json()["Successful"] is True, r.text[:500]


def thread_count(pid: int) -> int | None:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():          # not Linux: the thread cap is checked where /proc is
        return None
    return int(next(line for line in status.read_text().splitlines() if line.startswith("Threads:")).split()[1])


def closed_by_server(s: socket.socket, within: float) -> float | None:
    """Seconds until the server closes `s` (end of stream or reset), None if not within `within`."""
    start = time.monotonic()
    s.settimeout(within)
    try:
        while s.recv(4096):
            pass
    except (ConnectionResetError, BrokenPipeError):
        pass
    except TimeoutError:
        return None
    return time.monotonic() - start


# -- ctdl serve ----------------------------------------------------------------------------------------
def test_ctdl_serve_half_sent_connections_neither_stall_nor_add_threads_nor_delay_sigterm(tmp_path):
    from service.http.server import DEFAULT_THREADS

    server = Server(tmp_path / "data").start()
    socks = []
    try:
        socks = open_half_sent(server.url, DEFAULT_THREADS + 8)
        threads = thread_count(server.proc.pid)
        assert threads is None or threads <= DEFAULT_THREADS + 2, \
            f"{threads} threads for {len(socks)} connections: not capped at {DEFAULT_THREADS} workers"
        assert_answers_quickly(server.url)
        start = time.monotonic()
        stop_and_check(server)           # with the half-sent connections still open
        stopped = time.monotonic() - start
        assert stopped < 3, f"SIGTERM took {stopped:.1f} s with {len(socks)} half-sent connections open"
    finally:
        close_all(socks)
        if server.proc.poll() is None:
            server.kill()


class TunedServer(Server):
    """`ctdl serve` with settings its command line does not offer (yet): service.http.server.serve(args)
    in a child process, with args built here."""

    def __init__(self, data_dir: Path, **settings):
        super().__init__(data_dir)
        self.settings = settings

    def start(self) -> "TunedServer":
        args = dict(host="127.0.0.1", port=0, data=str(self.data_dir), database=None, public_url=None,
                    strict_references=False, engine=None, access_log=False, **self.settings)
        code = ("import argparse, json, sys; from service.http.server import serve; "
                "sys.exit(serve(argparse.Namespace(**json.loads(sys.argv[1]))))")
        self.proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(args)], cwd=REPO,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=_env())
        first = _read_line(self.proc, START_TIMEOUT)
        assert first.startswith("ctdl-assistant listening on http://"), (first, self.proc.stderr.read())
        self.url = first.split(" on ", 1)[1].split()[0]
        self.log = [first + "\n"]
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        return self


def test_ctdl_serve_drops_half_sent_connections_after_its_timeout(tmp_path):
    server = TunedServer(tmp_path / "data", connection_timeout=1).start()
    socks = []
    try:
        socks = open_half_sent(server.url, 40)
        # a client that trickles its head a byte at a time is dropped too: the timeout is for the whole head
        trickler = socket.create_connection(("127.0.0.1", int(server.url.rstrip("/").rsplit(":", 1)[1])))
        trickler.sendall(b"GET / HTTP/1.1\r\n")
        start, dropped = time.monotonic(), False
        while time.monotonic() - start < 3:
            try:
                trickler.sendall(b"X")
            except OSError:
                dropped = True
                break
            time.sleep(0.2)
        assert dropped, "a connection trickling its head was not dropped within 3 s (timeout 1 s)"
        for s in socks:
            took = closed_by_server(s, within=3)
            assert took is not None, "a half-sent connection was still open 3 s after its 1 s timeout"
        assert_answers_quickly(server.url)
        stop_and_check(server)
    finally:
        close_all(socks)
        if server.proc.poll() is None:
            server.kill()


def test_pool_runs_at_most_threads_requests_and_queues_the_rest():
    """In-process, with an app that takes 0.3 s: 8 requests at once on 2 threads all get an answer
    (waiting their turn, not refused), never more than 2 at a time."""
    from service.http.server import PooledWSGIServer

    lock, running, most = threading.Lock(), [0], [0]

    def app(environ, start_response):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    server = PooledWSGIServer("127.0.0.1", 0, app, threads=2, connection_timeout=5)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        answers: list[int] = []
        clients = [threading.Thread(target=lambda: answers.append(urllib.request.urlopen(url, timeout=10).status))
                   for _ in range(8)]
        for c in clients:
            c.start()
        for c in clients:
            c.join(15)
        assert answers == [200] * 8
        assert most[0] == 2
    finally:
        server.shutdown()
        serving.join(5)


# -- gunicorn with service/http/gunicorn_conf.py --------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_half_sent_connections_neither_stall_nor_delay_sigterm(tmp_path):
    workers, threads = 1, 4     # one process: how the kernel spreads connections over processes is chance
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = _env()
    env.update(CTDL_DATA=str(tmp_path / "data"), CTDL_BIND=f"127.0.0.1:{port}", CTDL_WORKERS=str(workers),
               CTDL_PUBLIC_URL=url,
               CTDL_THREADS=str(threads), XDG_RUNTIME_DIR=str(tmp_path))   # gunicorn's control socket
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:service.http.gunicorn_conf",
                                 "service.http.wsgi:app"], cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
    socks = []
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                if requests.get(url + "openapi.json", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer: " + log_path.read_text()
            time.sleep(0.2)
        socks = open_half_sent(url, 10 * workers * threads)
        assert_answers_quickly(url)
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)     # with the half-sent connections still open
        status = proc.wait(timeout=15)
        stopped = time.monotonic() - start
    finally:
        close_all(socks)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log_path.read_text()
    assert status == 0, text
    assert stopped < 5, f"SIGTERM took {stopped:.1f} s with {len(socks)} half-sent connections open"
    assert "Using worker: HeadFirstThreadWorker" in text and "Traceback" not in text, text
