"""An organization's reference data for bulk uploads ("Step 1: Reference Data from your
Organization"): its addresses, which spreadsheet rows name by id in "Available At" ("all" or
id|id|...), and its cost and condition manifests, which rows name by id (or CTID) in "Common
Costs" and "Common Conditions".

Places are kept in Registry Assistant form (Address1, City, AddressRegion, PostalCode, Country,
Latitude, ...), exactly as a request's AvailableAt takes them. They are checked by the same
pipeline as any request (as the addresses of an organization), so a misspelt property or a
latitude of 200 is refused before it is stored, never when a row that uses it is published.
"""
from __future__ import annotations

from typing import Any

from transformer import CTID_RE, format_request, VIOLATION, WrongShape

from .common import error

MAX_ADDRESS_ID = 50
RESERVED_IDS = {"all"}    # "all" in a cell means every address of the organization


def _pointer(token: str) -> str:
    return "/" + token.replace("~", "~0").replace("/", "~1")


def check_places(places: Any) -> list[dict]:
    """Errors ({path, property, code, message}, paths into the JSON object sent) of an address set
    (address id -> place); [] when it can be stored. WrongShape when it is not an object at all."""
    if not isinstance(places, dict):
        raise WrongShape('the addresses must be a JSON object of address id -> place, e.g. {"main": '
                         '{"Address1": "1 Main St", "City": "Springfield", "AddressRegion": "IL", '
                         '"PostalCode": "62701", "Country": "US"}}')
    errors: list[dict] = []
    seen: dict[str, str] = {}
    ids, checked = [], []
    for raw_id, place in places.items():
        where = _pointer(raw_id)
        problem = _id_error(raw_id, seen, where, "address")
        if problem:
            errors.append(problem)
        if not isinstance(place, dict) or not place:
            errors.append(error("org.invalid-place", "a place must be a JSON object with at least one property "
                                "(Address1, City, AddressRegion, PostalCode, Country, ...)", where))
            continue
        ids.append(raw_id)
        checked.append(place)
    if checked:
        errors.extend(_place_results(ids, checked))
    return errors


def _id_error(raw_id: str, seen: dict[str, str], where: str, code: str) -> dict | None:
    """The error of an id that cannot name an address or a manifest in a cell, else None."""
    item = raw_id.strip()
    if not item or len(item) > MAX_ADDRESS_ID or "|" in item or item.lower() in RESERVED_IDS:
        return error(f"org.invalid-{code}-id", f'"{raw_id}" cannot be an identifier: use 1 to {MAX_ADDRESS_ID} '
                     'characters, no "|" (it separates identifiers in a cell), not "all"', where)
    if item in seen:
        return error(f"org.duplicate-{code}-id", f'"{raw_id}" and "{seen[item]}" are the same identifier', where)
    seen[item] = raw_id
    return None


def check_manifests(kind: str, manifests: Any) -> list[dict]:
    """Errors of a manifest set (identifier -> the manifest's CTID); [] when it can be stored."""
    if not isinstance(manifests, dict):
        raise WrongShape(f'the {kind} manifests must be a JSON object of identifier -> CTID, e.g. '
                         '{"tuition": "ce-8d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}')
    errors: list[dict] = []
    seen: dict[str, str] = {}
    for raw_id, ctid in manifests.items():
        where = _pointer(raw_id)
        problem = _id_error(raw_id, seen, where, "manifest")
        if problem:
            errors.append(problem)
        if not isinstance(ctid, str) or not CTID_RE.match(ctid.strip()):
            errors.append(error("invalid-ctid", f"the {kind} manifest {raw_id!r} must be given by its CTID "
                                f"(ce- followed by a UUID), not {ctid!r}", where))
    return errors


def save_manifests(store, org: str, kind: str, manifests: Any) -> tuple[int, list[dict]]:
    """Checks and stores (replacing the previous set) the organization's cost or condition manifests."""
    errors = check_manifests(kind, manifests)
    if errors:
        return 0, errors
    return store.set_manifests(org, kind, {k.strip(): v.strip().lower() for k, v in manifests.items()}), []


def _place_results(ids: list[str], places: list[dict]) -> list[dict]:
    """Formats the places as the addresses of an organization and keeps what is said about them."""
    outcome = format_request({"Organization": {"Address": places}}, "organization")
    prefix = "/Organization/Address/"
    out = []
    for r in outcome.report.sorted():
        if not r.path.startswith(prefix) or not (r.severity == VIOLATION or r.code == "unknown-property"):
            continue
        index, _, rest = r.path[len(prefix):].partition("/")
        if not index.isdigit() or int(index) >= len(ids):
            continue
        message = r.message.replace("; it was ignored", " in a place.")   # unknown-property: refused here
        message = message if not r.fix or r.fix in message else f"{message} {r.fix}"
        out.append(error(r.code, message, _pointer(ids[int(index)]) + ("/" + rest if rest else ""), r.property))
    return out


def normalized(places: dict) -> dict[str, dict]:
    """Address ids without surrounding spaces (check_places found no errors)."""
    return {k.strip(): v for k, v in places.items()}


def save_addresses(store, org: str, places: Any) -> tuple[int, list[dict]]:
    """Checks and stores (replacing the previous set) the organization's addresses: (count, []), or
    (0, errors) with nothing stored."""
    errors = check_places(places)
    if errors:
        return 0, errors
    return store.set_addresses(org, normalized(places)), []
