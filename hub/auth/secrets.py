"""Client secrets and public client identifiers.

A client secret is 32 random bytes (``secrets.token_urlsafe(32)``, 256 bits),
shown once and stored only as a salted scrypt hash encoded
``scrypt$n=16384,r=8,p=1$<salt>$<hash>`` (base64url, no padding).  Because the
secret is random rather than chosen by a person, the work factor only has to
make a stolen table useless, not resist dictionary attacks; 2**14 keeps one
verification around 50 ms on a small machine.

>>> encoded = hash_secret("s3cret")
>>> verify_secret("s3cret", encoded), verify_secret("guess", encoded)
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from hub.enums import PrincipalKind

__all__ = [
    "DUMMY_HASH",
    "generate_secret",
    "hash_secret",
    "new_client_id",
    "verify_secret",
]

_SCHEME = "scrypt"
_N, _R, _P = 2**14, 8, 1
_DKLEN = 32
_SALT_BYTES = 16
# Bounds accepted when reading a stored hash, so a corrupted row cannot make
# verification allocate gigabytes.
_MAX_N = 2**17


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_secret() -> str:
    """A new client secret: 256 bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def new_client_id(kind: PrincipalKind) -> str:
    """Public OAuth ``client_id``, e.g. ``bank-3f9a1c07d2e4``.

    Distinct from ``Client.id`` (interfaces.md, "Identifiers"): the kind prefix
    helps operators read logs; the random part keeps ids unguessable-ish and
    unique without a counter.
    """
    return f"{kind.value.lower()}-{secrets.token_hex(6)}"


def _derive(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=_DKLEN,
        maxmem=256 * r * (n + p + 2),
    )


def hash_secret(secret: str) -> str:
    """Hash ``secret`` with a fresh random salt."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _derive(secret, salt, _N, _R, _P)
    return f"{_SCHEME}$n={_N},r={_R},p={_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, encoded: str) -> bool:
    """Constant-time check of ``secret`` against a stored hash.

    Unknown schemes and malformed hashes verify as ``False``, never raise.
    """
    try:
        scheme, params, salt_text, digest_text = encoded.split("$")
        if scheme != _SCHEME:
            return False
        values = dict(item.split("=", 1) for item in params.split(","))
        n, r, p = int(values["n"]), int(values["r"]), int(values["p"])
        if not (2 <= n <= _MAX_N and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        expected = _unb64(digest_text)
        actual = _derive(secret, _unb64(salt_text), n, r, p)
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(actual, expected)


# Verified against when a client_id is unknown, so that an unknown id and a
# wrong secret take the same time (no client-id enumeration by timing).
DUMMY_HASH = hash_secret(generate_secret())
