"""Input-model coverage: how many keys real clients send to the Registry Assistant come out right.

    python bench/input_model_coverage.py                     # counts per status, and the share
    python bench/input_model_coverage.py --list lost         # the keys with that status, and why
    python bench/input_model_coverage.py --list all          # every key that is not emitted
    python bench/input_model_coverage.py --list wrong        # ... and not refused on purpose either
    python bench/input_model_coverage.py --list domain       # emitted on a class CTDL does not give it to
    python bench/input_model_coverage.py --rows              # the model's rows the harness cannot send, and why
    python bench/input_model_coverage.py --all-routes        # every class through every other property / request
    python bench/input_model_coverage.py --key ConditionProfile.Weight --show   # one key: request, output
    python bench/input_model_coverage.py --key Concept.PrefLabel --via ConceptScheme+Concepts --show

Every key of every request type's resource and member class (contexts/assistant-wrappers.json:
Organization, Credential, Assessment, LearningOpportunity, CompetencyFramework and its Competencies,
ConceptScheme and its Concepts, Pathway and its PathwayComponents, Rubric and its criteria and levels ...)
and of every class they hold (tests/data/assistant-input-model.csv) is formatted in a minimal valid
request (tests/input_model.py) and classified: emitted, warned-and-emitted, refused, ignored, consumed,
lost, wrong-property, wrong-node, internal, crash.  "Right" is emitted or warned-and-emitted; keys refused
or consumed on purpose are listed in tests/input_model_refused.json.  The ReferenceObjects classes
(Observation, Dimension) are counted apart, and every one of the model's 2,432 rows a client can send is
accounted for (right, wrong, or why the harness cannot send it).
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import input_model as im  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", metavar="STATUS", action="append", default=[],
                    help=f"list the keys with this status ({', '.join(im.STATUSES)}; 'all': every key not emitted; "
                         "'wrong': every key neither emitted nor known)")
    ap.add_argument("--all-routes", action="store_true",
                    help="also check each nested class through every property that holds it")
    ap.add_argument("--key", metavar="CLASS.KEY", help="check one key")
    ap.add_argument("--via", metavar="PARENT.KEY",
                    help="with --key: the property that holds the class (PARENT.KEY), or the request that sends it "
                         "(WRAPPER, or WRAPPER+MEMBER)")
    ap.add_argument("--rows", action="store_true", help="list the model's rows the harness cannot send, and why")
    ap.add_argument("--show", action="store_true", help="with --key: print the request and the output")
    ap.add_argument("--json", action="store_true", help="print the results as JSON lines")
    args = ap.parse_args(argv)

    if args.key:
        cls, key = args.key.split(".", 1)
        via = None
        if args.via and "." in args.via:
            via = tuple(args.via.split(".", 1))
        elif args.via:
            wrapper, _, member = args.via.partition("+")
            via = next(e for e in im.request_entries() if e.cls == cls and e.wrapper == wrapper
                       and (e.member or "") == member)
        r = im.check(cls, key, via)
        print(r.describe())
        print("route:", r.route, " pointer:", r.pointer, " expected from:", r.expected_source)
        for m in r.messages:
            print("  ", *m)
        if r.changed:
            print("changed:", *r.changed, sep="\n  ")
        if args.show:
            built = im.build(cls, key, via)
            print(json.dumps(built.request, indent=1))
            print(json.dumps(im._format(built.request).document, indent=1))
        return 0

    started = time.perf_counter()
    results = list(im.check_all())
    elapsed = time.perf_counter() - started
    known = im.known()
    counts = collections.Counter(r.status for r in results)
    right, total = im.share(results)
    tops = [c for c in im.TOP_CLASSES if not im.is_reference_object(c)]
    nested = {r.cls for r in results} - set(tops)
    print(f"input model: {len(tops)} request types' resource and member classes ({', '.join(tops)}) and "
          f"{len(nested)} classes they hold; {total} keys ({elapsed:.1f} s)")
    for status in im.STATUSES:
        if counts[status]:
            listed = sum(1 for r in results if r.status == status and r.name in known)
            print(f"  {status:20} {counts[status]:4}" + (f"   ({listed} listed as known)" if listed else ""))
    emitted = sum(r.right for r in results)
    print(f"{right} of {total} keys right ({right / total:.1%}): {emitted} emitted as their CTDL property, "
          f"{right - emitted} refused or consumed on purpose (tests/input_model_refused.json); "
          f"{total - right} wrong")

    outside = [r for r in results if r.domain]
    alike = [r for r in outside if r.alike]
    print(f"  of the keys right, {len(outside)} are published on a class CTDL does not give the property to "
          f"(the schema layer warns at the Type: --list domain); for {len(alike)} of them CTDL gives the class a "
          "property named alike:" + "".join(f"\n    {r.name}: {r.expected}, not {r.alike}" for r in alike))

    reference = list(im.check_reference_objects())
    ref_right, ref_total = im.share(reference)
    print(f"ReferenceObjects ({', '.join(im.REFERENCE_OBJECTS)}, listed by a DataSetProfile): {ref_right} of "
          f"{ref_total} keys right" + "".join(f"\n- {r.describe()}  [{r.route}]" for r in reference
                                              if not im.is_right(r, known)))

    request = [im.check_request_key(k, inside) for k in im.request_keys() for inside in (False, True)]
    good = sum(1 for r in request if r.status == ("refused" if r.cls != "Request" else "consumed"))
    print(f"request-level keys ({', '.join(im.request_keys())}): {good} of {len(request)} right "
          "(taken beside the resource, refused inside it)")
    for r in request:
        if r.status != ("refused" if r.cls != "Request" else "consumed"):
            print(f"- {r.describe()}")

    rows = im.row_coverage(known)
    outcomes = collections.Counter(outcome for _, outcome, _ in rows)
    rows_right = outcomes["right"] + outcomes["reference-right"] + outcomes["request-key"]
    print(f"model rows: {rows_right} of {len(rows)} right ({rows_right / len(rows):.1%}): {outcomes['right']} keys "
          f"of the classes above, {outcomes['reference-right']} of the ReferenceObjects classes, "
          f"{outcomes['request-key']} request keys; wrong: "
          f"{outcomes['wrong'] + outcomes['reference-wrong'] + outcomes['request-key-wrong']}; "
          f"not sent by the harness: {outcomes['not-sent']} (--rows)")
    for why, n in collections.Counter(d for _, o, d in rows if o == "not-sent").most_common():
        print(f"  {n:4}  {why}")
    if args.rows:
        for r, outcome, why in rows:
            if outcome == "not-sent":
                print(f"- {r['class']}.{r['json_key']}: {why}")

    wanted = set(args.list)
    for r in results:
        if args.json:
            print(json.dumps({"key": r.name, "status": r.status, "expected": r.expected, "route": r.route,
                              "messages": r.messages, "changed": r.changed, "note": r.note}))
        elif (r.status in wanted or ("all" in wanted and not r.right) or ("wrong" in wanted and not im.is_right(r, known))
              or ("domain" in wanted and r.domain)):
            print(f"- {r.describe()}  [{r.route}]" + ("  (known)" if r.name in known else "")
                  + (f"  (domain: {r.domain[:90]})" if "domain" in wanted and r.domain else ""))

    if args.all_routes:
        started = time.perf_counter()
        routed = im.check_all_routes()
        elapsed = time.perf_counter() - started
        counts = collections.Counter(r.status for r in routed)
        right, total = im.share(routed)
        print(f"\nall routes: {total} (class, key, holding property) checks ({elapsed:.1f} s): "
              + ", ".join(f"{s} {counts[s]}" for s in im.STATUSES if counts[s]))
        print(f"{right} of {total} right")
        by_key = collections.defaultdict(list)
        for r in routed:
            if not r.right:
                by_key[(r.status, r.name)].append(r)
        for (status, name), rs in sorted(by_key.items()):
            if wanted and status not in wanted and "all" not in wanted:
                continue
            routes = ", ".join(r.route.rsplit(".", 1)[0] for r in rs[:4]) + (" ..." if len(rs) > 4 else "")
            print(f"- {status}: {name} in {len(rs)} routes ({routes}): {rs[0].describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
