"""The columns of the bulk-upload spreadsheets, read from the shapes, and the template files.

    model = column_model("course")          # learningopportunity | learningprogram | course |
                                            # credential | assessment
    model.columns                           # [Column], in template order
    build_template("course", sample=True, instructions=True, fmt="xlsx")  # -> bytes

Where the columns come from (there is no second, hand-kept list):

* the record node shapes whose ``sh:target [ a ctdlsh:RecordsOf ; ctdlsh:class C ]`` covers the
  upload's classes (C a subclass of the type's class: a "learningopportunity" upload covers
  Learning Opportunity Profile, Learning Program and Course; "credential" every credential class):
  each of their property shapes and each member of their at-least-one (``sh:or``) shapes is about
  one property, and each property is one column;
* the bulk-upload column shapes of ``shapes/bulk.ttl`` whose ``ctdlsh:columnsOf`` names the type's
  class (External Identifier, Target Credentials, Learning Opportunity Class Type, Credit Unit ...);
  where one has the same path as an entity shape (CTID), it defines that column.

Per column: header (``ctdlsh:columnName``, else ``sh:name``, else the CTDL label), group (from the
shapes that require the property: their ``sh:group``, Recommended Benchmark when their severity is
Warning; a property no shape requires takes the group of its value shapes, else Optional), order
(``sh:order``), description (``sh:description``), single or multiple (``sh:maxCount 1``, or
single-valued in the CTDL schema), vocabulary (the ``sh:node`` scheme shape -> its concepts, for
dropdowns; ``sh:in`` lists; for the credential type, the classes the shapes target) and the
Registry Assistant key the column fills (``transformer.pipeline.input_namer`` on the path).
Properties whose values are nested profiles (Estimated Cost, Requires, Jurisdiction...) have no
single-cell form: they are listed in ``ColumnModel.omitted`` and left to the API or the editor.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..context import ctdl_context, input_context
from ..errors import InputError, UnknownType
from ..graph import RDF_TYPE
from ..pipeline import endpoint_names, input_namer, wrappers
from ..resources import data_dir
from ..ruleset import RuleSet
from ..vocab import schema_index, vocabularies

SH = "http://www.w3.org/ns/shacl#"
CTDLSH = "urn:ctdl-assistant:ns:"
CTDLA = "urn:ctdl-assistant:input:"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SHAPE_NS = "urn:ctdl-assistant:shape:"
GROUP_NS = "urn:ctdl-assistant:group:"
CETERMS = "https://purl.org/ctdl/terms/"

REQUIRED, AT_LEAST_ONE, RECOMMENDED, OPTIONAL = "Required", "AtLeastOne", "Recommended", "Optional"
TYPES = ("learningopportunity", "learningprogram", "course", "credential", "assessment")
SEPARATOR = "|"
DEFER = "#DEFER"

# the cell kinds of CTDL value types (schema-index ranges); anything else is a nested profile
_LITERAL_KINDS = {
    "rdf:langString": "text", "xsd:string": "text", "xsd:anyURI": "url", "xsd:date": "date",
    "xsd:dateTime": "date", "xsd:language": "language", "xsd:float": "number", "xsd:decimal": "number",
    "xsd:integer": "number", "xsd:nonNegativeInteger": "number", "xsd:positiveInteger": "number",
    "xsd:boolean": "boolean", "schema:Duration": "duration",
}
_TERM_RANGES = {"ceterms:CredentialAlignmentObject", "skos:Concept"}
# properties whose values are an organization's cost or condition manifests (Step 1 reference data):
# their cells take the manifest's identifier or CTID
MANIFEST_RANGES = {"ceterms:CostManifest": "cost", "ceterms:ConditionManifest": "condition"}


@dataclass(frozen=True)
class Term:
    label: str      # what the dropdown shows ("In-Person Only")
    code: str       # what may be written instead ("InPerson")


@dataclass(frozen=True)
class Rule:
    """One constraint of a bulk column shape, checked cell by cell (transformer/bulk/rows.py)."""
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


# -- the shapes, read once -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _shapes():
    return RuleSet.default().graph()


@lru_cache(maxsize=1)
def _schema_facts() -> dict:
    data = json.loads((data_dir("vocabularies") / "schema-index.json").read_text(encoding="utf-8"))
    ctx = ctdl_context()
    full = lambda c: ctx.expand_curie(c) or c  # noqa: E731
    return {"ranges": {full(k): v for k, v in data["ranges"].items()},
            "single": {full(p) for p in data["single_valued"]},
            "definitions": {full(k): v for k, v in data["definitions"].items()}}


def _compact(iri: str) -> str:
    if iri.startswith(SHAPE_NS):
        return "shape:" + iri[len(SHAPE_NS):]
    return ctdl_context().compact(iri)


class ShapeReader:
    def __init__(self) -> None:
        import rdflib

        self.rdflib = rdflib
        self.g = _shapes()
        self.U = lambda local, ns=SH: rdflib.URIRef(ns + local)  # noqa: E731
        g, U = self.g, self.U
        self.groups: dict[str, tuple[str, int]] = {}
        for grp in g.subjects(U("type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"), U("PropertyGroup")):
            label = str(g.value(grp, U("label", RDFS)) or "")
            self.groups[str(grp)] = (label, int(g.value(grp, U("order")) or 9))
        # classes that have records (RecordsOf targets) or checked reference stubs: what a reference can name
        self.record_targets: dict = {}          # node shape -> set of classes
        self.referenceable: set[str] = set()
        for shape, decl in g.subject_objects(U("target")):
            kinds = {str(t) for t in g.objects(decl, U("type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"))}
            cls = g.value(decl, U("class", CTDLSH))
            if cls is None:
                continue
            if CTDLSH + "RecordsOf" in kinds:
                self.record_targets.setdefault(shape, set()).add(str(cls))
                self.referenceable.add(str(cls))
            if CTDLSH + "ReferencesTo" in kinds:
                self.referenceable.add(str(cls))
        # classes whose shapes target them by class: nested profiles (ConditionProfile, CostProfile...)
        self.profiles = ({str(c) for c in g.objects(None, U("targetClass"))} - schema_index().entity_classes
                         - {CETERMS + "CredentialAlignmentObject"})

    def value(self, s, local, ns=SH):
        return self.g.value(s, self.U(local, ns))

    def values(self, s, local, ns=SH) -> list:
        return list(self.g.objects(s, self.U(local, ns)))

    def text(self, s, local, ns=SH) -> str:
        v = self.value(s, local, ns)
        return str(v) if v is not None else ""

    def path(self, s) -> tuple[str, ...] | None:
        """A predicate or sequence path as a tuple of IRIs; None for other paths."""
        p = self.value(s, "path")
        if p is None:
            return None
        if isinstance(p, self.rdflib.URIRef):
            return (str(p),)
        items = list(self.g.items(p)) if (p, self.rdflib.RDF.first, None) in self.g else []
        if items and all(isinstance(i, self.rdflib.URIRef) for i in items):
            return tuple(str(i) for i in items)
        return None

    def group(self, s) -> tuple[str, int]:
        iri = self.text(s, "group")
        local = iri[len(GROUP_NS):] if iri.startswith(GROUP_NS) else OPTIONAL
        return local, self.groups.get(iri, ("", 9))[1]

    def order(self, s) -> float:
        v = self.value(s, "order")
        try:
            return float(v) if v is not None else 99.0
        except (TypeError, ValueError):
            return 99.0

    def is_warning(self, s) -> bool:
        return self.text(s, "severity") == SH + "Warning"

    def scheme_terms(self, scheme_shape) -> tuple[Term, ...]:
        scheme = self.value(scheme_shape, "conceptScheme", CTDLSH)
        sch = vocabularies().schemes.get(str(scheme)) if scheme is not None else None
        if sch is None:
            return ()
        order = [str(i) for lst in self.values(scheme_shape, "in") for i in self.g.items(lst)]
        concepts = [sch.concepts[i] for i in order if i in sch.concepts] or list(sch.concepts.values())
        return tuple(Term(c.label or c.notation, c.notation) for c in concepts)


# -- the model -------------------------------------------------------------------------------------------
def type_classes(kind: str) -> tuple[str, str, tuple[str, ...]]:
    """(wrapper key, main class, record classes) of an upload type, from the request wrappers and
    the classes the shapes target."""
    kind = normalize_type(kind)
    wrapper = endpoint_names()[kind]
    spec = wrappers()["wrappers"][wrapper]
    ctx = ctdl_context()
    main = ctx.expand_curie(spec["default_type"] or spec["accepts"][0])
    reader = shape_reader()
    targeted = set().union(*reader.record_targets.values())
    schema = schema_index()
    classes = sorted(c for c in targeted if schema.is_subclass(c, main))
    return wrapper, main, tuple(classes)


@lru_cache(maxsize=1)
def shape_reader() -> ShapeReader:
    return ShapeReader()


def column_model(kind: str) -> ColumnModel:
    """The columns of an upload type (built once per process; do not change the object)."""
    return _column_model(normalize_type(kind))


@lru_cache(maxsize=None)
def _column_model(kind: str) -> ColumnModel:
    wrapper, main, classes = type_classes(kind)
    r = shape_reader()
    facts = _schema_facts()
    bulk = _bulk_columns(r, kind, wrapper, main, classes)
    bulk_paths = {c.path for c in bulk}
    entity = _entity_columns(r, classes, bulk_paths)
    columns: list[Column] = []
    omitted: list[tuple[str, str]] = []
    covered_prefixes = {c.path[0] for c in bulk if len(c.path) > 1}
    for col in entity:
        if col.kind == "profile":
            if col.path[0] in covered_prefixes:
                continue
            ranges = [ctdl_context().expand_curie(x) or x for x in facts["ranges"].get(col.path[0], [])]
            nested = next((x for x in ranges if x in r.profiles), ranges[0] if ranges else "")
            what = schema_index().label(nested) if nested else "nested objects"
            omitted.append((col.header, f"its values are nested objects ({what}), which a single cell cannot "
                                        "hold; publish them through the API or the editor"))
            continue
        columns.append(col)
    by_key = {c.key: c for c in columns}
    for col in bulk:
        if col.fills and col.fills in by_key:
            target = by_key[col.fills]
            col = _replace(col, group=target.group, group_label=target.group_label, order=target.order + 0.01)
        columns.append(col)

    def sort_key(c: Column):
        rank = shape_reader().groups.get(GROUP_NS + c.group, ("", 9))[1]
        first = 0 if c.bulk and not c.fills else 1
        return (rank, first, c.order, c.header)

    columns.sort(key=sort_key)
    return ColumnModel(kind, wrapper, main, classes, columns, omitted)


def _replace(col: Column, **changes) -> Column:
    from dataclasses import replace

    return replace(col, **changes)


def _group_label(r: ShapeReader, group: str) -> str:
    return r.groups.get(GROUP_NS + group, (group, 9))[0] or group


def _entity_columns(r: ShapeReader, classes: tuple[str, ...], skip_paths: set) -> list[Column]:
    """One column per property of the record node shapes covering ``classes``."""
    g = r.g
    wanted = set(classes)
    node_shapes = [s for s, cls in r.record_targets.items() if cls & wanted]
    node_shapes.sort(key=lambda s: (r.order(s), str(s)))
    # property -> {"presence": [(group, rank, order, shape)], "format": [...], "shapes": [...]}
    info: dict[str, dict] = {}
    overrides: dict[str, dict] = {}

    def entry(prop: str) -> dict:
        return info.setdefault(prop, {"presence": [], "format": [], "shapes": []})

    for ns in node_shapes:
        for ann in r.values(ns, "column", CTDLSH):
            prop = r.value(ann, "property", CTDLSH)
            if prop is not None:
                overrides[str(prop)] = {"name": r.text(ann, "columnName", CTDLSH),
                                        "aliases": [str(a) for a in r.values(ann, "columnAlias", CTDLSH)]}
        for ps in r.values(ns, "property"):
            path = r.path(ps)
            if not path or path[0] == RDF_TYPE:
                continue
            e = entry(path[0])
            e["shapes"].append(ps)
            group, rank = r.group(ps)
            min_count = r.value(ps, "minCount")
            if min_count is not None and int(min_count) >= 1 and len(path) == 1:
                if r.is_warning(ps):
                    group, rank = RECOMMENDED, r.groups.get(GROUP_NS + RECOMMENDED, ("", 3))[1]
                e["presence"].append((group, rank, r.order(ps), ps))
            else:
                e["format"].append((group, rank, r.order(ps), ps))
        for lst in r.values(ns, "or"):
            group, rank = r.group(ns)
            if r.is_warning(ns):
                group, rank = RECOMMENDED, r.groups.get(GROUP_NS + RECOMMENDED, ("", 3))[1]
            for i, member in enumerate(g.items(lst)):
                path = r.path(member)
                if not path:
                    continue
                entry(path[0])["presence"].append((group, rank, r.order(ns) + i / 10, ns))

    facts = _schema_facts()
    out: list[Column] = []
    for prop, e in info.items():
        if (prop,) in skip_paths:
            continue
        entries = e["presence"] or e["format"]
        if entries:
            best = min(entries, key=lambda x: (x[1], x[2]))
            group, order = best[0], best[2]
        else:
            group, order = OPTIONAL, 99.0
        named = [x[3] for x in sorted(e["presence"], key=lambda x: (x[1], x[2]))
                 if r.text(x[3], "name")] + [s for s in e["shapes"] if r.text(s, "name")]
        ov = overrides.get(prop, {})
        header = ov.get("name") or next((r.text(s, "columnName", CTDLSH) for s in named
                                         if r.text(s, "columnName", CTDLSH)), "")
        sh_name = next((r.text(s, "name") for s in named if (r.path(s) or ("",))[0] == prop), "")
        label = schema_index().label(prop)
        header = header or sh_name or label
        aliases = [a for a in [sh_name, label, *ov.get("aliases", [])] if a and a != header]
        for s in named:
            aliases += [str(a) for a in r.values(s, "columnAlias", CTDLSH)]
        description = next((r.text(s, "description") for s in named
                            if (r.path(s) or ("",))[0] == prop and r.text(s, "description")), "") \
            or facts["definitions"].get(prop, "")
        single = prop in facts["single"] or any(
            int(r.value(s, "maxCount")) <= 1 for s in e["shapes"] if r.value(s, "maxCount") is not None
            and r.path(s) == (prop,))
        terms: tuple[Term, ...] = ()
        for s in e["shapes"]:
            node = r.value(s, "node")
            if node is not None and str(node).startswith(SHAPE_NS + "Scheme-"):
                terms = r.scheme_terms(node)
                break
        kind = _kind(prop, terms, r)
        shapes = tuple(sorted({_compact(str(x[3])) for x in e["presence"] + e["format"]}
                              | {_compact(str(s)) for s in e["shapes"]}))
        input_key = input_namer(prop)
        out.append(Column(key=input_key, header=header, group=group, group_label=_group_label(r, group),
                          order=order, description=description, multiple=not single, kind=kind,
                          input_key=input_key, path=(prop,), vocabulary=terms,
                          aliases=tuple(dict.fromkeys(a for a in aliases if a)), shapes=shapes,
                          free_text=_free_text(prop)))
    return out


def manifest_kind(prop: str) -> str | None:
    """"cost" or "condition" when the property's values are cost or condition manifests."""
    kinds = {MANIFEST_RANGES.get(x) for x in _schema_facts()["ranges"].get(prop, [])}
    return kinds.pop() if len(kinds) == 1 else None


