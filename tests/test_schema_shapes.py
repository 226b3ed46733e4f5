"""The schema shapes (transformer/schema_shapes.py, shapes/schema/ctdl.ttl): generated from the CTDL
and CTDL-ASN schema encodings, run by whole-document validation."""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transformer.pipeline import lift_ctdl, validate_document
from transformer.schema_shapes import read_encodings, write

ROOT = Path(__file__).resolve().parent.parent
ENCODINGS = ROOT / "vocabularies" / "schema"
COMMITTED = ROOT / "shapes" / "schema" / "ctdl.ttl"
CERT = json.loads((ROOT / "tests" / "data" / "assistant-pairs" /
                   "Certification_ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec.output.json").read_text("utf-8"))


def schema_results(doc: dict) -> list[tuple[str, str, str, str]]:
    return sorted((r.shape, r.code, r.severity, r.path) for r in validate_document(doc).results
                  if r.shape.startswith("shape:schema-"))


def test_generation_is_deterministic_and_the_committed_shapes_are_current(tmp_path):
    a = write(ENCODINGS, tmp_path / "a.ttl")
    b = write(ENCODINGS, tmp_path / "b.ttl")
    assert a == b
    assert COMMITTED.read_text(encoding="utf-8") == a, \
        "shapes/schema/ctdl.ttl is out of date: run `ctdl shapes generate` and review the diff"


def test_every_property_has_its_shapes():
    import rdflib

    classes, properties, _ = read_encodings(ENCODINGS)
    g = rdflib.Graph().parse(str(COMMITTED), format="turtle")
    names = {str(s).rsplit(":", 1)[-1] for s in set(g.subjects()) if str(s).startswith("urn:ctdl-assistant:shape:")}
    assert len(properties) >= 500 and len(classes) >= 140
    for prop, node in properties.items():
        name = "schema-" + prop.replace(":", "-")
        ranges = node.get("schema:rangeIncludes") or []
        domain = node.get("schema:domainIncludes") or []
        if any(c in classes for c in domain) and "rdfs:Resource" not in domain:
            assert f"{name}-domain" in names, prop
        elif "rdfs:Resource" in domain:   # any resource may have it: nothing to check
            assert f"{name}-domain" not in names, prop
        if ranges and all(r in classes for r in ranges):
            assert {f"{name}-range", f"{name}-class"} <= names, prop
    for s in g.subjects(rdflib.RDF.type, rdflib.SH.PropertyShape):   # the conventions of every shape
        for p in ("name", "description", "message", "group", "order"):
            assert g.value(s, rdflib.SH[p]) is not None, (s, p)
    inverse = rdflib.URIRef("urn:ctdl-assistant:ns:inverseOf")
    assert (rdflib.URIRef("https://purl.org/ctdl/terms/hasPart"), inverse,
            rdflib.URIRef("https://purl.org/ctdl/terms/isPartOf")) in g


def test_real_registry_output_passes_the_schema_layer():
    assert schema_results(CERT) == []


def edited(**changes) -> dict:
    doc = copy.deepcopy(CERT)
    doc["@graph"][0].update(changes)
    return doc


def test_domain_is_a_warning():
    doc = edited(**{"ceasn:competencyText": {"en-US": "Weld"}})
    assert ("shape:schema-ceasn-competencyText-domain", "domain", "Warning", "/@graph/0/@type") in schema_results(doc)
    assert validate_document(doc).conforms


def test_a_literal_where_a_resource_belongs_and_the_reverse():
    doc = edited(**{"ceterms:availableAt": ["Main campus"]})
    assert ("shape:schema-ceterms-availableAt-range", "wrong-range", "Violation",
            "/@graph/0/ceterms:availableAt/0") in schema_results(doc)
    doc = edited(**{"ceterms:keyword": [{"@id": "https://example.org/keyword/welding"}]})
    assert any(s == "shape:schema-ceterms-keyword-range" and sev == "Violation"
               for s, _, sev, _ in schema_results(doc))


def test_embedded_nodes_of_the_wrong_class():
    doc = edited(**{"ceterms:availableAt": [{"@type": "ceterms:PostalAddress", "ceterms:addressLocality": "Erie"}]})
    assert any(s == "shape:schema-ceterms-availableAt-class" and (c, v) == ("wrong-class", "Violation")
               and p.startswith("/@graph/0/ceterms:availableAt") for s, c, v, p in schema_results(doc))
    ok = edited(**{"ceterms:availableAt": [{"@type": "ceterms:Place", "ceterms:addressLocality": "Erie"}]})
    assert not [x for x in schema_results(ok) if x[0] == "shape:schema-ceterms-availableAt-class"]


