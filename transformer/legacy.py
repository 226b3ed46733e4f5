"""Legacy forms the registry still serves, read as their current form, each with a warning naming
it (the severity policy in the README: an error is what a consumer would misread today; a legacy
form is a warning).  One walk of the document, before anything else reads it:

* CTDL term and vocabulary IRIs written with http:// (one warning per document);
* a language given by its name ("English", 2017) or a Library of Congress URI (ASN) in inLanguage
  (vocabularies/language-names.json);
* ASN and earlier CE publication-status IRIs; ``ceasn:hasPart`` / ``ceasn:isPartOf`` on pathways and
  pathway components, as the Registry Assistant emits them (vocabularies/legacy-forms.json).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from .pointer import pointer_join
from .report import Result, WARNING
from .resources import data_json
from .structure import LANG_TAG, schema


# the namespaces whose IRIs are https:// (CTDL-ASN's publicationStatus vocabulary is http:// itself)
_HTTP = ("http://purl.org/ctdl/", "http://purl.org/ctdlasn/terms/")


_IN_LANGUAGE = ("ceterms:inLanguage", "ceasn:inLanguage", "https://purl.org/ctdl/terms/inLanguage",
                "https://purl.org/ctdlasn/terms/inLanguage")
_PUBLICATION_STATUS = ("ceasn:publicationStatusType", "https://purl.org/ctdlasn/terms/publicationStatusType")


@lru_cache(maxsize=1)
def _languages() -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    data = data_json("vocabularies", "language-names.json")
    return data["names"], data["iso639-2"], tuple(data["uris"])


@lru_cache(maxsize=1)
def _publication_status() -> tuple[str, dict[str, str], tuple[str, ...]]:
    data = data_json("vocabularies", "legacy-forms.json")["publicationStatus"]
    return data["current"], {c.lower(): c for c in data["concepts"]}, tuple(p.lower() for p in data["legacy"])


def _language_code(item: str) -> tuple[str, str] | None:
    """(code, what the item was) for a language given by its name or by a Library of Congress
    language URI (the 2017 and ASN forms); None for anything else."""
    names, iso639_2, uris = _languages()
    code = names.get(item.strip().lower())
    if code:
        return code, "the name of a language (the 2017 form)"
    if item.startswith(uris):
        tail = item.rstrip("/").rsplit("/", 1)[-1].lower()
        if LANG_TAG.match(tail):
            return iso639_2.get(tail, tail), "a Library of Congress language URI (the ASN form)"
    return None


def _status_term(item: str) -> str | None:
    """The current publication-status IRI for an ASN or earlier CE one; None for anything else."""
    current, concepts, legacy = _publication_status()
    low = item.lower()
    for prefix in legacy:
        if low.startswith(prefix):
            concept = concepts.get(low[len(prefix):].strip("/"))
            return current + concept if concept else None
    return None


def read_legacy_forms(doc: Any, base: str = "") -> tuple[Any, list[Result], dict[str, str]]:
    """Legacy forms the registry still serves, read as their current form in one walk of the
    document: CTDL term and vocabulary IRIs written with http:// as their https:// IRIs (one warning
    per document saying where the first one is and how many there are); and, with a warning each
    naming the current form (code legacy-form; vocabularies/language-names.json, legacy-forms.json):
    a language given by its name ("English", 2017) or a Library of Congress URI (ASN) in inLanguage,
    ASN and earlier CE publication-status IRIs, ceasn:hasPart / ceasn:isPartOf on pathways and
    pathway components (as the Registry Assistant emits them). Also, for keys renamed, pointer read
    -> pointer written (results point at the key as written). The document comes back as given when
    nothing was read."""
    found: list[str] = []
    renamed: dict[str, str] = {}
    named: list[Result] = []
    sch = schema()

    def fix(text: str) -> str:
        return "https://" + text[7:] if text.startswith(_HTTP) else text

    def legacy(x: Any, kp: str, key: str, read) -> Any:
        """Each string of ``x`` that ``read(item) -> (current, message, fix) | None`` recognises."""
        items = x if isinstance(x, list) else [x]
        out = []
        for i, item in enumerate(items):
            hit = read(item) if isinstance(item, str) else None
            if hit:
                current, message, fix_text = hit
                named.append(Result(WARNING, "legacy-form", message, value=item, fix=fix_text, property=key,
                                    path=pointer_join(kp, i) if isinstance(x, list) else kp))
            out.append(hit[0] if hit else item)
        return out if isinstance(x, list) else out[0]

    def language(item: str):
        hit = _language_code(item)
        if hit:
            code, what = hit
            return code, f'"{item}" is {what}; it was read as its code, {code}', \
                f'Write "{code}" (a BCP 47 language code).'
        return None

    def status(item: str):
        term = _status_term(item)
        if term:
            compact = "publicationStatus:" + term.rsplit("/", 1)[-1]
            return term, f"{item} is an ASN or earlier publication-status IRI; it was read as {compact}", \
                f"Write {compact}."
        return None

    def walk(v: Any, pointer: str) -> Any:
        if isinstance(v, str):
            if v.startswith(_HTTP):
                found.append(pointer)
                return fix(v)
            return v
        if isinstance(v, list):
            return [walk(x, pointer_join(pointer, i)) for i, x in enumerate(v)]
        if isinstance(v, dict):
            out, moved = {}, []
            types = v.get("@type")
            pathway = any(t in sch.pathway_classes for t in (types if isinstance(types, list) else [types])
                          if isinstance(t, str))
            for k, x in v.items():
                kp = pointer_join(pointer, k)
                if k.startswith(_HTTP):
                    found.append(kp)
                    renamed[pointer_join(pointer, fix(k))] = kp
                x = walk(x, kp)
                key = fix(k)
                if key in _IN_LANGUAGE and isinstance(x, (str, list)):
                    x = legacy(x, kp, k, language)
                elif key in _PUBLICATION_STATUS and isinstance(x, (str, list)):
                    x = legacy(x, kp, k, status)
                elif pathway and key in sch.pathway_keys:
                    key = sch.pathway_keys[key]
                    named.append(Result(WARNING, "legacy-form", f"{k} on a pathway or pathway component is the "
                                        f"form the Registry Assistant emits; it was read as {key}", path=kp,
                                        property=k, fix=f"Write {key}."))
                    if key not in v:
                        renamed[pointer_join(pointer, key)] = kp
                    moved.append((key, x))
                    continue
                out[key] = x
            for key, x in moved:                        # both forms given: one list
                out[key] = _as_list(out[key]) + _as_list(x) if key in out else x
            return out
        return v

    upgraded = walk(doc, base)
    results = [Result(WARNING, "http-iri", f"{len(found)} CTDL IRI(s) are written with http://, e.g. at "
                      f"{found[0]}; they were read as https://", path=found[0],
                      fix="Write CTDL terms and vocabulary IRIs with https://purl.org/ctdl/...")] if found else []
    return (upgraded if found or named else doc), results + named, renamed


def _as_list(x: Any) -> list:
    return [] if x is None else (x if isinstance(x, list) else [x])


__all__ = ["read_legacy_forms"]
