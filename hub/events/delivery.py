"""One webhook attempt: sign (Standard Webhooks), send, judge, reschedule.

Headers per the Standard Webhooks specification, signed with its reference
library (``standardwebhooks``): ``webhook-id`` (the message's id, the same
on every attempt), ``webhook-timestamp`` (Unix seconds of this attempt) and
``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of
``id.timestamp.body`` under the endpoint's ``whsec_`` secret).

Any 2xx answer delivers the message.  Anything else — another status, a
timeout, a refused connection, a target the SSRF guard refuses at this
moment — is a failed attempt, retried after about 5 s, 5 min, 30 min, 2 h,
5 h, 10 h and 10 h (:data:`SCHEDULE`, each wait stretched by up to 10 %,
fixed per message, so retries after an outage do not arrive all at once);
after the last one the message is ``failed``.  Redirects are not followed
(they would lead past the guard).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook as Signer

from hub.errors import HubError
from hub.events.targets import TargetPolicy, resolve

__all__ = ["SCHEDULE", "Attempt", "Outcome", "next_wait", "secret_signer", "send"]

#: Seconds to wait after the n-th failed attempt (Standard Webhooks' schedule).
SCHEDULE: tuple[int, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
_ERROR_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Attempt:
    """A claimed message: what to send, where, under which claim."""

    delivery_id: str
    message_id: str
    body: str
    url: str
    secret: str
    step: int
    claim: str


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    status: int | None
    error: str | None


def secret_signer(secret: str) -> Signer:
    return Signer(secret)


def next_wait(step: int, message_id: str) -> timedelta | None:
    """The wait after a failure at ``step`` of the schedule; None: give up."""
    if step >= len(SCHEDULE):
        return None
    spread = int(hashlib.sha256(message_id.encode()).hexdigest()[:4], 16) / 0xFFFF
    return timedelta(seconds=SCHEDULE[step] * (1 + 0.1 * spread))


def headers(attempt: Attempt, sent_at: datetime) -> dict[str, str]:
    signature = secret_signer(attempt.secret).sign(
        msg_id=attempt.message_id, timestamp=sent_at, data=attempt.body
    )
    return {
        "webhook-id": attempt.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "xinyi-hub-webhooks/1",
    }


async def send(
    http: httpx.AsyncClient,
    attempt: Attempt,
    policy: TargetPolicy,
    *,
    sent_at: datetime,
    timeout: float,
) -> Outcome:
    """Make one attempt; never raises for the endpoint's faults."""
    try:
        target = await resolve(attempt.url, policy)
    except HubError as exc:
        return Outcome(False, None, f"refused: {exc.message}"[:_ERROR_LIMIT])
    h = headers(attempt, sent_at)
    h["host"] = target.host_header
    extensions: dict[str, Any] = {}
    if target.scheme == "https":
        # Connect to the checked address, verify the certificate for the name.
        extensions["sni_hostname"] = target.host
    try:
        response = await http.post(
            target.pinned_url,
            content=attempt.body.encode(),
            headers=h,
            extensions=extensions,
            timeout=timeout,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT])
    ok = 200 <= response.status_code < 300
    return Outcome(
        ok, response.status_code, None if ok else f"HTTP {response.status_code}"
    )
