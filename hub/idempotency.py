"""Idempotency keys for mutations: a replay returns the first request's result.

One definition for every idempotent mutation (consents, objections,
outcomes, …)::

    request = await idempotency.begin(session, actor.id, key, "consent.grant",
                                      subject, grantee, purpose)
    if request.result_id is not None:
        return await session.get(Consent, request.result_id)
    ...                                   # do the work
    request.remember(session, consent.id, now)

A key reused for another operation, or for the same operation with other
input, is ``CONFLICT``; two requests racing with one key are answered
``CONFLICT`` at commit by the unique key (``hub.db``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import ErrorCode, HubError
from hub.models import IdempotencyKey

__all__ = ["IdempotentRequest", "begin", "fingerprint"]


def fingerprint(*parts: object) -> str:
    """A short digest of a request's input, stored beside its idempotency key."""
    raw = json.dumps([str(p) for p in parts], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class IdempotentRequest:
    """One request under an optional key; ``result_id`` is set on a replay."""

    principal_id: str
    key: str | None
    operation: str
    fingerprint: str
    result_id: str | None = None

    def remember(self, session: AsyncSession, result_id: str, at: datetime) -> None:
        """Store the result under the key (in the request's unit of work)."""
        if self.key is None:
            return
        session.add(
            IdempotencyKey(
                principal_id=self.principal_id,
                key=self.key,
                operation=f"{self.operation}#{self.fingerprint}",
                result_id=result_id,
                created_at=at,
            )
        )


async def begin(
    session: AsyncSession,
    principal_id: str,
    key: str | None,
    operation: str,
    *inputs: object,
) -> IdempotentRequest:
    """Look the key up; ``result_id`` is the earlier result when it is a replay."""
    digest = fingerprint(*inputs)
    request = IdempotentRequest(principal_id, key, operation, digest)
    if key is None:
        return request
    row = await session.get(IdempotencyKey, (principal_id, key))
    if row is None:
        return request
    stored_op, _, stored_fp = row.operation.partition("#")
    if stored_op != operation:
        raise HubError(
            f"Idempotency key {key!r} was used for {stored_op}; use a new key.",
            ErrorCode.CONFLICT,
        )
    if stored_fp and stored_fp != digest:
        raise HubError(
            "This idempotency key was used for a different request; use a new key.",
            ErrorCode.CONFLICT,
        )
    return IdempotentRequest(principal_id, key, operation, digest, row.result_id)
