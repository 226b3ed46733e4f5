"""enrich: turn a lifted graph into CTDL as the registry publishes it.

* references: CTIDs become ``{registry}resources/{ctid}``; ``{"CTID": ...}`` objects become
  references; bare UUIDs and other non-references are reported with the fix;
* the main resource gets its registry URI, CTIDs are lower-cased;
* nested objects without a type get the type their property implies (Requires ->
  ConditionProfile); ``Type: Credential`` + ``CredentialType`` keeps the specific class;
* vocabulary values (``orgType:Vendor``, ``Vendor``, ``Primarily Online``, a concept IRI) become
  ``ceterms:CredentialAlignmentObject`` nodes with framework, names and description;
* occupation / industry / program codes (``ONET_Codes``, ``Naics``, ``CIP_Codes``, or a bare code
  in ``IndustryType``) become alignment objects with framework and ``codedNotation``;
* ``CostItems`` expand to one CostProfile per item, as the registry models costs.

Longer than most modules: the steps are methods of one ``Enricher`` that share the graph, the
problem list and the nodes' pointers, and run in an order that matters (references before types,
types before vocabularies); values and dates are in ``values.py`` / ``normalize.py`` already.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import lru_cache

from .context import ctdl_context
from .graph import BNode, Graph, IRI, Literal, Node, XSD, new_bnode
from .ids import CTID_RE, UUID_RE
from .lift import REF, TERM
from .report import Result, VIOLATION, WARNING
from .values import normalize_code, publish_values
from .resources import data_json
from .vocab import CETERMS, embedded_classes, in_graph_resources, schema_index, vocabularies

CTDLA = "urn:ctdl-assistant:input:"
XSD_LANGUAGE = XSD + "language"
C = CETERMS
CAO = IRI(C + "CredentialAlignmentObject")
CTID = C + "ctid"
ASN = "https://purl.org/ctdlasn/terms/"
SKOS_SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme"
DEFAULT_REGISTRY = "https://credentialengineregistry.org/"
SANDBOX_REGISTRY = "https://sandbox.credentialengineregistry.org/"
ALTERNATIVES = {CTDLA + "alternativeOccupationType": C + "occupationType",
                CTDLA + "alternativeIndustryType": C + "industryType",
                CTDLA + "alternativeInstructionalProgramType": C + "instructionalProgramType"}


@dataclass
class Options:
    registry: str = DEFAULT_REGISTRY
    language: str = "en-US"

    def resource_uri(self, ctid: str) -> str:
        return f"{self.registry.rstrip('/')}/resources/{ctid.lower()}"

    def graph_uri(self, ctid: str) -> str:
        return f"{self.registry.rstrip('/')}/graph/{ctid.lower()}"


_REBOUND: dict[int, tuple] = {}   # id(schema index) -> (it, types -> keys to move): Enricher.rebound_for


class Enricher:
    def __init__(self, graph: Graph, opts: Options, problems: list[Result]):
        self.g = graph
        self.opts = opts
        self.problems = problems
        self.vocab = vocabularies()
        self.schema = schema_index()
        self.in_graph = in_graph_resources()

    def problem(self, severity, code, message, node: Node, pred: str, value=None, fix="") -> None:
        self.problems.append(Result(
            severity, code, message, path=node.pointer_of(pred, value),
            property=node.key_name.get(pred, ""), focus=str(node.id),
            value=value.value if isinstance(value, Literal) else (str(value) if value else None), fix=fix))

    def run(self) -> Graph:
        self.main_identity()
        for node in list(self.g.nodes.values()):
            self.text_alignments(node)   # before references: text given for a URL/CTID is not a name
        for node in list(self.g.nodes.values()):
            self.references(node)
        refs = self.g.referrers()
        for node in list(self.g.nodes.values()):
            self.types(node, refs.get(node.id, []))
        for node in list(self.g.nodes.values()):
            self.cost_items(node)
        for node in list(self.g.nodes.values()):
            self.codes(node)
            self.vocabulary(node)
            publish_values(node, self.assumed)
        self.merge_duplicate_entities()
        for node in list(self.g.nodes.values()):
            self.input_only(node)
        self.defaults()
        return self.g

    # -- identity ------------------------------------------------------------------------------
    def main_identity(self) -> None:
        for node in self.g.nodes.values():
            for i, v in enumerate(node.get(CTID)):
                if isinstance(v, Literal) and CTID_RE.match(v.value.strip()):
                    node.replace(CTID, i, Literal(v.value.strip().lower(), v.datatype))
        for id in [self.g.main, *self.g.members]:
            node = self.g.nodes.get(id) if id is not None else None
            if node is None:
                continue
            ctid = node.first(CTID)
            if isinstance(ctid, Literal) and CTID_RE.match(ctid.value) and isinstance(node.id, IRI) \
                    and node.id != self.opts.resource_uri(ctid.value):
                self.given_id(node, ctid.value)
            if isinstance(ctid, Literal) and CTID_RE.match(ctid.value) and isinstance(node.id, BNode):
                self.rename(node.id, IRI(self.opts.resource_uri(ctid.value)))
            elif isinstance(ctid, Literal) and not CTID_RE.match(ctid.value):
                self.problem(VIOLATION, "invalid-ctid", _ctid_message(ctid.value), node, CTID, ctid,
                             fix=_ctid_fix(ctid.value))

    def given_id(self, node: Node, ctid: str) -> None:
        """A resource given its own @id (CtdlId): kept when it is a web address, as the Registry
        Assistant allows, with a warning; else the registry URI of its CTID, with a warning."""
        uri = self.opts.resource_uri(ctid)
        given = str(node.id)
        where = Result(WARNING, "invalid-format", "", path=node.pointer + "/@id", value=given, focus=given)
        if re.match(r"^https?://[^\s/$.?#][^\s]*$", given):
            where.message = (f"the resource is published under the @id given, {given}, not its registry URI {uri}: "
                             "references to its CTID elsewhere lead to the registry URI")
            where.fix = "Leave @id (CtdlId) out unless the resource really lives at that address."
        else:
            where.message = f'"{given}" is not a web address, so the registry URI {uri} was used as the @id'
            where.fix = "Leave @id (CtdlId) out: the registry gives the resource its URI from its CTID."
            self.rename(node.id, BNode(f"given-{ctid}"))
        self.problems.append(where)

    def rename(self, old, new) -> None:
        if old in self.g.members:   # a member keeps its place (the request's order)
            self.g.nodes = {(new if k == old else k): v for k, v in self.g.nodes.items()}
            node = self.g.nodes[new]
        else:
            node = self.g.nodes.pop(old)
            self.g.nodes = {new: node, **self.g.nodes}
        node.id = new
        if self.g.main == old:
            self.g.main = new
        self.g.members = [new if m == old else m for m in self.g.members]
        for n in self.g.nodes.values():
            for p, values in n.props.items():
                for i, v in enumerate(values):
                    if v == old and type(v) is type(old):
                        values[i] = new

    # -- references ----------------------------------------------------------------------------
    def references(self, node: Node) -> None:
        """CTIDs and registry URIs become references; a nested object that carries a CTID or an Id
        (``{"CTID": ...}``, ``{"Id": url, "Type": ...}``) is a reference to the registry's own
        record, so its other fields are not published; except the resources the Registry Assistant
        publishes inside this @graph (vocabularies/in-graph-resources.json: a DataSetProfile with
        its data), which become @graph resources of their own."""
        if node.id not in self.g.nodes:
            return    # removed as part of a reference met earlier
        for pred, values in node.props.items():
            for i, v in enumerate(values):
                if isinstance(v, Literal) and v.datatype == REF:
                    values[i] = self.resolve_reference(node, pred, v)
                elif isinstance(v, BNode) and v != self.g.main and v not in self.g.members:
                    child = self.g.nodes.get(v)
                    ctid = child.first(CTID) if child else None
                    if not (isinstance(ctid, Literal) and CTID_RE.match(ctid.value)):
                        continue
                    if self.embedded_profile(child, pred):
                        continue
                    uri = IRI(self.opts.resource_uri(ctid.value))
                    cls = self.in_graph_class(child, pred)
                    if cls is not None and [p for p in child.props if p != CTID]:
                        self.publish_in_graph(child, uri, cls)
                        values[i] = uri
                        continue
                    self.as_reference(child, "this reference has a CTID")
                    values[i] = uri
                elif isinstance(v, IRI) and v != self.g.main and v in self.g.nodes and v not in self.g.members:
                    # {"Id": "https://.../resources/ce-...", "Type": ...}: the Id says which record
                    self.as_reference(self.g.nodes[v], "this reference has an Id")

    def embedded_profile(self, child: Node, pred: str) -> bool:
        """A profile given with its data (a ProcessProfile: vocabularies/in-graph-resources.json
        "embedded") is published inside the resource even when it carries a CTID, which the Registry
        Assistant does not use for embedded objects: the CTID is left out, with a warning."""
        classes = self.classes_of(child, pred)
        if not [p for p in child.props if p != CTID] or not all(c in embedded_classes() for c in classes):
            return False
        self.problem(WARNING, "ctid-ignored", f"{child.key_name.get(CTID, 'CTID')} is not used here: a "
                     f"{self.schema.label(classes[0])} is part of the resource that holds it, not a record of its "
                     "own, so it is published without a CTID", child, CTID, child.first(CTID),
                     fix="Remove the CTID, or publish the resource on its own and refer to it by its CTID.")
        child.remove(CTID)
        return True

    def classes_of(self, child: Node, pred: str) -> list:
        """The classes of `child`: its own, else the one `pred` implies (None if it implies none)."""
        return list(child.types) or [self.schema.default_types.get(pred)]

    def in_graph_class(self, child: Node, pred: str) -> str | None:
        """The class of `child` (its own, else the one `pred` implies) if it is published in-graph."""
        for t in self.classes_of(child, pred):
            if t in self.in_graph:
                return t
        return None

    def publish_in_graph(self, child: Node, uri: IRI, cls: str) -> None:
        """A resource of its own in this @graph (its registry URI as id), pointing back at the main one."""
        self.rename(child.id, uri)
        if not child.types:
            child.types.append(IRI(cls))
        back = self.in_graph[cls]["back"]
        if isinstance(self.g.main, IRI) and not child.get(back):
            child.add(back, self.g.main, child.pointer)

    def assumed(self, code: str, node: Node, pred: str, value, message: str) -> None:
        self.problem(WARNING, code, message, node, pred, value)

    def as_reference(self, child: Node, why: str) -> None:
        """Drop a reference object's own fields, and the objects only they held (never published)."""
        others = [p for p in child.props if p != CTID]
        if others:
            self.problem(WARNING, "reference-details-ignored",
                         f"{why}, so its other fields ({', '.join(child.key_name.get(p, p) for p in others)}) "
                         "are not published: the registry's own record is used", child, others[0])
        self.drop_subtree(child.id)

    def drop_subtree(self, root) -> None:
        """Remove `root` and the blank nodes it holds, except those also held from elsewhere."""
        inside = self.blank_nodes_below([root])
        held = {v for nid, n in self.g.nodes.items() if nid not in inside
                for values in n.props.values() for v in values if isinstance(v, BNode)}
        keep = self.blank_nodes_below([nid for nid in inside if nid in held and nid != root])
        for nid in inside - keep:
            del self.g.nodes[nid]

    def blank_nodes_below(self, starts: list) -> set:
        """`starts` and every blank node reachable from them (those present in the graph)."""
        seen, todo = set(), list(starts)
        while todo:
            nid = todo.pop()
            if nid in seen or nid not in self.g.nodes:
                continue
            seen.add(nid)
            for values in self.g.nodes[nid].props.values():
                todo.extend(v for v in values if isinstance(v, BNode))
        return seen

    def resolve_reference(self, node: Node, pred: str, v: Literal):
        text = v.value
        if CTID_RE.match(text):
            return IRI(self.opts.resource_uri(text))
        if UUID_RE.match(text):
            self.problem(VIOLATION, "invalid-reference",
                         f'"{text}" is a bare UUID, not a CTID: CTIDs start with "ce-"', node, pred, v,
                         fix=f'If it is a CTID, write "ce-{text.lower()}".')
        elif text.lower().startswith("ce-"):
            self.problem(VIOLATION, "invalid-ctid", _ctid_message(text), node, pred, v, fix=_ctid_fix(text))
        return Literal(text)  # kept as given; the URL shapes report anything else

    # -- types -----------------------------------------------------------------------------------
    def types(self, node: Node, referrers: list[tuple[Node, str]]) -> None:
        fix_type_case(node, self.problems)
        credential = IRI(C + "Credential")
        if credential in node.types and len(node.types) > 1:
            node.types.remove(credential)
        qa = node.first(CTDLA + "isQAOrganization")
        if qa is not None:
            node.remove(CTDLA + "isQAOrganization")
            if isinstance(qa, Literal) and qa.value == "true":
                node.types = [IRI(C + "QACredentialOrganization") if t in (C + "CredentialOrganization", C + "Organization") else t
                              for t in node.types] or [IRI(C + "QACredentialOrganization")]
        if not node.types:
            for _, pred in referrers:
                default = self.schema.default_types.get(pred)
                if default:
                    node.types.append(IRI(default))
                    break
        if CAO in node.types:
            # a FrameworkItem's language map is keyed "ceterms:name" in real requests: in an
            # alignment object, name and description are those of the target node
            for plain, target in ((C + "name", C + "targetNodeName"), (C + "description", C + "targetNodeDescription")):
                for v, ptr in zip(node.get(plain), node.value_pointers.get(plain, [])):
                    node.add(target, v, ptr, node.key_name.get(plain), node.key_pointer.get(plain))
                node.remove(plain)

    # -- cost items ------------------------------------------------------------------------------
    def cost_items(self, node: Node) -> None:
        items = node.get(CTDLA + "costItem")
        if not items:
            return
        refs = [(n, p) for n in self.g.nodes.values() for p, vals in n.props.items() if node.id in vals]
        copies = []
        for item_id in items:
            item = self.g.nodes.pop(item_id, None)
            if item is None:
                continue
            copy = Node(new_bnode(), item.pointer)
            copy.types = list(node.types) or [IRI(C + "CostProfile")]
            for p, vals in node.props.items():
                if p == CTDLA + "costItem":
                    continue
                for v, ptr in zip(vals, node.value_pointers[p]):
                    copy.add(p, v, ptr, node.key_name.get(p), node.key_pointer.get(p))
            for p, vals in item.props.items():
                for v, ptr in zip(vals, item.value_pointers[p]):
                    copy.add(p, v, ptr, item.key_name.get(p), item.key_pointer.get(p))
            copies.append(copy)
        if not copies:
            return
        del self.g.nodes[node.id]
        for c in copies:
            self.g.nodes[c.id] = c
        for n, p in refs:
            vals = n.props[p]
            i = vals.index(node.id)
            ptrs = n.value_pointers[p]
            vals[i:i + 1] = [c.id for c in copies]
            ptrs[i:i + 1] = [ptrs[i]] * len(copies)

    # -- codes -----------------------------------------------------------------------------------
    def codes(self, node: Node) -> None:
        for pred in list(node.props):
            fw = self.vocab.frameworks.get(pred)
            if fw is not None:
                for v, ptr in zip(node.props[pred], node.value_pointers[pred]):
                    self.code_alignment(node, fw, v, ptr, node.key_name.get(pred, ""))
                node.remove(pred)
            elif pred in ALTERNATIVES:
                target = ALTERNATIVES[pred]
                for v, ptr in zip(node.props[pred], node.value_pointers[pred]):
                    cao = self.new_cao(ptr)
                    cao.add(C + "targetNodeName", v, ptr)
                    node.add(target, cao.id, ptr, node.key_name.get(pred), node.key_pointer.get(pred))
                node.remove(pred)
        for fw in self.vocab.frameworks.values():
            vals = node.props.get(fw.target_property)
            if not vals:
                continue
            for i, v in enumerate(list(vals)):
                ptr = node.value_pointers[fw.target_property][i]
                if isinstance(v, Literal):
                    # a bare code where an alignment object is expected (handbook: "IndustryType": ["333922"])
                    vals[i] = self.code_alignment(node, fw, v, ptr, node.key_name.get(fw.target_property, ""), add=False)
                elif isinstance(v, BNode) and v in self.g.nodes:
                    # a FrameworkItem with a code but no framework: the property says which one
                    item = self.g.nodes[v]
                    if item.get(C + "codedNotation") and not item.get(C + "framework"):
                        item.add(C + "framework", IRI(fw.framework), ptr)
                        if not item.get(C + "frameworkName"):
                            item.add(C + "frameworkName", Literal(fw.name, None, self.opts.language), ptr)

    def code_alignment(self, node: Node, fw, v, ptr: str, key: str, add: bool = True):
        code, _ = normalize_code(fw.iri, v.value if isinstance(v, Literal) else str(v))
        cao = self.new_cao(ptr)
        cao.add(C + "codedNotation", Literal(code), ptr)
        cao.add(C + "framework", IRI(fw.framework), ptr)
        cao.add(C + "frameworkName", Literal(fw.name, None, self.opts.language), ptr)
        if fw.pattern is not None and not fw.pattern.match(code):
            self.problems.append(Result(VIOLATION, "invalid-code",
                                        f'"{code}" is not a valid {fw.name} code', path=ptr, property=key,
                                        value=code, fix=f"Codes look like {_example(fw.pattern.pattern)}."))
        elif fw.template:
            cao.add(C + "targetNode", IRI(fw.template.replace("{code}", code)), ptr)
        if add:
            node.add(fw.target_property, cao.id, ptr, key, None)
        return cao.id

    def new_cao(self, pointer: str) -> Node:
        cao = self.g.node(new_bnode(), pointer)
        cao.types.append(CAO)
        return cao

    # -- vocabularies ------------------------------------------------------------------------------
    def vocabulary(self, node: Node) -> None:
        for pred, values in node.props.items():
            scheme = self.vocab.scheme_for(pred)
            if scheme is None:
                self.class_names(node, pred, values)
                continue
            for i, v in enumerate(values):
                if isinstance(v, BNode):
                    continue
                ptr = node.value_pointers[pred][i]
                if isinstance(v, IRI):
                    concept = self.vocab.concepts.get(v) or scheme.find(v.rsplit("/", 1)[-1])
                    target = IRI(concept.iri) if concept else v
                elif isinstance(v, Literal):
                    concept = scheme.find(v.value)
                    target = IRI(concept.iri) if concept else IRI(scheme.namespace + re.sub(r"\s+", "", v.value))
                else:
                    continue
                if concept is None:
                    shown = v.value if isinstance(v, Literal) else ctdl_context().compact(v)
                    hint = scheme.suggest(shown)
                    self.problems.append(Result(
                        VIOLATION, "unknown-term",
                        f'"{shown}" is not in {scheme.label}' + (f'; did you mean "{hint}"?' if hint else "."),
                        path=ptr, property=node.key_name.get(pred, ""), focus=str(node.id), value=shown,
                        fix=f'Use a term of {scheme.label}' + (f', e.g. "{hint}".' if hint else ".")))
                if concept is not None and pred.startswith(ASN) and \
                        C + "CredentialAlignmentObject" not in self.schema.ranges.get(pred, ()):
                    values[i] = target    # CTDL-ASN takes the concept itself (ceasn:publicationStatusType)
                else:
                    values[i] = self.alignment(concept, scheme, target, ptr).id

    def class_names(self, node: Node, pred: str, values: list) -> None:
        """A class named by its local name where a property takes a class ("CredentialType":
        "DigitalBadge" in a pathway component): the CTDL class, in any case."""
        for i, v in enumerate(values):
            if isinstance(v, Literal) and v.datatype == TERM:
                iri = C + re.sub(r"\s+", "", v.value)
                right = iri if iri in self.schema.classes else self.schema.class_in_any_case(iri)
                if right is not None:
                    values[i] = IRI(right)

    def text_alignments(self, node: Node) -> None:
        """Text where CTDL wants an alignment object (Subject, DegreeMajor, UnitText...: not a
        vocabulary) becomes one, named by the text, as the Registry Assistant publishes it; a CTID
        there is a reference."""
        for pred, values in node.props.items():
            rng = self.schema.ranges.get(pred)
            if not rng or CAO not in rng or self.vocab.scheme_for(pred) is not None:
                continue
            for i, v in enumerate(values):
                if not isinstance(v, Literal) or v.datatype in (REF, TERM):
                    continue
                ptr = node.value_pointers[pred][i]
                if CTID_RE.match(v.value.strip()):
                    values[i] = IRI(self.opts.resource_uri(v.value.strip()))
                    continue
                cao = self.new_cao(ptr)
                cao.add(C + "targetNodeName", Literal(v.value, None, v.lang or self.opts.language), ptr)
                values[i] = cao.id

    def alignment(self, concept, scheme, target: IRI, ptr: str) -> Node:
        cao = self.new_cao(ptr)
        if concept is not None and concept.scheme != scheme.iri:
            scheme = self.vocab.schemes.get(concept.scheme, scheme)
        for pred, value, is_iri in scheme.alignment(concept, str(target)):
            cao.add(pred, IRI(value) if is_iri else Literal(value, None, "en-US"), ptr)
        return cao

    # -- input-only keys ---------------------------------------------------------------------------
    def rebound_for(self, types: tuple) -> dict[str, str]:
        """The keys to move on a node of ``types`` (rebound_properties, and rebound_by_class for its
        classes), worked out once per combination of types in a process (the tables and the schema
        are read once per process; an Enricher lives for one request, so a memo of its own was
        worked out again for every row of an upload)."""
        memo = _REBOUND.get(id(self.schema))
        if memo is None or memo[0] is not self.schema:
            memo = _REBOUND[id(self.schema)] = (self.schema, {})
        memo = memo[1]
        hit = memo.get(types)
        if hit is None:
            hit = dict(rebound_properties())
            for cls, moves in rebound_by_class().items():
                if any(t == cls or self.schema.is_subclass(t, cls) for t in types):
                    hit.update(moves)
            memo[types] = hit
        return hit

    def input_only(self, node: Node) -> None:
        """Nothing internal is ever published: an input-only term (urn:ctdl-assistant:input:...) left
        after enriching is moved to its CTDL property, appended to another, or refused
        (contexts/input-only-properties.json)."""
        table = input_only_properties()
        for pred, target in self.rebound_for(tuple(node.types)).items():
            if pred in node.props:
                for v, ptr in zip(node.props[pred], node.value_pointers[pred]):
                    node.add(target, v, ptr, node.key_name.get(pred), node.key_pointer.get(pred))
                node.remove(pred)
        for pred in [p for p in node.props if p.startswith(CTDLA)]:
            spec = table.get(pred[len(CTDLA):], {})
            key = node.key_name.get(pred, pred[len(CTDLA):])
            values, pointers = node.props[pred], node.value_pointers[pred]
            if "map" in spec:
                target = ctdl_context().expand_curie(spec["map"])
                wrap = spec.get("wrap")
                for v, ptr in zip(values, pointers):
                    if wrap and isinstance(v, Literal):   # 2017 text where CTDL now takes an object
                        holder = self.g.node(new_bnode(), ptr)
                        holder.types.append(IRI(ctdl_context().expand_curie(wrap["type"])))
                        holder.add(ctdl_context().expand_curie(wrap["property"]), Literal(v.value), ptr)
                        v = holder.id
                    node.add(target, v, ptr, key, node.key_pointer.get(pred))
                self.problem(WARNING, "superseded-key", f"{key} is an older name of {spec['name']}; it was "
                             f"published as {spec['name']}", node, pred, fix=f"Write {spec['name']}.")
            elif "append" in spec:
                target = ctdl_context().expand_curie(spec["append"])
                extra = " ".join(v.value for v in values if isinstance(v, Literal))
                current = node.get(target)
                if current and isinstance(current[0], Literal):
                    first = current[0]
                    node.replace(target, 0, Literal(f"{first.value}, {extra}", first.datatype, first.lang))
                elif extra:
                    node.add(target, Literal(extra, None, self.opts.language), pointers[0], key)
            else:
                self.problem(VIOLATION, "not-published", f"{key} has no CTDL property, so it cannot be published",
                             node, pred, values[0] if values else None,
                             fix=spec.get("fix", f"Remove {key}, or give its value under a CTDL property."))
                for v in values:
                    if isinstance(v, BNode):
                        self.drop_subtree(v)   # objects only the refused key held are not published either
            node.remove(pred)

    # -- duplicates ------------------------------------------------------------------------------
    def merge_duplicate_entities(self) -> None:
        """The same inline organization given twice (OwnedBy and OfferedBy) is one resource."""
        seen: dict = {}
        rename: dict = {}
        for node in list(self.g.nodes.values()):
            if not isinstance(node.id, BNode) or node.id == self.g.main or node.id in self.g.members or \
                    not any(t in self.schema.entity_classes for t in node.types):
                continue
            key = (tuple(sorted(node.types)), tuple(sorted((p, tuple(sorted(map(repr, v)))) for p, v in node.props.items())))
            if key in seen:
                rename[node.id] = seen[key]
                del self.g.nodes[node.id]
            else:
                seen[key] = node.id
        if rename:
            for n in self.g.nodes.values():
                for values in n.props.values():
                    for i, v in enumerate(values):
                        if isinstance(v, BNode) and v in rename:
                            values[i] = rename[v]

    # -- defaults ------------------------------------------------------------------------------------
    def defaults(self) -> None:
        main = self.g.nodes.get(self.g.main) if self.g.main else None
        if main is None:
            return
        in_language = C + "inLanguage"
        if not main.get(in_language) and any(
                self.schema.is_subclass(t, C + cls) for t in main.types
                for cls in ("Credential", "AssessmentProfile", "LearningOpportunityProfile")):
            # as the Registry Assistant does: the request's language is the resource's language
            main.add(in_language, Literal(self.opts.language, XSD_LANGUAGE), main.pointer, "InLanguage")
        asn_language = ASN + "inLanguage"
        if not main.get(asn_language) and any(self.schema.is_subclass(t, SKOS_SCHEME) for t in main.types):
            # a concept scheme's or progression model's InLanguage is "required unless DefaultLanguage is
            # provided" (the Registry Assistant's ConceptScheme / ProgressionModel models)
            main.add(asn_language, Literal(self.opts.language, XSD_LANGUAGE), main.pointer, "InLanguage")
        status = C + "credentialStatusType"
        if any(self.schema.is_subclass(t, C + "Credential") for t in main.types) and not main.get(status):
            scheme = self.vocab.scheme_for(status)
            concept = scheme.find("Active") if scheme else None
            if concept is not None:
                ptr = main.pointer + "/CredentialStatusType"
                main.add(status, self.alignment(concept, scheme, IRI(concept.iri), ptr).id, ptr,
                         "CredentialStatusType", ptr)
                self.problems.append(Result(WARNING, "defaulted", "CredentialStatusType was not given; "
                                            "it was set to Active", path=ptr, property="CredentialStatusType",
                                            fix="Give CredentialStatusType explicitly."))


