"""Bytes -> text -> JSON, with limits, clear errors, and tolerance for what real clients send.

Two decoding policies, both here and nowhere else:
* ``decode``: Registry Assistant requests are UTF-8 (a BOM allowed), as the Registry Assistant
  requires; anything else is refused with the byte and line, because a request that an integrator's
  program sends in another encoding is a bug to fix at its source, not to guess around.
* ``decode_file``: files people save (documents to validate, spreadsheets) may also be UTF-16 with
  a BOM or Windows-1252 (older Windows exports, Excel's "CSV"), read with a warning.

Real Registry Assistant inputs contain ``//`` comments and trailing commas.  We accept them with
a warning (the strict parser is tried first, so valid JSON pays nothing extra).
"""
from __future__ import annotations

import codecs
import json
from typing import Any

from .errors import BadEncoding, NotJSON, TooDeep, TooLarge, WrongShape
from .report import Result, WARNING

MAX_INPUT_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
# Python refuses to turn longer digit strings into int (sys.get_int_max_str_digits(), against
# quadratic conversion); no CTDL value needs more than a few digits, so the limit is far lower.
MAX_NUMBER_DIGITS = 100


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_INPUT_BYTES:
        raise TooLarge(f"the input is {len(data) / 1048576:.1f} MB; the limit is "
                       f"{MAX_INPUT_BYTES // 1048576} MB. Split it into several documents.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise BadEncoding(
            f"the input is not valid UTF-8: byte 0x{data[e.start]:02x} at line {line}, offset "
            f"{e.start}. Save the file as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: "
            f"'Save with encoding UTF-8').") from None


def _latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined (0x81, 0x8d, ...) are read as Latin-1 (the same
    code points) rather than failing."""
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("ctdl-latin1", _latin1)


def decode_file(data: bytes) -> tuple[str, str, int | None, bool]:
    """The decoding policy for files people save (documents to validate, spreadsheets):
    (text, encoding, offset of the first byte that was not UTF-8 or None, replaced anything).

    UTF-16 when the bytes start with its BOM; else UTF-8 (a BOM dropped); else Windows-1252, the
    encoding of older Windows exports, with its five undefined bytes read as Latin-1, so nothing is
    replaced.  Only bytes that break UTF-16 are replaced (U+FFFD).  Callers refuse binary data
    first, each in its own words."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", None, False
        except UnicodeDecodeError:
            return data.decode("utf-16", errors="replace"), "utf-16", None, True
    body, encoding = (data[3:], "utf-8-sig") if data.startswith(codecs.BOM_UTF8) else (data, "utf-8")
    try:
        return body.decode("utf-8"), encoding, None, False
    except UnicodeDecodeError as e:
        return body.decode("cp1252", errors="ctdl-latin1"), "cp1252", e.start, False


def read_text(data: bytes) -> tuple[str, list[Result]]:
    """(text, problems) of a document's bytes, decoded as ``decode_file`` says."""
    if len(data) > MAX_INPUT_BYTES:
        raise TooLarge(f"the input is {len(data) / 1048576:.1f} MB; the limit is {MAX_INPUT_BYTES // 1048576} MB. "
                       "Split it into several documents.")
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in data[:4096]:
        raise BadEncoding("the input is binary (it holds NUL bytes), not a JSON text document.")
    text, encoding, first, replaced = decode_file(data)
    if replaced:
        raise BadEncoding("the input starts as UTF-16 but holds bytes that are not UTF-16: save it as UTF-8.")
    if first is None:
        return text, []
    line = data[:first].count(b"\n") + 1
    return text, [Result(WARNING, "input.encoding-cp1252",
                         f"the input is not UTF-8 (byte 0x{data[first]:02x} at line {line}, offset {first}); it "
                         "was read as Windows-1252, the encoding of older Windows exports.",
                         fix="Save the file as UTF-8 so that every tool reads its characters the same way.")]


def parse_json(data: bytes | str, warnings: list[Result] | None = None) -> Any:
    """Parse JSON; tolerate comments and trailing commas (with a warning in ``warnings``)."""
    text = decode(data)
    if len(text) > MAX_INPUT_BYTES:
        raise TooLarge(f"the input has {len(text)} characters; the limit is {MAX_INPUT_BYTES}.")
    try:
        value = _loads(text)
    except RecursionError:
        raise TooDeep(f"the JSON is nested too deeply; at most {MAX_DEPTH} levels are allowed.") from None
    except json.JSONDecodeError as strict_error:
        relaxed, changes = _strip_non_strict(text)
        if changes:  # a comment between a comma and a bracket hides the comma on the first pass
            relaxed, more = _strip_non_strict(relaxed)
            changes = sorted(set(changes) | set(more))
        if not changes:
            raise _not_json(strict_error) from None
        try:
            value = _loads(relaxed)
        except RecursionError:
            raise TooDeep(f"the JSON is nested too deeply; at most {MAX_DEPTH} levels are allowed.") from None
        except json.JSONDecodeError as e:
            raise _not_json(e) from None
        if warnings is not None:
            warnings.append(Result(
                WARNING, "input.non-strict-json",
                f"the input is not strict JSON ({', '.join(changes)}); it was read anyway.",
                fix="Remove comments and trailing commas so every JSON tool can read it."))
    check_depth(value)
    return value


def _loads(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constants, parse_int=_int, parse_float=_float)
    except _LongNumber as e:   # say where: the first run of too many digits
        import re

        m = re.search(r"\d{%d,}" % (MAX_NUMBER_DIGITS + 1), text)
        if m is None:
            raise NotJSON(e.message) from None
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise NotJSON(f"{e.message[:-1]} (line {line}, column {column}).") from None


class _LongNumber(NotJSON):
    pass


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _LongNumber(f"a number has {len(digits.lstrip('-')):,} digits; at most {MAX_NUMBER_DIGITS} are "
                          "accepted (no CTDL value needs more): write it as text, or check the data.")
    return int(digits)


def _float(text: str) -> float:
    mantissa = text.lstrip("-").split("e")[0].split("E")[0].replace(".", "")
    if len(mantissa) > MAX_NUMBER_DIGITS:
        raise _LongNumber(f"a number has {len(mantissa):,} digits; at most {MAX_NUMBER_DIGITS} are accepted "
                          "(no CTDL value needs more): write it as text, or check the data.")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise NotJSON(f"the number {text[:40]}{'...' if len(text) > 40 else ''} is too large for any system "
                      "to read (it overflows to infinity): check the data.")
    return value


def _no_constants(name: str):
    raise NotJSON(f"{name} is not valid JSON (JSON has no {name}); write the number, or leave the field out.")


def _not_json(e: json.JSONDecodeError) -> NotJSON:
    return NotJSON(f"the input is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}.",
                   pointer="")


def check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if d > MAX_DEPTH:
            raise TooDeep(f"the JSON is nested more than {MAX_DEPTH} levels deep; "
                          "CTDL documents never need that many.")
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)


def _strip_non_strict(text: str) -> tuple[str, list[str]]:
    """Remove // and /* */ comments outside strings, and commas before } or ]."""
    out: list[str] = []
    changes: set[str] = set()
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
            continue
        if c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            changes.add("comments")
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            changes.add("comments")
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                changes.add("trailing commas")
                i += 1
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out), sorted(changes)


def require_object(value: Any, what: str = "the document") -> dict:
    if not isinstance(value, dict):
        kind = type(value).__name__.replace("dict", "object").replace("list", "array")
        raise WrongShape(f"{what} must be a JSON object {{...}}, not a JSON {kind}.")
    return value
