"""schemathesis over the real server (bench/fuzz_api.py): every check, every phase, on both backends.

Minutes per backend, so it runs only when asked for (the default test command deselects the marker,
pyproject.toml): `pytest -m fuzz tests/e2e/test_openapi_fuzz.py` (CTDL_FUZZ_SECONDS, default 120,
bounds each run). Loopback only; needs schemathesis (`pip install -e '.[fuzz]'`)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.fuzz


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_schemathesis_finds_no_mismatch(backend):
    if not (Path(sys.executable).parent / "schemathesis").exists():
        pytest.fail("schemathesis is not installed next to this Python: pip install -e '.[fuzz]'")
    if backend == "postgres":
        from pgtest import open_databases

        open_databases("ctdl_fuzz_probe_").drop_all()      # skips (or fails in CI) when unreachable
    seconds = os.environ.get("CTDL_FUZZ_SECONDS", "120")
    out = subprocess.run([sys.executable, str(REPO / "bench" / "fuzz_api.py"), "--max-time", seconds,
                          "--backend", backend], cwd=REPO, capture_output=True, text=True,
                         timeout=int(seconds) + 300)
    assert out.returncode == 0, out.stdout[-8000:] + out.stderr[-2000:]
    assert "failures: 0" in out.stdout, out.stdout[-4000:]


def test_the_description_is_valid_against_the_openapi_31_schema(tmp_path):
    """The OpenAPI 3.1 meta-schema that schemathesis ships (no network)."""
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    from service.http.app import Settings, create_app

    app = create_app(Settings(data_dir=tmp_path))
    doc = app.test_client().get("/openapi.json").get_json()
    app.extensions["ctdl_registry"].store.close()
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in OPENAPI_31_VALIDATOR.iter_errors(doc)]
    assert errors == []
