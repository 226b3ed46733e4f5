"""ctdl-assistant transformer: simple JSON -> CTDL RDF -> SHACL validation -> CTDL JSON-LD.

A library with no web framework in it: lift, enrich, validate, frame, report.
"""
__version__ = "0.1.0"
