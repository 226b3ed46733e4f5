"""The compiled SHACL engine against pyshacl (the reference), and both against what we expect.

Each folder of ``tests/shacl_cases`` holds ``shapes.ttl`` and ``data.ttl``; the shapes are loaded
together with ``shapes/components.ttl`` (our custom components and target types).  Data is parsed by rdflib without
lexical normalisation (as our lifter produces it: "TRUE"^^xsd:boolean stays "TRUE").  For every
case both engines must give the same multiset of results (focus, path, value, severity, source
shape, component, and the root shape), and that multiset must have the components counted in
``EXPECTED`` -- so a bug shared by both engines is caught too.
"""
from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
import rdflib

from transformer.errors import ShapesError
from transformer.graph import BNode, Graph, IRI, Literal
from transformer.resources import data_dir
from transformer.ruleset import RuleSet
from transformer.shacl import RawResult, get_engine, load_shapes
from transformer.shacl.compiled import CompiledEngine
from transformer.shacl.durations import seconds

CASES = Path(__file__).parent / "shacl_cases"
COMPONENTS = data_dir("shapes") / "components.ttl"
SH = "http://www.w3.org/ns/shacl#"
EX = "http://example.org/"
DURATION_ORDER = "urn:ctdl-assistant:ns:DurationOrderConstraintComponent"

# case -> {component local name (without "ConstraintComponent"): count}
EXPECTED = {
    "blank_nodes": {"Class": 2, "MinCount": 1, "NodeKind": 1},
    "class_subclass": {"Class": 5},
    "closed": {"Closed": 4},
    "datatype_basic": {"Datatype": 14},
    "datatype_illtyped": {"Datatype": 24},
    "deactivated": {"MinCount": 1},
    "duration_order": {"DurationOrder": 7},
    "equals_disjoint": {"Equals": 5, "Disjoint": 2},
    "has_value": {"HasValue": 5},
    "in_mixed": {"In": 10},
    "language_in": {"LanguageIn": 4},
    "less_than": {"LessThan": 3, "LessThanOrEquals": 2},
    "min_max_count": {"MinCount": 3, "MaxCount": 2},
    "multiple_params": {"MinInclusive": 3, "MaxInclusive": 3, "Pattern": 4, "Node": 3, "Not": 3},
    "nested_logic": {"Or": 3},
    "nested_property": {"Node": 2, "NodeKind": 1, "MinCount": 1},
    "node_kind": {"NodeKind": 13},
    "node_vocabulary": {"Node": 1, "MinCount": 1},
    "not_and": {"Not": 2, "And": 2},
    "or_groups": {"Or": 4, "MinCount": 2},
    "paths_complex": {"Class": 4, "Datatype": 2, "MaxCount": 3, "MinCount": 3},
    "pattern_flags": {"Pattern": 7},
    "property_targets": {"Datatype": 1, "MinCount": 3},
    "qualified": {"QualifiedMinCount": 5, "QualifiedMaxCount": 1},
    "range_dates": {"MinInclusive": 10, "MaxExclusive": 5},
    "range_numeric": {"MinInclusive": 6, "MaxExclusive": 4, "MinExclusive": 4, "MaxInclusive": 7},
    "record_targets": {"MinCount": 5, "Datatype": 1},
    "reference_targets": {"MinCount": 14},
    "sequence_dedupe": {"Datatype": 2, "MaxCount": 1, "MinCount": 1},
    "severity_message": {"MinCount": 2, "MaxCount": 1, "Datatype": 1},
    "string_length": {"MinLength": 2, "MaxLength": 5},
    "targets": {"MinCount": 5, "NodeKind": 2, "Datatype": 1, "MaxCount": 1},
    "unique_lang": {"UniqueLang": 2},
    "xone": {"Xone": 4},
}


def short(component: str) -> str:
    return component.rsplit("#", 1)[-1].rsplit(":", 1)[-1].replace("ConstraintComponent", "")


def parse_raw(path_or_text, **kw) -> rdflib.Graph:
    """Parse Turtle keeping lexical forms as written."""
    rdflib.NORMALIZE_LITERALS = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return rdflib.Graph().parse(path_or_text, format="turtle", **kw)
    finally:
        rdflib.NORMALIZE_LITERALS = True


def case_shapes(name: str) -> rdflib.Graph:
    return load_shapes([CASES / name / "shapes.ttl", COMPONENTS])


