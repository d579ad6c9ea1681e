"""Deterministic synthetic Henan market entities with credit histories.

The same ``(n, seed, today)`` always yields the same rows: every random choice
comes from one ``random.Random(seed)``, never from the global generator.  Rows
are in the import format, each entity followed by its records and list
memberships, so a file of any size streams through the importer.

>>> rows = list(generate(2, seed=7, today=date(2026, 11, 23)))
>>> rows[0]["type"], rows[0]["region_code"][:2]
('entity', '41')
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import Clock, SystemClock
from hub.demo.records import Subject, records_for
from hub.demo.vocabulary import (
    CITIES,
    GIVEN_CHARS,
    INDUSTRIES,
    SURNAMES,
    TRADE_NAMES,
)
from hub.importer.service import ImportSummary, import_rows
from hub.uscc import make_uscc

__all__ = ["DEFAULT_SEED", "generate", "seed_demo", "write_jsonl"]

DEFAULT_SEED = 2026

# (EntityKind, share, USCC prefix: registering authority + type, GB 32100 table 1)
_KINDS = (
    ("ENTERPRISE", 80, "91"),
    ("INDIVIDUAL_BUSINESS", 10, "92"),
    ("FARMER_COOPERATIVE", 7, "93"),
    ("SOCIAL_ORGANIZATION", 2, "51"),
    ("PUBLIC_INSTITUTION", 1, "12"),
)
_STATUSES = (("存续", 92), ("在业", 5), ("迁出", 1), ("吊销", 1), ("注销", 1))
_CAPITALS = (
    100_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    50_000_000,
    100_000_000,
)


def _person(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.randint(1, 2)))
    return rng.choice(SURNAMES) + given


def _name(rng: random.Random, kind: str, city: str, trade: str) -> str:
    trade_name = rng.choice(TRADE_NAMES)
    if kind == "ENTERPRISE":
        suffixes = ("有限公司", "有限责任公司", "股份有限公司")
        suffix = rng.choices(suffixes, (70, 25, 5))[0]
        return f"{city}{trade_name}{trade}{suffix}"
    if kind == "INDIVIDUAL_BUSINESS":
        shop = rng.choice(("商行", "便利店", "饭店", "维修部", "服装店"))
        return f"{city}市{trade_name}{shop}（个体工商户）"
    if kind == "FARMER_COOPERATIVE":
        crop = rng.choice(("小麦种植", "蔬菜种植", "生猪养殖", "花生种植", "林果"))
        return f"{city}{trade_name}{crop}专业合作社"
    if kind == "SOCIAL_ORGANIZATION":
        return f"{city}市{trade}行业协会"
    return f"{city}市{trade_name}公共服务中心"


def _entity(rng: random.Random, today: date, used: set[str]) -> tuple[dict, Subject]:
    kind, _, prefix = rng.choices(_KINDS, [k[1] for k in _KINDS])[0]
    region, city, court = rng.choice(CITIES)
    while (uscc := make_uscc(rng, region, prefix)) in used:
        pass  # 31^8 organisation codes: a repeat is rare but must not slip through
    used.add(uscc)
    industry, trade = rng.choice(INDUSTRIES)
    established = today - timedelta(days=rng.randint(60, 30 * 365))
    capital: float | None = float(rng.choice(_CAPITALS))
    if kind == "INDIVIDUAL_BUSINESS":
        capital = float(rng.randint(1, 50) * 10_000) if rng.random() < 0.5 else None
    row: dict[str, Any] = {
        "type": "entity",
        "uscc": uscc,
        "name": _name(rng, kind, city, trade),
        "kind": kind,
        "region_code": region,
        "industry_code": industry,
        "established_on": established.isoformat(),
        "registered_capital": capital,
        "legal_representative": _person(rng),
        "status": rng.choices([s for s, _ in _STATUSES], [w for _, w in _STATUSES])[0],
    }
    return row, Subject(uscc, city, court, established, kind)


def generate(
    n: int, seed: int = DEFAULT_SEED, today: date | None = None
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` entities, each followed by its records and list memberships.

    ``today`` anchors every date (pass it for reproducible output; it defaults
    to the system clock's date).
    """
    today = today or SystemClock().today()
    rng = random.Random(seed)
    used: set[str] = set()
    for _ in range(n):
        entity, subject = _entity(rng, today, used)
        yield entity
        yield from records_for(rng, subject, today)


def write_jsonl(
    path: Path | str, n: int, seed: int = DEFAULT_SEED, today: date | None = None
) -> int:
    """Write ``generate(n, seed, today)`` as JSON Lines; returns the row count."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as f:
        for row in generate(n, seed, today):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession],
    n: int,
    seed: int = DEFAULT_SEED,
    clock: Clock | None = None,
) -> ImportSummary:
    """Load ``n`` synthetic entities through the importer (as ``import`` does).

    Idempotent: seeding again with the same seed and day changes nothing.
    """
    clock = clock or SystemClock()
    return await import_rows(
        sessionmaker,
        generate(n, seed, clock.today()),
        clock,
        source_file=f"demo-seed-{seed}",
    )
