"""GraphiQL at ``GET /graphql`` from the hub's own files: no CDN, no internet.

Strawberry's IDE page loads React and GraphiQL from a CDN, which leaves a
blank "Loading…" page offline.  ``HubGraphQL(ide_page=graphiql.page)``
serves this page instead: vendored GraphiQL 3 with React 18
(``web/static/vendor``), started by ``web/static/graphiql-init.js`` — no
inline script, under the pages' Content-Security-Policy.  Send a token in
the Headers tab: ``{"Authorization": "Bearer …"}``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.render import page as render

__all__ = ["page"]


async def page(request: Request) -> Response:
    return await render(request, "graphiql.html")
