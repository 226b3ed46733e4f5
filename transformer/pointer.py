"""JSON pointers (RFC 6901), in one place: joining, splitting, and the ``/rows/N/Column`` pointers
of spreadsheet cells."""
from __future__ import annotations

import re
from typing import Any

_ROW = re.compile(r"^/rows/(\d+)(?:/([^/]*))?")


def escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1") if "~" in name or "/" in name else name


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~") if "~" in segment else segment


def pointer_join(base: str, *parts: Any) -> str:
    """``base`` followed by each part (a key or an array index), escaped."""
    out = base
    for p in parts:
        out += "/" + (str(p) if p.__class__ is int else escape(str(p)))
    return out


def split(pointer: str | None) -> list[str]:
    """The unescaped segments of a pointer ("" and None: none)."""
    return [unescape(s) for s in (pointer or "").split("/")[1:]]


def cell(row: int, column: str = "") -> str:
    """The pointer of a spreadsheet cell (or of a whole row, without a column)."""
    return pointer_join(f"/rows/{row}", column) if column else f"/rows/{row}"


def row_and_column(pointer: str | None) -> tuple[int, str] | None:
    """(row, column) of a pointer into a spreadsheet row (column "" for the whole row; deeper
    segments are about the cell's column); None for any other pointer."""
    m = _ROW.match(pointer or "")
    return (int(m.group(1)), unescape(m.group(2) or "")) if m else None


__all__ = ["escape", "unescape", "pointer_join", "split", "cell", "row_and_column"]
