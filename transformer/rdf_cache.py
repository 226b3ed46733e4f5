"""Turtle files parsed once per content: what every process would otherwise parse again.

Every ``ctdl`` command that validates reads ~1,600 shapes and 45 vocabulary files; rdflib's Turtle
parser spends most of a command's start-up on them.  ``parse_turtle`` keeps what it parsed in a
cache file named after a hash of the files' bytes (and of rdflib's version and this module's
format), so an edited shapes file is simply a new entry: nothing to invalidate by hand.  The
entry is JSON (triples and prefix bindings), never pickle: reading a cache can't run code.

Where: ``$CTDL_CACHE_DIR`` (empty: no cache), else ``$XDG_CACHE_HOME/ctdl-assistant``, else
``~/.cache/ctdl-assistant``.  A cache that cannot be written, or an entry that cannot be read, is
ignored: the files are parsed as if there were none.  A file that does not parse is never cached;
its error is raised as rdflib gives it (``shacl.load_shapes`` turns it into file, line, reason).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

FORMAT = 2          # bump when the entry layout changes


def cache_dir() -> Path | None:
    given = os.environ.get("CTDL_CACHE_DIR")
    if given is not None:
        return Path(given) if given.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ctdl-assistant"


def entry_for(kind: str, paths: list[Path], contents: list[bytes], version: str) -> Path | None:
    """The cache file for ``kind`` (``turtle``, ``rules``...) of the files ``paths`` with these
    ``contents``, or None when there is no cache.  The same set of files (by location) has one
    slot: a new entry replaces the old (``write_entry``)."""
    folder = cache_dir()
    if folder is None:
        return None
    slot = hashlib.sha256("\n".join([kind] + [str(p.resolve()) for p in paths]).encode()).hexdigest()[:12]
    h = hashlib.sha256(f"{FORMAT} {kind} {version}".encode())
    for p, data in zip(paths, contents):
        h.update(p.name.encode() + b"\0" + hashlib.sha256(data).digest())
    return folder / f"{kind}-{slot}-{h.hexdigest()[:32]}.json"


def read_entry(entry: Path | None):
    """The JSON of a cache entry; None when there is none or it cannot be read."""
    if entry is None:
        return None
    try:
        with open(entry, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_entry(entry: Path | None, data) -> None:
    """Keep ``data`` (JSON) as ``entry``, atomically, dropping the slot's older entries; a cache
    that cannot be written is no error (only slower next time)."""
    if entry is None:
        return
    slot = entry.name.rsplit("-", 1)[0]
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)   # the user's own, as ~/.cache is
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(tmp, entry)                          # readers see all of it or none of it
        for old in entry.parent.glob(f"{slot}-*.json"):
            if old != entry:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def parse_turtle(paths: list[Path], on_error=None):
    """One rdflib graph (SimpleMemory store: triples only, parsed twice as fast as the default
    store) of the Turtle files ``paths``, from the cache when their bytes were parsed before.
    ``on_error(path, exception)``: called when a file does not parse (it should raise)."""
    import rdflib

    paths = [Path(p) for p in paths]
    contents = [p.read_bytes() for p in paths]
    entry = entry_for("turtle", paths, contents, rdflib.__version__)
    g = _graph(read_entry(entry))
    if g is not None:
        return g
    g = rdflib.Graph(store="SimpleMemory")
    for p, data in zip(paths, contents):
        try:
            g.parse(data=data, format="turtle", publicID=Path(p).resolve().as_uri())
        except Exception as e:  # noqa: BLE001 - whatever the parser raises is the file's problem
            if on_error is None:
                raise
            on_error(p, e)
            raise
    write_entry(entry, {"prefixes": [[p, str(ns)] for p, ns in g.namespaces()],
                        "triples": [[_term(s), _term(p), _term(o)] for s, p, o in g]})
    return g


def _term(t):
    import rdflib

    if isinstance(t, rdflib.URIRef):
        return str(t)
    if isinstance(t, rdflib.BNode):
        return ["b", str(t)]
    return ["l", str(t), t.language, str(t.datatype) if t.datatype else None]


def _graph(data):
    """The rdflib graph of a turtle entry's JSON; None if there is none or it is damaged."""
    if data is None:
        return None
    import rdflib
    from rdflib import BNode, Literal, URIRef

    try:
        iris: dict = {}

        def term(x):
            if x.__class__ is str:
                t = iris.get(x)
                if t is None:
                    t = iris[x] = URIRef(x)
                return t
            if x[0] == "b":
                return BNode(x[1])
            return Literal(x[1], lang=x[2], datatype=x[3])

        g = rdflib.Graph(store="SimpleMemory")
        for prefix, ns in data["prefixes"]:
            g.bind(prefix, ns, override=True, replace=True)
        g.addN((term(s), term(p), term(o), g) for s, p, o in data["triples"])
        return g
    except (ValueError, KeyError, TypeError, IndexError):
        return None                                     # damaged: parse instead


__all__ = ["parse_turtle", "cache_dir", "entry_for", "read_entry", "write_entry"]
