"""``govchain explorer``: index the suite's events and serve the citizen web app."""

from __future__ import annotations

import click

from govchain.cli_options import handle_errors, network_option


@click.command()
@network_option
@click.option("--port", "-p", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option(
    "--db",
    "database",
    default=None,
    metavar="URL",
    help="SQLAlchemy URL of the index (default: sqlite:///.govchain/explorer-<network>.db).",
)
@click.option("--sync-every", default=2.0, show_default=True, help="Seconds between index updates.")
@handle_errors
def explorer(network: str, port: int, database: str | None, sync_every: float) -> None:
    """Serve the citizen explorer for NETWORK's deployment on 127.0.0.1:PORT."""
    from govchain.explorer.server import prepare
    from govchain.session import connect

    with connect(network) as session:
        explorer = prepare(session, port, database, sync_every)
        report = explorer.report
        click.echo(
            f"indexed {report.events} events up to block {report.head} into {explorer.database}"
        )
        click.echo(f"explorer: {explorer.url}  (Ctrl-C stops it)")
        explorer.server.run()
