"""``govchain land …``: keep the land title registry from the command line.

Parcels are named by their cadastral number ("0042-17"). Prices are written in the sale token's
units with its decimals ("250000.50" for a 2-decimal token); lien amounts in the suite's
PaymentToken units. Geometries are GeoJSON files and deeds, orders and lien documents any
files: the contract records their keccak-256. Deadlines are durations from the chain's current
time ("30d"), Unix timestamps, or ISO 8601 times with a UTC offset.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
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
from govchain.clients.land import (
    HistoryEntry,
    LandClient,
    LandClientError,
    ParcelNumberError,
    ParcelSpec,
    TitleRecord,
    geometry_hash,
    parcel_id,
    parcel_number,
)
from govchain.errors import ContractError

ROLES = (
    "REGISTRAR_ROLE",
    "LENDER_ROLE",
    "COURT_ROLE",
    "PAUSER_ROLE",
    "GOVERNANCE_ROLE",
    "DEFAULT_ADMIN_ROLE",
)
GEOJSON_TYPES = frozenset(
    {
        "Feature",
        "FeatureCollection",
        "GeometryCollection",
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
    }
)
AREA = click.IntRange(1, 2**64 - 1)  # uint64 square metres
LAND_USE = click.IntRange(0, 2**16 - 1)  # uint16 code of the national classification
BPS = click.IntRange(0, 2**16 - 1)  # uint16; the contract caps it at MAX_TAX_BPS
MAX_PRICE = 2**96 - 1  # the contract stores a sale's price in a uint96
MAX_LIEN = 2**88 - 1  # and a lien's amount in a uint88
MAX_DEADLINE = 2**48 - 1  # and a deadline in a uint48


# -- parameter types ----------------------------------------------------------------------------


class ParcelType(click.ParamType):
    """A cadastral parcel number (1 to 32 ASCII characters), returned as written."""

    name = "parcel"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        try:
            parcel_id(text)
        except ParcelNumberError as exc:
            self.fail(str(exc), param, ctx)
        return text


def _geometry_hash(path: Path) -> bytes:
    """keccak-256 of a GeoJSON file's bytes as stored; ``ValueError`` if it is not GeoJSON."""
    raw = path.read_bytes()
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not GeoJSON: {exc}") from None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in GEOJSON_TYPES:
        raise ValueError(f"{path} is not GeoJSON (no geometry, Feature or FeatureCollection type)")
    return geometry_hash(raw)


class GeometryType(click.ParamType):
    """A GeoJSON file, returned as the keccak-256 of its bytes."""

    name = "geojson"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> bytes:
        if isinstance(value, bytes):
            return value
        path = DOCUMENT.convert(value, param, ctx)
        assert isinstance(path, Path)  # DOCUMENT's path_type
        try:
            return _geometry_hash(path)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class ChildType(click.ParamType):
    """``NUMBER:AREA:LANDUSE:GEOMETRY_FILE``: one part of a subdivision."""

    name = "child"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, ParcelSpec]:
        if isinstance(value, tuple):
            return value
        parts = str(value).split(":", 3)
        if len(parts) != 4:
            self.fail(f"{value!r} is not NUMBER:AREA:LANDUSE:GEOMETRY_FILE", param, ctx)
        number, area, land_use, geometry = parts
        number = PARCEL.convert(number, param, ctx)
        square_metres = AREA.convert(area, param, ctx)
        code = LAND_USE.convert(land_use, param, ctx)
        return number, ParcelSpec(GEOMETRY.convert(geometry, param, ctx), square_metres, code)


@dataclass(frozen=True)
class CaseReference:
    """A court's case reference: its text if it fits in 32 bytes, else a keccak-256."""

    value: bytes
    label: str


