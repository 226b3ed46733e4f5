"""`ctdl serve`: run the app on a threaded WSGI server; one log line with the URL; clean SIGTERM."""
from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

from .app import Settings, create_app


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
    settings = Settings(data_dir=Path(args.data), database_url=args.database,
                        strict_references=args.strict_references, engine=args.engine)
    # bind first, so that --port 0 can tell the URL it really listens on
    server = make_server(args.host, args.port, app=None, threaded=True)
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = args.public_url or f"http://{host}:{server.server_port}/"
    settings.public_url = url
    app = create_app(settings)
    drain = _Drain(app)
    server.app = drain
    from transformer.shacl import get_engine  # compile the shapes before the first request
    get_engine(args.engine or "compiled")

    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
            drain.stop()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    backend = args.database.split("@")[-1] if args.database else f"sqlite {Path(args.data) / 'registry.sqlite3'}"
    print(f"ctdl-assistant listening on http://{host}:{server.server_port}/ (registry: {backend})",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if not drain.wait(timeout=20):
            logging.getLogger("ctdl.service").warning("stopping with requests still in progress")
        app.extensions["ctdl_registry"].store.close()
    return 0
