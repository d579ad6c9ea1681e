"""Fault injection: make one source slow, failing, garbled or confused.

Per request, in the ``X-Sandbox-Fault`` header or the ``fault`` query
parameter, comma-separated: ``latency=2.0``, ``status=503``, ``timeout``,
``malformed`` (truncated JSON), ``schema`` (valid JSON of the wrong shape),
``wrong-uscc`` (an answer about another enterprise).  Persistently per source
through ``POST /_faults`` with ``{"source": "tax", "latency": 2.0,
"error_rate": 0.5, "status": 503, "malformed": true, "wrong_uscc": true}``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Fault", "parse_fault"]


@dataclass
class Fault:
    latency: float = 0.0
    status: int | None = None
    # Share of requests that fail with ``status`` (503 if unset); 1.0 = all.
    error_rate: float | None = None
    timeout: bool = False
    malformed: bool = False
    schema: bool = False
    wrong_uscc: bool = False
    # Seeded: a given fault config fails the same requests on every run.
    rng: random.Random = field(default_factory=lambda: random.Random(35), repr=False)

    def fails_now(self) -> int | None:
        """The error status to answer this request with, if any."""
        if self.error_rate is not None:
            return (self.status or 503) if self.rng.random() < self.error_rate else None
        return self.status

    def merged(self, other: Fault) -> Fault:
        return Fault(
            latency=max(self.latency, other.latency),
            status=other.status if other.status is not None else self.status,
            error_rate=other.error_rate
            if other.error_rate is not None
            else self.error_rate,
            timeout=self.timeout or other.timeout,
            malformed=self.malformed or other.malformed,
            schema=self.schema or other.schema,
            wrong_uscc=self.wrong_uscc or other.wrong_uscc,
            rng=self.rng,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        known = {
            "latency",
            "status",
            "error_rate",
            "timeout",
            "malformed",
            "schema",
            "wrong_uscc",
        }
        unknown = set(data) - known - {"source"}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        fault = cls(
            latency=float(data.get("latency") or 0.0),
            status=int(data["status"]) if data.get("status") is not None else None,
            error_rate=(
                float(data["error_rate"])
                if data.get("error_rate") is not None
                else None
            ),
            timeout=bool(data.get("timeout", False)),
            malformed=bool(data.get("malformed", False)),
            schema=bool(data.get("schema", False)),
            wrong_uscc=bool(data.get("wrong_uscc", False)),
        )
        if fault.status is not None and not 400 <= fault.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        return fault


def parse_fault(text: str | None) -> Fault:
    """``"latency=2.0,status=503"`` → Fault; empty → no fault."""
    data: dict[str, Any] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, _, value = part.partition("=")
        key = key.strip().replace("-", "_")
        data[key] = value.strip() if value else True
    return Fault.from_json(data)
