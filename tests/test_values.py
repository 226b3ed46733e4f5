"""transformer/values.py: URLs as the Registry Assistant publishes them."""
import json

import pytest

from transformer.pipeline import format_request
from transformer.values import web_page_properties, without_trailing_slash

C = "https://purl.org/ctdl/terms/"


@pytest.mark.parametrize("given, published", [
    ("https://www.cswe.org/", "https://www.cswe.org"),
    ("https://www.iccb.org/iccb/", "https://www.iccb.org/iccb"),
    ("https://x.example/a//", "https://x.example/a"),
    ("https://x.example/a", "https://x.example/a"),
    ("https://x.example/?t=1", "https://x.example/?t=1"),      # a query: as given
    ("https://x.example/#top", "https://x.example/#top"),      # a fragment: as given
    ("https://", "https://"),
])
def test_without_trailing_slash(given, published):
    assert without_trailing_slash(given) == published


def test_web_pages_lose_the_slash_but_frameworks_and_terms_do_not():
    pages = web_page_properties()
    assert C + "subjectWebpage" in pages and C + "costDetails" in pages
    assert C + "framework" not in pages and C + "targetNode" not in pages


ORG = "ce-28935e07-76dc-4562-8c43-3ece101686be"


def credential(**fields) -> dict:
    body = {"Name": "Welding Certificate", "Description": "A certificate in welding.",
            "CTID": "ce-0e6a1ab7-4b8c-4b0f-9d6c-2a3e0b1c5d11", "CredentialType": "ceterms:Certificate",
            "CredentialStatusType": "credentialStat:Active", "InLanguage": ["en-US"], "OwnedBy": [ORG]}
    return {"PublishForOrganizationIdentifier": ORG, "Credential": {**body, **fields}}


def test_format_publishes_web_pages_without_trailing_slash():
    request = credential(SubjectWebpage="https://www.example.edu/welding/", IndustryType=[
        {"Framework": "https://www.naics.com/", "CodedNotation": "611519", "Name": "Trade schools"}])
    doc = format_request(json.dumps(request)).document
    main = doc["@graph"][0]
    assert main["ceterms:subjectWebpage"] == "https://www.example.edu/welding"
    assert main["ceterms:industryType"][0]["ceterms:framework"] == "https://www.naics.com/"


@pytest.mark.parametrize("framework, written, code", [
    ("SOCFramework", "533032", "53-3032.00"),
    ("SOCFramework", "5330", "5330"),          # not a code: as given, the framework's pattern reports it
    ("CIPFramework", "513801", "51.3801"),
    ("NAICSFramework", "54-1511", "541511"),
    ("OtherFramework", " 12 ", "12"),
])
def test_normalize_code_by_framework(framework, written, code):
    from transformer.values import normalize_code
    assert normalize_code("urn:ctdl-assistant:ns:" + framework, written)[0] == code


def test_format_reads_dates_codes_and_host_names_as_the_registry_assistant_does():
    request = credential(SubjectWebpage="www.example.edu/welding/", DateEffective="8/4/1971",
                         ONET_Codes=["533032"], CIP_Codes=["513801"])
    out = format_request(json.dumps(request))
    main = out.document["@graph"][0]
    assert main["ceterms:subjectWebpage"] == "https://www.example.edu/welding"
    assert main["ceterms:dateEffective"] == "1971-08-04"
    assert [c["ceterms:codedNotation"] for c in main["ceterms:occupationType"]] == ["53-3032.00"]
    assert main["ceterms:occupationType"][0]["ceterms:targetNode"] == "https://www.onetonline.org/link/summary/53-3032.00"
    assert [c["ceterms:codedNotation"] for c in main["ceterms:instructionalProgramType"]] == ["51.3801"]
    assumed = {(r.path, r.code) for r in out.report.results if r.severity == "Warning"}
    assert {("/Credential/SubjectWebpage", "value-assumed"), ("/Credential/DateEffective", "value-assumed")} <= assumed
    assert not [r for r in out.report.results if r.severity == "Violation"], out.report.results
