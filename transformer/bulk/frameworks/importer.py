"""Competency frameworks from a bulk-upload spreadsheet: CSV bytes -> CTDL-ASN ``@graph`` + report.

    result = import_framework(data, registry, language)
    result.document   # {"@context": CTDL-ASN, "@id": .../graph/<ctid>, "@graph": [framework, competencies...]}
    result.report     # transformer.report.Report; every path is /rows/<row>/<column header>
    result.rows       # per spreadsheet row: kind, CTID and its results

Phases (each linear in the number of rows; ``bench/competencies.py`` times them): ``parse``
(decode, CSV, header -> format), ``build`` (rows -> items, CTIDs, parent links, Graph), ``check``
(structural rules, ``checks.py``), ``validate`` (SHACL, ``shapes/competency.ttl``), ``frame``.

CTIDs given in the file are kept (lower-cased); the others are derived (uuid5) from the framework's
identity and the row's @id, Coded Notation or Competency Text path, so that importing the same
file again gives byte-identical output.
"""
from __future__ import annotations

import gc
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from ...enrich import DEFAULT_REGISTRY, Options
from ...ids import CTID_RE
from ...frame import frame
from ...graph import Graph, IRI, Literal, Node, XSD
from ...pointer import pointer_join, row_and_column
from ...report import INFO, Report, Result, VIOLATION, WARNING
from . import checks, ctids, link
from .columns import ASN, CTID, Column, Layout, language_tag, match_header, split_values
from ..sheets.csvfile import Table, read_table
from .items import Item

FRAMEWORK_CLASS = IRI(ASN + "CompetencyFramework")
COMPETENCY_CLASS = IRI(ASN + "Competency")
XSD_LANGUAGE = XSD + "language"
HIERARCHY_SHAPE = "shape:Competency-hierarchy"


@dataclass
class RowReport:
    row: int
    kind: str                   # header | framework | competency | framework+competency | ignored
    ctid: str | None = None     # the competency's CTID (the framework's on a framework row)
    errors: list[Result] = field(default_factory=list)  # the results on this row's cells (/rows/N/Column)

    def as_cells(self) -> list[dict]:
        """The results as the bulk answers give them: {column, value, message, code, severity}."""
        return [{"column": (row_and_column(r.path) or (self.row, ""))[1], "value": r.value, "message": r.message,
                 "code": r.code, "severity": r.severity} for r in self.errors]


@dataclass
class FrameworkImport:
    document: dict | None
    report: Report
    rows: list[RowReport]
    encoding: str
    format: str
    ctid: str | None = None     # the framework's CTID
    graph: Graph | None = None
    table: Table | None = None  # the cells as read (header and rows), e.g. to give the file back


