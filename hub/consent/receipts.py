"""Signed receipts for every change of a consent.

Contract v2, "Receipts for every change": each grant, amend, pause, resume,
revoke and expiry issues a compact JWS (the hub's token keys, verifiable at
``/.well-known/jwks.json``) with the v1 claims — ``jti`` (the consent id),
``sub``, ``grantee``, ``purpose``, ``categories``, ``iat``, ``exp`` (=
expiresAt), ``iss`` — plus ``rid`` (this receipt's id), ``consent``,
``event``, ``maxReads`` and ``dataLifeDays``.  The consent keeps its latest
receipt in ``receipt``; all of them are rows of ``consent_receipts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.tokens import sign_jws
from hub.clock import utc
from hub.enums import ReceiptEvent
from hub.models import Consent, ConsentReceipt, new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["RECEIPT_TYPE", "issue_receipt"]

RECEIPT_TYPE = "consent-receipt+jwt"


def issue_receipt(
    session: AsyncSession,
    hub: Hub,
    consent: Consent,
    event: ReceiptEvent,
    now: datetime,
    *,
    grantee_name: str | None = None,
) -> ConsentReceipt:
    """Sign the consent's terms as they stand after ``event``; keep the receipt."""
    rid = new_id()
    claims = {
        "jti": consent.id,
        "rid": rid,
        "consent": consent.id,
        "event": str(event),
        "iss": hub.settings.issuer,
        "sub": consent.subject,
        "grantee": consent.grantee_id,
        "purpose": consent.purpose,
        "categories": sorted(consent.categories),
        "iat": int(now.timestamp()),
        "exp": int(utc(consent.expires_at).timestamp()),
        "maxReads": consent.max_reads,
        "dataLifeDays": consent.data_life_days,
    }
    if grantee_name is not None:
        claims["grantee_name"] = grantee_name
    if consent.request_id is not None:
        claims["request"] = consent.request_id
    jws = sign_jws(hub.keys, claims, typ=RECEIPT_TYPE)
    consent.receipt = jws
    row = ConsentReceipt(
        id=rid, consent_id=consent.id, event=str(event), issued_at=now, jws=jws
    )
    session.add(row)
    return row
