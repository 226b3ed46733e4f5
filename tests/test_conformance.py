"""Conformance against the real registry documents copied in tests/data/registry (2017-2018 seeds,
spec fixtures and the registry's own validation test payloads; see tests/data/SOURCES.md).

Every document is read without a crash; the registry's deliberately invalid payloads
(validation-test-data-2018/invalid) are all reported as not conforming, except the known gaps
listed below with their reason.
"""
from pathlib import Path

import pytest

from transformer.pipeline import validate_document

DATA = Path(__file__).parent / "data" / "registry"
DOCS = sorted(DATA.rglob("*.json"))
INVALID = [p for p in DOCS if p.parent.name == "invalid"]

# document -> why we do not (yet) report it
KNOWN_GAPS: dict[str, str] = {}     # invalid payloads our shapes do not yet refuse (none since issue 14)
# documents that are not UTF-8 (Windows-1252 bytes, as real legacy exports are): read with a warning
CP1252 = {"assessmentProfileSchema_2018-03-15_assessment_10a_payload.json"}


def test_the_data_is_there():
    assert len(DOCS) >= 100 and len(INVALID) >= 8


@pytest.mark.parametrize("path", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_document_is_read_without_a_crash(path):
    report = validate_document(path.read_bytes())
    encoding = [r for r in report.results if r.code == "input.encoding-cp1252"]
    if path.name in CP1252:
        (warning,) = encoding
        assert warning.severity == "Warning" and "line" in warning.message and "UTF-8" in warning.fix
    else:
        assert not encoding
    for r in report.results:
        assert r.code and r.message and r.severity in ("Violation", "Warning", "Info")
        assert r.path.startswith("/") or r.path == "", r


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_the_registry_invalid_payloads_do_not_conform(path):
    report = validate_document(path.read_bytes())
    if path.name in KNOWN_GAPS:
        assert report.conforms, f"known gap closed? {KNOWN_GAPS[path.name]}: remove it from KNOWN_GAPS"
    else:
        assert not report.conforms


# -- Credential Engine's modelling examples and the Registry Assistant's real outputs ----------------------
MODELLING = Path(__file__).parent / "data" / "modelling"
OUTPUTS = sorted((Path(__file__).parent / "data" / "assistant-pairs").glob("*.output.json"))


@pytest.mark.parametrize("path", sorted(p for p in MODELLING.rglob("*") if p.is_file()),
                         ids=lambda p: str(p.relative_to(MODELLING)))
def test_every_modelling_example_is_read_without_a_crash(path):
    from transformer.documents import check

    checked = check(path.read_bytes(), path.name)
    assert checked
    for c in checked:
        if c.error is not None:   # only what a document can honestly not be read for
            assert c.error["code"] in ("input.context-not-allowed",), (c.label, c.error)
            assert "never fetches" in c.error["message"]
            continue
        for r in c.report.results:
            assert r.code and r.message and r.severity in ("Violation", "Warning", "Info")


def _codes(path: Path) -> dict[str, set]:
    from transformer.documents import check

    out: dict[str, set] = {}
    for c in check(path.read_bytes(), path.name):
        for r in (c.report.results if c.report else []):
            out.setdefault(r.code, set()).add(r.path)
    return out


@pytest.mark.parametrize("name, code, path", [
    # "en:us" is no language tag
    ("lifeCycleExample.json", "invalid-language", "/@graph/0/ceterms:name/en:us"),
    # ceterms:Address is not a CTDL class (ceterms:Place is)
    ("programWithCourses.json", "unknown-class", "/@graph/7/@type"),
    # hasChild written on the parent only
    ("Navy_Maintenance_Task_Example.json", "inverse-one-way", None),
    # a Registry Assistant request (an array of them), not CTDL: read item by item, no @context
    ("Indiana_-_BSN_Pass_Rates_-_Assistant_API.json", "missing-context", "/0"),
])
def test_representative_modelling_findings(name, code, path):
    (file,) = list(MODELLING.rglob(name))
    codes = _codes(file)
    assert code in codes, sorted(codes)
    if path is not None:
        assert path in codes[code]


def test_the_registry_assistant_outputs():
    """The three real outputs: one conforms; the others show real faults of the service that made them."""
    by_name = {p.name.split("_")[0]: _codes(p) for p in OUTPUTS}
    from transformer.documents import check

    certification = next(p for p in OUTPUTS if p.name.startswith("Certification"))
    (c,) = check(certification.read_bytes(), certification.name)
    assert c.conforms
    # credit values typed schema:ValueProfile (a class schema.org does not have; CTDL's is ceterms:ValueProfile)
    assert "/@graph/0/ceterms:requires/1/ceterms:creditValue" in by_name["BachelorDegree"]["wrong-class"]
    # a key with a trailing space is read (trimmed) with a warning, not lost
    lopp = next(p for p in OUTPUTS if p.name.startswith("LearningOpportunity"))
    (c,) = check(lopp.read_bytes(), lopp.name)
    spaced = [r for r in c.report.results if r.path.endswith("financialAssistanceType ")]
    assert spaced and all(r.severity == "Warning" for r in spaced)
