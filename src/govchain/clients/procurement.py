"""Client of ``Procurement``: open tenders, bid sealed, award by rule, pay milestones.

>>> procurement = ProcurementClient.connect(govchain.connect("local"))
>>> sealed = SealedBid.new(tender_id, supplier.address, price=41_200_00, offer_document=b"...")
>>> procurement.as_account(supplier).commit_bid(sealed, keep="bids/tender-7.json")

A sealed bid's salt exists only in the file it is kept in: without it the bid cannot be
revealed and its bond is forfeited, so :meth:`ProcurementClient.commit_bid` writes the file
before anything is sent and never overwrites one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from govchain.clients.base import ContractClient, topic
from govchain.errors import GovchainError
from govchain.private_file import write_once
from govchain.sender import Receipt

TENDER_STATUS = (
    "None",
    "Open",
    "Awarded",
    "Reaward",
    "NoAward",
    "Cancelled",
    "Contracted",
    "Completed",
    "Terminated",
)
PHASE = (
    "None",
    "Bidding",
    "Revealing",
    "AwaitingAward",
    "Standstill",
    "Challenged",
    "AwardFinal",
    "Reaward",
    "NoAward",
    "Cancelled",
    "Contracted",
    "Completed",
    "Terminated",
)
BID_STATUS = ("None", "Committed", "Revealed", "NonCompliant")
SUPPLIER_STATUS = ("None", "Approved", "Debarred")
CHALLENGE_STATUS = ("None", "Open", "Dismissed", "Upheld")
RESOLUTION = ("Dismiss", "Reaward", "Cancel")
ZERO_ADDRESS = "0x" + "00" * 20


class SealedBidError(GovchainError, ValueError):
    """A sealed-bid file is missing, malformed, or would be overwritten."""


def document_hash(document: bytes | str) -> bytes:
    """The keccak-256 of a document's bytes (a path's contents if given a ``str`` path)."""
    data = Path(document).read_bytes() if isinstance(document, str) else document
    return keccak(data)


def commitment_of(
    tender_id: int, bidder: str, price: int, salt: bytes, offer_doc_hash: bytes
) -> bytes:
    """``keccak256(abi.encode(tenderId, bidder, price, salt, offerDocHash))``, as the contract."""
    return keccak(
        encode(
            ["uint256", "address", "uint256", "bytes32", "bytes32"],
            [tender_id, bidder, price, salt, offer_doc_hash],
        )
    )


@dataclass(frozen=True)
class SealedBid:
    """A bid's secret terms; only its commitment goes on chain before the reveal."""

    tender_id: int
    bidder: str
    price: int
    salt: bytes
    offer_doc_hash: bytes

    @classmethod
    def new(
        cls, tender_id: int, bidder: str, price: int, offer_document: bytes | str | None = None
    ) -> SealedBid:
        """A bid with a fresh random salt; ``offer_document`` is the offer's bytes or path."""
        if price < 0:
            raise SealedBidError(f"price must not be negative, got {price}")
        offer = b"\x00" * 32 if offer_document is None else document_hash(offer_document)
        return cls(tender_id, to_checksum_address(bidder), price, secrets.token_bytes(32), offer)

    @property
    def commitment(self) -> bytes:
        return commitment_of(
            self.tender_id, self.bidder, self.price, self.salt, self.offer_doc_hash
        )

    def save(self, path: str | Path) -> Path:
        """Write the bid to ``path`` (owner-only permissions); never overwrite an existing file."""
        data = {
            "tenderId": self.tender_id,
            "bidder": self.bidder,
            "price": str(self.price),
            "salt": "0x" + self.salt.hex(),
            "offerDocHash": "0x" + self.offer_doc_hash.hex(),
            "commitment": "0x" + self.commitment.hex(),
        }
        try:
            return write_once(path, data)
        except FileExistsError:
            raise SealedBidError(
                f"{path} already exists: it may hold the only copy of another bid's salt; "
                "choose another file"
            ) from None

    @classmethod
    def load(cls, path: str | Path) -> SealedBid:
        try:
            data = json.loads(Path(path).read_text())
            bid = cls(
                int(data["tenderId"]),
                to_checksum_address(data["bidder"]),
                int(data["price"]),
                bytes.fromhex(data["salt"].removeprefix("0x")),
                bytes.fromhex(data["offerDocHash"].removeprefix("0x")),
            )
        except FileNotFoundError:
            raise SealedBidError(f"{path}: no such sealed-bid file") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SealedBidError(f"{path}: not a sealed-bid file ({exc})") from None
        if len(bid.salt) != 32 or len(bid.offer_doc_hash) != 32:
            raise SealedBidError(f"{path}: salt and offerDocHash must be 32 bytes")
        for name, value in (("tenderId", bid.tender_id), ("price", bid.price)):
            if not 0 <= value < 2**256:
                raise SealedBidError(f"{path}: {name} {value} is not a uint256")
        if data.get("commitment") != "0x" + bid.commitment.hex():
            raise SealedBidError(f"{path}: commitment missing or not matching the bid's terms")
        return bid


