"""Client secrets are hashed with a per-secret salt and verified in constant time."""

from __future__ import annotations

import re

from hub.auth.secrets import generate_secret, hash_secret, new_client_id, verify_secret
from hub.enums import PrincipalKind


def test_secret_is_256_bits_of_urlsafe_text() -> None:
    # given / when
    secret = generate_secret()
    # then 32 bytes encode to 43 URL-safe characters
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)


def test_hash_is_salted_scrypt_and_holds_no_plaintext() -> None:
    # given one secret hashed twice
    secret = generate_secret()
    first, second = hash_secret(secret), hash_secret(secret)
    # then both are scrypt with parameters, salts differ, no plaintext inside
    assert first.startswith("scrypt$n=16384,r=8,p=1$")
    assert len(first.split("$")) == 4
    assert first != second
    assert secret not in first
    # and both verify
    assert verify_secret(secret, first) and verify_secret(secret, second)


def test_wrong_secret_and_malformed_hashes_do_not_verify() -> None:
    encoded = hash_secret("right")
    assert verify_secret("wrong", encoded) is False
    assert verify_secret("right", "plain$right") is False
    assert verify_secret("right", "scrypt$n=abc$x$y") is False
    assert verify_secret("right", "right") is False
    # a stored hash demanding absurd memory is refused, not computed
    huge = encoded.replace("n=16384", "n=1073741824")
    assert verify_secret("right", huge) is False


def test_client_id_names_the_kind() -> None:
    assert re.fullmatch(r"bank-[0-9a-f]{12}", new_client_id(PrincipalKind.BANK))
    assert new_client_id(PrincipalKind.BANK) != new_client_id(PrincipalKind.BANK)
