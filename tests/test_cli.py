"""The `ctdl` command as scripts use it: exit codes, stdout/stderr contract (in process, through
tests/cli_runner.py; the console script itself once, as a process)."""
import json
import sys
from pathlib import Path

import pytest

from cli_runner import run_ctdl

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "organization.json"
CTDL = [sys.executable, "-m", "service.cli"]


def ctdl(*args, stdin: bytes | None = None):
    """In process (tests/cli_runner.py); the tests that need the process itself use subprocess."""
    return run_ctdl(*args, stdin=stdin)


def test_version():
    r = ctdl("--version")
    assert r.returncode == 0 and r.stdout.decode().startswith("ctdl-assistant ")


def test_format_example_prints_ctdl_and_exits_0():
    r = ctdl("format", "organization", EXAMPLE)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["@graph"][0]["@type"] == "ceterms:CredentialOrganization"
    assert "conforms" in r.stderr.decode()


def test_format_reads_stdin():
    r = ctdl("format", "organization", "-", stdin=EXAMPLE.read_bytes())
    assert r.returncode == 0 and json.loads(r.stdout)["@graph"]


def test_format_type_is_case_insensitive():
    assert ctdl("format", "Organization", EXAMPLE).returncode == 0


def test_violations_exit_1_and_still_print_the_document(tmp_path):
    body = json.loads(EXAMPLE.read_text())
    body["Organization"]["AgentType"] = ["orgType:Vendor", "Vendr"]
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(body))
    r = ctdl("format", "organization", f, "--messages", "json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["@graph"][0]["ceterms:name"]
    report = json.loads(r.stderr)
    (res,) = [x for x in report["results"] if x["code"] == "unknown-term"]
    assert res["path"] == "/Organization/AgentType/1"
    assert 'did you mean "Vendor"?' in res["message"]


@pytest.mark.parametrize("content, needle", [
    (b"{not json", "not valid JSON"),
    (b'{"Name": "Caf\xe9"}', "not valid UTF-8"),
    (b"[1, 2]", "item 0 of the array is a number, not a CTDL document"),
    (b'{"Widget": {"Name": "x"}}', 'neither a "Organization" wrapper'),
    (b"[" * 5000 + b"]" * 5000, "nested"),
])
def test_unusable_input_exits_2_with_one_line_and_no_traceback(tmp_path, content, needle):
    f = tmp_path / "in.json"
    f.write_bytes(content)
    r = ctdl("validate" if content.startswith(b"[") else "format", *(["organization"] if not content.startswith(b"[") else []), f)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert needle in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert r.stdout == b""


def test_unknown_type_exits_2():
    r = ctdl("format", "widget", EXAMPLE)
    assert r.returncode == 2 and "unknown type" in r.stderr.decode()


def test_wrapper_and_type_disagree_exits_2():
    r = ctdl("format", "credential", EXAMPLE)
    assert r.returncode == 2 and "holds a Organization" in r.stderr.decode()


def test_unreadable_file_exits_2(tmp_path):
    r = ctdl("format", "organization", tmp_path / "missing.json")
    assert r.returncode == 2 and "cannot read" in r.stderr.decode()


def test_ten_megabyte_body_exits_2(tmp_path):
    f = tmp_path / "big.json"
    f.write_bytes(b'{"Organization": {"Name": "' + b"x" * (10 * 1024 * 1024) + b'"}}')
    r = ctdl("format", "organization", f)
    assert r.returncode == 2 and "limit" in r.stderr.decode()


def test_validate_a_registry_document_json_report(tmp_path):
    out = ctdl("format", "organization", EXAMPLE).stdout
    f = tmp_path / "doc.json"
    f.write_bytes(b"\xef\xbb\xbf" + out)  # with a BOM, as Windows tools write it
    r = ctdl("validate", f, "--format", "json")
    assert r.returncode == 0, r.stdout.decode()
    report = json.loads(r.stdout)
    assert report["conforms"] is True
    for res in report["results"]:
        assert set(res) >= {"severity", "path", "message", "code"}


def test_validate_an_envelope(tmp_path):
    doc = json.loads(ctdl("format", "organization", EXAMPLE).stdout)
    del doc["@graph"][0]["ceterms:name"]
    f = tmp_path / "envelope.json"
    f.write_text(json.dumps({"envelope_id": "x", "decoded_resource": doc}))
    r = ctdl("validate", f, "--format", "json")
    assert r.returncode == 1
    results = json.loads(r.stdout)["results"]
    assert any(x["code"] == "required" and x["path"] == "/decoded_resource/@graph/0/ceterms:name" for x in results)


def test_validate_refuses_unknown_contexts(tmp_path):
    f = tmp_path / "doc.json"
    f.write_text(json.dumps({"@context": "https://example.org/other-context", "@id": "https://x.example/1"}))
    r = ctdl("validate", f)
    assert r.returncode == 2 and "never fetches" in r.stderr.decode()


# -- the command as a process: the console script's own exit path --------------------------------
def test_the_console_script_exits_with_the_command_s_status():
    """`entry()` ends validate without the interpreter's teardown; the status and output survive."""
    import subprocess

    ok = subprocess.run(CTDL + ["format", "organization", str(EXAMPLE)], capture_output=True, cwd=ROOT, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout)["@graph"]
    bad = subprocess.run(CTDL + ["validate", "-"], input=b"{not json", capture_output=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and b"ctdl:" in bad.stderr
