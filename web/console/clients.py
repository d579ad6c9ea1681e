"""``/console/clients``: list, create (secret shown once), suspend, reactivate, rotate.

Each action calls ``hub.auth.clients.client_service`` exactly as the
GraphQL mutations ``createClient``, ``suspendClient``, ``reactivateClient``
and ``rotateClientSecret`` do, with the signed-in admin as the actor, so
the audit trail reads the same whichever door an admin used.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.clients import ClientCredentials, client_service
from hub.auth.principal import Principal
from hub.consent.service import end_client_consents
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from web import sessions
from web.console.guard import admin_page, console_page
from web.work import unit_of_work

__all__ = ["action", "clients", "create"]

VERBS = ("suspend", "reactivate", "rotate")
KINDS = [k.value for k in PrincipalKind if k is not PrincipalKind.SUBJECT]


async def _render(
    request: Request,
    admin: Principal,
    *,
    created: ClientCredentials | None = None,
    rotated: ClientCredentials | None = None,
    status_code: int = 200,
) -> Response:
    after = request.query_params.get("after") or None
    async with unit_of_work(request) as session:
        found = await client_service.list(session, first=50, after=after)
    return await console_page(
        request,
        admin,
        "clients.html",
        "clients",
        {
            "clients": found.items,
            "total": found.total_count,
            "next_cursor": found.end_cursor if found.has_next_page else None,
            "kinds": KINDS,
            "created": created,
            "rotated": rotated,
        },
        status_code=status_code,
    )


@admin_page
async def clients(request: Request, admin: Principal) -> Response:
    return await _render(request, admin)


@admin_page
async def create(request: Request, admin: Principal) -> Response:
    form = request.state.form
    async with unit_of_work(request) as session:
        creds = await client_service.create(
            session,
            actor=admin,
            clock=request.app.state.hub.clock,
            kind=str(form.get("kind") or ""),
            name=str(form.get("name") or ""),
        )
    # The secret is shown on this response only (never stored in plain text).
    return await _render(request, admin, created=creds, status_code=201)


@admin_page
async def action(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    id, verb = request.path_params["id"], request.path_params["verb"]
    if verb not in VERBS:
        raise HubError(f"Unknown client action {verb!r}.", ErrorCode.NOT_FOUND)
    rotated = None
    async with unit_of_work(request) as session:
        if verb == "suspend":
            client = await client_service.suspend(
                session, actor=admin, clock=hub.clock, id=id, cache=hub.cache
            )
            # As suspendClient(endConsents: true): end its consents too.
            if request.state.form.get("end_consents") == "1":
                await end_client_consents(session, hub, admin, client.id)
        elif verb == "reactivate":
            await client_service.reactivate(
                session, actor=admin, clock=hub.clock, id=id, cache=hub.cache
            )
        else:
            rotated = await client_service.rotate_secret(
                session, actor=admin, clock=hub.clock, id=id, cache=hub.cache
            )
    if rotated is not None:
        return await _render(request, admin, rotated=rotated)
    if id == admin.id and verb == "suspend":
        return sessions.redirect(request, "/console/login")
    return sessions.redirect(request, f"/console/clients#client-{id}")
