"""Identifiers, in one place: the CTID and UUID patterns, CTIDs found in registry IRIs, and the
CTID a bulk-uploaded record gets from its organization and External Identifier.

A CTID is ``ce-`` followed by a UUID (Credential Engine's minimum data policy); the registry's
resource IRIs end in ``/resources/<CTID>`` and its graph IRIs in ``/graph/<CTID>``.
"""
from __future__ import annotations

import re
import uuid
from functools import lru_cache

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CTID = "ce-" + UUID
CTID_RE = re.compile(rf"^{CTID}$", re.I)
UUID_RE = re.compile(rf"^{UUID}$", re.I)
CTID_AT_END = re.compile(rf"({CTID})/?$", re.I)                          # any IRI ending in a CTID
CTID_IN_REGISTRY_IRI = re.compile(rf"/(?:resources|graph)/({CTID})/?$", re.I)
CTID_IN_RESOURCE_IRI = re.compile(rf"/resources/({CTID})$", re.I)

# the namespace of the CTIDs derived for bulk-uploaded records (fixed: a record keeps its CTID
# across uploads)
CTID_NAMESPACE = uuid.UUID("6f1d2a0c-2b7e-4c55-9a3e-4f0d8b1c7e21")


def derive_ctid(org_ctid: str, kind: str, external_id: str) -> str:
    """The CTID of a new record: the same organization, family and External Identifier always give the
    same CTID (a learning opportunity keeps its CTID when its class type changes)."""
    family = {"learningprogram": "learningopportunity", "course": "learningopportunity"}.get(kind, kind)
    return "ce-" + str(uuid.uuid5(_organization_namespace(org_ctid.lower()), f"{family}:{external_id.strip()}"))


@lru_cache(maxsize=64)
def _organization_namespace(org_ctid: str) -> uuid.UUID:
    """The namespace of an organization's derived CTIDs (made once: every row of an upload asks)."""
    return uuid.uuid5(CTID_NAMESPACE, org_ctid)


__all__ = ["CTID_RE", "UUID_RE", "CTID_AT_END", "CTID_IN_REGISTRY_IRI", "CTID_IN_RESOURCE_IRI", "CTID_NAMESPACE",
           "derive_ctid"]
