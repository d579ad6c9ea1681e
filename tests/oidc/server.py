"""A real OpenID Connect provider (``oidc-provider`` on node) for login tests.

``npm ci --prefix tests/oidc`` installs it (``.ci/run`` does); without node or
those modules the tests skip with the reason, which under ``CI=true`` fails.
Its development interactions sign in any login name: signing in as a USCC
gives an ID token whose ``uscc`` claim (``USCC_CLAIM``) is that code.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx

from tests.servers import unavailable

__all__ = ["OidcProvider", "sign_in_with_httpx"]

HERE = Path(__file__).parent
USCC_CLAIM = "uscc"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OidcProvider:
    """The provider process; ``issuer``, ``client_id``, ``client_secret``."""

    def __init__(self, redirect_uris: list[str]) -> None:
        node = shutil.which("node")
        if node is None:
            unavailable("OIDC provider: node is not installed")
        if not (HERE / "node_modules" / "oidc-provider").is_dir():
            unavailable(
                "OIDC provider: run 'npm ci --prefix tests/oidc' (oidc-provider)"
            )
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = "xinyi-hub-portal"
        self.client_secret = "portal-test-secret-" + os.urandom(8).hex()
        env = {
            **os.environ,
            "PORT": str(self.port),
            "CLIENT_ID": self.client_id,
            "CLIENT_SECRET": self.client_secret,
            "REDIRECT_URIS": ",".join(redirect_uris),
            "USCC_CLAIM": USCC_CLAIM,
        }
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open)
            prefix="hub-oidc-", suffix=".log", delete=False
        )
        self.proc = subprocess.Popen(
            [str(node), str(HERE / "provider.mjs")],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"OIDC provider exited: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("OIDC provider did not start within 30 s")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def _form_action(html: str, base: str) -> str:
    match = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert match, html
    return urljoin(base, match.group(1))


async def sign_in_with_httpx(url: str, login: str, redirect_uri: str) -> str:
    """Follow the provider's login and consent pages as a browser would; the
    callback URL (with ``code`` and ``state``) the provider sends back to."""
    async with httpx.AsyncClient(timeout=10) as http:
        r = await http.get(url)
        for _ in range(12):
            if r.is_redirect:
                target = urljoin(str(r.url), r.headers["location"])
                if target.startswith(redirect_uri):
                    return target
                r = await http.get(target)
                continue
            assert r.status_code == 200, r.text
            action = _form_action(r.text, str(r.url))
            if 'name="login"' in r.text:
                data = {"prompt": "login", "login": login, "password": "x"}
            else:
                data = {"prompt": "consent"}
            r = await http.post(action, data=data)
    raise AssertionError("the provider never sent the browser back")
