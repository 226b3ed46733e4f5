"""``ctdl publish TYPE FILE`` and ``ctdl delete TYPE CTID``: a Registry Assistant request, published

* to a running registry (``--url URL --key KEY``, or $CTDL_URL / $CTDL_API_KEY): the same request
  `curl -X POST URL/TYPE/publish` would send, with the answer summarized;
* or straight into a local registry's store (``--data DIR`` / ``--database URL``, as ``ctdl serve``
  uses it), acting for the request's PublishForOrganizationIdentifier as the registry's operator
  (or as ``--key KEY`` of that registry, with what that key may do).

Exit status: 0 published (or deleted), 1 refused (violations, ownership, not found), 2 unusable
input, a bad key or an unreachable registry, 3 the registry failed.
"""
from __future__ import annotations

import json
import os
import sys

from transformer import CtdlError, endpoint_names, parse_json, require_object, UnknownType

from .common import EXIT_INTERNAL, EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE, add_store_options, open_local_registry, read_input

TIMEOUT_SECONDS = 120
SHOWN_WARNINGS = 5      # in text; --format json gives them all


def _kind(value: str) -> str:
    kind = value.lower()
    if kind not in endpoint_names():
        raise UnknownType(f'unknown type "{value}"; use one of: {", ".join(sorted(endpoint_names()))}')
    return kind


def cmd_publish(args) -> int:
    kind = _kind(args.type)
    data = read_input(args.file)
    url = args.url or os.environ.get("CTDL_URL")
    action = "provisional" if args.provisional else "publish"
    if url:
        status, body = _remote(url, f"{kind}/{action}", "POST", data, _key(args))
    else:
        status, body = _local_publish(args, kind, data)
    return _report(body, status, args.format)


def cmd_delete(args) -> int:
    kind = _kind(args.type)
    request = {"CTID": args.ctid, **({"PublishForOrganizationIdentifier": args.org} if args.org else {})}
    url = args.url or os.environ.get("CTDL_URL")
    if url:
        status, body = _remote(url, f"{kind}/delete", "DELETE", json.dumps(request).encode(), _key(args))
    else:
        status, body = _local_delete(args, kind, request)
    return _report(body, status, args.format, "deleted")


def _key(args) -> str:
    key = args.key or os.environ.get("CTDL_API_KEY")
    if not key:
        raise CtdlError("publishing to a registry URL needs its API key: --key KEY (or $CTDL_API_KEY)",
                        code="input.missing-key")
    return key.strip()


def _remote(url: str, path: str, method: str, data: bytes, key: str) -> tuple[int, dict]:
    from service.client import RegistryClient

    return RegistryClient(url, key, TIMEOUT_SECONDS).call(method, path, data)


def _local_publish(args, kind: str, data: bytes) -> tuple[int, dict]:
    from service.registry.answers import error_body, publish_answer

    body = require_object(parse_json(data), "the request")
    org = body.get("PublishForOrganizationIdentifier") or args.org
    if not isinstance(org, str) or not org.strip():
        raise CtdlError("the request names no organization: add PublishForOrganizationIdentifier to it, or --org CTID",
                        code="input.missing-organization", pointer="/PublishForOrganizationIdentifier")
    registry = open_local_registry(args, org.strip().lower(), signing=True)
    try:
        actor = _actor(registry, args, org)
        try:
            result = registry.publish(data, kind, actor, provisional=args.provisional)
        except CtdlError as e:
            if e.http_status >= 500:
                raise
            return e.http_status, error_body(e)
        body, status = publish_answer(result, registry.opts.registry)
        return status, body
    finally:
        registry.store.close()


def _local_delete(args, kind: str, request: dict) -> tuple[int, dict]:
    from service.registry.answers import assistant_body, error_body

    if not args.org:
        raise CtdlError("say which organization deletes it: --org CTID", code="input.missing-organization")
    registry = open_local_registry(args, args.org.strip().lower())
    try:
        try:
            record = registry.delete(request["CTID"], _actor(registry, args, args.org), args.org, kind=kind)
        except CtdlError as e:
            if e.http_status >= 500:
                raise
            return e.http_status, error_body(e)
        return 200, assistant_body(True, [f"{record.ctid} was deleted; its history is kept"], ctid=record.ctid,
                                   envelope_id=record.envelope_id, was_changed=True)
    finally:
        registry.store.close()


def _actor(registry, args, org: str):
    """--key (a key of this registry) or the registry's operator acting as the organization."""
    from service.registry.keys import operator_key

    if args.key:
        return registry.authenticate(args.key.strip())
    return operator_key(org)


def _report(body: dict, status: int, fmt: str, action: str = "published") -> int:
    ok = bool(body.get("Successful")) and status < 400
    if fmt == "json":
        json.dump({k: v for k, v in body.items() if k != "Payload"}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        if ok:
            print(f"{body.get('CTID')}: {action if body.get('WasChanged') is not False else 'unchanged'}")
            for k in ("RegistryEnvelopeIdentifier", "EnvelopeUrl", "GraphUrl"):
                if body.get(k):
                    print(f"  {k}: {body[k]}")
        else:
            for line in body.get("Messages") or []:
                print(f"error: {line}", file=sys.stderr)
        warnings = body.get("Warnings") or []
        for line in warnings[:SHOWN_WARNINGS]:
            print(f"warning: {line}", file=sys.stderr)
        if len(warnings) > SHOWN_WARNINGS:
            print(f"... and {len(warnings) - SHOWN_WARNINGS} more warnings (--format json lists them all)",
                  file=sys.stderr)
    if ok:
        return EXIT_OK
    if status >= 500:
        return EXIT_INTERNAL
    return EXIT_UNUSABLE if status in (400, 401, 413, 415) else EXIT_REFUSED


def add_parsers(sub) -> None:
    types = ", ".join(sorted(endpoint_names()))
    for name, helptext in (("publish", "publish a Registry Assistant request to a registry"),
                           ("delete", "delete a published resource (its history is kept)")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("type", metavar="TYPE", help=f"the request type: {types}")
        if name == "publish":
            p.add_argument("file", metavar="FILE", help="the request (JSON); - reads standard input")
            p.add_argument("--provisional", action="store_true",
                           help="publish a provisional record (the minimum of shapes/provisional/), once")
        else:
            p.add_argument("ctid", metavar="CTID")
        p.add_argument("--url", help="a running registry's base URL (also $CTDL_URL); without it, the local "
                                     "registry of --data / --database")
        p.add_argument("--key", help="an API key of that registry (also $CTDL_API_KEY); needed with --url")
        p.add_argument("--org", metavar="CTID", help="the organization acting (default: the request's "
                                                     "PublishForOrganizationIdentifier)")
        p.add_argument("--public-url", default=None, help="local registry: base URL of new resource URIs "
                                                          "(default: the organization's, else http://127.0.0.1:8080/)")
        p.add_argument("--format", choices=["text", "json"], default="text")
        add_store_options(p)
        p.set_defaults(func=cmd_publish if name == "publish" else cmd_delete)
