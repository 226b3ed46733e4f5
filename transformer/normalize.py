"""Values written the ways real clients write them, read the way the Registry Assistant reads them.

Pure functions, one per kind of value: dates, URLs, occupation (SOC / O*NET-SOC), instructional
program (CIP) and industry (NAICS) codes.  Each returns a :class:`Normalized`: the canonical value
(``None`` when the text cannot be read as one) and, when something was assumed that the user
should know about, a ``note`` in plain English saying what, for a warning.  Nothing here raises;
leading and trailing whitespace is dropped silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date

__all__ = ["Normalized", "date", "url", "soc_code", "cip_code", "naics_code"]


@dataclass(frozen=True)
class Normalized:
    """A normalized value.  ``value`` is None when the text is not recognizable; ``note`` says what
    was assumed (for a warning), None when the input was already canonical or not recognized."""

    value: str | None
    note: str | None = None


_NONE = Normalized(None)


def _read_as(given: str, value: str, why: str = "") -> Normalized:
    """`value`, with the note "'given' read as value (why)"."""
    return Normalized(value, f"'{given}' read as {value}" + (f" ({why})" if why else ""))


def _clean(text: object) -> str | None:
    """`text` without surrounding whitespace; None if it is not a string or nothing is left."""
    if not isinstance(text, str):
        return None
    t = text.strip()
    return t or None


# -- dates ---------------------------------------------------------------------------------------
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^\d{4}$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# .NET's default DateTime text, as Registry Assistant clients serialize dates: 1/2/1990 12:00:00 AM
_US_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")


def _month(name: str) -> int | None:
    """January, jan, Sept -> its number; None for anything else."""
    n = name.lower()
    for i, full in enumerate(_MONTHS):
        if n in (full, full[:3]) or (full == "september" and n == "sept"):
            return i + 1
    return None


def _iso(y: int, m: int, d: int) -> str | None:
    """YYYY-MM-DD of a real calendar day, else None."""
    try:
        return _date(y, m, d).isoformat()
    except ValueError:
        return None


def date(text: str) -> Normalized:
    """A date as ``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` when that is all that was given; an
    xsd:dateTime ``YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm]`` is kept as it is).  Also reads 2018-1-1,
    8/4/1971 (month/day/year, as the Registry Assistant reads it), Jan 1, 2000, January 1, 2000,
    1 January 2000 and Sept 5 2001, with a note.  Two-digit years and impossible days: None."""
    t = _clean(text)
    if t is None:
        return _NONE
    if m := _DATETIME.match(t):
        y, mo, d, hh, mi, ss = (int(g) for g in m.groups()[:6])
        tz_ok = m[9] is None or (int(m[9]) <= 14 and int(m[10]) < 60)
        ok = _iso(y, mo, d) and hh < 24 and mi < 60 and ss < 60 and tz_ok
        return Normalized(t) if ok else _NONE
    if m := _ISO_DAY.match(t):
        iso = _iso(int(m[1]), int(m[2]), int(m[3]))
        return _NONE if iso is None else Normalized(iso) if iso == t else _read_as(t, iso)
    if m := _ISO_MONTH.match(t):
        if int(m[1]) < 1 or not 1 <= int(m[2]) <= 12:
            return _NONE
        ym = f"{m[1]}-{int(m[2]):02d}"
        return Normalized(ym) if ym == t else _read_as(t, ym)
    if _YEAR.match(t):
        return Normalized(t) if int(t) >= 1 else _NONE
    if m := _US.match(t):
        iso = _iso(int(m[3]), int(m[1]), int(m[2]))
        return _read_as(t, iso, "month/day/year, as the Registry Assistant reads dates") if iso else _NONE
    if m := _US_TIME.match(t):
        iso = _iso(int(m[3]), int(m[1]), int(m[2]))
        hh, mi, ss = int(m[4]), int(m[5]), int(m[6] or 0)
        if iso is None or hh > (12 if m[7] else 23) or mi > 59 or ss > 59:
            return _NONE
        midnight = (hh, mi, ss) in ((0, 0, 0), (12, 0, 0)) and (hh == 0 or (m[7] or "").lower() == "am")
        why = "month/day/year" + ("" if midnight else "; a date has no time of day, so the time was left out")
        return _read_as(t, iso, why)
    for rx, (di, ni) in ((_MONTH_FIRST, (2, 1)), (_DAY_FIRST, (1, 2))):
        if m := rx.match(t):
            month = _month(m[ni])
            iso = _iso(int(m[3]), month, int(m[di])) if month else None
            return _read_as(t, iso) if iso else _NONE
    return _NONE


# -- URLs ----------------------------------------------------------------------------------------
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+\.?(?::\d{{1,5}})?$")
_TLD = re.compile(r"^[^\W\d_]{2,}$|^xn--[a-z0-9-]+$", re.IGNORECASE)
_BAD_CHARS = re.compile(r"[\s<>\"]")
_MAILTO = re.compile(r"^mailto:[^@/]+@[^@/]+\.[^@/]+$", re.IGNORECASE)


def _host_ok(authority: str, *, need_tld: bool) -> bool:
    """Is `authority` (host[:port], no user info) a dotted host name or an IPv4 address?  With
    `need_tld`, the last label must be letters (so 'v1.5' is no host)."""
    if not _HOST.match(authority):
        return False
    host = authority.rsplit(":", 1)[0] if ":" in authority else authority
    last = host.rstrip(".").rsplit(".", 1)[-1]
    return bool(_TLD.match(last)) or (not need_tld and host.replace(".", "").isdigit())


def _drop_trailing_slash(u: str) -> str:
    """https://x.org/a/ -> https://x.org/a, https://x.org/ -> https://x.org; never with a query or
    a fragment."""
    if "?" in u or "#" in u or not u.endswith("/"):
        return u
    return u.rstrip("/")


def url(text: str, *, strip_trailing_slash: bool = False) -> Normalized:
    """A web address: ``http(s)://host...`` kept as given (never percent-encoded); a host name
    without a scheme (``www.cswe.org``, ``cswe.org/path``, ``//cswe.org``) gets ``https://``, with a
    note; ``mailto:someone@x.org`` kept.  With `strip_trailing_slash`, a trailing slash on the path
    is dropped silently, as the Registry publishes web pages (not with a query or fragment).
    None for text with spaces or quotes inside, other schemes, or a host without a dot."""
    t = _clean(text)
    if t is None or _BAD_CHARS.search(t):
        return _NONE
    scheme = _SCHEME.match(t)
    if scheme and scheme[1].lower() == "mailto":
        return Normalized(t) if _MAILTO.match(t) else _NONE
    if scheme and t[scheme.end():].startswith("//"):
        if scheme[1].lower() not in ("http", "https"):
            return _NONE
        full, added = t, False
    elif t.startswith("//"):
        full, added = "https:" + t, True
    elif scheme and not t[scheme.end():scheme.end() + 1].isdigit():
        return _NONE                        # other-scheme:..., or http:/x.org (one slash)
    else:
        full, added = "https://" + t, True  # cswe.org/path; also cswe.org:8080 (a port, not a scheme)
    rest = full.split("//", 1)[1]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if not _host_ok(authority, need_tld=added):     # also no user@host
        return _NONE
    value = _drop_trailing_slash(full) if strip_trailing_slash else full
    if added:
        return _read_as(t, value, "a web address needs its https:// (or http://)")
    return Normalized(value)


# -- codes ---------------------------------------------------------------------------------------
_SOC_MAJOR = frozenset(range(11, 56, 2))       # SOC major groups: 11, 13, ..., 55
_SOC = re.compile(r"^(\d{2})-(\d{4})(\.\d{2})?$")
_SOC_LOOSE = re.compile(r"^(\d{2})[.\s](\d{4})(?:\.(\d{2}))?$")
_CIP = re.compile(r"^(\d{1,2})(?:\.(\d{2}|\d{4}))?$")
_NAICS_SECTORS = frozenset({11, 21, 22, 23, 31, 32, 33, 42, 44, 45, 48, 49, 51, 52, 53, 54, 55, 56,
                            61, 62, 71, 72, 81, 92})
_NAICS_RANGES = frozenset({"31-33", "44-45", "48-49"})   # the sectors NAICS names by a range


def soc_code(text: str) -> Normalized:
    """An occupation code: ``53-3032.00`` (O*NET-SOC) and ``53-3032`` (SOC) as given; ``533032``
    and ``53303200`` as the O*NET-SOC code ``53-3032.00`` the Registry Assistant looks up, and
    ``53.3032`` as ``53-3032``, with a note.  None unless the major group is a SOC one (11-55, odd)."""
    t = _clean(text)
    if t is None:
        return _NONE
    if m := _SOC.match(t):
        return Normalized(t) if int(m[1]) in _SOC_MAJOR else _NONE
    if t.isdigit() and len(t) in (6, 8):
        value = f"{t[:2]}-{t[2:6]}.{t[6:] or '00'}"
        why = "the O*NET-SOC form the Registry Assistant looks up"
    elif m := _SOC_LOOSE.match(t):
        value = f"{m[1]}-{m[2]}" + (f".{m[3]}" if m[3] else "")
        why = ""
    else:
        return _NONE
    return _read_as(t, value, why) if int(value[:2]) in _SOC_MAJOR else _NONE


def cip_code(text: str) -> Normalized:
    """An instructional program code: ``51.3801`` (six digits), ``51.38`` (four) and ``51`` (the
    series) as given; ``513801`` -> ``51.3801``, ``5138`` -> ``51.38`` and ``1.0101`` ->
    ``01.0101`` (its leading zero restored), with a note.  None unless the series is 01-61."""
    t = _clean(text)
    if t is None:
        return _NONE
    if t.isdigit() and len(t) in (4, 6):
        value, why = f"{t[:2]}.{t[2:]}", ""
    elif m := _CIP.match(t):
        value = f"{int(m[1]):02d}" + (f".{m[2]}" if m[2] else "")
        why = "its leading zero restored" if len(m[1]) == 1 else ""
        if len(m[1]) == 1 and not m[2]:
            return _NONE                    # a lone digit is no CIP code
    else:
        return _NONE
    if not 1 <= int(value[:2]) <= 61:
        return _NONE
    return Normalized(value) if value == t else _read_as(t, value, why)


def naics_code(text: str) -> Normalized:
    """An industry code: 2 to 6 digits as given (and the sector ranges ``31-33``, ``44-45``,
    ``48-49``); ``54-1511`` or ``54.1511`` -> ``541511``, with a note.  None unless its first two
    digits are a NAICS sector."""
    t = _clean(text)
    if t is None:
        return _NONE
    if t in _NAICS_RANGES:
        return Normalized(t)
    digits = re.sub(r"[\s.-]", "", t)
    if not (digits.isdigit() and 2 <= len(digits) <= 6) or int(digits[:2]) not in _NAICS_SECTORS:
        return _NONE
    if not re.fullmatch(r"\d+(?:[\s.-]\d+)*", t):
        return _NONE                        # punctuation only between digits, one at a time
    return Normalized(t) if digits == t else _read_as(t, digits, "NAICS codes are digits only")
