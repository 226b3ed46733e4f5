"""ctdl-assistant transformer: simple JSON -> CTDL RDF -> SHACL validation -> CTDL JSON-LD.

A library with no web framework in it: lift, enrich, validate, frame, report; spreadsheets in
``bulk``.  This module is its public face: ``service/`` (and any program using the library)
imports from here only, so the modules behind it can move without breaking them::

    from transformer import format_request, validate_document, Options

Each name is loaded on first use (``__getattr__``), so importing the face costs nothing and a
command loads only what it needs.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> (module, name in it)
_FACE = {
    # the pipeline: Registry Assistant JSON -> CTDL, any CTDL document -> report
    "format_request": ("pipeline", "format_request"),
    "validate_document": ("pipeline", "validate_document"),
    "Outcome": ("pipeline", "Outcome"),
    "endpoint_names": ("pipeline", "endpoint_names"),
    "wrappers": ("pipeline", "wrappers"),
    # requests that publish several resources (lists, composites)
    "plan_request": ("requests", "plan_request"),
    "with_collected": ("requests", "with_collected"),
    "RequestItem": ("requests", "Item"),
    "graph_input": ("requests", "graph_input"),
    "with_status": ("status", "with_status"),
    "Options": ("enrich", "Options"),
    "DEFAULT_REGISTRY": ("enrich", "DEFAULT_REGISTRY"),
    "SANDBOX_REGISTRY": ("enrich", "SANDBOX_REGISTRY"),
    # results and errors
    "Report": ("report", "Report"),
    "Result": ("report", "Result"),
    "VIOLATION": ("report", "VIOLATION"),
    "WARNING": ("report", "WARNING"),
    "INFO": ("report", "INFO"),
    "with_fix": ("report", "with_fix"),
    "CtdlError": ("errors", "CtdlError"),
    "InputError": ("errors", "InputError"),
    "ConfigurationError": ("errors", "ConfigurationError"),
    "ShapesError": ("errors", "ShapesError"),
    "Forbidden": ("errors", "Forbidden"),
    "NotFound": ("errors", "NotFound"),
    "OwnershipConflict": ("errors", "OwnershipConflict"),
    "AlreadyPublished": ("errors", "AlreadyPublished"),
    "Unauthenticated": ("errors", "Unauthenticated"),
    "UnknownType": ("errors", "UnknownType"),
    "Unreadable": ("errors", "Unreadable"),
    "WrongShape": ("errors", "WrongShape"),
    # reading input: bytes, files, folders
    "MAX_INPUT_BYTES": ("parse", "MAX_INPUT_BYTES"),
    "parse_json": ("parse", "parse_json"),
    "require_object": ("parse", "require_object"),
    "check": ("documents", "check"),
    "check_files": ("documents", "check_files"),
    "files": ("documents", "files"),
    "summary": ("summary", None),
    # identifiers and pointers
    "CTID_RE": ("ids", "CTID_RE"),
    "UUID_RE": ("ids", "UUID_RE"),
    "CTID_IN_REGISTRY_IRI": ("ids", "CTID_IN_REGISTRY_IRI"),
    "CTID_IN_RESOURCE_IRI": ("ids", "CTID_IN_RESOURCE_IRI"),
    "derive_ctid": ("ids", "derive_ctid"),
    "pointer_join": ("pointer", "pointer_join"),
    # bulk upload: spreadsheets and competency frameworks
    "import_framework": ("bulk.frameworks.importer", "import_framework"),
    "read_rows": ("bulk.records.sheet", "read_rows"),
    "validate_rows": ("bulk.records.validation", "validate_rows"),
    "start_workers": ("bulk.records.validation", "start_workers"),
    "cycle_collector_paused": ("bulk.records.workers", "cycle_collector_paused"),
    "validate_manifests": ("bulk.records.costmanifests", "validate_manifests"),
    "SheetColumn": ("bulk.sheets.workbook", "SheetColumn"),
    "write_csv": ("bulk.sheets.workbook", "write_csv"),
    "write_xlsx": ("bulk.sheets.workbook", "write_xlsx"),
    "build_template": ("bulk.records.template", "build_template"),
    "column_model": ("bulk.records.model", "column_model"),
    "instruction_text": ("bulk.records.columns", "instruction_text"),
    "normalize_type": ("bulk.records.columns", "normalize_type"),
    "type_key": ("bulk.records.columns", "type_key"),
    "TEMPLATE_TYPES": ("bulk.records.columns", "TYPES"),
    "framework_template": ("bulk.frameworks.template", "framework_template"),
    "FRAMEWORK_LAYOUTS": ("bulk.frameworks.template", "LAYOUTS"),
    # the rules and the data behind them
    "ctdl_context": ("context", "ctdl_context"),
    "schema_index": ("vocab", "schema_index"),
    "data_dir": ("resources", "data_dir"),
    "get_engine": ("shacl", "get_engine"),
    "RuleSet": ("ruleset", "RuleSet"),
    # tools for the people who maintain the shapes
    "check_shapes": ("shapes_tools.check", "check_shapes"),
    "write_docs": ("shapes_tools.docs", "write_docs"),
    "examples_dir": ("shapes_tools.examples", "examples_dir"),
    "run_examples": ("shapes_tools.examples", "run_examples"),
    "write_schema_shapes": ("schema_shapes", "write"),
}

__all__ = ["__version__", *_FACE]


def __getattr__(name: str):
    spec = _FACE.get(name)
    if spec is None:
        raise AttributeError(f"module 'transformer' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{spec[0]}")
    value = module if spec[1] is None else getattr(module, spec[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
