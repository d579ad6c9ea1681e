"""The pages' routes, mounted by ``hub.root.app.create_app``.

``routes`` holds the static files (``/static``, long-cached) and every
area's pages; an area adds its own list here.  ``exception_handlers`` turns
a CSRF refusal anywhere into the coded 403 page.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Mount

from web.assets import STATIC_DIR, CachedStatic
from web.console import routes as console_routes
from web.csrf import CsrfRefused
from web.errors import csrf_refused
from web.portal.routes import routes as portal_routes

__all__ = ["exception_handlers", "routes"]

routes: list[BaseRoute] = [
    Mount("/static", app=CachedStatic(directory=STATIC_DIR), name="static"),
    *console_routes,
    *portal_routes,
]

exception_handlers: dict[Any, Any] = {CsrfRefused: csrf_refused}
