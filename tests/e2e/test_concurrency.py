"""20 concurrent publishers against the real server: nothing lost, history without gaps."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from e2e_support import credential, new_ctid, organization, payload_of

N = 20


def canonical(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True)


def run_together(server, key: str, requests_: list[tuple[str, dict]]) -> list:
    """POST every (path, body) at once, one thread and one connection each; the responses, in order."""
    barrier = threading.Barrier(len(requests_))

    def one(item):
        path, body = item
        client = server.client(key)
        barrier.wait(timeout=30)
        return client.post(path, data=body)

    with ThreadPoolExecutor(len(requests_)) as pool:
        return list(pool.map(one, requests_))


def test_concurrent_publishers_of_the_same_ctid(server):
    org = new_ctid()
    key = server.create_key(org)
    assert server.client(key).post("/organization/publish", data=organization(org)).status_code == 200
    cred = new_ctid()
    bodies = [credential(cred, org, f"Welding Certificate, edition {i:02d}") for i in range(N)]
    responses = run_together(server, key, [("/credential/publish", b) for b in bodies])

    assert [r.status_code for r in responses] == [200] * N, [r.text[:300] for r in responses if r.status_code != 200]
    assert all(r.json()["WasChanged"] is True for r in responses)
    submitted = {canonical(payload_of(r.json())) for r in responses}
    assert len(submitted) == N
    envelope_ids = {r.json()["RegistryEnvelopeIdentifier"] for r in responses}
    assert len(envelope_ids) == 1
    envelope_id = envelope_ids.pop()

    revisions = server.client().get(f"/envelopes/{envelope_id}/revisions").json()
    versions = [h["version"] for h in server.client().get(f"/envelopes/{envelope_id}").json()
                ["node_headers"]["revision_history"]]
    assert versions == list(range(1, N + 1))                           # no gaps, no duplicates
    assert {canonical(r["decoded_resource"]) for r in revisions} == submitted   # nothing lost
    final = server.client().get(f"/graph/{cred}").json()
    assert canonical(final) in submitted
    assert canonical(final) == canonical(revisions[-1]["decoded_resource"])


def test_concurrent_publishers_of_different_ctids(server):
    org = new_ctid()
    key = server.create_key(org)
    assert server.client(key).post("/organization/publish", data=organization(org)).status_code == 200
    ctids = [new_ctid() for _ in range(N)]
    bodies = [credential(c, org, f"Welding Certificate {i:02d}") for i, c in enumerate(ctids)]
    responses = run_together(server, key, [("/credential/publish", b) for b in bodies])
    assert [r.status_code for r in responses] == [200] * N, [r.text[:300] for r in responses if r.status_code != 200]

    anon = server.client()
    for ctid, r in zip(ctids, responses):
        assert r.json()["CTID"] == ctid
        assert anon.get(f"/graph/{ctid}").json() == payload_of(r.json())
        revisions = anon.get(f"/envelopes/{r.json()['RegistryEnvelopeIdentifier']}/revisions").json()
        assert len(revisions) == 1
    listed = anon.get("/envelopes", params={"owned_by": org, "type": "ceterms:Certificate", "per_page": 100})
    assert listed.headers["X-Total-Count"] == str(N)
    assert {e["envelope_ceterms_ctid"] for e in listed.json()} == set(ctids)


def test_concurrent_mixed_writers(server):
    """Updates, no-ops and deletes of one CTID at once: every change is one version, 1..n."""
    org = new_ctid()
    key = server.create_key(org)
    assert server.client(key).post("/organization/publish", data=organization(org)).status_code == 200
    cred = new_ctid()
    first = server.client(key).post("/credential/publish", data=credential(cred, org))
    envelope_id = first.json()["RegistryEnvelopeIdentifier"]
    same = credential(cred, org)
    work = [("/credential/publish", same if i % 2 else credential(cred, org, f"Edition {i}")) for i in range(N)]
    responses = run_together(server, key, work)
    assert all(r.status_code == 200 for r in responses), [r.text[:300] for r in responses if r.status_code != 200]
    changed = sum(r.json()["WasChanged"] for r in responses)
    history = server.client().get(f"/envelopes/{envelope_id}").json()["node_headers"]["revision_history"]
    assert [h["version"] for h in history] == list(range(1, changed + 2))
