"""The scenario plugin protocol (entry-point group ``xinyi_hub.scenarios``).

A scenario is an object — usually a :class:`scenarios.base.TableScenario`
built from a ``rules.yaml`` beside it — with these attributes.  The entry
point's name must equal ``key``.  Example, in a plugin's pyproject::

    [project.entry-points."xinyi_hub.scenarios"]
    rent-waiver = "my_plugin.rent:scenario"
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from hub.decisions.table import RuleSet
from hub.enums import DataCategory, Purpose

__all__ = ["Scenario"]


@runtime_checkable
class Scenario(Protocol):
    #: Stable key used by ``eligibility(scenario:)``, e.g. ``credit-loan``.
    key: str
    #: Human name, e.g. 信易贷 信用贷款预评估.
    name: str
    #: What the scenario decides, for whom, and what it grants.
    description: str
    #: The consent purpose a caller must hold (one purpose per consent).
    purpose: Purpose
    #: Data categories the consent must cover; facts outside them are never
    #: loaded, and rules may not test them.
    categories: frozenset[DataCategory]
    #: Benefit codes the scenario's rules may grant.
    benefit_codes: tuple[str, ...]

    def default_rules(self) -> RuleSet:
        """The built-in rule set, used until an admin publishes another."""
        ...
