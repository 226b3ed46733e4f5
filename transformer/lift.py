"""lift: JSON -> Graph through a JSON-LD context, remembering where every value came from.

This is the part of JSON-LD 1.1 expansion + toRDF that our contexts use: terms and keyword
aliases, compact and absolute IRIs, ``@vocab``, ``@type`` coercion (``@id``, ``@vocab``, datatypes),
``@container: @language`` (language maps, or plain strings tagged with the default language),
property-scoped contexts, embedded ``@context``, ``@graph``, ``@value`` objects.  It is checked
against pyld on the same inputs (tests/test_lift.py).

Two things are deliberately *not* resolved here, because they need domain knowledge; lift marks
them and enrich resolves them:

* a reference that is not an absolute IRI (``"ce-…"``, ``{"CTID": "ce-…"}``):
  ``Literal(text, REF)``;
* a vocabulary value that is not a compact or absolute IRI (``"Vendor"``, ``"Primarily Online"``):
  ``Literal(text, TERM)``.
"""
from __future__ import annotations

import re

from typing import Any

from .context import ActiveContext, TermDef
from .graph import BNode, Graph, IRI, Literal, Node, XSD, XSD_STRING, new_bnode
from .pointer import pointer_join
from .report import Result, VIOLATION, WARNING

REF = "urn:ctdl-assistant:input:unresolvedReference"
TERM = "urn:ctdl-assistant:input:unresolvedTerm"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"
NUMERIC = {XSD + "decimal", XSD_INTEGER, XSD_DOUBLE, XSD + "float", XSD + "nonNegativeInteger",
           XSD + "positiveInteger"}


SCHEMA_DURATION = "https://schema.org/Duration"
DURATION_TYPES = {SCHEMA_DURATION, XSD + "duration"}
_DURATION_PARTS = (("Years", "Y"), ("Months", "M"), ("Weeks", "W"), ("Days", "D"))
_DURATION_TIME_PARTS = (("Hours", "H"), ("Minutes", "M"), ("Seconds", "S"))


def duration_from_object(obj: dict) -> str | None:
    """The Registry Assistant's DurationItem ({"Weeks": 4, "Hours": 2}) -> "P4WT2H".

    ``""`` when every part is zero; ``None`` when the object is not a DurationItem. Its
    ``Duration_ISO8601`` ("P2Y"), the Registry Assistant's alternative to the parts, is used as given
    when the parts are absent (the datatype check reports a bad one).
    """
    iso = obj.get("Duration_ISO8601")
    obj = {k: v for k, v in obj.items() if k != "Duration_ISO8601"}
    if isinstance(iso, str) and iso.strip():
        return iso.strip() if duration_from_object(obj) == "" or not obj else None   # both: which one?
    if iso not in (None, ""):
        return None
    known = {k for k, _ in _DURATION_PARTS + _DURATION_TIME_PARTS}
    if not set(obj) <= known or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
                                        for v in obj.values()):
        return None

    def part(k, unit):
        n = obj.get(k) or 0
        return f"{_lexical(n) if isinstance(n, float) and not n.is_integer() else int(n)}{unit}" if n else ""

    date = "".join(part(k, u) for k, u in _DURATION_PARTS)
    time = "".join(part(k, u) for k, u in _DURATION_TIME_PARTS)
    if not date and not time:
        return ""
    return "P" + date + ("T" + time if time else "")


