"""`ctdl bulk ...` and `ctdl org ...`: review, approve and publish uploaded records; an organization's
addresses. The same registry as `ctdl serve` (--data DIR, --database URL), so the command line and
the server see one set of records.

    ctdl bulk status  --org CTID [--type T] [--status S] [--format text|json]
    ctdl bulk approve --org CTID (--all | ID ...) [--type T]
    ctdl bulk discard --org CTID ID ... [--type T]      (pending or rejected records)
    ctdl bulk publish --org CTID [--type T] [--public-url URL]
    ctdl org addresses --org CTID [--format text|json] [--set FILE.json]
    ctdl org manifests --org CTID --kind cost|condition [--format text|json] [--set FILE.json]

Who acts: the command runs on the registry host and opens its store directly (as `ctdl keys create`
does), so by default it acts as the organization itself, without a key. With --key KEY it acts as
that key instead, under the same rules as the HTTP API (the key's organization, a publisher the
organization authorized, or an admin key), and publishes in that key's name.

Exit status: 0 done; 1 refused (organization not published, a deferred or rejected record, a key
that may not act) or some records failed to publish, or addresses with errors (nothing stored);
2 unusable input (bad CTID, unknown type, unreadable or non-JSON file).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from transformer import CtdlError

from .common import EXIT_OK, EXIT_REFUSED, open_local_registry, read_input

def _workflow(args, signing: bool = False):
    from service.bulk.workflow import BulkWorkflow, org_ctid

    org = org_ctid(args.org, "--org")
    return BulkWorkflow(open_local_registry(args, org, signing)), org


def _rules(args):
    """The RuleSet of --shapes DIR, or None (the project's)."""
    from .shapes import rules_of

    return rules_of(getattr(args, "shapes", None))


def _actor(workflow, args):
    """The KeyRecord of --key (Unauthenticated if unknown or revoked), or None: the organization itself."""
    return workflow.registry.authenticate(args.key.strip()) if args.key else None


def _refusal(e: CtdlError) -> int:
    print(f"ctdl: refused [{e.code}]: {e.message}", file=sys.stderr)
    return EXIT_REFUSED


def _emit(items: list[dict], fmt: str, text_lines) -> None:
    if fmt == "json":
        json.dump(items, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for line in text_lines:
            print(line)


def _outcome_lines(outcomes) -> list[str]:
    lines = []
    for o in outcomes:
        lines.append(f"{o.result:<10} {o.type:<20} {o.external_id or '-':<20} {o.ctid or '-'}"
                     + (f"  envelope {o.envelope_id}" if o.result in ("published", "unchanged") and o.envelope_id
                        else ""))
        if o.message:
            lines.append(f"           {o.message}")
        for e in o.errors:
            if e.get("message") != o.message:
                lines.append(f"           error [{e.get('code')}] at {e.get('path') or '/'}: {e.get('message')}")
    return lines


def cmd_bulk(args) -> int:
    from service.bulk.workflow import Refused, summary
    from service.registry.core import Forbidden, Unauthenticated

    if args.bulk_command == "template":
        return cmd_template(args)
    workflow, org = _workflow(args, signing=args.bulk_command == "publish")
    try:
        actor = _actor(workflow, args)
        if args.bulk_command == "upload":
            return cmd_upload(args, workflow, org, actor)
        if args.bulk_command == "export":
            from service.bulk.upload import export

            _write_output(export(workflow, org, args.type, "xlsx" if args.xlsx else "csv", key=actor,
                                 ctid=args.ctid), args.output)
            return EXIT_OK
        if args.bulk_command == "status":
            records = workflow.status(org, args.type, args.status, key=actor)
            lines = []
            for r in records:
                s_ = summary(r)
                lines.append(f"{r.status:<10} {r.resource_type:<20} {r.external_id:<20} {r.ctid or '-'}  "
                             f"{s_['name'][:40]}  [{s_['on_publish']}]"
                             + ("  (deferred: no Target Credential yet)" if r.deferred else ""))
                lines += [f"           error [{e.get('code')}] at {e.get('path') or '/'}: {e.get('message')}"
                          for e in r.errors]
            _emit([summary(r) for r in records], args.format, lines or [f"no uploaded records for {org}"])
            return EXIT_OK
        if args.bulk_command == "discard":
            outcomes = workflow.discard(org, args.ids, key=actor, resource_type=args.type)
            _emit([o.to_dict() for o in outcomes], args.format, _outcome_lines(outcomes))
            return EXIT_REFUSED if any(o.result == "refused" for o in outcomes) else EXIT_OK
        if args.bulk_command == "approve":
            if bool(args.all) == bool(args.ids):
                raise CtdlError("give the records to approve (CTIDs or external identifiers) or --all, not both",
                                code="input.wrong-shape")
            outcomes = workflow.approve(org, args.ids, all=args.all, key=actor, resource_type=args.type)
            failed = any(o.result == "refused" for o in outcomes)
            if failed:
                print("ctdl: nothing was approved: some of the records named cannot be", file=sys.stderr)
        else:
            outcomes = workflow.publish_approved(org, key=actor, resource_type=args.type)
            failed = any(o.result == "failed" for o in outcomes)
            if not outcomes:
                print(f"ctdl: no approved records of {org} to publish", file=sys.stderr)
        _emit([o.to_dict() for o in outcomes], args.format, _outcome_lines(outcomes))
        return EXIT_REFUSED if failed else EXIT_OK
    except (Refused, Forbidden, Unauthenticated) as e:
        return _refusal(e)
    finally:
        workflow.store.close()


def cmd_org(args) -> int:
    from service.bulk.orgdata import save_addresses, save_manifests
    from service.registry.core import Forbidden, Unauthenticated
    from transformer import parse_json

    workflow, org = _workflow(args)
    try:
        try:
            workflow.actor(org, _actor(workflow, args))
        except (Forbidden, Unauthenticated) as e:
            return _refusal(e)
        store = workflow.store
        manifests = args.org_command == "manifests"
        what = f"{args.kind} manifests" if manifests else "addresses"
        if args.set:
            data = parse_json(read_input(args.set))
            count, errors = save_manifests(store, org, args.kind, data) if manifests else \
                save_addresses(store, org, data)
            if errors:
                for e in errors:
                    print(f"error [{e['code']}] at {e['path']}: {e['message']}", file=sys.stderr)
                print(f"ctdl: nothing was stored: {len(errors)} errors in {args.set}", file=sys.stderr)
                return EXIT_REFUSED
            print(f"{count} {what} stored for {org}", file=sys.stderr)
        items = store.manifests(org, args.kind) if manifests else store.addresses(org)
        if args.format == "json":
            json.dump(items, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        elif not args.set:
            for item_id, item in items.items():
                if manifests:
                    print(f"{item_id}: {item}")
                    continue
                parts = [str(item.get(k)) for k in ("Name", "Address1", "Address2", "City", "AddressRegion",
                                                    "PostalCode", "Country") if item.get(k)]
                print(f"{item_id}: {', '.join(parts) or json.dumps(item, ensure_ascii=False)}")
            if not items:
                kind = f" --kind {args.kind}" if manifests else ""
                print(f"no {what} for {org} (ctdl org {args.org_command} --org {org}{kind} --set FILE.json)",
                      file=sys.stderr)
        return EXIT_OK
    finally:
        workflow.store.close()


class ProgressBar:
    """``[#########.........]  4,500/10,000 rows`` on stderr, redrawn in place on a terminal; in a log
    (not a terminal) one line every 10%."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width, self.last = stream, width, -1
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if not self.tty and tenth == self.last and done != total:
            return
        self.last = tenth
        filled = self.width * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,} rows validated"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and done == total:
            self.stream.write("\n")
        self.stream.flush()


def cmd_upload(args, workflow, org, actor) -> int:
    """Validate and stage every row of a spreadsheet; exit 0 when no row is rejected, 1 when some are."""
    from service.bulk.upload import upload

    data = read_input(args.file)
    print(f"reading {args.file} ...", file=sys.stderr, flush=True)
    result = upload(workflow, org, args.type, data, key=actor, progress=ProgressBar(sys.stderr),
                    language=args.language)
    total = len(result["rows"])
    if args.format == "json":
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for note in result["notes"]:
            print(f"note: {note}")
        framework = result.get("framework")
        if framework:
            print(f"framework {framework['ctid'] or '-'}: {framework['result']}, {framework['competencies']} "
                  f"competencies" + (f", status {framework['status']}" if framework["status"] else ""))
        for m in result.get("manifests") or []:
            print(f"cost manifest {m['external_id'] or '-'} {m['ctid'] or '-'}: {m['result']}, {m['costs']} "
                  f"cost{'s' if m['costs'] != 1 else ''} (rows {', '.join(map(str, m['rows']))})"
                  + (f", status {m['status']}" if m["status"] else ""))
        for i, r in enumerate(result["rows"], 1):
            if args.quiet and not r["errors"]:
                continue
            print(f"[{i}/{total}] row {r['row']}: {r['status']:<9} {r['external_id'] or '-':<20} {r['ctid'] or '-'}"
                  + ("  (deferred: no Target Credential yet)" if r.get("deferred") else ""))
            for e in r["errors"]:
                where = f'column "{e["column"]}"' if e.get("column") else "row"
                value = f' (value "{e["value"]}")' if e.get("value") not in (None, "") else ""
                print(f"    {where}{value}: {e['message']}")
            warnings = r.get("warnings") or []
            if args.verbose:
                for w in warnings:
                    print(f"    warning{' column ' + repr(w['column']) if w.get('column') else ''}: {w['message']}")
            elif warnings:
                print(f"    {len(warnings)} warning(s) (-v lists them): {'; '.join(w['message'] for w in warnings[:1])}")
        print(", ".join(f"{n} {k}" for k, n in result["summary"].items()))
    return EXIT_REFUSED if result["summary"]["rejected"] else EXIT_OK


def cmd_template(args) -> int:
    from service.bulk.frameworks import is_framework
    from transformer import build_template, framework_template

    if is_framework(args.type):
        _write_output(framework_template(args.layout, sample=args.sample, instructions=args.instructions,
                                         fmt="xlsx" if args.xlsx else "csv"), args.output)
        return EXIT_OK

    props = [p.strip() for p in ",".join(args.properties or []).split(",") if p.strip()] or None
    creds = [c.strip() for c in ",".join(args.credentials or []).split(",") if c.strip()] or None
    _write_output(build_template(args.type, properties=props, sample=args.sample, instructions=args.instructions,
                                 credentials=creds, fmt="xlsx" if args.xlsx else "csv", rules=_rules(args)), args.output)
    return EXIT_OK


def _write_output(data: bytes, output: str | None) -> None:
    """A spreadsheet to -o FILE, or to standard output."""
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        Path(output).write_bytes(data)
        print(f"wrote {output} ({len(data)} bytes)", file=sys.stderr)


def add_parsers(sub, add_store_options) -> None:
    """The `bulk` and `org` commands, added to `ctdl`'s subcommands."""
    from service.bulk.order import TYPE_ORDER

    def common(p, fmt: bool = True):
        p.add_argument("--org", required=True, metavar="CTID", help="the organization the records belong to")
        p.add_argument("--key", metavar="KEY", help="act as this API key (default: as the organization itself, "
                                                    "since the command runs on the registry host)")
        if fmt:
            p.add_argument("--format", choices=["text", "json"], default="text")
        add_store_options(p)
        shapes_option(p)

    def shapes_option(p):
        p.add_argument("--shapes", metavar="DIR", help="check against the shapes in DIR instead of the project's")

    from transformer import TEMPLATE_TYPES

    # what can be uploaded: the record types, in publishing order, then the other template types
    uploadable = [t for t in TYPE_ORDER if t != "organization"]
    types = ", ".join([*uploadable, *(t for t in TEMPLATE_TYPES if t not in uploadable)])
    b = sub.add_parser("bulk", help="review, approve and publish uploaded records")
    bsub = b.add_subparsers(dest="bulk_command", metavar="ACTION", required=True)
    bs = bsub.add_parser("status", help="list the organization's uploaded records and their status")
    common(bs)
    bs.add_argument("--type", metavar="TYPE", help=f"only this type ({types})")
    bs.add_argument("--status", choices=["pending", "approved", "published", "rejected"])
    bd = bsub.add_parser("discard", help="remove pending or rejected uploaded records (never published ones)")
    common(bd)
    bd.add_argument("ids", nargs="+", metavar="ID", help="CTIDs or external identifiers")
    bd.add_argument("--type", metavar="TYPE", help=f"only this type ({types})")
    ba = bsub.add_parser("approve", help="approve pending records (refused while the organization is not "
                                         "published, and for deferred or rejected records)")
    common(ba)
    ba.add_argument("ids", nargs="*", metavar="ID", help="CTIDs or external identifiers (all or none are approved)")
    ba.add_argument("--all", action="store_true", help="every pending record that can be approved")
    ba.add_argument("--type", metavar="TYPE", help=f"only this type ({types})")
    bt = bsub.add_parser("template", help="a spreadsheet template whose columns come from the shapes")
    bt.add_argument("type", metavar="TYPE", help=f"{types}")
    bt.add_argument("--properties", nargs="*", metavar="NAME", help="optional columns to include (column names or "
                    "Registry Assistant keys, comma or space separated); required columns are always there")
    bt.add_argument("--sample", action="store_true", help="add a sample row (delete it before uploading)")
    bt.add_argument("--instructions", action="store_true", help="add a row describing each column")
    bt.add_argument("--credentials", nargs="*", metavar="CTID", help="target credentials to pre-fill, one row each")
    bt.add_argument("--xlsx", action="store_true", help="an Excel workbook with dropdowns and notes (default CSV)")
    bt.add_argument("--layout", choices=["template", "cass"], default="template",
                    help="competency frameworks: the simple template or the CaSS CTDL-ASN CSV header")
    bt.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: standard output)")
    shapes_option(bt)
    bu = bsub.add_parser("upload", help="validate and stage a spreadsheet's rows (nothing is published)")
    bu.add_argument("type", metavar="TYPE", help=f"{types}")
    bu.add_argument("file", metavar="FILE", help="CSV (UTF-8, UTF-8 with BOM or Windows-1252) or XLSX; - for stdin. "
                    "A competency framework: the CaSS CTDL-ASN CSV or the template, one framework per file")
    common(bu)
    bu.add_argument("--language", default="en-US", help="language of text cells without one (competency "
                                                        "frameworks and cost manifests; default en-US)")
    bu.add_argument("-v", "--verbose", action="store_true",
                    help="list each row's warnings (missing benchmark properties, dates read one way...)")
    bu.add_argument("-q", "--quiet", action="store_true",
                    help="only the rows with errors and the summary (large uploads)")
    be = bsub.add_parser("export", help="the organization's uploaded records as a spreadsheet to edit and re-upload")
    be.add_argument("type", metavar="TYPE", help=f"{types}")
    common(be, fmt=False)
    be.add_argument("--xlsx", action="store_true", help="an Excel workbook (default CSV)")
    be.add_argument("--ctid", help="competency frameworks: which framework (needed when there are several)")
    be.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: standard output)")
    bp = bsub.add_parser("publish", help="publish every approved record to this registry")
    common(bp)
    bp.add_argument("--type", metavar="TYPE", help=f"only this type ({types})")
    bp.add_argument("--public-url", default=None, help="base URL of resource URIs (default: the one the "
                                                       "organization was published with)")
    bp.add_argument("--strict-references", action="store_true",
                    help="refuse OwnedBy/OfferedBy CTIDs that are not in this registry, as `ctdl serve` does")
    b.set_defaults(func=cmd_bulk)

    o = sub.add_parser("org", help="an organization's reference data for bulk uploads")
    osub = o.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    oa = osub.add_parser("addresses", help="show (or with --set, replace) the organization's addresses")
    common(oa)
    oa.add_argument("--set", metavar="FILE.json", help='a JSON object of address id -> place in Registry '
                    'Assistant form, e.g. {"main": {"Address1": "1 Main St", "City": "Springfield", '
                    '"AddressRegion": "IL", "PostalCode": "62701", "Country": "US"}}; - reads stdin')
    om = osub.add_parser("manifests", help="show (or with --set, replace) the organization's cost or condition "
                                          "manifests, named by id in the Common Costs / Common Conditions columns")
    common(om)
    om.add_argument("--kind", required=True, choices=["cost", "condition"])
    om.add_argument("--set", metavar="FILE.json", help='a JSON object of identifier -> the manifest\'s CTID, e.g. '
                    '{"tuition": "ce-8d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}; - reads stdin')
    o.set_defaults(func=cmd_org)
