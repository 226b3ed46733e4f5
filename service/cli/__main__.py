"""``python -m service.cli``: the ``ctdl`` command."""
from .main import entry

entry()