class CaseType(click.ParamType):
    """A file (its keccak-256 is recorded) or a reference text (recorded as is if ≤ 32 bytes)."""

    name = "case"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> CaseReference:
        from eth_utils import keccak

        if isinstance(value, CaseReference):
            return value
        text = str(value)
        path = Path(text)
        if path.is_file():
            return CaseReference(document_hash(path), f"keccak-256 of {path}")
        raw = text.strip().encode()
        if not raw:
            self.fail("give a case reference or a file", param, ctx)
        if len(raw) <= 32:
            return CaseReference(raw.ljust(32, b"\x00"), repr(text.strip()))
        return CaseReference(keccak(raw), f"keccak-256 of {text.strip()!r}")


PARCEL = ParcelType()
GEOMETRY = GeometryType()
CHILD = ChildType()
CASE = CaseType()
CASE_OPTION = click.option(
    "--case",
    type=CASE,
    required=True,
    metavar="FILE|TEXT",
    help="Case reference: a file (hashed) or its text (recorded as is up to 32 bytes).",
)


# -- connection and output helpers --------------------------------------------------------------


@contextmanager
def _land(signer: Signer) -> Iterator[LandClient]:
    """The registry's client; a revert naming a parcel id names the parcel number instead."""
    try:
        with signer.client(LandClient) as client:
            yield client
    except ContractError as exc:
        if not isinstance(exc.inputs.get("parcelId"), int):
            raise
        inputs = {**exc.inputs, "parcelId": parcel_number(exc.inputs["parcelId"])}
        raise type(exc)(inputs, contract=exc.contract, tx_hash=exc.tx_hash, data=exc.data) from exc


def _units(client: LandClient, token: str | None = None) -> TokenUnits:
    """Units of ``token``, by default the suite's PaymentToken (also the unit of liens)."""
    return TokenUnits.of(client, token or client.session.record().address("PaymentToken"))


def _amount(units: TokenUnits, text: str, option: str, maximum: int) -> int:
    amount = units.parse(text, option)
    if amount == 0:
        raise click.BadParameter("must be more than zero", param_hint=option)
    if amount > maximum:
        raise click.BadParameter(
            f"{text.strip()} is more than the registry can record ({units.format(maximum)})",
            param_hint=option,
        )
    return amount


def _deadline(when: When, now: int) -> int:
    deadline = when.resolve(now)
    if not 0 < deadline <= MAX_DEADLINE:
        raise click.BadParameter(
            f"{deadline} is not a time the registry can record", param_hint="--deadline"
        )
    return deadline


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _case_text(reference: bytes) -> str:
    """A case reference recorded as text, else its hex."""
    text = reference.rstrip(b"\x00")
    if text and b"\x00" not in text and text.isascii() and text.decode().isprintable():
        return repr(text.decode())
    return "0x" + reference.hex()


def _utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@click.group()
def land() -> None:
    """Land titles: registration, sales, liens, court orders, subdivision, chain of title."""


# -- registration (REGISTRAR) -------------------------------------------------------------------


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@click.option("--owner", type=ADDRESS, required=True, help="The first registered owner.")
@click.option("--geometry", type=GEOMETRY, required=True, help="GeoJSON file; hashed.")
@click.option("--area", type=AREA, required=True, metavar="M2", help="Area in square metres.")
@click.option("--land-use", type=LAND_USE, required=True, metavar="CODE", help="Land-use code.")
@click.option("--deed", type=DOCUMENT, required=True, help="The deed; hashed.")
@handle_errors
def register(
    signer: Signer, parcel: str, owner: str, geometry: bytes, area: int, land_use: int, deed: Path
) -> None:
    """Register the title of PARCEL for the first time (REGISTRAR)."""
    with _land(signer) as client:
        receipt = client.register(
            parcel, owner, ParcelSpec(geometry, area, land_use), document_hash(deed)
        )
        announce(
            receipt, f"parcel {parcel} registered to {owner} ({area:,} m², land use {land_use})"
        )


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@click.option(
    "--child",
    "children",
    type=CHILD,
    multiple=True,
    required=True,
    metavar="NUMBER:AREA:LANDUSE:GEOMETRY_FILE",
    help="One per part; the areas must add up to the parcel's.",
)
@click.option("--deed", type=DOCUMENT, required=True, help="The deed of subdivision; hashed.")
@handle_errors
def subdivide(
    signer: Signer, parcel: str, children: tuple[tuple[str, ParcelSpec], ...], deed: Path
) -> None:
    """Split PARCEL into parts owned by its owner; PARCEL is retired (REGISTRAR)."""
    with _land(signer) as client:
        receipt = client.subdivide(parcel, children, document_hash(deed))
        parts = ", ".join(f"{number} ({spec.area:,} m²)" for number, spec in children)
        announce(receipt, f"parcel {parcel} subdivided into {parts}")


