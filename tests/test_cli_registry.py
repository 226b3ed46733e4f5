"""Which registry a `ctdl` command uses (issue 17): --data, else $CTDL_DATA, else the nearest
ctdl-data holding a registry here or above; never an empty second registry made by accident; the
registry used is said on stderr."""
from __future__ import annotations

from http_support import Api, new_ctid


def test_no_registry_here_or_above_is_refused_and_nothing_is_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CTDL_DATA", raising=False)
    code, out, err = Api.ctdl_plain("keys", "create", "--org", new_ctid())
    assert code == 2 and "cli.no-registry" in err and "--data" in err and "CTDL_DATA" in err and out == ""
    assert not (tmp_path / "ctdl-data").exists()


def test_the_nearest_registry_above_is_found_and_named(tmp_path, monkeypatch):
    monkeypatch.delenv("CTDL_DATA", raising=False)
    api = Api(tmp_path / "ctdl-data", None)          # the registry `ctdl serve` made in tmp_path
    org = new_ctid()
    api.key(org)
    api.close()
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "deeper")
    code, out, err = Api.ctdl_plain("keys", "list", "--org", org)
    assert code == 0 and org in out
    assert f"registry: {tmp_path.resolve() / 'ctdl-data'} (SQLite)" in err


def test_ctdl_data_or_data_names_it_and_a_new_one_is_said_to_be_new(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CTDL_DATA", str(tmp_path / "elsewhere"))
    code, out, err = Api.ctdl_plain("keys", "create", "--org", new_ctid())
    assert code == 0 and f"registry: {tmp_path / 'elsewhere'} (SQLite, new)" in err
    code, out, err = Api.ctdl_plain("keys", "list")
    assert code == 0 and f"registry: {tmp_path / 'elsewhere'} (SQLite)" in err
    code, out, err = Api.ctdl_plain("keys", "list", "--data", str(tmp_path / "given"))    # --data wins
    assert f"registry: {tmp_path / 'given'} (SQLite, new)" in err
