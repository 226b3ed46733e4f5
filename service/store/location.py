"""Which registry a command or a server uses, decided once (service/cli, `ctdl serve`): --data, else
$CTDL_DATA, else the nearest ctdl-data folder holding a registry (this folder or one above it, as git
finds .git), else ./ctdl-data, which only `ctdl serve` creates. Another command refuses to start an
empty second registry by accident: its keys would be "unknown" to the server the user runs."""
from __future__ import annotations

DEFAULT_DATA = "ctdl-data"


def resolve_registry(args, serving: bool = False) -> str:
    """Sets args.data to the absolute folder of the registry (args.database: PostgreSQL's URL, the
    folder then holding the signing key) and returns a line saying which registry it is.
    ``serving``: `ctdl serve`, which may create a new registry in ./ctdl-data."""
    import os
    from pathlib import Path

    from transformer import CtdlError

    from .sqlite import FILENAME

    given = args.data or os.environ.get("CTDL_DATA")
    if given:
        folder = Path(given).expanduser()
    else:
        here = Path.cwd()
        folder = next((d / DEFAULT_DATA for d in (here, *here.parents) if (d / DEFAULT_DATA / FILENAME).is_file()),
                      here / DEFAULT_DATA)
        if not serving and not args.database and not (folder / FILENAME).is_file():
            raise CtdlError(f"no registry found in {folder} nor in a folder above: pass --data DIR (the folder "
                            "`ctdl serve` uses, ./ctdl-data where you started it) or set CTDL_DATA; "
                            f"`ctdl serve` creates a new registry", code="cli.no-registry")
    args.data = str(folder.resolve())
    if args.database:
        return f"registry: {args.database.split('@')[-1]} (PostgreSQL; signing key in {args.data})"
    state = "" if (folder / FILENAME).is_file() else ", new"
    return f"registry: {args.data} (SQLite{state})"
