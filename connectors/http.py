"""Base class for connectors that call an agency's HTTP JSON API.

One shared ``httpx.AsyncClient`` (owned by the registry) serves every
connector.  Per fetch: a total time budget of ``timeout`` seconds, at most
``retries`` extra attempts with exponential backoff and full jitter — only
for timeouts, 5xx and connection errors — behind a circuit breaker.  The
answer is validated as a whole: bad JSON, a schema mismatch or an answer
about another USCC raises :class:`MalformedPayload` (quarantined by the
service), so a payload is used completely or not at all.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Set
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ValidationError

from connectors.breaker import BreakerState, CircuitBreaker
from connectors.errors import (
    CircuitOpen,
    ConnectorError,
    MalformedPayload,
    SourceConnectionError,
    SourceHTTPError,
    SourceTimeout,
    WrongSubject,
)
from connectors.protocol import EntityRef, FetchContext
from connectors.records import RecordIn
from hub.enums import DataCategory
from hub.metrics import BREAKER_STATE, CONNECTOR_REQUESTS
from hub.settings import ConnectorSettings

__all__ = ["HttpConnector"]

# Quarantined payloads are kept for an operator to read, not archived whole.
_RAW_LIMIT = 65_536


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "payload"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


# hub_connector_breaker_state: 0 closed, 1 half-open, 2 open.
_BREAKER_LEVEL = {
    BreakerState.CLOSED: 0,
    BreakerState.HALF_OPEN: 1,
    BreakerState.OPEN: 2,
}


class HttpConnector(ABC):
    """Subclasses set the class attributes and implement ``path`` and ``to_records``."""

    name: ClassVar[str]
    categories: ClassVar[frozenset[DataCategory]]
    #: Freshness in seconds unless ``HUB_CONNECTORS__<NAME>__TTL`` overrides it.
    default_ttl: ClassVar[float] = 3600.0
    #: The pydantic model of the agency's answer.
    answer_model: ClassVar[type[BaseModel]]
    failure_threshold: ClassVar[int] = 5
    cooldown: ClassVar[float] = 30.0
    backoff_base: ClassVar[float] = 0.05
    backoff_cap: ClassVar[float] = 1.0

    def __init__(
        self,
        config: ConnectorSettings | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config or ConnectorSettings.model_construct()
        self.ttl = float(
            self.config.ttl
            if "ttl" in self.config.model_fields_set
            else self.default_ttl
        )
        self.breaker = CircuitBreaker(self.failure_threshold, self.cooldown)
        self._rng = rng or random.Random()

    @property
    def enabled(self) -> bool:
        """Switched on and pointed at a source (no base URL: nothing to call)."""
        return self.config.enabled and bool(self.config.base_url)

    # -- to implement -----------------------------------------------------
    @abstractmethod
    def path(self, entity: EntityRef, categories: Set[DataCategory]) -> str:
        """The agency's URL path for ``entity`` (relative to ``base_url``)."""

    @abstractmethod
    def to_records(
        self, entity: EntityRef, answer: Any, categories: Set[DataCategory]
    ) -> list[RecordIn]:
        """Map a validated ``answer_model`` instance to record rows."""

    # -- the fetch ----------------------------------------------------------
    async def fetch(
        self, entity: EntityRef, categories: Set[DataCategory], context: FetchContext
    ) -> list[RecordIn]:
        if not self.breaker.allow(context.clock.now()):
            CONNECTOR_REQUESTS.labels(self.name, "circuit_open").inc()
            retry_at = self.breaker.retry_at()
            raise CircuitOpen(
                self.name,
                f"circuit open after {self.breaker.failures} consecutive failures; "
                f"next trial at {retry_at.isoformat() if retry_at else 'once closed'}",
            )
        try:
            raw = await self._get(self.path(entity, categories), context)
            records = self._parse(entity, raw, categories)
        except ConnectorError as exc:
            self.breaker.failure(context.clock.now())
            self._count(exc.reason, context)
            raise
        except BaseException:
            # Cancelled or crashed: free the half-open trial slot, count nothing.
            self.breaker.abandon()
            raise
        self.breaker.success()
        self._count("ok", context)
        return records

    def _count(self, outcome: str, context: FetchContext) -> None:
        CONNECTOR_REQUESTS.labels(self.name, outcome.lower()).inc()
        state = self.breaker.state(context.clock.now())
        BREAKER_STATE.labels(self.name).set(_BREAKER_LEVEL[state])

    def _parse(
        self, entity: EntityRef, raw: str, categories: Set[DataCategory]
    ) -> list[RecordIn]:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise MalformedPayload(
                self.name, f"not JSON ({exc})", raw[:_RAW_LIMIT]
            ) from None
        try:
            answer = self.answer_model.model_validate(data)
        except ValidationError as exc:
            raise MalformedPayload(
                self.name, f"schema mismatch: {_describe(exc)}", raw[:_RAW_LIMIT]
            ) from None
        answered = getattr(answer, "uscc", None)
        if answered != entity.uscc:
            raise WrongSubject(
                self.name,
                f"asked about {entity.uscc} but the answer is about {answered}",
                raw[:_RAW_LIMIT],
            )
        try:
            return self.to_records(entity, answer, categories)
        except (ValidationError, ValueError) as exc:
            reason = _describe(exc) if isinstance(exc, ValidationError) else str(exc)
            raise MalformedPayload(
                self.name,
                f"cannot map the answer to records: {reason}",
                raw[:_RAW_LIMIT],
            ) from None

    async def _get(self, path: str, context: FetchContext) -> str:
        url = self.config.base_url.rstrip("/") + path  # type: ignore[union-attr]
        headers = {"Accept": "application/json"}
        if self.config.api_key:
            headers["X-Api-Key"] = self.config.api_key
        # The whole fetch, retries included, fits in one budget: a sick source
        # adds at most its timeout to a profile read.
        deadline = time.monotonic() + self.config.timeout
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise SourceTimeout(
                        self.name, f"no answer within {self.config.timeout:g} s"
                    )
                return await self._attempt(context.http, url, headers, remaining)
            except ConnectorError as exc:
                if not exc.retryable or attempt >= self.config.retries:
                    raise
            attempt += 1
            # Full jitter (AWS architecture blog, "Exponential Backoff And
            # Jitter"): spreads retries of many readers over the window.
            ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
            pause = self._rng.uniform(0, ceiling)
            if time.monotonic() + pause >= deadline:
                raise SourceTimeout(
                    self.name, f"no answer within {self.config.timeout:g} s"
                )
            await asyncio.sleep(pause)

    async def _attempt(
        self, http: httpx.AsyncClient, url: str, headers: dict[str, str], budget: float
    ) -> str:
        try:
            # httpx times each phase; the outer bound covers a slow drip too.
            async with asyncio.timeout(budget):
                response = await http.get(url, headers=headers, timeout=budget)
        except (httpx.TimeoutException, TimeoutError):
            raise SourceTimeout(
                self.name, f"no answer within {self.config.timeout:g} s"
            ) from None
        except httpx.TransportError as exc:
            raise SourceConnectionError(
                self.name, f"{type(exc).__name__}: {exc}"
            ) from None
        if response.status_code != 200:
            raise SourceHTTPError(self.name, response.status_code)
        return response.text
