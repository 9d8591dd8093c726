"""Client of ``LandRegistry``: titles, sales with atomic payment, liens, court orders, lineage.

>>> land = LandClient.connect(govchain.connect("local"))
>>> land.as_account(registrar).register("0042-17", owner, ParcelSpec(geometry, 1_250, 110), deed)
>>> for entry in land.title_history("0042-17"):
...     print(entry.block_number, entry.tx_hash, entry.description)

Parcels are addressed by their cadastral number (``"0042-17"``); the contract's token id is
that number's bytes, left-aligned in 32 bytes (:func:`parcel_id`), so it converts both ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from govchain.clients.base import ContractClient, topic
from govchain.errors import GovchainError
from govchain.events import Event
from govchain.sender import Receipt

PARCEL_STATUS = ("None", "Live", "Retired")
ZERO_ADDRESS = "0x" + "00" * 20
HISTORY_EVENTS = (
    "ParcelRegistered",
    "ParcelDerived",
    "SaleOffered",
    "SaleWithdrawn",
    "SaleApproved",
    "SaleCompleted",
    "LienRecorded",
    "LienReleased",
    "TitleFrozen",
    "TitleUnfrozen",
    "ForcedTransfer",
    "ParcelRetired",
)


class ParcelNumberError(GovchainError, ValueError):
    """A cadastral parcel number cannot be a title id (empty, too long, or not ASCII)."""


def parcel_id(number: str | int) -> int:
    """The token id of cadastral parcel ``number`` (an ``int`` is taken as an id already)."""
    if isinstance(number, int):
        return number
    try:
        raw = number.encode("ascii")
    except UnicodeEncodeError:
        raise ParcelNumberError(f"parcel number {number!r} must be ASCII") from None
    if (
        not raw
        or len(raw) > 32
        or raw.startswith(b" ")
        or not raw.isascii()
        or not number.isprintable()
    ):
        raise ParcelNumberError(
            f"parcel number {number!r} must be 1 to 32 printable ASCII characters, "
            "not starting with a space"
        )
    return int.from_bytes(raw.ljust(32, b"\x00"), "big")


def parcel_number(parcel: int) -> str:
    """The cadastral number of token id ``parcel``."""
    return parcel.to_bytes(32, "big").rstrip(b"\x00").decode("ascii", errors="replace")


def geometry_hash(geojson: bytes | str) -> bytes:
    """keccak-256 of a GeoJSON document (bytes as stored, or its text)."""
    return keccak(geojson.encode() if isinstance(geojson, str) else geojson)


@dataclass(frozen=True)
class ParcelSpec:
    """What the registrar records: geometry hash, area in m², land-use code."""

    geometry_hash: bytes
    area: int
    land_use: int

    def as_struct(self) -> tuple[bytes, int, int]:
        return (self.geometry_hash, self.area, self.land_use)


@dataclass(frozen=True)
class SaleOffer:
    buyer: str
    token: str
    price: int
    deadline: int
    approved: bool


@dataclass(frozen=True)
class TitleRecord:
    """A title today: owner (``None`` once retired), record, open sale, liens, lineage."""

    number: str
    parcel_id: int
    owner: str | None
    status: str
    geometry_hash: bytes
    deed_hash: bytes
    area: int
    land_use: int
    frozen: bool
    active_liens: list[int]
    sale: SaleOffer | None
    parents: list[str]
    children: list[str]


@dataclass(frozen=True)
class LienRecord:
    lien_id: int
    holder: str
    amount: int
    released: bool


@dataclass(frozen=True)
class HistoryEntry:
    """One step in a chain of title, in plain words, with where to verify it."""

    parcel: str
    event: str
    block_number: int
    tx_hash: str
    log_index: int
    description: str
    args: dict[str, Any]


class LandClient(ContractClient):
    """Registration, sales, liens, court orders, subdivision and the chain of title."""

    contract_name = "LandRegistry"

    # registrar

    def register(
        self, number: str | int, owner: str, spec: ParcelSpec, deed_hash: bytes
    ) -> Receipt:
        return self._transact(
            self.contract.functions.register(parcel_id(number), owner, spec.as_struct(), deed_hash)
        )

    def subdivide(
        self,
        number: str | int,
        children: Sequence[tuple[str | int, ParcelSpec]],
        deed_hash: bytes,
    ) -> Receipt:
        """Split ``number`` into ``(child number, spec)`` parts whose areas add up to it."""
        return self._transact(
            self.contract.functions.subdivide(
                parcel_id(number),
                [parcel_id(n) for n, _ in children],
                [spec.as_struct() for _, spec in children],
                deed_hash,
            )
        )

    def merge(
        self, numbers: Sequence[str | int], child: str | int, spec: ParcelSpec, deed_hash: bytes
    ) -> Receipt:
        return self._transact(
            self.contract.functions.merge(
                [parcel_id(n) for n in numbers], parcel_id(child), spec.as_struct(), deed_hash
            )
        )

    def approve_sale(self, number: str | int) -> Receipt:
        return self._transact(self.contract.functions.approveSale(parcel_id(number)))

    # owner and buyer

    def offer_sale(
        self, number: str | int, buyer: str, token: str, price: int, deadline: int
    ) -> Receipt:
        return self._transact(
            self.contract.functions.offerSale(parcel_id(number), buyer, token, price, deadline)
        )

    def withdraw_sale(self, number: str | int) -> Receipt:
        return self._transact(self.contract.functions.withdrawSale(parcel_id(number)))

    def accept_sale(
        self,
        number: str | int,
        deed_hash: bytes,
        *,
        price: int | None = None,
        token: str | None = None,
    ) -> Receipt:
        """Approve the payment and accept the open sale (title and money swap in one tx).

        ``price``/``token`` are the terms the buyer agreed to; by default the offer's current
        terms. The contract refuses if the offer changed in between.
        """
        offer = self.title(number).sale
        if offer is None:
            raise LandClientError(f"parcel {_text(number)} has no open sale")
        price = offer.price if price is None else price
        token = offer.token if token is None else token
        erc20 = self.session.contract("PaymentToken", token)
        self._transact(erc20.functions.approve(self.address, price))
        return self._transact(
            self.contract.functions.acceptSale(parcel_id(number), token, price, deed_hash)
        )

    # lenders and courts

    def record_lien(
        self, number: str | int, amount: int, document_hash: bytes, holder: str | None = None
    ) -> Receipt:
        """Record a lien held by ``holder`` (default: the signer); id in ``LienRecorded``."""
        holder = self.sender.address if holder is None else holder
        return self._transact(
            self.contract.functions.recordLien(parcel_id(number), holder, amount, document_hash)
        )

    def release_lien(self, number: str | int, lien_id: int) -> Receipt:
        return self._transact(self.contract.functions.releaseLien(parcel_id(number), lien_id))

    def freeze(self, number: str | int, case_reference: bytes) -> Receipt:
        return self._transact(self.contract.functions.freeze(parcel_id(number), case_reference))

    def unfreeze(self, number: str | int, case_reference: bytes) -> Receipt:
        return self._transact(self.contract.functions.unfreeze(parcel_id(number), case_reference))

    def forced_transfer(self, number: str | int, to: str, order_hash: bytes) -> Receipt:
        return self._transact(
            self.contract.functions.forcedTransfer(parcel_id(number), to, order_hash)
        )

    # governance

    def set_transfer_tax(self, treasury: str, bps: int) -> Receipt:
        return self._transact(self.contract.functions.setTransferTax(treasury, bps))

    def set_sale_approval_required(self, required: bool) -> Receipt:
        return self._transact(self.contract.functions.setSaleApprovalRequired(required))

    def pause(self) -> Receipt:
        return self._transact(self.contract.functions.pause())

    def unpause(self) -> Receipt:
        return self._transact(self.contract.functions.unpause())

    # views

    def title(self, number: str | int) -> TitleRecord:
        ident = parcel_id(number)
        (
            _,
            owner,
            (geometry, deed, area, land_use, status, frozen, _active, _count, _at),
            (buyer, deadline, approved, token, price),
            liens,
            parents,
            children,
        ) = self._call(self.contract.functions.title(ident))
        sale = None if buyer == ZERO_ADDRESS else SaleOffer(buyer, token, price, deadline, approved)
        return TitleRecord(
            number=parcel_number(ident),
            parcel_id=ident,
            owner=None if owner == ZERO_ADDRESS else owner,
            status=PARCEL_STATUS[status],
            geometry_hash=bytes(geometry),
            deed_hash=bytes(deed),
            area=int(area),
            land_use=int(land_use),
            frozen=bool(frozen),
            active_liens=[int(i) for i in liens],
            sale=sale,
            parents=[parcel_number(int(p)) for p in parents],
            children=[parcel_number(int(c)) for c in children],
        )

    def sale_approval_required(self) -> bool:
        return bool(self._call(self.contract.functions.saleApprovalRequired()))

    def transfer_tax(self) -> tuple[str, int]:
        """``(treasury, basis points)`` taken from every sale."""
        return (
            str(self._call(self.contract.functions.treasury())),
            int(self._call(self.contract.functions.taxBps())),
        )

    def lien(self, number: str | int, lien_id: int) -> LienRecord:
        holder, amount, released = self._call(
            self.contract.functions.lien(parcel_id(number), lien_id)
        )
        return LienRecord(lien_id, holder, int(amount), bool(released))

    def owner_of(self, number: str | int) -> str:
        return str(self._call(self.contract.functions.ownerOf(parcel_id(number))))

    def title_history(self, number: str | int, *, ancestors: bool = True) -> list[HistoryEntry]:
        """The chain of title from events alone, oldest first, each with its transaction.

        With ``ancestors`` (the default), a title created by subdivision or merge starts with
        the history of the parcels it came from.
        """
        seen: set[int] = set()
        entries: list[HistoryEntry] = []
        pending = [parcel_id(number)]
        while pending:
            ident = pending.pop()
            if ident in seen:
                continue
            seen.add(ident)
            for event in self._events([None, topic(ident)]):
                if event.name not in HISTORY_EVENTS:
                    continue
                entries.append(_history_entry(ident, event))
                if ancestors and event.name == "ParcelDerived":
                    pending.extend(int(p) for p in event["parents"])
        entries.sort(key=lambda e: (e.block_number, e.log_index))
        return entries


class LandClientError(GovchainError, ValueError):
    """A land request that cannot be sent as asked (e.g. accepting a sale that is not open)."""


def _text(number: str | int) -> str:
    return parcel_number(number) if isinstance(number, int) else number


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _history_entry(ident: int, event: Event) -> HistoryEntry:
    number = parcel_number(ident)
    a = event.args
    descriptions = {
        "ParcelRegistered": lambda: (
            f"registered parcel {number} ({a.get('area')} m², land use {a.get('landUse')}) "
            f"to {_short(str(a.get('owner')))}"
        ),
        "ParcelDerived": lambda: (
            f"created parcel {number} from "
            + ", ".join(parcel_number(int(p)) for p in a.get("parents", []))
        ),
        "SaleOffered": lambda: (
            f"{_short(str(a.get('seller')))} offered parcel {number} to "
            f"{_short(str(a.get('buyer')))} for {a.get('price')}"
        ),
        "SaleWithdrawn": lambda: f"{_short(str(a.get('seller')))} withdrew the offer of {number}",
        "SaleApproved": lambda: f"the registrar approved the sale of {number}",
        "SaleCompleted": lambda: (
            f"sold parcel {number} from {_short(str(a.get('seller')))} to "
            f"{_short(str(a.get('buyer')))} for {a.get('price')} (tax {a.get('tax')})"
        ),
        "LienRecorded": lambda: (
            f"lien {a.get('lienId')} of {a.get('amount')} recorded on {number} for "
            f"{_short(str(a.get('holder')))}"
        ),
        "LienReleased": lambda: f"lien {a.get('lienId')} on {number} released",
        "TitleFrozen": lambda: f"a court froze parcel {number}",
        "TitleUnfrozen": lambda: f"a court lifted the freeze on parcel {number}",
        "ForcedTransfer": lambda: (
            f"a court transferred parcel {number} from {_short(str(a.get('from')))} to "
            f"{_short(str(a.get('to')))}"
        ),
        "ParcelRetired": lambda: (
            f"parcel {number} retired into "
            + ", ".join(parcel_number(int(c)) for c in a.get("children", []))
        ),
    }
    return HistoryEntry(
        parcel=number,
        event=event.name,
        block_number=event.block_number or 0,
        tx_hash=event.tx_hash or "",
        log_index=event.log_index,
        description=descriptions[event.name](),
        args=dict(a),
    )


__all__ = [
    "HistoryEntry",
    "LandClient",
    "LandClientError",
    "LienRecord",
    "ParcelNumberError",
    "ParcelSpec",
    "SaleOffer",
    "TitleRecord",
    "geometry_hash",
    "parcel_id",
    "parcel_number",
]
