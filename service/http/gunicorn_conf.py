"""gunicorn settings for production::

    CTDL_DATA=/srv/ctdl gunicorn -c python:service.http.gunicorn_conf 'service.http.wsgi:app'

From the environment: CTDL_BIND (default 127.0.0.1:8080), CTDL_WORKERS (processes, default
2 x cores + 1, at most 8), CTDL_THREADS (threads per process, default 8), CTDL_CONNECTION_TIMEOUT
(seconds a client has to send its request line and headers, and for each read or write after
that; default 15). Options on gunicorn's command line win over this file.

Why threads (gthread) and not gunicorn's default ``sync`` worker: a sync worker reads its request
with a blocking socket, so as many clients as there are workers, each sending half a request and
then nothing, stall the whole service; gunicorn's ``timeout`` kills and replaces such a worker,
and the replacement takes the next half-sent connection from the listen queue. A gthread worker
waits for its connections in a poller, holding no thread.

Stock gthread is not enough either (measured with gunicorn 27, tests/e2e/test_slow_clients.py):
it gives a connection to a thread as soon as *some* data has arrived, and the thread then reads
the rest of the request head with a blocking socket and no timeout, so ``workers x threads``
half-sent requests stall the service for good (the worker's main loop keeps telling the arbiter
it is alive: ``timeout`` never fires). No gunicorn setting changes that, hence
:class:`HeadFirstThreadWorker`: gthread, except that a thread gets a connection only once its
request head has arrived. A reverse proxy that buffers requests (nginx does by default) protects
gunicorn too; with this worker gunicorn is also safe on its own.
"""
from __future__ import annotations

import os
import socket
import sys
import time

from gunicorn.workers import gthread


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


CONNECTION_TIMEOUT = _env_float("CTDL_CONNECTION_TIMEOUT", 15.0)
MAX_HEAD_BYTES = 64 * 1024
_TOO_LARGE_BODY = b"request line and headers too large\n"
_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(_TOO_LARGE_BODY), _TOO_LARGE_BODY))


def _head_complete(data: bytes) -> bool:
    return b"\r\n\r\n" in data or b"\n\n" in data    # bare LF line ends: the parser answers 400


class HeadFirstThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker, handing a connection to a thread only once its request head is in.

    handle() (run in a thread) first reads what the client has sent so far, without blocking, into
    the connection's parser buffer. A complete head goes on to the stock code (parse, body, app,
    answer). An incomplete one goes back to the worker's poller as a "deferred" connection
    (gthread's own state for connections without data: no thread held) until more data arrives.
    gthread closes a deferred connection after ``keepalive`` seconds without data; this worker
    closes it once its head is still incomplete CONNECTION_TIMEOUT seconds after it began (so
    trickling a byte at a time does not keep it open either), or larger than MAX_HEAD_BYTES (431).
    Once a thread has the request, each read (the body) and write (the answer) times out after
    CONNECTION_TIMEOUT seconds. On SIGTERM, deferred connections are closed after the same short
    linger as kept-alive ones.

    TLS, HTTP/2 and the uWSGI protocol take the stock path (configure none of them here: TLS ends
    at the proxy).
    """

    def handle(self, conn):
        if self.cfg.is_ssl or getattr(conn, "is_http2", False) or getattr(self.cfg, "protocol", "http") != "http" \
                or getattr(self.cfg, "http2_cleartext", "off") != "off":
            return super().handle(conn)
        state = self._read_head(conn)
        if state is True:
            conn.data_ready = True       # the stock handle() must not wait for more data
            return super().handle(conn)
        if state is False:
            # gthread then closes it "gracefully", reading until the client's end of stream for
            # up to 2 s on the worker's main loop: end the stream now
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return state

    def _read_head(self, conn):
        """True: the head is complete; False: close the connection; gthread._DEFER: wait for more."""
        conn.init()                      # the HTTP/1 parser
        buffer = conn.parser.unreader.buf
        held = buffer.getvalue()         # read ahead with the previous request of this connection
        if _head_complete(held):
            conn.head_deadline = None
            return True
        now = time.monotonic()
        deadline = getattr(conn, "head_deadline", None) or now + CONNECTION_TIMEOUT
        conn.head_deadline = deadline
        conn.sock.setblocking(False)
        while True:
            if not self.alive or now > deadline:
                return False
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return gthread._DEFER
            except OSError:
                return False
            if not data:
                return False
            held += data
            buffer.seek(0, os.SEEK_END)
            buffer.write(data)
            if _head_complete(held):
                conn.head_deadline = None
                return True
            if len(held) > MAX_HEAD_BYTES:
                try:
                    conn.sock.send(_TOO_LARGE)
                except OSError:
                    pass
                return False
            now = time.monotonic()

    def handle_request(self, req, conn):
        conn.sock.settimeout(CONNECTION_TIMEOUT)     # stock: blocking, without a timeout
        return super().handle_request(req, conn)

    def handle_exit(self, sig, frame):
        super().handle_exit(sig, frame)
        linger = time.monotonic() + getattr(gthread, "STOP_KEEPALIVE_LINGER", 2.0)
        for conn in self.pending_conns:  # capped at one deadline: the deque stays in timeout order
            conn.timeout = min(conn.timeout, linger)


bind = os.environ.get("CTDL_BIND", "127.0.0.1:8080")
if hasattr(gthread, "_DEFER") and hasattr(gthread.ThreadWorker, "on_pending_socket_readable"):
    worker_class = HeadFirstThreadWorker
else:                            # a gunicorn whose gthread cannot defer a connection (older than 27?)
    print("service.http.gunicorn_conf: this gunicorn's gthread worker cannot hand a connection back to its "
          "poller; using stock gthread, which half-sent requests can stall: upgrade gunicorn", file=sys.stderr)
    worker_class = "gthread"
workers = _env_int("CTDL_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 8))
threads = _env_int("CTDL_THREADS", 8)
timeout = 30                     # a worker silent for longer is killed and replaced
graceful_timeout = 20            # on SIGTERM, requests in progress get this long to finish
keepalive = 5                    # seconds a kept-alive connection may stay idle
limit_request_line = 8190        # bytes of the request line (414 above)
limit_request_fields = 50        # header fields per request (431 above)
limit_request_field_size = 8190  # bytes of one header field (431 above)
# gunicorn 27's control socket (a runtime command channel, in $XDG_RUNTIME_DIR or ~/.gunicorn) is
# not needed to run the service: one file less in the service account's home, one interface less
control_socket_disable = True
