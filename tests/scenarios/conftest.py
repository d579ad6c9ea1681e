from __future__ import annotations

from typing import Any

import pytest

from scenarios import ScenarioRegistry, Verdict, compile_rules, evaluate


@pytest.fixture(scope="session")
def registry() -> ScenarioRegistry:
    return ScenarioRegistry.from_entry_points()


@pytest.fixture
def decide(registry: ScenarioRegistry):  # type: ignore[no-untyped-def]
    """decide("credit-loan", grade="A", ...) → Verdict under the built-in rules."""

    def run(key: str, **facts: Any) -> Verdict:
        return evaluate(compile_rules(registry.get(key).default_rules()), facts)

    return run
