"""HTTP endpoints: ``POST /oauth/token`` and ``GET /.well-known/jwks.json``.

The token endpoint implements the client-credentials grant (RFC 6749 §4.4).
Clients authenticate with HTTP Basic (§2.3.1: id and secret form-url-encoded
before base64) or with ``client_id``/``client_secret`` form fields — one
method, not both (§2.3).  Errors are the §5.2 JSON bodies.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.auth.clients import client_service
from hub.auth.scopes import parse_scope
from hub.auth.tokens import SECRET_VERSION_CLAIM, issue_access_token
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.metrics import RATE_LIMITED
from hub.outages import OUTAGE_MESSAGE, outage_of

__all__ = ["jwks_endpoint", "routes", "token_endpoint"]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="xinyi-hub", charset="UTF-8"'}
_MAX_BODY = 8192
_FORM = "application/x-www-form-urlencoded"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error response."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        challenge: bool = False,
    ) -> None:
        super().__init__(description)
        self.error, self.description = error, description
        self.status, self.challenge = status, challenge

    def response(self) -> JSONResponse:
        headers = dict(_NO_STORE)
        if self.challenge:
            headers.update(_CHALLENGE)
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers=headers,
        )


def _invalid_client(*, challenge: bool) -> OAuthError:
    return OAuthError(
        "invalid_client",
        "Client authentication failed.",
        status=401,
        challenge=challenge,
    )


@dataclass(frozen=True, slots=True)
class _Credentials:
    client_id: str
    secret: str
    basic: bool


async def _form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != _FORM:
        raise OAuthError("invalid_request", f"Send the request body as {_FORM}.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            raise OAuthError("invalid_request", "Request body too large.")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=16
        )
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "Malformed form body.") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        # §3.2: parameters must not be included more than once.
        if name in params:
            raise OAuthError("invalid_request", f"Parameter {name!r} repeated.")
        params[name] = value
    return params


def _credentials(request: Request, params: dict[str, str]) -> _Credentials:
    header = request.headers.get("authorization")
    if header is None:
        client_id, secret = params.get("client_id"), params.get("client_secret")
        if not client_id or not secret:
            raise _invalid_client(challenge=True)
        return _Credentials(client_id, secret, basic=False)
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise _invalid_client(challenge=True)
    if "client_secret" in params:
        raise OAuthError(
            "invalid_request", "Use one client authentication method, not two."
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid_client(challenge=True) from None
    raw_id, sep, raw_secret = decoded.partition(":")
    client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
    if not sep or not client_id or not secret:
        raise _invalid_client(challenge=True)
    if params.get("client_id", client_id) != client_id:
        raise OAuthError("invalid_request", "client_id differs from Basic credentials.")
    return _Credentials(client_id, secret, basic=True)


async def _issue(request: Request) -> dict[str, Any]:
    hub = request.app.state.hub
    params = await _form(request)
    credentials = _credentials(request, params)
    grant_type = params.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required.")
    if grant_type != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", "Only grant_type=client_credentials is supported."
        )
    async with session_scope(hub.sessionmaker) as session:
        client = await client_service.authenticate(
            session, credentials.client_id, credentials.secret
        )
    if client is None:
        raise _invalid_client(challenge=credentials.basic)
    kind = PrincipalKind(client.kind)
    scopes = parse_scope(params.get("scope"), kind)
    if scopes is None:
        raise OAuthError(
            "invalid_scope",
            f"Requested scope is not available to {kind.value} clients.",
        )
    await hub.keys.refresh_if_stale()
    token, expires_in = issue_access_token(
        hub.keys,
        hub.settings,
        hub.clock,
        sub=client.id,
        kind=kind,
        scope=scopes,
        # RFC 9068 §2.2: the client the token was issued to.
        extra={
            "client_id": client.client_id,
            "name": client.name,
            SECRET_VERSION_CLAIM: client.secret_version or 0,
        },
    )
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": " ".join(scopes),
    }


def _unavailable(hub: Any, backend: str, error: BaseException) -> JSONResponse:
    """503 in the shape of RFC 6749 §5.2 (``temporarily_unavailable``, §4.1.2.1)."""
    hub.outages.report(backend, error)
    return JSONResponse(
        {
            "error": "temporarily_unavailable",
            "error_description": OUTAGE_MESSAGE.format(backend=backend),
        },
        status_code=503,
        headers={**_NO_STORE, "Retry-After": "30"},
    )


async def token_endpoint(request: Request) -> Response:
    """RFC 6749 §4.4 client-credentials token endpoint."""
    try:
        return await _token(request)
    except Exception as exc:
        backend = outage_of(exc)
        if backend is None:
            raise
        return _unavailable(request.app.state.hub, backend, exc)


async def _token(request: Request) -> Response:
    hub = request.app.state.hub
    if hub.limiter is not None:
        # Each attempt costs a deliberate scrypt verification; bound guessing
        # per caller address (RFC 6749 §10.10; RFC 6819 §5.1.4.2.3).  The
        # address is the peer's unless it is a trusted proxy (hub.forwarded).
        host = request.client.host if request.client else "unknown"
        limit = hub.settings.token_rate_limit_per_minute
        allowed, retry_after = await hub.limiter.hit(f"oauth:{host}", limit, 60.0)
        if not allowed:
            RATE_LIMITED.labels("token").inc()
            return JSONResponse(
                {
                    "error": "slow_down",
                    "error_description": (
                        f"More than {limit} token requests a minute from this "
                        f"address; retry in {math.ceil(retry_after)} s."
                    ),
                },
                status_code=429,
                headers={
                    **_NO_STORE,
                    "Retry-After": str(max(1, math.ceil(retry_after))),
                },
            )
    try:
        body = await _issue(request)
    except OAuthError as exc:
        return exc.response()
    return JSONResponse(body, headers=_NO_STORE)


async def jwks_endpoint(request: Request) -> Response:
    """The public keys that verify access tokens and consent receipts."""
    keys = request.app.state.hub.keys
    await keys.refresh_if_stale()
    return JSONResponse(keys.jwks(), headers={"Cache-Control": "public, max-age=300"})


routes: list[Route] = [
    Route("/oauth/token", token_endpoint, methods=["POST"], name="oauth_token"),
    Route("/.well-known/jwks.json", jwks_endpoint, methods=["GET"], name="jwks"),
]
