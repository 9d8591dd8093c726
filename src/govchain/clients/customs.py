"""Client of ``Customs``: the tariff schedule, declarations, payment, release, appeals, escrow.

>>> customs = CustomsClient.connect(govchain.connect("local"))
>>> lines = [DeclarationLine(hs_code=870380, origin=276, customs_value=2_500_000, quantity=1)]
>>> customs.preview(lines)                      # exactly what the contract will assess
>>> declaration_id = customs.as_account(trader).file(lines, invoice_hash).event(
...     "DeclarationFiled")["declarationId"]

Duty per line = floor(value × rate / 10,000); VAT per line = floor((value + duty) × VAT rate /
10,000); the preferential rate for the line's origin wins over the general one. :func:`assess`
is that formula in Python, so a preview matches the chain to the unit.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from govchain.clients.base import ContractClient, address_topic, topic
from govchain.errors import GovchainError
from govchain.sender import Receipt

BPS = 10_000
DECLARATION_STATUS = ("None", "Assessed", "Paid", "Held", "Released", "Seized")
APPEAL_STATUS = ("None", "Lodged", "Upheld", "Dismissed")
ESCROW_STATUS = ("None", "Open", "Released", "Refunded")


class CustomsInputError(GovchainError, ValueError):
    """A tariff CSV or declaration file is malformed; the message names the row or field."""


@dataclass(frozen=True)
class DeclarationLine:
    """One line of a declaration (customs value in the payment token's smallest units)."""

    hs_code: int
    origin: int
    customs_value: int
    quantity: int

    def as_struct(self) -> tuple[int, int, int, int]:
        return (self.hs_code, self.origin, self.customs_value, self.quantity)


@dataclass(frozen=True)
class TariffLine:
    """A rate in basis points for an HS code (and origin, if preferential) from a time on."""

    hs_code: int
    rate_bps: int
    effective_from: int
    origin: int | None = None


@dataclass(frozen=True)
class Assessment:
    duty: int
    vat: int
    rates: list[int]
    line_duties: list[int]

    @property
    def total(self) -> int:
        return self.duty + self.vat


def assess(
    lines: Sequence[DeclarationLine], rate_of: Callable[[int, int], int], vat_bps: int
) -> Assessment:
    """The contract's assessment, in Python: ``rate_of(hs_code, origin)`` gives the rate in bps."""
    rates: list[int] = []
    duties: list[int] = []
    vat = 0
    for line in lines:
        rate = rate_of(line.hs_code, line.origin)
        duty = line.customs_value * rate // BPS
        rates.append(rate)
        duties.append(duty)
        vat += (line.customs_value + duty) * vat_bps // BPS
    return Assessment(sum(duties), vat, rates, duties)


def load_tariff_csv(path: str | Path) -> list[TariffLine]:
    """Rows ``hs_code,rate_bps,effective_from[,origin]``; a header row is allowed.

    ``effective_from`` is a Unix time, an ISO 8601 date (midnight UTC) or date-time with offset.
    """
    rows: list[TariffLine] = []
    with open(path, newline="", encoding="utf-8-sig") as handle:  # spreadsheets add a BOM
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or row[0].strip().startswith("#"):
                continue
            if number == 1 and not row[0].strip().isdigit():
                continue  # header
            if len(row) not in (3, 4):
                raise CustomsInputError(
                    f"{path}:{number}: expected hs_code,rate_bps,effective_from[,origin]"
                )
            try:
                hs_code, rate = int(row[0]), int(row[1])
                origin = int(row[3]) if len(row) == 4 and row[3].strip() else None
            except ValueError:
                raise CustomsInputError(
                    f"{path}:{number}: HS code, rate and origin must be integers"
                ) from None
            rows.append(
                TariffLine(hs_code, rate, _timestamp(row[2].strip(), f"{path}:{number}"), origin)
            )
    return rows


def load_declaration(path: str | Path) -> tuple[list[DeclarationLine], dict[str, Any]]:
    """A declaration JSON: ``{"lines": [{"hs_code", "origin", "customs_value", "quantity"}], ...}``.

    Returns the lines and the rest of the document (e.g. ``"invoice"``, ``"bill_of_lading"``).
    """
    try:
        data = json.loads(Path(path).read_text())
        lines = [
            DeclarationLine(
                _integer(item["hs_code"], "hs_code", number),
                _integer(item["origin"], "origin", number),
                _integer(item["customs_value"], "customs_value", number),
                _integer(item.get("quantity", 0), "quantity", number),
            )
            for number, item in enumerate(data["lines"], start=1)
        ]
    except FileNotFoundError:
        raise CustomsInputError(f"{path}: no such declaration file") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CustomsInputError(f"{path}: not a declaration file ({exc!r})") from None
    if not lines:
        raise CustomsInputError(f"{path}: a declaration needs at least one line")
    return lines, {k: v for k, v in data.items() if k != "lines"}


def _integer(value: Any, name: str, line: int) -> int:
    """A whole number, as an int or a string of digits; never a float or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"line {line}: {name} must be a whole number, got {value!r}")
    return int(value)


def _timestamp(text: str, where: str) -> int:
    if text.isdigit():
        return int(text)
    try:
        if "T" in text or " " in text:
            moment = datetime.fromisoformat(text)
        else:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    except ValueError:
        raise CustomsInputError(f"{where}: {text!r} is not a Unix time or ISO 8601 date") from None
    if moment.tzinfo is None:
        raise CustomsInputError(f"{where}: {text!r} needs a UTC offset")
    return int(moment.timestamp())


# -- on-chain records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclarationRecord:
    id: int
    trader: str
    status: str
    paid: bool
    appeal: str
    filed_at: int
    line_count: int
    duty: int
    vat: int
    refunded: int
    document_hash: bytes
    lines_hash: bytes

    @property
    def due(self) -> int:
        return 0 if self.paid else self.duty + self.vat


@dataclass(frozen=True)
class EscrowRecord:
    id: int
    declaration_id: int
    funder: str
    exporter: str
    amount: int
    deadline: int
    status: str


@dataclass
class StatementEntry:
    declaration_id: int
    status: str
    filed_block: int
    filed_tx: str
    duty: int = 0
    vat: int = 0
    paid: int = 0
    refunded: int = 0
    lines: list[DeclarationLine] = field(default_factory=list)


@dataclass
class TraderStatement:
    """Every declaration of one trader, with what was assessed, paid and refunded (events)."""

    trader: str
    declarations: list[StatementEntry]

    @property
    def total_paid(self) -> int:
        return sum(d.paid for d in self.declarations)

    @property
    def total_refunded(self) -> int:
        return sum(d.refunded for d in self.declarations)


# -- the client ---------------------------------------------------------------------------------


class CustomsClient(ContractClient):
    """Tariffs, traders, declarations, payments, inspections, appeals and escrows."""

    contract_name = "Customs"

    # tariff authority

    def set_tariff(self, line: TariffLine) -> Receipt:
        if line.origin is None:
            call = self.contract.functions.setTariff(
                line.hs_code, line.rate_bps, line.effective_from
            )
        else:
            call = self.contract.functions.setPreferentialTariff(
                line.hs_code, line.origin, line.rate_bps, line.effective_from
            )
        return self._transact(call)

    def load_schedule(self, lines: Iterable[TariffLine]) -> list[Receipt]:
        """Set many tariff lines in JSON-RPC batches (each is checked before any is sent)."""
        calls = [
            self.contract.functions.setTariff(t.hs_code, t.rate_bps, t.effective_from)
            if t.origin is None
            else self.contract.functions.setPreferentialTariff(
                t.hs_code, t.origin, t.rate_bps, t.effective_from
            )
            for t in lines
        ]
        return self.sender.wait_all(self.sender.send_many(calls))

    def set_vat_rate(self, rate_bps: int, effective_from: int) -> Receipt:
        return self._transact(self.contract.functions.setVatRate(rate_bps, effective_from))

    # registrar and traders

    def set_trader(
        self, trader: str, registered: bool = True, document_hash: bytes = b"\x00" * 32
    ) -> Receipt:
        return self._transact(self.contract.functions.setTrader(trader, registered, document_hash))

    def authorize_broker(self, broker: str, authorized: bool = True) -> Receipt:
        return self._transact(self.contract.functions.authorizeBroker(broker, authorized))

    def file(self, lines: Sequence[DeclarationLine], document_hash: bytes) -> Receipt:
        """File a declaration; its id is ``receipt.event("DeclarationFiled")["declarationId"]``."""
        return self._transact(
            self.contract.functions.file([line.as_struct() for line in lines], document_hash)
        )

    def amend(
        self, declaration_id: int, lines: Sequence[DeclarationLine], document_hash: bytes
    ) -> Receipt:
        return self._transact(
            self.contract.functions.amend(
                declaration_id, [line.as_struct() for line in lines], document_hash
            )
        )

    def pay(self, declaration_id: int) -> Receipt:
        """Approve and pay exactly what is due (as the trader or an authorised broker)."""
        due = self.declaration(declaration_id).due
        if due:
            self._approve(due)
        return self._transact(self.contract.functions.pay(declaration_id, due))

    def appeal(self, declaration_id: int, document_hash: bytes) -> Receipt:
        return self._transact(self.contract.functions.appeal(declaration_id, document_hash))

    # officers

    def override_assessment(
        self, declaration_id: int, duty: int, vat: int, reason_code: int
    ) -> Receipt:
        return self._transact(
            self.contract.functions.overrideAssessment(declaration_id, duty, vat, reason_code)
        )

    def hold(self, declaration_id: int, reason_code: int) -> Receipt:
        return self._transact(self.contract.functions.hold(declaration_id, reason_code))

    def release(self, declaration_id: int) -> Receipt:
        return self._transact(self.contract.functions.release(declaration_id))

    def seize(self, declaration_id: int, reason_code: int) -> Receipt:
        return self._transact(self.contract.functions.seize(declaration_id, reason_code))

    def decide_appeal(
        self,
        declaration_id: int,
        uphold: bool,
        new_duty: int = 0,
        new_vat: int = 0,
        reason_code: int = 0,
    ) -> Receipt:
        return self._transact(
            self.contract.functions.decideAppeal(
                declaration_id, uphold, new_duty, new_vat, reason_code
            )
        )

    def fund_refund_pool(self, amount: int) -> Receipt:
        self._approve(amount)
        return self._transact(self.contract.functions.fundRefundPool(amount))

    def pause(self) -> Receipt:
        return self._transact(self.contract.functions.pause())

    def unpause(self) -> Receipt:
        return self._transact(self.contract.functions.unpause())

    # trade-finance escrow

    def open_escrow(
        self, declaration_id: int, exporter: str, amount: int, deadline: int
    ) -> Receipt:
        """Approve and escrow; the id is ``receipt.event("EscrowOpened")["escrowId"]``."""
        self._approve(amount)
        return self._transact(
            self.contract.functions.openEscrow(declaration_id, exporter, amount, deadline)
        )

    def claim_escrow(self, escrow_id: int) -> Receipt:
        return self._transact(self.contract.functions.claimEscrow(escrow_id))

    def refund_escrow(self, escrow_id: int) -> Receipt:
        return self._transact(self.contract.functions.refundEscrow(escrow_id))

    # views

    def duty_rate(self, hs_code: int, origin: int, at: int | None = None) -> tuple[int, bool]:
        """``(rate in bps, preferential?)`` in force at ``at`` (default: the latest block)."""
        when = self._latest_timestamp() if at is None else at
        rate, preferential = self._call(self.contract.functions.dutyRateAt(hs_code, origin, when))
        return int(rate), bool(preferential)

    def vat_rate(self, at: int | None = None) -> int:
        when = self._latest_timestamp() if at is None else at
        return int(self._call(self.contract.functions.vatRateAt(when)))

    def preview(self, lines: Sequence[DeclarationLine], at: int | None = None) -> Assessment:
        """What the contract would assess for ``lines`` filed at ``at`` (default: now)."""
        when = self._latest_timestamp() if at is None else at
        rates: dict[tuple[int, int], int] = {}
        for line in lines:
            key = (line.hs_code, line.origin)
            if key not in rates:
                rates[key] = self.duty_rate(line.hs_code, line.origin, when)[0]
        return assess(lines, lambda hs, origin: rates[(hs, origin)], self.vat_rate(when))

    def declaration(self, declaration_id: int) -> DeclarationRecord:
        d = self._view_struct("declaration", declaration_id)
        return DeclarationRecord(
            id=declaration_id,
            trader=d["trader"],
            status=DECLARATION_STATUS[d["status"]],
            paid=bool(d["paid"]),
            appeal=APPEAL_STATUS[d["appeal"]],
            filed_at=int(d["filedAt"]),
            line_count=int(d["lineCount"]),
            duty=int(d["duty"]),
            vat=int(d["vat"]),
            refunded=int(d["refunded"]),
            document_hash=bytes(d["documentHash"]),
            lines_hash=bytes(d["linesHash"]),
        )

    def escrow(self, escrow_id: int) -> EscrowRecord:
        e = self._view_struct("escrow", escrow_id)
        return EscrowRecord(
            id=escrow_id,
            declaration_id=int(e["declarationId"]),
            funder=e["funder"],
            exporter=e["exporter"],
            amount=int(e["amount"]),
            deadline=int(e["deadline"]),
            status=ESCROW_STATUS[e["status"]],
        )

    def refund_pool(self) -> int:
        return int(self._call(self.contract.functions.refundPool()))

    def escrow_held(self) -> int:
        return int(self._call(self.contract.functions.escrowHeld()))

    def statement(self, trader: str) -> TraderStatement:
        """All of ``trader``'s declarations from events: lines, duties, payments, refunds."""
        filed = self.session.events.topic("DeclarationFiled")
        entries: dict[int, StatementEntry] = {}
        for event in self._events([filed, None, address_topic(trader)]):
            ident = int(event["declarationId"])
            entries[ident] = StatementEntry(
                ident,
                "",
                event.block_number or 0,
                event.tx_hash or "",
                lines=[DeclarationLine(*line) for line in event["lines"]],
            )
        for ident, entry in entries.items():
            for event in self._events([None, topic(ident)]):
                if event.name == "DeclarationAmended":
                    entry.lines = [DeclarationLine(*line) for line in event["lines"]]
                elif event.name == "DeclarationAssessed":
                    entry.duty, entry.vat = int(event["duty"]), int(event["vat"])
                elif event.name == "AssessmentOverridden":
                    entry.duty, entry.vat = int(event["newDuty"]), int(event["newVat"])
                elif event.name == "DutyPaid":
                    entry.paid += int(event["amount"])
                elif event.name == "AppealDecided" and event["upheld"]:
                    entry.duty, entry.vat = int(event["newDuty"]), int(event["newVat"])
                    entry.refunded += int(event["refund"])
            entry.status = self.declaration(ident).status
        return TraderStatement(trader, [entries[i] for i in sorted(entries)])

    # internals

    def _latest_timestamp(self) -> int:
        return int(self.session.chain.w3.eth.get_block("latest")["timestamp"])

    def _approve(self, amount: int) -> Receipt:
        token = str(self._call(self.contract.functions.paymentToken()))
        erc20 = self.session.contract("PaymentToken", token)
        return self._transact(erc20.functions.approve(self.address, amount))


__all__ = [
    "Assessment",
    "CustomsClient",
    "CustomsInputError",
    "DeclarationLine",
    "DeclarationRecord",
    "EscrowRecord",
    "TariffLine",
    "TraderStatement",
    "assess",
    "load_declaration",
    "load_tariff_csv",
]
