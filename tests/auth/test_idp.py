"""Enterprise tokens from an identity provider, verified with its JWK set,
served by a real HTTP server (Starlette under uvicorn)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.auth.authenticate import principal_from_request
from hub.auth.idp import REFETCH_INTERVAL, SubjectIdentityProvider
from hub.clock import FrozenClock
from hub.db import migrate
from hub.enums import PrincipalKind
from hub.errors import HubError
from hub.settings import Settings
from tests.api import make_api

ISSUER = "https://login.example.gov.cn"
USCC = "91350100M000100Y43"


class Provider:
    """An identity provider's JWKS endpoint on a loopback port."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[Any, str]] = {}  # kid -> (private key, alg)
        self.fetches = 0
        self.down = False
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/jwks"
        app = Starlette(routes=[Route("/jwks", self._jwks)])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive()
            time.sleep(0.02)

    async def _jwks(self, request: Request) -> JSONResponse:
        self.fetches += 1
        if self.down:
            return JSONResponse({"error": "maintenance"}, status_code=503)
        keys = []
        for kid, (private, alg) in self.keys.items():
            algo = ECAlgorithm if alg.startswith("ES") else RSAAlgorithm
            jwk = dict(algo.to_jwk(private.public_key(), as_dict=True))
            keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
        return JSONResponse({"keys": keys})

    def new_key(self, alg: str = "RS256") -> str:
        kid = uuid.uuid4().hex[:8]
        if alg.startswith("ES"):
            private: Any = ec.generate_private_key(ec.SECP256R1())
        else:
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[kid] = (private, alg)
        return kid

    def token(
        self,
        kid: str,
        clock: FrozenClock,
        *,
        headers: dict[str, Any] | None = None,
        alg: str | None = None,
        **claims: Any,
    ) -> str:
        private, key_alg = self.keys[kid]
        now = int(clock.now().timestamp())
        body = {
            "iss": ISSUER,
            "aud": "xinyi-hub",
            "sub": USCC,
            "iat": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
            "name": "郑州某某科技有限公司",
            **claims,
        }
        return jwt.encode(
            {k: v for k, v in body.items() if v is not None},
            private,
            algorithm=alg or key_alg,
            headers={"kid": kid, **(headers or {})},
        )

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def provider_server() -> Iterator[Provider]:
    p = Provider()
    yield p
    p.stop()


@pytest.fixture
def provider(provider_server: Provider) -> Provider:
    provider_server.keys.clear()
    provider_server.fetches = 0
    provider_server.down = False
    return provider_server


def idp_settings(provider: Provider, **kw: Any) -> Settings:
    return Settings(
        env="test", subject_issuer=ISSUER, subject_jwks_url=provider.url, **kw
    )


@pytest.fixture
async def idp(provider: Provider, clock: FrozenClock):  # type: ignore[no-untyped-def]
    verifier = SubjectIdentityProvider(idp_settings(provider), clock)
    yield verifier
    await verifier.aclose()


async def test_a_provider_token_becomes_the_enterprise_principal(
    sqlite_url: str, provider: Provider, clock: FrozenClock, tmp_path: Any
) -> None:
    # given a hub trusting the provider
    migrate(sqlite_url)
    kid = provider.new_key()
    api, http = await make_api(
        sqlite_url,
        clock,
        tmp_path,
        subject_issuer=ISSUER,
        subject_jwks_url=provider.url,
    )
    try:
        # when the enterprise calls with the provider's token
        token = provider.token(kid, clock)
        data = await api.data("{ me { id kind } }", token=token)
        principal = await principal_from_request(f"Bearer {token}", api.hub)

        # then it is the SUBJECT principal of its USCC
        assert data["me"] == {"id": USCC, "kind": "SUBJECT"}
        assert principal is not None and principal.uscc == USCC
        assert principal.kind is PrincipalKind.SUBJECT
        assert principal.name == "郑州某某科技有限公司"
        # and the hub's own tokens still work beside it
        assert (await api.data("{ me { id } }", token=api.subject_token(USCC)))["me"][
            "id"
        ] == USCC
        # while a provider token for another audience is refused
        other = provider.token(kid, clock, aud="another-service")
        assert await api.error_code("{ me { id } }", token=other) == "UNAUTHENTICATED"
    finally:
        await http.aclose()
        await api.hub.aclose()


