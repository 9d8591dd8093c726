"""``govchain customs …``: run the customs office from the command line.

Tariff rates are in basis points (``500`` = 5.00%). Amounts (duties, VAT, escrows, the refund
pool) are written in the payment token's units with its decimals ("25000.00" for a 2-decimal
token) and scaled exactly. Times are durations from the chain's current time ("7d"), Unix
timestamps, or ISO 8601 times with a UTC offset.

Declaration files are JSON (see ``govchain customs --help``): customs values are strings in
token units ("25000.00"), or integers of the smallest unit when the file says
``"value_units": "smallest"`` (the Python client's ``load_declaration`` reads plain integers
as smallest units, so a bare JSON number is refused as ambiguous). Malformed tariff CSVs and
declaration files raise :class:`CustomsInputError` naming the file and row: exit status 1.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from govchain.cli_options import (
    ADDRESS,
    DOCUMENT,
    WHEN,
    Signer,
    TokenUnits,
    When,
    announce,
    chain_now,
    document_hash,
    handle_errors,
    moment,
    signed,
)
from govchain.clients.customs import (
    APPEAL_STATUS,
    BPS,
    DECLARATION_STATUS,
    ESCROW_STATUS,
    CustomsClient,
    CustomsInputError,
    DeclarationLine,
    DeclarationRecord,
    StatementEntry,
    TariffLine,
    load_tariff_csv,
)
from govchain.errors import ContractError
from govchain.revert import contract_error

ROLES = (
    "TARIFF_AUTHORITY_ROLE",
    "TRADER_REGISTRAR_ROLE",
    "CUSTOMS_OFFICER_ROLE",
    "APPEALS_OFFICER_ROLE",
    "PAUSER_ROLE",
    "GOVERNANCE_ROLE",
    "DEFAULT_ADMIN_ROLE",
)
MIN_HS, MAX_HS = 10_000, 999_999  # six digits, as the contract checks (leading zero allowed)
HS_CODE = click.IntRange(MIN_HS, MAX_HS)
ORIGIN = click.IntRange(1, 999)  # ISO 3166-1 numeric
RATE = click.IntRange(0, 2**16 - 1)  # uint16 basis points
REASON = click.IntRange(0, 2**16 - 1)  # uint16 reason code
DECLARATION_ID = click.IntRange(1, 2**256 - 1)
ESCROW_ID = click.IntRange(1, 2**256 - 1)
MAX_AMOUNT = 2**96 - 1  # the contract stores values, duties, VAT and escrows in uint96
MAX_RATE_TIME = 2**32 - 1  # the schedule's checkpoints are keyed by uint32 times
MAX_DEADLINE = 2**48 - 1
MAX_LINES = 50  # Customs.MAX_LINES
VALUE_UNITS = ("token", "smallest")

# Enum arguments of the contract's errors, shown by name rather than number.
_ENUM_INPUTS = {
    "CustomsWrongStatus": ("status", DECLARATION_STATUS),
    "CustomsNotReleased": ("status", DECLARATION_STATUS),
    "CustomsEscrowClosed": ("status", ESCROW_STATUS),
    "CustomsAppealExists": ("appeal", APPEAL_STATUS),
}


# -- connection and output helpers --------------------------------------------------------------


def _role_names() -> dict[bytes, str]:
    from eth_utils import keccak

    return {
        (b"\x00" * 32 if role == "DEFAULT_ADMIN_ROLE" else keccak(text=role)): role
        for role in ROLES
    }


def _named(exc: ContractError) -> dict[str, Any] | None:
    """The error's inputs with enum values and role ids by name, or ``None`` if none changes."""
    inputs = dict(exc.inputs)
    enum = _ENUM_INPUTS.get(exc.error_name)
    if enum is not None:
        key, names = enum
        value = inputs.get(key)
        if isinstance(value, int) and 0 <= value < len(names):
            inputs[key] = names[value]
    role = inputs.get("neededRole")
    if isinstance(role, bytes) and role in _role_names():
        inputs["neededRole"] = _role_names()[role]
    return inputs if inputs != exc.inputs else None


@contextmanager
def _customs(signer: Signer) -> Iterator[CustomsClient]:
    """The Customs client; reverts name statuses and roles rather than numbers and hashes."""
    try:
        with signer.client(CustomsClient) as client:
            yield client
    except ContractError as exc:
        inputs = _named(exc)
        if inputs is None:
            raise
        raise type(exc)(inputs, contract=exc.contract, tx_hash=exc.tx_hash, data=exc.data) from exc


def _refusal(name: str, **inputs: Any) -> ContractError:
    """The error the contract would revert with, raised before an approval is sent for nothing."""
    return contract_error(name)(inputs, contract=CustomsClient.contract_name)


def _units(client: CustomsClient) -> TokenUnits:
    """Units of the token duties, VAT, refunds and escrows are paid in."""
    return TokenUnits.of(client, str(client.contract.functions.paymentToken().call()))


def _check_funds(client: CustomsClient, units: TokenUnits, amount: int) -> None:
    """Refuse, as the token would, an amount the signer does not hold, before approving it."""
    me = client.sender.address
    token = client.session.contract("PaymentToken", units.address)
    held = int(token.functions.balanceOf(me).call())
    if held < amount:
        raise contract_error("ERC20InsufficientBalance")(
            {"sender": me, "balance": held, "needed": amount}, contract=units.symbol
        )


