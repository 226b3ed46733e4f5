"""Notices of publishing: when records of an organization are published (through the API, a bulk
publish or a page), its webhook URL gets one POST per batch and its notice email one message per
batch, listing the records (CTID, type, version, URL). An organization sets both on its dashboard
(org_settings: webhook_url, notice_email).

Sending never slows or fails a publish: events go to a queue that one thread per process drains;
whatever is queued together goes out together (a bulk publish of 5,000 records is one POST and one
email, not 5,000). Email goes through the SMTP server CTDL_SMTP_HOST (CTDL_SMTP_PORT, default 25;
CTDL_SMTP_FROM, default ctdl-assistant@localhost); without one, the message is written to the log
instead. A webhook that fails (an error, a timeout of 10 s, a status of 400 or more) is logged.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import smtplib
import threading
from email.message import EmailMessage

from ..store.base import StoreError

log = logging.getLogger("ctdl.notices")

WEBHOOK_TIMEOUT = 10
BATCH = 1000


class Notices:
    def __init__(self, store, base_url: str):
        self.store, self.base_url = store, base_url
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent: list[dict] = []          # what went out (for the operator's log and the tests)

    def published(self, record) -> None:
        """Queue the notice of one published envelope (EnvelopeRecord)."""
        self._queue.put({"ctid": record.ctid, "type": record.ctdl_type, "version": record.version,
                         "envelope_id": record.envelope_id, "owned_by": record.owned_by,
                         "published_by": record.published_by, "updated_at": record.updated_at,
                         "url": f"{self.base_url}resources/{record.ctid}"})
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._drain, name="notices", daemon=True)
                self._thread.start()

    def wait(self, timeout: float = 10) -> None:
        """Until every queued notice went out (tests, and a server stopping)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _drain(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                return
            batch = [first]
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            by_org: dict[str, list[dict]] = {}
            for event in batch:
                by_org.setdefault(event["owned_by"], []).append(event)
            for org, events in by_org.items():
                try:
                    self._send(org, events)
                except StoreError as e:                # the store closed under it (the server stopping)
                    log.warning("notices of %d published records of %s not sent: %s", len(events), org, e)
                except Exception:                      # never lost silently, never raised into a publish
                    log.exception("notices for %s could not be sent", org)

    def _send(self, org: str, events: list[dict]) -> None:
        settings = self.store.org_settings(org)
        body = {"event": "published", "organization": org, "count": len(events), "records": events}
        if settings.get("webhook_url"):
            self._webhook(settings["webhook_url"], body)
        if settings.get("notice_email"):
            self._email(settings["notice_email"], org, events)

    def _webhook(self, url: str, body: dict) -> None:
        import requests

        try:
            r = requests.post(url, data=json.dumps(body), timeout=WEBHOOK_TIMEOUT, allow_redirects=False,
                              headers={"Content-Type": "application/json", "X-CTDL-Event": "published",
                                       "User-Agent": "ctdl-assistant"})
            if r.status_code >= 400:
                log.warning("webhook %s answered %s for %d published records", url, r.status_code, body["count"])
            self.sent.append({"to": url, "count": body["count"], "status": r.status_code})
        except requests.RequestException as e:
            log.warning("webhook %s failed for %d published records: %s", url, body["count"], e)

    def _email(self, to: str, org: str, events: list[dict]) -> None:
        lines = [f"{len(events)} record{'s' if len(events) != 1 else ''} of {org} published:", ""]
        lines += [f"- {e['type']} {e['ctid']} (version {e['version']}): {e['url']}" for e in events]
        message = EmailMessage()
        message["From"] = os.environ.get("CTDL_SMTP_FROM", "ctdl-assistant@localhost")
        message["To"] = to
        message["Subject"] = f"Published: {len(events)} record{'s' if len(events) != 1 else ''} of {org}"
        message.set_content("\n".join(lines) + "\n")
        host = os.environ.get("CTDL_SMTP_HOST")
        if not host:
            log.info("notice for %s (no SMTP server configured: set CTDL_SMTP_HOST):\n%s", to, message.as_string())
            self.sent.append({"to": to, "count": len(events), "status": "logged"})
            return
        with smtplib.SMTP(host, int(os.environ.get("CTDL_SMTP_PORT", "25")), timeout=WEBHOOK_TIMEOUT) as smtp:
            smtp.send_message(message)
        self.sent.append({"to": to, "count": len(events), "status": "sent"})
