#!/usr/bin/env python3
"""Generate shapes/vocabularies.ttl: one SHACL node shape per CTDL concept scheme.

Reads the SKOS files in vocabularies/ (one file per concept scheme, see docs/DESIGN.md)
and writes, for every concept scheme of CTDL, CTDL-ASN or QData that has concepts,

    shape:Scheme-OrganizationType
        a sh:NodeShape ;
        sh:name "Organization Type" ;
        sh:description "Types of organization." ;
        sh:in ( orgType:AccreditationBody orgType:AssessmentBody ... ) ;
        sh:message "{value} is not a term of Organization Type." ;
        ...

The hand-written shapes use them on the targetNode of alignment objects:
``sh:path ( ceterms:agentType ceterms:targetNode ) ; sh:node shape:Scheme-OrganizationType``.

Code lists given as plain strings (``ctdlsh:CurrencyCodes ctdlsh:code "AED", ...`` in
vocabularies/iso4217.ttl) get a shape too: ``shape:Scheme-CurrencyCodes sh:in ( "AED" ... )``.

The output is deterministic (sorted), so running the script twice gives the same file and
a test can check that the committed file is up to date:

    python scripts/build_vocabulary_shapes.py            # writes shapes/vocabularies.ttl
    python scripts/build_vocabulary_shapes.py --check    # exit 1 if it is out of date
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
CTDLSH = Namespace("urn:ctdl-assistant:ns:")

# Concept schemes of these vocabularies get a shape; other SKOS schemes that may sit in
# vocabularies/ (e.g. the SOC / NAICS / CIP code lists in frameworks.ttl) do not: they are
# code lists for enrichment, not closed vocabularies of CTDL terms.
SCHEME_NAMESPACES = {
    "https://purl.org/ctdl/terms/": "ceterms",
    "https://purl.org/ctdlasn/terms/": "ceasn",
    "https://credreg.net/qdata/terms/": "qdata",
}
SKIP_FILES = {"property-schemes.ttl", "frameworks.ttl"}

HEADER = """\
# GENERATED FILE - do not edit by hand.
# Written by scripts/build_vocabulary_shapes.py from vocabularies/*.ttl; edit the
# vocabulary files (or the script) and run it again.
#
# One node shape per concept scheme: a value conforms when it is one of the scheme's
# concepts.  The hand-written shapes apply them to the target node of the alignment
# objects that carry vocabulary values, e.g.
#     sh:path ( ceterms:agentType ceterms:targetNode ) ;
#     sh:node shape:Scheme-OrganizationType .
"""


def _literal(g: Graph, s, p) -> str:
    """The English (or any) value of p, whitespace collapsed."""
    values = [o for o in g.objects(s, p) if isinstance(o, Literal)]
    if not values:
        return ""
    values.sort(key=lambda lit: (0 if (lit.language or "").lower() in ("en-us", "en") else 1, str(lit)))
    return " ".join(str(values[0]).split())


def _ttl_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _split(iri: str) -> tuple[str, str]:
    m = re.match(r"^(.*[/#:])([^/#:]+)$", iri)
    if not m:
        raise ValueError(f"cannot split IRI {iri}")
    return m.group(1), m.group(2)


def load(vocab_dir: Path) -> Graph:
    g = Graph()
    files = sorted(p for p in vocab_dir.glob("*.ttl") if p.name not in SKIP_FILES)
    if not files:
        raise SystemExit(f"no vocabulary files in {vocab_dir}")
    for path in files:
        g.parse(path, format="turtle")
    return g


def schemes(g: Graph) -> list[dict]:
    out = []
    for scheme in set(g.subjects(RDF.type, SKOS.ConceptScheme)):
        if not isinstance(scheme, URIRef):
            continue
        ns, name = _split(str(scheme))
        if ns not in SCHEME_NAMESPACES:
            continue
        concepts = set(g.subjects(SKOS.inScheme, scheme))
        concepts |= set(g.subjects(SKOS.topConceptOf, scheme))
        concepts |= set(g.objects(scheme, SKOS.hasTopConcept))
        concepts = sorted(c for c in concepts if isinstance(c, URIRef))
        if not concepts:
            continue
        label = _literal(g, scheme, SKOS.prefLabel) or name
        out.append({
            "iri": str(scheme),
            "curie": f"{SCHEME_NAMESPACES[ns]}:{name}",
            "name": name,
            "label": label,
            "definition": _literal(g, scheme, SKOS.definition) or f"Concepts of the {label} concept scheme.",
            "prefix": _literal(g, scheme, CTDLSH.conceptPrefix),
            "namespace": _literal(g, scheme, CTDLSH.conceptNamespace),
            "concepts": [str(c) for c in concepts],
            "codes": [],
        })
    for lst in set(g.subjects(CTDLSH.code, None)):
        codes = sorted(str(o) for o in g.objects(lst, CTDLSH.code) if isinstance(o, Literal))
        if not isinstance(lst, URIRef) or not codes:
            continue
        _, name = _split(str(lst))
        label = _literal(g, lst, RDFS.label) or name
        out.append({
            "iri": str(lst), "curie": f"ctdlsh:{name}", "name": name, "label": label,
            "definition": _literal(g, lst, RDFS.comment) or f"The codes of the list {label}.",
            "prefix": "", "namespace": "", "concepts": [], "codes": codes,
        })
    out.sort(key=lambda s: (s["name"], s["iri"]))
    names = [s["name"] for s in out]
    for s in out:  # two vocabularies may use the same local name (CTDL and QData)
        s["shape"] = "Scheme-" + (s["name"] if names.count(s["name"]) == 1 else s["curie"].replace(":", "-"))
    return out


def render(schemes_: list[dict]) -> str:
    prefixes: dict[str, str] = {}
    for s in schemes_:
        ns = s["namespace"]
        if s["prefix"] and ns and ns.startswith(("http://", "https://")) and all(c.startswith(ns) for c in s["concepts"]):
            if prefixes.get(s["prefix"], ns) != ns:
                raise SystemExit(f"prefix {s['prefix']} used for two namespaces")
            prefixes[s["prefix"]] = ns

    def term(iri: str) -> str:
        for p, ns in prefixes.items():
            if iri.startswith(ns):
                local = iri[len(ns):]
                if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", local):
                    return f"{p}:{local}"
        return f"<{iri}>"

    lines = [HEADER,
             "@prefix sh:     <http://www.w3.org/ns/shacl#> .",
             "@prefix shape:  <urn:ctdl-assistant:shape:> .",
             "@prefix group:  <urn:ctdl-assistant:group:> .",
             "@prefix ctdlsh: <urn:ctdl-assistant:ns:> ."]
    width = max([len(p) for p in prefixes] + [6]) + 1
    for p in sorted(prefixes):
        lines.append(f"@prefix {(p + ':').ljust(width)} <{prefixes[p]}> .")
    lines.append("")
    for order, s in enumerate(schemes_, start=1):
        if s["codes"]:
            head = [f"# {s['curie']} ({len(s['codes'])} codes)"]
            members = [_ttl_string(c) for c in s["codes"]]
            message = f"{{value}} is not a code of {s['label']}."
        else:
            head = [f"# {s['curie']} ({len(s['concepts'])} concepts)"]
            members = [term(c) for c in s["concepts"]]
            message = (f"{{value}} is not a term of {s['label']}. "
                       f"Use one of the concepts of the {s['label']} vocabulary ({s['curie']}).")
        lines += [""] + head + [
            f"shape:{s['shape']}",
            "    a sh:NodeShape ;",
            f"    sh:name {_ttl_string(s['label'])} ;",
            f"    sh:description {_ttl_string(s['definition'])} ;",
            f"    ctdlsh:conceptScheme <{s['iri']}> ;",
            "    sh:in (",
        ]
        if s["codes"]:  # short codes: several to a line
            for i in range(0, len(members), 12):
                lines.append("        " + " ".join(members[i:i + 12]))
        else:
            lines += [f"        {m}" for m in members]
        lines += [
            "    ) ;",
            f"    sh:message {_ttl_string(message)} ;",
            "    sh:group group:Optional ;",
            f"    sh:order {order} .",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vocabularies", type=Path, default=ROOT / "vocabularies", help="folder of vocabulary .ttl files")
    ap.add_argument("--output", type=Path, default=ROOT / "shapes" / "vocabularies.ttl")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the output is out of date")
    args = ap.parse_args(argv)

    text = render(schemes(load(args.vocabularies)))
    if args.check:
        old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                       str(args.output), "generated"))
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({text.count('a sh:NodeShape')} concept schemes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
