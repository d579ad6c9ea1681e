"""The lending white list: applying, deciding, withdrawing and what banks see."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.models import AuditEvent, ListMembership, WhiteListApplication
from tests.api import Api, ClientCreds

GRADED = "91350100M000100Y43"  # shares EVALUATION
PLAIN = "91110000100017643K"  # shares BASIC only
LIST = "平顶山市信易贷白名单"

APPLY = """mutation($l: String!, $s: [DataCategory!]!, $n: String) {
  applyWhiteList(listName: $l, shared: $s, note: $n) { id uscc listName shared status }
}"""
DECIDE = """mutation($id: ID!, $ok: Boolean!, $n: String!) {
  decideWhiteList(id: $id, approve: $ok, note: $n) { id status decidedAt note }
}"""
WITHDRAW = "mutation($id: ID!) { withdrawWhiteList(id: $id) { id status } }"
ENTRIES = """query($l: String, $r: String, $i: String, $first: Int, $after: String) {
  whiteList(listName: $l, regionCode: $r, industryCode: $i, first: $first,
            after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { entity { uscc name regionCode } listName since grade } }
  }
}"""
APPLICATIONS = """query($s: WhiteListStatus, $after: String) {
  whiteListApplications(status: $s, after: $after) { id uscc status shared }
}"""


async def apply(api: Api, uscc: str, shared: list[str]) -> str:
    data = await api.data(
        APPLY, {"l": LIST, "s": shared, "n": "申请"}, token=api.subject_token(uscc)
    )
    return str(data["applyWhiteList"]["id"])


async def approve(api: Api, admin: ClientCreds, app_id: str) -> dict:
    data = await api.data(
        DECIDE, {"id": app_id, "ok": True, "n": "符合条件"}, token=admin.token
    )
    return data["decideWhiteList"]  # type: ignore[no-any-return]


async def events(api: Api, uscc: str, action: str) -> list[AuditEvent]:
    async with api.hub.sessionmaker() as s:
        rows = await s.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject == uscc, AuditEvent.action == action)
            .order_by(AuditEvent.n)
        )
        return list(rows)


@pytest.fixture
async def world(api: Api) -> Api:
    await api.entity(GRADED, name="郑州示范科技有限公司", region_code="410102")
    await api.entity(
        PLAIN, name="开封示范商贸有限公司", region_code="410200", industry_code="F51"
    )
    await api.record(GRADED, "tax-1")
    return api


async def test_banks_see_the_grade_only_where_the_enterprise_shared_it(world: Api):
    api = world
    admin = await api.client(PrincipalKind.ADMIN)
    bank = await api.client(PrincipalKind.BANK)
    # given one enterprise sharing EVALUATION and one sharing BASIC only
    graded = await apply(api, GRADED, ["EVALUATION"])
    plain = await apply(api, PLAIN, ["BASIC"])
    assert (await approve(api, admin, graded))["status"] == "APPROVED"
    await approve(api, admin, plain)

    # when a bank reads the list
    page = (await api.data(ENTRIES, {"l": LIST}, token=bank.token))["whiteList"]

    # then each entry shows what its enterprise chose, nothing more
    nodes = {e["node"]["entity"]["uscc"]: e["node"] for e in page["edges"]}
    assert page["totalCount"] == 2
    assert nodes[PLAIN]["grade"] is None
    assert nodes[GRADED]["grade"] in {"A", "B", "C", "D", "E"}
    assert nodes[GRADED]["since"] == api.clock.today().isoformat()
    # and each enterprise sees in its access log that the bank read its entry,
    # with the categories it shared
    [seen_graded] = await events(api, GRADED, "whitelist.read")
    [seen_plain] = await events(api, PLAIN, "whitelist.read")
    assert (seen_graded.actor_id, sorted(seen_graded.categories)) == (
        bank.id,
        ["BASIC", "EVALUATION"],
    )
    assert (seen_plain.actor_id, seen_plain.categories) == (bank.id, ["BASIC"])
    assert seen_plain.detail["basis"] == "WHITE_LIST"
    # one call: one read per entry, tied together
    assert seen_plain.detail["call"] == seen_graded.detail["call"]
    log = await api.data(
        "query($u: USCC!) "
        "{ accessLog(uscc: $u) { edges { node { action actorId } } } }",
        {"u": PLAIN},
        token=api.subject_token(PLAIN),
    )
    assert {"action": "whitelist.read", "actorId": bank.id} in [
        e["node"] for e in log["accessLog"]["edges"]
    ]


async def test_an_approved_application_is_a_white_membership_until_withdrawn(
    world: Api,
):
    api = world
    admin = await api.client(PrincipalKind.ADMIN)
    bank = await api.client(PrincipalKind.BANK)
    app_id = await apply(api, GRADED, [])
    await approve(api, admin, app_id)
    async with api.hub.sessionmaker() as s:
        [member] = (await s.scalars(select(ListMembership))).all()
    assert (member.kind, member.list_name, member.since, member.until) == (
        "WHITE",
        LIST,
        api.clock.today(),
        None,
    )
    # the enterprise sees it among its lists (WHITE comes with BASIC)
    own = await api.data(
        "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) "
        "{ lists { kind listName } } }",
        {"u": GRADED},
        token=api.subject_token(GRADED),
    )
    assert {"kind": "WHITE", "listName": LIST} in own["creditProfile"]["lists"]

    # when it withdraws ten days later
    api.clock.advance(days=10)
    out = await api.data(WITHDRAW, {"id": app_id}, token=api.subject_token(GRADED))
    assert out["withdrawWhiteList"]["status"] == "WITHDRAWN"

    # then the membership ended yesterday and banks no longer see the entry
    async with api.hub.sessionmaker() as s:
        ended = await s.get(ListMembership, member.id)
    assert ended is not None and (ended.status, ended.end_reason) == (
        "ENDED",
        "WITHDRAWN",
    )
    page = (await api.data(ENTRIES, {}, token=api.client_token(bank)))["whiteList"]
    assert page["totalCount"] == 0 and page["edges"] == []
    # withdrawing again is a conflict
    assert (
        await api.error_code(WITHDRAW, {"id": app_id}, token=api.subject_token(GRADED))
        == "CONFLICT"
    )


async def test_withdrawn_on_the_day_of_approval_leaves_no_membership_in_force(
    world: Api,
):
    api = world
    admin = await api.client(PrincipalKind.ADMIN)
    app_id = await apply(api, PLAIN, ["BASIC"])
    await approve(api, admin, app_id)
    await api.data(WITHDRAW, {"id": app_id}, token=admin.token)
    async with api.hub.sessionmaker() as s:
        statuses = (await s.scalars(select(ListMembership.status))).all()
        row = await s.get(WhiteListApplication, app_id)
    # kept for the history, but ENDED: never in force again
    assert statuses == ["ENDED"]
    assert row is not None and row.status == "WITHDRAWN"


async def test_a_black_listed_enterprise_cannot_be_approved(world: Api):
    api = world
    admin = await api.client(PrincipalKind.ADMIN)
    await api.listing(PLAIN, "BLACK")
    app_id = await apply(api, PLAIN, ["BASIC"])
    body = await api.gql(
        DECIDE, {"id": app_id, "ok": True, "n": "同意"}, token=admin.token
    )
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "失信被执行人名单" in body["errors"][0]["message"]
    # nothing changed: still PENDING, no WHITE membership
    async with api.hub.sessionmaker() as s:
        row = await s.get(WhiteListApplication, app_id)
        kinds = (await s.scalars(select(ListMembership.kind))).all()
    assert row is not None and row.status == "PENDING"
    assert kinds == ["BLACK"]
    # a rejection with a note is the way out
    out = await api.data(
        DECIDE, {"id": app_id, "ok": False, "n": "列入失信名单"}, token=admin.token
    )
    assert out["decideWhiteList"]["status"] == "REJECTED"
    assert out["decideWhiteList"]["note"] == "列入失信名单"


async def test_applications_are_checked_and_listed_for_their_owner(world: Api):
    api = world
    admin = await api.client(PrincipalKind.ADMIN)
    token = api.subject_token(GRADED)
    # only BASIC and EVALUATION can be shared
    assert (
        await api.error_code(APPLY, {"l": LIST, "s": ["TAX"]}, token=token)
        == "VALIDATION_ERROR"
    )
    first = await apply(api, GRADED, ["BASIC"])
    # one open application per list
    assert (
        await api.error_code(APPLY, {"l": LIST, "s": ["BASIC"]}, token=token)
        == "CONFLICT"
    )
    api.clock.advance(seconds=5)
    other = await api.data(APPLY, {"l": "郑州市白名单", "s": []}, token=token)
    second = other["applyWhiteList"]
    assert second["shared"] == ["BASIC"] and second["status"] == "PENDING"
    await apply(api, PLAIN, ["BASIC"])

    # the enterprise sees its own, newest first, and pages with after
    mine = (await api.data(APPLICATIONS, {}, token=token))["whiteListApplications"]
    assert [a["id"] for a in mine] == [second["id"], first]
    rest = await api.data(APPLICATIONS, {"after": second["id"]}, token=token)
    assert [a["id"] for a in rest["whiteListApplications"]] == [first]
    # an admin sees all of them
    everyone = await api.data(APPLICATIONS, {"s": "PENDING"}, token=admin.token)
    assert len(everyone["whiteListApplications"]) == 3
    # another enterprise cannot decide or withdraw it
    assert (
        await api.error_code(WITHDRAW, {"id": first}, token=api.subject_token(PLAIN))
        == "NOT_FOUND"
    )


async def test_only_banks_and_admins_read_the_list_and_filters_apply(world: Api):
    api = world
    admin = await api.client(PrincipalKind.ADMIN)
    await approve(api, admin, await apply(api, GRADED, ["BASIC"]))
    await approve(api, admin, await apply(api, PLAIN, ["BASIC"]))
    for kind in (PrincipalKind.AGENCY, PrincipalKind.MERCHANT):
        other = await api.client(kind)
        assert await api.error_code(ENTRIES, {}, token=other.token) == "FORBIDDEN"
    assert (
        await api.error_code(ENTRIES, {}, token=api.subject_token(GRADED))
        == "FORBIDDEN"
    )
    bank = await api.client(PrincipalKind.BANK)
    assert (
        await api.error_code(APPLY, {"l": LIST, "s": []}, token=bank.token)
        == "FORBIDDEN"
    )

    async def codes(**variables: object) -> list[str]:
        page = (await api.data(ENTRIES, variables, token=bank.token))["whiteList"]
        return sorted(e["node"]["entity"]["uscc"] for e in page["edges"])

    # a city code covers its districts; an industry code its sub-classes
    assert await codes(r="410100") == [GRADED]
    assert await codes(r="410000") == sorted([GRADED, PLAIN])
    assert await codes(i="F") == [PLAIN]
    assert await codes(l="别的名单") == []
    assert await api.error_code(ENTRIES, {"r": "41"}, token=bank.token) == (
        "VALIDATION_ERROR"
    )
    # pages: one entry, then the other
    one = (await api.data(ENTRIES, {"first": 1}, token=bank.token))["whiteList"]
    assert one["pageInfo"]["hasNextPage"] is True and one["totalCount"] == 2
    two = await api.data(
        ENTRIES, {"first": 1, "after": one["pageInfo"]["endCursor"]}, token=bank.token
    )
    seen = {
        one["edges"][0]["node"]["entity"]["uscc"],
        two["whiteList"]["edges"][0]["node"]["entity"]["uscc"],
    }
    assert seen == {GRADED, PLAIN}
    assert two["whiteList"]["pageInfo"]["hasNextPage"] is False
    assert date.fromisoformat(two["whiteList"]["edges"][0]["node"]["since"])
