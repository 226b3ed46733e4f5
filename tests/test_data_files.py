"""The generated data files (scripts/build_data.py) are well formed and fit together."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

REPO = Path(__file__).resolve().parent.parent
VOCABS = REPO / "vocabularies"
CONTEXTS = REPO / "contexts"
DATA = Path(__file__).resolve().parent / "data"

CETERMS = Namespace("https://purl.org/ctdl/terms/")
CTDLSH = Namespace("urn:ctdl-assistant:ns:")
CTDLA = Namespace("urn:ctdl-assistant:input:")
INPUT_CONTEXT = "urn:ctdl-assistant:context:input"
NON_SCHEME_FILES = {"property-schemes.ttl", "frameworks.ttl", "iso4217.ttl"}


def parse(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


def scheme_files() -> list[Path]:
    return sorted(p for p in VOCABS.glob("*.ttl") if p.name not in NON_SCHEME_FILES)


# -- vocabularies ---------------------------------------------------------------------
def test_there_are_scheme_files():
    names = {p.name for p in scheme_files()}
    assert len(names) >= 40
    assert {"OrganizationType.ttl", "AgentSector.ttl", "CostType.ttl", "PublicationStatus.ttl"} <= names


@pytest.mark.parametrize("path", scheme_files(), ids=lambda p: p.name)
def test_scheme_file_parses_and_has_labelled_concepts(path):
    g = parse(path)
    schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 1, f"{path.name}: expected one skos:ConceptScheme, got {schemes}"
    scheme = schemes.pop()
    assert path.stem.split("-")[-1] == re.split(r"[/#]", str(scheme))[-1]
    assert list(g.objects(scheme, SKOS.prefLabel)), f"{path.name}: scheme has no prefLabel"
    concepts = set(g.subjects(SKOS.inScheme, scheme))
    labelled = [c for c in concepts if (c, RDF.type, SKOS.Concept) in g and list(g.objects(c, SKOS.prefLabel))]
    assert labelled, f"{path.name}: no concept with a skos:prefLabel"
    for c in concepts:
        notation = g.value(c, SKOS.notation)
        assert notation is not None and str(c).endswith(str(notation)), f"{c}: bad skos:notation {notation}"


def test_organization_type_content():
    g = parse(VOCABS / "OrganizationType.ttl")
    vendor = URIRef("https://purl.org/ctdl/vocabs/orgType/Vendor")
    assert (vendor, SKOS.inScheme, CETERMS.OrganizationType) in g
    assert (CETERMS.OrganizationType, SKOS.hasTopConcept, vendor) in g
    assert str(g.value(CETERMS.OrganizationType, CTDLSH.conceptNamespace)) == \
        "https://purl.org/ctdl/vocabs/orgType/"


def test_property_schemes_point_to_scheme_files():
    defined = set()
    for path in scheme_files():
        defined |= set(parse(path).subjects(RDF.type, SKOS.ConceptScheme))
    g = parse(VOCABS / "property-schemes.ttl")
    links = list(g.subject_objects(CTDLSH.targetScheme))
    assert len(links) >= 40
    missing = sorted(f"{p} -> {s}" for p, s in links if s not in defined)
    assert not missing, f"target schemes without a vocabulary file: {missing}"
    assert (CETERMS.agentType, CTDLSH.targetScheme, CETERMS.OrganizationType) in g


def test_frameworks():
    g = parse(VOCABS / "frameworks.ttl")
    inputs = {}
    for fw in g.subjects(RDF.type, CTDLSH.CodeFramework):
        for p in (CTDLSH.inputPredicate, CTDLSH.targetProperty, CETERMS.framework,
                  CETERMS.frameworkName, CTDLSH.codePattern):
            assert g.value(fw, p) is not None, f"{fw} lacks {p}"
        template = g.value(fw, CTDLSH.targetNodeTemplate)  # optional: CIP has no per-code page
        assert template is None or "{code}" in str(template)
        inputs[g.value(fw, CTDLSH.inputPredicate)] = (g.value(fw, CTDLSH.targetProperty),
                                                      re.compile(str(g.value(fw, CTDLSH.codePattern))))
    assert set(inputs) == {CTDLA.socCode, CTDLA.naicsCode, CTDLA.cipCode}
    assert inputs[CTDLA.socCode][0] == CETERMS.occupationType
    assert inputs[CTDLA.socCode][1].match("15-1122.00") and not inputs[CTDLA.socCode][1].match("151122")
    assert inputs[CTDLA.naicsCode][1].match("928110")
    assert inputs[CTDLA.cipCode][1].match("30.1301")


def test_iso4217_codes():
    g = parse(VOCABS / "iso4217.ttl")
    codes = {str(c) for c in g.objects(CTDLSH.CurrencyCodes, CTDLSH.code)}
    assert 170 <= len(codes) <= 190
    assert {"USD", "EUR", "JPY", "GBP"} <= codes
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)


# -- contexts ---------------------------------------------------------------------------
def context_index() -> dict[str, str]:
    return json.loads((CONTEXTS / "index.json").read_text("utf-8"))


def test_context_index_files_exist_and_parse():
    index = context_index()
    for url in ("https://credreg.net/ctdl/schema/context/json", "http://credreg.net/ctdl/schema/context/json",
                "https://credreg.net/ctdlasn/schema/context/json", INPUT_CONTEXT):
        assert url in index
    for url, name in index.items():
        doc = json.loads((CONTEXTS / name).read_text("utf-8"))
        assert "@context" in doc, f"{name} (for {url}) has no @context"


def local_loader(url, options=None):
    """Serves only the contexts of contexts/index.json; anything else is an error."""
    index = context_index()
    if url not in index:
        raise jsonld.JsonLdError(f"not a local context: {url}", "jsonld.LoadDocumentError",
                                 {"url": url}, code="loading remote context failed")
    return {"contextUrl": None, "documentUrl": url,
            "document": json.loads((CONTEXTS / index[url]).read_text("utf-8"))}


def expand(doc: dict) -> list:
    return jsonld.expand(doc, {"documentLoader": local_loader})


def test_loader_refuses_unknown_urls():
    with pytest.raises(jsonld.JsonLdError):
        expand({"@context": "https://example.org/other-context", "name": "x"})


def test_input_context_expands_simple_json():
    context = json.loads((CONTEXTS / "assistant-input.jsonld").read_text("utf-8"))["@context"]
    doc = {"@context": context, "Type": "CredentialOrganization", "Name": "X",
           "AgentType": ["orgType:Vendor", "CertificationBody"],
           "SubjectWebpage": "https://example.org", "CTID": "ce-00000000-0000-0000-0000-000000000000"}
    [node] = expand(doc)
    ct = str(CETERMS)
    assert node["@type"] == [ct + "CredentialOrganization"]
    assert node[ct + "name"] == [{"@value": "X"}]
    assert node[ct + "agentType"] == [{"@id": "https://purl.org/ctdl/vocabs/orgType/Vendor"},
                                      {"@id": "https://purl.org/ctdl/vocabs/orgType/CertificationBody"}]
    assert node[ct + "subjectWebpage"] == [{"@id": "https://example.org"}]
    assert node[ct + "ctid"][0]["@value"] == "ce-00000000-0000-0000-0000-000000000000"


def test_input_context_scoped_terms_and_input_only_predicates():
    doc = {"@context": INPUT_CONTEXT, "Type": "Credential", "CredentialType": "ceterms:Certification",
           "Name": {"en-US": "Cert"},
           "OccupationType": [{"Name": "Analysts", "TargetNode": "https://www.onetonline.org/link/summary/15-1122.00"}],
           "ONET_Codes": ["13-2099.01"],
           "EstimatedCost": [{"Currency": "USD", "CostItems": [{"DirectCostType": "Tuition", "Price": 100}]}],
           "AvailableAt": [{"Country": "United States"}]}
    [node] = expand(doc)
    ct = str(CETERMS)
    assert set(node["@type"]) == {ct + "Credential", ct + "Certification"}
    [name] = node[ct + "name"]
    assert name["@value"] == "Cert" and name["@language"].lower() == "en-us"  # pyld lower-cases map keys
    [occupation] = node[ct + "occupationType"]
    assert occupation[ct + "targetNodeName"] == [{"@value": "Analysts"}]
    assert occupation[ct + "targetNode"] == [{"@id": "https://www.onetonline.org/link/summary/15-1122.00"}]
    assert node[str(CTDLA.socCode)] == [{"@value": "13-2099.01"}]
    [cost] = node[ct + "estimatedCost"]
    [item] = cost[str(CTDLA.costItem)]
    assert item[ct + "directCostType"] == [{"@id": "https://purl.org/ctdl/vocabs/costType/Tuition"}]
    assert node[ct + "availableAt"][0][ct + "addressCountry"] == [{"@value": "United States"}]


def load_input(path: Path) -> dict:
    text = path.read_text("utf-8-sig")
    text = re.sub(r"(?m)^\s*//.*$", "", text)
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


PAYLOAD_KEYS = ("Credential", "Organization", "LearningOpportunity", "Assessment")
INPUTS = sorted(p for p in (DATA / "assistant-pairs").rglob("*.json")
                if not p.name.endswith(".output.json") and "Graph" not in p.name)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_real_inputs_use_only_defined_keys(path):
    """An undefined key would fall back to @vocab and give ceterms:<CapitalisedName>."""
    request = load_input(path)
    payload = next((request[k] for k in PAYLOAD_KEYS if k in request), request)
    doc = dict(payload)
    doc["@context"] = INPUT_CONTEXT
    quads = jsonld.to_rdf(doc, {"documentLoader": local_loader, "format": "application/n-quads"})
    predicates = {line.split(" ")[1] for line in quads.splitlines()}
    assert len(predicates) > 3
    bad = sorted(p for p in predicates if re.match(r"<https://purl\.org/ctdl/terms/[A-Z]", p))
    assert not bad, f"keys not defined by the input context: {bad}"
