"""Graph comparison against the real Registry Assistant: every real request/output pair in
tests/data (three public pairs, five outcome-data pairs from Credential Engine's samples), as RDF
facts (tests/rdf_compare.py: pyld, blank nodes and registry hosts normalized).

Recall (share of the real facts we publish) and precision (share of ours the real output has) are
at least 0.98 once the known differences below are set aside; each is a function that says which
differing facts it explains, and why. Any difference none of them explains is printed on failure.
bench/real_pairs.py prints the raw figures.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from rdf_compare import compare
from transformer import parse
from transformer.enrich import Options, SANDBOX_REGISTRY
from transformer.pipeline import format_request

DATA = Path(__file__).parent / "data"
PAIRS = sorted(DATA.glob("assistant-pairs/*.input.json")) + sorted(DATA.glob("assistant-pairs-extra/*.input.json"))
FLOOR = 0.98


def _strip_keys(doc):
    """The real 160 Driving Academy output has a key with a trailing space (a registry bug)."""
    if isinstance(doc, dict):
        return {k.strip(): _strip_keys(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_strip_keys(v) for v in doc]
    return doc


class Facts:
    """Both fact sets, with lookups the explanations need."""

    def __init__(self, real, ours):
        self.real, self.ours = real, ours
        self.by_subject: dict = {}
        for s, p, o in real | ours:
            self.by_subject.setdefault(s, set()).add((p, o))

    def has(self, s, p, o=None) -> bool:
        return any(pp == p and (o is None or oo == o) for pp, oo in self.by_subject.get(s, ()))

    def objects(self, s, p) -> set:
        return {o for pp, o in self.by_subject.get(s, ()) if pp == p}


VOCAB_FRAMEWORKS = ("https://credreg.net/ctdl/terms/", "ceterms:", "qdata:", "https://credreg.net/qdata/terms/")
CODE_FRAMEWORKS = ("https://www.onetcenter.org/", "https://nces.ed.gov/", "https://www.naics.com/")


def _framework(facts, s) -> str:
    return next(iter(facts.objects(s, "ceterms:framework")), "")


# -- known differences: (fact, side, facts) -> explained? -------------------------------------------

def framework_name_is_the_scheme_label(fact, side, facts):
    """frameworkName of a CTDL vocabulary term: we give the scheme's label ("Credential Status",
    "Delivery Type"), as Credential Engine's handbook examples (tests/cases) and the Registry
    Assistant's multi-language output (BachelorDegree) have it; other Registry Assistant outputs
    print the scheme's local name ("CredentialStatus", "Delivery"). One fact each side."""
    s, p, _ = fact
    return p == "ceterms:frameworkName" and _framework(facts, s).startswith(VOCAB_FRAMEWORKS)


def vocabulary_terms_carry_their_definition(fact, side, facts):
    """targetNodeDescription of a CTDL vocabulary term: we publish the concept's definition (asked
    for since the first issue: 'targetNodeName (and description) from vocabularies/'), as the
    multi-language output does; most outputs leave it out."""
    s, p, _ = fact
    return side == "extra" and p == "ceterms:targetNodeDescription" and _framework(facts, s).startswith(VOCAB_FRAMEWORKS)


def code_lists_are_not_shipped(fact, side, facts):
    """The names and descriptions of SOC / O*NET and CIP codes: the Registry Assistant looks them
    up in databases over the network; we publish the code in its framework, offline."""
    s, p, _ = fact
    return side == "missing" and p in ("ceterms:targetNodeName", "ceterms:targetNodeDescription") and (
        facts.has(s, "ceterms:codedNotation") or _framework(facts, s).startswith(CODE_FRAMEWORKS))


def codes_get_their_framework(fact, side, facts):
    """A bare occupation code (OccupationType: [{"CodedNotation": ...}]) gets the framework its
    property implies, with its name; the registry does this for CIP but not for O*NET codes."""
    s, p, _ = fact
    return side == "extra" and p in ("ceterms:framework", "ceterms:frameworkName") and \
        facts.has(s, "ceterms:codedNotation") and not any(
            ss == s and pp == "ceterms:framework" for ss, pp, _ in facts.real)


