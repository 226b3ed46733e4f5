"""Bulk uploads on the service side: staging, approval and publishing of spreadsheet rows.
(Over 400 lines: the four steps below share one transaction discipline and are read together.)

The spreadsheet side (transformer/bulk/) turns each row into a Registry Assistant request, its CTDL
document and a validation report. Here, as in Credential Engine's Publisher (seeds: "Review and
approve your uploaded data", "approval of frameworks is not allowed unless your organization has
been approved and published"):

  stage_rows        records every row under (organization, type, external identifier): valid rows
                    as pending, rows with violations as rejected with their errors. Nothing is
                    published; a failing row never stops the others.
  approve           the organization approves pending records. Refused while the organization
                    itself is not published in this registry; deferred records (no Target
                    Credential yet) and rejected ones cannot be approved.
  publish_approved  publishes every approved record through Registry.publish, so every rule of the
                    API applies (ownership, validation, references), and marks it published with
                    its envelope id, or rejected with the reasons.

Statuses: pending -> approved -> published; new content for a record (any status) makes it pending
again (rejected when it has violations), so a change is always approved before it is published.

Who acts: an API key (HTTP, or `ctdl bulk ... --key`) of the organization, of a publisher it
authorized, or an admin key. Without a key (`key=None`) the caller is the registry host's operator
(the `ctdl` command, which opens the store directly as `ctdl keys create` does) acting as the
organization itself.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from transformer import CtdlError, CTID_RE, UnknownType, WrongShape

from ..registry.core import DOCUMENT_KINDS, Registry
from ..registry.keys import operator_key
from ..store.base import Ambiguous, KeyRecord, StagedRecord, Store
from .common import Outcome, Row, error, record_names
from .staging import Stager
from .order import TYPE_ORDER  # publishing order: what others refer to first

class Refused(CtdlError):
    """The request is understood but not allowed in the record's (or organization's) state."""
    code = "bulk.refused"
    http_status = 409


class OrganizationNotPublished(Refused):
    code = "bulk.organization-not-published"


def summary(record: StagedRecord) -> dict:
    """A staged record as `ctdl bulk status --format json` and GET /bulk/status list it: with its name,
    its CTDL class and what publishing it will do (create, update, nothing: already published)."""
    graph = (record.document or {}).get("@graph") if isinstance(record.document, dict) else None
    main = graph[0] if isinstance(graph, list) and graph and isinstance(graph[0], dict) else {}
    name = main.get("ceterms:name") or main.get("ceasn:name") or {}
    name = next(iter(name.values()), "") if isinstance(name, dict) else name if isinstance(name, str) else ""
    on_publish = ("nothing (published)" if record.status == "published" else
                  "update" if record.published_envelope_id else "create")
    return {"external_id": record.external_id, "ctid": record.ctid, "type": record.resource_type,
            "class": main.get("@type"), "name": name if isinstance(name, str) else str(name),
            "status": record.status, "on_publish": on_publish, "deferred": record.deferred,
            "errors": record.errors, "updated_at": record.updated_at, "envelope_id": record.published_envelope_id}


def resource_kind(value: Any) -> str:
    """"LearningOpportunity", "learning opportunity" -> "learningopportunity" (an endpoint name)."""
    from transformer import type_key

    kind = type_key(value)
    if kind not in record_names():
        raise UnknownType(f'unknown type "{value}"; use one of: {", ".join(sorted(record_names()))}')
    return kind


def org_ctid(value: Any, what: str = "org") -> str:
    org = value.strip().lower() if isinstance(value, str) else ""
    if not CTID_RE.match(org):
        raise CtdlError(f'{what} must be an organization CTID (ce- followed by a UUID), not "{value}"',
                        code="input.invalid-ctid", pointer=f"/{what}")
    return org


def published_base_url(store: Store, org: str) -> str | None:
    """The base URL this registry gave the organization's resource URIs ({base}graph/{ctid}), so
    that `ctdl bulk publish` makes the same URIs as the server."""
    record = store.get_by_ctid(org)
    doc_id = record.decoded_resource.get("@id") if record else None
    suffix = f"graph/{org}"
    if isinstance(doc_id, str) and doc_id.lower().endswith(suffix):
        return doc_id[:-len(suffix)]
    return None


class BulkWorkflow:
    def __init__(self, registry: Registry):
        self.registry = registry
        self.store: Store = registry.store

    # -- who acts -------------------------------------------------------------------------------
    def actor(self, org: Any, key: KeyRecord | None) -> tuple[str, KeyRecord]:
        """(organization CTID, the key that acts for it); Forbidden when `key` may not."""
        org = org_ctid(org)
        if key is None:   # the registry host's operator, acting as the organization
            return org, operator_key(org)
        return self.registry.acting_for(key, org), key

    def require_published(self, org: str) -> None:
        record = self.store.get_by_ctid(org)
        if record is None or "Organization" not in record.ctdl_type:
            raise OrganizationNotPublished(
                f"{org} is not published in this registry: records can be approved and published only "
                "once their organization is. Publish the organization first (POST /organization/publish), "
                "then approve.", pointer="/org")

    # -- staging --------------------------------------------------------------------------------
    def stage_rows(self, org: Any, resource_type: Any, rows: Iterable[Row],
                   key: KeyRecord | None = None) -> list[Outcome]:
        """Every row checked, then every record staged in one store call (Store.stage_many: one
        transaction per upload, not per row); what the checks ask the store is read once per upload."""
        stager = self.stager(org, resource_type, key)
        for row in rows:
            stager.add(row)
        return stager.finish()

    def stager(self, org: Any, resource_type: Any, key: KeyRecord | None = None):
        """A Stager (service/bulk/staging.py): rows added as they come, staged by its finish()."""
        org, actor = self.actor(org, key)
        return Stager(self.store, self.registry.tenancy, org, resource_kind(resource_type), actor)

    # -- review ---------------------------------------------------------------------------------
    def status(self, org: Any, resource_type: Any = None, status: str | None = None,
               key: KeyRecord | None = None) -> list[StagedRecord]:
        org, _ = self.actor(org, key)
        if status is not None and status not in ("pending", "approved", "published", "rejected"):
            raise CtdlError(f'unknown status "{status}": pending, approved, published or rejected',
                            code="input.invalid-status", pointer="/status")
        return self.store.staged(org, resource_kind(resource_type) if resource_type else None, status)

    def _named(self, org: str, kind: str | None, ids: Iterable[Any]) -> Iterator[tuple[int, StagedRecord | Outcome]]:
        """(position, the staged record) for each id of a request (a CTID or an external identifier), or
        (position, a "refused" Outcome) when it names none or several; WrongShape for an id that is not
        text."""
        for i, id in enumerate(ids):
            if not isinstance(id, str) or not id.strip():
                raise WrongShape(f"ids[{i}] must be a CTID or an external identifier (text)", pointer=f"/ids/{i}")
            try:
                record = self.store.get_staged(org, id, kind)
            except Ambiguous as e:
                yield i, Outcome(id, None, kind or "", "", "refused", str(e),
                                 [error("bulk.ambiguous-id", str(e), f"/ids/{i}")])
                continue
            if record is None:
                message = f'"{id}" is not an uploaded record of {org}' + (f" ({kind})" if kind else "")
                yield i, Outcome(id, None, kind or "", "", "refused", message,
                                 [error("bulk.not-found", message, f"/ids/{i}")])
                continue
            yield i, record

    # -- discarding -----------------------------------------------------------------------------
    def discard(self, org: Any, ids: Iterable[str], *, key: KeyRecord | None = None,
                resource_type: Any = None) -> list[Outcome]:
        """Removes the pending or rejected records ``ids`` name (CTIDs or external identifiers): one
        outcome each, "discarded" or "refused" with the reason (not found, approved, published)."""
        org, _ = self.actor(org, key)
        kind = resource_kind(resource_type) if resource_type else None
        out = []
        for i, record in self._named(org, kind, ids):
            if isinstance(record, Outcome):
                out.append(record)
                continue
            if record.published_envelope_id or record.status not in ("pending", "rejected"):
                why = ("it is in the registry: delete it there (ctdl delete / DELETE /{type}/delete); an upload "
                       "with its External Identifier updates it" if record.published_envelope_id else
                       f"it is {record.status}: only pending and rejected records are discarded")
                out.append(_decision(record, "refused", "bulk.not-discardable", f'"{record.external_id}" is kept: {why}',
                                     f"/ids/{i}"))
                continue
            if self.store.discard(org, record):
                out.append(Outcome(record.external_id, record.ctid, record.resource_type, "", "discarded",
                                   f'"{record.external_id}" was discarded'))
            else:
                out.append(_decision(record, "refused", "bulk.changed", f'"{record.external_id}" changed meanwhile; '
                                     "look at its status and try again", f"/ids/{i}"))
        return out

    # -- approval -------------------------------------------------------------------------------
    def approve(self, org: Any, ids: Iterable[str] | None = None, *, all: bool = False,
                key: KeyRecord | None = None, resource_type: Any = None) -> list[Outcome]:
        """Approves the pending records `ids` name (CTIDs or external identifiers), all or none: one
        refused id (unknown, deferred, rejected) refuses the request. all=True approves every pending
        record that can be and lists the others as skipped. OrganizationNotPublished (nothing done)
        while the organization is not published here."""
        org, _ = self.actor(org, key)
        kind = resource_kind(resource_type) if resource_type else None
        ids = list(ids or [])
        if bool(all) == bool(ids):
            raise WrongShape('name the records to approve ("ids": CTIDs or external identifiers) or approve '
                             'every pending one ("all": true), not both', pointer="/ids")
        self.require_published(org)
        if all:
            records = [r for r in self.store.staged(org, kind) if r.status != "published"]
            chosen = [r for r in records if r.status == "pending" and _refusal(r) is None]
            outcomes = [_decision(r, "skipped", *_refusal(r)) if _refusal(r) else
                        _decision(r, "unchanged" if r.status == "approved" else "approved") for r in records]
        else:
            chosen, outcomes, refused = [], [], []
            for i, record in self._named(org, kind, ids):
                if isinstance(record, Outcome):
                    refused.append(record)
                elif _refusal(record):
                    code, message = _refusal(record)
                    refused.append(_decision(record, "refused", code, message, f"/ids/{i}"))
                else:
                    chosen.append(record)
                    outcomes.append(_decision(record, "approved" if record.status == "pending" else "unchanged"))
            if refused:
                return refused
        self.store.set_status(org, [r.ctid for r in chosen if r.status == "pending"], "approved", kind,
                              from_status=["pending"])
        return outcomes

    # -- publishing -----------------------------------------------------------------------------
    def publish_approved(self, org: Any, *, key: KeyRecord | None = None,
                         resource_type: Any = None) -> list[Outcome]:
        org, actor = self.actor(org, key)
        kind = resource_kind(resource_type) if resource_type else None
        self.require_published(org)
        records = sorted(self.store.staged(org, kind, "approved"),
                         key=lambda r: (TYPE_ORDER.index(r.resource_type) if r.resource_type in TYPE_ORDER
                                        else len(TYPE_ORDER), r.external_id))
        return [self._publish_one(r, actor) for r in records]

    def _publish_one(self, r: StagedRecord, actor: KeyRecord) -> Outcome:
        from ..registry.answers import report_parts, result_error

        if _refusal(r):   # cannot be approved; put back to review
            self.store.record_outcome(r.org, r.resource_type, r.external_id, r.content_digest, "pending")
            return _decision(r, "skipped", *_refusal(r))
        try:
            if r.resource_type in DOCUMENT_KINDS:   # built at upload (a framework's @graph): stored as it is
                result = self.registry.publish_document(r.document or {}, actor, r.org)
            else:
                body = json.dumps(r.request, ensure_ascii=False).encode("utf-8")
                result = self.registry.publish(body, r.resource_type, actor)
        except CtdlError as e:
            if e.http_status >= 500:
                raise
            errors = [error(e.code, e.message, e.pointer)]
            self.store.record_outcome(r.org, r.resource_type, r.external_id, r.content_digest, "rejected", errors)
            return _decision(r, "failed", e.code, e.message, e.pointer, status="rejected")
        _, warnings, _ = report_parts(result.report)
        if result.record is None:
            errors = [result_error(v) for v in result.report.violations]
            self.store.record_outcome(r.org, r.resource_type, r.external_id, r.content_digest, "rejected", errors)
            return Outcome(r.external_id, r.ctid, r.resource_type, "rejected", "failed",
                           "the registry refused it: fix the errors and upload it again", errors, warnings)
        kept = self.store.record_outcome(r.org, r.resource_type, r.external_id, r.content_digest, "published",
                                         [], result.record.envelope_id)
        message = "" if kept else "staged again while it was published: the new content waits for approval"
        return Outcome(r.external_id, r.ctid, r.resource_type, "published" if kept else "pending",
                       "published" if result.changed else "unchanged", message, [], warnings,
                       result.record.envelope_id)


def _refusal(record: StagedRecord) -> tuple[str, str] | None:
    """(code, message) when the record cannot be approved as it is."""
    name = f'"{record.external_id}" ({record.ctid or "no CTID"})'
    if record.status == "rejected":
        return ("bulk.rejected", f"{name} was rejected: fix the errors listed for it, upload it again, then "
                                 "approve it")
    if record.deferred:
        return ("bulk.deferred", f"{name} has no Target Credential yet (uploaded with #DEFER or a blank Target "
                                 "Credentials cell): connect it to a Target Credential first, upload it again, "
                                 "then approve it")
    return None


def _decision(record: StagedRecord, result: str, code: str = "", message: str = "", path: str = "",
              status: str | None = None) -> Outcome:
    errors = [error(code, message, path)] if code and result in ("refused", "failed") else []
    return Outcome(record.external_id, record.ctid, record.resource_type, status or (
        "approved" if result == "approved" else record.status), result, message, errors,
        envelope_id=record.published_envelope_id)
