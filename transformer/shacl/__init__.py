"""SHACL validation: two engines behind one interface.

* ``compiled`` (default): the shapes are compiled into a plan (plain data, kept on disk per
  content: ``plan.py``, ``rules.py``), built into Python closures that run on
  :class:`transformer.graph.Graph` directly (no rdflib once the plan is on disk).  See ``compiled.py``.
* ``pyshacl`` (alias ``reference``): pyshacl on ``Graph.to_rdflib()``, the reference the compiled
  engine is tested against.  See ``reference.py``.

Both return :class:`RawResult` tuples with the same term types (``graph.IRI`` / ``graph.BNode`` /
``graph.Literal``, blank nodes being the graph's own), so they can be compared as multisets.

Result paths: a predicate path is its IRI (``str``); a sequence path is a ``tuple`` of its steps;
any other complex path is a :class:`ComplexPath` (``op`` one of ``^ | * + ?``, ``args`` its
sub-paths).  Shapes are named by IRI; blank-node shapes as ``"_:" + label`` of the shapes graph.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Optional, Protocol, Union

from ..graph import Graph, Literal, Subject, Term

SH = "http://www.w3.org/ns/shacl#"
CTDLSH = "urn:ctdl-assistant:ns:"
SH_VIOLATION = SH + "Violation"
SH_WARNING = SH + "Warning"
SH_INFO = SH + "Info"
DURATION_ORDER = CTDLSH + "DurationOrderConstraintComponent"
NOT_LONGER_THAN = CTDLSH + "notLongerThan"
PLAN_FORMAT = 1            # bump when the compiled plan's layout (plan.py docstring) changes


@dataclass(frozen=True, slots=True)
class ComplexPath:
    """A non-sequence complex path: ``^`` inverse, ``|`` alternative, ``*`` zero-or-more,
    ``+`` one-or-more, ``?`` zero-or-one; ``args`` are the sub-paths."""

    op: str
    args: tuple

    def __repr__(self) -> str:
        inner = " | ".join(map(_path_text, self.args)) if self.op == "|" else _path_text(self.args[0])
        return f"^{inner}" if self.op == "^" else (f"({inner})" if self.op == "|" else f"{inner}{self.op}")


PathRepr = Union[str, tuple, ComplexPath]


def _path_text(p) -> str:
    if isinstance(p, tuple):
        return "(" + " / ".join(map(_path_text, p)) + ")"
    return repr(p) if isinstance(p, ComplexPath) else f"<{p}>"


class RawResult(NamedTuple):
    focus: Term                 # focus node (IRI/BNode, or a Literal for literal focus nodes)
    path: Optional[PathRepr]    # sh:resultPath; None for node-level results
    value: Optional[Term]       # sh:value; None when the result has none (minCount, hasValue...)
    severity: str               # full IRI: sh:Violation / sh:Warning / sh:Info
    shape: str                  # sh:sourceShape
    component: str              # sh:sourceConstraintComponent (full IRI)
    message: str = ""           # the shape's sh:message (English preferred), or ""
    root_shape: str = ""        # nearest named shape: ``shape`` if named, else the named
                                # shape it was reached from through sh:property

    def key(self) -> tuple:
        """What two engines must agree on."""
        return (self.focus, self.path, self.value, self.severity, self.shape, self.component)


class Engine(Protocol):
    def validate(self, graph: Graph) -> list[RawResult]: ...


def load_shapes(paths: list[Path] | None = None):
    """Parse the shape files (default: every ``shapes/*.ttl``) into one rdflib graph.

    owl:imports are never followed."""
    from ..errors import ShapesError
    from ..rdf_cache import parse_turtle
    from ..resources import data_dir

    if paths is None:
        paths = sorted(data_dir("shapes").glob("*.ttl"))

    def broken(p, e):
        raise ShapesError(f"{shapes_file_error(p, e)}; nothing was loaded (fix the file, then start again)") from e

    try:
        return parse_turtle(paths, on_error=broken)      # parsed once per content (rdf_cache)
    except OSError as e:
        raise ShapesError(f"cannot read the shapes: {e}; nothing was loaded") from e


def shapes_file_error(path, e: Exception) -> str:
    """``shapes/credential.ttl line 12: expected '.' ...``: where a Turtle file is broken and why."""
    where = f"{Path(path).parent.name}/{Path(path).name}"
    line, why = getattr(e, "lines", None), getattr(e, "_why", None)
    if isinstance(line, int):
        return f"{where} line {line + 1}: {why or e}"
    return f"{where}: {str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}"


_lock = threading.Lock()
_engines: dict = {}


def get_engine(name: str, shapes) -> Engine:
    """The engine ``name`` for ``shapes`` (an rdflib graph), built once per process.  The project's
    rules, or a folder's, come from ``transformer.ruleset.RuleSet`` (compiled from their plans)."""
    kind = {"compiled": "compiled", "pyshacl": "pyshacl", "reference": "pyshacl"}.get(name)
    if kind is None:
        raise ValueError(f"unknown SHACL engine {name!r} (use 'compiled' or 'pyshacl')")
    with _lock:
        key = (kind, id(shapes))
        hit = _engines.get(key)
        if hit is not None and hit[0] is shapes:
            return hit[1]
        if kind == "compiled":
            from .compiled import CompiledEngine
            engine = CompiledEngine(shapes)
        else:
            from .reference import ReferenceEngine
            engine = ReferenceEngine(shapes)
        _engines[key] = (shapes, engine)  # keeps ``shapes`` alive, so its id is not reused
        return engine


__all__ = ["RawResult", "Engine", "ComplexPath", "load_shapes", "get_engine", "Literal", "Subject",
           "SH", "CTDLSH", "DURATION_ORDER", "NOT_LONGER_THAN"]