def both(shapes: rdflib.Graph, graph: Graph) -> tuple[list[RawResult], list[RawResult]]:
    return get_engine("compiled", shapes).validate(graph), get_engine("pyshacl", shapes).validate(graph)


def multiset(results) -> Counter:
    return Counter(r.key() + (r.root_shape,) for r in results)


def test_every_case_has_expectations():
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_engines_agree(name):
    shapes = case_shapes(name)
    graph = Graph.from_rdflib(parse_raw(CASES / name / "data.ttl"))
    compiled, reference = both(shapes, graph)
    assert multiset(compiled) == multiset(reference)
    assert Counter(short(r.component) for r in compiled) == Counter(EXPECTED[name])
    for r in compiled:
        assert isinstance(r.focus, (IRI, BNode, Literal))
        assert r.value is None or isinstance(r.value, (IRI, BNode, Literal))


def test_results_use_the_graphs_own_terms():
    shapes = case_shapes("blank_nodes")
    graph = Graph.from_rdflib(parse_raw(CASES / "blank_nodes" / "data.ttl"))
    for engine in ("compiled", "pyshacl"):
        for r in get_engine(engine, shapes).validate(graph):
            if isinstance(r.focus, BNode):
                assert r.focus in graph.nodes
            if isinstance(r.value, BNode):
                assert r.value in graph.nodes


def test_messages_and_severities():
    shapes = case_shapes("severity_message")
    graph = Graph.from_rdflib(parse_raw(CASES / "severity_message" / "data.ttl"))
    compiled, reference = both(shapes, graph)
    got = {r.path.rsplit("/", 1)[-1]: (r.severity.rsplit("#", 1)[-1], r.message) for r in compiled}
    assert got == {"a": ("Warning", "A is recommended"), "b": ("Info", "B is nice"),
                   "c": (EX + "CustomSeverity", ""), "d": ("Violation", "D must be an integer")}
    assert sorted(r.message for r in reference) == sorted(r.message for r in compiled)


def test_or_group_is_one_node_level_result():
    shapes = case_shapes("or_groups")
    graph = Graph.from_rdflib(parse_raw(CASES / "or_groups" / "data.ttl"))
    contact = [r for r in get_engine("compiled", shapes).validate(graph) if r.shape == EX + "Org-contact"]
    assert contact == [RawResult(IRI(EX + "o2"), None, IRI(EX + "o2"), SH + "Violation", EX + "Org-contact",
                                 SH + "OrConstraintComponent", "Provide an email, a phone or a URL",
                                 EX + "Org-contact")]


def test_root_shape_is_the_nearest_named_shape():
    shapes = case_shapes("nested_property")
    graph = Graph.from_rdflib(parse_raw(CASES / "nested_property" / "data.ttl"))
    for engine in ("compiled", "pyshacl"):
        roots = {(short(r.component), r.shape.startswith("_:"), r.root_shape)
                 for r in get_engine(engine, shapes).validate(graph)}
        assert roots == {("Node", False, EX + "Cred-cost"), ("NodeKind", True, EX + "Cred-owner"),
                         ("MinCount", False, EX + "Cred-owner-name")}


# -- literals that rdflib considers equal -------------------------------------------------------
def test_rdflib_equal_literals_count_once():
    shapes = load_shapes([CASES / "min_max_count" / "shapes.ttl"])
    g = Graph()
    n = g.node(IRI(EX + "p"))
    n.types.append(IRI(EX + "Person"))
    n.add(EX + "name", Literal("Ann", None, "en"))
    n.add(EX + "name", Literal("Ann", None, "EN"))            # same term for rdflib
    n.add(EX + "email", Literal("a@x.org"))
    n.add(EX + "email", Literal("a@x.org", "http://www.w3.org/2001/XMLSchema#string"))  # same
    compiled, reference = both(shapes, g)
    assert multiset(compiled) == multiset(reference)
    assert [short(r.component) for r in compiled] == ["MinCount"]      # one email, one name


def test_reused_reference_engine_matches_a_fresh_pyshacl_run():
    import pyshacl

    name = "or_groups"
    shapes = case_shapes(name)
    graph = Graph.from_rdflib(parse_raw(CASES / name / "data.ttl"))
    engine = get_engine("pyshacl", shapes)
    engine.validate(graph)                                   # warm: shapes graph parsed once
    conforms, report, _ = pyshacl.validate(graph.to_rdflib(), shacl_graph=case_shapes(name))
    assert len(engine.validate(graph)) == len(set(report.objects(None, rdflib.URIRef(SH + "result"))))


