"""enrich: vocabulary terms, references, codes, nested types, cost items."""
import pytest

from transformer.context import input_context
from transformer.enrich import Options, enrich
from transformer.graph import BNode, IRI, Literal
from transformer.lift import Lifter

C = "https://purl.org/ctdl/terms/"
ORG = "ce-28935e07-76dc-4562-8c43-3ece101686be"
VENDOR = IRI("https://purl.org/ctdl/vocabs/orgType/Vendor")


def run(payload, registry="https://credentialengineregistry.org/", wrapper="Organization"):
    lifter = Lifter(input_context(), "en-US")
    main = lifter.lift_node(payload, input_context(), "/" + wrapper)
    lifter.graph.main = main
    enrich(lifter.graph, Options(registry=registry), lifter.problems)
    g = lifter.graph
    return g, g.nodes[g.main], lifter.problems


def alignments(g, node, pred):
    return [g.nodes[b] for b in node.get(C + pred)]


@pytest.mark.parametrize("written", ["orgType:Vendor", "Vendor", "vendor", "https://purl.org/ctdl/vocabs/orgType/Vendor"])
def test_vocabulary_term_written_any_way_becomes_an_alignment_object(written):
    g, node, problems = run({"AgentType": [written]})
    (cao,) = alignments(g, node, "agentType")
    assert cao.types == [IRI(C + "CredentialAlignmentObject")]
    assert cao.get(C + "targetNode") == [VENDOR]
    assert cao.get(C + "targetNodeName") == [Literal("Vendor", None, "en-US")]
    assert cao.get(C + "framework") == [IRI("https://credreg.net/ctdl/terms/OrganizationType")]
    assert cao.get(C + "frameworkName") == [Literal("Organization Type", None, "en-US")]
    assert cao.get(C + "targetNodeDescription")
    assert problems == []


def test_label_with_spaces_is_found():
    g, node, problems = run({"AgentType": ["Primarily Online"]})
    (cao,) = alignments(g, node, "agentType")
    assert cao.get(C + "targetNode") == [IRI("https://purl.org/ctdl/vocabs/orgType/PrimarilyOnline")]


def test_unknown_term_is_reported_at_its_position_with_a_suggestion():
    g, node, problems = run({"AgentType": ["orgType:Vendor", "Vendr"]})
    (p,) = problems
    assert (p.code, p.path, p.property) == ("unknown-term", "/Organization/AgentType/1", "AgentType")
    assert '"Vendr" is not in Organization Type; did you mean "Vendor"?' == p.message
    # the value is kept (in the scheme's namespace) so nothing is lost and the shape sees it
    targets = [c.first(C + "targetNode") for c in alignments(g, node, "agentType")]
    assert IRI("https://purl.org/ctdl/vocabs/orgType/Vendr") in targets


def test_main_resource_gets_its_registry_uri_and_lowercase_ctid():
    g, node, _ = run({"CTID": ORG.upper().replace("CE-", "ce-")})
    assert node.id == IRI(f"https://credentialengineregistry.org/resources/{ORG}")
    assert node.get(C + "ctid") == [Literal(ORG)]


def test_sandbox_registry_is_configurable():
    g, node, _ = run({"CTID": ORG, "AccreditedBy": [ORG]}, registry="https://sandbox.credentialengineregistry.org/")
    assert node.get(C + "accreditedBy") == [IRI(f"https://sandbox.credentialengineregistry.org/resources/{ORG}")]


@pytest.mark.parametrize("ref", [ORG, {"CTID": ORG}, {"CTID": ORG.upper().replace("CE-", "ce-")}])
def test_references_by_ctid(ref):
    g, node, problems = run({"OwnedBy": [ref]}, wrapper="Credential")
    assert node.get(C + "ownedBy") == [IRI(f"https://credentialengineregistry.org/resources/{ORG}")]
    assert len(g.nodes) == 1  # the {"CTID": ...} object did not stay behind as a node
    assert problems == []


def test_bare_uuid_reference_is_a_violation_with_the_fix():
    g, node, problems = run({"OwnedBy": ["28935e07-76dc-4562-8c43-3ece101686be"]}, wrapper="Credential")
    (p,) = problems
    assert (p.code, p.path) == ("invalid-reference", "/Credential/OwnedBy/0")
    assert 'ce-28935e07-76dc-4562-8c43-3ece101686be' in p.fix


def test_inline_organization_stays_a_typed_blank_node():
    g, node, _ = run({"AccreditedBy": [{"Type": "QACredentialOrganization", "Name": "QA", "SubjectWebpage": "https://qa.example"}]})
    (ref,) = node.get(C + "accreditedBy")
    assert isinstance(ref, BNode) and g.nodes[ref].types == [IRI(C + "QACredentialOrganization")]


