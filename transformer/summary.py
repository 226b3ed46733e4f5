"""Validation results at a granularity people can read: grouped by rule, with counts and examples.

A framework of 8,000 competencies missing the same recommended property gives 8,000 results; a
person needs one line saying so, with a few examples, and the full list only in JSON.  A rule is
(severity, code, shape); its groups are sorted violations first, then by how often it occurs.

    groups = group_results([(label, report), ...], examples=3)
    text_summary(groups, documents)  -> str        (ctdl validate --format text)
    json_summary(checked, groups)    -> dict       (POST /validate)
    write_json(checked, groups, out)             (--format json: the same, streamed)
    junit(checked)                   -> str        (--format junit, for CI systems)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .report import INFO, Report, Result, VIOLATION, WARNING, with_fix

_RANK = {VIOLATION: 0, WARNING: 1, INFO: 2}


@dataclass
class Checked:
    """One document of an input and what validation said (``error``: it could not be read at all)."""
    label: str
    report: Report | None = None
    error: dict | None = None          # {"code", "message", "path"} of an InputError
    file: str = ""                     # the file it came from (folders), for the table and JUnit

    @property
    def conforms(self) -> bool:
        return self.error is None and self.report is not None and self.report.conforms

    def counts(self) -> tuple[int, int]:
        if self.report is None:
            return 0, 0
        return len(self.report.violations), len(self.report.warnings)


@dataclass
class Group:
    severity: str
    code: str
    shape: str
    count: int = 0
    documents: set = field(default_factory=set)
    examples: list = field(default_factory=list)     # (document label, Result)

    def to_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "shape": self.shape, "count": self.count,
                "documents": len(self.documents),
                "examples": [{"document": label, **r.to_dict()} for label, r in self.examples]}


def group_results(checked: list[Checked], examples: int = 3) -> list[Group]:
    groups: dict[tuple, Group] = {}
    for c in checked:
        if c.report is None:
            continue
        for r in c.report.sorted():
            key = (r.severity, r.code, r.shape)
            g = groups.get(key)
            if g is None:
                g = groups[key] = Group(r.severity, r.code, r.shape)
            g.count += 1
            g.documents.add(c.label)
            if len(g.examples) < examples:
                g.examples.append((c.label, r))
    return sorted(groups.values(), key=lambda g: (_RANK.get(g.severity, 9), -g.count, g.code, g.shape))


def totals(checked: list[Checked]) -> dict:
    v = sum(c.counts()[0] for c in checked)
    w = sum(c.counts()[1] for c in checked)
    return {"documents": len(checked), "conforming": sum(c.conforms for c in checked),
            "violations": v, "warnings": w, "unreadable": sum(c.error is not None for c in checked)}


def _one_of(shape: str, rules=None) -> str:
    """What a recommended at-least-one group is called, in the CTDL terms the other names of the
    summary use: 'one of ceterms:availableAt | ceterms:availableOnlineAt' (its sh:or alternatives);
    the shape's name when its alternatives are not simple paths."""
    from .context import ctdl_context
    from .ruleset import RuleSet
    from .validate import expand_shape

    rules = rules or RuleSet.default()
    terms = [ctdl_context().compact(p) for p in rules.alternatives(expand_shape(shape))]
    if terms:
        return "one of " + " | ".join(terms)
    name = rules.info().get(expand_shape(shape), {}).get("name")
    return f"one of {name}" if name else shape


def text_summary(checked: list[Checked], groups: list[Group], examples: int = 3, verbose: bool = False,
                 rules=None) -> str:
    """Each rule once: its examples as result lines, then how many more there are; the missing
    recommended properties in one line, unless ``verbose`` (then each, like every other result)."""
    lines: list[str] = []
    several = len(checked) > 1
    for c in checked:
        if c.error is not None:
            lines.append(f"error [{c.error['code']}] in {c.label}: {c.error['message']}")
    recommended = [] if verbose else [g for g in groups if g.code == "recommended" and g.severity == WARNING]
    for g in groups:
        if g in recommended and len(recommended) > 1:
            continue
        if g.count > 1:
            where = f" in {len(g.documents)} documents" if several and len(g.documents) > 1 else ""
            lines.append(f"{g.severity.lower()} [{g.code}] x{g.count}{where}"
                         + (f" ({g.shape})" if g.shape else ""))
        for label, r in g.examples:
            prefix = f"{label}: " if several else ""
            lines.append(("  " if g.count > 1 else "") + prefix + r.text())
        if g.count > len(g.examples):
            lines.append(f"  ... and {g.count - len(g.examples)} more like these (--format json lists every one)")
    if len(recommended) > 1:   # one line for the benchmark: which recommended properties are missing, how often
        count = sum(g.count for g in recommended)
        names = [(g.count, g.examples[0][1].property or _one_of(g.shape, rules)) for g in recommended]
        listed = ", ".join(f"{name} ({n})" if several or n > 1 else name for n, name in sorted(names, key=lambda x: -x[0]))
        lines.append(f"warning [recommended] x{count}: recommended properties (Credential Engine benchmark) are "
                     f"missing: {listed} (-v or --format json shows each)")
    t = totals(checked)
    status = "conforms" if t["violations"] == 0 and t["unreadable"] == 0 else "does not conform"
    docs = f" in {t['documents']} documents ({t['conforming']} conform)" if several else ""
    lines.append(f"{status}: {t['violations']} violation(s), {t['warnings']} warning(s){docs}")
    return "\n".join(lines)


