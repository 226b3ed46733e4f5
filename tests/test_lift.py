"""lift: unit behaviour, and agreement with pyld (the JSON-LD reference) on real inputs."""
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import rdflib
from graphs import assert_isomorphic

from transformer import parse
from transformer.context import INPUT_CONTEXT_URL, ctdl_context, input_context, pyld_loader
from transformer.graph import IRI, BNode, Literal
from transformer.lift import REF, TERM, Lifter, duration_from_object

DATA = Path(__file__).parent / "data" / "assistant-pairs"
C = "https://purl.org/ctdl/terms/"
BASE = "https://credentialengineregistry.org/resources/"


def lift(obj, language="en-US"):
    lifter = Lifter(input_context(), language)
    main = lifter.lift_node(obj, input_context(), "/Organization")
    return lifter, lifter.graph.nodes[main]


def test_simple_names_map_to_ctdl_terms_with_pointers():
    lifter, node = lift({"Name": "Acme", "SubjectWebpage": "https://acme.example/", "AgentType": ["orgType:Vendor", "Primarily Online"]})
    assert node.get(C + "name") == [Literal("Acme", None, "en-US")]
    assert node.get(C + "subjectWebpage") == [IRI("https://acme.example/")]
    assert node.get(C + "agentType") == [IRI("https://purl.org/ctdl/vocabs/orgType/Vendor"), Literal("Primarily Online", TERM)]
    assert node.pointer_of(C + "agentType", Literal("Primarily Online", TERM)) == "/Organization/AgentType/1"
    assert node.key_name[C + "agentType"] == "AgentType"
    assert lifter.problems == []


def test_language_map_and_plain_string_side_by_side():
    _, node = lift({"Name": "Acme", "Name_Map": {"fr": "Acmé", "es": ["Acme ES"]}})
    assert set(node.get(C + "name")) == {Literal("Acme", None, "en-US"), Literal("Acmé", None, "fr"), Literal("Acme ES", None, "es")}
    assert node.pointer_of(C + "name", Literal("Acmé", None, "fr")) == "/Organization/Name_Map/fr"


def test_ctdl_keys_are_accepted_in_simple_input():
    _, node = lift({"ceterms:name": {"en": "Acme"}})
    assert node.get(C + "name") == [Literal("Acme", None, "en")]


def test_references_are_marked_for_enrich():
    _, node = lift({"OwnedBy": ["ce-a588a18b-2616-4c74-bdcd-6507c0693d0e", "https://example.org/x"]})
    assert node.get(C + "ownedBy") == [Literal("ce-a588a18b-2616-4c74-bdcd-6507c0693d0e", REF), IRI("https://example.org/x")]


def test_inline_object_becomes_a_blank_node():
    lifter, node = lift({"AccreditedBy": [{"Type": "QACredentialOrganization", "Name": "QA Body"}]})
    (child_id,) = node.get(C + "accreditedBy")
    assert isinstance(child_id, BNode)
    child = lifter.graph.nodes[child_id]
    assert child.types == [IRI(C + "QACredentialOrganization")]
    assert child.pointer == "/Organization/AccreditedBy/0"


@pytest.mark.parametrize("value, expected, path", [
    (5, "a number (5)", "/Organization/Name"),
    (True, "true/false", "/Organization/Name"),
    ([["a"]], "a list inside a list", "/Organization/Name/0"),
    # an object in a text field is read as a language map: {"a": 1} has a number for language "a"
    ({"a": 1}, "a number (1)", "/Organization/Name/a"),
])
def test_wrong_types_are_reported_with_the_pointer(value, expected, path):
    lifter, node = lift({"Name": value})
    (problem,) = lifter.problems
    assert problem.code == "wrong-type" and problem.path == path
    assert expected in problem.message


def test_number_where_text_is_expected_is_kept():
    _, node = lift({"Name": 5})
    assert node.get(C + "name") == [Literal("5", None, "en-US")]


def test_unknown_key_is_a_warning_with_a_suggestion():
    lifter, _ = lift({"Nmae": "Acme"})
    (problem,) = lifter.problems
    assert problem.code == "unknown-property" and problem.severity == "Warning"
    assert 'Did you mean "Name"?' in problem.fix


def test_property_scoped_context_for_framework_items():
    lifter, node = lift({"OccupationType": [{"Name": "Analysts", "CodedNotation": "15-1122.00"}]})
    child = lifter.graph.nodes[node.get(C + "occupationType")[0]]
    assert child.get(C + "targetNodeName") == [Literal("Analysts", None, "en-US")]
    assert C + "name" not in child.props


# -- agreement with pyld -------------------------------------------------------------------------

def _inputs():
    files = sorted(DATA.glob("*.input.json")) + sorted((DATA / "legacy-2017").glob("*.json"))
    files.append(Path(__file__).parent.parent / "examples" / "organization.json")
    # only simple requests (the graph request and the manifests have no resource wrapper)
    return [f for f in files if _payload(parse.parse_json(f.read_bytes())) is not None]


