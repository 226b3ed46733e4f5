"""A competency framework's spreadsheet as read: each row's framework or competency (``Item``) and
its cells (``Cell``), shared by the importer (``competencies``) and the hierarchy builder (``link``)."""
from __future__ import annotations

from ...graph import IRI
from .columns import Column


class Cell:
    __slots__ = ("value", "header", "pointer", "column")

    def __init__(self, value: str, header: str, pointer: str, column: Column):
        self.value, self.header, self.pointer, self.column = value, header, pointer, column


class Item:
    """One framework or competency read from a row."""

    __slots__ = ("row", "kind", "cells", "ctid", "iri", "parents", "top", "unresolved", "lang", "ctid_cell")

    def __init__(self, row: int, kind: str, cells: dict[str, Cell]):
        self.row, self.kind, self.cells = row, kind, cells
        self.ctid: str = ""
        self.iri: IRI | None = None
        self.parents: list[tuple[Item, str]] = []   # (parent competency, pointer of the cell)
        self.top: str | None = None                   # pointer of the cell making it a top child
        self.unresolved = False                       # a parent was named but not found
        self.lang: str | None = None
        self.ctid_cell: Cell | None = None

    @property
    def pointer(self) -> str:
        return f"/rows/{self.row}"

    def add_parent(self, parent: "Item", pointer: str) -> None:
        if not any(p is parent for p, _ in self.parents):
            self.parents.append((parent, pointer))
