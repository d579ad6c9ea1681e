"""Over WebSocket only subscriptions are served: nothing reads without its audit row."""

from __future__ import annotations

from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.models import AuditEvent
from hub.root.app import create_app
from tests.api import Api
from tests.rights.ws import GraphQLSocket

USCC = "91350100M000100Y43"


async def test_queries_over_the_socket_are_refused(sqlite_api: Api) -> None:
    api = sqlite_api
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    app = create_app(api.hub.settings, hub=api.hub)
    query = '{ creditProfile(uscc: "%s", purpose: LENDING) { entity { name } } }'
    async with GraphQLSocket(app, None, {"token": bank.token}) as ws:
        await ws.send(
            {"id": "q", "type": "subscribe", "payload": {"query": query % USCC}}
        )
        answer = await ws.receive()
    # then no data, a coded error, and no profile read happened
    assert answer["type"] in {"next", "error"}
    payload = answer["payload"]
    errors = payload["errors"] if isinstance(payload, dict) else payload
    assert errors[0]["extensions"]["code"] == "VALIDATION_ERROR"
    if isinstance(payload, dict):
        assert payload.get("data") is None
    async with api.hub.sessionmaker() as s:
        actions = list(await s.scalars(select(AuditEvent.action)))
    assert "profile.read" not in actions
