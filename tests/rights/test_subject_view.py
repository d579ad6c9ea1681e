"""The subject's own view: what each client can currently see (dataShares)."""

from __future__ import annotations

from hub.enums import PrincipalKind
from tests.api import Api
from tests.rights.helpers import OTHER, USCC, admin

SHARES = """query($u: USCC!) { dataShares(uscc: $u) {
  consentId purpose categories expiresAt grantee { id kind name } } }"""


async def test_data_shares_lists_active_consents(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    bank = await api.client(PrincipalKind.BANK, "中原银行")
    merchant = await api.client(PrincipalKind.MERCHANT, "丹尼斯百货")
    adm = await admin(api)
    lending = await api.grant(USCC, bank, "LENDING", ["TAX", "BASIC"], days=30)
    incentive = await api.grant(USCC, merchant, "INCENTIVE", ["BASIC"], days=10)
    revoked = await api.grant(USCC, bank, "MONITORING", ["PENALTY"], days=60)
    await api.data(
        "mutation($id: ID!) { revokeConsent(id: $id) { status } }",
        {"id": revoked},
        api.subject_token(USCC),
    )
    await api.grant(OTHER, bank, "LENDING", ["BASIC"])

    me = api.subject_token(USCC)
    shares = (await api.data(SHARES, {"u": USCC}, me))["dataShares"]

    # soonest expiry first; revoked consents and other subjects are not listed
    assert shares == [
        {
            "consentId": incentive,
            "purpose": "INCENTIVE",
            "categories": ["BASIC"],
            "expiresAt": "2026-12-03T09:00:00+00:00",
            "grantee": {"id": merchant.id, "kind": "MERCHANT", "name": "丹尼斯百货"},
        },
        {
            "consentId": lending,
            "purpose": "LENDING",
            "categories": ["BASIC", "TAX"],
            "expiresAt": "2026-12-23T09:00:00+00:00",
            "grantee": {"id": bank.id, "kind": "BANK", "name": "中原银行"},
        },
    ]
    assert (await api.data(SHARES, {"u": USCC}, adm.token))["dataShares"] == shares
    # expired consents drop out
    api.clock.advance(days=11)
    later = (await api.data(SHARES, {"u": USCC}, api.subject_token(USCC)))["dataShares"]
    assert [s["consentId"] for s in later] == [lending]
    # only the subject itself or an admin
    assert (
        await api.error_code(SHARES, {"u": USCC}, api.subject_token(OTHER))
        == "FORBIDDEN"
    )
    assert (
        await api.error_code(SHARES, {"u": USCC}, api.client_token(bank)) == "FORBIDDEN"
    )
