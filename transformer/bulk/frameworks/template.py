"""Template spreadsheets for competency frameworks (``ctdl bulk template competencyframework``).

Two layouts, the two the importer reads (columns.py): ``template``, the simpler human template
(Framework Name, Competency Text, Coded Notation, Parent, ...), and ``cass``, the CaSS CTDL-ASN
CSV header.  What a column means and whether it is required come from the shapes
(shapes/competency.ttl: the node shapes of ceasn:CompetencyFramework and ceasn:Competency, their
sh:description and sh:minCount), so the template follows the rules a maintainer edits.  Columns the
importer fills itself are left out: isPartOf, hasChild and hasTopChild (from the parent links) and
the publisher (the organization the file is uploaded for).
"""
from __future__ import annotations

from functools import lru_cache

from ...errors import InputError
from .columns import ASN, CASS_COLUMNS, CTID, TEMPLATE_COLUMNS, Column

LAYOUTS = ("template", "cass")
_DERIVED = {"isPartOf", "hasChild", "hasTopChild", "publisher"}
# columns without a CTDL-ASN property of their own
_OWN = {
    "@id": "The row's identifier: a URL, a CTID or any text unique in the file. Other rows name it in "
           "ceasn:isChildOf and ceasn:isTopChildOf.",
    "@type": "ceasn:CompetencyFramework on the framework's row (one per file), ceasn:Competency on every other.",
    "parent": "The Coded Notation (or the Competency Text) of the parent competency; leave it empty for a "
              "top-level competency.",
    "isTopChildOf": "On a top-level competency: the framework's @id.",
    "isChildOf": "The @id of the parent competency (| between several).",
    "ctid": "Leave empty for a new row: a CTID is made for it and kept. Exported files have it filled in.",
    "frameworkCtid": "Leave empty for a new framework: a CTID is made and kept. Exported files have it filled in.",
}
_SAMPLE = {   # one framework, a top-level competency and its child (welding, as in tests/data/bulk)
    "template": [
        {"frameworkName": "Entry-Level Welder Competencies",
         "frameworkDescription": "The knowledge and skills an entry-level welder needs to work safely.",
         "competencyText": "Apply occupational safety and health practices in a welding environment.",
         "competencyLabel": "Workplace Safety", "codedNotation": "W1", "language": "English",
         "competencyCategory": "Area"},
        {"competencyText": "Select, inspect and wear personal protective equipment.",
         "competencyLabel": "Personal Protective Equipment", "codedNotation": "W1.1", "parent": "W1",
         "competencyCategory": "Skill"},
    ],
    "cass": [
        {"@id": "welding", "@type": "ceasn:CompetencyFramework", "name": "Entry-Level Welder Competencies",
         "description": "The knowledge and skills an entry-level welder needs to work safely.",
         "inLanguage": "en-US", "publicationStatusType": "Published"},
        {"@id": "W1", "@type": "ceasn:Competency", "codedNotation": "W1", "competencyLabel": "Workplace Safety",
         "competencyText": "Apply occupational safety and health practices in a welding environment.",
         "isTopChildOf": "welding"},
        {"@id": "W1.1", "@type": "ceasn:Competency", "codedNotation": "W1.1",
         "competencyText": "Select, inspect and wear personal protective equipment.", "isChildOf": "W1"},
    ],
}


@lru_cache(maxsize=1)
def _shape_facts() -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """((class, path) -> sh:description, {(class, path) required}) for the two CTDL-ASN classes."""
    from rdflib import URIRef
    from rdflib.namespace import SH

    from ...ruleset import RuleSet

    g = RuleSet.default().graph()
    descriptions: dict[tuple[str, str], str] = {}
    required: set[tuple[str, str]] = set()
    ctdlsh = URIRef("urn:ctdl-assistant:ns:class")
    for cls in ("CompetencyFramework", "Competency"):
        # the record shapes target their class directly or through a ctdlsh:RecordsOf target
        targets = set(g.subjects(ctdlsh, URIRef(ASN + cls)))
        shapes = set(g.subjects(SH.targetClass, URIRef(ASN + cls)))
        shapes |= {ns for t in targets for ns in g.subjects(SH.target, t)}
        for ns in sorted(shapes):
            for ps in g.objects(ns, SH.property):
                path = g.value(ps, SH.path)
                if not isinstance(path, URIRef):
                    continue
                key = (cls, str(path))
                text = g.value(ps, SH.description)
                if text is not None and key not in descriptions:
                    descriptions[key] = str(text)
                count = g.value(ps, SH.minCount)
                if count is not None and int(count) >= 1 and g.value(ps, SH.severity) in (None, SH.Violation):
                    required.add(key)
    return descriptions, required


def template_columns(layout: str) -> list[Column]:
    if layout not in LAYOUTS:
        raise InputError(f'unknown competency framework layout "{layout}"; use template or cass',
                         code="bulk.unknown-format")
    columns = CASS_COLUMNS if layout == "cass" else TEMPLATE_COLUMNS
    return [c for c in columns if c.key not in _DERIVED]


def _classes(col: Column) -> tuple[str, ...]:
    return {"framework": ("CompetencyFramework",), "competency": ("Competency",)}.get(
        col.where, ("CompetencyFramework", "Competency"))


def is_required(col: Column) -> bool:
    _, required = _shape_facts()
    if col.pred is None or col.pred == CTID:
        return col.key in ("@id", "@type")
    if col.pred == ASN + "inLanguage":
        return False   # the upload's language is used when the column is empty
    return any((cls, col.pred) in required for cls in _classes(col))


def instruction(col: Column) -> str:
    descriptions, _ = _shape_facts()
    text = _OWN.get(col.key) or next((descriptions[(cls, col.pred)] for cls in _classes(col)
                                      if (cls, col.pred) in descriptions), "")
    where = {"framework": "Framework row.", "competency": "Competency rows."}.get(col.where, "")
    parts = ["Required." if is_required(col) else "", where, text,
             "Separate several values with |." if col.multi else ""]
    return " ".join(p for p in parts if p)


def is_instruction_row(cells: list[str]) -> bool:
    """A row of a template's instructions (``--instructions``), to be skipped on upload."""
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    texts = {instruction(c) for layout in LAYOUTS for c in template_columns(layout)}
    return all(c in texts for c in filled)


def framework_template(layout: str = "template", sample: bool = False, instructions: bool = False,
                       fmt: str = "csv") -> bytes:
    """A header row (required columns marked in the instructions), then optionally a row of
    instructions and sample rows.  ``fmt``: csv or xlsx (instructions as notes)."""
    from ..sheets import workbook as spreadsheet

    columns = template_columns(layout)
    rows: list[list[str]] = [[c.label for c in columns]]
    if instructions:
        rows.append([instruction(c) for c in columns])
    if sample:
        rows += [[row.get(c.key, "") for c in columns] for row in _SAMPLE[layout]]
    fmt = (fmt or "csv").lower().lstrip(".")
    if fmt == "csv":
        return spreadsheet.write_csv(rows)
    if fmt == "xlsx":
        specs = [spreadsheet.SheetColumn(c.label, note=instruction(c), multiple=c.multi, required=is_required(c))
                 for c in columns]
        return spreadsheet.write_xlsx("Competency framework", specs, rows[1:])
    raise InputError(f'unknown template format "{fmt}"; use csv or xlsx', code="bulk.unknown-format")
