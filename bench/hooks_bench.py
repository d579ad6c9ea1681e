"""Per-operation cost of the schema's extension hooks: once-per-class vs per request.

Executes a trivial query on the hub's production schema many times, with the
hub's runner (``schema.hooks``) and with Strawberry's own, interleaved, and
prints microseconds of CPU per operation for each.

    .venv/bin/python bench/hooks_bench.py --operations 5000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import time

from strawberry.extensions.runner import SchemaExtensionsRunner

from schema import HubSchema, build_schema
from schema.hooks import LeanExtensionsRunner


def strawberry_runner(self, execution_context, extensions):  # type: ignore[no-untyped-def]
    return SchemaExtensionsRunner(
        execution_context=execution_context, extensions=extensions
    )


def lean_runner(self, execution_context, extensions):  # type: ignore[no-untyped-def]
    return LeanExtensionsRunner(
        execution_context=execution_context, extensions=extensions
    )


async def run(schema: HubSchema, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        result = await schema.execute("query Bench { __typename }")
        assert result.errors is None
    return (time.process_time() - start) / n * 1e6


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--operations", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    schema = build_schema(production=True)
    assert isinstance(schema, HubSchema)
    figures: dict[str, list[float]] = {"strawberry's runner": [], "per-class hooks": []}
    for _ in range(args.rounds):
        for label, runner in (
            ("strawberry's runner", strawberry_runner),
            ("per-class hooks", lean_runner),
        ):
            HubSchema.create_extensions_runner = runner  # type: ignore[method-assign]
            await run(schema, 200)  # warm
            figures[label].append(await run(schema, args.operations))
    for label, values in figures.items():
        print(f"{label:22s} {min(values):7.1f}–{max(values):7.1f} µs CPU per operation")
    ratios = [a / b for a, b in zip(*figures.values(), strict=True)]
    print("per round, strawberry's / per-class:", ", ".join(f"{r:.2f}" for r in ratios))


if __name__ == "__main__":
    asyncio.run(main())
