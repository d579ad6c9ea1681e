"""``/console/audit``: search the audit trail; the chain's state; verify it.

The search is the ``auditEvents`` query's (``hub.audit.service.search``,
sealing pending events first).  The verify button starts
``hub.audit.health.verify_now`` in the background — the same check as
``xinyi-hub audit verify`` — and the page shows its last result, kept in
the hub's cache; the result panel refreshes itself with htmx while it runs
(without script, reload the page).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.audit import service
from hub.audit.health import chain_state, verify_now
from hub.audit.service import AuditQuery
from hub.auth.principal import Principal
from hub.errors import ErrorCode, HubError
from hub.uscc import check_uscc
from web import sessions
from web.console.guard import admin_page, console_context
from web.render import page
from web.work import unit_of_work

__all__ = ["audit", "verification", "verify"]

log = logging.getLogger("hub.web")
_KEY = "web:audit-verify"
_KEEP = 7 * 24 * 3600.0
# Running verifications, referenced so they are not collected mid-way.
_RUNNING: set[asyncio.Task[None]] = set()


def _when(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise HubError(
            f"{name} is a date or date-time (2026-11-23 or 2026-11-23T09:00).",
            ErrorCode.VALIDATION_ERROR,
        ) from None


async def _last_verification(hub: Any) -> dict[str, Any] | None:
    raw = await hub.cache.get(_KEY)
    return None if raw is None else dict(json.loads(raw))


async def _context(request: Request, admin: Principal) -> dict[str, Any]:
    hub = request.app.state.hub
    q = request.query_params
    subject = q.get("subject", "").strip()
    if subject:
        check_uscc(subject)
    query = AuditQuery(
        subject=subject or None,
        actor_id=q.get("actor", "").strip() or None,
        action=q.get("action", "").strip() or None,
        at_from=_when(q.get("from", ""), "from"),
        at_to=_when(q.get("to", ""), "to"),
    )
    async with unit_of_work(request) as session:
        rows, total = await service.search(
            session, query, 50, None, seal_with=hub.sessionmaker
        )
        state = await chain_state(session)
    return console_context(
        request,
        admin,
        "audit",
        {
            "events": rows[:50],
            "total": total,
            "state": state,
            "verification": await _last_verification(hub),
            "query": {
                k: q.get(k, "") for k in ("subject", "actor", "action", "from", "to")
            },
        },
    )


@admin_page
async def audit(request: Request, admin: Principal) -> Response:
    return await page(request, "console/audit.html", await _context(request, admin))


@admin_page
async def verification(request: Request, admin: Principal) -> Response:
    """The result panel alone (htmx polls it while a verification runs)."""
    hub = request.app.state.hub
    return await page(
        request,
        "console/verification.html",
        {"verification": await _last_verification(hub)},
    )


async def _run(hub: Any, started: str) -> None:
    try:
        report = await verify_now(hub.sessionmaker, hub.keys, hub.clock)
        result = {"state": "done", "started": started, **report.as_json()}
        result["reason"] = report.reason
    except Exception as exc:  # reported on the page, not lost
        log.exception("audit verification failed")
        result = {"state": "failed", "started": started, "reason": str(exc)}
    result["finished"] = hub.clock.now().isoformat(timespec="seconds")
    await hub.cache.set(_KEY, json.dumps(result).encode(), _KEEP)


@admin_page
async def verify(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    current = await _last_verification(hub)
    if current is None or current.get("state") != "running":
        started = hub.clock.now().isoformat(timespec="seconds")
        running = {"state": "running", "started": started, "by": admin.name}
        await hub.cache.set(_KEY, json.dumps(running).encode(), _KEEP)
        task = asyncio.get_running_loop().create_task(_run(hub, started))
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)
    return sessions.redirect(request, "/console/audit#verification")
