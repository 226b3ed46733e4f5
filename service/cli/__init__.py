"""The ``ctdl`` command: ``main`` (argument parsing, the commands), ``common`` (exit codes, input
reading, store options), ``bulk`` (``ctdl bulk ...``, ``ctdl org ...``), ``shapes`` (``ctdl shapes ...``)."""
from .main import entry, main

__all__ = ["entry", "main"]
