"""The ``ctdl`` command.

    ctdl format TYPE FILE      simple Registry Assistant JSON -> CTDL JSON-LD on stdout
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
                             rules=_rules(args))
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


def _store(args):
    from pathlib import Path

    from service.store import open_store

    return open_store(Path(args.data), args.database)


def cmd_serve(args) -> int:
    from service.http.server import serve

    return serve(args)


def cmd_keys(args) -> int:
    from service.registry.keys import hash_key, looks_like_key_id, new_key
    from service.registry.core import now
    from service.store.base import KeyRecord

    store = _store(args)
    try:
        action = args.keys_command
        if action == "create":
            org = _org(args.org, "--org")
            key = new_key()
            record = KeyRecord(key_hash=hash_key(key), org=org, admin=args.admin, created_at=now(), revoked_at=None)
            store.add_key(record)
            owner = store.ctid_owners([org]).get(org)
            if owner and owner != org:
                print(f"note: {org} is already published here by {owner}; it stays theirs until an admin "
                      f"transfers it (POST /admin/transfer)", file=sys.stderr)
            print(f"API key {record.key_id} for {org}{' (admin)' if args.admin else ''}; the key is shown only "
                  "this once (its id, listed by `ctdl keys list`, is what revokes it):", file=sys.stderr)
            print(key)
        elif action == "authorize":
            org, publisher = _org(args.org, "--org"), _org(args.publisher, "--publisher")
            store.authorize(org, publisher)
            print(f"keys of {publisher} may now publish for {org}, and name {org} as owner, offerer, publisher "
                  f"or creator of what they publish")
        elif action == "unauthorize":
            org, publisher = _org(args.org, "--org"), _org(args.publisher, "--publisher")
            if not store.unauthorize(org, publisher):
                raise CtdlError(f"{publisher} was not authorized to publish for {org}", code="keys.not-found")
            print(f"keys of {publisher} may no longer publish for {org}")
        elif action == "list":
            org = _org(args.org, "--org") if args.org else None
            keys = store.list_keys(org)
            authorizations = store.authorizations(org)
            if args.format == "json":
                json.dump({"keys": [_key_entry(k) for k in keys],
                           "authorizations": [{"org": o, "publisher": p, "created_at": c}
                                              for o, p, c in authorizations]}, sys.stdout, indent=2)
                sys.stdout.write("\n")
            else:
                print(_key_table(keys))
                if authorizations:
                    print("\nauthorized publishers (org <- publisher):")
                    for o, p, c in authorizations:
                        print(f"  {o} <- {p}  (since {c[:19].replace('T', ' ')})")
        elif action == "revoke":
            given = args.key.strip()
            if looks_like_key_id(given):
                done = store.revoke_key_id(given, now())
            else:
                done = store.revoke_key(hash_key(given), now())
            if not done:
                raise CtdlError(f"no such key, or it is already revoked: {given[:12]}"
                                f"{'...' if len(given) > 12 else ''} (ctdl keys list shows the ids)",
                                code="keys.not-found")
            print("key revoked")
    finally:
        store.close()
    return EXIT_OK


def _key_entry(k) -> dict:
    """A key as listed: never its secret, nor its hash."""
    return {"id": k.key_id, "org": k.org, "admin": k.admin, "created_at": k.created_at,
            "last_used_at": k.last_used_at, "revoked_at": k.revoked_at}


def _key_table(keys) -> str:
    if not keys:
        return "no keys (ctdl keys create --org CTID makes one)"
    day = lambda t: t[:16].replace("T", " ") if t else "never"  # noqa: E731
    rows = [("id", "organization", "created", "last used", "admin", "revoked")]
    rows += [(k.key_id, k.org, day(k.created_at), day(k.last_used_at), "yes" if k.admin else "",
              day(k.revoked_at) if k.revoked_at else "") for k in keys]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _org(value: str, flag: str) -> str:
    from transformer import CTID_RE

    value = (value or "").strip().lower()
    if not CTID_RE.match(value):
        raise CtdlError(f'{flag} must be an organization CTID (ce- followed by a UUID), not "{value}"',
                        code="input.invalid-ctid")
    return value


def cmd_verify(args) -> int:
    """An envelope's signature and digest, against a key you trust (--key PEM, or the public key of
    a registry: --registry URL or DATA_DIR). Without one, only self-consistency can be checked: the
    envelope carries its own key, and anybody can sign with a key of their own."""
    from service.registry.envelope import verify_envelope
    from transformer import parse_json, require_object

    envelope = require_object(parse_json(read_input(args.file)), "an envelope")
    trusted, source = _trusted_key(args)
    problems = verify_envelope(envelope, trusted_key=trusted)
    for p in problems:
        print(f"not verified: {p}")
    ctid = envelope.get("envelope_ceterms_ctid") or "the envelope"
    if problems:
        return EXIT_VIOLATIONS
    if trusted is None:
        print(f"self-consistent only: the signature and digest of {ctid} hold with the key the envelope carries, "
              "but anyone can sign with a key of their own. Pass --key PEM or --registry URL|DIR to check it "
              "was signed by a registry you trust.")
    else:
        print(f"verified: {ctid} was signed by the key of {source}; signature and digest hold")
    return EXIT_OK


def _trusted_key(args) -> tuple[str | None, str]:
    """(PEM, where it came from) of the key given with --key or --registry, or (None, "")."""
    from pathlib import Path

    from service.registry.signing import KEY_FILE, load_public_key_pem

    if args.key:
        try:
            return load_public_key_pem(Path(args.key).read_bytes()), args.key
        except OSError as e:
            raise Unreadable(f"cannot read {args.key}: {e.strerror or e}") from None
    if not args.registry:
        return None, ""
    where = args.registry
    if where.startswith(("http://", "https://")):
        import requests

        url = where.rstrip("/") + "/registry/public-key"
        try:
            resp = requests.get(url, timeout=15)
        except requests.RequestException as e:
            raise Unreadable(f"cannot read the registry's public key at {url}: {e}") from None
        if resp.status_code != 200:
            raise Unreadable(f"{url} answered {resp.status_code}: is {where} a ctdl-assistant registry?")
        return load_public_key_pem(resp.content), url
    folder = Path(where)
    key_file = folder / KEY_FILE
    if not key_file.is_file():
        raise Unreadable(f"{where} is neither a registry URL nor a registry data folder (no {KEY_FILE} in it)")
    try:
        return load_public_key_pem(key_file.read_bytes()), str(key_file)
    except OSError as e:
        raise Unreadable(f"cannot read {key_file}: {e.strerror or e}") from None


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
                   help="organization, credential, assessment, learningopportunity, learningprogram or course")
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

    from service.cli import shapes as cli_shapes
    from service.cli.bulk import add_parsers

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