@land.command()
@signed
@click.argument("parcels", type=PARCEL, nargs=-1, required=True, metavar="PARCEL PARCEL...")
@click.option("--into", "child", type=PARCEL, required=True, metavar="NUMBER", help="New parcel.")
@click.option("--area", type=AREA, required=True, metavar="M2", help="The parcels' total area.")
@click.option("--land-use", type=LAND_USE, required=True, metavar="CODE", help="Land-use code.")
@click.option("--geometry", type=GEOMETRY, required=True, help="GeoJSON file; hashed.")
@click.option("--deed", type=DOCUMENT, required=True, help="The deed of merger; hashed.")
@handle_errors
def merge(
    signer: Signer,
    parcels: tuple[str, ...],
    child: str,
    area: int,
    land_use: int,
    geometry: bytes,
    deed: Path,
) -> None:
    """Merge parcels of one owner into one; they are retired (REGISTRAR)."""
    with _land(signer) as client:
        receipt = client.merge(
            parcels, child, ParcelSpec(geometry, area, land_use), document_hash(deed)
        )
        announce(receipt, f"parcels {', '.join(parcels)} merged into {child} ({area:,} m²)")


# -- sales (OWNER, BUYER, REGISTRAR) ------------------------------------------------------------


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@click.option("--buyer", type=ADDRESS, required=True, help="The only account that may accept.")
@click.option("--price", required=True, metavar="AMOUNT", help="In the token's units.")
@click.option("--token", type=ADDRESS, default=None, help="Payment token (default: PaymentToken).")
@click.option("--deadline", type=WHEN, required=True, help="e.g. 30d, a Unix time, ISO 8601.")
@handle_errors
def offer(
    signer: Signer, parcel: str, buyer: str, price: str, token: str | None, deadline: When
) -> None:
    """Offer your PARCEL to a named buyer, replacing any earlier offer (OWNER)."""
    with _land(signer) as client:
        units = _units(client, token)
        amount = _amount(units, price, "--price", MAX_PRICE)
        now = chain_now(client)
        receipt = client.offer_sale(parcel, buyer, units.address, amount, _deadline(deadline, now))
        offered = receipt.event("SaleOffered")
        lines = [
            f"parcel {parcel} offered to {buyer} for {units.format(amount)} "
            f"until {moment(offered['deadline'], now)}"
        ]
        if client.sale_approval_required():
            lines.append("  the registrar must approve the sale before the buyer can accept it")
        announce(receipt, *lines)


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@click.option("--deed", type=DOCUMENT, required=True, help="The deed of sale; hashed.")
@click.option(
    "--price", default=None, metavar="AMOUNT", help="The price you agreed to (default: offer's)."
)
@click.option(
    "--token", type=ADDRESS, default=None, help="The token you agreed to (default: offer's)."
)
@handle_errors
def accept(signer: Signer, parcel: str, deed: Path, price: str | None, token: str | None) -> None:
    """Pay for PARCEL and take its title in one transaction (the named BUYER).

    The payment is approved first. With --price/--token, the sale goes through only on those
    terms: an offer changed in the meantime is refused.
    """
    with _land(signer) as client:
        sale = client.title(parcel).sale
        if sale is None:
            raise LandClientError(f"parcel {parcel} has no open sale")
        units = _units(client, token or sale.token)
        expected = None if price is None else _amount(units, price, "--price", MAX_PRICE)
        receipt = client.accept_sale(
            parcel, document_hash(deed), price=expected, token=units.address
        )
        sold = receipt.event("SaleCompleted")
        announce(
            receipt,
            f"parcel {parcel} bought by {sold['buyer']} for {units.format(sold['price'])}",
            f"  {units.format(sold['price'] - sold['tax'])} to the seller {sold['seller']}, "
            f"{units.format(sold['tax'])} transfer tax",
        )


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@handle_errors
def withdraw(signer: Signer, parcel: str) -> None:
    """Withdraw the open offer of your PARCEL (OWNER)."""
    with _land(signer) as client:
        announce(client.withdraw_sale(parcel), f"the offer of parcel {parcel} is withdrawn")


