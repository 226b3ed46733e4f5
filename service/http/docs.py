"""The API description: GET /openapi.json (OpenAPI 3.1) and GET /api (the same, as a page for people).

service/http/openapi.json is the source. A few of its paths are templates over a table of the project,
expanded here when the description is served, so that a new request type or upload type appears
without editing the description by hand:

  "x-expand": {"parameter": "type", "over": "request-types"} on a path item (/{type}/format):
      one concrete path per request type (/organization/format, /course/format, ...), from
      contexts/assistant-wrappers.json (transformer.pipeline.endpoint_names); its JSON body must
      hold that type's wrapper key (Organization, Course, ...) and no other wrapper key, which is
      what the server refuses otherwise (400 input.unknown-type). "x-examples-by-wrapper" in the
      media type gives the example of the types that have one.
  "x-expand": {"parameter": "kind", "over": "bulk-kinds"} (/bulk/{kind}/template): one path per
      upload type (transformer.bulk.records.columns.TYPES and competencyframework).
  "x-kinds" on a parameter: it exists only for some upload types: "records" (not competency
      frameworks), "framework" (competency frameworks), "target-credentials" (the types whose
      template has a Target Credentials column).
  "x-enum" in a schema: the enum comes from a table: "record-kinds" (every type a bulk record can
      have, service.bulk.record_names) or "columns" (the headers of the upload type's template).

GET /api shows the template form, each with the list of its concrete paths.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from flask import Blueprint, render_template

from .web import base_url, registry
from .responses import json_response

bp = Blueprint("docs", __name__)

EXTENSIONS = ("x-expand", "x-kinds", "x-enum", "x-examples-by-wrapper")   # the template's own: never served


@lru_cache(maxsize=1)
def openapi() -> dict:
    """service/http/openapi.json as written: the template form."""
    return json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))


# -- the tables the templates are expanded over --------------------------------------------------------
def request_types() -> dict[str, str]:
    """endpoint name (course) -> wrapper key (Course)."""
    from transformer import endpoint_names

    return endpoint_names()


def list_types() -> list[str]:
    """The request types that have a list or composite form (contexts/assistant-wrappers.json)."""
    from transformer import wrappers

    table = wrappers()
    kinds = {spec["endpoint"] for spec in table.get("lists", {}).values()}
    kinds |= {table["wrappers"][w]["endpoint"] for w in table.get("composites", {})}
    return sorted(kinds)


def bulk_kinds() -> list[str]:
    from transformer import TEMPLATE_TYPES as TYPES

    from ..bulk.frameworks import FRAMEWORK

    return [*TYPES, FRAMEWORK]


def record_kinds() -> list[str]:
    from ..bulk.common import record_names

    return list(record_names())


def template_columns(kind: str, rules=None) -> list[str]:
    """The headers of the upload type's template under the server's rules (``--shapes``)."""
    from transformer import column_model

    return [c.header for c in column_model(kind, rules).columns]


def _has_target_credentials(kind: str, rules=None) -> bool:
    from transformer import column_model

    return any(c.kind == "credentials" for c in column_model(kind, rules).columns)


KIND_GROUPS: dict[str, Callable[[str, Any], bool]] = {
    "records": lambda kind, rules: kind in bulk_kinds() and not _is_framework(kind),
    "framework": lambda kind, rules: _is_framework(kind),
    "target-credentials": lambda kind, rules: not _is_framework(kind) and _has_target_credentials(kind, rules),
}


def _is_framework(kind: str) -> bool:
    from ..bulk.frameworks import is_framework

    return is_framework(kind)


def _variants(over: str) -> Iterator[tuple[str, dict]]:
    """(path value, context) of each concrete operation of a template."""
    if over == "request-types":
        for endpoint, wrapper in request_types().items():
            yield endpoint, {"wrapper": wrapper}
    elif over == "provisional-types":
        from transformer import wrappers

        for spec in wrappers()["wrappers"].values():
            if spec.get("provisional"):
                yield spec["endpoint"], {}
    elif over == "list-types":
        for endpoint in list_types():
            yield endpoint, {}
    elif over == "bulk-kinds":
        for kind in bulk_kinds():
            yield kind, {"kind": kind}
    else:
        raise ValueError(f"openapi.json: unknown x-expand table {over!r}")


# -- expansion -------------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def served(rules=None) -> dict:
    """The description as served under ``rules`` (the server's RuleSet: ``--shapes`` changes the
    columns): templates expanded, table-driven enums filled in."""
    doc = copy.deepcopy(openapi())
    paths: dict[str, Any] = {}
    for path, item in doc["paths"].items():
        expand = item.get("x-expand")
        if not expand:
            paths[path] = item
            continue
        name = expand["parameter"]
        for value, ctx in _variants(expand["over"]):
            ctx["rules"] = rules
            concrete = {"x-template": path}
            for method, op in item.items():
                if method in EXTENSIONS:
                    continue
                concrete[method] = _operation(op, name, value, ctx)
            paths[path.replace("{" + name + "}", value)] = concrete
    doc["paths"] = paths
    _fill(doc, {"rules": rules})
    return doc


def _operation(template: dict, name: str, value: str, ctx: dict) -> dict:
    op = copy.deepcopy(template)
    kind = ctx.get("kind")
    params = []
    for p in op.get("parameters", []):
        if p.get("in") == "path" and p["name"] == name:
            continue
        group = p.pop("x-kinds", None)
        if group is not None and not (kind is not None and KIND_GROUPS[group](kind, ctx.get("rules"))):
            continue
        params.append(p)
    if "parameters" in op:
        op["parameters"] = params
    wrapper = ctx.get("wrapper")
    if wrapper:
        op["summary"] = f"{wrapper}: {op['summary']}"
        _wrapper_body(op, wrapper)
    elif kind:
        op["summary"] = f"{kind}: {op['summary']}"
    _fill(op, ctx)
    return op


def _wrapper_body(op: dict, wrapper: str) -> None:
    """The JSON body of a /{type}/ operation names its wrapper key, and no other one."""
    media = op.get("requestBody", {}).get("content", {}).get("application/json")
    if media is None:
        return
    examples = media.pop("x-examples-by-wrapper", None)
    if examples is None:      # DELETE /{type}/delete: {"CTID", ...}, no wrapper
        return
    others = [w for w in request_types().values() if w != wrapper]
    media["schema"] = {
        "allOf": [media["schema"]],
        "type": "object",
        "required": [wrapper],
        "properties": {wrapper: {"$ref": "#/components/schemas/Resource"}, **{w: False for w in others}},
        "description": f"a {wrapper} request: the resource under \"{wrapper}\"; another wrapper key "
                       f"({', '.join(others)}) is refused (400)",
    }
    if wrapper in examples:
        media["example"] = examples[wrapper]


def _fill(node: Any, ctx: dict) -> None:
    """x-enum -> enum (from its table); the template's own extensions are dropped."""
    if isinstance(node, dict):
        source = node.pop("x-enum", None)
        if source == "record-kinds":
            node["enum"] = record_kinds()
        elif source == "columns":
            node["enum"] = template_columns(ctx["kind"], ctx.get("rules"))
        elif source is not None:
            raise ValueError(f"openapi.json: unknown x-enum table {source!r}")
        if source is not None and "null" in (node.get("type") or []):
            node["enum"].append(None)
        for key in [k for k in node if k in EXTENSIONS]:
            if key != "x-enum":
                node.pop(key)
        for v in node.values():
            _fill(v, ctx)
    elif isinstance(node, list):
        for v in node:
            _fill(v, ctx)


# -- routes ---------------------------------------------------------------------------------------------
@bp.get("/openapi.json")
def openapi_json():
    return json_response({**served(registry().rules), "servers": [{"url": base_url()}]})


@bp.get("/api")
def api_page():
    """The routes in template form (/{type}/format), each followed by its concrete paths."""
    doc = openapi()
    concrete: dict[str, list[str]] = {}
    for path, item in served(registry().rules)["paths"].items():
        if "x-template" in item:
            concrete.setdefault(item["x-template"], []).append(path)
    routes = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in EXTENSIONS:
                continue
            if path in concrete:
                op = {**op, "summary": f"{op['summary']}. One operation per type: {', '.join(concrete[path])}"}
            routes.append((path, method.upper(), op))
    return render_template("api.html", info=doc["info"], routes=routes, base=base_url())
