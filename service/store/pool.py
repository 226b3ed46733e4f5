"""A small connection pool: each store call gets a connection no other thread is using.

Neither sqlite3 nor psycopg connections may be used by two threads at once, and the Flask
development server (werkzeug, threaded=True) starts a new thread for every request, so a plain
threading.local would open (and leak until garbage collection) one connection per request, and
close() could not reach them. Instead a call borrows a connection for its duration and gives it
back: at most one connection per concurrently running thread, reused across requests, and all
idle ones closed by close(). An optional cap (PostgreSQL) keeps a burst of requests from using up
the server's connection slots: callers above it wait.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from .base import StoreError


class ConnectionPool:
    def __init__(self, connect: Callable[[], Any], reusable: Callable[[Any], bool],
                 max_idle: int = 8, max_open: int | None = None, wait_seconds: float = 30.0):
        self._connect = connect
        self._reusable = reusable
        self._max_idle = max_idle
        self._slots = threading.BoundedSemaphore(max_open) if max_open else None
        self._wait = wait_seconds
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[Any]:
        if self._slots is not None and not self._slots.acquire(timeout=self._wait):
            raise StoreError(f"no database connection became free within {self._wait:g} s")
        try:
            with self._lock:
                if self._closed:
                    raise StoreError("the store is closed")
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = self._connect()
            try:
                yield conn
            finally:
                self._give_back(conn)
        finally:
            if self._slots is not None:
                self._slots.release()

    def _give_back(self, conn: Any) -> None:
        try:
            keep = self._reusable(conn)
        except Exception:
            keep = False
        with self._lock:
            if keep and not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        _close_quietly(conn)

    def close(self) -> None:
        """Closes the idle connections; busy ones are closed when their call gives them back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            _close_quietly(conn)


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:
        pass
