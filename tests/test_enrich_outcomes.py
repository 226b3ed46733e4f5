"""enrich, as the Registry Assistant publishes real requests: outcome data (QData) inside the same
@graph, references in every form real clients send, numbers under @id terms, text alignments,
ReferenceObjects, and input-only keys never published."""
import json

import pytest

from transformer.enrich import Options
from transformer.pipeline import format_request

C = "ceterms:"
ORG = "ce-28935e07-76dc-4562-8c43-3ece101686be"
CRED = "ce-0e6a1ab7-4b8c-4b0f-9d6c-2a3e0b1c5d11"
DSP = "ce-7d7b5cf4-0a2e-4f43-9a43-51f3f3c0b9a2"
OTHER = "ce-5b0b9c83-2ad4-4f6e-8f7a-6a0e0f2d4c33"
REGISTRY = "https://credentialengineregistry.org/resources/"


def credential(**extra):
    body = {"Name": "Welding Certificate", "Description": "A certificate in welding for shop work.",
            "CTID": CRED, "SubjectWebpage": "https://example.edu/welding", "CredentialType": "ceterms:Certificate",
            "CredentialStatusType": "credentialStat:Active", "InLanguage": ["en-US"], "OwnedBy": [ORG]}
    body.update(extra)
    return {"PublishForOrganizationIdentifier": ORG, "Credential": body}


def fmt(request):
    out = format_request(json.dumps(request), opts=Options(registry="https://credentialengineregistry.org/"))
    return out, {n["@id"]: n for n in out.document["@graph"]}


def codes(out, severity=None):
    return [(r.code, r.path) for r in out.report.results if severity is None or r.severity == severity]


OUTCOMES = {"AggregateData": [{
    "Description": "Outcomes of the 2023 graduates.", "DateEffective": "2024-01-01", "Currency": "USD",
    "MedianEarnings": 44439, "PostReceiptMonths": 60,
    "RelevantDataSet": [{
        "CTID": DSP, "Name": "Welding graduates 2023", "Description": "Wages from state wage records.",
        "DataProvider": {"CTID": ORG},
        "DataSetTimePeriod": [{"StartDate": "2023-01-01", "EndDate": "2023-12-31", "DataSourceCoverageType": ["Global"],
                               "DataAttributes": [{"Description": "All graduates", "AdministrativeRecordType": "adminRecord:Tax1099",
                                                   "DataAvailable": [{"Value": 15.0, "Description": "Data available in spring"}]}]}]}]}]}


def test_a_data_set_profile_with_its_ctid_is_a_resource_of_the_same_graph():
    out, nodes = fmt(credential(**OUTCOMES))
    assert not codes(out, "Violation"), out.report.results
    assert "reference-details-ignored" not in [c for c, _ in codes(out)]
    dsp = nodes[REGISTRY + DSP]
    assert dsp["@type"] == "qdata:DataSetProfile" and dsp["ceterms:ctid"] == DSP
    assert dsp["ceterms:name"] == {"en-US": "Welding graduates 2023"}
    assert dsp["qdata:relevantDataSetFor"] == [REGISTRY + CRED]
    assert dsp["qdata:dataProvider"] == [REGISTRY + ORG]
    # the main resource points at it through its aggregate data profile
    (adp,) = nodes[REGISTRY + CRED]["ceterms:aggregateData"]
    assert adp["@type"] == "ceterms:AggregateDataProfile"
    assert adp["qdata:relevantDataSet"] == [REGISTRY + DSP]
    # down to every statistic, numbers kept as numbers
    (frame,) = dsp["qdata:dataSetTimePeriod"]
    assert frame["@type"] == "qdata:DataSetTimeFrame"
    (profile,) = frame["qdata:dataAttributes"]
    assert profile["@type"] == "qdata:DataProfile"
    (available,) = profile["qdata:dataAvailable"]
    assert available["schema:value"] == 15.0 and available["@type"] == "schema:QuantitativeValue"
    text = json.dumps(out.document)
    assert "44439" in text and '"44439"' not in text      # MedianEarnings: a number, not an IRI
    assert "sourceCoverage:Global" in text
    # QData vocabularies become alignment objects with their concept
    assert "https://purl.org/ctdl/vocabs/adminRecord/Tax1099" in text or "adminRecord:Tax1099" in text
    assert "urn:ctdl-assistant" not in json.dumps(out.document)


