"""Legacy forms the registry still serves are warnings naming the replacement, never violations
(README, severity policy): language names, bare framework names, contactOption,
FinancialAlignmentObject, language maps inside arrays."""
import json

from pathways import COMPONENT, PATHWAY, pathway
from transformer.pipeline import validate_document

CTID = "ce-0e6a1ab7-4b8c-4b0f-9d6c-2a3e0b1c5d11"
ORG = "https://credentialengineregistry.org/resources/ce-28935e07-76dc-4562-8c43-3ece101686be"


def certificate(**fields):
    node = {"@id": f"https://credentialengineregistry.org/resources/{CTID}", "@type": "ceterms:Certificate",
            "ceterms:ctid": CTID, "ceterms:name": {"en-US": "Welding Certificate"},
            "ceterms:description": {"en-US": "A certificate in welding for shop work."},
            "ceterms:subjectWebpage": "https://example.edu/welding", "ceterms:ownedBy": [ORG],
            "ceterms:inLanguage": ["en-US"],
            "ceterms:credentialStatusType": {"@type": "ceterms:CredentialAlignmentObject",
                                             "ceterms:targetNode": "credentialStat:Active"}}
    node.update(fields)
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [node]}


def results(doc):
    return validate_document(json.dumps(doc)).results


def test_a_language_name_is_read_as_its_code_with_a_warning():
    rs = results(certificate(**{"ceterms:inLanguage": ["English", "Spanish"]}))
    assert not [r for r in rs if r.severity == "Violation" and "inLanguage" in r.path]
    named = [(r.path, r.code, r.fix) for r in rs if r.code == "legacy-form"]
    assert ("/@graph/0/ceterms:inLanguage/0", "legacy-form", 'Write "en" (a BCP 47 language code).') in named
    assert any(p == "/@graph/0/ceterms:inLanguage/1" and '"es"' in f for p, _, f in named)


def test_a_language_that_is_not_a_name_is_still_an_error():
    rs = results(certificate(**{"ceterms:inLanguage": ["Englisch"]}))
    assert [r for r in rs if r.severity == "Violation" and r.path == "/@graph/0/ceterms:inLanguage/0"]


def test_a_bare_framework_name_is_a_warning_naming_the_url():
    cao = {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": "Audience",
           "ceterms:targetNode": "audience:Citizen", "ceterms:targetNodeName": {"en-US": "Citizen"}}
    rs = results(certificate(**{"ceterms:audienceType": [cao]}))
    assert not [r for r in rs if r.severity == "Violation" and "framework" in r.path]
    (w,) = [r for r in rs if r.code == "legacy-form" and r.path.endswith("ceterms:framework")]
    assert w.severity == "Warning" and "https://credreg.net/ctdl/terms/Audience" in w.message


def test_a_framework_that_is_neither_a_url_nor_a_name_is_an_error():
    cao = {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": "the audience list",
           "ceterms:targetNode": "audience:Citizen"}
    rs = results(certificate(**{"ceterms:audienceType": [cao]}))
    assert [r for r in rs if r.severity == "Violation" and r.path.endswith("ceterms:framework")]


def test_contact_option_is_deprecated_not_unknown():
    org = {"@type": "ceterms:ContactPoint", "ceterms:contactOption": ["TollFree"], "ceterms:email": ["a@example.edu"]}
    rs = results(certificate(**{"ceterms:targetContactPoint": [org]}))
    (r,) = [r for r in rs if "contactOption" in r.path]
    assert (r.severity, r.code) == ("Warning", "deprecated") and "ceterms:email" in r.message


def test_financial_alignment_object_is_one_deprecation_warning():
    fao = {"@type": "ceterms:FinancialAlignmentObject", "ceterms:framework": "https://example.org/aid",
           "ceterms:targetNodeName": {"en-US": "Pell Grant"}}
    rs = results(certificate(**{"ceterms:financialAssistance": [fao]}))
    about = [r for r in rs if "financialAssistance" in r.path and r.severity == "Violation"]
    assert not about, about
    assert [r for r in rs if r.code == "deprecated" and "FinancialAlignmentObject" in r.message]


def test_language_maps_inside_an_array_are_read_with_one_warning():
    rs = results(certificate(**{"ceterms:keyword": [{"en-us": "welding"}, {"en-us": "metal"}]}))
    assert not [r for r in rs if r.severity == "Violation" and "keyword" in r.path]
    assert [r for r in rs if r.code == "language-map"]


def test_an_http_key_holding_a_language_name_is_read_in_one_pass_and_pointed_at_as_written():
    doc = certificate()
    node = doc["@graph"][0]
    del node["ceterms:inLanguage"]
    node["http://purl.org/ctdl/terms/inLanguage"] = ["French"]
    rs = results(doc)
    assert not [r for r in rs if r.severity == "Violation" and "inLanguage" in r.path]
    (named,) = [r for r in rs if r.code == "legacy-form"]
    assert named.path == "/@graph/0/http:~1~1purl.org~1ctdl~1terms~1inLanguage/0" and '"fr"' in named.fix
    assert [r for r in rs if r.code == "http-iri"]


