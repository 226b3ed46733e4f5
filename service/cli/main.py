"""The ``ctdl`` command.

    ctdl format TYPE FILE      simple Registry Assistant JSON -> CTDL JSON-LD on stdout
    ctdl publish TYPE FILE     ... published to a registry (--url and --key, or the local --data)
    ctdl delete TYPE CTID      a published resource deleted (its history is kept)
    ctdl validate FILE|DIR...  check any CTDL input (resource, @graph document, envelope, array, folder)
    ctdl serve | keys | verify the registry server, its API keys, envelope signatures
    ctdl bulk | org            uploaded records (status, approve, publish), addresses (cli/bulk.py)
    ctdl shapes check|test|docs   tools for the people who maintain shapes/ (cli/shapes.py)

Exit status: 0 valid (warnings allowed), 1 violations (the document is still printed),
2 unusable input (not JSON, unknown type, unreadable file), with one clear line on stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from transformer import (__version__, ConfigurationError, CtdlError, DEFAULT_REGISTRY, Options,
    SANDBOX_REGISTRY, Unreadable)

from .common import EXIT_INTERNAL, EXIT_OK, EXIT_UNUSABLE, EXIT_VIOLATIONS, add_store_options, read_input
from .keys import cmd_keys, cmd_verify


def _registry(args) -> str:
    if getattr(args, "sandbox", False):
        return SANDBOX_REGISTRY
    return args.registry or os.environ.get("CTDL_REGISTRY") or DEFAULT_REGISTRY


def cmd_format(args) -> int:
    from transformer import endpoint_names, format_request

    kind = args.type
    if kind.lower() not in endpoint_names():
        # `ctdl format FILE` is not the contract, but say clearly what was expected
        raise CtdlError(f'unknown type "{kind}"; use one of: {", ".join(sorted(endpoint_names()))}',
                        code="input.unknown-type")
    data = read_input(args.file)
    outcome = format_request(data, kind, Options(registry=_registry(args)), engine=args.engine,
                             rules=_rules(args), provisional=args.provisional)
    json.dump(outcome.document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    _print_report(outcome.report, args.messages, sys.stderr, args.verbose)
    return EXIT_OK if outcome.report.conforms else EXIT_VIOLATIONS


def _rules(args):
    """The RuleSet of --shapes DIR, or None (the project's)."""
    from service.cli.shapes import rules_of

    return rules_of(getattr(args, "shapes", None))


def cmd_validate(args) -> int:
    """Any CTDL input: files (one document, an @graph document, an envelope or an array of them),
    standard input, or folders of such files (a table per file, then the rules found).  Many paths
    in one command load the shapes once: ``ctdl validate exports/*.json``."""
    from pathlib import Path

    from transformer import check, check_files, files, summary

    rules = _rules(args)
    paths = args.file
    many = len(paths) > 1 or (paths[0] != "-" and Path(paths[0]).is_dir())
    if not many:
        name = "-" if paths[0] == "-" else Path(paths[0]).name
        checked = check(read_input(paths[0]), name, args.engine, unreadable="raise", rules=rules)  # unusable: exit 2
    else:
        inputs = []     # (file to read, its name in the report)
        for given in paths:
            folder = Path(given)
            if given != "-" and folder.is_dir():
                found = [(str(f), str(f.relative_to(folder) if len(paths) == 1 else f)) for f in files(folder)]
                if not found:
                    raise Unreadable(f"{given} holds no .json or .jsonld files")
                inputs += found
            else:
                inputs.append((given, given))
        per_file = iter(check_files([(f, name) for f, name in inputs if f != "-"], args.engine, rules))
        checked = []
        for f, name in inputs:
            if f != "-":
                checked += next(per_file)
                continue
            try:
                data = read_input(f)
            except CtdlError as e:
                checked.append(summary.Checked(name, None, {"code": e.code, "message": e.message, "path": ""}, name))
                continue
            checked += check(data, name, args.engine, file=name, rules=rules)
    groups = summary.group_results(checked, args.examples)
    if args.format == "json":
        summary.write_json(checked, groups, sys.stdout)
    elif args.format == "junit":
        sys.stdout.write(summary.junit(checked, args.examples))
    else:
        if many:
            print(summary.table(checked))
            print()
        examples = 10 ** 9 if args.verbose else args.examples
        print(summary.text_summary(checked, summary.group_results(checked, examples) if args.verbose else groups,
                                   verbose=args.verbose, rules=rules))
    if all(c.error is not None for c in checked):
        return EXIT_UNUSABLE
    return EXIT_OK if all(c.conforms or c.error for c in checked) and not any(c.error for c in checked) \
        else EXIT_VIOLATIONS


def cmd_serve(args) -> int:
    from service.http.server import serve

    return serve(args)


def _print_report(report, fmt: str, stream, verbose: bool = False) -> None:
    if fmt == "json":
        json.dump(report.to_dict(), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    else:
        stream.write(report.to_text(verbose) + "\n")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ctdl", description="Credential Transparency (CTDL) publishing tools.")
    p.add_argument("--version", action="version", version=f"ctdl-assistant {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    f = sub.add_parser("format", help="turn a Registry Assistant JSON request into CTDL JSON-LD")
    f.add_argument("type", metavar="TYPE",
                   help="the request type, as the Registry Assistant's endpoint names it: organization, "
                        "credential, course, competencyframework, conceptscheme, pathway, costmanifest... "
                        "(every one: docs/REQUEST-TYPES.md)")
    f.add_argument("file", metavar="FILE", help="the request (JSON); - reads standard input")
    f.add_argument("--registry", help=f"registry base URL for resource URIs (default {DEFAULT_REGISTRY}, "
                                      "or $CTDL_REGISTRY)")
    f.add_argument("--sandbox", action="store_true", help=f"use the sandbox registry ({SANDBOX_REGISTRY})")
    f.add_argument("--messages", choices=["text", "json"], default="text",
                   help="format of the validation messages on stderr")
    f.add_argument("--engine", choices=["compiled", "pyshacl"], default=None,
                   help="SHACL engine (default compiled; pyshacl is the slower reference)")
    f.add_argument("-v", "--verbose", action="store_true",
                   help="list every missing recommended property on its own line")
    f.add_argument("--provisional", action="store_true",
                   help="a provisional record: checked for the minimum of shapes/provisional/ (CTID, Name, Owned "
                        "or Offered By), not the full minimum data policy")
    f.set_defaults(func=cmd_format)

    v = sub.add_parser("validate", help="check any CTDL document against the shapes")
    v.add_argument("file", metavar="FILE|DIR", nargs="+",
                   help="CTDL JSON-LD: a resource, an @graph document, an envelope or a JSON array of them; a "
                   "folder of .json/.jsonld files; - for stdin.  Several at once load the shapes once")
    v.add_argument("--format", choices=["text", "json", "junit"], default="text",
                   help="text: results grouped by rule with examples; json: every result; junit: JUnit XML for CI")
    v.add_argument("--examples", type=int, default=3, metavar="N", help="examples shown per rule (default 3)")
    v.add_argument("--engine", choices=["compiled", "pyshacl"], default=None)
    v.add_argument("-v", "--verbose", action="store_true",
                   help="show every result, not only the first examples of each rule")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("serve", help="run the HTTP API and registry")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    add_store_options(s)
    s.add_argument("--public-url", default=None,
                   help="base URL of resource URIs and links (default http://HOST:PORT/)")
    s.add_argument("--strict-references", action="store_true",
                   help="refuse OwnedBy/OfferedBy CTIDs that are not in this registry (default: warn)")
    s.add_argument("--engine", choices=["compiled", "pyshacl"], default=None)
    s.add_argument("--access-log", action="store_true", help="log every request on stderr")
    s.add_argument("--threads", type=int, default=32, metavar="N",
                   help="requests served at once (default 32); more wait in the listen queue")
    s.add_argument("--connection-timeout", type=float, default=15.0, metavar="SECONDS",
                   help="a client has this long to send its request line and headers, and for each read "
                        "or write after that (default 15); idle half-sent connections never hold a thread")
    s.set_defaults(func=cmd_serve)

    k = sub.add_parser("keys", help="manage API keys")
    ksub = k.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    kc = ksub.add_parser("create", help="create a key for an organization (printed once, on the last line)")
    kc.add_argument("--org", required=True, metavar="CTID")
    kc.add_argument("--admin", action="store_true", help="may purge and transfer ownership")
    add_store_options(kc)
    ka = ksub.add_parser("authorize", help="let the keys of PUBLISHER publish for ORG (third-party publishing)")
    ka.add_argument("--org", required=True, metavar="CTID")
    ka.add_argument("--publisher", required=True, metavar="CTID")
    add_store_options(ka)
    ku = ksub.add_parser("unauthorize", help="withdraw an authorization made with authorize")
    ku.add_argument("--org", required=True, metavar="CTID")
    ku.add_argument("--publisher", required=True, metavar="CTID")
    add_store_options(ku)
    kl = ksub.add_parser("list", help="list keys (id, organization, created, last used, admin; never the "
                                      "secret) and authorized publishers")
    kl.add_argument("--org", metavar="CTID", help="only this organization's keys and authorizations")
    kl.add_argument("--format", choices=["text", "json"], default="text")
    add_store_options(kl)
    kr = ksub.add_parser("revoke", help="revoke a key by its id (ctdl keys list), or by the key itself")
    kr.add_argument("key", metavar="ID|KEY")
    add_store_options(kr)
    k.set_defaults(func=cmd_keys)

    ve = sub.add_parser("verify", help="check an envelope's signature and digest, against a key you trust")
    ve.add_argument("file", metavar="ENVELOPE.json")
    trust = ve.add_mutually_exclusive_group()
    trust.add_argument("--key", metavar="PEM", help="the public key (PEM file) the envelope must be signed with")
    trust.add_argument("--registry", metavar="URL|DIR",
                       help="a registry whose key must have signed it: its URL (reads URL/registry/public-key) or "
                            "its data folder (--data of ctdl serve)")
    ve.set_defaults(func=cmd_verify)

    from service.cli import publish as cli_publish
    from service.cli import shapes as cli_shapes
    from service.cli.bulk import add_parsers

    cli_publish.add_parsers(sub)
    add_parsers(sub, add_store_options)
    cli_shapes.add_parsers(sub)
    for command in (f, v, s):   # a maintainer's working copy of the rules
        command.add_argument("--shapes", metavar="DIR", help="use the shapes in DIR instead of the project's "
                                                             "shapes/ (also $CTDL_SHAPES)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        return args.func(args)
    except ConfigurationError as e:   # our own rules are broken (a shapes file): the maintainer must fix it
        print(f"ctdl: {e.one_line()}", file=sys.stderr)
        return EXIT_UNUSABLE
    except CtdlError as e:
        print(f"ctdl: {e.one_line()}", file=sys.stderr)
        return EXIT_UNUSABLE if e.http_status < 500 else EXIT_INTERNAL
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # a bug: say so in one line; CTDL_DEBUG=1 shows the traceback
        if os.environ.get("CTDL_DEBUG"):
            raise
        print(f"ctdl: internal error ({type(e).__name__}: {e}); please report it "
              "(set CTDL_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


# commands that hold no store or server: once their output is flushed, the process may end without
# the interpreter's teardown, which spends ~1 s freeing the ~100,000 objects of the shapes graphs
NO_TEARDOWN = {"validate", "format", "shapes"}


def entry() -> None:
    """The ``ctdl`` console script."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv and argv[0] in NO_TEARDOWN:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, ValueError):
            pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
