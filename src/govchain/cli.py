"""The ``govchain`` command line: a thin layer over the package; errors become one-line messages."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from typing import Any

import click

from govchain.cli_options import account_option, handle_errors, network_option, password_for
from govchain.project import Project


def _project() -> Project:
    return Project.discover()


@click.group()
@click.version_option(package_name="govchain")
def main() -> None:
    """govchain: smart contracts for public services."""


@main.command()
@click.option("--force", is_flag=True, help="Recompile even if nothing changed.")
@handle_errors
def compile(force: bool) -> None:
    """Compile contracts/ into build/."""
    from govchain.compiler import compile_project

    project = _project()
    started = time.perf_counter()
    result = compile_project(project, force=force)
    elapsed = time.perf_counter() - started
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if result.cached:
        click.echo(
            f"Nothing to compile: {len(result.artifacts)} artifacts up to date ({elapsed:.2f}s)"
        )
    else:
        assert result.solc is not None
        click.echo(
            f"Compiled {len(result.artifacts)} contracts with solc {result.solc.version} "
            f"({result.solc.kind}) in {elapsed:.2f}s → build/"
        )


@main.command()
@click.option("--port", type=int, default=8545, show_default=True)
@handle_errors
def node(port: int) -> None:
    """Run the project's devnet (anvil, state kept in .govchain/local) in the foreground."""
    from govchain.chain import forget_node, serve_node

    project = _project()
    anvil = serve_node(project, port)
    click.echo(f"devnet (anvil, chain id 31337) at {anvil.url}, pid {anvil.pid}; Ctrl-C to stop")
    try:
        _wait_for_interrupt(anvil.process)
    finally:
        anvil.stop()
        forget_node(project)
        click.echo("devnet stopped; state saved")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _wait_for_interrupt(process: Any) -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the devnet as cleanly as Ctrl-C
    with contextlib.suppress(KeyboardInterrupt):
        process.wait()


@main.command()
@network_option
@account_option
@click.option("--redeploy", multiple=True, metavar="NAME", help="Deploy a new instance of NAME.")
@click.option("--reset", is_flag=True, help="Discard a stale record and deploy afresh.")
@handle_errors
def deploy(network: str, account: str | None, redeploy: tuple[str, ...], reset: bool) -> None:
    """Deploy the suite configured in govchain.yaml and record it in deployments/."""
    from govchain.session import connect

    with connect(network, account=account, password=password_for(account)) as session:
        _deploy(session, redeploy=redeploy, reset=reset)


def _deploy(session: Any, *, redeploy: tuple[str, ...] = (), reset: bool = False) -> None:
    from govchain.deploy import deploy_suite

    outcome = deploy_suite(
        session.project, session.chain, session.sender, redeploy=redeploy, reset=reset
    )
    if not outcome.deployed:
        click.echo(
            f"Nothing to deploy: {len(outcome.unchanged)} contracts unchanged on {session.network}"
        )
    for name in outcome.deployed:
        entry = outcome.record.contracts[name]
        click.echo(
            f"deployed {name} at {entry.address} (block {entry.block_number}, tx {entry.tx_hash})"
        )
    click.echo(f"record: {outcome.path.relative_to(session.project.root)}")


@main.command()
@network_option
@account_option
@handle_errors
def status(network: str, account: str | None) -> None:
    """Show the chain, the account, and whether deployed code matches the local build."""
    from govchain.session import connect

    with connect(network, account=account, password=password_for(account)) as session:
        _status(session)


def _status(session: Any) -> None:
    from govchain.deploy import DeploymentRecord, code_matches_build, stale_reasons

    chain = session.chain
    w3 = chain.w3
    from govchain.rpc_retry import redact_url  # hosted endpoints carry API keys in the URL

    where = redact_url(chain.url) if chain.url else "in-process"
    name = redact_url(session.network) if "://" in session.network else session.network
    click.echo(f"network   {name} ({where})")
    click.echo(
        f"chain id  {chain.chain_id}, block {w3.eth.block_number}, genesis {chain.genesis_hash}"
    )
    if chain.accounts:
        balance = w3.eth.get_balance(chain.deployer.address) / 10**18
        click.echo(f"account   {chain.deployer.address} ({balance:,.4f} ETH)")
    record = DeploymentRecord.load(session.project, session.network)
    if record is None:
        click.echo("contracts none deployed (run `govchain deploy`)")
        return
    reasons = stale_reasons(record, chain)
    if reasons:
        click.secho("record    STALE: " + "; ".join(reasons), fg="red")
    ok = True
    width = max(map(len, record.contracts), default=0)
    for name, entry in record.contracts.items():
        match = code_matches_build(session.project, chain, entry)
        verdict = {
            True: "code matches build",
            False: "CODE DIFFERS FROM BUILD",
            None: "no local build",
        }[match]
        if entry.existing:
            verdict = "existing contract (not deployed by govchain)"
        ok = ok and (match is True or entry.existing)
        click.echo(f"  {name:<{width}} {entry.address}  {verdict}")
    if reasons or not ok:
        sys.exit(2)


def _status_quietly(session: Any) -> None:
    with contextlib.suppress(SystemExit):  # `up` reports a mismatch but keeps serving
        _status(session)


@main.group()
def accounts() -> None:
    """Manage encrypted keystores (~/.govchain/keystores)."""


@accounts.command("list")
@handle_errors
def accounts_list() -> None:
    """List keystores."""
    from govchain.accounts import keystore_dir, list_keystores

    entries = list_keystores()
    if not entries:
        click.echo(f"no keystores in {keystore_dir()}")
    for entry in entries:
        click.echo(f"{entry.name:<20} {entry.address}")


@accounts.command("new")
@click.argument("name")
@click.password_option(envvar="GOVCHAIN_PASSWORD", help="Keystore password.")
@handle_errors
def accounts_new(name: str, password: str) -> None:
    """Create a new random key in keystore NAME."""
    from govchain.accounts import new_keystore

    entry = new_keystore(name, password)
    click.echo(f"created {entry.name}: {entry.address} ({entry.path})")


@accounts.command("import")
@click.argument("name")
@click.option(
    "--private-key",
    prompt=True,
    hide_input=True,
    envvar="GOVCHAIN_PRIVATE_KEY",
    help="Hex private key (prompted, hidden).",
)
@click.password_option(envvar="GOVCHAIN_PASSWORD", help="Keystore password.")
@handle_errors
def accounts_import(name: str, private_key: str, password: str) -> None:
    """Import an existing private key into keystore NAME."""
    from govchain.accounts import save_keystore

    entry = save_keystore(name, private_key.strip(), password)
    click.echo(f"imported {entry.name}: {entry.address} ({entry.path})")


from govchain.cli_ballot import ballot  # noqa: E402 - subcommand groups register last
from govchain.cli_customs import customs  # noqa: E402 - subcommand groups register last
from govchain.cli_explorer import explorer  # noqa: E402 - subcommand groups register last
from govchain.cli_land import land  # noqa: E402 - subcommand groups register last
from govchain.cli_procurement import procurement  # noqa: E402 - subcommand groups register last
from govchain.cli_up import up  # noqa: E402 - subcommand groups register last
from govchain.cli_verify import verify_bundle  # noqa: E402 - subcommand groups register last
from govchain.cli_welfare import welfare  # noqa: E402 - subcommand groups register last

main.add_command(welfare)
main.add_command(procurement)
main.add_command(land)
main.add_command(customs)
main.add_command(explorer)
main.add_command(ballot)
main.add_command(up)
main.add_command(verify_bundle)

if __name__ == "__main__":
    main()
