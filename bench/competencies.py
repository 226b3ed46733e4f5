"""Benchmark: competency-framework bulk import (parse, build, checks, SHACL, frame) and how it scales.

    python bench/competencies.py [--sizes 1000,2000,4000,8000] [--runs 5] [--depth 5] [--end-to-end 8000]

Generates a realistic framework (areas > skills > sub-skills > performance indicators > criteria,
depth 4-5, coded notations like 3.2.1.4, categories, labels, some comments) in both formats (the
CaSS CTDL-ASN CSV and the template), imports each ``--runs`` times and prints the median seconds
of every phase, and the time ratio of each doubling of the size (linear: ~2x).

Then (--end-to-end N) the framework upload as `ctdl bulk upload competencyframework` runs it, on a
fresh SQLite registry: upload (parse, validate, stage as one record), the same file again (all
unchanged), export (CTIDs filled in), re-upload of the export, approve, and publish (the document
validated again, signed, stored as one envelope).
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASS_HEADER = ["@id", "@type", "ceasn:description", "ceasn:inLanguage", "ceasn:license", "ceasn:name",
               "ceasn:publicationStatusType", "ceasn:publisherName", "ceasn:source", "ceasn:codedNotation",
               "ceasn:competencyLabel", "ceasn:competencyCategory", "ceasn:competencyText", "ceasn:comment",
               "ceasn:isTopChildOf", "ceasn:isChildOf"]
TEMPLATE_HEADER = ["Framework Name", "Framework Description", "Competency Text", "Competency Label",
                   "Coded Notation", "Parent", "Language", "Competency Category", "Comment"]
CATEGORIES = ["Area", "Skill", "Sub-skill", "Performance Indicator", "Criterion"]
VERBS = ["Apply", "Demonstrate", "Explain", "Perform", "Evaluate", "Interpret", "Select", "Maintain", "Plan",
         "Document", "Inspect", "Calibrate", "Troubleshoot", "Communicate", "Operate"]
OBJECTS = ["safety procedures", "technical drawings", "quality standards", "measurement tools", "work orders",
           "material specifications", "equipment settings", "inspection results", "customer requirements",
           "process controls", "maintenance schedules", "team assignments", "test procedures", "hazard reports"]
CONTEXTS = ["in a production environment", "according to industry standards", "under supervision",
            "independently", "for a range of materials", "in all positions", "using digital tools",
            "within time and budget constraints"]
NS = uuid.UUID("5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f")


def tree(n: int, depth: int = 5) -> list[tuple[str, str | None, int]]:
    """``n`` (code, parent code, level) in file order (depth first): the smallest fan-out whose tree of
    depth ``depth`` holds ``n`` nodes, filled area by area (8,000 nodes: fan-out 6, the last area
    partly filled), so every area is ``depth`` levels deep."""
    fan = 2
    while sum(fan ** k for k in range(1, depth + 1)) < n:
        fan += 1
    out: list[tuple[str, str | None, int]] = []

    def walk(code: str | None, level: int) -> None:
        for i in range(1, fan + 1):
            if len(out) >= n:
                return
            c = f"{code}.{i}" if code else str(i)
            out.append((c, code, level))
            if level < depth:
                walk(c, level + 1)

    walk(None, 1)
    return out


def _text(code: str, level: int) -> tuple[str, str]:
    h = int(uuid.uuid5(NS, code).hex[:8], 16)
    verb, obj, ctx = VERBS[h % len(VERBS)], OBJECTS[(h >> 4) % len(OBJECTS)], CONTEXTS[(h >> 8) % len(CONTEXTS)]
    return f"{verb} {obj} {ctx} ({code}).", f"{verb} {obj.split()[0]}".title() if level < 3 else ""


def generate(n: int, fmt: str, depth: int = 5) -> bytes:
    nodes = tree(n, depth)
    name = f"Advanced Manufacturing Technician Competencies ({n})"
    desc = ("The knowledge, skills and abilities an advanced manufacturing technician needs, from workplace safety "
            "to process control, organized in areas, skills and performance indicators.")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if fmt == "cass":
        fw = str(uuid.uuid5(NS, f"framework-{n}"))
        w.writerow(CASS_HEADER)
        w.writerow([fw, "ceasn:CompetencyFramework", desc, "en-US", "https://creativecommons.org/licenses/by/4.0/",
                    name, "Published", "Midwest Manufacturing Institute",
                    "https://www.mmi.example.org/standards/technician", "", "", "", "", "", "", ""])
        ids = {}
        for code, parent, level in nodes:
            ids[code] = str(uuid.uuid5(NS, f"{n}-{code}"))
            text, label = _text(code, level)
            comment = "Assessed by observation." if level == 4 and code.endswith(".1") else ""
            w.writerow([ids[code], "ceasn:Competency", "", "", "", "", "", "", "", code, label,
                        CATEGORIES[level - 1], text, comment, fw if parent is None else "",
                        ids[parent] if parent else ""])
    else:
        w.writerow(TEMPLATE_HEADER)
        for i, (code, parent, level) in enumerate(nodes):
            text, label = _text(code, level)
            w.writerow([name if i == 0 else "", desc if i == 0 else "", text, label, code, parent or "",
                        "en-US" if i == 0 else "", CATEGORIES[level - 1], ""])
    return out.getvalue().encode("utf-8")


PHASES = ["parse", "build", "checks", "validate", "frame", "rows", "total"]


def run_once(data: bytes) -> dict[str, float]:
    from transformer.bulk.frameworks.importer import Importer, paused_gc

    with paused_gc():                     # as import_framework does
        return _phases(Importer, data)


def _phases(Importer, data: bytes) -> dict[str, float]:
    t = {}
    t0 = time.perf_counter()
    imp = Importer(publisher="ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f")
    imp.parse(data)
    t1 = time.perf_counter()
    imp.build()
    t2 = time.perf_counter()
    imp.check()
    t3 = time.perf_counter()
    imp.validate()
    t4 = time.perf_counter()
    doc = imp.frame()
    t5 = time.perf_counter()
    imp.result(doc)                       # the report sorted, results mapped to rows
    t6 = time.perf_counter()
    t.update(parse=t1 - t0, build=t2 - t1, checks=t3 - t2, validate=t4 - t3, frame=t5 - t4, rows=t6 - t5,
             total=t6 - t0)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,2000,4000,8000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--end-to-end", type=int, default=8000, metavar="N", help="0 to skip")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    t0 = time.perf_counter()
    from transformer.bulk import import_framework
    import_framework(generate(20, "cass"))          # load shapes, contexts, vocabularies once
    print(f"start-up (shapes, contexts, vocabularies): {time.perf_counter() - t0:.2f} s")
    for fmt in ("cass", "template"):
        print(f"\n{fmt}: median of {args.runs} runs, seconds")
        print(f"{'competencies':>12} " + " ".join(f"{p:>9}" for p in PHASES) + "   ratio")
        previous = None
        for n in sizes:
            data = generate(n, fmt, args.depth)
            runs = [run_once(data) for _ in range(args.runs)]
            med = {p: statistics.median(r[p] for r in runs) for p in PHASES}
            ratio = f"{med['total'] / previous:5.2f}x" if previous else "     -"
            previous = med["total"]
            print(f"{n:>12} " + " ".join(f"{med[p]:9.3f}" for p in PHASES) + f"   {ratio}")
        check = import_framework(generate(sizes[-1], fmt, args.depth), publisher="ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f")
        print(f"  ({sizes[-1]} competencies: conforms={check.report.conforms}, "
              f"{len(check.report.violations)} violations, {len(check.report.warnings)} warnings, "
              f"{len(check.document['@graph'])} @graph entries, {len(data) // 1024} KiB of CSV)")
    if args.end_to_end:
        end_to_end(args.end_to_end, args.depth)


def end_to_end(n: int, depth: int) -> None:
    import json
    import tempfile

    from service.bulk.workflow import BulkWorkflow
    from service.registry.core import Registry
    from service.registry.signing import load_or_create_signing_key, public_key_pem
    from service.store import open_store
    from service.bulk.upload import export, upload
    from transformer.enrich import Options

    org = "ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f"
    data = generate(n, "template", depth)
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp), None)
        key = load_or_create_signing_key(Path(tmp))
        registry = Registry(store, key, public_key_pem(key), Options(registry="http://127.0.0.1:8080/"))
        workflow = BulkWorkflow(registry)
        org_request = {"Organization": {"CTID": org, "Name": "Generated Technical College",
                                        "Description": "A college that publishes a large competency framework.",
                                        "SubjectWebpage": "https://college.example.edu/",
                                        "AgentType": ["orgType:Postsecondary"],
                                        "AgentSectorType": "agentSector:PrivateNonProfit",
                                        "Email": ["info@college.example.edu"]}}
        _, actor = workflow.actor(org, None)
        assert registry.publish(json.dumps(org_request).encode(), "organization", actor).record is not None

        def step(name, fn):
            t = time.perf_counter()
            out = fn()
            timings.append((name, time.perf_counter() - t, out))
            return out

        step("upload (parse, validate, stage)", lambda: upload(workflow, org, "competencyframework", data)["summary"])
        step("upload of the same file", lambda: upload(workflow, org, "competencyframework", data)["summary"])
        exported = step("export (CTIDs filled in)", lambda: export(workflow, org, "competencyframework"))
        step("upload of the export", lambda: upload(workflow, org, "competencyframework", exported)["summary"])
        step("approve", lambda: [o.result for o in workflow.approve(org, all=True)])
        step("publish (validate again, sign, store)", lambda: [o.result for o in workflow.publish_approved(org)])
        store.close()
    print(f"\nend to end, {n:,} competencies (template layout, {len(data) // 1024:,} KiB), fresh SQLite registry:")
    for name, seconds, out in timings:
        print(f"  {name:<40} {seconds:7.2f} s   {out if not isinstance(out, bytes) else f'{len(out) // 1024:,} KiB'}")


if __name__ == "__main__":
    main()
