"""A pathway @graph document for the tests: a pathway and one component, each with what the test adds."""
from __future__ import annotations

ORG = "https://credentialengineregistry.org/resources/ce-2369856c-109d-558c-97eb-655e428a51b1"
PATHWAY = "https://credentialengineregistry.org/resources/ce-5b6a3d0e-8d0c-4b1e-9f51-3a9b2e0d7c10"
COMPONENT = "https://credentialengineregistry.org/resources/ce-0a6a3d0e-8d0c-4b1e-9f51-3a9b2e0d7c11"


def pathway(pathway_fields: dict | None = None, component_fields: dict | None = None,
            component_type: str = "ceterms:CredentialComponent") -> dict:
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@id": PATHWAY.replace("resources", "graph"),
            "@graph": [
                {"@id": PATHWAY, "@type": "ceterms:Pathway", "ceterms:ctid": PATHWAY.rsplit("/", 1)[-1],
                 "ceterms:name": {"en-US": "Welding pathway"},
                 "ceterms:description": {"en-US": "From helper to certified welder."},
                 "ceterms:subjectWebpage": "https://example.edu/welding", "ceterms:ownedBy": [ORG],
                 "ceterms:hasDestinationComponent": [COMPONENT], **(pathway_fields or {})},
                {"@id": COMPONENT, "@type": component_type, "ceterms:ctid": COMPONENT.rsplit("/", 1)[-1],
                 "ceterms:name": {"en-US": "Certified welder"},
                 # a credential component names its credential's class (policy and Registry Assistant)
                 **({"ceterms:credentialType": "ceterms:Certification"}
                    if component_type == "ceterms:CredentialComponent" else {}),
                 **(component_fields or {})}]}
