"""Input-model coverage: every key real clients send to the Registry Assistant, formatted.

``tests/data/assistant-input-model.csv`` lists every class and JSON key of the Registry
Assistant's input model.  This module takes every class a request can send (a class has its base
classes' keys too) and, for each (class, key), checks what the tool makes of it.  The classes:

* the resource of every request type and every member list of one (``contexts/assistant-wrappers.json``:
  each wrapper's ``class``, each member's ``class``; ``TOPS`` says which request each is tested in:
  its own wrapper, else the first member list that holds it, ``{"ConceptScheme": {...}, "Concepts":
  [{...}]}``), Organization, Credential, Assessment and LearningOpportunity (the classes of the
  fidelity issue) first;
* every class those hold, through the type of their keys (``List<X>``), reached through the
  shortest path of nested objects from the first top class that holds it (a class the first four
  hold keeps that route: ``DataSetProfile`` and ``ProcessProfile`` are tested where a credential
  holds them, and as requests of their own among the other routes, ``check_all_routes``);
* apart (``reference_keys``, ``check_reference_objects``): Observation and Dimension, which only come
  as ReferenceObjects items a DataSetProfile lists (``REFERENCE_OBJECTS``).

For each (class, key) it

* works out the CTDL property the key must be published as (``expected_property``), on its
  own, not from the input context under test: the table's ``ctdl_property`` where it names a
  CTDL term (only 213 rows do: the term the Registry Assistant binds the key to), else the
  documented mapping of ``MAPPED`` below (``Address1`` -> ``ceterms:streetAddress``, ``Type`` ->
  ``@type``, alignment ``Name`` -> ``ceterms:targetNodeName``), else the key's own name as a CTDL
  property, preferring one whose domain has the class (``AudienceType`` -> ``ceterms:audienceType``,
  any case: ``IpedsId`` -> ``ceterms:ipedsID``; ``PrefLabel`` of a concept -> ``skos:prefLabel``;
  the table's ``ceterms:rights``, not a CTDL term, -> ``ceasn:rights``); keys with none of these are
  helpers (``@id``) or have no CTDL property;
* builds a minimal valid request (``MINIMAL``: for the other request types, the Registry Assistant's
  samples, tests/data/assistant-samples, cut down to what formats without a violation) with a
  plausible value of the key's type at that key, reached from the top resource through the shortest
  path of nested objects (``Credential.Requires[0].TargetLearningOpportunity[0].Teaches[0].TargetNodeName``;
  a member's key at ``/Concepts/0/PrefLabel``, beside its minimal parent);
* formats it (``transformer.pipeline.format_request``) and compares the output with the same
  request without the key (``check``): the facts of the main resource (``@graph[0]``), or of the
  member (found in the ``@graph`` by its CTID, else by its type), and of what they hold.

Statuses (``KeyResult.status``):

``emitted``            the expected property appears (or changes) at the node the key is on
``warned-and-emitted`` the same, with a warning at the key
``refused``            a violation at the key (its message says why); nothing else is wrong
``ignored``            nothing published, a warning at the key says it was ignored
``consumed``           nothing published, nothing said (right only for a documented helper)
``lost``               the key has a CTDL property, nothing was published, nothing was said
``wrong-property``     the expected property did not change, others did (``KeyResult.changed``)
``wrong-node``         the expected property changed, but on another node than the key's
``internal``           a ``urn:ctdl-assistant:`` string is in the output
``crash``              format_request raised

``KeyResult.domain`` also records the schema layer's warning that the class does not have the
property in CTDL (the tool publishes it and warns at the Type), and ``KeyResult.alike`` the property
named alike that CTDL does give the class (a Rubric's ``ceterms:name`` key, the Registry Assistant's
JSON name of NameLangMap, is published as ceterms:name; CTDL-ASN and the Registry Assistant's output
have ceasn:name).

``row_coverage`` accounts for every one of the model's 2,432 rows a client can send: right or wrong
where a class above has the key, or why the harness cannot send it (a request body's own key, a graph
request, a class nothing holds).  ``bench/input_model_coverage.py`` prints the counts;
``tests/test_input_model.py`` asserts them.
"""
from __future__ import annotations

import copy
import csv
import json
import re
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL_CSV = ROOT / "tests" / "data" / "assistant-input-model.csv"
KNOWN_JSON = ROOT / "tests" / "input_model_refused.json"
WRAPPERS_JSON = ROOT / "contexts" / "assistant-wrappers.json"

INTERNAL = "urn:ctdl-assistant"
RIGHT = ("emitted", "warned-and-emitted")
STATUSES = ("emitted", "warned-and-emitted", "refused", "ignored", "consumed", "lost", "wrong-property",
            "wrong-node", "internal", "crash")

ORG_CTID = "ce-28935e07-76dc-4562-8c43-3ece101686be"
REF_CTID = "ce-5b9e4b1c-3e0f-4c47-9a5e-0c9f3c4e2a11"      # any resource a key refers to
REGISTRY = "https://credentialengineregistry.org/resources/"


# -- the request types (contexts/assistant-wrappers.json): where each top class is sent --------------
@dataclass(frozen=True)
class Top:
    """A class sent as a resource of its own: the wrapper's resource (``member`` None) or an item of
    one of the request's member lists (``{"ConceptScheme": {...}, "Concepts": [{...}]}``)."""
    cls: str
    wrapper: str                     # the request's wrapper key ("ConceptScheme")
    member: str | None = None        # the member list ("Concepts"), None: the wrapper's own resource
    default_type: str | None = None  # the type the request type gives it when it says none
    accepts: tuple[str, ...] = ()    # the CTDL classes it may be
    refers_by: str | None = None     # a ReferenceObjects item: the wrapper's key that lists its blank-node id

    @property
    def label(self) -> str:
        return self.wrapper if self.member is None else f"{self.wrapper}+{self.member}[0]"


# the classes of the fidelity issue, reached first: the classes they hold keep the route they had
FIRST_CLASSES = ("Organization", "Credential", "Assessment", "LearningOpportunity")


@lru_cache(maxsize=1)
def wrapper_specs() -> dict[str, dict]:
    return json.loads(WRAPPERS_JSON.read_text(encoding="utf-8"))["wrappers"]


# classes no key holds, sent as ReferenceObjects (request-level blank nodes) that a resource lists by
# their blank-node id: class -> (wrapper, the wrapper's key that lists them, CTDL class)
REFERENCE_OBJECTS = {"Observation": ("DataSetProfile", "HasObservation", "qdata:Observation"),
                     "Dimension": ("DataSetProfile", "HasDimension", "qdata:Dimension")}
BNODE = {"Observation": "_:0b5e7c1d-2f3a-4b5c-8d6e-7f8091a2b3c4", "Dimension": "_:1c6f8d2e-3a4b-4c5d-9e7f-8091a2b3c4d5"}


def request_entries() -> list[Top]:
    """Every way a class is sent as a resource: each wrapper's class, each member list's class
    (contexts/assistant-wrappers.json), and the ReferenceObjects of REFERENCE_OBJECTS."""
    out = []
    for key, spec in wrapper_specs().items():
        out.append(Top(spec["class"], key, None, spec.get("default_type"), tuple(spec.get("accepts", ()))))
    for key, spec in wrapper_specs().items():
        for mkey, m in spec.get("members", {}).items():
            if m.get("class"):
                out.append(Top(m["class"], key, mkey, m.get("default_type"), tuple(m.get("accepts", ()))))
    for cls, (wrapper, listed_by, ctdl) in REFERENCE_OBJECTS.items():
        out.append(Top(cls, wrapper, "ReferenceObjects", ctdl, (ctdl,), listed_by))
    return out


def _tops() -> dict[str, Top]:
    """class -> the request it is tested in: its own wrapper (the one named like it: LearningOpportunity,
    not LearningProgram), else the first member list that holds it (Concept: ConceptScheme's Concepts)."""
    tops: dict[str, Top] = {}
    entries = request_entries()
    for e in sorted(entries, key=lambda e: (e.cls not in FIRST_CLASSES, e.member is not None,
                                            e.wrapper != e.cls, entries.index(e))):
        tops.setdefault(e.cls, e)
    return tops


TOPS: dict[str, Top] = _tops()
TOP_CLASSES = tuple(TOPS)      # every request type's class, every member class, the ReferenceObjects classes


def _ctid(name: str) -> str:
    import uuid
    return "ce-" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/input-model/" + name))


TOP_CTID = {"Organization": "ce-8d7f6a0e-1c2b-4e5d-9f8a-7b6c5d4e3f21",
            "Credential": "ce-c5abf83d-6ab4-4711-80ad-68b3a560fb71",
            "Assessment": "ce-9db20b92-0787-43b2-83e1-b967d73d5df9",
            "LearningOpportunity": "ce-f8885b28-134d-4188-8c86-063aadff14ea"}
for _c in TOP_CLASSES:
    TOP_CTID.setdefault(_c, _ctid(_c))

# -- what each class is in CTDL (for a Type sample and to choose between same-named properties) --
CTDL_CLASS = {
    "Organization": "ceterms:CredentialOrganization", "OrganizationReference": "ceterms:CredentialOrganization",
    "Credential": "ceterms:Certificate", "Assessment": "ceterms:AssessmentProfile",
    "LearningOpportunity": "ceterms:LearningOpportunityProfile",
    "EntityReference": "ceterms:LearningOpportunityProfile",
    "ConditionProfile": "ceterms:ConditionProfile", "Place": "ceterms:Place", "ContactPoint": "ceterms:ContactPoint",
    "JurisdictionProfile": "ceterms:JurisdictionProfile", "IdentifierValue": "ceterms:IdentifierValue",
    "FrameworkItem": "ceterms:CredentialAlignmentObject",
    "CredentialAlignmentObject": "ceterms:CredentialAlignmentObject", "ProcessProfile": "ceterms:ProcessProfile",
    "CostProfile": "ceterms:CostProfile", "CostProfileItem": "ceterms:CostProfile",
    "DurationProfile": "ceterms:DurationProfile", "FinancialAssistanceProfile": "ceterms:FinancialAssistanceProfile",
    "RevocationProfile": "ceterms:RevocationProfile", "AggregateDataProfile": "ceterms:AggregateDataProfile",
    "ValueProfile": "ceterms:ValueProfile", "QuantitativeValue": "schema:QuantitativeValue",
    "DataSetProfile": "qdata:DataSetProfile", "DataSetTimeFrame": "qdata:DataSetTimeFrame",
    "DataProfile": "qdata:DataProfile", "DataSetDistribution": "qdata:DataSetDistribution",
    "DataSetService": "qdata:DataSetService", "MonetaryAmount": "schema:MonetaryAmount",
    "MonetaryAmountDistribution": "schema:MonetaryAmountDistribution",
    # classes whose request type accepts kinds of a class that the properties' domains do not name
    "PathwayComponent": "ceterms:CourseComponent", "CredentialingAction": "ceterms:AccreditAction",
}
# a Type sample that is not what the tool would assume anyway (else a lost Type would pass)
TYPE_SAMPLE = {"Organization": "ceterms:QACredentialOrganization", "Credential": "ceterms:Certificate",
               "Assessment": "ceterms:AssessmentProfile", "LearningOpportunity": "ceterms:LearningProgram",
               "OrganizationReference": "ceterms:QACredentialOrganization",
               "EntityReference": "ceterms:LearningProgram",
               "PathwayComponent": "ceterms:AssessmentComponent"}


