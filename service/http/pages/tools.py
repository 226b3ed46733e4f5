"""Validate (paste or upload a CTDL document, or a folder as a zip, and see the grouped report with
each result's place highlighted in the document) and the format playground (Registry Assistant JSON
on the left, CTDL on the right, each message under the field it concerns)."""
from __future__ import annotations

import io
import json
import zipfile

from flask import request

from transformer import CtdlError, endpoint_names, pointer_join, WrongShape

from ..web import registry
from . import bp, page

MAX_ZIP_FILES = 1000


def numbered(value) -> tuple[list[str], dict[str, int]]:
    """The value as indented JSON, one entry per line, and the line (from 1) where each JSON pointer
    starts: the place of a result in the document."""
    lines: list[str] = []
    where: dict[str, int] = {}

    def emit(v, pointer: str, indent: str, prefix: str, comma: str) -> None:
        where.setdefault(pointer, len(lines) + 1)
        if isinstance(v, dict) and v:
            lines.append(f"{indent}{prefix}{{")
            items = list(v.items())
            for i, (k, item) in enumerate(items):
                emit(item, pointer_join(pointer, str(k)), indent + "  ", json.dumps(k, ensure_ascii=False) + ": ",
                     "," if i < len(items) - 1 else "")
            lines.append(f"{indent}}}{comma}")
        elif isinstance(v, list) and v:
            lines.append(f"{indent}{prefix}[")
            for i, item in enumerate(v):
                emit(item, pointer_join(pointer, str(i)), indent + "  ", "", "," if i < len(v) - 1 else "")
            lines.append(f"{indent}]{comma}")
        else:
            lines.append(f"{indent}{prefix}{json.dumps(v, ensure_ascii=False)}{comma}")

    emit(value, "", "", "", "")
    return lines, where


def _line_of(pointer: str, where: dict[str, int]) -> int | None:
    """The line of the pointer, or of its nearest parent in the document."""
    while True:
        if pointer in where:
            return where[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]


def _inputs() -> list[tuple[str, bytes]]:
    """(label, bytes) of each document sent: the pasted text, an uploaded JSON file, or each .json /
    .jsonld file of an uploaded zip."""
    text = request.form.get("document", "")
    sent = request.files.get("file")
    data = sent.read() if sent is not None else b""
    if data and (sent.filename or "").lower().endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise WrongShape("the file is not a zip archive; upload a .json or .jsonld document, or a zip of them",
                             pointer="/file") from None
        names = [i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith((".json", ".jsonld"))]
        if not names:
            raise WrongShape("the zip holds no .json or .jsonld file", pointer="/file")
        if len(names) > MAX_ZIP_FILES:
            raise WrongShape(f"the zip holds {len(names)} documents; send at most {MAX_ZIP_FILES} at a time",
                             pointer="/file")
        total = 0
        out = []
        for info in names:
            total += info.file_size
            if total > 8 * 1024 * 1024 * 4:
                raise WrongShape("the zip's documents are larger than 32 MB in all; send fewer at a time",
                                 pointer="/file")
            out.append((info.filename, archive.read(info)))
        return out
    if data:
        return [(sent.filename or "upload", data)]
    if text.strip():
        return [("pasted document", text.encode("utf-8"))]
    raise WrongShape("paste a CTDL document or choose a file to check", pointer="/document")


@bp.get("/check")
def check_page():
    return page("check.html")


@bp.post("/check")
def check_post():
    from transformer import check, summary

    reports = []
    for label, data in _inputs():
        checked = check(data, label, registry().engine, unreadable="report", rules=registry().rules)
        groups = summary.group_results(checked, 5)
        try:
            value = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            value = None
        lines, where = numbered(value) if value is not None and len(data) < 2_000_000 else ([], {})
        results = []
        flagged: dict[int, str] = {}
        for c in checked:
            for r in (c.report.sorted() if c.report else []):
                line = _line_of(r.path, where)
                if line is not None:
                    flagged[line] = "error" if r.severity == "Violation" or flagged.get(line) == "error" else "warning"
                results.append({**r.to_dict(), "line": line, "document": c.label})
        reports.append({"label": label, "checked": checked, "groups": groups, "results": results,
                        "lines": lines, "flagged": flagged, "totals": summary.totals(checked),
                        "error": next((c.error for c in checked if c.error), None)})
    return page("check.html", reports=reports, document=request.form.get("document", ""))


def examples() -> dict[str, str]:
    """The examples the playground loads (pages/examples/<type>.json: the Registry Assistant
    handbook's basic requests, as tests/cases/handbook-<type>-basic holds them)."""
    from pathlib import Path

    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent / "examples").glob("*.json"))}


@bp.route("/playground", methods=["GET", "POST"])
def playground():
    kinds = sorted(endpoint_names())
    kind = request.values.get("type", "credential")
    text = request.form.get("request", "") if request.method == "POST" else ""
    if request.method == "GET" and request.args.get("example"):
        text = examples().get(request.args["example"], "")
        kind = request.args["example"]
    outcome, error, messages = None, None, {}
    if request.method == "POST":
        if kind not in kinds:
            raise WrongShape(f'"{kind[:40]}" is not a request type', pointer="/type")
        try:
            outcome = registry().format(text.encode("utf-8"), kind)
        except CtdlError as e:
            error = e
        if outcome is not None:
            for r in outcome.report.sorted():
                messages.setdefault(r.path or "/", []).append(r)
    lines, where = ([], {})
    if text.strip():
        try:
            lines, where = numbered(json.loads(text))
        except ValueError:
            pass
    by_line: dict[int, list] = {}
    for pointer, results in messages.items():
        line = _line_of(pointer, where)
        by_line.setdefault(line or 0, []).extend(results)
    return page("playground.html", kinds=kinds, kind=kind, text=text, outcome=outcome, error=error,
                lines=lines, by_line=by_line, examples=sorted(examples()),
                ctdl=json.dumps(outcome.document, indent=2, ensure_ascii=False)
                if outcome is not None and outcome.document else "")
