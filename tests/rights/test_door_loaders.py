"""The loaders of subject data in hub.rights run only under grants the door made."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import DoorBypassed, Grant, open_door
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import AccessBasis, DataCategory, PrincipalKind
from hub.models import Objection, RepairApplication
from hub.rights.repository import records as loaders
from tests.api import Api
from tests.rights.helpers import USCC, admin, negative

Load = Callable[
    [AsyncSession, Sequence[Grant], dict[str, Any]], Awaitable[dict[Any, Any]]
]

# Each loader of subject data, with the ids of what it loads.
LOADERS: dict[str, Load] = {
    "records_by_id": lambda s, g, ids: loaders.records_by_id(s, g, [ids["record"]]),
    "objections (cases_by_id)": lambda s, g, ids: loaders.cases_by_id(
        s, Objection, g, [ids["objection"]]
    ),
    "repairs (cases_by_id)": lambda s, g, ids: loaders.cases_by_id(
        s, RepairApplication, g, [ids["repair"]]
    ),
    "commitments_by_id": lambda s, g, ids: loaders.commitments_by_id(
        s, g, [ids["commitment"]]
    ),
}
# Loaders for changes, never for answers (the change is audited instead).
FOR_CHANGES = {"record_to_change", "record_by_source", "objections_on"}


def _forged(real: Grant) -> list[Grant]:
    hand_built = Grant(
        principal=real.principal,
        uscc=USCC,
        purpose=None,
        categories=frozenset(DataCategory),
        consent=None,
        audit_event_id=real.audit_event_id,
        basis=AccessBasis.ADMIN_QUEUE,
    )
    copied = dataclasses.replace(real)
    widened = dataclasses.replace(real, categories=frozenset(DataCategory))
    return [hand_built, copied, widened]


async def _case_ids(api: Api) -> dict[str, Any]:
    """One record, objection, repair application and commitment of USCC."""
    await api.entity(USCC)
    rid = await negative(api, "P-1", severity="MINOR")
    other = await negative(api, "P-2", severity="MINOR")
    me = api.subject_token(USCC)
    objection = await api.data(
        "mutation($i: FileObjectionInput!) { fileObjection(input: $i) { id } }",
        {"i": {"recordId": str(rid), "reason": "错误"}},
        me,
    )
    repair = await api.data(
        "mutation($i: ApplyRepairInput!) { applyRepair(input: $i) { id } }",
        {"i": {"recordId": str(other), "method": "report", "evidence": "报告"}},
        me,
    )
    commitment = await api.data(
        """mutation { makeCommitment(kind: VOLUNTARY_DISCLOSURE,
        content: "主动公示年度报告", dueOn: "2026-12-01") { id } }""",
        None,
        me,
    )
    return {
        "record": rid,
        "objection": objection["fileObjection"]["id"],
        "repair": repair["applyRepair"]["id"],
        "commitment": commitment["makeCommitment"]["id"],
    }


def test_every_loader_of_answers_takes_grants() -> None:
    # a new loader in the module must either take the door's grants or be
    # declared a loader for changes
    takes_grants = {
        name
        for name in loaders.__all__
        if "grants" in inspect.signature(getattr(loaders, name)).parameters
    }
    assert takes_grants == {"records_by_id", "cases_by_id", "commitments_by_id"}
    assert set(loaders.__all__) - takes_grants == FOR_CHANGES


@pytest.mark.parametrize("loader", list(LOADERS), ids=list(LOADERS))
async def test_loaders_refuse_grants_the_door_did_not_make(
    rapi: Api, loader: str
) -> None:
    # given a record, an objection, a repair and a commitment of USCC, and a
    # grant the door made for an admin working the queues
    api = rapi
    ids = await _case_ids(api)
    adm = await admin(api)
    actor = Principal(id=adm.id, kind=PrincipalKind.ADMIN, name="平台管理员")
    load = LOADERS[loader]
    async with session_scope(api.hub.sessionmaker) as s:
        real = await open_door(
            s,
            api.hub,
            actor,
            uscc=USCC,
            purpose=None,
            action="objection.review",
            categories=[DataCategory.PENALTY, DataCategory.COMMITMENT],
            basis=AccessBasis.ADMIN_QUEUE,
        )

        # then under it the loader finds the item
        assert len(await load(s, [real], ids)) == 1

        # but a hand-built grant, or a copy of the real one, is refused before
        # anything is loaded, alone or next to the real grant
        for forged in _forged(real):
            for grants in ([forged], [real, forged]):
                with pytest.raises(DoorBypassed):
                    await load(s, grants, ids)
        # as is anything else passed off as a grant
        with pytest.raises(DoorBypassed):
            await load(s, [object()], ids)  # type: ignore[list-item]
