"""What the web pages read beyond the API's queries (service/http/pages/): published records counted
by type, for an organization's dashboard and the search page's type filter."""
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
