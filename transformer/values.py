"""Values as the Registry Assistant publishes them: web page URLs without a trailing slash, and
(with transformer/normalize.py) dates and URLs written the ways real clients write them.

A graph step of enrich (transformer/enrich.py runs it on every node); the rules are data
(vocabularies/published-urls.json) and the CTDL ranges of the schema index.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from . import normalize
from .context import ctdl_context
from .graph import IRI, Literal, Node
from .resources import data_json
from .vocab import schema_index

ANY_URI = "http://www.w3.org/2001/XMLSchema#anyURI"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


@lru_cache(maxsize=1)
def web_page_properties() -> frozenset[str]:
    """Full IRIs of the properties whose URLs are published without a trailing slash."""
    data = data_json("vocabularies", "published-urls.json")
    ctx = ctdl_context()
    keep = {ctx.expand_curie(p) or p for p in data["keep_as_given"]}
    return frozenset(p for p, rng in schema_index().ranges.items() if ANY_URI in rng and p not in keep)


def without_trailing_slash(url: str) -> str:
    """https://www.cswe.org/ -> https://www.cswe.org (transformer/normalize.py); a URL it does not
    read is left as given."""
    return normalize.url(url, strip_trailing_slash=True).value or url


def publish_values(node: Node, warn: Callable[[str, Node, str, Literal | IRI, str], None]) -> None:
    """URLs and dates of `node` as the Registry Assistant publishes them: web page URLs without a
    trailing slash, a host name given for a URL with https:// added, a date written 8/4/1971 or
    Jan 1, 2000 as an ISO date. `warn(code, node, pred, value, message)` says what was assumed."""
    pages, dates = web_page_properties(), date_properties()
    for pred, values in node.props.items():
        if pred in pages:
            for i, v in enumerate(values):
                if isinstance(v, IRI) and v.endswith("/"):
                    values[i] = IRI(without_trailing_slash(v))
                elif isinstance(v, Literal) and (n := normalize.url(v.value, strip_trailing_slash=True)).value:
                    values[i] = IRI(n.value)
                    if n.note:
                        warn("value-assumed", node, pred, values[i], f"{n.note}: a web address needs its https://")
        elif pred in dates:
            for i, v in enumerate(values):
                if isinstance(v, Literal) and not v.lang:
                    n = normalize.date(v.value)
                    if n.value is not None and n.value != v.value:
                        values[i] = Literal(n.value, v.datatype)
                        if n.note:
                            warn("value-assumed", node, pred, values[i], f"{n.note}; write dates as YYYY-MM-DD")


@lru_cache(maxsize=1)
def date_properties() -> frozenset[str]:
    """Full IRIs of the properties whose CTDL range is xsd:date or xsd:dateTime."""
    return frozenset(p for p, rng in schema_index().ranges.items() if XSD_DATE in rng or XSD_DATETIME in rng)


def normalize_code(framework: str, code: str) -> tuple[str, str | None]:
    """(code, what was assumed) for an occupation, instructional program or industry code as real
    requests write it (533032 -> 53-3032.00, 513801 -> 51.3801: transformer/normalize.py); a code
    that is not one comes back as given, for the framework's pattern to report."""
    kind = framework.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    read = {"SOC": normalize.soc_code, "CIP": normalize.cip_code, "NAICS": normalize.naics_code}
    for prefix, fn in read.items():
        if kind.startswith(prefix):
            n = fn(code)
            return (n.value, n.note) if n.value is not None else (code.strip(), None)
    return code.strip(), None
