"""What the web pages read and keep beyond the API's queries (service/http/pages/): published records
counted by type (an organization's dashboard, the search page's type filter) and an organization's
settings (where notices of its publishes go)."""
from __future__ import annotations


class BrowseQueries:
    """Mixed into RelationalStore (its _reading / _exec / _norm conventions)."""

    def count_by_type(self, owned_by: str | None = None) -> list[tuple[str, int]]:
        """(CTDL type, number of current, not deleted records), most first; one organization's or all."""
        where, params = "WHERE deleted_at IS NULL", []
        if owned_by:
            where += " AND owned_by = ?"
            params.append(owned_by.strip().lower())
        with self._reading() as conn:
            rows = self._exec(conn, f"SELECT ctdl_type, COUNT(*) FROM envelopes {where} GROUP BY ctdl_type "
                                    "ORDER BY COUNT(*) DESC, ctdl_type", params).fetchall()
        return [(str(t), int(n)) for t, n in rows]

    # -- the registry staff's review queue: uploaded records of every organization -------------------
    def review_queue(self, status: str = "pending", offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        """Uploaded records in `status` across organizations, oldest change first (what waits longest
        on top): ([{org, type, external_id, ctid, status, deferred, errors, updated_at}], total)."""
        with self._reading() as conn:
            total = int(self._exec(conn, "SELECT COUNT(*) FROM staged WHERE status = ?", (status,)).fetchone()[0])
            rows = self._exec(conn, "SELECT org, resource_type, external_id, resource_ctid, status, deferred, "
                                    "updated_at FROM staged WHERE status = ? ORDER BY updated_at, org, "
                                    "resource_type, external_id LIMIT ? OFFSET ?",
                              (status, max(0, int(limit)), max(0, int(offset)))).fetchall()
        keys = ("org", "type", "external_id", "ctid", "status", "deferred", "updated_at")
        return [dict(zip(keys, r)) for r in rows], total

    # -- an organization's settings (webhook URL, notice email: service/registry/notices.py) ---------
    def org_settings(self, org: str) -> dict[str, str]:
        with self._reading() as conn:
            rows = self._exec(conn, "SELECT name, value FROM org_settings WHERE org = ?",
                              (org.strip().lower(),)).fetchall()
        return {str(n): str(v) for n, v in rows}

    def set_org_setting(self, org: str, name: str, value: str) -> None:
        """Sets (or, with an empty value, removes) one setting."""
        from .base import utc_now

        org = org.strip().lower()
        with self._writing(f"org-settings:{org}") as conn:
            self._exec(conn, "DELETE FROM org_settings WHERE org = ? AND name = ?", (org, name))
            if value:
                self._exec(conn, "INSERT INTO org_settings (org, name, value, updated_at) VALUES (?, ?, ?, ?)",
                           (org, name, value, utc_now()))
