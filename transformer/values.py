"""Values as the Registry Assistant publishes them: web page URLs without a trailing slash, and
(with transformer/normalize.py) dates and URLs written the ways real clients write them.

A graph step of enrich (transformer/enrich.py runs it on every node); the rules are data
(vocabularies/published-urls.json) and the CTDL ranges of the schema index.
"""
from __future__ import annotations

import json
from functools import lru_cache

from .context import ctdl_context
from .graph import IRI, Node
from .vocab import schema_index

ANY_URI = "http://www.w3.org/2001/XMLSchema#anyURI"


@lru_cache(maxsize=1)
def web_page_properties() -> frozenset[str]:
    """Full IRIs of the properties whose URLs are published without a trailing slash."""
    from .resources import data_dir

    data = json.loads((data_dir("vocabularies") / "published-urls.json").read_text(encoding="utf-8"))
    ctx = ctdl_context()
    keep = {ctx.expand_curie(p) or p for p in data["keep_as_given"]}
    return frozenset(p for p, rng in schema_index().ranges.items() if ANY_URI in rng and p not in keep)


def without_trailing_slash(url: str) -> str:
    """https://www.cswe.org/ -> https://www.cswe.org; never a URL with a query or a fragment, never
    the slashes of the scheme."""
    if not url.endswith("/") or "?" in url or "#" in url:
        return url
    stripped = url.rstrip("/")
    return stripped if stripped.count("/") >= 2 and not stripped.endswith(":") else url


def publish_urls(node: Node) -> None:
    """Web page URLs of `node` as the Registry Assistant publishes them."""
    pages = web_page_properties()
    for pred, values in node.props.items():
        if pred not in pages:
            continue
        for i, v in enumerate(values):
            if isinstance(v, IRI) and v.endswith("/"):
                values[i] = IRI(without_trailing_slash(v))
