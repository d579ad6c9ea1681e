"""The ``X-Hub-Officer`` header: which of the client's staff is behind a request.

Contract v2, "Officer attribution": a client may name its own staff id (at
most 64 characters); it is kept on every audit event of the request and shown
to the subject in its access log (征信业管理条例 Art 22: the query record names
who queried).  The hub cannot verify it — it is the client's statement, kept
as such.
"""

from __future__ import annotations

from dataclasses import replace

from hub.auth.principal import Principal
from hub.errors import ErrorCode, HubError

__all__ = ["HEADER", "MAX_OFFICER", "with_officer"]

HEADER = "x-hub-officer"
MAX_OFFICER = 64


def with_officer(principal: Principal, header: str | None) -> Principal:
    """``principal`` carrying the header's officer; a bad value is refused."""
    if header is None or not principal.authenticated:
        return principal
    officer = header.strip()
    if not officer or len(officer) > MAX_OFFICER or not officer.isprintable():
        raise HubError(
            f"X-Hub-Officer must be your staff id: 1–{MAX_OFFICER} printable "
            "characters.",
            ErrorCode.VALIDATION_ERROR,
        )
    return replace(principal, officer=officer)