def ctdl_class(cls: str) -> str | None:
    """The CTDL class of an input class: CTDL_CLASS, else its request type's (default) type, else the
    CTDL class named like it (StructuredStatement -> ceterms:StructuredStatement)."""
    if cls in CTDL_CLASS:
        return CTDL_CLASS[cls]
    top = TOPS.get(cls)
    if top is not None and (top.default_type or top.accepts):
        return top.default_type or top.accepts[0]
    for prefix in ("ceterms", "ceasn", "asn", "skos", "qdata"):
        if f"{prefix}:{cls}" in schema_facts()["classes"]:
            return f"{prefix}:{cls}"
    return None

# -- keys whose CTDL property is not their name (and the table does not say it) ------------------
# (class or "*", key) -> (CTDL property, why).  "@type" is the node's type; "@ref" means the key
# makes the object a reference (its property holds the registry URI); "@value" means the object
# is a value of its parent property (a DurationItem is an xsd:duration of ExactDuration).
# the Registry Assistant's model binds these language maps to a term of another namespace (its C# client
# sends them so); CTDL gives the class the property named here (contexts/input-only-properties.json,
# rebound_by_class, moves them)
_REBOUND = {("CompetencyFramework", "ceterms:name"): "ceasn:name",
            ("CompetencyFramework", "ceterms:description"): "ceasn:description",
            ("ProgressionModel", "ceterms:name"): "ceasn:name", ("ProgressionModel", "ceterms:description"): "ceasn:description",
            ("Rubric", "ceterms:name"): "ceasn:name", ("Rubric", "ceterms:description"): "ceasn:description",
            ("RubricCriterion", "ceterms:name"): "ceasn:name",
            ("RubricCriterion", "ceterms:description"): "ceasn:description",
            ("RubricLevel", "ceterms:name"): "ceasn:name", ("RubricLevel", "ceterms:description"): "ceasn:description",
            ("ProgressionLevel", "ceasn:definition"): "skos:definition",
            ("QualificationsFramework", "ceterms:publisherName"): "ceasn:publisherName"}

MAPPED: dict[tuple[str, str], tuple[str, str]] = {
    **{k: (v, "the class's own term, where the Registry Assistant's JSON key names another namespace's")
       for k, v in _REBOUND.items()},
    ("*", "Type"): ("@type", "the node's type"),
    ("*", "@type"): ("@type", "the node's type"),
    ("Credential", "CredentialType"): ("@type", "the credential's class (ceterms:Certificate...)"),
    ("*", "CTID"): ("ceterms:ctid", "the resource's CTID"),
    ("OrganizationReference", "CTID"): ("@ref", "a CTID makes the object a reference to the registry's record"),
    ("EntityReference", "CTID"): ("@ref", "a CTID makes the object a reference to the registry's record"),
    ("OrganizationReference", "Id"): ("@ref", "Id is the URI of the referenced resource"),
    ("OrganizationReference", "@id"): ("@ref", "@id is the URI of the referenced resource"),
    ("EntityReference", "Id"): ("@ref", "Id is the URI of the referenced resource"),
    ("EntityReference", "@id"): ("@ref", "@id is the URI of the referenced resource"),
    ("*", "ONET_Codes"): ("ceterms:occupationType", "O*NET codes are published as occupation alignments"),
    ("*", "CIP_Codes"): ("ceterms:instructionalProgramType", "CIP codes are published as program alignments"),
    ("*", "NaicsList"): ("ceterms:naics", "plain NAICS codes, as the registry publishes Naics"),
    ("*", "AlternativeOccupationType"): ("ceterms:occupationType", "free-text occupation alignment"),
    ("*", "AlternativeOccupationType_Map"): ("ceterms:occupationType", "free-text occupation alignment"),
    ("*", "AlternativeOccupationTypeLangMap"): ("ceterms:occupationType", "free-text occupation alignment"),
    ("*", "AlternativeIndustryType"): ("ceterms:industryType", "free-text industry alignment"),
    ("*", "AlternativeIndustryType_Map"): ("ceterms:industryType", "free-text industry alignment"),
    ("*", "AlternativeIndustryTypeLangMap"): ("ceterms:industryType", "free-text industry alignment"),
    ("*", "AlternativeInstructionalProgramType"): ("ceterms:instructionalProgramType", "free-text program alignment"),
    ("*", "AlternativeInstructionalProgramType_Map"): ("ceterms:instructionalProgramType", "free-text program alignment"),
    ("*", "AlternativeInstructionalProgramTypeLangMap"): ("ceterms:instructionalProgramType", "free-text program alignment"),
    ("Place", "Address1"): ("ceterms:streetAddress", "first line of the street address"),
    ("Place", "Address2"): ("ceterms:streetAddress", "second line, appended to the street address"),
    ("Place", "Country"): ("ceterms:addressCountry", "the address's country"),
    ("Place", "ContactPoint"): ("ceterms:targetContactPoint", "a place's contact point"),
    ("ContactPoint", "PhoneNumbers"): ("ceterms:telephone", "plural spelling of Telephone"),
    ("ContactPoint", "Emails"): ("ceterms:email", "plural spelling of Email"),
    ("ContactPoint", "SocialMediaPages"): ("ceterms:socialMedia", "plural spelling of SocialMedia"),
    ("EntityReference", "LearningDeliveryTypeDescription"): (
        "ceterms:learningDeliveryDescription", "the description of LearningDeliveryType"),
    ("EntityReference", "LearningDeliveryTypeDescription_Map"): (
        "ceterms:learningDeliveryDescription", "the description of LearningDeliveryType"),
    ("AggregateDataProfile", "RelevantDataSetList"): ("qdata:relevantDataSet", "CTIDs of the data sets"),
    ("CostProfile", "CostItems"): ("ceterms:price", "each item becomes a cost profile of its own, with its price"),
    ("DurationItem", "*"): ("@value", "a part of the duration its parent property holds"),
    ("DurationTimeItem", "*"): ("@value", "a part of the duration its parent property holds"),
    # in an alignment object, Name and Description describe the target node (as the Registry
    # Assistant publishes them, and as CTDL has it: ceterms:name is not a property of the class)
    ("FrameworkItem", "Name"): ("ceterms:targetNodeName", "alignment: the target node's name"),
    ("FrameworkItem", "ceterms:name"): ("ceterms:targetNodeName", "alignment: the target node's name"),
    ("FrameworkItem", "Description"): ("ceterms:targetNodeDescription", "alignment: the target node's description"),
    ("FrameworkItem", "ceterms:description"): ("ceterms:targetNodeDescription",
                                               "alignment: the target node's description"),
    # the other request types
    ("ConditionManifest", "RenewedConditions"): ("ceterms:renewal", "a condition manifest's plural of Renewal"),
    ("ConditionManifest", "RecommendedConditions"): ("ceterms:recommends",
                                                     "a condition manifest's plural of Recommends"),
    ("ConditionManifest", "EntryConditions"): ("ceterms:entryCondition",
                                               "a condition manifest's plural of EntryCondition"),
    ("*", "AdditionalClassification"): ("ceterms:classification", "classifications that are not in the registry, "
                                        "published as blank nodes (Job.cs, WorkRole.cs)"),
    ("PathwayComponent", "PathwayComponentType"): ("@type", "the component's class (ceterms:CourseComponent...)"),
    ("*", "PublisherList"): ("ceasn:publisher", "the publishers as blank-node ids (or CTIDs), when Publisher is empty"),
}

# -- how each nested class is reached (parent class, key); the rest: breadth-first -------------
PREFERRED_HOP = {
    "ConditionProfile": ("Credential", "Requires"),
    "OrganizationReference": ("Credential", "OfferedBy"),
    "EntityReference": ("ConditionProfile", "TargetLearningOpportunity"),
    "Place": ("Credential", "AvailableAt"),
    "JurisdictionProfile": ("Credential", "Jurisdiction"),
    "IdentifierValue": ("Credential", "Identifier"),
    "FrameworkItem": ("Credential", "OccupationType"),
    "CredentialAlignmentObject": ("ConditionProfile", "TargetCompetency"),
    "ProcessProfile": ("Credential", "AdministrationProcess"),
    "DurationItem": ("DurationProfile", "ExactDuration"),
    "QuantitativeValue": ("FinancialAssistanceProfile", "FinancialAssistanceValue"),
    "ValueProfile": ("Assessment", "CreditValue"),
}
# keys of EntityReference that only an assessment has: reached through TargetAssessment
ASSESSMENT_ONLY = {"Assesses", "AssessmentMethodType", "AssessmentMethodDescription",
                   "AssessmentMethodDescription_Map"}

