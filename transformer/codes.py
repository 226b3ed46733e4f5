"""Every code a result or an error carries, with what it means: the one catalogue.

Two kinds, told apart by their form:

* **result codes** (``required``, ``unknown-term``...): one finding in a report, at a JSON pointer
  (or ``/rows/N/Column`` of a spreadsheet), with a severity; a report may hold many.
* **error codes** (``input.too-large``, ``auth.required``...: an area, a dot, what happened): the
  request or command as a whole could not be done; one per answer, with its HTTP status.

``tests/test_codes.py`` checks that every code the sources (and the shapes' ``ctdlsh:code``) use
is here, and that ``docs/CODES.md``, generated from this catalogue (``ctdl shapes docs``), is up
to date.  Add a code here when you add it to the code.
"""
from __future__ import annotations

RESULTS: dict[str, str] = {
    # -- what the shapes say (transformer/validate.py CODES, shapes' ctdlsh:code) -------------------
    "required": "A property the registry requires is missing.",
    "recommended": "A property of the Credential Engine benchmark (data quality) is missing; a warning.",
    "required-one-of": "None of several alternatives is given where at least one is required (Owned By or Offered By...).",
    "too-many-values": "More values than the property allows (one name, one CTID...).",
    "wrong-datatype": "A value is not of the property's data type (a date, a number, a boolean...).",
    "not-a-url": "A value must be an absolute http(s) URL or a registry IRI and is not.",
    "invalid-format": "A value does not have the form the property needs (pattern: CTID, currency, duration...).",
    "unknown-term": "A value is not a term of the property's concept scheme; the message names the close ones.",
    "wrong-class": "A value or a node is of a class the property does not take; for a mistyped resource, one result on its @type.",
    "wrong-range": "A value is of the wrong kind for the property's range in the schema (text where a resource belongs...).",
    "domain": "A property is used on a class that does not have it in CTDL (a warning from the schema layer).",
    "out-of-range": "A number or date is outside the allowed range.",
    "too-short": "A text is shorter than allowed (a description of a few characters...).",
    "too-long": "A text is longer than allowed.",
    "invalid-language": "A language tag or code is not BCP 47 (en, en-US, fr-CA...).",
    "min-greater-than-max": "A minimum is larger than its maximum (duration, credit, cost ranges).",
    "invalid": "Any other constraint of a shape is broken; the message says which.",
    # -- reading a CTDL document (transformer/structure.py, lift, pipeline) --------------------------
    "unknown-class": "A @type that is not a CTDL or CTDL-ASN class; consumers skip the node.",
    "unknown-property": "A key that is not a CTDL or CTDL-ASN property (or, in a request, a Registry Assistant key); the data would be lost.",
    "unknown-type": "A Type the Registry Assistant does not know, or a row whose type is not one of the upload's.",
    "wrong-type": "A value of the wrong JSON type (a list where text belongs, an object where a URL belongs...).",
    "deprecated": "A term CTDL replaced; the message names the replacement.",
    "legacy-form": "A form the registry still serves but CTDL replaced (a language name, an ASN IRI, a 2017 framework name...); read as the current form.",
    "http-iri": "CTDL IRIs written with http://; they were read as https://.",
    "language-map": "Language maps written inside arrays (old registry data); read as one map.",
    "ctid-case": "A CTID with upper-case letters; CTIDs are lower case.",
    "ctid-mismatch": "A node's @id ends with one CTID and its ceterms:ctid says another.",
    "unresolved-blank-node": "A reference to a blank node no node of the document defines.",
    "inverse-one-way": "A link stated one way only (hasPart without isPartOf); a warning.",
    "main-not-first": "The @graph's main resource is not @graph[0].",
    "other-framework": "A competency in the document of one framework says it is part of another (or of none).",
    "missing-context": "A CTDL document without @context; it was read with the CTDL context.",
    "nothing-to-check": "The document holds no node with a CTDL @type, so nothing could be checked.",
    # -- formatting a request (transformer/enrich.py, values.py, pipeline) ---------------------------
    "defaulted": "A value the request did not give was set to the Registry Assistant's default (CredentialStatusType Active...).",
    "value-assumed": "A value was read as what it most likely means (a URL without https://, a date in another form).",
    "invalid-code": "An occupation, industry or program code that is not a SOC / NAICS / CIP code.",
    "invalid-ctid": "A CTID that is not ce- followed by a UUID.",
    "invalid-reference": "A reference that is neither a CTID, a registry URL nor a reference object.",
    "ctid-ignored": "A CTID given to an object published embedded (a Process Profile...), where the registry does not use it.",
    "reference-details-ignored": "A reference given by its CTID with other data; the data of the record it names is used.",
    "superseded-key": "An older name of a Registry Assistant key; it was read as the current one.",
    "not-published": "An input key with no CTDL property, so it cannot be published.",
    "reference-not-found": "A CTID the record refers to that this registry does not hold (an error with --strict-references).",
    "invalid-character": "Text with characters a registry document may not hold (control characters).",
    # -- spreadsheets and competency frameworks (transformer/bulk/) -----------------------------------
    "unknown-column": "A column the upload type does not have; the message names the close ones.",
    "missing-column": "A column a required property needs is not in the file.",
    "duplicate-column": "Two columns with the same header; the first is read.",
    "ragged-row": "A row with more or fewer cells than the header; read as far as it goes.",
    "encoding": "The file was read in another encoding than UTF-8 (UTF-16, Windows-1252); a note.",
    "header-row": "The header is not the sheet's first row; the rows above it were skipped.",
    "instructions-row": "The template's instructions row was found and skipped.",
    "sample-row": "The template's sample row was found and skipped (delete it before uploading).",
    "comment-row": "A row marked as a comment (#SAMPLE, #INSTRUCTIONS) was skipped.",
    "duplicate-external-identifier": "Two rows with the same External Identifier (the same identifier updates the same record).",
    "manifest-disagreement": "A cost manifest's own column (Name, Description...) repeated on another of its rows with another value; a manifest has one.",
    "unknown-credential": "A Target Credential the organization has not published (nor staged).",
    "unknown-address": "An address identifier the organization has not published (Available At...).",
    "unknown-framework": "A Teaches Competency Framework cell naming a CTID that is no competency framework of this registry.",
    "unknown-manifest": "A cost or condition manifest the organization has not published (Common Costs, Common Conditions).",
    "deferred": "A row that can be uploaded but not published yet (no Target Credential); a note.",
    "date-read": "A date written N/N/YYYY was read as YYYY-MM-DD, the only reading that is a date; a warning naming the order assumed.",
    "ambiguous-date": "A date written N/N/YYYY that could be two dates (03/04/2025: 4 March or 3 April); not read: write YYYY-MM-DD.",
    "formula": "A cell holds a formula; its text is read, never its result.",
    "derived-ctid": "A CTID derived for a new row from the organization and its External Identifier (or the framework).",
    "duplicate-ctid": "Two rows with the same CTID.",
    "duplicate-id": "Two rows with the same @id.",
    "duplicate-coded-notation": "Two competencies of one framework with the same coded notation.",
    "no-framework": "A competency file with no framework row, or a competency naming no framework.",
    "multiple-frameworks": "More than one framework in one file; upload one framework per file.",
    "missing-type": "A row with no @type; it was read from its columns.",
    "read-as": "A cell was read as another column's value (a competency without a name takes its text...).",
    "ignored-value": "A cell's value was not used (the message says why).",
    "conflicting-value": "Two cells give one property two different values; the first is kept.",
    "parent-not-found": "A competency's parent is not a competency of the file.",
    "ambiguous-parent": "A competency's parent could be several competencies of the file.",
    "orphan": "A competency neither at the top of the framework nor under another.",
    "cycle": "Competencies that are each other's parents.",
}

