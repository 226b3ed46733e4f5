"""Conformance against the real registry documents copied in tests/data/registry (2017-2018 seeds,
spec fixtures and the registry's own validation test payloads; see tests/data/SOURCES.md).

Every document is read without a crash; the registry's deliberately invalid payloads
(validation-test-data-2018/invalid) are all reported as not conforming, except the known gaps
listed below with their reason.
"""
from pathlib import Path

import pytest

from transformer import errors
from transformer.pipeline import validate_document

DATA = Path(__file__).parent / "data" / "registry"
DOCS = sorted(DATA.rglob("*.json"))
INVALID = [p for p in DOCS if p.parent.name == "invalid"]

# document -> why we do not (yet) report it
KNOWN_GAPS = {
    "costManifestSchema_invalid_missing_costDetails.json":
        "Cost and condition manifests have no shapes yet (issue 2 covers organizations, credentials, "
        "assessments, learning opportunities and their profiles)",
}
# document -> the input error it must raise
UNUSABLE = {
    "assessmentProfileSchema_2018-03-15_assessment_10a_payload.json": "input.encoding",  # Windows-1252 bytes
}


def test_the_data_is_there():
    assert len(DOCS) >= 100 and len(INVALID) >= 8


@pytest.mark.parametrize("path", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_document_is_read_without_a_crash(path):
    if path.name in UNUSABLE:
        with pytest.raises(errors.InputError) as e:
            validate_document(path.read_bytes())
        assert e.value.code == UNUSABLE[path.name]
        assert "line" in e.value.message  # says where
        return
    report = validate_document(path.read_bytes())
    for r in report.results:
        assert r.code and r.message and r.severity in ("Violation", "Warning", "Info")
        assert r.path.startswith("/") or r.path == "", r


@pytest.mark.parametrize("path", [p for p in INVALID if p.name not in UNUSABLE], ids=lambda p: p.name)
def test_the_registry_invalid_payloads_do_not_conform(path):
    report = validate_document(path.read_bytes())
    if path.name in KNOWN_GAPS:
        assert report.conforms, f"known gap closed? {KNOWN_GAPS[path.name]}: remove it from KNOWN_GAPS"
    else:
        assert not report.conforms