def test_nested_profiles_get_their_types():
    g, node, _ = run({"Requires": [{"Description": "x"}], "EstimatedDuration": [{"ExactDuration": "PT1H"}],
                      "EstimatedCost": [{"Description": "y", "Price": 10}], "AvailableAt": [{"Name": "Campus"}]},
                     wrapper="Credential")
    for pred, cls in [("requires", "ConditionProfile"), ("estimatedDuration", "DurationProfile"),
                      ("estimatedCost", "CostProfile"), ("availableAt", "Place")]:
        (child,) = alignments(g, node, pred)
        assert child.types == [IRI(C + cls)], pred


def test_credential_type_keeps_the_specific_class():
    g, node, _ = run({"Type": "Credential", "CredentialType": "ceterms:Certification"}, wrapper="Credential")
    assert node.types == [IRI(C + "Certification")]


def test_occupation_codes_become_alignment_objects_with_framework():
    g, node, problems = run({"ONET_Codes": ["15-1122.00"], "Naics": ["611310"], "CIP_Codes": ["11.0101"]}, wrapper="Credential")
    (occ,) = alignments(g, node, "occupationType")
    assert occ.get(C + "codedNotation") == [Literal("15-1122.00")]
    assert occ.get(C + "framework") == [IRI("https://www.onetcenter.org/taxonomy.html")]
    assert occ.get(C + "targetNode") == [IRI("https://www.onetonline.org/link/summary/15-1122.00")]
    # Naics codes stay plain ceterms:naics codes, as the registry publishes them
    assert node.get(C + "naics") == [Literal("611310")]
    (cip,) = alignments(g, node, "instructionalProgramType")
    assert cip.get(C + "codedNotation") == [Literal("11.0101")]
    assert cip.get(C + "framework") == [IRI("https://nces.ed.gov/ipeds/cipcode/Default.aspx?y=55")]
    assert problems == []


def test_bare_codes_in_industry_type_are_not_lost():
    """The handbook's own example turns IndustryType codes into []; we keep them."""
    g, node, problems = run({"IndustryType": ["333922", "333923"]}, wrapper="Credential")
    codes = sorted(c.first(C + "codedNotation").value for c in alignments(g, node, "industryType"))
    assert codes == ["333922", "333923"]


def test_invalid_code_is_reported():
    g, node, problems = run({"ONET_Codes": ["nurse"]}, wrapper="Credential")
    (p,) = problems
    assert (p.code, p.path) == ("invalid-code", "/Credential/ONET_Codes/0")


def test_alternative_names_become_alignment_objects_with_only_a_name():
    g, node, _ = run({"AlternativeOccupationType": ["Cybersecurity"]}, wrapper="Credential")
    (cao,) = alignments(g, node, "occupationType")
    assert cao.get(C + "targetNodeName") == [Literal("Cybersecurity", None, "en-US")]


def test_cost_items_expand_to_one_cost_profile_each():
    g, node, _ = run({"EstimatedCost": [{"Description": "Costs", "CostDetails": "https://x.example/costs", "Currency": "USD",
                                         "CostItems": [{"DirectCostType": "Application", "Price": 100},
                                                       {"DirectCostType": "Tuition", "Price": 12999}]}]},
                     wrapper="Credential")
    profiles = alignments(g, node, "estimatedCost")
    assert len(profiles) == 2
    prices = sorted(p.first(C + "price").value for p in profiles)
    assert prices == ["100.0", "12999.0"]
    for p in profiles:
        assert p.types == [IRI(C + "CostProfile")]
        assert p.first(C + "currency") == Literal("USD")
        assert p.get(C + "directCostType")


def test_missing_credential_status_defaults_to_active_with_a_warning():
    g, node, problems = run({"Type": "ceterms:Certificate"}, wrapper="Credential")
    (cao,) = alignments(g, node, "credentialStatusType")
    assert cao.first(C + "targetNode") == IRI("https://purl.org/ctdl/vocabs/credentialStat/Active")
    assert [p.code for p in problems] == ["defaulted"]


def test_framework_item_language_maps_name_the_target_node():
    g, node, _ = run({"OccupationType": [{"ceterms:name": {"en-US": "Analysts"}, "CodedNotation": "15-2041.00"}]},
                     wrapper="Credential")
    (cao,) = alignments(g, node, "occupationType")
    assert cao.get(C + "targetNodeName") == [Literal("Analysts", None, "en-US")]
    assert C + "name" not in cao.props
