"""The columns of the bulk-upload spreadsheets, read from the shapes.

    model = column_model("course")          # learningopportunity | learningprogram | course |
                                            # credential | assessment
    model.columns                           # [Column], in template order
    (template.build_template("course", sample=True, instructions=True, fmt="xlsx") writes the file)

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

from functools import lru_cache

from ...context import ctdl_context, input_context
from ...graph import RDF_TYPE
from ...pipeline import endpoint_names, input_namer, wrappers
from ...ruleset import RuleSet
from ...vocab import schema_index
from .shapes import ShapeReader, compact, schema_facts
from .columns import OPTIONAL, RECOMMENDED, CETERMS, CTDLA, CTDLSH, Column, ColumnModel, GROUP_NS, LITERAL_KINDS, MANIFEST_RANGES, Rule, SHAPE_NS, TERM_RANGES, Term, normalize_type

# the columns of a row's one condition profile (shapes/bulk.ttl, "ConditionProfile: ..."): ctdla local name
CONDITION_COLUMNS = ("conditionType", "conditionName", "conditionDescription", "conditionCreditUnitValue",
                     "conditionCompetencyFramework", "conditionExternalIdentifier")


# -- the model -------------------------------------------------------------------------------------------
def type_classes(kind: str, rules=None) -> tuple[str, str, tuple[str, ...]]:
    """(wrapper key, main class, record classes) of an upload type, from the request wrappers and
    the classes the shapes (of ``rules``, a RuleSet; default: the project's) target."""
    kind = normalize_type(kind)
    wrapper = endpoint_names()[kind]
    spec = wrappers()["wrappers"][wrapper]
    ctx = ctdl_context()
    main = ctx.expand_curie(spec["default_type"] or spec["accepts"][0])
    reader = shape_reader(rules)
    targeted = set().union(*reader.record_targets.values())
    schema = schema_index()
    classes = sorted(c for c in targeted if schema.is_subclass(c, main))
    return wrapper, main, tuple(classes)


def shape_reader(rules=None) -> ShapeReader:
    """What the shapes of ``rules`` (default: the project's) say of the columns, read once per rule set."""
    return _reader(rules or RuleSet.default())


@lru_cache(maxsize=8)
def _reader(rules) -> ShapeReader:
    return ShapeReader(rules)


def column_model(kind: str, rules=None) -> ColumnModel:
    """The columns of an upload type under ``rules`` (a RuleSet; default: the project's), built once
    per process and rule set; do not change the object."""
    return _column_model(normalize_type(kind), rules or RuleSet.default())


@lru_cache(maxsize=None)
def _column_model(kind: str, rules) -> ColumnModel:
    wrapper, main, classes = type_classes(kind, rules)
    r = shape_reader(rules)
    facts = schema_facts()
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
        rank = r.groups.get(GROUP_NS + c.group, ("", 9))[1]
        first = 0 if c.bulk and not c.fills else 1
        return (rank, first, c.order, c.header)

    columns.sort(key=sort_key)
    return ColumnModel(kind, wrapper, main, classes, columns, omitted, rules)


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

    facts = schema_facts()
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
        shapes = tuple(sorted({compact(str(x[3])) for x in e["presence"] + e["format"]}
                              | {compact(str(s)) for s in e["shapes"]}))
        input_key = input_namer(prop)
        out.append(Column(key=input_key, header=header, group=group, group_label=_group_label(r, group),
                          order=order, description=description, multiple=not single, kind=kind,
                          input_key=input_key, path=(prop,), vocabulary=terms,
                          aliases=tuple(dict.fromkeys(a for a in aliases if a)), shapes=shapes,
                          free_text=_free_text(prop)))
    return out


def manifest_kind(prop: str) -> str | None:
    """"cost" or "condition" when the property's values are cost or condition manifests."""
    kinds = {MANIFEST_RANGES.get(x) for x in schema_facts()["ranges"].get(prop, [])}
    return kinds.pop() if len(kinds) == 1 else None


def _kind(prop: str, terms, r: ShapeReader) -> str:
    if terms:
        return "vocabulary"
    facts = schema_facts()
    ctx = ctdl_context()
    ranges = facts["ranges"].get(prop, [])
    if ranges and all(x in LITERAL_KINDS for x in ranges):
        return LITERAL_KINDS[ranges[0]]
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
    if ranges and all(x in TERM_RANGES for x in ranges):
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
            message, name = r.text(s, "message"), compact(str(s))
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
            special = {"targetCredential": "credentials", "availableAtCode": "place",
                       "externalIdentifier": "identifier", "teachesCompetencyFramework": "framework",
                       **{local: "condition" for local in CONDITION_COLUMNS}}
            # an input-only key of the Registry Assistant (CIP_Codes): the column fills it; the
            # spreadsheet's own columns (External Identifier, Target Credentials...) are read apart
            named = input_namer(path[0])
            input_key = named if local not in special and local != "learningOpportunityClassType" and \
                ":" not in named else ""
            key = input_key or local[:1].upper() + local[1:]
            kind_ = special.get(local, "choice" if terms else "text")
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
            elif _kind(path[-1], (), r) in ("url", "date", "reference"):
                # a URL, a date or a reference read as the entity columns read them (Start Date: 8/15/2025)
                kind_ = _kind(path[-1], (), r)
            else:
                kind_ = "text"
        out.append(Column(key=key, header=header, group=group, group_label=_group_label(r, group),
                          order=min(r.order(s) for s in shapes), description=description, multiple=not single,
                          kind=kind_, input_key=input_key, path=path, vocabulary=terms,
                          aliases=tuple(dict.fromkeys([*aliases, *( [r.text(first, "name")]
                                                                    if r.text(first, "name") != header else [])])),
                          shapes=tuple(compact(str(s)) for s in shapes), rules=tuple(rules), bulk=True,
                          fills=_input_path((str(fills),)) if fills is not None else "",
                          free_text=kind_ == "text" and _free_text(path[-1])))
    return out


def _free_text(prop: str) -> bool:
    return "rdf:langString" in schema_facts()["ranges"].get(prop, [])


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
