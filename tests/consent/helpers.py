"""Acting out the consent loop over GraphQL, and checking receipts like a subject."""

from __future__ import annotations

from typing import Any

import jwt

from tests.api import Api, ClientCreds

__all__ = [
    "APPROVE",
    "CONSENTS",
    "CONSENT_FIELDS",
    "OTHER",
    "PROFILE",
    "REJECT",
    "REQUEST",
    "REQUEST_FIELDS",
    "USCC",
    "WITHDRAW",
    "ask",
    "claims",
    "consent",
    "request_input",
]

USCC = "91350100M000100Y43"
OTHER = "91110000100017643K"

REQUEST_FIELDS = """id subject purpose scenario categories durationDays maxReads
  dataLifeDays reason reference status createdAt expiresAt decidedAt rejectionReason
  requester { id kind } consent { id status }"""
CONSENT_FIELDS = """id subject purpose categories status grantedAt expiresAt revokedAt
  receipt receipts maxReads readsUsed lastUsedAt dataLifeDays pausedAt endReason
  grantee { id } request { id reference status }"""

REQUEST = (
    "mutation($i: ConsentRequestInput!, $k: String) { requestConsent(input: $i, "
    "idempotencyKey: $k) { %s } }" % REQUEST_FIELDS
)
APPROVE = (
    "mutation($i: ApproveConsentRequestInput!) { approveConsentRequest(input: $i) "
    "{ %s } }" % CONSENT_FIELDS
)
REJECT = (
    "mutation($id: ID!, $r: String!) { rejectConsentRequest(id: $id, reason: $r) "
    "{ %s } }" % REQUEST_FIELDS
)
WITHDRAW = "mutation($id: ID!) { withdrawConsentRequest(id: $id) { %s } }" % (
    REQUEST_FIELDS
)
CONSENTS = (
    "query($s: ConsentStatus) { consents(status: $s) { totalCount "
    "edges { node { %s } } } }" % CONSENT_FIELDS
)
PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId consent { id } records { totalCount } } }"""


def request_input(**over: Any) -> dict[str, Any]:
    return {
        "subject": USCC,
        "purpose": "LENDING",
        "scenario": "credit-loan",
        "categories": ["BASIC", "TAX", "EVALUATION"],
        "durationDays": 90,
        "maxReads": 10,
        "dataLifeDays": 365,
        "reason": "流动资金贷款申请审查",
        "reference": "LOAN-2026-0001",
        **over,
    }


async def ask(api: Api, bank: ClientCreds, **over: Any) -> dict[str, Any]:
    """``requestConsent`` as ``bank``; the request."""
    data = await api.data(REQUEST, {"i": request_input(**over)}, bank.token)
    return data["requestConsent"]  # type: ignore[no-any-return]


async def consent(api: Api, consent_id: str, uscc: str = USCC) -> dict[str, Any]:
    """The consent as its subject lists it."""
    data = await api.data(CONSENTS, {"s": None}, api.subject_token(uscc))
    found = [
        e["node"] for e in data["consents"]["edges"] if e["node"]["id"] == consent_id
    ]
    assert found, consent_id
    return found[0]  # type: ignore[no-any-return]


async def claims(api: Api, receipt: str) -> dict[str, Any]:
    """Verify a receipt against the published JWKS, as a subject would."""
    jwks = (await api.http.get("/.well-known/jwks.json")).json()
    header = jwt.get_unverified_header(receipt)
    assert header["typ"] == "consent-receipt+jwt"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    return jwt.decode(  # type: ignore[no-any-return]
        receipt,
        jwt.PyJWK(key).key,
        algorithms=[key["alg"]],
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
