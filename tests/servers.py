"""Real PostgreSQL and Redis for tests.

URLs come from ``HUB_TEST_DATABASE_URL`` / ``HUB_TEST_REDIS_URL`` when set;
otherwise a throwaway server is started from the binaries on PATH; otherwise
the test is skipped with the reason, which under ``CI=true`` is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

__all__ = ["PostgresServer", "RedisServer", "RestartableRedis", "unavailable"]


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _find(binary: str) -> str | None:
    found = shutil.which(binary)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / binary).exists():
            return str(d / binary)
    return None


class PostgresServer:
    """A PostgreSQL server; each ``new_database()`` is a fresh, empty database."""

    def __init__(self) -> None:
        self.base_url = os.environ.get("HUB_TEST_DATABASE_URL")
        self._tmp: str | None = None
        self._pg_ctl: str | None = None
        if not self.base_url:
            self._start()

    def _start(self) -> None:
        initdb, pg_ctl = _find("initdb"), _find("pg_ctl")
        if not initdb or not pg_ctl:
            unavailable("PostgreSQL: HUB_TEST_DATABASE_URL unset and no initdb found")
        self._tmp = tempfile.mkdtemp(prefix="hub-pg-")
        data = os.path.join(self._tmp, "data")
        port = _free_port()
        run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self._tmp, "postgres", "postgres")
            run_as = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [*run_as, initdb, "-D", data, "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *run_as,
                pg_ctl,
                "-D",
                data,
                "-w",
                "-l",
                os.path.join(self._tmp, "log"),
                "-o",
                f"-p {port} -k {self._tmp} -c listen_addresses=127.0.0.1",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        self._pg_ctl = pg_ctl
        self._run_as = run_as
        self._data = data
        self.base_url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"

    def _admin_dsn(self) -> str:
        assert self.base_url
        return self.base_url.replace("postgresql+asyncpg://", "postgresql://")

    def new_database(self) -> str:
        """Create an empty database and return its SQLAlchemy async URL."""
        import asyncio

        import asyncpg

        name = f"hub_test_{uuid.uuid4().hex[:12]}"

        async def create() -> None:
            conn = await asyncpg.connect(self._admin_dsn())
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        _run_coro(asyncio, create())
        assert self.base_url
        head, _, _db = self.base_url.rpartition("/")
        return f"{head}/{name}"

    def stop(self) -> None:
        if self._pg_ctl and self._tmp:
            subprocess.run(
                [
                    *self._run_as,
                    self._pg_ctl,
                    "-D",
                    self._data,
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
            )
            shutil.rmtree(self._tmp, ignore_errors=True)


class RedisServer:
    def __init__(self) -> None:
        self.url = os.environ.get("HUB_TEST_REDIS_URL")
        self._proc: subprocess.Popen[bytes] | None = None
        if not self.url:
            binary = shutil.which("redis-server")
            if not binary:
                unavailable("Redis: HUB_TEST_REDIS_URL unset and no redis-server found")
            port = _free_port()
            self._proc = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            self.url = f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        if self._proc:
            self._proc.terminate()
            self._proc.wait(5)


class RestartableRedis:
    """A throwaway redis-server of a test's own, stopped and started again on
    the same port (a Redis restart, as operators do it)."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            unavailable("Redis restarts need a redis-server binary on PATH")
        assert binary
        self.binary, self.port = binary, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self._proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)
            self._proc = None


def _run_coro(asyncio_mod, coro):  # type: ignore[no-untyped-def]
    """Run ``coro`` whether or not an event loop is already running."""
    import threading

    try:
        asyncio_mod.get_running_loop()
    except RuntimeError:
        return asyncio_mod.run(coro)
    out: dict[str, object] = {}

    def target() -> None:
        out["v"] = asyncio_mod.run(coro)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    return out.get("v")
