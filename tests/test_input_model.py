"""Input-model coverage: every key real clients send to the Registry Assistant, through `ctdl format`.

For each key of Organization, Credential, Assessment, LearningOpportunity and every class reachable
from them (tests/data/assistant-input-model.csv), tests/input_model.py formats a minimal valid request
with a sample value at that key and says what became of it.  A key must be emitted as the CTDL
property the table names (or its name says), or be listed in tests/input_model_refused.json with the
reason it is not.  `python bench/input_model_coverage.py` prints the share and the lists.
"""
from __future__ import annotations

import json

import pytest

import input_model as im
from transformer.context import input_context
from transformer.enrich import CTDLA, input_only_properties

KEYS = im.all_keys()
KNOWN = im.known()
# the share the issue recorded before this test existed (790 of 834 keys right): never again below
FLOOR = 790 / 834


def _results() -> dict[str, im.KeyResult]:
    return {r.name: r for r in im.check_all()}


def test_the_model_is_read():
    names = {r.name for r in KEYS}
    assert {"Credential.Name", "Organization.AgentType", "Assessment.Assesses", "LearningOpportunity.Teaches",
            "ConditionProfile.TargetAssessment", "DurationItem.Weeks", "DataProfile.EarningsAmount"} <= names
    assert not any(r.key == "(JsonIgnore)" for r in KEYS)
    # base classes: a class has its base class's keys (BaseRequestHelper: @id)
    assert "Credential.@id" in names
    assert len(KEYS) > 800


def test_no_internal_term_and_no_crash_on_any_key_through_any_route():
    """No urn:ctdl-assistant: term reaches a formatted document, and nothing crashes: every key of
    every class, through every property that holds the class."""
    bad = [r for r in list(im.check_all()) + im.check_all_routes() if r.status in ("internal", "crash")]
    assert not bad, f"{len(bad)} keys leak an internal term or crash:\n" + "\n".join(
        f"  {r.route}: {r.status}: {r.note}" for r in bad[:60])


@pytest.mark.parametrize("name", [r.name for r in KEYS])
def test_key_is_emitted_or_known(name):
    r = _results()[name]
    known = KNOWN.get(name)
    if r.right:
        assert known is None, (f"{name} is now emitted as {r.expected}: remove it from "
                               f"tests/input_model_refused.json")
        return
    assert known is not None, (f"{name} (sent as {r.route}) is not emitted as {r.expected or 'any CTDL property'}: "
                               f"{r.describe()}")
    assert known["status"] == r.status, (f"{name}: tests/input_model_refused.json says {known['status']}, "
                                         f"but it is {r.status}: {r.describe()}")
    assert known["status"] in ("refused", "consumed", "ignored"), \
        f"{name}: {known['status']} is a bug, not a reason (lost / wrong-property keys must be fixed)"
    assert known.get("reason"), f"{name}: give the reason in tests/input_model_refused.json"
    if r.status == "refused":
        assert any(m[0] == "Violation" for m in r.messages), f"{name}: refused without a message at the key"


def test_known_table_is_current():
    names = {r.name for r in KEYS}
    stale = [k for k in KNOWN if k not in names]
    assert not stale, f"not keys of the input model: {stale}"
    # every key the input context sends to an input-only term that is refused on purpose is listed,
    # with the fix text of contexts/input-only-properties.json as its reason
    table = input_only_properties()
    terms = input_context().terms
    missing = []
    for row in KEYS:
        td = terms.get(row.key)
        name = td.iri[len(CTDLA):] if td is not None and td.iri and td.iri.startswith(CTDLA) else None
        spec = table.get(name or "", {})
        if "fix" in spec and im.check(row.cls, row.key).status == "refused":
            if KNOWN.get(row.name, {}).get("reason") != spec["fix"]:
                missing.append(row.name)
    assert not missing, f"refused on purpose but not listed with their fix: {missing}"


def test_share():
    right, total = im.share(im.check_all())
    print(f"input-model coverage: {right} of {total} keys right ({right / total:.1%})")
    assert right / total >= FLOOR, f"only {right} of {total} keys right"


def test_a_lost_key_is_seen():
    """The harness itself: a key the tool does not know is not counted as emitted."""
    row = im.model().row("EntityReference", "Version")
    r = im.check(row.cls, row.key)
    assert not r.right and r.status in ("ignored", "lost", "refused")
    assert json.dumps(im.build(row.cls, row.key).request).count('"Version"') == 1


@pytest.mark.parametrize("key", im.request_keys())
def test_request_key_is_taken_at_the_top_and_refused_inside_the_resource(key):
    """BaseRequest keys (DefaultLanguage, PublishForOrganizationIdentifier...): beside the resource they
    are the request's, and publish nothing of their own; inside it they are refused with the fix."""
    top = im.check_request_key(key, inside=False)
    assert top.status == "consumed", top.describe()
    inside = im.check_request_key(key, inside=True)
    assert inside.status == "refused", inside.describe()
