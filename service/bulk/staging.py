"""Staging an upload's rows (``BulkWorkflow.stage_rows``), in two steps so that a large upload can
prepare its rows while the rest are still being validated:

  Stager.add(row)   what a row says by itself, as it arrives: its identifiers, its own errors, the
                    record it will be staged as, the CTIDs and ownership claims of its document
                    (for the tenancy rules) and its content digest. No store access.
  Stager.finish()   the checks against the registry, asked once for every row (CTID conflicts, the
                    tenancy's rules said at upload rather than at publish), then every record
                    staged in one store call (Store.stage_many: one transaction per upload).

Valid rows are staged as pending, rows with violations as rejected with their errors; nothing is
published, and a failing row never stops the others.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Iterable

from transformer import CtdlError, CTID_RE

from ..registry.core import DOCUMENT_KINDS, is_kind
from ..registry.signing import digest
from ..registry.tenancy import claims, node_ctids
from ..store.base import KeyRecord, StagedRecord, Store
from .common import MAX_EXTERNAL_ID, ROW_KEY, Outcome, Row, error, record_names, row_errors


class _Todo:
    """A row to stage: its place in the answer, its row number, the record, its wrapper key, its
    document's CTIDs and ownership claims, and the length of the errors its digest was made with."""

    __slots__ = ("position", "number", "record", "wrapper", "document", "ctids", "claims", "digested")

    def __init__(self, position: int, number: int, record: StagedRecord, wrapper: str, document, claimed) -> None:
        self.position, self.number, self.record, self.wrapper = position, number, record, wrapper
        self.document = document
        self.ctids = [record.ctid, *node_ctids(document)] if record.ctid else []
        self.claims = claimed
        self.digested = -1


class Stager:
    def __init__(self, store: Store, tenancy, org: str, kind: str, actor: KeyRecord) -> None:
        self.store, self.tenancy, self.org, self.kind, self.actor = store, tenancy, org, kind, actor
        self.out: list[Outcome | None] = []
        self.todo: list[_Todo] = []
        self.first_row: dict[str, int] = {}
        self.encoded: dict[int, tuple] = {}     # id(request or document) -> (it, its JSON parameter)
        self.digests: dict[str, str] | None = None   # external id -> content digest staged before this upload

    def add(self, row: Row) -> None:
        number = len(self.out) + 1
        ext = row.external_id.strip() if isinstance(row.external_id, str) else ""
        if not ext:
            self.out.append(Outcome("", None, self.kind, "", "rejected", row=number, errors=[error(
                "bulk.external-id-required", "the External Identifier is empty: give each row an identifier "
                "from your own system, used again on later uploads to update the record",
                prop="External Identifier")]))
            return
        if ext in self.first_row:
            self.out.append(Outcome(ext, None, self.kind, "", "rejected", row=number, errors=[error(
                "bulk.duplicate-external-id", f'row {self.first_row[ext]} of this upload already has External '
                f'Identifier "{ext}": give each row its own', prop="External Identifier")]))
            return
        self.first_row[ext] = number
        record, wrapper = _checked(self.org, self.kind, ext, row)
        # the claims are walked only when the tenancy would look at them (not for an admin's key)
        claimed = claims(row.document) if record.ctid and not self.actor.admin else []
        todo = _Todo(len(self.out), number, record, wrapper, row.document, claimed)
        _digest(todo)
        if self.digests is None:
            self.digests = {r.external_id: r.content_digest
                            for r in self.store.staged(self.org, self.kind, content=False)}
        if self.digests.get(ext) != record.content_digest:
            # the store's JSON, made now rather than in finish; not for a row staged before as it is
            # (unless the store's checks change it, stage_many then encodes it itself)
            for value in (record.request, record.document):
                self.encoded[id(value)] = self.store.encode_ahead(value)
        self.todo.append(todo)
        self.out.append(None)

    def finish(self) -> list[Outcome]:
        todo, out = self.todo, self.out
        if not todo:
            return out
        previous = {r.external_id: r for r in self.store.staged(self.org, self.kind, content=False)}
        self._store_checks(todo, previous)
        wrapper_of = {t.record.external_id: t.wrapper for t in todo}

        def taken(record: StagedRecord) -> StagedRecord:   # a copy: stage_many may call it twice
            return _digested(replace(record, status="rejected", ctid=None, errors=[*record.errors, error(
                "bulk.ctid-taken", f"{record.ctid} is already used by another uploaded record: each record needs "
                "its own CTID", f"/{wrapper_of[record.external_id]}/CTID", "CTID")]))

        for t in todo:
            t.record.status = "rejected" if t.record.errors else "pending"
            if t.digested != len(t.record.errors):      # the store's checks added errors
                _digest(t)
        done = self.store.stage_many([t.record for t in todo], taken, self.encoded)
        for t, (change, record) in zip(todo, done):
            result = "rejected" if record.status == "rejected" else change
            # unchanged content keeps its status (a published record stays published)
            prev = previous.get(t.record.external_id)
            status = prev.status if change == "unchanged" and prev is not None else record.status
            out[t.position] = Outcome(record.external_id, record.ctid or t.record.ctid, self.kind, status, result,
                                      errors=record.errors, row=t.number)
        return out

    def _store_checks(self, todo: list[_Todo], previous: dict[str, StagedRecord]) -> None:
        """The checks against the registry, for every row with a CTID: CTID conflicts, then the
        publishing rules of service/registry/tenancy.py said at upload rather than at publish (CTIDs
        of another organization, owned or its own; claims for organizations that did not consent).
        The store is asked once for all rows (_ReadAhead); the messages are the tenancy's own."""
        org, kind, actor = self.org, self.kind, self.actor
        types = self.store.envelope_types(t.ctids[0] for t in todo if t.ctids)
        tenancy = type(self.tenancy)(_ReadAhead(self.store, [c for t in todo for c in t.ctids]))
        for t in todo:
            record = t.record
            ctid, errors, pointer = record.ctid, record.errors, f"/{t.wrapper}/CTID"
            if not ctid:
                continue
            prev = previous.get(record.external_id)
            if prev is not None and prev.published_envelope_id and prev.ctid and prev.ctid != ctid:
                errors.append(error("bulk.ctid-changed", f"this External Identifier was published as {prev.ctid}; a "
                                    "record keeps its CTID for life (give it back, or use a new External Identifier)",
                                    pointer, "CTID"))
            ctdl_type, owner = types.get(ctid, (None, None))
            if owner == org and not is_kind(ctdl_type, kind):
                errors.append(error("bulk.type-mismatch", f"{ctid} is a {ctdl_type} in this registry, not a "
                                    f"{t.wrapper}", pointer, "CTID"))
            for check in (lambda: tenancy.organization_ctids(t.ctids, org), lambda: tenancy.owned_ctids(t.ctids, org),
                          lambda: tenancy.consented(t.document, org, actor, found=t.claims)):
                try:
                    check()
                except CtdlError as e:
                    ctid_error = e.pointer == "/CTID"
                    errors.append(error(e.code, e.message, pointer if ctid_error else e.pointer,
                                        "CTID" if ctid_error else ""))


