"""``python -m service.cli``: the ``ctdl`` command."""
from .main import entry

if __name__ == "__main__":      # a worker process started with "spawn" imports this module again
    entry()
