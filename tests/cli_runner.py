"""The ``ctdl`` command in this process, as flaskr's ``runner`` fixture runs Flask commands.

    done = run_ctdl("validate", path, stdin=b"...", text=True)
    done.returncode, done.stdout, done.stderr        # as subprocess.run(..., capture_output=True) gives

Standard input, output and error are byte streams with a text layer (``sys.stdout.buffer`` works,
for templates and spreadsheets); the environment and the working folder are restored afterwards,
and so are the caches a command may switch (``--shapes`` sets ``$CTDL_SHAPES``).  What cannot run
in process -- ``ctdl serve``, signals, the interpreter's exit -- is tested with a real process
(marked ``process``).
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Completed:
    def __init__(self, args, returncode: int, stdout, stderr):
        self.args, self.returncode, self.stdout, self.stderr = args, returncode, stdout, stderr

    def __repr__(self) -> str:
        return f"<ctdl {' '.join(map(str, self.args))}: exit {self.returncode}>"


def _stream(data: bytes = b"") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="", write_through=True)


@contextlib.contextmanager
def _restored():
    env, cwd = dict(os.environ), os.getcwd()
    try:
        yield
    finally:
        os.chdir(cwd)
        if dict(os.environ) != env:
            os.environ.clear()
            os.environ.update(env)
            from transformer.resources import data_dir
            data_dir.cache_clear()


def run_ctdl(*args, stdin: bytes | str | None = None, text: bool = False, env: dict | None = None,
             cwd: Path | str | None = ROOT) -> Completed:
    """``ctdl ARGS`` in process: exit status, standard output and error (bytes, or str with ``text``)."""
    from service.cli.main import main

    argv = [str(a) for a in args]
    data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
    out, err, inp = _stream(), _stream(), _stream(data)
    with _restored():
        os.environ.update({k: str(v) for k, v in (env or {}).items()})
        if cwd is not None:
            os.chdir(cwd)
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = inp, out, err
        try:
            code = main(argv)
        except SystemExit as e:            # argparse: usage errors, --help, --version
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
        finally:
            out.flush()
            err.flush()
            sys.stdin, sys.stdout, sys.stderr = saved
    stdout, stderr = out.buffer.getvalue(), err.buffer.getvalue()
    if text:
        return Completed(argv, code, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))
    return Completed(argv, code, stdout, stderr)
