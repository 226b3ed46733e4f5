"""What every ``ctdl`` command shares: exit codes, reading an input file (or standard input) and
the options that choose the registry's store."""
from __future__ import annotations

import sys

from transformer import MAX_INPUT_BYTES, Unreadable

# exit codes: 0 done (conforms); 1 the input has violations, or the action was refused;
# 2 the input could not be used at all; 3 an internal error
EXIT_OK, EXIT_VIOLATIONS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_REFUSED = EXIT_VIOLATIONS


def read_input(path: str) -> bytes:
    """The bytes of ``path`` ("-": standard input), at most one byte more than the size limit (the
    parser says "too large" above it); Unreadable when it cannot be read."""
    try:
        if path == "-":
            return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        with open(path, "rb") as f:
            return f.read(MAX_INPUT_BYTES + 1)
    except OSError as e:
        raise Unreadable(f"cannot read {path}: {e.strerror or e}") from None


def add_store_options(p) -> None:
    """--data / --database: which registry a command works on."""
    p.add_argument("--data", default=None, metavar="DIR",
                   help="folder of the SQLite registry and the signing key (default: $CTDL_DATA, else the "
                        "nearest ./ctdl-data holding a registry, here or in a folder above)")
    p.add_argument("--database", metavar="URL", default=None,
                   help="postgresql://... to use PostgreSQL instead of the embedded SQLite registry")


def open_registry_store(args):
    """The store of the registry a command works on (--data / --database), resolved once
    (resolve_registry) and said on stderr."""
    from pathlib import Path

    from service.store import open_store

    from service.store.location import resolve_registry

    if not getattr(args, "registry_resolved", False):
        line = resolve_registry(args)
        args.registry_resolved = True
        if not getattr(args, "quiet", False):
            print(line, file=sys.stderr)
    return open_store(Path(args.data), args.database)


LOCAL_URL = "http://127.0.0.1:8080/"   # `ctdl serve`'s default, for an organization without a base yet


def open_local_registry(args, org: str, signing: bool = False):
    """The registry of --data / --database as `ctdl serve` would run it: its signing key (when
    ``signing``), and the base URL the organization's resources already have there (else
    --public-url, else `ctdl serve`'s default address)."""
    from pathlib import Path

    from service.bulk.workflow import published_base_url
    from service.registry.core import Registry
    from transformer import Options

    from .shapes import rules_of

    store = open_registry_store(args)
    try:
        key, pem = None, ""
        if signing:   # the registry's signing key lives in --data, as for `ctdl serve`
            from service.registry.signing import load_or_create_signing_key, public_key_pem

            key = load_or_create_signing_key(Path(args.data))
            pem = public_key_pem(key)
        base = getattr(args, "public_url", None) or published_base_url(store, org) or LOCAL_URL
        return Registry(store, key, pem, Options(registry=base if base.endswith("/") else base + "/"),
                        strict_references=getattr(args, "strict_references", False),
                        rules=rules_of(getattr(args, "shapes", None)))
    except BaseException:
        store.close()
        raise