def test_vocabulary_terms_wrapped_in_alignment_objects():
    doc = copy.deepcopy(CERT)
    main = doc["@graph"][0]
    main["ceterms:audienceLevelType"] = [{"@type": "ceterms:CredentialAlignmentObject",
                                          "ceterms:targetNode": "audLevel:NoSuchLevel", "ceterms:framework": "x"}]
    results = schema_results(doc) + [(r.shape, r.code, r.severity, r.path) for r in validate_document(doc).results]
    assert any(c == "unknown-term" and p.endswith("ceterms:audienceLevelType/0/ceterms:targetNode") for _, c, _, p in results)
    main["ceterms:audienceLevelType"][0]["ceterms:targetNode"] = "audLevel:BeginnerLevel"
    assert not [x for x in schema_results(doc) if "audienceLevelType" in x[0]]


def test_the_engines_agree_on_the_schema_layer():
    from transformer.shacl import get_engine
    from transformer.validate import schema_shapes

    reg = ROOT / "tests" / "data" / "registry"
    docs = [CERT] + [json.loads(p.read_text("utf-8-sig")) for p in sorted(reg.rglob("Certification_ce-*.json"))[:3]]
    for doc in docs:
        graph = lift_ctdl(doc, "", [])
        a = {r.key() for r in get_engine("compiled", schema_shapes()).validate(graph)}
        b = {r.key() for r in get_engine("pyshacl", schema_shapes()).validate(graph)}
        assert a == b


def test_a_newer_encoding_gives_a_reviewable_diff(tmp_path):
    src = tmp_path / "encodings"
    shutil.copytree(ENCODINGS, src)
    path = src / "ctdl-schema-encoding.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for node in data["@graph"]:
        if node["@id"] == "ceterms:availableAt":
            node["schema:rangeIncludes"] = ["ceterms:Place", "ceterms:PostalAddress"]
    data["@graph"].append({"@id": "ceterms:newProperty", "@type": "rdf:Property", "rdfs:label": {"en-US": "New Property"},
                           "rdfs:comment": {"en-US": "A property added by a newer CTDL."},
                           "schema:domainIncludes": ["ceterms:Course"], "schema:rangeIncludes": ["xsd:string"]})
    path.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "ctdl.ttl"
    r = subprocess.run([sys.executable, "-m", "service.cli", "shapes", "generate", "--from", src, "-o", out],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    old = set(COMMITTED.read_text(encoding="utf-8").splitlines())
    new = set(out.read_text(encoding="utf-8").splitlines())
    added = {line for line in new - old if not line.startswith("#")}
    assert {"shape:schema-ceterms-newProperty-domain", "shape:schema-ceterms-newProperty-range"} <= added
    class_lines = [line for line in added if "ceterms:PostalAddress" in line]
    assert class_lines and all("sh:in" in line or "sh:description" in line or "sh:message" in line
                               for line in class_lines)
    removed = {line for line in old - new if not line.startswith("#")}
    assert removed and all("availableAt" in line or "sh:order" in line or "PostalAddress" not in line for line in removed)
    assert "lines changed" not in r.stderr and "line(s) changed" in r.stderr


def test_a_domain_class_the_encodings_name_but_do_not_define_is_still_accepted():
    """qdata:Observation (of a newer QData than ours) has schema:value: no false domain warning."""
    from transformer import validate_document

    doc = {"@context": "https://credreg.net/ctdl/schema/context/json",
           "@graph": [{"@type": "qdata:DataSetProfile", "@id": "https://credentialengineregistry.org/resources/"
                                                                   "ce-5b9e4b1c-3e0f-4c47-9a5e-0c9f3c4e2a11",
                       "ceterms:ctid": "ce-5b9e4b1c-3e0f-4c47-9a5e-0c9f3c4e2a11",
                       "ceterms:name": {"en-US": "Graduates"},
                       "qdata:hasObservation": [{"@type": "qdata:Observation", "schema:value": 12}]}]}
    results = validate_document(doc).results
    assert not [r for r in results if r.code == "domain" and "schema:value" in r.message], results
