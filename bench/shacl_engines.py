"""Micro-benchmark: median milliseconds per ``validate`` for each SHACL engine.

    python bench/shacl_engines.py [--docs 200] [--runs 5] [--reference-docs 20] [--seed 1]

Shapes: a generated shapes graph of realistic size (40 targeted node shapes, ~10 named property
shapes each: required / recommended (sh:Warning) / maxCount / datatype / URL pattern / vocabulary
membership through a sequence path and sh:node to an sh:in scheme shape / sh:class of nested
profiles / languageIn, an at-least-one sh:or group per class, duration profiles with
ctdlsh:notLongerThan), plus shapes/components.ttl.
Documents: one resource of a random class with nested alignment objects and profiles, ~30-150
triples, with a few mistakes.  Both engines validate the same ``transformer.graph.Graph``.
"""
from __future__ import annotations

import argparse
import random
import statistics
from collections import Counter
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rdflib  # noqa: E402

from transformer.graph import BNode, Graph, IRI, Literal  # noqa: E402
from transformer.resources import data_dir  # noqa: E402
from transformer.shacl import get_engine, load_shapes  # noqa: E402

EX = "http://example.org/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
N_CLASSES, N_PROPS, N_SCHEMES, N_TERMS = 40, 10, 12, 60


def shapes_ttl() -> str:
    out = ["@prefix ex: <http://example.org/ns#> . @prefix sh: <http://www.w3.org/ns/shacl#> .",
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ctdlsh: <urn:ctdl-assistant:ns:> ."]
    for s in range(N_SCHEMES):
        terms = " ".join(f"ex:term{s}_{t}" for t in range(N_TERMS))
        out.append(f"ex:Scheme{s} a sh:NodeShape ; sh:in ( {terms} ) .")
    out.append("ex:Duration a sh:NodeShape ; sh:targetClass ex:DurationProfile ; "
               "sh:property ex:Duration-min , ex:Duration-max .")
    out.append("ex:Duration-min sh:path ex:minimumDuration ; sh:maxCount 1 ; "
               "sh:pattern \"^P(\\\\d+Y)?(\\\\d+M)?(\\\\d+W)?(\\\\d+D)?(T(\\\\d+H)?(\\\\d+M)?(\\\\d+S)?)?$\" ; "
               "ctdlsh:notLongerThan ex:maximumDuration .")
    out.append("ex:Duration-max sh:path ex:maximumDuration ; sh:maxCount 1 .")
    for c in range(N_CLASSES):
        props = []
        for k in range(N_PROPS):
            name = f"ex:C{c}-p{k}"
            props.append(name)
            kind = k % 10
            body = {
                0: f"sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ; sh:message \"Name is required\"@en",
                1: f"sh:path ex:description ; sh:minCount 1 ; sh:minLength 3",
                2: f"sh:path ex:webpage ; sh:minCount 1 ; sh:severity sh:Warning ; sh:nodeKind sh:IRI ; "
                   f"sh:pattern \"^https?://\"",
                3: f"sh:path ex:ctid ; sh:maxCount 1 ; sh:pattern \"^ce-[0-9a-f-]{{36}}$\"",
                4: f"sh:path ( ex:type{c % N_SCHEMES} ex:targetNode ) ; sh:node ex:Scheme{c % N_SCHEMES} ; "
                   f"sh:minCount 1",
                5: f"sh:path ( ex:level ex:targetNode ) ; sh:node ex:Scheme{(c + 1) % N_SCHEMES}",
                6: f"sh:path ex:duration ; sh:class ex:DurationProfile",
                7: f"sh:path ex:keyword ; sh:languageIn ( \"en\" \"es\" ) ; sh:severity sh:Warning",
                8: f"sh:path ex:price ; sh:datatype xsd:decimal ; sh:minInclusive 0",
                9: f"sh:path ex:date ; sh:datatype xsd:date ; sh:maxCount 1",
            }[kind]
            out.append(f"{name} {body} .")
        out.append(f"ex:C{c} a sh:NodeShape ; sh:targetClass ex:Class{c} ; sh:property {' , '.join(props)} .")
        out.append(f"ex:C{c}-contact a sh:NodeShape ; sh:targetClass ex:Class{c} ; sh:or ( "
                   f"[ sh:path ex:email ; sh:minCount 1 ] [ sh:path ex:address ; sh:minCount 1 ] "
                   f"[ sh:path ex:phone ; sh:minCount 1 ] ) .")
    return "\n".join(out)


def document(rng: random.Random) -> Graph:
    g = Graph()
    c = rng.randrange(N_CLASSES)
    main = resource(g, rng, IRI(f"https://example.org/resources/{rng.getrandbits(64):x}"), c)
    g.main = main.id
    for k in range(rng.randint(0, 3)):          # nested profiles of other classes
        sub = resource(g, rng, BNode(f"r{rng.getrandbits(48):x}"), (c + 1 + k) % N_CLASSES)
        main.add(EX + "hasPart", sub.id)
    return g


def resource(g: Graph, rng: random.Random, id, c: int):
    main = g.node(id)
    main.types.append(IRI(f"{EX}Class{c}"))
    if rng.random() < 0.95:
        main.add(EX + "name", Literal("Generated resource " + str(rng.random())))
    main.add(EX + "description", Literal("A generated description of the resource.", None, "en-US"))
    main.add(EX + "webpage", IRI("https://example.org/page") if rng.random() < 0.9 else Literal("example.org"))
    main.add(EX + "ctid", Literal(f"ce-{rng.getrandbits(128):032x}"[:39]))
    if rng.random() < 0.7:
        main.add(EX + "email", Literal("info@example.org"))
    for _ in range(rng.randint(1, 4)):
        term = rng.randrange(N_TERMS + 3)          # a few unknown terms
        a = g.node(BNode(f"a{rng.getrandbits(48):x}"))
        a.types.append(IRI(EX + "Alignment"))
        a.add(EX + "targetNode", IRI(f"{EX}term{c % N_SCHEMES}_{term}"))
        a.add(EX + "targetNodeName", Literal(f"Term {term}", None, "en-US"))
        main.add(f"{EX}type{c % N_SCHEMES}", a.id)
    for _ in range(rng.randint(0, 3)):
        a = g.node(BNode(f"l{rng.getrandbits(48):x}"))
        a.types.append(IRI(EX + "Alignment"))
        a.add(EX + "targetNode", IRI(f"{EX}term{(c + 1) % N_SCHEMES}_{rng.randrange(N_TERMS)}"))
        main.add(EX + "level", a.id)
    for _ in range(rng.randint(0, 3)):
        d = g.node(BNode(f"d{rng.getrandbits(48):x}"))
        d.types.append(IRI(EX + "DurationProfile"))
        lo = rng.randint(1, 12)
        d.add(EX + "minimumDuration", Literal(f"P{lo}M"))
        d.add(EX + "maximumDuration", Literal(f"P{lo + rng.randint(-1, 12)}M"))
        d.add(EX + "description", Literal("Typical time to complete."))
        main.add(EX + "duration", d.id)
    for k in range(rng.randint(0, 6)):
        main.add(EX + "keyword", Literal(f"keyword {k}", None, rng.choice(["en", "en-US", "es", "fr"])))
    main.add(EX + "price", Literal(f"{rng.uniform(-10, 5000):.2f}", XSD + "decimal"))
    main.add(EX + "date", Literal(rng.choice(["2024-05-01", "2024-13-01", "2023-01-31"]), XSD + "date"))
    return main


def median_ms(engine, docs, runs: int) -> float:
    per_run = []
    for _ in range(runs):
        t = time.perf_counter()
        for d in docs:
            engine.validate(d)
        per_run.append((time.perf_counter() - t) * 1000 / len(docs))
    return statistics.median(per_run)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reference-docs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    shapes = load_shapes([data_dir("shapes") / "components.ttl"])
    shapes.parse(data=shapes_ttl(), format="turtle")
    n_node = len(set(shapes.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape"))))
    n_prop = len(set(shapes.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#property"))))
    rng = random.Random(args.seed)
    docs = [document(rng) for _ in range(args.docs)]
    triples = [len(d) for d in docs]

    t = time.perf_counter()
    compiled = get_engine("compiled", shapes)
    compile_s = time.perf_counter() - t
    t = time.perf_counter()
    reference = get_engine("pyshacl", shapes)
    reference.validate(docs[0])
    ref_setup_s = time.perf_counter() - t

    n_results = sum(len(compiled.validate(d)) for d in docs)
    same = sum(Counter(r.key() for r in compiled.validate(d)) == Counter(r.key() for r in reference.validate(d))
               for d in docs[: args.reference_docs])
    c_ms = median_ms(compiled, docs, args.runs)
    r_ms = median_ms(reference, docs[: args.reference_docs], max(1, min(args.runs, 3)))
    print(f"shapes: {n_node} node shapes, {n_prop} property shapes (+ in-list / or members); "
          f"{len(shapes)} triples")
    print(f"documents: {len(docs)}, {min(triples)}-{max(triples)} triples "
          f"(mean {statistics.mean(triples):.0f}), {n_results / len(docs):.1f} results each")
    print(f"compile: {compile_s * 1000:.0f} ms (compiled), first run incl. shapes parsing "
          f"{ref_setup_s * 1000:.0f} ms (pyshacl)")
    print(f"compiled: {c_ms:.3f} ms/document (median of {args.runs} runs)  = {1000 / c_ms:,.0f} docs/s")
    print(f"pyshacl:  {r_ms:.2f} ms/document ({args.reference_docs} documents) = {1000 / r_ms:,.1f} docs/s")
    print(f"ratio: x{r_ms / c_ms:.0f}; engines agree on {same}/{args.reference_docs} documents")


if __name__ == "__main__":
    main()
