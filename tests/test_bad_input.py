"""Bad input never crashes: it is unusable (an InputError with a clear message) or a violation
that names the field (JSON pointer), says what is wrong and how to fix it."""
import json

import pytest

from transformer import errors
from transformer.pipeline import format_request, validate_document

ORG_CTID = "ce-28935e07-76dc-4562-8c43-3ece101686be"


def org(**fields):
    base = {"Type": "ceterms:CredentialOrganization", "Name": "Acme Training", "CTID": ORG_CTID,
            "Description": "Acme Training offers welding and electrical courses.",
            "SubjectWebpage": "https://acme.example", "AgentType": ["orgType:Vendor"],
            "AgentSectorType": "agentSector:PrivateForProfit", "Email": ["info@acme.example"]}
    base.update(fields)
    return json.dumps({"Organization": {k: v for k, v in base.items() if v is not None}}).encode()


def violations(outcome):
    return {(r.path, r.code) for r in outcome.report.violations}


def test_the_base_document_is_valid():
    assert format_request(org()).report.conforms


@pytest.mark.parametrize("data, error", [
    (b"{\"Organization\": ", errors.NotJSON),
    (b"\xff\xfe{}", errors.BadEncoding),
    (b"[]", errors.WrongShape),
    (b'"just text"', errors.WrongShape),
    (b'{"Organisation": {"Name": "x"}}', errors.UnknownType),
    (b'{"Organization": {}, "Credential": {}}', errors.UnknownType),
    (b'{"Organization": [1, 2]}', errors.WrongShape),
    (b'{"a":' * 100 + b"1" + b"}" * 100, errors.TooDeep),
    (b'{"Organization": {"Name": "' + b"x" * (9 * 1024 * 1024) + b'"}}', errors.TooLarge),
])
def test_unusable_input_is_an_input_error(data, error):
    with pytest.raises(error) as e:
        format_request(data)
    assert e.value.message and e.value.code.startswith("input.")


def test_unknown_wrapper_key_names_the_known_ones():
    with pytest.raises(errors.UnknownType) as e:
        format_request(b'{"Organisation": {"Name": "x"}}')
    assert "Organization" in e.value.message


def test_number_for_a_name():
    out = format_request(org(Name=5))
    assert ("/Organization/Name", "wrong-type") in violations(out)


def test_object_where_a_list_of_terms_is_expected():
    out = format_request(org(AgentType={"Vendor": True}))
    assert any(p.startswith("/Organization/AgentType") for p, _ in violations(out))


def test_list_where_one_url_is_expected_is_read_but_reported():
    out = format_request(org(SubjectWebpage=["https://a.example", "https://b.example"]))
    assert ("/Organization/SubjectWebpage", "too-many-values") in violations(out)
    # nothing is lost: both values are in the document, so the publisher sees what was read
    assert out.document["@graph"][0]["ceterms:subjectWebpage"] == ["https://a.example", "https://b.example"]


def test_ctid_without_ce_prefix():
    out = format_request(org(CTID="28935e07-76dc-4562-8c43-3ece101686be"))
    (res,) = [r for r in out.report.violations if r.path == "/Organization/CTID"]
    assert res.code in ("invalid-ctid", "invalid-format")
    assert "ce-" in res.message + res.fix


def test_bare_uuid_reference():
    out = format_request(org(AccreditedBy=["e8305dc9-46cb-46be-8320-9a794df9e252"]))
    (res,) = [r for r in out.report.violations if r.path == "/Organization/AccreditedBy/0"]
    assert res.code == "invalid-reference"
    assert "ce-e8305dc9-46cb-46be-8320-9a794df9e252" in res.fix


def test_unknown_vocabulary_term_suggests_the_right_one():
    out = format_request(org(AgentType=["orgType:Vendor", "Vendr"]))
    (res,) = [r for r in out.report.violations if r.path == "/Organization/AgentType/1"]
    assert res.code == "unknown-term" and 'did you mean "Vendor"?' in res.message


def test_relative_url():
    out = format_request(org(SubjectWebpage="acme home page"))
    assert ("/Organization/SubjectWebpage", "not-a-url") in violations(out)


def test_host_name_without_scheme_gets_https_with_a_warning():
    out = format_request(org(SubjectWebpage="www.acme.example"))
    assert not [p for p, _ in violations(out) if p == "/Organization/SubjectWebpage"]
    (warning,) = [r for r in out.report.results if r.path == "/Organization/SubjectWebpage" and r.code == "value-assumed"]
    assert "https://www.acme.example" in warning.message


def test_bad_date_and_duration_and_price():
    body = json.loads(org())
    body["Organization"]["FoundingDate"] = "some time in the nineteen sixties"
    out = format_request(json.dumps(body).encode())
    assert any(p == "/Organization/FoundingDate" for p, _ in violations(out))


def test_duration_minimum_longer_than_maximum_is_reported():
    """The handbook's own assessment example has MinimumDuration PT3H and MaximumDuration PT1H."""
    body = {"Assessment": {"Type": "ceterms:AssessmentProfile", "Name": "Exam", "CTID": "ce-9db20b92-0787-43b2-83e1-b967d73d5df9",
                           "Description": "This is some text that describes my assessment.",
                           "SubjectWebpage": "https://x.example/a", "AvailabilityListing": "https://x.example/where",
                           "OfferedBy": [ORG_CTID], "InLanguage": ["en-US"],
                           "EstimatedDuration": [{"MinimumDuration": "PT3H", "MaximumDuration": "PT1H"}]}}
    out = format_request(json.dumps(body).encode())
    assert violations(out) == {("/Assessment/EstimatedDuration/0/MinimumDuration", "min-greater-than-max")}


def test_negative_price_and_bad_currency():
    body = {"Credential": {"Type": "ceterms:Certificate", "Name": "Cert", "CTID": "ce-c5abf83d-6ab4-4711-80ad-68b3a560fb71",
                           "Description": "This is some text that describes my credential.",
                           "SubjectWebpage": "https://x.example/c", "OwnedBy": [ORG_CTID], "CredentialStatusType": "Active",
                           "EstimatedCost": [{"Description": "Tuition for everyone.", "CostDetails": "https://x.example/cost",
                                              "Price": -5, "Currency": "Dollars", "DirectCostType": "Tuition"}]}}
    out = format_request(json.dumps(body).encode())
    v = violations(out)
    assert ("/Credential/EstimatedCost/0/Price", "out-of-range") in v
    assert any(p == "/Credential/EstimatedCost/0/Currency" for p, _ in v)


@pytest.mark.parametrize("data", [b"{}", b'{"@context": {"x": "http://x/"}, "x:y": 1}', b'{"@graph": [1, "a", null]}',
                                  b'{"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [{"@type": 5}]}',
                                  b'{"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [{"ceterms:name": {"en": [[1]]}}]}',
                                  b'{"@context": [null, {"@vocab": 7}], "@id": "x"}'])
def test_odd_ctdl_documents_never_crash(data):
    try:
        report = validate_document(data)
    except errors.InputError:
        return
    assert isinstance(report.conforms, bool)