def _checked(org: str, kind: str, ext: str, row: Row) -> tuple[StagedRecord, str]:
    """(the record a row will be staged as, with the row's own errors: its violations, its identifiers;
    its wrapper key). The stager adds the errors the store's checks find, then sets its status."""
    errors = row_errors(row.report)
    if len(ext) > MAX_EXTERNAL_ID:
        errors.append(error("bulk.external-id-too-long", f"the External Identifier has {len(ext)} "
                            f"characters; the limit is {MAX_EXTERNAL_ID}", prop="External Identifier"))
    request = dict(row.request) if isinstance(row.request, dict) else {}
    wrapper = _wrapper_of(request, kind)
    main = request.get(wrapper)
    if not isinstance(main, dict):
        errors.append(error("input.wrong-shape", f'the request has no "{wrapper}" object', path=f"/{wrapper}"))
        main = {}
    ctid = main.get("CTID").strip().lower() if isinstance(main.get("CTID"), str) else None
    if not ctid or not CTID_RE.match(ctid):
        ctid = None
        if not errors:
            errors.append(error("required", "a CTID is required to publish", f"/{wrapper}/CTID", "CTID"))
    for_org = request.get("PublishForOrganizationIdentifier")
    if for_org and (not isinstance(for_org, str) or for_org.strip().lower() != org):
        errors.append(error("bulk.wrong-organization", f"the row publishes for {for_org}, but this upload is "
                            f"for {org}", "/PublishForOrganizationIdentifier", "PublishForOrganizationIdentifier"))
    request["PublishForOrganizationIdentifier"] = org
    return StagedRecord(org=org, resource_type=kind, external_id=ext, ctid=ctid, status="pending", request=request,
                        document=row.document if isinstance(row.document, dict) else None, errors=errors,
                        content_digest="", deferred=bool(row.deferred)), wrapper


class _ReadAhead:
    """What the tenancy rules ask the store (organizations with keys, CTID owners, authorizations),
    read once for every CTID of an upload and answered from memory, as the store would (they were
    three queries per row). Staging changes none of it: it publishes nothing."""

    def __init__(self, store: Store, ctids: Iterable[str]):
        self.store, self._with_keys, self._owners = store, store.key_orgs(ctids), store.ctid_owners(ctids)
        self._authorizers: dict[frozenset, set[str]] = {}

    def key_orgs(self, ctids: Iterable[str]) -> set[str]:
        return {c for c in _lower(ctids) if c in self._with_keys}

    def ctid_owners(self, ctids: Iterable[str]) -> dict[str, str]:
        return {c: self._owners[c] for c in sorted(_lower(ctids)) if c in self._owners}

    def authorizers(self, publishers: Iterable[str]) -> set[str]:
        key = frozenset(publishers)
        if key not in self._authorizers:
            self._authorizers[key] = self.store.authorizers(key)
        return set(self._authorizers[key])


def _lower(ctids: Iterable[str]) -> set[str]:
    return {c.strip().lower() for c in ctids if c and c.strip()}


def _wrapper_of(request: dict, kind: str) -> str:
    """The wrapper key a row's request uses: the upload type's (LearningOpportunity), or one of the same
    family that the Learning Opportunity Class Type chose (Course, LearningProgram: the same accepted
    classes)."""
    from transformer import wrappers

    table = wrappers()["wrappers"]
    own = _record_name(kind)
    family = table.get(own, {}).get("accepts")
    for key in request:
        if key in table and isinstance(request[key], dict) and (key == own or table[key]["accepts"] == family):
            return key
    return own


@lru_cache(maxsize=None)
def _record_name(kind: str) -> str:
    """record_names()[kind], made once (it is asked for every row of an upload)."""
    return record_names()[kind]


def _digest(todo: _Todo) -> None:
    _digested(todo.record)
    todo.digested = len(todo.record.errors)


def _digested(record: StagedRecord) -> StagedRecord:
    content = {"type": record.resource_type, "deferred": record.deferred, "errors": record.errors,
               "request": {k: v for k, v in record.request.items() if k != ROW_KEY}}
    if record.resource_type in DOCUMENT_KINDS:   # published as built: the document is the content
        content["document"] = record.document
    record.content_digest = digest(content)
    return record
