"""The template files of the record uploads: the header row, a sample row, an instructions row, as
CSV or XLSX (dropdowns and notes per column)::

    build_template("course", sample=True, instructions=True, fmt="xlsx")  # -> bytes
"""
from __future__ import annotations

from ...errors import InputError
from .model import column_model
from .columns import Column, ColumnModel, instruction_text

# -- cell texts of the template --------------------------------------------------------------------------
_SAMPLES = {
    "TargetCredential": "ce-d271e466-4ebd-4042-a038-597c9ba3184e",
    "TargetCredentialRelationship": "Is Required For",
    "ExternalIdentifier": "abc10012",
    "Description": "An introduction to web page design: layout, typography, accessibility and "
                   "responsive pages, with a portfolio project.",
    "SubjectWebpage": "https://www.example.edu/programs/web-design",
    "InLanguage": "English",
    "AvailableOnlineAt": "https://www.example.edu/programs/web-design/online",
    "AvailabilityListing": "https://www.example.edu/programs/web-design/locations",
    "AvailableAt": "all",
    "Teaches": "ce-76019a27-513b-4fc8-beb7-03ecf60b0a2d",
    "Assesses": "ce-76019a27-513b-4fc8-beb7-03ecf60b0a2d",
    "DeliveryTypeDescription": "Evening classes on campus with weekly online labs.",
    "CreditValue/Value": "3",
    "CreditValue/MaxValue": "4",
    "CreditValue/Description": "Semester credit hours",
    "DateEffective": "2024-09-01",
    "Keyword": "web design|HTML|accessibility",
    "OccupationType": "15-1255.00",
    "IndustryType": "611310",
    "CodedNotation": "WEB 101",
    "IsNonCredit": "FALSE",
    "AssessmentExampleDescription": "Build an accessible two-page site from a written brief in three hours.",
    "AssessmentExample": "https://www.example.edu/assessments/web-design/sample",
}
# a cost manifest's sample row: a manifest's first row with its first cost (shared keys such as
# Description mean the manifest's own here)
_KIND_SAMPLES = {"costmanifest": {
    "ExternalIdentifier": "abc-tuition-2025", "Name": "Tuition and Fees 2025-2026",
    "Description": "Tuition and fees of the 2025-2026 academic year.", "CostDetails": "https://www.example.edu/tuition",
    "StartDate": "2025-08-15", "EndDate": "2026-08-14",
    "EstimatedCost/Description": "Tuition per credit hour for residents of the college's district.",
    "EstimatedCost/Name": "In-District Tuition", "EstimatedCost/DirectCostType": "Tuition",
    "EstimatedCost/Price": "150", "EstimatedCost/Currency": "USD", "EstimatedCost/PaymentPattern": "per credit hour",
    "EstimatedCost/AudienceType": "Resident", "EstimatedCost/ResidencyType": "Local"}}
_SAMPLE_NAMES = {"learningopportunity": "Web Design Certificate Program", "learningprogram": "Web Design Program",
                 "course": "Introduction to Web Design", "credential": "Web Design Certificate",
                 "assessment": "Web Design Practical Exam"}
_SAMPLE_TERMS = {"DeliveryType": "BlendedDelivery", "LearningMethodType": "Lecture", "LifeCycleStatusType": "Active",
                 "CredentialStatusType": "Active", "AudienceLevelType": "BeginnerLevel",
                 "CreditValue/CreditUnitType": "SemesterHour", "AssessmentMethodType": "Exam",
                 "CredentialType": "Certificate", "LearningOpportunityClassType": "LearningOpportunity"}


def sample_value(column: Column, kind: str = "") -> str:
    """The cell of the sample row (realistic, and recognised on upload so that it is skipped)."""
    if kind in _KIND_SAMPLES:
        return _KIND_SAMPLES[kind].get(column.key, "")
    if column.input_key == "Name":
        return _SAMPLE_NAMES.get(kind, "Web Design Certificate Program")
    if column.key in _SAMPLES:
        return _SAMPLES[column.key]
    if column.vocabulary:
        want = _SAMPLE_TERMS.get(column.key)
        if kind in ("course", "learningprogram") and column.key == "LearningOpportunityClassType":
            want = None
        term = next((t for t in column.vocabulary if t.code == want), column.vocabulary[0])
        return term.label
    return ""


# -- build_template --------------------------------------------------------------------------------------
def template_rows(kind: str, properties=None, sample: bool = False, instructions: bool = False,
                  credentials=None, rules=None) -> tuple[list[Column], list[list[str]]]:
    """(columns, rows: header first) of a template; the columns of ``rules`` (default: the project's)."""
    model = column_model(kind, rules)
    columns = model.select(properties)
    rows = [[c.header for c in columns]]
    if instructions:
        rows.append([instruction_text(c) for c in columns])
    if sample:
        rows.append([sample_value(c, model.type) for c in columns])
    if credentials:
        target = next((i for i, c in enumerate(columns) if c.kind == "credentials"), None)
        if target is None:
            raise InputError(f"a {model.type} upload has no Target Credentials column; credentials can only "
                             "pre-fill learning opportunity and assessment templates",
                             code="bulk.no-target-credentials")
        for cred in credentials:
            cred = str(cred).strip()
            if cred:
                row = [""] * len(columns)
                row[target] = cred
                rows.append(row)
    return columns, rows


def build_template(kind: str, properties=None, sample: bool = False, instructions: bool = False,
                   credentials=None, fmt: str = "csv", rules=None) -> bytes:
    """The template spreadsheet of an upload type: a header row of the selected columns (Required ones
    always), then an instructions row, a sample row and one row per pre-selected credential, as
    asked.  ``fmt`` "csv" (UTF-8 with BOM, formula-safe) or "xlsx" (frozen header, a dropdown for
    every vocabulary column, each column's instructions as a note, every cell text)."""
    from ..sheets import workbook as spreadsheet

    columns, rows = template_rows(kind, properties, sample, instructions, credentials, rules)
    fmt = (fmt or "csv").lower().lstrip(".")
    if fmt == "csv":
        return spreadsheet.write_csv(rows)
    if fmt == "xlsx":
        model = column_model(kind, rules)
        specs = [spreadsheet.SheetColumn(c.header, note=instruction_text(c) if c.required else
                                         f"{c.group_label}. {instruction_text(c)}",
                                         choices=tuple(c.labels), multiple=c.multiple, required=c.required)
                 for c in columns]
        return spreadsheet.write_xlsx(_sheet_title(model), specs, rows[1:])
    raise InputError(f'unknown template format "{fmt}"; use csv or xlsx', code="bulk.unknown-format")


def _sheet_title(model: ColumnModel) -> str:
    return {"learningopportunity": "Learning Opportunities", "learningprogram": "Learning Programs",
            "course": "Courses", "credential": "Credentials", "assessment": "Assessments",
            "costmanifest": "Cost Manifests"}.get(model.type, "Data")
