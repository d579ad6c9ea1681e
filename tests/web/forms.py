"""Plain-HTTP helpers: read a page's CSRF token, sign in to the console."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["console_login", "csrf_of"]

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def console_login(http: Any, client_id: str, secret: str) -> Any:
    page = await http.get("/console/login")
    return await http.post(
        "/console/login",
        data={
            "client_id": client_id,
            "client_secret": secret,
            "csrf_token": csrf_of(page.text),
        },
    )
