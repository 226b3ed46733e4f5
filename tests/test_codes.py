"""transformer/codes.py is the catalogue of every code: each code the sources and the shapes use is
in it, each entry is still used, and docs/CODES.md says what the catalogue says."""
from __future__ import annotations

import re
from pathlib import Path

from transformer.codes import CODES, ERRORS, RESULTS, markdown

ROOT = Path(__file__).resolve().parent.parent
CODE = r"[a-z][a-z0-9]*(?:[.-][a-z0-9]+)+|[a-z]{4,}"
# where a code is written in the sources: after a severity, as code=..., as an error class's code,
# as the code of an HTTP error answer, as a problem/warn helper's first argument
PATTERNS = [re.compile(rf'\b(?:VIOLATION|WARNING|INFO)\s*(?:if [^,]+ else \w+)?,\s*"({CODE})"'),
            re.compile(rf'\bcode\s*=\s*"({CODE})"'),
            re.compile(rf'\berror_response\(\s*\d+,\s*"({CODE})"'),
            re.compile(rf'\bwarn\(\s*"({CODE})"'),
            re.compile(rf'"({CODE})",\s*(?:VIOLATION|WARNING|INFO)\b'),
            re.compile(rf'\bCODES\.get\([^,]+,\s*"({CODE})"\)'),
            re.compile(rf'"({CODE})",\s*shape='),
            re.compile(r'"((?:bulk|org|input|auth|registry|config|keys|http|server|envelope)\.[a-z]+(?:-[a-z]+)*)"'),
            re.compile(rf'\bself\.problem\((?:[^()]|\([^()]*\))*?,\s*"({CODE})"\s*[,)]', re.S)]
NOT_CODES = {"severity", "warning", "info", "violation"}     # severities' own words where they sit
# codes built with an f-string: the catalogue entry and the text that builds it
BUILT = {"unknown-class": 'f"unknown-{kind}"', "unknown-property": 'f"unknown-{kind}"',
         "http.method-not-allowed": '405: "http.method-not-allowed"', "sample-row": 'f"{what}-row"',
         "instructions-row": 'f"{what}-row"'}


def used() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    sources = sorted(list((ROOT / "transformer").rglob("*.py")) + list((ROOT / "service").rglob("*.py")))
    for path in sources:
        if path.name == "codes.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            for m in pattern.finditer(text):
                if m.group(1) not in NOT_CODES:
                    found.setdefault(m.group(1), set()).add(str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "shapes").rglob("*.ttl")):
        for m in re.finditer(r'ctdlsh:code "([^"]+)"', path.read_text(encoding="utf-8")):
            found.setdefault(m.group(1), set()).add(str(path.relative_to(ROOT)))
    from transformer.validate import CODES as BY_COMPONENT
    for code in BY_COMPONENT.values():
        found.setdefault(code, set()).add("transformer/validate.py CODES")
    return found


def test_the_detector_finds_codes():
    found = used()
    assert len(found) > 90 and {"required", "input.too-large", "recommended", "auth.required"} <= set(found)


def test_every_code_used_is_in_the_catalogue():
    missing = {code: sorted(where) for code, where in used().items() if code not in CODES}
    assert not missing, f"add these codes to transformer/codes.py: {missing}"


def test_every_code_of_the_catalogue_is_used():
    found = used()
    sources = "\n".join(p.read_text(encoding="utf-8") for folder in ("transformer", "service")
                        for p in (ROOT / folder).rglob("*.py"))
    stale = [c for c in CODES if c not in found and not (c in BUILT and BUILT[c] in sources)]
    assert not stale, f"codes no longer used (remove them from transformer/codes.py): {stale}"


def test_the_two_kinds_keep_their_forms():
    assert all("." not in c for c in RESULTS), "result codes are words with hyphens"
    assert all("." in c or c in ("error", "internal") for c in ERRORS), "error codes are area.what"
    assert all(d.strip().endswith(".") and len(d) > 20 for d in CODES.values())


def test_the_codes_page_is_up_to_date_and_linked():
    page = ROOT / "docs" / "CODES.md"
    assert page.read_text(encoding="utf-8") == markdown(), \
        "docs/CODES.md is out of date: python -m transformer.codes > docs/CODES.md"
    assert "docs/CODES.md" in (ROOT / "README.md").read_text(encoding="utf-8")