def _kind(prop: str, terms, r: ShapeReader) -> str:
    if terms:
        return "vocabulary"
    facts = _schema_facts()
    ctx = ctdl_context()
    ranges = facts["ranges"].get(prop, [])
    if ranges and all(x in _LITERAL_KINDS for x in ranges):
        return _LITERAL_KINDS[ranges[0]]
    full = [ctx.expand_curie(x) or x for x in ranges]
    if ranges and all(x == "ceterms:Place" for x in ranges):
        return "place"
    if ranges and all(x in MANIFEST_RANGES for x in ranges):
        return "manifest"
    if any(f in r.profiles for f in full):
        # the Registry Assistant takes a nested profile here (Requires: a Condition Profile)
        return "profile"
    if any(f in r.referenceable for f in full):
        return "reference"
    if ranges and all(x in _TERM_RANGES for x in ranges):
        return "term"
    return "profile"


def _bulk_columns(r: ShapeReader, kind: str, wrapper: str, main: str, classes) -> list[Column]:
    """The columns of shapes/bulk.ttl for the type (ctdlsh:columnsOf its main class)."""
    g = r.g
    by_path: dict[tuple, list] = {}
    for s in g.subjects(r.U("columnsOf", CTDLSH), r.rdflib.URIRef(main)):
        path = r.path(s)
        if path:
            by_path.setdefault(path, []).append(s)
    out = []
    schema = schema_index()
    for path, shapes in by_path.items():
        shapes.sort(key=lambda s: (r.group(s)[1], str(s)))
        first = shapes[0]
        group, _ = min((r.group(s) for s in shapes), key=lambda x: x[1])
        header = r.text(first, "columnName", CTDLSH) or r.text(first, "name")
        aliases = [str(a) for s in shapes for a in r.values(s, "columnAlias", CTDLSH)]
        description = max((r.text(s, "description") for s in shapes), key=len)
        rules: list[Rule] = []
        terms: tuple[Term, ...] = ()
        single = False
        for s in shapes:
            message, name = r.text(s, "message"), _compact(str(s))
            for comp in ("minCount", "maxCount", "maxLength", "minLength", "pattern", "datatype", "minInclusive",
                         "maxInclusive"):
                v = r.value(s, comp)
                if v is not None:
                    value = str(v) if comp in ("pattern", "datatype") else v.toPython()
                    rules.append(Rule(comp, value, name, message, r.text(s, "flags")))
                    if comp == "maxCount" and int(value) <= 1:
                        single = True
            for lst in r.values(s, "in"):
                items = [str(i) for i in g.items(lst)]
                rules.append(Rule("in", tuple(items), name, message))
                terms = tuple(Term(i, i.replace(" ", "")) for i in items)
            node = r.value(s, "node")
            if node is not None and str(node).startswith(SHAPE_NS + "Scheme-"):
                terms = r.scheme_terms(node)
                rules.append(Rule("node", str(node), name, message))
        fills = r.value(first, "fills", CTDLSH)
        if path == (RDF_TYPE,):
            kind_ = "type"
            abstract = {main} if not any(c == main for c in classes) else set()
            terms = tuple(Term(schema.label(c), c.rsplit("/", 1)[-1]) for c in classes if c not in abstract)
            terms = tuple(sorted(terms, key=lambda t: t.label.lower()))
            input_key = f"{wrapper}Type" if f"{wrapper}Type" in input_context().terms and \
                input_context().terms[f"{wrapper}Type"].keyword == "@type" else "Type"
            key = input_key
        elif path[0].startswith(CTDLA):
            local = path[0][len(CTDLA):]
            key = local[:1].upper() + local[1:]
            input_key = ""
            kind_ = {"targetCredential": "credentials", "availableAtCode": "place",
                     "externalIdentifier": "identifier"}.get(local, "choice" if terms else "text")
            if local == "learningOpportunityClassType":
                # only the classes of this upload type: a course upload may only hold courses
                table = wrappers()["wrappers"]
                allowed = {w for w, spec in table.items()
                           if spec["default_type"] and ctdl_context().expand_curie(spec["default_type"]) in classes}
                terms = tuple(t for t in terms if t.code in allowed)
        else:
            input_key = _input_path(path)
            key = input_key
            if path == (CETERMS + "ctid",):
                kind_ = "ctid"
            elif manifest_kind(path[-1]):
                kind_ = "manifest"
            elif terms:
                kind_ = "vocabulary"
            elif any(rule.component == "datatype" and rule.value.endswith(("decimal", "float", "integer"))
                     for rule in rules):
                kind_ = "number"
            elif any(rule.component == "datatype" and rule.value.endswith("boolean") for rule in rules):
                kind_ = "boolean"
            else:
                kind_ = "text"
        out.append(Column(key=key, header=header, group=group, group_label=_group_label(r, group),
                          order=min(r.order(s) for s in shapes), description=description, multiple=not single,
                          kind=kind_, input_key=input_key, path=path, vocabulary=terms,
                          aliases=tuple(dict.fromkeys([*aliases, *( [r.text(first, "name")]
                                                                    if r.text(first, "name") != header else [])])),
                          shapes=tuple(_compact(str(s)) for s in shapes), rules=tuple(rules), bulk=True,
                          fills=_input_path((str(fills),)) if fills is not None else "",
                          free_text=kind_ == "text" and _free_text(path[-1])))
    return out


