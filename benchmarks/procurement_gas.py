"""Gas of ``Procurement`` through its Python client, against the issue's budgets.

What is measured: ``gas_used`` from the receipts of real transactions on an anvil devnet that
this script starts and stops, each sent through
:class:`~govchain.clients.procurement.ProcurementClient` (so what agencies and suppliers run is
what is measured; the 21,000 base cost and calldata are included).

Set-up (as ``tests/procurement_env.py``): ``PaymentToken`` (2 decimals) and ``Procurement``
deployed, the officer, reviewer and inspector roles granted to distinct dev accounts, a buyer and
100 suppliers that already hold the token (minted before anything is measured). Every tender has
a title of 40 characters, a ceiling of 500,000.00 PUB, a bond of 10,000.00 PUB, 14 days of
bidding, 3 of reveal and a 10-day standstill. Prices are whole cents between 350,000.00 and
500,000.00 PUB drawn with ``random.Random(--seed)``. Suppliers approve exactly the bond
(``approve_bond``) and commit with ``commit_bid`` (the sealed bid is saved to a file in a
temporary directory first, as the client always does).

Scenario, in order (each step through the client):

1. three tenders opened: T1 (the first of the deployment), T10 and T100;
2. one bid on T1 (the first bond the contract ever receives), 10 on T10, 100 on T100, then one
   T10 bidder replaces its commitment;
3. reveals: every bid except one on T10 (so that a bond is forfeited), in commitment order;
4. award of each tender (1, 10 and 100 bids);
5. on T10, a losing bidder challenges and the reviewer dismisses; on T100, a losing bidder
   challenges and the reviewer upholds it (re-award);
6. after the standstill, the buyer escrows T1's price in 32 milestones and T10's in 2; the
   inspector releases every milestone;
7. T10's revealed bidders withdraw their bonds; the unrevealed bond is paid to the buyer.

The contract holds bonds from the first commitment on (T100's until the end), so apart from the
very first bond no transfer creates or empties the contract's token balance.

A budget row shows the largest of the cases every tender goes through (the first reveal of a
tender writes the leader slot; the last milestone also completes the contract; award with 1, 10
or 100 bids). What happens once per deployment (its first tender: the tender counter from zero;
the first bond it ever holds: its balance slot in the token) gets an informational row of its
own: the budget rows are what every later tender pays.

After each transaction (outside the measurement): status 1, the expected event with the right
arguments, the stored state read back through the client (tender status, bid, leader, escrow)
and every token balance that should move, by exactly what should move. A failed check exits
with status 2.

Run from the repository root::

    .venv/bin/python -m benchmarks.procurement_gas [--seed 7] [--json PATH]

Exit status: 0 (budgets are reported, not enforced; FAIL rows are printed as such), 2 if a
correctness check failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import keccak

from benchmarks import gas as bench
from benchmarks.gas import Balances, GasByCase, Row, check, event
from govchain.clients.procurement import ProcurementClient, SealedBid
from govchain.session import Session

DEFAULT_SEED = 7
UNIT = 100  # 2 decimals: 1.00 PUB
CEILING = 500_000 * UNIT
BOND = 10_000 * UNIT
LOWEST_PRICE = 350_000 * UNIT
SUPPLIER_FUNDS = 1_000_000 * UNIT  # what each supplier holds before it bids
BUYER_FUNDS = 10_000_000 * UNIT
BIDDING = 14 * bench.DAY
REVEALING = 3 * bench.DAY
STANDSTILL = 10 * bench.DAY
BID_COUNTS = (1, 10, 100)  # bids on T1, T10 and T100
SUPPLIERS = max(BID_COUNTS)
UNREVEALED_ON_T10 = 7  # the T10 bidder (by position) who never reveals
REPLACING_ON_T10 = 3  # the T10 bidder who replaces its commitment
MILESTONES = {1: 32, 10: 2}  # escrowed milestones of T1 and T10
TITLES = {  # 40 characters each, so that the first tender differs from the others in state only
    1: "Resurfacing, Route 12, km 4.0 to km 9.50",
    10: "School meals in the north district, 2026",
    100: "Ambulance fleet maintenance, 2026 - 2029",
}
# Accounts: anvil's dev mnemonic, with --accounts raised so that every supplier has ETH for gas.
ADMIN, OFFICER, REVIEWER, INSPECTOR, BUYER, KEEPER = range(6)
FIRST_SUPPLIER = 10
ACCOUNTS = FIRST_SUPPLIER + SUPPLIERS

BUDGET_CREATE = 150_000
BUDGET_COMMIT = 110_000
BUDGET_REVEAL = 70_000
BUDGET_AWARD = 80_000
BUDGET_MILESTONE = 70_000


# -- set-up --------------------------------------------------------------------------------------


@dataclass
class Env(bench.DevnetEnv):
    officer: ProcurementClient
    reviewer: ProcurementClient
    inspector: ProcurementClient
    buyer: ProcurementClient
    keeper: ProcurementClient
    suppliers: list[ProcurementClient]
    bid_dir: Path
    gas: GasByCase = field(default_factory=GasByCase)

    @property
    def contract(self) -> str:
        return self.officer.address

    def leader(self, tender_id: int) -> tuple[str, int]:
        """The stored best bid so far (the client shows it only once awarded)."""
        stored = self.officer._view_struct("tender", tender_id)
        return str(stored["leader"]), int(stored["leadingPrice"])


def set_up(session: Session, bid_dir: Path) -> Env:
    accounts = session.chain.accounts
    roles = {
        "PROCUREMENT_OFFICER_ROLE": OFFICER,
        "PROCUREMENT_REVIEWER_ROLE": REVIEWER,
        "CONTRACT_INSPECTOR_ROLE": INSPECTOR,
    }
    token, governance = bench.deploy(session, "Procurement", ProcurementClient, roles)
    suppliers = [governance.as_account(a) for a in accounts[FIRST_SUPPLIER:ACCOUNTS]]
    mints = [token.functions.mint(s.sender.address, SUPPLIER_FUNDS) for s in suppliers]
    mints.append(token.functions.mint(accounts[BUYER].address, BUYER_FUNDS))
    session.sender.wait_all(session.sender.send_many(mints))
    env = Env(
        session=session,
        token=token,
        officer=governance.as_account(accounts[OFFICER]),
        reviewer=governance.as_account(accounts[REVIEWER]),
        inspector=governance.as_account(accounts[INSPECTOR]),
        buyer=governance.as_account(accounts[BUYER]),
        keeper=governance.as_account(accounts[KEEPER]),
        suppliers=suppliers,
        bid_dir=bid_dir,
    )
    for s in suppliers:
        check(env.balance(s.sender.address) == SUPPLIER_FUNDS, f"{s.sender.address} not funded")
    return env


# -- the scenario --------------------------------------------------------------------------------


@dataclass
class Tender:
    bids: int  # how many suppliers bid: also the tender's key in TITLES and MILESTONES
    id: int = 0
    sealed: dict[str, SealedBid] = field(default_factory=dict)  # bidder -> the bid in force
    order: list[str] = field(default_factory=list)  # bidders in commitment order
    winner: str = ""
    price: int = 0


def create(env: Env, tender: Tender, deadline: int, case: str) -> None:
    before = env.officer.tender_count()
    receipt = env.officer.create_tender(
        title=TITLES[tender.bids],
        buyer=env.buyer.sender.address,
        token=env.token.address,
        document_hash=keccak(text=f"specification of {TITLES[tender.bids]}"),
        ceiling=CEILING,
        bond=BOND,
        bidding_deadline=deadline,
        reveal_deadline=deadline + REVEALING,
        standstill=STANDSTILL,
    )
    created = event(receipt, "TenderCreated")
    tender.id = int(created["tenderId"])
    check(tender.id == before + 1, f"tender id {tender.id}, expected {before + 1}")
    check(
        created["title"] == TITLES[tender.bids], f"tender {tender.id}: title {created['title']!r}"
    )
    record = env.officer.tender(tender.id)
    check(record.status == "Open" and record.phase == "Bidding", f"tender {tender.id}: {record}")
    check(record.bond == BOND and record.ceiling == CEILING, f"tender {tender.id}: {record}")
    check(record.buyer == env.buyer.sender.address, f"tender {tender.id}: buyer {record.buyer}")
    env.gas.record(case, receipt)


def commit(env: Env, tender: Tender, supplier: ProcurementClient, price: int, case: str) -> None:
    address = supplier.sender.address
    replacing = address in tender.sealed
    sealed = SealedBid.new(tender.id, address, price, f"offer of {address} at {price}".encode())
    if not replacing:
        supplier.approve_bond(tender.id)  # exactly the bond, as a supplier would
    balances = Balances(env.balance, address, env.contract)
    keep = env.bid_dir / f"tender-{tender.id}-{address}-{sealed.salt.hex()[:8]}.json"
    receipt = supplier.commit_bid(sealed, keep=keep)
    committed = event(receipt, "BidCommitted")
    check(
        committed["bidder"] == address
        and int(committed["tenderId"]) == tender.id
        and bytes(committed["commitment"]) == sealed.commitment
        and bool(committed["replaced"]) == replacing,
        f"BidCommitted {committed}",
    )
    bond = 0 if replacing else BOND
    balances.moved({address: -bond, env.contract: bond}, f"commit by {address}")
    record = env.officer.bid(tender.id, address)
    check(record.status == "Committed" and record.seq == int(committed["seq"]), f"bid {record}")
    check(SealedBid.load(keep) == sealed, f"{keep} does not hold the sealed bid")
    tender.sealed[address] = sealed
    if not replacing:
        tender.order.append(address)
    env.gas.record(case, receipt)


def reveal(env: Env, tender: Tender, supplier: ProcurementClient) -> None:
    address = supplier.sender.address
    sealed = tender.sealed[address]
    leader, best = env.leader(tender.id)
    first = leader == bench.ZERO_ADDRESS
    seq = env.officer.bid(tender.id, address).seq
    leads = (
        first
        or sealed.price < best
        or (sealed.price == best and seq < env.officer.bid(tender.id, leader).seq)
    )
    receipt = supplier.reveal_bid(sealed)
    revealed = event(receipt, "BidRevealed")
    check(
        revealed["bidder"] == address
        and int(revealed["price"]) == sealed.price
        and revealed["compliant"] is True,
        f"BidRevealed {revealed}",
    )
    record = env.officer.bid(tender.id, address)
    check(record.status == "Revealed" and record.price == sealed.price, f"bid {record}")
    expected = (address, sealed.price) if leads else (leader, best)
    check(env.leader(tender.id) == expected, f"leader {env.leader(tender.id)}, not {expected}")
    if first:
        case = "reveal: first of the tender"
    elif leads:
        case = "reveal: new best price"
    else:
        case = "reveal: not the best price"
    env.gas.record(case, receipt)


def award(env: Env, tender: Tender) -> None:
    revealed = [a for a in tender.order if env.officer.bid(tender.id, a).status == "Revealed"]
    best = min(revealed, key=lambda a: (tender.sealed[a].price, env.officer.bid(tender.id, a).seq))
    receipt = env.keeper.award(tender.id)
    awarded = event(receipt, "TenderAwarded")
    price = tender.sealed[best].price
    check(awarded["winner"] == best and int(awarded["price"]) == price, f"awarded {awarded}")
    record = env.officer.tender(tender.id)
    check(record.status == "Awarded" and record.winner == best, f"tender {record}")
    check(record.winning_price == price, f"tender {tender.id}: price {record.winning_price}")
    tender.winner, tender.price = best, price
    env.gas.record(f"award: {tender.bids} bid{'s' if tender.bids > 1 else ''}", receipt)


def challenge_and_resolve(env: Env, tender: Tender, resolution: str) -> None:
    challenger = next(a for a in tender.order if a != tender.winner)
    client = next(s for s in env.suppliers if s.sender.address == challenger)
    receipt = client.challenge_award(tender.id, keccak(text=f"grounds of {challenger}"))
    lodged = event(receipt, "ChallengeLodged")
    check(lodged["challenger"] == challenger, f"ChallengeLodged {lodged}")
    check(env.officer.phase(tender.id) == "Challenged", f"tender {tender.id} is not challenged")
    env.gas.record("challenge award", receipt)

    challenge_id = int(lodged["challengeId"])
    receipt = env.reviewer.resolve_challenge(tender.id, challenge_id, resolution, 1)
    resolved = event(receipt, "ChallengeResolved")
    check(int(resolved["challengeId"]) == challenge_id, f"ChallengeResolved {resolved}")
    record = env.officer.tender(tender.id)
    if resolution == "Dismiss":
        check(record.status == "Awarded" and record.open_challenges == 0, f"tender {record}")
        check(record.winner == tender.winner, f"tender {tender.id}: winner {record.winner}")
    else:
        reopened = event(receipt, "ReawardOpened")
        check(reopened["disqualified"] == tender.winner, f"ReawardOpened {reopened}")
        check(record.status == "Reaward", f"tender {record}")
        check(env.officer.bid(tender.id, tender.winner).disqualified, "winner not disqualified")
    env.gas.record(f"resolve challenge: {resolution.lower()}", receipt)


def split(price: int, parts: int) -> list[int]:
    """``parts`` positive whole-cent amounts summing to ``price`` (the remainder on the last)."""
    share = price // parts
    return [share] * (parts - 1) + [price - share * (parts - 1)]


def fund(env: Env, tender: Tender) -> list[int]:
    milestones = split(tender.price, MILESTONES[tender.bids])
    buyer = env.buyer.sender.address
    balances = Balances(env.balance, buyer, env.contract)
    receipt = env.buyer.fund_escrow(tender.id, milestones)
    funded = event(receipt, "EscrowFunded")
    check(
        funded["supplier"] == tender.winner and int(funded["amount"]) == tender.price,
        f"EscrowFunded {funded}",
    )
    balances.moved({buyer: -tender.price, env.contract: tender.price}, "fund escrow")
    escrow = env.officer.escrow(tender.id)
    check(escrow.funded == tender.price and escrow.milestones == milestones, f"escrow {escrow}")
    check(
        env.officer.tender(tender.id).status == "Contracted", f"tender {tender.id} not contracted"
    )
    env.gas.record(f"fund escrow: {len(milestones)} milestones", receipt)
    return milestones


def release(env: Env, tender: Tender, milestones: list[int]) -> None:
    for index, amount in enumerate(milestones):
        last = index == len(milestones) - 1
        balances = Balances(env.balance, tender.winner, env.contract)
        receipt = env.inspector.confirm_milestone(tender.id, index, keccak(text=f"report {index}"))
        paid = event(receipt, "MilestonePaid")
        check(
            int(paid["milestone"]) == index
            and paid["supplier"] == tender.winner
            and int(paid["amount"]) == amount,
            f"MilestonePaid {paid}",
        )
        balances.moved({tender.winner: amount, env.contract: -amount}, f"milestone {index}")
        escrow = env.officer.escrow(tender.id)
        check(escrow.paid == list(range(index + 1)), f"escrow {escrow}")
        check(escrow.released == sum(milestones[: index + 1]), f"escrow {escrow}")
        status = env.officer.tender(tender.id).status
        if last:
            completed = event(receipt, "ContractCompleted")
            check(int(completed["paid"]) == tender.price, f"ContractCompleted {completed}")
        check(status == ("Completed" if last else "Contracted"), f"tender {tender.id}: {status}")
        case = "milestone: last (completes)" if last else "milestone: not the last"
        env.gas.record(case, receipt)


def settle_bonds(env: Env, tender: Tender, unrevealed: str) -> None:
    for address in tender.order:
        if address == unrevealed:
            continue
        client = next(s for s in env.suppliers if s.sender.address == address)
        balances = Balances(env.balance, address, env.contract)
        receipt = client.withdraw_bond(tender.id)
        returned = event(receipt, "BondReturned")
        check(returned["bidder"] == address and int(returned["amount"]) == BOND, f"{returned}")
        balances.moved({address: BOND, env.contract: -BOND}, f"bond of {address}")
        check(env.officer.bid(tender.id, address).bond_returned, f"bond of {address} not marked")
        env.gas.record("withdraw bond", receipt)
    buyer = env.buyer.sender.address
    balances = Balances(env.balance, buyer, env.contract)
    receipt = env.keeper.pay_forfeited_bonds(tender.id)
    forfeited = event(receipt, "BondsForfeited")
    check(int(forfeited["bids"]) == 1 and int(forfeited["amount"]) == BOND, f"{forfeited}")
    balances.moved({buyer: BOND, env.contract: -BOND}, "forfeited bonds")
    report = env.officer.report(tender.id)
    check(report.unrevealed == [unrevealed], f"unrevealed {report.unrevealed}")
    check(report.held == 0 and report.balanced, f"tender {tender.id} report {report.as_dict()}")
    env.gas.record("pay forfeited bonds", receipt)


def run_scenario(env: Env, seed: int) -> dict[int, Tender]:
    rng = random.Random(seed)
    tenders = {n: Tender(n) for n in BID_COUNTS}
    deadline = env.now() + BIDDING
    for n in BID_COUNTS:  # T1 first: the first tender of the deployment
        create(env, tenders[n], deadline, "create: first of the deployment" if n == 1 else "create")

    def price() -> int:
        return rng.randrange(LOWEST_PRICE, CEILING + 1)

    for n in BID_COUNTS:
        for supplier in env.suppliers[:n]:
            first_bond = env.balance(env.contract) == 0
            case = "commit: first bond into the contract" if first_bond else "commit"
            commit(env, tenders[n], supplier, price(), case)
    replacing = env.suppliers[REPLACING_ON_T10]
    commit(env, tenders[10], replacing, price(), "commit: replace (re-commit)")

    env.travel_to(deadline + 1)
    unrevealed = env.suppliers[UNREVEALED_ON_T10].sender.address
    for n in BID_COUNTS:
        for supplier in env.suppliers[:n]:
            if not (n == 10 and supplier.sender.address == unrevealed):
                reveal(env, tenders[n], supplier)

    env.travel_to(deadline + REVEALING + 1)
    for n in BID_COUNTS:
        award(env, tenders[n])
    challenge_and_resolve(env, tenders[10], "Dismiss")
    challenge_and_resolve(env, tenders[100], "Reaward")

    awarded_at = max(env.officer.tender(tenders[n].id).awarded_at for n in MILESTONES)
    env.travel_to(awarded_at + STANDSTILL + 1)
    escrowed = {n: fund(env, tenders[n]) for n in MILESTONES}
    for n, milestones in escrowed.items():
        release(env, tenders[n], milestones)
    settle_bonds(env, tenders[10], unrevealed)
    return tenders


# -- the table -----------------------------------------------------------------------------------


def build_rows(by_case: GasByCase) -> list[Row]:
    """Budget rows: the largest of every case that recurs on each tender (first reveal of a
    tender, last milestone of a contract, award of any size). Cases that happen once in the
    life of a deployment (its first tender, the first bond it ever holds) are their own
    informational rows."""
    row = by_case.row
    awards = [f"award: {n} bid{'s' if n > 1 else ''}" for n in BID_COUNTS]
    reveals = [
        "reveal: first of the tender",
        "reveal: new best price",
        "reveal: not the best price",
    ]
    milestones = ["milestone: not the last", "milestone: last (completes)"]
    return [
        row("create tender (40-character title)", ["create"], BUDGET_CREATE),
        row("  first tender of the deployment", ["create: first of the deployment"]),
        row("commit bid with bond", ["commit"], BUDGET_COMMIT),
        row("  first bond the contract ever holds", ["commit: first bond into the contract"]),
        row("  re-commit (replace, no bond moves)", ["commit: replace (re-commit)"]),
        row("reveal bid (largest case)", reveals, BUDGET_REVEAL),
        row("  first reveal of a tender (writes the leader)", reveals[:1]),
        row("  later reveal, new best price", reveals[1:2]),
        row("  later reveal, not the best price", reveals[2:]),
        row("award (largest of 1, 10, 100 bids)", awards, BUDGET_AWARD),
        *(
            row(f"  award, tender with {n} bid{'s' if n > 1 else ''}", [case])
            for n, case in zip(BID_COUNTS, awards, strict=True)
        ),
        row("milestone release (largest case)", milestones, BUDGET_MILESTONE),
        row("  milestone, not the last", milestones[:1]),
        row("  last milestone (also completes the contract)", milestones[1:]),
        row("fund escrow, 2 milestones", ["fund escrow: 2 milestones"]),
        row("fund escrow, 32 milestones", ["fund escrow: 32 milestones"]),
        row("challenge award", ["challenge award"]),
        row("resolve challenge: dismiss", ["resolve challenge: dismiss"]),
        row("resolve challenge: re-award", ["resolve challenge: reaward"]),
        row("withdraw bond", ["withdraw bond"]),
        row("pay forfeited bonds (1 bond)", ["pay forfeited bonds"]),
    ]


def measure(session: Session, seed: int) -> bench.Result:
    """Run the scenario (sealed bids in a temporary directory); the rows and notes."""
    with tempfile.TemporaryDirectory(prefix="procurement-gas-bids-") as bids:
        env = set_up(session, Path(bids))
        run_scenario(env, seed)
    rows = build_rows(env.gas)
    return bench.Result(rows, format_notes(rows), {"gas_by_case": dict(env.gas)})


# -- reporting -----------------------------------------------------------------------------------


def format_notes(rows: Sequence[Row]) -> list[str]:
    titles = (
        "titles: "
        + ", ".join(f"{len(t)} characters" for t in TITLES.values())
        + f"; bond {BOND / UNIT:,.2f} PUB, ceiling {CEILING / UNIT:,.2f} PUB"
    )
    return [*bench.case_notes(rows), titles]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.procurement_gas",
        description="Gas of Procurement (via ProcurementClient) against the issue's budgets.",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="for the bid prices")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench.run_main(
        lambda session: measure(session, args.seed),
        json_path=args.json,
        params={"seed": args.seed},
        label=f"seed {args.seed}",
        accounts=ACCOUNTS,
    )


if __name__ == "__main__":
    sys.exit(main())
