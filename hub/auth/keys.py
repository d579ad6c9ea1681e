"""The signing keyring: asymmetric keys that sign access tokens and receipts.

Keys live in the ``signing_keys`` table so every worker signs and verifies
with the same set.  On first start (any mode) a key is generated when none
exists for ``settings.signing_alg``.  ``rotate()`` makes a new active key and
retires the old one, which stays published — in the JWKS and for
verification — until everything it signed has expired: consent receipts run
up to ``max_consent_days`` (征信业管理条例 Art 14: consent has an expiry,
at most 365 days here), access tokens at most a day.

Verification picks a key by ``kid`` from this fixed set, never from the
token (RFC 8725 §3.1, §3.10).  A worker that meets an unknown ``kid`` reloads
the set from the database at most once every ``RELOAD_INTERVAL`` seconds, so a
key another worker just created is found while a flood of made-up kids cannot
turn into a flood of queries.  Both intervals are measured on the injected
clock.

At rest the private halves are sealed under the key-encryption key
(:mod:`hub.auth.sealing`); the first start with a KEK seals keys stored in
plain PEM, and :meth:`Keyring.rekey` re-seals them under a new KEK.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.changes import record_change
from hub.auth import keystore
from hub.auth.principal import SYSTEM, Principal
from hub.auth.sealing import KeyEncryptionError, KeySealer, sealer_from_settings
from hub.clock import Clock
from hub.db import session_scope
from hub.models import SigningKey
from hub.settings import Settings

__all__ = [
    "ALLOWED_ALGORITHMS",
    "KeyPair",
    "Keyring",
    "RekeyReport",
    "MAX_TOKEN_TTL",
    "RELOAD_INTERVAL",
    "STALE_AFTER",
    "load_keyring",
    "retention",
]

# RFC 8725 §3.1: the only algorithms we ever sign or accept.  Symmetric (HS*)
# and "none" are absent on purpose.
ALLOWED_ALGORITHMS: frozenset[str] = frozenset({"ES256", "RS256"})
# Longest access token the hub signs (Settings.token_ttl's upper bound; also
# the cap of ``xinyi-hub token subject --ttl``).
MAX_TOKEN_TTL = 86400
RELOAD_INTERVAL = 5.0
STALE_AFTER = 60.0

_log = logging.getLogger(__name__)
_warned_plain = False


@dataclass(frozen=True, slots=True)
class KeyPair:
    kid: str
    alg: str
    private_key: Any
    public_key: Any
    public_jwk: dict[str, Any]
    created_at: datetime
    retired_at: datetime | None
    publish_until: datetime | None

    def published_at(self, now: datetime) -> bool:
        return self.publish_until is None or now < self.publish_until


def retention(settings: Settings) -> timedelta:
    """How long a retired key stays published after retirement."""
    return (
        timedelta(days=settings.max_consent_days)
        + timedelta(seconds=max(settings.token_ttl, MAX_TOKEN_TTL))
        + timedelta(minutes=5)
    )


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256), used as the ``kid``."""
    members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps(
        {m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _public_jwk(alg: str, public_key: Any) -> dict[str, Any]:
    if alg == "ES256":
        jwk = dict(ECAlgorithm.to_jwk(public_key, as_dict=True))
    else:
        jwk = dict(RSAAlgorithm.to_jwk(public_key, as_dict=True))
    jwk.update(kid=_thumbprint(jwk), alg=alg, use="sig")
    return jwk


def _generate(alg: str, now: datetime, sealer: KeySealer | None) -> SigningKey:
    if alg not in ALLOWED_ALGORITHMS:
        raise ValueError(f"unsupported signing algorithm {alg!r}")
    private: Any
    if alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    jwk = _public_jwk(alg, private.public_key())
    return SigningKey(
        kid=jwk["kid"],
        alg=alg,
        private_pem=pem if sealer is None else sealer.seal(jwk["kid"], pem),
        sealed_by=None if sealer is None else sealer.current_id,
        public_jwk=jwk,
        created_at=now,
        retired_at=None,
        publish_until=None,
    )


def _private_pem(row: SigningKey, sealer: KeySealer | None) -> str:
    if row.sealed_by is None:
        return row.private_pem
    if sealer is None:
        raise KeyEncryptionError(
            f"signing key {row.kid} is sealed under KEK {row.sealed_by}; set "
            "HUB_KEY_ENCRYPTION_KEY (or HUB_KEY_ENCRYPTION_KEY_FILE) to open it"
        )
    return sealer.open(row.kid, row.sealed_by, row.private_pem)


def _to_pair(row: SigningKey, sealer: KeySealer | None) -> KeyPair | None:
    if row.alg not in ALLOWED_ALGORITHMS:
        return None
    pem = _private_pem(row, sealer)
    private = serialization.load_pem_private_key(pem.encode(), None)
    return KeyPair(
        kid=row.kid,
        alg=row.alg,
        private_key=private,
        public_key=private.public_key(),
        public_jwk=dict(row.public_jwk),
        created_at=row.created_at,
        retired_at=row.retired_at,
        publish_until=row.publish_until,
    )


@dataclass(frozen=True, slots=True)
class RekeyReport:
    """What ``rekey`` did: keys re-sealed under KEK ``kek``, of ``total``."""

    kek: str
    resealed: int
    total: int


class Keyring:
    """The fixed key set of this hub; see the module docstring.

    Raises :class:`~hub.auth.sealing.KeyEncryptionError` when built in
    production without a key-encryption key.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._clock = clock
        self._sealer = sealer_from_settings(settings)
        self._keys: dict[str, KeyPair] = {}
        self._active: KeyPair | None = None
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    # -- reading -----------------------------------------------------------
    @property
    def active(self) -> KeyPair:
        """The key that signs new tokens and receipts."""
        if self._active is None:
            raise RuntimeError("keyring not loaded; use load_keyring()")
        return self._active

    def get(self, kid: object) -> KeyPair | None:
        """A published key by ``kid``, or ``None``."""
        if not isinstance(kid, str):
            return None
        key = self._keys.get(kid)
        if key is None or not key.published_at(self._clock.now()):
            return None
        return key

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public JWK set (active key first)."""
        now = self._clock.now()
        keys = sorted(
            (k for k in self._keys.values() if k.published_at(now)),
            key=lambda k: (k.retired_at is not None, -k.created_at.timestamp()),
        )
        return {"keys": [dict(k.public_jwk) for k in keys]}

    async def find(self, kid: object) -> KeyPair | None:
        """Like :meth:`get`, reloading once (rate-limited) on a miss."""
        key = self.get(kid)
        if key is not None or not isinstance(kid, str):
            return key
        async with self._lock:
            if self._clock.now().timestamp() - self._loaded_at >= RELOAD_INTERVAL:
                await self._reload()
        return self.get(kid)

    # -- loading and rotating ---------------------------------------------
    async def refresh_if_stale(self) -> None:
        """Pick up keys rotated by another process (cheap when fresh)."""
        if self._clock.now().timestamp() - self._loaded_at < STALE_AFTER:
            return
        async with self._lock:
            if self._clock.now().timestamp() - self._loaded_at >= STALE_AFTER:
                await self._reload()

    async def _reload(self) -> None:
        async with session_scope(self._sessionmaker) as session:
            rows = await keystore.list_keys(session)
        self._install(rows)

    def _install(self, rows: Any) -> None:
        now = self._clock.now()
        keys: dict[str, KeyPair] = {}
        for row in rows:
            pair = _to_pair(row, self._sealer)
            if pair is not None and pair.published_at(now):
                keys[pair.kid] = pair
        signing = [
            k
            for k in keys.values()
            if k.retired_at is None and k.alg == self._settings.signing_alg
        ]
        # Deterministic across workers: the newest current key signs.
        self._active = max(signing, key=lambda k: (k.created_at, k.kid), default=None)
        self._keys = keys
        self._loaded_at = self._clock.now().timestamp()

    async def ensure(self) -> None:
        """Load the set; create a key when none signs with ``signing_alg``."""
        async with self._lock:
            async with session_scope(self._sessionmaker) as session:
                await keystore.lock_keyring(session)
                rows = await keystore.list_keys(session)
                await self._seal_plain(session, rows)
                self._install(rows)
                if self._active is not None:
                    return
                await self._rotate_in(session)
                rows = await keystore.list_keys(session)
            self._install(rows)

    async def rotate(self, *, actor: Principal | None = None) -> KeyPair:
        """Retire the signing key(s) and make a new active one.

        With ``actor`` the rotation is written to the audit chain in the same
        transaction.
        """
        async with self._lock:
            async with session_scope(self._sessionmaker) as session:
                await keystore.lock_keyring(session)
                row = await self._rotate_in(session)
                pruned = await keystore.prune_unpublished(
                    session, now=self._clock.now()
                )
                rows = await keystore.list_keys(session)
                if actor is not None:
                    await record_change(
                        session,
                        actor=actor,
                        action="keys.rotate",
                        outcome="ok",
                        at=self._clock.now(),
                        detail={"kid": row.kid, "alg": row.alg, "pruned": pruned},
                    )
            self._install(rows)
            return self.active

    async def stored(self) -> list[dict[str, Any]]:
        """Every stored key, newest first: public facts and its KEK id only."""
        async with session_scope(self._sessionmaker) as session:
            rows = await keystore.list_keys(session)
        now = self._clock.now()

        def at(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return [
            {
                "kid": r.kid,
                "alg": r.alg,
                "active": self._active is not None and r.kid == self._active.kid,
                "created_at": at(r.created_at),
                "retired_at": at(r.retired_at),
                "publish_until": at(r.publish_until),
                "published": r.publish_until is None or now < r.publish_until,
                "sealed_by": r.sealed_by,
            }
            for r in reversed(rows)
        ]

    async def rekey(self, *, actor: Principal) -> RekeyReport:
        """Re-seal every stored key under the current (first) KEK.

        Run after putting a new KEK first in ``HUB_KEY_ENCRYPTION_KEY`` (the
        old one after it); once it reports, the old KEK can be dropped.
        """
        sealer = self._sealer
        if sealer is None:
            raise KeyEncryptionError(
                "rekey needs a key-encryption key: set HUB_KEY_ENCRYPTION_KEY "
                "(or HUB_KEY_ENCRYPTION_KEY_FILE), the new KEK first"
            )
        async with self._lock:
            async with session_scope(self._sessionmaker) as session:
                await keystore.lock_keyring(session)
                rows = await keystore.list_keys(session)
                stale = [r for r in rows if r.sealed_by != sealer.current_id]
                for row in stale:
                    pem = _private_pem(row, sealer)
                    row.private_pem = sealer.seal(row.kid, pem)
                    row.sealed_by = sealer.current_id
                await session.flush()
                await record_change(
                    session,
                    actor=actor,
                    action="keys.rekey",
                    outcome="ok",
                    at=self._clock.now(),
                    detail={
                        "kek": sealer.current_id,
                        "resealed": [r.kid for r in stale],
                    },
                )
            self._install(rows)
        return RekeyReport(sealer.current_id, len(stale), len(rows))

    async def _seal_plain(self, session: AsyncSession, rows: Any) -> None:
        """Seal keys still stored in plain PEM (first start with a KEK)."""
        global _warned_plain
        sealer = self._sealer
        if sealer is None:
            unsealed = not rows or any(r.sealed_by is None for r in rows)
            if unsealed and not _warned_plain:
                _warned_plain = True
                _log.warning(
                    "signing keys are stored unencrypted: set "
                    "HUB_KEY_ENCRYPTION_KEY (make one with 'xinyi-hub keys "
                    "new-kek'); production refuses to start without it"
                )
            return
        plain = [r for r in rows if r.sealed_by is None]
        if not plain:
            return
        for row in plain:
            row.private_pem = sealer.seal(row.kid, row.private_pem)
            row.sealed_by = sealer.current_id
        await session.flush()
        await record_change(
            session,
            actor=SYSTEM,
            action="keys.seal",
            outcome="ok",
            at=self._clock.now(),
            detail={"kek": sealer.current_id, "sealed": [r.kid for r in plain]},
        )

    async def _rotate_in(self, session: AsyncSession) -> SigningKey:
        now = self._clock.now()
        await keystore.retire_current(
            session, at=now, publish_until=now + retention(self._settings)
        )
        row = _generate(self._settings.signing_alg, now, self._sealer)
        await keystore.add_key(session, row)
        return row


async def load_keyring(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock
) -> Keyring:
    """Load the keyring at start-up, generating the first key if needed."""
    keyring = Keyring(sessionmaker, settings, clock)
    await keyring.ensure()
    return keyring
