"""Reading each SHACL parameter of a shape into the plan's constraint entries (see ``plan``).

A reader ``(comp, spec, objects) -> [entry, ...]`` checks the parameter's values the way pyshacl
would accept them (``comp.require`` / ``comp.fail`` name the shape otherwise) and writes what the
runtime needs as plain data; ``compiled.BUILDERS`` turns each entry back into a constraint
(``values``, ``constraints``, ``logical``, ``durations``).  Entries are lists, the first item the
kind: ``["class", iri]``, ``["count", n, is_min]``, ``["or", [shape index, ...]]``...
"""
from __future__ import annotations

import re

import rdflib

from . import SH

_RDF_HTML = "http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML"
KINDS = {SH + "IRI": "I", SH + "BlankNode": "B", SH + "Literal": "L", SH + "BlankNodeOrIRI": "BI",
         SH + "BlankNodeOrLiteral": "BL", SH + "IRIOrLiteral": "IL"}


# -- each value on its own (values.py) ------------------------------------------------------------
def read_class(comp, spec, objs):
    out = []
    for c in objs:
        comp.require(spec, isinstance(c, (rdflib.URIRef, rdflib.BNode)), "sh:class needs an IRI")
        out.append(["class", comp.term(c)])
    return out


def read_datatype(comp, spec, objs):
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.URIRef), "one IRI sh:datatype")
    if str(objs[0]) == _RDF_HTML:
        comp.fail(spec, "sh:datatype rdf:HTML is not supported")
    return [["datatype", str(objs[0])]]


def read_node_kind(comp, spec, objs):
    comp.require(spec, len(objs) == 1 and str(objs[0]) in KINDS, "one known sh:nodeKind")
    return [["nodeKind", KINDS[str(objs[0])]]]


def read_range(comp, spec, objs, op: str):
    out = []
    for b in objs:
        comp.require(spec, isinstance(b, rdflib.Literal), f"sh:{op} needs a literal")
        dt = str(b.datatype) if b.datatype else None
        comp.require(spec, dt is None or not (dt.endswith("Duration") or dt.endswith("#duration")
                                              or dt.endswith("Binary") or "rdf-syntax" in dt),
                     f"sh:{op} with a {dt} bound is not supported")
        out.append(["range", op, str(b), dt, b.language])
    return out


def _int_param(comp, spec, objs, name):
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and isinstance(objs[0].value, int) and not isinstance(objs[0].value, bool)
                 and objs[0].value >= 0 and not objs[0].ill_typed, f"{name} needs one integer >= 0")
    return objs[0].value


def read_length(comp, spec, objs, is_min: bool):
    n = _int_param(comp, spec, objs, "sh:minLength" if is_min else "sh:maxLength")
    return [["length", n, is_min]]


def read_pattern(comp, spec, objs):
    flags = spec.params.get(SH + "flags", [])
    comp.require(spec, len(flags) <= 1, "more than one sh:flags")
    re_flags = 0
    if flags:
        f = str(flags[0]).lower()
        comp.require(spec, set(f) <= {"i", "m"}, f"sh:flags {f!r} (only i and m are supported)")
        re_flags = (re.I if "i" in f else 0) | (re.M if "m" in f else 0)
    out = []
    for p in objs:
        comp.require(spec, isinstance(p, rdflib.Literal), "sh:pattern needs a literal")
        try:
            re.compile(str(p), re_flags)
        except re.error as e:
            comp.fail(spec, f"invalid sh:pattern {str(p)!r}: {e}")
        out.append(["pattern", str(p), int(re_flags)])
    return out


def read_language_in(comp, spec, objs):
    comp.require(spec, len(objs) == 1, "one sh:languageIn")
    langs = comp.list(spec, objs[0], "sh:languageIn")
    comp.require(spec, all(isinstance(x, rdflib.Literal) and isinstance(x.value, str) for x in langs),
                 "sh:languageIn members must be strings")
    return [["languageIn", sorted({str(x).lower() for x in langs})]]


def read_in(comp, spec, objs):
    comp.require(spec, len(objs) == 1, "one sh:in")
    return [["in", [comp.key(x) for x in comp.list(spec, objs[0], "sh:in", allow_empty=True)]]]


# -- all values together, other predicates (constraints.py) ----------------------------------------
def read_count(comp, spec, objs, is_min: bool):
    name = "sh:minCount" if is_min else "sh:maxCount"
    comp.require(spec, spec.is_property, f"{name} on a node shape")
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and str(objs[0].datatype) == "http://www.w3.org/2001/XMLSchema#integer"
                 and isinstance(objs[0].value, int) and objs[0].value >= 0,
                 f"{name} needs one non-negative xsd:integer")
    n = objs[0].value
    return [] if is_min and n == 0 else [["count", n, is_min]]


def read_unique_lang(comp, spec, objs):
    comp.require(spec, spec.is_property, "sh:uniqueLang on a node shape")
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and isinstance(objs[0].value, bool), "one boolean sh:uniqueLang")
    return [["uniqueLang"]] if objs[0].value else []


def read_has_value(comp, spec, objs):
    return [["hasValue", comp.key(x)] for x in objs]


PAIRS = {"eq": "sh:equals", "dis": "sh:disjoint", "lt": "sh:lessThan", "le": "sh:lessThanOrEquals"}


def read_pair(comp, spec, objs, kind: str):
    name = PAIRS[kind]
    if kind in ("lt", "le"):
        comp.require(spec, spec.is_property, f"{name} on a node shape")
    comp.require(spec, all(isinstance(o, rdflib.URIRef) for o in objs), f"{name} needs IRIs")
    return [["pair", str(o), kind] for o in objs]


