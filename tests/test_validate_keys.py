"""validate reads keys as registry documents write them: a full-IRI key is the CTDL term, with
the term's coercion; an http:// one is read as https:// and reported where it is written."""
import json

import pytest

from transformer.pipeline import validate_document

CTID = "ce-0e6a1ab7-4b8c-4b0f-9d6c-2a3e0b1c5d11"


def competency(key, value):
    return {"@context": "https://credreg.net/ctdlasn/schema/context/json", "@graph": [{
        "@id": f"https://credentialengineregistry.org/resources/{CTID}", "@type": "ceasn:Competency",
        "ceterms:ctid": CTID, "ceasn:competencyText": {"en-US": "Weld a butt joint."}, key: value}]}


def weight_results(doc):
    return [(r.severity, r.code, r.path) for r in validate_document(json.dumps(doc)).results if "weight" in r.path]


@pytest.mark.parametrize("key", ["ceasn:weight", "https://purl.org/ctdlasn/terms/weight",
                                 "http://purl.org/ctdlasn/terms/weight"])
@pytest.mark.parametrize("value", ["0.19", ".19"])
def test_a_decimal_written_as_text_under_any_form_of_the_key(key, value):
    assert not [r for r in weight_results(competency(key, value)) if r[0] == "Violation"]


@pytest.mark.parametrize("key", ["ceasn:weight", "https://purl.org/ctdlasn/terms/weight",
                                 "http://purl.org/ctdlasn/terms/weight"])
def test_a_wrong_value_is_reported_at_the_key_as_written(key):
    (violation,) = [r for r in weight_results(competency(key, "heavy")) if r[0] == "Violation"]
    assert violation[1] == "wrong-datatype"
    assert violation[2] == "/@graph/0/" + key.replace("/", "~1")