def _amount(units: TokenUnits, text: str, option: str, *, zero: bool = False) -> int:
    amount = units.parse(text, option)
    if amount == 0 and not zero:
        raise click.BadParameter("must be more than zero", param_hint=option)
    if amount > MAX_AMOUNT:
        raise click.BadParameter(
            f"{text.strip()} is more than customs can record ({units.format(MAX_AMOUNT)})",
            param_hint=option,
        )
    return amount


def _assessment_amounts(units: TokenUnits, duty: str, vat: str) -> tuple[int, int]:
    """--duty and --vat of a new assessment (zero allowed)."""
    return _amount(units, duty, "--duty", zero=True), _amount(units, vat, "--vat", zero=True)


def _rate_time(when: When, now: int, option: str) -> int:
    moment_ = when.resolve(now)
    if not 0 < moment_ <= MAX_RATE_TIME:
        raise click.BadParameter(
            f"{moment_} is not a time the schedule can record", param_hint=option
        )
    return moment_


def _rate_moment(client: CustomsClient, when: When | None, option: str) -> tuple[int, int]:
    """The chain's current time, and ``when`` as a time the schedule can record (default: now)."""
    now = chain_now(client)
    return now, (now if when is None else _rate_time(when, now, option))


def _rate(bps: int) -> str:
    return f"{bps / 100:.2f}% ({bps} bps)"


def _hs(code: int) -> str:
    return f"{code:06d}"


def _origin(origin: int | None) -> str:
    return "all origins" if origin is None else f"origin {origin:03d}"


def _line_vat(line: DeclarationLine, duty: int, vat_bps: int) -> int:
    """The contract's VAT of one line: floor((customs value + duty) × VAT rate / 10,000)."""
    return (line.customs_value + duty) * vat_bps // BPS


def _assessment_json(
    lines: Sequence[DeclarationLine],
    rates: Sequence[int],
    preferential: Sequence[bool],
    duties: Sequence[int],
    vat_bps: int,
) -> list[dict[str, Any]]:
    return [
        {
            **asdict(line),
            "rate_bps": rate,
            "preferential": pref,
            "duty": duty,
            "vat": _line_vat(line, duty, vat_bps),
        }
        for line, rate, pref, duty in zip(lines, rates, preferential, duties, strict=True)
    ]


def _echo_assessment(rows: list[dict[str, Any]], vat_bps: int, units: TokenUnits) -> None:
    """Per line: HS code, origin, value, rate, duty, VAT; then the totals and what is due."""
    header = f"  {'#':>2}  {'HS':<6}  {'ORIGIN':<6}  {'QTY':>6}  {'CUSTOMS VALUE':>18}  "
    click.echo(header + f"{'RATE':<19}  {'DUTY':>16}  {'VAT':>16}")
    for number, row in enumerate(rows, start=1):
        rate = f"{row['rate_bps'] / 100:.2f}%" + (" preferential" if row["preferential"] else "")
        click.echo(
            f"  {number:>2}  {_hs(row['hs_code']):<6}  {row['origin']:03d}     "
            f"{row['quantity']:>6}  {units.format(row['customs_value']):>18}  {rate:<19}  "
            f"{units.format(row['duty']):>16}  {units.format(row['vat']):>16}"
        )
    duty, vat = sum(r["duty"] for r in rows), sum(r["vat"] for r in rows)
    click.echo(f"  duty  {units.format(duty)}")
    click.echo(f"  VAT   {units.format(vat)} at {_rate(vat_bps)}")
    click.echo(f"  total {units.format(duty + vat)}")


def _preferential(client: CustomsClient, lines: Sequence[DeclarationLine], at: int) -> list[bool]:
    """Whether each line's rate at ``at`` is a preferential one (one lookup per HS and origin)."""
    flags: dict[tuple[int, int], bool] = {}
    for line in lines:
        key = (line.hs_code, line.origin)
        if key not in flags:
            flags[key] = client.duty_rate(line.hs_code, line.origin, at)[1]
    return [flags[(line.hs_code, line.origin)] for line in lines]


def _token_json(units: TokenUnits) -> dict[str, Any]:
    return {"address": units.address, "symbol": units.symbol, "decimals": units.decimals}


def _announce_assessed(
    client: CustomsClient,
    receipt: Any,
    lines: list[DeclarationLine],
    units: TokenUnits,
    heading: str,
) -> None:
    """``heading``, the assessment the contract made (its event) line by line, the receipt."""
    click.echo(heading)
    assessed = receipt.event("DeclarationAssessed")
    declaration_id = int(assessed["declarationId"])
    filed_at = client.declaration(declaration_id).filed_at
    vat_bps = client.vat_rate(filed_at)
    rows = _assessment_json(
        lines,
        [int(r) for r in assessed["rates"]],
        _preferential(client, lines, filed_at),
        [int(d) for d in assessed["lineDuties"]],
        vat_bps,
    )
    _echo_assessment(rows, vat_bps, units)
    if sum(r["vat"] for r in rows) != assessed["vat"]:  # the formula is the contract's
        click.secho(f"warning: the contract assessed VAT {assessed['vat']}", fg="yellow", err=True)
    announce(receipt, f"  due   {units.format(int(assessed['duty']) + int(assessed['vat']))}")


