"""Self-consistency: the CTDL that `format` emits, checked by `validate` (as `ctdl validate` checks
any document), has no violation that `format` did not itself report.

A property over every golden case, every real Registry Assistant input in tests/data, and
generated benchmark requests (bench/generate.py, fixed seed). The two reports point into different
documents (the request, the CTDL), so a violation of `validate` counts as reported when `format`
reported a violation on the same value (compared by its local name: "Vendr" and
https://purl.org/ctdl/vocabs/orgType/Vendr are one defect), or, for a missing field, one from the
same shape or with the same code on the same property.
"""
import json
import sys
from pathlib import Path

import pytest

from transformer.errors import CtdlError
from transformer.pipeline import format_request, validate_document

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "bench"))
from generate import generate  # noqa: E402

GENERATED = 150


def _inputs():
    for p in sorted((HERE / "cases").glob("*/input.json")):
        yield pytest.param(p.read_bytes(), id=f"case-{p.parent.name}")
    data = HERE / "data"
    for folder in ("assistant-pairs", "assistant-pairs-extra"):
        for p in sorted((data / folder).rglob("*.json")):
            if ".output." not in p.name:
                yield pytest.param(p.read_bytes(), id=f"{folder}-{p.stem}")
    for i, doc in enumerate(generate(GENERATED)):
        yield pytest.param(json.dumps(doc).encode(), id=f"generated-{i}")


def _local(value: str | None) -> str:
    return (value or "").strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()


def _prop(result) -> str:
    return result.path.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()


def _keys(result) -> set:
    if result.value:
        return {("value", _local(result.value))}
    return {("shape", result.shape), ("field", result.code, _prop(result))}


@pytest.mark.parametrize("request_bytes", list(_inputs()))
def test_validate_finds_no_violation_format_did_not_report(request_bytes):
    try:
        out = format_request(request_bytes)
    except CtdlError:
        return  # not a request at all (the error names what is wrong); nothing was emitted
    said = set()
    for r in out.report.results:
        if r.severity == "Violation":
            said |= _keys(r)
    report = validate_document(json.dumps(out.document))
    unsaid = [r for r in report.results if r.severity == "Violation" and not (_keys(r) & said)]
    assert not unsaid, "validate found violations format did not report:\n" + "\n".join(r.text() for r in unsaid)
    assert "urn:ctdl-assistant" not in json.dumps(out.document)


def test_the_property_can_fail():
    """A document format would never emit (a credential with no name and an unknown term) gets
    violations from validate; the matching above must not excuse them."""
    out = format_request(json.dumps({"Credential": {"CTID": "ce-0e6a1ab7-4b8c-4b0f-9d6c-2a3e0b1c5d11",
                                                   "CredentialType": "ceterms:Certificate"}}))
    doc = out.document
    doc["@graph"][0]["ceterms:credentialStatusType"] = {
        "@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "credentialStat:NoSuchStatus"}
    report = validate_document(json.dumps(doc))
    said = set()
    for r in out.report.results:
        if r.severity == "Violation":
            said |= _keys(r)
    assert [r for r in report.results if r.severity == "Violation" and not (_keys(r) & said)]
