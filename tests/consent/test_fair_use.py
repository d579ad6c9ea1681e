"""Fair-use limits per purpose, from the access policy file, at their boundaries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from hub.access.policy import DEFAULT_PATH, load_policy
from hub.enums import PrincipalKind, Purpose
from tests.api import Api, ClientCreds
from tests.consent.helpers import APPROVE, REQUEST, USCC, ask, request_input

GRANT = """mutation($i: GrantConsentInput!) { grantConsent(input: $i) {
  maxReads dataLifeDays } }"""


def _limits(api: Api, purpose: Purpose = Purpose.LENDING) -> Any:
    return api.hub.policy.limits_for(purpose)


async def _error(api: Api, doc: str, variables: dict[str, Any], token: str) -> Any:
    body = await api.gql(doc, variables, token)
    assert body.get("errors"), variables
    return body["errors"][0]["extensions"]


def _grant(api: Api, bank: ClientCreds, **over: Any) -> dict[str, Any]:
    return {
        "subject": USCC,
        "granteeId": bank.id,
        "purpose": "LENDING",
        "categories": ["BASIC"],
        "expiresAt": (api.clock.now() + timedelta(days=30)).isoformat(),
        **over,
    }


@pytest.mark.parametrize(
    ("field", "limit", "attr"),
    [
        ("durationDays", "max_days", "max_days"),
        ("maxReads", "max_reads", "max_reads"),
        ("dataLifeDays", "max_data_life_days", "max_data_life_days"),
    ],
)
async def test_requests_at_and_over_each_limit(
    api: Api, field: str, limit: str, attr: str
) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    most = getattr(_limits(api), attr)
    # at the limit: accepted
    at = await ask(api, bank, **{field: most})
    assert at[field] == most
    # one over: refused, naming the limit
    ext = await _error(
        api, REQUEST, {"i": request_input(**{field: most + 1})}, bank.token
    )
    assert (ext["code"], ext["limit"], ext["maximum"]) == (
        "VALIDATION_ERROR",
        limit,
        most,
    )
    # and zero is no term at all
    ext = await _error(api, REQUEST, {"i": request_input(**{field: 0})}, bank.token)
    assert ext["code"] == "VALIDATION_ERROR"


async def test_grants_at_and_over_each_limit(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    me = api.subject_token(USCC)
    lim = _limits(api)
    at = await api.data(
        GRANT,
        {
            "i": _grant(
                api,
                bank,
                expiresAt=(api.clock.now() + timedelta(days=lim.max_days)).isoformat(),
                maxReads=lim.max_reads,
                dataLifeDays=lim.max_data_life_days,
            )
        },
        me,
    )
    assert at["grantConsent"] == {
        "maxReads": lim.max_reads,
        "dataLifeDays": lim.max_data_life_days,
    }
    over_expiry = (
        api.clock.now() + timedelta(days=lim.max_days, seconds=1)
    ).isoformat()
    for over, limit in (
        ({"expiresAt": over_expiry}, "max_days"),
        ({"maxReads": lim.max_reads + 1}, "max_reads"),
        ({"dataLifeDays": lim.max_data_life_days + 1}, "max_data_life_days"),
    ):
        ext = await _error(api, GRANT, {"i": _grant(api, bank, **over)}, me)
        assert (ext["code"], ext["limit"]) == ("VALIDATION_ERROR", limit)


async def test_a_purpose_with_a_shorter_limit(api: Api) -> None:
    await api.entity(USCC)
    merchant = await api.client(PrincipalKind.MERCHANT)
    lim = _limits(api, Purpose.INCENTIVE)
    assert lim.max_days < 365
    body = {
        "i": {
            "subject": USCC,
            "granteeId": merchant.id,
            "purpose": "INCENTIVE",
            "categories": ["BASIC"],
            "expiresAt": (
                api.clock.now() + timedelta(days=lim.max_days + 1)
            ).isoformat(),
        }
    }
    ext = await _error(api, GRANT, body, api.subject_token(USCC))
    assert (ext["limit"], ext["maximum"]) == ("max_days", lim.max_days)


async def test_approval_is_held_to_the_limits_too(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    # a request without maxReads may be approved with any count up to the limit
    r = await ask(api, bank, maxReads=None)
    lim = _limits(api)
    me = api.subject_token(USCC)
    ext = await _error(
        api, APPROVE, {"i": {"id": r["id"], "maxReads": lim.max_reads + 1}}, me
    )
    assert (ext["code"], ext["limit"]) == ("VALIDATION_ERROR", "max_reads")
    ok = await api.data(APPROVE, {"i": {"id": r["id"]}}, me)
    assert ok["approveConsentRequest"]["maxReads"] == lim.max_reads


def _write(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["fair_use"].pop("LENDING"),
        lambda d: d["fair_use"]["LENDING"].update(max_days=366),
        lambda d: d["fair_use"]["LENDING"].update(max_reads=0),
        lambda d: d["fair_use"]["LENDING"].pop("max_data_life_days"),
        lambda d: d["fair_use"]["LENDING"].update(per_hour=5),
    ],
    ids=["missing-purpose", "over-365-days", "zero-reads", "missing-limit", "unknown"],
)
def test_policy_file_limits_are_validated_at_load(tmp_path: Path, change: Any) -> None:
    with pytest.raises(ValidationError):
        load_policy(_write(tmp_path, change))


def test_default_policy_bounds_every_purpose() -> None:
    policy = load_policy(DEFAULT_PATH)
    consentable = {p for p, cats in policy.purposes.items() if cats}
    assert set(policy.fair_use) == consentable