# -- input files --------------------------------------------------------------------------------


def _integer(value: Any, where: str, key: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool):
        raise CustomsInputError(f"{where}: {key} must be an integer, not {value!r}")
    if not low <= value <= high:
        raise CustomsInputError(f"{where}: {key} {value} is not between {low} and {high}")
    return value


def _customs_value(value: Any, mode: str, units: TokenUnits, where: str) -> int:
    if mode == "smallest":
        return _integer(value, where, "customs_value (smallest units)", 1, MAX_AMOUNT)
    if not isinstance(value, str):
        raise CustomsInputError(
            f"{where}: customs_value must be a string of {units.symbol} units such as "
            f'"25000.00", not {value!r}; for integers in smallest units set '
            '"value_units": "smallest"'
        )
    try:
        amount = units.parse(value, "customs_value")
    except click.BadParameter as exc:
        raise CustomsInputError(f"{where}: customs_value: {exc.message}") from None
    if not 0 < amount <= MAX_AMOUNT:
        raise CustomsInputError(
            f"{where}: customs_value {value} must be more than zero and at most "
            f"{units.format(MAX_AMOUNT)}"
        )
    return amount


def _read_declaration(path: Path, units: TokenUnits) -> list[DeclarationLine]:
    """The lines of a declaration file (see the module's help); errors name the file and line."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError) as exc:
        raise CustomsInputError(f"{path}: cannot read the declaration ({exc})") from None
    except json.JSONDecodeError as exc:
        raise CustomsInputError(
            f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        raise CustomsInputError(f'{path}: a declaration is {{"lines": [...], ...}}')
    mode = data.get("value_units", "token")
    if mode not in VALUE_UNITS:
        raise CustomsInputError(f'{path}: "value_units" is "token" (default) or "smallest"')
    items = data["lines"]
    if not 1 <= len(items) <= MAX_LINES:
        raise CustomsInputError(
            f"{path}: a declaration has 1 to {MAX_LINES} lines, not {len(items)}"
        )
    lines = []
    for index, item in enumerate(items):
        where = f"{path}: declaration line {index + 1} (lines[{index}])"
        if not isinstance(item, dict):
            raise CustomsInputError(f"{where}: expected an object with hs_code, origin, ...")
        missing = [key for key in ("hs_code", "origin", "customs_value") if key not in item]
        if missing:
            raise CustomsInputError(f"{where}: missing {', '.join(missing)}")
        lines.append(
            DeclarationLine(
                hs_code=_integer(item["hs_code"], where, "hs_code", MIN_HS, MAX_HS),
                origin=_integer(item["origin"], where, "origin", 1, 999),
                customs_value=_customs_value(item["customs_value"], mode, units, where),
                quantity=_integer(item.get("quantity", 0), where, "quantity", 0, 2**64 - 1),
            )
        )
    return lines


def _tariff_rows(path: Path) -> list[int]:
    """The CSV row number of each tariff line ``load_tariff_csv`` returns, in the same order."""
    numbers = []
    with open(path, newline="", encoding="utf-8-sig") as handle:  # as load_tariff_csv
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or row[0].strip().startswith("#"):
                continue
            if number == 1 and not row[0].strip().isdigit():
                continue  # header
            numbers.append(number)
    return numbers


def _read_tariff(path: Path, now: int) -> list[TariffLine]:
    """The schedule of a tariff CSV, checked row by row, ordered by the time each takes effect."""
    try:
        lines = load_tariff_csv(path)
        rows = _tariff_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CustomsInputError(f"{path}: cannot read the tariff ({exc})") from None
    if not lines:
        raise CustomsInputError(f"{path}: no tariff lines")
    seen: dict[tuple[int, int | None, int], int] = {}
    for line, number in zip(lines, rows, strict=True):
        where = f"{path}:{number}"
        if not MIN_HS <= line.hs_code <= MAX_HS:
            raise CustomsInputError(f"{where}: HS code {line.hs_code} does not have six digits")
        if line.origin is not None and not 1 <= line.origin <= 999:
            raise CustomsInputError(f"{where}: origin {line.origin} is not an ISO 3166-1 number")
        if not 0 <= line.rate_bps < 2**16:
            raise CustomsInputError(f"{where}: rate {line.rate_bps} bps is not 0 to 65535")
        if not now < line.effective_from <= MAX_RATE_TIME:
            raise CustomsInputError(
                f"{where}: effective_from {line.effective_from} must be after the chain's "
                f"current time ({now}): rates are only ever set for the future"
            )
        key = (line.hs_code, line.origin, line.effective_from)
        if key in seen:
            raise CustomsInputError(
                f"{where}: row {seen[key]} already sets HS {_hs(line.hs_code)} "
                f"({_origin(line.origin)}) from {line.effective_from}"
            )
        seen[key] = number
    # Each (HS code, origin) keeps its rates in time order: send them that way (stable sort).
    return sorted(lines, key=lambda t: t.effective_from)


def _declared(client: CustomsClient, path: Path) -> tuple[TokenUnits, list[DeclarationLine]]:
    """The payment token's units, and the lines of the declaration file at ``path`` in them."""
    units = _units(client)
    return units, _read_declaration(path, units)


