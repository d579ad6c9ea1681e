"""``xinyi-hub events dispatch``: route the outbox and deliver webhooks.

Every server process dispatches in the background; this command does the
same where no server runs (a dedicated worker), or once (``--once``) after a
cron job, e.g. ``maintenance``.  ``--json`` (with ``--once``) prints
``{"routed", "delivered", "retrying", "failed"}``.
"""

from __future__ import annotations

import asyncio
import json
import signal
from typing import Annotated

import typer

from hub.settings import Settings

__all__ = ["register"]

events_app = typer.Typer(help="Events out: the outbox, webhooks.", no_args_is_help=True)


async def _run(settings: Settings, once: bool) -> dict[str, int]:
    from hub.audit.chain import seal_pending
    from hub.events.dispatcher import Dispatcher, dispatch_pending
    from hub.root.build import build_hub

    hub = await build_hub(settings)
    try:
        if once:
            report = await dispatch_pending(hub)
        else:
            dispatcher = Dispatcher(hub)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            dispatcher.start()
            typer.echo("dispatching events; stop with Ctrl-C", err=True)
            await stop.wait()
            await dispatcher.stop()
            report = dispatcher.report
        # The notices' audit events (correction.notify) join the chain now.
        await seal_pending(hub.sessionmaker)
        return report.as_json()
    finally:
        await hub.aclose()


@events_app.command("dispatch")
def dispatch(
    once: Annotated[
        bool, typer.Option("--once", help="Do what is due now, then exit.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object.")
    ] = False,
) -> None:
    """Route pending events and deliver webhooks (until stopped, or --once)."""
    result = asyncio.run(_run(Settings(), once))
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(
            "events routed: {routed}, webhooks delivered: {delivered}, "
            "retrying: {retrying}, failed: {failed}".format(**result),
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Add ``events`` to ``app``."""
    app.add_typer(events_app, name="events")