@pytest.mark.parametrize("reference", [
    pytest.param({"CTID": OTHER, "Name": "Another credential"}, id="object-with-ctid"),
    pytest.param({"Id": REGISTRY + OTHER, "Type": "ceterms:Certificate", "Name": "Another credential"},
                 id="object-with-id"),
])
def test_a_reference_object_with_a_ctid_or_id_is_only_a_reference(reference):
    out, nodes = fmt(credential(IsPartOf=[reference]))
    assert nodes[REGISTRY + CRED]["ceterms:isPartOf"] == [REGISTRY + OTHER]
    assert REGISTRY + OTHER not in nodes      # never published as if it were ours
    assert ("reference-details-ignored", "/Credential/IsPartOf/0/Name") in codes(out, "Warning")
    assert not [n for n in out.document["@graph"] if n.get("ceterms:name") == {"en-US": "Another credential"}]


@pytest.mark.parametrize("reference", [OTHER, REGISTRY + OTHER, "https://sandbox.credentialengineregistry.org/resources/" + OTHER])
def test_a_ctid_or_registry_url_is_a_reference(reference):
    out, nodes = fmt(credential(IsPartOf=[reference]))
    assert nodes[REGISTRY + CRED]["ceterms:isPartOf"][0].endswith("/resources/" + OTHER)
    assert not codes(out, "Violation")


def test_an_inline_organization_without_type_takes_the_class_its_property_implies():
    out, nodes = fmt(credential(OfferedBy=[{"Name": "Riverside College", "SubjectWebpage": "https://riverside.example.edu",
                                             "Description": "A college."}]))
    (offered,) = nodes[REGISTRY + CRED]["ceterms:offeredBy"]
    org = nodes[offered]
    assert org["@type"] == "ceterms:CredentialOrganization" and offered.startswith("_:")


def test_numbers_under_terms_coerced_to_id_stay_numbers():
    out, nodes = fmt(credential(**OUTCOMES))
    assert not [r for r in out.report.results if "URL or CTID" in r.message], out.report.results


def test_subject_text_becomes_an_alignment_object_named_by_it():
    out, nodes = fmt(credential(Subject=["Welding"], Keyword=["metal"]))
    (subject,) = nodes[REGISTRY + CRED]["ceterms:subject"]
    assert subject["@type"] == "ceterms:CredentialAlignmentObject"
    assert subject["ceterms:targetNodeName"] == {"en-US": "Welding"}
    assert not codes(out, "Violation")


def test_a_text_for_a_reference_stays_a_reference_error_not_a_name():
    """Assesses takes CTIDs or URLs: a bare UUID is reported, never published as a competency name."""
    out, nodes = fmt({
        "PublishForOrganizationIdentifier": ORG, "Assessment": {
            "Name": "Welding test", "Description": "A test of welding.", "CTID": CRED,
            "SubjectWebpage": "https://example.edu/test", "LifeCycleStatusType": "lifeCycle:Active",
            "InLanguage": ["en-US"], "OwnedBy": [ORG], "Assesses": ["f62ffde2-954d-42f1-bc1e-8f7904f0fbfe"]}})
    assert ("invalid-reference", "/Assessment/Assesses/0") in codes(out, "Violation")
    assert "f62ffde2" not in json.dumps([n.get("ceterms:assesses") for n in out.document["@graph"]
                                         if isinstance(n.get("ceterms:assesses"), dict)])
    assert '"ceterms:targetNodeName": {"en-US": "f62ffde2' not in json.dumps(out.document)


def test_reference_objects_of_the_request_are_blank_nodes_of_the_graph():
    request = credential(OfferedBy=["_:9a7c0c55-4a6e-4d5b-9f3f-0f8d2b1c7e11"])
    request["ReferenceObjects"] = [{"Id": "_:9a7c0c55-4a6e-4d5b-9f3f-0f8d2b1c7e11", "Type": "ceterms:CredentialOrganization",
                                    "Name": "Riverside College", "SubjectWebpage": "https://riverside.example.edu",
                                    "Description": "A college."}]
    out, nodes = fmt(request)
    (offered,) = nodes[REGISTRY + CRED]["ceterms:offeredBy"]
    assert offered.startswith("_:") and nodes[offered]["ceterms:name"] == {"en-US": "Riverside College"}
    assert not codes(out, "Violation")


