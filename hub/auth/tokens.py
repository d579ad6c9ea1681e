"""Access tokens (JWT) and compact JWS receipts, signed by the keyring.

Verification follows RFC 8725 (JWT Best Current Practices):

* §3.1 the algorithm allowlist is ours (``ALLOWED_ALGORITHMS``) and each key
  verifies only with its own algorithm; the header's ``alg`` is compared, never
  obeyed — ``none`` in any spelling and every HS* are refused;
* §3.10 the key is chosen by ``kid`` from the keyring's fixed set; ``jku``,
  ``jwk``, ``x5u`` and ``x5c`` headers are refused rather than ignored;
* §3.8/§3.9 ``iss`` and ``aud`` must be ours; §3.11 explicit typing
  (``typ: at+jwt``, RFC 9068) so a consent receipt signed by the same keys can
  never pass as an access token;
* required claims ``iss aud exp nbf iat jti sub kind``; times are checked
  against the injected clock with at most 5 s leeway (interfaces.md, "Tokens").

Every failure is ``HubError(UNAUTHENTICATED)`` with a plain message.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

import jwt

from hub.auth.keys import ALLOWED_ALGORITHMS, KeyPair, Keyring
from hub.clock import Clock
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from hub.settings import Settings
from hub.uscc import is_valid

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "LEEWAY_SECONDS",
    "REQUIRED_CLAIMS",
    "SECRET_VERSION_CLAIM",
    "issue_access_token",
    "sign_jws",
    "token_secret_version",
    "verify_access_token",
    "verify_jws",
]

ACCESS_TOKEN_TYPE = "at+jwt"
LEEWAY_SECONDS = 5
#: The client secret version a client's token was issued under.
SECRET_VERSION_CLAIM = "sv"
REQUIRED_CLAIMS = ("iss", "aud", "exp", "nbf", "iat", "jti", "sub", "kind")
_RESERVED = frozenset(REQUIRED_CLAIMS) | {"scope"}
_FORBIDDEN_HEADERS = ("jku", "jwk", "x5u", "x5c")
_MAX_TOKEN_CHARS = 8192
_RENEW = "Request a new token at /oauth/token."


def _refuse(message: str = f"Invalid access token. {_RENEW}") -> HubError:
    return HubError(message, ErrorCode.UNAUTHENTICATED)


def issue_access_token(
    keyring: Keyring,
    settings: Settings,
    clock: Clock,
    *,
    sub: str,
    kind: PrincipalKind,
    scope: Iterable[str] | str,
    extra: Mapping[str, Any] | None = None,
    ttl: int | None = None,
) -> tuple[str, int]:
    """Sign an access token; return ``(token, expires_in)``.

    ``extra`` adds claims such as ``name`` or ``uscc``; it cannot override the
    registered ones.
    """
    expires_in = settings.token_ttl if ttl is None else int(ttl)
    if not 0 < expires_in <= 86400:
        raise ValueError("token lifetime must be between 1 s and 1 day")
    clash = _RESERVED.intersection(extra or {})
    if clash:
        raise ValueError(f"extra claims may not override {sorted(clash)}")
    now = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "sub": sub,
        "aud": settings.audience,
        "iat": now,
        "nbf": now,
        "exp": now + expires_in,
        "jti": uuid.uuid4().hex,
        "kind": PrincipalKind(kind).value,
        "scope": scope if isinstance(scope, str) else " ".join(scope),
        **(extra or {}),
    }
    return _sign(keyring.active, claims, ACCESS_TOKEN_TYPE), expires_in


def token_secret_version(claims: Mapping[str, Any]) -> int:
    """The client secret version a token was issued under (``sv``; 0 if absent).

    A token whose version is not the client's current one was issued before
    a rotation and is refused (``hub.auth.authenticate``).
    """
    value = claims.get(SECRET_VERSION_CLAIM, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        return -1  # never a real version: refused
    return value


def sign_jws(keyring: Keyring, payload: Mapping[str, Any], *, typ: str = "JWT") -> str:
    """Compact JWS over ``payload`` with the active key (consent receipts)."""
    return _sign(keyring.active, dict(payload), typ)


def _sign(key: KeyPair, claims: dict[str, Any], typ: str) -> str:
    return jwt.encode(
        claims, key.private_key, algorithm=key.alg, headers={"kid": key.kid, "typ": typ}
    )


def _header(token: object) -> dict[str, Any]:
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS:
        raise _refuse()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _refuse() from None
    alg = header.get("alg")
    # Exact, case-sensitive match against our allowlist: "none", "None",
    # "NONE", "HS256" ... all end here.
    if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
        raise _refuse()
    if any(name in header for name in _FORBIDDEN_HEADERS):
        raise _refuse()
    return header


def _decode(
    key: KeyPair | None, header: dict[str, Any], token: str, **checks: Any
) -> dict[str, Any]:
    if key is None or header["alg"] != key.alg:
        raise _refuse()
    try:
        return jwt.decode(
            token,
            key.public_key,
            algorithms=[key.alg],
            options={
                "verify_signature": True,
                "verify_exp": False,  # checked below against the injected clock
                "verify_nbf": False,
                "verify_iat": False,
                "verify_iss": False,
                "verify_aud": "audience" in checks,
                "require": list(checks.pop("require", ())),
            },
            **checks,
        )
    except jwt.PyJWTError:
        raise _refuse() from None


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse()
    return float(value)


def _check_times(claims: Mapping[str, Any], clock: Clock) -> None:
    now = clock.now().timestamp()
    exp, nbf, iat = (_number(claims, n) for n in ("exp", "nbf", "iat"))
    if exp <= now - LEEWAY_SECONDS:
        raise _refuse(f"Access token expired. {_RENEW}")
    if nbf > now + LEEWAY_SECONDS or iat > now + LEEWAY_SECONDS:
        raise _refuse("Access token not yet valid. Check the client's clock.")


def _check_identity(claims: Mapping[str, Any], settings: Settings) -> None:
    try:
        kind = PrincipalKind(claims["kind"])
    except (ValueError, TypeError):
        raise _refuse() from None
    issuers = {settings.issuer}
    if kind is PrincipalKind.SUBJECT and settings.subject_issuer:
        issuers.add(settings.subject_issuer)
    if claims["iss"] not in issuers:
        raise _refuse()
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise _refuse()
    if kind is PrincipalKind.SUBJECT and not is_valid(claims["sub"]):
        raise _refuse()
    if not isinstance(claims.get("scope", ""), str):
        raise _refuse()


def _check_audience(claims: Mapping[str, Any], settings: Settings) -> None:
    # RFC 7519 §4.1.3: a string or a list naming us (checked by PyJWT on the
    # uncached path; the cache may be shared by hubs of other audiences).
    aud = claims.get("aud")
    names = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if settings.audience not in names:
        raise _refuse()


# Signature checks of recently seen tokens, by the token's exact text: a
# token is immutable, so only its time window has to be re-checked on each
# use.  Bounded; entries also leave when the key that signed them is gone.
_VERIFIED: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
_VERIFIED_MAX = 4096


async def verify_access_token(
    keyring: Keyring, settings: Settings, clock: Clock, token: object
) -> dict[str, Any]:
    """Verify an access token and return its claims (see module docstring)."""
    if isinstance(token, str) and token in _VERIFIED:
        kid, cached = _VERIFIED[token]
        if keyring.get(kid) is not None:
            _check_audience(cached, settings)
            _check_times(cached, clock)
            _check_identity(cached, settings)
            return dict(cached)
        del _VERIFIED[token]
    claims = await _verify_uncached(keyring, settings, clock, token)
    if isinstance(token, str):
        _VERIFIED[token] = (str(_header(token).get("kid")), dict(claims))
        while len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return claims


async def _verify_uncached(
    keyring: Keyring, settings: Settings, clock: Clock, token: object
) -> dict[str, Any]:
    header = _header(token)
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in {
        ACCESS_TOKEN_TYPE,
        f"application/{ACCESS_TOKEN_TYPE}",
    }:
        raise _refuse()
    key = await keyring.find(header.get("kid"))
    claims = _decode(
        key,
        header,
        token,  # type: ignore[arg-type]
        audience=settings.audience,
        require=REQUIRED_CLAIMS,
    )
    _check_times(claims, clock)
    _check_identity(claims, settings)
    return claims


def verify_jws(
    keyring: Keyring, token: str, clock: Clock, *, typ: str | None = None
) -> dict[str, Any]:
    """Verify a compact JWS from :func:`sign_jws` and return its payload.

    Checks signature, allowlisted algorithm, ``kid`` in the keyring, optional
    ``typ`` and, when present, ``exp``.
    """
    header = _header(token)
    if typ is not None and header.get("typ") != typ:
        raise _refuse("Invalid signature.")
    payload = _decode(keyring.get(header.get("kid")), header, token)
    if "exp" in payload and _number(payload, "exp") <= clock.now().timestamp():
        raise _refuse("Signed document expired.")
    return payload
