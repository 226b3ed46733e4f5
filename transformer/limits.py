"""What one uploaded spreadsheet may hold, so that a small upload cannot exhaust the server.

Each limit is written once, here: its name, its default and its help.  The readers
(:func:`transformer.bulk.sheets.workbook.read_table`, :func:`transformer.bulk.sheets.csvfile.read_table`)
take a :class:`Limits` (``DEFAULT_LIMITS`` unless told otherwise), stop reading as soon as one is
passed and raise :class:`transformer.errors.LimitExceeded` naming it (``limit`` is the field name).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Limits of one uploaded spreadsheet (CSV or XLSX)."""

    max_rows: int = field(default=50_000, metadata={"help": "data rows per uploaded file"})
    max_columns: int = field(default=1_000, metadata={"help": "columns per row (header included)"})
    max_cell_chars: int = field(default=32_767, metadata={
        "help": "characters in one cell (Excel's own limit per cell, so no real spreadsheet exceeds it)"})
    # openpyxl parses a workbook's XML at about 1.5 MB/s on this project's 2-core machines (shared
    # strings, measured): 64 MB bounds the work of one upload to well under a minute, and holds an
    # 8 MB upload of real text (which inflates 5 to 8 times)
    max_unzipped_bytes: int = field(default=64 * 1024 * 1024, metadata={
        "help": "total declared uncompressed size of the entries of an XLSX (a ZIP); no part may inflate "
                "more than 100 times"})


DEFAULT_LIMITS = Limits()
