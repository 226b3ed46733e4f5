"""One spreadsheet row -> one Registry Assistant request (``row_request``): cells split on ``|``,
vocabulary labels and codes passed through, languages, dates, numbers and booleans read as
people type them, Available At / Owned By / Target Credentials resolved against the organization's
addresses, manifests and credentials.  Longer than most modules: ``_Builder`` is one cell rule per
kind of column, kept together so that each rule's message and pointer read alike."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ...ids import CTID_RE, derive_ctid
from ...memo import PerObject
from ...report import INFO, VIOLATION, WARNING
from ..frameworks.columns import language_tag
from .columns import DEFER, SEPARATOR, Column, ColumnModel
from .model import column_model
from .sheet import CODES, CellProblem, cell_problem, FALSE_TEXT, Row, SAME_AS_OWNER, SheetRows, TRUE_TEXT, US_DATE

# -- one row -> a request ----------------------------------------------------------------------------------
@dataclass
class RowRequest:
    request: dict
    problems: list[CellProblem]
    wrapper: str
    origins: dict                    # pointer segments in the resource -> (column key, value text)
    deferred: bool = False
    ctid: str | None = None
    ctid_derived: bool = False


def row_columns(columns, row: Row) -> tuple[ColumnModel, list[Column]]:
    """(the model, the columns) a row is read with: the sheet's or model's given, else the project's."""
    if isinstance(columns, ColumnModel):      # the model's own list (read, never changed)
        return columns, columns.columns
    if isinstance(columns, SheetRows):
        return columns.model, columns.model.columns
    model = column_model(row.type)
    return model, list(model.columns if columns is None else columns)


def split_cell(text: str) -> list[str]:
    return [v.strip() for v in text.split(SEPARATOR) if v.strip()]


def row_request(row: Row, columns, org_ctid: str, addresses: dict | None = None,
                default_language: str = "en-US", credentials: dict | None = None,
                manifests: dict | None = None) -> tuple[dict, list[CellProblem]]:
    """The Registry Assistant request of a row, ``{"Course": {...}, "PublishForOrganizationIdentifier":
    org}``, and the problems found in its cells (before the pipeline runs).  ``addresses``: the
    organization's places, address id -> Place (Registry Assistant form); ``credentials``: External
    Identifier -> CTID of the organization's credentials (Target Credentials may name them);
    ``manifests``: the organization's reference data: {"cost": {id: CTID}, "condition": {id: CTID}}
    (Common Costs / Common Conditions), {"framework": {CTID: [competency CTIDs]}} (Teaches
    Competency Framework: the frameworks of the registry the cells name)."""
    built = build_request(row, columns, org_ctid, addresses, default_language, credentials, manifests)
    return built.request, built.problems


def build_request(row: Row, columns, org_ctid: str, addresses: dict | None = None,
                  default_language: str = "en-US", credentials: dict | None = None,
                  manifests: dict | None = None) -> RowRequest:
    model, cols = row_columns(columns, row)
    b = _Builder(row, model, cols, (org_ctid or "").strip().lower(), addresses, default_language or "en-US",
                 credentials or {}, manifests or {})
    return b.run()


_ACTIVE_KINDS = {"credentials", "place"}            # a blank cell says something: deferred, the default place
_ACTIVE_KEYS = {"LearningOpportunityClassType", "TargetCredentialRelationship"}
def _quiet(col: Column) -> bool:
    """Does a blank cell of this column leave the request as it is and break no rule (no minCount)?"""
    return col.kind not in _ACTIVE_KINDS and col.key not in _ACTIVE_KEYS and \
        not any(r.component == "minCount" for r in col.rules)


# asked for every column of every row: remembered per column, per list of columns
_quiet_when_empty = PerObject(_quiet, 5000)
_ctid_columns = PerObject(lambda cols: tuple(c for c in cols if c.kind == "ctid"))


