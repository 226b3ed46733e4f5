"""Publishing a request that holds several resources (transformer.plan_request: lists such as
``supportservice/bulkpublish``, composites such as ``pathwayset/publish``): one outcome per
resource, in the request's order; an item that fails never stops the others.  A composite's own
resource comes last, with the CTIDs of the items that were published (a transfer intermediary's
IntermediaryFor), or is skipped when the request says so and an item failed."""
from __future__ import annotations

import json
from dataclasses import dataclass

from transformer import CtdlError, RequestItem, with_collected

from ..store.base import KeyRecord
from .core import PublishResult, Registry


@dataclass
class ItemOutcome:
    pointer: str
    kind: str
    result: PublishResult | None = None
    error: CtdlError | None = None
    skipped: str = ""          # why it was not published (a problem of the item, or an item before it failed)

    @property
    def published(self) -> bool:
        return self.result is not None and self.result.record is not None


def publish_plan(registry: Registry, plan, key: KeyRecord) -> list[ItemOutcome]:
    out = [_publish_item(registry, item, key) for item in plan.items]
    if plan.main is None:
        return out
    main = plan.main
    if plan.skip_if_any_failed and not all(o.published for o in out):
        failed = ", ".join(o.pointer for o in out if not o.published)
        out.append(ItemOutcome(main.pointer, main.kind, skipped=f"not published: {failed} failed, and the request "
                                                                  "says to skip it then (SkipPublishIfAnyTransferProfilesFail)"))
        return out
    if plan.collect:
        wrapper = main.pointer.lstrip("/")
        ctids = [o.result.record.ctid for o in out if o.published]
        main = RequestItem(main.pointer, main.kind, request=with_collected(main, wrapper, plan.collect, ctids))
    out.append(_publish_item(registry, main, key))
    return out


def _publish_item(registry: Registry, item, key: KeyRecord) -> ItemOutcome:
    if item.problem:
        return ItemOutcome(item.pointer, item.kind, skipped=item.problem)
    try:
        if item.document is not None:
            org = (item.request or {}).get("PublishForOrganizationIdentifier")
            result = registry.publish_document(item.document, key, org, kind=item.kind)
        else:
            body = json.dumps(item.request, ensure_ascii=False).encode("utf-8")
            result = registry.publish(body, item.kind, key)
    except CtdlError as e:
        if e.http_status >= 500:
            raise
        return ItemOutcome(item.pointer, item.kind, error=e)
    return ItemOutcome(item.pointer, item.kind, result=result)
