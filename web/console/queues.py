"""``/console/queues``: objections, list objections and repair applications.

Oldest reply deadline first, with overdue marks (征信业管理条例 Art 25: 20
days).  Listing goes through ``hub.rights`` like the ``objections``,
``listObjections`` and ``repairs`` queries, so each enterprise shown is
audited by the door (basis ADMIN_QUEUE); answering calls the same service
as ``resolveObjection``, ``resolveListObjection`` and ``decideRepair``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.enums import (
    ListObjectionStatus,
    ObjectionResolution,
    ObjectionStatus,
    RepairStatus,
)
from hub.errors import ErrorCode, HubError
from hub.rights import list_objections, objections, repairs
from web import sessions
from web.console.guard import admin_page, approves, console_page
from web.work import unit_of_work

__all__ = ["decide_repair", "queues", "resolve_list_objection", "resolve_objection"]

PAGE = 50


def _open_only(request: Request) -> bool:
    return request.query_params.get("all") != "1"


@admin_page
async def queues(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    only_open = _open_only(request)
    async with unit_of_work(request) as session:
        found_objections = await objections.list_objections(
            session,
            hub,
            admin,
            status=ObjectionStatus.OPEN if only_open else None,
            first=PAGE,
            after=None,
        )
        found_lists = await list_objections.list_list_objections(
            session,
            hub,
            admin,
            status=ListObjectionStatus.OPEN if only_open else None,
            first=PAGE,
            after=None,
        )
        found_repairs = await repairs.list_repairs(
            session,
            hub,
            admin,
            status=RepairStatus.PENDING if only_open else None,
            first=PAGE,
            after=None,
        )
    now = hub.clock.now()
    return await console_page(
        request,
        admin,
        "queues.html",
        "queues",
        {
            "only_open": only_open,
            "objections": [
                (c, objections.is_overdue(c.row, now)) for c in found_objections.items
            ],
            "list_objections": [
                (c, objections.is_overdue(c.row, now)) for c in found_lists.items
            ],
            "repairs": found_repairs.items,
            "objection_resolutions": [r.value for r in ObjectionResolution],
            "list_resolutions": [
                ListObjectionStatus.UPHELD.value,
                ListObjectionStatus.REMOVED.value,
            ],
        },
    )


def _choice(form: Any, name: str, allowed: type[StrEnum]) -> str:
    value = str(form.get(name) or "")
    try:
        return str(allowed(value))
    except ValueError:
        raise HubError(
            f"Choose a {name}: one of {', '.join(m.value for m in allowed)}.",
            ErrorCode.VALIDATION_ERROR,
        ) from None


@admin_page
async def resolve_objection(request: Request, admin: Principal) -> Response:
    form = request.state.form
    resolution = ObjectionResolution(_choice(form, "resolution", ObjectionResolution))
    async with unit_of_work(request) as session:
        await objections.resolve_objection(
            session,
            request.app.state.hub,
            admin,
            objection_id=request.path_params["id"],
            resolution=resolution,
            note=str(form.get("note") or ""),
            corrections=None,
        )
    return sessions.redirect(request, "/console/queues")


@admin_page
async def resolve_list_objection(request: Request, admin: Principal) -> Response:
    form = request.state.form
    resolution = ListObjectionStatus(_choice(form, "resolution", ListObjectionStatus))
    async with unit_of_work(request) as session:
        await list_objections.resolve_list_objection(
            session,
            request.app.state.hub,
            admin,
            objection_id=request.path_params["id"],
            resolution=resolution,
            note=str(form.get("note") or ""),
        )
    return sessions.redirect(request, "/console/queues")


@admin_page
async def decide_repair(request: Request, admin: Principal) -> Response:
    form = request.state.form
    approve = approves(form)
    async with unit_of_work(request) as session:
        await repairs.decide_repair(
            session,
            request.app.state.hub,
            admin,
            repair_id=request.path_params["id"],
            approve=approve,
            note=str(form.get("note") or ""),
        )
    return sessions.redirect(request, "/console/queues")
