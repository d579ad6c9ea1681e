"""Crafted cursors are VALIDATION_ERROR on every paged field, on both databases."""

from __future__ import annotations

import base64
import json

import pytest

from hub.enums import PrincipalKind
from tests.api import Api

USCC = "91350100M000100Y43"


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


HOSTILE = {
    "nested-5000": _cursor("[" * 5000 + "]" * 5000),
    "int-2**63": _cursor(json.dumps([2**63])),
    "date-and-2**63": _cursor(json.dumps(["2026-01-01", 2**63])),
    "digits-as-text": _cursor(json.dumps(["9" * 30])),
    "date-and-digits-as-text": _cursor(json.dumps(["2026-01-01", "9" * 30])),
    "float": _cursor(json.dumps(["2026-01-01", 1e300])),
    "object": _cursor(json.dumps({"n": 1})),
}

RECORDS = (
    'query($a: String) { creditProfile(uscc: "%s", purpose: LENDING) '
    "{ records(after: $a) { totalCount } } }" % USCC
)
ACCESS_LOG = 'query($a: String) { accessLog(uscc: "%s", after: $a) { totalCount } }' % (
    USCC
)
AUDIT = "query($a: String) { auditEvents(after: $a) { totalCount } }"
CLIENTS = "query($a: String) { clients(after: $a) { totalCount } }"


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_crafted_cursors_are_refused(api: Api, name: str) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
    bad = {"a": HOSTILE[name]}
    assert await api.error_code(RECORDS, bad, bank.token) == "VALIDATION_ERROR"
    subject = api.subject_token(USCC)
    assert await api.error_code(ACCESS_LOG, bad, subject) == "VALIDATION_ERROR"
    assert await api.error_code(AUDIT, bad, admin.token) == "VALIDATION_ERROR"
    # (an instant, an id): a pair of strings is a cursor it may page after
    body = await api.gql(CLIENTS, bad, admin.token)
    codes = {e["extensions"]["code"] for e in body.get("errors", [])}
    assert codes <= {"VALIDATION_ERROR"}
    assert codes or name == "date-and-digits-as-text"
