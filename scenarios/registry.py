"""Scenario registry, fed by the ``xinyi_hub.scenarios`` entry-point group.

Built-in scenarios register the same way as third-party ones (pyproject.toml).
A plugin that does not satisfy :class:`~scenarios.protocol.Scenario`, whose
entry-point name differs from its key, or whose built-in rules do not
validate, stops start-up with a message naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points

from hub.decisions.table import check_rules_fit
from hub.errors import ErrorCode, HubError
from scenarios.protocol import Scenario

__all__ = ["GROUP", "ScenarioRegistry"]

GROUP = "xinyi_hub.scenarios"


class ScenarioRegistry:
    def __init__(self, scenarios: Iterable[Scenario] = ()) -> None:
        self._by_key: dict[str, Scenario] = {}
        for s in scenarios:
            self.register(s)

    def register(self, scenario: Scenario, *, name: str | None = None) -> None:
        if not isinstance(scenario, Scenario):
            raise TypeError(
                f"scenario {name or scenario!r} does not implement "
                "scenarios.protocol.Scenario"
            )
        if name is not None and name != scenario.key:
            raise ValueError(
                f"entry point {name!r} must equal the scenario key {scenario.key!r}"
            )
        if scenario.key in self._by_key:
            raise ValueError(f"scenario {scenario.key!r} is registered twice")
        check_rules_fit(
            scenario.default_rules(),
            key=scenario.key,
            categories=scenario.categories,
            benefit_codes=scenario.benefit_codes,
        )
        self._by_key[scenario.key] = scenario

    @classmethod
    def from_entry_points(cls, group: str = GROUP) -> ScenarioRegistry:
        reg = cls()
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            reg.register(ep.load(), name=ep.name)
        return reg

    def get(self, key: str) -> Scenario:
        try:
            return self._by_key[key]
        except KeyError:
            raise HubError(
                f"unknown scenario {key!r}; known: {', '.join(self._by_key)}",
                ErrorCode.NOT_FOUND,
                scenario=key,
            ) from None

    def keys(self) -> list[str]:
        return list(self._by_key)

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key