class _Builder:
    def __init__(self, row: Row, model: ColumnModel, cols: list[Column], org: str, addresses, language: str,
                 credentials: dict, manifests: dict):
        self.row, self.model, self.cols = row, model, cols
        self.org, self.addresses, self.language, self.credentials = org, addresses, language, credentials
        self.manifests = manifests
        self.body: dict = {}
        self.origins: dict = {}
        self.problems: list[CellProblem] = []
        self.wrapper = model.wrapper
        self.by_key = model.by_key if cols is model.columns else {c.key: c for c in cols}

    # helpers
    def header(self, col: Column) -> str:
        return self.row.headers.get(col.key, col.header)

    def problem(self, col: Column | None, value, message: str, code: str, severity: str = VIOLATION,
                shape: str = "", fix: str = "") -> None:
        if col is None:
            self.problems.append(cell_problem(self.row.number, "", value, message, code, severity, fix=fix))
            return
        self.problems.append(cell_problem(self.row.number, self.header(col), value, message, code, severity,
                                         self.row.letters.get(col.key, ""),
                                         shape or (col.shapes[0] if col.shapes else ""), fix=fix))

    def put(self, col: Column, key_path: str, values: list, texts: list[str], multiple: bool) -> None:
        """Set ``key_path`` (CreditValue/Value) in the body; remember where each value came from."""
        keys = key_path.split("/")
        target = self.body
        segs: list[str] = []
        for k in keys[:-1]:
            holder = target.setdefault(k, [{}])
            target = holder[0]
            segs += [k, "0"]
            self.origins.setdefault((k,), (col.key, None))
        last = keys[-1]
        if multiple:
            existing = target.setdefault(last, [])
            start = len(existing)
            existing.extend(values)
            for i, t in enumerate(texts):
                self.origins[tuple(segs + [last, str(start + i)])] = (col.key, t)
        else:
            target[last] = values[0]
            self.origins[tuple(segs + [last])] = (col.key, texts[0])
        self.origins.setdefault(tuple(segs + [last]), (col.key, texts[0] if len(texts) == 1 else None))

    def run(self) -> RowRequest:
        row, cols = self.row, self.cols
        deferred, targets, relationship = False, [], None
        ctid, ctid_derived = None, False
        places: list[tuple[str, dict, Column]] = []
        condition: dict[str, tuple[list[str], Column]] = {}
        cells = row.cells
        for col in cols:
            text = cells.get(col.key, "")
            if not text and _quiet_when_empty(col):
                continue     # most of a template's columns, on most rows
            values = split_cell(text) if col.multiple else ([text] if text else [])
            values = self.check_rules(col, text, values)
            if col.kind == "identifier":
                continue
            if col.key == "LearningOpportunityClassType":
                self.class_type(col, values)
                continue
            if col.kind == "credentials":
                targets, deferred = self.target_credentials(col, values)
                continue
            if col.key == "TargetCredentialRelationship":
                relationship = (values[0] if values else None, col)
                continue
            if col.kind == "condition":
                if values:
                    condition[col.key] = (values, col)
                continue
            if col.kind == "place":
                places += [(v, p, col) for v, p in self.places(col, values)]
                continue
            if not values:
                continue
            if col.kind == "ctid":
                ctid = values[0].lower()
                self.put(col, col.input_key, [ctid], values, False)
            elif col.kind == "type":
                term = _find_term(col, values[0])
                self.put(col, col.input_key, ["ceterms:" + term.code if term else values[0]], values, False)
                self.origins[("Type",)] = (col.key, values[0])
            elif col.kind == "language":
                self.put(col, col.input_key, [language_tag(v) for v in values], values, True)
            elif col.kind in _LITERALS:
                read, expected = _LITERALS[col.kind]
                parsed = [read(v) for v in values]
                if any(p is None for p in parsed):
                    if not any(r.component == "datatype" for r in col.rules):   # else the shape's message says it
                        self.problem(col, text, f'{self.header(col)} must be {expected} (not "{text}")',
                                     "wrong-datatype")
                    continue
                self.put(col, col.input_key, parsed, values, col.multiple)
            elif col.kind == "date":
                self.put(col, col.input_key, [self.date(col, v) for v in values], values, col.multiple)
            elif col.kind == "framework":     # a framework's competencies are what it teaches
                found = [(c, v) for v in values for c in self.framework(col, v)]
                if found:
                    self.put(col, "Teaches", [c for c, _ in found], [v for _, v in found], True)
            elif col.kind == "manifest":
                found = [(ctid, v) for v in values for ctid in [self.manifest(col, v)] if ctid]
                if found:
                    self.put(col, col.input_key, [c for c, _ in found], [v for _, v in found], True)
            elif col.kind == "reference":
                refs = values
                if col.key in ("OwnedBy", "OfferedBy") and any(v.casefold() in SAME_AS_OWNER for v in values):
                    # "same as owner": the owner (Offered By), or the uploading organization (Owned By)
                    owners = (self.body.get("OwnedBy") if col.key == "OfferedBy" else None) or [self.org]
                    refs = [x for v in values for x in (owners if v.casefold() in SAME_AS_OWNER else [v])]
                    values = [v for v in values for _ in (owners if v.casefold() in SAME_AS_OWNER else [v])]
                self.put(col, col.input_key, refs, values, col.multiple)
            else:   # text, url, vocabulary, term, duration
                self.put(col, col.input_key, list(values), values, col.multiple)
        self.defaults()
        if condition:
            self.condition_profile(condition)
        if places:
            key = next((c.fills or c.input_key for c in cols if c.kind == "place" and (c.input_key or c.fills)),
                       "AvailableAt")
            seen: set[str] = set()
            out = self.body.setdefault(key, [])
            for address_id, place, col in places:
                if address_id in seen:
                    continue
                seen.add(address_id)
                self.origins[(key, str(len(out)))] = (col.key, address_id)
                self.origins.setdefault((key,), (col.key, None))
                out.append(dict(place))
        if targets:
            self.conditions(targets, relationship)
        # the record's CTID: given, else derived from the organization and the External Identifier
        if ctid is None and not any(row.cells.get(c.key) for c in _ctid_columns(cols)):
            ext = row.external_id
            if ext and CTID_RE.match(self.org):
                ctid = derive_ctid(self.org, self.model.type, ext)
                ctid_derived = True
                self.body["CTID"] = ctid
        request = {self.wrapper: self.body, "PublishForOrganizationIdentifier": self.org}
        if self.language != "en-US":
            request["DefaultLanguage"] = self.language
        return RowRequest(request, self.problems, self.wrapper, self.origins, deferred, ctid, ctid_derived)

    # -- cell rules of the bulk column shapes ----------------------------------------------------------------
    def check_rules(self, col: Column, text: str, values: list[str]) -> list[str]:
        rules = col.rules
        if not text and not values:   # an empty cell (most of a template's columns): only a minCount can fail
            rules = [rule for rule in rules if rule.component == "minCount"]
            if not rules:
                return []
        header = self.header(col)
        ok = list(values)
        for rule in rules:
            msg = lambda v: rule.message.replace("{field}", header).replace("{value}", v or "")  # noqa: E731
            code = CODES.get(rule.component, "invalid")
            if rule.component == "minCount":
                if len(values) < int(rule.value) and not (col.key == "LearningOpportunityClassType"
                                                          and len(col.vocabulary) == 1):
                    self.problem(col, None, msg(""), code, shape=rule.shape)
            elif rule.component == "maxCount":
                if not col.multiple and SEPARATOR in text and not col.free_text:
                    self.problem(col, text, f"{header} takes one value, not several separated by |", code,
                                 shape=rule.shape)
                    ok = []
            elif rule.component in ("maxLength", "minLength"):
                for v in values:
                    if (len(v) > int(rule.value)) if rule.component == "maxLength" else (len(v) < int(rule.value)):
                        self.problem(col, v, msg(v), code, shape=rule.shape)
            elif rule.component == "pattern":
                flags = re.I if "i" in rule.flags else 0
                for v in values:
                    if not re.search(rule.value, v, flags):
                        self.problem(col, v, msg(v), code, shape=rule.shape)
                        ok = [x for x in ok if x != v]
            elif rule.component == "in":
                fixed = []
                for v in ok:
                    term = _find_term(col, v)
                    if term is None:
                        self.problem(col, v, msg(v), code, shape=rule.shape, fix=_term_hint(col, v))
                    else:
                        fixed.append(term.label)
                ok = fixed
            elif rule.component == "datatype":
                for v in values:
                    bad = (_number(v) is None) if rule.value.endswith(("decimal", "float", "integer")) else \
                        (_boolean(v) is None) if rule.value.endswith("boolean") else False
                    if bad:
                        self.problem(col, v, msg(v), code, shape=rule.shape)
                        ok = [x for x in ok if x != v]
            elif rule.component in ("minInclusive", "maxInclusive"):
                for v in values:
                    n = _number(v)
                    if n is not None and (n < rule.value if rule.component == "minInclusive" else n > rule.value):
                        self.problem(col, v, msg(v), code, shape=rule.shape)
                        ok = [x for x in ok if x != v]
        return ok

    # -- special columns -----------------------------------------------------------------------------------
    def class_type(self, col: Column, values: list[str]) -> None:
        if values:
            term = _find_term(col, values[0])
            if term is not None:
                self.wrapper = term.code
                self.origins.setdefault(("Type",), (col.key, values[0]))
        elif len(col.vocabulary) == 1:
            self.wrapper = col.vocabulary[0].code

    def target_credentials(self, col: Column, values: list[str]) -> tuple[list[tuple[str, str]], bool]:
        targets: list[tuple[str, str]] = []
        lower = {str(k).strip().casefold(): v for k, v in self.credentials.items()}
        for v in values:
            if v.upper() == DEFER:
                continue
            if CTID_RE.match(v):
                targets.append((v.lower(), v))
                continue
            ctid = self.credentials.get(v) or lower.get(v.casefold())
            if ctid:
                targets.append((str(ctid).lower(), v))
                continue
            shape = next((s for s in col.shapes), "")
            from .model import shape_reader

            message = shape_reader(self.model.rules).text(_shape_iri(shape), "message") or "{value} is not a known credential."
            self.problem(col, v, message.replace("{value}", v).replace("{field}", self.header(col)),
                         "unknown-credential", shape=shape)
        if not targets:
            has_error = any(p.code == "unknown-credential" for p in self.problems)
            if not has_error:
                self.problem(col, self.row.get(col.key) or None,
                             "no Target Credential yet: the row can be uploaded, but it cannot be published until it "
                             "is connected to a credential", "deferred", INFO)
            return [], not has_error
        return targets, False

    def conditions(self, targets: list[tuple[str, str]], relationship) -> None:
        text, rel_col = relationship if relationship else (None, None)
        label = text or "Is Required For"
        key = label.replace(" ", "")
        noun = {"Assessment": "assessment"}.get(self.wrapper, {"Course": "course", "LearningProgram": "learning program"}
                                                .get(self.wrapper, "learning opportunity"))
        what = {"Requires": f"This {noun} requires the credential(s) listed.",
                "IsPreparationFor": f"This {noun} prepares for the credential(s) listed.",
                "IsRecommendedFor": f"This {noun} is recommended for the credential(s) listed.",
                "IsRequiredFor": f"This {noun} is required for the credential(s) listed."}.get(key)
        if what is None:
            return
        col = next(c for c in self.cols if c.kind == "credentials")
        profiles = self.body.setdefault(key, [])
        i = len(profiles)
        profiles.append({"Name": label, "Description": what, "TargetCredential": [t for t, _ in targets]})
        self.origins[(key, str(i))] = (col.key, self.row.get(col.key))
        self.origins.setdefault((key,), (col.key, self.row.get(col.key)))
        for j, (_, raw) in enumerate(targets):
            self.origins[(key, str(i), "TargetCredential", str(j))] = (col.key, raw)

    def places(self, col: Column, values: list[str]):
        for v in values:
            if v.casefold() == "all":
                if not self.addresses:
                    self.problem(col, v, "the organization has no addresses yet: add them (Step 1) before using all",
                                 "unknown-address")
                for address_id, place in (self.addresses or {}).items():
                    yield address_id, place
                continue
            place = None
            if self.addresses:
                place = self.addresses.get(v)
                if place is None:
                    folded = {str(k).casefold(): k for k in self.addresses}
                    k = folded.get(v.casefold())
                    place = self.addresses.get(k) if k is not None else None
            if place is None:
                known = ", ".join(list(self.addresses or {})[:20]) or "none yet"
                shape = "shape:Bulk-availableAtCode"
                self.problem(col, v, f'"{v}" is not the identifier of an address of the organization (its addresses: '
                             f"{known}); use the address identifiers separated by |, or all", "unknown-address",
                             shape=shape if col.bulk else "")
                continue
            yield v, place

    def condition_profile(self, cells: dict[str, tuple[list[str], Column]]) -> None:
        """The row's one condition profile (the "ConditionProfile: ..." columns), under the property
        its Type names (blank: Requires), after any the record already has; its External Identifier
        only tells it apart in the publisher's files."""
        kind = cells.get("ConditionType", ([""], None))[0][0] or "Requires"
        prop = CONDITION_PROPERTIES.get(kind.casefold().replace("-", " "), "Requires")
        profile: dict = {}
        fields = []      # (key in the profile, value, column, cell text)
        if "ConditionName" in cells:
            fields.append(("Name", cells["ConditionName"][0][0], cells["ConditionName"][1], None))
        if "ConditionDescription" in cells:
            fields.append(("Description", cells["ConditionDescription"][0][0], cells["ConditionDescription"][1], None))
        if "ConditionCreditUnitValue" in cells:
            values, col = cells["ConditionCreditUnitValue"]
            number = _number(values[0])
            if number is not None:
                fields.append(("CreditValue", [{"Value": number}], col, values[0]))
        if "ConditionCompetencyFramework" in cells:
            values, col = cells["ConditionCompetencyFramework"]
            competencies = [c for v in values for c in self.framework(col, v.rsplit("/", 1)[-1])]
            if competencies:
                fields.append(("TargetCompetency", competencies, col, "|".join(values)))
        if not fields:
            return
        index = len(self.body.get(prop) or [])
        for key, value, col, text in fields:
            profile[key] = value
            self.origins[(prop, str(index), key)] = (col.key, text if text is not None else value)
        self.origins.setdefault((prop, str(index)), (fields[0][2].key, None))
        self.body.setdefault(prop, []).append(profile)

    def framework(self, col: Column, v: str) -> list[str]:
        """The competency CTIDs of the framework a Teaches Competency Framework cell names (the
        reference data's "framework" table: the frameworks of this registry, looked up by the service)."""
        ctid = v.strip().lower()
        competencies = (self.manifests.get("framework") or {}).get(ctid)
        if CTID_RE.match(ctid) and competencies is None:
            self.problem(col, v, f"{v} is not a competency framework in this registry, so its competencies cannot "
                         "be listed", "unknown-framework",
                         fix="Publish the framework first (ctdl bulk upload competencyframework, or POST "
                             "/competencyframework/publish), or list the competencies in Teaches.")
        return list(competencies or [])

    def manifest(self, col: Column, v: str) -> str | None:
        """The CTID a Common Costs / Common Conditions cell value names: the identifier of one of the
        organization's manifests (Step 1), or a CTID."""
        from .model import manifest_kind

        if CTID_RE.match(v):
            return v.lower()
        kind = manifest_kind(col.path[-1]) or ""
        known = self.manifests.get(kind) or {}
        ctid = known.get(v) or next((c for k, c in known.items() if str(k).casefold() == v.casefold()), None)
        if ctid is None:
            listed = ", ".join(list(known)[:20]) or "none yet"
            self.problem(col, v, f'"{v}" is not the identifier of a {kind} manifest of the organization (its {kind} '
                         f"manifests: {listed}); use their identifiers or CTIDs, separated by |", "unknown-manifest",
                         fix=f"Add the manifest to the organization first (ctdl org manifests --kind {kind} --set "
                             "FILE.json), or give its CTID.")
        return ctid

    def date(self, col: Column, v: str) -> str:
        """A date as spreadsheets write it: N/N/YYYY is month/day/year (US) or day/month/year, read when
        only one reading is a date (a warning names it), refused when both are (03/04/2025)."""
        m = US_DATE.match(v)
        if not m:
            return v
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        readings = {(mo, d) for mo, d in ((first, second), (second, first)) if 1 <= mo <= 12 and 1 <= d <= 31}
        if len(readings) > 1:
            a, b = sorted(f"{year:04d}-{mo:02d}-{d:02d}" for mo, d in readings)
            self.problem(col, v, f"{self.header(col)} {v} could be either of two dates ({a} or {b}), so it was not "
                         "read", "ambiguous-date", VIOLATION, fix=f"Write the date as YYYY-MM-DD: {a} or {b}.")
            return v
        if not readings:
            return v          # not a date at all: the column's own check says so
        (month, day), = readings
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        order = "month/day/year" if (month, day) == (first, second) else "day/month/year"
        self.problem(col, v, f"{self.header(col)} {v} was read as {iso} ({order}, the only reading that is a date)",
                     "date-read", WARNING, fix="Write dates as YYYY-MM-DD so that no one has to guess.")
        return iso

    def defaults(self) -> None:
        body = self.body
        if not body.get("InLanguage"):
            col = self.by_key.get("InLanguage")
            body["InLanguage"] = [language_tag(self.language)]
            if col is not None:
                self.origins.setdefault(("InLanguage",), (col.key, None))
        for key in ("OwnedBy", "OfferedBy"):
            if not body.get(key) and self.org:
                body[key] = [self.org]
                col = self.by_key.get(key)
                if col is not None:
                    self.origins.setdefault((key,), (col.key, None))


