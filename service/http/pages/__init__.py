"""Web pages for people (issue 16): publishers signed in with their API key, reviewers, anyone
checking CTDL. Plain HTML forms (every form works without JavaScript), Jinja templates under
templates/pages/, one stylesheet and one small script under static/ (no CDN, no build chain).

Signing in puts the key's hash (never the key) in Flask's signed session cookie (HttpOnly,
SameSite=Lax, Secure when the public URL is https); every request looks the key up again, so a
revoked key signs its sessions out. What a signed-in key may do is what it may do over the API: the
pages call the same registry and bulk workflow with the same KeyRecord. Every POST carries the
session's CSRF token (a hidden field), compared in constant time; a form without it is refused.

Modules: account (home, sign in/out, dashboard, keys, authorizations), uploads (spreadsheet upload,
jobs, review), browse (search, a record's page), tools (validate, format playground).
"""
from __future__ import annotations

import functools
import hmac
import secrets

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from transformer import CtdlError

from ..web import registry

bp = Blueprint("pages", __name__, template_folder="../templates/pages")

PER_PAGE = 25


def signed_in():
    """The KeyRecord of the signed-in key, or None (no session, or the key was revoked)."""
    key_hash = session.get("key")
    if not key_hash:
        return None
    record = registry().store.get_key(key_hash)
    if record is None or record.revoked_at:
        session.clear()
        return None
    return record


def signin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        key = signed_in()
        if key is None:
            return redirect(url_for("pages.signin", next=request.full_path.rstrip("?")))
        return view(key, *args, **kwargs)
    return wrapped


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


@bp.before_request
def check_csrf():
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            return page("error.html", 400, title="Form refused",
                        message="This form did not come from this site, or your session expired. Go back, "
                                "reload the page and send it again.")
    return None


def page(template: str, http_status: int = 200, **context):
    """A page: the template with what every page shows (who is signed in, the CSRF token)."""
    return render_template(template, me=signed_in(), csrf_token=csrf_token(), **context), http_status


@bp.app_template_filter("label")
def label(value) -> str:
    """A language map or a value as one line of text: {"en-US": "Welding"} -> "Welding"."""
    if isinstance(value, dict):
        value = next(iter(value.values()), "") if value else ""
    if isinstance(value, list):
        return ", ".join(label(v) for v in value)
    return "" if value is None else str(value)


def error_page(e: CtdlError):
    """An input error raised by a page's work: said on a page, with the same code as the API's."""
    return page("error.html", e.http_status if e.http_status < 500 else 500, title="That did not work", message=e.message, code=e.code,
                pointer=e.pointer)


bp.register_error_handler(CtdlError, error_page)


def int_arg(name: str, default: int, low: int = 1, high: int = 10**6) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(400)
    return int(raw)


from . import account, browse, tools, uploads  # noqa: E402,F401  (their routes join bp)
