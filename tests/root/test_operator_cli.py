"""The operator's command line: version, clients, database revision, audit
verification with progress, and one-line errors (exit 2) instead of
tracebacks."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from hub.auth.clients import client_service
from hub.auth.sealing import generate_kek
from hub.db import create_engine, make_sessionmaker
from hub.models import AuditEvent, Client

PASSWORD = "s3cret-Pw-41"
runner = CliRunner()


def cli(*args: str, env: dict[str, str] | None = None, **kw: Any) -> Any:
    """The installed ``xinyi-hub`` in a real process."""
    return subprocess.run(
        [sys.executable, "-m", "hub.root.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        **kw,
    )


def invoke(*args: str) -> Any:
    from hub.root.cli import app

    return runner.invoke(app, list(args))


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/ops.db"
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    monkeypatch.delenv("HUB_REDIS_URL", raising=False)
    monkeypatch.delenv("HUB_ENV", raising=False)
    return url


def in_db(url: str, work: Any) -> Any:
    async def main() -> Any:
        engine = create_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def test_version_prints_name_and_version() -> None:
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout == f"xinyi-hub {version('xinyi-hub')}\n"


def test_clients_list_suspend_reactivate_rotate(database: str) -> None:
    # given a bank registered by the operator
    made = invoke("clients", "create", "--kind", "BANK", "--name", "Bank A", "--json")
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    id = created["id"]

    # when listed, it is active and the listing holds no secret
    listed = invoke("clients", "list", "--json")
    assert listed.exit_code == 0, listed.output
    page = json.loads(listed.stdout)
    assert [(c["id"], c["active"]) for c in page["clients"]] == [(id, True)]
    assert page["total_count"] == 1 and "secret" not in listed.stdout

    # when suspended, then reactivated
    suspended = invoke("clients", "suspend", id, "--json")
    assert suspended.exit_code == 0 and json.loads(suspended.stdout)["active"] is False
    assert in_db(database, lambda s: client_service.get(s, id)).active is False
    back = invoke("clients", "reactivate", id)
    assert back.exit_code == 0 and "Reactivated BANK client 'Bank A'" in back.stdout
    assert in_db(database, lambda s: client_service.get(s, id)).active is True

    # when rotated: the new secret once on stdout, never on stderr
    rotated = invoke("clients", "rotate", id, "--json")
    assert rotated.exit_code == 0, rotated.output
    secret = json.loads(rotated.stdout)["client_secret"]
    assert secret != created["client_secret"] and secret not in rotated.stderr
    old = in_db(
        database,
        lambda s: client_service.authenticate(
            s, created["client_id"], created["client_secret"]
        ),
    )
    new = in_db(
        database,
        lambda s: client_service.authenticate(s, created["client_id"], secret),
    )
    assert old is None and new is not None and new.id == id

    # then every change is in the audit trail under the command-line operator
    async def trail(session: Any) -> list[tuple[str, str]]:
        rows = await session.execute(
            select(AuditEvent.action, AuditEvent.actor_id).order_by(AuditEvent.at)
        )
        return [tuple(r) for r in rows.all()]

    assert [a for a in in_db(database, trail) if a[0].startswith("client.")] == [
        ("client.create", "operator"),
        ("client.suspend", "operator"),
        ("client.reactivate", "operator"),
        ("client.rotate_secret", "operator"),
    ]


def test_an_unknown_client_is_one_line_and_json(database: str) -> None:
    done = invoke("clients", "suspend", "no-such-id", "--json")
    assert done.exit_code == 2
    assert json.loads(done.stdout) == {
        "error": {"code": "NOT_FOUND", "message": "No client with id 'no-such-id'."}
    }
    assert done.stderr == "error [NOT_FOUND]: No client with id 'no-such-id'.\n"


def test_db_current_names_the_applied_revision(database: str) -> None:
    # a database never migrated has none
    fresh = invoke("db", "current", "--json")
    assert fresh.exit_code == 0, fresh.output
    state = json.loads(fresh.stdout)
    assert state["current"] is None and state["up_to_date"] is False
    # after an upgrade it is the newest
    assert invoke("db", "upgrade").exit_code == 0
    done = invoke("db", "current")
    assert done.exit_code == 0
    assert done.stdout.strip() == state["head"]
    assert "(up to date)" in done.stderr


def test_audit_verify_since_starts_at_a_seq(database: str) -> None:
    # given a few audited changes, the first of them then altered
    for n in range(3):
        invoke("clients", "create", "--kind", "BANK", "--name", f"B{n}")
    full = invoke("audit", "verify", "--json")
    total = json.loads(full.stdout)["events"]
    assert full.exit_code == 0 and total >= 3

    async def alter(session: Any) -> None:
        await session.execute(
            update(AuditEvent).where(AuditEvent.seq == 1).values(action="forged")
        )
        await session.commit()

    in_db(database, alter)

    # then the whole chain fails, a walk from seq 2 (trusting seq 1) passes
    broken = invoke("audit", "verify", "--json")
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["reason"] == "content does not match hash"
    later = invoke("audit", "verify", "--since", "2", "--json")
    assert later.exit_code == 0, later.output
    assert json.loads(later.stdout)["events"] == total - 1
    assert f"{total - 1} events from seq 2" in later.stderr


def test_audit_verify_draws_progress_on_a_terminal_only(database: str) -> None:
    invoke("clients", "create", "--kind", "BANK", "--name", "B")
    # on a pipe: only the result line
    piped = cli("audit", "verify")
    assert piped.returncode == 0
    assert piped.stderr.splitlines()[-1].startswith("audit chain intact")
    assert "verifying the audit chain" not in piped.stderr
    # on a terminal: the bar
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hub.root.cli", "audit", "verify"],
            stdout=subprocess.PIPE,
            stderr=follower,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(60) == 0
    finally:
        os.close(leader)
    text = seen.decode(errors="replace")
    assert "verifying the audit chain" in text
    assert "audit chain intact" in text


# -- one-line errors -------------------------------------------------------------


def _one_line(done: Any) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("db", "upgrade"),
        ("db", "current"),
        ("clients", "list"),
        ("audit", "verify"),
        ("maintenance", "--dry-run"),
    ],
)
def test_an_unreachable_database_is_one_line(args: tuple[str, ...]) -> None:
    url = f"postgresql+asyncpg://hub:{PASSWORD}@127.0.0.1:{closed_port()}/hub"
    done = cli(*args, env={"HUB_DATABASE_URL": url})
    line = _one_line(done)
    assert line.startswith("error [DATABASE_UNAVAILABLE]: database at ")
    assert PASSWORD not in done.stderr + done.stdout and "hub:***@" in line

    as_json = cli(*args, "--json", env={"HUB_DATABASE_URL": url})
    _one_line(as_json)
    error = json.loads(as_json.stdout)["error"]
    assert error["code"] == "DATABASE_UNAVAILABLE" and PASSWORD not in error["message"]


def test_a_garbage_database_file_is_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "hub.db"
    garbage.write_bytes(os.urandom(8192))
    env = {"HUB_DATABASE_URL": f"sqlite+aiosqlite:///{garbage}"}
    line = _one_line(cli("clients", "list", env=env))
    assert "file is not a database" in line


@pytest.mark.parametrize("content", [None, "not a key\n", b"\xff\xfe\x00binary"])
def test_a_missing_or_garbage_kek_file_is_one_line(
    database: str, tmp_path: Path, content: str | bytes | None
) -> None:
    path = tmp_path / "kek"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    done = cli(
        "keys", "rotate", "--json", env={"HUB_KEY_ENCRYPTION_KEY_FILE": str(path)}
    )
    line = _one_line(done)
    assert line.startswith("error [KEY_ENCRYPTION]: ")
    assert json.loads(done.stdout)["error"]["code"] == "KEY_ENCRYPTION"


def test_a_bad_checkpoint_file_is_one_line(database: str, tmp_path: Path) -> None:
    garbage = tmp_path / "checkpoint.json"
    garbage.write_text("{not json")
    done = cli("audit", "verify", "--checkpoint", str(garbage), "--json")
    line = _one_line(done)
    assert line.startswith("error [BAD_FILE]: ") and "holds no checkpoint" in line
    assert json.loads(done.stdout)["error"]["code"] == "BAD_FILE"
    missing = cli("audit", "verify", "--checkpoint", str(tmp_path / "absent.json"))
    assert "holds no checkpoint" in _one_line(missing)


def test_production_refuses_to_serve_without_a_kek(database: str) -> None:
    done = cli("serve", "--port", str(closed_port()), env={"HUB_ENV": "production"})
    line = _one_line(done)
    assert "refusing to start in production without a key-encryption key" in line


def test_keys_rekey_and_new_kek(database: str) -> None:
    # given keys sealed under an old KEK
    old = cli("keys", "new-kek").stdout.strip()
    new = cli("keys", "new-kek").stdout.strip()
    assert old != new and len(old) == 43
    first = cli("keys", "rotate", env={"HUB_KEY_ENCRYPTION_KEY": old})
    assert first.returncode == 0, first.stderr

    # when rekeyed with the new KEK first
    done = cli(
        "keys", "rekey", "--json", env={"HUB_KEY_ENCRYPTION_KEY": f"{new},{old}"}
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["resealed"] == report["keys"] == 2

    # then the new KEK alone opens them; neither KEK is ever printed back
    after = cli("audit", "verify", env={"HUB_KEY_ENCRYPTION_KEY": new})
    assert after.returncode == 0, after.stderr
    assert new not in done.stdout + done.stderr and old not in done.stderr
    listed = cli("keys", "list", "--json", env={"HUB_KEY_ENCRYPTION_KEY": new})
    keys = json.loads(listed.stdout)["keys"]
    new_id = json.loads(done.stdout)["kek"]
    assert [k["active"] for k in keys] == [True, False]
    assert {k["sealed_by"] for k in keys} == {new_id}
    assert "PRIVATE" not in listed.stdout and "BEGIN" not in listed.stdout
    stale = cli("audit", "verify", env={"HUB_KEY_ENCRYPTION_KEY": old})
    assert "does not hold" in _one_line(stale)
    assert generate_kek() != new  # fresh each time


def test_suspend_reaches_the_client_row(database: str) -> None:
    made = json.loads(
        invoke(
            "clients", "create", "--kind", "MERCHANT", "--name", "M", "--json"
        ).stdout
    )
    invoke("clients", "suspend", made["id"])

    async def active(session: Any) -> bool:
        return bool(
            await session.scalar(select(Client.active).where(Client.id == made["id"]))
        )

    assert in_db(database, active) is False
