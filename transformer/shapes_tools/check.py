"""``ctdl shapes check``: is the rule set sound?  Each finding names the file, the line of the
shape and what to fix.

  syntax        the file is not valid Turtle (line and reason; nothing else is checked then)
  shacl         the shapes are not valid SHACL (the W3C SHACL-for-SHACL shapes, run by pyshacl
                with no network)
  unknown-term  an sh:path property, sh:class or sh:in value that is in a CTDL / CTDL-ASN namespace
                but not in the schema or the vocabularies
  undocumented  a shape without sh:name, sh:description, sh:message, sh:group or sh:order
  order         two property shapes of one node shape with the same sh:order in the same group
  severity      a recommended shape (sh:severity sh:Warning) outside group:Recommended
  example       a shape without a valid and an invalid example, or an example it does not accept
                or reject as its expected file says
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..resources import data_dir

SHAPE_NS = "urn:ctdl-assistant:shape:"
GROUP_NS = "urn:ctdl-assistant:group:"
CTDL_NS = ("https://purl.org/ctdl/terms/", "https://purl.org/ctdlasn/terms/")
# rule files that need no examples: generated (vocabularies.ttl: one sh:in per concept scheme,
# checked against its generator) or declarations (constraint components, groups)
NOT_EXAMPLED = {"vocabularies.ttl", "components.ttl", "groups.ttl"}
DOC_PROPS = ("name", "description", "message", "group", "order")


@dataclass
class Finding:
    file: str
    line: int
    shape: str
    code: str
    message: str

    def text(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.shape + ': ' if self.shape else ''}{self.message} [{self.code}]"


def _lines(path: Path) -> dict[str, int]:
    """shape local name -> the line where its description starts."""
    out = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"^shape:([A-Za-z0-9_.\-]+)\s*(?:$|a\s|;)", line)
        if m:
            out.setdefault(m.group(1), i)
    return out


def check_shapes(shapes_dir: Path | None = None, examples: bool = True, meta: bool = True) -> list[Finding]:
    import rdflib

    from ..shacl import shapes_file_error

    shapes_dir = shapes_dir or data_dir("shapes")
    files = sorted(shapes_dir.glob("*.ttl"))
    findings: list[Finding] = []
    g = rdflib.Graph()
    where: dict[str, tuple[str, int]] = {}            # shape IRI -> (file, line)
    owner: dict[str, str] = {}                        # shape IRI -> file name
    for path in files:
        one = rdflib.Graph()
        try:
            one.parse(str(path), format="turtle")
        except Exception as e:  # noqa: BLE001 - reported with its line
            findings.append(Finding(f"shapes/{path.name}", getattr(e, "lines", -1) + 1 if hasattr(e, "lines") else 0,
                                    "", "syntax", shapes_file_error(path, e).split(": ", 1)[-1]))
            continue
        g += one
        lines = _lines(path)
        for s in set(one.subjects()):
            if isinstance(s, rdflib.URIRef) and str(s).startswith(SHAPE_NS):
                name = str(s)[len(SHAPE_NS):]
                where.setdefault(str(s), (f"shapes/{path.name}", lines.get(name, 0)))
                owner.setdefault(str(s), path.name)
    if any(f.code == "syntax" for f in findings):
        return findings
    ctx = _Context(g, where)
    if meta:
        ctx.meta_shacl(findings)
    ctx.terms(findings)
    ctx.documented(findings)
    ctx.orders(findings)
    if examples:   # the examples of these shapes: tests/shapes next to the shapes folder
        from ..ruleset import RuleSet

        ctx.examples(findings, {s for s, f in owner.items() if f not in NOT_EXAMPLED},
                     shapes_dir.resolve().parent / "tests" / "shapes", RuleSet.for_folder(shapes_dir))
    return findings


class _Context:
    def __init__(self, g, where):
        import rdflib
        from rdflib.namespace import RDF, SH

        self.g, self.where, self.SH, self.RDF, self.rdflib = g, where, SH, RDF, rdflib
        index = json.loads((data_dir("vocabularies") / "schema-index.json").read_text(encoding="utf-8"))
        from ..context import ctdl_context

        full = ctdl_context().expand_curie
        self.classes = {full(c) or c for c in index["classes"]}
        self.properties = {full(p) or p for p in index["properties"]}
        self.concepts = _concepts()
        self.named = sorted(str(s) for s in set(g.subjects(RDF.type, SH.NodeShape)) | set(
            g.subjects(RDF.type, SH.PropertyShape)) if str(s).startswith(SHAPE_NS))

    def add(self, findings, shape, code, message):
        file, line = self.where.get(str(shape), ("shapes/", 0))
        name = "shape:" + str(shape)[len(SHAPE_NS):] if str(shape).startswith(SHAPE_NS) else ""
        findings.append(Finding(file, line, name, code, message))

    def meta_shacl(self, findings):
        from pyshacl.entrypoints import meta_validate   # the W3C shacl-shacl shapes pyshacl ships: no network

        conforms, results, _ = meta_validate(self.g, inference="none")
        if conforms:
            return
        SH = self.SH
        for r in results.subjects(self.RDF.type, SH.ValidationResult):
            focus = results.value(r, SH.focusNode)
            self.add(findings, focus, "shacl", f"not valid SHACL: {results.value(r, SH.resultMessage)} "
                     f"(at {results.value(r, SH.resultPath)})")

    def terms(self, findings):
        SH, RDF, g = self.SH, self.RDF, self.g
        for shape in self.named:
            s = self.rdflib.URIRef(shape)
            for iri in _path_iris(g, g.value(s, SH.path), RDF, SH):
                if iri.startswith(CTDL_NS) and iri not in self.properties:
                    self.add(findings, s, "unknown-term", f"sh:path {iri} is not a CTDL / CTDL-ASN property")
            targets = [t for target in g.objects(s, SH.target)
                       for t in g.objects(target, self.rdflib.URIRef("urn:ctdl-assistant:ns:class"))]
            for what, classes in (("sh:class", g.objects(s, SH["class"])), ("sh:targetClass", g.objects(s, SH.targetClass)),
                                  ("target ctdlsh:class", targets)):
                for cls in classes:
                    if str(cls).startswith(CTDL_NS) and str(cls) not in self.classes:
                        self.add(findings, s, "unknown-term", f"{what} {cls} is not a CTDL / CTDL-ASN class")
            for lst in g.objects(s, SH["in"]):
                for v in g.items(lst):
                    if isinstance(v, self.rdflib.URIRef) and str(v).startswith(CTDL_NS) \
                            and str(v) not in self.classes | self.concepts:
                        self.add(findings, s, "unknown-term", f"sh:in value {v} is not a CTDL class or concept")

    def documented(self, findings):
        SH, g = self.SH, self.g
        for shape in self.named:
            s = self.rdflib.URIRef(shape)
            missing = [p for p in DOC_PROPS if g.value(s, SH[p]) is None]
            if missing:
                self.add(findings, s, "undocumented", "has no " + ", ".join("sh:" + p for p in missing))
            if g.value(s, SH.severity) == SH.Warning and str(g.value(s, SH.group)) != GROUP_NS + "Recommended":
                self.add(findings, s, "severity", "is a Warning (recommended) but not in group:Recommended")

    def orders(self, findings):
        SH, RDF, g = self.SH, self.RDF, self.g
        for node in g.subjects(RDF.type, SH.NodeShape):
            if not str(node).startswith(SHAPE_NS):
                continue
            seen: dict[tuple, str] = {}
            paths: dict[str, object] = {}
            for ps in sorted(g.objects(node, SH.property), key=str):
                group, order = g.value(ps, SH.group), g.value(ps, SH.order)
                if order is None or not str(ps).startswith(SHAPE_NS):
                    continue
                key = (str(group), str(order))
                paths[str(ps)] = g.value(ps, SH.path)
                # two shapes of one property (its presence and its values) share its place
                if key in seen and seen[key] != str(ps) and paths[seen[key]] != paths[str(ps)]:
                    self.add(findings, ps, "order", f"sh:order {order} in {str(group)[len(GROUP_NS):]} is also the "
                             f"order of shape:{seen[key][len(SHAPE_NS):]} in {str(node)[len(SHAPE_NS):]}: give "
                             "each property of a node shape its own place")
                seen.setdefault(key, str(ps))

    def examples(self, findings, shapes: set[str], folder: Path, rules=None):
        from .examples import run_examples

        if not folder.is_dir():
            findings.append(Finding(str(folder), 0, "", "example", "no examples folder: every shape needs a valid "
                                    "and an invalid example under tests/shapes/<shape>/"))
            return
        for shape in sorted(shapes):
            name = shape[len(SHAPE_NS):]
            files = {p.name for p in (folder / name).glob("*")} if (folder / name).is_dir() else set()
            if not any(f.startswith("valid") for f in files) or not any(f.startswith("invalid") for f in files):
                self.add(findings, self.rdflib.URIRef(shape), "example", f"needs a valid and an invalid example in "
                         f"tests/shapes/{name}/")
        for result in run_examples(folder=folder, rules=rules):
            if not result.ok:
                shape = self.rdflib.URIRef(SHAPE_NS + result.shape)
                detail = "; ".join(line.strip() for line in result.lines()[:3])
                self.add(findings, shape, "example", f"{result.file.name} does not give the results "
                         f"{result.file.stem}.expected.json lists: {detail}")


def _path_iris(g, path, RDF, SH):
    """The property IRIs of a SHACL path (predicate, sequence, inverse, alternative, ...)."""
    import rdflib

    if path is None:
        return
    if isinstance(path, rdflib.URIRef):
        yield str(path)
        return
    if (path, RDF.first, None) in g:
        for member in g.items(path):
            yield from _path_iris(g, member, RDF, SH)
        return
    for p in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath):
        inner = g.value(path, p)
        if inner is not None:
            yield from _path_iris(g, inner, RDF, SH)


def _concepts() -> set[str]:
    """Every concept IRI of the vocabularies (and the schemes themselves)."""
    from ..vocab import vocabularies

    v = vocabularies()
    return set(v.concepts) | set(v.schemes)