ERRORS: dict[str, str] = {
    "error": "Any error without a code of its own.",
    "internal": "A bug on our side; the answer carries a reference to find it in the server's log (HTTP 500).",
    "input.invalid": "The input cannot be used (the message says why).",
    "input.not-json": "The input is not JSON.",
    "input.non-strict-json": "JSON with comments or trailing commas; read anyway (a warning).",
    "input.encoding": "The input is not in an encoding we can read.",
    "input.encoding-cp1252": "The input was read as Windows-1252 (a warning naming the first byte that is not UTF-8).",
    "input.too-large": "The input is larger than allowed (HTTP 413).",
    "input.too-deep": "The JSON is nested too deeply.",
    "input.limit-exceeded": "An upload over a limit: rows, columns, cell length, uncompressed size (HTTP 413).",
    "input.wrong-shape": "The JSON is not of the expected shape (an object where a list is needed...).",
    "input.unknown-type": "An unknown request type (endpoint name) or upload type.",
    "input.unreadable": "A file that cannot be read.",
    "input.context-not-allowed": "A JSON-LD @context we do not serve locally (we never fetch one).",
    "input.empty": "An empty spreadsheet.",
    "input.not-csv": "A file that is neither CSV nor a spreadsheet.",
    "bulk.not-discardable": "A staged record that cannot be discarded: approved, or in the registry (delete it there).",
    "bulk.changed": "A staged record that changed while the request was handled; look again and retry.",
    "input.unknown-column": "A spreadsheet with values in a column its upload type has no place for: refused whole, naming the column and the closest template column.",
    "input.not-spreadsheet": "A file that says it is XLSX but is not one.",
    "input.unknown-format": "A competency file whose header is neither the template nor the CaSS CSV.",
    "input.invalid-ctid": "A CTID argument or parameter that is not ce- followed by a UUID.",
    "input.invalid-parameter": "A query parameter that cannot be used (the message names it).",
    "input.invalid-status": "A status filter that is not one of the staged-record statuses.",
    "input.ambiguous": "More than one record matches; say which one (the message names the parameter).",
    "input.query-too-long": "A search query longer than allowed.",
    "input.missing-key": "ctdl publish --url without an API key (--key or $CTDL_API_KEY).",
    "input.missing-organization": "A request with no PublishForOrganizationIdentifier where the command needs one (or --org).",
    "input.item-skipped": "An item of a list request that was not published: it is not an object, or the request says to skip it after another failed.",
    "input.unreachable": "ctdl publish --url: the registry could not be reached, or did not answer with JSON.",
    "auth.required": "No valid API key (HTTP 401).",
    "auth.forbidden": "The key may not do this for that organization (HTTP 403).",
    "registry.not-found": "No such record, envelope or key in the registry (HTTP 404).",
    "registry.already-published": "A provisional record for a resource already published: publish the full description instead (HTTP 409).",
    "registry.ownership-conflict": "A CTID another organization owns (HTTP 409).",
    "envelope.signature": "An envelope whose signature does not verify.",
    "config.invalid": "Our own data (shapes, contexts, vocabularies) is broken; a maintainer must fix it.",
    "config.shapes": "A shapes file that cannot be loaded or compiled; the message names the file and line.",
    "config.signing-key": "The registry's signing key file cannot be read or is broken; it is never replaced automatically.",
    "keys.not-found": "No such API key or authorization.",
    "cli.no-registry": "A command found no registry (no --data, no CTDL_DATA, no ctdl-data here or above) and will not start an empty one.",
    "bulk.refused": "A bulk action that cannot be done on these staged records (the message says why).",
    "bulk.rejected": "A staged record that was rejected cannot be approved or published; fix its errors and upload it again.",
    "bulk.deferred": "A staged record without a Target Credential (#DEFER) cannot be published until it has one.",
    "bulk.ambiguous-id": "An identifier that names more than one staged record (an External Identifier used for two types); use the CTID.",
    "bulk.external-id-required": "A row without an External Identifier.",
    "bulk.external-id-too-long": "An External Identifier longer than 50 characters.",
    "bulk.duplicate-external-id": "Two rows of one upload with the same External Identifier.",
    "bulk.wrong-organization": "A row that publishes for another organization than the upload's.",
    "bulk.ctid-changed": "A row giving another CTID than the one its External Identifier was published with (a record keeps its CTID).",
    "bulk.ctid-taken": "A CTID already used by another staged record.",
    "bulk.type-mismatch": "A CTID that is another type of record in this registry than the row's.",
    "org.invalid-place": "An organization address that is not an object with at least one property.",
    "bulk.not-found": "No staged record or framework by that identifier.",
    "bulk.organization-not-published": "Records cannot be published before their organization is.",
    "bulk.unknown-column": "Optional columns asked for a template that the type does not have.",
    "bulk.unknown-format": "An unknown competency-template layout.",
    "bulk.no-target-credentials": "A template pre-filled for credentials when none was given.",
    "http.not-found": "No such route (HTTP 404).",
    "http.method-not-allowed": "A route that does not take this method (HTTP 405, with Allow).",
    "server.stopping": "The server is stopping; send the request again (HTTP 503).",
}

CODES: dict[str, str] = {**RESULTS, **ERRORS}


def markdown() -> str:
    """docs/CODES.md: every code with what it means."""
    lines = ["# Result and error codes", "",
             "Generated from `transformer/codes.py` by `ctdl shapes docs`; do not edit by hand.", "",
             "**Result codes** are findings in a report, each at a JSON pointer (or `/rows/N/Column` of a "
             "spreadsheet) with a severity. **Error codes** (`area.what`) mean the request or command as a "
             "whole could not be done; other HTTP errors are `http.<status>`.", "",
             "## Result codes", "", "| code | meaning |", "|---|---|"]
    lines += [f"| `{c}` | {d} |" for c, d in RESULTS.items()]
    lines += ["", "## Error codes", "", "| code | meaning |", "|---|---|"]
    lines += [f"| `{c}` | {d} |" for c, d in ERRORS.items()]
    return "\n".join(lines) + "\n"


__all__ = ["CODES", "RESULTS", "ERRORS", "markdown"]


if __name__ == "__main__":      # python -m transformer.codes > docs/CODES.md
    print(markdown(), end="")
