"""Requests that publish several resources, split into one request per resource.

The Registry Assistant has two such forms (``contexts/assistant-wrappers.json``):

* **lists** (``supportservice/bulkpublish`` with ``SupportServices``, ``job/publishlist`` with
  ``JobList``, ``competency/publish`` with ``Competencies``...): every item is a request of its own
  type; ``HasLanguageMaps: true`` on the job, occupation, task and work-role lists says the items
  are CTDL JSON-LD already, published as they are;
* **composites** (``pathwayset/publish`` with its ``Pathways``, ``transferintermediary/bulkpublish``
  with its ``TransferValueProfiles``): the items first, each its own document, then the resource
  itself, which may collect the CTIDs of the items that were published (a transfer
  intermediary's ``IntermediaryFor``).

Every item carries the pointer of where it was in the request, so that one answer per item can
say which one it is; an item that cannot be read is an item with a problem, never the end of the
others.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import WrongShape
from .pipeline import endpoint_names, wrappers


@dataclass
class Item:
    pointer: str                    # where in the request ("/SupportServices/2")
    kind: str                       # the request type it is published as (an endpoint name)
    request: dict | None = None     # a Registry Assistant request for it (with a document: its request keys)
    document: dict | None = None    # or a CTDL document, published as it is
    problem: str = ""               # why it cannot be published (not an object...)


@dataclass
class Plan:
    items: list[Item] = field(default_factory=list)
    main: Item | None = None        # a composite's own resource, published after its items
    collect: str = ""               # the main resource's key that gets the published items' CTIDs
    skip_if_any_failed: bool = False


def request_keys(body: dict) -> dict:
    """The request-level keys an item inherits (PublishForOrganizationIdentifier, DefaultLanguage...)."""
    keys = set(wrappers()["request_keys"])
    return {k: v for k, v in body.items() if k in keys}


def plan_request(body: dict, kind: str) -> Plan | None:
    """The resources ``body`` (a request sent to ``kind``) publishes, or None for a plain request."""
    table = wrappers()
    for key, spec in table.get("lists", {}).items():
        if spec["endpoint"] == kind and key in body and spec["item"] not in body:
            return _list(body, key, spec)
    for wrapper, spec in table.get("composites", {}).items():
        if table["wrappers"][wrapper]["endpoint"] == kind and isinstance(body.get(spec["items"]), list):
            return _composite(body, wrapper, spec)
    return None


def _list(body: dict, key: str, spec: dict) -> Plan:
    items = body[key]
    if not isinstance(items, list):
        raise WrongShape(f"{key} must be a list of {spec['item']} objects [{{...}}, ...]", pointer=f"/{key}")
    limit = spec.get("max")
    if limit and len(items) > limit:
        raise WrongShape(f"{key} holds {len(items)} items; the limit is {limit} per request: send several requests",
                         pointer=f"/{key}")
    formatted = spec.get("formatted_when") and body.get(spec["formatted_when"]) is True
    inherited = request_keys(body)
    plan = Plan()
    for i, item in enumerate(items):
        pointer = f"/{key}/{i}"
        if not isinstance(item, dict):
            plan.items.append(Item(pointer, spec["endpoint"], problem=f"each item of {key} must be an object {{...}}"))
        elif formatted:
            plan.items.append(Item(pointer, spec["endpoint"], document=item, request=inherited))
        else:
            plan.items.append(Item(pointer, spec["endpoint"], request={spec["item"]: item, **inherited}))
    return plan


def _composite(body: dict, wrapper: str, spec: dict) -> Plan:
    inherited = request_keys(body)
    item_wrapper = endpoint_names()[spec["item_endpoint"]]
    plan = Plan(collect=spec.get("collect", ""),
                skip_if_any_failed=bool(spec.get("skip_option") and body.get(spec["skip_option"]) is True))
    for i, item in enumerate(body[spec["items"]]):
        pointer = f"/{spec['items']}/{i}"
        if not isinstance(item, dict):
            plan.items.append(Item(pointer, spec["item_endpoint"], problem="each item must be an object {...}"))
        elif spec.get("item_is_request"):     # a whole request of its own (a PathwayRequest)
            plan.items.append(Item(pointer, spec["item_endpoint"], request={**inherited, **item}))
        else:
            plan.items.append(Item(pointer, spec["item_endpoint"], request={item_wrapper: item, **inherited}))
    main = {k: v for k, v in body.items() if k not in (spec["items"], spec.get("skip_option"))}
    plan.main = Item(f"/{wrapper}", wrappers()["wrappers"][wrapper]["endpoint"], request=main)
    return plan


def with_collected(main: Item, wrapper: str, key: str, ctids: list[str]) -> dict:
    """The main resource's request with the published items' CTIDs added under ``key``."""
    request = dict(main.request or {})
    resource = dict(request.get(wrapper) or {})
    given = resource.get(key)
    given = given if isinstance(given, list) else ([given] if given else [])
    resource[key] = given + [c for c in ctids if c not in given]
    request[wrapper] = resource
    return request


def graph_input(body: dict) -> tuple[dict, dict]:
    """(the CTDL document, the request keys) of a ``publishGraph`` request: ``{"GraphInput":
    {"@context", "@id", "@graph"}, "PublishForOrganizationIdentifier": ...}``, or the document
    itself.  ``HasLanguageMaps: false`` says text is plain strings: each becomes a language map in
    the request's DefaultLanguage, as the Registry Assistant does."""
    doc = body.get("GraphInput", body)
    if not isinstance(doc, dict) or not isinstance(doc.get("@graph"), list):
        raise WrongShape('send the CTDL document as GraphInput: {"GraphInput": {"@context": ..., "@graph": [...]}}',
                         pointer="/GraphInput" if "GraphInput" in body else "/@graph")
    keys = request_keys(body)
    if body.get("HasLanguageMaps") is False:
        language = body.get("DefaultLanguage") if isinstance(body.get("DefaultLanguage"), str) else "en-US"
        doc = {**doc, "@graph": [_language_maps(n, language) for n in doc["@graph"]]}
    return doc, keys