@click.group()
def customs() -> None:
    """Customs: tariff schedule, traders, declarations, payment, release, appeals, escrow.

    A declaration file is JSON, for example:

    \b
    {"lines": [{"hs_code": 870380, "origin": 276,
                "customs_value": "25000.00", "quantity": 1}],
     "invoice": "INV-2026-0042"}

    customs_value is a string in the payment token's units with its decimals ("25000.00"); a
    bare JSON number is refused as ambiguous. With "value_units": "smallest" at the top level,
    customs values are integers of the token's smallest units instead (2500000 for 25,000.00
    PUB), as the Python client's load_declaration reads them. quantity is optional (0). The
    file's keccak-256 is recorded unless --document names another file. A malformed file is
    refused (exit status 1) with a message naming the file and the line.

    Tariff rates are in basis points (500 = 5.00%); amounts in token units; times are durations
    from the chain's current time (7d), Unix times or ISO 8601 times with a UTC offset.
    """


# -- tariff schedule (TARIFF AUTHORITY) ---------------------------------------------------------


@customs.group()
def tariff() -> None:
    """The tariff schedule: general and preferential duty rates and VAT, each from a time on."""


@tariff.command("load")
@signed
@click.argument("csv_file", type=DOCUMENT, metavar="FILE.csv")
@click.option("--dry-run", is_flag=True, help="Check and print the schedule; send nothing.")
@handle_errors
def tariff_load(signer: Signer, csv_file: Path, dry_run: bool) -> None:
    """Schedule every rate of a CSV in batched transactions (TARIFF AUTHORITY).

    Rows: hs_code,rate_bps,effective_from[,origin] (a header row is allowed). effective_from
    is a Unix time, an ISO 8601 date (midnight UTC) or a date-time with a UTC offset, after the
    chain's current time. A row with an origin is a preferential rate for goods from there.
    Every row is checked, naming its row, before anything is sent; the rates are sent in the
    order they take effect.
    """
    with _customs(signer) as client:
        now = chain_now(client)
        lines = _read_tariff(csv_file, now)
        receipts = [] if dry_run else client.load_schedule(lines)
        verb = "would take" if dry_run else "takes"
        click.echo(f"{len(lines)} tariff line(s) from {csv_file}; each {verb} effect:")
        for line in lines:
            click.echo(
                f"  HS {_hs(line.hs_code)}  {_origin(line.origin):<11}  "
                f"{_rate(line.rate_bps):<20} from {moment(line.effective_from, now)}"
            )
        if dry_run:
            click.echo("dry run: nothing sent")
            return
        blocks = sorted({r.block_number for r in receipts})
        gas = sum(r.gas_used for r in receipts)
        click.echo(
            f"{len(receipts)} transactions in block(s) {', '.join(map(str, blocks))}, gas {gas}"
        )


@tariff.command("set")
@signed
@click.argument("hs_code", type=HS_CODE, metavar="HS")
@click.argument("rate_bps", type=RATE, metavar="RATE_BPS")
@click.option("--from", "effective_from", type=WHEN, required=True, help="e.g. 30d, ISO 8601.")
@click.option("--origin", type=ORIGIN, default=None, help="A preferential rate for this origin.")
@handle_errors
def tariff_set(
    signer: Signer, hs_code: int, rate_bps: int, effective_from: When, origin: int | None
) -> None:
    """Set the duty rate of HS (six digits) from a future time (TARIFF AUTHORITY)."""
    with _customs(signer) as client:
        now, start = _rate_moment(client, effective_from, "--from")
        receipt = client.set_tariff(TariffLine(hs_code, rate_bps, start, origin))
        kind = "general" if origin is None else "preferential"
        announce(
            receipt,
            f"HS {_hs(hs_code)} ({_origin(origin)}): {kind} rate {_rate(rate_bps)} "
            f"from {moment(start, now)}",
        )


@tariff.command("vat")
@signed
@click.argument("rate_bps", type=RATE, metavar="RATE_BPS")
@click.option("--from", "effective_from", type=WHEN, required=True, help="e.g. 30d, ISO 8601.")
@handle_errors
def tariff_vat(signer: Signer, rate_bps: int, effective_from: When) -> None:
    """Set the VAT rate on customs value plus duty from a future time (TARIFF AUTHORITY)."""
    with _customs(signer) as client:
        now, start = _rate_moment(client, effective_from, "--from")
        receipt = client.set_vat_rate(rate_bps, start)
        announce(receipt, f"VAT {_rate(rate_bps)} from {moment(start, now)}")


