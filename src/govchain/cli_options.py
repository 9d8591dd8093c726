"""Options and error handling shared by every ``govchain`` command group."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from govchain.errors import GovchainError

F = TypeVar("F", bound=Callable[..., Any])


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