@land.command("approve-sale")
@signed
@click.argument("parcel", type=PARCEL)
@handle_errors
def approve_sale(signer: Signer, parcel: str) -> None:
    """Approve the open sale of PARCEL, when sales need approval (REGISTRAR)."""
    with _land(signer) as client:
        announce(client.approve_sale(parcel), f"the sale of parcel {parcel} is approved")


# -- liens (LENDER, REGISTRAR) ------------------------------------------------------------------


@land.group()
def lien() -> None:
    """Mortgages and other charges: a title with an active lien cannot be sold or split."""


@lien.command("record")
@signed
@click.argument("parcel", type=PARCEL)
@click.option("--amount", required=True, metavar="AMOUNT", help="In PaymentToken units.")
@click.option("--document", type=DOCUMENT, required=True, help="The charge; hashed.")
@click.option(
    "--holder", type=ADDRESS, default=None, help="Lienholder (default: you; others: REGISTRAR)."
)
@handle_errors
def lien_record(
    signer: Signer, parcel: str, amount: str, document: Path, holder: str | None
) -> None:
    """Record a lien on PARCEL (LENDER for itself, or REGISTRAR for any holder)."""
    with _land(signer) as client:
        units = _units(client)
        receipt = client.record_lien(
            parcel, _amount(units, amount, "--amount", MAX_LIEN), document_hash(document), holder
        )
        recorded = receipt.event("LienRecorded")
        announce(
            receipt,
            f"lien {recorded['lienId']} of {units.format(recorded['amount'])} recorded on "
            f"parcel {parcel} for {recorded['holder']}",
        )


@lien.command("release")
@signed
@click.argument("parcel", type=PARCEL)
@click.argument("lien_id", type=click.IntRange(1), metavar="LIEN_ID")
@handle_errors
def lien_release(signer: Signer, parcel: str, lien_id: int) -> None:
    """Release lien LIEN_ID on PARCEL (its HOLDER)."""
    with _land(signer) as client:
        announce(
            client.release_lien(parcel, lien_id), f"lien {lien_id} on parcel {parcel} released"
        )


# -- court orders (COURT) -----------------------------------------------------------------------


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@CASE_OPTION
@handle_errors
def freeze(signer: Signer, parcel: str, case: CaseReference) -> None:
    """Freeze PARCEL: no sale, subdivision or merge until the freeze is lifted (COURT)."""
    with _land(signer) as client:
        announce(client.freeze(parcel, case.value), f"parcel {parcel} frozen (case {case.label})")


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@CASE_OPTION
@handle_errors
def unfreeze(signer: Signer, parcel: str, case: CaseReference) -> None:
    """Lift the freeze on PARCEL (COURT)."""
    with _land(signer) as client:
        announce(
            client.unfreeze(parcel, case.value), f"parcel {parcel} unfrozen (case {case.label})"
        )


