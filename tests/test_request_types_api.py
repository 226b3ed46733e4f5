"""Every Registry Assistant request type over HTTP, both backends: publish the request as the
Registry Assistant's own samples build it (tests/data/assistant-samples, INDEX.md says from where),
read every resource back by its CTID, update it, delete it; and the list forms (bulkpublish,
publishlist, composites), publishGraph and delete by CTIDList."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from http_support import Api, api, module_postgres, new_ctid  # noqa: F401  (fixtures)

SAMPLES = Path(__file__).parent / "data" / "assistant-samples"
SINGLE = sorted(p.stem for p in SAMPLES.glob("*.json") if "." not in p.stem and p.stem not in ("competency", "pathwayset"))
NAME_KEYS = ("Name", "PrefLabel", "Description")


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def wrapper_of(body: dict) -> str:
    from transformer import wrappers

    return next(k for k in body if k in wrappers()["wrappers"] and isinstance(body[k], dict))


def ctids_in(graph: list) -> list[str]:
    return [n["ceterms:ctid"] for n in graph if isinstance(n, dict) and "ceterms:ctid" in n]


def fixed(name: str, body: dict) -> dict:
    """The sample, with what the registry's minimum data policy needs and the Registry Assistant's own
    sample leaves out (each one is a test of its own below, refused as it is)."""
    body = copy.deepcopy(body)
    if name == "costmanifest":
        for cost in body["CostManifest"]["EstimatedCost"]:
            cost.setdefault("CostDetails", "https://example.org/costs")
    return body


def test_the_samples_cover_every_request_type():
    from transformer import endpoint_names

    covered = set(SINGLE) | {"competency", "pathwayset", "transferintermediary"}
    missing = set(endpoint_names()) - covered - {"organization", "credential", "assessment", "learningopportunity",
                                                  "learningprogram", "course"}      # tests/cases, test_publishing
    assert not missing, f"no sample request for: {sorted(missing)}"


def consenting_client(api, body: dict):  # noqa: F811
    """A client of the request's organization, which every organization the sample names (its
    Publisher, Creator, OfferedBy...) has authorized: the samples were written for CE's sandbox, where
    those claims were allowed; here tenancy is checked (test_tenancy*.py)."""
    import re

    org = body["PublishForOrganizationIdentifier"]
    for other in sorted(set(re.findall(r"ce-[0-9a-f-]{36}", json.dumps(body))) - {org}):
        code, out, err = api.ctdl("keys", "authorize", "--org", other, "--publisher", org)
        assert code == 0, err
    return api.client(api.key(org)), org


@pytest.mark.parametrize("name", SINGLE)
def test_publish_read_back_update_and_delete(api, name):  # noqa: F811
    body = fixed(name, sample(name))
    client, org = consenting_client(api, body)
    r = client.post(f"/{name}/publish", data=body)
    assert r.status_code == 200, (name, r.get_json()["Messages"])
    answer = r.get_json()
    graph = json.loads(answer["Payload"])["@graph"]
    main_ctid = answer["CTID"]
    assert graph[0]["ceterms:ctid"] == main_ctid

    # every resource of the @graph (the main one and the request's members) is read back by its CTID
    for node in graph:
        if "ceterms:ctid" in node:
            back = client.get(f"/resources/{node['ceterms:ctid']}")
            assert back.status_code == 200 and back.get_json()["@type"] == node["@type"], node["ceterms:ctid"]
    assert client.get(f"/graph/{main_ctid}").get_json()["@graph"] == graph

    # an update makes a new version of the same envelope
    wrapper = wrapper_of(body)
    key = next(k for k in NAME_KEYS if isinstance(body[wrapper].get(k), str))
    body[wrapper][key] += " (updated)"
    again = client.post(f"/{name}/publish", data=body).get_json()
    assert again["WasChanged"] is True and again["RegistryEnvelopeIdentifier"] == answer["RegistryEnvelopeIdentifier"]
    envelope = client.get(f"/envelopes/{answer['RegistryEnvelopeIdentifier']}").get_json()
    assert len(envelope["node_headers"]["revision_history"]) == 2

    deleted = client.delete(f"/{name}/delete", data={"CTID": main_ctid, "PublishForOrganizationIdentifier": org})
    assert deleted.status_code == 200
    assert client.get(f"/resources/{main_ctid}").status_code == 404


def test_a_sample_that_misses_what_the_policy_requires_is_refused_at_the_field(app):
    from http_support import Client

    body = sample("costmanifest")
    api_ = app.extensions["ctdl_registry"]
    from service.registry.keys import hash_key, new_key
    from service.store.base import KeyRecord, utc_now
    key = new_key()
    api_.store.add_key(KeyRecord(hash_key(key), body["PublishForOrganizationIdentifier"], False, utc_now(), None))
    r = Client(app, key).post("/costmanifest/publish", data=body)
    assert r.status_code == 422
    assert [e["path"] for e in r.get_json()["Errors"]] == ["/CostManifest/EstimatedCost/0/CostItems/0/CostDetails"]


def test_links_the_registry_assistant_adds(api):  # noqa: F811
    """Competencies are part of their framework; concepts in their scheme, flat top concepts with
    GenerateHasTopChild / GenerateIsTopChild; components part of their pathway (GenerateIsHasParts is on
    unless false); collection members listed in hasMember and kept in the @graph."""
    from transformer import format_request

    def graph(name, body=None):
        return format_request(body or sample(name), name).document["@graph"]

    fw = graph("competencyframework")
    assert all(n["ceasn:isPartOf"] == [fw[0]["@id"]] for n in fw[1:])

    body = sample("conceptscheme")
    body.update(GenerateHasTopChild=True, GenerateIsTopChild=True)
    cs = graph("conceptscheme", body)
    tops = [n["@id"] for n in cs[1:] if "skos:broader" not in n]
    assert tops and sorted(cs[0]["skos:hasTopConcept"]) == sorted(set(cs[0].get("skos:hasTopConcept", [])) | set(tops))
    assert all(n["skos:inScheme"] == cs[0]["@id"] for n in cs[1:])
    assert all(n.get("skos:topConceptOf") == cs[0]["@id"] for n in cs[1:] if n["@id"] in tops)

    pw = graph("pathway")
    components = [n["@id"] for n in pw[1:]]
    assert set(components) <= set(pw[0]["ceterms:hasPart"])
    off = sample("pathway")
    off["GenerateIsHasParts"] = False
    for c in off["PathwayComponents"]:
        c.pop("IsPartOf", None)
    assert all("ceterms:isPartOf" not in n for n in graph("pathway", off)[1:])

    col = graph("collection")
    members = [n for n in col[1:] if n["@type"] == "ceterms:CollectionMember"]
    assert members and {m["@id"] for m in members} <= set(col[0]["ceterms:hasMember"])


def test_list_requests_answer_per_item_and_one_bad_item_loses_nothing(api):  # noqa: F811
    body = sample("supportservice")
    client, org = consenting_client(api, body)
    good = [dict(body["SupportService"], CTID=new_ctid(), Name=f"Tutoring {i}") for i in range(3)]
    bad = dict(body["SupportService"], CTID=new_ctid())
    del bad["Name"]
    items = [good[0], bad, good[1], "not an object", good[2]]
    r = client.post("/supportservice/bulkpublish", data={"PublishForOrganizationIdentifier": org,
                                                         "SupportServices": items})
    assert r.status_code == 207
    answers = r.get_json()
    assert [a["Pointer"] for a in answers] == [f"/SupportServices/{i}" for i in range(5)]
    assert [a["Successful"] for a in answers] == [True, False, True, False, True]
    assert answers[1]["Errors"][0]["path"] == "/SupportService/Name"
    for g in good:
        assert client.get(f"/resources/{g['CTID']}").status_code == 200
    assert client.get(f"/resources/{bad['CTID']}").status_code == 404


def test_competency_list_and_job_list_with_language_maps(api):  # noqa: F811
    body = sample("competency")
    client, org = consenting_client(api, body)
    r = client.post("/competency/publish", data=body)
    assert r.status_code == 200, r.get_json()
    assert [a["CTID"] for a in r.get_json()] == [c["CTID"] for c in body["Competencies"]]

    job = sample("job")
    formatted = client.post("/job/format", data=job).get_json()
    doc = json.loads(formatted["Payload"])
    listed = client.post("/job/publishlist", data={"PublishForOrganizationIdentifier": org, "HasLanguageMaps": True,
                                                   "JobList": [doc]})
    assert listed.status_code == 200, listed.get_json()
    assert listed.get_json()[0]["CTID"] == job["Job"]["CTID"]
    plain = client.post("/job/publishlist", data={"PublishForOrganizationIdentifier": org,
                                                  "JobList": [dict(job["Job"], CTID=new_ctid())]})
    assert plain.status_code == 200, plain.get_json()


def test_composites_publish_items_first_then_collect_them(api):  # noqa: F811
    body = sample("transferintermediary.bulkpublish")
    client, org = consenting_client(api, body)
    r = client.post("/transferintermediary/bulkpublish", data=body)
    assert r.status_code == 200, r.get_json()
    answers = r.get_json()
    tvps = [a["CTID"] for a in answers[:-1]]
    ti = json.loads(answers[-1]["Payload"])["@graph"][0]
    assert answers[-1]["Pointer"] == "/TransferIntermediary"
    assert {u.rsplit("/", 1)[-1] for u in ti["ceterms:intermediaryFor"]} >= set(tvps)

    # SkipPublishIfAnyTransferProfilesFail: one bad profile, the intermediary waits
    skip = copy.deepcopy(body)
    skip["SkipPublishIfAnyTransferProfilesFail"] = True
    skip["TransferIntermediary"]["CTID"] = new_ctid()
    del skip["TransferValueProfiles"][0]["Name"]
    answers = client.post("/transferintermediary/bulkpublish", data=skip).get_json()
    assert answers[0]["Successful"] is False and answers[-1]["Successful"] is False
    assert "SkipPublishIfAnyTransferProfilesFail" in answers[-1]["Messages"][0]

    pathways = sample("pathwayset")
    client, _ = consenting_client(api, pathways)
    r = client.post("/pathwayset/publish", data=pathways)
    assert r.status_code == 200, [a["Messages"] for a in r.get_json()]
    assert [a["Pointer"] for a in r.get_json()] == [f"/Pathways/{i}" for i in range(len(pathways["Pathways"]))] + [
        "/PathwaySet"]


def test_publish_graph_and_delete_a_list(api):  # noqa: F811
    org = new_ctid()
    client = api.client(api.key(org))
    ctids = []
    for i in range(3):
        body = sample("supportservice")
        body["PublishForOrganizationIdentifier"] = org
        body["SupportService"].update(CTID=new_ctid(), OfferedBy=[org], OwnedBy=[org])
        doc = json.loads(client.post("/supportservice/format", data=body).get_json()["Payload"])
        r = client.post("/supportservice/publishGraph", data={"GraphInput": doc, "PublishForOrganizationIdentifier": org})
        assert r.status_code == 200, r.get_json()
        ctids.append(r.get_json()["CTID"])
    wrong = client.post("/credential/publishGraph", data={"GraphInput": doc, "PublishForOrganizationIdentifier": org})
    assert wrong.status_code == 422 and wrong.get_json()["Errors"][0]["code"] == "wrong-class"

    r = client.delete("/supportservice/delete", data={"CTIDList": ctids[:2] + [new_ctid()],
                                                      "PublishForOrganizationIdentifier": org})
    assert r.status_code == 207
    assert [e["path"] for e in r.get_json()["Errors"]] == ["/CTIDList/2"]
    assert [client.get(f"/resources/{c}").status_code for c in ctids] == [404, 404, 200]


def test_cease_sets_the_status_and_keeps_the_history(api):  # noqa: F811
    body = sample("supportservice")
    body["SupportService"]["CTID"] = new_ctid()     # PostgreSQL is shared by the module's tests
    client, org = consenting_client(api, body)
    first = client.post("/supportservice/publish", data=body).get_json()
    ctid, envelope = first["CTID"], first["RegistryEnvelopeIdentifier"]

    ceased = client.post("/supportservice/cease", data={"CTID": ctid, "PublishForOrganizationIdentifier": org})
    assert ceased.status_code == 200, ceased.get_json()
    node = client.get(f"/resources/{ctid}").get_json()
    assert node["ceterms:lifeCycleStatusType"]["ceterms:targetNode"] == "lifeCycle:Ceased"
    assert len(client.get(f"/envelopes/{envelope}").get_json()["node_headers"]["revision_history"]) == 2

    again = client.post("/supportservice/cease", data={"CTID": ctid, "NewStatus": "Teach Out"})
    assert client.get(f"/resources/{ctid}").get_json()["ceterms:lifeCycleStatusType"]["ceterms:targetNode"] == \
        "lifeCycle:TeachOut", again.get_json()
    bad = client.post("/supportservice/cease", data={"CTID": ctid, "NewStatus": "Closed"})
    assert bad.status_code == 400 and bad.get_json()["Errors"][0]["path"] == "/NewStatus"
    assert "Ceased" in bad.get_json()["Messages"][0]
    other, _ = api.org_client()
    assert other.post("/supportservice/cease", data={"CTID": ctid}).status_code == 409


def test_a_ceased_credential_is_deprecated():
    from transformer import format_request, with_status

    doc = format_request(json.loads((Path(__file__).parent / "cases" / "handbook-credential-basic" / "input.json")
                                    .read_text(encoding="utf-8"))).document
    ceased, term = with_status(doc, None)
    assert term == "credentialStat:Deprecated"
    assert ceased["@graph"][0]["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Deprecated"
    assert doc["@graph"][0]["ceterms:credentialStatusType"]["ceterms:targetNode"] != "credentialStat:Deprecated"


def test_the_request_types_page_is_up_to_date():
    from transformer.requests import markdown

    page = Path(__file__).parents[1] / "docs" / "REQUEST-TYPES.md"
    assert page.read_text(encoding="utf-8") == markdown(), \
        "docs/REQUEST-TYPES.md is out of date: python -m transformer.requests > docs/REQUEST-TYPES.md"
