"""/metrics across real uvicorn workers, behind a token, on its own port;
checked by promtool."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.mmap_dict import MmapedDict

from hub.db import migrate
from tests.observability.serving import Served, free_port
from tests.servers import PostgresServer, RedisServer, unavailable

TOKEN = "scrape-3f9c2e"
AUTH = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def two_workers(
    pg_server: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[Served, Path]]:
    url = pg_server.new_database()
    migrate(url)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # a file left by an earlier run: serve must not sum it in
    (metrics_dir / "counter_999999.db").write_bytes(b"stale")
    served = Served(
        tmp_path,
        {
            "HUB_DATABASE_URL": url,
            "HUB_REDIS_URL": str(redis_server.url),
            "HUB_METRICS_TOKEN": TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "HUB_LOG_FORMAT": "json",
        },
        workers=2,
    )
    yield served, metrics_dir
    served.stop()


def errors_counted(text: str, code: str) -> float:
    found = re.search(rf'^hub_graphql_errors_total{{code="{code}"}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def per_worker(metrics_dir: Path, code: str) -> dict[int, float]:
    """What each worker's own file holds for hub_graphql_errors_total{code}."""
    out: dict[int, float] = {}
    for path in glob.glob(str(metrics_dir / "counter_*.db")):
        pid = int(re.search(r"_(\d+)\.db$", path).group(1))  # type: ignore[union-attr]
        for key, value, _ts, _pos in MmapedDict.read_all_values_from_file(path):
            name, sample, labels, _help = json.loads(key)
            if sample == "hub_graphql_errors_total" and labels == {"code": code}:
                out[pid] = out.get(pid, 0.0) + value
    return out


def promtool_check(text: str) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable("promtool (Debian package prometheus) not installed")
        return
    done = subprocess.run(
        [promtool, "check", "metrics"], input=text.encode(), capture_output=True
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_counters_are_summed_over_workers_and_survive_a_killed_one(
    two_workers: tuple[Served, Path],
) -> None:
    served, metrics_dir = two_workers
    assert not (metrics_dir / "counter_999999.db").exists()
    # when bad queries arrive on new connections until both workers took some
    sent = 0
    while len(per_worker(metrics_dir, "VALIDATION_ERROR")) < 2 and sent < 2000:
        r = served.post("/graphql", json={"query": "{ noSuchField }"})
        assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
        sent += 1
    workers = per_worker(metrics_dir, "VALIDATION_ERROR")
    assert len(workers) == 2 and sum(workers.values()) == sent
    # then every scrape, whichever worker answers it, tells the sum
    for _ in range(6):
        r = served.get("/metrics", headers=AUTH)
        assert r.status_code == 200
        assert errors_counted(r.text, "VALIDATION_ERROR") == sent
    text = r.text
    for name in (
        "hub_graphql_errors_total",
        "hub_http_requests_total",
        "hub_db_pool_size",
        "hub_db_pool_connections_in_use",
        "hub_graphql_subscriptions_active",
        "hub_audit_unsealed_events",
        "hub_audit_unsealed_oldest_seconds",
    ):
        assert f"\n{name}" in text, name
    promtool_check(text)
    # and without the token there is nothing to read
    assert served.get("/metrics").status_code == 401
    assert (
        served.get("/metrics", headers={"authorization": "Bearer no"}).status_code
        == 401
    )

    # when one worker is killed outright, uvicorn starts another
    victim = max(workers, key=lambda pid: workers[pid])
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = {
            int(m.group(1))
            for p in glob.glob(str(metrics_dir / "*.db"))
            if (m := re.search(r"_(\d+)\.db$", p))
        }
        if len(pids - set(workers)) >= 1 and served.get("/readyz").status_code == 200:
            break
        time.sleep(0.3)
    else:
        pytest.fail("no new worker after SIGKILL")
    # then what it counted is still counted, and its live gauges are dropped
    r = served.get("/metrics", headers=AUTH)
    assert errors_counted(r.text, "VALIDATION_ERROR") == sent
    assert not glob.glob(str(metrics_dir / f"gauge_live*_{victim}.db"))
    assert glob.glob(str(metrics_dir / f"counter_{victim}.db"))
    promtool_check(r.text)


def test_metrics_on_their_own_port(tmp_path: Path, sqlite_url: str) -> None:
    migrate(sqlite_url)
    port = free_port()
    served = Served(
        tmp_path,
        {
            "HUB_DATABASE_URL": sqlite_url,
            "HUB_METRICS_PORT": str(port),
            "HUB_METRICS_TOKEN": TOKEN,
        },
    )
    try:
        served.post("/graphql", json={"query": "{ noSuchField }"})
        # the API's port no longer serves them
        assert served.get("/metrics", headers=AUTH).status_code == 404
        import httpx

        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/metrics").status_code == 401
        r = httpx.get(f"{base}/metrics", headers=AUTH)
        assert r.status_code == 200
        assert errors_counted(r.text, "VALIDATION_ERROR") == 1
        assert httpx.get(f"{base}/other", headers=AUTH).status_code == 404
        promtool_check(r.text)
        # and the access log has the request, the scrapes are not in it
        lines = [json.loads(x) for x in served.logs().splitlines() if x.startswith("{")]
        assert lines == []  # console format by default: readable lines
        assert "request" in served.logs() and "POST" in served.logs()
    finally:
        served.stop()
