"""The column model of the record spreadsheets: a column (``Column``: header, property, group,
vocabulary, rules), the columns of an upload type (``ColumnModel``), and the names of headers and
upload types as people write them.  Built from the shapes by ``model.column_model``."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ...errors import InputError, UnknownType

SH = "http://www.w3.org/ns/shacl#"
CTDLSH = "urn:ctdl-assistant:ns:"
CTDLA = "urn:ctdl-assistant:input:"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SHAPE_NS = "urn:ctdl-assistant:shape:"
GROUP_NS = "urn:ctdl-assistant:group:"
CETERMS = "https://purl.org/ctdl/terms/"

REQUIRED, AT_LEAST_ONE, RECOMMENDED, OPTIONAL = "Required", "AtLeastOne", "Recommended", "Optional"
TYPES = ("learningopportunity", "learningprogram", "course", "credential", "assessment", "supportservice",
         "costmanifest")
SEPARATOR = "|"
DEFER = "#DEFER"

# the cell kinds of CTDL value types (schema-index ranges); anything else is a nested profile
LITERAL_KINDS = {
    "rdf:langString": "text", "xsd:string": "text", "xsd:anyURI": "url", "xsd:date": "date",
    "xsd:dateTime": "date", "xsd:language": "language", "xsd:float": "number", "xsd:decimal": "number",
    "xsd:integer": "number", "xsd:nonNegativeInteger": "number", "xsd:positiveInteger": "number",
    "xsd:boolean": "boolean", "schema:Duration": "duration",
}
TERM_RANGES = {"ceterms:CredentialAlignmentObject", "skos:Concept"}
# properties whose values are an organization's cost or condition manifests (Step 1 reference data):
# their cells take the manifest's identifier or CTID
MANIFEST_RANGES = {"ceterms:CostManifest": "cost", "ceterms:ConditionManifest": "condition"}


@dataclass(frozen=True)
class Term:
    label: str      # what the dropdown shows ("In-Person Only")
    code: str       # what may be written instead ("InPerson")


@dataclass(frozen=True)
class Rule:
    """One constraint of a bulk column shape, checked cell by cell (transformer/bulk/records/request.py)."""
    component: str          # minCount, maxCount, maxLength, minLength, pattern, in, datatype, minInclusive
    value: object
    shape: str              # shape:Bulk-externalIdentifier
    message: str            # the shape's sh:message ({value}, {field})
    flags: str = ""


@dataclass(frozen=True)
class Column:
    key: str                        # stable name: the Registry Assistant key path, or the input-only name
    header: str                     # "Learning Opportunity Name"
    group: str                      # "Required" | "AtLeastOne" | "Recommended" | "Optional"
    group_label: str                # "Required" | "Require at least one of" | "Recommended Benchmark" | "Optional"
    order: float
    description: str
    multiple: bool
    kind: str                       # text url date language number boolean duration vocabulary reference
    #                                 term place ctid type choice credentials identifier
    input_key: str                  # "DeliveryType", "CreditValue/Value"; "" for input-only columns
    path: tuple[str, ...]           # predicate IRIs (rdf:type for the credential type)
    vocabulary: tuple[Term, ...] = ()
    aliases: tuple[str, ...] = ()
    shapes: tuple[str, ...] = ()    # the shapes it comes from (compact)
    rules: tuple[Rule, ...] = ()    # cell rules of the bulk column shapes
    bulk: bool = False              # declared in shapes/bulk.ttl
    fills: str = ""                 # key of the column whose property it fills (Available At Codes)
    free_text: bool = False         # language text (a description): a "|" in it is text, not a separator

    @property
    def required(self) -> bool:
        """A Required column: always in the template (it cannot be deselected)."""
        return self.group == REQUIRED

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.vocabulary]

    def to_dict(self) -> dict:
        return {"key": self.key, "header": self.header, "group": self.group_label, "required": self.required,
                "order": self.order, "description": self.description,
                "multiple": self.multiple, "kind": self.kind, "input_key": self.input_key,
                "vocabulary": self.labels, "instructions": instruction_text(self)}


@dataclass
class ColumnModel:
    type: str                       # "course"
    wrapper: str                    # "Course" (the request key)
    main_class: str                 # full IRI
    classes: tuple[str, ...]        # record classes an upload of this type may hold
    columns: list[Column]
    omitted: list[tuple[str, str]] = field(default_factory=list)   # (property label, why)
    rules: object = None            # the RuleSet the columns come from (None: the project's)

    def __post_init__(self) -> None:
        self.by_key = {c.key: c for c in self.columns}
        self._names: dict[str, Column] = {}
        for c in self.columns:
            for name in (c.header, c.key, *c.aliases):
                self._names.setdefault(normalize_header(name), c)

    def find(self, header: str) -> Column | None:
        """The column a header names: its header, an alias, its sh:name or its input key; any case."""
        return self._names.get(normalize_header(header))

    def column_for_input(self, key: str) -> Column | None:
        for c in self.columns:
            if c.input_key == key or c.input_key.split("/")[0] == key and "/" not in c.input_key:
                return c
        return None

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def to_dict(self) -> dict:
        """The columns group by group (for a "select your properties" page), and what has no column."""
        groups: dict[str, list] = {}
        for c in self.columns:
            groups.setdefault(c.group_label, []).append(c.to_dict())
        return {"type": self.type, "wrapper": self.wrapper,
                "groups": [{"group": g, "columns": cols} for g, cols in groups.items()],
                "omitted": [{"property": h, "reason": why} for h, why in self.omitted]}

    def select(self, properties=None) -> list[Column]:
        """The columns of a template: the Required ones always, plus ``properties`` (headers, keys or
        aliases; None: every column), in template order."""
        if properties is None:
            return list(self.columns)
        wanted: set[str] = set()
        unknown = []
        for p in properties:
            col = self.find(str(p))
            if col is None:
                unknown.append(str(p))
            else:
                wanted.add(col.key)
        if unknown:
            names = [c.header for c in self.columns]
            hints = []
            for u in unknown:
                close = difflib.get_close_matches(u, names, n=1, cutoff=0.6)
                hints.append(f'"{u}"' + (f' (did you mean "{close[0]}"?)' if close else ""))
            raise InputError(f"unknown column(s) for {self.type}: {', '.join(hints)}. The columns are: "
                             f"{', '.join(names)}.", code="bulk.unknown-column")
        return [c for c in self.columns if c.required or c.key in wanted]


def normalize_header(text: str) -> str:
    t = re.sub(r"\s+", " ", str(text).replace("\ufeff", "").strip().rstrip("*").strip().lower())
    return t


def type_key(value) -> str:
    """"Learning Opportunity", "learning_opportunity", "LearningOpportunity" -> "learningopportunity"."""
    return str(value or "").strip().lower().replace(" ", "").replace("_", "").replace("-", "")


def normalize_type(kind: str) -> str:
    k = type_key(kind)
    if k not in TYPES:
        raise UnknownType(f'unknown bulk upload type "{kind}"; use one of: {", ".join(TYPES)}.')
    return k


_KIND_RULES = {
    "url": "Must be a properly formatted URL (https://...). Limit 600 characters.",
    "date": "A date, as YYYY-MM-DD.",
    "language": "Language names or codes (English, Spanish, en, fr-CA). If no language is given, English is stored.",
    "reference": "CTIDs (ce- followed by a UUID) of the resources or organizations.",
    "number": "A number.",
    "boolean": "TRUE or FALSE.",
    "place": "Use all for every address of your organization, or the address identifiers from Step 1 "
             "separated by |. Only when adding records, not when updating them.",
    "ctid": "Blank for new records; the record's CTID to update it.",
    "manifest": "The identifiers of your organization's manifests from Step 1 (or their CTIDs), separated by |.",
    "term": "Codes (e.g. SOC 15-1255.00, NAICS 611310) or names.",
    "duration": "An ISO 8601 duration, e.g. P6M.",
}


def instruction_text(column: Column) -> str:
    """The cell of the instructions row: description, special requirements, single or multiple."""
    parts = []
    if column.required:
        parts.append("Required.")
    parts.append(column.description.strip())
    special = special_requirements(column)
    if special:
        parts.append(special)
    parts.append("Multiple values: separate them with |." if column.multiple else "Single value.")
    return " ".join(p for p in parts if p)


def special_requirements(column: Column) -> str:
    """What a cell must hold beyond the description: format, vocabulary, limits (the "Special data
    requirements" of the Publisher's tables; `ctdl shapes docs` prints the same)."""
    special = _KIND_RULES.get(column.kind, "")
    if column.key in ("OwnedBy", "OfferedBy"):
        special = "CTIDs of organizations; blank: your organization."
    if column.key == "CostManifestOf":
        special = "The CTID of an organization; blank: your organization."
    if column.vocabulary:
        labels = column.labels
        listed = ", ".join(labels) if len(labels) <= 25 else ", ".join(labels[:25]) + f" ... ({len(labels)} values)"
        special = ("Select values from: " if column.multiple else "Select one of: ") + listed + "."
    for rule in column.rules:
        if rule.component == "maxLength" and f"Limit {rule.value} characters." not in special:
            special = (special + f" Limit {rule.value} characters.").strip()
    return special
