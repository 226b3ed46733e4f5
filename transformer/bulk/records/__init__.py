"""Record uploads (credentials, assessments, learning opportunities, organizations...): spreadsheet ->
one Registry Assistant request per row -> validated, every result on a cell.

    sheet = read_rows(data, "course")                       # sheet.py: CSV (UTF-8, BOM, Windows-1252) or XLSX
    request, problems = row_request(sheet.rows[0], sheet.model, org_ctid, addresses)   # request.py
    result = validate_row(sheet.rows[0], sheet.model, org_ctid, addresses)            # validation.py
    results = validate_rows(sheet, org_ctid, addresses)     # + duplicate External Identifiers

Rows are numbered as the spreadsheet shows them (header = row 1).  Every problem says row, column
header (as written in the file; "" for a problem about the whole row), value, message, code and
severity; as a :class:`Result` its path is ``/rows/<row>/<column>``.

Cell rules (the Publisher's bulk upload): ``|`` separates the values of a multi-valued cell;
vocabulary values by label or code (passed through: the pipeline resolves them and names the closest
term when one is unknown); Target Credentials blank or ``#DEFER`` = deferred (the row can be
uploaded, not published until it is connected to a credential); Available At (and Available At
Codes) ``all`` or ``|``-separated address identifiers of the organization; Owned By / Offered By
default to the organization; Language names (English) or codes, English when blank; External
Identifier required, at most 50 characters (shapes/bulk.ttl).  A row without a CTID gets one
derived from the organization and the External Identifier, so uploading the file again updates
the same records.

Cost manifests (``costmanifests.py``, ``validate_manifests(sheet, org_ctid)``): the rows with the same
External Identifier are one manifest, one cost profile per row, validated as one request.

The columns come from the shapes (``columns.py``: the model of a column; ``shapes.py``: what the
shapes say of them; ``model.py``: the columns of each upload type); ``template.py`` writes the
template files.
"""
