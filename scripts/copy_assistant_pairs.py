#!/usr/bin/env python3
"""Copy extra real Registry Assistant input/output pairs into ``tests/data/assistant-pairs-extra/``.

    .venv/bin/python scripts/copy_assistant_pairs.py [--mirror PATH]

``--mirror`` is a git directory (no work tree needed) of CredentialEngine/Registry_Assistant.
Every pair listed in ``PAIRS`` is an API request (simple publisher JSON) and the CTDL JSON-LD
the real service published for it; both files are copied byte for byte from the mirror's HEAD
commit as ``<short name>.input.json`` / ``<short name>.output.json``, and ``SOURCES.md`` is
(re)written with one row per file.  Deterministic, offline; only git and the standard library.

Pairs not taken (see ``SKIPPED``): those whose main CTID is already in ``tests/data/assistant-pairs/``,
byte-identical duplicates under ``PerformanceExamples/``, inputs with no published output, and
envelope samples with no input.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPOSITORY = "CredentialEngine/Registry_Assistant"
DEFAULT_MIRROR = "/work/.mirror/CredentialEngine+Registry_Assistant/repo"
OUT = ROOT / "tests" / "data" / "assistant-pairs-extra"
BASE = "src/SamplePublishing/RA.SamplesForDocumentation/"

# (short name, input path, output path, main CTID, what it is)
PAIRS = [
    ("WithOutcomeData_Certification_ce-f5b8d26a-690a-4671-bda6-d8fc92647a05",
     BASE + "Credentials/files/Credential_WithOutcomeData_Credential_API_Input.json",
     BASE + "Credentials/files/Credential_WithOutcomeData_Credential_API_output.json",
     "ce-f5b8d26a-690a-4671-bda6-d8fc92647a05",
     "Certification with a full AggregateDataProfile (JobsObtained, Jurisdiction, RelevantDataSet "
     "with DataSetTimePeriod / DataProfile attributes)"),
    ("Indiana_BachelorDegree_ce-2f7bc05c-2f9c-4119-9507-2f64d1a71b7b",
     BASE + "OutcomeData/Indiana/Indiana University South Bend-B.S. in Nursing (Pre-Licensure)_API_Input.json",
     BASE + "OutcomeData/Indiana/Indiana University South Bend-B.S. in Nursing (Pre-Licensure)_API_Output_CTDL.json",
     "ce-2f7bc05c-2f9c-4119-9507-2f64d1a71b7b",
     "Indiana University South Bend B.S. in Nursing: BachelorDegree with costs, occupations, "
     "CIP codes, accreditation and pass-rate outcome data (UTF-8 BOM in both files)"),
    ("CareerBridge_Certificate_ce-343120e2-c068-4630-bb39-0a09e56d5613",
     BASE + "OutcomeData/files/CareerBridge_Credential_WithAggregateDataProfile_API_Input.json",
     BASE + "OutcomeData/files/CareerBridge_Credential_WithAggregateDataProfile_API_Output.json",
     "ce-343120e2-c068-4630-bb39-0a09e56d5613",
     "CareerBridge Certificate with an AggregateDataProfile and a RelevantDataSet (DataSetProfile)"),
    ("Kansas_AssociateDegree_ce-bd860014-039c-9c32-f816-e4f429b17f40",
     BASE + "OutcomeData/files/Kansas_Credential_WithAggregateDataProfile_API_Input.json",
     BASE + "OutcomeData/files/Kansas_Credential_WithAggregateDataProfile_API_Output.json",
     "ce-bd860014-039c-9c32-f816-e4f429b17f40",
     "Kansas AssociateDegree with EstimatedDuration and two AggregateDataProfiles (median earnings)"),
    ("ProPath_License_ce-8a871edc-9fbc-43bd-b671-afe33f26059e",
     BASE + "ProPath/ProPath_Input.json",
     BASE + "ProPath/ProPath_Published.json",
     "ce-8a871edc-9fbc-43bd-b671-afe33f26059e",
     "ProPath License (160 Driving Academy) with ONET code and WIOA outcome data "
     "(AggregateDataProfile -> DataSetProfile -> DataProfile; UTF-8 BOM in the input)"),
]

# documented, not copied
SKIPPED = [
    (BASE + "PerformanceExamples/…", "byte-identical copies of the OutcomeData/ Indiana, CareerBridge and Kansas pairs"),
    (BASE + "PerformanceExamples/files/2021-28_credential_ce-bd860014-039c-9c32-f816-e4f429b17f40_format_rainput.json",
     "an older variant of the Kansas input (MedianEarnings 44439 twice, no Currency); the Kansas "
     "output matches the OutcomeData/ input instead"),
    (BASE + "Credentials/files/CredentialWithMultipleLanguages_Api_*, Credential_PublishDetailedRecord_API_*, "
     "ProPath/LearningOpportunity_160 Driving Academy_*", "already in tests/data/assistant-pairs/"),
    (BASE + "EnvelopeSamples/*", "registry envelopes with no matching request"),
]


def git(mirror: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", mirror, *args], check=True,
                          stdout=subprocess.PIPE).stdout


def existing_ctids() -> set[str]:
    """Main CTIDs of the pairs already in tests/data/assistant-pairs/ (from their file names)."""
    import re
    found = set()
    for p in (ROOT / "tests" / "data" / "assistant-pairs").glob("*.json"):
        found |= {m.lower() for m in re.findall(r"ce-[0-9a-fA-F-]{36}", p.name)}
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", default=DEFAULT_MIRROR, help="git directory of Registry_Assistant")
    args = ap.parse_args()

    from transformer.parse import parse_json

    commit = git(args.mirror, "rev-parse", "HEAD").decode().strip()
    already = existing_ctids()
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, inp, outp, ctid, what in PAIRS:
        if ctid.lower() in already:
            print(f"skip {name}: {ctid} already in assistant-pairs/", file=sys.stderr)
            continue
        for kind, src in (("input", inp), ("output", outp)):
            data = git(args.mirror, "show", f"{commit}:{src}")
            doc = parse_json(data)   # raises if the project cannot read it
            if kind == "input":
                assert "PublishForOrganizationIdentifier" in doc and any(
                    isinstance(v, dict) for v in doc.values()), f"{src}: not an RA request"
                desc = (f"Registry Assistant API request (simple publisher JSON) for {ctid}: {what}. "
                        f"Its published CTDL is `{name}.output.json`.")
            else:
                assert "@context" in doc and "@graph" in doc, f"{src}: not a CTDL graph"
                main_id = doc["@graph"][0].get("@id", "")
                assert main_id.lower().endswith(ctid.lower()), f"{src}: main resource is {main_id}"
                desc = (f"CTDL JSON-LD graph (not an envelope) the real Registry Assistant published "
                        f"on the sandbox registry for `{name}.input.json`.")
            target = OUT / f"{name}.{kind}.json"
            target.write_bytes(data)
            rows.append((target.name, src, commit, desc))
            print(f"{target.relative_to(ROOT)}  {len(data)} bytes", file=sys.stderr)

    lines = [
        "# Sources of tests/data/assistant-pairs-extra",
        "",
        "Written by `scripts/copy_assistant_pairs.py` from a snapshot of the public "
        f"{REPOSITORY} repository; every file is a byte-for-byte copy (some are non-strict JSON or "
        "start with a UTF-8 BOM, as in the source). Each `*.input.json` is a real Registry "
        "Assistant API request and `*.output.json` the CTDL the real service published for it "
        "(sandbox registry). None of the outputs is an envelope. Pairs whose main CTID is already "
        "in `assistant-pairs/` are not repeated here.",
        "",
        "| file | source repository | source path | commit | what it is |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{f}` | {REPOSITORY} | `{src}` | {c} | {d} |" for f, src, c, d in rows]
    lines += ["", "Not copied:", ""]
    lines += [f"* `{src}`: {why}." for src, why in SKIPPED]
    (OUT / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
