"""What sealed keys and identity-provider tokens cost, side by side in one run.

1. Keyring load (a worker's start): plain PEM keys vs keys sealed under a KEK.
2. Bearer token to principal (every request): the hub's own SUBJECT token vs
   an identity provider's RS256 / ES256 token, the provider's JWK set served
   by a real HTTP server (Starlette under uvicorn) and cached by the hub.

    .venv/bin/python bench/keys_bench.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import threading
import time
import uuid
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.auth.authenticate import principal_from_request
from hub.auth.keys import load_keyring
from hub.auth.principal import Principal
from hub.auth.scopes import allowed_scopes
from hub.auth.sealing import generate_kek
from hub.auth.tokens import issue_access_token
from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.enums import PrincipalKind
from hub.root.build import build_hub
from hub.settings import Settings

ISSUER = "https://login.example.gov.cn"
USCC = "91350100M000100Y43"
OPERATOR = Principal(id="operator", kind=PrincipalKind.ADMIN, name="bench")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _provider(keys: dict[str, tuple[Any, str]]) -> tuple[str, uvicorn.Server]:
    async def jwks(request: Request) -> JSONResponse:
        out = []
        for kid, (private, alg) in keys.items():
            algo = ECAlgorithm if alg.startswith("ES") else RSAAlgorithm
            jwk = dict(algo.to_jwk(private.public_key(), as_dict=True))
            out.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
        return JSONResponse({"keys": out})

    port = _port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/jwks", jwks)]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}/jwks", server


def _us(samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples) * 1e6
    p99 = samples[int(len(samples) * 0.99) - 1] * 1e6
    return f"p50 {p50:8.1f} µs   p99 {p99:8.1f} µs"


async def keyring_loads(tmp: str, rounds: int) -> None:
    print("1. keyring load (3 keys: 1 signing, 2 retired but published)")
    for label, kek in (("plain PEM", None), ("sealed (AES-GCM)", generate_kek())):
        url = f"sqlite+aiosqlite:///{tmp}/{uuid.uuid4().hex}.db"
        migrate(url)
        settings = Settings(database_url=url, env="test", key_encryption_key=kek)  # type: ignore[arg-type]
        engine = create_engine(url)
        maker = make_sessionmaker(engine)
        keyring = await load_keyring(maker, settings, SystemClock())
        for _ in range(2):
            await keyring.rotate(actor=OPERATOR)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            await load_keyring(maker, settings, SystemClock())
            samples.append(time.perf_counter() - started)
        await engine.dispose()
        print(f"   {label:<22} {_us(samples)}")


async def token_checks(tmp: str, rounds: int) -> None:
    print("2. bearer token -> principal (per request)")
    keys: dict[str, tuple[Any, str]] = {
        "rsa": (
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "RS256",
        ),
        "ec": (ec.generate_private_key(ec.SECP256R1()), "ES256"),
    }
    url, server = _provider(keys)
    db = f"sqlite+aiosqlite:///{tmp}/tokens.db"
    settings = Settings(
        database_url=db, env="test", subject_issuer=ISSUER, subject_jwks_url=url
    )
    hub = await build_hub(settings)
    try:
        own, _ = issue_access_token(
            hub.keys,
            settings,
            hub.clock,
            sub=USCC,
            kind=PrincipalKind.SUBJECT,
            scope=allowed_scopes(PrincipalKind.SUBJECT),
        )
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": "xinyi-hub", "sub": USCC, "exp": now + 3600}
        tokens = {"hub's own (ES256, cached)": own}
        for kid, (private, alg) in keys.items():
            tokens[f"provider {alg}"] = jwt.encode(
                claims, private, algorithm=alg, headers={"kid": kid}
            )
        for label, token in tokens.items():
            header = f"Bearer {token}"
            await principal_from_request(header, hub)  # fetches the JWK set once
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                await principal_from_request(header, hub)
                samples.append(time.perf_counter() - started)
            print(f"   {label:<26} {_us(samples)}")
    finally:
        await hub.aclose()
        server.should_exit = True


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await keyring_loads(tmp, max(50, args.rounds // 20))
        await token_checks(tmp, args.rounds)


if __name__ == "__main__":
    asyncio.run(main())
