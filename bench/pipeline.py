"""Benchmark: format+validate and validate-alone throughput, on generated realistic documents.

    python bench/pipeline.py [--docs 10000] [--runs 5] [--engine compiled]

Prints docs/s on one core (one process; median of runs) for:
  * format + validate (parse, lift, enrich, SHACL, frame) of Registry Assistant requests;
  * validate alone (`ctdl validate` on the CTDL documents that format produced);
and the same on a small sample with the pyshacl reference engine, for the ratio.
Start-up (loading shapes, contexts, vocabularies) is measured separately.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402


def run(docs: list[bytes], fn) -> float:
    t = time.perf_counter()
    for d in docs:
        fn(d)
    return len(docs) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reference-docs", type=int, default=200)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from transformer.pipeline import format_request, validate_document
    from transformer.ruleset import RuleSet
    RuleSet.default().engine("compiled")
    format_request(json.dumps(generate(1)[0]).encode())
    startup = time.perf_counter() - t0

    requests = [json.dumps(d).encode() for d in generate(args.docs)]
    outputs = [json.dumps(format_request(r).document).encode() for r in requests]
    conforming = 0
    for r in requests[:500]:
        o = format_request(r)
        conforming += o.report.conforms
    fmt_rates, val_rates = [], []
    for _ in range(args.runs):
        fmt_rates.append(run(requests, lambda d: format_request(d)))
        val_rates.append(run(outputs, lambda d: validate_document(d)))
    ref = requests[: args.reference_docs]
    ref_out = outputs[: args.reference_docs]
    RuleSet.default().engine("pyshacl")
    ref_fmt = run(ref, lambda d: format_request(d, engine="pyshacl"))
    ref_val = run(ref_out, lambda d: validate_document(d, engine="pyshacl"))

    fmt, val = statistics.median(fmt_rates), statistics.median(val_rates)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"documents: {args.docs} generated requests ({sum(map(len, requests)) / len(requests):.0f} bytes each on average; "
          f"{conforming}/500 of a sample conform), runs: {args.runs}")
    print(f"start-up (load + compile shapes, contexts, vocabularies): {startup:.2f} s")
    print(f"format+validate, compiled engine: {fmt:,.0f} docs/s per core (runs: {', '.join(f'{r:,.0f}' for r in fmt_rates)})")
    print(f"validate alone, compiled engine:  {val:,.0f} docs/s per core (runs: {', '.join(f'{r:,.0f}' for r in val_rates)})")
    print(f"format+validate, pyshacl engine:  {ref_fmt:,.1f} docs/s per core ({args.reference_docs} docs)")
    print(f"validate alone, pyshacl engine:   {ref_val:,.1f} docs/s per core ({args.reference_docs} docs)")
    print(f"ratio compiled/pyshacl: format+validate x{fmt / ref_fmt:.0f}, validate x{val / ref_val:.0f}")


if __name__ == "__main__":
    main()
