"""Every real published document we have (tests/data/registry, the Registry Assistant's outputs)
renders as a record page and is found by the search page: the pages never fail on what the real
registry holds (a vocabulary term's targetNode as {"@id": ...} once gave a 500)."""
from __future__ import annotations

import dataclasses
import json
import sys
import uuid
from pathlib import Path

from http_support import Api, new_ctid

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(Path(__file__).parent / "e2e"))


def real_documents() -> list[tuple[str, dict]]:
    out = []
    for path in sorted([*DATA.glob("registry/**/*.json"), *DATA.glob("assistant-pairs/*.output.json")]):
        try:
            value = json.loads(path.read_text(encoding="utf-8-sig"))
        except ValueError:
            continue          # the registry's own unreadable fixtures
        for doc in value if isinstance(value, list) else [value]:
            doc = doc.get("decoded_resource", doc) if isinstance(doc, dict) else doc
            if isinstance(doc, dict):
                out.append((path.name, doc))
    return out


def test_every_real_document_renders_as_a_record_page(tmp_path):
    from e2e_support import organization
    from service.registry.core import search_text

    docs = real_documents()
    assert len(docs) > 100
    api = Api(tmp_path / "data", None)
    org = new_ctid()
    assert api.client(api.key(org)).post("/organization/publish", data=organization(org)).status_code == 200
    model = api.store.get_by_ctid(org)
    client = api.app.test_client()
    failed = []
    for name, doc in docs:
        ctid = new_ctid()
        graph = doc.get("@graph")
        main = graph[0] if isinstance(graph, list) and graph and isinstance(graph[0], dict) else doc
        record = dataclasses.replace(model, envelope_id=str(uuid.uuid4()), ctid=ctid,
                                     ctdl_type=str(main.get("@type") or "ceterms:Credential"),
                                     decoded_resource=doc, search_text=search_text(doc), node_ctids=[])
        api.store.publish(ctid, lambda current, record=record: record)
        r = client.get(f"/records/{ctid}")
        if r.status_code != 200:
            failed.append((name, r.status_code))
    assert not failed, failed
    assert client.get("/search?page=2").status_code == 200 and client.get("/search?q=nursing").status_code == 200
    api.close()
