"""Something in every console queue, made through the API as users make it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import httpx

from hub.enums import PrincipalKind
from hub.resources import Hub
from hub.uscc import make_uscc
from tests.api import Api
from tests.web.live import LiveServer

__all__ = ["Seeded", "seed"]

USCC = "91350100M000100Y43"
PLAIN = "91110000100017643K"


@dataclass(frozen=True)
class Seeded:
    objection: str
    repair: str
    list_objection: str
    application: str
    consent: str


def seed(live: LiveServer, *, more_entities: int = 0) -> Seeded:
    """The queues' cases, plus ``more_entities`` plain enterprises (a dry run
    needs a sample of at least 20)."""

    async def run(hub: Hub) -> Seeded:
        async with httpx.AsyncClient(base_url=live.url) as http:
            api = Api(hub, http)
            rng = random.Random(14)
            for n in range(more_entities):
                await api.entity(make_uscc(rng), name=f"示范企业{n}")
            await api.entity(USCC)
            await api.entity(PLAIN, name="北京示范有限公司")
            common = dict(
                category="PENALTY",
                kind="ADMIN_PENALTY",
                severity="MINOR",
                title="罚款 5 万元",
                source="market-regulation",
                occurred_on=date(2026, 10, 24),
                decided_on=date(2026, 10, 24),
                publish_from=date(2026, 10, 24),
            )
            first = await api.record(USCC, "P-1", **common)
            second = await api.record(USCC, "P-2", **common)
            listing = await api.listing(USCC)
            me = api.subject_token(USCC)
            objection = await api.data(
                "mutation($i: FileObjectionInput!) { fileObjection(input: $i) { id } }",
                {"i": {"recordId": str(first), "reason": "处罚已撤销"}},
                me,
            )
            repair = await api.data(
                "mutation($i: ApplyRepairInput!) { applyRepair(input: $i) { id } }",
                {
                    "i": {
                        "recordId": str(second),
                        "method": "report",
                        "evidence": "报告",
                    }
                },
                me,
            )
            listed = await api.data(
                "mutation($m: ID!, $r: String!) "
                "{ fileListObjection(membershipId: $m, reason: $r) { id } }",
                {"m": str(listing), "r": "已全部履行"},
                me,
            )
            applied = await api.data(
                "mutation($l: String!, $s: [DataCategory!]!, $n: String) "
                "{ applyWhiteList(listName: $l, shared: $s, note: $n) { id } }",
                {"l": "平顶山市信易贷白名单", "s": ["BASIC"], "n": "申请"},
                api.subject_token(PLAIN),
            )
            bank = await api.client(PrincipalKind.BANK, "郑州银行")
            consent = await api.grant(USCC, bank, "LENDING", ["BASIC"])
        return Seeded(
            objection=objection["fileObjection"]["id"],
            repair=repair["applyRepair"]["id"],
            list_objection=listed["fileListObjection"]["id"],
            application=applied["applyWhiteList"]["id"],
            consent=consent,
        )

    return live.run(run)
