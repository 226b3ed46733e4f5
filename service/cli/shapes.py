"""`ctdl shapes ...`: the loop of the people who maintain the rules (shapes/*.ttl).

    ctdl shapes check [--no-examples]   is the rule set sound? (SHACL, CTDL terms, documentation,
                                        orders, examples); exit 0 clean, 1 findings, 2 unreadable file
    ctdl shapes test [NAME ...]         run the shapes' valid and invalid examples; which shape failed
                                        which example, expected vs got; exit 0 / 1
    ctdl shapes docs -o DIR             the property tables per class (docs/properties/)
    ctdl shapes generate                the schema shapes (shapes/schema/ctdl.ttl) from the CTDL and
                                        CTDL-ASN schema encodings (vocabularies/schema/); review the diff

All take --shapes DIR (default: the project's shapes/; $CTDL_SHAPES works too), so a maintainer can
check a working copy before it replaces the served rules.  The server reads the shapes when it
starts: restart it after an edit; a broken file stops it with the file, line and reason.
"""
from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


def rules_of(folder: str | None):
    """The RuleSet of ``--shapes DIR`` (None: the project's); ShapesError for a folder without shapes."""
    if not folder:
        return None
    from transformer import RuleSet

    return RuleSet.for_folder(folder)


def cmd_shapes(args) -> int:
    from transformer import RuleSet

    rules = rules_of(args.shapes) or RuleSet.default()
    if args.shapes_command == "check":
        from transformer import check_shapes

        findings = check_shapes(rules.shapes_dir, examples=not args.no_examples)
        for f in findings:
            print(f.text())
        if any(f.code == "syntax" for f in findings):
            print(f"ctdl: the shapes cannot be read: {len(findings)} file(s) broken", file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"{len(findings)} finding(s)" if findings else "the shapes are sound: no findings",
              file=sys.stderr)
        return EXIT_FINDINGS if findings else EXIT_OK
    if args.shapes_command == "test":
        from transformer import examples_dir, run_examples

        if not examples_dir(rules).is_dir():
            print(f"ctdl: no examples folder ({examples_dir(rules)}): run from a checkout", file=sys.stderr)
            return EXIT_UNUSABLE
        results = run_examples(args.names or None, rules=rules)
        if not results:
            print(f"ctdl: no examples for {', '.join(args.names)}", file=sys.stderr)
            return EXIT_UNUSABLE
        failed = [r for r in results if not r.ok]
        for r in failed:
            print(f"FAIL shape:{r.shape}  {r.file.name}")
            for line in r.lines():
                print(line)
        shapes = len({r.shape for r in results})
        print(f"{len(results) - len(failed)} of {len(results)} examples of {shapes} shapes pass"
              + (f"; {len(failed)} fail" if failed else ""))
        return EXIT_FINDINGS if failed else EXIT_OK
    if args.shapes_command == "generate":
        import difflib

        from transformer import data_dir, write_schema_shapes as write

        out = Path(args.output) if args.output else rules.shapes_dir / "schema" / "ctdl.ttl"
        before = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
        after = write(Path(args.source) if args.source else data_dir("vocabularies") / "schema", out).splitlines()
        changed = [l for l in difflib.unified_diff(before, after, lineterm="", n=0) if l[:1] in "+-" and
                   not l.startswith(("+++", "---"))]
        shapes = sum(1 for line in after if line.startswith("shape:"))
        print(f"wrote {out}: {shapes} shapes; {len(changed)} line(s) changed (git diff {out} to review)",
              file=sys.stderr)
        return EXIT_OK
    from transformer import write_docs

    written = write_docs(Path(args.output), rules)
    print(f"wrote {len(written)} pages to {args.output}", file=sys.stderr)
    return EXIT_OK


def add_parsers(sub) -> None:
    s = sub.add_parser("shapes", help="tools for the people who maintain shapes/*.ttl: check, test, docs")
    ssub = s.add_subparsers(dest="shapes_command", metavar="ACTION", required=True)

    def shapes_option(p):
        p.add_argument("--shapes", metavar="DIR", help="the shapes folder (default: the project's shapes/)")

    c = ssub.add_parser("check", help="is the rule set sound? (SHACL, CTDL terms, documentation, orders, examples)")
    shapes_option(c)
    c.add_argument("--no-examples", action="store_true", help="skip running the examples (faster)")
    t = ssub.add_parser("test", help="run the shapes' valid and invalid examples")
    shapes_option(t)
    t.add_argument("names", nargs="*", metavar="NAME", help="only these shapes (local names, e.g. Organization-name)")
    d = ssub.add_parser("docs", help="property tables per class, from the shapes (Markdown)")
    shapes_option(d)
    d.add_argument("-o", "--output", required=True, metavar="DIR", help="e.g. docs/properties/")
    gen = ssub.add_parser("generate", help="the schema shapes from the CTDL / CTDL-ASN schema encodings")
    shapes_option(gen)
    gen.add_argument("--from", dest="source", metavar="DIR", help="the encodings (default: vocabularies/schema/)")
    gen.add_argument("-o", "--output", metavar="FILE", help="default: shapes/schema/ctdl.ttl")
    s.set_defaults(func=cmd_shapes)
