"""Worker processes for large uploads: ``validate_rows(..., parallel=True)`` shares a sheet's rows
among them, one per core, in chunks of a few hundred rows.

The pool is started on first use ("spawn": safe in a threaded server, nothing of the calling
process is copied) and kept while uploads keep coming: a worker that has loaded the rules and
validated a chunk once takes the next upload's rows at once (starting two workers cost an upload
0.3-0.4 s). It is closed after ``IDLE_SECONDS`` without work, and when the process ends. Several
threads may use it at once (the pool queues their chunks).

Each chunk travels with what its rows are read with: the upload type, the shapes folder and the
sheet's column model (pickled once per upload, 35 KB; a worker unpickles it once and keeps the
last few), so one pool serves every upload type and rule set.
"""
from __future__ import annotations

import copy
import gc
import os
import pickle
import threading
import uuid

IDLE_SECONDS = 300.0    # a pool without work for this long is closed (its processes hold the rules: ~100 MB)


class _Shared:
    """The process's pool: created on first use, reused, closed when idle."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool = None
        self.size = 0
        self.pid = 0
        self.users = 0
        self.timer: threading.Timer | None = None

    def acquire(self, n: int):
        """(pool, owned): the shared pool of n workers, or a pool for this call alone (owned: close it
        after) when the shared one has another size and is in use."""
        import multiprocessing

        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.pool is not None and self.pid != os.getpid():
                self.pool, self.users = None, 0     # inherited through a fork: the parent's, not ours
            if self.pool is not None and self.size != n:
                if self.users:
                    return multiprocessing.get_context("spawn").Pool(n), True
                self.pool.close()
                self.pool = None
            if self.pool is None:
                self.pool = multiprocessing.get_context("spawn").Pool(n)
                self.size, self.pid = n, os.getpid()
            self.users += 1
            return self.pool, False

    def release(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.pool is not None:
                self.timer = threading.Timer(IDLE_SECONDS, self.close_if_idle)
                self.timer.daemon = True
                self.timer.start()

    def close_if_idle(self) -> None:
        with self.lock:
            if self.users == 0 and self.pool is not None and self.pid == os.getpid():
                self.pool.close()
                self.pool = None

    def discard(self, pool) -> None:
        """A pool that failed (a worker died): never used again."""
        with self.lock:
            if self.pool is pool:
                self.pool = None
        pool.terminate()


_SHARED = _Shared()


def in_workers(sheet, n: int, args: tuple, progress, each) -> list:
    """Every row of ``sheet`` validated by n worker processes; the results in the file's order, each
    chunk's given to ``each`` as it comes."""
    from .columns import ColumnModel
    from .validation import cycle_collector_paused, unpack_results

    shapes = str(sheet.model.rules.shapes_dir) if getattr(sheet.model, "rules", None) is not None else None
    model = None
    if isinstance(sheet.model, ColumnModel):   # its rule set does not travel: a worker has its own
        model = copy.copy(sheet.model)
        model.rules = None
    setup = (uuid.uuid4().hex, sheet.type, shapes, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    # small chunks (a few hundred rows): when one worker ends, the other has at most one chunk left
    size = max(50, min(250, len(sheet.rows) // (n * 8)))
    chunks = [sheet.rows[i:i + size] for i in range(0, len(sheet.rows), size)]
    out: list = []
    pool, owned = _SHARED.acquire(n)
    try:
        with cycle_collector_paused():
            for part in pool.imap(_validate_chunk, [(setup, chunk, args) for chunk in chunks]):
                results = unpack_results(part)
                each(results)
                out.extend(results)
                if progress is not None:
                    progress(len(out), len(sheet.rows))
    except BaseException:
        if not owned:
            _SHARED.discard(pool)
        raise
    finally:
        if owned:
            pool.close()
        else:
            _SHARED.release()
    return out


# -- in a worker process ---------------------------------------------------------------------------------
_MODELS: dict[str, object] = {}      # upload token -> the column model its rows are read with (last few)
_STATE = {"frozen": False}


def _model_for(setup: tuple):
    """The upload's column model under the worker's own rule set (as column_model(kind, rules) would
    have it), made once per upload."""
    token, kind, shapes, model_bytes = setup
    model = _MODELS.get(token)
    if model is None:
        from ...ruleset import RuleSet
        from .model import column_model

        rules = RuleSet.for_folder(shapes) if shapes else None
        model = pickle.loads(model_bytes)
        if model is None:
            model = column_model(kind, rules)
        else:
            model.rules = rules or RuleSet.default()
        while len(_MODELS) >= 4:
            _MODELS.pop(next(iter(_MODELS)))
        _MODELS[token] = model
    return model


def _validate_chunk(item: tuple) -> tuple:
    """The rows of one chunk. After the first, what the worker loaded for it (rules, vocabularies,
    contexts: it lives as long as the worker) is frozen out of the cycle collector's walks
    (gc.freeze: 5% of a worker's time)."""
    from .validation import cycle_collector_paused, pack_results, validate_all

    setup, rows, args = item
    model = _model_for(setup)
    with cycle_collector_paused():     # a chunk's results live until it is sent: nothing for it to find
        out = pack_results(validate_all(rows, model, args))
    if not _STATE["frozen"]:
        _STATE["frozen"] = True
        gc.freeze()
    return out
