"""`ctdl shapes check | test | docs` (transformer/shapes_tools/) and a broken shapes file at start."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ctdl(*args, env_shapes: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the rules and their examples, as a maintainer's working copy: tmp/shapes, tmp/tests/shapes."""
    shutil.copytree(ROOT / "shapes", tmp_path / "shapes")
    shutil.copytree(ROOT / "tests" / "shapes", tmp_path / "tests" / "shapes")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_project_shapes_are_sound():
    """SHACL meta-shapes, CTDL terms, documentation, orders, and every example: what CI runs."""
    r = ctdl("shapes", "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no findings" in r.stderr


def test_check_finds_what_a_maintainer_got_wrong(tree):
    from transformer.shapes_tools.check import check_shapes

    org = tree / "shapes" / "organization.ttl"
    text = org.read_text(encoding="utf-8")
    block = re.search(r"^shape:Organization-agentSectorType-required\n.*?\n\n", text, re.S | re.M).group(0)
    broken = block.replace("sh:path ceterms:agentSectorType", "sh:path ceterms:agentSecterType")
    broken = re.sub(r'\n    sh:message "[^"]*" ;', "", broken)
    org.write_text(text.replace(block, broken), encoding="utf-8")
    edit(tree / "shapes" / "assessment.ttl", "ctdlsh:class ceterms:AssessmentProfile ]", "ctdlsh:class ceterms:Assesment ]")
    findings = check_shapes(tree / "shapes", examples=False, meta=False)
    got = {(f.shape, f.code) for f in findings}
    assert ("shape:Organization-agentSectorType-required", "unknown-term") in got
    assert ("shape:Organization-agentSectorType-required", "undocumented") in got
    assert any(f.code == "unknown-term" and "terms/Assesment is not" in f.message for f in findings)
    line = next(f.line for f in findings if f.code == "undocumented")
    assert org.read_text(encoding="utf-8").splitlines()[line - 1].startswith("shape:Organization-agentSectorType-required")


def test_check_reports_order_collisions_and_broken_files(tree):
    from transformer.shapes_tools.check import check_shapes

    org = tree / "shapes" / "organization.ttl"
    text = org.read_text(encoding="utf-8")
    block = re.search(r"^shape:Organization-agentSectorType-required\n.*?\n\n", text, re.S | re.M).group(0)
    org.write_text(text.replace(block, re.sub(r"sh:order \d+", "sh:order 7", block)), encoding="utf-8")
    findings = check_shapes(tree / "shapes", examples=False, meta=False)
    assert any(f.code == "order" and "sh:order 7" in f.message for f in findings)
    edit(org, "sh:group group:Required ;", "sh:group group:Required")     # a missing ';'
    (f,) = check_shapes(tree / "shapes", examples=False, meta=False)
    assert f.code == "syntax" and f.file == "shapes/organization.ttl" and f.line > 0
    r = ctdl("shapes", "check", "--shapes", tree / "shapes")
    assert r.returncode == 2 and f"organization.ttl:{f.line}" in r.stdout


def test_check_and_test_run_the_examples(tree):
    from transformer.shapes_tools.check import check_shapes

    expected = tree / "tests" / "shapes" / "Organization" / "invalid.expected.json"
    edit(expected, '"code": "', '"code": "not-', )
    for valid in (tree / "tests" / "shapes" / "ctid").glob("valid*"):
        valid.unlink()
    r = ctdl("shapes", "test", "--shapes", tree / "shapes")
    assert r.returncode == 1
    assert "FAIL shape:Organization  invalid.json" in r.stdout and "missing" in r.stdout
    assert re.search(r"\d+ of \d+ examples of \d+ shapes pass; 1 fail", r.stdout)
    r = ctdl("shapes", "test", "--shapes", tree / "shapes", "ctid", "Organization-agentType")
    assert r.returncode == 0 and "examples of 2 shapes pass" in r.stdout
    findings = check_shapes(tree / "shapes", examples=True, meta=False)
    assert {(f.shape, f.code) for f in findings} == {("shape:Organization", "example"), ("shape:ctid", "example")}


def test_docs_are_generated_from_the_shapes_and_up_to_date(tmp_path):
    from transformer.bulk.records.model import column_model
    from transformer.shapes_tools.docs import render

    pages = render()
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "properties").glob("*.md")}
    assert committed == pages, "docs/properties/ is out of date: run `ctdl shapes docs -o docs/properties/`"
    # a case-insensitive file system (macOS, Windows) keeps every page
    assert len({name.lower() for name in pages}) == len(pages)
    # the same source as the templates: every column of the course template is a row of its page
    course = pages["template-course.md"]
    for column in column_model("course").columns:
        assert f"**{column.header}**" in course, column.header
    assert "## Require at least one of" in course and "| Property | Description / Example |" in course
    assert "A term of Organization Type." in pages["Organization.md"]
    r = ctdl("shapes", "docs", "-o", tmp_path / "out")
    assert r.returncode == 0 and (tmp_path / "out" / "index.md").read_text(encoding="utf-8") == pages["index.md"]


def test_a_broken_shapes_file_stops_the_server_with_file_line_and_reason(tree):
    edit(tree / "shapes" / "credential.ttl", "sh:group group:Required ;", "sh:group group:Required")
    r = ctdl("serve", "--port", "0", "--data", tree / "data", "--shapes", tree / "shapes")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert re.search(r"credential\.ttl line \d+: expected", line) and "nothing was loaded" in line
    r = ctdl("validate", ROOT / "tests" / "data" / "assistant-pairs" /
             "Certification_ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec.output.json", "--shapes", tree / "shapes")
    assert r.returncode == 2 and "credential.ttl line" in r.stderr
