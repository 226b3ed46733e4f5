#!/usr/bin/env python3
"""Build the project's data files from the shared CTDL reference data.

Run from anywhere:

    .venv/bin/python scripts/build_data.py --shared /work/shared

It (re)writes, deterministically:

* ``vocabularies/<Scheme>.ttl``     one SKOS file per CTDL / CTDL-ASN / QData concept scheme
* ``vocabularies/property-schemes.ttl``   ``<property> ctdlsh:targetScheme <scheme>``
* ``vocabularies/frameworks.ttl``   the SOC / NAICS / CIP code frameworks used by enrich
* ``vocabularies/iso4217.ttl``      the active ISO 4217 currency codes
* ``contexts/ctdl.json``, ``contexts/ctdlasn.json`` (byte copies), ``contexts/qdata.json`` (derived
  from the QData schema encoding: no copy of CE's QData context is public), ``contexts/index.json``
* ``contexts/assistant-input.jsonld``  the JSON-LD 1.1 context of our simple input format
* ``tests/data/...``                test data copied from the shared examples, with SOURCES.md

The project itself never reads the shared folder; only this script does.
Only the standard library and rdflib are used.  Diagnostics go to stderr.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
from pathlib import Path

import io

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.plugins.serializers.turtle import TurtleSerializer

REPO = Path(__file__).resolve().parent.parent

CETERMS = Namespace("https://purl.org/ctdl/terms/")
CEASN = Namespace("https://purl.org/ctdlasn/terms/")
QDATA = Namespace("https://credreg.net/qdata/terms/")
CTDLSH = Namespace("urn:ctdl-assistant:ns:")
CTDLA = Namespace("urn:ctdl-assistant:input:")

INPUT_CONTEXT_URL = "urn:ctdl-assistant:context:input"
CTDL_CONTEXT_URL = "https://credreg.net/ctdl/schema/context/json"
CTDLASN_CONTEXT_URL = "https://credreg.net/ctdlasn/schema/context/json"


def warn(*parts: object) -> None:
    print(*parts, file=sys.stderr)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def turtle(graph: Graph, *top_classes: URIRef) -> str:
    """Turtle with the members of top_classes first (each group sorted by IRI), then the rest
    sorted by rdflib's usual (reference count, IRI) order: deterministic for graphs without
    blank nodes."""
    serializer = TurtleSerializer(graph)
    serializer.topClasses = list(top_classes) + [RDFS.Class]
    buf = io.BytesIO()
    serializer.serialize(buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def write_json(path: Path, data: object) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def local_name(iri: str) -> str:
    """Local part of an IRI (after the last '/', '#' or, for 'prefix:Name' IRIs, ':')."""
    cut = max(iri.rfind("/"), iri.rfind("#"))
    if cut < 0:
        cut = iri.find(":")
    return iri[cut + 1:]


def load_lenient_json(path: Path) -> object:
    """JSON that may carry // or /* */ comments and trailing commas (real client input)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    out, i, in_string = [], 0, False
    while i < len(text):
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
        elif ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
        else:
            out.append(ch)
            i += 1
    cleaned = re.sub(r",(\s*[}\]])", r"\1", "".join(out))
    return json.loads(cleaned)


# --------------------------------------------------------------------------------------
# Shared inputs
# --------------------------------------------------------------------------------------
class Shared:
    def __init__(self, root: Path):
        self.root = root
        self.ctdl = root / "ctdl"
        if not (self.ctdl / "SOURCES.md").is_file():
            raise SystemExit(f"not a shared data folder: {root} (no ctdl/SOURCES.md)")
        self.ctdl_context = json.loads((self.ctdl / "schema/ctdl/ctdl-context.json").read_text("utf-8"))["@context"]
        self.ctdlasn_context = json.loads(
            (self.ctdl / "schema/ctdlasn/ctdlasn-context.json").read_text("utf-8"))["@context"]
        # prefix table: CTDL context first, CTDL-ASN adds its own
        self.prefixes: dict[str, str] = {}
        for ctx in (self.ctdl_context, self.ctdlasn_context):
            for key, value in ctx.items():
                if isinstance(value, str) and not key.startswith("@"):
                    self.prefixes.setdefault(key, value)
        # term definitions of both contexts (for coercions)
        self.term_defs: dict[str, dict] = {}
        for ctx in (self.ctdl_context, self.ctdlasn_context):
            for key, value in ctx.items():
                if isinstance(value, dict):
                    self.term_defs.setdefault(key, value)
        self.encodings = [
            ("ctdl", self.ctdl / "schema/ctdl/ctdl-schema-encoding.json"),
            ("ctdlasn", self.ctdl / "schema/ctdlasn/ctdlasn-schema-encoding.json"),
        ]
        self.qdata_encoding = self.ctdl / "schema/qdata/qdata-schema-encoding-2023-10.json"

    def expand(self, curie: str) -> str:
        """Expand a CURIE with the CTDL / CTDL-ASN prefix table.  Unknown prefixes are kept:
        in JSON-LD a 'prefix:Name' with an undefined prefix is an absolute IRI."""
        if curie.startswith(("http://", "https://", "urn:")):
            return curie
        prefix, sep, rest = curie.partition(":")
        if sep and prefix in self.prefixes:
            return self.prefixes[prefix] + rest
        return curie

    def graph_nodes(self, path: Path) -> list[dict]:
        return json.loads(path.read_text("utf-8"))["@graph"]


# --------------------------------------------------------------------------------------
# 1. Vocabularies
# --------------------------------------------------------------------------------------
def lang_literals(value: object) -> list[Literal]:
    """{"en-US": "x"} (or a list of such, or a plain string) -> language-tagged literals."""
    out = []
    for item in as_list(value):
        if isinstance(item, dict):
            for lang in sorted(item):
                for text in as_list(item[lang]):
                    out.append(Literal(text, lang=lang))
        elif isinstance(item, str):
            out.append(Literal(item))
    return out


def collect_concept_nodes(shared: Shared) -> dict[str, dict]:
    """Scheme and concept nodes from the vocabulary files and both schema encodings (deduped)."""
    nodes: dict[str, dict] = {}
    origin: dict[str, str] = {}
    sources: list[Path] = []
    for group in ("ctdl", "ctdlasn", "qdata"):
        sources += sorted((shared.ctdl / "vocabularies" / group).glob("*.json"))
    sources += [path for _, path in shared.encodings]
    for path in sources:
        for node in shared.graph_nodes(path):
            if node.get("@type") not in ("skos:ConceptScheme", "skos:Concept"):
                continue
            node_id = node["@id"]
            if node_id in nodes:
                if nodes[node_id] != node:
                    warn(f"vocabularies: {node_id} differs between {origin[node_id]} and "
                         f"{path.relative_to(shared.root)}; keeping the first")
                continue
            nodes[node_id] = node
            origin[node_id] = str(path.relative_to(shared.root))
    return nodes


