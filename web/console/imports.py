"""``/console/imports``: import runs; the quarantine per source file, re-submitted.

Runs are the recorded imports and re-submissions (``hub.importer.runs``).

Rows an import refused stay quarantined until dealt with
(``hub.importer.quarantine``); "re-submit" retries a file's unresolved rows
as stored, exactly as ``xinyi-hub quarantine resubmit --source FILE`` does,
and shows the counts.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.importer import quarantine
from hub.importer.runs import recent_runs
from hub.importer.service import ImportSummary
from web.console.guard import admin_page, console_page
from web.work import unit_of_work

__all__ = ["imports", "resubmit"]


async def _render(
    request: Request, admin: Principal, summary: ImportSummary | None = None
) -> Response:
    source = request.query_params.get("source") or None
    async with unit_of_work(request) as session:
        runs = await recent_runs(session, 50)
        files = await quarantine.by_file(session)
        rows = await quarantine.page(session, source_file=source, limit=100)
    return await console_page(
        request,
        admin,
        "imports.html",
        "imports",
        {
            "runs": runs,
            "files": files,
            "rows": rows,
            "source": source,
            "summary": summary,
        },
    )


@admin_page
async def imports(request: Request, admin: Principal) -> Response:
    return await _render(request, admin)


@admin_page
async def resubmit(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    source = str(request.state.form.get("source") or "") or None
    summary = await quarantine.resubmit(hub.sessionmaker, hub.clock, source_file=source)
    return await _render(request, admin, summary)