def _free_text(prop: str) -> bool:
    return "rdf:langString" in _schema_facts()["ranges"].get(prop, [])


def _input_path(path: tuple[str, ...]) -> str:
    """Registry Assistant key path of a predicate path: (creditValue, value) -> CreditValue/Value; a
    trailing ceterms:targetNode (vocabulary terms) is where the term goes, not a key."""
    steps = list(path)
    if len(steps) > 1 and steps[-1] == CETERMS + "targetNode":
        steps = steps[:-1]
    ctx = input_context()
    keys = []
    for i, iri in enumerate(steps):
        if i == 0:
            name = input_namer(iri)
        else:
            cands = sorted((k for k, td in ctx.terms.items() if td.iri == iri and td.keyword is None),
                           key=lambda k: (":" in k, k.endswith(("_Map", "LangMap", "Map")), len(k), k))
            name = cands[0] if cands else input_namer(iri)
        keys.append(name)
        td = ctx.terms.get(name)
        if td is not None:
            ctx = ctx.with_scoped(td)
    return "/".join(keys)


# -- cell texts of the template --------------------------------------------------------------------------
_SAMPLES = {
    "TargetCredential": "ce-d271e466-4ebd-4042-a038-597c9ba3184e",
    "TargetCredentialRelationship": "Is Required For",
    "ExternalIdentifier": "abc10012",
    "Description": "An introduction to web page design: layout, typography, accessibility and "
                   "responsive pages, with a portfolio project.",
    "SubjectWebpage": "https://www.example.edu/programs/web-design",
    "InLanguage": "English",
    "AvailableOnlineAt": "https://www.example.edu/programs/web-design/online",
    "AvailabilityListing": "https://www.example.edu/programs/web-design/locations",
    "AvailableAt": "all",
    "Teaches": "ce-76019a27-513b-4fc8-beb7-03ecf60b0a2d",
    "Assesses": "ce-76019a27-513b-4fc8-beb7-03ecf60b0a2d",
    "DeliveryTypeDescription": "Evening classes on campus with weekly online labs.",
    "CreditValue/Value": "3",
    "CreditValue/MaxValue": "4",
    "CreditValue/Description": "Semester credit hours",
    "DateEffective": "2024-09-01",
    "Keyword": "web design|HTML|accessibility",
    "OccupationType": "15-1255.00",
    "IndustryType": "611310",
    "CodedNotation": "WEB 101",
    "IsNonCredit": "FALSE",
    "AssessmentExampleDescription": "Build an accessible two-page site from a written brief in three hours.",
    "AssessmentExample": "https://www.example.edu/assessments/web-design/sample",
}
_SAMPLE_NAMES = {"learningopportunity": "Web Design Certificate Program", "learningprogram": "Web Design Program",
                 "course": "Introduction to Web Design", "credential": "Web Design Certificate",
                 "assessment": "Web Design Practical Exam"}
