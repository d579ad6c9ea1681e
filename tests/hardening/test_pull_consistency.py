"""Connector pulls: asked outside any transaction, stored in a short one, marked
fresh only once that commits."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from connectors.protocol import EntityRef, FetchContext
from connectors.records import RecordIn
from connectors.registry import ConnectorRegistry
from connectors.sandbox import data
from hub.enums import DataCategory, PrincipalKind
from tests.api import Api
from tests.connectors.conftest import SANDBOX_DAY, find_uscc

USCC = find_uscc(lambda u: len(data.tax_answer(u, SANDBOX_DAY)["ratings"]) == 2)
PROFILE = (
    """query($a: String) { creditProfile(uscc: "%s", purpose: LENDING) {
  sources { source stale } records(after: $a) { totalCount } } }"""
    % USCC
)


async def _bank(api: Api) -> Any:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
    return bank


async def test_a_read_rolled_back_after_a_pull_does_not_lose_its_records(
    pulling_api: Api,
) -> None:
    api = pulling_api
    bank = await _bank(api)
    # a read that pulls, then fails (a bad cursor), so its unit of work rolls back
    body = await api.gql(PROFILE, {"a": "not-a-cursor"}, bank.token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert api.hub.connectors is not None
    # the next read, within the source's ttl, finds what that pull brought
    profile = (await api.data(PROFILE, token=bank.token))["creditProfile"]
    assert profile["records"]["totalCount"] == 1  # this year's grade
    assert {s["source"]: s["stale"] for s in profile["sources"]} == {"henan-tax": False}


class Watching:
    """The tax connector, noting how many pooled connections are out while it
    waits on the agency."""

    def __init__(self, inner: Any, engine: Any) -> None:
        self.inner, self.engine = inner, engine
        self.name, self.categories = inner.name, inner.categories
        self.ttl, self.enabled = inner.ttl, inner.enabled
        self.held: list[int] = []

    async def fetch(
        self, entity: EntityRef, categories: Set[DataCategory], context: FetchContext
    ) -> list[RecordIn]:
        self.held.append(self.engine.pool.checkedout())
        records: list[RecordIn] = await self.inner.fetch(entity, categories, context)
        return records


async def test_no_connection_is_held_while_an_agency_is_asked(pulling_api: Api) -> None:
    api = pulling_api
    bank = await _bank(api)
    assert api.hub.connectors is not None
    watching = Watching(api.hub.connectors["henan-tax"], api.hub.engine)
    api.hub.connectors = ConnectorRegistry([watching])
    profile = (await api.data(PROFILE, token=bank.token))["creditProfile"]
    assert profile["records"]["totalCount"] == 1  # this year's grade
    assert watching.held == [0]