SCHEME_FILE_MARK = "generated by scripts/build_data.py from the CTDL reference data"


def build_vocabularies(shared: Shared, out_dir: Path) -> dict[str, dict]:
    """Write one Turtle file per scheme.  Returns scheme CURIE -> info (file, prefix, namespace)."""
    nodes = collect_concept_nodes(shared)
    schemes = sorted(n for n, node in nodes.items() if node["@type"] == "skos:ConceptScheme")
    concepts_of: dict[str, list[str]] = {s: [] for s in schemes}
    for node_id in sorted(nodes):
        node = nodes[node_id]
        if node["@type"] != "skos:Concept":
            continue
        in_schemes = as_list(node.get("skos:inScheme"))
        if not in_schemes:
            warn(f"vocabularies: concept {node_id} has no skos:inScheme; skipped")
        for scheme in in_schemes:
            if scheme in concepts_of:
                concepts_of[scheme].append(node_id)
            else:
                warn(f"vocabularies: concept {node_id} names unknown scheme {scheme}")

    # file names: <LocalName>.ttl, or <prefix>-<LocalName>.ttl when local names collide
    by_local: dict[str, list[str]] = {}
    for scheme in schemes:
        by_local.setdefault(scheme.split(":", 1)[1], []).append(scheme)
    info: dict[str, dict] = {}
    for scheme in schemes:
        prefix, local = scheme.split(":", 1)
        clash = len(by_local[local]) > 1 and prefix != "ceterms"
        info[scheme] = {"file": f"{prefix}-{local}.ttl" if clash else f"{local}.ttl"}

    # remove scheme files of an earlier run (only files this script wrote)
    for old in out_dir.glob("*.ttl"):
        with open(old, encoding="utf-8") as fh:
            first = fh.readline()
        if first.startswith("# ") and SCHEME_FILE_MARK in first:
            old.unlink()

    for scheme in schemes:
        node = nodes[scheme]
        members = concepts_of[scheme]
        listed = as_list(node.get("meta:hasConcept"))
        if listed and set(listed) != set(members):
            missing = sorted(set(listed) - set(members))
            extra = sorted(set(members) - set(listed))
            warn(f"vocabularies: {scheme}: meta:hasConcept vs skos:inScheme differ "
                 f"(listed only: {missing}, inScheme only: {extra})")
        concept_prefixes = sorted({c.split(":", 1)[0] for c in members + listed if ":" in c})
        if len(concept_prefixes) != 1:
            warn(f"vocabularies: {scheme}: concept prefixes {concept_prefixes}")
        concept_prefix = concept_prefixes[0] if concept_prefixes else None
        namespace = shared.prefixes.get(concept_prefix) if concept_prefix else None
        if concept_prefix and not namespace:
            warn(f"vocabularies: {scheme}: no namespace known for concept prefix "
                 f"'{concept_prefix}:'; concepts keep the IRIs of the source ('{concept_prefix}:Name')")
        info[scheme].update(prefix=concept_prefix, namespace=namespace,
                            concepts=len(members), iri=shared.expand(scheme))

        g = Graph(bind_namespaces="none")
        g.bind("ceterms", CETERMS)
        g.bind("ceasn", CEASN)
        g.bind("qdata", QDATA)
        g.bind("skos", SKOS)
        g.bind("ctdlsh", CTDLSH)
        if namespace:
            g.bind(concept_prefix, Namespace(namespace))
        s = URIRef(shared.expand(scheme))
        g.add((s, RDF.type, SKOS.ConceptScheme))
        for lit in lang_literals(node.get("rdfs:label")):
            g.add((s, SKOS.prefLabel, lit))
        for lit in lang_literals(node.get("rdfs:comment")):
            g.add((s, SKOS.definition, lit))
        if concept_prefix:
            g.add((s, CTDLSH.conceptPrefix, Literal(concept_prefix)))
        if namespace:
            g.add((s, CTDLSH.conceptNamespace, Literal(namespace)))
        for top in as_list(node.get("skos:hasTopConcept")):
            g.add((s, SKOS.hasTopConcept, URIRef(shared.expand(top))))
        for concept_id in members:
            concept = nodes[concept_id]
            c = URIRef(shared.expand(concept_id))
            g.add((c, RDF.type, SKOS.Concept))
            g.add((c, SKOS.inScheme, s))
            labels = lang_literals(concept.get("skos:prefLabel"))
            if not labels:
                warn(f"vocabularies: {concept_id} has no skos:prefLabel")
            for lit in labels:
                g.add((c, SKOS.prefLabel, lit))
            for lit in lang_literals(concept.get("skos:definition")):
                g.add((c, SKOS.definition, lit))
            g.add((c, SKOS.notation, Literal(local_name(concept_id))))
            for broader in as_list(concept.get("skos:broader")):
                g.add((c, SKOS.broader, URIRef(shared.expand(broader))))
            for top_of in as_list(concept.get("skos:topConceptOf")):
                g.add((c, SKOS.topConceptOf, URIRef(shared.expand(top_of))))
        header = f"# {scheme}: {SCHEME_FILE_MARK} (concept scheme and its concepts). Do not edit by hand.\n"
        write_text(out_dir / info[scheme]["file"], header + turtle(g, SKOS.ConceptScheme, SKOS.Concept))
    return info


