"""An organization's reference data for bulk uploads ("Step 1: Reference Data from your
Organization"): its addresses, which spreadsheet rows name by id in "Available At" ("all" or
id|id|...).

Places are kept in Registry Assistant form (Address1, City, AddressRegion, PostalCode, Country,
Latitude, ...), exactly as a request's AvailableAt takes them. They are checked by the same
pipeline as any request (as the addresses of an organization), so a misspelt property or a
latitude of 200 is refused before it is stored, never when a row that uses it is published.
"""
from __future__ import annotations

from typing import Any

from transformer.errors import WrongShape
from transformer.pipeline import format_request
from transformer.report import VIOLATION

from .bulk import error

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
        address_id = raw_id.strip()
        if not address_id or len(address_id) > MAX_ADDRESS_ID or "|" in address_id \
                or address_id.lower() in RESERVED_IDS:
            errors.append(error("org.invalid-address-id", f'"{raw_id}" cannot be an address id: use 1 to '
                                f'{MAX_ADDRESS_ID} characters, no "|" (it separates ids in a cell), not "all"',
                                where))
        elif address_id in seen:
            errors.append(error("org.duplicate-address-id", f'"{raw_id}" and "{seen[address_id]}" are the same '
                                "address id", where))
        seen.setdefault(address_id, raw_id)
        if not isinstance(place, dict) or not place:
            errors.append(error("org.invalid-place", "a place must be a JSON object with at least one property "
                                "(Address1, City, AddressRegion, PostalCode, Country, ...)", where))
            continue
        ids.append(raw_id)
        checked.append(place)
    if checked:
        errors.extend(_place_results(ids, checked))
    return errors


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
