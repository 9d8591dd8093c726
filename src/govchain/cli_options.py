"""Options and error handling shared by every ``govchain`` command group."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from govchain.errors import ConfigError, GovchainError

if TYPE_CHECKING:
    from govchain.clients.base import ContractClient

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound="ContractClient")


def network_option(func: F) -> F:
    return click.option(
        "--network",
        "-n",
        default="local",
        show_default=True,
        help="embedded, local, a name under `networks:` in govchain.yaml, or an http(s):// URL.",
    )(func)


def account_option(func: F) -> F:
    func = click.option(
        "--account",
        "-a",
        default=None,
        help="Keystore name to sign with (password from a prompt or $GOVCHAIN_PASSWORD).",
    )(func)
    return func


def password_for(account: str | None) -> str | None:
    import os

    from govchain.accounts import PASSWORD_ENV

    if account and PASSWORD_ENV not in os.environ:
        return str(click.prompt(f"Password for keystore {account!r}", hide_input=True))
    return None


def handle_errors(func: F) -> F:
    """Translate govchain errors into a message and exit code 1 (the CLI edge)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GovchainError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def signer_options(func: F) -> F:
    """--network, --account (keystore) and --dev-account (devnet key index)."""
    func = click.option(
        "--dev-account",
        type=int,
        default=None,
        metavar="N",
        help="On a devnet, sign with development account N (0-9) instead of account 0.",
    )(func)
    return network_option(account_option(func))


@contextmanager
def connected_client(
    client_type: type[C], network: str, account: str | None, dev_account: int | None
) -> Iterator[C]:
    """The deployed contract's client, signing as the chosen account.

    Reverts of views (plain eth_calls, which web3 raises undecoded) are decoded into the
    contract's named errors, as transactions' are.
    """
    from web3.exceptions import ContractLogicError

    from govchain.revert import revert_data_from_exception
    from govchain.session import connect

    with connect(network, account=account, password=password_for(account)) as session:
        client: C = client_type.connect(session)
        if dev_account is not None:
            if not session.chain.is_devnet:
                raise ConfigError("--dev-account is only for devnets; use --account NAME")
            if not 0 <= dev_account < len(session.chain.accounts):
                raise ConfigError(f"--dev-account {dev_account}: the devnet has accounts 0-9")
            client = client.as_account(session.chain.accounts[dev_account])
        try:
            yield client
        except ContractLogicError as exc:
            data = revert_data_from_exception(exc)
            if data is None:
                raise
            raise session.errors.decode(data, contract=client_type.contract_name) from None