# -- on-chain records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tender:
    id: int
    status: str
    phase: str
    token: str
    buyer: str
    officer: str
    document_hash: bytes
    ceiling: int
    bond: int
    bidding_deadline: int
    reveal_deadline: int
    standstill: int
    registered_only: bool
    bid_count: int
    revealed_count: int
    open_challenges: int
    awarded_at: int
    winner: str | None
    winning_price: int | None


@dataclass(frozen=True)
class BidRecord:
    tender_id: int
    bidder: str
    status: str
    seq: int
    price: int | None
    bond_returned: bool
    disqualified: bool


@dataclass(frozen=True)
class EscrowRecord:
    tender_id: int
    funded: int
    released: int
    milestones: list[int]
    paid: list[int]

    @property
    def held(self) -> int:
        return self.funded - self.released


@dataclass(frozen=True)
class RevealedBid:
    bidder: str
    price: int
    compliant: bool
    offer_doc_hash: bytes


@dataclass
class TenderReport:
    """A tender's history rebuilt from chain events alone.

    Token conservation: ``bonds_posted + escrow_funded`` equals ``bonds_returned +
    bonds_forfeited + milestones_paid + escrow_refunded + held``, exactly.
    """

    tender_id: int
    title: str
    phase: str
    bidders: list[str] = field(default_factory=list)
    revealed: list[RevealedBid] = field(default_factory=list)
    unrevealed: list[str] = field(default_factory=list)
    winner: str | None = None
    price: int | None = None
    challenges: list[dict[str, Any]] = field(default_factory=list)
    milestones_paid: list[dict[str, Any]] = field(default_factory=list)
    bonds_posted: int = 0
    bonds_returned: int = 0
    bonds_forfeited: int = 0
    escrow_funded: int = 0
    escrow_paid: int = 0
    escrow_refunded: int = 0
    held: int = 0

    @property
    def balanced(self) -> bool:
        """Does every unit that came in leave or remain held, with nothing unexplained?"""
        came_in = self.bonds_posted + self.escrow_funded
        went_out = (
            self.bonds_returned + self.bonds_forfeited + self.escrow_paid + self.escrow_refunded
        )
        return came_in == went_out + self.held

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["revealed"] = [
            {**asdict(r), "offer_doc_hash": "0x" + r.offer_doc_hash.hex()} for r in self.revealed
        ]
        data["balanced"] = self.balanced
        return data


# -- the client ---------------------------------------------------------------------------------