_SAMPLE_TERMS = {"DeliveryType": "BlendedDelivery", "LearningMethodType": "Lecture", "LifeCycleStatusType": "Active",
                 "CredentialStatusType": "Active", "AudienceLevelType": "BeginnerLevel",
                 "CreditValue/CreditUnitType": "SemesterHour", "AssessmentMethodType": "Exam",
                 "CredentialType": "Certificate", "LearningOpportunityClassType": "LearningOpportunity"}


def sample_value(column: Column, kind: str = "") -> str:
    """The cell of the sample row (realistic, and recognised on upload so that it is skipped)."""
    if column.input_key == "Name":
        return _SAMPLE_NAMES.get(kind, "Web Design Certificate Program")
    if column.key in _SAMPLES:
        return _SAMPLES[column.key]
    if column.vocabulary:
        want = _SAMPLE_TERMS.get(column.key)
        if kind in ("course", "learningprogram") and column.key == "LearningOpportunityClassType":
            want = None
        term = next((t for t in column.vocabulary if t.code == want), column.vocabulary[0])
        return term.label
    return ""


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
    if column.vocabulary:
        labels = column.labels
        listed = ", ".join(labels) if len(labels) <= 25 else ", ".join(labels[:25]) + f" ... ({len(labels)} values)"
        special = ("Select values from: " if column.multiple else "Select one of: ") + listed + "."
    for rule in column.rules:
        if rule.component == "maxLength":
            special = (special + f" Limit {rule.value} characters.").strip()
    return special


