"""The sandbox's answers about one enterprise as the built-in connectors store them.

The demo seeds its records for the sandbox's four sources from here, through
the connectors' own mapping, so a demo enterprise pulled later meets the same
records under the same ``(source, source_id)`` — updated as the agency's day
moves on, never contradicted by a second, different history.

>>> from datetime import date
from typing import Any
>>> {r.source for r in agency_records("91350100M000100Y43", date(2026, 11, 23))}
{'henan-tax', 'market-regulation'}
"""

from __future__ import annotations

from datetime import date
from typing import Any

from connectors.courts import DishonestDebtorConnector
from connectors.http import HttpConnector
from connectors.market import LicensePenaltyConnector
from connectors.protocol import EntityRef
from connectors.records import RecordIn
from connectors.sandbox import data
from connectors.tax import TaxRatingConnector
from connectors.utilities import UtilityArrearsConnector

__all__ = ["agency_records"]


def agency_records(uscc: str, today: date) -> list[RecordIn]:
    """What pulling every sandbox source for ``uscc`` on ``today`` would store."""
    entity = EntityRef(uscc, data.entity_name(uscc))
    answers: tuple[tuple[HttpConnector, dict[str, Any]], ...] = (
        (TaxRatingConnector(), data.tax_answer(uscc, today)),
        (DishonestDebtorConnector(), data.court_answer(uscc, today)),
        (
            LicensePenaltyConnector(),
            data.market_answer(uscc, today, {"license", "penalty"}),
        ),
        (UtilityArrearsConnector(), data.utility_answer(uscc, today)),
    )
    records: list[RecordIn] = []
    for connector, raw in answers:
        answer = connector.answer_model.model_validate(raw)
        records += connector.to_records(entity, answer, connector.categories)
    return records
