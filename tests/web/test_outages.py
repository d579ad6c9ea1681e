"""The console when the database stops answering: a coded 503 page, one log line."""

from __future__ import annotations

import logging
import socket

import pytest

from hub.auth.status import forget
from hub.db import create_engine
from hub.enums import PrincipalKind
from tests.api import Api
from tests.web.forms import console_login


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


async def test_database_away_is_a_coded_503_page(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await api.client(PrincipalKind.ADMIN)
    assert (
        await console_login(api.http, admin.client_id, admin.client_secret)
    ).status_code == 303
    gone = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/x")
    try:
        # The fault: the database's address goes dark.
        api.hub.sessionmaker.configure(bind=gone)
        await forget(api.hub.cache, admin.id)  # its status is looked up anew
        caplog.set_level(logging.INFO)
        caplog.clear()
        for path in ("/console/clients", "/console/audit", "/console/login"):
            response = await api.http.get(path)
            assert response.status_code == 503, (path, response.text[:300])
            assert response.headers["retry-after"] == "30"
            assert 'data-code="INTERNAL"' in response.text
            assert "Traceback" not in response.text
        lines = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert [r.getMessage().split(":")[0] for r in lines] == ["database unavailable"]
    finally:
        await gone.dispose()
