"""``PerObject``: a function's answer remembered per object, by identity.

For objects that do not change once made and that are costly (a frozen dataclass of tuples) or
impossible (a list, a dict) to hash: a column model, a column, a list of columns. The object is
kept beside its answer, so an id is never taken for a later object's; at most ``limit`` are kept.
"""
from __future__ import annotations

from typing import Any, Callable


class PerObject:
    __slots__ = ("make", "limit", "seen")

    def __init__(self, make: Callable[[Any], Any], limit: int = 64):
        self.make, self.limit = make, limit
        self.seen: dict[int, tuple[Any, Any]] = {}

    def __call__(self, obj: Any) -> Any:
        hit = self.seen.get(id(obj))
        if hit is None or hit[0] is not obj:
            if len(self.seen) >= self.limit:
                self.seen.clear()
            hit = self.seen[id(obj)] = (obj, self.make(obj))
        return hit[1]
