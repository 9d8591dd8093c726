"""Procurement demo: a road-resurfacing tender from sealed bids to the last milestone payment.

Five registered suppliers bid sealed with a bond. One never reveals (its bond goes to the
buyer), one prices above the ceiling (not compliant), the lowest compliant price wins by rule.
The runner-up challenges during the standstill and the reviewer dismisses it; the buyer then
escrows the price in three milestones, each paid by the inspector on a site report.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from govchain.clients.procurement import ProcurementClient, SealedBid
from govchain.demo import DemoContext, DomainResult, Highlight

DOMAIN = "procurement"
DAY = 86_400
CEILING = 450_000_00  # 450,000.00 PUB: the engineer's estimate plus contingency
BOND = 5_000_00  # 5,000.00 PUB per bidder
BUYER_FUNDS = 600_000_00  # the district's works budget for the year, comfortably above CEILING
STANDSTILL = 10 * DAY
TITLE = "Resurfacing of Riverside Avenue and Mill Lane (4.2 km), Northfield District"
CHALLENGE_REASON = 3  # review finding: the complaint's grounds are not substantiated


@dataclass(frozen=True)
class Bidder:
    name: str
    price: int  # the sealed price, in token units
    reveals: bool = True  # False: commits and never reveals, so its bond is forfeited


# Actor names carry the domain so that no other domain's demo signs with the same key.
OFFICER = "procurement: Amara Osei, procurement officer"
REVIEWER = "procurement: Jonas Lindqvist, review board"
INSPECTOR = "procurement: Priya Natarajan, site inspector"
REGISTRAR = "procurement: Supplier registry desk"
BUYER = "procurement: Northfield Public Works Department"
NEVER_REVEALED = "Valley Asphalt Co-operative"
BIDDERS = (
    Bidder("Harbour & Stone Construction", 398_500_00),
    Bidder("Northbridge Civil Works", 412_750_00),
    Bidder("Meridian Roads Ltd", 429_900_00),
    Bidder("Summit Infrastructure Group", 468_000_00),  # above the ceiling: not compliant
    Bidder(NEVER_REVEALED, 405_000_00, reveals=False),
)
CHALLENGER = "Northbridge Civil Works"  # the runner-up disputes the winner's asphalt grade
MILESTONES = (
    ("mobilisation and milling of the old surface", 30),
    ("base course and asphalt laying", 50),
    ("road markings and final inspection", 20),
)


def supplier_actor(name: str) -> str:
    return f"procurement: {name}"


def document(text: str) -> bytes:
    """The hash of a made-up document's text, as an agency would hash the PDF it publishes."""
    return bytes(keccak(text=text))