def test_engines_are_cached():
    shapes = case_shapes("xone")
    assert get_engine("compiled", shapes) is get_engine("compiled", shapes)
    assert get_engine("reference", shapes) is get_engine("pyshacl", shapes)
    with pytest.raises(ValueError):
        get_engine("nope", shapes)


# -- the duration component: pyshacl (SPARQL) and native agree on a table ----------------------
DURATION_PAIRS = [
    ("PT3H", "PT1H", True), ("PT1H", "PT3H", False), ("P6M", "P3M", True), ("P3M", "P6M", False),
    ("P1Y6M15D", "P2Y8M", False), ("P2Y8M", "P1Y6M15D", True), ("P1DT2H", "PT30H", False),
    ("PT30H", "P1DT2H", True), ("P2W", "P14D", False), ("P15D", "P2W", True),
    ("PT90M", "PT1H30M", False), ("PT91M", "PT1H30M", True), ("PT1.5H", "PT90M", False),
    ("PT1.5H", "PT89M", True), ("P0.5D", "PT12H", False), ("PT45.5S", "PT45S", True),
    ("P1Y", "P365D", False), ("P1Y", "P12M", True), ("P1M", "P30D", False), ("P1M", "P4W", True),
    ("garbage", "P1D", False), ("P1D", "garbage", False), ("P", "P1D", False), ("PT", "P1D", False),
    ("P1DT", "PT1H", False), ("-P1D", "PT1H", False), ("P1,5D", "PT1H", False), ("1D", "PT1H", False),
    ("P1D ", "PT1H", False), ("p1d", "PT1H", False), ("P1H", "PT1H", False), ("PT1D", "PT1H", False),
    ("P1.D", "PT1H", False), ("P.5D", "PT1H", False), ("P1Y1Y", "PT1H", False), ("P2D", "P1W", False),
]
DATATYPES = ["https://schema.org/Duration", None, "http://www.w3.org/2001/XMLSchema#duration"]


def test_duration_seconds():
    assert seconds("P1Y2M3W4DT5H6M7.5S") == 365 * 86400 + 60 * 86400 + 21 * 86400 + 4 * 86400 \
        + 5 * 3600 + 6 * 60 + 7.5
    assert seconds("PT1.5H") == seconds("PT90M") == 5400
    for bad in ("P", "PT", "P1DT", "garbage", "-P1D", "P1,5D", "P1D\n", ""):
        assert seconds(bad) is None


