"""Uploaded spreadsheet files -> tables, and tables -> safe CSV / XLSX files.

``workbook.read_table(data)`` is the one entry for an uploaded file (XLSX by its signature, else CSV
in any encoding real exports have: ``csvfile``); ``workbook.write_csv`` / ``write_xlsx`` write
templates and exports (formula-like cells escaped, and unescaped on reading)."""
