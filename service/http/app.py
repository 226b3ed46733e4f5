"""The Flask application factory: settings, the registry, error handling, route modules."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from transformer import CtdlError, MAX_INPUT_BYTES, Options, RuleSet

from .responses import error_response

log = logging.getLogger("ctdl.service")


@dataclass
class Settings:
    """Every setting of the service: (name, default, help) lives here and nowhere else."""

    data_dir: Path = field(default=Path("ctdl-data"), metadata={"help": "folder of the SQLite registry and the signing key"})
    database_url: str | None = field(default=None, metadata={"help": "postgresql://... to use PostgreSQL instead of SQLite"})
    public_url: str = field(default="http://127.0.0.1:8080/", metadata={"help": "base URL of resource URIs (@id) and links"})
    strict_references: bool = field(default=False, metadata={"help": "refuse OwnedBy/OfferedBy CTIDs not in this registry"})
    engine: str | None = field(default=None, metadata={"help": "SHACL engine: compiled (default) or pyshacl"})
    shapes_dir: Path | None = field(default=None, metadata={"help": "a shapes folder to check against instead of the project's"})
    max_body_bytes: int = field(default=MAX_INPUT_BYTES, metadata={"help": "largest request body accepted (413 above)"})


def create_app(settings: Settings | None = None, store=None) -> Flask:
    settings = settings or Settings()
    app = Flask(__name__)
    # one byte more than allowed: werkzeug cuts a body without Content-Length (chunked) at this length
    # silently; limit_body() below tells "too large" from "exactly at the limit" and answers 413
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes + 1
    app.config["SETTINGS"] = settings
    app.json.sort_keys = False

    from ..registry.core import Registry
    from ..registry.signing import load_or_create_signing_key, public_key_pem
    from ..store import open_store

    store = store or open_store(Path(settings.data_dir), settings.database_url)
    key = load_or_create_signing_key(Path(settings.data_dir))
    base = settings.public_url if settings.public_url.endswith("/") else settings.public_url + "/"
    rules = RuleSet.for_folder(settings.shapes_dir) if settings.shapes_dir else None
    app.extensions["ctdl_registry"] = Registry(store, key, public_key_pem(key), Options(registry=base),
                                               strict_references=settings.strict_references,
                                               engine=settings.engine, rules=rules)
    app.extensions["ctdl_base_url"] = base
    from ..registry.notices import Notices

    app.extensions["ctdl_registry"].notices = Notices(store, base)
    # the web pages' session cookie (service/http/pages/): signed with a key kept next to the signing key
    app.secret_key = _session_secret(Path(settings.data_dir))
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=base.startswith("https://"), SESSION_COOKIE_NAME="ctdl_session")
    from ..bulk.jobs import recover
    from ..bulk.workflow import BulkWorkflow

    # upload jobs a previous process left running are resumed (never left "running"); queued ones run
    recover(BulkWorkflow(app.extensions["ctdl_registry"]))

    from . import assistant as api_assistant

    from . import bulk as api_bulk

    from . import docs as api_docs

    from . import registry as api_registry

    from . import keys as api_keys

    from . import pages

    app.register_blueprint(api_assistant.bp)
    app.register_blueprint(api_registry.bp)
    app.register_blueprint(api_bulk.bp)
    app.register_blueprint(api_docs.bp)
    app.register_blueprint(api_keys.bp)
    app.register_blueprint(pages.bp)
    _register_error_handlers(app)
    return app


# HTML pages load only what this server serves (no CDN, no inline script) and are never framed;
# other answers (JSON, CSV, PEM) are data, never a page: nothing may be loaded or framed from them.
def _session_secret(data_dir: Path) -> bytes:
    """CTDL_SESSION_SECRET (several servers share it), else data_dir/session.key, made once (0600)."""
    import os
    import secrets

    given = os.environ.get("CTDL_SESSION_SECRET")
    if given:
        return given.encode("utf-8")
    path = data_dir / "session.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".session.key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)          # the first server to start wins; the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip().encode("utf-8")


HTML_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def _register_error_handlers(app: Flask) -> None:
    limit_bytes = app.config["SETTINGS"].max_body_bytes

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        html = response.mimetype == "text/html"
        response.headers.setdefault("Content-Security-Policy", HTML_POLICY if html else DATA_POLICY)
        if html:
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.before_request
    def limit_body():
        length = request.content_length
        if (length if length is not None else len(request.get_data())) > limit_bytes:
            raise RequestEntityTooLarge()

    @app.errorhandler(CtdlError)
    def ctdl_error(e: CtdlError):
        status = e.http_status if e.http_status < 500 else 500
        return error_response(status, e.code, e.message, path=e.pointer)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(e):
        limit = limit_bytes // 1048576
        return error_response(413, "input.too-large", f"the request body is larger than {limit} MB; "
                              "split it into several requests")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        code = {404: "http.not-found", 405: "http.method-not-allowed"}.get(e.code, f"http.{e.code}")
        allowed = sorted(getattr(e, "valid_methods", None) or [])
        message = {404: f"no such route: {request.method} {request.path} (see /openapi.json)",
                   405: f"{request.method} is not allowed on {request.path}; it takes {', '.join(allowed)} "
                        "(see /openapi.json)"}.get(e.code, e.description or e.name)
        headers = {"Allow": ", ".join(allowed)} if e.code == 405 and allowed else None
        return error_response(e.code or 500, code, message, headers=headers)

    @app.errorhandler(Exception)
    def internal(e: Exception):
        reference = uuid.uuid4().hex[:12]
        log.exception("internal error, reference %s, on %s %s", reference, request.method, request.path)
        return error_response(500, "internal", f"internal error, reference {reference}")

