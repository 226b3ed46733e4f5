"""Every SHACL shape in shapes/ has a valid and an invalid example, and they do what they say.

Layout: ``tests/shapes/<shape local name>/`` holds ``valid*.json`` and ``invalid*.json`` CTDL
documents in registry form, each with a ``<name>.expected.json``: the results the document must
produce, as ``{"path", "code", "severity", "shape"}`` objects.  Violations are always compared; a
file's Warnings are compared too when its expected list names any (otherwise they are ignored).
Valid examples must produce no Violation.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = ROOT / "shapes"
EXAMPLES_DIR = Path(__file__).resolve().parent / "shapes"
SHAPE_NS = "urn:ctdl-assistant:shape:"
CTDLSH = rdflib.Namespace("urn:ctdl-assistant:ns:")
GROUP_NS = "urn:ctdl-assistant:group:"

# Not hand-written rule files: the generated vocabulary shapes (checked against their
# generator below) and the custom constraint components.
NOT_EXAMPLED = {"vocabularies.ttl", "components.ttl", "groups.ttl"}
CODES = {"required", "recommended", "too-many-values", "wrong-datatype", "not-a-url", "invalid-format",
         "unknown-term", "wrong-class", "required-one-of", "out-of-range", "too-short", "too-long",
         "invalid-language", "min-greater-than-max", "invalid", "domain", "wrong-range", "legacy-form"}


def _example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES_DIR.glob("*/*.json") if not p.name.endswith(".expected.json"))


def _shapes_graph(names=None) -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        if names is None or path.name in names:
            g.parse(path, format="turtle")
    return g


def _hand_written_graph() -> rdflib.Graph:
    return _shapes_graph({p.name for p in SHAPES_DIR.glob("*.ttl")} - NOT_EXAMPLED)


def _named_shapes(g: rdflib.Graph) -> set[rdflib.URIRef]:
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    return {s for s in shapes if isinstance(s, rdflib.URIRef) and str(s).startswith(SHAPE_NS)}


def _key(r) -> tuple:
    if isinstance(r, dict):
        return (r["path"], r["code"], r["severity"], r["shape"])
    return (r.path, r.code, r.severity, r.shape)


# --------------------------------------------------------------------------------------------
# The examples, through the pipeline
@pytest.mark.parametrize("path", _example_files(), ids=lambda p: str(p.relative_to(EXAMPLES_DIR)))
def test_example(path: Path):
    """The runner `ctdl shapes test` uses (transformer/shapes_tools/examples.py)."""
    from transformer.pipeline import validate_document
    from transformer.shapes_tools.examples import run_one

    result = run_one(path)
    assert result.ok, "\n".join(result.lines())
    if path.name.startswith("valid"):
        report = validate_document(json.loads(path.read_text(encoding="utf-8")))
        assert not any(r.severity == "Violation" for r in report.results)


# --------------------------------------------------------------------------------------------
# The examples themselves
def test_examples_are_well_formed():
    files = _example_files()
    assert files
    schema_layer = rdflib.Graph()
    for path in sorted((SHAPES_DIR / "schema").glob("*.ttl")):   # the generated schema shapes (shapes/schema/)
        schema_layer.parse(path, format="turtle")
    shape_names = {"shape:" + str(s)[len(SHAPE_NS):] for s in _named_shapes(_shapes_graph() + schema_layer)}
    for path in files:
        assert path.name.startswith(("valid", "invalid")), path
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["@context"] == "https://credreg.net/ctdl/schema/context/json", path
        # (the sandbox registry for real documents published there, e.g. valid-real-certification.json)
        assert doc["@id"].startswith(("https://credentialengineregistry.org/graph/ce-",
                                      "https://sandbox.credentialengineregistry.org/graph/ce-")), path
        assert isinstance(doc["@graph"], list) and doc["@graph"], path
        expected = json.loads(path.with_name(path.name[:-5] + ".expected.json").read_text(encoding="utf-8"))
        for e in expected:
            assert set(e) == {"path", "code", "severity", "shape"}, path
            assert e["code"] in CODES, (path, e)
            assert e["severity"] in ("Violation", "Warning", "Info"), (path, e)
            assert e["shape"] in shape_names, (path, e)
            assert e["path"].startswith("/@graph/"), (path, e)
        if path.name.startswith("invalid"):
            assert expected, f"{path}: an invalid example must expect at least one result"
            folder_shape = "shape:" + path.parent.name
            assert folder_shape in {e["shape"] for e in expected} or path.parent.name in _NODE_SHAPES_VIA_PROPERTIES, (
                f"{path}: breaks no rule of {folder_shape}")
        else:
            assert all(e["severity"] != "Violation" for e in expected), path


# Node shapes with no constraint of their own: their invalid example breaks one of their
# property shapes.
_NODE_SHAPES_VIA_PROPERTIES = {
    "Organization", "Credential", "AssessmentProfile", "LearningOpportunity", "ConditionProfile", "CostProfile",
    "DurationProfile", "Place", "ContactPoint", "CredentialAlignmentObject", "CodedAlignment", "CredentialConnections",
    "CredentialFinancialAssistance", "CredentialSubject", "CredentialRenewal", "Badge", "AbstractCredential",
    "ReferenceStub", "CompetencyFramework", "Competency",
    # the request types' resources (issue 14)
    "AlignmentMap", "CategorizedComponent", "Collection", "Concept", "ConceptScheme", "ConditionManifest",
    "CostManifest", "CourseComponent", "CredentialComponent", "CredentialType", "CredentialingAction",
    "DataSetProfile", "Industry", "Job", "Occupation", "Pathway", "PathwayComponent", "PathwaySet",
    "PriorLearningPolicy", "ProgressionLevel", "ProgressionModel", "QualificationsFramework", "Rubric",
    "ScheduledOffering", "SupportService", "Task", "TransferAgreement", "TransferIntermediary",
    "TransferValueProfile", "VerificationServiceProfile", "WorkRole",
}


# The bulk-upload column shapes (shapes/bulk.ttl) have no targets: validate_document never runs
# them, so their examples are spreadsheets (valid.csv, invalid.csv + invalid.expected.json, results
# at /rows/<row>/<column>), run by tests/test_bulk_rows.py instead of test_example above.
SPREADSHEET_EXAMPLED = {"bulk.ttl"}


def test_every_shape_has_examples():
    g = _hand_written_graph()
    names = {str(s)[len(SHAPE_NS):] for s in _named_shapes(g)}
    sheet_names = {str(s)[len(SHAPE_NS):] for s in _named_shapes(_shapes_graph(SPREADSHEET_EXAMPLED))}
    folders = {p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir()}
    assert names - folders == set(), "shapes without an example folder"
    assert folders - names == set(), "example folders without a shape"
    for name in names:
        wanted = ("valid.csv", "invalid.csv", "invalid.expected.json") if name in sheet_names else ("valid.json", "invalid.json")
        files = {p.name for p in (EXAMPLES_DIR / name).iterdir()}
        assert set(wanted) <= files, name


# --------------------------------------------------------------------------------------------
# The shapes (valid SHACL, documented, CTDL terms, orders: `ctdl shapes check`, tests/test_shapes_tools.py)
def test_presence_shapes_follow_their_names():
    """shape:*-required are Violations in group:Required; shape:*-recommended Warnings in group:Recommended."""
    g = _shapes_graph()
    for s in _named_shapes(g):
        name = str(s)[len(SHAPE_NS):]
        sev = g.value(s, SH.severity)
        if name.endswith("-required"):
            assert g.value(s, SH.minCount) is not None and sev in (None, SH.Violation), name
            assert str(g.value(s, SH.group)) == GROUP_NS + "Required", name
        elif name.endswith("-recommended"):
            assert g.value(s, SH.minCount) is not None and sev == SH.Warning, name
            assert str(g.value(s, SH.group)) == GROUP_NS + "Recommended", name
        if sev == SH.Warning:
            assert str(g.value(s, SH.group)) == GROUP_NS + "Recommended", name


def test_vocabulary_shapes_name_their_vocabulary():
    """A shape that checks vocabulary terms says which vocabulary ("is not a term of Organization Type")."""
    g = _shapes_graph()
    for s in _named_shapes(g):
        scheme = g.value(s, SH.node)
        if (scheme is not None and str(scheme).startswith(SHAPE_NS + "Scheme-")
                and (g.value(s, SH.path), RDF.first, None) in g):  # ( property ceterms:targetNode )
            label = str(g.value(scheme, SH.name))
            assert label and label != "None", scheme
            assert f"is not a term of {label}" in str(g.value(s, SH.message)), f"{s}: the message does not name {label}"


def test_referenced_shapes_exist():
    g = _shapes_graph()
    defined = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for p in (SH.node, SH.property):
        for o in g.objects(None, p):
            if isinstance(o, rdflib.URIRef):
                assert o in defined, f"{o} is used but not defined"


def _targets(g: rdflib.Graph, shape, kind) -> set:
    """The classes of a shape's ``sh:target [ a kind ; ctdlsh:class C ]`` declarations."""
    out = set()
    for t in g.objects(shape, SH.target):
        if (t, RDF.type, kind) in g:
            classes = list(g.objects(t, CTDLSH["class"]))
            assert len(classes) == 1, f"{shape}: a target declaration needs exactly one ctdlsh:class"
            out.add(classes[0])
    return out


