"""``xinyi-hub maintenance``: apply publication windows, retention, deadlines.

Safe from cron and idempotent: a second run the same day changes nothing.
``--json`` prints one object ``{"today", "commitments_breached",
"records_deleted", "records_expired", "lists_expired", "objections_overdue",
"list_objections_overdue", "records_without_end", "consents_expired",
"consent_reminders", "consent_requests_expired"}`` (``records_without_end`` a
list of record ids: live negative records retention cannot date, see
``hub.rights.maintenance``); otherwise one line per action, then those ids.
``--today`` (a date in China time) runs as of that day, for catching up.
``--dry-run`` does everything but keep it: the counts are what a run would
do, nothing is changed, no alert goes out.  A ``--today`` in the future is
refused without ``--dry-run`` (contract v2): it would expire, delete and
breach for real what has not yet lapsed.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, time
from typing import Annotated

import typer

from hub.clock import Clock, FrozenClock, SystemClock
from hub.rights.deadlines import CHINA
from hub.rights.maintenance import MaintenanceReport, maintain, run_maintenance
from hub.settings import Settings

__all__ = ["register", "run"]


async def run(
    settings: Settings, clock: Clock, *, dry_run: bool = False
) -> MaintenanceReport:
    """Build the hub (migrating first), run once, seal the audit events, close."""
    from hub.audit.chain import seal_pending
    from hub.root.build import build_hub

    hub = await build_hub(settings, clock)
    try:
        if dry_run:
            async with hub.sessionmaker() as session:
                report = await run_maintenance(session, hub)
                # A rehearsal: its changes, audit events and alerts all go.
                await session.rollback()
            return report
        report = await maintain(hub)
        # Link this run's events onto the chain now rather than waiting for a
        # server's sealer (the command may run where no server does).
        await seal_pending(hub.sessionmaker)
        return report
    finally:
        await hub.aclose()


def _clock(today: str | None, *, dry_run: bool) -> Clock:
    if today is None:
        return SystemClock()
    try:
        day = date.fromisoformat(today)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--today") from None
    if day > SystemClock().today() and not dry_run:
        raise typer.BadParameter(
            f"{day} is in the future (China time): a real run would expire, delete "
            "and breach what has not lapsed yet. Rehearse it with --dry-run.",
            param_hint="--today",
        )
    # Noon in China: unambiguously that calendar day there.
    return FrozenClock(datetime.combine(day, time(12), tzinfo=CHINA))


def maintenance(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object.")
    ] = False,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="Run as of this date (YYYY-MM-DD, China time); a future date "
            "needs --dry-run.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Count what a run would do; change nothing."),
    ] = False,
) -> None:
    """Expire, delete and flag what time has caught up with (cron-safe, idempotent)."""
    report = asyncio.run(
        run(Settings(), _clock(today, dry_run=dry_run), dry_run=dry_run)
    )
    if as_json:
        out = report.as_json()
        typer.echo(json.dumps({**out, "dry_run": True} if dry_run else out))
        return
    rehearsed = " — dry run, nothing changed" if dry_run else ""
    typer.echo(f"maintenance as of {report.today.isoformat()} (China time){rehearsed}")
    for action, count in report.counts.items():
        typer.echo(f"  {action.replace('_', ' ')}: {count}")
    if report.records_without_end:
        # 征信业管理条例 Art 16 counts from the act's end: ask the source.
        ids = ", ".join(str(i) for i in report.records_without_end)
        typer.echo(f"  kept, no end date (ask the source when the act ended): {ids}")


def register(app: typer.Typer) -> None:
    """Add ``maintenance`` to ``app``."""
    app.command("maintenance")(maintenance)
