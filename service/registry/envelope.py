"""Envelopes: the JSON the registry serves for one published resource, and checking one.

Why: the envelope is what leaves the registry.  It carries the signed payload (``resource``, a
compact JWS), a readable copy (``decoded_resource``), the key that signed it and the SHA-256 of the
canonical payload, so a consumer can check it without trusting whoever handed it over.
:func:`verify_envelope` is that check; it reports problems instead of raising, because an
envelope from elsewhere can be wrong in any way and the caller wants all the reasons at once.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

from service.registry.signing import SignatureError, canonical_json, digest, same_public_key, verify_jws

COMMUNITY = "ce_registry"
ENVELOPE_TYPE = "resource_data"
ENVELOPE_VERSION = "1.0.0"
RESOURCE_FORMAT = "json"
RESOURCE_ENCODING = "jwt"

# Fields without which an envelope cannot be checked or identified.
REQUIRED = ("envelope_id", "envelope_ceterms_ctid", "envelope_ctdl_type", "resource",
            "resource_format", "resource_encoding", "resource_public_key", "decoded_resource",
            "node_headers")


def revision_summary(record) -> dict:
    """The ``revision_history`` entry for one version (an ``EnvelopeRecord``-like object)."""
    return {"version": record.version, "digest": record.resource_digest,
            "updated_at": record.updated_at, "published_by": record.published_by}


def build_envelope(record, revisions: Iterable | None = None) -> dict:
    """The envelope JSON (docs/SERVICE.md) for ``record``, an ``EnvelopeRecord``-like object.

    ``revisions`` is the version history, oldest first: summaries (dicts as made by
    :func:`revision_summary`) or records, which are summarised.  ``None`` (history not loaded,
    e.g. on list pages) gives an empty ``revision_history``.  ``decoded_resource`` is a copy, so
    changing the envelope never changes the record.
    """
    history = [dict(r) if isinstance(r, Mapping) else revision_summary(r) for r in (revisions or ())]
    return {
        "envelope_id": record.envelope_id,
        "envelope_community": COMMUNITY,
        "envelope_type": ENVELOPE_TYPE,
        "envelope_version": ENVELOPE_VERSION,
        "envelope_ceterms_ctid": record.ctid,
        "envelope_ctdl_type": record.ctdl_type,
        "owned_by": record.owned_by,
        "published_by": record.published_by,
        "resource": record.resource,
        "resource_format": RESOURCE_FORMAT,
        "resource_encoding": RESOURCE_ENCODING,
        "resource_public_key": record.public_key,
        "decoded_resource": copy.deepcopy(record.decoded_resource),
        "node_headers": {
            "resource_digest": record.resource_digest,
            "revision_history": history,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "deleted_at": record.deleted_at,
        },
    }


def main_ctid(payload) -> str | None:
    """The main resource's CTID: ``@graph[0]["ceterms:ctid"]``, else a top-level ``ceterms:ctid``."""
    if not isinstance(payload, Mapping):
        return None
    graph = payload.get("@graph")
    if isinstance(graph, list) and graph and isinstance(graph[0], Mapping):
        ctid = graph[0].get("ceterms:ctid")
    else:
        ctid = payload.get("ceterms:ctid")
    return ctid if isinstance(ctid, str) and ctid else None


def verify_envelope(envelope, trusted_key: str | None = None) -> list[str]:
    """Every problem found in ``envelope`` (an empty list means it is valid).  Never raises.

    ``trusted_key`` (a PEM): the envelope must have been signed with it, i.e. its
    ``resource_public_key`` is that key and the signature verifies with it. Without it only
    self-consistency is checked (the envelope's own key signs it), which anyone can forge.

    Checked: required fields are present; ``resource`` verifies with ``resource_public_key``; the
    signed payload equals ``decoded_resource`` (compared as canonical JSON, so ``1`` and ``true``
    or ``1`` and ``1.0`` are different); ``node_headers.resource_digest`` is the SHA-256 of the
    canonical ``decoded_resource``; ``envelope_ceterms_ctid`` is the payload's main CTID (compared
    case-insensitively: a CTID's UUID is hex).
    """
    if not isinstance(envelope, Mapping):
        return ["the envelope is not a JSON object"]
    problems = [f"missing field: {name}" for name in REQUIRED if envelope.get(name) in (None, "")]
    encoding = envelope.get("resource_encoding")
    if encoding not in (None, "", RESOURCE_ENCODING):
        problems.append(f"resource_encoding is {encoding!r}, expected {RESOURCE_ENCODING!r}")

    token, key = envelope.get("resource"), envelope.get("resource_public_key")
    decoded = envelope.get("decoded_resource")
    payload = None
    if trusted_key is not None:
        if key not in (None, "") and not (isinstance(key, str) and same_public_key(key, trusted_key)):
            problems.append("resource_public_key is not the trusted key: the envelope was signed by another key")
        key = trusted_key
    if token not in (None, "") and key not in (None, ""):
        try:
            payload = verify_jws(token, key)
        except SignatureError as exc:
            which = "the trusted key" if trusted_key is not None else "resource_public_key"
            problems.append(f"resource signature does not verify with {which}: {exc.message}")
        except Exception as exc:  # noqa: BLE001 - never raise for bad input
            problems.append(f"resource signature could not be checked: {exc}")

    if decoded is not None and not isinstance(decoded, Mapping):
        problems.append("decoded_resource is not a JSON object")
        decoded = None
    if payload is not None and decoded is not None:
        if _canonical(decoded) is None:
            problems.append("decoded_resource cannot be written as canonical JSON")
        elif _canonical(payload) != _canonical(decoded):
            problems.append("decoded_resource differs from the signed payload in resource")

    headers = envelope.get("node_headers")
    if headers is not None and not isinstance(headers, Mapping):
        problems.append("node_headers is not a JSON object")
    elif headers is not None:
        stated = headers.get("resource_digest")
        if not isinstance(stated, str) or not stated:
            problems.append("missing field: node_headers.resource_digest")
        elif decoded is not None and _canonical(decoded) is not None:
            actual = digest(decoded)
            if stated.lower() != actual:
                problems.append(f"node_headers.resource_digest {stated} is not the SHA-256 of the "
                                f"canonical decoded_resource ({actual})")

    stated_ctid = envelope.get("envelope_ceterms_ctid")
    source = payload if payload is not None else decoded  # prefer what was signed
    if isinstance(stated_ctid, str) and stated_ctid and source is not None:
        ctid = main_ctid(source)
        if ctid is None:
            problems.append("the payload has no main CTID (@graph[0]['ceterms:ctid'])")
        elif ctid.lower() != stated_ctid.lower():
            problems.append(f"envelope_ceterms_ctid {stated_ctid} differs from the payload's main CTID {ctid}")
    elif stated_ctid is not None and not isinstance(stated_ctid, str):
        problems.append("envelope_ceterms_ctid is not a string")
    return problems


def _canonical(value) -> bytes | None:
    try:
        return canonical_json(value)
    except (TypeError, ValueError, RecursionError):
        return None
