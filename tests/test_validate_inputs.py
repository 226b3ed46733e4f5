"""`ctdl validate` of any CTDL input (transformer/documents.py, transformer/summary.py): arrays,
envelopes, folders, encodings real data has, and reports grouped by rule."""
from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cli_runner import run_ctdl
from transformer import summary
from transformer.documents import check, documents, read_text
from transformer.errors import InputError

ROOT = Path(__file__).parent.parent
PAIRS = ROOT / "tests" / "data" / "assistant-pairs"
GOOD = json.loads((PAIRS / "Certification_ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec.output.json").read_text("utf-8"))


def bad_doc() -> dict:
    doc = json.loads(json.dumps(GOOD))
    del doc["@graph"][0]["ceterms:name"]
    return doc


def ctdl(*args):
    return run_ctdl(*args, text=True)


def test_an_array_is_validated_item_by_item_with_pointers_into_the_array():
    data = json.dumps([GOOD, bad_doc(), {"decoded_resource": bad_doc()}]).encode()
    checked = check(data, "list.json")
    assert [c.label for c in checked] == ["list.json[0]", "list.json[1]", "list.json[2]"]
    assert [c.conforms for c in checked] == [True, False, False]
    (missing,) = [r for r in checked[1].report.violations if r.code == "required" and "name" in r.path]
    assert missing.path == "/1/@graph/0/ceterms:name"
    assert any(r.path == "/2/decoded_resource/@graph/0/ceterms:name" for r in checked[2].report.violations)
    with pytest.raises(InputError) as e:
        documents(b'[{"@id": "x"}, "text"]')
    assert e.value.pointer == "/1" and "string" in e.value.message
    with pytest.raises(InputError):
        documents(b"[]")


def test_encodings_of_real_files():
    text, problems = read_text(b"\xef\xbb\xbf{}")
    assert text == "{}" and problems == []
    text, problems = read_text('{"a": "é"}'.encode("utf-16"))
    assert text == '{"a": "é"}' and problems == []
    text, (warning,) = read_text('{"ceterms:name": "Caf\xe9 \x81"}'.encode("latin-1"))
    assert text == '{"ceterms:name": "Café \x81"}'                      # 0x81 is undefined in Windows-1252
    assert warning.code == "input.encoding-cp1252" and warning.severity == "Warning"
    assert "offset 21" in warning.message and "line 1" in warning.message
    assert "\x93smart quotes\x94" not in read_text(b'{"a": "\x93smart quotes\x94"}')[0]
    assert "\u201csmart quotes\u201d" in read_text(b'{"a": "\x93smart quotes\x94"}')[0]
    with pytest.raises(InputError):
        read_text(b"\x00\x01\x02\xff binary")


def test_random_bytes_never_crash():
    rng = random.Random(4)
    sample = json.dumps(GOOD).encode()
    for i in range(300):
        kind = i % 3
        if kind == 0:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        elif kind == 1:
            data = sample[:rng.randrange(len(sample))]
        else:
            data = bytearray(sample)
            for _ in range(5):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        for c in check(data, "fuzz"):   # never raises: an unreadable input is reported
            assert c.report is not None or (c.error and c.error["code"].startswith("input."))


def test_results_are_grouped_by_rule_with_counts_and_examples():
    docs = [bad_doc() for _ in range(5)]
    checked = check(json.dumps(docs).encode(), "five.json")
    groups = summary.group_results(checked, examples=2)
    (required,) = [g for g in groups if g.code == "required" and g.examples[0][1].path.endswith("ceterms:name")]
    assert required.count == 5 and len(required.documents) == 5 and len(required.examples) == 2
    assert groups[0].severity == "Violation"
    total = sum(len(c.report.results) for c in checked)
    assert sum(g.count for g in groups) == total
    text = summary.text_summary(checked, groups)
    assert f"violation [required] x5 in 5 documents" in text and "and 3 more like these" in text
    assert text.splitlines()[-1].startswith("does not conform: ")
    js = summary.json_summary(checked, groups)
    assert js["summary"]["documents"] == 5 and js["summary"]["violations"] == sum(c.counts()[0] for c in checked)
    assert sum(len(d["results"]) for d in js["documents"]) == total          # the full list


