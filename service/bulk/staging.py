"""Staging an upload's rows (``BulkWorkflow.stage_rows``), in steps so that a large upload can
prepare and stage its rows while the rest are still being validated:

  Stager.add(row)   what a row says by itself, as it arrives (``prepared``): its identifiers, its own
                    errors, the record it will be staged as with its store JSON, the CTIDs of its
                    document and its ownership claims for other organizations (for the tenancy
                    rules) and its content digest. No store access. A large upload has this made by
                    the worker processes that validate its rows (``Stager.preparer``, ``add_prepared``).
  Stager.flush()    the checks against the registry for the rows added since the last flush, asked
                    once for all of them (CTID conflicts, the tenancy's rules said at upload rather
                    than at publish), then those records staged in one store call (Store.stage_many:
                    one transaction). A large upload flushes each chunk of rows as it comes back
                    from the workers; an upload stopped part way keeps the rows staged so far
                    (pending, never published without approval): the same file again stages the
                    rest, and those say unchanged.
  Stager.finish()   flush(), then every row's outcome in the order the rows were added.

Valid rows are staged as pending, rows with violations as rejected with their errors; nothing is
published, and a failing row never stops the others.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache, partial
from typing import Iterable

from transformer import CtdlError, CTID_RE, VIOLATION

from ..registry.core import DOCUMENT_KINDS, is_kind
from ..registry.signing import canonical_json
from ..registry.tenancy import Claim, claims_of_others, node_ctids
from ..store.base import EncodedJSON, KeyRecord, StagedRecord, Store, json_text
from .common import MAX_EXTERNAL_ID, ROW_KEY, Outcome, Row, error, record_names, row_errors


class Prepared:
    """What staging needs of a row, worked out from the row alone (``prepared``; for a large upload
    in the worker that validated it, ``prepare_row``): the record it will be staged as, its request
    and document already as their store JSON (EncodedJSON), its wrapper key, the CTIDs of its
    document and its ownership claims for other organizations than the uploading one, and the
    canonical JSON of its content around its errors (``head`` + errors + ``tail``: the digest is
    made again when the store's checks add errors)."""

    __slots__ = ("record", "wrapper", "ctids", "claims", "head", "tail")

    def __init__(self, record: StagedRecord, wrapper: str, ctids: list[str], claimed: list[Claim],
                 head: bytes, tail: bytes) -> None:
        self.record, self.wrapper, self.ctids, self.claims, self.head, self.tail = \
            record, wrapper, ctids, claimed, head, tail

    def digested(self, record: StagedRecord) -> StagedRecord:
        """``record`` (this row's, or a copy with more errors) with the digest of its content: the
        same as service.registry.signing.digest of {type, deferred, errors, request without the row's
        cells (, document)}, made from the parts encoded once."""
        record.content_digest = hashlib.sha256(self.head + canonical_json(record.errors) + self.tail).hexdigest()
        return record


def prepared(org: str, kind: str, with_claims: bool, row: Row) -> Prepared | None:
    """A row as staging needs it (Prepared); None: the row has no External Identifier (the Stager
    says so). ``with_claims``: walk the document for ownership claims (not for an admin's key)."""
    ext = row.external_id.strip() if isinstance(row.external_id, str) else ""
    if not ext:
        return None
    record, wrapper = _checked(org, kind, ext, row)
    document = record.document
    text = json_text(document) if document is not None else None
    # the ownership claims that need consent: those of other organizations than the uploading one
    claimed = claims_of_others(document, org, text) if record.ctid and with_claims and text else []
    ctids = [record.ctid, *node_ctids(document)] if record.ctid else []
    # the content's canonical JSON (signing.canonical_json of a dict: its keys sorted), errors left out
    head = b'{"deferred":' + canonical_json(record.deferred) + (
        b',"document":' + canonical_json(document) if kind in DOCUMENT_KINDS else b"") + b',"errors":'
    tail = (b',"request":' + canonical_json({k: v for k, v in record.request.items() if k != ROW_KEY}) +
            b',"type":' + canonical_json(kind) + b"}")
    record.request = EncodedJSON(json_text(record.request))
    if text is not None:
        record.document = EncodedJSON(text)
    p = Prepared(record, wrapper, ctids, claimed, head, tail)
    p.digested(record)
    return p


def prepare_row(org: str, kind: str, with_claims: bool, result, row) -> Prepared | None:
    """``prepared`` for a validated spreadsheet row (validate_rows' ``prepare``, run where the row was
    validated): its request keeps the row's cells (ROW_KEY: export gives them back); its violations
    are its errors."""
    cells = {row.headers.get(k, k): v for k, v in row.cells.items()}
    return prepared(org, kind, with_claims, Row(
        external_id=result.external_id, request={**result.request, ROW_KEY: cells}, document=result.document,
        report=[p for p in result.problems if p.severity == VIOLATION], deferred=result.deferred))


class _Todo:
    """A row to stage: its place in the answer, its row number, what it was prepared as, and the
    length of the errors its digest was made with."""

    __slots__ = ("position", "number", "prepared", "record", "digested")

    def __init__(self, position: int, number: int, p: Prepared) -> None:
        self.position, self.number, self.prepared, self.record = position, number, p, p.record
        self.digested = len(p.record.errors)


class Stager:
    def __init__(self, store: Store, tenancy, org: str, kind: str, actor: KeyRecord) -> None:
        self.store, self.tenancy, self.org, self.kind, self.actor = store, tenancy, org, kind, actor
        self.out: list[Outcome | None] = []
        self.todo: list[_Todo] = []
        self.first_row: dict[str, int] = {}
        self.previous: dict[str, StagedRecord] | None = None     # staged before this upload (flush)

    def preparer(self):
        """prepare_row for this upload's rows (validate_rows(prepare=...): it travels to the workers)."""
        return partial(prepare_row, self.org, self.kind, not self.actor.admin)

    def add(self, row: Row) -> None:
        self.add_prepared(row.external_id, prepared(self.org, self.kind, not self.actor.admin, row))

    def add_prepared(self, external_id, p: Prepared | None) -> None:
        """The next row, as ``prepared`` (or ``preparer()``) made it."""
        number = len(self.out) + 1
        ext = external_id.strip() if isinstance(external_id, str) else ""
        if not ext or p is None:
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
        self.todo.append(_Todo(len(self.out), number, p))
        self.out.append(None)

    def flush(self) -> None:
        """Stage the rows added since the last flush (one transaction): a large upload stages each
        chunk of rows as it comes back validated, while the workers go on with the rest. The rows
        staged before, of this organization and type, are read at the first flush: a later row has
        another External Identifier than every row staged by this upload (a second one is refused)."""
        todo, out, self.todo = self.todo, self.out, []
        if not todo:
            return
        if self.previous is None:
            self.previous = {r.external_id: r for r in self.store.staged(self.org, self.kind, content=False)}
        previous = self.previous
        self._store_checks(todo, previous)
        by_ext = {t.record.external_id: t.prepared for t in todo}

        def taken(record: StagedRecord) -> StagedRecord:   # a copy: stage_many may call it twice
            p = by_ext[record.external_id]
            return p.digested(replace(record, status="rejected", ctid=None, errors=[*record.errors, error(
                "bulk.ctid-taken", f"{record.ctid} is already used by another uploaded record: each record needs "
                "its own CTID", f"/{p.wrapper}/CTID", "CTID")]))

        for t in todo:
            t.record.status = "rejected" if t.record.errors else "pending"
            if t.digested != len(t.record.errors):      # the store's checks added errors
                t.prepared.digested(t.record)
        done = self.store.stage_many([t.record for t in todo], taken)
        for t, (change, record) in zip(todo, done):
            result = "rejected" if record.status == "rejected" else change
            # unchanged content keeps its status (a published record stays published)
            prev = previous.get(t.record.external_id)
            status = prev.status if change == "unchanged" and prev is not None else record.status
            out[t.position] = Outcome(record.external_id, record.ctid or t.record.ctid, self.kind, status, result,
                                      errors=record.errors, row=t.number)

    def finish(self) -> list[Outcome]:
        """Stage the rows not staged yet; every row's outcome, in the order they were added."""
        self.flush()
        return self.out

    def _store_checks(self, todo: list[_Todo], previous: dict[str, StagedRecord]) -> None:
        """The checks against the registry, for every row with a CTID: CTID conflicts, then the
        publishing rules of service/registry/tenancy.py said at upload rather than at publish (CTIDs
        of another organization, owned or its own; claims for organizations that did not consent).
        The store is asked once for all rows (_ReadAhead); the messages are the tenancy's own."""
        org, kind, actor = self.org, self.kind, self.actor
        types = self.store.envelope_types(t.prepared.ctids[0] for t in todo if t.prepared.ctids)
        tenancy = type(self.tenancy)(_ReadAhead(self.store, [c for t in todo for c in t.prepared.ctids]))
        for t in todo:
            record, p = t.record, t.prepared
            ctid, errors, pointer = record.ctid, record.errors, f"/{p.wrapper}/CTID"
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
                                    f"{p.wrapper}", pointer, "CTID"))
            for check in (lambda: tenancy.organization_ctids(p.ctids, org), lambda: tenancy.owned_ctids(p.ctids, org),
                          lambda: tenancy.consented(None, org, actor, found=p.claims)):
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
