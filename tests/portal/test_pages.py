"""The portal over HTTP: sign in by link, answer a request, see the bank's read.

(The same journeys in a real browser are in ``tests/web/test_portal*.py``.)
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.portal.links import issue_link
from tests.api import Api
from tests.consent.helpers import PROFILE, USCC, ask
from tests.web.forms import csrf_of


async def _link(api: Api, uscc: str = USCC) -> str:
    async with session_scope(api.hub.sessionmaker) as s:
        url = await issue_link(s, api.hub.settings, api.clock, uscc)
    return parse_qs(urlsplit(url).query)["token"][0]


async def _sign_in(api: Api) -> None:
    token = await _link(api)
    form = await api.http.get(f"/portal/login?token={token}")
    assert form.status_code == 200
    r = await api.http.post(
        "/portal/login", data={"token": token, "csrf_token": csrf_of(form.text)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/portal"


async def test_a_link_signs_in_once_and_the_pages_follow(api: Api) -> None:
    await api.entity(USCC, "郑州示范科技有限公司")
    assert (await api.http.get("/portal")).headers["location"] == "/portal/login"
    token = await _link(api)
    form = await api.http.get(f"/portal/login?token={token}")
    csrf = csrf_of(form.text)
    r = await api.http.post("/portal/login", data={"token": token, "csrf_token": csrf})
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "hub_portal=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    home = await api.http.get("/portal")
    assert home.status_code == 200 and "郑州示范科技有限公司" in home.text
    for path in (
        "/portal/requests",
        "/portal/consents",
        "/portal/access",
        "/portal/rights",
        "/portal/notices",
        "/portal/reports",
    ):
        page = await api.http.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert "Content-Security-Policy" in page.headers
    # the same link a second time (another browser) is refused
    api.http.cookies.clear()
    form = await api.http.get(f"/portal/login?token={token}")
    again = await api.http.post(
        "/portal/login", data={"token": token, "csrf_token": csrf_of(form.text)}
    )
    assert again.status_code == 401 and 'data-code="UNAUTHENTICATED"' in again.text


async def test_approve_in_the_portal_then_see_the_read(api: Api) -> None:
    # given a bank's request for consent, made through the API
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK, "郑州银行")
    asked = await ask(api, bank)
    await _sign_in(api)
    inbox = await api.http.get("/portal/requests")
    assert f'data-testid="request-{asked["id"]}"' in inbox.text
    # when the enterprise approves it narrower (no TAX) in the portal
    r = await api.http.post(
        f"/portal/requests/{asked['id']}",
        data={
            "action": "approve",
            "categories": ["BASIC", "EVALUATION"],
            "csrf_token": csrf_of(inbox.text),
        },
    )
    assert r.status_code == 303, r.text
    # then the bank reads through the API under that consent
    read = await api.data(PROFILE, {"u": USCC}, bank.token)
    event_id = read["creditProfile"]["auditEventId"]
    consents = await api.http.get("/portal/consents")
    consent_id = read["creditProfile"]["consent"]["id"]
    row = re.search(
        rf'<tr data-testid="consent-{consent_id}" data-status="(\w+)"', consents.text
    )
    assert row and row.group(1) == "ACTIVE"
    assert "BASIC, EVALUATION" in consents.text
    # and "who read my data" shows the read, filtered to the bank
    log = await api.http.get(f"/portal/access?actor={bank.id}&outcome=GRANTED")
    assert f'data-testid="event-{event_id}"' in log.text
    assert "郑州银行" in log.text
    assert log.text.count('data-testid="event-') == 1
    # the receipt downloads as the signed JWS it is
    receipt = await api.http.get(f"/portal/consents/{consent_id}/receipts/1.jws")
    assert receipt.status_code == 200 and receipt.text.count(".") == 2


async def test_a_form_without_its_token_is_refused(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    asked = await ask(api, bank)
    await _sign_in(api)
    r = await api.http.post(
        f"/portal/requests/{asked['id']}",
        data={"action": "approve", "csrf_token": "forged-" + "x" * 30},
    )
    assert r.status_code == 403 and 'data-code="CSRF_REFUSED"' in r.text
    inbox = await api.http.get("/portal/requests")
    assert 'data-status="PENDING"' in inbox.text
