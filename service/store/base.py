"""The registry store's contract: records, the Store protocol, errors.

The publishing rules (service/registry/core.py) and the read API only ever see this module, so the
embedded SQLite default and PostgreSQL are interchangeable; tests/test_store.py runs one suite
against both to keep them so.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Protocol, Sequence

import orjson


def utc_now() -> str:
    """ISO 8601 UTC with microseconds and a Z: fixed width, so text order is time order."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class KeyRecord:
    key_hash: str          # sha256 hex of the key; the key itself is never stored
    org: str               # the organization CTID the key belongs to
    admin: bool
    created_at: str
    revoked_at: str | None
    key_id: str = ""       # public id (the first 12 hex digits of key_hash): listed and revoked by it
    last_used_at: str | None = None  # updated at most once a minute (KEY_USE_RESOLUTION_SECONDS)


# How often a key's last_used_at is written: a request does not write to the store for it more
# often than this (a busy key would otherwise take the write lock on every request).
KEY_USE_RESOLUTION_SECONDS = 60


def key_id_of(key_hash: str) -> str:
    return key_hash[:12]


@dataclass
class EnvelopeRecord:
    envelope_id: str       # uuid4, stable across versions of the same CTID
    ctid: str              # the main resource's CTID (lower case)
    ctdl_type: str         # "ceterms:CredentialOrganization"
    owned_by: str          # CTID of the owning organization
    published_by: str      # CTID of the organization whose key published this version
    version: int           # 1, 2, 3 ... (one per change)
    resource: str          # compact JWS of the payload
    resource_digest: str   # SHA-256 hex of the canonical payload bytes
    decoded_resource: dict  # the payload (CTDL JSON-LD graph document)
    public_key: str        # PEM of the key that signed it
    created_at: str        # first version
    updated_at: str        # this version
    deleted_at: str | None  # set by delete (history kept)
    search_text: str = ""  # names and descriptions (any language), lower-cased, for ?q=
    node_ctids: list[str] = field(default_factory=list)  # every CTID inside the graph (for /graph/{ctid})


def json_text(value: Any) -> str:
    """A JSON value as the store writes it (SQLite's text; PostgreSQL's jsonb parameter of EncodedJSON):
    compact, not ASCII-escaped. orjson writes it (the standard encoder took a tenth of a bulk row's
    time); what orjson refuses (an integer over 64 bits, a key that is not text) the standard
    encoder writes. The text is only ever read back as JSON: the digests and signatures are made
    from service/registry/signing.canonical_json, not from this."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:       # (orjson.JSONEncodeError)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class EncodedJSON:
    """A JSON value of a record given as its text, made ahead (a large upload's rows are encoded by
    the processes that validated them): the store writes the text as it is. Read back, the value is
    the decoded JSON, as for any other record."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other) -> bool:
        return other.__class__ is EncodedJSON and other.text == self.text

    __hash__ = None

    def __repr__(self) -> str:
        return f"EncodedJSON({self.text[:40]!r}...)" if len(self.text) > 40 else f"EncodedJSON({self.text!r})"


STAGED_STATUSES = ("pending", "approved", "published", "rejected")
MANIFEST_KINDS = ("cost", "condition")


@dataclass
class StagedRecord:
    """One row of a bulk upload, kept until it is approved and published (service/bulk/workflow.py)."""
    org: str               # CTID of the organization that uploaded it (lower case)
    resource_type: str     # the endpoint name: "credential", "learningopportunity", ...
    external_id: str       # the uploader's own identifier; unique per (org, resource_type)
    ctid: str | None       # the resource's CTID (None only for a rejected row that has none)
    status: str            # pending | approved | published | rejected
    request: dict          # the Registry Assistant request that publishing will send (EncodedJSON: to stage)
    document: dict | None  # the CTDL document formatted from it (for review; EncodedJSON: to stage)
    errors: list           # violations ({path, property, code, message}); non-empty when rejected
    content_digest: str    # digest of the content: staging it again unchanged is a no-op
    deferred: bool = False  # uploaded without its Target Credential: cannot be approved yet
    created_at: str = ""   # set by the store
    updated_at: str = ""   # set by the store on every change
    published_envelope_id: str | None = None  # the envelope of the last publish


Build = Callable[[EnvelopeRecord | None], EnvelopeRecord | None]


class StoreError(Exception):
    """The store could not do what was asked (closed, schema too new, a broken invariant)."""


class AlreadyExists(StoreError):
    """An insert met a row with the same key (e.g. add_key with a hash already stored)."""