class Lifter:
    """Lift one JSON document.  ``problems`` collects what was wrong but could be read anyway."""

    def __init__(self, ctx: ActiveContext, language: str | None = None):
        self.graph = Graph()
        self.problems: list[Result] = []
        self.root_ctx = ctx
        self.language = language

    # -- helpers ---------------------------------------------------------------------------
    def problem(self, severity: str, code: str, message: str, pointer: str, prop: str = "",
                value: Any = None, fix: str = "") -> None:
        self.problems.append(Result(severity, code, message, path=pointer, property=prop,
                                    value=None if value is None else _text(value), fix=fix))

    # -- objects ---------------------------------------------------------------------------
    def lift_node(self, obj: dict, ctx: ActiveContext, pointer: str) -> BNode | IRI:
        if "@context" in obj:
            ctx = ctx.then(obj["@context"])
        # find @id / @type (possibly aliased) first
        node_id = None
        types: list[tuple[str, str]] = []
        for key, value in obj.items():
            kw = _keyword(ctx, key)
            if kw == "@id" and isinstance(value, str):
                node_id = self.expand_id(ctx, value)
            elif kw == "@type":
                for i, t in enumerate(value if isinstance(value, list) else [value]):
                    p = pointer_join(pointer, key, i) if isinstance(value, list) else pointer_join(pointer, key)
                    types.append((t, p))
        subject = IRI(node_id) if node_id and not node_id.startswith("_:") else (
            BNode(node_id[2:]) if node_id else new_bnode())
        node = self.graph.node(subject, pointer)
        for t, p in types:
            if not isinstance(t, str) or not t:
                self.problem(VIOLATION, "wrong-type", f"a type must be text, not {_kind(t)}", p, "Type", t)
                continue
            iri = ctx.expand_vocab(t)
            if iri is None or iri.startswith("@"):
                self.problem(VIOLATION, "unknown-type", f'"{t}" is not a known type', p, "Type", t)
                continue
            if IRI(iri) not in node.types:
                node.types.append(IRI(iri))
        for key, value in obj.items():
            if key == "@context":
                continue
            kw = _keyword(ctx, key)
            if kw in ("@id", "@type"):
                continue
            if kw == "@graph":
                items = value if isinstance(value, list) else [value]
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        self.lift_node(item, ctx, pointer_join(pointer, key, i))
                continue
            if kw is not None:
                continue  # other keywords (@index, ...) carry nothing we publish
            td = ctx.terms.get(key)
            if td is None:
                iri = ctx.expand_curie(key) if ":" in key else None
                if iri is not None and iri != iri.strip():
                    self.problem(WARNING, "unknown-property",
                                 f'"{key}" has spaces around the name; it was read as "{key.strip()}"',
                                 pointer_join(pointer, key), key, fix=f'Write "{key.strip()}".')
                    iri = iri.strip()
                    td = ctx.terms.get(key.strip())
                if td is None and (iri is None or any(c.isspace() for c in iri)):
                    self.problem(WARNING, "unknown-property",
                                 f'"{key}" is not a property this tool knows; it was ignored',
                                 pointer_join(pointer, key), key,
                                 fix=_suggest_key(ctx, key))
                    continue
                if td is None and "://" in key:
                    # a full-IRI key (http://purl.org/ctdlasn/terms/weight): registry documents mean the
                    # CTDL term, so its coercion (xsd:decimal, @id...) applies as for ceasn:weight
                    td = ctx.terms.get(ctx.compact(iri))
                    td = td if td is not None and td.iri == iri else None
                td = td or TermDef(iri=iri)
            self.lift_property(node, key, td, value, (ctx.previous or ctx).with_scoped(td), pointer_join(pointer, key))
        return subject

    def lift_property(self, node: Node, key: str, td: TermDef, value: Any,
                      ctx: ActiveContext, pointer: str) -> None:
        pred = td.iri
        if value is None or value == [] or value == "":
            return
        if td.container == "@language" and isinstance(value, dict) and "@value" not in value:
            self.language_map(node, pred, key, value, pointer)
            return
        if td.container == "@language" and isinstance(value, list) and value and all(
                isinstance(m, dict) and m and "@value" not in m and all(_LANG.match(k) for k in m) for m in value):
            # language maps inside an array (old registry data; a warning says so): each is a language map
            for i, m in enumerate(value):
                self.language_map(node, pred, key, m, pointer_join(pointer, i))
            return
        values = value if isinstance(value, list) else [value]
        for i, v in enumerate(values):
            vp = pointer_join(pointer, i) if isinstance(value, list) else pointer
            self.lift_value(node, key, td, v, ctx, vp, pointer)

    def language_map(self, node: Node, pred: str, key: str, value: dict, pointer: str) -> None:
        for lang, v in value.items():
            lp = pointer_join(pointer, lang)
            lang_tag = None if lang == "@none" else lang
            for i, s in enumerate(v if isinstance(v, list) else [v]):
                vp = pointer_join(lp, i) if isinstance(v, list) else lp
                self.add_text(node, pred, key, s, lang_tag, vp, pointer)

    def lift_value(self, node: Node, key: str, td: TermDef, v: Any, ctx: ActiveContext,
                   vp: str, kp: str) -> None:
        pred = td.iri
        if v is None:
            return
        if isinstance(v, list):
            self.problem(VIOLATION, "wrong-type", "a list inside a list cannot be read; "
                         "give one flat list of values", vp, key)
            return
        if isinstance(v, dict):
            if not v:
                return  # {} carries nothing (real clients send "MinimumDuration": {})
            if td.type in DURATION_TYPES and "@value" not in v:
                iso = duration_from_object(v)
                if iso is None:
                    self.problem(VIOLATION, "wrong-type", f"{key} must be an ISO 8601 duration such as "
                                 '"P2Y6M" or "PT3H", or an object with Years, Months, Weeks, Days, Hours, '
                                 "Minutes (numbers), or with Duration_ISO8601 alone", vp, key, v)
                elif iso:
                    node.add(pred, Literal(iso, td.type), vp, key, kp)
                return
            if "@value" in v:
                lit = v["@value"]
                if isinstance(lit, (dict, list)):
                    self.problem(VIOLATION, "wrong-type", "@value must be text, a number or true/false", vp, key)
                    return
                dt = v.get("@type")
                dt = ctx.expand_curie(dt) or dt if isinstance(dt, str) else None
                lang = v.get("@language")
                node.add(pred, Literal(_lexical(lit), dt if not lang else None, lang), vp, key, kp)
                return
            only = {_keyword(ctx, k) or k for k in v}
            if only <= {"@id"} and "@id" in only:
                idv = next(val for k, val in v.items() if _keyword(ctx, k) == "@id")
                node.add(pred, self.reference(ctx, idv, vp, key), vp, key, kp)
                return
            child = self.lift_node(v, ctx, vp)
            node.add(pred, child, vp, key, kp)
            return
        if td.container == "@language":
            self.add_text(node, pred, key, v, self.language or ctx.language, vp, kp)
            return
        t = td.type
        if t in ("@id", "@vocab") and not isinstance(v, str):
            # JSON-LD coerces strings only: a number or true/false stays a native value (CE's context
            # coerces ceterms:medianEarnings, qdata:sizeOfData... to @id, whose range is a number)
            t = None
        if t == "@id":
            node.add(pred, self.reference(ctx, v, vp, key), vp, key, kp)
        elif t == "@vocab" and v.strip().startswith("_:"):   # a blank node of ReferenceObjects
            node.add(pred, BNode(v.strip()[2:]), vp, key, kp)
        elif t == "@vocab":
            iri = self.term_iri(ctx, v)
            node.add(pred, IRI(iri) if iri else Literal(v.strip(), TERM), vp, key, kp)
        elif t is not None:
            if isinstance(v, bool) and t != XSD_BOOLEAN or isinstance(v, (int, float)) and not isinstance(v, bool) and t not in NUMERIC:
                self.wrong(node, pred, key, v, "text", vp, kp)
                return
            if t in NUMERIC and isinstance(v, (int, float)) and not isinstance(v, bool) and t != XSD_INTEGER:
                v = float(v)  # one lexical form per number, so output and re-read agree
            node.add(pred, Literal(_lexical(v), None if t == XSD_STRING else t), vp, key, kp)
        else:
            if isinstance(v, bool):
                node.add(pred, Literal("true" if v else "false", XSD_BOOLEAN), vp, key, kp)
            elif isinstance(v, int):
                node.add(pred, Literal(str(v), XSD_INTEGER), vp, key, kp)
            elif isinstance(v, float) and v.is_integer() and abs(v) < 1e21:  # JSON-LD: an integral number
                node.add(pred, Literal(str(int(v)), XSD_INTEGER), vp, key, kp)
            elif isinstance(v, float):
                node.add(pred, Literal(_lexical(v), XSD_DOUBLE), vp, key, kp)
            else:
                node.add(pred, Literal(v), vp, key, kp)

    def add_text(self, node: Node, pred: str, key: str, s: Any, lang: str | None, vp: str, kp: str) -> None:
        if isinstance(s, (dict, list)) or isinstance(s, bool) or s is None:
            self.wrong(node, pred, key, s, "text", vp, kp)
            return
        if not isinstance(s, str):  # a number where text is expected: keep it, but say so
            self.wrong(node, pred, key, s, "text", vp, kp)
            s = _lexical(s)
        s = s.strip()
        if s:
            node.add(pred, Literal(s, None, lang) if lang else Literal(s), vp, key, kp)

    def wrong(self, node: Node, pred: str, key: str, v: Any, expected: str, vp: str, kp: str) -> None:
        self.problem(VIOLATION, "wrong-type", f"{key} must be {expected}, not {_kind(v)}",
                     vp, key, v, fix=f"Write {key} as {expected}.")

    # -- IRIs --------------------------------------------------------------------------------
    def expand_id(self, ctx: ActiveContext, value: str) -> str:
        value = value.strip()
        if value.startswith("_:"):
            return value
        iri = ctx.expand_curie(value)
        if iri is not None:
            return iri
        if ctx.base:
            return ctx.base + value
        return value

    def reference(self, ctx: ActiveContext, value: Any, vp: str, key: str):
        if not isinstance(value, str):
            return Literal(_text(value), REF)
        value = value.strip()
        if value.startswith("_:"):
            return BNode(value[2:])
        iri = ctx.expand_curie(value)
        if iri is not None and " " not in iri:
            return IRI(iri)
        if _ABSOLUTE_IRI.match(value):
            # a prefix the context does not define: JSON-LD reads it as an absolute IRI (the registry
            # publishes QData terms so: "sourceCoverage:Global", "adminRecord:Tax1099")
            return IRI(value)
        return Literal(value, REF)

    def term_iri(self, ctx: ActiveContext, value: str) -> str | None:
        value = value.strip()
        if ":" in value:
            return ctx.expand_curie(value)
        return None


