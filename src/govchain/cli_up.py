"""``govchain up``: the whole system on one machine — devnet, suite, demo records, explorer."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from govchain.cli_options import handle_errors

if TYPE_CHECKING:
    from govchain.demo import DemoOutcome
    from govchain.session import Session


@click.command()
@click.option(
    "--serve/--no-serve",
    default=True,
    show_default=True,
    help="Keep the devnet and the explorer running until Ctrl-C (--no-serve: stop after the "
    "summary, for scripts and CI).",
)
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Seed the demo scenario (once per chain: a second `up` finds it and seeds nothing).",
)
@click.option("--explorer-port", default=8000, show_default=True, help="Port of the explorer.")
@handle_errors
def up(serve: bool, demo: bool, explorer_port: int) -> None:
    """Start the devnet, deploy the suite, seed the demo once, serve the explorer."""
    from govchain.chain import forget_node, node_file, running_node_url, serve_node
    from govchain.cli import _deploy, _project, _status_quietly
    from govchain.session import connect

    project = _project()
    with _terminate_as_interrupt():
        anvil = None
        if running_node_url(project) is None:
            anvil = serve_node(project)
        try:
            with connect("local", project=project) as session:
                _heading("deployment")
                _deploy(session)
                _status_quietly(session)
                outcome = None
                if demo:
                    _heading("demo scenario")
                    outcome = _seed(session)
                if not serve:
                    _summary(session, outcome, None)
                    return
                with _explorer(session, explorer_port) as explorer_url:
                    _summary(session, outcome, explorer_url)
                    click.echo("\nCtrl-C stops the devnet and the explorer (state is kept).")
                    _wait(anvil.process if anvil is not None else None)
        finally:
            if anvil is not None:
                anvil.stop()
                if node_file(project).exists():
                    forget_node(project)
                click.echo("devnet stopped; its state is kept in .govchain/local")


def _heading(text: str) -> None:
    click.secho(f"\n── {text}", bold=True)


def _seed(session: Session) -> DemoOutcome:
    from govchain.demo import ConsoleProgress, run_demo

    outcome = run_demo(session, ConsoleProgress())
    if outcome.skipped and not outcome.seeded:
        click.echo("  already seeded on this chain: nothing to do")
    elif outcome.skipped:
        click.echo(f"  already seeded before: {', '.join(outcome.skipped)}")
    return outcome


@contextlib.contextmanager
def _explorer(session: Session, port: int) -> Iterator[str]:
    from govchain.explorer.server import BackgroundExplorer, prepare

    _heading("explorer")
    # The index lives with the devnet's state, so forgetting the chain forgets its index too.
    database = session.project.state_dir / session.network / "explorer.db"
    prepared = prepare(session, port, f"sqlite:///{database}")
    click.echo(f"  indexed {prepared.report.events:,} events up to block {prepared.report.head}")
    server = BackgroundExplorer(prepared).start()
    try:
        yield server.url
    finally:
        server.stop()


def _summary(session: Session, outcome: DemoOutcome | None, explorer_url: str | None) -> None:
    _heading("govchain is up")
    chain = session.chain
    record = session.project.deployments_dir / f"{session.network}.json"
    block = chain.w3.eth.block_number
    click.echo(f"  devnet    {chain.url}  (chain id {chain.chain_id}, block {block})")
    click.echo(f"  record    {record.relative_to(session.project.root)}")
    if explorer_url is not None:
        click.echo(f"  explorer  {explorer_url}")
    if outcome is None:
        return
    base = (explorer_url or "http://127.0.0.1:8000/").rstrip("/")
    click.echo("  look at:")
    for domain, result in outcome.results.items():
        for highlight in result.highlights:
            click.echo(f"    {domain:<12} {highlight.label}")
            click.echo(f"    {'':<12} {base}{highlight.path}")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``) stops ``up`` as cleanly as Ctrl-C, at any stage, and quietly."""
    previous: Any = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _wait(process: Any) -> None:
    """Until Ctrl-C, or until our devnet exits on its own."""
    if process is not None:
        process.wait()
        return
    threading.Event().wait()  # the devnet belongs to `govchain node`: wait for Ctrl-C only