def fix_type_case(node: Node, problems: list[Result]) -> None:
    """A type written in another case ("license") is the class it names (ceterms:License), said once."""
    schema = schema_index()
    for i, t in enumerate(node.types):
        right = schema.class_in_any_case(t)
        if right is not None:
            node.types[i] = IRI(right)
            ctx = ctdl_context()
            problems.append(Result(WARNING, "legacy-form", f'the type "{t.rsplit("/", 1)[-1]}" was read as '
                                   f"{ctx.compact(right)}", path=node.pointer + "/Type", property="Type",
                                   value=ctx.compact(t), focus=str(node.id),
                                   fix=f'Write "{ctx.compact(right)}": CTDL class names are case-sensitive.'))


def _ctid_message(text: str) -> str:
    return f'"{text}" is not a valid CTID'


def _ctid_fix(text: str) -> str:
    return ('A CTID is "ce-" followed by a UUID, e.g. "ce-' + str(uuid.uuid4()) + '"; '
            "generate one per resource and keep it.")


def _example(pattern: str) -> str:
    return {"^\\d{2}-\\d{4}(\\.\\d{2})?$": '"15-1122.00"', "^\\d{2,6}$": '"611310"'}.get(pattern, f"/{pattern}/")


def input_only_properties() -> dict[str, dict]:
    """Local name of an input-only term -> what becomes of it (contexts/input-only-properties.json)."""
    return data_json("contexts", "input-only-properties.json")["properties"]


@lru_cache(maxsize=1)
def rebound_by_class() -> dict[str, dict[str, str]]:
    """CTDL class -> {key the Registry Assistant binds wrongly for it: the class's property}."""
    ctx = ctdl_context()
    table = data_json("contexts", "input-only-properties.json").get("rebound_by_class", {})
    return {ctx.expand_curie(c) or c: {ctx.expand_curie(k) or k: ctx.expand_curie(v) or v for k, v in moves.items()}
            for c, moves in table.items()}


@lru_cache(maxsize=1)
def rebound_properties() -> dict[str, str]:
    """Full IRI of a key the Registry Assistant binds to another term -> that term's full IRI."""
    ctx = ctdl_context()
    rebound = data_json("contexts", "input-only-properties.json").get("rebound", {})
    return {ctx.expand_curie(k) or k: ctx.expand_curie(v) or v for k, v in rebound.items()}


def enrich(graph: Graph, opts: Options | None = None, problems: list[Result] | None = None) -> Graph:
    return Enricher(graph, opts or Options(), problems if problems is not None else []).run()
