"""``xinyi-hub sandbox``: run the sandbox agencies (uvicorn)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``sandbox`` command to the ``xinyi-hub`` CLI."""

    @app.command("sandbox")
    def sandbox(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        port: int = typer.Option(8700, help="Port to listen on."),
        api_key: str | None = typer.Option(
            None, envvar="SANDBOX_API_KEY", help="Require this X-Api-Key header."
        ),
    ) -> None:
        """Serve deterministic tax, court, market and utility answers for any USCC.

        Point the hub at it with HUB_CONNECTORS__HENAN_TAX__BASE_URL=http://HOST:PORT
        (likewise COURT_DISHONEST, MARKET_REGULATION, UTILITIES).
        """
        import uvicorn

        from connectors.sandbox.app import create_app

        typer.echo(f"sandbox agencies on http://{host}:{port}", err=True)
        uvicorn.run(
            create_app(api_key=api_key), host=host, port=port, log_level="warning"
        )
