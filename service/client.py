"""A Python client of a running registry (this project's or the Registry Assistant's API shape):
publish, format, delete and read, for scripts; `ctdl publish --url` uses it too.

    >>> registry = RegistryClient("http://127.0.0.1:8080/", api_key)        # doctest: +SKIP
    >>> registry.publish("credential", request)["Successful"]               # doctest: +SKIP
"""
from __future__ import annotations

import json

from transformer import CtdlError

TIMEOUT_SECONDS = 60


class RegistryClient:
    def __init__(self, url: str, api_key: str | None = None, timeout: float = TIMEOUT_SECONDS):
        self.url = url if url.endswith("/") else url + "/"
        self.api_key, self.timeout = api_key, timeout

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        """(HTTP status, the JSON answer); CtdlError (input.unreachable) when the registry cannot be
        reached or does not answer JSON."""
        import requests

        target = self.url + path.lstrip("/")
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"ApiToken {self.api_key}"
        try:
            r = requests.request(method, target, data=data, timeout=self.timeout, headers=headers)
        except requests.RequestException as e:
            raise CtdlError(f"cannot reach {target}: {e.__class__.__name__}: {e}", code="input.unreachable") from None
        try:
            answer = r.json()
        except ValueError:
            raise CtdlError(f"{target} answered {r.status_code} with no JSON: is {self.url} a ctdl-assistant or "
                            "Registry Assistant address?", code="input.unreachable") from None
        return r.status_code, answer if isinstance(answer, (dict, list)) else {"Successful": False,
                                                                                "Messages": [str(answer)]}

    def publish(self, kind: str, request) -> dict:
        """POST /{kind}/publish: the Registry Assistant's answer (Successful, CTID, Messages, Errors...)."""
        return self.call("POST", f"{kind}/publish", request)[1]

    def format(self, kind: str, request) -> dict:
        """POST /{kind}/format: the CTDL (Payload) and the messages, nothing published."""
        return self.call("POST", f"{kind}/format", request)[1]

    def delete(self, kind: str, ctid: str, org: str) -> dict:
        return self.call("DELETE", f"{kind}/delete", {"CTID": ctid, "PublishForOrganizationIdentifier": org})[1]

    def resource(self, ctid: str) -> dict | None:
        """GET /resources/{ctid}: the published resource, or None."""
        status, body = self.call("GET", f"resources/{ctid}")
        return body if status == 200 else None
