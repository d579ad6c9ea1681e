"""Signing in to the portal with OpenID Connect (production).

Authlib's client does the protocol: discovery from ``HUB_OIDC_ISSUER``, the
authorization code flow with PKCE (S256), ``state`` and ``nonce``, and the
ID token checked against the provider's JWKS (signature, ``iss``, ``aud``,
``exp``, ``nonce``).  The enterprise is the USCC in the claim
``HUB_OIDC_USCC_CLAIM``, checked (GB 32100) and known to the hub.

A login has two halves: :meth:`OidcLogin.begin` gives the provider's URL and
a :class:`PendingLogin` the caller keeps in the browser's session (so the
callback is bound to the browser that started it, RFC 6749 §10.12);
:meth:`OidcLogin.finish` takes the callback's parameters and that pending
login back.
"""

from __future__ import annotations

import hmac
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from joserfc.errors import JoseError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import ErrorCode, HubError
from hub.portal.identity import Enterprise, known_enterprise
from hub.settings import Settings

with warnings.catch_warnings():
    # Authlib 1.9 warns that it prefers the httpx2 fork when it finds httpx,
    # the client the whole hub uses; the httpx path is the tested one here.
    import authlib.deprecate  # noqa: F401  (installs its "always" filter first)

    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.starlette_client import OAuth

__all__ = ["OidcLogin", "PendingLogin", "oidc_configured"]

_REFUSED = "The identity provider did not sign you in ({why}); please try again."


def oidc_configured(settings: Settings) -> bool:
    return bool(
        settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret
    )


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """What the browser's session holds between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str

    def as_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> PendingLogin | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{k: str(data[k]) for k in cls.__slots__})
        except KeyError:
            return None


class OidcLogin:
    """One relying party per hub; metadata and keys are fetched once, keys
    again when a token names a key the cached set lacks (rotation)."""

    def __init__(self, settings: Settings) -> None:
        if not oidc_configured(settings):
            raise HubError(
                "OpenID Connect login is not configured: set HUB_OIDC_ISSUER, "
                "HUB_OIDC_CLIENT_ID and HUB_OIDC_CLIENT_SECRET.",
                ErrorCode.NOT_FOUND,
            )
        self.issuer = str(settings.oidc_issuer)
        self.claim = settings.oidc_uscc_claim
        oauth = OAuth()
        self._app: Any = oauth.register(
            "enterprise",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=(
                self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            ),
            client_kwargs={
                "scope": settings.oidc_scope,
                "code_challenge_method": "S256",
                "timeout": 10.0,
            },
        )

    async def begin(self, redirect_uri: str) -> tuple[str, PendingLogin]:
        """The provider's authorization URL, and what to keep until the callback."""
        await self._metadata()
        rv = await self._call(self._app.create_authorization_url(redirect_uri))
        pending = PendingLogin(
            state=rv["state"],
            nonce=rv["nonce"],
            code_verifier=rv["code_verifier"],
            redirect_uri=redirect_uri,
        )
        return str(rv["url"]), pending

    async def finish(
        self,
        session: AsyncSession,
        pending: PendingLogin | None,
        params: dict[str, str],
    ) -> Enterprise:
        """The enterprise the provider vouches for, from the callback's query.

        Raises ``UNAUTHENTICATED`` when the provider refused, the state does
        not match this browser's pending login, or the ID token fails a
        check; ``INVALID_USCC`` / ``NOT_FOUND`` when its USCC is wrong or
        unknown here.
        """
        if params.get("error"):
            why = params.get("error_description") or params["error"]
            raise HubError(_REFUSED.format(why=why), ErrorCode.UNAUTHENTICATED)
        state, code = params.get("state") or "", params.get("code") or ""
        if pending is None or not hmac.compare_digest(state, pending.state):
            raise HubError(
                "This sign-in was not started in this browser, or has already "
                "been used; start again from the portal's login page.",
                ErrorCode.UNAUTHENTICATED,
            )
        if not code:
            raise HubError(_REFUSED.format(why="no code"), ErrorCode.UNAUTHENTICATED)
        token = await self._call(
            self._app.fetch_access_token(
                redirect_uri=pending.redirect_uri,
                code=code,
                code_verifier=pending.code_verifier,
            )
        )
        if "id_token" not in token:
            raise HubError(
                _REFUSED.format(why="no ID token"), ErrorCode.UNAUTHENTICATED
            )
        claims = await self._call(
            self._app.parse_id_token(
                token,
                nonce=pending.nonce,
                claims_options={"iss": {"essential": True, "value": self.issuer}},
            )
        )
        uscc = claims.get(self.claim)
        if not uscc:
            raise HubError(
                f"The identity provider's ID token has no '{self.claim}' claim "
                "(HUB_OIDC_USCC_CLAIM): it does not say which enterprise you are.",
                ErrorCode.UNAUTHENTICATED,
            )
        return await known_enterprise(session, uscc)

    async def _metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = await self._call(self._app.load_server_metadata())
        # OpenID Connect Discovery §4.3: the document must name the issuer
        # it was fetched for.
        if metadata.get("issuer") != self.issuer:
            raise HubError(
                f"The identity provider at {self.issuer} names itself "
                f"{metadata.get('issuer')!r}; check HUB_OIDC_ISSUER.",
                ErrorCode.SOURCE_UNAVAILABLE,
            )
        return metadata

    @staticmethod
    async def _call(awaitable: Any) -> Any:
        try:
            return await awaitable
        except httpx.HTTPError as exc:
            raise HubError(
                f"The identity provider could not be reached ({type(exc).__name__}); "
                "try again in a moment.",
                ErrorCode.SOURCE_UNAVAILABLE,
            ) from exc
        except (OAuthError, JoseError) as exc:
            raise HubError(
                _REFUSED.format(why=str(exc) or type(exc).__name__),
                ErrorCode.UNAUTHENTICATED,
            ) from exc