def read_closed(comp, spec, objs):
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.Literal)
                 and isinstance(objs[0].value, bool), "one boolean sh:closed")
    if not objs[0].value:
        return []
    allowed = set()
    for lst in spec.params.get(SH + "ignoredProperties", []):
        allowed.update(str(x) for x in comp.list(spec, lst, "sh:ignoredProperties", allow_empty=True))
    for p in spec.params.get(SH + "property", []):
        path = comp.g.value(p, rdflib.URIRef(SH + "path"))
        if isinstance(path, rdflib.URIRef):
            allowed.add(str(path))
    return [["closed", sorted(allowed)]]


# -- shapes inside shapes (logical.py) --------------------------------------------------------------
def read_property(comp, spec, objs):
    out = []
    for o in objs:
        i = comp.shape(o, spec, "sh:property")
        entry = comp.entry(i)
        comp.require(spec, entry[2], f"sh:property value {entry[0]} is not a property shape")
        out.append(["property", i])
    return out


def _node_shapes(comp, spec, objs, name):
    out = []
    for o in objs:
        i = comp.shape(o, spec, name)
        if name == "sh:node":
            entry = comp.entry(i)
            comp.require(spec, not entry[2], f"sh:node value {entry[0]} is a property shape")
        out.append(i)
    return out


def read_node(comp, spec, objs):
    return [["node", i] for i in _node_shapes(comp, spec, objs, "sh:node")]


def read_not(comp, spec, objs):
    return [["not", i] for i in _node_shapes(comp, spec, objs, "sh:not")]


def _lists(kind, name, dedupe: bool):
    def reader(comp, spec, objs):
        out = []
        for lst in objs:
            shapes = _node_shapes(comp, spec, comp.list(spec, lst, name), name)
            if dedupe:                                   # pyshacl keeps a set for and/or
                shapes = list(dict.fromkeys(shapes))
            out.append([kind, shapes])
        return out
    return reader


def _count_param(comp, spec, name):
    vals = spec.params.get(SH + name, [])
    if not vals:
        return None
    comp.require(spec, len(vals) == 1 and isinstance(vals[0], rdflib.Literal)
                 and isinstance(vals[0].value, int) and not isinstance(vals[0].value, bool),
                 f"one integer sh:{name}")
    return vals[0].value


def read_qualified(comp, spec, objs):
    comp.require(spec, spec.is_property, "sh:qualifiedValueShape on a node shape")
    qmin, qmax = _count_param(comp, spec, "qualifiedMinCount"), _count_param(comp, spec, "qualifiedMaxCount")
    comp.require(spec, qmin is not None or qmax is not None,
                 "sh:qualifiedValueShape without sh:qualifiedMinCount or sh:qualifiedMaxCount")
    disjoint = any(isinstance(d, rdflib.Literal) and d.value is True
                   for d in spec.params.get(SH + "qualifiedValueShapesDisjoint", []))
    g, qvs, prop = comp.g, rdflib.URIRef(SH + "qualifiedValueShape"), rdflib.URIRef(SH + "property")
    out = []
    for o in objs:
        siblings = []
        if disjoint:
            sib_nodes = {sib for parent in g.subjects(prop, spec.node) for ps in g.objects(parent, prop)
                         for sib in g.objects(ps, qvs) if sib != o}
            siblings = [comp.shape(s, spec, "sibling sh:qualifiedValueShape") for s in sib_nodes]
        out.append(["qualified", comp.shape(o, spec, "sh:qualifiedValueShape"), siblings, qmin, qmax])
    return out


# -- ctdlsh:DurationOrderConstraintComponent (durations.py) ---------------------------------------
def duration_order(comp, spec, objs):
    comp.require(spec, spec.is_property, "ctdlsh:notLongerThan on a node shape")
    comp.require(spec, len(objs) == 1 and isinstance(objs[0], rdflib.URIRef),
                 "ctdlsh:notLongerThan needs one predicate IRI")
    return [["durationOrder", str(objs[0])]]


READERS = {
    SH + "class": read_class,
    SH + "datatype": read_datatype,
    SH + "nodeKind": read_node_kind,
    SH + "minLength": lambda c, s, o: read_length(c, s, o, True),
    SH + "maxLength": lambda c, s, o: read_length(c, s, o, False),
    SH + "pattern": read_pattern,
    SH + "languageIn": read_language_in,
    SH + "in": read_in,
    SH + "minCount": lambda c, s, o: read_count(c, s, o, True),
    SH + "maxCount": lambda c, s, o: read_count(c, s, o, False),
    SH + "uniqueLang": read_unique_lang,
    SH + "hasValue": read_has_value,
    SH + "closed": read_closed,
    SH + "property": read_property,
    SH + "node": read_node,
    SH + "not": read_not,
    SH + "and": _lists("and", "sh:and", True),
    SH + "or": _lists("or", "sh:or", True),
    SH + "xone": _lists("xone", "sh:xone", False),
    SH + "qualifiedValueShape": read_qualified,
    **{SH + op: (lambda c, s, o, op=op: read_range(c, s, o, op))
       for op in ("minExclusive", "minInclusive", "maxExclusive", "maxInclusive")},
    **{SH + name[3:]: (lambda c, s, o, kind=kind: read_pair(c, s, o, kind)) for kind, name in PAIRS.items()},
}
COMPANIONS = {SH + "flags": SH + "pattern", SH + "ignoredProperties": SH + "closed",
              **{SH + k: SH + "qualifiedValueShape"
                 for k in ("qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint")}}
