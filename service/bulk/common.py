"""What the bulk workflow (workflow.py), its staging (staging.py) and the uploads (upload.py,
frameworks.py, costmanifests.py) share: a row as it is handed over, what happened to it, and the
errors the workflow says in the form every stored error has."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from transformer import endpoint_names, Result, VIOLATION

from ..registry.core import DOCUMENT_KINDS

MAX_EXTERNAL_ID = 50   # "Limit 50 characters" (the Publisher's External Identifier column)
# What was uploaded (a row's cells; a framework's whole sheet), kept in the staged request under a
# request-level key the pipeline ignores, so that export gives it back: update = export, edit,
# re-upload.  It is not part of the record's content: uploading the same record written otherwise
# (an exported file with its CTIDs filled in) changes nothing.
ROW_KEY = "BulkRow"



@dataclass
class Row:
    """One spreadsheet row, as transformer/bulk hands it over."""
    external_id: str
    request: dict
    document: dict | None = None
    report: list[Result] = field(default_factory=list)   # what validating the row said
    deferred: bool = False  # Target Credential left blank or #DEFER


@dataclass
class Outcome:
    """What happened to one row or record. result: stage -> created | updated | unchanged |
    rejected; approve -> approved | unchanged | skipped | refused; publish -> published |
    unchanged | failed | skipped; discard -> discarded | refused."""
    external_id: str
    ctid: str | None
    type: str
    status: str                       # the record's status afterwards ("" when not stored)
    result: str
    message: str = ""
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    envelope_id: str | None = None
    row: int | None = None            # stage_rows: the row's position in the upload (1 = first)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "") or k in ("ctid", "status")}


def record_names() -> dict[str, str]:
    """The kinds of record that can be uploaded -> the name of the record (its request wrapper)."""
    return {**endpoint_names(), **{k: name for k, (name, _) in DOCUMENT_KINDS.items()}}


def error(code: str, message: str, path: str = "", prop: str = "") -> dict:
    """A refusal of the workflow's own (ownership, CTID conflicts...), kept with the staged record in
    the form every stored error has (service/registry/answers.result_error)."""
    from ..registry.answers import result_error

    return result_error(Result(VIOLATION, code, message, path=path, property=prop))


def cell_error(e: dict) -> dict:
    """A stored error as a spreadsheet answer gives it: {column, value, message, code}."""
    return {"column": e.get("property", ""), "value": e.get("value"), "message": e.get("message", ""),
            "code": e.get("code", "")}


def row_errors(results: list[Result]) -> list[dict]:
    """The violations of a row's results as error dicts (warnings are not kept)."""
    from ..registry.answers import result_error

    return [result_error(r) for r in results if r.severity == VIOLATION]
