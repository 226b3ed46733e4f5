import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# the parse cache (transformer/rdf_cache.py) of this run, and of the processes it starts, lives in
# a folder of its own, not in the user's ~/.cache
if "CTDL_CACHE_DIR" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="ctdl-test-cache-")
    os.environ["CTDL_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)

# the in-process HTTP fixtures (api: the app on each store backend) for every test module
pytest_plugins = ("http_support",)


# markers by where a test is and what it runs on (pyproject.toml lists them)
_SLOW_TESTS = {"test_the_project_shapes_are_sound", "test_check_and_test_run_the_examples",
               "test_the_engines_agree_on_the_schema_layer", "test_examples_are_well_formed",
               "test_no_internal_term_and_no_crash_on_any_key_through_any_route"}


def _starts_a_process(item) -> bool:
    import inspect

    try:
        source = inspect.getsource(item.function)
    except (OSError, TypeError, AttributeError):
        return False
    return "subprocess" in source or "Popen" in source


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        path = Path(str(item.fspath))
        if "e2e" in path.parts:
            item.add_marker(pytest.mark.process)
            item.add_marker(pytest.mark.slow)
        elif _starts_a_process(item) or item.get_closest_marker("process"):
            item.add_marker(pytest.mark.process)
            item.add_marker(pytest.mark.slow)
        if item.originalname in _SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres" in params.values() or "postgres" in item.name.lower():
            item.add_marker(pytest.mark.postgres)