def milestone_amounts(price: int) -> list[int]:
    """The price split by MILESTONES' percentages; the last takes the rounding remainder."""
    amounts = [price * percent // 100 for _, percent in MILESTONES[:-1]]
    return [*amounts, price - sum(amounts)]


def run(ctx: DemoContext) -> DomainResult:
    officer, reviewer, inspector, registrar, buyer = ctx.actors(
        [OFFICER, REVIEWER, INSPECTOR, REGISTRAR, BUYER]
    )
    suppliers = ctx.actors([supplier_actor(b.name) for b in BIDDERS])
    address = {b.name: s.address for b, s in zip(BIDDERS, suppliers, strict=True)}
    client: ProcurementClient = ProcurementClient.connect(ctx.session)

    ctx.step(DOMAIN, "appointing the procurement officials")
    for role, account in (
        ("PROCUREMENT_OFFICER_ROLE", officer),
        ("PROCUREMENT_REVIEWER_ROLE", reviewer),
        ("CONTRACT_INSPECTOR_ROLE", inspector),
        ("SUPPLIER_REGISTRAR_ROLE", registrar),
    ):
        client.grant_role(role, account.address)
    ctx.mint([s.address for s in suppliers], BOND)
    ctx.mint([buyer.address], BUYER_FUNDS)

    desk = client.as_account(registrar)
    for done, bidder in enumerate(BIDDERS, 1):
        certificate = document(f"Company registration and tax clearance: {bidder.name}")
        desk.set_supplier_status(address[bidder.name], "Approved", certificate)
        ctx.count(DOMAIN, done, len(BIDDERS), "suppliers registered")

    ctx.step(DOMAIN, "opening the tender")
    now = ctx.now()
    created = client.as_account(officer).create_tender(
        title=TITLE,
        buyer=buyer.address,
        token=ctx.token().address,
        document_hash=document(f"Tender specification NPW-2025-014: {TITLE}, rev. 2"),
        ceiling=CEILING,
        bond=BOND,
        bidding_deadline=now + 14 * DAY,
        reveal_deadline=now + 17 * DAY,
        standstill=STANDSTILL,
        registered_only=True,
    )
    tender_id = int(created.event("TenderCreated")["tenderId"])

    sealed: dict[str, SealedBid] = {}
    for done, (bidder, account) in enumerate(zip(BIDDERS, suppliers, strict=True), 1):
        offer = f"{bidder.name}: technical and financial offer, tender {tender_id}".encode()
        bid = SealedBid.new(tender_id, account.address, bidder.price, offer)
        own = client.as_account(account)
        own.approve_bond(tender_id)
        # The salt in the file name keeps a rerun on a reset devnet from meeting an old file.
        keep = ctx.workdir / f"tender-{tender_id}-{account.address}-{bid.salt.hex()[:8]}.json"
        own.commit_bid(bid, keep=keep)
        sealed[bidder.name] = bid
        ctx.count(DOMAIN, done, len(BIDDERS), "sealed bids committed")

    ctx.step(DOMAIN, "bidding closed: revealing the bids")
    record = client.tender(tender_id)
    ctx.travel_to(record.bidding_deadline + 1)
    revealing = [(b, s) for b, s in zip(BIDDERS, suppliers, strict=True) if b.reveals]
    for done, (bidder, account) in enumerate(revealing, 1):
        client.as_account(account).reveal_bid(sealed[bidder.name])
        ctx.count(DOMAIN, done, len(revealing), "bids revealed")

    ctx.step(DOMAIN, "awarding by rule: lowest compliant price")
    ctx.travel_to(record.reveal_deadline + 1)
    awarded = client.as_account(officer).award(tender_id)
    winner = str(awarded.event("TenderAwarded")["winner"])
    price = int(awarded.event("TenderAwarded")["price"])
    winner_name = next(name for name, a in address.items() if a == winner)
    forfeited = client.as_account(officer).pay_forfeited_bonds(tender_id)
    for _, account in revealing:
        client.as_account(account).withdraw_bond(tender_id)

    ctx.step(DOMAIN, f"standstill: {CHALLENGER} challenges, the reviewer decides")
    complaint = document(f"{CHALLENGER}: complaint on tender {tender_id}, asphalt grade AC 16")
    lodged = client.as_account(suppliers[_index(CHALLENGER)]).challenge_award(tender_id, complaint)
    challenge_id = int(lodged.event("ChallengeLodged")["challengeId"])
    dismissed = client.as_account(reviewer).resolve_challenge(
        tender_id, challenge_id, "Dismiss", CHALLENGE_REASON
    )
    awarded_at = client.tender(tender_id).awarded_at
    ctx.travel_to(awarded_at + STANDSTILL + 1)

    ctx.step(DOMAIN, "contract signed: the buyer escrows the price")
    amounts = milestone_amounts(price)
    funded = client.as_account(buyer).fund_escrow(tender_id, amounts)

    site = client.as_account(inspector)
    payments = []
    for index, (work, _) in enumerate(MILESTONES):
        ctx.travel(21 * DAY)  # the works take three weeks a stage
        report = document(f"Site inspection report, tender {tender_id}, milestone {index}: {work}")
        payments.append(site.confirm_milestone(tender_id, index, report))
        ctx.count(DOMAIN, index + 1, len(MILESTONES), "milestones inspected and paid")

    price_text = f"{price // 100:,}.{price % 100:02d} PUB"  # the token has 2 decimals
    return DomainResult(
        DOMAIN,
        highlights=[
            Highlight(
                f"Tender {tender_id}: {len(BIDDERS)} sealed bids, awarded to {winner_name} "
                f"at {price_text}, all {len(MILESTONES)} milestones paid",
                f"/records/tender/{tender_id}",
            ),
            Highlight(
                f"{winner_name}: approved in the supplier registry, then won the tender",
                f"/records/supplier/{winner}",
            ),
            Highlight(
                "The award by rule: the lowest price within the ceiling wins",
                f"/tx/{awarded.tx_hash}",
            ),
            Highlight(
                f"{NEVER_REVEALED} never revealed its bid: its bond went to the buyer",
                f"/tx/{forfeited.tx_hash}",
            ),
            Highlight(
                f"The runner-up, {CHALLENGER}, challenged the award: dismissed on review",
                f"/tx/{dismissed.tx_hash}",
            ),
            Highlight(
                "The inspector's last site report releases the final payment from escrow",
                f"/tx/{payments[-1].tx_hash}",
            ),
        ],
        facts={
            "tender_id": tender_id,
            "buyer": buyer.address,
            "suppliers": address,
            "winner": winner,
            "winner_name": winner_name,
            "price": price,
            "ceiling": CEILING,
            "bond": BOND,
            "bids": len(BIDDERS),
            "unrevealed": [address[b.name] for b in BIDDERS if not b.reveals],
            "non_compliant": [address[b.name] for b in BIDDERS if b.price > CEILING],
            "forfeited": int(forfeited.event("BondsForfeited")["amount"]),
            "challenger": address[CHALLENGER],
            "challenge_id": challenge_id,
            "milestones": amounts,
            "escrowed": int(funded.event("EscrowFunded")["amount"]),
            "paid": sum(int(p.event("MilestonePaid")["amount"]) for p in payments),
        },
    )


def _index(name: str) -> int:
    return next(i for i, b in enumerate(BIDDERS) if b.name == name)
