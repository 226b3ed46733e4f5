"""Graph comparison for tests: isomorphism, and a readable difference when it fails."""
from collections import Counter

import rdflib
from rdflib.compare import to_isomorphic


def _signature(g: rdflib.Graph) -> Counter:
    """Triples with blank nodes blurred to their types: enough to show what differs."""
    def show(t):
        if isinstance(t, rdflib.BNode):
            types = sorted(str(o).rsplit("/", 1)[-1] for o in g.objects(t, rdflib.RDF.type))
            return "[" + ",".join(types) + "]"
        return t.n3()
    return Counter((show(s), show(p), show(o)) for s, p, o in g)


def difference(a: rdflib.Graph, b: rdflib.Graph, names=("expected", "actual")) -> str:
    sa, sb = _signature(a), _signature(b)
    lines = [f"only in {names[0]}:"] + [" ".join(t) for t in sorted(sa - sb)]
    lines += [f"only in {names[1]}:"] + [" ".join(t) for t in sorted(sb - sa)]
    if not (sa - sb) and not (sb - sa):
        lines.append("(same triples up to blank nodes: the structure of blank nodes differs)")
        lines.append(structure_difference(a, b, names))
    return "\n".join(lines)


def pyld_graph(doc: dict) -> rdflib.Graph:
    """The document's triples as pyld reads it (with our local contexts only), every named graph
    merged: an independent reading, not our own lifter's."""
    from pyld import jsonld

    from transformer.context import pyld_loader

    nquads = jsonld.to_rdf(doc, {"documentLoader": pyld_loader, "format": "application/n-quads"})
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    g = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph, names=("expected", "actual")) -> None:
    if to_isomorphic(expected) != to_isomorphic(actual):
        raise AssertionError("graphs differ\n" + difference(expected, actual, names))


def _subtree(g: rdflib.Graph, node, seen=()) -> str:
    if not isinstance(node, rdflib.BNode):
        return node.n3()
    if node in seen:
        return "[cycle]"
    parts = sorted(f"{p.n3()} {_subtree(g, o, seen + (node,))}" for p, o in g.predicate_objects(node))
    return "[" + "; ".join(parts) + "]"


def structure_difference(a: rdflib.Graph, b: rdflib.Graph, names=("expected", "actual")) -> str:
    """Blank-node subtrees present in one graph and not the other (top-level statements only)."""
    def tops(g):
        return Counter(f"{s.n3() if not isinstance(s, rdflib.BNode) else '_'} {p.n3()} {_subtree(g, o)}"
                       for s, p, o in g if not isinstance(s, rdflib.BNode) or not any(True for _ in g.subjects(None, s)))
    ta, tb = tops(a), tops(b)
    return "\n".join([f"only in {names[0]}:"] + sorted(ta - tb) + [f"only in {names[1]}:"] + sorted(tb - ta))
