"""A deployed Procurement with its officials and funded suppliers, shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak

from devnet_clock import DevnetClock
from govchain.chain import Chain
from govchain.clients.procurement import ProcurementClient, SealedBid
from govchain.sender import Receipt
from govchain.session import Session

DAY = 86_400
SUPPLIER_FUNDS = 10**9
BUYER_FUNDS = 10**12
CEILING = 50_000_000  # 500,000.00 PUB
BOND = 1_000_000  # 10,000.00 PUB
STANDSTILL = 10 * DAY
SPEC = keccak(text="tender specification v1")


@dataclass
class ProcurementEnv(DevnetClock):
    session: Session
    chain: Chain
    token: Any
    governance: ProcurementClient
    officer: ProcurementClient
    reviewer: ProcurementClient
    inspector: ProcurementClient
    registrar: ProcurementClient
    buyer: ProcurementClient
    suppliers: list[ProcurementClient]
    anyone: ProcurementClient
    bid_dir: Path

    def open_tender(self, **overrides: Any) -> int:
        now = self.now()
        terms: dict[str, Any] = {
            "title": "Road resurfacing, district 4",
            "buyer": self.buyer.sender.address,
            "token": self.token.address,
            "document_hash": SPEC,
            "ceiling": CEILING,
            "bond": BOND,
            "bidding_deadline": now + 7 * DAY,
            "reveal_deadline": now + 10 * DAY,
            "standstill": STANDSTILL,
            "registered_only": False,
        }
        terms.update(overrides)
        created = self.officer.create_tender(**terms)
        return int(created.event("TenderCreated")["tenderId"])

    def seal(self, supplier: ProcurementClient, tender_id: int, price: int) -> SealedBid:
        return SealedBid.new(tender_id, supplier.sender.address, price, f"offer {price}".encode())

    def commit(self, supplier: ProcurementClient, tender_id: int, price: int) -> SealedBid:
        """Seal, approve the bond and commit; the bid file goes under ``bid_dir``."""
        sealed = self.seal(supplier, tender_id, price)
        supplier.approve_bond(tender_id)
        keep = self.bid_dir / f"{tender_id}-{supplier.sender.address}-{sealed.salt.hex()[:8]}.json"
        supplier.commit_bid(sealed, keep=keep)
        return sealed

    def to_reveal(self, tender_id: int) -> None:
        self.travel_to(self.officer.tender(tender_id).bidding_deadline + 1)

    def to_award(self, tender_id: int) -> None:
        self.travel_to(self.officer.tender(tender_id).reveal_deadline + 1)

    def past_standstill(self, tender_id: int) -> None:
        record = self.officer.tender(tender_id)
        self.travel_to(record.awarded_at + record.standstill + 1)

    def awarded(
        self, prices: list[int], *, reveal: list[bool] | None = None
    ) -> tuple[int, list[SealedBid]]:
        """A tender with one bid per price (suppliers in order), revealed as told, awarded."""
        tender_id = self.open_tender()
        sealed = [self.commit(self.suppliers[i], tender_id, p) for i, p in enumerate(prices)]
        self.to_reveal(tender_id)
        for i, bid in enumerate(sealed):
            if reveal is None or reveal[i]:
                self.suppliers[i].reveal_bid(bid)
        self.to_award(tender_id)
        self.anyone.award(tender_id)
        return tender_id, sealed


def make_env(session: Session, chain: Chain, bid_dir: Path) -> ProcurementEnv:
    accounts = chain.accounts
    admin, officer, reviewer, inspector, registrar, buyer = accounts[:6]
    token = session.deploy("PaymentToken", "Public Unit", "PUB", 2, admin.address, admin.address)
    procurement = session.deploy("Procurement", admin.address)
    governance = ProcurementClient(session, procurement, session.sender)
    for role, account in [
        ("PROCUREMENT_OFFICER_ROLE", officer),
        ("PROCUREMENT_REVIEWER_ROLE", reviewer),
        ("CONTRACT_INSPECTOR_ROLE", inspector),
        ("SUPPLIER_REGISTRAR_ROLE", registrar),
        ("PAUSER_ROLE", admin),
    ]:
        governance.grant_role(role, account.address)
    suppliers = [governance.as_account(a) for a in accounts[6:9]]
    session.sender.wait_all(
        session.sender.send_many(
            [token.functions.mint(s.sender.address, SUPPLIER_FUNDS) for s in suppliers]
            + [token.functions.mint(buyer.address, BUYER_FUNDS)]
        )
    )
    return ProcurementEnv(
        session=session,
        chain=chain,
        token=token,
        governance=governance,
        officer=governance.as_account(officer),
        reviewer=governance.as_account(reviewer),
        inspector=governance.as_account(inspector),
        registrar=governance.as_account(registrar),
        buyer=governance.as_account(buyer),
        suppliers=suppliers,
        anyone=governance.as_account(accounts[9]),
        bid_dir=bid_dir,
    )


def event_args(receipt: Receipt, name: str) -> dict[str, Any]:
    return dict(receipt.event(name).args)
