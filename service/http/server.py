"""`ctdl serve`: run the app on a bounded pool of threads; one log line with the URL; clean SIGTERM."""
from __future__ import annotations

import io
import logging
import queue
import selectors
import signal
import socket
import threading
import time
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from .app import Settings, create_app

DEFAULT_THREADS = 32
DEFAULT_CONNECTION_TIMEOUT = 15.0        # seconds
MAX_HEAD_BYTES = 64 * 1024               # request line and headers

_TOO_LARGE_BODY = b"request line and headers too large\n"
_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(_TOO_LARGE_BODY), _TOO_LARGE_BODY))


def _max_pending() -> int:
    """Connections that may be sending their heads at once (no thread each, but a file descriptor
    each): 1000, or half the process's file descriptor limit if that is lower."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return 1000
    return 1000 if soft == resource.RLIM_INFINITY else max(16, min(1000, soft // 2))


class PooledWSGIServer(BaseWSGIServer):
    """werkzeug's WSGI server with a fixed pool of worker threads that only ever get complete requests.

    Why not werkzeug's ThreadedWSGIServer (``make_server(threaded=True)``): it starts a thread per
    connection, with no cap and no read timeout, so a burst of connections makes as many threads,
    and a client that sends half a request and then nothing holds its thread forever. Why not a
    bounded pool whose threads each read their own connection: then as many half-sent connections
    as there are threads stall the whole service (slowloris).

    So the thread that accepts connections also reads the request line and headers of every new
    connection, non-blocking, with one selector; a connection goes to a worker thread only once
    its head is complete (the worker reads the body, if any, and answers). A connection whose head
    has not arrived within ``connection_timeout`` seconds of being accepted (idle, or trickling a
    byte at a time) is closed without ever having held a thread; so is one whose head is larger
    than MAX_HEAD_BYTES (431). In a worker, each read or write of the connection times out after
    ``connection_timeout`` seconds too. When every worker is busy and as many complete requests
    are waiting for one, the server stops accepting: new connections wait in the listen queue.
    At most ``max_pending`` connections may be sending their heads (a socket and at most
    MAX_HEAD_BYTES each); past that, the oldest is dropped.

    ``shutdown()`` returns as soon as the accepting loop has stopped (within ``poll_interval``),
    and ``server_close()`` closes the connections still sending their heads: idle connections
    never delay stopping. Requests already in a worker run to their end (serve() waits for them).
    """

    multithread = True

    def __init__(self, host: str, port: int, app, *, threads: int = DEFAULT_THREADS,
                 connection_timeout: float | None = DEFAULT_CONNECTION_TIMEOUT, max_pending: int | None = None):
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        super().__init__(host, port, app, handler=_PooledRequestHandler)
        self.threads = threads
        self.connection_timeout = connection_timeout or None
        self.max_pending = max(1, max_pending or _max_pending())
        self._jobs: queue.Queue = queue.Queue()          # (socket, address, head) or None: stop
        self._workers: list[threading.Thread] = []
        self._pending: dict[socket.socket, _Pending] = {}  # in accept order, hence in deadline order
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._closed = False

    # -- the accepting thread ------------------------------------------------------------------------
    def serve_forever(self, poll_interval: float = 0.5) -> None:
        for i in range(self.threads - len(self._workers)):
            worker = threading.Thread(target=self._work, name=f"ctdl-worker-{i}", daemon=True)
            worker.start()
            self._workers.append(worker)
        self.socket.setblocking(False)
        sel = selectors.DefaultSelector()
        accepting = False
        try:
            while not self._stop.is_set():
                # every worker busy and as many requests waiting: leave connections in the listen queue
                wanted = self._jobs.qsize() < self.threads
                if wanted and not accepting:
                    sel.register(self.socket, selectors.EVENT_READ)
                elif accepting and not wanted:
                    sel.unregister(self.socket)
                accepting = wanted
                timeout = poll_interval if accepting else min(poll_interval, 0.05)
                if self._pending and self.connection_timeout:
                    first = next(iter(self._pending.values()))
                    timeout = max(0.0, min(timeout, first.deadline - time.monotonic()))
                for key, _ in sel.select(timeout):
                    if key.data is None:
                        self._accept(sel)
                    else:
                        self._read_head(sel, key.data)
                self._expire(sel)
        except KeyboardInterrupt:
            pass
        finally:
            sel.close()
            self.server_close()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serve_forever() and wait until it has returned (its connection heads closed)."""
        self._stop.set()
        self._stopped.wait()

    def server_close(self) -> None:
        if not self._closed:
            self._closed = True
            for pending in list(self._pending.values()):
                pending.sock.close()
            self._pending.clear()
            for _ in self._workers:
                self._jobs.put(None)     # after the requests already queued
        super().server_close()

    def _accept(self, sel: selectors.BaseSelector) -> None:
        for _ in range(64):              # a burst at a time, then back to the heads
            try:
                sock, addr = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:              # e.g. out of file descriptors: make room, do not spin
                if self._pending:
                    self._drop(sel, next(iter(self._pending.values())))
                else:
                    time.sleep(0.05)
                return
            if len(self._pending) >= self.max_pending:
                self._drop(sel, next(iter(self._pending.values())))
            sock.setblocking(False)
            deadline = time.monotonic() + self.connection_timeout if self.connection_timeout else 0.0
            pending = self._pending[sock] = _Pending(sock, addr, deadline)
            sel.register(sock, selectors.EVENT_READ, pending)

    def _read_head(self, sel: selectors.BaseSelector, pending: _Pending) -> None:
        try:
            data = pending.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:                     # the client went away
            self._drop(sel, pending)
            return
        seen = len(pending.head)
        pending.head += data
        head = pending.head
        # the head ends with an empty line; http.server also takes bare LF line ends
        if head.find(b"\n\r\n", max(0, seen - 2)) >= 0 or head.find(b"\n\n", max(0, seen - 1)) >= 0:
            sel.unregister(pending.sock)
            del self._pending[pending.sock]
            pending.sock.setblocking(True)
            self._jobs.put((pending.sock, pending.addr, bytes(head)))
        elif len(head) > MAX_HEAD_BYTES:
            try:
                pending.sock.send(_TOO_LARGE)
            except OSError:
                pass
            self._drop(sel, pending)

    def _expire(self, sel: selectors.BaseSelector) -> None:
        if not self.connection_timeout:
            return
        now = time.monotonic()
        while self._pending:
            first = next(iter(self._pending.values()))
            if first.deadline > now:
                return
            self._drop(sel, first)

    def _drop(self, sel: selectors.BaseSelector, pending: _Pending) -> None:
        sel.unregister(pending.sock)
        del self._pending[pending.sock]
        pending.sock.close()

    # -- the worker threads --------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            sock, addr, head = job
            try:
                sock.settimeout(self.connection_timeout)
                self.RequestHandlerClass(sock, addr, self, head)
            except Exception:
                self.handle_error(sock, addr)
            finally:
                self.shutdown_request(sock)


