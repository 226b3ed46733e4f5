"""Generate varied, realistic Registry Assistant requests for benchmarks (deterministic by seed).

All four resource types, nested profiles (conditions, costs, durations, places, jurisdictions),
vocabulary terms written every way real clients write them (compact IRI, bare notation, label),
references (CTID strings, {"CTID": ...} objects, inline organizations), occupation/industry codes,
language maps, and a few deliberate mistakes (so validation has something to report).
"""
from __future__ import annotations

import random
import uuid

ORG_TYPES = ["orgType:TwoYear", "orgType:FourYear", "Vendor", "Primarily Online", "orgType:CertificationBody",
             "TrainingProvider", "orgType:Postsecondary", "Professional Association", "orgType:Vendr"]
SECTORS = ["agentSector:PrivateForProfit", "agentSector:PrivateNonProfit", "Public"]
SERVICES = ["serviceType:OfferService", "serviceType:RenewService", "Approve Service"]
DELIVERY = ["deliveryType:OnlineOnly", "deliveryType:InPerson", "Blended Delivery"]
AUD_LEVEL = ["audLevel:PostSecondaryLevel", "audLevel:IntermediateLevel", "Associates Degree Level"]
LEARN = ["learnMethod:Lecture", "learnMethod:Laboratory", "Online", "WorkBased"]
ASSESS = ["assessMethod:Exam", "assessMethod:Performance", "Artifact"]
COST_TYPES = ["costType:Tuition", "Application", "costType:TechnologyFee", "RoomOrResidency"]
CREDENTIAL_TYPES = ["ceterms:Certificate", "ceterms:Certification", "ceterms:BachelorDegree",
                    "ceterms:AssociateDegree", "ceterms:License", "ceterms:DigitalBadge", "MasterDegree"]
WORDS = ("data network security welding nursing accounting robotics design logistics culinary "
         "electrical carpentry analytics marketing paralegal hospitality").split()


def ctid(rng: random.Random) -> str:
    return "ce-" + str(uuid.UUID(int=rng.getrandbits(128), version=4))


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def org_ref(rng):
    r = rng.random()
    if r < 0.5:
        return ctid(rng)
    if r < 0.8:
        return {"CTID": ctid(rng)}
    return {"Type": "QACredentialOrganization", "Name": text(rng, 3), "SubjectWebpage": "https://qa.example.org/" + rng.choice(WORDS),
            "Description": text(rng, 12)}


def duration(rng):
    lo = rng.randint(1, 12)
    return {"Description": "Typical time to complete.", "MinimumDuration": f"P{lo}M",
            "MaximumDuration": f"P{lo + rng.randint(0, 12) if rng.random() > 0.05 else lo - 1}M"}


def cost(rng):
    return {"Description": text(rng, 10), "CostDetails": "https://example.edu/costs", "Currency": "USD",
            "Price": round(rng.uniform(50, 15000), 2), "DirectCostType": [rng.choice(COST_TYPES)],
            "ResidencyType": ["residency:InState"] if rng.random() < 0.5 else []}


def condition(rng):
    return {"Name": "Requirements", "Description": text(rng, 14), "Condition": [text(rng, 4), text(rng, 5)],
            "TargetAssessment": [ctid(rng)] if rng.random() < 0.5 else [],
            "TargetLearningOpportunity": [{"CTID": ctid(rng)}] if rng.random() < 0.3 else []}


def place(rng):
    return {"Name": "Main campus", "Address1": f"{rng.randint(1, 999)} College Ave", "City": "Riverside",
            "AddressRegion": "CA", "PostalCode": "92501", "Country": "United States"}


def common(rng, name):
    return {"Name": name, "Description": text(rng, rng.randint(12, 40)), "CTID": ctid(rng),
            "SubjectWebpage": f"https://example.edu/{rng.choice(WORDS)}/{rng.randint(1, 9999)}",
            "Keyword": [rng.choice(WORDS) for _ in range(rng.randint(1, 5))], "InLanguage": ["en-US"]}


def organization(rng):
    d = common(rng, text(rng, 3).rstrip(".") + " Institute")
    d.update({"Type": rng.choice(["ceterms:CredentialOrganization", "ceterms:QACredentialOrganization"]),
              "AgentType": rng.sample(ORG_TYPES, rng.randint(1, 3)), "AgentSectorType": rng.choice(SECTORS),
              "Email": ["info@example.edu"], "ServiceType": rng.sample(SERVICES, rng.randint(0, 2)),
              "SocialMedia": ["https://twitter.com/example"], "AccreditedBy": [org_ref(rng)]})
    if rng.random() < 0.5:
        d["Address"] = [place(rng)]
    return {"Organization": d, "DefaultLanguage": "en-US"}


def credential(rng):
    d = common(rng, text(rng, 3).rstrip(".") + " Certificate")
    d.update({"CredentialType": rng.choice(CREDENTIAL_TYPES), "Type": "Credential",
              "CredentialStatusType": "credentialStat:Active", "OwnedBy": [org_ref(rng)],
              "AudienceLevelType": rng.sample(AUD_LEVEL, 2), "DateEffective": "2024-08-15",
              "EstimatedDuration": [duration(rng)], "EstimatedCost": [cost(rng) for _ in range(rng.randint(0, 2))],
              "Requires": [condition(rng) for _ in range(rng.randint(0, 2))],
              "ONET_Codes": ["15-1122.00", "13-2051.00"][: rng.randint(0, 2)], "Naics": ["611310"],
              "AvailableOnlineAt": ["https://example.edu/apply"]})
    return {"Credential": d, "DefaultLanguage": "en-US"}


def assessment(rng):
    d = common(rng, text(rng, 2).rstrip(".") + " Exam")
    d.update({"OfferedBy": [org_ref(rng)], "AvailabilityListing": ["https://example.edu/exams"],
              "AssessmentMethodType": rng.sample(ASSESS, 2), "DeliveryType": rng.sample(DELIVERY, 1),
              "EstimatedDuration": [{"ExactDuration": f"PT{rng.randint(1, 4)}H"}], "Requires": [condition(rng)]})
    return {"Assessment": d}


def learning_opportunity(rng):
    d = common(rng, text(rng, 3).rstrip(".") + " Program")
    key = rng.choice(["LearningOpportunity", "LearningProgram", "Course"])
    d.update({"OfferedBy": [org_ref(rng)], "AvailableAt": [place(rng)], "LearningMethodType": rng.sample(LEARN, 2),
              "DeliveryType": rng.sample(DELIVERY, 2), "EstimatedDuration": [duration(rng)],
              "EstimatedCost": [cost(rng)], "CIP_Codes": ["11.0101"], "DateEffective": "2025-01-06"})
    return {key: d, "DefaultLanguage": "en-US"}


KINDS = [organization, credential, assessment, learning_opportunity]


def generate(n: int, seed: int = 2026) -> list[dict]:
    rng = random.Random(seed)
    return [KINDS[i % len(KINDS)](rng) for i in range(n)]


if __name__ == "__main__":
    import json
    import sys

    json.dump(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 4), sys.stdout, indent=1)
