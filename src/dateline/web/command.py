"""`dateline serve`: the HTTP API and web app over one store."""

from __future__ import annotations

import os

import click


@click.command(name="serve")
@click.option("--db", default="dateline.db", show_default=True, help="The store to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8321, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--token",
    default=None,
    help="Enable POST /ingest for requests bearing this token (or set DATELINE_TOKEN).",
)
def serve(db: str, host: str, port: int, token: str | None) -> None:
    """Serve the API (/docs) and the web app (/) over a store; read-only without a token."""
    import uvicorn

    from dateline.web.app import create_app

    app = create_app(db, token or os.environ.get("DATELINE_TOKEN") or None)
    click.echo(f"dateline serving {db} at http://{host}:{port}/ (API reference at /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
