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
