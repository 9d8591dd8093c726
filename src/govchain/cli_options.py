"""Options, parameter types, output helpers and error handling shared by every command group.

Amounts are written in token units with the token's decimals ("41200.50" for a 2-decimal
token) and scaled exactly (:class:`TokenUnits`). Deadlines are durations from the chain's
current time ("7d", "1d12h"), Unix timestamps, or ISO 8601 times with a UTC offset (``WHEN``).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation, localcontext
from pathlib import Path
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


@dataclass(frozen=True)
class Signer:
    """Where a command sends and who signs: its --network, --account and --dev-account."""

    network: str
    account: str | None = None
    dev_account: int | None = None

    def client(self, client_type: type[C]) -> AbstractContextManager[C]:
        """The deployed contract's client, signing as this signer (see :func:`connected_client`)."""
        return connected_client(client_type, self.network, self.account, self.dev_account)


def signed(func: F) -> F:
    """:func:`signer_options`, handed to the command as one ``signer: Signer`` argument."""

    @functools.wraps(func)
    def wrapper(
        *args: Any, network: str, account: str | None, dev_account: int | None, **kwargs: Any
    ) -> Any:
        return func(*args, signer=Signer(network, account, dev_account), **kwargs)

    return signer_options(wrapper)  # type: ignore[return-value]


def announce(receipt: Any, *lines: str) -> None:
    """What a transaction did, in words, then its receipt line."""
    for line in lines:
        click.echo(line)
    click.echo(receipt_line(receipt))


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


# -- parameter types ----------------------------------------------------------------------------

_DURATION = re.compile(r"\+?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNIT_SECONDS = (604_800, 86_400, 3_600, 60, 1)


class AddressType(click.ParamType):
    """An Ethereum address, returned checksummed (a mixed-case one must carry a valid checksum)."""

    name = "address"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from eth_utils import is_address, to_checksum_address

        if not isinstance(value, str) or not is_address(value):
            self.fail(f"{value!r} is not an address (or its checksum is wrong)", param, ctx)
        return str(to_checksum_address(value))


def _seconds(text: str) -> int | None:
    """``"1d12h"`` → 129600; plain digits are seconds; ``None`` if ``text`` is not a duration."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        return None
    return sum(int(n or 0) * unit for n, unit in zip(match.groups(), _UNIT_SECONDS, strict=True))


class DurationType(click.ParamType):
    """Seconds, or a duration such as ``10d``, ``36h``, ``1d12h``, ``90m``, ``2w``."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        seconds = _seconds(str(value))
        if seconds is None:
            self.fail(f"{value!r} is not a duration (e.g. 10d, 36h, 1d12h, or seconds)", param, ctx)
        return seconds


@dataclass(frozen=True)
class When:
    """A deadline: ``after`` seconds from the chain's current time, or the Unix time ``at``."""

    after: int | None = None
    at: int | None = None

    def resolve(self, now: int) -> int:
        return now + self.after if self.after is not None else int(self.at or 0)


class WhenType(click.ParamType):
    """A duration from now (``7d``, ``+36h``), a Unix timestamp, or ISO 8601 with an offset."""

    name = "when"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> When:
        if isinstance(value, When):
            return value
        text = str(value).strip()
        if text.isdigit():
            return When(at=int(text))
        seconds = _seconds(text)
        if seconds is not None:
            return When(after=seconds)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a duration from now (7d, 36h), a Unix timestamp, "
                "or an ISO 8601 time (2030-07-01T12:00+02:00)",
                param,
                ctx,
            )
        if parsed.tzinfo is None:
            self.fail(
                f"{value!r} has no UTC offset: write e.g. {text}Z or {text}+02:00", param, ctx
            )
        return When(at=int(parsed.timestamp()))


ADDRESS = AddressType()
DURATION = DurationType()
WHEN = WhenType()
DOCUMENT = click.Path(exists=True, dir_okay=False, path_type=Path)


# -- token amounts ------------------------------------------------------------------------------

_EXACT = Context(prec=200)  # uint256 has 78 digits: no rounding, ever


@dataclass(frozen=True)
class TokenUnits:
    """Converts between what people write ("41200.50 PUB") and the token's integer units."""

    address: str
    symbol: str
    decimals: int

    @classmethod
    def of(cls, client: ContractClient, address: str) -> TokenUnits:
        token = client.session.contract("PaymentToken", address)
        try:
            decimals = int(token.functions.decimals().call())
            symbol = str(token.functions.symbol().call())
        except Exception as exc:  # no code, or not an ERC-20 with metadata
            raise ConfigError(f"{address} is not an ERC-20 token with decimals(): {exc}") from None
        return cls(address, symbol, decimals)

    def parse(self, text: str, option: str) -> int:
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise click.BadParameter(f"{text!r} is not an amount", param_hint=option) from None
        if not value.is_finite() or value < 0:
            raise click.BadParameter(f"{text!r} is not an amount", param_hint=option)
        with localcontext(_EXACT):
            scaled = value.scaleb(self.decimals)
            if scaled != scaled.to_integral_value():
                raise click.BadParameter(
                    f"{text.strip()} has more than {self.decimals} decimals ({self.symbol})",
                    param_hint=option,
                )
            return int(scaled)

    def format(self, units: int | None) -> str:
        if units is None:
            return "-"
        with localcontext(_EXACT):
            return f"{Decimal(units).scaleb(-self.decimals):,.{self.decimals}f} {self.symbol}"


# -- output helpers -----------------------------------------------------------------------------


def document_hash(path: Path | None) -> bytes:
    """keccak-256 of a file's bytes (zero for no file): what a contract records of a document."""
    from eth_utils import keccak

    return keccak(path.read_bytes()) if path is not None else b"\x00" * 32


def receipt_line(receipt: Any) -> str:
    names = ", ".join(sorted({e.name for e in receipt.events})) or "no events"
    return f"tx {receipt.tx_hash} (block {receipt.block_number}, gas {receipt.gas_used}): {names}"


def chain_now(client: ContractClient) -> int:
    """The latest block's timestamp: deadlines are relative to the chain's clock, not ours."""
    return int(client.session.chain.w3.eth.get_block("latest")["timestamp"])


def span(seconds: int) -> str:
    """``129600`` → ``1d 12h``."""
    if seconds < 60:
        return f"{seconds}s"
    parts = []
    for unit, label in ((86_400, "d"), (3_600, "h"), (60, "m")):
        if seconds >= unit:
            parts.append(f"{seconds // unit}{label}")
            seconds %= unit
    return " ".join(parts[:2])


def moment(timestamp: int, now: int) -> str:
    """A Unix time in UTC, and how far it is from ``now``."""
    utc = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if timestamp >= now:
        return f"{utc} (in {span(timestamp - now)})"
    return f"{utc} ({span(now - timestamp)} ago)"
