"""In production no error message suggests a name of the schema ("Did you mean")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hub.auth.sealing import generate_kek
from hub.enums import PrincipalKind
from hub.root.app import create_app
from hub.settings import Settings
from tests.api import Api
from tests.rights.ws import GraphQLSocket

# Each is a near miss of a real name; development answers with a suggestion.
NEAR_MISSES: list[tuple[str, dict[str, Any] | None]] = [
    ("{ entit { name } }", None),  # field
    ("{ consents(statu: ACTIVE) { totalCount } }", None),  # argument
    ("{ consents(status: ACTIV) { totalCount } }", None),  # enum literal
    ("query($s: ConsentStatu) { consents(status: $s) { totalCount } }", None),  # type
    (
        "query($s: ConsentStatus) { consents(status: $s) { totalCount } }",
        {"s": "ACTIV"},
    ),  # enum value of a variable
    (
        "mutation($i: RecordOutcomeInput!) { __typename }",
        None,
    ),  # type of a variable
    (
        "mutation($i: OutcomeInput!) { recordOutcome(input: $i) { id } }",
        {"i": {"decisionId": "x", "result": "LOAN_GRANTED", "amout": 1}},
    ),  # input field of a variable
    (
        'mutation { recordOutcome(input: {decisionId: "x", result: "X", amout: 1})'
        " { id } }",
        None,
    ),  # input field of a literal
    ("fragment f on Principl { id } { me { ...f } }", None),  # fragment type
    ("{ me }", None),  # missing selection
]


@pytest.fixture
async def production(sqlite_api: Api, tmp_path: Any) -> AsyncIterator[Any]:
    prod = Settings(
        database_url=sqlite_api.hub.settings.database_url,
        env="production",
        key_encryption_key=generate_kek(),
    )
    yield create_app(prod, hub=sqlite_api.hub)


async def test_development_suggests(sqlite_api: Api) -> None:
    # the near misses are near enough: development names what was meant
    bank = await sqlite_api.client(PrincipalKind.BANK)
    for query, variables in NEAR_MISSES:
        body = await sqlite_api.gql(query, variables, bank.token)
        assert "Did you mean" in str(body), query


async def test_production_suggests_nothing(sqlite_api: Api, production: Any) -> None:
    bank = await sqlite_api.client(PrincipalKind.BANK)
    headers = {"authorization": f"Bearer {bank.token}"}
    transport = httpx.ASGITransport(app=production)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
        for query, variables in NEAR_MISSES:
            r = await c.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers=headers,
            )
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["errors"], query
            assert all(e["extensions"]["code"] for e in body["errors"])
            assert "Did you mean" not in r.text, query


async def test_production_subscriptions_suggest_nothing(
    sqlite_api: Api, production: Any
) -> None:
    bank = await sqlite_api.client(PrincipalKind.BANK)
    async with GraphQLSocket(production, None, {"token": bank.token}) as ws:
        for i, query in enumerate(
            ["subscription { riskAlert { uscc } }", "subscription { riskAlerts }"]
        ):
            await ws.send(
                {"id": str(i), "type": "subscribe", "payload": {"query": query}}
            )
            answer = await ws.receive()
            assert answer["type"] == "error", answer
            assert answer["payload"], answer
            assert "Did you mean" not in str(answer), query
