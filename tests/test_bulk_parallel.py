"""Large uploads are validated by worker processes (transformer/bulk/records/validation.py,
``parallel=True``): the same results as in one process, in the file's order, duplicates said."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


@pytest.mark.process
def test_workers_give_what_one_process_gives(monkeypatch):
    from bulk_upload import ORG, sheet
    from transformer import read_rows
    from transformer.bulk.records.validation import PARALLEL_ROWS, validate_rows

    data = sheet(PARALLEL_ROWS + 200)
    text = data.decode("utf-8-sig").splitlines()
    text[5] = text[5].replace("https://", "not-a-url://", 1)          # one bad row
    text.append(text[-1])                                               # one duplicate External Identifier
    rows = read_rows("\n".join(text).encode("utf-8"), "course")
    monkeypatch.setenv("CTDL_CHECK_WORKERS", "2")
    places = {k: {"Name": k.title(), "Address1": "1 College Ave", "City": "Riverside", "AddressRegion": "CA",
                  "PostalCode": "92501", "Country": "US"} for k in ("main", "north", "west")}
    parallel = validate_rows(rows, ORG, places, parallel=True)
    serial = validate_rows(rows, ORG, places)
    assert [r.row for r in parallel] == [r.row for r in serial] == [r.number for r in rows.rows]
    assert [sorted((p.column, p.code, p.severity) for p in r.problems) for r in parallel] == \
           [sorted((p.column, p.code, p.severity) for p in r.problems) for r in serial]
    assert [r.document for r in parallel] == [r.document for r in serial]
    assert sum(not r.conforms for r in parallel) == 3     # the bad row and the two rows sharing an identifier