def _one_document(checked: list[Checked]) -> bool:
    """One document read: its results at the top level, not under "documents"."""
    return len(checked) == 1 and checked[0].report is not None


def _head(c: Checked) -> dict:
    """A document's entry without its results."""
    return {"document": c.label, **({"file": c.file} if c.file else {}), "conforms": c.conforms,
            **({"error": c.error} if c.error else {})}


def _results(c: Checked):
    return (r.to_dict() for r in c.report.sorted()) if c.report else ()


def json_summary(checked: list[Checked], groups: list[Group]) -> dict:
    """Every result of every document, plus the groups and the totals."""
    t = totals(checked)
    out = {"conforms": t["violations"] == 0 and t["unreadable"] == 0, "summary": t,
           "groups": [g.to_dict() for g in groups]}
    if _one_document(checked):
        out["results"] = list(_results(checked[0]))
    else:
        out["documents"] = [{**_head(c), "results": list(_results(c))} for c in checked]
    return out


def write_json(checked: list[Checked], groups: list[Group], out) -> None:
    """``json_summary`` written to the text stream ``out`` as it is built: a document, a group or
    a result at a time, each result on a line of its own (the same JSON value; an 8,000-competency
    framework's 40,000 results used to be built as one object and indented by the pure-Python
    encoder, two thirds of the run)."""
    dumps = json.dumps
    t = totals(checked)

    def items(key: str, values, indent: str, last: bool = False) -> None:
        out.write(f'{indent}"{key}": [')
        first = True
        for v in values:
            out.write(("\n" if first else ",\n") + indent + "  " + dumps(v, ensure_ascii=False))
            first = False
        out.write(("" if first else "\n" + indent) + ("]\n" if last else "],\n"))

    out.write("{\n")
    out.write(f'  "conforms": {dumps(t["violations"] == 0 and t["unreadable"] == 0)},\n')
    out.write(f'  "summary": {dumps(t)},\n')
    items("groups", (g.to_dict() for g in groups), "  ")
    if _one_document(checked):
        items("results", _results(checked[0]), "  ", last=True)
    else:
        out.write('  "documents": [')
        for i, c in enumerate(checked):
            out.write(("\n" if i == 0 else ",\n") + "    " + dumps(_head(c), ensure_ascii=False)[:-1] + ",\n")
            items("results", _results(c), "      ", last=True)
            out.write("    }")
        out.write("\n  ]\n" if checked else "]\n")
    out.write("}\n")


def table(checked: list[Checked]) -> str:
    """One line per file (folders): documents, violations, warnings, status."""
    rows: dict[str, list[Checked]] = {}
    for c in checked:
        rows.setdefault(c.file or c.label, []).append(c)
    width = max([len(f) for f in rows] + [4])
    lines = [f"{'file':<{width}}  {'docs':>5}  {'violations':>10}  {'warnings':>8}  status"]
    for f, items in rows.items():
        v = sum(c.counts()[0] for c in items)
        w = sum(c.counts()[1] for c in items)
        status = "unreadable" if any(c.error for c in items) else ("ok" if v == 0 else "fails")
        lines.append(f"{f:<{width}}  {len(items):>5}  {v:>10}  {w:>8}  {status}")
    t = totals(checked)
    lines.append(f"{'total':<{width}}  {t['documents']:>5}  {t['violations']:>10}  {t['warnings']:>8}  "
                 f"{t['conforming']} of {t['documents']} conform" + (f", {t['unreadable']} unreadable"
                                                                      if t["unreadable"] else ""))
    return "\n".join(lines)


def junit(checked: list[Checked], examples: int = 3) -> str:
    """JUnit XML: a testsuite per file, a testcase per document, a failure per violated rule."""
    from xml.sax.saxutils import escape, quoteattr

    suites: dict[str, list[Checked]] = {}
    for c in checked:
        suites.setdefault(c.file or c.label, []).append(c)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites name=\"ctdl validate\">"]
    for name, items in suites.items():
        failures = sum(1 for c in items if c.report is not None and not c.report.conforms)
        errors = sum(1 for c in items if c.error is not None)
        out.append(f"  <testsuite name={quoteattr(name)} tests=\"{len(items)}\" failures=\"{failures}\" "
                   f"errors=\"{errors}\">")
        for c in items:
            out.append(f"    <testcase classname={quoteattr(name)} name={quoteattr(c.label)}>")
            if c.error is not None:
                out.append(f"      <error type={quoteattr(c.error['code'])} message={quoteattr(c.error['message'])}/>")
            elif c.report is not None:
                for g in group_results([c], examples):
                    if g.severity != VIOLATION:
                        continue
                    first = g.examples[0][1]
                    body = "\n".join(r.text() for _, r in g.examples)
                    if g.count > len(g.examples):
                        body += f"\n... and {g.count - len(g.examples)} more"
                    out.append(f"      <failure type={quoteattr(g.code)} "
                               f"message={quoteattr(with_fix(first.message, first.fix))}>{escape(body)}</failure>")
                warnings = [r for r in c.report.results if r.severity == WARNING]
                if warnings:
                    out.append(f"      <system-out>{escape(chr(10).join(r.text() for r in warnings[:50]))}"
                               "</system-out>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


__all__ = ["Checked", "Group", "group_results", "totals", "text_summary", "json_summary", "write_json", "table", "junit",
           "Result"]
