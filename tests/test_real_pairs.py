"""The three real Registry Assistant input/output pairs: our output equals the real service's,
up to the deliberate differences listed (and applied) here, each with its reason.

The real outputs were produced on the sandbox registry, so we format with that base URI.
"""
import json
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, URIRef

from graphs import assert_isomorphic
from transformer import parse
from transformer.enrich import Options, SANDBOX_REGISTRY
from transformer.pipeline import format_request, lift_ctdl
from transformer.vocab import vocabularies

DATA = Path(__file__).parent / "data" / "assistant-pairs"
PAIRS = sorted(DATA.glob("*.input.json"))
C = rdflib.Namespace("https://purl.org/ctdl/terms/")
SCHEMA = rdflib.Namespace("https://schema.org/")


def graph(doc: dict) -> rdflib.Graph:
    return lift_ctdl(doc, "", []).to_rdflib()


# -- deliberate differences ------------------------------------------------------------------------
# Each takes (real, ours, request) and returns the two graphs to compare.

def language_tags_are_case_insensitive(real, ours, request):
    """BCP 47 tags are case-insensitive; the registry lower-cases some (ar-sa) and not others (en-US).
    We keep the tag as the publisher wrote it."""
    def norm(g):
        out = rdflib.Graph()
        for s, p, o in g:
            if isinstance(o, rdflib.Literal) and o.language:
                o = rdflib.Literal(str(o), lang=o.language.lower())
            out.add((s, p, o))
        return out
    return norm(real), norm(ours)


def value_profiles_use_the_ctdl_class(real, ours, request):
    """The registry types credit values schema:ValueProfile with schema:description, terms that
    schema.org does not define; CTDL defines ceterms:ValueProfile and ceterms:description."""
    for s in list(real.subjects(RDF.type, SCHEMA.ValueProfile)):
        real.remove((s, RDF.type, SCHEMA.ValueProfile))
        real.add((s, RDF.type, C.ValueProfile))
        for o in list(real.objects(s, SCHEMA.description)):
            real.remove((s, SCHEMA.description, o))
            real.add((s, C.description, o))
    return real, ours


def vocabulary_alignments_carry_names_and_definitions(real, ours, request):
    """For vocabulary terms we give the scheme's label as frameworkName ("Cost Type", where the
    registry prints the local name "CostType") and the concept's definition as
    targetNodeDescription (the issue asks for it; the registry omits it)."""
    vocab = vocabularies()
    for cao in list(real.subjects(RDF.type, C.CredentialAlignmentObject)):
        target = real.value(cao, C.targetNode)
        concept = vocab.concepts.get(str(target)) if target is not None else None
        if concept is None:
            continue
        scheme = vocab.schemes[concept.scheme]
        real.remove((cao, C.frameworkName, None))
        real.add((cao, C.frameworkName, rdflib.Literal(scheme.label, lang="en-US")))
        if concept.definition and real.value(cao, C.targetNodeDescription) is None:
            real.add((cao, C.targetNodeDescription, rdflib.Literal(concept.definition, lang="en-US")))
    return real, ours


def external_code_databases_are_not_shipped(real, ours, request):
    """For ONET_Codes and CIP_Codes the registry looks names and descriptions up in the O*NET and
    CIP databases (over the network); we publish the code with its framework, offline."""
    payload = next(v for v in request.values() if isinstance(v, dict))
    codes = set(payload.get("ONET_Codes", [])) | set(payload.get("CIP_Codes", []))
    for cao in list(real.subjects(RDF.type, C.CredentialAlignmentObject)):
        if str(real.value(cao, C.codedNotation)) in codes:
            real.remove((cao, C.targetNodeName, None))
            real.remove((cao, C.targetNodeDescription, None))
    return real, ours


def main_jurisdiction_is_kept(real, ours, request):
    """The registry drops MainJurisdiction of a JurisdictionProfile (data the publisher sent is
    lost); we publish it as ceterms:mainJurisdiction."""
    for s, o in list(ours.subject_objects(C.mainJurisdiction)):
        ours.remove((s, C.mainJurisdiction, o))
        ours.remove((o, None, None))
    return real, ours


def framework_items_get_their_framework(real, ours, request):
    """A FrameworkItem with a code and no Framework gets the framework its property implies. The
    registry does this for InstructionalProgramType (CIP) but not for OccupationType; we do it for
    both, so every coded alignment says which code list it is from."""
    payload = next(v for v in request.values() if isinstance(v, dict))
    bare = {item.get("CodedNotation") for item in payload.get("OccupationType", [])
            if isinstance(item, dict) and "Framework" not in item}
    for cao in list(ours.subjects(RDF.type, C.CredentialAlignmentObject)):
        if str(ours.value(cao, C.codedNotation)) in bare and (None, C.occupationType, cao) in ours:
            ours.remove((cao, C.framework, None))
            ours.remove((cao, C.frameworkName, None))
    return real, ours


DIFFERENCES = [value_profiles_use_the_ctdl_class,
               vocabulary_alignments_carry_names_and_definitions, external_code_databases_are_not_shipped,
               main_jurisdiction_is_kept, framework_items_get_their_framework,
               language_tags_are_case_insensitive]


def fix_registry_key_typo(doc):
    """The real 160 Driving Academy output has a key with a trailing space
    ("ceterms:financialAssistanceType "), a registry bug: read it as the property it names.
    (Our own validate reports such a key as a warning; see test_validate_reports_key_with_spaces.)"""
    if isinstance(doc, dict):
        return {k.strip(): fix_registry_key_typo(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [fix_registry_key_typo(v) for v in doc]
    return doc


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.name.split("_")[0])
def test_real_pair(path):
    request = parse.parse_json(path.read_bytes())
    outcome = format_request(path.read_bytes(), opts=Options(registry=SANDBOX_REGISTRY))
    real_doc = fix_registry_key_typo(parse.parse_json(Path(str(path).replace(".input.", ".output.")).read_bytes()))
    assert outcome.document["@id"] == real_doc["@id"]
    assert outcome.document["@graph"][0]["@id"] == real_doc["@graph"][0]["@id"]
    real, ours = graph(real_doc), graph(outcome.document)
    for difference in DIFFERENCES:
        real, ours = difference(real, ours, request)
    assert_isomorphic(real, ours, names=("real service", "ctdl-assistant"))


def test_validate_reports_key_with_spaces():
    from transformer.pipeline import validate_document

    path = DATA / "LearningOpportunityProfile_ce-f8885b28-134d-4188-8c86-063aadff14ea.output.json"
    report = validate_document(path.read_bytes())
    assert any(r.code == "unknown-property" and r.path.endswith("/ceterms:financialAssistanceType ")
               for r in report.results)
