"""transformer/rdf_cache.py: Turtle parsed once per content, the same graph either way."""
from __future__ import annotations

import json
import shutil

import pytest
import rdflib
import rdflib.compare

from transformer.errors import ShapesError
from transformer.rdf_cache import parse_turtle
from transformer.resources import data_dir
from transformer.shacl import load_shapes


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CTDL_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def files(tmp_path):
    """Copies of real files: shapes with lists and typed literals, a vocabulary with language tags."""
    out = []
    for src in (data_dir("shapes") / "organization.ttl", data_dir("shapes") / "components.ttl",
                data_dir("vocabularies") / "OrganizationType.ttl"):
        dst = tmp_path / "data" / src.name
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(src, dst)
        out.append(dst)
    return out


def fresh(paths) -> rdflib.Graph:
    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def no_parsing(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("parsed although the cache holds these files")
    monkeypatch.setattr(rdflib.Graph, "parse", refuse)


def test_a_cached_graph_is_the_parsed_graph(cache, files, monkeypatch):
    first = parse_turtle(files)
    assert len(list(cache.glob("*.json"))) == 1
    no_parsing(monkeypatch)
    second = parse_turtle(files)
    monkeypatch.undo()
    expected = fresh(files)
    assert rdflib.compare.isomorphic(second, expected) and rdflib.compare.isomorphic(first, expected)
    langs = {o.language for o in second.objects() if isinstance(o, rdflib.Literal)}
    types = {o.datatype for o in second.objects() if isinstance(o, rdflib.Literal)}
    assert "en-us" in {str(x).lower() for x in langs if x} and rdflib.XSD.integer in types
    assert dict(second.namespaces())["ceterms"] == rdflib.URIRef("https://purl.org/ctdl/terms/")


def test_an_edited_file_is_parsed_again_and_replaces_the_entry(cache, files):
    parse_turtle(files)
    (old,) = cache.glob("*.json")
    text = files[0].read_text(encoding="utf-8")
    files[0].write_text(text + '\n<urn:x:new> <urn:x:p> "added" .\n', encoding="utf-8")
    g = parse_turtle(files)
    assert (rdflib.URIRef("urn:x:new"), rdflib.URIRef("urn:x:p"), rdflib.Literal("added")) in g
    assert [p.name for p in cache.glob("*.json")] != [old.name] and len(list(cache.glob("*.json"))) == 1


def test_a_damaged_entry_is_ignored(cache, files):
    parse_turtle(files)
    (entry,) = cache.glob("*.json")
    for damage in ("{not json", json.dumps({"triples": [[1, 2]]}), json.dumps({"prefixes": []})):
        entry.write_text(damage, encoding="utf-8")
        assert rdflib.compare.isomorphic(parse_turtle(files), fresh(files))


def test_no_cache_when_disabled_or_not_writable(tmp_path, files, monkeypatch):
    monkeypatch.setenv("CTDL_CACHE_DIR", "")
    assert len(parse_turtle(files)) == len(fresh(files))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CTDL_CACHE_DIR", str(blocker / "cache"))
    assert len(parse_turtle(files)) == len(fresh(files))
    assert blocker.read_text() == "not a folder"


def test_a_broken_file_is_never_cached(cache, files):
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\nshape:Broken sh:name \"x\" \n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ShapesError) as e:
            load_shapes(files)
        assert "organization.ttl line" in str(e.value) and "nothing was loaded" in str(e.value)
    assert not list(cache.glob("*.json"))