async def test_the_key_set_is_cached_and_refetched_for_a_new_kid(
    idp: SubjectIdentityProvider, provider: Provider, clock: FrozenClock
) -> None:
    # given one verified token
    first = provider.new_key()
    await idp.verify(provider.token(first, clock))
    assert provider.fetches == 1

    # when more tokens with that key come, the set is not fetched again
    for _ in range(5):
        await idp.verify(provider.token(first, clock))
    assert provider.fetches == 1

    # when the provider rotates to a new key, one fetch finds it
    clock.advance(seconds=REFETCH_INTERVAL)
    second = provider.new_key("ES256")
    claims = await idp.verify(provider.token(second, clock))
    assert claims["sub"] == USCC and provider.fetches == 2

    # and a flood of made-up kids costs at most one fetch per interval
    for n in range(20):
        with pytest.raises(HubError, match="not known"):
            await idp.verify(provider.token(first, clock, headers={"kid": f"x{n}"}))
    assert provider.fetches == 2


async def test_the_key_set_expires_after_its_ttl(
    provider: Provider, clock: FrozenClock
) -> None:
    idp = SubjectIdentityProvider(idp_settings(provider, subject_jwks_ttl=60), clock)
    kid = provider.new_key()
    await idp.verify(provider.token(kid, clock))
    clock.advance(seconds=59)
    await idp.verify(provider.token(kid, clock))
    assert provider.fetches == 1

    # when the TTL has passed the set is fetched again; a key removed is gone
    clock.advance(seconds=2)
    token = provider.token(kid, clock)
    del provider.keys[kid]
    with pytest.raises(HubError, match="not known"):
        await idp.verify(token)
    assert provider.fetches == 2
    await idp.aclose()


async def test_known_keys_keep_working_while_the_provider_is_down(
    provider: Provider, clock: FrozenClock
) -> None:
    idp = SubjectIdentityProvider(idp_settings(provider, subject_jwks_ttl=60), clock)
    kid = provider.new_key()
    await idp.verify(provider.token(kid, clock))

    # when the provider fails after the TTL
    provider.down = True
    clock.advance(seconds=120)
    claims = await idp.verify(provider.token(kid, clock))

    # then the held key still verifies (one failed fetch, not one per token)
    assert claims["sub"] == USCC
    await idp.verify(provider.token(kid, clock))
    assert provider.fetches == 2
    await idp.aclose()


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"iss": "https://evil.example"}, "issuer"),
        ({"aud": "someone-else"}, "audience"),
        ({"exp": "past"}, "expired"),
        ({"exp": None}, "no expiry"),
        ({"sub": "91350100M000100Y44"}, "bad USCC check digit"),
        ({"sub": "alice"}, "not a USCC"),
    ],
)
async def test_tokens_with_bad_claims_are_refused(
    idp: SubjectIdentityProvider,
    provider: Provider,
    clock: FrozenClock,
    change: dict[str, Any],
    reason: str,
) -> None:
    kid = provider.new_key()
    if change.get("exp") == "past":
        change = {"exp": int(clock.now().timestamp()) - 60}
    with pytest.raises(HubError) as refused:
        await idp.verify(provider.token(kid, clock, **change))
    assert refused.value.code == "UNAUTHENTICATED", reason


async def test_algorithms_and_key_headers_follow_the_allow_list(
    idp: SubjectIdentityProvider, provider: Provider, clock: FrozenClock
) -> None:
    kid = provider.new_key()
    good = provider.token(kid, clock)
    payload = good.split(".")[1]
    public_pem = (
        provider.keys[kid][0]
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    forged = [
        # "none": no signature at all
        _unsigned({"alg": "none", "kid": kid}, payload),
        # HS256 keyed with the provider's public key (the classic confusion)
        _hs256(public_pem, {"alg": "HS256", "kid": kid}, payload),
        # the key named by the token itself
        provider.token(kid, clock, headers={"jku": "https://evil.example/jwks"}),
        # the right key, signed for another algorithm than the key declares
        provider.token(kid, clock, alg="RS512"),
    ]
    for token in forged:
        with pytest.raises(HubError):
            await idp.verify(token)
    assert (await idp.verify(good))["sub"] == USCC


def test_a_jwks_url_needs_an_issuer_and_symmetric_algorithms_are_refused() -> None:
    with pytest.raises(ValueError, match="needs HUB_SUBJECT_ISSUER"):
        Settings(subject_jwks_url="https://login.example/jwks")
    with pytest.raises(ValueError, match="must be https"):
        Settings(
            env="production",
            subject_issuer=ISSUER,
            subject_jwks_url="http://login.example/jwks",
        )
    with pytest.raises(ValueError, match="HS256"):
        Settings(subject_algorithms="RS256,HS256")  # type: ignore[arg-type]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], payload: str) -> str:
    return f"{_b64(json.dumps(header).encode())}.{payload}."


def _hs256(secret: bytes, header: dict[str, Any], payload: str) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{payload}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


async def test_the_provider_is_reached_over_real_http(provider: Provider) -> None:
    provider.new_key()
    async with httpx.AsyncClient() as http:
        body = (await http.get(provider.url)).json()
    assert [k["kty"] for k in body["keys"]] == ["RSA"]
