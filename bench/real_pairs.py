"""How close is our output to the real Registry Assistant's, on every real input/output pair?

    python bench/real_pairs.py [--diff] [--runs 3] [--only NAME]

For each pair in ``tests/data/assistant-pairs/`` and ``tests/data/assistant-pairs-extra/``
(``X.input.json`` -> ``X.output.json``), formats the input with the sandbox registry base (the
real outputs were published there) and compares our document to the real one as RDF facts
(``tests/rdf_compare.py``: registry hosts, blank node ids and language-tag case do not count).
Prints per pair: real facts, our facts, recall (share of the real facts we produce),
precision (share of ours the real output has), and the median format time; then micro-averaged
totals.  ``--diff`` lists the missing / extra facts grouped by predicate.  A pair that fails
to format is reported on its line; the bench never stops on it.
"""
from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from rdf_compare import compare, format_fact  # noqa: E402
from transformer import parse  # noqa: E402
from transformer.enrich import SANDBOX_REGISTRY, Options  # noqa: E402
from transformer.pipeline import format_request  # noqa: E402

DIRS = [ROOT / "tests" / "data" / "assistant-pairs", ROOT / "tests" / "data" / "assistant-pairs-extra"]


def pairs() -> list[tuple[str, Path, Path]]:
    found = []
    for d in DIRS:
        for inp in sorted(d.glob("*.input.json")):
            out = inp.with_name(inp.name.replace(".input.json", ".output.json"))
            if out.exists():
                found.append((inp.name[:-len(".input.json")], inp, out))
    return found


def strip_keys(doc):
    """The real 160 Driving Academy output has a key with a trailing space
    ("ceterms:financialAssistanceType "), a registry bug: read it as the property it names."""
    if isinstance(doc, dict):
        return {k.strip(): strip_keys(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [strip_keys(v) for v in doc]
    return doc


def real_document(path: Path) -> dict:
    """The real CTDL: the file itself, or the payload of a registry envelope."""
    doc = parse.parse_json(path.read_bytes())
    if isinstance(doc, dict) and "@graph" not in doc:
        if isinstance(doc.get("decoded_resource"), dict):
            doc = doc["decoded_resource"]
        elif isinstance(doc.get("resource"), str) and doc["resource"].count(".") == 2:
            part = doc["resource"].split(".")[1]
            doc = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return strip_keys(doc)


def short(name: str) -> str:
    head, _, ctid = name.rpartition("_ce-")
    return f"{head}_ce-{ctid[:8]}" if head else name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--diff", action="store_true", help="print missing/extra facts by predicate")
    ap.add_argument("--runs", type=int, default=3, help="format each input this many times (timing)")
    ap.add_argument("--only", default="", help="only pairs whose name contains this")
    args = ap.parse_args()

    opts = Options(registry=SANDBOX_REGISTRY)
    total_real = total_ours = total_common = 0
    times: list[float] = []
    todo = [p for p in pairs() if not args.only or args.only in p[0]]
    try:  # start-up (shapes, contexts, vocabularies) is not part of the time per format
        format_request(todo[0][1].read_bytes(), opts=opts) if todo else None
    except Exception:  # noqa: BLE001 - reported on the pair's own line below
        pass
    print(f"{'pair':<42} {'real':>5} {'ours':>5} {'recall':>7} {'precis.':>7} {'ms':>7}")
    for name, inp, out in todo:
        label = short(name)
        try:
            data = inp.read_bytes()
            elapsed = []
            for _ in range(max(1, args.runs)):
                t = time.perf_counter()
                outcome = format_request(data, opts=opts)
                elapsed.append(time.perf_counter() - t)
            ms = statistics.median(elapsed) * 1000
            times.extend(elapsed)
            if outcome.document is None:
                errs = "; ".join(f"{r.code} {r.path}" for r in outcome.report.violations[:3])
                print(f"{label:<42} ERROR no document: {errs}")
                continue
            c = compare(real_document(out), outcome.document)
        except Exception as e:  # noqa: BLE001 - the bench reports, never stops
            print(f"{label:<42} ERROR {type(e).__name__}: {str(e)[:200]}")
            continue
        total_real += len(c.real)
        total_ours += len(c.ours)
        total_common += c.common
        print(f"{label:<42} {len(c.real):>5} {len(c.ours):>5} {c.recall:>7.3f} {c.precision:>7.3f} {ms:>7.1f}")
        if args.diff:
            for title, groups in (("missing", c.missing_by_predicate()), ("extra", c.extra_by_predicate())):
                for pred, facts in groups.items():
                    print(f"    {title} {pred} ({len(facts)})")
                    for f in facts:
                        print(f"        {format_fact(f)}")
    recall = total_common / total_real if total_real else 1.0
    precision = total_common / total_ours if total_ours else 1.0
    median = statistics.median(times) * 1000 if times else float("nan")
    print(f"{'TOTAL (micro)':<42} {total_real:>5} {total_ours:>5} {recall:>7.3f} {precision:>7.3f} {median:>7.1f}")
    print(f"median time per format: {median:.1f} ms over {len(times)} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
