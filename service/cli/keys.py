"""``ctdl keys ...`` (API keys and authorizations of the local registry) and ``ctdl verify``
(an envelope's signature and digest, against a key you trust)."""
from __future__ import annotations

import json
import sys

from transformer import CtdlError, Unreadable

from .common import EXIT_OK, EXIT_VIOLATIONS, open_registry_store, read_input


def cmd_keys(args) -> int:
    from service.registry.keys import create_key, hash_key, looks_like_key_id
    from service.store.base import utc_now as now

    store = open_registry_store(args)
    try:
        action = args.keys_command
        if action == "create":
            org = _org(args.org, "--org")
            record, key = create_key(store, org, args.admin)
            owner = store.ctid_owners([org]).get(org)
            if owner and owner != org:
                print(f"note: {org} is already published here by {owner}; it stays theirs until an admin "
                      f"transfers it (POST /admin/transfer)", file=sys.stderr)
            print(f"API key {record.key_id} for {org}{' (admin)' if args.admin else ''}; the key is shown only "
                  "this once (its id, listed by `ctdl keys list`, is what revokes it):", file=sys.stderr)
            print(key)
        elif action == "authorize":
            org, publisher = _org(args.org, "--org"), _org(args.publisher, "--publisher")
            store.authorize(org, publisher)
            print(f"keys of {publisher} may now publish for {org}, and name {org} as owner, offerer, publisher "
                  f"or creator of what they publish")
        elif action == "unauthorize":
            org, publisher = _org(args.org, "--org"), _org(args.publisher, "--publisher")
            if not store.unauthorize(org, publisher):
                raise CtdlError(f"{publisher} was not authorized to publish for {org}", code="keys.not-found")
            print(f"keys of {publisher} may no longer publish for {org}")
        elif action == "list":
            org = _org(args.org, "--org") if args.org else None
            keys = store.list_keys(org)
            authorizations = store.authorizations(org)
            if args.format == "json":
                json.dump({"keys": [_key_entry(k) for k in keys],
                           "authorizations": [{"org": o, "publisher": p, "created_at": c}
                                              for o, p, c in authorizations]}, sys.stdout, indent=2)
                sys.stdout.write("\n")
            else:
                print(_key_table(keys))
                if authorizations:
                    print("\nauthorized publishers (org <- publisher):")
                    for o, p, c in authorizations:
                        print(f"  {o} <- {p}  (since {c[:19].replace('T', ' ')})")
        elif action == "revoke":
            given = args.key.strip()
            if looks_like_key_id(given):
                done = store.revoke_key_id(given, now())
            else:
                done = store.revoke_key(hash_key(given), now())
            if not done:
                raise CtdlError(f"no such key, or it is already revoked: {given[:12]}"
                                f"{'...' if len(given) > 12 else ''} (ctdl keys list shows the ids)",
                                code="keys.not-found")
            print("key revoked")
    finally:
        store.close()
    return EXIT_OK


def _key_entry(k) -> dict:
    """A key as listed: never its secret, nor its hash."""
    return {"id": k.key_id, "org": k.org, "admin": k.admin, "created_at": k.created_at,
            "last_used_at": k.last_used_at, "revoked_at": k.revoked_at}


def _key_table(keys) -> str:
    if not keys:
        return "no keys (ctdl keys create --org CTID makes one)"
    day = lambda t: t[:16].replace("T", " ") if t else "never"  # noqa: E731
    rows = [("id", "organization", "created", "last used", "admin", "revoked")]
    rows += [(k.key_id, k.org, day(k.created_at), day(k.last_used_at), "yes" if k.admin else "",
              day(k.revoked_at) if k.revoked_at else "") for k in keys]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _org(value: str, flag: str) -> str:
    from transformer import CTID_RE

    value = (value or "").strip().lower()
    if not CTID_RE.match(value):
        raise CtdlError(f'{flag} must be an organization CTID (ce- followed by a UUID), not "{value}"',
                        code="input.invalid-ctid")
    return value


def cmd_verify(args) -> int:
    """An envelope's signature and digest, against a key you trust (--key PEM, or the public key of
    a registry: --registry URL or DATA_DIR). Without one, only self-consistency can be checked: the
    envelope carries its own key, and anybody can sign with a key of their own."""
    from service.registry.envelope import verify_envelope
    from transformer import parse_json, require_object

    envelope = require_object(parse_json(read_input(args.file)), "an envelope")
    trusted, source = _trusted_key(args)
    problems = verify_envelope(envelope, trusted_key=trusted)
    for p in problems:
        print(f"not verified: {p}")
    ctid = envelope.get("envelope_ceterms_ctid") or "the envelope"
    if problems:
        return EXIT_VIOLATIONS
    if trusted is None:
        print(f"self-consistent only: the signature and digest of {ctid} hold with the key the envelope carries, "
              "but anyone can sign with a key of their own. Pass --key PEM or --registry URL|DIR to check it "
              "was signed by a registry you trust.")
    else:
        print(f"verified: {ctid} was signed by the key of {source}; signature and digest hold")
    return EXIT_OK


def _trusted_key(args) -> tuple[str | None, str]:
    """(PEM, where it came from) of the key given with --key or --registry, or (None, "")."""
    from pathlib import Path

    from service.registry.signing import KEY_FILE, load_public_key_pem

    if args.key:
        try:
            return load_public_key_pem(Path(args.key).read_bytes()), args.key
        except OSError as e:
            raise Unreadable(f"cannot read {args.key}: {e.strerror or e}") from None
    if not args.registry:
        return None, ""
    where = args.registry
    if where.startswith(("http://", "https://")):
        import requests

        url = where.rstrip("/") + "/registry/public-key"
        try:
            resp = requests.get(url, timeout=15)
        except requests.RequestException as e:
            raise Unreadable(f"cannot read the registry's public key at {url}: {e}") from None
        if resp.status_code != 200:
            raise Unreadable(f"{url} answered {resp.status_code}: is {where} a ctdl-assistant registry?")
        return load_public_key_pem(resp.content), url
    folder = Path(where)
    key_file = folder / KEY_FILE
    if not key_file.is_file():
        raise Unreadable(f"{where} is neither a registry URL nor a registry data folder (no {KEY_FILE} in it)")
    try:
        return load_public_key_pem(key_file.read_bytes()), str(key_file)
    except OSError as e:
        raise Unreadable(f"cannot read {key_file}: {e.strerror or e}") from None