@tariff.command("show")
@signed
@click.argument("hs_code", type=HS_CODE, metavar="HS")
@click.option("--origin", type=ORIGIN, default=None, help="Goods from this origin.")
@click.option("--at", "at", type=WHEN, default=None, help="Another time (default: now).")
@handle_errors
def tariff_show(signer: Signer, hs_code: int, origin: int | None, at: When | None) -> None:
    """The duty rate of HS (for an origin) and the VAT rate in force now or at --at."""
    with _customs(signer) as client:
        now, when = _rate_moment(client, at, "--at")
        rate, preferential = client.duty_rate(hs_code, origin or 0, when)
        vat = client.vat_rate(when)
    click.echo(f"HS {_hs(hs_code)}, {_origin(origin)}, at {moment(when, now)}:")
    kind = f"preferential rate for origin {origin:03d}" if preferential else "general rate"
    click.echo(f"  duty  {_rate(rate)}, {kind}")
    click.echo(f"  VAT   {_rate(vat)} on customs value plus duty")


# -- traders and brokers ------------------------------------------------------------------------


@customs.group()
def trader() -> None:
    """The trader registry: only registered traders may file (TRADER REGISTRAR)."""


def _trader_command(name: str, registered: bool, summary: str) -> None:
    @trader.command(name, help=summary)
    @signed
    @click.argument("address", type=ADDRESS)
    @click.option("--document", type=DOCUMENT, default=None, help="The decision; hashed.")
    @handle_errors
    def command(signer: Signer, address: str, document: Path | None) -> None:
        with _customs(signer) as client:
            announce(
                client.set_trader(address, registered, document_hash(document)),
                f"{address}: {'registered trader' if registered else 'not a trader'}",
            )


_trader_command("register", True, "Register ADDRESS as a trader (TRADER REGISTRAR).")
_trader_command(
    "deregister", False, "Deregister ADDRESS: it may file no more declarations (TRADER REGISTRAR)."
)


@customs.group()
def broker() -> None:
    """Customs brokers a trader lets pay its declarations (sign as the TRADER)."""


def _broker_command(name: str, authorized: bool, summary: str) -> None:
    @broker.command(name, help=summary)
    @signed
    @click.argument("address", type=ADDRESS)
    @handle_errors
    def command(signer: Signer, address: str) -> None:
        with _customs(signer) as client:
            receipt = client.authorize_broker(address, authorized)
            may = "may" if authorized else "may no longer"
            announce(receipt, f"{address} {may} pay the declarations of {client.sender.address}")


_broker_command("authorize", True, "Let broker ADDRESS pay your declarations (TRADER).")
_broker_command("revoke", False, "Stop broker ADDRESS paying your declarations (TRADER).")


# -- declarations (TRADER, BROKER) --------------------------------------------------------------


