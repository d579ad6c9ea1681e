"""RFC 8725 attacks on access tokens are refused with UNAUTHENTICATED.

Pure token checks run on SQLite only (the keyring's storage is covered on
both backends in test_keys.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hub.auth.keys import Keyring, load_keyring
from hub.auth.tokens import (
    REQUIRED_CLAIMS,
    issue_access_token,
    sign_jws,
    verify_access_token,
    verify_jws,
)
from hub.clock import FrozenClock
from hub.db import migrate
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from hub.settings import Settings

USCC = "91350100M000100Y43"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    migrate(sqlite_url)
    return sqlite_url


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(settings: Settings, clock: FrozenClock, **over: Any) -> dict[str, Any]:
    now = int(clock.now().timestamp())
    base = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": "client-1",
        "kind": "BANK",
        "scope": "eligibility",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "j-1",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def signed(keyring: Keyring, payload: dict[str, Any], **headers: Any) -> str:
    key = keyring.active
    head = {"kid": key.kid, "typ": "at+jwt", **headers}
    return jwt.encode(payload, key.private_key, algorithm=key.alg, headers=head)


def unsigned(header: dict[str, Any], payload: dict[str, Any], sig: bytes = b"") -> str:
    h = b64(json.dumps(header).encode())
    p = b64(json.dumps(payload).encode())
    return f"{h}.{p}.{b64(sig)}"


async def refused(keyring: Keyring, settings: Settings, clock: FrozenClock, token: str):
    with pytest.raises(HubError) as caught:
        await verify_access_token(keyring, settings, clock, token)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    return caught.value


async def test_issued_token_verifies_with_all_claims(keyring, settings, clock) -> None:
    # given a token issued for a subject
    token, expires_in = issue_access_token(
        keyring,
        settings,
        clock,
        sub=USCC,
        kind=PrincipalKind.SUBJECT,
        scope=["subject"],
        extra={"uscc": USCC},
    )
    # when it is verified
    got = await verify_access_token(keyring, settings, clock, token)
    # then it carries every required claim and our values
    now = int(clock.now().timestamp())
    assert expires_in == 900
    assert set(REQUIRED_CLAIMS) <= set(got)
    assert (got["iss"], got["aud"], got["sub"], got["kind"]) == (
        "xinyi-hub",
        "xinyi-hub",
        USCC,
        "SUBJECT",
    )
    assert (got["iat"], got["nbf"], got["exp"]) == (now, now, now + 900)
    assert (got["scope"], got["uscc"]) == ("subject", USCC)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "ES256", "kid": keyring.active.kid, "typ": "at+jwt"}


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_alg_none_in_any_case_is_refused(keyring, settings, clock, alg) -> None:
    token = unsigned(
        {"alg": alg, "typ": "at+jwt", "kid": keyring.active.kid},
        claims(settings, clock),
    )
    await refused(keyring, settings, clock, token)


async def test_hs256_signed_with_public_key_pem_is_refused(
    keyring, settings, clock
) -> None:
    # given the classic key-confusion forgery: HMAC keyed with our public PEM
    pem = keyring.active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": keyring.active.kid}
    h = b64(json.dumps(header).encode())
    p = b64(json.dumps(claims(settings, clock)).encode())
    sig = hmac.new(pem, f"{h}.{p}".encode(), hashlib.sha256).digest()
    # then it is refused
    await refused(keyring, settings, clock, f"{h}.{p}.{b64(sig)}")


def attacker_token(settings: Settings, clock: FrozenClock, **headers: Any) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(
        claims(settings, clock),
        key,
        algorithm="ES256",
        headers={"typ": "at+jwt", **headers},
    )


async def test_unknown_kid_is_refused(keyring, settings, clock) -> None:
    await refused(keyring, settings, clock, attacker_token(settings, clock, kid="k9"))


async def test_missing_kid_is_refused(keyring, settings, clock) -> None:
    await refused(keyring, settings, clock, attacker_token(settings, clock))


async def test_our_kid_on_a_foreign_key_is_refused(keyring, settings, clock) -> None:
    token = attacker_token(settings, clock, kid=keyring.active.kid)
    await refused(keyring, settings, clock, token)


async def test_embedded_jwk_or_jku_is_refused(keyring, settings, clock) -> None:
    # given a token whose header points at the attacker's own key
    attacker = ec.generate_private_key(ec.SECP256R1())
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(attacker.public_key(), as_dict=True)
    for extra in ({"jwk": jwk}, {"jku": "https://evil.example/jwks.json"}):
        token = jwt.encode(
            claims(settings, clock),
            attacker,
            algorithm="ES256",
            headers={"typ": "at+jwt", "kid": "attacker", **extra},
        )
        await refused(keyring, settings, clock, token)
    # and even our own valid signature is refused with such a header
    ours = signed(keyring, claims(settings, clock), jku="https://evil.example/")
    await refused(keyring, settings, clock, ours)


async def test_tampered_payload_is_refused(keyring, settings, clock) -> None:
    token = signed(keyring, claims(settings, clock))
    head, _, sig = token.split(".")
    forged = b64(json.dumps(claims(settings, clock, kind="ADMIN")).encode())
    await refused(keyring, settings, clock, f"{head}.{forged}.{sig}")


async def test_declared_alg_must_match_the_key(keyring, settings, clock) -> None:
    token = signed(keyring, claims(settings, clock))
    _, payload, sig = token.split(".")
    header = {"alg": "RS256", "typ": "at+jwt", "kid": keyring.active.kid}
    await refused(
        keyring, settings, clock, f"{b64(json.dumps(header).encode())}.{payload}.{sig}"
    )


async def test_expired_is_refused_after_leeway(keyring, settings, clock) -> None:
    token, expires_in = issue_access_token(
        keyring, settings, clock, sub="c", kind=PrincipalKind.BANK, scope="eligibility"
    )
    clock.advance(seconds=expires_in + 4)  # within the 5 s leeway
    assert (await verify_access_token(keyring, settings, clock, token))["sub"] == "c"
    clock.advance(seconds=1)
    error = await refused(keyring, settings, clock, token)
    assert error.message.startswith("Access token expired.")


async def test_not_yet_valid_is_refused(keyring, settings, clock) -> None:
    now = int(clock.now().timestamp())
    early = signed(keyring, claims(settings, clock, nbf=now + 6))
    error = await refused(keyring, settings, clock, early)
    assert error.message.startswith("Access token not yet valid.")
    future_iat = signed(keyring, claims(settings, clock, iat=now + 60))
    await refused(keyring, settings, clock, future_iat)
    within = signed(keyring, claims(settings, clock, nbf=now + 5))
    assert (await verify_access_token(keyring, settings, clock, within))["jti"] == "j-1"


@pytest.mark.parametrize(
    "over",
    [{"iss": "https://other-issuer"}, {"aud": "other-api"}, {"aud": ["other-api"]}],
    ids=["wrong-iss", "wrong-aud", "wrong-aud-list"],
)
async def test_other_issuer_or_audience_is_refused(
    keyring, settings, clock, over
) -> None:
    await refused(
        keyring, settings, clock, signed(keyring, claims(settings, clock, **over))
    )


@pytest.mark.parametrize("missing", REQUIRED_CLAIMS)
async def test_each_missing_required_claim_is_refused(
    keyring, settings, clock, missing
) -> None:
    payload = claims(settings, clock)
    del payload[missing]
    await refused(keyring, settings, clock, signed(keyring, payload))


@pytest.mark.parametrize(
    "over",
    [
        {"kind": "ROOT"},
        {"exp": "soon"},
        {"iat": True},
        {"sub": ""},
        {"kind": "SUBJECT", "sub": "91350100m000100Y43"},
    ],
    ids=["bad-kind", "string-exp", "bool-iat", "empty-sub", "subject-bad-uscc"],
)
async def test_malformed_claims_are_refused(keyring, settings, clock, over) -> None:
    await refused(
        keyring, settings, clock, signed(keyring, claims(settings, clock, **over))
    )


async def test_subject_issuer_is_trusted_only_for_subject_tokens(
    sessionmaker, clock
) -> None:
    # given a configured identity provider issuer for enterprises
    settings = Settings(subject_issuer="https://idp.example")
    keyring = await load_keyring(sessionmaker, settings, clock)
    subject = claims(
        settings, clock, iss="https://idp.example", kind="SUBJECT", sub=USCC
    )
    bank = claims(settings, clock, iss="https://idp.example")
    # then a SUBJECT token from it verifies, a BANK token from it does not
    got = await verify_access_token(keyring, settings, clock, signed(keyring, subject))
    assert got["sub"] == USCC
    await refused(keyring, settings, clock, signed(keyring, bank))


async def test_wrong_typ_and_garbage_are_refused(keyring, settings, clock) -> None:
    receipt = sign_jws(keyring, claims(settings, clock), typ="consent-receipt+jwt")
    await refused(keyring, settings, clock, receipt)
    plain_jwt = signed(keyring, claims(settings, clock), typ="JWT")
    await refused(keyring, settings, clock, plain_jwt)
    for junk in ("", "abc", "a.b.c", "x" * 9000):
        await refused(keyring, settings, clock, junk)


async def test_jws_receipt_round_trip_and_tamper(keyring, settings, clock) -> None:
    # given a receipt-like document
    now = int(clock.now().timestamp())
    doc = {"jti": "c1", "sub": USCC, "purpose": "LENDING", "exp": now + 86400}
    token = sign_jws(keyring, doc, typ="consent-receipt+jwt")
    # then it verifies with its type and refuses another type or a changed body
    assert verify_jws(keyring, token, clock, typ="consent-receipt+jwt") == doc
    with pytest.raises(HubError):
        verify_jws(keyring, token, clock, typ="at+jwt")
    head, _, sig = token.split(".")
    forged = b64(json.dumps({**doc, "purpose": "MONITORING"}).encode())
    with pytest.raises(HubError):
        verify_jws(keyring, f"{head}.{forged}.{sig}", clock)
    clock.advance(days=2)
    with pytest.raises(HubError):
        verify_jws(keyring, token, clock)


async def test_rs256_keyring_signs_and_verifies(sessionmaker, clock) -> None:
    settings = Settings(signing_alg="RS256")
    keyring = await load_keyring(sessionmaker, settings, clock)
    token, _ = issue_access_token(
        keyring, settings, clock, sub="c", kind=PrincipalKind.BANK, scope="eligibility"
    )
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert (await verify_access_token(keyring, settings, clock, token))["sub"] == "c"
    assert keyring.jwks()["keys"][0]["kty"] == "RSA"


def test_extra_claims_cannot_override_registered_ones(keyring, settings, clock) -> None:
    with pytest.raises(ValueError):
        issue_access_token(
            keyring,
            settings,
            clock,
            sub="c",
            kind=PrincipalKind.BANK,
            scope="eligibility",
            extra={"kind": "ADMIN"},
        )


async def test_cached_token_is_still_checked_against_each_hubs_audience(
    keyring,
    settings,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    import pytest

    from hub.auth.tokens import issue_access_token, verify_access_token
    from hub.enums import PrincipalKind
    from hub.errors import HubError

    token, _ = issue_access_token(
        keyring, settings, clock, sub="c1", kind=PrincipalKind.BANK, scope="x"
    )
    assert (await verify_access_token(keyring, settings, clock, token))["sub"] == "c1"
    other = settings.model_copy(update={"audience": "another-hub"})
    with pytest.raises(HubError) as err:
        await verify_access_token(keyring, other, clock, token)
    assert err.value.code == "UNAUTHENTICATED"
