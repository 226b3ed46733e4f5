"""transformer/shacl/rules.py: the shapes compiled once per content, kept as JSON, loaded without rdflib."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transformer.graph import Graph, IRI, Literal
from transformer.resources import data_dir
from transformer.shacl import load_shapes, rules
from transformer.shacl.plan import compile_plan

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests/data/registry/registry-seeds-2017"
CE = "https://purl.org/ctdl/terms/"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CTDL_CACHE_DIR", str(folder))
    monkeypatch.setattr(rules, "_loaded", {})
    return folder


@pytest.fixture
def files(tmp_path):
    """A copy of the project's policy shapes."""
    out = []
    for src in sorted(data_dir("shapes").glob("*.ttl")):
        dst = tmp_path / "shapes" / src.name
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(src, dst)
        out.append(dst)
    return out


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("rules-*.json"))


def no_compiling(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("compiled although the cache holds these rules")
    monkeypatch.setattr("transformer.shacl.plan.compile_plan", refuse)


def certification(name: str | None) -> Graph:
    g = Graph()
    n = g.node(IRI("https://example.org/c1"))
    n.types.append(IRI(CE + "Certification"))
    if name is not None:
        n.add(CE + "name", Literal(name, None, "en-us"))
    return g


def test_the_cached_rules_are_the_compiled_rules(cache, files, monkeypatch):
    first = rules.rules_for(files)
    (entry,) = entries(cache)
    monkeypatch.setattr(rules, "_loaded", {})          # a new process
    no_compiling(monkeypatch)
    second = rules.rules_for(files)
    assert second is not first
    expected = json.loads(json.dumps(compile_plan(load_shapes(files))))
    assert second.plan == expected == json.loads(entry.read_text(encoding="utf-8"))
    # the engine built from the JSON finds what the engine built in memory finds
    graph = certification(None)
    found = sorted(map(repr, second.engine.validate(graph)))
    assert found and found == sorted(map(repr, first.engine.validate(graph)))


def test_an_edited_shapes_file_is_compiled_again(cache, files, monkeypatch):
    before = rules.rules_for(files)
    (old,) = entries(cache)
    assert not [r for r in before.engine.validate(certification("x")) if "Pattern" in r.component]
    files[0].write_text(files[0].read_text(encoding="utf-8") + """
<urn:x:NameIsLong> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetClass> <https://purl.org/ctdl/terms/Certification> ;
    <http://www.w3.org/ns/shacl#property> [ <http://www.w3.org/ns/shacl#path> <https://purl.org/ctdl/terms/name> ;
        <http://www.w3.org/ns/shacl#pattern> "^...." ] .
""", encoding="utf-8")
    monkeypatch.setattr(rules, "_loaded", {})
    after = rules.rules_for(files)
    assert [r for r in after.engine.validate(certification("x")) if "Pattern" in r.component]
    assert entries(cache) != [old] and len(entries(cache)) == 1   # the new entry replaced the old


def test_a_new_compiler_is_a_new_entry(cache, files, monkeypatch):
    rules.rules_for(files)
    (old,) = entries(cache)
    monkeypatch.setattr(rules, "_loaded", {})
    monkeypatch.setattr(rules, "_compiler_version", lambda: "another compiler")
    rules.rules_for(files)
    assert entries(cache) != [old]


@pytest.mark.parametrize("damage", ["{not json", "[]", json.dumps({"format": 1, "shapes": []}),
                                    json.dumps({"format": 999})])
def test_a_damaged_entry_is_compiled_again(cache, files, monkeypatch, damage):
    rules.rules_for(files)
    (entry,) = entries(cache)
    entry.write_text(damage, encoding="utf-8")
    monkeypatch.setattr(rules, "_loaded", {})
    again = rules.rules_for(files)
    assert [r for r in again.engine.validate(certification(None)) if r.component.endswith("MinCountConstraintComponent")]


def test_no_cache_when_disabled(files, monkeypatch, tmp_path):
    monkeypatch.setattr(rules, "_loaded", {})
    monkeypatch.setenv("CTDL_CACHE_DIR", "")
    assert rules.rules_for(files).engine.validate(certification(None))
    assert not list(tmp_path.rglob("rules-*.json"))


def test_a_process_with_compiled_rules_never_loads_rdflib(tmp_path):
    """The point of the cache: `ctdl validate` and `ctdl format` start without parsing or compiling
    (the rules, and the concept schemes a did-you-mean or an alignment object needs)."""
    env = {**os.environ, "CTDL_CACHE_DIR": str(tmp_path / "cache")}
    doc = ROOT / "tests/data/registry/validation-test-data-2018/Certification_ce-683454f7-b878-479f-a96c-6b85d03344df.json"
    request = ROOT / "tests/data/assistant-pairs/Certification_ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec.input.json"
    script = (
        "import sys, json\n"
        "from transformer.pipeline import format_request, validate_document\n"
        f"report = validate_document(json.load(open({str(doc)!r}, encoding='utf-8')))\n"
        f"outcome = format_request(open({str(request)!r}, 'rb').read(), 'credential')\n"
        "fixes = sum(bool(r.fix) for r in report.results)\n"
        "print(len(report.results), fixes, len(json.dumps(outcome.document)), 'rdflib' in sys.modules)\n")
    first = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    *counts, loaded = first.stdout.split()
    assert loaded == "True" and int(counts[0]) > 0 and int(counts[1]) > 0   # compiled: rdflib was needed
    assert second.stdout.split() == [*counts, "False"]                      # cached: same, no rdflib


def test_cached_vocabularies_are_the_turtle_files():
    from transformer.vocab import Vocabularies, read_vocabularies, vocabulary_data

    paths = sorted(data_dir("vocabularies").glob("*.ttl"))
    fresh = json.loads(json.dumps(read_vocabularies(paths)))
    assert vocabulary_data() == fresh
    v = Vocabularies(fresh)
    assert len(v.schemes) > 40 and len(v.concepts) > 400 and v.frameworks
    cred = v.scheme_for("https://purl.org/ctdl/terms/credentialStatusType")
    assert cred is not None and cred.find("active").notation == "Active"


def test_another_shapes_folder_is_another_ruleset_in_the_same_process(files, tmp_path):
    """--shapes DIR builds another RuleSet: both are used side by side, nothing global changes."""
    from transformer import RuleSet, ShapesError
    from transformer.pipeline import validate_document

    files[0].write_text(files[0].read_text(encoding="utf-8") + """
<urn:x:NameIsLong> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetClass> <https://purl.org/ctdl/terms/Certification> ;
    <http://www.w3.org/ns/shacl#property> [ <http://www.w3.org/ns/shacl#path> <https://purl.org/ctdl/terms/name> ;
        <http://www.w3.org/ns/shacl#minLength> 50 ] .
""", encoding="utf-8")
    mine = RuleSet.for_folder(files[0].parent)
    assert mine is RuleSet.for_folder(files[0].parent) and mine is not RuleSet.default()
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json",
           "@id": "https://credentialengineregistry.org/resources/ce-0e6a1ab7-4b8c-4b0f-9d6c-2a3e0b1c5d11",
           "@type": "ceterms:Certification", "ceterms:name": {"en-US": "Welding"}}
    before = os.environ.get("CTDL_SHAPES")
    with_mine = validate_document(doc, rules=mine).results
    default = validate_document(doc).results
    assert [r for r in with_mine if r.code == "too-short"] and not [r for r in default if r.code == "too-short"]
    assert os.environ.get("CTDL_SHAPES") == before
    with pytest.raises(ShapesError):
        RuleSet.for_folder(tmp_path / "no-shapes-here")


