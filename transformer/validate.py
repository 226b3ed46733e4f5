"""validate: run the SHACL shapes on a graph and say what is wrong in the user's own terms.

The engine (``compiled`` by default, ``pyshacl`` as the reference) is chosen by name and built once
per process; this module only turns its raw results into :class:`Result` objects: a JSON pointer
into the input, the input's name for the property, a stable code, a message and the fix.
Swapping the engine never touches lift or frame.
"""
from __future__ import annotations

from typing import Callable

from .context import ctdl_context
from .graph import Graph, IRI, Literal, Node
from .pointer import pointer_join
from .report import INFO, Result, VIOLATION, WARNING

SH = "http://www.w3.org/ns/shacl#"
CTDLSH = "urn:ctdl-assistant:ns:"
DEFAULT_ENGINE = "compiled"

CODES = {
    "MinCountConstraintComponent": "required",
    "MaxCountConstraintComponent": "too-many-values",
    "DatatypeConstraintComponent": "wrong-datatype",
    "NodeKindConstraintComponent": "not-a-url",
    "PatternConstraintComponent": "invalid-format",
    "InConstraintComponent": "unknown-term",
    "NodeConstraintComponent": "unknown-term",
    "ClassConstraintComponent": "wrong-class",
    "OrConstraintComponent": "required-one-of",
    "XoneConstraintComponent": "required-one-of",
    "MinInclusiveConstraintComponent": "out-of-range",
    "MinExclusiveConstraintComponent": "out-of-range",
    "MaxInclusiveConstraintComponent": "out-of-range",
    "MaxExclusiveConstraintComponent": "out-of-range",
    "MinLengthConstraintComponent": "too-short",
    "MaxLengthConstraintComponent": "too-long",
    "LanguageInConstraintComponent": "invalid-language",
    "DurationOrderConstraintComponent": "min-greater-than-max",
}
SEVERITIES = {SH + "Violation": VIOLATION, SH + "Warning": WARNING, SH + "Info": INFO}


SHAPE_NS = "urn:ctdl-assistant:shape:"


def compact_shape(iri: str) -> str:
    return "shape:" + iri[len(SHAPE_NS):] if iri.startswith(SHAPE_NS) else iri


def expand_shape(compact: str) -> str:
    """The inverse of compact_shape: "shape:X" -> the shape's IRI (other strings as they are)."""
    return SHAPE_NS + compact[len("shape:"):] if compact.startswith("shape:") else compact


def validate_graph(graph: Graph, namer: Callable[[str], str], engine: str | None = None,
                   layer: str = "policy", rules=None) -> list[Result]:
    """Run the policy shapes (shapes/*.ttl) or, ``layer="schema"``, the schema shapes generated from
    the CTDL encodings (shapes/schema/*.ttl, see transformer/schema_shapes.py), of ``rules`` (a
    ``RuleSet``; default: the project's)."""
    from .ruleset import RuleSet

    rules = rules or RuleSet.default()
    checker = rules.engine(engine or DEFAULT_ENGINE, layer)
    if checker is None:
        return []
    info = rules.info(layer)
    return one_per_defect([_result(graph, r, namer, info) for r in checker.validate(graph)])


_SAID: dict = {}


def _result(graph: Graph, raw, namer: Callable[[str], str], info: dict) -> Result:
    """to_result, remembered for results without a value (a missing property, a node's "one of"):
    what such a result says depends only on its shape and where its node and key are in the input,
    and documents of one kind (a spreadsheet's rows) miss the same benchmark properties again and
    again. Each caller gets its own copy, with its own focus node."""
    node = graph.nodes.get(raw.focus) if raw.value is None else None
    if node is None:
        return to_result(graph, raw, namer, info)
    pred = _first_pred(raw.path)
    key = (raw.shape, getattr(raw, "root_shape", None), raw.component, raw.severity, raw.message, raw.path,
           node.pointer, node.key_name.get(pred) if pred else None, node.key_pointer.get(pred) if pred else None,
           namer, id(info))
    hit = _SAID.get(key)
    if hit is None or hit[0] is not info:
        if len(_SAID) > 20000:
            _SAID.clear()
        hit = _SAID[key] = (info, to_result(graph, raw, namer, info))
    out = Result.__new__(Result)
    out.__dict__ = fields = hit[1].__dict__.copy()     # (a copy of the fields at once: twice as fast as update)
    fields["focus"] = str(raw.focus)
    return out


# which word is kept when constraints of one shape say the same value is wrong: the most precise
_CODE_RANK = {"unknown-term": 0, "not-a-url": 1, "wrong-datatype": 2, "too-long": 3, "invalid-format": 4}


def one_per_defect(results: list[Result]) -> list[Result]:
    """One result per defect: constraints of one shape that reject the value at one place (a
    pattern and a vocabulary, a node kind and a pattern; a node's two types outside a property's
    domain) give one result, the most precise one; results with the same place and the same
    message are one. Order is kept."""
    best: dict = {}
    for i, r in enumerate(results):
        key = (r.focus, r.path, r.shape) if r.shape and r.path else ("#", i)
        kept = best.get(key)
        if kept is None or _CODE_RANK.get(r.code, 9) < _CODE_RANK.get(results[kept].code, 9):
            best[key] = i
    out, said = [], set()
    for i in sorted(best.values()):
        r = results[i]
        if (r.path, r.message) in said and r.path:
            continue
        said.add((r.path, r.message))
        out.append(r)
    return out


