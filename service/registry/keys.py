"""API keys: generate (shown once), hash (what the store keeps), read the Authorization header.

Why: a publisher proves which organization it acts for with a key.  The registry keeps only the
key's hash, so a copy of the database does not let anyone publish.
"""
from __future__ import annotations

import hashlib
import re
import secrets

PREFIX = "ctdl_"
# 32 random bytes = 256 bits, written as 43 URL-safe base64 characters.
KEY_BYTES = 32
# Longer "keys" are not ours nor Credential Engine's; refuse them before hashing anything big.
MAX_KEY_LENGTH = 512
SCHEMES = ("apitoken", "bearer")
# A key is visible ASCII without spaces (ours are URL-safe base64; Credential Engine's are UUIDs).
_KEY = re.compile(r"[\x21-\x7e]+")
_KEY_ID = re.compile(r"[0-9a-fA-F]{12}")


def new_key() -> str:
    """A new random key, e.g. ``ctdl_Xq3...`` (the prefix makes leaked keys easy to recognise)."""
    return PREFIX + secrets.token_urlsafe(KEY_BYTES)


def looks_like_key_id(text: str) -> bool:
    """A key's public id (12 hex digits, see store.base.key_id_of), not a key: ours start with
    ``ctdl_`` and Credential Engine's are UUIDs, so the two cannot be confused."""
    return bool(_KEY_ID.fullmatch(text.strip()))


def hash_key(key: str) -> str:
    """SHA-256 (lower-case hex) of the key: the value stored and looked up.

    A fast, unsalted hash is right here, unlike for passwords.  Slow salted hashes (bcrypt,
    scrypt, argon2) exist because passwords are guessable: they make each guess expensive.  Our keys
    are 256 random bits, so there is nothing to guess; no amount of hashing speed makes 2**256
    tries feasible.  An unsalted hash also lets the store find a key by its hash with one indexed
    lookup, on every request, without a slow computation per request.
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_authorization(header: str | None) -> str | None:
    """The key in an ``Authorization`` header, or None.

    Accepts ``ApiToken <key>`` (the form the Credential Engine's API uses) and ``Bearer <key>``;
    the scheme is case-insensitive and surrounding whitespace is ignored.  Anything else (another
    scheme, no key, a key with spaces or control characters) gives None.
    """
    if not isinstance(header, str):
        return None
    parts = header.strip().split(None, 1)
    if len(parts) != 2 or parts[0].lower() not in SCHEMES:
        return None
    key = parts[1].strip()
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        return None
    return key


def operator_key(org: str):
    """The key of the registry host's operator acting as ``org`` (the CLI's local commands): what
    the organization's own key may do, no more."""
    from ..store.base import KeyRecord, utc_now

    return KeyRecord(key_hash="", org=org.strip().lower(), admin=False, created_at=utc_now(), revoked_at=None)


# -- what an organization's key may do with keys and publishers (the API's /keys and /org/{ctid}/
# -- publishers, the dashboard, `ctdl keys`: one set of rules) ------------------------------------------
def managed_org(key, org: str | None) -> str:
    """The organization whose keys and publishers `key` manages: its own, or any for an admin key."""
    from transformer import CTID_RE, Forbidden, WrongShape

    org = (org or key.org).strip().lower()
    if not CTID_RE.match(org):
        raise WrongShape(f'"{org[:60]}" is not an organization CTID (ce- followed by a UUID)', pointer="/Organization")
    if org != key.org and not key.admin:
        raise Forbidden(f"only {org}'s own keys (or an admin key) manage its keys and publishers")
    return org


def create_key(store, org: str, admin: bool = False):
    """(KeyRecord, the key itself: shown this once, never stored) for `org`."""
    from ..store.base import KeyRecord, utc_now

    secret = new_key()
    record = KeyRecord(key_hash=hash_key(secret), org=org, admin=admin, created_at=utc_now(), revoked_at=None)
    store.add_key(record)
    return record, secret


def revoke_key_of(store, org: str, key_id: str):
    """Revokes `org`'s key `key_id` (its public id); the KeyRecord. NotFound when `org` has no such
    active key (another organization's key is not found either)."""
    from transformer import NotFound

    from ..store.base import utc_now

    target = store.get_key_by_id(key_id.strip().lower()) if looks_like_key_id(key_id) else None
    if target is None or target.org != org or target.revoked_at:
        raise NotFound(f"{org} has no active key {key_id[:20]} (GET /keys lists the ids)")
    store.revoke_key_id(target.key_id, utc_now())
    return target


def key_entry(k) -> dict:
    """A key as listed: its public id, never its secret nor its hash."""
    return {"KeyId": k.key_id, "Organization": k.org, "Admin": k.admin, "Created": k.created_at,
            "LastUsed": k.last_used_at, "Revoked": k.revoked_at}