def test_the_upload_columns_follow_the_rule_set(files):
    """A working copy of the shapes that renames a column: its templates and uploads use the new
    header, the project's keep theirs, in one process."""
    from transformer import RuleSet, build_template, column_model, read_rows

    bulk = files[0].parent / "bulk.ttl"
    text = bulk.read_text(encoding="utf-8")
    assert 'sh:name "External Identifier"' in text
    bulk.write_text(text.replace('sh:name "External Identifier"', 'sh:name "Our Identifier"'), encoding="utf-8")
    mine = RuleSet.for_folder(files[0].parent)
    headers = [c.header for c in column_model("course", mine).columns]
    assert "Our Identifier" in headers and "External Identifier" not in headers
    assert "External Identifier" in [c.header for c in column_model("course").columns]
    template = build_template("course", rules=mine).decode("utf-8-sig")
    assert "Our Identifier" in template.splitlines()[0].split(",")
    sheet = read_rows(b"Our Identifier,Learning Opportunity Name\nWELD 101,Introduction to Welding\n", "course", mine)
    assert sheet.model.rules is mine and sheet.rows[0].cells["ExternalIdentifier"] == "WELD 101"


def test_ctdl_bulk_takes_a_shapes_folder_too(files, tmp_path):
    from cli_runner import run_ctdl

    bulk = files[0].parent / "bulk.ttl"
    bulk.write_text(bulk.read_text(encoding="utf-8").replace('sh:name "External Identifier"', 'sh:name "Our Identifier"'),
                    encoding="utf-8")
    mine = run_ctdl("bulk", "template", "course", "--shapes", files[0].parent, text=True)
    project = run_ctdl("bulk", "template", "course", text=True)
    assert mine.returncode == 0 and project.returncode == 0, mine.stderr
    assert "Our Identifier" in mine.stdout.splitlines()[0] and "Our Identifier" not in project.stdout
    sheet = tmp_path / "rows.csv"
    sheet.write_text("Our Identifier,Learning Opportunity Name\nWELD 101,Welding\n", encoding="utf-8")
    org = "ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f"
    up = run_ctdl("bulk", "upload", "course", sheet, "--org", org, "--data", tmp_path / "data", "--format", "json",
                  "--shapes", files[0].parent, text=True)
    assert "Our Identifier" not in up.stderr and '"WELD 101"' in up.stdout, up.stdout + up.stderr
