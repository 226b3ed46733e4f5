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
    p.add_argument("--data", default="ctdl-data", metavar="DIR",
                   help="folder of the SQLite registry and the signing key (default ./ctdl-data)")
    p.add_argument("--database", metavar="URL", default=None,
                   help="postgresql://... to use PostgreSQL instead of the embedded SQLite registry")


def open_registry_store(args):
    """The store of the registry a command works on (--data / --database)."""
    from pathlib import Path

    from service.store import open_store

    return open_store(Path(args.data), args.database)