def test_reference_objects_need_their_id():
    request = credential()
    request["ReferenceObjects"] = [{"Type": "ceterms:CredentialOrganization", "Name": "Riverside College"}]
    out, _ = fmt(request)
    assert ("required", "/ReferenceObjects/0/Id") in codes(out, "Violation")


@pytest.mark.parametrize("key, code, severity", [
    ("APIKey", "not-published", "Violation"),
    ("TeachesCompetencyFramework", "not-published", "Violation"),
    ("OwningOrganization", "superseded-key", "Warning"),
])
def test_input_only_keys_are_mapped_or_refused_never_published(key, code, severity):
    value = [ORG] if key == "OwningOrganization" else ("0123456789abcdef" if key == "APIKey" else [OTHER])
    out, nodes = fmt(credential(**{key: value}))
    assert (code, f"/Credential/{key}") in [(c, p.rsplit("/", 1)[0] if p.count("/") > 2 else p)
                                             for c, p in codes(out, severity)], out.report.results
    assert "urn:ctdl-assistant" not in json.dumps(out.document)


@pytest.mark.parametrize("key", ["ceterms:subject", "ceterms:degreeMajor"])
def test_language_map_keyed_by_the_ctdl_term(key):
    out, nodes = fmt(credential(**{key: {"en-US": ["Welding"], "es": ["Soldadura"]}}))
    assert not codes(out, "Violation"), out.report.results
    assert "Soldadura" in json.dumps(nodes[REGISTRY + CRED])


@pytest.mark.parametrize("written, published", [
    ({"Duration_ISO8601": "P2Y"}, "P2Y"),
    ({"Duration_ISO8601": "P2Y", "Years": 0}, "P2Y"),
    ({"Duration_ISO8601": "", "Weeks": 3}, "P3W"),
    ({"Years": 1, "Hours": 2}, "P1YT2H"),
])
def test_duration_objects_with_their_iso_8601_text(written, published):
    out, nodes = fmt(credential(EstimatedDuration=[{"ExactDuration": written, "Description": "Two years"}]))
    (profile,) = nodes[REGISTRY + CRED]["ceterms:estimatedDuration"]
    assert profile["ceterms:exactDuration"] == published
    assert not codes(out, "Violation")


def test_a_duration_given_twice_differently_is_refused():
    out, _ = fmt(credential(EstimatedDuration=[{"ExactDuration": {"Duration_ISO8601": "P2Y", "Years": 3}}]))
    assert ("wrong-type", "/Credential/EstimatedDuration/0/ExactDuration") in codes(out, "Violation")


@pytest.mark.parametrize("key, prop, cls", [
    ("EarningsProfile", "ceterms:earnings", "ceterms:EarningsProfile"),
    ("Earnings", "ceterms:earnings", "ceterms:EarningsProfile"),
    ("EmploymentOutcomeProfile", "ceterms:employmentOutcome", "ceterms:EmploymentOutcomeProfile"),
    ("HoldersProfile", "ceterms:holders", "ceterms:HoldersProfile"),
])
def test_outcome_profiles_with_their_data_sets(key, prop, cls):
    out, nodes = fmt(credential(**{key: [{"Description": "Outcomes of 2023", "MedianEarnings": 50000, "NumberAwarded": 100,
                                          "RelevantDataSet": [{"CTID": DSP, "Name": "Graduates 2023",
                                                               "Description": "State wage records."}]}]}))
    (profile,) = nodes[REGISTRY + CRED][prop]
    assert profile["@type"] == cls
    assert profile["qdata:relevantDataSet"] == [REGISTRY + DSP]
    assert nodes[REGISTRY + DSP]["qdata:relevantDataSetFor"] == [REGISTRY + CRED]
    assert "unknown-property" not in [c for c, p in codes(out) if p == f"/Credential/{key}"]


def test_reference_objects_inside_the_resource_are_refused_and_not_published():
    out, nodes = fmt(credential(ReferenceObjects=[{"Id": "_:9a7c0c55-4a6e-4d5b-9f3f-0f8d2b1c7e11",
                                                   "Type": "ceterms:CredentialOrganization", "Name": "Riverside College"}]))
    assert ("not-published", "/Credential/ReferenceObjects") in [(c, p.rsplit("/", 1)[0] if p.endswith("/0") else p)
                                                                 for c, p in codes(out, "Violation")]
    assert len(out.document["@graph"]) == 1 and "Riverside" not in json.dumps(out.document)
