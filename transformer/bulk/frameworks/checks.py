"""Structural checks of a competency framework read from a spreadsheet, all linear in its size.

* ``duplicate-coded-notation``: two competencies with the same Coded Notation;
* ``orphan``: a competency that is neither a top child of the framework nor a child of another;
* ``cycle``: A child of B child of ... A (an iterative depth-first search with three colours over
  the parent links, built once; each back edge is one cycle, reported at the cell that closes it).

The other structural rules (a parent that is not in the file, a competency pointing to another
framework, two framework rows / none) are found while the rows are linked (``importer.py``).
"""
from __future__ import annotations

from typing import Callable

from ...report import Result, VIOLATION

WHITE, GREY, BLACK = 0, 1, 2


def duplicate_codes(items) -> list[Result]:
    first: dict[str, object] = {}
    out = []
    for it in items:
        cell = it.cells.get("codedNotation")
        if cell is None:
            continue
        key = cell.value.casefold()
        if key in first:
            out.append(Result(
                VIOLATION, "duplicate-coded-notation",
                f'Coded Notation "{cell.value}" is also used by row {first[key].row}; each competency '
                "needs its own", path=cell.pointer, property=cell.header, value=cell.value,
                fix="Give each competency a different Coded Notation."))
        else:
            first[key] = it
    return out


def orphans(items, pointer_of: Callable[[object, str], str], hint: str) -> list[Result]:
    out = []
    for it in items:
        if it.top is None and not it.parents and not it.unresolved:
            out.append(Result(
                VIOLATION, "orphan",
                f"row {it.row} is neither a top child of the framework nor the child of another "
                "competency, so it would not appear in the framework's hierarchy",
                path=pointer_of(it, "isTopChildOf"), property=pointer_of(it, "isTopChildOf").rsplit("/", 1)[-1],
                fix=hint))
    return out


def cycles(items) -> list[Result]:
    """Iterative DFS with colours over child -> parent links: O(competencies + links)."""
    colour = {id(it): WHITE for it in items}
    out = []
    for root in items:
        if colour[id(root)] != WHITE:
            continue
        colour[id(root)] = GREY
        stack = [(root, 0)]
        position = {id(root): 0}
        while stack:
            node, i = stack[-1]
            if i < len(node.parents):
                stack[-1] = (node, i + 1)
                parent, pointer = node.parents[i]
                c = colour.get(id(parent), BLACK)
                if c == WHITE:
                    colour[id(parent)] = GREY
                    position[id(parent)] = len(stack)
                    stack.append((parent, 0))
                elif c == GREY:
                    loop = [str(n.row) for n, _ in stack[position[id(parent)]:]] + [str(parent.row)]
                    if len(loop) > 8:   # a constant-size message, however long the loop
                        loop = loop[:4] + [f"... ({len(loop) - 7} more)"] + loop[-3:]
                    if parent is node:
                        what = f"row {node.row} is its own parent"
                    else:
                        what = (f"row {node.row} is a child of row {parent.row}, which descends from row "
                                f"{node.row} (rows {' → '.join(loop)}, each a child of the next)")
                    out.append(Result(
                        VIOLATION, "cycle",
                        f"the hierarchy has a cycle: {what}; a competency cannot be its own ancestor",
                        path=pointer, property=pointer.rsplit("/", 1)[-1], value=_label(parent),
                        fix="Change the parent of one of these rows so that the hierarchy has a top."))
            else:
                colour[id(node)] = BLACK
                position.pop(id(node), None)
                stack.pop()
    return out


def _label(item) -> str:
    cell = item.cells.get("codedNotation") or item.cells.get("@id") or item.cells.get("competencyText")
    return cell.value if cell is not None else f"row {item.row}"
