"""SUBJECT tokens from the enterprises' identity provider (``HUB_SUBJECT_JWKS_URL``).

Enterprises sign in at their provider (a provincial e-government login, an
OpenID Connect server …), not at the hub.  When ``subject_jwks_url`` and
``subject_issuer`` are set, a bearer token whose ``iss`` is that issuer is
verified with the provider's public keys and becomes the enterprise's
SUBJECT principal::

    HUB_SUBJECT_ISSUER=https://login.example.gov.cn
    HUB_SUBJECT_JWKS_URL=https://login.example.gov.cn/.well-known/jwks.json
    HUB_SUBJECT_AUDIENCE=xinyi-hub          # default: HUB_AUDIENCE
    HUB_SUBJECT_USCC_CLAIM=uscc             # default: sub

The JWK set is fetched with httpx and kept for ``subject_jwks_ttl`` seconds.
A token naming a ``kid`` the set lacks makes one fresh fetch (the provider
rotated its keys), at most every ``REFETCH_INTERVAL`` seconds so made-up
kids cannot turn into a flood of requests.  When a fetch fails the keys
already held keep working, so a provider outage does not lock out
enterprises whose keys the hub knows.

Verification follows RFC 8725 as for the hub's own tokens: the algorithm
comes from ``subject_algorithms`` (asymmetric only) and must match the key's;
the key is chosen by ``kid`` from the fetched set, never from the token
(``jku``/``jwk``/``x5u``/``x5c`` refused); ``iss`` and ``aud`` must match;
``exp`` is required and checked on the injected clock with 5 s leeway.  The
USCC claim must be a valid USCC.  Every refusal is ``UNAUTHENTICATED``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import httpx
import jwt

from hub.auth.scopes import allowed_scopes
from hub.clock import Clock
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from hub.settings import Settings
from hub.uscc import is_valid

__all__ = ["REFETCH_INTERVAL", "SubjectIdentityProvider", "token_issuer"]

REFETCH_INTERVAL = 10.0
LEEWAY_SECONDS = 5
_FORBIDDEN_HEADERS = ("jku", "jwk", "x5u", "x5c")
_MAX_TOKEN_CHARS = 8192
_SIGN_IN = "Sign in again at your identity provider."
_log = logging.getLogger(__name__)


def _refuse(message: str = f"Invalid subject token. {_SIGN_IN}") -> HubError:
    return HubError(message, ErrorCode.UNAUTHENTICATED)


def token_issuer(token: str) -> str | None:
    """The unverified ``iss`` of a JWT, to choose who verifies it."""
    if len(token) > _MAX_TOKEN_CHARS:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    iss = claims.get("iss")
    return iss if isinstance(iss, str) else None


class SubjectIdentityProvider:
    """Verifies the provider's tokens with its cached JWK set (see module)."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if not settings.subject_jwks_url or not settings.subject_issuer:
            raise ValueError("subject_jwks_url needs subject_issuer")
        self.issuer = settings.subject_issuer
        self.jwks_url = settings.subject_jwks_url
        self.audience = settings.subject_audience or settings.audience
        self.algorithms = frozenset(settings.subject_algorithms)
        self.uscc_claim = settings.subject_uscc_claim
        self._ttl = settings.subject_jwks_ttl
        self._clock = clock
        self._http = http or httpx.AsyncClient(timeout=5.0)
        self._owns_http = http is None
        # kid -> (key, the "alg" the key declares, if any)
        self._keys: dict[str, tuple[jwt.PyJWK, str | None]] = {}
        self._fetched_at = float("-inf")
        self._tried_at = float("-inf")
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- the key set ---------------------------------------------------------
    def _now(self) -> float:
        return self._clock.now().timestamp()

    async def _fetch(self) -> None:
        self._tried_at = self._now()
        try:
            response = await self._http.get(
                self.jwks_url, headers={"Accept": "application/json"}
            )
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            _log.warning("subject JWKS %s not fetched: %s", self.jwks_url, exc)
            return
        keys: dict[str, tuple[jwt.PyJWK, str | None]] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
                continue
            if entry.get("use", "sig") != "sig" or "d" in entry:
                continue  # encryption keys; a private key published by mistake
            declared = entry.get("alg")
            try:
                keys[entry["kid"]] = (
                    jwt.PyJWK(entry),
                    declared if isinstance(declared, str) else None,
                )
            except jwt.PyJWTError:
                continue  # a key type or curve PyJWT cannot use
        self._keys = keys
        self._fetched_at = self._now()

    async def key(self, kid: str) -> tuple[jwt.PyJWK, str | None] | None:
        """The provider's key ``kid``: cached, refetched when stale or unknown.

        After a failed fetch the keys held are used until one succeeds.
        """
        if self._now() - self._fetched_at < self._ttl and kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            now = self._now()
            wanted = now - self._fetched_at >= self._ttl or kid not in self._keys
            if wanted and now - self._tried_at >= REFETCH_INTERVAL:
                await self._fetch()
        return self._keys.get(kid)

    # -- tokens --------------------------------------------------------------
    async def verify(self, token: str) -> dict[str, Any]:
        """Claims for :func:`hub.auth.authenticate.principal_from_claims`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _refuse() from None
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise _refuse()
        if any(name in header for name in _FORBIDDEN_HEADERS):
            raise _refuse()
        if not isinstance(kid, str) or not kid:
            raise _refuse()
        found = await self.key(kid)
        if found is None:
            raise _refuse(
                f"The identity provider's key {kid!r} is not known. {_SIGN_IN}"
            )
        key, declared = found
        if declared is not None and declared != alg:
            raise _refuse()
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "verify_exp": False,  # on the injected clock, below
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["iss", "aud", "exp", "sub"],
                },
            )
        except jwt.PyJWTError:
            raise _refuse() from None
        self._check_times(claims)
        uscc = claims.get(self.uscc_claim)
        if not isinstance(uscc, str) or not is_valid(uscc):
            raise _refuse(
                f"The subject token's {self.uscc_claim!r} claim is not a valid "
                "unified social credit code (USCC)."
            )
        jti = claims.get("jti")
        name = claims.get("name")
        return {
            "sub": uscc,
            "kind": PrincipalKind.SUBJECT.value,
            "scope": " ".join(allowed_scopes(PrincipalKind.SUBJECT)),
            "jti": jti
            if isinstance(jti, str) and jti
            else hashlib.sha256(token.encode()).hexdigest()[:32],
            "name": name if isinstance(name, str) else uscc,
            "iss": self.issuer,
            "exp": claims["exp"],
        }

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._now()
        values = {}
        for name in ("exp", "nbf", "iat"):
            value = claims.get(name)
            if value is None and name != "exp":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _refuse()
            values[name] = float(value)
        if values["exp"] <= now - LEEWAY_SECONDS:
            raise _refuse(f"Subject token expired. {_SIGN_IN}")
        if any(values.get(n, 0) > now + LEEWAY_SECONDS for n in ("nbf", "iat")):
            raise _refuse("Subject token not yet valid. Check the provider's clock.")
