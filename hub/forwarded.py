"""Which address a request comes from, believing ``X-Forwarded-For`` only from
trusted proxies (``HUB_TRUSTED_PROXIES``; none by default).

Per-address limits (the token endpoint's, anonymous GraphQL requests') count
by this address.  A header any client can set must not choose it: the hops
of ``X-Forwarded-For`` are read from the right (the nearest proxy appends
last), only while each hop was added by a trusted proxy, and the first
address not of a trusted proxy is the client (RFC 7239 §5.2 reasoning, the
same walk as uvicorn's and Werkzeug's proxy fixes).  uvicorn's own proxy
handling is switched off where the hub starts uvicorn, so this is the one
place that decides.

>>> from ipaddress import ip_network
>>> client_address("10.0.0.2", ["203.0.113.7, 10.0.0.9"], [ip_network("10.0.0.0/8")])
'203.0.113.7'
>>> client_address("198.51.100.4", ["1.2.3.4"], [ip_network("10.0.0.0/8")])
'198.51.100.4'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

__all__ = ["ForwardedFor", "client_address"]

Network = IPv4Network | IPv6Network


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:5678"
        text = text.split(":", 1)[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address, networks: Sequence[Network]) -> bool:
    return any(address in n for n in networks)


def client_address(
    peer: str | None, forwarded: Iterable[str], trusted: Sequence[Network]
) -> str | None:
    """The client's address: ``peer`` unless it and the hops before it are trusted."""
    found = _address(peer) if peer else None
    if found is None or not _trusted(found, trusted):
        return peer
    hops = [h for header in forwarded for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage: the nearest trusted proxy is all that is known
        found = address
        if not _trusted(address, trusted):
            break
    return str(found)


class ForwardedFor:
    """ASGI middleware: ``scope["client"]`` becomes :func:`client_address`."""

    def __init__(self, app: Any, trusted: Sequence[Network]) -> None:
        self.app, self.trusted = app, tuple(trusted)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted:
            client = scope.get("client")
            forwarded = [
                value.decode("latin-1")
                for name, value in scope.get("headers") or []
                if name == b"x-forwarded-for"
            ]
            if client and forwarded:
                address = client_address(client[0], forwarded, self.trusted)
                if address != client[0]:
                    scope = dict(scope, client=(address, 0))
        await self.app(scope, receive, send)