# -- minimal valid objects ----------------------------------------------------------------------
MINIMAL: dict[str, dict] = {
    "Credential": {"CredentialType": "ceterms:Certificate", "Name": "Sample Credential",
                   "Description": "A sample credential for the input-model coverage test.",
                   "CTID": TOP_CTID["Credential"], "SubjectWebpage": "https://example.org/credential",
                   "CredentialStatusType": "credentialStat:Active", "InLanguage": ["en-US"],
                   "OwnedBy": [ORG_CTID]},
    "Organization": {"Type": "ceterms:CredentialOrganization", "Name": "Sample Organization",
                     "Description": "A sample organization for the input-model coverage test.",
                     "CTID": TOP_CTID["Organization"], "SubjectWebpage": "https://example.org/organization",
                     "AgentType": ["orgType:Vendor"], "AgentSectorType": "agentSector:PrivateForProfit",
                     "Email": ["info@example.org"]},
    "Assessment": {"Name": "Sample Assessment",
                   "Description": "A sample assessment for the input-model coverage test.",
                   "CTID": TOP_CTID["Assessment"], "SubjectWebpage": "https://example.org/assessment",
                   "LifeCycleStatusType": "lifeCycle:Active", "InLanguage": ["en-US"], "OwnedBy": [ORG_CTID],
                   "AvailableOnlineAt": ["https://example.org/assessment/online"]},
    "LearningOpportunity": {"Name": "Sample Learning Opportunity",
                            "Description": "A sample learning opportunity for the input-model coverage test.",
                            "CTID": TOP_CTID["LearningOpportunity"],
                            "SubjectWebpage": "https://example.org/learning",
                            "LifeCycleStatusType": "lifeCycle:Active", "InLanguage": ["en-US"],
                            "OwnedBy": [ORG_CTID], "AvailableOnlineAt": ["https://example.org/learning/online"]},
    "ConditionProfile": {"Description": "Sample condition."},
    "OrganizationReference": {"Type": "ceterms:CredentialOrganization", "Name": "Sample Partner",
                              "Description": "A partner organization.",
                              "SubjectWebpage": "https://example.org/partner"},
    "EntityReference": {"Type": "ceterms:LearningOpportunityProfile", "Name": "Sample Course",
                        "Description": "A course named inline.", "SubjectWebpage": "https://example.org/course"},
    "Place": {"Name": "Main Campus", "City": "Springfield"},
    "ContactPoint": {"ContactType": "Admissions", "Email": ["admissions@example.org"]},
    "JurisdictionProfile": {"GlobalJurisdiction": True},
    "IdentifierValue": {"IdentifierValueCode": "12345", "IdentifierTypeName": "Sample Identifier"},
    "FrameworkItem": {"Name": "Software Developers"},
    "CredentialAlignmentObject": {"TargetNodeName": "Sample Competency"},
    "ProcessProfile": {"Description": "Sample process."},
    "CostProfile": {"CostDetails": "https://example.org/costs", "Description": "Sample cost."},
    "CostProfileItem": {"DirectCostType": "costType:Tuition", "Price": 100},
    "DurationProfile": {"Description": "Sample duration."},
    "DurationItem": {},
    "DurationTimeItem": {},
    "FinancialAssistanceProfile": {"Name": "Sample Assistance"},
    "RevocationProfile": {"Description": "Sample revocation."},
    "AggregateDataProfile": {"Description": "Sample outcome data."},
    "ValueProfile": {"Value": 3, "CreditUnitType": ["creditUnit:DegreeCredit"]},
    "QuantitativeValue": {"Value": 10},
    "DataSetProfile": {"Description": "Sample data set.", "DataProvider": ORG_CTID},
    "DataSetTimeFrame": {"StartDate": "2020-01-01", "EndDate": "2020-12-31"},
    "DataSetDistribution": {"Description": "Sample distribution."},
    "DataSetService": {"Description": "Sample service."},
    "DataProfile": {"Description": "Sample data profile."},
    "MonetaryAmount": {"Value": 50000, "Currency": "USD"},
    "MonetaryAmountDistribution": {"Median": 50000, "Currency": "USD"},
}
# the other request types' resources and their members: the Registry Assistant's samples
# (tests/data/assistant-samples/*.json) cut down to what a request needs to format without a violation
_MEMBER_CTID = {c: TOP_CTID[c] for c in ("Concept", "ProgressionLevel", "PathwayComponent", "RubricCriterion")}
_ORG_REF = [{"CTID": ORG_CTID}]
MINIMAL.update({
    "CompetencyFramework": {"Name": "Sample Competency Framework", "CTID": TOP_CTID["CompetencyFramework"],
                            "Description": "A sample competency framework for the input-model coverage test.",
                            "InLanguage": ["en-US"], "Publisher": [ORG_CTID]},
    "Competency": {"CompetencyText": "Sample competency text.", "CTID": TOP_CTID["Competency"],
                   "IsPartOf": REF_CTID},
    "ConceptScheme": {"Name": "Sample Concept Scheme", "CTID": TOP_CTID["ConceptScheme"],
                      "Description": "A sample concept scheme for the input-model coverage test.",
                      "PublicationStatusType": "Published", "HasTopConcept": [_MEMBER_CTID["Concept"]]},
    "Concept": {"PrefLabel": "Sample Concept", "CTID": _MEMBER_CTID["Concept"]},
    "ProgressionModel": {"Name": "Sample Progression Model", "CTID": TOP_CTID["ProgressionModel"],
                         "Description": "A sample progression model for the input-model coverage test.",
                         "Publisher": _ORG_REF, "HasTopConcept": [_MEMBER_CTID["ProgressionLevel"]]},
    "ProgressionLevel": {"PrefLabel": "Sample Level", "CTID": _MEMBER_CTID["ProgressionLevel"]},
    "CostManifest": {"Name": "Sample Cost Manifest", "CTID": TOP_CTID["CostManifest"],
                     "Description": "A sample cost manifest for the input-model coverage test.",
                     "CostDetails": "https://example.org/costs", "CostManifestOf": ORG_CTID},
    "ConditionManifest": {"Name": "Sample Condition Manifest", "CTID": TOP_CTID["ConditionManifest"],
                          "Description": "A sample condition manifest for the input-model coverage test.",
                          "SubjectWebpage": "https://example.org/conditions", "ConditionManifestOf": ORG_CTID},
    "Pathway": {"Name": "Sample Pathway", "CTID": TOP_CTID["Pathway"],
                "Description": "A sample pathway for the input-model coverage test.",
                "SubjectWebpage": "https://example.org/pathway", "OwnedBy": [ORG_CTID]},
    "PathwayComponent": {"PathwayComponentType": "CourseComponent", "Name": "Sample Course Component",
                         "CTID": _MEMBER_CTID["PathwayComponent"]},
    "PathwaySet": {"Name": "Sample Pathway Set", "CTID": TOP_CTID["PathwaySet"],
                   "Description": "A sample pathway set for the input-model coverage test.",
                   "SubjectWebpage": "https://example.org/pathwayset", "OwnedBy": [ORG_CTID],
                   "HasPathway": [REF_CTID]},
    "TransferValueProfile": {"Name": "Sample Transfer Value", "CTID": TOP_CTID["TransferValueProfile"],
                             "Description": "A sample transfer value profile for the input-model coverage test.",
                             "SubjectWebpage": "https://example.org/tvp", "OwnedBy": [ORG_CTID],
                             "TransferValue": [{"Value": 3, "CreditUnitType": ["creditUnit:DegreeCredit"]}]},
    "TransferIntermediary": {"Name": "Sample Transfer Intermediary", "CTID": TOP_CTID["TransferIntermediary"],
                             "Description": "A sample transfer intermediary for the input-model coverage test.",
                             "OwnedBy": [ORG_CTID], "IntermediaryFor": [REF_CTID]},
    "SupportService": {"Name": "Sample Support Service", "CTID": TOP_CTID["SupportService"],
                       "Description": "A sample support service for the input-model coverage test.",
                       "InLanguage": ["en-US"], "LifeCycleStatusType": "lifeCycle:Active", "OfferedBy": [ORG_CTID]},
    "Collection": {"Name": "Sample Collection", "CTID": TOP_CTID["Collection"],
                   "Description": "A sample collection for the input-model coverage test.",
                   "LifeCycleStatusType": "lifeCycle:Active", "HasMember": [REF_CTID]},
    "CollectionMember": {"Name": "Sample Member", "ProxyFor": REF_CTID},
    "Job": {"Name": "Sample Job", "CTID": TOP_CTID["Job"],
            "Description": "A sample job for the input-model coverage test."},
    "Occupation": {"Name": "Sample Occupation", "CTID": TOP_CTID["Occupation"],
                   "Description": "A sample occupation for the input-model coverage test."},
    "Task": {"Name": "Sample Task", "CTID": TOP_CTID["Task"],
             "Description": "A sample task for the input-model coverage test."},
    "WorkRole": {"Name": "Sample Work Role", "CTID": TOP_CTID["WorkRole"],
                 "Description": "A sample work role for the input-model coverage test."},
    "Industry": {"Name": "Sample Industry", "CTID": TOP_CTID["Industry"],
                 "Description": "A sample industry for the input-model coverage test.", "AssertedBy": [ORG_CTID]},
    "ScheduledOffering": {"Name": "Sample Scheduled Offering", "CTID": TOP_CTID["ScheduledOffering"],
                          "Description": "A sample scheduled offering for the input-model coverage test."},
    "CredentialingAction": {"Type": "ceterms:AccreditAction", "Name": "Sample Accredit Action",
                            "CTID": TOP_CTID["CredentialingAction"],
                            "Description": "A sample credentialing action for the input-model coverage test.",
                            "ActionStatusType": "actionStat:ActiveActionStatus", "ActingAgent": [ORG_CTID]},
    "Metric": {"Name": "Sample Metric", "CTID": TOP_CTID["Metric"],
               "Description": "A sample metric for the input-model coverage test."},
    "Rubric": {"Name": "Sample Rubric", "CTID": TOP_CTID["Rubric"],
               "Description": "A sample rubric for the input-model coverage test.",
               "SubjectWebpage": "https://example.org/rubric", "InLanguage": ["en-US"], "Publisher": [ORG_CTID]},
    "RubricCriterion": {"Name": "Sample Criterion", "CTID": _MEMBER_CTID["RubricCriterion"]},
    "RubricLevel": {"Name": "Sample Level"},
    "CriterionLevel": {"BenchmarkText": "Sample benchmark."},
    "QualificationsFramework": {"Name": "Sample Qualifications Framework",
                                "CTID": TOP_CTID["QualificationsFramework"],
                                "Description": "A sample qualifications framework for the input-model coverage test.",
                                "SubjectWebpage": "https://example.org/qf", "OwnedBy": [ORG_CTID],
                                "Publisher": [ORG_CTID], "HasFacetScheme": [REF_CTID], "HasProgressionModel": REF_CTID,
                                "LifeCycleStatusType": "lifeCycle:Active", "PublicationStatusType": "Published",
                                "InLanguage": ["en-US"]},
    "CredentialType": {"Name": "Sample Credential Type", "CTID": TOP_CTID["CredentialType"],
                       "Description": "A sample credential type for the input-model coverage test.",
                       "CredentialStatusType": "credentialStat:Active", "OwnedBy": [ORG_CTID],
                       "RegulatedBy": [ORG_CTID], "RegulatedIn": [{"GlobalJurisdiction": True}],
                       "InLanguage": ["en-US"]},
    "AlignmentMap": {"Name": "Sample Alignment Map", "CTID": TOP_CTID["AlignmentMap"],
                     "Description": "A sample alignment map for the input-model coverage test.",
                     "SubjectWebpage": "https://example.org/alignmentmap", "OwnedBy": [ORG_CTID],
                     "Publisher": [ORG_CTID], "LifeCycleStatusType": "lifeCycle:Active",
                     "PublicationStatusType": "Published", "InLanguage": ["en-US"],
                     "HasPart": [{"AlignmentType": "alignment:ExactMatch", "SourceNodeName": "Sample source",
                                  "TargetNodeName": "Sample target"}]},
    "AlignmentObject": {"AlignmentType": "alignment:ExactMatch", "SourceNodeName": "Sample source",
                        "TargetNodeName": "Sample target"},
    "VerificationServiceProfile": {"CTID": TOP_CTID["VerificationServiceProfile"],
                                   "Description": "A sample verification service for the input-model coverage test.",
                                   "OfferedBy": [ORG_CTID]},
    "TransferAgreement": {"Name": "Sample Transfer Agreement", "CTID": TOP_CTID["TransferAgreement"],
                          "Description": "A sample transfer agreement for the input-model coverage test.",
                          "DateEffective": "2024-08-01", "InLanguage": ["en-US"], "OwnedBy": [ORG_CTID],
                          "PublicationStatusType": "Published", "SendingOrganization": [REF_CTID],
                          "ReceivingOrganization": [ORG_CTID]},
    "PriorLearningPolicy": {"Name": "Sample Prior Learning Policy", "CTID": TOP_CTID["PriorLearningPolicy"],
                            "Description": "A sample prior learning policy for the input-model coverage test.",
                            "InLanguage": ["en-US"], "OwnedBy": [ORG_CTID], "PublicationStatusType": "Published",
                            "SubjectWebpage": "https://example.org/plp"},
    "EvaluationOutcome": {"Name": "Sample Evaluation", "Description": "A sample evaluation outcome."},
    "StructuredStatement": {"Name": "Sample Statement", "StatementText": "A sample statement."},
    "ComponentCondition": {"Description": "Sample component condition.", "RequiredNumber": 1},
    "Constraint": {"Description": "Sample constraint."},
    # ReferenceObjects (tests/data/assistant-samples/datasetprofile.json)
    "Observation": {"@id": BNODE["Observation"], "@type": "qdata:Observation", "IsObservationOf": REF_CTID,
                    "Value": 12333},
    "Dimension": {"@id": BNODE["Dimension"], "@type": "qdata:Dimension", "Name": "Sample Dimension"},
})
# a class that is held by another where the classes hold it, sent as a request of its own
# (DataSetProfile, ProcessProfile): what its own request needs besides its nested minimal object
AS_REQUEST = {"DataSetProfile": {"CTID": TOP_CTID["DataSetProfile"], "RelevantDataSetFor": [REF_CTID]},
              "ProcessProfile": {"CTID": TOP_CTID["ProcessProfile"]}}