def _shape_iri(compact: str) -> object:
    import rdflib

    from ...validate import expand_shape

    return rdflib.URIRef(expand_shape(compact))


def _norm_term(text: str) -> str:
    t = text.strip()
    if ":" in t and not t.startswith("http"):
        t = t.split(":", 1)[1]
    return re.sub(r"[^0-9a-z]+", "", t.casefold())


def _find_term(col: Column, text: str):
    want = _norm_term(text)
    for t in col.vocabulary:
        if want in (_norm_term(t.label), _norm_term(t.code)):
            return t
    return None


def _term_hint(col: Column, text: str) -> str:
    import difflib

    labels = col.labels
    close = difflib.get_close_matches(text, labels, n=1, cutoff=0.5)
    if close:
        return f'Did you mean "{close[0]}"?'
    return f"Use one of: {', '.join(labels[:12])}{'...' if len(labels) > 12 else ''}."


def _number(text: str):
    t = text.strip().replace(",", "") if re.fullmatch(r"[\d,]+(\.\d+)?", text.strip()) else text.strip()
    try:
        d = Decimal(t)
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _boolean(text: str):
    t = text.strip().casefold()
    if t in TRUE_TEXT:
        return True
    if t in FALSE_TEXT:
        return False
    return None


# column kind -> (reader of a cell: the value or None, what the cell must be)
_LITERALS = {"number": (_number, "a number"), "boolean": (_boolean, "TRUE or FALSE")}


# "ConditionProfile: Type" -> the Registry Assistant key of the condition profile
CONDITION_PROPERTIES = {"requires": "Requires", "recommends": "Recommends", "corequisite": "Corequisite",
                        "entry condition": "EntryCondition", "co prerequisite": "CoPrerequisite"}
