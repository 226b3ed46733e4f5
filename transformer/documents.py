"""The CTDL documents in an input, as `ctdl validate` and POST /validate take them.

An input is one of: a single resource, an ``@graph`` document, a registry envelope (its
``decoded_resource``), or a JSON array of any of those; a folder holds such files (``*.json``,
``*.jsonld``).  Bytes are read as real data has them: UTF-8 (with or without a BOM), UTF-16 with a
BOM, and Windows-1252 (legacy exports; read with a warning naming the first byte that is not
UTF-8).  Nothing here raises on bad bytes except an ``InputError`` with a message that says why.

    for doc in documents(data, "credential.json"):
        doc.label      # "credential.json", or "list.json[3]" for the 4th item of an array
        doc.base       # JSON pointer of the document in the input: "" or "/3"
        doc.data       # the JSON object
        doc.problems   # what reading it said (encoding, non-strict JSON), as Results
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import InputError, WrongShape
from .parse import parse_json, read_text
from .report import Result

SUFFIXES = (".json", ".jsonld")


@dataclass
class Document:
    label: str
    base: str
    data: dict
    problems: list[Result] = field(default_factory=list)


def documents(data: bytes | str, label: str = "input") -> list[Document]:
    """The documents of one input (file or request body).  InputError when it is no JSON at all,
    or when it is neither an object nor an array of objects."""
    if isinstance(data, str):
        text, problems = data, []
    else:
        text, problems = read_text(bytes(data))
    value = parse_json(text, problems)
    if isinstance(value, dict):
        return [Document(label, "", value, problems)]
    if isinstance(value, list):
        if not value:
            raise WrongShape("the input is an empty JSON array: give a CTDL document, or an array of them")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise WrongShape(f"item {i} of the array is a {_json_type(item)}, not a CTDL document (a JSON "
                                 "object)", pointer=f"/{i}")
            out.append(Document(f"{label}[{i}]", f"/{i}", item, list(problems) if i == 0 else []))
        return out
    raise WrongShape(f"a CTDL document must be a JSON object {{...}} (or an array of them), not a "
                     f"{_json_type(value)}")


def _json_type(value) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null",
            list: "array", dict: "object"}.get(type(value), type(value).__name__)


def files(folder: Path) -> Iterator[Path]:
    """The JSON files of a folder and its subfolders, in a stable order (hidden ones skipped)."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and path.suffix.lower() in SUFFIXES and not any(p.startswith(".") for p in rel.parts):
            yield path


def check(data: bytes | str, label: str = "input", engine: str | None = None, file: str = "",
          unreadable: str = "report", rules=None) -> list:
    """Validate every document of one input: a list of ``summary.Checked``.  An input that cannot
    be read at all is one Checked with its error (``unreadable="report"``, for folders) or raises
    its InputError (``"raise"``, for one file or a request body)."""
    from .pipeline import validate_document
    from .summary import Checked

    try:
        docs = documents(data, label)
    except InputError as e:
        if unreadable == "raise":
            raise
        return [Checked(label, None, {"code": e.code, "message": e.message, "path": e.pointer}, file)]
    out = []
    for doc in docs:
        try:
            report = validate_document(doc.data, engine, base=doc.base, problems=doc.problems, rules=rules)
        except InputError as e:
            if unreadable == "raise" and len(docs) == 1:
                raise
            out.append(Checked(doc.label, None, {"code": e.code, "message": e.message, "path": e.pointer}, file))
            continue
        out.append(Checked(doc.label, report, None, file))
    return out


PARALLEL_FROM = 64      # files: fewer are checked in this process (workers would not pay for themselves)


def _check_file(item: tuple) -> list:
    path, name, engine, shapes = item
    from .errors import Unreadable
    from .parse import MAX_INPUT_BYTES
    from .summary import Checked

    try:
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_INPUT_BYTES + 1)
        except OSError as e:
            raise Unreadable(f"cannot read {path}: {e.strerror or e}") from None
        if shapes is not None:                  # workers get the folder, not the compiled rules
            from .ruleset import RuleSet
            return check(data, name, engine, file=name, rules=RuleSet.for_folder(shapes))
        return check(data, name, engine, file=name)
    except InputError as e:         # a file that cannot be read is reported on that file
        return [Checked(name, None, {"code": e.code, "message": e.message, "path": getattr(e, "pointer", "")}, name)]


def workers_for(count: int, threshold: int = PARALLEL_FROM, start: str = "fork") -> int:
    """How many processes share ``count`` items (files, spreadsheet rows): ``$CTDL_CHECK_WORKERS``
    if set (1: none, the calling process checks them), else one per core (at most 8) from
    ``threshold`` items on, where processes can be started with ``start``. (``$CTDL_WORKERS`` is
    gunicorn's number of server processes, each of which may start these.)"""
    import multiprocessing
    import os

    given = os.environ.get("CTDL_CHECK_WORKERS", "").strip()
    if given.isdigit() and int(given) > 0:
        wanted = int(given)
    else:
        wanted = min(os.cpu_count() or 1, 8) if count >= threshold else 1
    if wanted > 1 and start not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(wanted, count))


def check_files(inputs: list[tuple[str, str]], engine: str | None = None, rules=None) -> list[list]:
    """Every (file, name in the report) read and checked: a list of ``summary.Checked`` per file,
    in input order.  Many files are
    shared among worker processes forked once the rules are loaded (the first file is checked
    here first), so a folder of a registry export uses every core; each worker returns its files'
    ``summary.Checked``."""
    shapes = str(rules.shapes_dir) if rules is not None else None
    items = [(path, name, engine, shapes) for path, name in inputs]
    n = workers_for(len(items))
    if n <= 1:
        return [_check_file(item) for item in items]
    import multiprocessing

    out = [_check_file(items[0])]           # loads the rules, contexts and vocabularies once
    with multiprocessing.get_context("fork").Pool(n) as pool:
        out.extend(pool.imap(_check_file, items[1:], chunksize=max(1, min(32, len(items) // (n * 8)))))
    return out


__all__ = ["Document", "documents", "files", "read_text", "check", "check_files", "InputError"]