FRAMEWORK_CTID = "ce-3f0f1c60-3c1d-4a43-9a55-6f9b8e2c7a11"


def framework(**fields):
    node = {"@id": f"https://credentialengineregistry.org/resources/{FRAMEWORK_CTID}",
            "@type": "ceasn:CompetencyFramework", "ceterms:ctid": FRAMEWORK_CTID,
            "ceasn:name": {"en-US": "Welding Competencies"}, "ceasn:description": {"en-US": "What a welder can do."},
            "ceasn:inLanguage": ["en"], "ceasn:publicationStatusType": "publicationStatus:Published",
            "ceasn:publisher": [ORG], "ceasn:creator": [ORG]}
    node.update(fields)
    return {"@context": "https://credreg.net/ctdlasn/schema/context/json", "@graph": [node]}


def test_a_library_of_congress_language_uri_is_read_as_its_code_with_a_warning():
    rs = results(framework(**{"ceasn:inLanguage": ["http://id.loc.gov/vocabulary/iso639-2/eng",
                                                   "http://id.loc.gov/vocabulary/iso639-1/fr",
                                                   "http://id.loc.gov/vocabulary/iso639-2/haw"]}))
    assert not [r for r in rs if r.severity == "Violation"], [r.text() for r in rs if r.severity == "Violation"]
    fixes = {r.path: r.fix for r in rs if r.code == "legacy-form"}
    assert fixes == {"/@graph/0/ceasn:inLanguage/0": 'Write "en" (a BCP 47 language code).',
                     "/@graph/0/ceasn:inLanguage/1": 'Write "fr" (a BCP 47 language code).',
                     "/@graph/0/ceasn:inLanguage/2": 'Write "haw" (a BCP 47 language code).'}


def test_any_other_uri_in_in_language_is_still_an_error():
    rs = results(framework(**{"ceasn:inLanguage": ["http://id.loc.gov/vocabulary/countries/us"]}))
    assert [r for r in rs if r.severity == "Violation" and r.path == "/@graph/0/ceasn:inLanguage/0"]


def test_asn_and_earlier_publication_status_iris_are_warnings_naming_the_term():
    for given in ("http://purl.org/ASN/scheme/ASNPublicationStatus/Published",
                  "http://purl.org/asn/scheme/ASNPublicationStatus/Draft",
                  "https://purl.org/ctdlasn/vocabs/publicationStatus/Deprecated"):
        rs = results(framework(**{"ceasn:publicationStatusType": given}))
        assert not [r for r in rs if r.severity == "Violation"], (given, [r.text() for r in rs])
        (w,) = [r for r in rs if r.code == "legacy-form"]
        assert w.path == "/@graph/0/ceasn:publicationStatusType" and w.value == given
        assert w.fix == f"Write publicationStatus:{given.rsplit('/', 1)[-1]}."


def test_an_unknown_status_in_the_asn_scheme_is_still_an_error():
    rs = results(framework(**{"ceasn:publicationStatusType":
                              "http://purl.org/asn/scheme/ASNPublicationStatus/Retired"}))
    assert [r for r in rs if r.severity == "Violation" and r.path == "/@graph/0/ceasn:publicationStatusType"]


def test_asn_part_of_keys_on_a_pathway_are_warnings_naming_the_ctdl_term():
    rs = results(pathway({"ceasn:hasPart": [COMPONENT]}, {"ceasn:isPartOf": PATHWAY}))
    assert not [r for r in rs if r.severity == "Violation"], [r.text() for r in rs if r.severity == "Violation"]
    assert {(r.path, r.fix) for r in rs if r.code == "legacy-form"} == {
        ("/@graph/0/ceasn:hasPart", "Write ceterms:hasPart."), ("/@graph/1/ceasn:isPartOf", "Write ceterms:isPartOf.")}
    assert not [r for r in rs if r.code == "domain"]


def test_both_part_of_forms_on_a_pathway_are_read_as_one_list():
    other = COMPONENT.replace("0a6a", "1b7b")
    doc = pathway({"ceasn:hasPart": [COMPONENT], "ceterms:hasPart": [other]}, {})
    from transformer.legacy import read_legacy_forms
    read, said, _ = read_legacy_forms(doc)
    assert sorted(read["@graph"][0]["ceterms:hasPart"]) == sorted([COMPONENT, other])
    assert "ceasn:hasPart" not in read["@graph"][0] and [r.code for r in said] == ["legacy-form"]


def test_ceasn_is_part_of_on_a_competency_is_not_touched():
    comp = {"@id": COMPONENT, "@type": "ceasn:Competency", "ceasn:isPartOf": PATHWAY}
    from transformer.legacy import read_legacy_forms
    read, said, _ = read_legacy_forms(comp)
    assert read is comp and not said
