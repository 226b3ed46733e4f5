"""The worker processes of large uploads (transformer/bulk/records/workers.py): one pool kept while
uploads come, closed when idle; results travel packed (pack_results / unpack_results)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


def _places() -> dict:
    return {"main": {"Name": "Main", "Address1": "1 College Ave", "City": "Riverside", "AddressRegion": "CA",
                     "PostalCode": "92501", "Country": "US"}}


@pytest.mark.process
def test_one_pool_serves_uploads_one_after_the_other_and_closes_when_idle(monkeypatch):
    from bulk_upload import ORG, sheet
    from transformer import read_rows
    from transformer.bulk.records import workers
    from transformer.bulk.records.validation import PARALLEL_ROWS, validate_rows

    monkeypatch.setenv("CTDL_CHECK_WORKERS", "2")
    monkeypatch.setattr(workers, "IDLE_SECONDS", 0.5)
    rows = read_rows(sheet(PARALLEL_ROWS), "course")
    chunks: list[int] = []
    first = validate_rows(rows, ORG, _places(), parallel=True, each=lambda rs: chunks.append(len(rs)))
    pool = workers._SHARED.pool
    assert pool is not None and sum(chunks) == len(rows.rows) and len(chunks) > 1   # given chunk by chunk
    pids = {p.pid for p in pool._pool}
    other = read_rows(sheet(PARALLEL_ROWS, seed=11), "course")
    second = validate_rows(other, ORG, _places(), parallel=True)
    assert workers._SHARED.pool is pool and {p.pid for p in pool._pool} == pids      # the same workers
    assert [r.row for r in first] == [r.number for r in rows.rows]
    assert [r.external_id for r in second] == [r.external_id for r in other.rows]
    deadline = time.monotonic() + 10
    while workers._SHARED.pool is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers._SHARED.pool is None                                               # idle: closed


@pytest.mark.process
def test_workers_started_ahead_are_the_ones_the_upload_uses(monkeypatch):
    """start_workers (called by an upload before it reads its file): the pool is started for many rows
    and not for few (no workers: one process validates them), and validate_rows then uses it."""
    from bulk_upload import ORG, sheet
    from transformer import read_rows, start_workers
    from transformer.bulk.records import workers
    from transformer.bulk.records.validation import PARALLEL_ROWS, validate_rows

    if workers._SHARED.pool is not None:
        workers._SHARED.close_if_idle()
    monkeypatch.delenv("CTDL_CHECK_WORKERS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    data = sheet(PARALLEL_ROWS)
    start_workers(sheet(PARALLEL_ROWS - 2))                          # a header and fewer rows: no workers
    assert workers._SHARED.pool is None
    start_workers(b"PK\x03\x04" + b"\n" * (2 * PARALLEL_ROWS))      # an XLSX: its bytes are not lines
    assert workers._SHARED.pool is None
    start_workers(data)
    pool = workers._SHARED.pool
    assert pool is not None and workers._SHARED.users == 0        # waiting for the upload
    rows = read_rows(data, "course")
    out = validate_rows(rows, ORG, _places(), parallel=True)
    assert workers._SHARED.pool is pool and [r.row for r in out] == [r.number for r in rows.rows]


@pytest.mark.process
def test_ready_loads_the_rules_of_both_layers():
    """What a new worker does on starting (validation.ready), in a new process: the engines of both
    layers are built by it, not before."""
    import subprocess

    code = ("from transformer.ruleset import RuleSet\n"
            "from transformer.bulk.records.validation import ready\n"
            "rules = RuleSet.default()\n"
            "print(rules.policy._engine is None, rules.schema._engine is None)\n"
            "ready()\n"
            "print(rules.policy._engine is None, rules.schema._engine is None)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split("\n")
    assert out[:2] == ["True True", "False False"]


def test_packed_results_come_back_as_they_were():
    from transformer.bulk.records.sheet import cell_problem
    from transformer.bulk.records.validation import RowResult
    from transformer.bulk.records.workers import pack_results, unpack_results

    def result(row: int) -> RowResult:
        problems = [cell_problem(row, "", None, "Keyword is recommended", "recommended", "Warning", "", "shape:x"),
                    cell_problem(row, "Delivery Type", "Teleport", "not a term", "unknown-term", "Violation", "I")]
        odd = cell_problem(row, "Keyword", None, "odd", "invalid", "Violation")
        odd.value = ["a", "list"]                    # a value that cannot be a dictionary key
        return RowResult(row, f"C{row}", None, "course", "Course", {"Course": {"Name": str(row)}},
                         {"@graph": [{"ceterms:name": str(row)}]}, [*problems, odd])

    results = [result(n) for n in range(2, 6)]
    back = unpack_results(pack_results(results))
    assert [r.__dict__ for r in back] == [r.__dict__ for r in results]
    assert [[p.__dict__ for p in r.problems] for r in back] == [[p.__dict__ for p in r.problems] for r in results]
    assert back[0].problems[0].path == "/rows/2" and back[3].problems[1].path == "/rows/5/Delivery Type"


@pytest.mark.process
def test_a_large_upload_answers_and_stages_as_one_process_would(tmp_path, monkeypatch):
    """Rows prepared for staging while the rest are validated (service/bulk/staging.py): the same
    answer and the same staged records as validating every row first in this process."""
    from bulk_upload import ORG, sheet
    from service.bulk.upload import upload
    from service.bulk.workflow import BulkWorkflow
    from service.registry.core import Registry
    from service.store import open_store
    from transformer.bulk.records.validation import PARALLEL_ROWS
    from transformer.enrich import Options

    text = sheet(PARALLEL_ROWS + 50).decode("utf-8-sig").splitlines()
    text[7] = text[7].replace("https://", "not-a-url://", 1)      # one bad row
    text.append(text[-1])                                           # one External Identifier twice
    data = "\n".join(text).encode("utf-8")
    answers, staged = [], []
    for workers in ("2", "1"):
        monkeypatch.setenv("CTDL_CHECK_WORKERS", workers)
        store = open_store(tmp_path / workers, None)
        store.set_addresses(ORG, _places())
        workflow = BulkWorkflow(Registry(store, None, "", Options(registry="http://127.0.0.1:8080/")))
        answers.append(upload(workflow, ORG, "course", data))
        staged.append([(r.external_id, r.ctid, r.status, r.request, r.document, r.errors, r.content_digest)
                       for r in store.staged(ORG, "course")])
        store.close()
    assert answers[0] == answers[1] and staged[0] == staged[1]
    assert answers[0]["summary"] == {"created": PARALLEL_ROWS + 48, "updated": 0, "unchanged": 0, "rejected": 3}


@pytest.mark.process
def test_an_upload_stopped_part_way_keeps_the_chunks_staged_and_the_same_file_stages_the_rest(tmp_path, monkeypatch):
    """Each chunk is staged as it comes back from the workers: when the upload stops (here: the third
    chunk cannot be read), the rows of the chunks before it are staged, pending, and uploading the same
    file again stages the rest (the first rows say unchanged)."""
    from bulk_upload import ORG, sheet
    from service.bulk.upload import upload
    from service.bulk.workflow import BulkWorkflow
    from service.registry.core import Registry
    from service.store import open_store
    from transformer.bulk.records import validation
    from transformer.bulk.records.validation import PARALLEL_ROWS
    from transformer.enrich import Options

    monkeypatch.setenv("CTDL_CHECK_WORKERS", "2")
    data = sheet(PARALLEL_ROWS + 50)
    store = open_store(tmp_path, None)
    store.set_addresses(ORG, _places())
    workflow = BulkWorkflow(Registry(store, None, "", Options(registry="http://127.0.0.1:8080/")))
    chunks: list[int] = []
    unpack = validation.unpack_results

    def failing(packed):
        if len(chunks) == 2:
            raise OSError("the connection to a worker was lost")
        out = unpack(packed)
        chunks.append(len(out))
        return out

    monkeypatch.setattr(validation, "unpack_results", failing)
    with pytest.raises(OSError):
        upload(workflow, ORG, "course", data)
    staged = store.staged(ORG, "course")
    assert len(staged) == sum(chunks) > 0 and {r.status for r in staged} == {"pending"}
    assert sorted(r.external_id for r in staged) == [f"C{i:05d}" for i in range(sum(chunks))]
    monkeypatch.setattr(validation, "unpack_results", unpack)
    again = upload(workflow, ORG, "course", data)["summary"]
    assert again == {"created": PARALLEL_ROWS + 50 - sum(chunks), "updated": 0, "unchanged": sum(chunks), "rejected": 0}
    store.close()


@pytest.mark.process
def test_two_uploads_at_once_share_the_pool_and_each_gets_its_own_rows(monkeypatch):
    """A threaded server may validate two large uploads at the same moment: both use the one pool,
    and each gets its own rows back, in its file's order."""
    import threading

    from bulk_upload import ORG, sheet
    from transformer import read_rows
    from transformer.bulk.records import workers
    from transformer.bulk.records.validation import PARALLEL_ROWS, validate_rows

    monkeypatch.setenv("CTDL_CHECK_WORKERS", "2")
    sheets = [read_rows(sheet(PARALLEL_ROWS, seed=seed), "course") for seed in (21, 22)]
    got: dict[int, list] = {}
    pools: set = set()

    def run(i: int) -> None:
        got[i] = validate_rows(sheets[i], ORG, _places(), parallel=True,
                               each=lambda rs: pools.add(id(workers._SHARED.pool)))

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(pools) == 1
    for i in (0, 1):
        assert [r.row for r in got[i]] == [r.number for r in sheets[i].rows]
        serial = validate_rows(sheets[i], ORG, _places())
        assert [r.document for r in got[i]] == [r.document for r in serial]
