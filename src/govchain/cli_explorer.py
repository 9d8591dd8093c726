"""``govchain explorer``: index the suite's events and serve the citizen web app."""

from __future__ import annotations

from pathlib import Path

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
    import uvicorn

    from govchain.explorer.app import MAX_REQUEST_HEAD, Explorer, create_app
    from govchain.explorer.indexer import Indexer
    from govchain.explorer.store import Store
    from govchain.session import connect

    with connect(network) as session:
        if database is None:
            folder = Path(session.project.root) / ".govchain"
            folder.mkdir(exist_ok=True)
            database = f"sqlite:///{folder / f'explorer-{session.network}.db'}"
        store = Store(database)
        state = Explorer(session, store, Indexer(session, store))
        report = state.indexer.sync()
        click.echo(f"indexed {report.events} events up to block {report.head} into {database}")
        click.echo(f"explorer: http://127.0.0.1:{port}/  (Ctrl-C stops it)")
        uvicorn.run(
            create_app(state, sync_every=sync_every),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            # h11 refuses request lines over 16 KB with a bare "Invalid HTTP request": let the
            # app answer an absurdly long address with its own clear 414 page instead.
            h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
        )