def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / "good.json").write_text(json.dumps(GOOD), encoding="utf-8")
    (d / "sub" / "bad.jsonld").write_text(json.dumps(bad_doc()), encoding="utf-8")
    (d / "both.json").write_text(json.dumps([GOOD, bad_doc()]), encoding="utf-8")
    (d / "broken.json").write_bytes(b"{not json")
    (d / "notes.txt").write_text("not a document")
    return d


def test_validate_a_folder(tmp_path):
    r = ctdl("validate", folder(tmp_path))
    assert r.returncode == 1, r.stderr
    table = r.stdout.split("\n\n")[0].splitlines()
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert set(rows) == {"both.json", "broken.json", "good.json", "sub/bad.jsonld", "total"}
    assert rows["good.json"][-1] == "ok" and rows["sub/bad.jsonld"][-1] == "fails"
    assert rows["broken.json"][-1] == "unreadable" and rows["both.json"][1] == "2"
    assert "error [input.not-json] in broken.json" in r.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    r = ctdl("validate", empty)
    assert r.returncode == 2 and "no .json or .jsonld files" in r.stderr


def test_several_paths_in_one_command(tmp_path):
    """`ctdl validate exports/*.json other/`: files and folders together, named as given."""
    d = folder(tmp_path)
    r = ctdl("validate", d / "good.json", d / "sub", tmp_path / "missing.json", "--format", "json")
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    names = {x["document"] for x in out["documents"]}
    assert names == {str(d / "good.json"), str(d / "sub" / "bad.jsonld"), str(tmp_path / "missing.json")}
    assert out["summary"] == {**out["summary"], "documents": 3, "conforming": 1, "unreadable": 1}
    r = ctdl("validate", d / "good.json", d / "good.json")
    assert r.returncode == 0 and "total" in r.stdout


def test_json_and_junit_formats(tmp_path):
    d = folder(tmp_path)
    r = ctdl("validate", d, "--format", "json")
    out = json.loads(r.stdout)
    assert out["conforms"] is False and out["summary"]["documents"] == 5 and out["summary"]["unreadable"] == 1
    assert {x["document"] for x in out["documents"]} == {"good.json", "sub/bad.jsonld", "both.json[0]",
                                                        "both.json[1]", "broken.json"}
    r = ctdl("validate", d, "--format", "junit")
    root = ET.fromstring(r.stdout)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"good.json", "sub/bad.jsonld", "both.json", "broken.json"}
    assert suites["good.json"].get("failures") == "0" and suites["sub/bad.jsonld"].get("failures") == "1"
    assert suites["broken.json"].get("errors") == "1"
    failure = suites["sub/bad.jsonld"].find("testcase/failure")
    assert failure.get("type") == "required" and "ceterms:name" in failure.text


def test_one_file_keeps_its_exit_codes(tmp_path):
    f = tmp_path / "good.json"
    f.write_text(json.dumps(GOOD))
    assert ctdl("validate", f).returncode == 0
    f.write_text(json.dumps(bad_doc()))
    r = ctdl("validate", f, "--format", "json")
    assert r.returncode == 1 and any(x["code"] == "required" for x in json.loads(r.stdout)["results"])
    f.write_bytes(b"\xff\xfe\x00")
    assert ctdl("validate", f).returncode == 2


def test_recommended_line_names_groups_in_ctdl_terms():
    """A recommended at-least-one group (a condition with none of its targets) is named by its
    alternatives in CTDL terms, the style of every other name on the one-line benchmark summary,
    not by its shape IRI nor by a label of another style."""
    path = ROOT / "tests/data/registry/validation-test-data-2018/Certification_ce-683454f7-b878-479f-a96c-6b85d03344df.json"
    checked = check(path.read_bytes(), path.name)
    text = summary.text_summary(checked, summary.group_results(checked, 3))
    line = next(x for x in text.splitlines() if x.startswith("warning [recommended]"))
    assert "one of ceterms:targetCredential | ceterms:targetAssessment" in line and "shape:" not in line
    assert "Target Entity" not in line


