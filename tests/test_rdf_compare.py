"""The graph comparator used by bench/real_pairs.py (tests/rdf_compare.py)."""
import copy

from rdf_compare import compare, facts_by_predicate, to_triples
from transformer.enrich import DEFAULT_REGISTRY

CTX = "https://credreg.net/ctdl/schema/context/json"
CTID = "ce-f5b8d26a-690a-4671-bda6-d8fc92647a05"
ORG = "ce-a588a18b-2616-4c74-bdcd-6507c0693d0e"
SANDBOX = "https://sandbox.credentialengineregistry.org/"


def doc(base=SANDBOX, ctid=CTID, org=ORG):
    return {
        "@context": CTX,
        "@id": f"{base}graph/{ctid}",
        "@graph": [{
            "@type": "ceterms:Certification",
            "@id": f"{base}resources/{ctid}",
            "ceterms:ctid": ctid,
            "ceterms:name": {"en-US": "My credential"},
            "ceterms:description": {"en-US": "A credential."},
            "ceterms:ownedBy": [f"{base}resources/{org}"],
            "ceterms:subjectWebpage": "https://example.com/",
            "ceterms:aggregateData": [{
                "@type": "ceterms:AggregateDataProfile",
                "ceterms:description": {"en-US": "Outcomes"},
                "ceterms:medianEarnings": 44439,
                "ceterms:currency": "USD",
                "ceterms:jobsObtained": [{
                    "@type": "schema:QuantitativeValue",
                    "schema:percentage": 88.5,
                    "schema:description": {"en-US": "employed"},
                }],
            }],
            "ceterms:jurisdiction": [{
                "@type": "ceterms:JurisdictionProfile",
                "ceterms:globalJurisdiction": True,
            }],
        }],
    }


def main(d):
    return d["@graph"][0]


def test_identical_documents():
    c = compare(doc(), doc())
    assert (c.recall, c.precision) == (1.0, 1.0)
    assert c.missing == [] and c.extra == []
    assert len(c.real) > 15


def test_facts_are_readable():
    facts = to_triples(doc())
    subject = f"registry:resources/{CTID}"
    assert (subject, "ceterms:name", '"My credential"@en-us') in facts
    assert (subject, "rdf:type", "ceterms:Certification") in facts
    assert (subject, "ceterms:ownedBy", f"registry:resources/{ORG}") in facts
    assert ("@graph", "@id", f"registry:graph/{CTID}") in facts
    assert any(p == "schema:percentage" and o == '"8.85E1"^^xsd:double' for _, p, o in facts)
    assert "ceterms:aggregateData" in facts_by_predicate(facts)


def test_dropped_literal_of_a_named_node_costs_one_fact():
    ours = doc()
    del main(ours)["ceterms:subjectWebpage"]
    c = compare(doc(), ours)
    n = len(c.real)
    assert c.recall == (n - 1) / n
    assert c.precision == 1.0
    assert c.missing == [(f"registry:resources/{CTID}", "ceterms:subjectWebpage", "https://example.com/")]
    assert c.extra == []


def test_dropped_literal_of_a_blank_node_costs_one_fact_when_aligned():
    ours = doc()
    del main(ours)["ceterms:aggregateData"][0]["ceterms:currency"]
    c = compare(doc(), ours)
    n = len(c.real)
    assert c.recall == (n - 1) / n and c.precision == 1.0
    assert [(p, o) for _, p, o in c.missing] == [("ceterms:currency", '"USD"')]
    # unaligned, the blank node's identity changed: all its facts differ (and its children's stay)
    strict = compare(doc(), ours, aligned=False)
    assert strict.recall < c.recall
    assert any(p == "ceterms:medianEarnings" for _, p, _ in strict.missing)
    assert not any(p == "schema:percentage" for _, p, _ in strict.missing)


def test_changed_literal_in_a_blank_node_is_one_missing_one_extra():
    ours = doc()
    main(ours)["ceterms:aggregateData"][0]["ceterms:jobsObtained"][0]["schema:percentage"] = 90
    c = compare(doc(), ours)
    assert [(p, o) for _, p, o in c.missing] == [("schema:percentage", '"8.85E1"^^xsd:double')]
    assert [(p, o) for _, p, o in c.extra] == [("schema:percentage", '"90"^^xsd:integer')]


def test_blank_node_ids_and_order_do_not_matter():
    a, b = doc(), doc()
    main(a)["ceterms:aggregateData"][0]["@id"] = "_:b0"
    main(a)["ceterms:jurisdiction"][0]["@id"] = "_:b1"
    main(b)["ceterms:aggregateData"][0]["@id"] = "_:zz-other"
    main(b)["ceterms:jurisdiction"][0]["@id"] = "_:b0"
    main(b)["ceterms:aggregateData"].insert(0, copy.deepcopy(main(b)["ceterms:aggregateData"][0]))
    main(b)["ceterms:aggregateData"][0]["@id"] = "_:first"
    main(b)["ceterms:aggregateData"][0]["ceterms:description"] = {"en-US": "Second"}
    main(a)["ceterms:aggregateData"].append(copy.deepcopy(main(b)["ceterms:aggregateData"][0]))
    main(a)["ceterms:aggregateData"][1]["@id"] = "_:b7"
    assert to_triples(a) == to_triples(b)
    c = compare(a, b, aligned=False)
    assert (c.recall, c.precision) == (1.0, 1.0)


def test_blank_node_moved_under_another_predicate_matters():
    ours = doc()
    main(ours)["ceterms:offeredIn"] = main(ours).pop("ceterms:jurisdiction")
    c = compare(doc(), ours)
    assert c.recall < 1.0 and c.precision < 1.0
    missing = {(p, o) for _, p, o in c.missing}
    extra = {(p, o) for _, p, o in c.extra}
    # not only the link: the node itself is somewhere else
    assert ("rdf:type", "ceterms:JurisdictionProfile") in missing
    assert ("rdf:type", "ceterms:JurisdictionProfile") in extra
    assert ("ceterms:globalJurisdiction", '"true"^^xsd:boolean') in missing


def test_same_content_in_two_places_is_two_nodes():
    d = doc()
    main(d)["ceterms:offeredIn"] = copy.deepcopy(main(d)["ceterms:jurisdiction"])
    facts = to_triples(d)
    typed = [s for s, p, o in facts if o == "ceterms:JurisdictionProfile"]
    assert len(typed) == 2
    # and one of them missing is noticed
    c = compare(d, doc())
    assert c.recall < 1.0 and c.precision == 1.0


def test_registry_hosts_and_ctid_case_are_normalized():
    real = doc(base=SANDBOX, ctid=CTID.upper().replace("CE-", "ce-"), org=ORG.upper().replace("CE-", "ce-"))
    for base in ("https://credentialengineregistry.org/", "http://credentialengineregistry.org/",
                 DEFAULT_REGISTRY):
        c = compare(real, doc(base=base))
        assert (c.recall, c.precision) == (1.0, 1.0), base
    facts = to_triples(real)
    assert (f"registry:resources/{CTID}", "ceterms:ctid", f'"{CTID}"') in facts
    # a different host is a different resource
    c = compare(real, doc(base="https://example.org/"))
    assert c.recall < 0.5


def test_language_tags_compare_case_insensitively():
    ours = doc()
    main(ours)["ceterms:name"] = {"en-us": "My credential"}
    c = compare(doc(), ours)
    assert (c.recall, c.precision) == (1.0, 1.0)
    main(ours)["ceterms:name"] = {"en-GB": "My credential"}
    assert compare(doc(), ours).recall < 1.0
