"""Where webhooks may point: the SSRF guard (OWASP SSRF Prevention Cheat Sheet).

In production a webhook URL must be ``https`` and every address its host
resolves to must be public — no loopback, private, link-local (cloud
metadata at 169.254.169.254), shared (100.64/10), multicast or reserved
address — unless ``HUB_WEBHOOK_ALLOW_PRIVATE=true``.  Development and tests
also allow ``http`` and local addresses (``http://127.0.0.1:…``).

The check runs twice: when the webhook is registered (a refused URL is
``VALIDATION_ERROR``) and before every delivery, against the DNS answers of
that moment.  The delivery then connects to the address that was checked
(:class:`Target`), so a name that re-resolves elsewhere in between (DNS
rebinding) cannot redirect it; TLS still verifies the certificate for the
host name (SNI).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub.errors import ErrorCode, HubError
from hub.settings import Settings

__all__ = ["Target", "TargetPolicy", "check_url", "resolve"]

MAX_URL = 2000
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    https_only: bool
    allow_private: bool

    @classmethod
    def of(cls, settings: Settings) -> TargetPolicy:
        if settings.production:
            return cls(https_only=True, allow_private=settings.webhook_allow_private)
        return cls(https_only=False, allow_private=True)


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        host = f"[{self.address}]" if ":" in self.address else self.address
        netloc = f"{host}:{self.port}"
        path = parts.path or "/"
        return f"{self.scheme}://{netloc}{path}" + (
            f"?{parts.query}" if parts.query else ""
        )

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


def _refuse(message: str) -> HubError:
    return HubError(message, ErrorCode.VALIDATION_ERROR, field="url")


def _public(address: _Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str, policy: TargetPolicy) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL; else ``VALIDATION_ERROR``."""
    if not url or len(url) > MAX_URL:
        raise _refuse(f"url must be 1–{MAX_URL} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse("url is not a valid URL.") from None
    schemes = ("https",) if policy.https_only else ("https", "http")
    if parts.scheme not in schemes:
        raise _refuse(
            "A webhook URL must use https in production."
            if policy.https_only
            else "A webhook URL must use http or https."
        )
    if not parts.hostname:
        raise _refuse("url needs a host name or address.")
    if parts.username or parts.password:
        raise _refuse("url may not carry credentials; the signature authenticates.")
    if parts.fragment:
        raise _refuse("url may not have a fragment.")
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname, port or default


async def resolve(url: str, policy: TargetPolicy) -> Target:
    """Check ``url`` and the addresses its host resolves to now.

    Raises ``VALIDATION_ERROR`` naming the reason (no answer, or an address
    the policy refuses).
    """
    scheme, host, port = check_url(url, policy)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise _refuse(f"The host {host!r} does not resolve ({exc}).") from None
        addresses = [ipaddress.ip_address(str(info[4][0])) for info in infos]
    if not addresses:
        raise _refuse(f"The host {host!r} does not resolve.")
    if not policy.allow_private:
        refused = sorted({str(a) for a in addresses if not _public(a)})
        if refused:
            raise _refuse(
                f"The host {host!r} resolves to {', '.join(refused)}: webhooks may "
                "not reach loopback, private or link-local addresses "
                "(HUB_WEBHOOK_ALLOW_PRIVATE=true allows it)."
            )
    return Target(url, scheme, host, port, str(addresses[0]))
