"""The two jobs, end to end: format a Registry Assistant request, validate any CTDL document."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import parse, root_cause
from .context import class_context, ctdl_context, document_context, input_context
from .enrich import CTID, Options, enrich
from .errors import UnknownType, WrongShape
from .frame import frame
from .graph import RDF_TYPE, Graph, IRI, Literal
from .lift import Lifter
from .members import apply_links, check_type, lift_members, unknown_request_keys
from .pointer import pointer_join
from .report import Report, Result, VIOLATION, WARNING
from .resources import data_dir
from .validate import validate_graph
from .vocab import schema_index


@lru_cache(maxsize=1)
def wrappers() -> dict:
    return json.loads((data_dir("contexts") / "assistant-wrappers.json").read_text(encoding="utf-8"))


def endpoint_names() -> dict[str, str]:
    """CLI / URL type name (``organization``) -> wrapper key (``Organization``)."""
    return {w["endpoint"]: key for key, w in wrappers()["wrappers"].items()}


@dataclass
class Outcome:
    document: dict | None
    report: Report
    ctid: str | None = None
    type: str | None = None
    wrapper: str | None = None
    request: dict = field(default_factory=dict)   # request-level keys (PublishForOrganizationIdentifier...)


@lru_cache(maxsize=1)
def _input_names() -> dict[str, str]:
    """Predicate IRI -> the simple input name a registrar would write (AgentType)."""
    names: dict[str, str] = {}
    # the global terms, then each request type's own (ceasn:codedNotation is a competency's
    # CodedNotation); the plain, current name first: "Requires" over the legacy alias "RequiredConditions"
    tables = [input_context().terms] + [class_context(spec["class"]).terms for spec in wrappers()["wrappers"].values()]
    terms = [(term, td.iri) for table in tables for term, td in table.items() if td.keyword is None]
    for term, iri in sorted(terms, key=lambda kv: (
            ":" in kv[0], kv[0].endswith(("_Map", "LangMap", "Map")), not kv[0][:1].isupper(), len(kv[0]), kv[0])):
        names.setdefault(iri, term)
    return names


def input_namer(iri: str) -> str:
    if iri == RDF_TYPE:
        return "Type"
    return _input_names().get(iri) or ctdl_context().compact(iri)


def ctdl_namer(iri: str) -> str:
    return "@type" if iri == RDF_TYPE else ctdl_context().compact(iri)


def _merge(problems: list[Result], shape_results: list[Result]) -> Report:
    """Lift/enrich know more about a value than a shape does: their word wins at the same place."""
    taken = {r.path for r in problems if r.severity == VIOLATION}
    taken_codes = {(r.path, r.code) for r in problems}
    report = Report(list(problems))
    for r in shape_results:
        if r.path in taken and r.severity == VIOLATION or (r.path, r.code) in taken_codes:
            continue
        report.add(r)
    return report


def find_payload(body: dict, kind: str | None) -> tuple[str, Any, str]:
    """(wrapper key, payload, pointer) from a request body and an optional endpoint type name."""
    table = wrappers()["wrappers"]
    names = endpoint_names()
    wanted = None
    if kind is not None:
        wanted = names.get(kind.lower())
        if wanted is None:
            raise UnknownType(f'unknown type "{kind}"; use one of: {", ".join(sorted(names))}.')
    # a wrapper holds an object ("CredentialType" is also the type of an unwrapped credential)
    present = [k for k in body if k in table and (isinstance(body[k], dict) or k != "CredentialType")]
    if len(present) > 1:
        raise UnknownType(f"the request holds several resources ({', '.join(present)}); send one per request.")
    if present:
        key = present[0]
        if wanted and key != wanted and not (table[wanted]["accepts"] == table[key]["accepts"]):
            raise UnknownType(f'the request holds a {key} but was sent as "{kind}"; '
                              f'send it as "{table[key]["endpoint"]}" or change the wrapper key.')
        return _more_specific(wanted, key), body[key], "/" + key
    request_keys = set(wrappers()["request_keys"])
    terms = input_context().terms
    keys = [k for k in body if k not in request_keys]
    if wanted is not None and (not keys or any(k in terms or ":" in k for k in keys)):
        return wanted, body, ""
    if wanted is not None:
        raise UnknownType(f"no {wanted} found: the top-level keys ({', '.join(keys)}) are neither a "
                          f'"{wanted}" wrapper nor {wanted} properties. Send {{"{wanted}": {{...}}}}.')
    if any(k in body for k in ("Type", "@type", "CredentialType")):
        return None, body, ""
    known = ", ".join(table)
    raise UnknownType(f"cannot tell what this is: no {known} key at the top level, and no Type. "
                      f"Wrap the resource, e.g. {{\"Organization\": {{...}}}}, or name the type.")


def _more_specific(wanted: str | None, key: str) -> str:
    """Of the endpoint's wrapper and the one the request uses (same family: learningopportunity,
    learningprogram, course), the one whose resource is the narrower class: a Course sent to
    learningopportunity/publish is a course, a LearningOpportunity sent to course/publish too."""
    if wanted is None or wanted == key:
        return key
    table, ctx = wrappers()["wrappers"], ctdl_context()
    a, b = table[wanted].get("default_type"), table[key].get("default_type")
    if a and b and schema_index().is_subclass(ctx.expand_curie(b), ctx.expand_curie(a)) and a != b:
        return key
    return wanted


def format_request(data: bytes | str | dict, kind: str | None = None, opts: Options | None = None,
                   engine: str | None = None, rules=None, provisional: bool = False,
                   built: bool = False) -> Outcome:
    """A Registry Assistant request -> CTDL, checked; ``provisional``: a provisional record (the
    Registry Assistant's {type}/provisional), checked against shapes/provisional/ instead of the full
    minimum data policy; ``built``: a request this library made (a spreadsheet row's), whose nesting
    is its own and is not measured again."""
    opts = opts or Options()
    problems: list[Result] = []
    body = data if isinstance(data, dict) else parse.parse_json(data, problems)
    body = parse.require_object(body, "the request")
    if isinstance(data, dict) and not built:
        parse.check_depth(body)
    wrapper, payload, base = find_payload(body, kind)
    if not isinstance(payload, dict):
        raise WrongShape(f"{wrapper or 'the resource'} must be a JSON object {{...}}, "
                         f"not {type(payload).__name__.replace('list', 'a list').replace('str', 'text')}.",
                         pointer=base)
    language = body.get("DefaultLanguage") or opts.language
    if not isinstance(language, str):
        language = opts.language
    spec = wrappers()["wrappers"].get(wrapper) if wrapper else None
    lifter = Lifter(input_context(), language)
    lifter.problems = problems
    main = lifter.lift_node(payload, class_context(spec["class"] if spec else None), base)
    graph = lifter.graph
    graph.main = main
    if spec is not None and base:      # a wrapped resource: the request's other keys
        lift_members(lifter, body, spec, problems)
        for key in unknown_request_keys(body, wrapper, spec, set(wrappers()["request_keys"])):
            problems.append(Result(WARNING, "unknown-property", f'"{key}" is not part of a {wrapper} request; it '
                                   "was ignored", path=pointer_join("", key), property=key,
                                   fix=f"Move it into {wrapper}, or remove it."))
    _reference_objects(lifter, body)
    node = graph.nodes[main]
    _main_type(graph, node, wrapper, base, problems)
    enrich(graph, Options(opts.registry, language), problems)
    if spec is not None:
        apply_links(graph, spec, body)
    # both layers, as `ctdl validate` runs them: what format emits has no violation it did not report
    shape_results = _both_layers(graph, input_namer, engine, problems, rules,
                                 "provisional" if provisional else "policy")
    report = _merge(problems, shape_results)
    doc = frame(graph, opts)
    main_node = graph.nodes.get(graph.main)
    ctid = main_node.first(CTID) if main_node else None
    request = {k: v for k, v in body.items() if k in wrappers()["request_keys"]}
    return Outcome(doc, report, ctid.value if isinstance(ctid, Literal) else None,
                   ctdl_context().compact(main_node.types[0]) if main_node and main_node.types else None,
                   wrapper, request)


def _both_layers(graph: Graph, namer, engine: str | None, said_before: list[Result] = (),
                 rules=None, policy: str = "policy") -> list[Result]:
    """The policy shapes, then the schema layer (generated from the encodings: ranges, classes of
    embedded nodes, concept schemes) where neither a policy shape nor ``said_before`` has already
    said what is wrong at that place: the registrar's words are not repeated in the schema's."""
    results = validate_graph(graph, namer, engine, layer=policy, rules=rules)
    said = {(r.path, r.severity) for r in [*results, *said_before]}
    return results + [r for r in validate_graph(graph, namer, engine, layer="schema", rules=rules)
                      if (r.path, r.severity) not in said]


def _reference_objects(lifter: Lifter, body: dict) -> None:
    """ReferenceObjects (a request-level list beside the resource): objects published as blank nodes
    that the resource refers to by their Id ("_:..."), as the Registry Assistant does."""
    objects = body.get("ReferenceObjects")
    if objects is None:
        return
    if not isinstance(objects, list):
        lifter.problem(VIOLATION, "wrong-type", "ReferenceObjects must be a list of objects, each with its Id "
                       '("_:" and a GUID) and Type', "/ReferenceObjects", "ReferenceObjects")
        return
    for i, obj in enumerate(objects):
        pointer = f"/ReferenceObjects/{i}"
        if not isinstance(obj, dict):
            lifter.problem(VIOLATION, "wrong-type", "each reference object must be an object {...}", pointer,
                           "ReferenceObjects")
            continue
        given = obj.get("Id", obj.get("@id"))
        if not (isinstance(given, str) and given.startswith("_:")):
            lifter.problem(VIOLATION, "required", 'a reference object needs its Id: "_:" followed by a GUID, the '
                           "value the resource uses to refer to it", pointer + "/Id", "Id")
            continue
        lifter.lift_node(obj, class_context(_reference_class(obj)), pointer)


def _reference_class(obj: dict) -> str | None:
    """The input class a reference object is read as (wrappers "reference_classes", by its type)."""
    t = obj.get("@type", obj.get("Type"))
    return wrappers().get("reference_classes", {}).get(t) if isinstance(t, str) else None


def _main_type(graph: Graph, node, wrapper: str | None, base: str, problems: list[Result]) -> None:
    if wrapper is None:
        return
    credential = IRI(ctdl_context().expand_curie("ceterms:Credential"))
    if wrapper == "Credential" and node.types in ([], [credential]):
        problems.append(Result(VIOLATION, "required", "a Credential needs its type (e.g. "
                               "ceterms:Certificate, ceterms:BachelorDegree)", path=base + "/CredentialType",
                               property="CredentialType",
                               fix="Set CredentialType (or Type) to one of the CTDL credential classes."))
        node.types[:] = [t for t in node.types if t != credential]
        return
    check_type(node, wrappers()["wrappers"][wrapper], wrapper, base, problems)


def validate_document(data: bytes | str | dict, engine: str | None = None, base: str = "",
                      problems: list[Result] | None = None, rules=None, provisional: bool = False) -> Report:
    """Validate any CTDL document: one resource, an ``@graph`` document, or a registry envelope.
    ``base``: the document's JSON pointer in a larger input (an array: "/3"); ``problems``: what
    reading it already said (transformer.documents); ``rules``: the ``RuleSet`` to check against
    (default: the project's); ``provisional``: a provisional record, checked against
    shapes/provisional/ instead of the minimum data policy.  Arrays and folders: transformer.documents."""
    problems = list(problems or [])
    if isinstance(data, dict):
        doc = data
        parse.check_depth(doc)
    else:
        text, read = parse.read_text(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        problems += read
        doc = parse.parse_json(text, problems)
    doc = parse.require_object(doc, "a CTDL document")
    if isinstance(doc.get("decoded_resource"), dict):
        doc, base = doc["decoded_resource"], base + "/decoded_resource"
    from .legacy import read_legacy_forms
    from .structure import check_structure
    from .structure import schema as structure_schema

    doc, legacy, renamed = read_legacy_forms(doc, base)
    problems += legacy
    structural, unresolved = check_structure(doc, base)
    graph = lift_ctdl(doc, base, problems)
    classes = schema_index().classes
    if not any(t in classes for node in graph.nodes.values() for t in node.types):
        problems.append(Result(VIOLATION, "nothing-to-check",
                               "the document holds no CTDL resource (no node has the @type of a CTDL class), "
                               "so nothing in it could be checked", path=base or "/",
                               fix='Give the resource its CTDL @type (e.g. "@type": "ceterms:Certificate") and '
                                   'the CTDL @context, or check that this is the file you meant.'))
    results = _both_layers(graph, ctdl_namer, engine, rules=rules, policy="provisional" if provisional else "policy")
    deprecated = structure_schema().superseded
    if deprecated:   # a class CTDL replaced is said once, as deprecated (with its replacement), not also as wrong-class
        results = [r for r in results if not (r.code == "wrong-class" and r.value
                                              and ctdl_context().compact(r.value) in deprecated)]
    main = {n.id for n in graph.nodes.values() if n.pointer in (base, base + "/@graph/0")}
    results = root_cause.fold(results, graph, main)   # a mistyped node: one error on its @type
    if unresolved:   # what the shapes say of a blank node that is not there is noise: it is reported once
        results = [r for r in results if r.focus not in unresolved]
    legacy_maps = tuple(r.path + "/" for r in structural if r.code == "language-map")
    if legacy_maps:  # said once as language-map, not as unknown properties "en-us"
        problems = [r for r in problems if not (r.code == "unknown-property" and r.path.startswith(legacy_maps))]
    if renamed:      # point at the keys as written (http://...), not as read
        for r in problems + structural + results:
            r.path = _as_written(r.path, renamed)
    return _merge(problems + structural, results)


def _as_written(pointer: str, renamed: dict[str, str]) -> str:
    """A pointer through keys renamed on reading, through the keys as written."""
    head = pointer
    while head:
        if head in renamed:
            return renamed[head] + pointer[len(head):]
        head = head.rsplit("/", 1)[0]
    return pointer


def lift_ctdl(doc: dict, base: str, problems: list[Result]) -> Graph:
    if "@context" not in doc:
        problems.append(Result(WARNING, "missing-context", "the document has no @context; "
                               "the CTDL context was assumed", path=base or "/",
                               fix='Add "@context": "https://credreg.net/ctdl/schema/context/json".'))
        ctx = ctdl_context()
    else:
        ctx = document_context(doc["@context"])
    lifter = Lifter(ctx)
    lifter.problems = problems
    items = doc.get("@graph")
    if isinstance(items, list):
        body = {k: v for k, v in doc.items() if k not in ("@context", "@graph", "@id")}
        if body:
            lifter.lift_node(body, ctx, base)
        for i, item in enumerate(items):
            if isinstance(item, dict):
                sid = lifter.lift_node(item, ctx, pointer_join(base, "@graph", i))
                if lifter.graph.main is None:
                    lifter.graph.main = sid
            else:
                problems.append(Result(VIOLATION, "wrong-type", "each @graph entry must be an object",
                                       path=pointer_join(base, "@graph", i)))
    else:
        body = {k: v for k, v in doc.items() if k != "@context"}
        lifter.graph.main = lifter.lift_node(body, ctx, base)
    for node in lifter.graph.nodes.values():
        ctid = node.first(CTID)
        if isinstance(ctid, Literal) and ctid.value != ctid.value.strip():
            problems.append(Result(WARNING, "invalid-ctid", "the CTID has spaces around it",
                                   path=node.pointer_of(CTID, ctid)))
    return lifter.graph