# -- build_template --------------------------------------------------------------------------------------
def template_rows(kind: str, properties=None, sample: bool = False, instructions: bool = False,
                  credentials=None) -> tuple[list[Column], list[list[str]]]:
    """(columns, rows: header first) of a template."""
    model = column_model(kind)
    columns = model.select(properties)
    rows = [[c.header for c in columns]]
    if instructions:
        rows.append([instruction_text(c) for c in columns])
    if sample:
        rows.append([sample_value(c, model.type) for c in columns])
    if credentials:
        target = next((i for i, c in enumerate(columns) if c.kind == "credentials"), None)
        if target is None:
            raise InputError(f"a {model.type} upload has no Target Credentials column; credentials can only "
                             "pre-fill learning opportunity and assessment templates",
                             code="bulk.no-target-credentials")
        for cred in credentials:
            cred = str(cred).strip()
            if cred:
                row = [""] * len(columns)
                row[target] = cred
                rows.append(row)
    return columns, rows


def build_template(kind: str, properties=None, sample: bool = False, instructions: bool = False,
                   credentials=None, fmt: str = "csv") -> bytes:
    """The template spreadsheet of an upload type: a header row of the selected columns (Required ones
    always), then an instructions row, a sample row and one row per pre-selected credential, as
    asked.  ``fmt`` "csv" (UTF-8 with BOM, formula-safe) or "xlsx" (frozen header, a dropdown for
    every vocabulary column, each column's instructions as a note, every cell text)."""
    from . import spreadsheet

    columns, rows = template_rows(kind, properties, sample, instructions, credentials)
    fmt = (fmt or "csv").lower().lstrip(".")
    if fmt == "csv":
        return spreadsheet.write_csv(rows)
    if fmt == "xlsx":
        model = column_model(kind)
        specs = [spreadsheet.SheetColumn(c.header, note=instruction_text(c) if c.required else
                                         f"{c.group_label}. {instruction_text(c)}",
                                         choices=tuple(c.labels), multiple=c.multiple, required=c.required)
                 for c in columns]
        return spreadsheet.write_xlsx(_sheet_title(model), specs, rows[1:])
    raise InputError(f'unknown template format "{fmt}"; use csv or xlsx', code="bulk.unknown-format")


def _sheet_title(model: ColumnModel) -> str:
    return {"learningopportunity": "Learning Opportunities", "learningprogram": "Learning Programs",
            "course": "Courses", "credential": "Credentials", "assessment": "Assessments"}.get(model.type, "Data")