class Importer:
    def __init__(self, registry: str = DEFAULT_REGISTRY, language: str = "en-US", publisher: str | None = None):
        self.opts = Options(registry, language_tag(language or "en-US"))
        self.publisher = publisher
        self.problems: list[Result] = []
        self.framework: Item | None = None
        self.items: list[Item] = []          # competencies, in row order
        self.kinds: dict[int, str] = {}      # row -> kind
        self.graph = Graph()
        self.table: Table | None = None
        self.layout: Layout | None = None
        self._names: dict[str, str] = {}

    # -- phases ----------------------------------------------------------------------------
    def parse(self, data: bytes) -> None:
        from ..sheets.workbook import read_xlsx, sniff, unescape_cell

        if sniff(data) == "xlsx":
            self.table = read_xlsx(bytes(data))
        else:
            self.table = read_table(data)
            # a cell written as '=... so that no spreadsheet runs it as a formula means =...
            self.table.header = [unescape_cell(h) for h in self.table.header]
            self.table.rows = [(n, [unescape_cell(c) for c in cells]) for n, cells in self.table.rows]
        self.layout, problems = match_header(self.table)
        self.problems += self.table.problems + problems
        from .template import is_instruction_row

        for number, cells in self.table.rows[:3]:
            if is_instruction_row(cells):
                self.table.rows = [r for r in self.table.rows if r[0] != number]
                self.problems.append(Result(INFO, "instructions-row", f"row {number} holds the template's "
                                            "instructions: it was skipped", path=f"/rows/{number}"))

    def build(self) -> Graph:
        linker = link.Linker(self)
        if self.layout.format == "cass":
            linker.read_cass()
            linker.identify()
            linker.link_cass()
        else:
            linker.read_template()
            linker.link_template()
            linker.identify()
        self._to_graph()
        return self.graph

    def check(self) -> list[Result]:
        layout = self.layout
        if layout.format == "cass":
            hint = (f"Set {layout.header_of('isTopChildOf')} to the framework's @id, or "
                    f"{layout.header_of('isChildOf')} to the @id of its parent.")
        else:
            hint = "Leave Parent empty for a top-level competency, or name the parent's Coded Notation."
        out = checks.duplicate_codes(self.items)
        out += checks.orphans(self.items, self.cell_pointer, hint)
        out += checks.cycles(self.items)
        self.problems += out
        return out

    def validate(self, engine: str | None = None, rules=None) -> list[Result]:
        from ...validate import validate_graph

        results = validate_graph(self.graph, self.name_for, engine, rules=rules)
        placed_badly = {str(it.iri) for it in self.items if it.unresolved or (it.top is None and not it.parents)}
        taken = {r.path for r in self.problems if r.severity == VIOLATION}
        kept = [r for r in results if not (r.shape == HIERARCHY_SHAPE and r.focus in placed_badly)
                and not (r.severity == VIOLATION and r.path in taken)]
        self.problems += kept
        return kept

    def frame(self) -> dict | None:
        if self.framework is None or self.graph.main is None:
            return None
        return frame(self.graph, self.opts)

    def result(self, document: dict | None) -> FrameworkImport:
        report = Report(list(self.problems))
        return FrameworkImport(document, report, self._rows(report), self.table.encoding, self.layout.format,
                               self.framework.ctid if self.framework else None, self.graph, self.table)

    # -- helpers for the linker and the checks --------------------------------------------
    def cell_pointer(self, item: Item, key: str) -> str:
        cell = item.cells.get(key)
        if cell is not None:
            return cell.pointer
        layout = self.layout
        if layout.format == "template" and key in ("isTopChildOf", "isChildOf"):
            key = "parent"
        return pointer_join(item.pointer, layout.header_of(key))

    def name_for(self, pred: str) -> str:
        name = self._names.get(pred)
        if name is None:
            name = self._names[pred] = self.layout.name_for(pred, "both")
        return name

    def derive(self, namespace: uuid.UUID, key: str) -> str:
        return "ce-" + str(uuid.uuid5(namespace, key))

    # -- graph ------------------------------------------------------------------------------
    def _to_graph(self) -> None:
        g = self.graph
        fw = self.framework
        # without a framework row the competencies still say which (missing) framework they are part of
        fw_iri = fw.iri if fw is not None else IRI(self.opts.resource_uri(self.derive(ctids.BASE_NS, "no-framework")))
        if fw is not None:
            node = g.node(fw.iri, fw.pointer)
            node.types.append(FRAMEWORK_CLASS)
            g.main = fw.iri
            self._ctid(node, fw)
            self._cells(node, fw, "framework")
            if not node.get(ASN + "inLanguage"):
                node.add(ASN + "inLanguage", Literal(self.opts.language, XSD_LANGUAGE), fw.pointer)
            if self.publisher:
                self._publisher(node, fw)
        children: dict[int, list[tuple[Item, str]]] = {}
        tops: list[tuple[Item, str]] = []
        for it in self.items:
            for parent, pointer in it.parents:
                children.setdefault(id(parent), []).append((it, pointer))
            if it.top is not None:
                tops.append((it, it.top))
        for it in self.items:
            node = g.node(it.iri, it.pointer)
            node.types.append(COMPETENCY_CLASS)
            self._ctid(node, it)
            self._cells(node, it, "competency")
            part = it.cells.get("isPartOf")
            node.add(ASN + "isPartOf", fw_iri, part.pointer if part else it.pointer, part.header if part else None)
            if it.top is not None:
                _put(node, ASN + "isTopChildOf", [fw_iri], [it.top], self.name_for(ASN + "isTopChildOf"))
            if it.parents:
                _put(node, ASN + "isChildOf", [p.iri for p, _ in it.parents], [ptr for _, ptr in it.parents],
                     self.name_for(ASN + "isChildOf"))
            kids = children.get(id(it))
            if kids:
                _put(node, ASN + "hasChild", [k.iri for k, _ in kids], [ptr for _, ptr in kids],
                     self.name_for(ASN + "hasChild"))
        if fw is not None and tops:
            _put(g.nodes[fw.iri], ASN + "hasTopChild", [t.iri for t, _ in tops], [ptr for _, ptr in tops],
                 self.name_for(ASN + "hasTopChild"))

    def _ctid(self, node: Node, item: Item) -> None:
        cell = item.ctid_cell
        node.add(CTID, Literal(item.ctid), cell.pointer if cell else item.pointer, cell.header if cell else None)

    def _cells(self, node: Node, item: Item, kind: str) -> None:
        lang = item.lang or (self.framework.lang if self.framework else None) or self.opts.language
        for key, cell in item.cells.items():
            col = cell.column
            if col.pred is None or col.kind == "ctid" or col.kind == "ref":
                continue
            if col.where not in (kind, "both"):
                continue
            if (kind == "competency" and key == "language" and self.framework is not None
                    and item.lang == self.framework.lang):
                continue  # the template's Language on the framework row is the framework's
            for value in split_values(cell.value, col.multi):
                term = self._term(col, value, lang)
                if term is not None:
                    node.add(col.pred, term, cell.pointer, cell.header, cell.pointer)

    def _term(self, col: Column, value: str, lang: str):
        from ...lift import REF, TERM

        kind = col.kind
        if kind == "text":
            return Literal(value, None, lang)
        if kind == "string":
            return Literal(value)
        if kind == "language":
            return Literal(language_tag(value), XSD_LANGUAGE)
        if kind == "url":
            return IRI(value) if _is_url(value) else Literal(value, REF)
        if kind == "agent":
            if CTID_RE.match(value):
                return IRI(self.opts.resource_uri(value))
            return IRI(value) if _is_url(value) else Literal(value, REF)
        if kind == "status":
            from ...vocab import vocabularies

            scheme = vocabularies().scheme_for(col.pred)
            concept = scheme.find(value) if scheme is not None else None
            if concept is not None:
                return IRI(concept.iri)
            return IRI(value) if _is_url(value) else Literal(value, TERM)
        return Literal(value)

    def _publisher(self, node: Node, fw: Item) -> None:
        pred = ASN + "publisher"
        value = self.publisher.strip()
        term = IRI(self.opts.resource_uri(value)) if CTID_RE.match(value) else IRI(value)
        given = node.get(pred)
        if given and term not in given:
            cell = fw.cells.get("publisher")
            self.problems.append(Result(
                WARNING, "conflicting-value",
                f"the file names the publisher {', '.join(map(str, given))}; the organization the framework "
                f"is published for ({term}) was used", path=cell.pointer if cell else fw.pointer,
                property=cell.header if cell else "", value=cell.value if cell else None))
            node.remove(pred)
        node.add(pred, term, fw.pointer)

    # -- rows --------------------------------------------------------------------------------
    def _rows(self, report: Report) -> list[RowReport]:
        fw = self.framework
        ctids = {it.row: it.ctid for it in self.items}
        rows = [RowReport(1, "header")]
        by_row = {1: rows[0]}
        for number, _ in self.table.rows:
            kind = self.kinds.get(number, "ignored")
            ctid = ctids.get(number) or (fw.ctid if fw is not None and fw.row == number else None)
            by_row[number] = rr = RowReport(number, kind, ctid)
            rows.append(rr)
        for r in report.sorted():
            cell = row_and_column(r.path)
            if cell is None:
                continue
            rr = by_row.get(cell[0])
            if rr is not None:
                rr.errors.append(r)
        return rows