@customs.command()
@signed
@click.argument("declaration", type=DOCUMENT, metavar="DECLARATION.json")
@click.option("--at", "at", type=WHEN, default=None, help="Assess at another time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def preview(signer: Signer, declaration: Path, at: When | None, as_json: bool) -> None:
    """Duty and VAT of a declaration line by line, exactly as the contract would assess it.

    Nothing is sent: the rates in force now (or at --at) are read from the chain and the
    contract's formula applied, rounding down per line.

    Customs values in DECLARATION.json are strings in token units with decimals ("25000.00");
    integers of the token's smallest unit only if the file says "value_units": "smallest"
    (see `govchain customs --help`).
    """
    with _customs(signer) as client:
        units, lines = _declared(client, declaration)
        now, when = _rate_moment(client, at, "--at")
        assessment = client.preview(lines, at=when)
        vat_bps = client.vat_rate(when)
        rows = _assessment_json(
            lines,
            assessment.rates,
            _preferential(client, lines, when),
            assessment.line_duties,
            vat_bps,
        )
    if as_json:
        document = {
            "at": when,
            "token": _token_json(units),
            "vat_bps": vat_bps,
            "lines": rows,
            "duty": assessment.duty,
            "vat": assessment.vat,
            "total": assessment.total,
        }
        click.echo(json.dumps(document, indent=2))
        return
    at_time = "now" if when == now else moment(when, now)
    click.echo(f"preview of {declaration}, rates in force {at_time} (nothing sent):")
    _echo_assessment(rows, vat_bps, units)


@customs.command("file")
@signed
@click.argument("declaration", type=DOCUMENT, metavar="DECLARATION.json")
@click.option(
    "--document", type=DOCUMENT, default=None, help="Invoice etc.; hashed (default: the JSON)."
)
@handle_errors
def file_declaration(signer: Signer, declaration: Path, document: Path | None) -> None:
    """File a declaration; the contract assesses it at once (registered TRADER).

    Prints the declaration's id and the assessment line by line.

    Customs values in DECLARATION.json are strings in token units with decimals ("25000.00");
    integers of the token's smallest unit only if the file says "value_units": "smallest"
    (see `govchain customs --help`).
    """
    with _customs(signer) as client:
        units, lines = _declared(client, declaration)
        receipt = client.file(lines, document_hash(document or declaration))
        declaration_id = receipt.event("DeclarationFiled")["declarationId"]
        _announce_assessed(
            client,
            receipt,
            lines,
            units,
            f"declaration {declaration_id} filed by {client.sender.address}, assessed:",
        )


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.argument("declaration", type=DOCUMENT, metavar="DECLARATION.json")
@click.option(
    "--document", type=DOCUMENT, default=None, help="Invoice etc.; hashed (default: the JSON)."
)
@handle_errors
def amend(signer: Signer, declaration_id: int, declaration: Path, document: Path | None) -> None:
    """Replace an unpaid declaration's lines; re-assessed at its filing time's rates (TRADER).

    Customs values in DECLARATION.json are strings in token units with decimals ("25000.00");
    integers of the token's smallest unit only if the file says "value_units": "smallest"
    (see `govchain customs --help`).
    """
    with _customs(signer) as client:
        units, lines = _declared(client, declaration)
        receipt = client.amend(declaration_id, lines, document_hash(document or declaration))
        _announce_assessed(
            client, receipt, lines, units, f"declaration {declaration_id} amended, assessed:"
        )


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@handle_errors
def pay(signer: Signer, declaration_id: int) -> None:
    """Approve and pay exactly the duty and VAT due, to the treasury (TRADER or its BROKER)."""
    with _customs(signer) as client:
        record = client.declaration(declaration_id)
        me = client.sender.address
        if me != record.trader and not client.contract.functions.isBroker(record.trader, me).call():
            raise _refusal("CustomsNotAuthorizedPayer", declarationId=declaration_id, account=me)
        units = _units(client)
        _check_funds(client, units, record.due)
        receipt = client.pay(declaration_id)
        paid = receipt.event("DutyPaid")
        treasury = client.contract.functions.treasury().call()
        announce(
            receipt,
            f"declaration {declaration_id}: {units.format(paid['amount'])} paid to the treasury "
            f"{treasury} (duty {units.format(record.duty)}, VAT {units.format(record.vat)})",
        )


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.option("--document", type=DOCUMENT, required=True, help="The grounds; hashed.")
@handle_errors
def appeal(signer: Signer, declaration_id: int, document: Path) -> None:
    """Appeal a paid assessment, once (TRADER)."""
    with _customs(signer) as client:
        announce(
            client.appeal(declaration_id, document_hash(document)),
            f"appeal lodged against the assessment of declaration {declaration_id}",
        )


# -- officers (CUSTOMS OFFICER, APPEALS OFFICER) ------------------------------------------------


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.option("--reason", type=REASON, required=True, help="Reason code.")
@handle_errors
def hold(signer: Signer, declaration_id: int, reason: int) -> None:
    """Hold the goods for inspection (CUSTOMS OFFICER)."""
    with _customs(signer) as client:
        announce(
            client.hold(declaration_id, reason),
            f"declaration {declaration_id}: goods held for inspection (reason {reason})",
        )


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@handle_errors
def release(signer: Signer, declaration_id: int) -> None:
    """Release paid goods (anyone; held goods: CUSTOMS OFFICER)."""
    with _customs(signer) as client:
        announce(client.release(declaration_id), f"declaration {declaration_id}: goods released")


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.option("--reason", type=REASON, required=True, help="Reason code.")
@handle_errors
def seize(signer: Signer, declaration_id: int, reason: int) -> None:
    """Seize held goods (CUSTOMS OFFICER)."""
    with _customs(signer) as client:
        announce(
            client.seize(declaration_id, reason),
            f"declaration {declaration_id}: goods seized (reason {reason})",
        )


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.option("--duty", required=True, metavar="AMOUNT", help="The new duty, in token units.")
@click.option("--vat", required=True, metavar="AMOUNT", help="The new VAT, in token units.")
@click.option("--reason", type=REASON, required=True, help="Reason code.")
@handle_errors
def override(signer: Signer, declaration_id: int, duty: str, vat: str, reason: int) -> None:
    """Replace the assessment of an unpaid declaration (CUSTOMS OFFICER)."""
    with _customs(signer) as client:
        units = _units(client)
        new_duty, new_vat = _assessment_amounts(units, duty, vat)
        receipt = client.override_assessment(declaration_id, new_duty, new_vat, reason)
        changed = receipt.event("AssessmentOverridden")
        announce(
            receipt,
            f"declaration {declaration_id} reassessed (reason {reason}): "
            f"duty {units.format(changed['oldDuty'])} → {units.format(changed['newDuty'])}, "
            f"VAT {units.format(changed['oldVat'])} → {units.format(changed['newVat'])}",
        )


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.option("--uphold", "decision", flag_value="uphold", help="Lower the assessment; refund.")
@click.option("--dismiss", "decision", flag_value="dismiss", help="The assessment stands.")
@click.option("--duty", default=None, metavar="AMOUNT", help="With --uphold: the new duty.")
@click.option("--vat", default=None, metavar="AMOUNT", help="With --uphold: the new VAT.")
@click.option("--reason", type=REASON, default=None, help="Reason code (required to dismiss).")
@handle_errors
def decide(
    signer: Signer,
    declaration_id: int,
    decision: str | None,
    duty: str | None,
    vat: str | None,
    reason: int | None,
) -> None:
    """Decide an appeal (APPEALS OFFICER).

    --uphold --duty AMOUNT --vat AMOUNT [--reason N] lowers the assessment and refunds the
    difference from the refund pool; --dismiss --reason N lets it stand.
    """
    if decision is None:
        raise click.UsageError("give --uphold (with --duty and --vat) or --dismiss (with --reason)")
    if decision == "uphold" and (duty is None or vat is None):
        raise click.UsageError("--uphold needs the new --duty and --vat")
    if decision == "dismiss" and (duty is not None or vat is not None):
        raise click.UsageError("--dismiss leaves the assessment as it is: no --duty or --vat")
    if decision == "dismiss" and reason is None:
        raise click.UsageError("--dismiss needs a --reason")
    with _customs(signer) as client:
        units = _units(client)
        if duty is not None and vat is not None:
            new_duty, new_vat = _assessment_amounts(units, duty, vat)
            receipt = client.decide_appeal(declaration_id, True, new_duty, new_vat, reason or 0)
        else:
            receipt = client.decide_appeal(declaration_id, False, reason_code=reason or 0)
        decided = receipt.event("AppealDecided")
        if decided["upheld"]:
            trader_ = client.declaration(declaration_id).trader
            outcome = (
                f"appeal on declaration {declaration_id} upheld: duty "
                f"{units.format(decided['newDuty'])}, VAT {units.format(decided['newVat'])}; "
                f"{units.format(decided['refund'])} refunded to {trader_}"
            )
        else:
            outcome = f"appeal on declaration {declaration_id} dismissed (reason {reason})"
        announce(receipt, outcome)


@customs.group("refund-pool")
def refund_pool() -> None:
    """The pool upheld appeals are refunded from."""


@refund_pool.command("fund")
@signed
@click.argument("amount", metavar="AMOUNT")
@handle_errors
def refund_pool_fund(signer: Signer, amount: str) -> None:
    """Approve and add AMOUNT (token units) to the refund pool (anyone, usually the treasury)."""
    with _customs(signer) as client:
        units = _units(client)
        value = _amount(units, amount, "AMOUNT")
        _check_funds(client, units, value)
        receipt = client.fund_refund_pool(value)
        funded = receipt.event("RefundPoolFunded")
        announce(
            receipt,
            f"refund pool funded with {units.format(funded['amount'])}; "
            f"it holds {units.format(client.refund_pool())}",
        )


# -- trade-finance escrow -----------------------------------------------------------------------


@customs.group()
def escrow() -> None:
    """Trade-finance escrows: paid to the exporter once the goods are released."""


@escrow.command("open")
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.option("--exporter", type=ADDRESS, required=True, help="Paid when the goods are released.")
@click.option("--amount", required=True, metavar="AMOUNT", help="In token units.")
@click.option("--deadline", type=WHEN, required=True, help="Refundable after it if not released.")
@handle_errors
def escrow_open(
    signer: Signer, declaration_id: int, exporter: str, amount: str, deadline: When
) -> None:
    """Approve and escrow AMOUNT for the exporter of declaration ID's goods (the FUNDER)."""
    with _customs(signer) as client:
        units = _units(client)
        value = _amount(units, amount, "--amount")
        now = chain_now(client)
        until = deadline.resolve(now)
        if not now < until <= MAX_DEADLINE:
            raise click.BadParameter(f"{until} is not a future time", param_hint="--deadline")
        status = client.declaration(declaration_id).status
        if status in ("Released", "Seized"):
            raise _refusal("CustomsWrongStatus", declarationId=declaration_id, status=status)
        _check_funds(client, units, value)
        receipt = client.open_escrow(declaration_id, exporter, value, until)
        opened = receipt.event("EscrowOpened")
        announce(
            receipt,
            f"escrow {opened['escrowId']} opened: {units.format(opened['amount'])} for "
            f"{exporter} once declaration {declaration_id}'s goods are released",
            f"  back to {opened['funder']} if seized, or not released by",
            f"  {moment(opened['deadline'], now)}",
        )


def _settle_escrow(signer: Signer, escrow_id: int, *, refund: bool) -> None:
    """Claim (to the exporter) or refund (to the funder) an escrow, and say where it went."""
    with _customs(signer) as client:
        units = _units(client)
        receipt = client.refund_escrow(escrow_id) if refund else client.claim_escrow(escrow_id)
        settled = receipt.event("EscrowSettled")
        to = "returned to the funder" if refund else "paid to the exporter"
        announce(
            receipt, f"escrow {escrow_id}: {units.format(settled['amount'])} {to} {settled['to']}"
        )


@escrow.command("claim")
@signed
@click.argument("escrow_id", type=ESCROW_ID, metavar="ESCROW_ID")
@handle_errors
def escrow_claim(signer: Signer, escrow_id: int) -> None:
    """Pay the escrow to its exporter once the goods are released (anyone)."""
    _settle_escrow(signer, escrow_id, refund=False)


@escrow.command("refund")
@signed
@click.argument("escrow_id", type=ESCROW_ID, metavar="ESCROW_ID")
@handle_errors
def escrow_refund(signer: Signer, escrow_id: int) -> None:
    """Return the escrow to its funder: goods seized, or not released by the deadline (anyone)."""
    _settle_escrow(signer, escrow_id, refund=True)


@escrow.command("show")
@signed
@click.argument("escrow_id", type=ESCROW_ID, metavar="ESCROW_ID")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def escrow_show(signer: Signer, escrow_id: int, as_json: bool) -> None:
    """An escrow: funder, exporter, amount, deadline, status."""
    with _customs(signer) as client:
        record = client.escrow(escrow_id)
        units = _units(client)
        now = chain_now(client)
    if as_json:
        click.echo(json.dumps(asdict(record), indent=2))
        return
    click.echo(f"escrow {escrow_id} on declaration {record.declaration_id}: {record.status}")
    click.echo(f"  amount    {units.format(record.amount)}")
    click.echo(f"  funder    {record.funder}")
    click.echo(f"  exporter  {record.exporter}")
    click.echo(f"  deadline  {moment(record.deadline, now)}")


# -- views and governance -----------------------------------------------------------------------


def _declaration_json(record: DeclarationRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "trader": record.trader,
        "status": record.status,
        "paid": record.paid,
        "appeal": record.appeal,
        "filed_at": record.filed_at,
        "line_count": record.line_count,
        "duty": record.duty,
        "vat": record.vat,
        "due": record.due,
        "refunded": record.refunded,
        "document_hash": "0x" + record.document_hash.hex(),
        "lines_hash": "0x" + record.lines_hash.hex(),
    }


def _entry_json(entry: StatementEntry) -> dict[str, Any]:
    return {
        "id": entry.declaration_id,
        "status": entry.status,
        "filed_block": entry.filed_block,
        "filed_tx": entry.filed_tx,
        "duty": entry.duty,
        "vat": entry.vat,
        "paid": entry.paid,
        "refunded": entry.refunded,
        "lines": [asdict(line) for line in entry.lines],
    }


@customs.command()
@signed
@click.argument("declaration_id", type=DECLARATION_ID, metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def show(signer: Signer, declaration_id: int, as_json: bool) -> None:
    """A declaration: trader, status, assessment, payment, appeal, and its lines."""
    with _customs(signer) as client:
        record = client.declaration(declaration_id)
        entries = client.statement(record.trader).declarations
        lines = next((e.lines for e in entries if e.declaration_id == declaration_id), [])
        units = _units(client)
        now = chain_now(client)
    if as_json:
        document = _declaration_json(record)
        document["lines"] = [asdict(line) for line in lines]
        click.echo(json.dumps(document, indent=2))
        return
    rows: list[tuple[str, str]] = [
        ("trader", record.trader),
        ("status", record.status),
        ("filed", moment(record.filed_at, now)),
        ("duty", units.format(record.duty)),
        ("VAT", units.format(record.vat)),
        ("paid", "yes" if record.paid else f"no: {units.format(record.due)} due"),
        ("appeal", record.appeal),
        ("refunded", units.format(record.refunded)),
        ("document", "0x" + record.document_hash.hex()),
    ]
    click.echo(f"declaration {declaration_id}")
    for label, value in rows:
        click.echo(f"  {label:<9} {value}")
    click.echo(f"lines: {record.line_count}")
    for number, line in enumerate(lines, start=1):
        click.echo(
            f"  {number:>2}  HS {_hs(line.hs_code)}  origin {line.origin:03d}  "
            f"qty {line.quantity}  value {units.format(line.customs_value)}"
        )


@customs.command()
@signed
@click.argument("trader_address", type=ADDRESS, metavar="TRADER")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def statement(signer: Signer, trader_address: str, as_json: bool) -> None:
    """Every declaration of TRADER from the events: duty, VAT, payments and refunds."""
    with _customs(signer) as client:
        result = client.statement(trader_address)
        units = _units(client)
    entries = result.declarations
    if as_json:
        document = {
            "trader": result.trader,
            "token": _token_json(units),
            "declarations": [_entry_json(e) for e in entries],
            "total_duty": sum(e.duty for e in entries),
            "total_vat": sum(e.vat for e in entries),
            "total_paid": result.total_paid,
            "total_refunded": result.total_refunded,
        }
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(f"statement of {result.trader}: {len(entries)} declaration(s)")
    if entries:
        click.echo(
            f"  {'ID':>4}  {'STATUS':<9} {'BLOCK':>6}  {'DUTY':>18}  {'VAT':>18}  "
            f"{'PAID':>18}  {'REFUNDED':>18}"
        )
    for e in entries:
        click.echo(
            f"  {e.declaration_id:>4}  {e.status:<9} {e.filed_block:>6}  "
            f"{units.format(e.duty):>18}  {units.format(e.vat):>18}  "
            f"{units.format(e.paid):>18}  {units.format(e.refunded):>18}"
        )
    click.echo(f"  paid     {units.format(result.total_paid)}")
    click.echo(f"  refunded {units.format(result.total_refunded)}")
    click.echo(f"  net      {units.format(result.total_paid - result.total_refunded)}")


@customs.command()
@signed
@click.argument("role", type=click.Choice(ROLES, case_sensitive=False), metavar="ROLE")
@click.argument("address", type=ADDRESS)
@handle_errors
def grant(signer: Signer, role: str, address: str) -> None:
    """Grant ROLE on the customs contract to ADDRESS (GOVERNANCE).

    ROLE: TARIFF_AUTHORITY_ROLE, TRADER_REGISTRAR_ROLE, CUSTOMS_OFFICER_ROLE,
    APPEALS_OFFICER_ROLE, PAUSER_ROLE (granted by GOVERNANCE), or GOVERNANCE_ROLE,
    DEFAULT_ADMIN_ROLE (granted by DEFAULT_ADMIN).
    """
    with _customs(signer) as client:
        announce(client.grant_role(role, address))
