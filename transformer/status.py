"""Cease a published resource: its status set to what the request says (the Registry Assistant's
CeaseRequest: "NewStatus ... If blank, the resources will be set to deactivated/ceased").

A credential's status is ``ceterms:credentialStatusType`` (blank: ``credentialStat:Deprecated``,
"Awards of the credential have ceased"); any other resource's is ``ceterms:lifeCycleStatusType``
(blank: ``lifeCycle:Ceased``).  The new status replaces the old one as the alignment object the
Registry Assistant publishes; nothing else in the document changes.
"""
from __future__ import annotations

import copy

from .context import ctdl_context, document_context
from .errors import WrongShape
from .vocab import CETERMS, schema_index, vocabularies

DEFAULTS = {CETERMS + "credentialStatusType": "Deprecated", CETERMS + "lifeCycleStatusType": "Ceased"}


def status_property(ctdl_type: str) -> str:
    """The status property of a resource of ``ctdl_type`` (compact or full)."""
    full = ctdl_context().expand_curie(ctdl_type) or ctdl_type
    if schema_index().is_subclass(full, CETERMS + "Credential"):
        return CETERMS + "credentialStatusType"
    return CETERMS + "lifeCycleStatusType"


def with_status(document: dict, new_status: str | None) -> tuple[dict, str]:
    """(a copy of ``document`` whose main resource has the new status, the status's compact IRI)."""
    doc = copy.deepcopy(document)
    graph = doc.get("@graph") if isinstance(doc.get("@graph"), list) else [doc]
    main = graph[0] if graph and isinstance(graph[0], dict) else None
    if main is None or not isinstance(main.get("@type"), str):
        raise WrongShape("the published document has no main resource with a type to cease", pointer="/CTID")
    prop = status_property(main["@type"])
    scheme = vocabularies().scheme_for(prop)
    text = (new_status or "").strip() or DEFAULTS[prop]
    concept = scheme.find(text) if scheme else None
    if concept is None:
        terms = ", ".join(sorted(c.notation for c in scheme.concepts.values())) if scheme else ""
        raise WrongShape(f'NewStatus "{text}" is not a term of {scheme.label if scheme else prop}: use one of {terms}',
                         pointer="/NewStatus")
    ctx = document_context(doc.get("@context")) if doc.get("@context") else ctdl_context()
    key = ctdl_context().compact(prop)
    cao = {"@type": "ceterms:CredentialAlignmentObject"}
    for pred, value, is_iri in scheme.alignment(concept, concept.iri):
        name = ctdl_context().compact(pred)
        if pred == CETERMS + "targetNode":
            short = ctx.compact(value)
            cao[name] = short if short != value and short.split(":")[0] in ctx.terms else value
        else:
            cao[name] = value if is_iri else {"en-US": value}
    main[key] = cao     # single-valued in CTDL
    return doc, ctdl_context().compact(concept.iri)
