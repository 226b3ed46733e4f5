"""Bulk upload: spreadsheets -> CTDL.

* ``sheets/``: reading an uploaded file (CSV in any encoding real exports have, XLSX) into a table,
  and writing CSV / XLSX safely (``workbook.read_table`` is the one entry for an upload);
* ``records/``: credentials, assessments, learning opportunities, organizations... one record per
  row: columns from the shapes, templates, rows -> Registry Assistant requests -> validated; cost
  manifests (``records/costmanifests.py``): the rows of one External Identifier -> one manifest;
* ``frameworks/``: a competency framework per file (the template or the CaSS CSV) -> one
  CTDL-ASN ``@graph`` (``importer``, with ``items``, ``link``, ``ctids``, ``checks``, ``template``).
"""
from .frameworks.importer import FrameworkImport, Importer, RowReport, import_framework
from .sheets.csvfile import EmptyFile, NotCSV, UnknownFormat

__all__ = ["import_framework", "FrameworkImport", "RowReport", "Importer", "EmptyFile", "NotCSV", "UnknownFormat"]
