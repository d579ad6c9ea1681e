"""Driving the portal's journeys: enterprises, banks and admins on a live hub."""

from __future__ import annotations

from typing import Any

import httpx

from hub.auth.clients import client_service
from hub.auth.principal import SYSTEM
from hub.enums import PrincipalKind
from hub.portal.links import issue_link
from hub.resources import Hub
from hub.unit_of_work import UnitOfWork
from tests.api import Api
from tests.web.live import LiveServer

__all__ = [
    "client_token",
    "given_enterprise",
    "gql",
    "link_for",
    "make_client",
    "token_for",
]


def given_enterprise(live: LiveServer, uscc: str, records: int = 1) -> list[int]:
    """The enterprise, with ``records`` tax records; their ids."""

    async def make(hub: Hub) -> list[int]:
        api = Api(hub, None)  # type: ignore[arg-type]  (no HTTP: services only)
        await api.entity(uscc, "郑州示范科技有限公司")
        return [await api.record(uscc, f"T-{n}") for n in range(records)]

    return live.run(make)


def link_for(live: LiveServer, uscc: str) -> str:
    """``xinyi-hub portal link``'s URL, on this live hub."""
    live.hub.settings.public_url = live.url

    async def issue(hub: Hub) -> str:
        work = UnitOfWork(hub.sessionmaker)
        url = await issue_link(await work.session(), hub.settings, hub.clock, uscc)
        await work.finish(keep=True)
        return url

    return live.run(issue)


def make_client(live: LiveServer, kind: PrincipalKind, name: str) -> tuple[str, str]:
    async def create(hub: Hub) -> tuple[str, str]:
        work = UnitOfWork(hub.sessionmaker)
        creds = await client_service.create(
            await work.session(), actor=SYSTEM, clock=hub.clock, kind=kind, name=name
        )
        await work.finish(keep=True)
        return creds.client_id, creds.client_secret

    return live.run(create)


def client_token(live: LiveServer, kind: PrincipalKind, name: str) -> str:
    """A new client of ``kind``'s access token."""
    return token_for(live, *make_client(live, kind, name))


def token_for(live: LiveServer, client_id: str, secret: str) -> str:
    """The client's access token (client credentials grant)."""
    response = httpx.post(
        f"{live.url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def gql(
    live: LiveServer, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = httpx.post(
        f"{live.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]  # type: ignore[no-any-return]
