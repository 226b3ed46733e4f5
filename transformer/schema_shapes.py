"""Schema shapes: SHACL generated from the CTDL, CTDL-ASN and QData schema encodings (``ctdl shapes generate``).

Two layers of rules live in ``shapes/``: the **policy shapes** (``shapes/*.ttl``, written by hand:
the registry's minimum data policy) and these **schema shapes** (``shapes/schema/ctdl.ttl``,
generated: what the schema itself says of every property).  Whole-document validation
(``ctdl validate``, POST /validate) runs both; publishing runs the policy shapes (the format
pipeline builds its documents from the schema already).

Per property ``P`` of the encodings, each shape targets the subjects of ``P``
(``sh:targetSubjectsOf``), so a document pays only for the properties it uses:

  shape:schema-P-domain   Warning: the node's type is not one of P's domain classes (or their
                          subclasses).  Real data uses properties on related classes, so this
                          is a warning; untyped nodes are not judged.
  shape:schema-P-range    Violation: a literal where P expects a resource, or a resource where
                          P expects a literal.
  shape:schema-P-class    Violation: an embedded node of P (a blank node of the document) typed
                          with a class that is not in P's range (nor a subclass of one).
                          References to resources elsewhere carry no type here: not judged.
  shape:schema-P-scheme   Violation: a term (a Credential Alignment Object's targetNode) of a
                          vocabulary property that is not in its concept scheme (the
                          ``shape:Scheme-*`` node shapes of shapes/vocabularies.ttl).

Inverse pairs (``owl:inverseOf``) are written as ``P ctdlsh:inverseOf Q`` data for other checks.
The output is sorted and stable, so regenerating from a newer encoding gives a reviewable diff.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

PREFIXES = {
    "ceterms": "https://purl.org/ctdl/terms/", "ceasn": "https://purl.org/ctdlasn/terms/",
    "asn": "http://purl.org/ASN/schema/core/", "qdata": "https://credreg.net/qdata/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "schema": "https://schema.org/",
}
LITERALS = {"rdf:langString", "xsd:string", "xsd:date", "xsd:dateTime", "xsd:duration", "xsd:boolean",
            "xsd:decimal", "xsd:integer", "xsd:float", "xsd:language", "schema:Date", "schema:Duration",
            "rdfs:Literal"}
URI_LIKE = {"xsd:anyURI", "schema:WebPage", "rdfs:Resource"}     # a URL: the context makes these IRIs
ENCODINGS = ("ctdl-schema-encoding.json", "ctdlasn-schema-encoding.json", "qdata-schema-encoding-2023-10.json")


def _list(v) -> list:
    return [] if v is None else v if isinstance(v, list) else [v]


def _en(v) -> str:
    if isinstance(v, dict):
        return str(v.get("en-US") or v.get("en") or next(iter(v.values()), ""))
    return str(v or "")


def _lit(text: str) -> str:
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def read_encodings(folder: Path) -> tuple[dict, dict, list[tuple[str, str]]]:
    """(classes: curie -> node, properties: curie -> node, sources: (file, sha256)) of the encodings."""
    classes, properties, sources = {}, {}, []
    for name in ENCODINGS:
        path = folder / name
        data = path.read_bytes()
        sources.append((name, hashlib.sha256(data).hexdigest()[:16]))
        for node in json.loads(data.decode("utf-8"))["@graph"]:
            types = _list(node.get("@type"))
            target = properties if "rdf:Property" in types else classes if "rdfs:Class" in types else None
            if target is not None:
                merged = target.setdefault(node["@id"], {})
                for k, v in node.items():
                    if k in ("schema:domainIncludes", "schema:rangeIncludes", "rdfs:subClassOf"):
                        merged[k] = sorted(set(_list(merged.get(k))) | set(_list(v)))
                    else:
                        merged.setdefault(k, v)
    return classes, properties, sources


def _apply_practice(properties: dict) -> None:
    """Ranges registry practice adds to the encodings (vocabularies/schema-practice.json)."""
    from .resources import data_dir

    path = data_dir("vocabularies") / "schema-practice.json"
    if not path.is_file():
        return
    for prop, entry in json.loads(path.read_text(encoding="utf-8"))["rangeIncludes"].items():
        if prop in properties:
            node = properties[prop]
            node["schema:rangeIncludes"] = sorted(set(_list(node.get("schema:rangeIncludes"))) | set(entry["add"]))


def _descendants(classes: dict) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for c, node in classes.items():
        for parent in _list(node.get("rdfs:subClassOf")):
            children.setdefault(parent, set()).add(c)
    out: dict[str, set[str]] = {}
    for c in classes:
        seen, stack = {c}, [c]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        out[c] = seen
    return out


def generate(folder: Path, scheme_shapes: set[str], schemes: dict[str, str]) -> str:
    """Turtle of the schema shapes.  ``scheme_shapes``: local names of the shape:Scheme-* shapes
    that exist; ``schemes``: property IRI -> its concept scheme IRI (vocabularies/property-schemes.ttl)."""
    classes, properties, sources = read_encodings(folder)
    _apply_practice(properties)
    below = _descendants(classes)
    out = ["# GENERATED by `ctdl shapes generate` (transformer/schema_shapes.py) from the schema encodings",
           "# in vocabularies/schema/: " + ", ".join(f"{n} (sha256 {h})" for n, h in sources) + ".",
           "# Do not edit: regenerate after updating the encodings and review the diff.", ""]
    out += [f"@prefix {p}: <{ns}> ." for p, ns in sorted({**PREFIXES,
            "sh": "http://www.w3.org/ns/shacl#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#", "shape": "urn:ctdl-assistant:shape:",
            "group": "urn:ctdl-assistant:group:", "ctdlsh": "urn:ctdl-assistant:ns:"}.items())] + [""]
    order = 0
    inverses = []
    for prop in sorted(properties):
        node = properties[prop]
        label = _en(node.get("rdfs:label")) or prop
        definition = _en(node.get("rdfs:comment"))
        name = prop.replace(":", "-")
        # a domain class the encodings name but do not define (qdata:Observation, of the QData
        # version after ours) is still a domain class: its own instances are accepted
        # (rdfs:Resource: any resource may have it, there is no domain to check)
        declared = _list(node.get("schema:domainIncludes"))
        domain = [] if "rdfs:Resource" in declared else sorted(
            {d for c in declared if c in classes or c.split(":")[0] in PREFIXES for d in below.get(c, {c})})
        ranges = _list(node.get("schema:rangeIncludes"))
        range_classes = [r for r in ranges if r in classes]
        known = all(r in classes or r in LITERALS or r in URI_LIKE for r in ranges)
        for other in _list(node.get("owl:inverseOf")):
            inverses.append(f"{prop} ctdlsh:inverseOf {other} .")

        def shape(suffix: str, body: list[str], title: str, description: str, message: str, severity: str = "",
                  code: str = "") -> None:
            nonlocal order
            order += 1
            out.append(f"shape:schema-{name}-{suffix}")
            out.append("    a sh:PropertyShape ;")
            out.append(f"    sh:targetSubjectsOf {prop} ;")
            out.extend(f"    {line} ;" for line in body)
            if severity:
                out.append(f"    sh:severity {severity} ;")
            if code:
                out.append(f"    ctdlsh:code {_lit(code)} ;")
            out.append(f"    sh:name {_lit(title)} ;")
            out.append(f"    sh:description {_lit(description)} ;")
            out.append(f"    sh:message {_lit(message)} ;")
            out.append("    sh:group group:Schema ;")
            out.append(f"    sh:order {order} .")
            out.append("")

        if domain:
            shape("domain", ["sh:path rdf:type", "sh:in ( " + " ".join(domain) + " )"],
                  f"{label}: domain", f"A property of {len(_list(node.get('schema:domainIncludes')))} classes "
                  f"(and their subclasses). {definition}",
                  f"{{value}} does not have the property {prop} in CTDL; it is a property of "
                  f"{', '.join(_list(node.get('schema:domainIncludes'))[:6])}"
                  + (" ..." if len(_list(node.get('schema:domainIncludes'))) > 6 else "") + ".",
                  "sh:Warning", "domain")
        if known and ranges and all(r in classes for r in ranges):
            shape("range", [f"sh:path {prop}", "sh:nodeKind sh:BlankNodeOrIRI"],
                  f"{label}: a resource", f"{prop} takes {', '.join(ranges)} (a resource or a reference), not text.",
                  f"{{field}} must be a resource ({', '.join(ranges[:4])}) or the URI of one, not text like "
                  "\"{value}\".", code="wrong-range")
            allowed = {d for r in range_classes for d in below[r]}
            if schemes.get(prop) or "skos:Concept" in ranges:
                # registry data gives vocabulary terms wrapped in Credential Alignment Objects
                allowed.add("ceterms:CredentialAlignmentObject")
            allowed = sorted(allowed)
            shape("class", [f"sh:path ( {prop} rdf:type )", "sh:in ( " + " ".join(allowed) + " )"],
                  f"{label}: range", f"The resources of {prop} are {', '.join(ranges)} (or their subclasses)"
                  + ("; a term may be wrapped in a ceterms:CredentialAlignmentObject, as registry data has it."
                     if "ceterms:CredentialAlignmentObject" in allowed and
                     "ceterms:CredentialAlignmentObject" not in ranges else "."),
                  f"{{value}} is not a class {prop} takes: use {', '.join(ranges[:4])}"
                  + (" ..." if len(ranges) > 4 else "") + ".", code="wrong-class")
        elif known and ranges and all(r in LITERALS for r in ranges):
            shape("range", [f"sh:path {prop}", "sh:nodeKind sh:Literal"],
                  f"{label}: a value", f"{prop} takes {', '.join(ranges)}: a value, not a resource.",
                  f"{{field}} must be a value ({', '.join(ranges)}), not a resource or a URI.", code="wrong-range")
        scheme = schemes.get(prop)
        if scheme and f"Scheme-{scheme.split(':')[-1]}" in scheme_shapes:
            shape("scheme", [f"sh:path ( {prop} ceterms:targetNode )",
                             f"sh:node shape:Scheme-{scheme.split(':')[-1]}"],
                  f"{label}: vocabulary", f"The terms of {prop} are the concepts of {scheme}.",
                  f"{{value}} is not a term of {scheme} ({prop}).", code="unknown-term")
    out.append("# inverse pairs (owl:inverseOf), for the checks that compare both directions")
    out += sorted(inverses)
    return "\n".join(out) + "\n"


def write(folder: Path, out_file: Path) -> str:
    """Generate from ``folder`` into ``out_file``; returns the text."""
    import rdflib

    from .resources import data_dir

    vocab_shapes = rdflib.Graph().parse(str(data_dir("shapes") / "vocabularies.ttl"), format="turtle")
    scheme_shapes = {str(s).rsplit(":", 1)[-1] for s in set(vocab_shapes.subjects())
                     if str(s).startswith("urn:ctdl-assistant:shape:Scheme-")}
    links = rdflib.Graph().parse(str(data_dir("vocabularies") / "property-schemes.ttl"), format="turtle")
    ns = rdflib.Graph()
    for p, n in PREFIXES.items():
        ns.bind(p, n)
    compact = lambda iri: ns.namespace_manager.normalizeUri(iri)  # noqa: E731
    schemes = {compact(s): compact(o) for s, o in links.subject_objects(
        rdflib.URIRef("urn:ctdl-assistant:ns:targetScheme"))}
    text = generate(folder, scheme_shapes, schemes)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    return text
