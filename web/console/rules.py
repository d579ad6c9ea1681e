"""``/console/rules``: scenario rule versions, the diff of two, dry runs, publishing.

Versions come from ``hub.decisions.rules.rule_versions`` (published ones
and the built-in ``rules.yaml``); a dry run is the ``scenarioDryRun``
query's ``hub.decisions.dry_run.dry_run`` (counts only, one audit event
per sampled entity on the basis DRY_RUN); publishing is
``publishScenarioRules``'s ``publish_rules`` (validated, audited
``scenario.publish``).  Proposed rules are typed as YAML (JSON is YAML too).
"""

from __future__ import annotations

from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.decisions import rules as decision_rules
from hub.decisions.dry_run import DryRunSummary, dry_run
from hub.errors import ErrorCode, HubError
from web import sessions
from web.console.guard import admin_page, console_page
from web.work import unit_of_work

__all__ = ["dry_run_rules", "publish", "scenario_rules", "scenarios"]

_MAX_RULES_TEXT = 200_000


def _proposed(form: Any) -> Any:
    text = str(form.get("rules") or "")
    if not text.strip() or len(text) > _MAX_RULES_TEXT:
        raise HubError(
            "Type the proposed rules (YAML or JSON, at most 200 kB).",
            ErrorCode.VALIDATION_ERROR,
        )
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HubError(
            f"The rules are not valid YAML/JSON: {exc}", ErrorCode.VALIDATION_ERROR
        ) from None


@admin_page
async def scenarios(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        versions = await decision_rules.versions_in_force(session, hub.scenarios)
    return await console_page(
        request,
        admin,
        "rules.html",
        "rules",
        {
            "scenarios": [(s, versions[s.key]) for s in hub.scenarios],
        },
    )


async def _scenario_page(
    request: Request,
    admin: Principal,
    *,
    proposed_text: str | None = None,
    summary: DryRunSummary | None = None,
    published: str | None = None,
) -> Response:
    hub = request.app.state.hub
    scenario = hub.scenarios.get(request.path_params["key"])
    async with unit_of_work(request) as session:
        versions = await decision_rules.rule_versions(session, scenario)
    by_name = {v.version: v for v in versions}
    q = request.query_params
    old, new = by_name.get(q.get("old", "")), by_name.get(q.get("new", ""))
    diff = decision_rules.rule_diff(old, new) if old and new else None
    in_force = next(v for v in versions if v.in_force)
    if proposed_text is None:
        proposed_text = yaml.safe_dump(
            in_force.data, allow_unicode=True, sort_keys=False
        )
    return await console_page(
        request,
        admin,
        "scenario_rules.html",
        "rules",
        {
            "scenario": scenario,
            "versions": versions,
            "old": q.get("old", ""),
            "new": q.get("new", ""),
            "diff": diff,
            "proposed": proposed_text,
            "summary": summary,
            "published": published,
        },
    )


@admin_page
async def scenario_rules(request: Request, admin: Principal) -> Response:
    return await _scenario_page(request, admin)


@admin_page
async def dry_run_rules(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    form = request.state.form
    raw = _proposed(form)
    async with unit_of_work(request) as session:
        summary = await dry_run(
            session, hub, admin, request.path_params["key"], raw, None
        )
    return await _scenario_page(
        request, admin, proposed_text=str(form.get("rules")), summary=summary
    )


@admin_page
async def publish(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    raw = _proposed(request.state.form)
    if not isinstance(raw, dict):
        raise HubError(
            "rules must be a mapping with version, default and rules.",
            ErrorCode.VALIDATION_ERROR,
        )
    scenario = hub.scenarios.get(request.path_params["key"])
    async with unit_of_work(request) as session:
        await decision_rules.publish_rules(session, hub, admin, scenario, raw)
    return sessions.redirect(request, f"/console/rules/{scenario.key}")
