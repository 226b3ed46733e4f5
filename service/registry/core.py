"""Publishing rules: who may publish what, create-or-update by CTID, history, references.

No HTTP here: the API and the bulk tools call these functions and turn their results and
exceptions into responses.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from transformer import (CtdlError, CTID_IN_RESOURCE_IRI, CTID_RE, Forbidden, format_request, NotFound, Options,
    AlreadyPublished, Outcome, OwnershipConflict, Report, Result, Unauthenticated, VIOLATION, WARNING, WrongShape)

from ..store.base import KEY_USE_RESOLUTION_SECONDS, CtidsTaken, EnvelopeRecord, KeyRecord, Store
from ..store.base import utc_now as now
from .tenancy import Tenancy, node_ctids, ownership_conflict

__all__ = ["Registry", "PublishResult", "Forbidden", "OwnershipConflict", "Unauthenticated", "NotFound"]


def _seconds_between(earlier: str, later: str) -> float:
    try:
        parse = lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
        return (parse(later) - parse(earlier)).total_seconds()
    except (TypeError, ValueError):
        return float("inf")


@dataclass
class PublishResult:
    outcome: Outcome
    record: EnvelopeRecord | None = None
    changed: bool = False
    report: Report = field(default_factory=Report)


_NAME_KEYS = ("ceterms:name", "ceterms:description", "ceasn:name", "ceasn:description",
              "ceasn:competencyText", "ceterms:keyword")


def search_text(payload: dict) -> str:
    """Names, descriptions and keywords in every language, lower-cased: what ?q= searches."""
    parts: list[str] = []

    def collect(v: Any) -> None:
        if isinstance(v, str):
            parts.append(v)
        elif isinstance(v, list):
            for x in v:
                collect(x)
        elif isinstance(v, dict):
            for x in v.values():
                collect(x)

    for node in payload.get("@graph", [payload]):
        if isinstance(node, dict):
            for key in _NAME_KEYS:
                collect(node.get(key))
    return " ".join(parts).lower()


_AGENT_KEYS = ("ceterms:ownedBy", "ceterms:offeredBy", "ceasn:publisher", "ceasn:creator")


def referenced_ctids(payload: dict, base: str) -> dict[str, str]:
    """CTID -> property for every registry reference in the payload (ownedBy, offeredBy, ...)."""
    found: dict[str, str] = {}

    def walk(v: Any, key: str) -> None:
        if isinstance(v, str) and v.startswith(base):
            m = CTID_IN_RESOURCE_IRI.search(v)
            if m:
                found.setdefault(m.group(1).lower(), key)
        elif isinstance(v, list):
            for x in v:
                walk(x, key)
        elif isinstance(v, dict):
            for k, x in v.items():
                if k != "@id":
                    walk(x, k)

    walk(payload.get("@graph", payload), "")
    return found


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_storable(payload: Any, report: Report) -> None:
    """Text no registry can keep: U+0000 (PostgreSQL refuses it) and lone UTF-16 surrogates from
    escapes such as "\\ud800" (not Unicode; cannot be written as UTF-8). A violation per property."""
    seen: set[str] = set()
    bad = _UNSTORABLE.search

    def walk(v: Any, prop: str) -> None:
        if isinstance(v, str):
            if prop not in seen and bad(v):
                seen.add(prop)
                report.add(Result(VIOLATION, "invalid-character",
                                  f"{prop or 'a key'} holds a character that cannot be published "
                                  "(U+0000 or an unpaired surrogate such as \\ud800)", property=prop,
                                  fix="Remove the character, or write the full character instead of half "
                                      "of a surrogate pair."))
        elif isinstance(v, list):
            for x in v:
                walk(x, prop)
        elif isinstance(v, dict):
            for k, x in v.items():
                if bad(k):
                    walk(k, prop)
                walk(x, k if ":" in k else prop)

    walk(payload, "")


def is_kind(ctdl_type: str, kind: str) -> bool:
    """Is a stored resource type (``ceterms:Certificate``) one the endpoint ``kind`` handles?"""
    from transformer import ctdl_context, endpoint_names, schema_index, wrappers

    ctx, schema = ctdl_context(), schema_index()
    full = ctx.expand_curie(ctdl_type) or ctdl_type
    if kind.lower() in DOCUMENT_KINDS:
        return full in {ctx.expand_curie(t) for t in DOCUMENT_KINDS[kind.lower()][1]}
    spec = wrappers()["wrappers"].get(endpoint_names().get(kind.lower(), ""))
    if spec is None:
        return False
    return any(schema.is_subclass(full, ctx.expand_curie(a)) for a in spec["accepts"])


def stored_types(value: str) -> list[str] | None:
    """The stored CTDL types (compact, as envelopes keep them) a ?type= filter means: a CTDL class,
    prefixed or not, in any case, with its subclasses (ceterms:Certificate; Credential: every kind of
    credential; course: ceterms:Course), else a request type name (learningopportunity: every class
    its endpoint accepts, with their subclasses). None: nothing known by that name (the
    filter then matches the text as given, so an unknown type finds nothing rather than failing)."""
    from transformer import ctdl_context, endpoint_names, schema_index, wrappers

    ctx, schema = ctdl_context(), schema_index()
    text = value.strip().replace(" ", "")
    roots: list[str] = []
    for candidate in ((text,) if ":" in text else (f"ceterms:{text}", f"ceasn:{text}", f"asn:{text}", f"skos:{text}")):
        full = ctx.expand_curie(candidate)
        found = full if full in schema.classes else schema.class_in_any_case(full) if full else None
        if found:
            roots = [found]
            break
    kind = text.lower()
    spec = wrappers()["wrappers"].get(endpoint_names().get(kind, ""))
    if kind in DOCUMENT_KINDS:
        roots = roots or [ctx.expand_curie(t) for t in DOCUMENT_KINDS[kind][1]]
    elif spec is not None:
        accepts = [ctx.expand_curie(a) for a in spec["accepts"]]
        if not roots or not any(roots[0] == a or schema.is_subclass(roots[0], a) for a in accepts):
            roots = accepts                          # learningopportunity: what its endpoint takes
    if not roots:
        return None
    matches = {c for c in schema.classes if any(c == r or schema.is_subclass(c, r) for r in roots)}
    return sorted({ctx.compact(c) for c in matches})


# Kinds published as whole CTDL documents built elsewhere (Registry.publish_document), not through
# a Registry Assistant request: kind -> (the name of the record, the classes of its main resource).
DOCUMENT_KINDS = {"competencyframework": ("CompetencyFramework", ("ceasn:CompetencyFramework",))}


class Registry:
    def __init__(self, store: Store, signing_key, public_key_pem: str, opts: Options,
                 strict_references: bool = False, engine: str | None = None, rules=None):
        self.store = store
        self.signing_key = signing_key
        self.public_key_pem = public_key_pem
        self.opts = opts
        self.strict_references = strict_references
        self.engine = engine
        self.rules = rules                  # a RuleSet (`ctdl serve --shapes DIR`); None: the project's
        self.tenancy = Tenancy(store)
        self.notices = None                 # service/registry/notices.py (the app sets it)

    # -- keys ----------------------------------------------------------------------------------
    def authenticate(self, key: str | None) -> KeyRecord:
        from .keys import hash_key

        if not key:
            raise Unauthenticated('an API key is required: send "Authorization: ApiToken <key>"')
        record = self.store.get_key(hash_key(key))
        if record is None or record.revoked_at:
            raise Unauthenticated("this API key is not valid (unknown or revoked)")
        stamp = now()
        if record.last_used_at is None or _seconds_between(record.last_used_at, stamp) >= KEY_USE_RESOLUTION_SECONDS:
            self.store.touch_key(record.key_hash, stamp)
            record.last_used_at = stamp
        return record

    def acting_for(self, key: KeyRecord, org: str | None) -> str:
        """The organization a request publishes for: its own, or one that authorized it."""
        if org is not None and not isinstance(org, str):
            raise WrongShape("PublishForOrganizationIdentifier must be an organization CTID (text), not "
                             f"{type(org).__name__}", pointer="/PublishForOrganizationIdentifier")
        org = (org or key.org).strip().lower()
        if not CTID_RE.match(org):
            raise Forbidden(f'PublishForOrganizationIdentifier "{org}" is not a CTID')
        if org != key.org and not key.admin and not self.store.is_authorized(org, key.org):
            raise Forbidden(f"the key of {key.org} may not publish for {org}: that organization "
                            f"has not authorized it (ctdl keys authorize --org {org} --publisher {key.org})",
                            pointer="/PublishForOrganizationIdentifier")
        return org

    # -- format / publish ------------------------------------------------------------------------
    def format(self, body: bytes, kind: str, provisional: bool = False) -> Outcome:
        return format_request(body, kind, self.opts, engine=self.engine, rules=self.rules, provisional=provisional)

    def publish(self, body: bytes, kind: str, key: KeyRecord, provisional: bool = False) -> PublishResult:
        """Create or update the resource of a request.  ``provisional``: a provisional record (checked
        against shapes/provisional/), which only ever creates: a resource already published keeps
        its full description."""
        outcome = self.format(body, kind, provisional)
        result = PublishResult(outcome, report=outcome.report)
        if not outcome.report.conforms:
            return result
        if not outcome.ctid:
            outcome.report.add(Result(VIOLATION, "required", "a CTID is required to publish", path="/CTID"))
            return result
        if provisional and self.store.get_by_ctid(outcome.ctid) is not None:
            raise AlreadyPublished(f"{outcome.ctid} is already published: a provisional record only creates a "
                                   f"resource; publish the full description with POST /{kind}/publish",
                                   pointer="/CTID")
        org = self.acting_for(key, outcome.request.get("PublishForOrganizationIdentifier"))
        return self._store(result, outcome.ctid, outcome.type or "", outcome.document, org, key)

    def publish_document(self, document: dict, key: KeyRecord, org: str | None = None,
                         kind: str | None = None) -> PublishResult:
        """Publish a CTDL document that is already built (a competency framework's ``@graph`` from a
        bulk upload, a GraphInput, a formatted job of a list): validated again here with the
        registry's shapes, then stored as ``publish`` stores a formatted request (ownership,
        references, history).  ``kind``: the request type its main resource must be."""
        from transformer import validate_document

        report = validate_document(document, self.engine, rules=self.rules)
        graph = document.get("@graph") if isinstance(document, dict) else None
        main = graph[0] if isinstance(graph, list) and graph and isinstance(graph[0], dict) else document
        ctid = main.get("ceterms:ctid") if isinstance(main, dict) else None
        ctid = ctid.strip().lower() if isinstance(ctid, str) and CTID_RE.match(ctid.strip()) else None
        ctdl_type = main.get("@type") if isinstance(main, dict) else None
        outcome = Outcome(document, report, ctid, ctdl_type if isinstance(ctdl_type, str) else None)
        result = PublishResult(outcome, report=report)
        if kind is not None and not (isinstance(ctdl_type, str) and is_kind(ctdl_type, kind)):
            where = "/@graph/0/@type" if isinstance(graph, list) else "/@type"
            report.add(Result(VIOLATION, "wrong-class", f"the document's resource is a {ctdl_type or 'resource of no type'}, "
                              f"not a {kind}", path=where, value=str(ctdl_type) if ctdl_type else None,
                              fix=f"Publish it through the endpoint of its own type, or give it the @type of a {kind}."))
        if not report.conforms:
            return result
        if not ctid:
            report.add(Result(VIOLATION, "required", "a CTID is required to publish", path="/@graph/0/ceterms:ctid"))
            return result
        return self._store(result, ctid, outcome.type or "", document, self.acting_for(key, org), key)

    def _store(self, result: PublishResult, ctid: str, ctdl_type: str, payload: dict, org: str,
               key: KeyRecord) -> PublishResult:
        """Create or update the envelope of ``ctid`` (no change when the payload is the same).
        Tenancy (service/registry/tenancy.py): the CTIDs of another organization with a key, claims for
        organizations that did not consent (403), CTIDs another organization owns (409)."""
        check_storable(payload, result.report)
        self.check_references(payload, ctid, result.report)
        if not result.report.conforms:
            return result
        from .signing import digest, sign_jws

        self.tenancy.check(payload, ctid, org, key)
        new_digest = digest(payload)

        def build(current: EnvelopeRecord | None) -> EnvelopeRecord | None:
            if current is not None and current.owned_by != org and not key.admin:
                raise OwnershipConflict(f"{ctid} belongs to {current.owned_by}; the key of "
                                        f"{key.org} publishing for {org} may not change it", pointer="/CTID")
            if current is not None and current.deleted_at is None and current.resource_digest == new_digest:
                return None
            stamp = now()
            return EnvelopeRecord(
                envelope_id=current.envelope_id if current else str(uuid.uuid4()),
                ctid=ctid, ctdl_type=ctdl_type, owned_by=current.owned_by if current else org,
                published_by=key.org, version=(current.version + 1) if current else 1,
                resource=sign_jws(payload, self.signing_key), resource_digest=new_digest,
                decoded_resource=payload, public_key=self.public_key_pem,
                created_at=current.created_at if current else stamp, updated_at=stamp, deleted_at=None,
                search_text=search_text(payload), node_ctids=node_ctids(payload))

        try:
            result.record, result.changed = self.store.publish(ctid, build)
        except CtidsTaken as e:
            raise ownership_conflict(e.owners, org) from None
        if result.changed and self.notices is not None:
            self.notices.published(result.record)
        return result

    def check_references(self, payload: dict, ctid: str | None, report: Report) -> None:
        """Warn (or, strict, refuse) when a referenced CTID is not in this registry: one query.
        References between the nodes of one ``@graph`` document (a competency's isChildOf) are
        resolved inside it."""
        refs = referenced_ctids(payload, self.opts.registry.rstrip("/") + "/")
        for own in [ctid or "", *node_ctids(payload)]:
            refs.pop(own, None)
        if not refs:
            return
        present = self.store.existing_ctids(list(refs))
        for ctid, key in sorted(refs.items()):
            if ctid in present:
                continue
            strict = self.strict_references and key in _AGENT_KEYS
            report.add(Result(VIOLATION if strict else WARNING, "reference-not-found",
                              f"{key} refers to {ctid}, which is not in this registry",
                              property=key, value=ctid,
                              fix="Publish that organization or resource first, or check the CTID."))

    # -- delete / purge / transfer -----------------------------------------------------------------
    def delete(self, ctid: str, key: KeyRecord, for_org: str | None = None, kind: str | None = None) -> EnvelopeRecord:
        """Delete (history kept).  ``kind`` (the endpoint's type, e.g. "credential") must match."""
        ctid = ctid.strip().lower()
        org = self.acting_for(key, for_org)
        if not CTID_RE.match(ctid):
            raise NotFound(f'"{ctid}" is not a CTID (ce- followed by a UUID), so it is not in this registry')

        def build(current: EnvelopeRecord | None) -> EnvelopeRecord | None:
            if current is None or current.deleted_at is not None:
                raise NotFound(f"{ctid} is not in this registry")
            if current.owned_by != org and not key.admin:
                raise OwnershipConflict(f"{ctid} belongs to {current.owned_by}; the key of {key.org} may not delete it")
            if kind is not None and not is_kind(current.ctdl_type, kind):
                raise NotFound(f"{ctid} is a {current.ctdl_type}, not a {kind}: delete it through its own "
                               f"endpoint or DELETE /resources/{ctid}")
            stamp = now()
            return replace(current, version=current.version + 1, published_by=key.org,
                           updated_at=stamp, deleted_at=stamp)

        record, _ = self.store.publish(ctid, build)
        return record

    def cease(self, ctid: str, key: KeyRecord, for_org: str | None = None, kind: str | None = None,
              new_status: str | None = None) -> PublishResult:
        """The published resource with its status set to ``new_status`` (blank: ceased; see
        transformer/status.py), validated and stored as its next version (history kept)."""
        from transformer import with_status

        ctid = ctid.strip().lower() if isinstance(ctid, str) else ""
        org = self.acting_for(key, for_org)
        current = self.store.get_by_ctid(ctid) if CTID_RE.match(ctid) else None
        if current is None:
            raise NotFound(f'"{ctid}" is not in this registry')
        if current.owned_by != org and not key.admin:
            raise OwnershipConflict(f"{ctid} belongs to {current.owned_by}; the key of {key.org} may not cease it")
        if kind is not None and not is_kind(current.ctdl_type, kind):
            raise NotFound(f"{ctid} is a {current.ctdl_type}, not a {kind}: cease it through its own endpoint")
        document, _ = with_status(current.decoded_resource, new_status)
        return self.publish_document(document, key, org, kind=kind)

    def purge(self, ctid: str, key: KeyRecord) -> None:
        if not key.admin:
            raise Forbidden("purging removes all history: it needs an admin key (ctdl keys create --admin)")
        if not CTID_RE.match(ctid.strip()) or not self.store.purge(ctid.strip().lower()):
            raise NotFound(f"{ctid} is not in this registry")

    def transfer(self, ctid: str, new_owner: str, key: KeyRecord) -> None:
        if not key.admin:
            raise Forbidden("transferring ownership needs an admin key (ctdl keys create --admin)")
        if not CTID_RE.match(new_owner or ""):
            raise CtdlError(f'"{new_owner}" is not a CTID', code="input.invalid-ctid")
        if not CTID_RE.match(ctid.strip()) or not self.store.transfer(ctid.strip().lower(), new_owner.strip().lower()):
            raise NotFound(f"{ctid} is not in this registry")