def test_credential_target_lists_agree():
    """Shapes meant for every credential class list the same classes (and never ceterms:Credential)."""
    g = _shapes_graph({"credential.ttl"})
    S = rdflib.Namespace(SHAPE_NS)
    every = _targets(g, S.Credential, CTDLSH.RecordsOf)
    assert rdflib.URIRef("https://purl.org/ctdl/terms/Credential") not in every
    assert len(every) >= 40
    for name in ("Credential-ownedOrOfferedBy", "Credential-location", "Credential-qualityAssurance"):
        assert _targets(g, S[name], CTDLSH.RecordsOf) == every, name
    assert _targets(g, S["CredentialConnections-outcomeData"], CTDLSH.RecordsOf) == \
        _targets(g, S.CredentialConnections, CTDLSH.RecordsOf)
    for name in ("CredentialConnections", "CredentialFinancialAssistance", "CredentialSubject", "CredentialRenewal", "Badge"):
        assert _targets(g, S[name], CTDLSH.RecordsOf) <= every, name


ENTITY_FILES = {"organization.ttl", "credential.ttl", "assessment.ttl", "learning-opportunity.ttl"}


def test_entity_shapes_target_records_and_references_are_checked():
    """Node shapes of entity classes target records (ctdlsh:RecordsOf), not reference stubs; every
    entity class whose records have rules has its references checked by shape:ReferenceStub;
    profiles, always nested, keep sh:targetClass."""
    S = rdflib.Namespace(SHAPE_NS)
    record_classes = set()
    for name in ENTITY_FILES:
        g = _shapes_graph({name})
        for shape in _named_shapes(g):
            if shape == S.AbstractCredential:     # a reference needs a specific type too
                assert set(g.objects(shape, SH.targetClass)) == {rdflib.URIRef("https://purl.org/ctdl/terms/Credential")}
                continue
            assert (shape, SH.targetClass, None) not in g, f"{shape}: use ctdlsh:RecordsOf targets"
            assert not _targets(g, shape, CTDLSH.ReferencesTo), shape
            record_classes |= _targets(g, shape, CTDLSH.RecordsOf)
    assert len(record_classes) >= 50
    g = _shapes_graph({"references.ttl"})
    referenced = _targets(g, S.ReferenceStub, CTDLSH.ReferencesTo)
    assert record_classes - referenced == set(), "entity classes whose references are not checked"
    assert rdflib.URIRef("https://purl.org/ctdlasn/terms/CompetencyFramework") in referenced
    g = _shapes_graph({"profiles.ttl"})
    assert not list(g.subject_objects(SH.target)), "profiles are targeted by class"


def test_vocabulary_shapes_are_up_to_date():
    import subprocess
    import sys

    if not (ROOT / "vocabularies").is_dir():
        pytest.skip("no vocabularies/")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_vocabulary_shapes.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, "shapes/vocabularies.ttl is out of date; run scripts/build_vocabulary_shapes.py\n" + run.stdout[:2000]
