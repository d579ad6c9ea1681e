"""Extension hooks wrapped once per class still run per request, in order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension

from schema import HubSchema, get_schema
from schema.hooks import _MADE

EVENTS: list[tuple[str, int]] = []


class Recorder(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        EVENTS.append(("operation in", id(self)))
        yield
        EVENTS.append(("operation out", id(self)))

    async def on_execute(self) -> AsyncIterator[None]:
        EVENTS.append(("execute in", id(self)))
        yield
        EVENTS.append(("execute out", id(self)))

    def on_parse(self) -> None:  # type: ignore[override]
        EVENTS.append(("parse", id(self)))

    async def on_validate(self) -> None:  # type: ignore[override]
        EVENTS.append(("validate", id(self)))


class Second(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        EVENTS.append(("second in", id(self)))
        yield
        EVENTS.append(("second out", id(self)))


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


async def test_every_hook_runs_once_per_request_on_its_own_instance() -> None:
    schema = HubSchema(query=Query, extensions=[Recorder, Second])
    runs: list[list[tuple[str, int]]] = []
    for _ in range(2):
        EVENTS.clear()
        result = await schema.execute("{ hello }")
        assert result.errors is None and result.data == {"hello": "world"}
        runs.append(list(EVENTS))
    for run in runs:
        assert [name for name, _ in run] == [
            "operation in",
            "second in",
            "parse",
            "validate",
            "execute in",
            "execute out",
            "second out",
            "operation out",
        ]
        recorder = {i for n, i in run if n != "second in" and n != "second out"}
        assert len(recorder) == 1
    # the hooks came from the per-class wrappers
    assert (Recorder, "on_operation") in _MADE
    assert (Second, "on_execute") in _MADE and _MADE[(Second, "on_execute")] is None


async def test_the_hub_schema_masks_and_limits_as_before() -> None:
    schema = get_schema(production=True)
    result: Any = await schema.execute("{ __schema { types { name } } }")
    assert result.errors and result.data is None
