"""The bodies of the registry's answers, in the Registry Assistant's shape (no web framework: the
bulk workflow and the CLI build them too; ``service/http/responses.py`` sends them)::

    {"Successful": bool, "Messages": [...], "Warnings": [...], "CTID": ..., "Payload": ...,
     "EnvelopeUrl": ..., "GraphUrl": ..., "RegistryEnvelopeIdentifier": ..., "WasChanged": ...,
     "Errors": [{"path", "property", "code", "message"}]}
"""
from __future__ import annotations

import json
from typing import Iterable

from transformer import Report, Result, VIOLATION, with_fix


def assistant_body(successful: bool, messages: Iterable[str] = (), warnings: Iterable[str] = (),
                   errors: Iterable[dict] = (), ctid: str | None = None, payload: dict | None = None,
                   envelope_url: str | None = None, graph_url: str | None = None,
                   envelope_id: str | None = None, was_changed: bool | None = None, **extra) -> dict:
    body = {
        "Successful": successful,
        "Messages": list(messages),
        "Warnings": list(warnings),
        "CTID": ctid,
        # The Registry Assistant returns the payload as a JSON string; so do we.
        "Payload": json.dumps(payload, ensure_ascii=False) if payload is not None else None,
        "EnvelopeUrl": envelope_url,
        "GraphUrl": graph_url,
        "RegistryEnvelopeIdentifier": envelope_id,
        "WasChanged": was_changed,
        "Errors": list(errors),
    }
    body.update(extra)
    return body


def result_error(r: Result) -> dict:
    return {"path": r.path, "property": r.property, "code": r.code, "message": _with_fix(r),
            "severity": r.severity, **({"value": r.value} if r.value is not None else {})}


def _with_fix(r: Result) -> str:
    return with_fix(r.message, r.fix)


def report_parts(report: Report) -> tuple[list[str], list[str], list[dict]]:
    """(Messages, Warnings, Errors) of a validation report, in the Registry Assistant's terms."""
    results = report.sorted()
    messages = [_line(r) for r in results if r.severity == VIOLATION]
    warnings = [_line(r) for r in results if r.severity != VIOLATION]
    errors = [result_error(r) for r in results if r.severity == VIOLATION]
    return messages, warnings, errors


def _line(r: Result) -> str:
    where = f"{r.path}: " if r.path else ""
    return f"{where}{_with_fix(r)}"


def bulk_body(successful: bool, messages: Iterable[str], outcomes: Iterable | None = None,
              errors: Iterable[dict] = (), **extra) -> dict:
    """A bulk answer (service/http/bulk.py): the Assistant shape plus "Results", one entry per record
    (external_id, ctid, type, status, result, errors...). Errors holds the errors of every record
    refused or failed, each with its record's external_id."""
    results = [o.to_dict() for o in outcomes or ()]
    errors = list(errors) + [{**e, "external_id": r.get("external_id", "")} for r in results
                             if r["result"] in ("refused", "failed", "rejected") for e in r.get("errors", [])]
    body = assistant_body(successful, messages, errors=errors, **extra)
    if outcomes is not None:
        body["Results"] = results
    return body


def error_body(e) -> dict:
    """The answer to a request that could not be done (a CtdlError: its code, message and pointer)."""
    return assistant_body(False, messages=[e.message],
                          errors=[{"path": e.pointer or "", "property": "", "code": e.code, "message": e.message}])


def publish_answer(result, base: str) -> tuple[dict, int]:
    """(body, HTTP status) of a publish (service.registry.core.PublishResult): 422 with the errors
    when nothing was stored, else the envelope's links (``base``: the registry's URL, ending in /)."""
    messages, warnings, errors = report_parts(result.report)
    if result.record is None:
        return assistant_body(False, messages, warnings, errors, ctid=result.outcome.ctid,
                              payload=result.outcome.document), 422
    rec = result.record
    return assistant_body(True, messages, warnings, errors, ctid=rec.ctid, payload=rec.decoded_resource,
                          envelope_url=f"{base}envelopes/{rec.envelope_id}", graph_url=f"{base}graph/{rec.ctid}",
                          envelope_id=rec.envelope_id, was_changed=result.changed), 200
