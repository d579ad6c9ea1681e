"""One contract over every registered connector, built-in or plugin."""

from __future__ import annotations

import inspect
from importlib.metadata import entry_points

import pytest

from connectors.protocol import Connector, EntityRef, FetchContext
from connectors.records import RecordIn
from connectors.registry import GROUP, ConnectorRegistry, load_connectors
from hub.clock import FrozenClock
from hub.enums import DataCategory
from hub.settings import Settings
from tests.connectors.conftest import find_uscc

NAMES = sorted(ep.name for ep in entry_points(group=GROUP))
# A USCC for which every sandbox source has something to say.
USCC = "91350100M000100Y43"


def test_builtin_connectors_are_registered_through_entry_points() -> None:
    assert NAMES == ["court-dishonest", "henan-tax", "market-regulation", "utilities"]


def test_unconfigured_connectors_are_disabled() -> None:
    registry = load_connectors(Settings(env="test"))
    assert [c.enabled for c in registry] == [False] * len(NAMES)
    assert registry.for_categories(frozenset(DataCategory)) == []


@pytest.mark.parametrize("name", NAMES)
async def test_connector_contract(
    name: str, registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    connector = registry[name]
    # it implements the documented protocol
    assert isinstance(connector, Connector)
    assert connector.name == name
    assert connector.categories and connector.categories <= frozenset(DataCategory)
    assert isinstance(connector.ttl, float) and connector.ttl > 0
    assert inspect.getdoc(type(connector)), "a connector says what source it is"
    assert connector.enabled is True
    # and maps a sandbox answer into valid records of its own categories
    uscc = find_uscc(lambda u: True)
    records = []
    for code in (USCC, uscc):
        records += await connector.fetch(
            EntityRef(code), connector.categories, FetchContext(registry.http, clock)
        )
    for record in records:
        assert isinstance(record, RecordIn)
        assert record.source == name
        assert record.category in connector.categories
        assert record.uscc in (USCC, uscc)
        RecordIn.model_validate(record.model_dump())
