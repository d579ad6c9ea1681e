"""The connector protocol: what a source adapter must provide.

A connector maps one agency's answer about one enterprise to validated
records.  It does no storage, caching or authorisation — :mod:`hub.sources.service`
does those the same way for every connector.

>>> class Honours:
...     '''Provincial honour rolls (信用红名单).'''
...     name = "honours"
...     categories = frozenset({DataCategory.HONOR})
...     ttl = 86400.0
...     enabled = True
...     async def fetch(self, entity, categories, context):
...         return []
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx

from connectors.records import RecordIn
from hub.clock import Clock
from hub.enums import DataCategory

__all__ = ["Connector", "EntityRef", "FetchContext"]


@dataclass(frozen=True, slots=True)
class EntityRef:
    """The enterprise asked about."""

    uscc: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class FetchContext:
    """What a fetch may use: the shared HTTP client and the injected clock."""

    http: httpx.AsyncClient
    clock: Clock


@runtime_checkable
class Connector(Protocol):
    """One external source.

    ``name`` is the entry-point name and the ``source`` of every record it
    returns; ``categories`` the data categories it can supply (a pull happens
    only for categories the consent covers); ``ttl`` how many seconds a pull
    stays fresh; ``enabled`` false when switched off or not configured.
    """

    name: str
    categories: frozenset[DataCategory]
    ttl: float
    enabled: bool

    async def fetch(
        self, entity: EntityRef, categories: Set[DataCategory], context: FetchContext
    ) -> list[RecordIn]:
        """Records about ``entity`` in ``categories`` (a subset of ``self.categories``).

        Raises a :class:`connectors.errors.ConnectorError` when the source is
        unavailable or its answer is malformed; never returns partial data.
        """
        ...