class _Pending:
    """A connection still sending its request head, held by the accepting thread."""

    __slots__ = ("sock", "addr", "deadline", "head")

    def __init__(self, sock: socket.socket, addr, deadline: float):
        self.sock, self.addr, self.deadline, self.head = sock, addr, deadline, bytearray()


class _PooledRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, reading first the head the accepting thread already received."""

    def __init__(self, request, client_address, server, head: bytes = b""):
        self._head = head
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile.close()               # the socket's own reader: release it (the socket stays open)
        self.rfile = io.BufferedReader(_HeadThenSocket(self._head, self.connection))


class _HeadThenSocket(io.RawIOBase):
    """The bytes already received, then the socket (whose timeout applies)."""

    def __init__(self, head: bytes, sock: socket.socket):
        self._head = memoryview(head)
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        return self._sock.recv_into(buffer)


class _Drain:
    """WSGI wrapper that counts requests in progress, so that SIGTERM can let them finish before the
    store is closed. Once stopping, requests already accepted but not yet started get a 503 instead
    of a store that is being closed under them."""

    def __init__(self, app):
        self.app = app
        self.cond = threading.Condition()
        self.active = 0
        self.stopping = False

    def __call__(self, environ, start_response):
        with self.cond:
            if self.stopping:
                from .responses import error_response

                resp = error_response(503, "server.stopping", "the server is stopping; send the request again "
                                      "in a moment", headers={"Retry-After": "5"})
                return resp(environ, start_response)
            self.active += 1
        try:
            result = self.app(environ, start_response)
            try:
                return [b"".join(result)]       # our responses are buffered: finish them while counted
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self.cond:
                self.active -= 1
                self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopping = True

    def wait(self, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.active == 0, timeout)


def serve(args) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # one line at start-up, then only problems: no access log per request unless asked for
    logging.getLogger("werkzeug").setLevel(logging.INFO if getattr(args, "access_log", False) else logging.WARNING)
    from ..store.location import resolve_registry

    resolve_registry(args, serving=True)        # --data, $CTDL_DATA, the nearest ctdl-data, else ./ctdl-data
    settings = Settings(data_dir=Path(args.data), database_url=args.database,
                        strict_references=args.strict_references, engine=args.engine,
                        shapes_dir=Path(args.shapes) if getattr(args, "shapes", None) else None)
    # bind first, so that --port 0 can tell the URL it really listens on
    server = PooledWSGIServer(args.host, args.port, app=None,
                              threads=getattr(args, "threads", DEFAULT_THREADS) or DEFAULT_THREADS,
                              connection_timeout=getattr(args, "connection_timeout", DEFAULT_CONNECTION_TIMEOUT))
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = args.public_url or f"http://{host}:{server.server_port}/"
    settings.public_url = url
    app = create_app(settings)
    drain = _Drain(app)
    server.app = drain
    # compile the shapes before the first request (a broken file stops the server here, with its line)
    from transformer import RuleSet
    (app.extensions["ctdl_registry"].rules or RuleSet.default()).engine(args.engine or "compiled")

    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
            drain.stop()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    backend = args.database.split("@")[-1] if args.database else f"sqlite {Path(args.data) / 'registry.sqlite3'}"
    # on stdout, for scripts that start `ctdl serve --port 0` and read where it listens; logs go to stderr
    print(f"ctdl-assistant listening on http://{host}:{server.server_port}/ (registry: {backend})", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if not drain.wait(timeout=20):
            logging.getLogger("ctdl.service").warning("stopping with requests still in progress")
        notices = app.extensions["ctdl_registry"].notices
        if notices is not None:
            notices.wait(timeout=10)              # the notices of what was published go out first
        app.extensions["ctdl_registry"].store.close()
    return 0
