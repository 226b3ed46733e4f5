"""The columns of the two competency-framework spreadsheets, and how their header is matched.

* ``cass``: the CaSS CTDL-ASN CSV (``@id,@type,ceasn:description,...``), one framework row
  (``@type`` ceasn:CompetencyFramework) and one row per competency (``ceasn:Competency``); the
  ``ceasn:`` prefix of the headers may be left out.  ``|`` separates the values of a cell in
  multi-valued columns.
* ``template``: a simpler human template (Framework Name, Framework Description, Competency Text,
  Competency Label, Coded Notation, Parent, ...); Parent holds the Coded Notation or the Competency
  Text of the parent row (empty: a top-level competency).

Headers match case-insensitively, trimmed (a trailing ``*`` marking a required column is ignored).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...pointer import pointer_join
from ...report import Result, VIOLATION, WARNING
from ...vocab import CETERMS
from ..sheets.csvfile import Table, UnknownFormat, column_letter

ASN = "https://purl.org/ctdlasn/terms/"
CTID = CETERMS + "ctid"


@dataclass(frozen=True)
class Column:
    key: str            # what the importer calls it
    pred: str | None    # the ceasn: predicate it fills (None: @id, @type, Parent)
    kind: str           # text | string | language | url | agent | status | ref | ctid | id | type | parent
    multi: bool         # "|" separates values
    where: str          # framework | competency | both
    label: str          # the header as the format writes it


def _asn(name: str) -> str:
    return ASN + name


CASS_COLUMNS = [
    Column("@id", None, "id", False, "both", "@id"),
    Column("@type", None, "type", False, "both", "@type"),
    Column("name", _asn("name"), "text", False, "framework", "ceasn:name"),
    Column("description", _asn("description"), "text", False, "framework", "ceasn:description"),
    Column("inLanguage", _asn("inLanguage"), "language", True, "both", "ceasn:inLanguage"),
    Column("license", _asn("license"), "url", False, "both", "ceasn:license"),
    Column("publicationStatusType", _asn("publicationStatusType"), "status", False, "both",
           "ceasn:publicationStatusType"),
    Column("publisherName", _asn("publisherName"), "text", False, "framework", "ceasn:publisherName"),
    Column("publisher", _asn("publisher"), "agent", True, "framework", "ceasn:publisher"),
    Column("source", _asn("source"), "url", True, "framework", "ceasn:source"),
    Column("codedNotation", _asn("codedNotation"), "string", False, "competency", "ceasn:codedNotation"),
    Column("competencyLabel", _asn("competencyLabel"), "text", False, "competency", "ceasn:competencyLabel"),
    Column("competencyCategory", _asn("competencyCategory"), "text", True, "competency",
           "ceasn:competencyCategory"),
    Column("competencyText", _asn("competencyText"), "text", False, "competency", "ceasn:competencyText"),
    Column("comment", _asn("comment"), "text", True, "competency", "ceasn:comment"),
    Column("isTopChildOf", _asn("isTopChildOf"), "ref", True, "competency", "ceasn:isTopChildOf"),
    Column("isChildOf", _asn("isChildOf"), "ref", True, "competency", "ceasn:isChildOf"),
    Column("isPartOf", _asn("isPartOf"), "ref", True, "competency", "ceasn:isPartOf"),
    Column("hasChild", _asn("hasChild"), "ref", True, "competency", "ceasn:hasChild"),
    Column("hasTopChild", _asn("hasTopChild"), "ref", True, "framework", "ceasn:hasTopChild"),
    Column("listID", _asn("listID"), "string", False, "competency", "ceasn:listID"),
    Column("conceptKeyword", _asn("conceptKeyword"), "text", True, "both", "ceasn:conceptKeyword"),
    Column("ctid", CTID, "ctid", False, "both", "ceterms:ctid"),
]

TEMPLATE_COLUMNS = [
    Column("frameworkName", _asn("name"), "text", False, "framework", "Framework Name"),
    Column("frameworkDescription", _asn("description"), "text", False, "framework", "Framework Description"),
    Column("competencyText", _asn("competencyText"), "text", False, "competency", "Competency Text"),
    Column("competencyLabel", _asn("competencyLabel"), "text", False, "competency", "Competency Label"),
    Column("codedNotation", _asn("codedNotation"), "string", False, "competency", "Coded Notation"),
    Column("parent", None, "parent", False, "competency", "Parent"),
    Column("language", _asn("inLanguage"), "language", True, "both", "Language"),
    Column("competencyCategory", _asn("competencyCategory"), "text", True, "competency", "Competency Category"),
    Column("comment", _asn("comment"), "text", True, "competency", "Comment"),
    Column("ctid", CTID, "ctid", False, "competency", "CTID"),
    Column("frameworkCtid", CTID, "ctid", False, "framework", "Framework CTID"),
    Column("publisher", _asn("publisher"), "agent", True, "framework", "Publisher"),
]

FORMATS = {"cass": CASS_COLUMNS, "template": TEMPLATE_COLUMNS}


def _norm_cass(h: str) -> str:
    h = h.strip().rstrip("*").strip().lower()
    for prefix in ("ceasn:", "ceterms:"):
        if h.startswith(prefix):
            return h[len(prefix):]
    return h


def _norm_template(h: str) -> str:
    return re.sub(r"\s+", " ", h.strip().rstrip("*").strip().lower())


_CASS_BY_NAME = {c.key.lower(): c for c in CASS_COLUMNS}
_TEMPLATE_BY_NAME = {c.label.lower(): c for c in TEMPLATE_COLUMNS}


@dataclass
class Layout:
    """Which column of the file is which: ``format``, ``columns`` (index -> Column) and back."""

    format: str
    columns: dict[int, Column]
    header: list[str]
    index: dict[str, int]            # column key -> index

    def header_of(self, key: str) -> str:
        i = self.index.get(key)
        if i is not None:
            return self.header[i]
        return next(c.label for c in FORMATS[self.format] if c.key == key)

    def name_for(self, pred: str, where: str) -> str:
        """The header a result about ``pred`` names: the file's column, else the format's own."""
        candidates = [c for c in FORMATS[self.format] if c.pred == pred]
        candidates.sort(key=lambda c: (c.key not in self.index, c.where not in (where, "both")))
        if candidates:
            return self.header_of(candidates[0].key)
        if self.format == "template" and pred in (_asn("isChildOf"), _asn("isTopChildOf")):
            return self.header_of("parent")
        from ...context import ctdl_context
        return ctdl_context().compact(pred)


def match_header(table: Table) -> tuple[Layout, list[Result]]:
    """Detect the format from the header and map its columns; unknown columns are Warnings."""
    header = table.header
    cass = {i: _CASS_BY_NAME.get(_norm_cass(h)) for i, h in enumerate(header)}
    tpl = {i: _TEMPLATE_BY_NAME.get(_norm_template(h)) for i, h in enumerate(header)}
    n_cass = sum(1 for c in cass.values() if c)
    n_tpl = sum(1 for c in tpl.values() if c)
    has_at = any(c is not None and c.key in ("@id", "@type") for c in cass.values())
    if has_at or (n_cass > n_tpl and n_cass >= 2):
        fmt, found = "cass", cass
    elif n_tpl >= 1 and any(c is not None and c.key in ("frameworkName", "competencyText", "parent")
                            for c in tpl.values()):
        fmt, found = "template", tpl
    else:
        raise UnknownFormat(
            "the header row is not a competency framework spreadsheet. Use either the CaSS CTDL-ASN "
            "CSV (@id, @type, ceasn:name, ceasn:description, ceasn:competencyText, ceasn:isTopChildOf, "
            "ceasn:isChildOf, ...) or the template (Framework Name, Framework Description, Competency "
            f"Text, Coded Notation, Parent, ...). The header was: {', '.join(header)[:300]}",
            pointer="/rows/1")
    problems: list[Result] = []
    columns: dict[int, Column] = {}
    index: dict[str, int] = {}
    used_columns = {j for _, cells in table.rows for j, c in enumerate(cells) if c}
    for i, h in enumerate(header):
        col = found.get(i)
        where = pointer_join("/rows", 1, h or column_letter(i))
        if col is None:
            if not h:
                if i in used_columns:
                    problems.append(Result(WARNING, "unknown-column",
                                           f"column {column_letter(i)} has no header; its values were ignored",
                                           path=where, fix="Give the column a header, or delete it."))
                continue
            problems.append(Result(WARNING, "unknown-column",
                                   f'"{h}" is not a column of the {_format_name(fmt)}; it was ignored',
                                   path=where, property=h, value=h, fix=_suggest(h, fmt)))
            continue
        if col.key in index:
            problems.append(Result(WARNING, "duplicate-column",
                                   f'"{h}" is a second {col.label} column; it was ignored '
                                   f"(the values of column {column_letter(index[col.key])} are used)",
                                   path=where, property=h, value=h))
            continue
        columns[i] = col
        index[col.key] = i
    required = ("@type",) if fmt == "cass" else ("competencyText",)
    for key in required:
        if key not in index:
            label = next(c.label for c in FORMATS[fmt] if c.key == key)
            problems.append(Result(VIOLATION, "missing-column", f'the file has no "{label}" column',
                                   path=pointer_join("/rows", 1, label), property=label,
                                   fix=f'Add a "{label}" column.'))
    return Layout(fmt, columns, header, index), problems


def _format_name(fmt: str) -> str:
    return "CaSS CTDL-ASN CSV" if fmt == "cass" else "competency framework template"


def _suggest(h: str, fmt: str) -> str:
    import difflib

    names = [c.label for c in FORMATS[fmt]]
    close = difflib.get_close_matches(h, names, n=1, cutoff=0.6) or difflib.get_close_matches(
        h.lower(), [n.lower() for n in names], n=1, cutoff=0.6)
    if close:
        label = next(n for n in names if n.lower() == close[0].lower())
        return f'Did you mean "{label}"?'
    return f"The columns are: {', '.join(names)}."


# -- values --------------------------------------------------------------------------------------
LANGUAGE_NAMES = {
    "english": "en", "spanish": "es", "español": "es", "espanol": "es", "french": "fr", "français": "fr",
    "german": "de", "deutsch": "de", "portuguese": "pt", "italian": "it", "chinese": "zh", "japanese": "ja",
    "korean": "ko", "arabic": "ar", "russian": "ru", "vietnamese": "vi", "tagalog": "tl", "hindi": "hi",
}
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def language_tag(value: str) -> str:
    """``English`` -> ``en``; ``en-us`` -> ``en-US``; anything else is kept as written."""
    v = value.strip()
    named = LANGUAGE_NAMES.get(v.lower())
    if named:
        return named
    if not LANG_RE.match(v):
        return v
    parts = v.split("-")
    out = [parts[0].lower()]
    for p in parts[1:]:
        out.append(p.upper() if len(p) == 2 else (p.title() if len(p) == 4 else p.lower()))
    return "-".join(out)


def split_values(text: str, multi: bool) -> list[str]:
    if not multi:
        return [text] if text else []
    return [v.strip() for v in text.split("|") if v.strip()]
