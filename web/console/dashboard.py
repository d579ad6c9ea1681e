"""``/console``: the statistics dashboard (ECharts, vendored).

Totals and the 信易贷 funnel are the ``stats`` query's
(``hub.decisions.stats.hub_stats``); the per-day series come from
``daily_stats``.  Charts read their data from a ``data-chart`` attribute
(JSON) and are drawn by ``web/static/console-charts.js``; each has a table
with the same numbers for screen readers and for browsers without script.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.decisions.stats import daily_stats, hub_stats
from hub.errors import ErrorCode, HubError
from web.console.guard import admin_page, console_page
from web.i18n import translator
from web.work import unit_of_work

__all__ = ["dashboard"]

DEFAULT_DAYS = 14


def _day(value: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HubError("Dates are YYYY-MM-DD.", ErrorCode.VALIDATION_ERROR) from None


@admin_page
async def dashboard(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    _ = translator(request).gettext
    today = hub.clock.today()
    end = _day(request.query_params.get("to", ""), today)
    start = _day(
        request.query_params.get("from", ""), end - timedelta(days=DEFAULT_DAYS - 1)
    )
    async with unit_of_work(request) as session:
        totals = await hub_stats(session, hub, start, end)
        days = await daily_stats(session, hub, start, end)
    scenarios = [s.scenario for s in totals.by_scenario]
    labels = [d.day.isoformat() for d in days]
    charts: dict[str, Any] = {
        "daily": {
            "kind": "lines",
            "labels": labels,
            "series": [
                {"name": _("画像查询"), "data": [d.profile_reads for d in days]},
                {"name": _("决策"), "data": [d.decisions for d in days]},
                {"name": _("放贷"), "data": [d.loans_granted for d in days]},
            ],
        },
        "per_scenario_daily": {
            "kind": "stacked",
            "labels": labels,
            "series": [
                {"name": k, "data": [d.by_scenario.get(k, 0) for d in days]}
                for k in scenarios
            ],
        },
        "by_scenario": {
            "kind": "bars",
            "labels": scenarios,
            "series": [
                {"name": _("决策"), "data": [s.decisions for s in totals.by_scenario]},
                {"name": _("符合"), "data": [s.eligible for s in totals.by_scenario]},
                {
                    "name": _("受限"),
                    "data": [s.restricted for s in totals.by_scenario],
                },
                {
                    "name": _("已兑现"),
                    "data": [s.benefits_applied for s in totals.by_scenario],
                },
            ],
        },
        "funnel": {
            "kind": "funnel",
            "steps": [
                {"name": _("授权请求"), "value": totals.funnel.requests},
                {"name": _("企业同意"), "value": totals.funnel.approved},
                {"name": _("决策"), "value": totals.funnel.decisions},
                {"name": _("放贷"), "value": totals.funnel.loans_granted},
            ],
        },
    }
    return await console_page(
        request,
        admin,
        "dashboard.html",
        "dashboard",
        {
            "start": start,
            "end": end,
            "totals": totals,
            "days": days,
            "scenarios": scenarios,
            "charts": {k: json.dumps(v, ensure_ascii=False) for k, v in charts.items()},
        },
    )
