"""Console actions over HTTP: the quarantine, coded errors, signed-out refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.enums import PrincipalKind
from hub.importer.service import import_file
from tests.api import Api, ClientCreds
from tests.importer.helpers import USCC_B, entity, record, write_jsonl
from tests.web.forms import console_login, csrf_of


@pytest.fixture
async def admin(api: Api) -> ClientCreds:
    creds = await api.client(PrincipalKind.ADMIN, "平台管理员")
    response = await console_login(api.http, creds.client_id, creds.client_secret)
    assert response.status_code == 303
    return creds


async def test_signed_out_pages_and_actions_go_to_the_login(api: Api) -> None:
    for path in ("/console", "/console/clients", "/console/audit"):
        response = await api.http.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login"
    response = await api.http.post("/console/clients", data={"name": "x"})
    assert response.status_code == 303


async def test_quarantined_rows_are_listed_and_resubmitted(
    api: Api, admin: ClientCreds, tmp_path: Path
) -> None:
    # given a record quarantined because its entity was unknown
    hub = api.hub
    path = write_jsonl(tmp_path / "recs.jsonl", [record(USCC_B, "R7")])
    await import_file(hub.sessionmaker, path, "jsonl", hub.clock)
    page = await api.http.get("/console/imports")
    assert "recs.jsonl" in page.text and "no entity with uscc" in page.text
    # ... and the entity imported since
    api.clock.advance(minutes=1)
    ents = write_jsonl(tmp_path / "ents.jsonl", [entity(USCC_B)])
    await import_file(hub.sessionmaker, ents, "jsonl", hub.clock)
    # when the admin re-submits the file's rows
    api.clock.advance(minutes=1)
    response = await api.http.post(
        "/console/imports/resubmit",
        data={"source": "recs.jsonl", "csrf_token": csrf_of(page.text)},
    )
    # then the record loads and the quarantine is empty
    assert response.status_code == 200
    assert 'data-testid="resubmit-summary"' in response.text
    assert "quarantined-" not in response.text
    # and each import and the re-submission are listed as runs with counts
    runs = re.findall(
        r'data-testid="run-\w+" data-status="(\w+)">\s*<td>[^<]*</td>\s*'
        r"<td><code>([^<]+)</code></td>\s*<td>(\w+)</td>",
        response.text,
    )
    assert runs == [
        ("DONE", "recs.jsonl", "RESUBMIT"),
        ("DONE", "ents.jsonl", "IMPORT"),
        ("DONE", "recs.jsonl", "IMPORT"),
    ]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/console/consents?uscc=123", 400, "INVALID_USCC"),
        ("/console/consents?status=LOST", 400, "VALIDATION_ERROR"),
        ("/console/rules/no-such-scenario", 404, "NOT_FOUND"),
        ("/console?from=yesterday", 400, "VALIDATION_ERROR"),
    ],
)
async def test_bad_input_is_a_coded_error_page(
    api: Api, admin: ClientCreds, path: str, status: int, code: str
) -> None:
    response = await api.http.get(path)
    assert response.status_code == status
    assert f'data-code="{code}"' in response.text


async def test_an_unknown_client_action_changes_nothing(
    api: Api, admin: ClientCreds
) -> None:
    page = await api.http.get("/console/clients")
    response = await api.http.post(
        f"/console/clients/{admin.id}/delete", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 404
    assert 'data-code="NOT_FOUND"' in response.text
    assert (await api.http.get("/console/clients")).status_code == 200


async def test_a_created_clients_secret_is_shown_once_and_audited(
    api: Api, admin: ClientCreds
) -> None:
    page = await api.http.get("/console/clients")
    created = await api.http.post(
        "/console/clients",
        data={"kind": "BANK", "name": "郑州银行", "csrf_token": csrf_of(page.text)},
    )
    assert created.status_code == 201
    assert 'data-testid="new-client-secret"' in created.text
    again = await api.http.get("/console/clients")
    assert "郑州银行" in again.text
    assert 'data-testid="new-client-secret"' not in again.text
    # audited with the signed-in admin as the actor, as createClient is
    events = await api.data(
        '{ auditEvents(filter: {action: "client.create", actorId: "%s"}) '
        "{ totalCount } }" % admin.id,
        token=admin.token,
    )
    assert events["auditEvents"]["totalCount"] == 1


async def test_suspending_with_end_consents_ends_the_clients_consents(
    api: Api, admin: ClientCreds
) -> None:
    # given a bank holding a consent
    await api.entity(USCC_B)
    bank = await api.client(PrincipalKind.BANK, "郑州银行")
    consent = await api.grant(USCC_B, bank, "LENDING", ["BASIC"])
    page = await api.http.get("/console/clients")
    # when the admin suspends it, ending its consents
    response = await api.http.post(
        f"/console/clients/{bank.id}/suspend",
        data={"end_consents": "1", "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303
    # then the consent has ended, as with suspendClient(endConsents: true)
    found = await api.data(
        '{ consents(uscc: "%s") { edges { node { id status endReason } } } }' % USCC_B,
        token=admin.token,
    )
    (edge,) = found["consents"]["edges"]
    assert edge["node"] == {
        "id": consent,
        "status": "REVOKED",
        "endReason": "CLIENT_SUSPENDED",
    }
