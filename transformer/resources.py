"""Where the data folders are: the checkout's top level, or inside the installed wheel."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """``shapes``, ``contexts`` or ``vocabularies``.  ``$CTDL_SHAPES`` names another shapes folder
    (a maintainer's working copy: ``ctdl serve --shapes DIR``)."""
    if name == "shapes" and os.environ.get("CTDL_SHAPES"):
        folder = Path(os.environ["CTDL_SHAPES"])
        if not folder.is_dir():
            raise FileNotFoundError(f"CTDL_SHAPES={folder} is not a folder")
        return folder
    for candidate in (_HERE.parent / name, _HERE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} not found next to {_HERE} "
                            "(reinstall ctdl-assistant, or run from a checkout)")


@lru_cache(maxsize=None)
def data_json(folder: str, name: str):
    """A JSON data file of ``folder`` (``vocabularies/in-graph-resources.json``...), read once per
    process. Shared: callers read it, never change it."""
    return json.loads((data_dir(folder) / name).read_text(encoding="utf-8"))
