"""Benchmark: `ctdl validate` of a large competency framework document (whole-document validation:
structure checks + SHACL), and how it scales.

    python bench/validate_framework.py [--sizes 1000,2000,4000,8000] [--runs 3]

The documents are built by the bulk importer from generated spreadsheets (bench/competencies.py),
then serialised and validated from bytes as `ctdl validate FILE` does.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,2000,4000,8000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from competencies import generate

    from transformer.bulk import import_framework
    from transformer.documents import check
    from transformer.structure import check_structure

    check(json.dumps(import_framework(generate(10, "cass")).document).encode())    # load data once
    print(f"{'competencies':>12} {'KiB':>7} {'structure':>10} {'validate':>9} {'docs/s':>7}  ratio  results")
    previous = None
    for n in [int(s) for s in args.sizes.split(",")]:
        doc = import_framework(generate(n, "cass"), publisher="ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f").document
        data = json.dumps(doc).encode()
        times, structure = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            check_structure(doc)
            structure.append(time.perf_counter() - t)
            t = time.perf_counter()
            (checked,) = check(data, "framework.json")
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        ratio = f"{med / previous:5.2f}x" if previous else "    -"
        previous = med
        report = checked.report
        print(f"{n:>12} {len(data) // 1024:>7} {statistics.median(structure):>10.3f} {med:>9.3f} {1 / med:>7.2f}  "
              f"{ratio}  {len(report.violations)} violations, {len(report.warnings)} warnings")


if __name__ == "__main__":
    main()
