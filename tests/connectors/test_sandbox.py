from __future__ import annotations

import httpx

from connectors.sandbox import data
from tests.connectors.conftest import SANDBOX_DAY, SandboxServer

USCC = "91350100M000100Y43"


def test_answers_are_stable_per_uscc(sandbox: SandboxServer) -> None:
    # when the same enterprise is asked about twice
    first = httpx.get(f"{sandbox.url}/tax/v1/credit-rating/{USCC}").json()
    second = httpx.get(f"{sandbox.url}/tax/v1/credit-rating/{USCC}").json()
    # then the answers are identical and equal the generator's
    assert first == second == data.tax_answer(USCC, SANDBOX_DAY)
    assert sandbox.stats() == {"tax": 2, "court": 0, "market": 0, "utility": 0}


def test_invalid_uscc_is_refused(sandbox: SandboxServer) -> None:
    response = httpx.get(f"{sandbox.url}/court/v1/dishonest/91350100M000100Y44")
    assert response.status_code == 400
    assert "check character" in response.json()["error"]


def test_per_request_fault_header(sandbox: SandboxServer) -> None:
    url = f"{sandbox.url}/utility/v1/arrears/{USCC}"
    assert httpx.get(url, headers={"X-Sandbox-Fault": "status=503"}).status_code == 503
    wrong = httpx.get(url, params={"fault": "wrong-uscc"}).json()
    assert wrong["uscc"] == data.other_uscc(USCC) != USCC
    assert httpx.get(url).json()["uscc"] == USCC


def test_persistent_fault_for_one_source_then_cleared(sandbox: SandboxServer) -> None:
    sandbox.fault("market", status=502)
    market = f"{sandbox.url}/market/v1/records/{USCC}"
    assert httpx.get(market).status_code == 502
    assert httpx.get(f"{sandbox.url}/tax/v1/credit-rating/{USCC}").status_code == 200
    httpx.delete(f"{sandbox.url}/_faults", params={"source": "market"})
    assert httpx.get(market).status_code == 200


def test_fault_config_is_validated(sandbox: SandboxServer) -> None:
    response = httpx.post(f"{sandbox.url}/_faults", json={"source": "tax", "colour": 1})
    assert response.status_code == 400
    assert response.json() == {"error": "unknown fault settings: colour"}


def test_api_key_is_checked_when_configured() -> None:
    server = SandboxServer(api_key="s3cret")
    try:
        url = f"{server.url}/tax/v1/credit-rating/{USCC}"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers={"X-Api-Key": "s3cret"}).status_code == 200
    finally:
        server.stop()
