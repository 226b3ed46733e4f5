"""CTIDs for the rows of a competency-framework spreadsheet.

A CTID given in the file (a CTID column, or an @id that is a CTID or ends with one) is kept,
lower-cased.  Otherwise it is derived: uuid5 of the publishing organization and the framework's
identity (its CTID, else its @id, else its name), and of the row's @id, else its Coded Notation,
else the path of Competency Texts from the top down to it; the n-th repeat of the same identity
gets "#n".  Importing the same file again gives the same CTIDs, and moving rows around does not
change them; two organizations uploading the same file get CTIDs of their own (a CTID belongs to
the organization that first publishes it).
"""
from __future__ import annotations

import uuid

from ...ids import CTID_RE
from ...graph import IRI
from ...pointer import pointer_join
from ...report import INFO, VIOLATION

BASE_NS = uuid.UUID("0b7e3c1a-5d2f-4f6e-9a41-3c8d2e6b1f70")


def norm_text(text: str) -> str:
    return " ".join(text.casefold().split())


def _iri(imp, ctid: str) -> IRI:
    return IRI(imp.opts.resource_uri(ctid))


def identify(linker) -> None:
    """CTIDs of the framework and the competencies of a ``link.Linker``, and the reference keys."""
    imp = linker.imp
    fw = imp.framework
    if fw is not None:
        fw.ctid = _given_ctid(linker, fw, ("ctid", "frameworkCtid", "@id"))
        if not fw.ctid:
            idc = fw.cells.get("@id")
            name = fw.cells.get("name") or fw.cells.get("frameworkName")
            basis = ("id:" + idc.value) if idc else ("name:" + norm_text(name.value if name else ""))
            publisher = (imp.publisher or "").strip().lower()
            fw.ctid = imp.derive(uuid.uuid5(BASE_NS, "publisher:" + publisher) if publisher else BASE_NS, basis)
            if idc is None:
                linker.problem(INFO, "derived-ctid",
                             f"the framework has no CTID; {fw.ctid} was derived from its name"
                             f"{' and your organization' if publisher else ''}. Keep it: add "
                             "it to the file so that renaming the framework updates the same record",
                             item=fw, path=pointer_join(fw.pointer, imp.layout.header_of(
                                 "frameworkCtid" if imp.layout.format == "template" else "ctid")))
        fw.iri = _iri(imp, fw.ctid)
        for k in linker._keys_of(fw):
            linker.keys.setdefault(k, None)
    namespace = uuid.UUID(fw.ctid[3:]) if fw is not None else uuid.uuid5(BASE_NS, "no-framework")
    used: set[str] = {fw.ctid} if fw is not None else set()
    seen_ids: dict[str, object] = {}
    paths: dict[int, str] = {}
    for it in imp.items:
        idc = it.cells.get("@id")
        if idc is not None:
            first = seen_ids.get(idc.value)
            if first is not None:
                linker.problem(VIOLATION, "duplicate-id", f'@id "{idc.value}" is also the @id of row '
                             f"{first.row}; each row needs its own", idc)
            else:
                seen_ids[idc.value] = it
        ctid = _given_ctid(linker, it, ("ctid", "@id"))
        if ctid and ctid in used:
            c = it.ctid_cell
            linker.problem(VIOLATION, "duplicate-ctid", f"CTID {ctid} is used by another row too; each "
                         "record needs its own", c, it)
            ctid, it.ctid_cell = "", None
        if not ctid:
            code = it.cells.get("codedNotation")
            if idc is not None:
                basis = "id:" + idc.value
            elif code is not None:
                basis = "code:" + code.value
            else:
                basis = "text:" + _text_path(it, paths)
            ctid = imp.derive(namespace, basis)
            n = 1
            while ctid in used:
                n += 1
                ctid = imp.derive(namespace, f"{basis}#{n}")
        used.add(ctid)
        it.ctid = ctid
        it.iri = _iri(imp, ctid)
        for k in linker._keys_of(it):
            linker.keys.setdefault(k, it)
    # references to the framework must not resolve to a competency
    for k in list(linker.keys):
        if linker.keys[k] is None:
            del linker.keys[k]


def _given_ctid(linker, item, keys) -> str:
    for key in keys:
        c = item.cells.get(key)
        if c is None:
            continue
        v = c.value.strip()
        if key == "@id":
            last = v.rstrip("/").rsplit("/", 1)[-1]
            if CTID_RE.match(last):
                item.ctid_cell = c
                return last.lower()
            continue
        if CTID_RE.match(v):
            item.ctid_cell = c
            return v.lower()
        linker.problem(VIOLATION, "invalid-ctid",
                     f'"{v}" is not a CTID (ce- followed by a UUID); a CTID was derived instead', c,
                     fix="Write the CTID as ce-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, or leave the cell empty.")
    return ""


def _text_path(item, memo: dict[int, str]) -> str:
    """Competency texts from the top down to ``item`` (first parents), iteratively; stable."""
    chain, seen, node = [], set(), item
    while node is not None and id(node) not in memo and id(node) not in seen:
        seen.add(id(node))
        chain.append(node)
        node = node.parents[0][0] if node.parents else None
    prefix = memo.get(id(node), "") if node is not None else ""
    if node is not None and id(node) in seen:   # a cycle: cut it where it closes
        prefix = f"cycle@{node.row}"
    for n in reversed(chain):
        t = n.cells.get("competencyText")
        prefix = prefix + "\x1f" + (norm_text(t.value) if t else "")
        memo[id(n)] = prefix
    return memo[id(item)]
