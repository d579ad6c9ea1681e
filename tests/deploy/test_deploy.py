"""The deployment files and the backup procedure of docs/operations.md, run
for real: ``systemd-analyze verify`` on the unit, ``nginx -t`` on the proxy
configuration, and pg_dump → pg_restore → ``audit verify`` on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hub.audit.chain import seal_pending
from hub.audit.checkpoints import make_checkpoint
from hub.auth.sealing import generate_kek
from hub.clock import FrozenClock
from hub.db import migrate
from hub.enums import PrincipalKind
from tests.api import make_api
from tests.servers import PostgresServer, unavailable

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (
            str(p)
            for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))[::-1]
        ),
        None,
    )
    if found is None:
        unavailable(f"{name} not installed (.ci/run installs it)")
    assert found is not None
    return found


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze")
    # the unit as committed, pointing at this checkout's virtualenv
    unit = (DEPLOY / "xinyi-hub.service").read_text()
    assert "/opt/xinyi-hub/.venv/bin/xinyi-hub serve" in unit
    local = unit.replace("/opt/xinyi-hub/.venv", str(Path(sys.prefix)))
    path = tmp_path / "xinyi-hub.service"
    path.write_text(local)

    done = subprocess.run(
        [analyze, "verify", str(path)], capture_output=True, text=True, timeout=60
    )

    # no error, and no warning about this unit (systemd only warns on bad values)
    about_unit = [line for line in done.stderr.splitlines() if path.name in line]
    assert done.returncode == 0 and not about_unit, done.stderr
    # and a unit with a mistake would have been caught
    path.write_text(local.replace("Restart=on-failure", "Restart=sometimes"))
    bad = subprocess.run(
        [analyze, "verify", str(path)], capture_output=True, text=True, timeout=60
    )
    assert any(path.name in line for line in bad.stderr.splitlines())


def _self_signed(directory: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hub.example.gov.cn")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (directory / "fullchain.pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
    )
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_the_nginx_configuration_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _tool("nginx")
    # the committed file with its certificate, log and pid paths in tmp_path
    _self_signed(tmp_path)
    conf = (
        (DEPLOY / "nginx.conf")
        .read_text()
        .replace("/etc/ssl/xinyi-hub/", f"{tmp_path}/")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("/run/nginx.pid", f"{tmp_path}/nginx.pid")
    )
    if os.geteuid() != 0:
        conf = conf.replace("user www-data;", "")
    path = tmp_path / "nginx.conf"
    path.write_text(conf)

    done = subprocess.run(
        [nginx, "-t", "-c", str(path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    assert "[warn]" not in done.stderr and "[emerg]" not in done.stderr


def _cli(*args: str, env: dict[str, str]) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "hub.root.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


async def test_backup_restore_then_audit_verify(
    pg_server: PostgresServer,
    postgres_url: str,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    # given a production-like hub on PostgreSQL with audited changes and a
    # signed checkpoint
    kek = generate_kek()
    migrate(postgres_url)
    api, http = await make_api(postgres_url, clock, tmp_path, key_encryption_key=kek)
    try:
        for kind in (PrincipalKind.BANK, PrincipalKind.MERCHANT, PrincipalKind.AGENCY):
            await api.client(kind)
        await seal_pending(api.hub.sessionmaker)  # as the server's sealer does
        checkpoint = await make_checkpoint(api.hub.sessionmaker, api.hub.keys, clock)
        assert checkpoint is not None
    finally:
        await http.aclose()
        await api.hub.aclose()

    # when it is dumped and restored into a new database (docs/operations.md)
    def dsn(url: str) -> str:
        return url.replace("postgresql+asyncpg://", "postgresql://")

    backup = tmp_path / "hub.dump"
    subprocess.run(
        [pg_dump, "--format=custom", "--file", str(backup), dsn(postgres_url)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    restored = pg_server.new_database()
    subprocess.run(
        [pg_restore, "--no-owner", "--exit-on-error", "-d", dsn(restored), backup],
        check=True,
        capture_output=True,
        timeout=120,
    )

    # then the restored chain verifies up to the signed checkpoint
    env = {"HUB_DATABASE_URL": restored, "HUB_KEY_ENCRYPTION_KEY": kek}
    done = _cli("audit", "verify", "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["events"] >= 3
    assert report["checkpoint"]["seq"] == checkpoint.seq
    # and the restored database is at the current revision
    current = json.loads(_cli("db", "current", "--json", env=env).stdout)
    assert current["up_to_date"] is True
    # but its signing keys open only with the KEK, kept apart from the dump
    without = _cli("audit", "verify", env={"HUB_DATABASE_URL": restored})
    assert without.returncode == 2 and "is sealed under KEK" in without.stderr
