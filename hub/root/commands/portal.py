"""``xinyi-hub portal link USCC``: a one-time login link to the enterprise portal.

Prints ``{HUB_PUBLIC_URL}/portal/login?token=…`` (``--json``: ``{"uscc",
"url", "expires_in"}``).  The link signs that enterprise in once, within 15
minutes.  Refused in production (enterprises sign in with OpenID Connect
there) unless ``HUB_PORTAL_LINKS_IN_PRODUCTION`` is set.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker, migrate, session_scope
from hub.errors import HubError
from hub.portal.links import LINK_TTL, issue_link
from hub.settings import Settings

__all__ = ["register"]

portal_app = typer.Typer(help="The enterprise portal (/portal).", no_args_is_help=True)


async def make_link(settings: Settings, uscc: str) -> str:
    """Issue one link (the database migrated first)."""
    engine = create_engine(settings.database_url)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            return await issue_link(session, settings, SystemClock(), uscc)
    finally:
        await engine.dispose()


@portal_app.command("link")
def link(
    uscc: Annotated[str, typer.Argument(help="The enterprise's USCC (18 chars).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object.")
    ] = False,
) -> None:
    """Print a one-time login link for the enterprise USCC (15 minutes)."""
    settings = Settings()
    migrate(settings.database_url)
    try:
        url = asyncio.run(make_link(settings, uscc))
    except HubError as exc:
        typer.echo(f"error: {exc.message} [{exc.code}]", err=True)
        raise typer.Exit(2) from None
    if as_json:
        ttl = int(LINK_TTL.total_seconds())
        typer.echo(json.dumps({"uscc": uscc, "url": url, "expires_in": ttl}))
    else:
        typer.echo(url)


def register(app: typer.Typer) -> None:
    """Add ``portal`` to ``app``."""
    app.add_typer(portal_app, name="portal")
