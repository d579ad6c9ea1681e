"""我的信用档案 — the enterprise's own profile, as the API's ``creditProfile``
shows it to its SUBJECT: every record (DISPUTED and REPAIRED marked), its
list memberships, and the evaluation with the factors that make the score.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.errors import HubError
from hub.evaluation.service import evaluation_for
from hub.profiles.service import (
    RecordRequest,
    list_memberships,
    read_profiles,
    record_categories,
    record_pages,
)
from web.portal.guard import enterprise_page, portal_page
from web.work import unit_of_work

__all__ = ["profile"]

RECORDS = 200


@enterprise_page
async def profile(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    today = hub.clock.today()
    async with unit_of_work(request) as session:
        [found] = await read_profiles(session, hub, me, [str(me.uscc)], None)
        if isinstance(found, HubError):
            raise found
        grant = found.grant
        [records] = await record_pages(
            session,
            [RecordRequest(grant, record_categories(grant), RECORDS, None, today)],
        )
        [lists] = await list_memberships(session, [grant], today)
        evaluation = await evaluation_for(session, hub, grant)
    chart = {
        "base": evaluation.base_score,
        "score": evaluation.score,
        "factors": [
            {"code": f.code, "label": f.description, "impact": f.impact}
            for f in evaluation.factors
        ],
    }
    return await portal_page(
        request,
        me,
        "profile.html",
        "profile",
        {
            "entity": found.entity,
            "records": records.rows[:RECORDS],
            "more_records": records.total > RECORDS,
            "lists": lists,
            "evaluation": evaluation,
            "chart": json.dumps(chart, ensure_ascii=False),
        },
    )
