"""JSON-LD contexts: served from local files only, processed once, used by lift and frame.

``contexts/index.json`` maps every context URL we accept to a file in ``contexts/``.  Nothing is
ever fetched: a document naming any other context is refused with a clear error.  The same
allow-list backs the pyld document loader (``pyld_loader``), so pyld cannot reach the network.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .errors import ContextNotAllowed, ConfigurationError
from .resources import data_dir

INPUT_CONTEXT_URL = "urn:ctdl-assistant:context:input"
CTDL_CONTEXT_URL = "https://credreg.net/ctdl/schema/context/json"
CTDLASN_CONTEXT_URL = "https://credreg.net/ctdlasn/schema/context/json"

KEYWORDS = {"@context", "@id", "@type", "@value", "@language", "@graph", "@list", "@set",
            "@reverse", "@index", "@base", "@vocab", "@container", "@version", "@nest",
            "@included", "@json", "@none", "@direction", "@protected", "@propagate", "@import",
            "@prefix"}


@lru_cache(maxsize=1)
def context_index() -> dict[str, str]:
    path = data_dir("contexts") / "index.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"cannot read {path}: {e}") from e


@lru_cache(maxsize=None)
def load_context_document(url: str) -> dict:
    """The parsed JSON of an allowed context URL (the whole document, with its ``@context``)."""
    index = context_index()
    name = index.get(url) or index.get(url.rstrip("/"))
    if name is None:
        raise ContextNotAllowed(
            f"context {url!r} is not one this tool knows; it never fetches contexts from the "
            f"network. Use one of: {', '.join(sorted(u for u in index if u.startswith('http')))}",
            pointer="/@context")
    try:
        return json.loads((data_dir("contexts") / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigurationError(f"cannot read context file {name}: {e}") from e


def pyld_loader(url: str, options: Any = None) -> dict:
    """A pyld document loader that serves only our local contexts and refuses everything else."""
    from pyld.jsonld import JsonLdError

    try:
        doc = load_context_document(url)
    except ContextNotAllowed as e:
        raise JsonLdError(e.message, "jsonld.LoadDocumentError", code="loading document failed")
    return {"contentType": "application/ld+json", "contextUrl": None,
            "documentUrl": url, "document": doc}


@dataclass(frozen=True)
class TermDef:
    iri: str
    type: str | None = None        # "@id", "@vocab", a datatype IRI, or None
    container: str | None = None   # "@language", "@list", "@set", or None
    context: Any = None            # a property-scoped context (raw JSON), or None
    keyword: str | None = None     # set when the term is an alias of a keyword (Type -> @type)


@dataclass
class ActiveContext:
    terms: dict[str, TermDef] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)   # prefix -> namespace
    vocab: str | None = None
    base: str | None = None
    language: str | None = None
    _scoped_cache: dict = field(default_factory=dict, repr=False, compare=False)
    # JSON-LD 1.1's non-propagated context: what the values of a node lifted with this context
    # are read with (a request type's class context applies to its resource, not to the objects in it)
    previous: "ActiveContext | None" = field(default=None, repr=False, compare=False)

    def copy(self) -> "ActiveContext":
        return ActiveContext(dict(self.terms), dict(self.prefixes), self.vocab, self.base,
                             self.language)

    # -- IRI expansion ------------------------------------------------------------------
    def expand_curie(self, value: str) -> str | None:
        """``orgType:Vendor`` -> full IRI; absolute IRIs pass; ``None`` when not an IRI."""
        if ":" in value:
            prefix, _, suffix = value.partition(":")
            if suffix.startswith("//") or prefix in ("http", "https", "urn", "mailto", "tel"):
                return value
            ns = self.prefixes.get(prefix)
            if ns is not None:
                return ns + suffix
            if prefix == "_":
                return value
            return None
        return None

    def expand_vocab(self, value: str) -> str | None:
        """Expand a key or @type value: term, compact IRI, absolute IRI, else @vocab-relative."""
        td = self.terms.get(value)
        if td is not None:
            return td.keyword or td.iri
        iri = self.expand_curie(value)
        if iri is not None:
            return iri
        if self.vocab and value and not value.startswith("@"):
            return self.vocab + value
        return None

    def compact(self, iri: str) -> str:
        """Full IRI -> compact IRI with the longest matching prefix (as the registry prints).
        Remembered per context (a few thousand predicates, types and concepts; bounded)."""
        memo = self._scoped_cache.get("#compact")
        if memo is None or memo[0] != len(self.prefixes) or len(memo[1]) > 20000:
            memo = self._scoped_cache["#compact"] = (len(self.prefixes), {})
        done = memo[1].get(iri)
        if done is None:
            done = memo[1][iri] = self._compact(iri)
        return done

    def _compact(self, iri: str) -> str:
        by_ns, odd = self._namespaces()
        best = None
        # namespaces end in "/", "#" or ":": look up each such prefix of the IRI, longest first
        i = len(iri) - 1
        while i > 0:
            i = max(iri.rfind("/", 0, i), iri.rfind("#", 0, i), iri.rfind(":", 0, i))
            if i < 0:
                break
            hit = by_ns.get(iri[:i + 1])
            if hit is not None:
                best = (hit, iri[:i + 1])
                break
        for prefix, ns in odd:  # (the few that end otherwise)
            if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(best[1])):
                best = (prefix, ns)
        return f"{best[0]}:{iri[len(best[1]):]}" if best else iri

    def _namespaces(self) -> tuple[dict, list]:
        """namespace -> prefix (the first prefix of a namespace wins), rebuilt if prefixes change."""
        cached = self._scoped_cache.get("#namespaces")
        if cached is not None and cached[0] == len(self.prefixes):
            return cached[1], cached[2]
        by_ns: dict[str, str] = {}
        odd: list[tuple[str, str]] = []
        for prefix, ns in self.prefixes.items():
            if ns[-1:] in ("/", "#", ":"):
                by_ns.setdefault(ns, prefix)
            else:
                odd.append((prefix, ns))
        self._scoped_cache["#namespaces"] = (len(self.prefixes), by_ns, odd)
        return by_ns, odd

    def then(self, local: Any) -> "ActiveContext":
        """``local`` processed on top of this context; the same local context (by its JSON) is
        processed once: real documents all say ``"@context": "https://credreg.net/..."``, whose
        thousand terms cost more to apply than the rest of validating the document."""
        try:
            key = ("@then", local if isinstance(local, str) else json.dumps(local, sort_keys=True))
        except (TypeError, ValueError):
            return process_context(local, self)
        ctx = self._scoped_cache.get(key)
        if ctx is None:
            ctx = process_context(local, self)
            if len(self._scoped_cache) < 64:    # contexts a client embeds: memory stays bounded
                self._scoped_cache[key] = ctx
        return ctx

    def with_scoped(self, td: TermDef) -> "ActiveContext":
        if td.context is None:
            return self
        key = id(td.context)
        ctx = self._scoped_cache.get(key)
        if ctx is None:
            ctx = self._scoped_cache[key] = process_context(td.context, self)
        return ctx


def process_context(local: Any, active: ActiveContext | None = None) -> ActiveContext:
    """Process a local context (URL, dict, or list of them) on top of ``active``."""
    result = active.copy() if active is not None else ActiveContext()
    items = local if isinstance(local, list) else [local]
    for item in items:
        if item is None:
            result = ActiveContext()
            continue
        if isinstance(item, str):
            remote = _remote_context(item)
            if isinstance(remote, list):
                result = process_context(remote, result)
                continue
            item = remote
        if not isinstance(item, dict):
            raise ContextNotAllowed("a @context must be a URL, an object or a list of them",
                                    pointer="/@context")
        _apply_context_dict(item, result)
    return result


@lru_cache(maxsize=None)
def _remote_context(url: str) -> Any:
    doc = load_context_document(url)
    return doc.get("@context", {})


def _apply_context_dict(item: dict, result: ActiveContext) -> None:
    if "@vocab" in item:
        result.vocab = item["@vocab"]
    if "@base" in item:
        result.base = item["@base"]
    if "@language" in item:
        result.language = item["@language"]
    # first pass: simple prefix definitions, so later term definitions can use them
    for term, value in item.items():
        if term.startswith("@"):
            continue
        if isinstance(value, str) and (value.endswith(("/", "#", ":")) or "://" in value):
            result.prefixes[term] = value
    for term, value in item.items():
        if term.startswith("@"):
            continue
        if isinstance(value, str):
            if value in KEYWORDS:
                result.terms[term] = TermDef(iri=value, keyword=value)
            else:
                iri = result.expand_curie(value) or value
                result.terms[term] = TermDef(iri=iri)
        elif isinstance(value, dict):
            raw_id = value.get("@id")
            if raw_id in KEYWORDS:
                result.terms[term] = TermDef(iri=raw_id, keyword=raw_id)
                continue
            iri = (result.expand_curie(raw_id) or raw_id) if raw_id else result.expand_curie(term)
            if iri is None:
                iri = (result.vocab or "") + term
            typ = value.get("@type")
            if typ and typ not in ("@id", "@vocab", "@json", "@none"):
                typ = result.expand_curie(typ) or typ
            container = value.get("@container")
            if isinstance(container, list):
                container = next((c for c in container if c != "@set"), "@set")
            result.terms[term] = TermDef(iri=iri, type=typ, container=container,
                                         context=value.get("@context"))
        elif value is None:
            result.terms.pop(term, None)


@lru_cache(maxsize=None)
def named_context(url: str) -> ActiveContext:
    """The processed context for an allowed URL (cached for the life of the process)."""
    return process_context(url)


def document_context(local: Any) -> ActiveContext:
    """The context of a document: URLs (and lists of URLs) are processed once per process."""
    if isinstance(local, str):
        return named_context(local)
    if isinstance(local, list) and all(isinstance(x, str) for x in local):
        return _url_list_context(tuple(local))
    return _empty().then(local)        # an embedded context: processed once per content


@lru_cache(maxsize=1)
def _empty() -> ActiveContext:
    return ActiveContext()


@lru_cache(maxsize=64)
def _url_list_context(urls: tuple[str, ...]) -> ActiveContext:
    return process_context(list(urls))


def input_context() -> ActiveContext:
    return named_context(INPUT_CONTEXT_URL)


@lru_cache(maxsize=128)
def class_context(cls: str | None) -> ActiveContext:
    """The input context for a request type's resource or member of input class ``cls``: the
    global terms with the class's own meanings on top (contexts/assistant-classes.json: Name in a
    CompetencyFramework is ceasn:name), for the resource itself: the objects in it (a framework's
    Creator, a ProcessProfile) are read with the global terms."""
    from .resources import data_dir

    path = data_dir("contexts") / "assistant-classes.json"
    own = json.loads(path.read_text(encoding="utf-8"))["classes"].get(cls or "") if path.is_file() else None
    if not own:
        return input_context()
    ctx = input_context().then(own).copy()
    ctx.previous = input_context()     # like a type-scoped context, it does not propagate
    return ctx


def ctdl_context() -> ActiveContext:
    """The CTDL context merged with CTDL-ASN's: used to frame output and compact IRIs."""
    return _ctdl_both()


@lru_cache(maxsize=1)
def _ctdl_both() -> ActiveContext:
    return process_context([CTDLASN_CONTEXT_URL, CTDL_CONTEXT_URL])
