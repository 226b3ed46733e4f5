"""Large uploads as jobs: ``POST /bulk/{type}/upload`` over JOB_BYTES (or with ``?job=true``)
answers 202 with the job's URL at once; the upload (read, validate, stage: service/bulk/upload.py)
then runs as a job of a queue kept in the store, its progress (rows done of rows total) and then its
answer kept there too, so ``GET /bulk/jobs/{id}`` says where it is from any of the server's processes.

The queue is the store's ``jobs`` table: the uploaded file waits there (``queued``) until a process
claims it (``running``). On PostgreSQL a claim is ``SELECT ... FOR UPDATE SKIP LOCKED``, so every
process of a deployment (gunicorn workers, servers on several hosts sharing the database) can take
jobs and no two take the same; on the embedded SQLite, SQLite's one write lock does the same
for the processes sharing the file. Each process runs the jobs it claims one at a time in one
thread, started when a job is queued and ended when none waits.

A job whose process ended before it did (a restart, a crash, kill -9) is never left "running": when
the app starts, the jobs of this host's processes that are gone are
queued again and resumed from their file. Staging is create-or-update by External Identifier, so a
resumed job is safe: rows staged before the interruption come back "unchanged", and the answer says
it was resumed. After MAX_ATTEMPTS interruptions a job is failed instead, saying to upload again.
"""
from __future__ import annotations

import os
import socket
import threading
import logging
import uuid

from transformer import CtdlError

from .upload import upload
from .workflow import BulkWorkflow

log = logging.getLogger("ctdl.service")

JOB_BYTES = 512 * 1024            # uploads larger than this run as jobs (about 2,000 course rows)
PROGRESS_EVERY = 0.02             # progress is written at each 2% of the rows (not per row)
MAX_ATTEMPTS = 3                  # a job interrupted this many times is failed, not resumed again
INTERRUPTED = (f"the server stopped {MAX_ATTEMPTS} times while this upload ran (restarts or crashes): "
               "upload the file again; rows already staged come back unchanged")
KEY_GONE = "the API key that uploaded this file was revoked before the job ran: upload it again with a valid key"
RESUMED = ("this job was interrupted (a restart of the server) and resumed from its file: rows staged before "
           "the interruption say unchanged")


def runner() -> str:
    """This process, as a job's runner: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(workflow: BulkWorkflow, org: str, kind: str, data: bytes, key=None, language: str = "en-US") -> str:
    """Queues the upload (the organization and the key are checked first, in the request) and makes
    sure this process takes it; the job's id."""
    org, _ = workflow.actor(org, key)
    job_id = str(uuid.uuid4())
    workflow.store.create_job(job_id, org, kind, data, key.key_id if key is not None else "", language)
    wake(workflow)
    return job_id


def recover(workflow: BulkWorkflow) -> int:
    """The jobs this host's processes were running and that are gone are queued again (or failed
    after MAX_ATTEMPTS); then this process takes the queued jobs. The number of jobs recovered.
    Another live process's jobs (a gunicorn worker) and other hosts' are theirs."""
    host, recovered = socket.gethostname(), 0
    store = workflow.store
    for job_id, where, attempts in store.running_jobs():
        name, _, pid = where.rpartition(":")
        if name != host or not pid.isdigit() or _alive(job_id, int(pid)):
            continue
        if attempts >= MAX_ATTEMPTS:
            store.update_job(job_id, status="failed", error=INTERRUPTED)
        elif not store.requeue_job(job_id, where):
            continue
        recovered += 1
    wake(workflow)
    return recovered


def _alive(job_id: str, pid: int) -> bool:
    if pid == os.getpid():             # this process: alive while its worker runs the job
        return job_id in _current
    try:
        os.kill(pid, 0)                # another process of this host: alive while it is
        return True
    except PermissionError:
        return True
    except OSError:
        return False


# This process's workers, one per store: {id(store): thread}; the stores whose worker must look for
# jobs once more before it ends (one was queued while it looked); the jobs being run.
_lock = threading.Lock()
_workers: dict[int, threading.Thread] = {}
_again: set[int] = set()
_current: set[str] = set()


def wake(workflow: BulkWorkflow) -> None:
    """Starts this process's worker for the workflow's store unless it is running."""
    with _lock:
        thread = _workers.get(id(workflow.store))
        if thread is not None and thread.is_alive():
            _again.add(id(workflow.store))
            return
        thread = threading.Thread(target=_work, args=(workflow,), name="upload-jobs", daemon=True)
        _workers[id(workflow.store)] = thread
        thread.start()


def _work(workflow: BulkWorkflow) -> None:
    store, me = workflow.store, runner()
    while True:
        try:
            job = store.claim_job(me)
        except Exception:          # the store closed (the app was shut down): the queue stays for the next
            job = None
        if job is None:
            with _lock:            # a job queued while this one looked is looked for once more
                if id(store) in _again:
                    _again.discard(id(store))
                    continue
                _workers.pop(id(store), None)
                return
        run(workflow, job)


def run(workflow: BulkWorkflow, job: dict) -> None:
    """Runs one claimed job to its end: its answer or why it failed, on the job (never lost in a thread)."""
    store, job_id = workflow.store, job["job_id"]
    _current.add(job_id)

    def progress(done: int, total: int, last=[-1.0]) -> None:      # noqa: B006 - the last share written
        share = done / total if total else 1.0
        if done == total or share - last[0] >= PROGRESS_EVERY:
            last[0] = share
            store.update_job(job_id, rows_done=done, rows_total=total)

    try:
        key = None
        if job["key_id"]:
            key = store.get_key_by_id(job["key_id"])
            if key is None or key.revoked_at:
                store.update_job(job_id, status="failed", error=KEY_GONE)
                return
        result = upload(workflow, job["org"], job["kind"], job["input"], key=key, progress=progress,
                        language=job["language"])
        if job["attempts"] > 1:
            result = {**result, "notes": [RESUMED, *result.get("notes", [])]}
        total = len(result["rows"])
        store.update_job(job_id, status="done", rows_done=total, rows_total=total, result=result)
    except Exception as e:     # an input error, said on the job; or a bug, logged with a reference
        if isinstance(e, CtdlError):
            error = f"[{e.code}] {e.message}"
        else:
            reference = uuid.uuid4().hex[:12]
            log.exception("internal error, reference %s, in upload job %s", reference, job_id)
            error = f"[internal] internal error, reference {reference}"
        try:
            store.update_job(job_id, status="failed", error=error)
        except Exception:      # the store closed meanwhile: recovered at the next start
            pass
    finally:
        _current.discard(job_id)
