"""One defect, one result: across every document in tests/data (registry records, Registry
Assistant outputs, modelling examples), no two results of `validate` share their pointer and shape,
and no two share their pointer and message; and the rule that folds them (transformer/validate.py
one_per_defect) keeps the most precise word."""
from pathlib import Path

import pytest

from pathways import COMPONENT, PATHWAY, pathway
from transformer.errors import CtdlError
from transformer.pipeline import validate_document
from transformer.report import Result
from transformer.validate import one_per_defect

DATA = Path(__file__).parent / "data"
DOCS = sorted(p for p in DATA.rglob("*.json*") if ".input." not in p.name and "legacy-2017" not in str(p)
              and p.suffix in (".json", ".jsonld"))


def test_the_corpus_is_there():
    assert len(DOCS) > 200


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(DATA)))
def test_no_defect_is_reported_twice(path):
    try:
        report = validate_document(path.read_bytes())
    except CtdlError:
        return
    by_shape, by_message = set(), set()
    for r in report.results:
        if r.shape and r.path:
            assert (r.path, r.shape) not in by_shape, f"twice at {r.path} from {r.shape}: {r.text()}"
            by_shape.add((r.path, r.shape))
        assert (r.path, r.message) not in by_message, f"twice at {r.path}: {r.message}"
        by_message.add((r.path, r.message))


def _r(code, path="/@graph/0/ceterms:currency", shape="shape:CostProfile-currency", message=None, focus="b1"):
    return Result("Violation", code, message or f"{code} here", path=path, shape=shape, focus=focus, value="US Dollar")


def test_the_most_precise_word_is_kept_and_order_too():
    results = [_r("invalid-format"), _r("recommended", path="/@graph/0/ceterms:name", shape="shape:name"),
               _r("unknown-term")]
    assert [r.code for r in one_per_defect(results)] == ["recommended", "unknown-term"]


def test_different_places_or_shapes_stay_apart():
    results = [_r("invalid-format"), _r("invalid-format", path="/@graph/0/ceterms:currency/1"),
               _r("invalid-format", shape="shape:other", message="another word")]
    assert len(one_per_defect(results)) == 3


def test_same_place_same_message_is_one():
    results = [_r("not-a-url", shape="shape:a", message="same"), _r("invalid-format", shape="shape:b", message="same")]
    assert len(one_per_defect(results)) == 1


# -- a mistyped node: one root-cause error on its @type (transformer/root_cause.py) --------------
def pathway_with(component_type: str) -> dict:
    return pathway(component_fields={"ceterms:estimatedCost": [{"@type": "ceterms:CostProfile", "ceterms:price": "a lot"}]},
                   component_type=component_type)


def test_a_mistyped_component_is_one_error_on_its_type():
    results = validate_document(pathway_with("ceterms:Certification")).results
    about = [r for r in results if r.path.startswith("/@graph/1")]
    assert len(about) == 1, [r.text() for r in about]
    (root,) = about
    assert (root.severity, root.code, root.path, root.focus) == ("Violation", "wrong-class", "/@graph/1/@type", COMPONENT)
    assert "ceterms:hasDestinationComponent" in root.message and "ceterms:Certification" in root.message
    assert "ceterms:CredentialComponent" in root.fix          # the class it most likely meant
    assert not [r for r in results if r.code == "wrong-class" and r.path.startswith("/@graph/0")]


def test_a_rightly_typed_component_keeps_its_own_results():
    results = validate_document(pathway_with("ceterms:CredentialComponent")).results
    assert not [r for r in results if r.code == "wrong-class"]
    assert [r for r in results if r.path.startswith("/@graph/1/ceterms:estimatedCost")]   # checked as usual


def test_a_node_one_property_takes_as_it_is_is_not_mistyped():
    from transformer.graph import Graph, IRI
    from transformer.root_cause import mistyped_nodes

    g = Graph()
    main, part = g.node(IRI(PATHWAY), "/@graph/0"), g.node(IRI(COMPONENT), "/@graph/1")
    main.types.append(IRI("https://purl.org/ctdl/terms/Pathway"))
    part.types.append(IRI("https://purl.org/ctdl/terms/Certification"))
    main.add("https://purl.org/ctdl/terms/hasDestinationComponent", IRI(COMPONENT))
    assert set(mistyped_nodes(g, {IRI(PATHWAY)})) == {IRI(COMPONENT)}
    main.add("https://purl.org/ctdl/terms/hasPart", IRI(COMPONENT))       # hasPart takes a Certification
    assert not mistyped_nodes(g, {IRI(PATHWAY)})
    assert not mistyped_nodes(g, {IRI(PATHWAY), IRI(COMPONENT)})          # the main resource never is
