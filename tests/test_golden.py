"""Golden transform cases: tests/cases/<name>/input.json -> expected.jsonld, compared as RDF graphs.

The handbook's eight examples (basic and recommended record for Organization, Credential,
Assessment and Learning Opportunity) are written in today's registry form: graph document,
language maps, alignment objects with framework and definitions, references as registry URIs,
IndustryType / OccupationType codes kept as coded alignments (the handbook's own output lost them
as []).  Where a case has expected-results.json, the violations must be exactly those (path, code): the handbook's examples contain real mistakes (PT3H minimum > PT1H
maximum, bare UUIDs for competencies, audience terms given as residency types).
"""
import json
from pathlib import Path

import pytest

from graphs import assert_isomorphic, pyld_graph
from transformer.pipeline import format_request

CASES = sorted(p.parent for p in (Path(__file__).parent / "cases").glob("*/input.json"))


def graph(doc):
    """Both sides read by pyld, not by our own lifter (which is what is under test)."""
    return pyld_graph(doc)


def test_the_cases_are_there():
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden_output(case):
    outcome = format_request((case / "input.json").read_bytes())
    expected = json.loads((case / "expected.jsonld").read_text(encoding="utf-8"))
    assert_isomorphic(graph(expected), graph(outcome.document))
    assert outcome.document["@graph"][0]["@id"] == expected["@graph"][0]["@id"], "main resource first"


@pytest.mark.parametrize("case", [c for c in CASES if (c / "expected-results.json").exists()], ids=lambda p: p.name)
def test_golden_results(case):
    outcome = format_request((case / "input.json").read_bytes())
    expected = json.loads((case / "expected-results.json").read_text(encoding="utf-8"))
    actual = sorted([r.path, r.code] for r in outcome.report.violations)
    assert actual == sorted(expected)