def build_property_schemes(shared: Shared, out_dir: Path, schemes: dict[str, dict]) -> dict[str, str]:
    """<property> ctdlsh:targetScheme <scheme> for every meta:targetScheme in the encodings."""
    found: dict[str, str] = {}
    encodings = shared.encodings + [("qdata", shared.qdata_encoding)]
    for name, path in encodings:
        for node in shared.graph_nodes(path):
            targets = as_list(node.get("meta:targetScheme"))
            if not targets:
                continue
            if len(targets) > 1:
                warn(f"property-schemes: {node['@id']} has several target schemes {targets}; "
                     "using the first")
            if node["@id"] in found:
                if found[node["@id"]] != targets[0]:
                    warn(f"property-schemes: {node['@id']}: {name} says {targets[0]}, "
                         f"earlier encoding says {found[node['@id']]}; keeping the earlier")
                continue
            found[node["@id"]] = targets[0]
    # cross-check with the derived table
    table = {}
    with open(shared.ctdl / "schema/derived/property_target_schemes.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            table[row["property"]] = row["targetScheme"]
    for prop in sorted(set(table) | set(found)):
        if table.get(prop) != found.get(prop):
            warn(f"property-schemes: {prop}: encodings say {found.get(prop)}, "
                 f"property_target_schemes.csv says {table.get(prop)}")
    g = Graph(bind_namespaces="none")
    for prefix, ns in (("ceterms", CETERMS), ("ceasn", CEASN), ("qdata", QDATA), ("ctdlsh", CTDLSH)):
        g.bind(prefix, ns)
    for prop, scheme in sorted(found.items()):
        if scheme not in schemes:
            # external code lists (SOC, NAICS, CIP): see frameworks.ttl
            warn(f"property-schemes: {prop} targets {scheme}, which has no vocabulary file; left out")
            continue
        g.add((URIRef(shared.expand(prop)), CTDLSH.targetScheme, URIRef(shared.expand(scheme))))
    header = ("# Vocabulary-valued properties and the concept scheme their values come from\n"
              "# (meta:targetScheme of the CTDL, CTDL-ASN and QData schema encodings).\n"
              "# Generated by scripts/build_data.py; do not edit by hand.\n")
    write_text(out_dir / "property-schemes.ttl", header + turtle(g))
    return found


# Facts from the real Registry Assistant output (examples/assistant-pairs/Certification_*.output.json)
FRAMEWORKS = [
    {
        "id": "SOCFramework",
        "label": "SOC / O*NET occupation codes",
        "input_keys": ["ONET_Codes"],
        "input_predicate": CTDLA.socCode,
        "target_property": CETERMS.occupationType,
        "framework": "https://www.onetcenter.org/taxonomy.html",
        "framework_name": "Standard Occupational Classification",
        "template": "https://www.onetonline.org/link/summary/{code}",
        "pattern": r"^\d{2}-\d{4}(\.\d{2})?$",
    },
    {
        "id": "NAICSFramework",
        "label": "NAICS industry codes",
        # The registry publishes Naics / NaicsList as plain ceterms:naics codes (real output), so
        # they keep that meaning; this framework types bare codes sent in IndustryType.
        "input_keys": [],
        "input_predicate": CTDLA.naicsCode,
        "target_property": CETERMS.industryType,
        "framework": "https://www.naics.com/",
        "framework_name": "NAICS - North American Industry Classification System",
        "template": "https://www.naics.com/naics-code-description/?code={code}",
        "pattern": r"^\d{2,6}$",
    },
    {
        "id": "CIPFramework",
        "label": "CIP instructional program codes",
        "input_keys": ["CIP_Codes"],
        "input_predicate": CTDLA.cipCode,
        "target_property": CETERMS.instructionalProgramType,
        # as the registry publishes CIP_Codes (no per-code page in its output)
        "framework": "https://nces.ed.gov/ipeds/cipcode/Default.aspx?y=55",
        "framework_name": "Classification of Instructional Programs",
        "template": "",
        "pattern": r"^\d{2}(\.\d{2}(\d{2})?)?$",
    },
]


def build_frameworks(out_dir: Path) -> None:
    g = Graph(bind_namespaces="none")
    for prefix, ns in (("ceterms", CETERMS), ("ctdlsh", CTDLSH), ("ctdla", CTDLA), ("rdfs", RDFS)):
        g.bind(prefix, ns)
    for fw in FRAMEWORKS:
        s = CTDLSH[fw["id"]]
        g.add((s, RDF.type, CTDLSH.CodeFramework))
        g.add((s, RDFS.label, Literal(fw["label"], lang="en-US")))
        for key in fw["input_keys"]:
            g.add((s, CTDLSH.inputKey, Literal(key)))
        g.add((s, CTDLSH.inputPredicate, fw["input_predicate"]))
        g.add((s, CTDLSH.targetProperty, fw["target_property"]))
        g.add((s, CETERMS.framework, URIRef(fw["framework"])))
        g.add((s, CETERMS.frameworkName, Literal(fw["framework_name"], lang="en-US")))
        if fw["template"]:
            g.add((s, CTDLSH.targetNodeTemplate, Literal(fw["template"])))
        g.add((s, CTDLSH.codePattern, Literal(fw["pattern"])))
    header = ("# Code frameworks used by enrich: a code sent under an input-only predicate becomes a\n"
              "# ceterms:CredentialAlignmentObject on the target property (framework, frameworkName,\n"
              "# codedNotation, targetNode from the template).  Generated by scripts/build_data.py.\n")
    write_text(out_dir / "frameworks.ttl", header + turtle(g, CTDLSH.CodeFramework))


# ISO 4217 "List one" (currency and funds codes), active alphabetic codes as of the 2025
# amendments: https://www.iso.org/iso-4217-currency-codes.html (maintained by SIX Financial
# Information, https://www.six-group.com/en/products-services/financial-information/data-standards.html).
# Withdrawn codes are left out (e.g. HRK 2023, SLL, ZWL -> ZWG 2024, ANG -> XCG 2025, CUC).
# Fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals, SDR / units of
# account (XAG, XAU, XBA-XBD, XDR, XPD, XPT, XSU, XUA), XTS (testing) and XXX (no currency) are
# part of the list and kept.
ISO4217_CODES = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB
XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
""".split()


def build_iso4217(out_dir: Path) -> int:
    codes = sorted(set(ISO4217_CODES))
    assert len(codes) == len(ISO4217_CODES), "duplicate ISO 4217 code in the list"
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)
    g = Graph(bind_namespaces="none")
    g.bind("ctdlsh", CTDLSH)
    g.bind("rdfs", RDFS)
    s = CTDLSH.CurrencyCodes
    g.add((s, RDFS.label, Literal("ISO 4217 active currency codes", lang="en-US")))
    for code in codes:
        g.add((s, CTDLSH.code, Literal(code)))
    header = ("# Active ISO 4217 alphabetic currency codes (list in scripts/build_data.py, which\n"
              "# cites the standard).  Generated by scripts/build_data.py; do not edit by hand.\n")
    write_text(out_dir / "iso4217.ttl", header + turtle(g))
    return len(codes)


# --------------------------------------------------------------------------------------
# 2. Contexts
# --------------------------------------------------------------------------------------
CONTEXT_INDEX = {
    "http://credreg.net/ctdl/schema/context/json": "ctdl.json",
    "https://credreg.net/ctdl/schema/context/json": "ctdl.json",
    "http://credreg.net/ctdlasn/schema/context/json": "ctdlasn.json",
    "https://credreg.net/ctdlasn/schema/context/json": "ctdlasn.json",
    "http://credreg.net/qdata/schema/context/json": "qdata.json",
    "https://credreg.net/qdata/schema/context/json": "qdata.json",
    INPUT_CONTEXT_URL: "assistant-input.jsonld",
}


def qdata_context(shared: Shared) -> dict:
    """CE's QData JSON-LD context, which the reference data does not hold a copy of: derived from
    the QData schema encoding (every property it defines, with the coercion its range implies, as
    the CTDL context writes its terms) on top of the CTDL context's prefixes and terms, so that a
    document written against https://credreg.net/qdata/schema/context/json reads as the registry
    means it."""
    ctdl = json.loads((shared.ctdl / "schema/ctdl/ctdl-context.json").read_text(encoding="utf-8"))["@context"]
    encoding = json.loads(Path(shared.ctdl / "schema/qdata/qdata-schema-encoding-2023-10.json").read_text(encoding="utf-8"))
    classes = {n["@id"] for n in encoding["@graph"] if "rdfs:Class" in _as_list(n.get("@type"))}
    context = dict(ctdl)
    for node in encoding["@graph"]:
        if "rdf:Property" not in _as_list(node.get("@type")) or node["@id"] in context:
            continue
        ranges = _as_list(node.get("schema:rangeIncludes"))
        if "rdf:langString" in ranges:
            context[node["@id"]] = {"@container": "@language"}
        elif ranges and all(r in classes or r.split(":")[0] in ("ceterms", "ceasn", "qdata", "skos") or
                            r in ("xsd:anyURI", "schema:URL") for r in ranges):
            context[node["@id"]] = {"@type": "@id"}
        elif len(ranges) == 1 and ranges[0].startswith("xsd:") and ranges[0] != "xsd:string":
            context[node["@id"]] = {"@type": ranges[0]}
    return {"@context": context}


def _as_list(v) -> list:
    return [] if v is None else v if isinstance(v, list) else [v]


def scan_context_urls(shared: Shared) -> dict[str, int]:
    """Every string @context value used in the example documents, with counts."""
    counts: dict[str, int] = {}

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    for entry in as_list(item):
                        if isinstance(entry, str):
                            counts[entry] = counts.get(entry, 0) + 1
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted((shared.ctdl / "examples").rglob("*")):
        if path.is_file() and path.suffix in (".json", ".jsonld", ".txt"):
            try:
                walk(load_lenient_json(path))
            except (ValueError, json.JSONDecodeError) as exc:
                warn(f"contexts: could not parse {path.relative_to(shared.root)}: {exc}")
    return counts


def build_contexts(shared: Shared, out_dir: Path) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared.ctdl / "schema/ctdl/ctdl-context.json", out_dir / "ctdl.json")
    shutil.copyfile(shared.ctdl / "schema/ctdlasn/ctdlasn-context.json", out_dir / "ctdlasn.json")
    write_json(out_dir / "qdata.json", qdata_context(shared))
    write_json(out_dir / "index.json", CONTEXT_INDEX)
    used = scan_context_urls(shared)
    for url, n in sorted(used.items()):
        if url not in CONTEXT_INDEX:
            warn(f"contexts: context URL used in examples but not served locally: {url} ({n}x)")
    return used


# --------------------------------------------------------------------------------------
# 3. The input context
# --------------------------------------------------------------------------------------
# Input model classes whose properties become terms, most important first: when the same JSON
# key means different CTDL properties in different classes, the first class gives the global
# term and the others get property-scoped contexts.
INPUT_CLASSES = [
    "Organization", "Credential", "Assessment", "LearningOpportunity", "ConditionProfile",
    "CostProfile", "CostProfileItem", "DurationProfile", "Place", "ContactPoint",
    "JurisdictionProfile", "OrganizationReference", "EntityReference", "IdentifierValue",
    "ValueProfile", "QuantitativeValue", "ProcessProfile", "FinancialAssistanceProfile",
    "CredentialAlignmentObject", "FrameworkItem", "AggregateDataProfile",
]
# base classes of the above and classes real (also 2017) inputs use; nested classes are added
# automatically from the type column
EXTRA_CLASSES = ["BaseRequestHelper", "BaseEntityReference", "RevocationProfile",
                 "VerificationServiceProfile", "ConditionManifest", "CostManifest",
                 # a DataSetProfile's observations come as ReferenceObjects
                 "Observation"]

# CTDL class used to choose between same-named properties in several namespaces
CTDL_CLASS_OF = {
    "Organization": "ceterms:CredentialOrganization",
    "OrganizationReference": "ceterms:CredentialOrganization",
    "Credential": "ceterms:Certification",
    "Assessment": "ceterms:AssessmentProfile",
    "LearningOpportunity": "ceterms:LearningOpportunityProfile",
    "EntityReference": "ceterms:LearningOpportunityProfile",
    "BaseEntityReference": "ceterms:LearningOpportunityProfile",
    "CostProfileItem": "ceterms:CostProfile",
    "FrameworkItem": "ceterms:CredentialAlignmentObject",
    "QuantitativeValue": "schema:QuantitativeValue",
    "MonetaryAmount": "schema:MonetaryAmount",
    "MonetaryAmountDistribution": "schema:MonetaryAmountDistribution",
    "DataSetProfile": "qdata:DataSetProfile",
    "DataSetTimeFrame": "qdata:DataSetTimeFrame",
    "DataProfile": "qdata:DataProfile",
}
CANDIDATE_PREFIXES = ["ceterms", "ceasn", "schema", "qdata", "skos", "asn"]

# value classes whose properties are all repeated in the scoped context of the properties
# that take them (alignment objects: "Name" there is ceterms:targetNodeName, ...)
ALIGNMENT_CLASSES = ["FrameworkItem", "CredentialAlignmentObject"]

# Simple type names that are not ceterms classes (ceterms classes resolve through @vocab)
TYPE_NAME_TERMS = {
    "Assessment": "ceterms:AssessmentProfile",
    "LearningOpportunity": "ceterms:LearningOpportunityProfile",
}

# Request envelope keys (BaseRequest) and legacy envelope keys -> input-only predicates
ENVELOPE_PAYLOAD_KEYS = {"Organization", "Credential", "Assessment", "LearningOpportunity",
                         "ConditionManifest", "CostManifest", "GraphInput"}

# Terms fixed by the design (input-only predicates of enrich, type aliases)
FIXED_TERMS: dict[str, object] = {
    "Type": "@type",
    "CredentialType": "@type",
    "CTID": {"@id": "ceterms:ctid", "@type": "xsd:string"},
    "ONET_Codes": {"@id": "ctdla:socCode"},
    # plain NAICS codes, as the registry publishes them (real output: "ceterms:naics": [...])
    "Naics": {"@id": "ceterms:naics"},
    "NaicsList": {"@id": "ceterms:naics"},
    "CIP_Codes": {"@id": "ctdla:cipCode"},
    "CostItems": {"@id": "ctdla:costItem"},
    "IsQAOrganization": {"@id": "ctdla:isQAOrganization", "@type": "xsd:boolean"},
}

# free-text alternatives to framework codes, with their language-map spellings
for _name in ("OccupationType", "IndustryType", "InstructionalProgramType"):
    for _suffix in ("", "_Map", "LangMap"):
        FIXED_TERMS[f"Alternative{_name}{_suffix}"] = {"@id": f"ctdla:alternative{_name}",
                                                      "@container": "@language"}

# the spellings of a language map's key ("Name_Map", "NameLangMap"); not any key ending in "Map"
# (HasAlignmentMap is a list of CTIDs)
LANG_SUFFIXES = ("_LangMap", "_Map", "LangMap")


def request_classes(repo: Path) -> list[str]:
    """The input-model classes of every request type's resource and members
    (contexts/assistant-wrappers.json, hand-kept): each gets its own context
    (contexts/assistant-classes.json) where its keys mean something else than globally."""
    table = json.loads((repo / "contexts/assistant-wrappers.json").read_text("utf-8"))
    out: list[str] = []
    for spec in [*table["wrappers"].values(), *table.get("lists", {}).values()]:
        for cls in [spec.get("class"), *(m.get("class") for m in spec.get("members", {}).values())]:
            if cls and cls not in out:
                out.append(cls)
    return out + [c for c in table.get("reference_classes", {}).values() if c not in out]


class InputModel:
    def __init__(self, shared: Shared, request_classes: list[str] = ()):
        self.request_classes = list(request_classes)
        with open(shared.ctdl / "assistant-input-model.csv", newline="", encoding="utf-8") as fh:
            self.rows = list(csv.DictReader(fh))
        with open(shared.ctdl / "assistant-request-wrappers.csv", newline="", encoding="utf-8") as fh:
            self.wrappers = list(csv.DictReader(fh))
        self.by_class: dict[str, list[dict]] = {}
        for row in self.rows:
            self.by_class.setdefault(row["class"], []).append(row)

    def value_classes(self, row: dict) -> list[str]:
        return [t for t in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", row["type"])
                if t in self.by_class and t != row["class"]]

    def classes(self) -> list[str]:
        order: list[str] = []
        wanted = INPUT_CLASSES + EXTRA_CLASSES + [c for c in self.request_classes
                                                  if c not in INPUT_CLASSES + EXTRA_CLASSES]
        todo = [c for c in wanted if c in self.by_class]
        for c in wanted:
            if c not in self.by_class:
                warn(f"input-context: class {c} is not in the input model")
        while todo:
            cls = todo.pop(0)
            if cls in order:
                continue
            order.append(cls)
            for row in self.by_class[cls]:
                for vc in self.value_classes(row):
                    if vc not in order and vc not in todo:
                        todo.append(vc)
        return order


def is_language_key(row: dict) -> bool:
    key = row["json_key"]
    return row["is_language_map"] == "yes" or key.endswith(LANG_SUFFIXES)


def base_name(key: str) -> str:
    for suffix in LANG_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


class ContextBuilder:
    def __init__(self, shared: Shared, model: InputModel, overrides: dict,
                 target_schemes: dict[str, str], schemes: dict[str, dict]):
        self.shared = shared
        self.model = model
        self.overrides = overrides
        self.target_schemes = target_schemes
        self.schemes = schemes
        self.props: dict[str, dict] = {}
        with open(shared.ctdl / "schema/derived/properties.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["curie"] not in self.props or row["namespace"] == "ctdl":
                    self.props[row["curie"]] = row
        self.classes_csv = set()
        with open(shared.ctdl / "schema/derived/classes.csv", newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                self.classes_csv.add(row["curie"])
        self.unmapped: list[str] = []

    # -- choosing the CTDL property of a row -------------------------------------------
    def ctdl_class(self, cls: str) -> str | None:
        if cls in CTDL_CLASS_OF:
            return CTDL_CLASS_OF[cls]
        for prefix in ("ceterms", "ceasn", "skos", "asn", "qdata"):
            if f"{prefix}:{cls}" in self.classes_csv:
                return f"{prefix}:{cls}"
        return None

    def guess_property(self, cls: str, key: str) -> str | None:
        local = lower_first(base_name(key))
        candidates = [f"{p}:{local}" for p in CANDIDATE_PREFIXES
                      if f"{p}:{local}" in self.props or f"{p}:{local}" in self.shared.term_defs]
        if not candidates:
            return None
        domain_class = self.ctdl_class(cls)
        if domain_class:
            matching = [c for c in candidates
                        if domain_class in self.props.get(c, {}).get("domainIncludes", "").split("|")]
            if matching:
                return matching[0]
        return candidates[0]

    def term_for(self, curie: str, row: dict | None, language: bool) -> dict:
        """Term definition for a CTDL property, with the coercion the CTDL context gives it."""
        term: dict = {"@id": curie}
        ctx = self.shared.term_defs.get(curie, {})
        if language:
            term["@container"] = "@language"
            return term
        if self.target_schemes.get(curie) in self.schemes:
            term["@type"] = "@vocab"
            scheme = self.schemes[self.target_schemes[curie]]
            if scheme.get("namespace"):
                # bare concept names ("Vendor", "Tuition") resolve inside the scheme
                term["@context"] = {"@vocab": scheme["namespace"]}
            return term
        if ctx.get("@type") == "@id":
            prop = self.props.get(curie, {})
            ranges = prop.get("rangeIncludes", "").split("|")
            string_input = row is not None and row["type"] in ("string", "List<string>")
            if string_input and "ceterms:CredentialAlignmentObject" in ranges \
                    and "xsd:anyURI" not in ranges:
                # text given for an alignment-object property (Subject, InDemandAction...):
                # a literal, which enrich turns into a CredentialAlignmentObject
                return term
            term["@type"] = "@id"
            return term
        if "@type" in ctx:
            term["@type"] = ctx["@type"]
        elif ctx.get("@container") == "@language":
            term["@container"] = "@language"
        return term

    def resolve_override(self, value: object, row: dict | None, language: bool) -> object:
        """Override values: a CURIE (coercion derived by the rules) or a full term definition."""
        if isinstance(value, str) and not value.startswith("@"):
            return self.term_for(value, row, language)
        return value

    def row_keys(self, cls: str) -> list[tuple[dict, str]]:
        """(row, JSON key) pairs of a class.  A language map whose JSON key is now the CTDL
        term ("NameLangMap" binds as "ceterms:name" since 2025) is also accepted under its C#
        name and its pre-2025 "<Name>_Map" spelling."""
        out = []
        for row in self.model.by_class[cls]:
            key = row["json_key"]
            if key == "(JsonIgnore)" or key.startswith("@"):
                continue
            if ":" in key:
                if row["is_language_map"] == "yes" and row["ctdl_property"] == key:
                    legacy = [row["property"], base_name(row["property"]) + "_Map"]
                    out += [(row, k) for k in dict.fromkeys(legacy) if ":" not in k]
                continue
            out.append((row, key))
        return out

    def class_terms(self, cls: str) -> dict[str, object]:
        terms: dict[str, object] = {}
        class_overrides = {k: v for k, v in
                           self.overrides.get("class_properties", {}).get(cls, {}).items()
                           if not k.startswith("_")}
        for row, key in self.row_keys(cls):
            language = is_language_key(row)
            if key in class_overrides:
                terms[key] = self.resolve_override(class_overrides[key], row, language)
                continue
            if key in FIXED_TERMS or key in self.overrides.get("terms", {}) \
                    or key in self.overrides.get("aliases", {}):
                continue
            if "get-only" in row["notes"]:
                continue
            # a stated ctdl_property is kept even where the (2023) qdata tables do not know it
            curie = row["ctdl_property"] or self.guess_property(cls, key)
            if not curie:
                self.unmapped.append(f"{cls}.{key}")
                continue
            terms[key] = self.term_for(curie, row, language)
        for key, value in class_overrides.items():
            if key not in terms:
                terms[key] = self.resolve_override(value, None, key.endswith(LANG_SUFFIXES))
        # a language map means what its plain key means in this class ("NameLangMap" of a
        # CompetencyFramework is ceasn:name, though the Registry Assistant's model names
        # ceterms:name), unless the class says otherwise
        for key, term in list(terms.items()):
            base = terms.get(base_name(key)) if base_name(key) != key else None
            if key in class_overrides or not isinstance(base, dict) or not isinstance(term, dict):
                continue
            if base.get("@id") != term.get("@id") and base.get("@container") == "@language" \
                    and term.get("@container") == "@language":
                terms[key] = {"@id": base["@id"], "@container": "@language"}
        return terms

    # -- assembling -------------------------------------------------------------------
    def build(self) -> dict:
        classes = self.model.classes()
        self.used_classes = classes
        per_class = {cls: self.class_terms(cls) for cls in classes}

        terms: dict[str, object] = {}
        origin: dict[str, str] = {}
        for cls in classes:
            for key, term in per_class[cls].items():
                if key not in terms:
                    terms[key] = term
                    origin[key] = cls

        # property-scoped contexts where a key means something else in the value class
        scoped: dict[str, dict] = {}
        for cls in classes:
            for row in self.model.by_class[cls]:
                key = row["json_key"]
                if key not in terms:
                    continue
                for vc in self.model.value_classes(row):
                    if vc in ALIGNMENT_CLASSES:
                        wanted = {}
                        for ac in ALIGNMENT_CLASSES:
                            for k, t in per_class.get(ac, {}).items():
                                wanted.setdefault(k, t)
                    else:
                        wanted = {k: t for k, t in per_class.get(vc, {}).items() if terms.get(k) != t}
                    if not wanted:
                        continue
                    ctx = scoped.setdefault(key, {})
                    for k, t in wanted.items():
                        if k in ctx and ctx[k] != t:
                            warn(f"input-context: {key}: scoped term {k} is {ctx[k]} for one value class "
                                 f"and {t} for {vc}; keeping the first")
                            continue
                        ctx[k] = t
        # a request type's resource or member class: its own context, where a key means something
        # else than globally (Name in a CompetencyFramework is ceasn:name)
        # (computed at the end, against the final global terms)
        # a class-specific meaning nobody can reach through a property
        reachable = {vc for cls in classes for row in self.model.by_class[cls]
                     for vc in self.model.value_classes(row)} | set(self.model.request_classes)
        for cls in classes:
            for key, term in per_class[cls].items():
                if terms.get(key) != term and cls not in reachable and cls not in ALIGNMENT_CLASSES:
                    warn(f"input-context: {cls}.{key} means {term} but the global term is {terms[key]} "
                         f"(from {origin[key]}) and {cls} is no property's value class")

        for key, ctx in scoped.items():
            term = terms[key]
            if isinstance(term, str):
                term = {"@id": term}
            term = dict(term)
            if "@context" in term:
                merged = dict(term["@context"])
                merged.update(ctx)
                ctx = merged
            term["@context"] = dict(sorted(ctx.items()))
            terms[key] = term

        # legacy / alternative spellings: the same definition as the modern key
        for alias, target in self.overrides.get("aliases", {}).items():
            if alias.startswith("_"):
                continue
            if target not in terms:
                warn(f"input-context: alias {alias} -> {target}: no such term")
                continue
            terms[alias] = terms[target]

        # type names that are not ceterms classes
        for curie in sorted(self.classes_csv):
            prefix, local = curie.split(":", 1)
            if prefix != "ceterms" and f"ceterms:{local}" not in self.classes_csv:
                if local in terms:
                    warn(f"input-context: type name {local} ({curie}) is also a property key; "
                         "the property wins")
                    continue
                terms.setdefault(local, curie)
        for name, curie in TYPE_NAME_TERMS.items():
            if name in terms and terms[name] != curie:
                warn(f"input-context: type name {name} is also a property key {terms[name]}")
            terms[name] = curie

        # envelope (request wrapper) keys: input-only predicates
        for row in self.model.wrappers:
            if row["request_class"] != "BaseRequest":
                continue
            for part in row["extra_properties"].split(";"):
                name = part.strip().split(" ")[0]
                if name:
                    terms.setdefault(name, {"@id": f"ctdla:{lower_first(name)}"})

        terms.update(FIXED_TERMS)
        for key, value in self.overrides.get("terms", {}).items():
            if key.startswith("_"):
                continue
            terms[key] = self.resolve_override(value, None, key.endswith(LANG_SUFFIXES))

        def own(term: object) -> object:   # a term without the scoped context it got above
            return {k: v for k, v in term.items() if k != "@context"} if isinstance(term, dict) else term

        self.class_contexts = {}
        for cls in self.model.request_classes:
            differs = {}
            for k, t in per_class.get(cls, {}).items():
                if own(terms.get(k)) != own(t):
                    scoped = terms.get(k, {}).get("@context") if isinstance(terms.get(k), dict) else None
                    differs[k] = {**t, "@context": scoped} if scoped and isinstance(t, dict) and "@context" not in t else t
            self.class_contexts[cls] = dict(sorted(differs.items()))

        body = {"@version": 1.1, "@vocab": "https://purl.org/ctdl/terms/",
                "ctdla": "urn:ctdl-assistant:input:"}
        for key in sorted(terms):
            body[key] = terms[key]
        return {"@context": [CTDL_CONTEXT_URL, CTDLASN_CONTEXT_URL, body]}


def sort_context(value: object) -> object:
    if isinstance(value, dict):
        return {k: sort_context(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sort_context(v) for v in value]
    return value


def key_coverage(context: dict, document: object, ctdl_terms: set[str]) -> list[str]:
    """Keys of a simple-JSON request that the input context does not define (walks the
    document with property-scoped contexts, like a JSON-LD processor would)."""
    body = context["@context"][-1]
    missing: list[str] = []

    def term_table(base: dict, scoped: dict | None) -> dict:
        if not scoped:
            return base
        merged = dict(base)
        merged.update(scoped)
        return merged

    def walk(value: object, table: dict, path: str) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, table, f"{path}/{i}")
            return
        if not isinstance(value, dict):
            return
        for key, item in value.items():
            here = f"{path}/{key}"
            if key.startswith("@"):
                if key in ("@graph", "@list", "@set"):
                    walk(item, table, here)
                continue
            if ":" in key:
                if key.split(":", 1)[0] not in ("ceterms", "ceasn", "qdata", "schema", "skos") \
                        and key not in ctdl_terms:
                    missing.append(here)
                continue  # CTDL terms: the CTDL context handles them
            if key not in table:
                missing.append(here)
                continue
            term = table[key]
            if term == "@type" or (isinstance(term, dict) and term.get("@id") == "@type"):
                continue
            if isinstance(term, dict) and term.get("@container") == "@language" and isinstance(item, dict):
                continue
            scoped = term.get("@context") if isinstance(term, dict) else None
            walk(item, term_table(table, scoped), here)

    table = {k: v for k, v in body.items() if not k.startswith("@")}
    if isinstance(document, dict):
        for key, item in document.items():
            if key in ENVELOPE_PAYLOAD_KEYS:
                if key != "GraphInput":
                    walk(item, table, f"/{key}")
            else:
                walk({key: item}, table, "")
    return missing


def build_input_context(shared: Shared, repo: Path, target_schemes: dict[str, str],
                        schemes: dict[str, dict]) -> tuple[dict, list[str], list[str], list[str]]:
    overrides_path = repo / "scripts/input-context-overrides.json"
    overrides = json.loads(overrides_path.read_text("utf-8")) if overrides_path.is_file() else {}
    model = InputModel(shared, request_classes(repo))
    builder = ContextBuilder(shared, model, overrides, target_schemes, schemes)
    context = sort_context(builder.build())
    # keep the array order: the two remote contexts first
    write_json(repo / "contexts/assistant-input.jsonld", context)
    write_json(repo / "contexts/assistant-classes.json", {
        "about": "Per input class of a request type's resource or members: the terms that differ from "
                 "contexts/assistant-input.jsonld, applied as a local context when that resource is lifted. "
                 "Generated by scripts/build_data.py; do not edit.",
        "classes": sort_context(builder.class_contexts)})
    for item in builder.unmapped:
        warn(f"input-context: unmapped model property {item}")

    # every key of the real inputs and the handbook examples must be defined
    ctdl_terms = set(shared.ctdl_context) | set(shared.ctdlasn_context)
    missing: list[str] = []
    pairs = shared.ctdl / "examples/assistant-pairs"
    inputs = sorted(p for p in pairs.rglob("*.json") if not p.name.endswith(".output.json"))
    for path in inputs:
        for pointer in key_coverage(context, load_lenient_json(path), ctdl_terms):
            missing.append(f"{path.relative_to(pairs)}:{pointer}")
    handbook = shared.root / "seeds/registry-assistant-api-handbook.txt"
    if handbook.is_file():
        all_terms = set()
        for key, term in context["@context"][-1].items():
            all_terms.add(key)
            if isinstance(term, dict):
                all_terms.update(term.get("@context", {}))
        for key in sorted(set(re.findall(r'"([A-Z][A-Za-z0-9_]*)"\s*:', handbook.read_text("utf-8")))):
            if key not in all_terms and key not in ENVELOPE_PAYLOAD_KEYS:
                missing.append(f"handbook:{key}")
    for item in missing:
        warn(f"input-context: key not mapped: {item}")
    return context, builder.unmapped, missing, builder.used_classes


# --------------------------------------------------------------------------------------
# 4. Test data
# --------------------------------------------------------------------------------------
def source_rows(shared: Shared) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in (shared.ctdl / "SOURCES.md").read_text("utf-8").splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def copy_schema_encodings(shared: Shared, repo: Path) -> list[str]:
    """The CTDL, CTDL-ASN and QData schema encodings, from which `ctdl shapes generate` writes the
    schema shapes (shapes/schema/): copied byte for byte into vocabularies/schema/ (QData says which
    classes reuse ceterms: terms: a DataSetProfile's ceterms:name, ctid, description...)."""
    out = repo / "vocabularies" / "schema"
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for rel in ("ctdl/ctdl-schema-encoding.json", "ctdlasn/ctdlasn-schema-encoding.json",
                "qdata/qdata-schema-encoding-2023-10.json"):
        src = shared.ctdl / "schema" / rel
        shutil.copyfile(src, out / src.name)
        names.append(src.name)
    return names


def copy_test_data(shared: Shared, repo: Path) -> dict[str, int]:
    data = repo / "tests/data"
    rows = source_rows(shared)
    copied: list[tuple[str, str]] = []  # (repo-relative destination, shared-relative source)
    counts = {}

    pairs_dst = data / "assistant-pairs"
    if pairs_dst.exists():
        shutil.rmtree(pairs_dst)
    src_root = shared.ctdl / "examples/assistant-pairs"
    for src in sorted(p for p in src_root.rglob("*") if p.is_file()):
        dst = pairs_dst / src.relative_to(src_root)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        copied.append((str(dst.relative_to(data)), str(src.relative_to(shared.ctdl))))
    counts["assistant-pairs"] = len(copied)

    def copy_tree(src_dir: Path, dst_dir: Path, suffixes: tuple[str, ...]) -> list[Path]:
        """Replace dst_dir by the files of src_dir (recursively) with these suffixes."""
        if dst_dir.exists():
            shutil.rmtree(dst_dir)
        files = sorted(p for p in src_dir.rglob("*") if p.is_file() and p.suffix in suffixes)
        for src in files:
            dst = dst_dir / src.relative_to(src_dir)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            copied.append((str(dst.relative_to(data)), str(src.relative_to(shared.ctdl))))
        return files

    legacy = shared.ctdl / "examples/legacy"
    total = sum(p.stat().st_size for p in legacy.rglob("*.json") if p.is_file())
    if total >= 2 * 1024 * 1024:
        raise SystemExit(f"legacy registry documents are {total} bytes (>= 2 MB); choose a selection")
    counts["registry"] = len(copy_tree(legacy, data / "registry", (".json",)))
    counts["registry_bytes"] = total
    counts["modelling"] = len(copy_tree(shared.ctdl / "examples/modelling", data / "modelling", (".json", ".jsonld")))

    for name in ("assistant-input-model.csv", "assistant-request-wrappers.csv"):
        shutil.copyfile(shared.ctdl / name, data / name)
        copied.append((name, name))

    for src_name, dst_name in (("bulk/cass/cass-editor_ctdlasn-csv_template_header.csv", "bulk/cass-header.csv"),
                               # the columns of the real bulk-upload templates (support services...)
                               ("bulk/bulk_upload_column_lists.csv", "bulk/bulk_upload_column_lists.csv"),
                               # a real course upload (Kutztown University's catalog, an excerpt)
                               ("bulk/course_bulk_upload_EXCERPT_kutztown.csv", "bulk/kutztown-courses.csv")):
        bulk_src, bulk_dst = shared.ctdl / src_name, data / dst_name
        bulk_dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bulk_src, bulk_dst)
        copied.append((str(bulk_dst.relative_to(data)), str(bulk_src.relative_to(shared.ctdl))))

    lines = [
        "# Sources of the test data",
        "",
        "Generated by `scripts/build_data.py` from the project's shared CTDL reference data; every",
        "file is a byte-for-byte copy of a public file (facts below copied from the reference",
        "data's own SOURCES table).  The project's tests read only these copies.",
        "",
        "* `assistant-pairs/`: real Registry Assistant API inputs (simple JSON, some non-strict",
        "  JSON with comments / trailing commas) and, for three of them, the CTDL the real service",
        "  produced (`*.input.json` -> `*.output.json`); `legacy-2017/` holds 2017 input samples.",
        "* `registry/`: 2017-2018 Credential Registry documents (seeds, server test fixtures,",
        "  validation test payloads; files named `invalid_*` or under `invalid/` are meant to fail).",
        f"  All {counts['registry']} JSON documents ({total} bytes) are copied, keeping the subfolders;",
        "  the three `.txt` payloads of the source folder are not copied.  One file",
        "  (`validation-test-data-2018/invalid/assessmentProfileSchema_2018-03-15_assessment_10a_payload.json`)",
        "  is not UTF-8 (Windows-1252), as in the source.",
        "* `bulk/cass-header.csv`: the CaSS editor CTDL-ASN CSV import template (header row only).",
        "* `assistant-input-model.csv`, `assistant-request-wrappers.csv`: every class and key real",
        "  clients send to the Registry Assistant (type, CTDL property), and every request type (for",
        "  the input-model coverage test).",
        f"* `modelling/`: Credential Engine's {counts['modelling']} modelling examples (Handbook, pathways,",
        "  rubrics, ...): not registry records, some deliberately partial (example.org URIs, blank",
        "  nodes, no CTIDs); `ctdl validate` must read every one without crashing.",
        "",
        "| file | source repository | source path | commit | what it is |",
        "|---|---|---|---|---|",
    ]
    for dst, src in copied:
        row = rows.get(src)
        if row is None and src.startswith("assistant-"):
            row = ["CredentialEngine/Registry_Assistant", "`src/RA.Models/Input/**/*.cs`", "d85a12069d99",
                   "DERIVED fact table of the Registry Assistant's input model (classes, JSON keys, types, "
                   "CTDL terms where stated; request wrappers); see the reference data's "
                   "assistant-input-model.SOURCE.md"]
        if row is None:
            warn(f"test-data: no SOURCES row for {src}")
            row = ["?", "?", "?", "?"]
        what = row[3].replace("\n", " ")
        lines.append(f"| `{dst}` | {row[0]} | {row[1]} | {row[2]} | {what} |")
    write_text(data / "SOURCES.md", "\n".join(lines) + "\n")
    counts["files"] = len(copied)
    return counts


# --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                        help="the shared reference data folder (default: ../shared)")
    parser.add_argument("--repo", type=Path, default=REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shared = Shared(args.shared.resolve())
    repo = args.repo.resolve()

    vocab_dir = repo / "vocabularies"
    vocab_dir.mkdir(parents=True, exist_ok=True)
    schemes = build_vocabularies(shared, vocab_dir)
    target_schemes = build_property_schemes(shared, vocab_dir, schemes)
    build_frameworks(vocab_dir)
    n_codes = build_iso4217(vocab_dir)
    used_urls = build_contexts(shared, repo / "contexts")
    _, unmapped, missing, classes = build_input_context(shared, repo, target_schemes, schemes)
    counts = copy_test_data(shared, repo)
    encodings = copy_schema_encodings(shared, repo)

    print(f"vocabularies: {len(schemes)} schemes, "
          f"{sum(s['concepts'] for s in schemes.values())} concepts; "
          f"{len(target_schemes)} property -> scheme links; {n_codes} ISO 4217 codes")
    print(f"contexts: {len(CONTEXT_INDEX)} URLs indexed; URLs used in examples: "
          + ", ".join(f"{u} ({n})" for u, n in sorted(used_urls.items())))
    print(f"input context: classes {', '.join(classes)}")
    print(f"input context: {len(unmapped)} model properties unmapped, {len(missing)} example keys unmapped")
    print(f"schema encodings (for ctdl shapes generate): {', '.join(encodings)}")
    print(f"test data: {counts['files']} files ({counts['assistant-pairs']} assistant-pairs, "
          f"{counts['registry']} registry documents, {counts['registry_bytes']} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
