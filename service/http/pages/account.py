"""Home, sign in / out, and the organization's dashboard: published records by type, staged uploads
by status, recent publishes, API keys (create, revoke by id) and third-party publishers."""
from __future__ import annotations

from collections import Counter

from flask import redirect, request, session, url_for

from transformer import CTID_RE, WrongShape

from ..web import registry
from . import bp, page, signed_in, signin_required
from .browse import main_name


@bp.get("/")
def home():
    return page("home.html")


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never //evil.example or a full URL) after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.dashboard")


@bp.get("/signin")
def signin():
    return page("signin.html", next=request.args.get("next", ""))


@bp.post("/signin")
def signin_post():
    from ...registry.keys import hash_key

    key = request.form.get("api_key", "").strip()
    record = registry().store.get_key(hash_key(key)) if key else None
    if record is None or record.revoked_at:
        return page("signin.html", 401, next=request.form.get("next", ""),
                    error="This API key is not valid (unknown or revoked). Ask your registry's operator for "
                          "a key (ctdl keys create --org ce-...).")
    csrf = session.get("csrf")
    session.clear()                      # a new session at sign-in (no fixation)
    session["key"] = record.key_hash
    session["csrf"] = csrf or ""
    session.permanent = False
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/signout")
def signout():
    session.clear()
    return redirect(url_for("pages.home"))


def org_of(key) -> str:
    """The organization a page is about: the key's own, or ?org= one it may act for."""
    org = (request.values.get("org") or key.org).strip().lower()
    if not CTID_RE.match(org):
        raise WrongShape(f'"{org[:60]}" is not an organization CTID (ce-...)', pointer="?org")
    return registry().acting_for(key, org)


@bp.get("/dashboard")
@signin_required
def dashboard(key):
    from ...bulk.workflow import BulkWorkflow

    store = registry().store
    org = org_of(key)
    current = store.get_by_ctid(org)
    name = main_name(current.decoded_resource, org) if current is not None else ""
    published = store.count_by_type(org)
    recent, total = store.list_envelopes(owned_by=org, limit=10)
    staged = Counter(r.status for r in BulkWorkflow(registry()).status(org, key=key))
    keys = store.list_keys(org) if (key.org == org or key.admin) else []
    return page("dashboard.html", org=org, name=name, published=published, total=total, recent=recent,
                staged=sorted(staged.items()), keys=keys, authorizations=store.authorizations(org),
                may_manage=key.org == org or key.admin, new_key=session.pop("new_key", None),
                settings=store.org_settings(org) if (key.org == org or key.admin) else {},
                notice=session.pop("notice", None))


def _manage(key) -> str:
    from ...registry.keys import managed_org

    return managed_org(key, request.values.get("org"))


@bp.post("/dashboard/keys")
@signin_required
def create_key(key):
    from ...registry.keys import create_key as make_key

    org = _manage(key)
    record, secret = make_key(registry().store, org)
    session["new_key"] = [record.key_id, secret]      # shown once, on the next page, then gone
    return redirect(url_for("pages.dashboard", org=org))


@bp.post("/dashboard/keys/<key_id>/revoke")
@signin_required
def revoke_key(key, key_id: str):
    from ...registry.keys import revoke_key_of

    org = _manage(key)
    target = revoke_key_of(registry().store, org, key_id)
    session["notice"] = f"key {target.key_id} revoked"
    if target.key_hash == key.key_hash:
        session.clear()                # revoking one's own key signs out
        return redirect(url_for("pages.home"))
    return redirect(url_for("pages.dashboard", org=org))


@bp.post("/dashboard/publishers")
@signin_required
def authorize(key):
    org = _manage(key)
    publisher = request.form.get("publisher", "").strip().lower()
    if not CTID_RE.match(publisher):
        raise WrongShape(f'"{publisher[:60]}" is not an organization CTID (ce-...)', pointer="/publisher")
    store = registry().store
    if request.form.get("action") == "remove":
        store.unauthorize(org, publisher)
        session["notice"] = f"{publisher} may no longer publish for {org}"
    else:
        store.authorize(org, publisher)
        session["notice"] = f"{publisher} may now publish for {org}"
    return redirect(url_for("pages.dashboard", org=org))


@bp.post("/dashboard/notices")
@signin_required
def notices(key):
    """Where notices of the organization's publishes go: a webhook URL and an email address (empty:
    none)."""
    import re
    from urllib.parse import urlsplit

    org = _manage(key)
    url = request.form.get("webhook_url", "").strip()
    email = request.form.get("notice_email", "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
            raise WrongShape(f'the webhook URL must be an http or https URL, not "{url[:80]}"', pointer="/webhook_url")
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        raise WrongShape(f'"{email[:80]}" is not an email address', pointer="/notice_email")
    store = registry().store
    store.set_org_setting(org, "webhook_url", url)
    store.set_org_setting(org, "notice_email", email)
    session["notice"] = "notices saved: " + (", ".join(x for x in (url, email) if x) or "none")
    return redirect(url_for("pages.dashboard", org=org))


__all__ = ["home", "signed_in"]
