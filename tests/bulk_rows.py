"""Rows of a bulk upload as transformer/bulk hands them to service/bulk/workflow.py, for the bulk tests
(workflow, CLI, HTTP): (external_id, request, document, report, deferred)."""
from __future__ import annotations

import uuid

from transformer.enrich import Options
from transformer.pipeline import format_request
from service.bulk.common import Row

REGISTRY = "http://registry.test/"


def new_ctid() -> str:
    return f"ce-{uuid.uuid4()}"


def organization(ctid: str, name: str = "Riverside Technical College") -> dict:
    return {"Organization": {
        "Type": "ceterms:CredentialOrganization", "Name": name, "CTID": ctid,
        "Description": "A public two-year college offering career and technical programs and certificates.",
        "SubjectWebpage": "https://www.riverside.example.edu/", "AgentType": ["orgType:TwoYear"],
        "AgentSectorType": "agentSector:Public", "Email": ["admissions@riverside.example.edu"]},
        "PublishForOrganizationIdentifier": ctid}


def credential(ctid: str, owner: str, name: str = "Welding Certificate Level One") -> dict:
    return {"Credential": {
        "Type": "ceterms:Certificate", "Name": name, "CTID": ctid,
        "Description": "A certificate for entry-level welders in advanced manufacturing.",
        "SubjectWebpage": "https://www.riverside.example.edu/welding", "CredentialStatusType": "credentialStat:Active",
        "InLanguage": ["en-US"], "OwnedBy": [owner]}}


def learning_opportunity(ctid: str, owner: str, name: str = "Introduction to Welding") -> dict:
    return {"LearningOpportunity": {
        "Type": "ceterms:LearningOpportunityProfile", "Name": name, "CTID": ctid,
        "Description": "A twelve-week course on the basics of welding safety and technique.",
        "SubjectWebpage": "https://www.riverside.example.edu/welding-101", "LifeCycleStatusType": "lifeCycle:Active",
        "InLanguage": ["en-US"], "OwnedBy": [owner], "AvailableOnlineAt": ["https://www.riverside.example.edu/online"]}}


def row(external_id: str, request: dict, kind: str, deferred: bool = False) -> Row:
    outcome = format_request(request, kind, Options(registry=REGISTRY))
    return Row(external_id, request, outcome.document, list(outcome.report.results), deferred)
