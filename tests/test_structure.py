"""Whole-document checks (transformer/structure.py) through validate_document: a negative case for
each check, and real registry data that must pass them."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from transformer.pipeline import validate_document

DATA = Path(__file__).parent / "data"
CERT = json.loads((DATA / "assistant-pairs" / "Certification_ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec.output.json")
                  .read_text("utf-8"))
MAIN = CERT["@graph"][0]
CODES = {"unknown-class", "unknown-property", "deprecated", "ctid-case", "ctid-mismatch", "unresolved-blank-node",
         "main-not-first", "inverse-one-way", "other-framework", "invalid-language", "language-map"}


def findings(doc: dict) -> list[tuple[str, str, str]]:
    return sorted((r.code, r.severity, r.path) for r in validate_document(doc).results if r.code in CODES)


def edited(**changes) -> dict:
    doc = copy.deepcopy(CERT)
    doc["@graph"][0].update(changes)
    return doc


def test_the_real_certification_passes_every_structure_check():
    assert findings(CERT) == []


@pytest.mark.parametrize("key, suggestion", [("ceterms:inLangaue", "ceterms:inLanguage"),
                                             ("ceterms:subjectWebPage", "ceterms:subjectWebpage"),
                                             ("ceasn:listId", "ceasn:listID")])
def test_unknown_properties_say_what_was_meant(key, suggestion):
    report = validate_document(edited(**{key: "x"}))
    (r,) = [r for r in report.results if r.code == "unknown-property"]
    assert (r.severity, r.path) == ("Violation", f"/@graph/0/{key}") and f"Did you mean {suggestion}?" == r.fix
    assert not report.conforms


def test_unknown_class():
    report = validate_document(edited(**{"@type": "ceterms:Certifcate"}))
    (r,) = [r for r in report.results if r.code == "unknown-class"]
    assert r.path == "/@graph/0/@type" and r.severity == "Violation"
    assert r.fix in ("Did you mean ceterms:Certificate?", "Did you mean ceterms:Certification?")


def test_terms_of_other_vocabularies_are_not_judged():
    assert findings(edited(**{"schema:alternateName": "x", "https://example.org/ext#note": "y"})) == []


def test_superseded_terms_are_warnings_naming_the_replacement():
    report = validate_document(edited(**{"ceterms:creditHourValue": 3}))
    (r,) = [r for r in report.results if r.code == "deprecated"]
    assert r.severity == "Warning" and "ceterms:creditValue" in r.message and r.fix == "Use ceterms:creditValue instead."


def test_upper_case_ctid_is_a_warning_and_still_read():
    doc = edited(**{"ceterms:ctid": MAIN["ceterms:ctid"].upper()})
    report = validate_document(doc)
    assert [(c, s) for c, s, _ in findings(doc)] == [("ctid-case", "Warning")]
    assert not any(r.code == "invalid-format" and r.path.endswith("ceterms:ctid") for r in report.violations)


def test_ctid_and_id_must_agree():
    doc = edited(**{"ceterms:ctid": "ce-11111111-2222-4333-8444-555555555555"})
    assert findings(doc) == [("ctid-mismatch", "Violation", "/@graph/0/ceterms:ctid")]


def test_unresolved_blank_nodes():
    doc = edited(**{"ceterms:recommends": ["_:nowhere"]})
    report = validate_document(doc)
    (r,) = [r for r in report.results if r.code == "unresolved-blank-node"]
    assert r.path == "/@graph/0/ceterms:recommends/0" and r.value == "_:nowhere"
    assert not [x for x in report.results if x.focus == "_:nowhere" or x.focus == "nowhere"]


def test_main_resource_first():
    doc = copy.deepcopy(CERT)
    doc["@graph"].append(doc["@graph"].pop(0))
    (r,) = [r for r in validate_document(doc).results if r.code == "main-not-first"]
    assert r.path == "/@graph/0" and f"/@graph/{len(doc['@graph']) - 1}" in r.message


def test_language_maps():
    doc = edited(**{"ceterms:name": {"english": "A", "en_US": "B", "es": ["C", "D"], "fr": 5}})
    assert findings(doc) == [("invalid-language", "Violation", "/@graph/0/ceterms:name/en_US"),
                             ("invalid-language", "Violation", "/@graph/0/ceterms:name/english")]
    assert any(r.code == "wrong-type" and r.path == "/@graph/0/ceterms:name/fr" for r in validate_document(doc).results)
    legacy = edited(**{"ceterms:keyword": [{"en-us": "welding"}, {"en-us": "safety"}]})
    report = validate_document(legacy)
    assert findings(legacy) == [("language-map", "Warning", "/@graph/0/ceterms:keyword")]
    assert not [r for r in report.results if r.code == "unknown-property"]


def framework(n: int = 3) -> dict:
    base = "https://credentialengineregistry.org/resources/"
    fw = "ce-0e3a1c2b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
    comps = [f"ce-0e3a1c2b-4d5e-4f60-8a7b-9c0d1e2f3a{i:02d}" for i in range(n)]
    nodes = [{"@id": base + fw, "@type": "ceasn:CompetencyFramework", "ceterms:ctid": fw,
              "ceasn:name": {"en-US": "Welding"}, "ceasn:description": {"en-US": "Welding skills."},
              "ceasn:inLanguage": ["en-US"], "ceasn:publisher": [base + "ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f"],
              "ceasn:hasTopChild": [base + comps[0]]}]
    for i, c in enumerate(comps):
        node = {"@id": base + c, "@type": "ceasn:Competency", "ceterms:ctid": c, "ceasn:isPartOf": base + fw,
                "ceasn:competencyText": {"en-US": f"Skill {i}"}, "ceasn:inLanguage": ["en-US"]}
        if i == 0:
            node["ceasn:isTopChildOf"] = base + fw
            node["ceasn:hasChild"] = [base + x for x in comps[1:]]
        else:
            node["ceasn:isChildOf"] = base + comps[0]
        nodes.append(node)
    return {"@context": "https://credreg.net/ctdlasn/schema/context/json", "@id": base.replace("resources", "graph")
            + fw, "@graph": nodes}


def test_a_consistent_framework_has_no_structure_findings():
    assert findings(framework()) == []


def test_inverse_pairs_asserted_one_way():
    doc = framework()
    del doc["@graph"][2]["ceasn:isChildOf"]
    (r,) = [r for r in validate_document(doc).results if r.code == "inverse-one-way"]
    assert r.severity == "Warning" and r.path == "/@graph/1/ceasn:hasChild/0" and "ceasn:isChildOf" in r.fix
    doc = framework()
    del doc["@graph"][1]["ceasn:isTopChildOf"]
    assert ("inverse-one-way", "Warning", "/@graph/0/ceasn:hasTopChild/0") in findings(doc)


def test_competencies_of_another_framework():
    doc = framework()
    doc["@graph"][2]["ceasn:isPartOf"] = "https://credentialengineregistry.org/resources/ce-99999999-2222-4333-8444-555555555555"
    del doc["@graph"][3]["ceasn:isPartOf"]
    assert [x for x in findings(doc) if x[0] == "other-framework"] == [
        ("other-framework", "Violation", "/@graph/2/ceasn:isPartOf"), ("other-framework", "Warning", "/@graph/3")]


def test_real_registry_documents_findings():
    """Findings the registry's own 2017-2018 documents give, for the reasons their content shows."""
    reg = DATA / "registry"
    upper = next(reg.rglob("AssessmentProfile_ce-14C21592-B40A-4A58-B3A7-94E8738FC1F4.json"))
    assert ("ctid-case", "Warning", "/ceterms:ctid") in findings(json.loads(upper.read_text("utf-8-sig")))
    mismatch = next(reg.rglob("agentSchema_invalid_missingEmail_and_place.json"))
    assert ("ctid-mismatch", "Violation", "/ceterms:ctid") in findings(json.loads(mismatch.read_text("utf-8-sig")))
    legacy = next(reg.rglob("CompetencyFramework_ce-ab70cb5f-d75d-3344-864f-df565d1a17d7.json"))
    assert ("language-map", "Warning", "/ceasn:conceptKeyword") in findings(json.loads(legacy.read_text("utf-8-sig")))
    credit = next(reg.rglob("ConditionManifest_ce-27b450cd-40e9-4f93-854d-302dd15cccaa.json"))
    assert any(c == "deprecated" and p.endswith("ceterms:creditHourValue")
               for c, _, p in findings(json.loads(credit.read_text("utf-8-sig"))))


def test_http_iris_are_read_as_https_with_one_warning():
    org = json.loads((Path(__file__).parent / "shapes" / "Organization" / "valid.json").read_text("utf-8"))
    text = json.dumps(org).replace('"orgType:', '"http://purl.org/ctdl/vocabs/orgType/')
    report = validate_document(json.loads(text))
    assert report.conforms
    (w,) = [r for r in report.results if r.code == "http-iri"]
    assert w.severity == "Warning" and w.path.endswith("/ceterms:targetNode") and "https://" in w.fix
    assert validate_document(org).conforms and not [r for r in validate_document(org).results if r.code == "http-iri"]
