"""CE's QData JSON-LD context is served locally (contexts/qdata.json, derived from the QData schema
encoding by scripts/build_data.py), so QData documents are readable, never fetched."""
import json
from pathlib import Path

from transformer.context import pyld_loader
from transformer.pipeline import validate_document

CENSUS = Path(__file__).parent / "data" / "modelling" / "Code-Samples" / "CENSUS-DRAFT2.jsonld"


def test_the_qdata_context_is_served_for_both_schemes():
    for url in ("http://credreg.net/qdata/schema/context/json", "https://credreg.net/qdata/schema/context/json"):
        ctx = pyld_loader(url)["document"]["@context"]
        assert ctx["qdata"] == "https://credreg.net/qdata/terms/"
        assert ctx["qdata:relevantDataSetFor"] == {"@type": "@id"}
        assert ctx["qdata:dataSuppressionPolicy"] == {"@container": "@language"}


def test_a_qdata_document_is_read():
    report = validate_document(CENSUS.read_bytes())
    assert not [r for r in report.results if "context" in r.code]
    assert report.results   # it was checked (a draft: it has findings)


def test_a_qdata_document_with_a_language_map_reads_as_text():
    doc = {"@context": "https://credreg.net/qdata/schema/context/json", "@graph": [{
        "@id": "https://credentialengineregistry.org/resources/ce-7d7b5cf4-0a2e-4f43-9a43-51f3f3c0b9a2",
        "@type": "qdata:DataSetProfile", "ceterms:ctid": "ce-7d7b5cf4-0a2e-4f43-9a43-51f3f3c0b9a2",
        "ceterms:name": {"en-US": "Graduates 2023"}, "ceterms:description": {"en-US": "State wage records."},
        "qdata:dataSuppressionPolicy": {"en-US": "Cells under 10 are suppressed."}}]}
    report = validate_document(json.dumps(doc))
    assert not [r for r in report.results if r.severity == "Violation" and "dataSuppressionPolicy" in r.path]