# -- sample values where the type alone does not say what is plausible ---------------------------
SAMPLE_BY_KEY: dict[str, Any] = {
    "InLanguage": ["fr"], "Currency": "EUR", "Email": ["someone@example.org"], "Emails": ["someone@example.org"],
    "Telephone": ["+1 555 0100"], "PhoneNumbers": ["+1 555 0100"], "FaxNumber": ["+1 555 0101"],
    "PostalCode": "62701", "PostOfficeBoxNumber": "PO 12", "Latitude": 39.8, "Longitude": -89.6,
    "ONET_Codes": ["15-1252.00"], "CIP_Codes": ["11.0701"], "Naics": ["611310"], "NaicsList": ["611310"],
    "ISICV4": "8530", "IpedsId": "123456", "OpeId": "00123400", "LEICode": "5493001KJTIIGC8Y1R12",
    "DUNS": "123456789", "FEIN": "12-3456789", "NECS": "12345", "SCED": "10011",
    "CodedNotation": "SAMPLE-101", "IdentifierValueCode": "ABC-123", "Duration_ISO8601": "P1Y2M",
    "Years": 2, "Months": 3, "Weeks": 4, "Days": 5, "Hours": 6, "Minutes": 30,
    "TimeInterval": "P1Y", "Price": 250, "MinimumAge": 18, "YearsOfExperience": 2.5, "Weight": 0.5,
    "GlobalJurisdiction": False, "IsNonCredit": True, "AlternativeOccupationType": ["Sample occupation"],
    "AlternativeIndustryType": ["Sample industry"], "AlternativeInstructionalProgramType": ["Sample program"],
    "MediaType": ["text/csv"], "Version": "2.1", "ProcessingAgent": [ORG_CTID],
    "AvailableOnlineAt": ["https://example.org/online"], "AvailabilityListing": ["https://example.org/listing"],
    "CreditValue": [{"Value": 3, "CreditUnitType": ["creditUnit:DegreeCredit"]}],
    "AssertedBy": [ORG_CTID],
    "ceterms:credentialStatusType": {"ceterms:targetNode": "credentialStat:Suspended",
                                     "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
                                     "ceterms:targetNodeName": {"en-US": "Suspended"}},
    "ceterms:occupationType": [{"ceterms:framework": "https://www.onetcenter.org/taxonomy.html",
                                "ceterms:codedNotation": "15-1252.00",
                                "ceterms:targetNodeName": {"en-US": "Software Developers"}}],
    "ceterms:ownedBy": [REGISTRY + REF_CTID],
    "ceterms:processingAgent": [REGISTRY + REF_CTID],
}
# one class's key, where the key's name and type do not say what is plausible
SAMPLE_BY_CLASS_KEY: dict[tuple[str, str], Any] = {
    # the registry takes the parties of an agreement as references only (an inline description is refused)
    ("TransferAgreement", "SendingOrganization"): [{"CTID": REF_CTID}],
    ("TransferAgreement", "ReceivingOrganization"): [{"CTID": REF_CTID}],
    ("PathwayComponent", "CredentialType"): "DigitalBadge",       # a CTDL credential class, by its name
    # the framework's URI: the one the CTID gives (the Registry Assistant makes it when it is not given)
    ("CompetencyFramework", "CtdlId"): REGISTRY + TOP_CTID["CompetencyFramework"],
}
# what the object holding a key must say for the key to apply (CredentialType: a CredentialComponent's)
SAMPLE_NEEDS: dict[tuple[str, str], dict] = {
    ("PathwayComponent", "CredentialType"): {"PathwayComponentType": "CredentialComponent"},
}
# keys that are not the resource's content (a request key, a helper) and the value to send
HELPER_SAMPLE = {"@id": "_:8c2f6e1a-4b7d-4e8f-9a0b-1c2d3e4f5a6b",
                 "Id": "_:4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}     # a rubric level's blank-node id


# ================================================================================================
# the model
# ================================================================================================
@dataclass(frozen=True)
class Row:
    cls: str            # the class the key is looked at in
    declared_in: str    # the class whose row it is (a base class: BaseRequestHelper)
    key: str            # JSON key
    prop: str           # C# property name
    type: str
    is_list: bool
    is_language_map: bool
    ctdl_property: str
    vocabulary_note: str
    notes: str

    @property
    def name(self) -> str:
        return f"{self.cls}.{self.key}"


@dataclass(frozen=True)
class Expectation:
    property: str | None     # compact CTDL property, "@type", "@ref", "@value", or None (no CTDL property)
    source: str              # "table", "name", "mapped", "none"
    why: str = ""


@dataclass
class Hop:
    parent: str      # parent class
    key: str         # key in the parent
    is_list: bool
    cls: str         # class reached


@dataclass
class KeyResult:
    cls: str
    key: str
    status: str
    expected: str | None
    expected_source: str
    messages: list[tuple[str, str, str, str]] = field(default_factory=list)  # (severity, code, path, message)
    changed: list[str] = field(default_factory=list)     # "chain > prop" that differ from the baseline
    pointer: str = ""
    route: str = ""
    note: str = ""
    domain: str = ""     # the schema layer's warning that the class does not have the property in CTDL
    alike: str = ""      # ... where CTDL gives the class a property named alike (ceasn:name for a Rubric)

    @property
    def name(self) -> str:
        return f"{self.cls}.{self.key}"

    @property
    def right(self) -> bool:
        return self.status in RIGHT

    def describe(self) -> str:
        parts = [f"{self.name} -> {self.expected or '(no CTDL property)'}: {self.status}"]
        if self.changed and self.status != "emitted":
            parts.append("changed: " + ", ".join(self.changed[:6]) + (" ..." if len(self.changed) > 6 else ""))
        for sev, code, path, msg in self.messages[:3]:
            parts.append(f"{sev} {code} at {path}: {msg}")
        if self.note:
            parts.append(self.note)
        return " | ".join(parts)


def _type_names(type_text: str) -> list[str]:
    """Class names in a C# type (``List<ConditionProfile>``); ``RA.Models.JsonV2.X`` is the CTDL
    output class X, written in CTDL terms (``ceterms:credentialStatusType``), not an input class."""
    return [t.split(".")[-1] if not t.startswith("RA.Models.JsonV2.") else t
            for t in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", type_text)]


class InputModel:
    def __init__(self, path: Path = MODEL_CSV):
        with path.open(newline="", encoding="utf-8") as fh:
            self.rows = list(csv.DictReader(fh))
        self.by_class: dict[str, list[dict]] = {}
        self.base: dict[str, str] = {}
        for r in self.rows:
            self.by_class.setdefault(r["class"], []).append(r)
            self.base[r["class"]] = r["base_class"]
        self.classes = self._reachable()
        self.hops = self._hops()

    @staticmethod
    def settable(r: dict) -> bool:
        """A key a client can send: not [JsonIgnore], not a get-only computed property."""
        return r["json_key"] != "(JsonIgnore)" and "get-only" not in r["notes"]

    def own_and_base_rows(self, cls: str) -> list[tuple[str, dict]]:
        out, seen, c = [], set(), cls
        chain = []
        while c in self.by_class and c not in seen:
            seen.add(c)
            chain.append(c)
            c = self.base.get(c, "")
        for declared in reversed(chain):   # base keys first, own keys win
            out += [(declared, r) for r in self.by_class[declared]]
        return out

    def value_classes(self, r: dict) -> list[str]:
        return [t for t in _type_names(r["type"]) if t in self.by_class and t != r["class"]]

    def _reachable(self) -> list[str]:
        """The first classes and what they hold, then the other request types' classes and what they hold."""
        order: list[str] = []
        for stage in (FIRST_CLASSES, TOP_CLASSES):
            todo = [c for c in stage if c not in order]
            while todo:
                cls = todo.pop(0)
                if cls in order or cls not in self.by_class:
                    continue
                order.append(cls)
                for _, r in self.own_and_base_rows(cls):
                    if self.settable(r):
                        todo += [vc for vc in self.value_classes(r) if vc not in order]
        return order

    def _hops(self) -> dict[str, Hop]:
        """The hop by which each nested class is reached: PREFERRED_HOP, else breadth-first; first from
        FIRST_CLASSES (so a class they hold keeps the route it had: DataSetProfile, ProcessProfile), then
        from the other top classes (a class none of them holds is tested as a request of its own)."""
        hops: dict[str, Hop] = {}
        done: set[str] = set()
        for stage in (FIRST_CLASSES, TOP_CLASSES):
            tops = set(stage)
            todo = [c for c in stage if c not in done and c not in hops]
            while todo:
                cls = todo.pop(0)
                if cls in done:
                    continue
                done.add(cls)
                for _, r in self.own_and_base_rows(cls):
                    if not self.settable(r):
                        continue
                    for vc in self.value_classes(r):
                        if vc in tops or vc in hops or vc in done:
                            continue
                        pref = PREFERRED_HOP.get(vc)
                        if pref and pref != (cls, r["json_key"]) and pref[0] in self.by_class:
                            continue
                        hops[vc] = Hop(cls, r["json_key"], r["is_list"] == "yes" or r["type"].startswith("List<"), vc)
                        todo.append(vc)
        return hops

    def keys(self) -> list[Row]:
        if not hasattr(self, "_keys"):
            self._keys = self._all_keys()
        return list(self._keys)

    def _all_keys(self) -> list[Row]:
        out: list[Row] = []
        for cls in self.classes:
            if cls == "BaseRequestHelper":
                continue     # its keys are counted in the classes that derive from it
            seen = {}
            for declared, r in self.own_and_base_rows(cls):
                if not self.settable(r):
                    continue
                seen[r["json_key"]] = Row(cls, declared, r["json_key"], r["property"], r["type"],
                                          r["is_list"] == "yes", r["is_language_map"] == "yes",
                                          r["ctdl_property"], r["vocabulary_note"], r["notes"])
            out += list(seen.values())
        return out

    def row(self, cls: str, key: str) -> Row:
        if not hasattr(self, "_index"):
            self._index = {(r.cls, r.key): r for r in self.keys()}
        try:
            return self._index[(cls, key)]
        except KeyError:
            raise KeyError(f"{cls}.{key} is not in the input model") from None

    def keys_of(self, cls: str) -> list[Row]:
        if not hasattr(self, "_by_cls"):
            self._by_cls: dict[str, list[Row]] = {}
            for r in self.keys():
                self._by_cls.setdefault(r.cls, []).append(r)
        return list(self._by_cls.get(cls, []))


@lru_cache(maxsize=1)
def model() -> InputModel:
    return InputModel()


def is_reference_object(cls: str) -> bool:
    """A class no key holds, sent only as a ReferenceObjects item (REFERENCE_OBJECTS: beyond the
    request types and their members, checked apart)."""
    return cls in REFERENCE_OBJECTS


@lru_cache(maxsize=1)
def all_keys() -> tuple[Row, ...]:
    """Every key of every class of the request types: their resources, their members and what they hold."""
    return tuple(r for r in model().keys() if not is_reference_object(r.cls))


@lru_cache(maxsize=1)
def reference_keys() -> tuple[Row, ...]:
    """Every key of the ReferenceObjects classes (Observation, Dimension)."""
    return tuple(r for r in model().keys() if is_reference_object(r.cls))


# ================================================================================================
# what each key should become
# ================================================================================================
@lru_cache(maxsize=1)
def ctdl_properties() -> dict[str, set[str]]:
    """Compact CTDL property -> its domain classes (empty when the encodings do not say)."""
    out: dict[str, set[str]] = {}
    for name in ("ctdl-schema-encoding.json", "ctdlasn-schema-encoding.json"):
        data = json.loads((ROOT / "vocabularies" / "schema" / name).read_text(encoding="utf-8"))
        for n in data["@graph"]:
            if n.get("@type") == "rdf:Property":
                out[n["@id"]] = set(n.get("schema:domainIncludes", []))
    index = json.loads((ROOT / "vocabularies" / "schema-index.json").read_text(encoding="utf-8"))
    for p in index["properties"]:
        out.setdefault(p, set())
    for name in ("ctdl.json", "ctdlasn.json"):
        ctx = json.loads((ROOT / "contexts" / name).read_text(encoding="utf-8"))["@context"]
        for term, td in ctx.items():
            if ":" in term and term.split(":")[0] in ("ceterms", "ceasn", "qdata", "schema") and \
                    term.split(":", 1)[1][:1].islower():
                out.setdefault(term, set())
    return out


@lru_cache(maxsize=1)
def schema_facts() -> dict:
    return json.loads((ROOT / "vocabularies" / "schema-index.json").read_text(encoding="utf-8"))


_LANG_SUFFIXES = ("_LangMap", "_Map", "LangMap")


def base_name(key: str) -> str:
    for s in _LANG_SUFFIXES:
        if key.endswith(s) and len(key) > len(s):
            return key[: -len(s)]
    return key


NAMESPACE_ORDER = {"ceterms": 1, "qdata": 2, "schema": 3, "ceasn": 4, "skos": 5, "asn": 6}


def in_domain(prop: str, cls_ctdl: str | None) -> bool:
    """The property's domain holds the class or one of its superclasses."""
    if not cls_ctdl:
        return False
    domain = ctdl_properties().get(prop) or set()
    return cls_ctdl in domain or _is_subclass(cls_ctdl, tuple(domain))


@lru_cache(maxsize=1)
def _by_local_name() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in ctdl_properties():
        if p.split(":")[0] in NAMESPACE_ORDER:
            out.setdefault(p.split(":", 1)[1].lower(), []).append(p)
    return out


@lru_cache(maxsize=None)
def name_rule(cls: str, key: str) -> str | None:
    """The CTDL property named like the key (any case), preferring one whose domain has the class,
    then one in the namespace of the class (schema:currency in a schema:MonetaryAmount)."""
    candidates = list(_by_local_name().get(base_name(key.split(":")[-1]).lower(), []))
    if not candidates:
        return None
    domain = ctdl_class(cls) or ""
    order = dict(NAMESPACE_ORDER)
    order[domain.split(":")[0]] = 0
    candidates.sort(key=lambda p: (order[p.split(":")[0]], p))
    props = ctdl_properties()
    for p in candidates:
        if domain in props[p]:
            return p
    for p in candidates:
        if in_domain(p, domain):
            return p
    return candidates[0]


@lru_cache(maxsize=None)
def expected_property(row: Row) -> Expectation:
    specific = MAPPED.get((row.cls, row.key))
    if specific:
        return Expectation(specific[0], "mapped", specific[1])
    if row.ctdl_property and row.ctdl_property in ctdl_properties():
        return Expectation(row.ctdl_property, "table")
    if row.ctdl_property:   # "ceterms:rights": the Registry Assistant's JSON name, not a CTDL term
        guessed = name_rule(row.cls, row.ctdl_property.split(":", 1)[1])
        if guessed:
            return Expectation(guessed, "name", f"the table names {row.ctdl_property}, which is not a CTDL term")
        return Expectation(row.ctdl_property, "table")
    generic = MAPPED.get((row.cls, "*")) or MAPPED.get(("*", row.key))
    if generic:
        return Expectation(generic[0], "mapped", generic[1])
    if row.key.startswith("@"):
        return Expectation(None, "none", "JSON-LD helper")
    guessed = name_rule(row.cls, row.key)
    if guessed:
        return Expectation(guessed, "name")
    if row.is_language_map and row.key.endswith("Map"):      # PublisherNameMap, RightsMap
        guessed = name_rule(row.cls, row.key[:-3])
        if guessed:
            return Expectation(guessed, "name", "a language map named <key>Map")
    return Expectation(None, "none")


def expected_of(cls: str, key: str) -> Expectation:
    return expected_property(model().row(cls, key))


# ================================================================================================
# sample values and requests
# ================================================================================================
def _full(compact: str) -> str:
    from transformer.context import ctdl_context
    return ctdl_context().expand_curie(compact) or compact



def concept_sample(row: Row, prop: str | None) -> str | None:
    """A real concept of the key's concept scheme (the CTDL property's, else the vocabulary note's)."""
    from transformer.vocab import vocabularies

    v = vocabularies()
    scheme = v.scheme_for(_full(prop)) if prop and not prop.startswith("@") else None
    if scheme is None and row.vocabulary_note:
        for m in re.finditer(r"(?:ConceptScheme: |\()(?:(\w+):)?(\w+)", row.vocabulary_note):
            for s in v.schemes.values():
                if s.iri.rsplit("/", 1)[-1] == m.group(2):
                    scheme = s
                    break
            if scheme:
                break
    if scheme is None or not scheme.concepts:
        return None
    concepts = sorted(scheme.concepts.values(), key=lambda c: c.notation)
    c = concepts[min(1, len(concepts) - 1)]     # not the first: that is often a default
    if scheme.namespace and scheme.prefix:
        return f"{scheme.prefix}:{c.notation}"
    return c.iri


def scalar_sample(row: Row, prop: str | None) -> Any:
    """One value of the key's element type."""
    t = re.sub(r"^List<(.+)>$", r"\1", row.type).rstrip("?")
    if t in ("bool",):
        return True
    if t in ("int",):
        return 7
    if t in ("decimal", "double", "float"):
        return 12.5
    ranges = set(schema_facts()["ranges"].get(prop, [])) if prop else set()
    if prop == "ceterms:ctid":
        return "ce-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
    concept = concept_sample(row, prop)
    if concept:
        return concept
    if "xsd:anyURI" in ranges:
        return f"https://example.org/{row.key.lower()}"
    if "xsd:date" in ranges:
        return "2024-01-15"
    if "xsd:dateTime" in ranges:
        return "2024-01-15T10:00:00"
    if ranges & {"xsd:decimal", "xsd:float", "xsd:integer", "xsd:nonNegativeInteger", "schema:Number"}:
        return "12"
    if ranges & {"schema:Duration", "xsd:duration"}:
        return "P3M"
    if ranges and not ranges & {"rdf:langString", "xsd:string", "ceterms:CredentialAlignmentObject",
                                "xsd:boolean", "xsd:anyURI"}:
        return REF_CTID        # a reference to another resource
    return f"Sample {row.key}"


def sample_value(row: Row, exp: Expectation) -> Any:
    if exp.property == "@ref":
        if row.key == "CTID":
            return REF_CTID
        return REGISTRY + REF_CTID
    if (row.cls, row.key) in SAMPLE_BY_CLASS_KEY:
        return copy.deepcopy(SAMPLE_BY_CLASS_KEY[(row.cls, row.key)])
    if row.key in SAMPLE_BY_KEY:
        return copy.deepcopy(SAMPLE_BY_KEY[row.key])
    if row.key in HELPER_SAMPLE:
        return HELPER_SAMPLE[row.key]
    if exp.property == "@type":
        return TYPE_SAMPLE.get(row.cls) or ctdl_class(row.cls)
    if row.key == "Ctid":
        return TOP_CTID.get(row.cls, REF_CTID)
    m = model()
    inner = [t for t in _type_names(row.type) if t in m.by_class and t != row.cls]
    if inner:
        obj = copy.deepcopy(MINIMAL_AS_VALUE.get(inner[0])) or nested_minimal(inner[0])
        if inner[0] in ENTITY_CLASSES:
            obj["Type"] = entity_type_for(exp.property, inner[0])
        return [obj] if row.type.startswith("List<") or row.is_list else obj
    if row.type == "LanguageMap" or (row.is_language_map and "List" not in row.type):
        return {"en-US": f"Sample {base_name(row.key)} text", "fr": f"Exemple {base_name(row.key)}"}
    if row.type == "LanguageMapList":
        return {"en-US": [f"Sample {base_name(row.key)} one", f"Sample {base_name(row.key)} two"]}
    v = scalar_sample(row, exp.property)
    if row.type.startswith("List<") or row.is_list:
        return [v]
    return v


# a class whose minimal object is empty, when the key that holds it is the one tested
MINIMAL_AS_VALUE = {"DurationItem": {"Months": 6}, "DurationTimeItem": {"Hours": 10}}
# reference classes: the type of an object named inline is chosen from the property's range
ENTITY_CLASSES = ("EntityReference", "OrganizationReference")
ENTITY_PREFERENCE = ("ceterms:CredentialOrganization", "ceterms:LearningOpportunityProfile",
                     "ceterms:AssessmentProfile", "ceterms:Certificate", "ceterms:Job", "ceterms:Occupation",
                     "ceterms:Task", "ceterms:WorkRole", "ceterms:Course", "ceterms:CredentialPerson")


def entity_type_for(prop: str | None, cls: str) -> str:
    ranges = schema_facts()["ranges"].get(prop or "", [])
    for c in ENTITY_PREFERENCE:
        if c in ranges:
            return c
    default = schema_facts()["default_types"].get(prop or "")
    return default or MINIMAL[cls]["Type"]


def nested_minimal(cls: str) -> dict:
    return copy.deepcopy(MINIMAL.get(cls, {"Description": f"Sample {cls}."}))


@lru_cache(maxsize=None)
def _incoming(cls: str) -> tuple[tuple[str, str], ...]:
    m = model()
    out = []
    for parent in m.classes:
        if parent == "BaseRequestHelper":
            continue
        for r in m.keys_of(parent):
            if cls in [t for t in _type_names(r.type) if t in m.by_class and t != r.cls]:
                out.append((parent, r.key))
    return tuple(out)


def incoming(cls: str) -> list[tuple[str, str]]:
    """Every (parent class, key) whose value is a `cls`."""
    return list(_incoming(cls))


def route(cls: str, key: str = "", via: tuple[str, str] | Top | None = None) -> list[Hop]:
    """The hops from a top class to `cls` (empty for a top class); `via`: the last hop to take, or the
    request (a ``Top``) that sends `cls` itself."""
    m = model()
    if isinstance(via, Top):
        return []
    if via is not None:
        parent, pkey = via
        prow = m.row(parent, pkey)
        return route(parent) + [Hop(parent, pkey, prow.type.startswith("List<") or prow.is_list, cls)]
    hops: list[Hop] = []
    c = cls
    while c in m.hops:
        h = m.hops[c]
        if c == "EntityReference" and key in ASSESSMENT_ONLY:
            h = Hop("ConditionProfile", "TargetAssessment", True, c)
        hops.insert(0, h)
        c = h.parent
        if len(hops) > 12:
            raise RuntimeError(f"no route to {cls}")
    if c not in TOPS:
        raise RuntimeError(f"no route to {cls}: {c} is no request type's class")
    return hops


def _conflicts(cls: str, key: str, exp: Expectation, minimal: dict | None = None) -> set[str]:
    """Keys of the minimal object that would say what the tested key says (dropped while it is tested)."""
    out = set()
    for k in (MINIMAL.get(cls, {}) if minimal is None else minimal):
        if k == key:
            continue
        try:
            other = expected_property(model().row(cls, k)).property
        except KeyError:
            continue
        if other and other == exp.property:
            out.add(k)
    if exp.property == "@type" and cls == "Credential":
        out |= {"CredentialType", "Type"} - {key}
    return out


def assemble(entry: Top, root: dict) -> dict:
    """The request that sends `root` as `entry` says: the wrapper's resource, or an item of a member
    list (or of ReferenceObjects) beside the wrapper's minimal resource."""
    request = {"PublishForOrganizationIdentifier": ORG_CTID}
    if entry.member is None:
        request[entry.wrapper] = root
    else:
        parent_cls = wrapper_specs()[entry.wrapper]["class"]
        request[entry.wrapper] = top_minimal(Top(parent_cls, entry.wrapper))
        if entry.refers_by:
            request[entry.wrapper][entry.refers_by] = [BNODE[entry.cls]]
        request[entry.member] = [root]
    return request


def minimal_request(entry: Top) -> dict:
    """The minimal request of a class sent as `entry` says, with nothing tested in it."""
    return assemble(entry, top_minimal(entry))


def top_minimal(top: Top) -> dict:
    """The minimal object of a class sent as a resource of its own."""
    obj = nested_minimal(top.cls)
    if top.cls in model().hops:         # held by another class where it is usually tested
        obj.update(copy.deepcopy(AS_REQUEST.get(top.cls, {"CTID": TOP_CTID[top.cls]})))
    return obj


@dataclass
class Built:
    request: dict
    baseline: dict
    pointer: str          # JSON pointer of the key in the request
    top: str
    hops: list[Hop]
    entry: Top | None = None        # the request type the top class is sent in

    def locate(self, request: dict) -> "Locator":
        """How to find the top class's node in the output of `request` (this one or its baseline)."""
        if self.entry is None or self.entry.member is None or self.entry.refers_by:
            return None          # the main resource (a ReferenceObjects item: below it, see chain_prefix)
        item = request[self.entry.member][0]
        ctid = next((item[k] for k in ("CTID", "Ctid", "ceterms:ctid") if isinstance(item.get(k), str)), None)
        types = (self.entry.default_type,) + self.entry.accepts
        return ("ctid", ctid) if ctid else ("type", tuple(t for t in types if t))


    @property
    def chain_prefix(self) -> tuple[str, ...]:
        """A ReferenceObjects item is framed inside the resource that lists it: the facts about it are
        below that property (qdata:hasObservation)."""
        if self.entry is None or not self.entry.refers_by:
            return ()
        parent = wrapper_specs()[self.entry.wrapper]["class"]
        return (expected_property(model().row(parent, self.entry.refers_by)).property,)


Locator = "tuple[str, Any] | None"


def build(cls: str, key: str, via: tuple[str, str] | Top | None = None) -> Built:
    """The request that places a sample value at `cls`.`key`, and the same request without it."""
    row = model().row(cls, key)
    exp = expected_property(row)
    hops = route(cls, key, via)
    top = hops[0].parent if hops else cls
    entry = via if isinstance(via, Top) else TOPS[top]

    def make(with_key: bool) -> tuple[dict, str]:
        root = top_minimal(entry)
        here = root
        pointer = "/" + (entry.wrapper if entry.member is None else f"{entry.member}/0")
        holder_cls = top
        for h in hops:
            child = nested_minimal(h.cls)
            if h.cls in ENTITY_CLASSES:
                child["Type"] = entity_type_for(expected_property(model().row(h.parent, h.key)).property, h.cls)
            if h.cls == cls:
                for k in _conflicts(cls, key, exp):
                    child.pop(k, None)
                child.pop(key, None)
            for k in _conflicts(holder_cls, h.key, expected_property(model().row(holder_cls, h.key)), here):
                here.pop(k, None)
            if h.is_list:
                here[h.key] = [child]
                pointer += f"/{h.key}/0"
            else:
                here[h.key] = child
                pointer += f"/{h.key}"
            here, holder_cls = child, h.cls
        if not hops:
            for k in _conflicts(cls, key, exp, root):
                root.pop(k, None)
            if not (entry.refers_by and key in ("@id", "Id")):    # how its resource lists it: kept
                root.pop(key, None)
        here.update(copy.deepcopy(SAMPLE_NEEDS.get((cls, key), {})))
        if with_key and not (entry.refers_by and not hops and key in ("@id", "Id")):
            here[key] = sample_value(row, exp)
        pointer += "/" + key.replace("~", "~0").replace("/", "~1")
        return assemble(entry, root), pointer

    request, pointer = make(True)
    baseline, _ = make(False)
    return Built(request, baseline, pointer, top, hops, entry)


# ================================================================================================
# reading the output
# ================================================================================================
def _fingerprint(v: Any) -> str:
    if isinstance(v, dict):
        if set(v) == {"@id"}:
            return "<ref>"
        if "@type" in v or any(":" in k for k in v):
            return "<node>"
        return json.dumps(v, sort_keys=True)     # a language map
    if isinstance(v, str) and v.startswith("_:"):
        return "<bnode>"
    return json.dumps(v, sort_keys=True)


def start_node(graph: list, locator: Locator = None) -> dict:
    """The node the facts are read from: the main resource (the first of the graph), or a member of the
    request found by its CTID, else by its type (a RubricLevel, a CollectionMember: blank nodes)."""
    if not graph:
        return {}
    if locator is None:
        return graph[0]
    how, what = locator
    for n in graph[1:]:
        if not isinstance(n, dict):
            continue
        if how == "ctid" and n.get("ceterms:ctid") == what:
            return n
        if how == "type":
            types = n.get("@type") if isinstance(n.get("@type"), list) else [n.get("@type")]
            if any(t in what or _is_subclass(t, what) for t in types if isinstance(t, str)):
                return n
    return {}


def _is_subclass(t: str, classes: tuple[str, ...]) -> bool:
    supers = schema_facts()["superclasses"]
    seen, todo = set(), [t]
    while todo:
        c = todo.pop()
        if c in classes:
            return True
        if c not in seen:
            seen.add(c)
            todo += supers.get(c, [])
    return False


def flatten(doc: dict | None, locator: Locator = None) -> dict[tuple[tuple[str, ...], str], list[str]]:
    """(chain of CTDL properties from the main resource, or the member `locator` finds, property) ->
    value fingerprints."""
    facts: dict[tuple[tuple[str, ...], str], list[str]] = {}
    if not doc:
        return facts
    graph = doc.get("@graph") or [doc]
    by_id = {n.get("@id"): n for n in graph if isinstance(n, dict) and n.get("@id")}
    main = start_node(graph, locator)

    def walk(node: dict, chain: tuple[str, ...], seen: frozenset) -> None:
        for prop, value in node.items():
            if prop in ("@context", "@id"):
                continue
            values = value if isinstance(value, list) else [value]
            facts.setdefault((chain, prop), []).extend(sorted(_fingerprint(v) for v in values))
            if len(chain) > 10:
                continue
            for v in values:
                target = None
                if isinstance(v, dict) and set(v) != {"@id"}:
                    target = v
                elif isinstance(v, str) and v in by_id and v not in seen:
                    target = by_id[v]
                elif isinstance(v, dict) and v.get("@id") in by_id and v["@id"] not in seen:
                    target = by_id[v["@id"]]
                if isinstance(target, dict) and (target is not v or _fingerprint(v) == "<node>"):
                    walk(target, chain + (prop,), seen | {v if isinstance(v, str) else v.get("@id")})

    walk(main, (), frozenset({main.get("@id")}))
    if isinstance(main.get("@id"), str) and not main["@id"].startswith("_:"):
        facts[((), "@id")] = [main["@id"]]      # a resource's URI (a blank node's id says nothing)
    return facts


def _contains_internal(value: Any) -> bool:
    if isinstance(value, str):
        return INTERNAL in value
    if isinstance(value, dict):
        return any(_contains_internal(k) or _contains_internal(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_internal(v) for v in value)
    return False


def ctdl_chain(hops: list[Hop], key: str) -> tuple[str, ...] | None:
    """The CTDL properties from the main resource to the node the key is on."""
    chain: list[str] = []
    for h in hops:
        exp = expected_property(model().row(h.parent, h.key)).property
        if h.key == "CostItems":
            continue            # each item is merged into its own copy of the cost profile
        if h.cls in ("DurationItem", "DurationTimeItem"):
            continue            # a value, not a node
        if exp is None or exp.startswith("@"):
            return None
        chain.append(exp)
    return tuple(chain)


def _format(request: dict):
    from transformer.pipeline import format_request
    return format_request(copy.deepcopy(request))


@lru_cache(maxsize=512)
def _baseline_facts(text: str, locator: Locator = None):
    out = _format(json.loads(text))
    return flatten(out.document, locator)


def _about_key(path: str, pointer: str) -> bool:
    """A message about the key itself: its value, an item of its list, a language of its map
    (not about a key inside an object it holds)."""
    if path == pointer:
        return True
    if not path.startswith(pointer + "/"):
        return False
    rest = path[len(pointer) + 1:].split("/")
    return all(seg.isdigit() or (seg[:1].islower() and ":" not in seg) for seg in rest)


def _domain_of(r, pointer: str, prop: str | None) -> bool:
    """The schema layer's warning that the node the key is on does not have the key's property in
    CTDL: said at the node's Type, it is about the key."""
    holder = pointer.rsplit("/", 1)[0]
    return bool(prop) and r.code == "domain" and (r.path or "") in (holder + "/Type", holder + "/@type", holder) \
        and f" {prop} " in r.message


def check(cls: str, key: str, via: tuple[str, str] | Top | None = None, classify: bool = True) -> KeyResult:
    """Format a request with a sample value at `cls`.`key` (reached through `via`, the
    (parent class, key) of the last hop, or the request type that sends `cls` itself, else the
    default route) and say what became of it (``classify=False``: only whether it crashes or leaks an
    internal term, without formatting the baseline: status "crash", "internal" or "unclassified")."""
    row = model().row(cls, key)
    exp = expected_property(row)
    result = KeyResult(cls, key, "crash", exp.property, exp.source)
    try:
        built = build(cls, key, via)
    except Exception as e:  # noqa: BLE001 - the harness itself failed: say so
        result.note = f"could not build the request: {e!r}"
        return result
    result.pointer = built.pointer
    result.route = built.entry.label + "".join(f".{h.key}" + ("[0]" if h.is_list else "") for h in built.hops) \
        + f".{key}"
    try:
        outcome = _format(built.request)
        if not classify:
            result.status = "internal" if _contains_internal(outcome.document) else "unclassified"
            return result
        base = _baseline_facts(json.dumps(built.baseline, sort_keys=True), built.locate(built.baseline))
    except Exception as e:  # noqa: BLE001
        result.note = "".join(traceback.format_exception_only(type(e), e)).strip()
        return result
    doc = outcome.document
    result.messages = [(r.severity, r.code, r.path, r.message) for r in outcome.report.results
                       if _about_key(r.path or "", built.pointer) and r.code != "recommended"]
    result.domain = next((r.message for r in outcome.report.results if _domain_of(r, built.pointer, exp.property)), "")
    if result.domain and exp.property and ":" in exp.property:
        other = name_rule(cls, exp.property.split(":", 1)[1])
        if other and other != exp.property and in_domain(other, ctdl_class(cls)):
            result.alike = other
    if _contains_internal(doc):
        result.status = "internal"
        result.note = "output holds: " + ", ".join(sorted(set(re.findall(r"urn:ctdl-assistant:[\w:]+", json.dumps(doc)))))
        return result
    facts = flatten(doc, built.locate(built.request))
    if not facts and doc:
        result.status = "wrong-node"
        result.note = f"the {built.entry.member} item is not in the output"
        return result
    changed = {k: v for k, v in facts.items() if base.get(k) != v}
    changed.update({k: [] for k in base if k not in facts})
    result.changed = sorted(" > ".join(list(c) + [p]) for c, p in changed)
    violations = [m for m in result.messages if m[0] == "Violation"]
    warnings = [m for m in result.messages if m[0] != "Violation"]
    chain = ctdl_chain(built.hops, key)
    if chain is not None:
        chain = built.chain_prefix + chain
    target = exp.property
    hit = False
    elsewhere = False
    if target == "@value":
        hop = built.hops[-1]
        target = expected_property(model().row(hop.parent, hop.key)).property
    if target == "@ref":
        hop = built.hops[-1]
        parent_prop = expected_property(model().row(hop.parent, hop.key)).property
        vals = facts.get((chain[:-1] if chain else (), parent_prop), [])
        hit = any(REF_CTID in v for v in vals)
    elif target == "@type":
        sample = json.dumps(sample_value(row, exp))
        hit = any(sample in v for (c, p), v in facts.items() if c == chain and p == "@type")
        elsewhere = not hit and any(sample in v for (c, p), v in changed.items() if p == "@type")
    elif target and chain is not None:
        # the property itself changed, or what the node it holds says (an alignment's target)
        hit = any(c == chain and p == target or c[:len(chain) + 1] == chain + (target,) for c, p in changed)
        elsewhere = not hit and any(p == target or target in c for c, p in changed)
    if target and hit:
        result.status = "refused" if violations else ("warned-and-emitted" if warnings else "emitted")
        if violations:
            result.note = "emitted, but with a violation at the key"
    elif violations:
        result.status = "refused"
    elif target and elsewhere:
        result.status = "wrong-node"
    elif changed and target:
        result.status = "wrong-property"
    elif changed and not target:
        result.status = "wrong-property"
        result.note = "the key has no CTDL property, yet the output changed"
    elif warnings:
        result.status = "ignored"
    elif target:
        result.status = "lost"
    else:
        result.status = "consumed"
    return result


@lru_cache(maxsize=1)
def check_all() -> tuple[KeyResult, ...]:
    return tuple(check(r.cls, r.key) for r in all_keys())


@lru_cache(maxsize=1)
def check_reference_objects() -> tuple[KeyResult, ...]:
    return tuple(check(r.cls, r.key) for r in reference_keys())


def other_routes(cls: str) -> list[tuple[str, str] | Top]:
    """The ways to send `cls` other than its default route: every (parent class, key) that holds it
    (ConditionProfile as Requires, Recommends, EntryCondition... of each class that has them), and every
    request type that sends it that is not the one it is tested in (LearningOpportunity as a
    LearningProgram or a Course; Competency as an item of CompetencyFramework's Competencies;
    DataSetProfile as a request of its own)."""
    m = model()
    out: list[tuple[str, str] | Top] = []
    if cls in m.hops:
        out += sorted(set(incoming(cls)))
    out += [e for e in request_entries() if e.cls == cls and (cls in m.hops or e != TOPS.get(cls))]
    return out


def check_routes(cls: str, classify: bool = True) -> list[KeyResult]:
    """Every key of `cls`, through every other way to send the class (``other_routes``)."""
    out = []
    for via in other_routes(cls):
        for row in model().keys_of(cls):
            r = check(cls, row.key, via, classify)
            r.route = r.route or (via.label if isinstance(via, Top) else f"{via[0]}.{via[1]}")
            out.append(r)
    return out


def check_all_routes() -> list[KeyResult]:
    """Every key of every class, through every other way to send the class (``other_routes``)."""
    return [r for cls in model().classes if cls != "BaseRequestHelper" for r in check_routes(cls)]


# -- request-level keys (BaseRequest, tests/data/assistant-request-wrappers.csv) ---------------------
WRAPPERS_CSV = ROOT / "tests" / "data" / "assistant-request-wrappers.csv"
REQUEST_SAMPLE = {"DefaultLanguage": "en-US", "PublishForOrganizationIdentifier": ORG_CTID,
                  "ResourcePublishType": "primary", "RegistryEnvelopeId": "7a1c3e5f-0000-4000-8000-000000000001",
                  "Registry": "sandbox", "AutomaticallySyncPrivateRequestToPublicRegistry": True,
                  "ExcludingPayloadInResponse": True,
                  "ReferenceObjects": [{"Id": "_:8c2f6e1a-4b7d-4e8f-9a0b-1c2d3e4f5a6b", "Type": "ceterms:Place",
                                        "Name": "Referenced Place", "City": "Springfield"}]}


@lru_cache(maxsize=1)
def request_keys() -> tuple[str, ...]:
    """The keys of BaseRequest: beside the resource in every request."""
    with WRAPPERS_CSV.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["request_class"] == "BaseRequest":
                return tuple(p.strip().split(" ")[0] for p in r["extra_properties"].split(";") if p.strip())
    return ()


def check_request_key(key: str, inside: bool) -> KeyResult:
    """A request-level key at the top of a Credential request (it must be taken, and publish nothing
    of its own) or inside the resource (it must be refused: it would otherwise be lost)."""
    request = {"PublishForOrganizationIdentifier": ORG_CTID, "Credential": nested_minimal("Credential")}
    value = copy.deepcopy(REQUEST_SAMPLE.get(key, "sample"))
    pointer = "/Credential/" + key if inside else "/" + key
    (request["Credential"] if inside else request)[key] = value
    result = KeyResult("Request" if not inside else "Credential(request key)", key, "crash", None, "none",
                       pointer=pointer, route=pointer.strip("/").replace("/", "."))
    try:
        outcome = _format(request)
    except Exception as e:  # noqa: BLE001
        result.note = "".join(traceback.format_exception_only(type(e), e)).strip()
        return result
    result.messages = [(r.severity, r.code, r.path, r.message) for r in outcome.report.results
                       if (r.path or "").startswith(pointer) and r.code != "recommended"]
    if _contains_internal(outcome.document):
        result.status = "internal"
    elif any(m[0] == "Violation" for m in result.messages):
        result.status = "refused"
    elif result.messages:
        result.status = "ignored"
    else:
        result.status = "consumed"
    return result


def is_right(r: KeyResult, known_keys: dict | None = None) -> bool:
    """Emitted as its CTDL property, or refused / consumed on purpose as tests/input_model_refused.json says."""
    known_keys = known() if known_keys is None else known_keys
    return r.right or known_keys.get(r.name, {}).get("status") == r.status


def share(results, known_keys: dict | None = None) -> tuple[int, int]:
    """(keys right: emitted, or refused on purpose with a reason; keys considered)."""
    results = list(results)
    known_keys = known() if known_keys is None else known_keys
    return sum(is_right(r, known_keys) for r in results), len(results)


def known() -> dict[str, dict]:
    """class.key -> {"status": ..., "reason": ...}: what is not emitted, on purpose."""
    if not KNOWN_JSON.is_file():
        return {}
    data = json.loads(KNOWN_JSON.read_text(encoding="utf-8"))
    return {k: v for k, v in data.get("keys", {}).items()}


# ================================================================================================
# every row of the model
# ================================================================================================
# classes of the model that no key, request type, member list or ReferenceObjects item holds
NOT_SENT = {
    "BaseEntityReference": "a base class no input class derives from (EntityReference declares the same keys itself)",
    "EarningsProfile": "no key of the model holds it (profiles/EarningsProfile.cs is used by no input class; the "
                       "input context reads the class name as ceterms:earnings)",
    "EmploymentOutcomeProfile": "no key of the model holds it (used by no input class; the input context reads "
                                "the class name as ceterms:employmentOutcome)",
    "HoldersProfile": "no key of the model holds it (used by no input class; the input context reads the class "
                      "name as ceterms:holders)",
    "GeoCoordinates": "no key of the model holds it (a class of profiles/Jurisdiction.cs used by no input class)",
    "SchemaDate": "no key of the model holds it (profiles/SchemaDate.cs is used by no input class)",
    "PathwayMultiComponent": "no key or member list holds it (a PathwayComponent whose ProxyFor is a list: "
                             "PathwayComponent.ProxyForItems)",
}


@lru_cache(maxsize=1)
def request_type_keys() -> frozenset[str]:
    """The keys contexts/assistant-wrappers.json gives a request body: wrappers, member lists, lists and
    their flags, link options, composite items and options."""
    data = json.loads(WRAPPERS_JSON.read_text(encoding="utf-8"))
    out = set(data["wrappers"]) | set(data.get("request_keys", []))
    for spec in data["wrappers"].values():
        out |= set(spec.get("members", {})) | set(spec.get("options", []))
        out |= {link["option"] for link in spec.get("links", []) if link.get("option")}
    for key, spec in data.get("lists", {}).items():
        out |= {key} | ({spec["formatted_when"]} if spec.get("formatted_when") else set())
    for spec in data.get("composites", {}).values():
        out |= {spec["items"]} | ({spec["skip_option"]} if spec.get("skip_option") else set())
    return frozenset(out)


def format_request_class(cls: str) -> bool:
    """A request class of a request type: one of its keys is a wrapper or a list of one."""
    data = json.loads(WRAPPERS_JSON.read_text(encoding="utf-8"))
    names = set(data["wrappers"]) | set(data.get("lists", {})) | set(data.get("composites", {}))
    return any(r["json_key"] in names for r in model().by_class.get(cls, []))


def _why_not_sent(cls: str, key: str, base: dict[str, str]) -> str:
    chain, c = [], cls
    while c and c not in chain:
        chain.append(c)
        c = base.get(c, "")
    if cls in NOT_SENT:
        return NOT_SENT[cls]
    if cls.startswith("Provisional."):
        return "a provisional-record request (another endpoint)"
    if "Graph" in cls or cls.startswith("Skos") or cls in ("GraphInput", "GraphNode", "LanguageItem"):
        return "a graph request: the body is CTDL JSON-LD already (GraphInput), not simple JSON"
    if any(c.endswith("Request") or c in ("BaseRequestClass", "MiniumumRequestClass") for c in chain):
        if not format_request_class(cls):
            return "a key of another endpoint's request (delete, cease, purge, verify, copy, append...)"
        if key in request_type_keys():
            return "a request body's own key, taken by its request type (contexts/assistant-wrappers.json: " \
                   "the wrapper, a member list, a list, an option)"
        return "a request body's key that is no resource's (FormattedJob: the CTDL form the C# client sends)"
    return "no key, request type, member list or ReferenceObjects item holds it"


def row_coverage(known_keys: dict | None = None) -> list[tuple[dict, str, str]]:
    """Every row of the model a client can send (tests/data/assistant-input-model.csv, 2,432 rows): (row,
    outcome, detail).  outcome: "right" / "wrong" for a key of a class the harness reaches (right when it
    is right in every class that has it: a base class's key in each class deriving from it);
    "reference-right" / "reference-wrong" for the ReferenceObjects classes; "request-key" / "request-key-wrong"
    for BaseRequest's keys (taken beside the resource, refused inside it); "not-sent" (detail: why the
    harness cannot send it: a request body's own key, a graph request, a class nothing holds)."""
    m = model()
    known_keys = known() if known_keys is None else known_keys
    results = {r.name: r for r in list(check_all()) + list(check_reference_objects())}
    uses: dict[tuple[str, str], list[KeyResult]] = {}
    for row in list(all_keys()) + list(reference_keys()):
        uses.setdefault((row.declared_in, row.key), []).append(results[row.name])
    request_ok = {k: check_request_key(k, False).status == "consumed" and check_request_key(k, True).status == "refused"
                  for k in request_keys()}
    out = []
    for r in m.rows:
        if not m.settable(r):
            continue
        used = uses.get((r["class"], r["json_key"]))
        if used:
            ok = all(is_right(x, known_keys) for x in used)
            ref = all(is_reference_object(x.cls) for x in used)
            outcome = ("reference-" if ref else "") + ("right" if ok else "wrong")
            out.append((r, outcome, ", ".join(sorted(x.name for x in used if not is_right(x, known_keys)))))
        elif r["class"] == "BaseRequest" and r["json_key"] in request_ok:
            out.append((r, "request-key" if request_ok[r["json_key"]] else "request-key-wrong", ""))
        else:
            out.append((r, "not-sent", _why_not_sent(r["class"], r["json_key"], m.base)))
    return out