@pytest.mark.parametrize("datatype", DATATYPES)
def test_duration_component_agrees_with_pyshacl(datatype):
    shapes = load_shapes([CASES / "duration_order" / "shapes.ttl", COMPONENTS])
    g = Graph()
    expected = []
    for i, (lo, hi, longer) in enumerate(DURATION_PAIRS):
        n = g.node(IRI(f"{EX}d{i}"))
        n.types.append(IRI(EX + "Duration"))
        n.add(EX + "min", Literal(lo, datatype))
        n.add(EX + "max", Literal(hi, datatype))
        if longer:
            expected.append(IRI(f"{EX}d{i}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled, reference = both(shapes, g)
    assert multiset(compiled) == multiset(reference)
    assert sorted(r.focus for r in compiled) == sorted(expected)
    assert all(r.component == DURATION_ORDER for r in compiled)


# -- ctdlsh:RecordsOf / ctdlsh:ReferencesTo: records and reference stubs -------------------------
C = "https://purl.org/ctdl/terms/"
SPLIT_SHAPES = """@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ctdlsh: <urn:ctdl-assistant:ns:> . @prefix ceterms: <https://purl.org/ctdl/terms/> .
ex:Records a sh:NodeShape ;
    sh:target [ a ctdlsh:RecordsOf ; ctdlsh:class ceterms:Certification ] ,
              [ a ctdlsh:RecordsOf ; ctdlsh:class ceterms:QACredentialOrganization ] ;
    sh:property [ sh:path ceterms:ctid ; sh:minCount 1 ] .
ex:References a sh:NodeShape ;
    sh:target [ a ctdlsh:ReferencesTo ; ctdlsh:class ceterms:Certification ] ,
              [ a ctdlsh:ReferencesTo ; ctdlsh:class ceterms:QACredentialOrganization ] ;
    sh:property [ sh:path ceterms:subjectWebpage ; sh:minCount 1 ] .
"""


def _split_graph(main_is_blank: bool) -> Graph:
    """A certification (blank when given without @id), an accrediting organization referred to by a
    "_:..." reference, one nested in the certification, and a record of an organization."""
    g = Graph()
    main = g.node(BNode("main") if main_is_blank else IRI(EX + "main"))
    main.types.append(IRI(C + "Certification"))
    for label in ("stub", "nested"):
        n = g.node(BNode(label))
        n.types.append(IRI(C + "QACredentialOrganization"))
        main.add(C + "accreditedBy", BNode(label))
    org = g.node(IRI(EX + "org"))
    org.types.append(IRI(C + "QACredentialOrganization"))
    main.add(C + "ownedBy", IRI(EX + "org"))
    return g


@pytest.mark.parametrize("main_is_blank", [False, True], ids=["main-iri", "main-blank"])
def test_records_and_references_split_the_instances(main_is_blank):
    """IRIs and blank nodes nothing refers to are records (a document's main resource given without
    @id among them); blank nodes another node refers to are references.  Both engines agree."""
    shapes = rdflib.Graph().parse(data=SPLIT_SHAPES, format="turtle")
    shapes += load_shapes([COMPONENTS])
    graph = _split_graph(main_is_blank)
    compiled, reference = both(shapes, graph)
    assert multiset(compiled) == multiset(reference)
    by_shape = {(r.root_shape.rsplit("/", 1)[-1], r.focus) for r in compiled}
    main = BNode("main") if main_is_blank else IRI(EX + "main")
    assert by_shape == {("Records", main), ("Records", IRI(EX + "org")),
                        ("References", BNode("stub")), ("References", BNode("nested"))}


def test_referenced_blank_nodes_are_computed_once_and_only_when_needed(monkeypatch):
    from transformer.shacl import compiled as compiled_module

    calls = []
    original = compiled_module.referenced_blank_nodes
    monkeypatch.setattr(compiled_module, "referenced_blank_nodes", lambda g: calls.append(1) or original(g))
    shapes = rdflib.Graph().parse(data=SPLIT_SHAPES, format="turtle") + load_shapes([COMPONENTS])
    engine = CompiledEngine(shapes)
    engine.validate(_split_graph(main_is_blank=True))
    assert calls == [1]                               # three blank instances, one computation
    only_iris = Graph()
    only_iris.node(IRI(EX + "c")).types.append(IRI(C + "Certification"))
    engine.validate(only_iris)
    assert calls == [1]                               # no blank instance: not computed


TARGET_DECLARATIONS_REFUSED = {
    "no class": "[ a ctdlsh:RecordsOf ]",
    "two classes": "[ a ctdlsh:ReferencesTo ; ctdlsh:class ex:A , ex:B ]",
    "literal class": "[ a ctdlsh:RecordsOf ; ctdlsh:class \"ex:A\" ]",
    "both types": "[ a ctdlsh:RecordsOf , ctdlsh:ReferencesTo ; ctdlsh:class ex:A ]",
    "other target type": "[ a ex:MyTarget ; ctdlsh:class ex:A ]",
}


@pytest.mark.parametrize("name", sorted(TARGET_DECLARATIONS_REFUSED))
def test_malformed_record_targets_are_refused(name):
    text = PREFIXES + f"ex:S a sh:NodeShape ; sh:target {TARGET_DECLARATIONS_REFUSED[name]} ."
    shapes = rdflib.Graph().parse(data=text, format="turtle") + load_shapes([COMPONENTS])
    with pytest.raises(ShapesError) as e:
        CompiledEngine(shapes)
    assert EX + "S" in str(e.value)


# -- what the compiler refuses -------------------------------------------------------------------
PREFIXES = """@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ctdlsh: <urn:ctdl-assistant:ns:> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
UNSUPPORTED = {
    "sparql constraint": ("ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:select "
                          "\"SELECT $this WHERE { }\" ] .", "sh:sparql"),
    "sparql target": "ex:S a sh:NodeShape ; sh:target [ sh:select \"SELECT ?this WHERE { }\" ] .",
    "record target type not defined": ("ex:S a sh:NodeShape ; sh:target [ a ctdlsh:RecordsOf ; "
                                       "ctdlsh:class ex:T ] .", "ctdlsh:RecordsOf"),
    "unknown sh: parameter": "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:minSize 3 .",
    "recursion": "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:node ex:S ] .",
    "minCount on node shape": "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:minCount 1 .",
    "inverse of sequence": "ex:S a sh:NodeShape ; sh:property [ sh:path [ sh:inversePath ( ex:a ex:b ) ] ] .",
    "unknown path": "ex:S a sh:NodeShape ; sh:property [ sh:path [ ex:weird ex:a ] ] .",
    "pattern flag s": "ex:S a sh:NodeShape ; sh:property [ sh:path ex:a ; sh:pattern \"a\" ; sh:flags \"s\" ] .",
    "rdf:HTML datatype": "ex:S a sh:NodeShape ; sh:property [ sh:path ex:a ; sh:datatype rdf:HTML ] .",
    "two datatypes": "ex:S a sh:NodeShape ; sh:property [ sh:path ex:a ; sh:datatype ex:x , ex:y ] .",
    "notLongerThan without the component": ("ex:N a sh:NodeShape ; sh:property ex:S . "
                                            "ex:S sh:path ex:a ; ctdlsh:notLongerThan ex:b ."),
    "other custom component": ("ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:foo ] ; "
                               "sh:validator [ sh:ask \"ASK {}\" ] . ex:S a sh:NodeShape ; ex:foo 1 ."),
    "qualifiedValueShape on node shape": ("ex:S a sh:NodeShape ; sh:qualifiedValueShape ex:Q ; "
                                          "sh:qualifiedMinCount 1 ."),
    "sh:in list that loops": ("ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:in _:l1 . "
                              "_:l1 rdf:first ex:a ; rdf:rest _:l2 . _:l2 rdf:first ex:b ; rdf:rest _:l1 .",
                              "loops back"),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_constructs_are_refused(name):
    text = UNSUPPORTED[name]
    text, needle = text if isinstance(text, tuple) else (text, "ex:S")
    shapes = rdflib.Graph().parse(data=PREFIXES + text, format="turtle")
    with pytest.raises(ShapesError) as e:
        CompiledEngine(shapes)
    msg = str(e.value)
    assert needle.replace("ex:", EX) in msg or needle in msg, msg


def test_project_shapes_compile():
    """The shapes in shapes/ (however many there are yet) compile and validate an empty graph."""
    engine = RuleSet.default().policy.engine
    assert engine.validate(Graph()) == []


# -- the project's own shapes on the project's own examples --------------------------------------
SHAPE_EXAMPLES = sorted(p for p in (Path(__file__).parent / "shapes").glob("*/*.json")
                        if not p.name.endswith(".expected.json"))


def _layer_reports(path: Path, layer: str):
    import json

    from transformer.pipeline import ctdl_namer, lift_ctdl
    from transformer.validate import validate_graph

    doc = json.loads(path.read_text(encoding="utf-8"))
    # each run lifts the document again: blank-node focus labels differ, so leave them out; the
    # engines find the same results in different orders (the report sorts them)
    return (sorted(json.dumps({k: v for k, v in r.to_dict().items() if k != "focus"}, sort_keys=True)
                   for r in validate_graph(lift_ctdl(doc, "", []), ctdl_namer, engine, layer=layer))
            for engine in ("compiled", "pyshacl"))


# The policy shapes, by both engines, give the same report on every invalid example of
# tests/shapes/ (the documents that make them speak; that valid examples draw nothing from the
# compiled engine is test_shapes' business); the generated schema layer (1,286 shapes of four kinds)
# on every fourth example, valid or not.  pyshacl takes ~0.15 s per document and layer: slow.
AGREEMENT_RUNS = ([(p, "policy") for p in SHAPE_EXAMPLES if p.name.startswith("invalid")]
                  + [(p, "schema") for p in SHAPE_EXAMPLES[::4]])


def test_the_agreement_runs_are_there():
    assert len(AGREEMENT_RUNS) > 250


@pytest.mark.slow
@pytest.mark.parametrize("path,layer", AGREEMENT_RUNS,
                         ids=[f"{p.parent.name}/{p.name}-{layer}" for p, layer in AGREEMENT_RUNS])
def test_engines_agree_on_the_shape_examples(path, layer):
    compiled, reference = _layer_reports(path, layer)
    assert compiled == reference
