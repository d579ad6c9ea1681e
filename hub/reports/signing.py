"""Reports are compact JWS over their canonical JSON, signed with the hub's key.

Canonical JSON here: keys sorted, no whitespace, UTF-8 (non-ASCII as is).
The signature covers exactly those bytes, so anyone can check a report
offline with any JWS library and the public keys at
``/.well-known/jwks.json`` (the ``kid`` header names the key)::

    import jwt  # PyJWT
    key = jwt.PyJWKClient("https://hub.example/.well-known/jwks.json") \\
        .get_signing_key_from_jwt(signed)
    report = jwt.api_jws.decode(signed, key.key, algorithms=["ES256", "RS256"])
"""

from __future__ import annotations

import json
from typing import Any

import jwt

from hub.auth.keys import ALLOWED_ALGORITHMS, Keyring

__all__ = ["REPORT_TYPE", "canonical", "sign_report", "verify_report"]

REPORT_TYPE = "credit-report+jws"
_FORBIDDEN_HEADERS = ("jku", "jwk", "x5u", "x5c")


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def sign_report(keyring: Keyring, payload: dict[str, Any]) -> str:
    """Compact JWS over ``canonical(payload)`` with the active signing key."""
    key = keyring.active
    return jwt.api_jws.encode(
        canonical(payload),
        key.private_key,
        algorithm=key.alg,
        headers={"kid": key.kid, "typ": REPORT_TYPE},
    )


async def verify_report(keyring: Keyring, signed: str) -> dict[str, Any] | None:
    """The report a JWS carries when its signature verifies with a published
    key of this hub and its payload is canonical JSON; ``None`` otherwise.

    The key comes from the hub's fixed set by ``kid``, never from the JWS
    (RFC 8725 §3.10); only the allow-listed asymmetric algorithms.
    """
    try:
        header = jwt.get_unverified_header(signed)
    except jwt.PyJWTError:
        return None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS or header.get("typ") != REPORT_TYPE:
        return None
    if any(h in header for h in _FORBIDDEN_HEADERS):
        return None
    key = await keyring.find(header.get("kid"))
    if key is None or key.alg != alg:
        return None
    try:
        body = jwt.api_jws.decode(signed, key.public_key, algorithms=[key.alg])
        payload = json.loads(body)
    except (jwt.PyJWTError, ValueError):
        return None
    if not isinstance(payload, dict) or canonical(payload) != body:
        return None
    return payload
