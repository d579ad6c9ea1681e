"""accessLog's filter: the subject narrows who read its data, and how."""

from __future__ import annotations

from hub.enums import PrincipalKind
from tests.api import Api
from tests.consent.helpers import PROFILE, USCC

LOG = """query($u: USCC!, $f: AccessLogFilter) { accessLog(uscc: $u, filter: $f) {
  totalCount edges { node { action outcome actorId purpose } } } }"""


async def _log(api: Api, f: dict) -> list[tuple[str, str, str]]:
    data = await api.data(LOG, {"u": USCC, "f": f}, api.subject_token(USCC))
    return [
        (n["node"]["action"], n["node"]["outcome"], n["node"]["actorId"])
        for n in data["accessLog"]["edges"]
    ]


async def test_the_subject_filters_its_access_log(api: Api) -> None:
    # given a bank that reads with consent and one that is refused
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK, "银行甲")
    other = await api.client(PrincipalKind.BANK, "银行乙")
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    await api.data(PROFILE, {"u": USCC}, bank.token)
    refused = await api.gql(PROFILE, {"u": USCC}, other.token)
    assert refused["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
    everything = await _log(api, {})
    assert len(everything) == 3  # the grant, the read, the refusal

    # then each filter narrows it
    assert await _log(api, {"outcome": "DENIED"}) == [
        ("profile.denied", "DENIED:CONSENT_REQUIRED", other.id)
    ]
    assert await _log(api, {"actorId": bank.id}) == [
        ("profile.read", "GRANTED", bank.id)
    ]
    assert [a for a, _, _ in await _log(api, {"action": "consent.grant"})] == [
        "consent.grant"
    ]
    assert len(await _log(api, {"purpose": "LENDING"})) == 3
    assert await _log(api, {"purpose": "GUARANTEE"}) == []
    now = api.clock.now().isoformat()
    assert len(await _log(api, {"from": now})) == 3
    assert await _log(api, {"to": now}) == []
    # and another enterprise still cannot read this log, filter or not
    code = await api.error_code(
        LOG,
        {"u": USCC, "f": {"outcome": "DENIED"}},
        api.subject_token("91110000100017643K"),
    )
    assert code == "FORBIDDEN"
