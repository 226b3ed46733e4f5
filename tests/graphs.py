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
    return "\n".join(lines)


def assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph, names=("expected", "actual")) -> None:
    if to_isomorphic(expected) != to_isomorphic(actual):
        raise AssertionError("graphs differ\n" + difference(expected, actual, names))