class ProcurementClient(ContractClient):
    """Tenders, sealed bids, awards, challenges, escrow and milestone payments."""

    contract_name = "Procurement"

    # officer

    def create_tender(
        self,
        *,
        title: str,
        buyer: str,
        token: str,
        document_hash: bytes,
        ceiling: int,
        bond: int,
        bidding_deadline: int,
        reveal_deadline: int,
        standstill: int,
        registered_only: bool = False,
    ) -> Receipt:
        """Open a tender; its id is ``receipt.event("TenderCreated")["tenderId"]``."""
        terms = (
            buyer,
            token,
            document_hash,
            ceiling,
            bond,
            bidding_deadline,
            reveal_deadline,
            standstill,
            registered_only,
            title,
        )
        return self._transact(self.contract.functions.createTender(terms))

    def amend_tender(
        self, tender_id: int, document_hash: bytes, bidding_deadline: int, reveal_deadline: int
    ) -> Receipt:
        return self._transact(
            self.contract.functions.amendTender(
                tender_id, document_hash, bidding_deadline, reveal_deadline
            )
        )

    def cancel_tender(self, tender_id: int, reason_code: int) -> Receipt:
        return self._transact(self.contract.functions.cancelTender(tender_id, reason_code))

    def set_supplier_status(
        self, supplier: str, status: str, document_hash: bytes = b"\x00" * 32, reason_code: int = 0
    ) -> Receipt:
        """``status`` is ``"Approved"``, ``"Debarred"`` or ``"None"``."""
        code = _choice(status, SUPPLIER_STATUS, "supplier status")
        return self._transact(
            self.contract.functions.setSupplierStatus(supplier, code, document_hash, reason_code)
        )

    # bidder

    def approve_bond(self, tender_id: int) -> Receipt | None:
        """Let the contract take the tender's bond from the signer (nothing sent if bond is 0)."""
        # The stored struct is enough: tender() would also scan the logs for the spec's hash.
        stored = self._view_struct("tender", tender_id)
        if stored["bond"] == 0:
            return None
        return self._approve(stored["token"], int(stored["bond"]))

    def commit_bid(self, sealed: SealedBid, *, keep: str | Path) -> Receipt:
        """Save ``sealed`` to ``keep`` (refusing to overwrite), then commit it on chain.

        The file is written and synced before the transaction is sent: a commitment whose salt
        was lost could never be revealed and would forfeit its bond.
        """
        if sealed.bidder != self.sender.address:
            raise SealedBidError(
                f"the bid is sealed for {sealed.bidder} but this client signs as "
                f"{self.sender.address}: the commitment would not reveal"
            )
        sealed.save(keep)
        return self._transact(
            self.contract.functions.commitBid(sealed.tender_id, sealed.commitment)
        )

    def reveal_bid(self, sealed: SealedBid) -> Receipt:
        return self._transact(
            self.contract.functions.revealBid(
                sealed.tender_id, sealed.price, sealed.salt, sealed.offer_doc_hash
            )
        )

    def withdraw_bond(self, tender_id: int) -> Receipt:
        return self._transact(self.contract.functions.withdrawBond(tender_id))

    def challenge_award(self, tender_id: int, document_hash: bytes) -> Receipt:
        """Challenge the award; the id is ``receipt.event("ChallengeLodged")["challengeId"]``."""
        return self._transact(self.contract.functions.challengeAward(tender_id, document_hash))

    # anyone

    def award(self, tender_id: int) -> Receipt:
        return self._transact(self.contract.functions.award(tender_id))

    def pay_forfeited_bonds(self, tender_id: int) -> Receipt:
        return self._transact(self.contract.functions.payForfeitedBonds(tender_id))

    def nominate_bid(self, tender_id: int, bidder: str) -> Receipt:
        return self._transact(self.contract.functions.nominateBid(tender_id, bidder))

    # reviewer

    def resolve_challenge(
        self, tender_id: int, challenge_id: int, resolution: str, reason_code: int = 0
    ) -> Receipt:
        """``resolution`` is ``"Dismiss"``, ``"Reaward"`` or ``"Cancel"``."""
        code = _choice(resolution, RESOLUTION, "resolution")
        return self._transact(
            self.contract.functions.resolveChallenge(tender_id, challenge_id, code, reason_code)
        )

    # buyer and inspector

    def fund_escrow(self, tender_id: int, milestones: Sequence[int]) -> Receipt:
        """Approve and escrow the awarded price split into ``milestones`` (the buyer signs)."""
        self._approve(self._view_struct("tender", tender_id)["token"], sum(milestones))
        return self._transact(self.contract.functions.fundEscrow(tender_id, list(milestones)))

    def confirm_milestone(self, tender_id: int, milestone: int, report_hash: bytes) -> Receipt:
        return self._transact(
            self.contract.functions.confirmMilestone(tender_id, milestone, report_hash)
        )

    def terminate_contract(self, tender_id: int, reason_code: int) -> Receipt:
        return self._transact(self.contract.functions.terminateContract(tender_id, reason_code))

    def pause(self) -> Receipt:
        return self._transact(self.contract.functions.pause())

    def unpause(self) -> Receipt:
        return self._transact(self.contract.functions.unpause())

    # views

    def tender_count(self) -> int:
        return int(self._call(self.contract.functions.tenderCount()))

    def tender(self, tender_id: int, *, document_hash: bytes | None = None) -> Tender:
        """The stored tender; ``document_hash`` if already known (else found in its events)."""
        t = self._view_struct("tender", tender_id)
        status = TENDER_STATUS[t["status"]]
        awarded = status in ("Awarded", "Contracted", "Completed", "Terminated")
        return Tender(
            id=tender_id,
            status=status,
            phase=self.phase(tender_id),
            token=t["token"],
            buyer=t["buyer"],
            officer=t["officer"],
            document_hash=(
                self._document_hash(tender_id) if document_hash is None else document_hash
            ),
            ceiling=int(t["ceiling"]),
            bond=int(t["bond"]),
            bidding_deadline=int(t["biddingDeadline"]),
            reveal_deadline=int(t["revealDeadline"]),
            standstill=int(t["standstill"]),
            registered_only=bool(t["registeredOnly"]),
            bid_count=int(t["bidCount"]),
            revealed_count=int(t["revealedCount"]),
            open_challenges=int(t["openChallenges"]),
            awarded_at=int(t["awardedAt"]),
            winner=t["leader"] if awarded else None,
            winning_price=int(t["leadingPrice"]) if awarded else None,
        )

    def phase(self, tender_id: int) -> str:
        return PHASE[self._call(self.contract.functions.phase(tender_id))]

    def bid(self, tender_id: int, bidder: str) -> BidRecord:
        b = self._view_struct("bid", tender_id, bidder)
        status = BID_STATUS[b["status"]]
        return BidRecord(
            tender_id=tender_id,
            bidder=to_checksum_address(bidder),
            status=status,
            seq=int(b["seq"]),
            price=int(b["price"]) if status in ("Revealed", "NonCompliant") else None,
            bond_returned=bool(b["bondReturned"]),
            disqualified=bool(b["disqualified"]),
        )

    def escrow(self, tender_id: int) -> EscrowRecord:
        (funded, released, count, mask), milestones = self._call(
            self.contract.functions.escrow(tender_id)
        )
        return EscrowRecord(
            tender_id,
            int(funded),
            int(released),
            [int(m) for m in milestones],
            [i for i in range(int(count)) if int(mask) >> i & 1],
        )

    def supplier_status(self, account: str) -> str:
        return SUPPLIER_STATUS[self._call(self.contract.functions.supplierStatus(account))]

    def tenders(self) -> list[tuple[int, str, str]]:
        """Every tender as ``(id, title, phase)``, oldest first."""
        created = self._event_topic("TenderCreated")
        return [
            (int(e["tenderId"]), str(e["title"]), self.phase(int(e["tenderId"])))
            for e in self._events([created])
        ]

    def report(self, tender_id: int) -> TenderReport:
        """Rebuild the tender's history from its events (no local notes)."""
        record = self.tender(tender_id)
        report = TenderReport(tender_id, "", record.phase)
        committed: dict[str, None] = {}
        revealed: set[str] = set()
        for event in self._events([None, topic(tender_id)]):
            name = event.name
            if name == "TenderCreated":
                report.title = str(event["title"])
            elif name == "BidCommitted":
                bidder = str(event["bidder"])
                if bidder not in committed:
                    committed[bidder] = None
                    report.bonds_posted += record.bond
            elif name == "BidRevealed":
                revealed.add(str(event["bidder"]))
                report.revealed.append(
                    RevealedBid(
                        str(event["bidder"]),
                        int(event["price"]),
                        bool(event["compliant"]),
                        bytes(event["offerDocHash"]),
                    )
                )
            elif name == "TenderAwarded":
                report.winner, report.price = str(event["winner"]), int(event["price"])
            elif name == "ReawardOpened":
                report.winner = report.price = None
            elif name == "BondReturned":
                report.bonds_returned += int(event["amount"])
            elif name == "BondsForfeited":
                report.bonds_forfeited += int(event["amount"])
            elif name == "ChallengeLodged":
                report.challenges.append(
                    {
                        "id": int(event["challengeId"]),
                        "challenger": str(event["challenger"]),
                        "resolution": None,
                    }
                )
            elif name == "ChallengeResolved":
                resolution = RESOLUTION[int(event["resolution"])]
                for entry in report.challenges:
                    if entry["id"] == int(event["challengeId"]):
                        entry["resolution"] = resolution
                        entry["reason_code"] = int(event["reasonCode"])
                    elif entry["resolution"] is None and resolution != "Dismiss":
                        # Setting the award aside closes every other challenge against it.
                        entry["resolution"] = "Moot"
            elif name == "EscrowFunded":
                report.escrow_funded += int(event["amount"])
            elif name == "MilestonePaid":
                report.escrow_paid += int(event["amount"])
                report.milestones_paid.append(
                    {"milestone": int(event["milestone"]), "amount": int(event["amount"])}
                )
            elif name == "ContractTerminated":
                report.escrow_refunded += int(event["refunded"])
        report.bidders = list(committed)
        report.unrevealed = [b for b in committed if b not in revealed]
        report.held = self._held(tender_id, record)
        return report

    # internals

    def _held(self, tender_id: int, record: Tender) -> int:
        """What the contract still holds for this tender, from its stored state."""
        bonds = sum(
            record.bond
            for bidder in self._bidders(tender_id)
            if not self.bid(tender_id, bidder).bond_returned
        )
        if self._view_struct("tender", tender_id)["forfeitsPaid"]:
            bonds -= (record.bid_count - record.revealed_count) * record.bond
        return bonds + self.escrow(tender_id).held

    def document_hashes(self) -> dict[int, bytes]:
        """Every tender's specification hash in force, from one log query."""
        names = [self._event_topic("TenderCreated"), self._event_topic("TenderAmended")]
        return {int(e["tenderId"]): bytes(e["documentHash"]) for e in self._events([names])}

    def _document_hash(self, tender_id: int) -> bytes:
        """The specification's hash in force: the latest amendment's, else the original's."""
        names = [self._event_topic("TenderCreated"), self._event_topic("TenderAmended")]
        latest = b""
        for event in self._events([names, topic(tender_id)]):
            latest = bytes(event["documentHash"])
        return latest

    def _bidders(self, tender_id: int) -> list[str]:
        committed = self._event_topic("BidCommitted")
        seen: dict[str, None] = {}
        for event in self._events([committed, topic(tender_id)]):
            seen.setdefault(str(event["bidder"]), None)
        return list(seen)

    def _event_topic(self, name: str) -> str:
        return self.session.events.topic(name)

    def _approve(self, token: str, amount: int) -> Receipt:
        erc20 = self.session.contract("PaymentToken", token)
        return self._transact(erc20.functions.approve(self.address, amount))


def _choice(value: str, names: Sequence[str], what: str) -> int:
    try:
        return names.index(value)
    except ValueError:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(names)}") from None


__all__ = [
    "BidRecord",
    "EscrowRecord",
    "ProcurementClient",
    "SealedBid",
    "SealedBidError",
    "Tender",
    "TenderReport",
    "ZERO_ADDRESS",
    "commitment_of",
    "document_hash",
]
