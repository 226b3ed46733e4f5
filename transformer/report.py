"""Validation results as data, and their renderings (text, JSON).

One model for every check: SHACL results from either validator engine, vocabulary look-ups in
enrich, and problems found while lifting (a number where text is expected).  Each result says
where (``path``: a JSON pointer into the user's input), what (``property``: the input's own name
for the property), how bad (``severity``), which rule (``code``, ``shape``) and how to fix it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

VIOLATION = "Violation"
WARNING = "Warning"
INFO = "Info"
_SEVERITY_ORDER = {VIOLATION: 0, WARNING: 1, INFO: 2}


def with_fix(message: str, fix: str) -> str:
    """A message followed by its fix, unless the message already says it (two sentences: a
    message without a full stop gets one)."""
    if not fix or fix in message:
        return message
    return f"{message} {fix}" if message.rstrip().endswith((".", "!", "?", ":")) else f"{message.rstrip()}. {fix}"


@dataclass
class Result:
    severity: str
    code: str
    message: str
    path: str = ""            # JSON pointer into the input document
    property: str = ""        # the input's name for the property (AgentType, ceterms:agentType)
    value: str | None = None  # the offending value, as text
    focus: str = ""           # the RDF node the result is about
    shape: str = ""           # the SHACL shape (compact IRI) that produced it
    component: str = ""       # the SHACL constraint component (local name)
    fix: str = ""             # what to do about it

    def key(self) -> tuple:
        return (_SEVERITY_ORDER.get(self.severity, 9), self.path, self.code, self.value or "")

    def to_dict(self) -> dict:
        """Severity, code, message and path always; the other fields when they say something
        (field by field: ``dataclasses.asdict`` copies deeply and cost a third of a large report)."""
        d = {"severity": self.severity, "code": self.code, "message": self.message, "path": self.path}
        for k in _OPTIONAL:
            v = getattr(self, k)
            if v is not None and v != "":
                d[k] = v
        return d

    def text(self) -> str:
        where = self.path or "/"
        prop = f" {self.property}:" if self.property and self.property not in self.message else ""
        return f"{self.severity.lower()} [{self.code}] at {where}:{prop} {with_fix(self.message, self.fix)}"


_OPTIONAL = ("property", "value", "focus", "shape", "component", "fix")


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(r.severity == VIOLATION for r in self.results)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == VIOLATION]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != VIOLATION]

    def add(self, result: Result) -> None:
        self.results.append(result)

    def extend(self, results: Iterable[Result]) -> None:
        self.results.extend(results)

    def sorted(self) -> list[Result]:
        # de-duplicate: two engines or two shapes may say the same thing about the same place
        seen, out = set(), []
        for r in sorted(self.results, key=Result.key):
            k = (r.severity, r.code, r.path, r.value, r.message)
            if k not in seen:
                seen.add(k)
                out.append(r)
        return out

    def to_dict(self) -> dict:
        return {"conforms": self.conforms, "results": [r.to_dict() for r in self.sorted()]}

    def to_text(self, verbose: bool = False) -> str:
        """One line per result; missing recommended properties are summed up in one line per
        place unless ``verbose`` (the JSON report always lists each one)."""
        lines, recommended = [], {}
        for r in self.sorted():
            if r.code == "recommended" and not verbose and r.property:
                parent = r.path.rsplit("/", 1)[0] if r.path.endswith("/" + r.property) else r.path
                recommended.setdefault(parent or "/", []).append(r.property)
            else:
                lines.append(r.text())
        for where, names in recommended.items():
            lines.append(f"warning [recommended] at {where}: {len(names)} recommended "
                         f"propert{'y is' if len(names) == 1 else 'ies are'} missing: {', '.join(names)}")
        n_v, n_w = len(self.violations), len(self.warnings)
        lines.append(("conforms" if self.conforms else "does not conform")
                     + f": {n_v} violation(s), {n_w} warning(s)")
        return "\n".join(lines)
