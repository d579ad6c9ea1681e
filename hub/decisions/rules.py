"""Which rule set is in force for a scenario, and publishing a new one.

The built-in rules (the scenario's ``rules.yaml``) serve until an admin
publishes a version; the newest active published version then serves.  Every
decision stores the version it used, and superseded versions stay stored.
Each worker keeps which version is in force (``hub.backends.near``): a
publish announces the change over the bus once it has committed, and every
worker reads the database again on its next decision (at worst after
``NearValues.ttl`` should the message be lost).  Parsed tables are cached
per (scenario, version), which is safe because a published version is
immutable.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.decisions import repository as repo
from hub.decisions.engine import CompiledRules, compile_rules
from hub.decisions.table import RuleSet, check_rules_fit, parse_rules
from hub.errors import ErrorCode, HubError
from hub.models import ScenarioRuleVersion
from scenarios.protocol import Scenario

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "RuleVersion",
    "check_for",
    "publish_rules",
    "publish_version",
    "published_rules",
    "rule_diff",
    "rule_versions",
    "rules_in_force",
    "version_in_force",
    "versions_in_force",
]

_COMPILED: dict[tuple[str, str], CompiledRules] = {}


def check_for(scenario: Scenario, raw: Any) -> RuleSet:
    """Validate ``raw`` as a rule set for ``scenario`` (VALIDATION_ERROR if bad)."""
    rules = parse_rules(raw, source=f"rules for {scenario.key}")
    check_rules_fit(
        rules,
        key=scenario.key,
        categories=scenario.categories,
        benefit_codes=scenario.benefit_codes,
    )
    return rules


async def version_in_force(session: AsyncSession, scenario: Scenario) -> str:
    published = await repo.active_rule_version(session, scenario.key)
    return published or scenario.default_rules().version


async def versions_in_force(
    session: AsyncSession, scenarios: Iterable[Scenario]
) -> dict[str, str]:
    """scenario key → version in force, for every scenario (one query)."""
    published = await repo.active_versions(session)
    return {s.key: published.get(s.key) or s.default_rules().version for s in scenarios}


_ANNOUNCING: set[asyncio.Task[None]] = set()


async def _active_version(
    session: AsyncSession, hub: Hub | None, key: str
) -> str | None:
    """The active published version of ``key``: the worker's copy if it has one."""
    if hub is None:
        return await repo.active_rule_version(session, key)
    return await hub.backends.values.get(
        f"rules:{key}",
        hub.pubsub,
        lambda: repo.active_rule_version(session, key),
    )


def _announce_on_commit(session: AsyncSession, hub: Hub, key: str) -> None:
    """Once ``session`` commits, every worker drops its copy of ``key``'s version."""
    values = hub.backends.values

    def committed(_: Any) -> None:
        values.drop(f"rules:{key}")  # this worker: before anything else runs
        task = asyncio.get_running_loop().create_task(
            values.changed(f"rules:{key}", hub.pubsub)
        )
        _ANNOUNCING.add(task)
        task.add_done_callback(_ANNOUNCING.discard)

    event.listen(session.sync_session, "after_commit", committed, once=True)


async def rules_in_force(
    session: AsyncSession, scenario: Scenario, hub: Hub | None = None
) -> CompiledRules:
    """The compiled rules in force; with ``hub``, the version comes from the
    worker's copy (no statement) when it has one."""
    version = await _active_version(session, hub, scenario.key)
    if version is None:
        version = scenario.default_rules().version
        key = (scenario.key, f"builtin:{version}")
        if key not in _COMPILED:
            _COMPILED[key] = compile_rules(scenario.default_rules())
        return _COMPILED[key]
    key = (scenario.key, version)
    if key not in _COMPILED:
        raw = await repo.rules_of(session, scenario.key, version)
        _COMPILED[key] = compile_rules(check_for(scenario, raw))
    return _COMPILED[key]


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """One version of a scenario's rules: built in, or published by an admin."""

    version: str
    data: dict[str, Any]
    in_force: bool
    published_at: datetime | None = None
    published_by: str | None = None

    @property
    def builtin(self) -> bool:
        return self.published_at is None


async def rule_versions(session: AsyncSession, scenario: Scenario) -> list[RuleVersion]:
    """Published versions, newest first, then the built-in one (``rules.yaml``)."""
    rows = await repo.rule_versions(session, scenario.key)
    in_force = await version_in_force(session, scenario)
    builtin = scenario.default_rules()
    return [
        *(
            RuleVersion(
                r.version,
                dict(r.rules),
                r.version == in_force,
                r.published_at,
                r.published_by,
            )
            for r in rows
        ),
        RuleVersion(builtin.version, builtin.as_data(), builtin.version == in_force),
    ]


def rule_diff(old: RuleVersion, new: RuleVersion) -> list[str]:
    """A unified diff of two versions' rules (YAML, keys sorted)."""

    def lines(v: RuleVersion) -> list[str]:
        text = yaml.safe_dump(v.data, allow_unicode=True, sort_keys=True)
        return text.splitlines()

    return list(
        difflib.unified_diff(
            lines(old), lines(new), old.version, new.version, lineterm=""
        )
    )


async def published_rules(
    session: AsyncSession, key: str
) -> tuple[str, dict[str, Any]] | None:
    """The active published version of rule set ``key`` and its data, if any
    (any rule set kept like scenario rules, e.g. graded supervision)."""
    version = await repo.active_rule_version(session, key)
    if version is None:
        return None
    raw = await repo.rules_of(session, key, version)
    return None if raw is None else (version, raw)


async def publish_version(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    key: str,
    version: str,
    data: dict[str, Any],
    builtin_version: str,
    action: str,
    detail: dict[str, Any],
    dry_run: bool = False,
) -> None:
    """Store validated rule data as the active version of rule set ``key``
    and audit it (``action``); the previous version stays stored.

    Versions are immutable, so re-using a version name — the built-in one
    included — is a CONFLICT.  ``dry_run`` checks that and stores nothing.
    """
    previous = (await repo.active_rule_version(session, key)) or builtin_version
    if version == builtin_version or (
        await repo.rule_version_exists(session, key, version)
    ):
        raise HubError(
            f"Version {version!r} of {key} already exists; published "
            "versions are immutable, give the new rules a new version.",
            ErrorCode.CONFLICT,
        )
    if dry_run:
        return
    now = hub.clock.now()
    _announce_on_commit(session, hub, key)
    await repo.deactivate_rules(session, key)
    session.add(
        ScenarioRuleVersion(
            scenario=key,
            version=version,
            rules=data,
            published_at=now,
            published_by=principal.id,
            active=True,
        )
    )
    await record_change(
        session,
        actor=principal,
        action=action,
        outcome="PUBLISHED",
        at=now,
        detail={**detail, "version": version, "previous": previous},
    )
    await session.flush()


async def publish_rules(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    scenario: Scenario,
    raw: Any,
    *,
    dry_run: bool = False,
) -> RuleSet:
    """Validate, store as the active version and audit (``scenario.publish``).

    A bad rule set raises VALIDATION_ERROR naming the rule and changes
    nothing: the version in force keeps serving.  Versions are immutable, so
    re-using a version name is a CONFLICT.  ``dry_run`` validates only.
    """
    rules = check_for(scenario, raw)
    await publish_version(
        session,
        hub,
        principal,
        key=scenario.key,
        version=rules.version,
        data=rules.as_data(),
        builtin_version=scenario.default_rules().version,
        action="scenario.publish",
        detail={"scenario": scenario.key, "rules": len(rules.rules)},
        dry_run=dry_run,
    )
    return rules