def test_verbose_shows_each_recommended_result_as_the_summary_promises():
    path = ROOT / "tests/data/registry/validation-test-data-2018/Certification_ce-683454f7-b878-479f-a96c-6b85d03344df.json"
    checked = check(path.read_bytes(), path.name)
    short = summary.text_summary(checked, summary.group_results(checked, 3))
    assert "(-v or --format json shows each)" in short
    every = summary.text_summary(checked, summary.group_results(checked, 10 ** 9), verbose=True)
    warnings = sum(1 for x in every.splitlines() if x.lstrip().startswith("warning [recommended] at "))
    assert warnings == summary.totals(checked)["warnings"] - sum(
        1 for c in checked for r in c.report.results if r.severity == "Warning" and r.code != "recommended")
    assert "shows each" not in every


def test_a_message_and_its_fix_read_as_two_sentences():
    from transformer.report import with_fix

    assert with_fix("ceterms:name is missing", "Add it.") == "ceterms:name is missing. Add it."
    assert with_fix("ceterms:name is missing.", "Add it.") == "ceterms:name is missing. Add it."
    assert with_fix("Add it.", "Add it.") == "Add it."
    data = '{"@type": "ceterms:Certificate", "ceterms:name": {"en-US": "Caf\xe9"}}'.encode("cp1252")
    (checked,) = check(data, "cp.json")
    (warning,) = [r for r in checked.report.results if r.code == "input.encoding-cp1252"]
    assert "exports. Save the file as UTF-8" in warning.text()


@pytest.mark.parametrize("shape", ["one document", "documents", "unreadable", "nothing wrong", "none"])
def test_the_streamed_json_report_is_the_json_summary(shape):
    """`--format json` writes the report as it builds it; it is the same value as json_summary."""
    import io

    from transformer.report import Report

    if shape == "one document":
        checked = check(json.dumps(bad_doc()).encode(), "one.json")
    elif shape == "documents":
        checked = check(json.dumps([GOOD, bad_doc(), bad_doc()]).encode(), "three.json", file="three.json")
    elif shape == "unreadable":
        checked = [summary.Checked("broken.json", None, {"code": "invalid-json", "message": "Ünreadable", "path": ""},
                                   "broken.json")] + check(json.dumps(bad_doc()).encode(), "b.json")
    elif shape == "nothing wrong":
        checked = [summary.Checked("empty.json", Report())]
    else:
        checked = []
    groups = summary.group_results(checked, examples=2)
    out = io.StringIO()
    summary.write_json(checked, groups, out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(summary.json_summary(checked, groups)))
    if shape == "one document":                         # a result per line: grep-able, diff-able
        lines = out.getvalue().splitlines()
        results = lines[lines.index('  "results": [') + 1:-2]
        assert len(results) == len(checked[0].report.sorted()) and all(r.startswith('    {"severity"') for r in results)


def test_many_files_are_checked_by_worker_processes_in_input_order(tmp_path, monkeypatch):
    """check_files shares many files among forked workers; the results are the serial ones, in order."""
    from transformer.documents import check_files, workers_for

    d = folder(tmp_path)
    inputs = [(str(f), f.name) for f in sorted(d.rglob("*.json*"))] * 3 + [(str(d / "missing.json"), "missing.json")]
    monkeypatch.setenv("CTDL_CHECK_WORKERS", "1")
    serial = check_files(inputs)
    monkeypatch.setenv("CTDL_CHECK_WORKERS", "2")
    assert workers_for(len(inputs)) == 2
    parallel = check_files(inputs)

    def seen(per_file):
        return [[(c.label, c.file, c.error and c.error["code"], c.report and [(r.path, r.code, r.message)
                                                                           for r in c.report.sorted()])
                 for c in checked] for checked in per_file]

    assert seen(parallel) == seen(serial) and len(parallel) == len(inputs)
    assert parallel[-1][0].error["code"] == "input.unreadable"
    monkeypatch.delenv("CTDL_CHECK_WORKERS")
    assert workers_for(3) == 1                       # a few files: no workers
