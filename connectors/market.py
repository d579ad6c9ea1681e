"""Administrative licences and penalties published under 双公示.

Agency answer (``GET /market/v1/records/{uscc}?types=license,penalty``)::

    {"uscc": "...", "name": "郑州恒达食品有限公司",
     "licenses": [{"decision_number": "郑市监许〔2024〕0311号",
                   "license_name": "食品经营许可证",
                   "license_number": "JY14101050031150",
                   "content": "预包装食品销售（含冷藏冷冻食品）",
                   "authority": "郑州市市场监督管理局", "decided_on": "2024-03-01",
                   "valid_from": "2024-03-01", "valid_until": "2029-02-28"}],
     "penalties": [{"decision_number": "郑市监罚〔2025〕37号",
                    "violation": "销售标签不符合规定的预包装食品",
                    "basis": "《中华人民共和国食品安全法》第一百二十五条",
                    "penalty_types": ["警告", "罚款"], "fine_amount": 20000.0,
                    "penalty_class": "一般", "authority": "郑州市市场监督管理局",
                    "occurred_on": "2025-05-10", "decided_on": "2025-07-01"}]}

Penalty class → severity (轻微/一般/严重 → MINOR/ORDINARY/SERIOUS) and, per
信用修复管理办法 (NDRC, in force 2026-04-01), published for the longest
window of its severity from the decision date: 3 months, 1 year, 3 years.
A licence is published while it is valid.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from connectors.http import HttpConnector
from connectors.protocol import EntityRef
from connectors.records import RecordIn, make_record, max_publish_until
from hub.enums import DataCategory, Severity

__all__ = ["License", "LicensePenaltyConnector", "MarketAnswer", "Penalty"]

PENALTY_SEVERITY = {
    "轻微": Severity.MINOR,
    "一般": Severity.ORDINARY,
    "严重": Severity.SERIOUS,
}


class License(BaseModel):
    decision_number: str = Field(min_length=1, max_length=100)
    license_name: str
    license_number: str
    content: str
    authority: str
    decided_on: date
    valid_from: date
    valid_until: date | None = None


class Penalty(BaseModel):
    decision_number: str = Field(min_length=1, max_length=100)
    violation: str
    basis: str
    penalty_types: list[str] = Field(min_length=1)
    fine_amount: float | None = Field(None, ge=0)
    penalty_class: Literal["轻微", "一般", "严重"]
    authority: str
    occurred_on: date | None = None
    decided_on: date


class MarketAnswer(BaseModel):
    uscc: str
    name: str
    licenses: list[License] = []
    penalties: list[Penalty] = []


class LicensePenaltyConnector(HttpConnector):
    """双公示 licences (LICENSING) and penalties (PENALTY) from market regulation."""

    name = "market-regulation"
    categories = frozenset({DataCategory.LICENSING, DataCategory.PENALTY})
    default_ttl = 21600.0
    answer_model = MarketAnswer

    def path(self, entity: EntityRef, categories: Set[DataCategory]) -> str:
        # Ask only for what the consent covers (minimise at the query).
        types = [
            t
            for c, t in (
                (DataCategory.LICENSING, "license"),
                (DataCategory.PENALTY, "penalty"),
            )
            if c in categories
        ]
        return f"/market/v1/records/{entity.uscc}?types={','.join(types)}"

    def to_records(
        self, entity: EntityRef, answer: MarketAnswer, categories: Set[DataCategory]
    ) -> list[RecordIn]:
        records: list[RecordIn] = []
        if DataCategory.LICENSING in categories:
            records += [self._license(entity, lic) for lic in answer.licenses]
        if DataCategory.PENALTY in categories:
            records += [self._penalty(entity, pen) for pen in answer.penalties]
        return records

    def _license(self, entity: EntityRef, lic: License) -> RecordIn:
        return make_record(
            uscc=entity.uscc,
            source=self.name,
            source_id=f"L:{lic.decision_number}",
            category=DataCategory.LICENSING,
            kind="ADMIN_LICENSE",
            severity=Severity.NONE,
            title=f"{lic.license_name}（{lic.license_number}）",
            authority=lic.authority,
            occurred_on=lic.valid_from,
            decided_on=lic.decided_on,
            publish_from=lic.decided_on,
            publish_until=lic.valid_until,
            details={
                "decision_number": lic.decision_number,
                "license_number": lic.license_number,
                "content": lic.content,
                "valid_from": lic.valid_from.isoformat(),
                "valid_until": lic.valid_until.isoformat() if lic.valid_until else None,
            },
        )

    def _penalty(self, entity: EntityRef, pen: Penalty) -> RecordIn:
        severity = PENALTY_SEVERITY[pen.penalty_class]
        return make_record(
            uscc=entity.uscc,
            source=self.name,
            source_id=f"P:{pen.decision_number}",
            category=DataCategory.PENALTY,
            kind="ADMIN_PENALTY",
            severity=severity,
            title=f"行政处罚：{pen.violation}（{'、'.join(pen.penalty_types)}）",
            authority=pen.authority,
            occurred_on=pen.occurred_on,
            decided_on=pen.decided_on,
            publish_from=pen.decided_on,
            publish_until=max_publish_until(severity, pen.decided_on),
            details={
                "decision_number": pen.decision_number,
                "basis": pen.basis,
                "penalty_types": pen.penalty_types,
                "fine_amount": pen.fine_amount,
                "penalty_class": pen.penalty_class,
            },
        )
