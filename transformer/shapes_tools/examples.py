"""Each shape's examples, run as a maintainer (``ctdl shapes test``) and the tests run them.

Layout (a checkout's ``tests/shapes/``): ``<shape local name>/valid*.json`` and ``invalid*.json``
CTDL documents in registry form, each with ``<name>.expected.json`` (the results it must give:
``{"path", "code", "severity", "shape"}``; Violations always compared, Warnings when the list names
any); the bulk column shapes (shapes/bulk.ttl) have spreadsheet examples instead: ``valid.csv``,
``invalid.csv`` + ``invalid.expected.json`` (results at ``/rows/<row>/<column>``), uploaded with
``bulk-context.json`` (the organization's addresses, credentials and manifests).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..resources import data_dir


@dataclass
class ExampleResult:
    shape: str                    # the folder: the shape's local name
    file: Path
    missing: list = field(default_factory=list)      # expected (path, code, severity, shape) not produced
    unexpected: list = field(default_factory=list)   # produced but not expected
    error: str = ""               # the example could not be run (unreadable, no expected file)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.error)

    def lines(self) -> list[str]:
        if self.error:
            return [f"  {self.error}"]
        return ([f"  missing    {k[0]} [{k[1]}] {k[2]} {k[3]}" for k in self.missing]
                + [f"  unexpected {k[0]} [{k[1]}] {k[2]} {k[3]}" for k in self.unexpected])


def examples_dir(rules=None) -> Path:
    """``tests/shapes`` of the checkout the shapes (of ``rules``, a RuleSet; default: the project's)
    come from (examples are not installed with a wheel)."""
    shapes = rules.shapes_dir if rules is not None else data_dir("shapes")
    return shapes.resolve().parent / "tests" / "shapes"


def example_files(folder: Path | None = None, names=None) -> list[Path]:
    folder = folder or examples_dir()
    wanted = set(names) if names else None
    out = []
    for p in sorted(folder.glob("*/*")):
        if p.name.endswith(".expected.json") or p.suffix not in (".json", ".csv"):
            continue
        if wanted is None or p.parent.name in wanted:
            out.append(p)
    return out


def _key(r) -> tuple:
    if isinstance(r, dict):
        return (r["path"], r["code"], r["severity"], r["shape"])
    return (r.path, r.code, r.severity, r.shape)


def run_one(path: Path, rules=None) -> ExampleResult:
    result = ExampleResult(path.parent.name, path)
    expected_path = path.with_name(path.stem + ".expected.json")
    if path.name.startswith("invalid") and not expected_path.exists():
        result.error = f"{expected_path.name} is missing: an invalid example must say which results it gives"
        return result
    try:
        expected = json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else []
        got = _csv_results(path) if path.suffix == ".csv" else _json_results(path, expected, rules)
    except Exception as e:  # noqa: BLE001 - a broken example is reported, never a crash of the runner
        result.error = f"cannot run: {type(e).__name__}: {e}"
        return result
    want = {_key(e) for e in expected}
    result.missing = sorted(want - got)
    result.unexpected = sorted(got - want)
    return result


def _json_results(path: Path, expected: list, rules=None) -> set:
    from ..pipeline import validate_document

    report = validate_document(json.loads(path.read_text(encoding="utf-8")), rules=rules)
    compare_warnings = any(e["severity"] != "Violation" for e in expected)
    return {_key(r) for r in report.results if r.severity == "Violation" or compare_warnings}


def _csv_results(path: Path) -> set:
    from ..bulk.records.sheet import read_rows
    from ..bulk.records.validation import validate_rows

    ctx = json.loads((path.parent.parent / "bulk-context.json").read_text(encoding="utf-8"))
    kind = ctx["type_of"].get(path.parent.name, ctx["default_type"])
    sheet = read_rows(path.read_bytes(), kind)
    results = validate_rows(sheet, ctx["org"], ctx["addresses"], credentials=ctx["credentials"],
                            manifests=ctx["manifests"])
    got = {(p.pointer, p.code, p.severity, p.shape) for p in sheet.problems if p.severity == "Violation"}
    got |= {(p.pointer, p.code, p.severity, p.shape) for r in results for p in r.problems
            if p.severity == "Violation"}
    return got


def run_examples(names=None, folder: Path | None = None, rules=None) -> list[ExampleResult]:
    """Each example of ``folder`` (default: the checkout's tests/shapes) run against ``rules`` (a
    RuleSet; default: the project's).  Spreadsheet examples use the project's columns."""
    return [run_one(p, rules) for p in example_files(folder or examples_dir(rules), names)]
