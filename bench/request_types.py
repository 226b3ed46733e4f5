"""Benchmark: every request type, on the Registry Assistant's own sample requests.

    python bench/request_types.py [--runs 20]

For each sample in tests/data/assistant-samples (one per request type, INDEX.md says where each
comes from), prints the resources it publishes, the violations and warnings `format` reports, and
the median time of `format` (parse, lift, enrich, both SHACL layers, frame) in one warm process,
then the median of an HTTP publish through the Flask app on a fresh embedded registry (SQLite),
list requests included.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SAMPLES = ROOT / "tests" / "data" / "assistant-samples"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args(argv)

    from transformer import format_request

    rows, format_ms, publish_ms = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        from http_support import Api

        api = Api(Path(tmp) / "data", None)
        try:
            for path in sorted(SAMPLES.glob("*.json")):
                body = json.loads(path.read_text(encoding="utf-8"))
                kind, _, action = path.stem.partition(".")
                route = f"/{kind}/{action or 'publish'}"
                outcome = None
                if kind not in ("competency", "pathwayset") and not action:
                    format_request(body, kind)      # warm
                    times = []
                    for _ in range(args.runs):
                        t = time.perf_counter()
                        outcome = format_request(body, kind)
                        times.append((time.perf_counter() - t) * 1000)
                    format_ms.append(statistics.median(times))
                org = body["PublishForOrganizationIdentifier"]
                import re
                for other in sorted(set(re.findall(r"ce-[0-9a-f-]{36}", json.dumps(body))) - {org}):
                    api.ctdl("keys", "authorize", "--org", other, "--publisher", org)
                client = api.client(api.key(org))
                t = time.perf_counter()
                r = client.post(route, data=body)
                publish_ms.append((time.perf_counter() - t) * 1000)
                answers = r.get_json() if isinstance(r.get_json(), list) else [r.get_json()]
                resources = sum(len(json.loads(a["Payload"])["@graph"]) for a in answers if a.get("Payload"))
                rows.append((path.stem, route, r.status_code, resources,
                             len(outcome.report.violations) if outcome else "-",
                             len(outcome.report.warnings) if outcome else "-",
                             f"{format_ms[-1]:.1f}" if outcome else "-", f"{publish_ms[-1]:.0f}"))
        finally:
            api.close()
    print(f"{'sample':38} {'route':38} {'HTTP':>4} {'nodes':>5} {'viol':>4} {'warn':>4} {'format ms':>9} {'publish ms':>10}")
    for r in rows:
        print(f"{r[0]:38} {r[1]:38} {r[2]:>4} {r[3]:>5} {r[4]:>4} {r[5]:>4} {r[6]:>9} {r[7]:>10}")
    print(f"\n{len(rows)} samples; format median {statistics.median(format_ms):.1f} ms "
          f"(max {max(format_ms):.1f}); HTTP publish median {statistics.median(publish_ms):.0f} ms "
          f"(max {max(publish_ms):.0f}); {sum(1 for r in rows if r[2] == 200)} of {len(rows)} published (200)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
