"""The README's "Python API" section, run as a doctest against a real registry served on
127.0.0.1 (issue 17): the documented calls work as written."""
from __future__ import annotations

import doctest
import re
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

from http_support import Api

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", body, re.S)
    assert blocks, "the README has no Python API example"
    return "\n".join(blocks)


def test_the_readme_python_api_runs_as_written(tmp_path, monkeypatch):
    from e2e_support import organization

    api = Api(tmp_path / "data", None)
    org = "ce-5b3c5a52-1d07-4a1a-8a3c-5c0f3e7bcd11"
    key = api.key(org)
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert api.client(key).post("/organization/publish", data=organization(org)).status_code == 200
        monkeypatch.setenv("CTDL_URL", f"http://127.0.0.1:{server.server_port}/")
        monkeypatch.setenv("CTDL_API_KEY", key)
        test = doctest.DocTestParser().get_doctest(section(), {}, "README Python API", "README.md", 0)
        assert len(test.examples) >= 10
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        out: list[str] = []
        result = runner.run(test, out=out.append)
        assert result.failed == 0, "".join(out)
    finally:
        server.shutdown()
        api.close()