def schema_shapes():
    """The project's schema layer as an rdflib graph (with the vocabulary shapes it points at);
    None if absent."""
    from .ruleset import RuleSet
    return RuleSet.default().graph("schema")


def _first_pred(path) -> str | None:
    if isinstance(path, str):
        return path
    if isinstance(path, tuple) and path and isinstance(path[0], str):
        return path[0]
    return None


def locate(graph: Graph, node: Node, path, value) -> tuple[str, str | None, Node]:
    """(pointer, predicate at the top, node holding it) for a result on ``node`` along ``path``."""
    pred = _first_pred(path)
    if pred is None:
        return node.pointer, None, node
    if value is not None and isinstance(path, tuple) and len(path) > 1 and all(isinstance(p, str) for p in path):
        frontier = [node]
        for step in path[:-1]:
            frontier = [graph.nodes[v] for n in frontier for v in n.get(step) if v in graph.nodes]
        for n in frontier:
            if value in n.get(path[-1]):
                return n.pointer_of(path[-1], value), pred, node
    if value is not None and value in node.get(pred):
        return node.pointer_of(pred, value), pred, node
    return "", pred, node


_STATIC: dict = {}


def _static(raw, info: dict) -> tuple:
    """What a result takes from its shape alone (component, severity, code, shape name, compact
    shape IRI): the same for every result of that shape, so worked out once per shape."""
    root = getattr(raw, "root_shape", None)
    key = (raw.shape, root, raw.component, raw.severity, id(info))
    hit = _STATIC.get(key)
    if hit is None:
        component = str(raw.component).rsplit("#", 1)[-1].rsplit(":", 1)[-1]
        shape_iri = str(root or raw.shape or "")
        sinfo = info.get(str(raw.shape), {}) or {}
        rinfo = info.get(shape_iri, {}) or {}
        severity = SEVERITIES.get(str(raw.severity), VIOLATION)
        code = sinfo.get("code") or rinfo.get("code") or CODES.get(component, "invalid")
        if code == "required" and severity == WARNING:
            code = "recommended"
        if len(_STATIC) > 50000:
            _STATIC.clear()
        hit = _STATIC[key] = (component, severity, code, sinfo.get("name") or rinfo.get("name") or "",
                              compact_shape(shape_iri))
    return hit


def to_result(graph: Graph, raw, namer: Callable[[str], str], info: dict) -> Result:
    node = graph.nodes.get(raw.focus)
    component, severity, code, shape_name, shape = _static(raw, info)
    field_name = ""
    pointer = ""
    # an sh:or / sh:xone of a node shape ("give one of ..."): about the node, not a value; of a
    # property shape (the value must be one of several forms): about the value
    group = component in ("OrConstraintComponent", "XoneConstraintComponent") and raw.path is None
    if node is not None:
        pointer, pred, holder = locate(graph, node, raw.path, None if group else raw.value)
        if pred is not None:
            field_name = holder.key_name.get(pred) or namer(pred)
            if not pointer:
                pointer = holder.key_pointer.get(pred) or pointer_join(holder.pointer, field_name)
        if group:
            pointer = node.pointer
    value = raw.value
    vtext = value.value if isinstance(value, Literal) else (str(value) if isinstance(value, IRI) else None)
    if group or component == "MinCountConstraintComponent":
        vtext = None
    label = shape_name or field_name
    # a class or term in the message as the user writes it (ceterms:Pathway), not as a full IRI
    shown = ctdl_context().compact(vtext) if isinstance(value, IRI) and vtext else vtext
    message = (raw.message or _default_message(code, label)).replace("{value}", shown or "").replace(
        "{field}", field_name or label)
    fix = ""
    if code == "unknown-term" and vtext:
        fix = _vocabulary_fix(raw.path, vtext)
        if fix and "did you mean" not in message:
            message = f"{message} {fix}"
    return Result(severity, code, message, path=pointer, property=field_name, value=vtext,
                  focus=str(raw.focus), shape=shape, component=component, fix=fix)


def _default_message(code: str, label: str) -> str:
    return {
        "required": f"{label} is required.",
        "recommended": f"{label} is recommended.",
        "unknown-term": f"{{value}} is not an allowed value of {label}.",
        "not-a-url": f"{label} must be an absolute http(s) URL.",
        "invalid-format": f"{label} has an invalid format.",
    }.get(code, f"{label} is not valid.")


def _vocabulary_fix(path, value: str) -> str:
    from .vocab import vocabularies

    pred = _first_pred(path)
    scheme = vocabularies().scheme_for(pred) if pred else None
    if scheme is None:
        return ""
    hint = scheme.suggest(value)
    return f'Did you mean "{hint}"?' if hint else f"Use a term of {scheme.label}."
