"""One typed settings object, read from ``HUB_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["ConnectorSettings", "Settings", "get_settings"]

# RFC 8725 §3.1: identity providers sign with asymmetric keys only.
_ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)


class ConnectorSettings(BaseSettings):
    """Per-connector configuration: ``HUB_CONNECTORS__<NAME>__BASE_URL`` etc."""

    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 2.0
    retries: int = 2
    ttl: int = 3600
    enabled: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./xinyi-hub.db"
    redis_url: str | None = None
    env: Literal["development", "production", "test"] = "development"
    issuer: str = "xinyi-hub"
    audience: str = "xinyi-hub"
    token_ttl: int = Field(900, ge=30, le=86400)
    signing_alg: Literal["ES256", "RS256"] = "ES256"
    # Key-encryption keys sealing the signing keys at rest (hub.auth.sealing):
    # comma-separated, URL-safe base64 of 32 bytes each, the first seals.
    # Required in production; the file variant wins only when the variable
    # itself is unset.
    key_encryption_key: SecretStr | None = None
    key_encryption_key_file: str | None = None
    # Trusted issuer of SUBJECT tokens (enterprise identity provider).  When
    # unset, the hub itself is the subject issuer (development and tests).
    subject_issuer: str | None = None
    # The identity provider's JWK set: SUBJECT tokens it signs are verified
    # with these keys (hub.auth.idp); needs ``subject_issuer``.
    subject_jwks_url: str | None = None
    # Audience the provider's tokens must name (default: ``audience``).
    subject_audience: str | None = None
    # Algorithms accepted from the provider (asymmetric only).
    subject_algorithms: Annotated[list[str], NoDecode] = ["RS256", "ES256"]
    # The claim holding the enterprise's USCC.
    subject_uscc_claim: str = "sub"
    # How long a fetched JWK set is used before it is fetched again.
    subject_jwks_ttl: float = Field(300.0, ge=1.0, le=86400.0)
    rate_limit_per_minute: int = 1200
    # Hot documents (the consented creditProfile read) answered by compiled
    # code instead of the GraphQL executor (schema.hot); same answers.
    compiled_reads: bool = True
    # Per client address, before any credential is checked: token requests
    # (each costs a deliberate scrypt verification; RFC 6749 §10.10) and
    # GraphQL requests without a valid token.
    token_rate_limit_per_minute: int = Field(60, ge=1)
    anonymous_rate_limit_per_minute: int = Field(300, ge=1)
    # Addresses or networks of the reverse proxies whose X-Forwarded-For is
    # believed (comma-separated, e.g. "10.0.0.0/8,127.0.0.1"); none by
    # default, so a client cannot choose the address it is limited by.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Ping each pooled connection before use (one round trip per request).
    # Off by default; turn on where connections get cut (failover, proxies):
    # otherwise each stale connection fails one request after a restart.
    db_pool_pre_ping: bool = False
    # Pooled PostgreSQL connections per process, and how many more may be
    # opened under a burst.  An overflow connection is closed when it comes
    # back, so sustained concurrency above the pool size opens (and TLS-
    # negotiates) a connection per request: size the pool for the steady
    # concurrency, or set the overflow to 0 so requests wait for one.
    db_pool_size: int = Field(20, ge=1)
    db_max_overflow: int = Field(20, ge=0)
    max_body_bytes: int = 1024 * 1024
    # The sealer signs the audit chain's head this often (contract v2).
    audit_checkpoint_seconds: float = Field(300.0, ge=1.0)
    # Live subscriptions re-check their credential this often, so they end
    # within 5 s of the token expiring or the client being suspended.
    subscription_recheck_seconds: float = Field(1.0, gt=0, le=4.0)
    grade_thresholds: dict[str, int] = {"A": 850, "B": 700, "C": 550, "D": 400}
    connectors: dict[str, ConnectorSettings] = {}
    # Consent must expire within this many days (征信业管理条例 Art 14 / PIPL).
    max_consent_days: int = 365
    # Events out (hub.events): webhook targets in production must be public
    # https addresses unless this is set (interfaces.md v2, "Webhooks").
    webhook_allow_private: bool = False
    # Seconds one webhook attempt may take, all told.
    webhook_timeout: float = Field(10.0, gt=0, le=60)
    # A worker's claim on a message it is sending; renewed while it sends, so
    # a worker that died releases its messages within this time.
    webhook_claim_seconds: float = Field(15.0, ge=1, le=300)
    # Concurrent webhook attempts per process (the bounded worker pool).
    webhook_workers: int = Field(8, ge=1, le=256)
    # How often a dispatcher looks for work committed by other processes.
    events_poll_seconds: float = Field(1.0, gt=0, le=60)
    # Subscriptions re-check their credential at least this often, so they
    # end within it after the token expires or the client is suspended.
    subscription_check_seconds: float = Field(5.0, gt=0, le=5)
    # Where people reach this hub: links it hands out (a report's verify URL).
    public_url: str = "http://127.0.0.1:8000"
    # A TrueType font (.ttf/.ttc) with Chinese glyphs, embedded in report PDFs
    # so they render anywhere.  Unset: the first of the usual Debian CJK fonts
    # found, else the PDF standard CJK font STSong-Light (not embedded: the
    # viewer supplies the glyphs).
    report_font: str | None = None
    # An unanswered consent request expires this many days after it was made
    # (contract v2); CONSENT_EXPIRING reminders go out this many days ahead.
    consent_request_ttl_days: int = Field(7, ge=1, le=90)
    consent_expiry_notice_days: int = Field(14, ge=1, le=90)
    # The enterprise portal (/portal).  One-time login links are for
    # development; production signs in with OpenID Connect at the enterprise
    # identity provider, whose ID token names the USCC in HUB_OIDC_USCC_CLAIM.
    portal_links_in_production: bool = False
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_uscc_claim: str = "uscc"
    oidc_scope: str = "openid"
    # Pages (web/): a sign-in lasts this long at most; sign-in attempts per
    # minute per client address (console and portal each).
    web_session_seconds: int = Field(8 * 3600, ge=60, le=7 * 86400)
    web_login_rate_limit_per_minute: int = Field(10, ge=1)
    # Logs (hub.logs): readable console lines, or one JSON object per line.
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Prometheus: /metrics on its own port (then not on the API's), and/or
    # only for scrapers sending "Authorization: Bearer <token>" (hub.metrics).
    metrics_port: int | None = Field(None, ge=1, le=65535)
    metrics_token: str | None = None
    # OpenTelemetry traces (hub.tracing; needs `pip install xinyi-hub[otel]`).
    # The standard OTEL_* variables (an exporter endpoint) switch it on too.
    otel_enabled: bool = False

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for item in value:
                ip_network(str(item), strict=False)  # ValueError: not an address
        return value

    @field_validator("subject_algorithms", mode="before")
    @classmethod
    def _algorithms(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            bad = sorted(set(map(str, value)) - _ASYMMETRIC)
            if bad:
                raise ValueError(f"not allowed for subject tokens: {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _subject_provider(self) -> Settings:
        if self.subject_jwks_url and not self.subject_issuer:
            raise ValueError(
                "HUB_SUBJECT_JWKS_URL needs HUB_SUBJECT_ISSUER: the issuer whose "
                "tokens the provider's keys verify"
            )
        url = self.subject_jwks_url or ""
        if self.production and url and not url.startswith("https://"):
            # Keys fetched in the clear could be swapped on the way.
            raise ValueError("HUB_SUBJECT_JWKS_URL must be https:// in production")
        return self

    @property
    def trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(ip_network(p, strict=False) for p in self.trusted_proxies)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