def _language_maps(node, language: str):
    from .context import ctdl_context

    if isinstance(node, list):
        return [_language_maps(v, language) for v in node]
    if not isinstance(node, dict):
        return node
    terms = ctdl_context().terms
    out = {}
    for k, v in node.items():
        td = terms.get(k)
        if td is not None and td.container == "@language" and (isinstance(v, str) or (
                isinstance(v, list) and v and all(isinstance(x, str) for x in v))):
            out[k] = {language: v}
        else:
            out[k] = _language_maps(v, language)
    return out


def markdown() -> str:
    """docs/REQUEST-TYPES.md: every request type, from contexts/assistant-wrappers.json."""
    table = wrappers()
    lists = {spec["endpoint"]: [] for spec in table.get("lists", {}).values()}
    for key, spec in table.get("lists", {}).items():
        lists[spec["endpoint"]].append(f"`{key}`" + (f" (at most {spec['max']})" if spec.get("max") else "")
                                       + (f" (`{spec['formatted_when']}: true`: CTDL JSON-LD items)"
                                          if spec.get("formatted_when") else ""))
    composites = {table["wrappers"][w]["endpoint"]: spec for w, spec in table.get("composites", {}).items()}
    out = ["# Request types", "",
           "Generated from `contexts/assistant-wrappers.json` (`python -m transformer.requests > docs/REQUEST-TYPES.md`;",
           "a test keeps it up to date).  Every type has `POST /{type}/format`, `POST /{type}/publish`,",
           "`POST /{type}/publishGraph`, `DELETE /{type}/delete` (`CTID`, or up to 50 in `CTIDList`), and",
           "`ctdl format TYPE FILE` / `ctdl publish TYPE FILE` / `ctdl delete TYPE CTID`.  Transfer of ownership is",
           "`POST /admin/transfer` (admin key).  `POST /{type}/cease` sets a resource's status (`NewStatus`).",
           "Types marked *provisional* also have `POST /{type}/provisional` (`ctdl publish TYPE FILE --provisional`):",
           "a minimal record checked against `shapes/provisional/`, created once.", "",
           "Members are the request's other resources, published in the same `@graph` (each with its registry",
           "URI when it has a CTID); links are what the request adds between them (an option in *italics* is",
           "off unless the request sets it to `true`; GenerateIsHasParts is on unless `false`).", "",
           "| type | wrapper key | CTDL class | members | links | other forms |", "|---|---|---|---|---|---|"]
    for wrapper, spec in sorted(table["wrappers"].items(), key=lambda kv: kv[1]["endpoint"]):
        cls = spec["default_type"] or ("a kind of " + ", ".join(spec["accepts"]))
        members = ", ".join(f"`{k}` ({m.get('default_type') or ', '.join(m['accepts'])})"
                            for k, m in spec.get("members", {}).items())
        links = []
        for r in spec.get("links", []):
            what = f"{r['on']} {r['add']}" + (f" (from {' / '.join(r['from'])})" if "from" in r else "")
            if r.get("where"):
                (test, prop), = r["where"].items()
                what += f" where {test.replace('_', ' ')} {prop}"
            links.append((f"*{r['option']}*: " if r.get("option") else "") + what)
        form = lists.get(spec["endpoint"], [])
        comp = composites.get(spec["endpoint"])
        if comp:
            form.append(f"`{comp['items']}` published first" + (f", collected into `{comp['collect']}`"
                                                                 if comp.get("collect") else ""))
        if spec.get("provisional"):
            form.append("*provisional*")
        out.append(f"| `{spec['endpoint']}` | `{wrapper}` | {cls} | {members} | {'; '.join(links)} | "
                   f"{'; '.join(form)} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":      # python -m transformer.requests > docs/REQUEST-TYPES.md
    print(markdown(), end="")
