"""Static files: vendored libraries and our own CSS/JS, served with long caches.

URLs carry a content hash (``/static/console.css?v=1a2b3c4d5e``), so a
year-long ``immutable`` cache never serves a stale file after an upgrade.
Templates call ``{{ static("vendor/htmx-2.0.11/htmx.min.js") }}``; the
vendored libraries and their licences are listed in
``web/static/vendor/README.md``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles

__all__ = [
    "HTMX",
    "ECHARTS",
    "GRAPHIQL",
    "REACT",
    "REACT_DOM",
    "STATIC_DIR",
    "CachedStatic",
    "static_url",
]

STATIC_DIR = Path(__file__).parent / "static"
HTMX = "vendor/htmx-2.0.11/htmx.min.js"
ECHARTS = "vendor/echarts-6.1.0/echarts.min.js"
GRAPHIQL = "vendor/graphiql-3.8.3/graphiql.min.js"
GRAPHIQL_CSS = "vendor/graphiql-3.8.3/graphiql.min.css"
REACT = "vendor/react-18.3.1/react.production.min.js"
REACT_DOM = "vendor/react-dom-18.3.1/react-dom.production.min.js"
_YEAR = 365 * 24 * 3600


@cache
def _digest(path: str) -> str:
    file = (STATIC_DIR / path).resolve()
    if STATIC_DIR.resolve() not in file.parents or not file.is_file():
        raise FileNotFoundError(f"no static file {path!r} under {STATIC_DIR}")
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>``."""
    return f"/static/{path}?v={_digest(path)}"


class CachedStatic(StaticFiles):
    """StaticFiles with ``Cache-Control: public, max-age=1y, immutable``."""

    def file_response(self, *args: Any, **kwargs: Any) -> Any:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
