"""Every document the registry published (tests/data: 2017-2018 registry records and fixtures,
the Registry Assistant's outputs) is judged as a careful reviewer would: each violation left is a
real defect of that data, of a kind pinned below with its reason. A kind not pinned here is a new
false positive (or a new real defect to pin, with its reason); a pinned kind no longer seen is
removed. Legacy forms the registry serves (bare framework names, language names, contactOption,
FinancialAlignmentObject, language maps inside arrays, http:// CTDL IRIs) are warnings, never here.
"""
from collections import Counter
from pathlib import Path

from transformer.pipeline import validate_document

DATA = Path(__file__).parent / "data"
PUBLISHED = ([p for p in sorted((DATA / "registry").rglob("*.json")) if "invalid" not in str(p)]
             + sorted((DATA / "assistant-pairs").glob("*.output.json"))
             + sorted((DATA / "assistant-pairs-extra").glob("*.output.json")))

MISSING = "a property the registry's minimum data policy requires is absent (2017-2018 records predate the policy)"
NOT_A_REFERENCE = "a bare GUID or text where a reference (a registry URI or CTID) belongs: consumers cannot follow it"
REAL_DEFECTS = {
    ("unknown-term", "shape:CostProfile-currency"): '"US Dollar" is not an ISO 4217 code: consumers reading currency codes misread it',
    ("required", "shape:inLanguage-required"): MISSING,
    ("required-one-of", "shape:AssessmentProfile-ownedOrOfferedBy"): MISSING,
    ("required-one-of", "shape:LearningOpportunity-ownedOrOfferedBy"): MISSING,
    ("required-one-of", "shape:Credential-ownedOrOfferedBy"): MISSING,
    ("required-one-of", "shape:LearningOpportunity-location"): MISSING,
    ("required-one-of", "shape:AssessmentProfile-location"): MISSING,
    ("required", "shape:description-required"): MISSING,
    ("required", "shape:subjectWebpage-required"): MISSING,
    ("required", "shape:CompetencyFramework-publisher-required"): MISSING,
    ("required", "shape:ReferenceStub-subjectWebpage-required"): MISSING,
    ("required", "shape:CostProfile-costDetails-required"): MISSING,
    ("required", "shape:Credential-credentialStatusType-required"): MISSING,
    ("required", "shape:Organization-agentType-required"): MISSING,
    ("required", "shape:Organization-agentSectorType-required"): MISSING,
    ("wrong-range", "shape:schema-ceasn-hasChild-range"): NOT_A_REFERENCE,
    ("not-a-url", "shape:Competency-isPartOf"): NOT_A_REFERENCE,
    ("not-a-url", "shape:CompetencyFramework-hasTopChild"): NOT_A_REFERENCE,
    ("not-a-url", "shape:Competency-isChildOf"): NOT_A_REFERENCE,
    ("not-a-url", "shape:Competency-hasChild"): NOT_A_REFERENCE,
    ("not-a-url", "shape:ConditionProfile-assertedBy"): NOT_A_REFERENCE,
    ("not-a-url", "shape:ConditionProfile-submissionOf"): "text where CTDL takes the URL of what is submitted",
    ("not-a-url", "shape:CredentialAlignmentObject-targetNode"): "an empty target node: the alignment points nowhere",
    ("wrong-range", "shape:schema-ceasn-creator-range"): 'a name ("Georgia DOE") where CTDL takes the organization',
    ("unknown-term", "shape:learningMethodType"): "learnMethod:ElectronicMediaBased is not a Learning Method term",
    ("unknown-term", "shape:Credential-credentialStatusType"): "a 2017 fixture whose context does not define credentialStat:",
    ("invalid-format", "shape:CredentialAlignmentObject-targetNode"): "the same fixture: its term is not a URL",
    ("invalid-format", "shape:ctid"): "urn:ctid:... is not a CTID (a 2017 fixture of the registry's spec)",
    ("unknown-type", ""): '"@type": "@id" in a 2017 fixture',
    ("nothing-to-check", ""): "a 2017 fixture with no CTDL @type: nothing in it can be read as CTDL",
    ("wrong-class", "shape:schema-ceterms-mainJurisdiction-class"): "GeoCoordinates where CTDL takes a Place",
    ("wrong-class", "shape:schema-ceterms-availableAt-class"): "PostalAddress where CTDL takes a Place",
    ("wrong-class", "shape:schema-ceterms-address-class"): "a class CTDL does not give addresses",
    ("wrong-class", "shape:schema-ceterms-creditValue-class"): "schema:ValueProfile is not a class (CTDL's is ceterms:ValueProfile)",
    ("wrong-range", "shape:schema-ceterms-alignmentType-range"): "text where CTDL takes an alignment type term",
    ("unknown-term", "shape:schema-ceterms-verifiedClaimType-scheme"): "not a Claim Type term",
    ("too-short", "shape:description"): 'a description of "test"',
    ("min-greater-than-max", "shape:DurationProfile-durationOrder"): "a minimum duration longer than the maximum",
}


def _violations():
    found = Counter()
    for path in PUBLISHED:
        for r in validate_document(path.read_bytes()).results:
            if r.severity == "Violation":
                found[(r.code, r.shape)] += 1
    return found


def test_every_violation_on_published_data_is_a_pinned_real_defect():
    found = _violations()
    unpinned = {k: n for k, n in found.items() if k not in REAL_DEFECTS}
    assert not unpinned, f"violations on published records that are not pinned real defects: {unpinned}"
    stale = [k for k in REAL_DEFECTS if k not in found]
    assert not stale, f"pinned kinds no longer seen (remove them): {stale}"


def test_the_corpus_is_there():
    assert len(PUBLISHED) > 140