def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and " " not in value and len(value) > 8


def _put(node: Node, pred: str, values: list, pointers: list[str], key_name: str | None = None) -> None:
    """Set a (possibly long) list of distinct values at once: Node.add would be quadratic."""
    node.props[pred] = list(values)
    node.value_pointers[pred] = list(pointers)
    if key_name is not None:
        node.key_name.setdefault(pred, key_name)


def import_framework(data: bytes, registry: str = DEFAULT_REGISTRY, language: str = "en-US",
                     publisher: str | None = None, engine: str | None = None, rules=None) -> FrameworkImport:
    """Import one competency framework from CSV or XLSX bytes (CaSS CTDL-ASN CSV or the template).

    ``publisher``: the organization the framework is published for (its CTID or registry URI);
    CTDL-ASN requires it.  Raises an ``InputError`` (``csvread.EmptyFile``, ``NotCSV``,
    ``UnknownFormat``) when the file is no usable CSV at all; everything else is in the report."""
    with paused_gc():
        imp = Importer(registry, language, publisher)
        imp.parse(data)
        imp.build()
        imp.check()
        imp.validate(engine, rules)
        return imp.result(imp.frame())


@contextmanager
def paused_gc():
    """An import allocates ~20 objects per cell and frees them by reference counting; CPython's
    cyclic collector would rescan the growing heap again and again (superlinear time for large
    files), so it is paused for the import and runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["import_framework", "FrameworkImport", "RowReport", "Importer", "paused_gc"]