def _payload(body):
    for key in ("Organization", "Credential", "Assessment", "LearningOpportunity", "LearningProgram", "Course"):
        if isinstance(body.get(key), dict):
            return body[key]
    return None


def _norm(g: rdflib.Graph) -> rdflib.Graph:
    """Language tags are case-insensitive (pyld lower-cases them); lift trims text (on purpose)."""
    out = rdflib.Graph()
    for s, p, o in g:
        if isinstance(o, rdflib.Literal) and o.language:
            o = rdflib.Literal(str(o).strip(), lang=o.language.lower())
        elif isinstance(o, rdflib.Literal) and o.datatype is None:
            o = rdflib.Literal(str(o).strip())
        if isinstance(o, rdflib.Literal) and o.datatype and str(o.datatype).endswith(("decimal", "double", "integer")):
            try:
                o = rdflib.Literal(format(Decimal(str(o)).normalize(), "f"), datatype=o.datatype)
            except InvalidOperation:
                pass
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: p.name)
def test_lift_agrees_with_pyld(path):
    from pyld import jsonld

    body = parse.parse_json(path.read_bytes())
    payload = _payload(body)
    lifter = Lifter(input_context(), None)
    lifter.lift_node(payload, input_context(), "")
    unknown = {p.path.split("/")[-1] for p in lifter.problems if p.code == "unknown-property"}
    # JSON-LD expands a bare vocabulary word against the property's (scoped) @vocab; lift keeps
    # the word for enrich (which looks it up by notation or label): map it the JSON-LD way here.
    ctx = input_context()
    scoped_vocab = {td.iri: ctx.with_scoped(td).vocab for td in ctx.terms.values() if td.type == "@vocab"}
    ours = rdflib.Graph()
    for s, p, o in lifter.graph.triples():
        if isinstance(o, Literal) and o.datatype in (REF, TERM):
            o = IRI(BASE + o.value) if o.datatype == REF else IRI(scoped_vocab.get(p, C) + o.value)
        if " " in str(o) and isinstance(o, IRI):
            continue
        ours.add((_term(s), _term_p(p), _term(o)))

    def strip_unknown(obj):
        if isinstance(obj, dict):
            # our one extension to JSON-LD: a DurationItem object stands for its ISO 8601 string
            return {k: (duration_from_object(v) if k.endswith("Duration") and isinstance(v, dict) else strip_unknown(v))
                    for k, v in obj.items() if k not in unknown and v != {}}
        if isinstance(obj, list):
            return [strip_unknown(v) for v in obj]
        return obj

    doc = {"@context": [INPUT_CONTEXT_URL, {"@base": BASE}], **strip_unknown(payload)}
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": pyld_loader})
    theirs = rdflib.Graph()
    theirs.parse(data=nquads, format="nquads")
    theirs_clean = rdflib.Graph()
    for s, p, o in theirs:
        if not (isinstance(o, rdflib.URIRef) and " " in str(o)):
            theirs_clean.add((s, p, o))
    assert_isomorphic(_norm(theirs_clean), _norm(ours), names=("pyld", "lift"))


def _term(t):
    if isinstance(t, BNode):
        return rdflib.BNode(str(t))
    if isinstance(t, IRI):
        return rdflib.URIRef(t)
    if isinstance(t, Literal):
        if t.lang:
            return rdflib.Literal(t.value, lang=t.lang)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype) if t.datatype else None)
    return rdflib.URIRef(t)


def _term_p(p):
    return rdflib.RDF.type if p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" else rdflib.URIRef(p)


def test_pyld_loader_refuses_anything_not_local():
    from pyld import jsonld

    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "https://example.org/evil-context", "a": 1}, {"documentLoader": pyld_loader})


def test_ctdl_context_is_used_for_compaction():
    assert ctdl_context().compact("https://purl.org/ctdl/vocabs/orgType/Vendor") == "orgType:Vendor"


@pytest.mark.parametrize("obj, iso", [({"Weeks": 4}, "P4W"), ({"Hours": 160}, "PT160H"),
                                      ({"Years": 1, "Months": 2, "Weeks": 3, "Days": 4, "Hours": 5, "Minutes": 6}, "P1Y2M3W4DT5H6M"),
                                      ({"Hours": 1.5}, "PT1.5H"), ({}, ""), ({"Hours": 0}, ""), ({"Fortnights": 2}, None),
                                      ({"Hours": "two"}, None), ({"Hours": -1}, None)])
def test_duration_objects(obj, iso):
    assert duration_from_object(obj) == iso


def test_duration_object_in_a_request_becomes_an_iso_string():
    lifter, node = lift({"EstimatedDuration": [{"ExactDuration": {"Weeks": 4}, "MinimumDuration": {}}]})
    child = lifter.graph.nodes[node.get(C + "estimatedDuration")[0]]
    assert child.get(C + "exactDuration") == [Literal("P4W", "https://schema.org/Duration")]
    assert C + "minimumDuration" not in child.props
