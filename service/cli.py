"""The ``ctdl`` command.

    ctdl format TYPE FILE      simple Registry Assistant JSON -> CTDL JSON-LD on stdout
    ctdl validate FILE         check any CTDL document (resource, @graph document, envelope)

Exit status: 0 valid (warnings allowed), 1 violations (the document is still printed),
2 unusable input (not JSON, unknown type, unreadable file), with one clear line on stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from transformer import __version__
from transformer.enrich import DEFAULT_REGISTRY, SANDBOX_REGISTRY, Options
from transformer.errors import CtdlError, Unreadable
from transformer.parse import MAX_INPUT_BYTES

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3


def read_input(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        with open(path, "rb") as f:
            return f.read(MAX_INPUT_BYTES + 1)
    except OSError as e:
        raise Unreadable(f"cannot read {path}: {e.strerror or e}") from None


def _registry(args) -> str:
    if getattr(args, "sandbox", False):
        return SANDBOX_REGISTRY
    return args.registry or os.environ.get("CTDL_REGISTRY") or DEFAULT_REGISTRY


def cmd_format(args) -> int:
    from transformer.pipeline import endpoint_names, format_request

    kind = args.type
    if kind.lower() not in endpoint_names():
        # `ctdl format FILE` is not the contract, but say clearly what was expected
        raise CtdlError(f'unknown type "{kind}"; use one of: {", ".join(sorted(endpoint_names()))}',
                        code="input.unknown-type")
    data = read_input(args.file)
    outcome = format_request(data, kind, Options(registry=_registry(args)), engine=args.engine)
    json.dump(outcome.document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    _print_report(outcome.report, args.messages, sys.stderr)
    return EXIT_OK if outcome.report.conforms else EXIT_VIOLATIONS


def cmd_validate(args) -> int:
    from transformer.pipeline import validate_document

    report = validate_document(read_input(args.file), engine=args.engine)
    _print_report(report, args.format, sys.stdout)
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def _print_report(report, fmt: str, stream) -> None:
    if fmt == "json":
        json.dump(report.to_dict(), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    else:
        stream.write(report.to_text() + "\n")


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
    f.set_defaults(func=cmd_format)

    v = sub.add_parser("validate", help="check any CTDL document against the shapes")
    v.add_argument("file", metavar="FILE", help="CTDL JSON-LD (resource, @graph document or envelope); - for stdin")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.add_argument("--engine", choices=["compiled", "pyshacl"], default=None)
    v.set_defaults(func=cmd_validate)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        return args.func(args)
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


if __name__ == "__main__":
    sys.exit(main())
