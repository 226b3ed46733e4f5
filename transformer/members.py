"""A request's other resources, and the links between them.

Some Registry Assistant requests carry more than one resource: a ``CompetencyFrameworkRequest``
has its ``Competencies``, a ``ConceptSchemeRequest`` its ``Concepts``, a ``PathwayRequest`` its
``PathwayComponents``.  Each of those keys is a *member* list: every item becomes a resource of the
same ``@graph`` (with its registry URI when it has a CTID), lifted through its own class's context.

The request's ``Generate*`` options, and the links the Registry Assistant always adds (a
competency ``isPartOf`` its framework), are *links*: rules that add a property between the main
resource and its members.  Both are data, in ``contexts/assistant-wrappers.json``:

``"members": {"Competencies": {"class": "Competency", "default_type": "ceasn:Competency",
"accepts": ["ceasn:Competency"]}}``

``"links": [{"option": "GenerateInScheme", "on": "member", "add": "skos:inScheme",
"where": {"lacks": "skos:inScheme"}}]``

A link adds, on the main resource (``"on": "main"``), one value per member that passes
``where``; on each member that passes (``"on": "member"``), the main resource.  ``option`` names
the request flag that turns it on (none: always).  ``members`` limits it to some member keys.
``where`` is ``{"lacks": P}``, ``{"has": P}`` or ``{"listed_by_main": P}`` (the main resource's
P holds the member).  Values are only added, never removed: what the request gives is kept.
"""
from __future__ import annotations

from .context import class_context, ctdl_context
from .enrich import fix_type_case
from .graph import Graph, IRI, Node
from .lift import Lifter
from .report import Result, VIOLATION
from .vocab import schema_index


def member_keys(spec: dict) -> list[str]:
    return list(spec.get("members", {}))


def lift_members(lifter: Lifter, body: dict, spec: dict, problems: list[Result]) -> None:
    """Each member list of ``body`` the request type has: its items as resources of the graph."""
    for key, member in spec.get("members", {}).items():
        items = body.get(key)
        if items is None or items == []:
            continue
        if not isinstance(items, list):
            problems.append(Result(VIOLATION, "wrong-type", f"{key} must be a list of objects [{{...}}, ...]",
                                   path=f"/{key}", property=key,
                                   fix="Put each one in the list, even when there is one."))
            continue
        ctx = class_context(member.get("class"))
        for i, item in enumerate(items):
            pointer = f"/{key}/{i}"
            if not isinstance(item, dict):
                problems.append(Result(VIOLATION, "wrong-type", f"each item of {key} must be an object {{...}} "
                                       f"describing a {member.get('class') or 'resource'}", path=pointer, property=key))
                continue
            sid = lifter.lift_node(item, ctx, pointer)
            lifter.graph.members.append(sid)
            check_type(lifter.graph.nodes[sid], member, member.get("class") or key, pointer, problems)


def check_type(node: Node, spec: dict, what: str, pointer: str, problems: list[Result]) -> None:
    """The resource's type: the default one when none is given; one the request type accepts."""
    ctx, schema = ctdl_context(), schema_index()
    fix_type_case(node, problems)
    if not node.types and spec.get("default_type"):
        node.types.append(IRI(ctx.expand_curie(spec["default_type"])))
    accepts = [ctx.expand_curie(a) for a in spec["accepts"]]
    if spec.get("abstract"):    # a kind of it, not the class itself (ceterms:CredentialingAction)
        node.types[:] = [t for t in node.types if t not in accepts]
    if not node.types:
        kinds = ", ".join(ctx.compact(a) for a in accepts)
        problems.append(Result(VIOLATION, "required", f"a {what} needs its type (a kind of {kinds})",
                               path=pointer + "/Type", property="Type",
                               fix=f"Set Type to one of the CTDL classes under {kinds}."))
        return
    for t in node.types:
        if not any(t == a or schema.is_subclass(t, a) for a in accepts):
            problems.append(Result(VIOLATION, "wrong-class", f"{ctx.compact(t)} is not a kind of {what}",
                                   path=pointer + "/Type", property="Type", value=ctx.compact(t),
                                   fix=f"Send it to the {ctx.compact(t)} endpoint, or fix Type."))


def apply_links(graph: Graph, spec: dict, body: dict) -> None:
    """The links of the request type whose option is on (or that have none)."""
    main = graph.nodes.get(graph.main) if graph.main is not None else None
    if main is None:
        return
    ctx = ctdl_context()
    members = _members_by_key(graph, spec, body)
    for rule in spec.get("links", []):
        option = rule.get("option")
        if option and body.get(option, rule.get("default", False)) is not True:
            continue
        prop = ctx.expand_curie(rule["add"])
        keys = rule.get("members") or list(members)
        chosen = [m for k in keys for m in members.get(k, []) if _passes(m, main, rule.get("where"), ctx)]
        for m in chosen:
            if rule["on"] == "main":
                main.add(prop, m.id, main.pointer, _name(rule), f"{main.pointer}/{option or ''}".rstrip("/"))
            elif "from" in rule:     # values reached from the member itself (its conditions' targets)
                for v in _follow(graph, m, [ctx.expand_curie(p) for p in rule["from"]]):
                    m.add(prop, v, m.pointer, _name(rule))
            else:
                m.add(prop, main.id, m.pointer, _name(rule))


def _follow(graph: Graph, node: Node, path: list[str]) -> list:
    values = [node.id]
    for pred in path:
        values = [v for x in values if (n := graph.nodes.get(x)) is not None for v in n.get(pred)]
    return values


def _members_by_key(graph: Graph, spec: dict, body: dict) -> dict[str, list[Node]]:
    """Member key -> its resources, in the request's order (by where each was lifted from)."""
    out: dict[str, list[Node]] = {k: [] for k in spec.get("members", {})}
    for id in graph.members:
        node = graph.nodes.get(id)
        if node is None:
            continue
        key = node.pointer.split("/")[1] if node.pointer.count("/") >= 2 else ""
        if key in out:
            out[key].append(node)
    return out


def _passes(member: Node, main: Node, where: dict | None, ctx) -> bool:
    if not where:
        return True
    (test, curie), = where.items()
    prop = ctx.expand_curie(curie)
    if test == "lacks":
        return not member.get(prop)
    if test == "has":
        return bool(member.get(prop))
    if test == "listed_by_main":
        return member.id in main.get(prop)
    raise ValueError(f"contexts/assistant-wrappers.json: unknown link condition {test!r}")


def _name(rule: dict) -> str:
    return rule["add"].split(":", 1)[-1][:1].upper() + rule["add"].split(":", 1)[-1][1:]


def unknown_request_keys(body: dict, wrapper: str | None, spec: dict | None, request_keys: set[str]) -> list[str]:
    """Top-level keys that are neither the resource, its members, the request type's options nor
    request keys: said, never silently dropped."""
    known = set(request_keys) | {wrapper or ""}
    if spec:
        known |= set(spec.get("members", {})) | {r["option"] for r in spec.get("links", []) if r.get("option")}
        known |= set(spec.get("options", []))
    return [k for k in body if k not in known]
