"""`ctdl serve`: run the app on a threaded WSGI server; one log line with the URL; clean SIGTERM."""
from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

from .app import Settings, create_app


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
    server.app = app
    from transformer.shacl import get_engine  # compile the shapes before the first request
    get_engine(args.engine or "compiled")

    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
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
        app.extensions["ctdl_registry"].store.close()
    return 0
