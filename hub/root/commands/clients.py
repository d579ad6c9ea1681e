"""``xinyi-hub clients list|suspend|reactivate|rotate``.

The same service calls as the GraphQL mutations (``hub.auth.clients``),
audited with the command-line operator as actor.  Suspension and rotation
reach running workers through the shared cache when ``HUB_REDIS_URL`` is set
(otherwise within the two-second status cache, see ``hub.auth.status``).
With ``--json`` one object goes to stdout; ``rotate`` shows the new secret
once, on stdout only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.clients import client_service
from hub.backends.cache import Cache
from hub.backends.factory import make_backends
from hub.clock import SystemClock
from hub.db import session_scope
from hub.models import Client
from hub.root.commands.auth import OPERATOR, emit, run_command
from hub.settings import Settings

__all__ = ["register"]

_Maker = async_sessionmaker[AsyncSession]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
ClientId = Annotated[str, typer.Argument(help="The client's id (Client.id).")]


def register(clients: typer.Typer) -> None:
    """Add the commands to the ``clients`` group (made by ``commands.auth``)."""
    clients.command("list")(list_clients)
    clients.command("suspend")(suspend_client)
    clients.command("reactivate")(reactivate_client)
    clients.command("rotate")(rotate_client)


def _row(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "client_id": client.client_id,
        "kind": client.kind,
        "name": client.name,
        "active": client.active,
        "created_at": client.created_at.isoformat(),
        "updated_at": client.updated_at.isoformat(),
    }


@asynccontextmanager
async def _cache(settings: Settings) -> AsyncIterator[Cache]:
    backends = make_backends(settings)
    try:
        yield backends.cache
    finally:
        await backends.aclose()


def list_clients(
    first: Annotated[
        int, typer.Option("--first", help="At most this many (1-100).")
    ] = 100,
    after: Annotated[
        str | None, typer.Option("--after", help="Cursor from a previous page.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List clients in creation order (no secrets)."""

    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        async with maker() as session:
            page = await client_service.list(session, first=first, after=after)
        return {
            "clients": [_row(c) for c in page.items],
            "total_count": page.total_count,
            "has_next_page": page.has_next_page,
            "end_cursor": page.end_cursor,
        }

    out = run_command(work, as_json=as_json)
    lines = [
        f"{c['id']}  {c['client_id']:<28} {c['kind']:<9} "
        f"{'active' if c['active'] else 'SUSPENDED':<9} {c['name']}"
        for c in out["clients"]
    ]
    more = f" (more after --after {out['end_cursor']})" if out["has_next_page"] else ""
    lines.append(f"{len(out['clients'])} of {out['total_count']} clients{more}")
    emit(out, "\n".join(lines), as_json, note=lines[-1])


def _change(id: str, action: str, as_json: bool) -> dict[str, Any]:
    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        clock = SystemClock()
        async with _cache(settings) as cache, session_scope(maker) as session:
            if action == "suspend":
                client = await client_service.suspend(
                    session, actor=OPERATOR, clock=clock, id=id, cache=cache
                )
            else:
                client = await client_service.reactivate(
                    session, actor=OPERATOR, clock=clock, id=id, cache=cache
                )
            return _row(client)

    return run_command(work, as_json=as_json)


def suspend_client(id: ClientId, as_json: JsonFlag = False) -> None:
    """Refuse the client's tokens from its next request on."""
    out = _change(id, "suspend", as_json)
    human = f"Suspended {out['kind']} client {out['name']!r} (id {out['id']})."
    emit(out, human, as_json, note=human)


def reactivate_client(id: ClientId, as_json: JsonFlag = False) -> None:
    """Accept the client's tokens again."""
    out = _change(id, "reactivate", as_json)
    human = f"Reactivated {out['kind']} client {out['name']!r} (id {out['id']})."
    emit(out, human, as_json, note=human)


def rotate_client(id: ClientId, as_json: JsonFlag = False) -> None:
    """Give the client a new secret (printed once); its tokens stop working."""

    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        async with _cache(settings) as cache, session_scope(maker) as session:
            creds = await client_service.rotate_secret(
                session, actor=OPERATOR, clock=SystemClock(), id=id, cache=cache
            )
            return {**_row(creds.client), "client_secret": creds.client_secret}

    out = run_command(work, as_json=as_json)
    human = (
        f"New secret for {out['kind']} client {out['name']!r} (id {out['id']}).\n"
        f"client_id:     {out['client_id']}\n"
        f"client_secret: {out['client_secret']}  (shown once; store it now)\n"
        "Its access tokens are refused from now on."
    )
    note = (
        f"New secret for client {out['id']}: in the JSON on stdout, shown once; "
        "its access tokens are refused from now on."
    )
    emit(out, human, as_json, note=note)
