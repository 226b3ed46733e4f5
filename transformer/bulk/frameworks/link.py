"""Rows -> framework and competency items, their CTIDs, and the links between them.

Everything is found through indexes built once (id / CTID / URI, coded notation, text), so linking
is linear in the number of rows and references.  Problems found here carry the row and column:
``unknown-type``, ``multiple-frameworks``, ``no-framework``, ``other-framework``,
``parent-not-found``, ``child-not-found``, ``ambiguous-parent``, ``ignored-value``,
``conflicting-value`` (and, in ``ctids.py``, ``duplicate-id``, ``invalid-ctid``, ``duplicate-ctid``).
"""
from __future__ import annotations

from ...ids import CTID_RE
from ...pointer import pointer_join
from ...report import INFO, Result, VIOLATION, WARNING
from . import ctids
from .columns import LANG_RE, language_tag, split_values

_TYPES = {"competencyframework": "framework", "competency": "competency"}
_TYPE_PREFIXES = ("ceasn:", "https://purl.org/ctdlasn/terms/", "http://purl.org/ctdlasn/terms/", "asn:")
_COMPETENCY_KEYS = ("competencyText", "competencyLabel", "codedNotation", "parent", "competencyCategory",
                    "comment", "ctid")


def _type_kind(value: str) -> str | None:
    t = value.strip()
    low = t.lower()
    for p in _TYPE_PREFIXES:
        if low.startswith(p):
            low = low[len(p):]
            break
    return _TYPES.get(low)


_norm_text = ctids.norm_text


