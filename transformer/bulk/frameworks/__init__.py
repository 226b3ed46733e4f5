"""Competency frameworks: one framework per file (the template or the CaSS CTDL-ASN CSV) -> one
CTDL-ASN ``@graph`` (``importer.import_framework``): ``items`` (rows read), ``link`` (hierarchy),
``ctids`` (kept or derived), ``checks`` (orphans, cycles, duplicates), ``columns`` (the two
layouts), ``template`` (the template file)."""