class InvalidRecord(StoreError, ValueError):
    """publish's build returned a record that would break the history (wrong CTID, id or version)."""


class CtidsTaken(StoreError):
    """publish: CTIDs of the graph belong to another organization (``owners``: CTID -> owner);
    nothing was written."""

    def __init__(self, owners: dict[str, str]):
        self.owners = dict(sorted(owners.items()))
        super().__init__(f"{len(owners)} CTIDs belong to another organization: "
                         + ", ".join(f"{c} ({o})" for c, o in list(self.owners.items())[:5]))


class Ambiguous(StoreError, LookupError):
    """An external identifier names staged records of several types: give the CTID or the type."""


class Store(Protocol):
    """What the registry needs from storage. Every method is safe to call from many threads."""

    def close(self) -> None: ...

    # -- keys ------------------------------------------------------------------------------------
    def add_key(self, key: KeyRecord) -> None:
        """Stores the key (its key_id is key_id_of(key_hash) when empty); AlreadyExists for a hash
        or id already stored."""
    def get_key(self, key_hash: str) -> KeyRecord | None: ...
    def get_key_by_id(self, key_id: str) -> KeyRecord | None: ...
    def list_keys(self, org: str | None = None) -> list[KeyRecord]:
        """Every key (of `org`), oldest first, revoked ones included."""
    def revoke_key(self, key_hash: str, when: str) -> bool:
        """False when the key is unknown or already revoked."""
    def revoke_key_id(self, key_id: str, when: str) -> bool:
        """Revokes by public id (a lost key); False when unknown or already revoked."""
    def touch_key(self, key_hash: str, when: str) -> None:
        """Records that the key was used at `when`."""
    def key_orgs(self, ctids: Iterable[str]) -> set[str]:
        """Which of `ctids` are organizations that hold (or held) a key here: one query."""
    def authorize(self, org: str, publisher: str) -> None:
        """Keys of `publisher` may publish for `org` (idempotent)."""
    def unauthorize(self, org: str, publisher: str) -> bool:
        """Withdraws an authorization; False when there was none."""
    def is_authorized(self, org: str, publisher: str) -> bool: ...
    def authorizers(self, publishers: Iterable[str]) -> set[str]:
        """The organizations that authorized any of `publishers`."""
    def authorizations(self, org: str | None = None) -> list[tuple[str, str, str]]:
        """(org, publisher, created_at) of every authorization (given by `org`)."""

    # -- envelopes -------------------------------------------------------------------------------
    def publish(self, ctid: str, build: Build) -> tuple[EnvelopeRecord | None, bool]:
        """Create-or-update in ONE transaction that serialises writers of the same CTID.

        Reads the current record (deleted ones included) and calls build(current). A record
        returned by build becomes the current version AND is appended to the history; it must
        keep the CTID, keep the envelope_id of an existing envelope and carry version
        current.version + 1 (1 for a new one), else InvalidRecord. None means no change. If build
        raises, nothing is written and the exception propagates. Returns (new, True) or
        (current, False).

        Every CTID of the new graph (its main CTID and node_ctids) is claimed for new.owned_by in
        the same transaction: a CTID already claimed by another organization raises CtidsTaken
        and nothing is written. A new owner (transfer) takes over the claims of the old one.
        """
    def get_by_ctid(self, ctid: str, include_deleted: bool = False) -> EnvelopeRecord | None: ...
    def get_by_node_ctid(self, ctid: str, include_deleted: bool = False) -> EnvelopeRecord | None:
        """The envelope whose current graph holds `ctid` (its main CTID included)."""
    def get_envelope(self, envelope_id: str) -> EnvelopeRecord | None:
        """The current version, deleted or not (deleted_at tells)."""
    def revisions(self, envelope_id: str) -> list[EnvelopeRecord]:
        """Every version, oldest first; the last one equals the current record."""
    def existing_ctids(self, ctids: Iterable[str]) -> set[str]:
        """Which of `ctids` are in a not-deleted envelope's graph: one query, however many."""
    def ctid_owners(self, ctids: Iterable[str]) -> dict[str, str]:
        """CTID -> the organization that owns it (first published it), for those of `ctids` owned."""
    def list_envelopes(self, owned_by: str | None = None, ctdl_type: str | list[str] | None = None,
                       q: str | None = None, offset: int = 0, limit: int = 20,
                       include_deleted: bool = False) -> tuple[list[EnvelopeRecord], int]:
        """(page, total), newest change first (updated_at desc, then ctid): a stable order.
        ctdl_type: one stored type, or a list: any of them.
        q: every whitespace-separated word must occur in search_text (case-insensitive)."""
    def purge(self, ctid: str) -> bool:
        """Removes the envelope and its whole history, and frees its CTIDs no other envelope
        holds; False when there was none."""
    def transfer(self, ctid: str, new_owner: str) -> bool:
        """New owner, recorded as a new version (history shows the change); False when unknown."""

    # -- bulk staging (service/bulk/workflow.py) ------------------------------------------------------------
    # An `id` names a staged record of `org` by its CTID (any case) or its external identifier.
    def stage(self, record: StagedRecord) -> str:
        """Create-or-update by (org, resource_type, external_id), in one transaction: "created",
        "updated" (content, CTID, status and errors replaced; created_at and
        published_envelope_id kept) or "unchanged" (same content_digest: nothing written).
        AlreadyExists when another record holds the CTID."""
    def stage_many(self, records: Sequence[StagedRecord],
                   taken: Callable[[StagedRecord], StagedRecord]) -> list[tuple[str, StagedRecord]]:
        """stage() for every record, in order, in one transaction (a bulk upload's rows): for each,
        (what stage() would have said, the record staged), decided one after the other as if each
        were staged alone. A record whose CTID another record holds is replaced by taken(record)
        (which must not change its argument), staged in its place."""
    def envelope_types(self, ctids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """CTID -> (ctdl_type, owned_by) of the envelopes whose main CTID is one of `ctids`, deleted
        ones included: one query, however many."""
    def staged(self, org: str, resource_type: str | None = None,
               status: str | None = None, content: bool = True) -> list[StagedRecord]:
        """The organization's records, by resource_type then external_id; ``content=False``: without
        their request, document and errors (what is enough to know which exist, and in what state)."""
    def get_staged(self, org: str, id: str, resource_type: str | None = None) -> StagedRecord | None:
        """The record `id` names; Ambiguous when an external identifier names several types."""
    def set_status(self, org: str, ids: Iterable[str], status: str, resource_type: str | None = None,
                   from_status: Iterable[str] | None = None) -> int:
        """Sets the status of the records `ids` name (only those now in `from_status`, if given);
        the number changed. "approved" never applies to deferred or rejected records."""
    def discard(self, org: str, record: StagedRecord) -> bool:
        """Removes the staged record if it is still pending or rejected, never published, and has the
        same content; True when removed."""
    def record_outcome(self, org: str, resource_type: str, external_id: str, content_digest: str,
                       status: str, errors: list | None = None, envelope_id: str | None = None) -> bool:
        """Status (and errors, envelope id) after a publish attempt, only if the record still has
        `content_digest` (not staged again meanwhile); False otherwise."""
    # upload jobs: a queue in the store (service/bulk/jobs.py)
    def create_job(self, job_id: str, org: str, kind: str, data: bytes, key_id: str = "",
                   language: str = "en-US") -> None:
        """A queued job holding the uploaded file."""
    def claim_job(self, runner: str) -> dict | None:
        """The oldest queued job, now running by `runner`, with its file; never the same to two."""
    def update_job(self, job_id: str, *, rows_done: int | None = None, rows_total: int | None = None,
                   status: str | None = None, result: Any = None, error: str | None = None) -> None:
        """Progress, or the end ("done" with its result, "failed" with why)."""
    def requeue_job(self, job_id: str, runner: str) -> bool:
        """A running job of a process that is gone waits again."""
    def get_job(self, job_id: str) -> dict | None: ...
    def running_jobs(self) -> list[tuple[str, str, int]]:
        """(job id, runner, attempts) of the running jobs."""
    def set_addresses(self, org: str, places: dict[str, dict]) -> int:
        """Replaces the organization's addresses (address id -> Registry Assistant Place)."""
    def addresses(self, org: str) -> dict[str, dict]: ...
    def set_manifests(self, org: str, kind: str, manifests: dict[str, str]) -> int:
        """Replaces the organization's cost or condition manifests (id -> manifest CTID)."""
    def manifests(self, org: str, kind: str) -> dict[str, str]: ...
    # what the web pages read (service/store/browse.py)
    def count_by_type(self, owned_by: str | None = None) -> list[tuple[str, int]]:
        """(CTDL type, current records), most first."""
    def review_queue(self, status: str = "pending", offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        """Uploaded records in `status` of every organization, oldest first, and their number."""
    def org_settings(self, org: str) -> dict[str, str]: ...
    def set_org_setting(self, org: str, name: str, value: str) -> None:
        """Sets one setting of an organization (an empty value removes it)."""