_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$|^@none$")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s:/][^\s]*$")


def _keyword(ctx: ActiveContext, key: str) -> str | None:
    if key.startswith("@"):
        return key
    td = ctx.terms.get(key)
    return td.keyword if td is not None else None


def _lexical(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return f"{v:.1f}"
        return repr(v)
    return str(v)


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    import json
    return json.dumps(v, ensure_ascii=False)[:200]


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return f"true/false ({_text(v)})"
    if isinstance(v, (int, float)):
        return f"a number ({_text(v)})"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "null"
    return f'the text "{v}"'


_SUGGESTED: dict = {}


def _suggest_key(ctx: ActiveContext, key: str) -> str:
    """Did-you-mean for an unknown key, once per distinct key and context (difflib is slow, and a
    misspelt column comes back on every row)."""
    memo_key = (id(ctx.terms), key)
    hit = _SUGGESTED.get(memo_key)
    if hit is None or hit[0] is not ctx.terms:      # the entry holds its terms, so an id is never reused
        if len(_SUGGESTED) > 5000:
            _SUGGESTED.clear()
        hit = _SUGGESTED[memo_key] = (ctx.terms, _closest_key(ctx, key))
    return hit[1]


def _closest_key(ctx: ActiveContext, key: str) -> str:
    import difflib
    names = [t for t, td in ctx.terms.items() if td.keyword is None and ":" not in t]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
    if not close:
        lower = {n.lower(): n for n in names}
        if key.lower() in lower:
            close = [lower[key.lower()]]
    return f'Did you mean "{close[0]}"?' if close else "Check the spelling against the Registry Assistant property names."
