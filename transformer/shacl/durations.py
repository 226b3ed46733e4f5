"""ctdlsh:DurationOrderConstraintComponent, natively.

``shapes/components.ttl`` defines the component in SHACL-SPARQL (so pyshacl runs it); the compiled
engine recognises it by IRI and runs this instead.  Both read an ISO 8601 duration
``PnYnMnWnDTnHnMnS`` (decimals allowed, e.g. ``PT1.5H``) as seconds with fixed factors: Y = 365 days,
M = 30 days, W = 7 days, D = 86400 s, H = 3600 s, M (time) = 60 s, S = 1 s.  Each value of the
shape's path longer than any value of ``ctdlsh:notLongerThan`` on the same focus node is a result;
values that do not parse (wrong format, not literals) are left to the pattern shapes.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..graph import Literal
from . import DURATION_ORDER
from .paths import predicate_values

_NUM = r"([0-9]+(?:[.][0-9]+)?)"
_DURATION = re.compile(rf"P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
                       rf"(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?")
_FACTORS = tuple(Decimal(f) for f in (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1))
_cache: dict = {}


def seconds(text: str) -> Decimal | None:
    """Length of an ISO 8601 duration in seconds (fixed factors), or None if it does not parse."""
    hit = _cache.get(text, False)
    if hit is not False:
        return hit
    m = _DURATION.fullmatch(text)
    if m is None or text == "P" or text.endswith("T"):
        total = None
    else:
        total = sum((Decimal(g) * f for g, f in zip(m.groups(), _FACTORS) if g), Decimal(0))
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[text] = total
    return total


def _seconds_of(term) -> Decimal | None:
    return seconds(term.value) if term.__class__ is Literal else None


class DurationOrder:
    __slots__ = ("other",)
    component = DURATION_ORDER

    def __init__(self, pred: str):
        self.other = predicate_values(pred)

    def failures(self, ctx, focus, values) -> list:
        if not values:
            return []
        limits = [s for s in map(_seconds_of, self.other(ctx, focus)) if s is not None]
        if not limits:
            return []
        limit = min(limits)
        return [v for v in values if (s := _seconds_of(v)) is not None and s > limit]

    def ok(self, ctx, focus, values):
        return not self.failures(ctx, focus, values)

    def report(self, ctx, focus, values, out, shape):
        for v in self.failures(ctx, focus, values):
            out.append(shape.result(ctx, focus, v, self.component))


BUILDERS = {"durationOrder": lambda shapes, pred: DurationOrder(pred)}