def main_jurisdiction_is_kept(fact, side, facts):
    """MainJurisdiction of a JurisdictionProfile: the registry drops it (the publisher's data is
    lost); we publish ceterms:mainJurisdiction and its Place."""
    s, p, _ = fact
    if side != "extra":
        return False
    return p == "ceterms:mainJurisdiction" or any(
        pp == "ceterms:mainJurisdiction" and o == s for _, pp, o in facts.ours)


def value_profiles_use_the_ctdl_class(fact, side, facts):
    """Credit values: the registry types them schema:ValueProfile with schema:description, terms
    schema.org does not define; CTDL defines ceterms:ValueProfile and ceterms:description."""
    s, p, o = fact
    return "ValueProfile" in s and ((p == "rdf:type" and o.endswith("ValueProfile")) or
                                    p in ("schema:description", "ceterms:description"))


def data_sets_point_at_the_resource(fact, side, facts):
    """qdata:relevantDataSetFor: the Indiana output points at the credential's graph URI
    (/graph/ce-...), three other outputs at its resource URI (/resources/ce-...); we always give
    the resource, which is what the property describes."""
    s, p, o = fact
    return p == "qdata:relevantDataSetFor" and (o.startswith("registry:graph/") or
                                                (side == "extra" and o.startswith("registry:resources/")))


def amounts_without_a_value_are_kept(fact, side, facts):
    """An EarningsAmount given as {"Currency": "USD", "Description": "Average Wage"} with no Value
    (ProPath): the registry drops it; we publish what the publisher gave."""
    s, p, o = fact
    if side != "extra":
        return False
    node = o if p == "qdata:earningsAmount" else s
    return "MonetaryAmount" in node and not facts.has(node, "schema:value")


KNOWN = [framework_name_is_the_scheme_label, vocabulary_terms_carry_their_definition, code_lists_are_not_shipped,
         codes_get_their_framework, main_jurisdiction_is_kept, value_profiles_use_the_ctdl_class,
         data_sets_point_at_the_resource, amounts_without_a_value_are_kept]


def _compare(path: Path):
    out = format_request(path.read_bytes(), opts=Options(registry=SANDBOX_REGISTRY))
    real_doc = _strip_keys(parse.parse_json(Path(str(path).replace(".input.", ".output.")).read_bytes()))
    c = compare(real_doc, out.document)
    facts = Facts(c.real, c.ours)
    unexplained = {side: [f for f in facts_list if not any(k(f, side, facts) for k in KNOWN)]
                   for side, facts_list in (("missing", c.missing), ("extra", c.extra))}
    return c, unexplained


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.name.split("_ce-")[0])
def test_real_output_is_reproduced(path):
    c, unexplained = _compare(path)
    recall = 1 - len(unexplained["missing"]) / len(c.real)
    precision = 1 - len(unexplained["extra"]) / len(c.ours)
    listing = "\n".join(f"  {side}: {' '.join(f)}" for side, fs in unexplained.items() for f in fs)
    assert recall >= FLOOR and precision >= FLOOR, (
        f"recall {recall:.3f}, precision {precision:.3f} (raw {c.recall:.3f} / {c.precision:.3f}); "
        f"differences no known reason explains:\n{listing}")


def test_every_known_difference_is_still_needed():
    """A known difference that explains nothing any more is removed, so the list stays honest."""
    used = set()
    for path in PAIRS:
        c, _ = _compare(path)
        facts = Facts(c.real, c.ours)
        for side, fs in (("missing", c.missing), ("extra", c.extra)):
            for f in fs:
                used |= {k.__name__ for k in KNOWN if k(f, side, facts)}
    assert used == {k.__name__ for k in KNOWN}


def test_the_comparison_can_fail():
    """Dropping our subjectWebpage values is noticed (and explained by nothing)."""
    path = PAIRS[0]
    out = format_request(path.read_bytes(), opts=Options(registry=SANDBOX_REGISTRY))
    real_doc = _strip_keys(parse.parse_json(Path(str(path).replace(".input.", ".output.")).read_bytes()))
    for node in out.document["@graph"]:
        node.pop("ceterms:subjectWebpage", None)
    c = compare(real_doc, out.document)
    facts = Facts(c.real, c.ours)
    assert [f for f in c.missing if f[1] == "ceterms:subjectWebpage" and not any(k(f, "missing", facts) for k in KNOWN)]
