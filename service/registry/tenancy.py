"""Who may publish what: one organization must never be able to act as another.

Three rules, checked for every publish (the API, bulk publishing) and at bulk staging:

1. **CTIDs are owned.** Every CTID in a published graph (the main resource, and its competencies,
   concepts, components, data set profiles...) belongs to the organization that first published
   it. The store claims them in the publishing transaction (Store.publish, table ctid_owners), so
   two organizations can never both own one; here the claims are read ahead to explain a refusal.
2. **An organization's own CTID is its own** from the moment it holds a key in this registry: no
   other organization publishes any record (or any node of a graph) under it.
3. **Ownership claims need consent.** A resource that says another organization owns, offers,
   publishes, created or maintains it (the properties of vocabularies/ownership-claims.json) is
   accepted only when that organization authorized the publisher (``ctdl keys authorize --org
   THEM --publisher US``): the organization published for, or the organization of the key.

Admin keys (the registry's staff) are not limited by rule 3; rules 1 and 2 protect data, so they
hold for everyone (an admin updating a record keeps its owner, see Registry._store).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from transformer import CTID_IN_REGISTRY_IRI, CTID_RE, data_dir, Forbidden, OwnershipConflict, pointer_join

from ..store.base import KeyRecord, Store

CTID_IN_IRI, CTID_ONLY = CTID_IN_REGISTRY_IRI, CTID_RE
_DECODER = json.JSONDecoder()
MAX_LISTED = 10   # CTIDs or claims named in one message; the rest are counted


@lru_cache(maxsize=1)
def claim_properties() -> tuple[str, ...]:
    data = json.loads((data_dir("vocabularies") / "ownership-claims.json").read_text(encoding="utf-8"))
    return tuple(data["properties"])


def input_name(term: str) -> str:
    """"ceterms:offeredBy" -> "OfferedBy" (the Registry Assistant's name for the property)."""
    local = term.split(":", 1)[-1]
    return local[:1].upper() + local[1:]


@dataclass(frozen=True)
class Claim:
    property: str     # "ceterms:offeredBy"
    org: str          # the organization's CTID (lower case)
    pointer: str      # where in the payload: /@graph/0/ceterms:offeredBy/1


def graph_nodes(payload: Any) -> list[tuple[dict, str]]:
    """(node, JSON pointer) of every top-level node of a CTDL payload (an @graph document or one resource)."""
    graph = payload.get("@graph") if isinstance(payload, dict) else None
    if isinstance(graph, list):
        return [(n, f"/@graph/{i}") for i, n in enumerate(graph) if isinstance(n, dict)]
    return [(payload, "")] if isinstance(payload, dict) else []


def claims(payload: Any) -> list[Claim]:
    """Every organization CTID named by an ownership-claim property anywhere in the payload: as a
    registry URI (any host: /resources/ce-... or /graph/ce-...), a bare CTID, {"@id": ...}, or a
    reference to a node (blank or not) that carries its ceterms:ctid."""
    props = set(claim_properties())
    by_id = {n.get("@id"): n for n, _ in graph_nodes(payload) if isinstance(n.get("@id"), str)}
    out: list[Claim] = []

    def ctid_of(value: Any) -> str | None:
        if isinstance(value, dict):
            own = value.get("ceterms:ctid")
            if isinstance(own, str) and CTID_ONLY.match(own.strip()):
                return own.strip().lower()
            ref = value.get("@id")
            if not isinstance(ref, str):
                return None
            found = _ctid_in(ref)
            if found:
                return found
            node = by_id.get(ref)
            return ctid_of(node) if isinstance(node, dict) and node is not value else None
        if isinstance(value, str):
            found = _ctid_in(value)
            if found:
                return found
            node = by_id.get(value)
            return ctid_of(node) if isinstance(node, dict) else None
        return None

    def walk(value: Any, path: tuple) -> None:
        # the path as segments: a pointer is written only for a claim (most values hold none); a list
        # is gone through here, not in a call of its own (most hold only text: keywords, URLs)
        if isinstance(value, dict):
            for key, item in value.items():
                if key in props:
                    for i, v in enumerate(item if isinstance(item, list) else [item]):
                        ctid = ctid_of(v)
                        if ctid:
                            where = (*path, key, i) if isinstance(item, list) else (*path, key)
                            out.append(Claim(key, ctid, pointer_join("", *where)))
                if isinstance(item, list):
                    items(item, (*path, key))
                elif isinstance(item, dict):
                    walk(item, (*path, key))
        elif isinstance(value, list):
            items(value, path)

    def items(values: list, path: tuple) -> None:
        for i, item in enumerate(values):
            if isinstance(item, (dict, list)):
                walk(item, (*path, i))

    walk(payload, ())
    return out


def claims_of_others(payload: Any, org: str, text: str) -> list[Claim]:
    """claims(payload) but those naming ``org``, which consents to itself (``consented`` passes them);
    ``text``: the payload's JSON text. Read off the text when every claim found there is a URI or a
    CTID of ``org`` (a spreadsheet row: Owned By and Offered By the uploading organization), else
    the payload is walked. Every claim key is in the text as it is (a key inside a string has its
    quotes escaped), so none is missed; a value that is not a text naming ``org`` (an object, a
    node reference, another CTID) means a walk."""
    org, keys, at = org.strip().lower(), _claim_keys(), 0
    while True:
        found = keys.search(text, at)
        if found is None:
            return []
        try:
            value, at = _DECODER.raw_decode(text, found.end())
        except ValueError:      # no JSON value there: the text is not the payload's compact JSON
            break
        if not all(isinstance(v, str) and _ctid_in(v) == org for v in (value if isinstance(value, list) else (value,))):
            break
    return [c for c in claims(payload) if c.org != org]


@lru_cache(maxsize=1)
def _claim_keys() -> re.Pattern:
    return re.compile("|".join(f'"{re.escape(p)}":' for p in claim_properties()))


def _ctid_in(text: str) -> str | None:
    """The CTID of a bare CTID or of a registry URI (any host), else None."""
    text = text.strip()
    if CTID_ONLY.match(text):
        return text.lower()
    m = CTID_IN_IRI.search(text)
    return m.group(1).lower() if m else None


def node_ctids(payload: Any) -> list[str]:
    """The CTIDs of the payload's nodes (lower case, in order)."""
    out = []
    for node, _ in graph_nodes(payload):
        ctid = node.get("ceterms:ctid")
        if isinstance(ctid, str) and CTID_ONLY.match(ctid.strip()):
            out.append(ctid.strip().lower())
    return out


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


class Tenancy:
    """The three rules against one store. Each check raises (Forbidden 403, OwnershipConflict 409)
    with every CTID or claim at fault named (the first few, and how many in all)."""

    def __init__(self, store: Store):
        self.store = store

    def organization_ctids(self, ctids: Iterable[str], org: str) -> None:
        """Rule 2: none of `ctids` is the CTID of another organization holding a key here."""
        theirs = sorted(self.store.key_orgs(ctids) - {org})
        if theirs:
            raise Forbidden(f"{_listed(theirs)} {'is the CTID' if len(theirs) == 1 else 'are the CTIDs'} of "
                            f"{'an organization' if len(theirs) == 1 else 'organizations'} with an API key in this "
                            f"registry: only {'it' if len(theirs) == 1 else 'they'} (or a publisher "
                            f"{'it' if len(theirs) == 1 else 'they'} authorized, publishing for "
                            f"{'it' if len(theirs) == 1 else 'them'}) may publish under "
                            f"{'that CTID' if len(theirs) == 1 else 'those CTIDs'}; {org} may not. Give the record "
                            "a CTID of its own.", pointer="/CTID")

    def owned_ctids(self, ctids: Iterable[str], owner: str) -> None:
        """Rule 1, read ahead: none of `ctids` belongs to another organization."""
        taken = {c: o for c, o in self.store.ctid_owners(ctids).items() if o != owner}
        if taken:
            raise ownership_conflict(taken, owner)

    def consented(self, payload: Any, org: str, key: KeyRecord, found: list[Claim] | None = None) -> None:
        """Rule 3: every other organization the payload claims for has authorized the publisher.
        ``found``: the payload's claims, when the caller has them already."""
        if key.admin:
            return
        others = [c for c in (claims(payload) if found is None else found) if c.org not in (org, key.org)]
        if not others:
            return
        consenting = self.store.authorizers({org, key.org})
        refused = [c for c in others if c.org not in consenting]
        if refused:
            first = refused[0]
            named = _listed([f"{input_name(c.property)} ({c.property}) {c.org}" for c in refused])
            raise Forbidden(
                f"{named}: the resource says {'that organization' if len(refused) == 1 else 'those organizations'} "
                f"{'owns, offers, publishes or maintains' if len(refused) > 1 else _verb(first.property)} it, but "
                f"{'it has' if len({c.org for c in refused}) == 1 else 'they have'} not authorized {org} to publish "
                f"for {'it' if len({c.org for c in refused}) == 1 else 'them'}. Ask {first.org} to authorize "
                f"{org} (ctdl keys authorize --org {first.org} --publisher {org}), or name {org} instead.",
                pointer=first.pointer)

    def check(self, payload: Any, ctid: str, org: str, key: KeyRecord) -> None:
        """Every rule, before a publish (the store enforces rule 1 again in the transaction)."""
        ctids = [ctid, *node_ctids(payload)]
        self.organization_ctids(ctids, org)
        self.consented(payload, org, key)


def _verb(prop: str) -> str:
    return {"ceterms:ownedBy": "owns", "ceterms:offeredBy": "offers", "ceasn:publisher": "publishes",
            "ceasn:creator": "created", "ceasn:rightsHolder": "holds the rights to",
            "ceterms:copyrightHolder": "holds the copyright of",
            "ceterms:costManifestOf": "maintains", "ceterms:conditionManifestOf": "maintains"}.get(prop, "owns")


def ownership_conflict(taken: dict[str, str], owner: str) -> OwnershipConflict:
    by_owner: dict[str, list[str]] = {}
    for ctid, who in sorted(taken.items()):
        by_owner.setdefault(who, []).append(ctid)
    parts = [f"{_listed(ctids)} {'belongs' if len(ctids) == 1 else 'belong'} to {who}"
             for who, ctids in sorted(by_owner.items())]
    return OwnershipConflict(f"{'; '.join(parts)}: a CTID is owned by the organization that first published it, "
                             f"so {owner} may not publish {'it' if len(taken) == 1 else 'them'}. Give your "
                             "resources CTIDs of their own.", pointer="/CTID")
