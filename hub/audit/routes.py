"""``GET /audit/checkpoints?after=SEQ``: the signed checkpoints of the audit chain.

Public (no token, no subject data: a sequence number, a hash, a time and the
hub's signature), so anyone may keep copies and later prove that the chain
they are shown still reaches what was signed (contract v2, "Audit
anchoring").  Oldest first, at most 1,000 per answer; page with ``after``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.audit.checkpoints import list_checkpoints

__all__ = ["checkpoints_endpoint", "routes"]

_INT64 = 2**63


async def checkpoints_endpoint(request: Request) -> Response:
    raw = request.query_params.get("after", "0")
    after = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else -1
    if not 0 <= after < _INT64:
        return JSONResponse(
            {
                "error": "invalid_request",
                "error_description": "after is a sequence number (0 or more).",
            },
            status_code=400,
        )
    async with request.app.state.hub.sessionmaker() as session:
        found = await list_checkpoints(session, after=after)
    return JSONResponse(
        {"checkpoints": [c.as_json() for c in found]},
        headers={"Cache-Control": "public, max-age=60"},
    )


routes: list[Route] = [
    Route("/audit/checkpoints", checkpoints_endpoint, methods=["GET"]),
]
