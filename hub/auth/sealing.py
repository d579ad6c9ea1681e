"""Signing keys at rest: sealed with a key-encryption key (KEK).

The private half of every signing key is stored AES-256-GCM encrypted under
a KEK that never enters the database: ``HUB_KEY_ENCRYPTION_KEY`` (or a file
named by ``HUB_KEY_ENCRYPTION_KEY_FILE``) holds one or more KEKs, each 32
random bytes in URL-safe base64, separated by commas.  The first seals; all
of them open, so a KEK can be rotated without downtime::

    HUB_KEY_ENCRYPTION_KEY="<new>,<old>"   # then: xinyi-hub keys rekey

Each sealed key records the id of its KEK (a digest of it, never the KEK),
so the hub knows which KEK opens it and ``keys rekey`` knows what is left to
re-seal.  The key's ``kid`` is the ciphertext's associated data: a sealed
key copied onto another row does not open.

In production the hub refuses to start without a KEK; in development and
tests it warns and keeps keys in plain PEM (as before), and seals them on
the first start that has a KEK.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.settings import Settings

__all__ = [
    "KeyEncryptionError",
    "KeySealer",
    "generate_kek",
    "kek_id",
    "sealer_from_settings",
]

_FORMAT = "v1"
_NONCE_BYTES = 12
_AAD_PREFIX = b"xinyi-hub signing key\x00"


class KeyEncryptionError(Exception):
    """The KEK setting is missing, malformed or does not open a stored key.

    Its message is one line an operator can act on.
    """


def generate_kek() -> str:
    """A new KEK: 32 random bytes, URL-safe base64 (no padding)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def kek_id(kek: bytes) -> str:
    """A KEK's public name: 16 hex digits of a domain-separated SHA-256."""
    return hashlib.sha256(b"xinyi-hub kek id\x00" + kek).hexdigest()[:16]


def _decode_kek(text: str, position: int) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise KeyEncryptionError(
            f"key-encryption key #{position} is not 32 bytes of URL-safe base64; "
            "make one with 'xinyi-hub keys new-kek'"
        )
    return raw


class KeySealer:
    """Seals private keys under the first KEK; opens them with any."""

    def __init__(self, keks: Sequence[bytes]) -> None:
        if not keks:
            raise KeyEncryptionError("no key-encryption key given")
        self._keks = {kek_id(k): AESGCM(k) for k in keks}
        self.current_id = kek_id(keks[0])

    @classmethod
    def parse(cls, text: str) -> KeySealer:
        parts = [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]
        if not parts:
            raise KeyEncryptionError("the key-encryption key setting is empty")
        return cls([_decode_kek(p, i) for i, p in enumerate(parts, 1)])

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._keks)

    def seal(self, kid: str, private_pem: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keks[self.current_id].encrypt(
            nonce, private_pem.encode("ascii"), _AAD_PREFIX + kid.encode()
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_FORMAT}.{body}"

    def open(self, kid: str, sealed_by: str, sealed: str) -> str:
        aead = self._keks.get(sealed_by)
        if aead is None:
            raise KeyEncryptionError(
                f"signing key {kid} is sealed under KEK {sealed_by}, which "
                "HUB_KEY_ENCRYPTION_KEY does not hold; add that KEK (after the "
                "current one) and run 'xinyi-hub keys rekey'"
            )
        version, _, body = sealed.partition(".")
        try:
            if version != _FORMAT:
                raise ValueError(version)
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _AAD_PREFIX + kid.encode()
            )
        except (ValueError, InvalidTag, binascii.Error):
            raise KeyEncryptionError(
                f"signing key {kid} does not open with KEK {sealed_by}: the stored "
                "key was altered or belongs to another row"
            ) from None
        return plain.decode("ascii")


def sealer_from_settings(settings: Settings) -> KeySealer | None:
    """The sealer the settings configure, or ``None`` when there is no KEK.

    Raises :class:`KeyEncryptionError` for an unreadable file or a malformed
    KEK, and in production when there is none.
    """
    text: str | None = None
    if settings.key_encryption_key is not None:
        text = settings.key_encryption_key.get_secret_value()
    elif settings.key_encryption_key_file:
        path = Path(settings.key_encryption_key_file)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not ASCII text"
            raise KeyEncryptionError(
                f"HUB_KEY_ENCRYPTION_KEY_FILE {path} cannot be read: {reason}"
            ) from None
    if text is None:
        if settings.production:
            raise KeyEncryptionError(
                "refusing to start in production without a key-encryption key: "
                "set HUB_KEY_ENCRYPTION_KEY or HUB_KEY_ENCRYPTION_KEY_FILE "
                "(make one with 'xinyi-hub keys new-kek')"
            )
        return None
    return KeySealer.parse(text)
