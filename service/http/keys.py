"""An organization's API keys and third-party publishers over the API, with the same rules as the
dashboard's forms and `ctdl keys` (service/registry/keys.py): a key manages its own organization's,
an admin key any organization's (?org= / "Organization")."""
from __future__ import annotations

from flask import Blueprint, request

from transformer import CTID_RE, Forbidden, NotFound, parse_json, require_object, WrongShape

from ..registry.answers import assistant_body
from ..registry.keys import create_key, key_entry, managed_org, revoke_key_of
from .responses import json_response
from .web import api_key, registry

bp = Blueprint("keys", __name__)


@bp.get("/keys")
def list_keys():
    key = api_key()
    org = managed_org(key, request.args.get("org"))
    keys = registry().store.list_keys(org)
    return json_response(assistant_body(True, [f"{len(keys)} keys of {org}"], Organization=org,
                                        Keys=[key_entry(k) for k in keys]))


@bp.post("/keys")
def new_key():
    key = api_key()
    body = require_object(parse_json(request.get_data() or b"{}"), "the request")
    org = managed_org(key, body.get("Organization"))
    admin = body.get("Admin", False)
    if not isinstance(admin, bool):
        raise WrongShape('"Admin" must be true or false', pointer="/Admin")
    if admin and not key.admin:
        raise Forbidden("only an admin key creates admin keys")
    record, secret = create_key(registry().store, org, admin)
    return json_response(assistant_body(True, [f"key {record.key_id} created for {org}: it is shown only in this "
                                               "answer (its KeyId revokes it)"], Key=secret, **key_entry(record)))


@bp.post("/keys/<key_id>/revoke")
def revoke(key_id: str):
    key = api_key()
    org = managed_org(key, request.args.get("org"))
    target = revoke_key_of(registry().store, org, key_id)
    return json_response(assistant_body(True, [f"key {target.key_id} of {org} revoked"], KeyId=target.key_id,
                                        was_changed=True))


def _publisher(value) -> str:
    publisher = value.strip().lower() if isinstance(value, str) else ""
    if not CTID_RE.match(publisher):
        raise WrongShape("Publisher must be the CTID of the organization that may publish for this one",
                         pointer="/Publisher")
    return publisher


@bp.get("/org/<ctid>/publishers")
def publishers(ctid: str):
    org = managed_org(api_key(), ctid)
    found = registry().store.authorizations(org)
    return json_response(assistant_body(True, [f"{len(found)} organizations may publish for {org}"], Organization=org,
                                        Publishers=[{"Publisher": p, "Since": c} for _, p, c in found]))


@bp.post("/org/<ctid>/publishers")
def authorize(ctid: str):
    org = managed_org(api_key(), ctid)
    publisher = _publisher(require_object(parse_json(request.get_data()), "the request").get("Publisher"))
    registry().store.authorize(org, publisher)
    return json_response(assistant_body(True, [f"keys of {publisher} may now publish for {org}"], was_changed=True))


@bp.delete("/org/<ctid>/publishers/<publisher>")
def unauthorize(ctid: str, publisher: str):
    org = managed_org(api_key(), ctid)
    publisher = _publisher(publisher)
    if not registry().store.unauthorize(org, publisher):
        raise NotFound(f"{publisher} was not authorized to publish for {org}")
    return json_response(assistant_body(True, [f"keys of {publisher} may no longer publish for {org}"],
                                        was_changed=True))
