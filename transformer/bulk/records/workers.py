"""The worker processes of large uploads, and how results travel back from them.

``validate_rows(..., parallel=True)`` (validation.py) shares a sheet's rows among n workers, one
per core, in chunks of a few hundred rows, through ``shared_pool(n)``. The pool is started on
first use ("spawn": safe in a threaded server, nothing of the calling process is copied) and kept
while uploads keep coming: a worker that has loaded the rules and validated a chunk once takes the
next upload's rows at once (starting two workers cost an upload 0.3-0.4 s). It is closed after
``IDLE_SECONDS`` (a minute) without work, and when the process ends. Several threads may use it at
once (the pool queues their chunks); each chunk carries what its rows are read with
(validation.py), so one pool serves every upload type and rule set.

``start_pool(n)``: the pool started ahead, while an upload's file is read (a new process's first
large upload: its workers load the rules meanwhile, not after).

``pack_results`` / ``unpack_results``: a chunk's results as they travel (each distinct problem
once); ``cycle_collector_paused``: what receiving and keeping a million result objects needs.
"""
from __future__ import annotations

import gc
import os
import threading
from contextlib import contextmanager

IDLE_SECONDS = 60.0     # a pool without work for this long is closed (its processes hold the rules: ~100 MB)


class _Shared:
    """The process's pool: created on first use, reused, closed when idle."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool = None
        self.size = 0
        self.pid = 0
        self.users = 0
        self.timer: threading.Timer | None = None

    def acquire(self, n: int, initializer=None):
        """(pool, owned): the shared pool of n workers, or a pool for this call alone (owned: close it
        after) when the shared one has another size and is in use. ``initializer``: what a new worker
        runs on starting."""
        import multiprocessing

        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.pool is not None and self.pid != os.getpid():
                self.pool, self.users = None, 0     # inherited through a fork: the parent's, not ours
            if self.pool is not None and self.size != n:
                if self.users:
                    return multiprocessing.get_context("spawn").Pool(n, initializer=initializer), True
                self.pool.close()
                self.pool = None
            if self.pool is None:
                self.pool = multiprocessing.get_context("spawn").Pool(n, initializer=initializer)
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
        """A pool whose work was abandoned (a worker died, the caller stopped): never used again, and
        stopped, unless another call is using it."""
        with self.lock:
            if self.pool is not pool or self.users > 1:
                return
            self.pool = None
        pool.terminate()


_SHARED = _Shared()


def start_pool(n: int, initializer=None) -> None:
    """The shared pool of n workers started now, if it is not running (its processes start and run
    ``initializer`` meanwhile); it waits for work as after an upload, and is closed when idle."""
    with shared_pool(n, initializer):
        pass


@contextmanager
def shared_pool(n: int, initializer=None):
    """The process's pool of n workers (or, while it is in use with another size, one for this call
    alone), for the time of a with block. Leaving the block by an exception (a worker that died, the
    caller stopping) ends the pool, so the chunks still queued are not worked on for nothing (unless
    another call is using it at the moment)."""
    pool, owned = _SHARED.acquire(n, initializer)
    try:
        yield pool
    except BaseException:
        if not owned:
            _SHARED.discard(pool)
        raise
    finally:
        if owned:
            pool.terminate()
        else:
            _SHARED.release()


@contextmanager
def cycle_collector_paused():
    """Receiving a large upload's results makes a million objects (documents, requests, problems)
    that all live on until they are staged: the cycle collector, walking them and everything the
    process holds again and again, took three quarters of the receiving time and, once resumed, half
    a second of staging. It is paused meanwhile (process-wide, so only for one upload: what is
    garbage meanwhile is freed by reference counting; cycles wait until it resumes). Nested uses
    resume it once, at the outermost end."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


_LAYOUTS: dict[tuple, tuple] = {}


def pack_results(results: list) -> tuple:
    """Results as a worker sends them back: the rows of a file mostly share their problems (the same
    benchmark properties missing on every row), so each distinct problem travels once per chunk, as
    its class, field names and values, and each row's problems as (which one, row, path). Pickled
    as objects, the ~20 problems of a row were 4.9 KB and most of what the calling process spent
    receiving them."""
    protos: dict[tuple, int] = {}
    table: list[tuple] = []           # index -> (class, field names, values but row and path)
    rows = []
    for res in results:
        if res.problems is None:       # validate_rows(prepare=): what the caller needs is in its prepared
            rows.append((res.__class__, res.__dict__))
            continue
        problems = []
        for p in res.problems:
            d = p.__dict__
            names = tuple(d)
            where = _LAYOUTS.get(names)
            if where is None:       # the places of row and path among a problem's fields, by its field names
                where = _LAYOUTS[names] = tuple(i for i, k in enumerate(names) if k in ("row", "path"))
            values = list(d.values())
            for i in where:
                values[i] = None
            key = (p.__class__, names, *values)
            try:
                i = protos.get(key)
                if i is None:
                    i = protos[key] = len(table)
                    table.append(key)
            except TypeError:          # a value that cannot be a key (a list): this problem alone
                i = len(table)
                table.append(key)
            problems.append((i, d.get("row"), d.get("path")))
        state = dict(res.__dict__)
        state["problems"] = problems
        rows.append((res.__class__, state))
    return tuple(table), tuple(rows)


def unpack_results(packed: tuple) -> list:
    """pack_results's results as RowResults again (the same fields, the same values)."""
    keys, rows = packed
    protos = []
    for key in keys:
        protos.append((key[0], dict(zip(key[1], key[2:]))))
    out = []
    for result_class, state in rows:
        problems = None if state["problems"] is None else []
        for i, row, path in state["problems"] or ():
            cls, fields = protos[i]
            p = cls.__new__(cls)
            p.__dict__.update(fields)
            p.__dict__["row"], p.__dict__["path"] = row, path
            problems.append(p)
        res = result_class.__new__(result_class)
        res.__dict__.update(state)
        res.problems = problems
        out.append(res)
    return out
