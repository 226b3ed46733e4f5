"""frame: registry form, lossless (re-reading the output gives the same graph), deterministic."""
import json
from pathlib import Path

import pytest
from rdflib.compare import to_isomorphic

from transformer import parse
from transformer.context import input_context
from transformer.enrich import Options, enrich
from transformer.frame import frame
from transformer.lift import Lifter
from transformer.pipeline import _main_type, find_payload, lift_ctdl

ROOT = Path(__file__).parent.parent
INPUTS = sorted((ROOT / "tests" / "data" / "assistant-pairs").glob("*.input.json")) + [ROOT / "examples" / "organization.json"]


def enriched(path: Path, registry="https://credentialengineregistry.org/"):
    body = parse.parse_json(path.read_bytes())
    wrapper, payload, base = find_payload(body, None)
    lifter = Lifter(input_context(), body.get("DefaultLanguage", "en-US"))
    main = lifter.lift_node(payload, input_context(), base)
    lifter.graph.main = main
    _main_type(lifter.graph, lifter.graph.nodes[main], wrapper, base, lifter.problems)
    return enrich(lifter.graph, Options(registry=registry), lifter.problems)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_output_reads_back_as_the_same_graph(path):
    graph = enriched(path)
    doc = json.loads(json.dumps(frame(graph)))
    back = lift_ctdl(doc, "", [])
    assert to_isomorphic(graph.to_rdflib()) == to_isomorphic(back.to_rdflib())


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_registry_form(path):
    doc = frame(enriched(path))
    assert doc["@context"] == "https://credreg.net/ctdl/schema/context/json"
    main = doc["@graph"][0]
    ctid = main["ceterms:ctid"]
    assert doc["@id"] == f"https://credentialengineregistry.org/graph/{ctid}"
    assert main["@id"] == f"https://credentialengineregistry.org/resources/{ctid}"
    assert list(main)[:3] == ["@type", "@id", "ceterms:ctid"]
    for entry in doc["@graph"][1:]:  # inline entities come after the main resource, as _: nodes
        assert entry["@id"].startswith("_:")

    def no_empty(v):
        if isinstance(v, dict):
            assert v, "empty object in output"
            for x in v.values():
                no_empty(x)
        elif isinstance(v, list):
            assert v, "empty list in output"
            for x in v:
                no_empty(x)
        else:
            assert v not in ("", None)
    no_empty(doc)


def test_output_is_deterministic():
    path = ROOT / "tests" / "data" / "assistant-pairs" / "Certification_ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec.input.json"
    assert json.dumps(frame(enriched(path))) == json.dumps(frame(enriched(path)))


def test_references_are_uri_strings_and_inline_entities_are_referenced_by_blank_id():
    path = ROOT / "tests" / "data" / "assistant-pairs" / "Certification_ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec.input.json"
    doc = frame(enriched(path, registry="https://sandbox.credentialengineregistry.org/"))
    main = doc["@graph"][0]
    assert main["ceterms:ownedBy"] == ["https://sandbox.credentialengineregistry.org/resources/ce-a588a18b-2616-4c74-bdcd-6507c0693d0e"]
    accredited = main["ceterms:accreditedBy"]
    assert accredited[0] == "https://sandbox.credentialengineregistry.org/resources/ce-541da30c-15dd-4ead-881b-729796024b8f"
    blank = accredited[1]
    (entry,) = [e for e in doc["@graph"] if e["@id"] == blank]
    assert entry["@type"] == "ceterms:QACredentialOrganization"
    assert entry["ceterms:name"] == {"en-US": "Council on Social Work Education (CSWE)"}


def test_language_maps_and_compact_vocabulary_iris():
    doc = frame(enriched(ROOT / "examples" / "organization.json"))
    main = doc["@graph"][0]
    assert main["ceterms:name"] == {"en-US": "Riverside Technical College"}
    assert main["ceterms:keyword"] == {"en-US": ["Career and technical education", "Associate degrees"]}
    assert [a["ceterms:targetNode"] for a in main["ceterms:agentType"]] == ["orgType:TwoYear", "orgType:PrimarilyOnline"]
    assert main["ceterms:subjectWebpage"] == "https://www.riverside.example.edu"  # as the Registry Assistant publishes it