@land.command("forced-transfer")
@signed
@click.argument("parcel", type=PARCEL)
@click.option("--to", "recipient", type=ADDRESS, required=True, help="The new owner.")
@click.option("--order", type=DOCUMENT, required=True, help="The court order; hashed.")
@handle_errors
def forced_transfer(signer: Signer, parcel: str, recipient: str, order: Path) -> None:
    """Transfer PARCEL by court order, frozen or not; its liens stay attached (COURT)."""
    with _land(signer) as client:
        receipt = client.forced_transfer(parcel, recipient, document_hash(order))
        moved = receipt.event("ForcedTransfer")
        announce(
            receipt,
            f"parcel {parcel} transferred by court order from {moved['from']} to {moved['to']}",
        )


# -- governance (GOVERNANCE) --------------------------------------------------------------------


@land.command("set-tax")
@signed
@click.option("--treasury", type=ADDRESS, required=True, help="Receives the tax.")
@click.option("--bps", type=BPS, required=True, metavar="N", help="Basis points of the price.")
@handle_errors
def set_tax(signer: Signer, treasury: str, bps: int) -> None:
    """Set the transfer tax taken out of every sale (GOVERNANCE)."""
    with _land(signer) as client:
        announce(
            client.set_transfer_tax(treasury, bps),
            f"transfer tax {bps / 100:.2f}% ({bps} bps), paid to {treasury}",
        )


@land.command("require-approval")
@signed
@click.argument("setting", type=click.Choice(["on", "off"]))
@handle_errors
def require_approval(signer: Signer, setting: str) -> None:
    """Whether every sale needs the registrar's approval before acceptance (GOVERNANCE)."""
    with _land(signer) as client:
        receipt = client.set_sale_approval_required(setting == "on")
        needed = "need" if setting == "on" else "no longer need"
        announce(receipt, f"sales {needed} the registrar's approval")


@land.command()
@signed
@click.argument("role", type=click.Choice(ROLES, case_sensitive=False), metavar="ROLE")
@click.argument("address", type=ADDRESS)
@handle_errors
def grant(signer: Signer, role: str, address: str) -> None:
    """Grant ROLE on the land registry to ADDRESS (GOVERNANCE).

    ROLE: REGISTRAR_ROLE, LENDER_ROLE, COURT_ROLE, PAUSER_ROLE (granted by GOVERNANCE), or
    GOVERNANCE_ROLE, DEFAULT_ADMIN_ROLE (granted by DEFAULT_ADMIN).
    """
    with _land(signer) as client:
        announce(client.grant_role(role, address))


# -- views --------------------------------------------------------------------------------------


@land.command()
@signed
@click.argument("parcel", type=PARCEL)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def show(signer: Signer, parcel: str, as_json: bool) -> None:
    """The title of PARCEL today: owner, record, liens, open sale, lineage."""
    with _land(signer) as client:
        record = client.title(parcel)
        liens = [client.lien(parcel, lien_id) for lien_id in record.active_liens]
        lien_units = _units(client)
        sale_units = None if record.sale is None else _units(client, record.sale.token)
        approval = client.sale_approval_required()
        now = chain_now(client)
    if as_json:
        document = _title_json(record)
        document["liens"] = [
            {"id": lien.lien_id, "holder": lien.holder, "amount": lien.amount} for lien in liens
        ]
        document["lien_token"] = lien_units.address
        if document["sale"] is not None:
            document["sale"]["approval_required"] = approval
        click.echo(json.dumps(document, indent=2))
        return
    owner = record.owner or "none (retired)"
    rows: list[tuple[str, str]] = [
        ("status", record.status),
        ("owner", owner),
        ("area", f"{record.area:,} m²"),
        ("land use", str(record.land_use)),
        ("frozen", "YES, by a court" if record.frozen else "no"),
        ("geometry", "0x" + record.geometry_hash.hex()),
        ("deed", "0x" + record.deed_hash.hex()),
        ("parents", ", ".join(record.parents) or "-"),
        ("children", ", ".join(record.children) or "-"),
    ]
    click.echo(f"parcel {record.number}")
    for label, value in rows:
        click.echo(f"  {label:<10} {value}")
    click.echo(f"liens: {len(liens) or 'none'}")
    for entry in liens:
        click.echo(f"  lien {entry.lien_id}: {lien_units.format(entry.amount)} to {entry.holder}")
    sale = record.sale
    if sale is None or sale_units is None:
        click.echo("sale: none open")
        return
    if sale.approved:
        state = "approved by the registrar"
    elif approval:
        state = "awaiting the registrar's approval"
    else:
        state = "no approval needed"
    expired = " (EXPIRED)" if sale.deadline < now else ""
    click.echo(f"sale: to {sale.buyer} for {sale_units.format(sale.price)}, {state}")
    click.echo(f"  until {moment(sale.deadline, now)}{expired}")


