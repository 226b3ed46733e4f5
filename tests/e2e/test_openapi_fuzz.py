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
