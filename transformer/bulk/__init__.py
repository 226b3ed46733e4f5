"""Bulk upload: spreadsheets (CSV) -> CTDL.  See ``competencies.py`` for competency frameworks."""
from .competencies import FrameworkImport, Importer, RowReport, import_framework
from .csvread import EmptyFile, NotCSV, UnknownFormat

__all__ = ["import_framework", "FrameworkImport", "RowReport", "Importer", "EmptyFile", "NotCSV", "UnknownFormat"]
