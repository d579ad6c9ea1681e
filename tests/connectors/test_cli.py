from __future__ import annotations

import typer
from typer.testing import CliRunner

from hub.root.commands.sandbox import register


def test_sandbox_command_is_registered_with_its_options() -> None:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def noop() -> None:  # a second command keeps typer in sub-command mode
        """Nothing."""

    result = CliRunner().invoke(app, ["sandbox", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--api-key", "8700"):
        assert option in result.output