class Linker:
    def __init__(self, imp):
        from .items import Cell, Item

        self.imp = imp
        self.Cell, self.Item = Cell, Item
        self.problems = imp.problems
        self.other_frameworks: dict[str, int] = {}   # keys of framework rows that were not used -> row
        self.keys: dict[str, object] = {}

    def problem(self, severity, code, message, cell=None, item=None, path=None, fix="") -> None:
        self.problems.append(Result(severity, code, message,
                                    path=path or (cell.pointer if cell else item.pointer),
                                    property=cell.header if cell else "",
                                    value=cell.value if cell else None, fix=fix))

    def cells(self, number: int, values: list[str]) -> dict:
        layout = self.imp.layout
        out = {}
        for i, col in layout.columns.items():
            v = values[i]
            if v:
                h = layout.header[i]
                out[col.key] = self.Cell(v, h, pointer_join("/rows", number, h), col)
        return out

    # -- CaSS CTDL-ASN CSV -------------------------------------------------------------------
    def read_cass(self) -> None:
        imp = self.imp
        for number, values in imp.table.rows:
            cells = self.cells(number, values)
            kind = self._cass_kind(number, cells)
            if kind is None:
                continue
            item = self.Item(number, kind, cells)
            if kind == "framework":
                if imp.framework is not None:
                    self.problem(VIOLATION, "multiple-frameworks",
                                 f"a second framework row (the framework is row {imp.framework.row}); a file "
                                 "holds one framework, this row was ignored",
                                 cells.get("@type"), item, fix="Upload each framework in its own file.")
                    imp.kinds[number] = "ignored"
                    for k in ("@id", "ctid"):
                        if k in cells:
                            self.other_frameworks[cells[k].value] = number
                            self.other_frameworks[cells[k].value.lower()] = number
                    continue
                imp.framework = item
                imp.kinds[number] = "framework"
                self._misplaced(item, "framework")
            else:
                self._misplaced(item, "competency")
                imp.items.append(item)
                imp.kinds[number] = "competency"
            item.lang = self._lang(item)
        if imp.framework is None:
            first = imp.table.rows[0][0] if imp.table.rows else 2
            self.problem(VIOLATION, "no-framework",
                         "the file has no framework row: one row must have @type ceasn:CompetencyFramework, "
                         "with the framework's name and description",
                         path=pointer_join("/rows", first, imp.layout.header_of("@type")),
                         fix="Add a row for the framework (usually the first data row).")

    def _cass_kind(self, number: int, cells: dict) -> str | None:
        tcell = cells.get("@type")
        if tcell is not None:
            kind = _type_kind(tcell.value)
            if kind is None:
                self.problem(VIOLATION, "unknown-type",
                             f'"{tcell.value}" is not a type this import reads; the row was ignored',
                             tcell, fix="Use ceasn:CompetencyFramework (one row) or ceasn:Competency.")
                self.imp.kinds[number] = "ignored"
            return kind
        where = pointer_join("/rows", number, self.imp.layout.header_of("@type"))
        if "competencyText" in cells or "competencyLabel" in cells:
            kind = "competency"
        elif "name" in cells:
            kind = "framework"
        else:
            self.problem(VIOLATION, "required", "the row has no @type, and neither a name nor a competency "
                         "text to tell what it is; it was ignored", path=where,
                         fix="Set @type to ceasn:CompetencyFramework or ceasn:Competency.")
            self.imp.kinds[number] = "ignored"
            return None
        label = "ceasn:Competency" if kind == "competency" else "ceasn:CompetencyFramework"
        self.problem(WARNING, "missing-type", f"the row has no @type; it was read as {label}", path=where,
                     fix=f"Set @type to {label}.")
        return kind

    def _misplaced(self, item, kind: str) -> None:
        cells = item.cells
        if kind == "competency" and "competencyText" not in cells and "name" in cells:
            c = cells.pop("name")
            self.problem(WARNING, "read-as", f"a competency has no name: {c.header} was read as its "
                         "competency text", c, fix="Put the text of a competency in ceasn:competencyText.")
            cells["competencyText"] = self.Cell(c.value, c.header, c.pointer, _cass_column("competencyText"))
        for key, c in list(cells.items()):
            if c.column.where not in (kind, "both"):
                del cells[key]
                self.problem(WARNING, "ignored-value",
                             f"{c.header} is not a property of a {'competency framework' if kind == 'framework' else 'competency'}; "
                             "its value on this row was ignored", c)

    def _lang(self, item) -> str | None:
        cell = item.cells.get("inLanguage") or item.cells.get("language")
        if cell is None:
            return None
        for v in split_values(cell.value, True):
            tag = language_tag(v)
            if LANG_RE.match(tag):
                return tag
        return None

    def link_cass(self) -> None:
        imp = self.imp
        fw = imp.framework
        fw_keys = set()
        if fw is not None:
            fw_keys = {k for k in self._keys_of(fw)}
        for item in imp.items:
            for c in (item.cells.get("isPartOf"), item.cells.get("isTopChildOf")):
                if c is None:
                    continue
                for v in split_values(c.value, True):
                    if v in fw_keys or v.lower() in fw_keys:
                        if c.column.key == "isTopChildOf" and item.top is None:
                            item.top = c.pointer
                    else:
                        self._other_framework(item, c, v)
            c = item.cells.get("isChildOf")
            if c is not None:
                for v in split_values(c.value, True):
                    parent = self.resolve(v)
                    if parent is not None:
                        item.add_parent(parent, c.pointer)
                    elif v in fw_keys or v.lower() in fw_keys:
                        if item.top is None:
                            item.top = c.pointer
                        self.problem(INFO, "read-as", f"{c.header} names the framework; the competency was "
                                     "read as a top child of the framework", c)
                    elif v in self.other_frameworks or v.lower() in self.other_frameworks:
                        self._other_framework(item, c, v)
                    else:
                        item.unresolved = True
                        self._not_found(c, v, "parent-not-found", "parent")
            c = item.cells.get("hasChild")
            if c is not None:
                for v in split_values(c.value, True):
                    child = self.resolve(v)
                    if child is None:
                        self._not_found(c, v, "child-not-found", "child")
                    else:
                        child.add_parent(item, c.pointer)
        if fw is not None and "hasTopChild" in fw.cells:
            c = fw.cells["hasTopChild"]
            for v in split_values(c.value, True):
                child = self.resolve(v)
                if child is None:
                    self._not_found(c, v, "child-not-found", "top child")
                elif child.top is None:
                    child.top = c.pointer

    def _other_framework(self, item, cell, value: str) -> None:
        row = self.other_frameworks.get(value) or self.other_frameworks.get(value.lower())
        where = f"the framework of row {row}" if row else "a framework that is not in this file"
        item.unresolved = True
        self.problems.append(Result(
            VIOLATION, "other-framework",
            f'"{value}" is {where}: every competency of the file must belong to its framework'
            + (f" (row {self.imp.framework.row})" if self.imp.framework else ""),
            path=cell.pointer, property=cell.header, value=value,
            fix="Use the @id of this file's framework row, or upload the other framework separately."))

    def _not_found(self, cell, value: str, code: str, what: str) -> None:
        row = self.other_frameworks.get(value) or self.other_frameworks.get(value.lower())
        extra = f" (it is the framework of row {row})" if row else ""
        self.problems.append(Result(
            VIOLATION, code, f'the {what} "{value}" is not a competency of this file{extra}',
            path=cell.pointer, property=cell.header, value=value,
            fix=f"Use the @id of the {what}'s row, or add the {what} to the file."))

    def resolve(self, value: str):
        keys = self.keys
        hit = keys.get(value) or keys.get(value.lower())
        if hit is None and value.startswith(("http://", "https://")):
            last = value.rstrip("/").rsplit("/", 1)[-1].lower()
            if CTID_RE.match(last):
                hit = keys.get(last)
        return hit

    def _keys_of(self, item) -> list[str]:
        out = []
        c = item.cells.get("@id")
        if c is not None:
            out += [c.value, c.value.lower()]
        if item.ctid:
            out += [item.ctid, self.imp.opts.resource_uri(item.ctid)]
            if item.kind == "framework":
                out.append(self.imp.opts.graph_uri(item.ctid))
        return out

    # -- the template ------------------------------------------------------------------------
    def read_template(self) -> None:
        imp = self.imp
        fw_name = None
        for number, values in imp.table.rows:
            cells = self.cells(number, values)
            name = cells.get("frameworkName")
            has_comp = any(k in cells for k in _COMPETENCY_KEYS)
            if name is not None and fw_name is None:
                fw_cells = {k: c for k, c in cells.items() if c.column.where in ("framework", "both")}
                imp.framework = self.Item(number, "framework", fw_cells)
                imp.framework.lang = self._lang(imp.framework)
                fw_name = _norm_text(name.value)
            elif name is not None and _norm_text(name.value) != fw_name:
                code, what = (("other-framework", "this competency belongs to another framework")
                              if has_comp else ("multiple-frameworks", "a second framework"))
                self.problem(VIOLATION, code,
                             f'"{name.value}" is {what} (the framework of the file is row {imp.framework.row}); '
                             "a file holds one framework, this row was ignored", name,
                             fix="Upload each framework in its own file.")
                imp.kinds[number] = "ignored"
                continue
            elif imp.framework is not None:
                self._fill_framework(cells)
            if has_comp:
                item = self.Item(number, "competency", {k: c for k, c in cells.items()
                                                        if c.column.where in ("competency", "both")})
                item.lang = self._lang(item)
                imp.items.append(item)
            kind = ("framework" if imp.framework is not None and imp.framework.row == number else "")
            imp.kinds[number] = "+".join(k for k in (kind, "competency" if has_comp else "") if k) or "ignored"
        if imp.framework is None:
            first = imp.table.rows[0][0] if imp.table.rows else 2
            self.problem(VIOLATION, "no-framework",
                         "no row names the framework: fill Framework Name (and Framework Description) on the "
                         "first row", path=pointer_join("/rows", first, imp.layout.header_of("frameworkName")),
                         fix="Fill Framework Name on the first data row.")

    def _fill_framework(self, cells: dict) -> None:
        fw = self.imp.framework
        for key in ("frameworkDescription", "frameworkCtid", "publisher"):
            c = cells.get(key)
            if c is None:
                continue
            have = fw.cells.get(key)
            if have is None:
                fw.cells[key] = c
            elif _norm_text(have.value) != _norm_text(c.value):
                self.problem(WARNING, "conflicting-value",
                             f'{c.header} differs from row {fw.row} ("{have.value[:60]}"); the value of row '
                             f"{fw.row} was used", c)

    def link_template(self) -> None:
        items = self.imp.items
        by_code: dict[str, list] = {}
        by_code_cf: dict[str, list] = {}
        by_text: dict[str, list] = {}
        by_text_cf: dict[str, list] = {}
        for it in items:
            c = it.cells.get("codedNotation")
            if c is not None:
                by_code.setdefault(c.value, []).append(it)
                by_code_cf.setdefault(c.value.casefold(), []).append(it)
            t = it.cells.get("competencyText")
            if t is not None:
                by_text.setdefault(t.value, []).append(it)
                by_text_cf.setdefault(_norm_text(t.value), []).append(it)
        indexes = ((by_code, str), (by_text, str), (by_code_cf, str.casefold), (by_text_cf, _norm_text))
        for it in items:
            c = it.cells.get("parent")
            if c is None:
                it.top = self.imp.cell_pointer(it, "parent")
                continue
            values = [c.value]
            if not any(ix.get(f(c.value)) for ix, f in indexes) and "|" in c.value:
                values = split_values(c.value, True)
            for v in values:
                hits = next((ix[f(v)] for ix, f in indexes if ix.get(f(v))), None)
                if not hits:
                    it.unresolved = True
                    self.problem(VIOLATION, "parent-not-found",
                                 f'the parent "{v}" is neither the Coded Notation nor the Competency Text of '
                                 "a row of this file", c,
                                 fix="Give the parent's Coded Notation (or its exact Competency Text), or leave "
                                     "Parent empty for a top-level competency.")
                elif len(hits) > 1:
                    it.unresolved = True
                    self.problem(VIOLATION, "ambiguous-parent",
                                 f'the parent "{v}" matches several rows ({", ".join(str(h.row) for h in hits[:10])})',
                                 c, fix="Name the parent by a Coded Notation that only it has.")
                else:
                    it.add_parent(hits[0], c.pointer)

    def identify(self) -> None:
        ctids.identify(self)

def _cass_column(key: str):
    from .columns import CASS_COLUMNS
    return next(c for c in CASS_COLUMNS if c.key == key)
