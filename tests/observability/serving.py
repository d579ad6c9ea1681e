"""Real ``xinyi-hub serve`` processes for tests (uvicorn, its own port)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.servers import _free_port

__all__ = ["Served", "free_port"]

free_port = _free_port


class Served:
    """One ``xinyi-hub serve`` process; its stderr (the logs) goes to a file."""

    def __init__(
        self, tmp: Path, env: dict[str, str], *, workers: int = 1, name: str = "hub"
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"{name}.log"
        full = {**os.environ, **env, "HUB_PUBLIC_URL": self.url}
        if "PROMETHEUS_MULTIPROC_DIR" not in env:
            full.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hub.root.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(workers),
                ],
                env=full,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready()

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited:\n{self.logs()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"serve not ready:\n{self.logs()[-3000:]}")

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def post(self, path: str, **kw: Any) -> httpx.Response:
        # A new connection each time, so the kernel hands it to any worker.
        with httpx.Client(base_url=self.url, timeout=30) as http:
            headers = {"connection": "close", **kw.pop("headers", {})}
            return http.post(path, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        with httpx.Client(base_url=self.url, timeout=30) as http:
            return http.get(path, **kw)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
