"""The connector registry, fed by the ``xinyi_hub.connectors`` entry-point group.

Built-in connectors are declared in ``pyproject.toml`` like any plugin::

    [project.entry-points."xinyi_hub.connectors"]
    henan-tax = "connectors.tax:TaxRatingConnector"

An entry point names a class taking ``(config: ConnectorSettings)``; its
``name`` must equal the entry-point name.  Configuration comes from
``settings.connectors``: the environment variable
``HUB_CONNECTORS__HENAN_TAX__BASE_URL`` arrives as key ``henan_tax``
(pydantic-settings lower-cases it), so keys are matched with ``-``/``_`` and
case ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Set
from importlib.metadata import entry_points
from typing import Any

import httpx

from connectors.protocol import Connector
from hub.enums import DataCategory
from hub.settings import ConnectorSettings, Settings

__all__ = ["GROUP", "ConnectorRegistry", "connector_config", "load_connectors"]

GROUP = "xinyi_hub.connectors"


def _norm(name: str) -> str:
    return name.lower().replace("-", "_")


def connector_config(settings: Settings, name: str) -> ConnectorSettings:
    """The settings of connector ``name``, merging every spelling of its key."""
    merged: dict[str, Any] = {}
    for key, conf in settings.connectors.items():
        if _norm(key) == _norm(name):
            merged.update({f: getattr(conf, f) for f in conf.model_fields_set})
    # model_construct: values were validated when Settings was read, and a
    # bare ConnectorSettings() would read unprefixed variables such as TIMEOUT.
    return ConnectorSettings.model_construct(**merged)


class ConnectorRegistry:
    """Connectors by name, plus the one HTTP client they share."""

    def __init__(
        self,
        connectors: Iterable[Connector],
        http_factory: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        self._by_name: dict[str, Connector] = {}
        for c in connectors:
            if c.name in self._by_name:
                raise ValueError(f"two connectors are named {c.name!r}")
            self._by_name[c.name] = c
        self._http_factory = http_factory or _default_http
        self._http: httpx.AsyncClient | None = None

    def __iter__(self) -> Iterator[Connector]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __getitem__(self, name: str) -> Connector:
        return self._by_name[name]

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def for_categories(self, categories: Set[DataCategory]) -> list[Connector]:
        """Enabled connectors that can supply at least one of ``categories``."""
        return [c for c in self if c.enabled and c.categories & categories]

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = self._http_factory()
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _default_http() -> httpx.AsyncClient:
    # Per-request timeouts come from each connector; these are the pool limits.
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        headers={"User-Agent": "xinyi-hub"},
    )


def load_connectors(settings: Settings, group: str = GROUP) -> ConnectorRegistry:
    """Instantiate every connector registered under ``group``."""
    loaded = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        cls = ep.load()
        connector = cls(connector_config(settings, ep.name))
        if connector.name != ep.name:
            raise ValueError(
                f"entry point {ep.name!r} loads a connector named {connector.name!r}; "
                "they must match"
            )
        loaded.append(connector)
    return ConnectorRegistry(loaded)
