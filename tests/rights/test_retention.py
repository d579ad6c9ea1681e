"""Retention (征信业管理条例 Art 16): 5 years after the act *ends*; never live."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from hub.models import CreditRecord
from hub.rights.maintenance import maintain
from tests.api import Api
from tests.rights.helpers import USCC, negative


async def _kept(api: Api) -> set[str]:
    async with api.hub.sessionmaker() as s:
        return set((await s.scalars(select(CreditRecord.source_id))).all())


async def test_five_years_after_the_act_ended_exactly(rapi: Api) -> None:
    api = rapi
    await api.entity(USCC)
    ids = {
        # ended 5 years ago today: its last day of retention is today
        "ENDED-5Y": await negative(
            api, "ENDED-5Y", decided=date(2021, 6, 1), ended_on=date(2021, 11, 23)
        ),
        # ended a day earlier: deleted today
        "ENDED-5Y-1D": await negative(
            api, "ENDED-5Y-1D", decided=date(2021, 6, 1), ended_on=date(2021, 11, 22)
        ),
        # the act ended, whatever status the record has
        "ACTIVE-ENDED": await negative(
            api, "ACTIVE-ENDED", decided=date(2020, 6, 1), ended_on=date(2021, 1, 1)
        ),
        # happened long ago, still going on (no end): never deleted while live
        "ACTIVE-NO-END": await negative(
            api, "ACTIVE-NO-END", decided=date(2015, 1, 1), publish_until=None
        ),
        "DISPUTED-NO-END": await negative(
            api, "DISPUTED-NO-END", decided=date(2016, 1, 1), status="DISPUTED"
        ),
        # happened less than 5 years ago and no end: not yet worth a mention
        "RECENT-NO-END": await negative(api, "RECENT-NO-END", decided=date(2022, 1, 1)),
        # no longer live and no end: counted from when it happened
        "EXPIRED-NO-END": await negative(
            api, "EXPIRED-NO-END", decided=date(2021, 11, 22), status="EXPIRED"
        ),
        "REPAIRED-NO-END": await negative(
            api,
            "REPAIRED-NO-END",
            decided=date(2021, 11, 23),
            occurred_on=date(2021, 11, 23),
            status="REPAIRED",
        ),
    }
    # when maintenance runs on 2026-11-23 (China)
    report = await maintain(api.hub)
    # then only what ended (or, not live, happened) more than 5 years ago goes
    assert report.records_deleted == 3
    assert await _kept(api) == {
        "ENDED-5Y",
        "ACTIVE-NO-END",
        "DISPUTED-NO-END",
        "RECENT-NO-END",
        "REPAIRED-NO-END",
    }
    # and the live records without an end date are reported, not deleted
    assert report.records_without_end == [
        ids["ACTIVE-NO-END"],
        ids["DISPUTED-NO-END"],
    ]
    assert report.as_json()["records_without_end"] == report.records_without_end
    # the next day the 5-year-old end goes too; the live ones still stay
    api.clock.advance(days=1)
    again = await maintain(api.hub)
    assert again.records_deleted == 2  # ENDED-5Y, REPAIRED-NO-END
    assert await _kept(api) == {"ACTIVE-NO-END", "DISPUTED-NO-END", "RECENT-NO-END"}


async def test_a_leap_day_end_is_kept_to_the_last_of_february(
    sqlite_rapi: Api,
) -> None:
    # 民法典 Art 202: 2020-02-29 + 5 years has no 29th: the period ends 02-28
    api = sqlite_rapi
    await api.entity(USCC)
    await negative(api, "LEAP", decided=date(2019, 6, 1), ended_on=date(2020, 2, 29))
    api.clock.at = datetime(2025, 2, 28, 4, 0, tzinfo=UTC)
    assert (await maintain(api.hub)).records_deleted == 0
    api.clock.at = datetime(2025, 3, 1, 4, 0, tzinfo=UTC)
    assert (await maintain(api.hub)).records_deleted == 1