def _title_json(record: TitleRecord) -> dict[str, Any]:
    sale = record.sale
    return {
        "number": record.number,
        "parcel_id": str(record.parcel_id),
        "status": record.status,
        "owner": record.owner,
        "area": record.area,
        "land_use": record.land_use,
        "frozen": record.frozen,
        "geometry_hash": "0x" + record.geometry_hash.hex(),
        "deed_hash": "0x" + record.deed_hash.hex(),
        "active_liens": record.active_liens,
        "sale": None
        if sale is None
        else {
            "buyer": sale.buyer,
            "token": sale.token,
            "price": sale.price,
            "deadline": sale.deadline,
            "approved": sale.approved,
        },
        "parents": record.parents,
        "children": record.children,
    }


@land.command("title-history")
@signed
@click.argument("parcel", type=PARCEL)
@click.option(
    "--ancestors/--no-ancestors",
    default=True,
    show_default=True,
    help="Start with the history of the parcels PARCEL was subdivided or merged from.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def title_history(signer: Signer, parcel: str, ancestors: bool, as_json: bool) -> None:
    """The chain of title of PARCEL from the registry's events, oldest first."""
    with _land(signer) as client:
        client.title(parcel)  # an unknown parcel is an error, not an empty history
        entries = client.title_history(parcel, ancestors=ancestors)
        units: dict[str, TokenUnits] = {}

        def units_of(token: str | None) -> TokenUnits:
            key = token or ""
            if key not in units:
                units[key] = _units(client, token)
            return units[key]

        described = [(entry, _describe(entry, units_of)) for entry in entries]
    if as_json:
        rows = [
            {
                "parcel": entry.parcel,
                "event": entry.event,
                "block_number": entry.block_number,
                "tx_hash": entry.tx_hash,
                "log_index": entry.log_index,
                "description": text,
                "args": _jsonable(entry.args),
            }
            for entry, text in described
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    lineage = " and the parcels it came from" if ancestors else ""
    click.echo(f"chain of title of parcel {parcel}{lineage}, oldest first:")
    previous = None
    for entry, text in described:
        if entry.tx_hash != previous:  # one heading per transaction (a subdivision has several)
            click.echo(f"  block {entry.block_number}, tx {entry.tx_hash}")
            previous = entry.tx_hash
        click.echo(f"    {text}")


def _describe(entry: HistoryEntry, units_of: Callable[[str | None], TokenUnits]) -> str:
    """The client's plain words, with amounts in token units and case references shown."""
    a = entry.args
    if entry.event == "SaleOffered":
        return (
            f"{_short(a['seller'])} offered parcel {entry.parcel} to {_short(a['buyer'])} for "
            f"{units_of(a['token']).format(a['price'])} until {_utc(a['deadline'])}"
        )
    if entry.event == "SaleCompleted":
        units = units_of(a["token"])
        return (
            f"sold parcel {entry.parcel} from {_short(a['seller'])} to {_short(a['buyer'])} "
            f"for {units.format(a['price'])} (tax {units.format(a['tax'])})"
        )
    if entry.event == "LienRecorded":
        return (
            f"lien {a['lienId']} of {units_of(None).format(a['amount'])} recorded on "
            f"{entry.parcel} for {_short(a['holder'])}"
        )
    if entry.event in ("TitleFrozen", "TitleUnfrozen"):
        return f"{entry.description} (case {_case_text(bytes(a['caseReference']))})"
    return entry.description
