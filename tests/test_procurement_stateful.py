"""Procurement as a state machine: several tenders, five suppliers, one ghost ledger.

Hypothesis opens tenders and drives sealed bids, re-commitments, reveals (honest, of a replaced
commitment, forged), awards, bond withdrawals (double ones included), forfeits, challenges and
their resolutions, re-award nominations, escrow funding, milestone confirmations, terminations,
cancellations, amendments, registry changes and pauses in random order against one deployment
on the session's anvil. Prices are mostly a few fractions of the ceiling (ties), else zero, just
above the ceiling, beyond 96 bits or anything. Besides the one-action rules, `lifecycle`,
`advance` and `advance_every` move tenders through their phases doing what each phase is for
(`step_tender`), so that every example reaches awards, challenges, re-awards and contracts
however swarm testing trims the rules.

Every action first predicts its outcome from the ghost model: success, with its exact events and
token movements, or the exact custom error with its arguments. After every step the chain is read
back (one JSON-RPC batch) and must agree with the model to the unit:

- the leader of an open tender is the lowest compliant revealed price, ties going to the earliest
  commitment (a re-commitment takes a new sequence number); during a re-award it is the best of
  the nominated bids, never a disqualified one; every award went to that bid, computed from
  scratch from the model's bids;
- every stored tender, bid, challenge and escrow field, and every tender's phase;
- token conservation: the contract holds exactly, summed over tenders, the bonds posted less
  those returned and those forfeited to the buyer, plus the escrow funded less what was released
  to the supplier or refunded to the buyer; and every account the machine knows (all the dev
  accounts in play) holds what the ledger says;
- a bond is returned at most once: a second withdrawal fails with ProcurementBondNotRefundable,
  and the BondReturned events add up to the bonds the model returned.

The client's event-based ``report(tender_id)`` (a dozen RPC calls) must be ``balanced`` and agree
with the model (bonds, forfeits, escrow, winner, reveals, challenges, milestones): every
`REPORT_EVERY` steps for the tenders that changed, and for every tender at the end of each
example, with the client's ``tender`` view.

Each example runs between ``evm_snapshot`` and ``evm_revert`` on the session's anvil. Time is
exact: every transaction the machine sends is stamped with ``evm_setNextBlockTimestamp`` (one
second after the latest block unless the machine travelled), so the model knows the
``block.timestamp`` each action will see and deadlines are tested to the second (a reveal at the
reveal deadline, the award refused then and accepted a second later...); travelling is
``evm_setNextBlockTimestamp`` + ``evm_mine``. Nothing sleeps.
"""

from __future__ import annotations

import itertools
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from eth_abi import decode, encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from devnet_clock import machine_settings
from govchain import contract_error
from govchain.accounts import dev_accounts
from govchain.chain import Chain
from govchain.clients.procurement import (
    PHASE,
    TENDER_STATUS,
    ZERO_ADDRESS,
    ProcurementClient,
    SealedBid,
)
from govchain.events import EventRegistry
from govchain.project import Project
from govchain.revert import ErrorRegistry, normalize
from govchain.sender import Receipt
from govchain.session import Session
from procurement_env import BUYER_FUNDS, CEILING, SUPPLIER_FUNDS, make_env

HOUR = 3_600
DAY = 86_400
NOMINATION_WINDOW = 2 * DAY
MAX_MILESTONES = 32
UINT96_MAX = 2**96 - 1
SPEC = keccak(text="tender specification (stateful)")
ZERO32 = b"\x00" * 32
N_SUPPLIERS = 5  # the environment's three and two more funded dev accounts (indexes 10 and 11)
STEPS = 30
MAX_TENDERS = 6  # per example
MAX_RUNNING = 3  # tenders not over yet, for create_tender
LIFECYCLE_HOPS = 20
REGISTERED = 3  # suppliers approved in the registry as each example starts
REPORT_EVERY = 15  # steps between client reports of the tenders that changed (and at the end)

SETTINGS = machine_settings(12, STEPS)

T = TypeVar("T")
OUTCOMES: Counter[str] = Counter()  # what the examples exercised, checked by the test
BID_FILES = itertools.count()  # sealed-bid files are never overwritten: one name per bid


def _pick(items: list[T], k: int) -> T:
    return items[k % len(items)]


def _status(name: str) -> int:
    return TENDER_STATUS.index(name)


# -- the deployment shared by every example -------------------------------------------------------


def _abi_type(component: dict[str, Any]) -> str:
    if component["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in component["components"])
        return f"({inner}){component['type'][len('tuple') :]}"
    return str(component["type"])


@dataclass(frozen=True)
class View:
    """A view function called by raw ``eth_call`` (batched), decoded with the compiled ABI."""

    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    fields: tuple[tuple[tuple[str, str], ...] | None, ...]  # (name, type) of struct components

    @classmethod
    def of(cls, abi: list[dict[str, Any]], name: str) -> View:
        item = next(i for i in abi if i.get("type") == "function" and i.get("name") == name)
        inputs = tuple(_abi_type(i) for i in item["inputs"])
        return cls(
            keccak(text=f"{name}({','.join(inputs)})")[:4],
            inputs,
            tuple(_abi_type(o) for o in item["outputs"]),
            tuple(
                tuple((c["name"], _abi_type(c)) for c in o["components"])
                if o["type"] == "tuple"
                else None
                for o in item["outputs"]
            ),
        )

    def data(self, *args: Any) -> bytes:
        return self.selector + encode(list(self.inputs), list(args))

    def result(self, raw: bytes) -> list[Any]:
        values = decode(list(self.outputs), raw)
        return [
            {n: normalize(k, v) for (n, k), v in zip(fields, value, strict=True)}
            if fields
            else normalize(kind, value)
            for fields, kind, value in zip(self.fields, self.outputs, values, strict=True)
        ]


@dataclass(frozen=True)
class World:
    project: Project
    chain: Chain
    errors: ErrorRegistry
    events: EventRegistry
    token: str
    procurement: str
    admin: LocalAccount
    officer: LocalAccount
    reviewer: LocalAccount
    inspector: LocalAccount
    registrar: LocalAccount
    buyers: tuple[LocalAccount, ...]
    suppliers: tuple[LocalAccount, ...]
    bid_dir: Path
    views: dict[str, View]
    balances: dict[str, int]  # every account the machine follows, as each example starts

    @property
    def officials(self) -> tuple[LocalAccount, ...]:
        return (self.admin, self.officer, self.reviewer, self.inspector, self.registrar)


@pytest.fixture
def world(session: Session, chain: Chain, tmp_path: Path) -> World:
    """The shared procurement environment, two more funded suppliers and a second buyer.

    Every supplier approves the contract once for good (commitments then cost one transaction);
    the officer is also made an inspector, so that confirming its own tender's milestones can be
    tried (and refused).
    """
    env = make_env(session, chain, tmp_path / "bids")
    a = chain.accounts
    extra = dev_accounts(12)[10:]
    for account in extra:
        chain.rpc("anvil_setBalance", account.address, hex(10**21))
    suppliers = tuple(s.sender.account for s in env.suppliers) + tuple(extra)
    second_buyer = a[9]
    sender = session.sender
    sender.wait_all(
        sender.send_many(
            [env.token.functions.mint(s.address, SUPPLIER_FUNDS) for s in extra]
            + [env.token.functions.mint(second_buyer.address, BUYER_FUNDS)]
        )
    )
    procurement = env.governance.contract
    for supplier in suppliers:
        session.sender_for(supplier).transact(
            env.token.functions.approve(procurement.address, 2**256 - 1)
        )
    env.governance.grant_role("CONTRACT_INSPECTOR_ROLE", a[1].address)
    for supplier in suppliers[:REGISTERED]:
        env.registrar.set_supplier_status(supplier.address, "Approved")
    followed = {*(x.address for x in a), *(s.address for s in suppliers), procurement.address}
    balances = {str(x): int(env.token.functions.balanceOf(x).call()) for x in followed}
    assert balances[procurement.address] == 0
    return World(
        project=session.project,
        chain=chain,
        errors=session.errors,
        events=session.events,
        token=env.token.address,
        procurement=procurement.address,
        admin=a[0],
        officer=a[1],
        reviewer=a[2],
        inspector=a[3],
        registrar=a[4],
        buyers=(a[5], second_buyer),
        suppliers=suppliers,
        bid_dir=tmp_path / "bids",
        views={
            name: View.of(list(procurement.abi), name)  # type: ignore[arg-type]
            for name in ("tender", "phase", "bid", "escrow", "challenge", "challengeCount")
        },
        balances=balances,
    )


# -- exact time -----------------------------------------------------------------------------------


@dataclass
class Clock:
    """The latest block's timestamp; the next transaction is mined one second later."""

    chain: Chain
    latest: int

    @property
    def next(self) -> int:
        return self.latest + 1

    def advance_to(self, instant: int) -> None:
        """Make ``instant`` the next transaction's timestamp, if it is still ahead."""
        if instant - 1 > self.latest:
            self.chain.rpc("evm_setNextBlockTimestamp", instant - 1)
            self.chain.rpc("evm_mine")
            self.latest = instant - 1


@dataclass(frozen=True)
class StampedClient(ProcurementClient):
    """The client, with every transaction it sends mined at the clock's next timestamp."""

    clock: Clock | None = None

    def _transact(self, call: Any) -> Receipt:
        assert self.clock is not None
        self.clock.chain.rpc("evm_setNextBlockTimestamp", self.clock.next)
        receipt = super()._transact(call)  # a predicted revert raises here, and mines nothing
        self.clock.latest += 1
        return receipt


# -- the ghost model ------------------------------------------------------------------------------


@dataclass
class GhostBid:
    sealed: SealedBid
    seq: int
    stale: list[SealedBid] = field(default_factory=list)  # commitments it replaced
    status: str = "Committed"  # Committed, Revealed, NonCompliant
    price: int = 0  # as stored: saturated at 2^96-1
    bond_returned: bool = False
    disqualified: bool = False
    challenged_in_round: int = 0


@dataclass
class GhostChallenge:
    id: int
    challenger: int
    award_round: int
    document_hash: bytes
    status: str = "Open"
    resolution: tuple[str, int] | None = None  # (resolution, reason code) once decided


@dataclass
class GhostTender:
    id: int
    buyer: int  # index into World.buyers
    ceiling: int
    bond: int
    bidding_deadline: int
    reveal_deadline: int
    standstill: int
    registered_only: bool
    document_hash: bytes = SPEC
    status: str = "Open"
    refund_all: bool = False
    forfeited: int = 0  # bonds paid to the buyer
    commit_seq: int = 0
    bids: dict[int, GhostBid] = field(default_factory=dict)  # by supplier, first commit first
    award_round: int = 0
    awarded_at: int = 0
    leader: int | None = None
    leading_price: int = 0
    nominated: set[int] = field(default_factory=set)
    announced: tuple[int, int] | None = None  # (winner, price) as the events tell, for report()
    reveals: list[tuple[int, int, bool]] = field(default_factory=list)  # (supplier, price, ok)
    challenges: list[GhostChallenge] = field(default_factory=list)
    open_challenges: int = 0
    milestones: list[int] = field(default_factory=list)
    paid: set[int] = field(default_factory=set)
    payments: list[tuple[int, int]] = field(default_factory=list)  # (milestone, amount)
    funded: int = 0
    released: int = 0  # paid to the supplier, or refunded on termination
    escrow_paid: int = 0
    escrow_refunded: int = 0
    forfeits_paid: bool = False

    @property
    def returned(self) -> int:
        return sum(1 for b in self.bids.values() if b.bond_returned)

    @property
    def unrevealed(self) -> list[int]:
        return [s for s, b in self.bids.items() if b.status == "Committed"]

    @property
    def held(self) -> int:
        bonds = self.bond * (len(self.bids) - self.returned) - self.forfeited
        return bonds + self.funded - self.released

    @property
    def window_end(self) -> int:
        return self.awarded_at + NOMINATION_WINDOW

    @property
    def standstill_end(self) -> int:
        return self.awarded_at + self.standstill

    def phase(self, now: int) -> str:
        if self.status == "Open":
            if now <= self.bidding_deadline:
                return "Bidding"
            return "Revealing" if now <= self.reveal_deadline else "AwaitingAward"
        if self.status == "Awarded":
            if self.open_challenges:
                return "Challenged"
            return "Standstill" if now <= self.standstill_end else "AwardFinal"
        return self.status  # the other statuses are phases of the same name

    def phase_end(self, now: int) -> int:
        """When the current phase ends by the clock (`now` if the clock does not end it)."""
        phase = self.phase(now)
        if phase == "Bidding":
            return self.bidding_deadline
        if phase == "Revealing":
            return self.reveal_deadline
        if phase == "Standstill":
            return self.standstill_end
        if phase == "Reaward":
            return max(now, self.window_end)
        return now

    def best(self) -> int | None:
        """The rule, from scratch: lowest compliant revealed price, then earliest commitment,
        among bids not disqualified (during a re-award: among the nominated ones)."""
        pool = self.nominated if self.status == "Reaward" else self.bids.keys()
        eligible = [
            s for s in pool if self.bids[s].status == "Revealed" and not self.bids[s].disqualified
        ]
        return min(eligible, key=lambda s: (self.bids[s].price, self.bids[s].seq), default=None)

    def fingerprint(self) -> tuple[Any, ...]:
        return (
            self.status,
            self.commit_seq,
            tuple((s, b.status, b.bond_returned) for s, b in self.bids.items()),
            self.forfeited,
            tuple(c.status for c in self.challenges),
            frozenset(self.nominated),
            self.released,
            self.funded,
        )


picks = st.integers(0, 2**10)  # taken modulo the number of choices
suppliers = st.integers(0, N_SUPPLIERS - 1)
prices = st.tuples(st.integers(0, 12), st.integers(1, 10**9))
tender_terms = st.fixed_dictionaries(
    {
        "buyer": st.integers(0, 1),
        "ceiling": st.sampled_from([1_000, 250_000, CEILING]),
        "bond": st.sampled_from([1_000_000, 1_000_000, 25, 0]),
        "bidding": st.sampled_from([HOUR, DAY, 3 * DAY]),
        "reveal": st.sampled_from([HOUR, DAY, 2 * DAY]),
        "standstill": st.sampled_from([0, 2 * DAY, 10 * DAY, 10 * DAY]),
        "registered_only": st.sampled_from([False] * 5 + [True]),
    }
)
milestone_plans = st.tuples(
    st.sampled_from(["exact", "exact", "exact", "short", "over", "zero", "empty", "too many"]),
    st.lists(st.integers(1, 100), min_size=1, max_size=5),
)
RESOLUTIONS = ("Dismiss", "Reaward", "Cancel")
FINAL = ("NoAward", "Cancelled", "Completed", "Terminated")


@dataclass(frozen=True)
class Drive:
    """The decisions `step_tender` takes for a tender, whatever its phase."""

    bidders: list[tuple[int, tuple[int, int]]]  # (supplier, price choice) committing
    tie: bool  # every bidder bids the first one's price
    reveal_mask: int  # the suppliers that reveal, and are nominated in a re-award
    challenge: bool  # challenge during the standstill (else wait it out)
    resolution: str  # the reviewer's decision
    terminate: bool  # terminate a contract (else confirm its next milestone)
    plan: tuple[str, list[int]]  # a milestone plan (its weights split the escrow)
    probe: bool  # first try, at each phase, what must be refused


drives = st.builds(
    Drive,
    bidders=st.lists(st.tuples(suppliers, prices), min_size=3, max_size=4),
    tie=st.sampled_from([True, False, False]),
    reveal_mask=st.one_of(st.just(2**N_SUPPLIERS - 1), st.integers(0, 2**N_SUPPLIERS - 1)),
    challenge=st.sampled_from([True, True, False]),
    resolution=st.sampled_from(["Dismiss", "Reaward", "Reaward", "Cancel"]),
    terminate=st.sampled_from([True, False, False]),
    plan=milestone_plans,
    probe=st.booleans(),
)


def _price(choice: tuple[int, int], ceiling: int) -> int:
    """Mostly a few fixed fractions of the ceiling (ties), else zero, just above the ceiling,
    beyond 96 bits, or anything under the ceiling."""
    kind, r = choice
    if kind <= 4:
        return (ceiling * (1, 1, 1, 2, 4)[kind]) // 4
    if kind == 5:
        return 0
    if kind == 6:
        return ceiling + 1
    if kind == 7:
        return 2**256 - 1 if r % 2 else 2**96 + r
    return 1 + r % ceiling


def _split(total: int, weights: list[int]) -> list[int]:
    """``total`` in positive parts proportional to ``weights`` (fewer parts if it is small)."""
    weights = weights[: max(1, min(len(weights), total))]
    parts = [max(1, total * w // sum(weights)) for w in weights]
    parts[-1] += total - sum(parts)
    if parts[-1] <= 0:  # the rounding up took too much: one part
        return [total]
    return parts


# -- the machine ----------------------------------------------------------------------------------


class ProcurementMachine(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.snapshot = world.chain.rpc("evm_snapshot")
        # A fresh session per example: senders cache nonces, which evm_revert invalidates.
        self.session = Session(world.project, world.chain, world.errors, world.events)
        latest = int(world.chain.w3.eth.get_block("latest")["timestamp"])
        self.clock = Clock(world.chain, latest)
        contract = self.session.contract("Procurement", world.procurement)
        base = StampedClient(self.session, contract, self.session.sender, 0, self.clock)
        self.admin = base.as_account(world.admin)
        self.officer = base.as_account(world.officer)
        self.reviewer = base.as_account(world.reviewer)
        self.inspector = base.as_account(world.inspector)
        self.registrar = base.as_account(world.registrar)
        self.buyers = [base.as_account(b) for b in world.buyers]
        self.suppliers = [base.as_account(s) for s in world.suppliers]
        self.anyone = self.buyers[1]  # award, nominate and forfeit are anyone's to call
        self.officials = [base.as_account(o) for o in world.officials]
        self.addresses = [s.address for s in world.suppliers]
        self.balances = dict(world.balances)
        self.tenders: dict[int, GhostTender] = {}
        # supplier -> "Approved" / "Debarred" / "None": the world approved the first ones
        self.registry = dict.fromkeys(range(REGISTERED), "Approved")
        self.paused = False
        self.reported: dict[int, tuple[Any, ...]] = {}
        self.checks = 0

    def teardown(self) -> None:
        try:
            if sys.exc_info()[0] is None:  # the example passed: every tender's report, last
                for t in self.tenders.values():
                    if self.reported.get(t.id) != t.fingerprint():
                        self.check_report(t)
                    self.check_client_tender(t)
        finally:
            assert self.world.chain.rpc("evm_revert", self.snapshot) is True

    # -- helpers ----------------------------------------------------------------------------------

    def move(self, source: str, target: str, amount: int) -> None:
        assert self.balances[source] >= amount
        self.balances[source] -= amount
        self.balances[target] += amount

    def buyer_of(self, t: GhostTender) -> str:
        return self.world.buyers[t.buyer].address

    def seal(self, tender_id: int, bidder: str, price: int) -> SealedBid:
        n = next(BID_FILES)
        offer = keccak(text=f"offer {price}")
        return SealedBid(tender_id, bidder, price, keccak(n.to_bytes(8, "big")), offer)

    def keep(self) -> Path:
        return self.world.bid_dir / f"bid-{next(BID_FILES)}.json"

    def in_status(self, *statuses: str) -> list[GhostTender]:
        return [t for t in self.tenders.values() if t.status in statuses]

    def choose(
        self,
        pick: int,
        want: Callable[[GhostTender, int], bool],
        bring: Callable[[GhostTender], int | None] | None = None,
    ) -> GhostTender:
        """A tender for which `want` holds now; else one that `bring` names an instant for
        (time first travels there); else any."""
        now = self.clock.next
        tenders = list(self.tenders.values())
        wanted = [t for t in tenders if want(t, now)]
        if wanted:
            return _pick(wanted, pick)
        if bring is not None:
            upcoming = [(t, i) for t in tenders if (i := bring(t)) is not None and i >= now]
            if upcoming:
                t, instant = _pick(upcoming, pick)
                OUTCOMES["time: travelled for a rule"] += 1
                self.clock.advance_to(instant)
                return t
        return _pick(tenders, pick)

    @contextmanager
    def refused(
        self, label: str, error: str, inputs: dict[str, Any], *, mined: int = 0
    ) -> Iterator[None]:
        """The action inside must revert with `error` and these arguments, having mined only
        `mined` transactions (a client's preparatory approval) before it."""
        OUTCOMES[f"{label}: {error}"] += 1
        before = self.clock.latest
        with pytest.raises(contract_error(error)) as info:
            yield
        assert self.clock.latest == before + mined, "a refused transaction was mined"
        assert info.value.inputs == inputs, f"{label}: {error}{info.value.inputs} != {inputs}"

    def wrong_status(self, t: GhostTender) -> dict[str, int]:
        return {"tenderId": t.id, "actual": _status(t.status)}

    # -- actions: each predicts its outcome from the model, then checks it -------------------------

    def create(self, terms: dict[str, Any], *, valid: bool = True) -> GhostTender | None:
        now = self.clock.next
        bidding = now + terms["bidding"] if valid else now
        reveal = bidding + terms["reveal"]
        buyer = self.world.buyers[terms["buyer"]].address
        args = {
            "title": "Stateful tender",
            "buyer": buyer,
            "token": self.world.token,
            "document_hash": SPEC,
            "ceiling": terms["ceiling"],
            "bond": terms["bond"],
            "bidding_deadline": bidding,
            "reveal_deadline": reveal,
            "standstill": terms["standstill"],
            "registered_only": terms["registered_only"],
        }
        if self.paused:
            with self.refused("create", "EnforcedPause", {}):
                self.officer.create_tender(**args)
            return None
        if not valid:
            with self.refused("create", "GovchainInvalidWindow", {"start": now, "end": reveal}):
                self.officer.create_tender(**args)
            return None
        event = self.officer.create_tender(**args).event("TenderCreated")
        tender_id = int(event["tenderId"])
        assert tender_id == len(self.tenders) + 1
        assert (event["buyer"], event["officer"]) == (buyer, self.world.officer.address)
        assert (int(event["biddingDeadline"]), int(event["revealDeadline"])) == (bidding, reveal)
        t = GhostTender(
            tender_id,
            terms["buyer"],
            terms["ceiling"],
            terms["bond"],
            bidding,
            reveal,
            terms["standstill"],
            terms["registered_only"],
        )
        self.tenders[tender_id] = t
        OUTCOMES["create: opened" + (" (registered only)" if t.registered_only else "")] += 1
        return t

    def commit(self, t: GhostTender, s: int, price: int) -> None:
        now = self.clock.next
        address = self.addresses[s]
        sealed = self.seal(t.id, address, price)
        client = self.suppliers[s]
        standing = self.registry.get(s, "None")
        error: tuple[str, dict[str, Any]] | None = None
        if self.paused:
            error = ("EnforcedPause", {})
        elif t.status != "Open":
            error = ("ProcurementWrongStatus", self.wrong_status(t))
        elif now > t.bidding_deadline:
            error = (
                "ProcurementBiddingClosed",
                {"tenderId": t.id, "biddingDeadline": t.bidding_deadline},
            )
        elif standing == "Debarred":
            error = ("ProcurementSupplierDebarred", {"account": address})
        elif t.registered_only and standing != "Approved":
            error = ("ProcurementSupplierNotRegistered", {"account": address})
        if error is not None:
            with self.refused("commit", *error):
                client.commit_bid(sealed, keep=self.keep())
            return
        receipt = client.commit_bid(sealed, keep=self.keep())
        replaced = s in t.bids
        t.commit_seq += 1
        assert receipt.event("BidCommitted").args == {
            "tenderId": t.id,
            "bidder": address,
            "commitment": sealed.commitment,
            "seq": t.commit_seq,
            "replaced": replaced,
        }
        transfers = receipt.events_named("Transfer")
        if replaced:
            b = t.bids[s]
            b.stale.append(b.sealed)
            b.sealed, b.seq = sealed, t.commit_seq
            assert not transfers, "a replaced commitment took a second bond"
            OUTCOMES["commit: replaced"] += 1
        else:
            t.bids[s] = GhostBid(sealed, t.commit_seq)
            self.move(address, self.world.procurement, t.bond)
            assert len(transfers) == (1 if t.bond else 0)
            OUTCOMES["commit: committed" + ("" if t.bond else " (no bond)")] += 1

    def official_commit(self, t: GhostTender, who: int) -> None:
        """A procurement official (or the tender's buyer) tries to bid."""
        now = self.clock.next
        if who < len(self.officials):
            client, account = self.officials[who], self.world.officials[who]
        else:
            client, account = self.buyers[t.buyer], self.world.buyers[t.buyer]
        sealed = self.seal(t.id, account.address, t.ceiling // 2)
        if self.paused:
            error: tuple[str, dict[str, Any]] = ("EnforcedPause", {})
        elif t.status != "Open":
            error = ("ProcurementWrongStatus", self.wrong_status(t))
        elif now > t.bidding_deadline:
            error = (
                "ProcurementBiddingClosed",
                {"tenderId": t.id, "biddingDeadline": t.bidding_deadline},
            )
        else:
            error = ("ProcurementOfficialCannotBid", {"account": account.address})
        with self.refused("official commit", *error):
            client.commit_bid(sealed, keep=self.keep())

    def reveal(self, t: GhostTender, s: int, mode: str = "honest") -> None:
        now = self.clock.next
        address = self.addresses[s]
        b = t.bids.get(s)
        if b is None:
            sealed = self.seal(t.id, address, t.ceiling)
        elif mode == "stale" and b.stale:
            sealed = b.stale[-1]
        elif mode == "forged":
            sealed = SealedBid(
                t.id, address, b.sealed.price ^ 1, b.sealed.salt, b.sealed.offer_doc_hash
            )
        else:
            sealed, mode = b.sealed, "honest"
        error: tuple[str, dict[str, Any]] | None = None
        if t.status != "Open":
            error = ("ProcurementWrongStatus", self.wrong_status(t))
        elif not t.bidding_deadline < now <= t.reveal_deadline:
            error = (
                "ProcurementRevealNotOpen",
                {
                    "tenderId": t.id,
                    "biddingDeadline": t.bidding_deadline,
                    "revealDeadline": t.reveal_deadline,
                },
            )
        elif b is None:
            error = ("ProcurementNoBid", {"tenderId": t.id, "bidder": address})
        elif b.status != "Committed":
            error = ("ProcurementAlreadyRevealed", {"tenderId": t.id, "bidder": address})
        elif sealed.commitment != b.sealed.commitment:
            error = ("ProcurementCommitmentMismatch", {"tenderId": t.id, "bidder": address})
        if error is not None:
            label = "reveal" + (f" ({mode})" if mode != "honest" and b is not None else "")
            with self.refused(label, *error):
                self.suppliers[s].reveal_bid(sealed)
            return
        assert b is not None
        receipt = self.suppliers[s].reveal_bid(sealed)  # reveals ignore the pause
        compliant = 0 < sealed.price <= t.ceiling
        assert receipt.event("BidRevealed").args == {
            "tenderId": t.id,
            "bidder": address,
            "price": sealed.price,
            "offerDocHash": sealed.offer_doc_hash,
            "compliant": compliant,
        }
        b.status = "Revealed" if compliant else "NonCompliant"
        b.price = min(sealed.price, UINT96_MAX)
        t.reveals.append((s, sealed.price, compliant))
        t.leader = t.best()
        t.leading_price = t.bids[t.leader].price if t.leader is not None else 0
        OUTCOMES[
            "reveal: "
            + ("compliant" if compliant else "non-compliant")
            + (" after a re-commit" if b.stale else "")
            + (" (while paused)" if self.paused else "")
        ] += 1

    def award(self, t: GhostTender) -> None:
        now = self.clock.next
        if self.paused:
            with self.refused("award", "EnforcedPause", {}):
                self.anyone.award(t.id)
            return
        if t.status not in ("Open", "Reaward"):
            with self.refused("award", "ProcurementWrongStatus", self.wrong_status(t)):
                self.anyone.award(t.id)
            return
        not_before = t.reveal_deadline if t.status == "Open" else t.window_end
        if now <= not_before:
            with self.refused(
                "award", "ProcurementAwardTooEarly", {"tenderId": t.id, "notBefore": not_before}
            ):
                self.anyone.award(t.id)
            return
        winner = t.best()
        assert winner == t.leader
        receipt = self.anyone.award(t.id)
        after_reaward = t.status == "Reaward"
        if winner is None:
            receipt.event("TenderNotAwarded")
            t.status = "NoAward"
            why = (
                " after a re-award"
                if after_reaward
                else " (no bid)"
                if not t.bids
                else " (none revealed)"
                if len(t.unrevealed) == len(t.bids)
                else " (none compliant)"
            )
            OUTCOMES["award: no award" + why] += 1
            return
        price = t.bids[winner].price
        assert receipt.event("TenderAwarded").args == {
            "tenderId": t.id,
            "winner": self.addresses[winner],
            "price": price,
            "standstillEnds": now + t.standstill,
        }
        ties = [s for s, b in t.bids.items() if b.status == "Revealed" and b.price == price]
        t.status, t.awarded_at, t.announced = "Awarded", now, (winner, price)
        OUTCOMES["award: awarded"] += 1
        if len(ties) > 1:
            OUTCOMES["award: awarded on a tie"] += 1
        if after_reaward:
            OUTCOMES["award: awarded after a re-award"] += 1

    def withdraw(self, t: GhostTender, s: int) -> None:
        address = self.addresses[s]
        b = t.bids.get(s)
        if b is None:
            with self.refused(
                "withdraw", "ProcurementNoBid", {"tenderId": t.id, "bidder": address}
            ):
                self.suppliers[s].withdraw_bond(t.id)
            return
        decided = b.status != "Committed" and t.status != "Open"
        if b.bond_returned or not (decided or t.refund_all):
            label = "withdraw" + (" again" if b.bond_returned else "")
            with self.refused(
                label, "ProcurementBondNotRefundable", {"tenderId": t.id, "bidder": address}
            ):
                self.suppliers[s].withdraw_bond(t.id)
            return
        receipt = self.suppliers[s].withdraw_bond(t.id)
        assert receipt.event("BondReturned").args == {
            "tenderId": t.id,
            "bidder": address,
            "amount": t.bond,
        }
        assert len(receipt.events_named("Transfer")) == (1 if t.bond else 0)
        b.bond_returned = True
        self.move(self.world.procurement, address, t.bond)
        OUTCOMES[
            "withdraw: returned"
            + (" (unrevealed, cancelled)" if b.status == "Committed" else "")
            + (f" ({t.status})" if t.status != "Awarded" else "")
        ] += 1

    def pay_forfeits(self, t: GhostTender) -> None:
        if t.status == "Open":
            with self.refused("forfeits", "ProcurementWrongStatus", self.wrong_status(t)):
                self.anyone.pay_forfeited_bonds(t.id)
            return
        unrevealed = len(t.unrevealed)
        if t.refund_all or t.forfeits_paid or unrevealed * t.bond == 0:
            label = "forfeits" + (" again" if t.forfeits_paid else "")
            with self.refused(label, "ProcurementNoForfeits", {"tenderId": t.id}):
                self.anyone.pay_forfeited_bonds(t.id)
            return
        receipt = self.anyone.pay_forfeited_bonds(t.id)
        amount = unrevealed * t.bond
        assert receipt.event("BondsForfeited").args == {
            "tenderId": t.id,
            "buyer": self.buyer_of(t),
            "bids": unrevealed,
            "amount": amount,
        }
        t.forfeits_paid, t.forfeited = True, amount
        self.move(self.world.procurement, self.buyer_of(t), amount)
        OUTCOMES[f"forfeits: paid ({t.status})"] += 1

    def challenge(self, t: GhostTender, s: int) -> None:
        now = self.clock.next
        address = self.addresses[s]
        document = keccak(text=f"grounds {t.id} {s} {t.award_round}")
        b = t.bids.get(s)
        error: tuple[str, dict[str, Any]] | None = None
        if t.status != "Awarded" or now > t.standstill_end:
            error = ("ProcurementChallengeClosed", {"tenderId": t.id})
        elif b is None:
            error = ("ProcurementNotBidder", {"tenderId": t.id, "account": address})
        elif b.challenged_in_round == t.award_round + 1:
            error = ("ProcurementAlreadyChallenged", {"tenderId": t.id, "bidder": address})
        if error is not None:
            with self.refused("challenge", *error):
                self.suppliers[s].challenge_award(t.id, document)
            return
        assert b is not None
        receipt = self.suppliers[s].challenge_award(t.id, document)  # ignores the pause
        challenge_id = len(t.challenges) + 1
        assert receipt.event("ChallengeLodged").args == {
            "tenderId": t.id,
            "challengeId": challenge_id,
            "challenger": address,
            "documentHash": document,
        }
        t.challenges.append(GhostChallenge(challenge_id, s, t.award_round, document))
        t.open_challenges += 1
        b.challenged_in_round = t.award_round + 1
        OUTCOMES["challenge: lodged" + (" (re-awarded)" if t.award_round else "")] += 1

    def resolve(self, t: GhostTender, challenge_id: int, resolution: str, reason: int) -> None:
        now = self.clock.next
        c = t.challenges[challenge_id - 1] if challenge_id <= len(t.challenges) else None
        if (
            c is None
            or c.status != "Open"
            or c.award_round != t.award_round
            or t.status != "Awarded"
        ):
            with self.refused(
                "resolve",
                "ProcurementChallengeNotOpen",
                {"tenderId": t.id, "challengeId": challenge_id},
            ):
                self.reviewer.resolve_challenge(t.id, challenge_id, resolution, reason)
            return
        receipt = self.reviewer.resolve_challenge(t.id, challenge_id, resolution, reason)
        assert receipt.event("ChallengeResolved").args == {
            "tenderId": t.id,
            "challengeId": challenge_id,
            "resolution": RESOLUTIONS.index(resolution),
            "reasonCode": reason,
        }
        OUTCOMES[f"resolve: {resolution}"] += 1
        c.resolution = (resolution, reason)
        if resolution == "Dismiss":
            c.status = "Dismissed"
            t.open_challenges -= 1
            return
        c.status = "Upheld"
        t.open_challenges = 0
        t.award_round += 1
        if resolution == "Cancel":
            assert receipt.event("TenderCancelled").args == {
                "tenderId": t.id,
                "reasonCode": reason,
                "allBondsRefunded": False,
            }
            t.status = "Cancelled"
            return
        assert t.leader is not None
        assert receipt.event("ReawardOpened").args == {
            "tenderId": t.id,
            "disqualified": self.addresses[t.leader],
            "windowEnd": now + NOMINATION_WINDOW,
        }
        t.bids[t.leader].disqualified = True
        t.leader, t.leading_price = None, 0
        t.status, t.awarded_at, t.announced = "Reaward", now, None
        t.nominated = set()

    def nominate(self, t: GhostTender, s: int) -> None:
        now = self.clock.next
        address = self.addresses[s]
        b = t.bids.get(s)
        error: tuple[str, dict[str, Any]] | None = None
        if t.status != "Reaward":  # nominations ignore the pause: their window runs
            error = ("ProcurementWrongStatus", self.wrong_status(t))
        elif now > t.window_end:
            error = ("ProcurementNominationClosed", {"tenderId": t.id, "windowEnd": t.window_end})
        elif b is None or b.status != "Revealed" or b.disqualified:
            error = ("ProcurementBidNotEligible", {"tenderId": t.id, "bidder": address})
        if error is not None:
            label = "nominate" + (" disqualified" if b is not None and b.disqualified else "")
            with self.refused(label, *error):
                self.anyone.nominate_bid(t.id, address)
            return
        assert b is not None
        receipt = self.anyone.nominate_bid(t.id, address)
        assert receipt.event("BidNominated").args == {
            "tenderId": t.id,
            "bidder": address,
            "price": b.price,
        }
        OUTCOMES["nominate: nominated" + (" again" if s in t.nominated else "")] += 1
        t.nominated.add(s)
        t.leader = t.best()
        assert t.leader is not None
        t.leading_price = t.bids[t.leader].price

    def fund(self, t: GhostTender, plan: tuple[str, list[int]], payer: int | None = None) -> None:
        """The buyer (or, with `payer`, the other buyer) escrows the price in milestones."""
        mode, weights = plan
        price = t.leading_price
        if mode == "empty":
            milestones: list[int] = []
        elif mode == "too many":  # adding up to the price if it can
            milestones = [1] * MAX_MILESTONES + [max(price - MAX_MILESTONES, 1)]
        else:
            milestones = _split(max(price, 1), weights)
            if mode == "short":
                milestones[-1] -= 1
                milestones = [m for m in milestones if m]
            elif mode == "over":
                milestones[-1] += 1
            elif mode == "zero":
                milestones.insert(len(milestones) // 2, 0)
        who = t.buyer if payer is None else payer
        client, account = self.buyers[who], self.world.buyers[who]
        now = self.clock.next + 1  # the client approves first, in its own transaction
        error: tuple[str, dict[str, Any]] | None = None
        valid = (
            0 < len(milestones) <= MAX_MILESTONES
            and all(milestones)
            and sum(milestones) == t.leading_price
        )
        if self.paused:
            error = ("EnforcedPause", {})
        elif t.status != "Awarded":
            error = ("ProcurementWrongStatus", self.wrong_status(t))
        elif account.address != self.buyer_of(t):
            error = ("ProcurementNotBuyer", {"tenderId": t.id, "account": account.address})
        elif t.open_challenges or now <= t.standstill_end:
            error = ("ProcurementAwardNotFinal", {"tenderId": t.id})
        elif not valid:
            error = (
                "ProcurementMilestones",
                {
                    "tenderId": t.id,
                    "count": len(milestones),
                    "sum": sum(milestones),
                    "awardedPrice": t.leading_price,
                },
            )
        if error is not None:
            with self.refused("fund", *error, mined=1):  # the approval is mined
                client.fund_escrow(t.id, milestones)
            return
        receipt = client.fund_escrow(t.id, milestones)
        assert t.leader is not None
        event = receipt.event("EscrowFunded")
        assert (event["supplier"], int(event["amount"])) == (self.addresses[t.leader], price)
        assert [int(m) for m in event["milestones"]] == milestones
        t.status, t.milestones, t.funded = "Contracted", milestones, price
        self.move(account.address, self.world.procurement, price)
        OUTCOMES["fund: escrowed" + (" after a re-award" if t.award_round else "")] += 1

    def confirm(self, t: GhostTender, milestone: int, as_officer: bool) -> None:
        client = self.officer if as_officer else self.inspector
        inspector = (self.world.officer if as_officer else self.world.inspector).address
        report = keccak(text=f"inspection {t.id} {milestone}")
        error: tuple[str, dict[str, Any]] | None = None
        if self.paused:
            error = ("EnforcedPause", {})
        elif t.status != "Contracted":
            error = ("ProcurementWrongStatus", self.wrong_status(t))
        elif as_officer:  # the officer ran every tender
            error = ("ProcurementInspectorConflict", {"tenderId": t.id, "inspector": inspector})
        elif milestone >= len(t.milestones):
            error = ("ProcurementUnknownMilestone", {"tenderId": t.id, "milestone": milestone})
        elif milestone in t.paid:
            error = ("ProcurementMilestonePaid", {"tenderId": t.id, "milestone": milestone})
        if error is not None:
            with self.refused("confirm", *error):
                client.confirm_milestone(t.id, milestone, report)
            return
        assert t.leader is not None
        supplier = self.addresses[t.leader]
        amount = t.milestones[milestone]
        receipt = client.confirm_milestone(t.id, milestone, report)
        assert receipt.event("MilestonePaid").args == {
            "tenderId": t.id,
            "milestone": milestone,
            "supplier": supplier,
            "amount": amount,
            "inspector": inspector,
            "reportHash": report,
        }
        t.paid.add(milestone)
        t.payments.append((milestone, amount))
        t.released += amount
        t.escrow_paid += amount
        self.move(self.world.procurement, supplier, amount)
        if len(t.paid) == len(t.milestones):
            assert receipt.event("ContractCompleted").args == {
                "tenderId": t.id,
                "paid": t.funded,
            }
            t.status = "Completed"
            OUTCOMES["confirm: completed"] += 1
        else:
            assert not receipt.events_named("ContractCompleted")
            OUTCOMES["confirm: paid"] += 1

    def terminate(self, t: GhostTender, who: str, reason: int) -> None:
        if who == "buyer":
            client, address = self.buyers[t.buyer], self.buyer_of(t)
        elif who == "officer":
            client, address = self.officer, self.world.officer.address
        else:  # the supplier itself, or whoever bid first
            s = t.leader if t.leader is not None else 0
            client, address = self.suppliers[s], self.addresses[s]
        if t.status != "Contracted":
            with self.refused("terminate", "ProcurementWrongStatus", self.wrong_status(t)):
                client.terminate_contract(t.id, reason)
            return
        if who == "stranger":
            with self.refused(
                "terminate", "ProcurementNotAuthorized", {"tenderId": t.id, "account": address}
            ):
                client.terminate_contract(t.id, reason)
            return
        refund = t.funded - t.released
        receipt = client.terminate_contract(t.id, reason)  # ignores the pause
        assert receipt.event("ContractTerminated").args == {
            "tenderId": t.id,
            "refunded": refund,
            "reasonCode": reason,
        }
        t.released = t.funded
        t.escrow_refunded += refund
        t.status = "Terminated"
        self.move(self.world.procurement, self.buyer_of(t), refund)
        OUTCOMES[f"terminate: by {who}" + (" after payments" if t.paid else "")] += 1

    def cancel(self, t: GhostTender, reason: int) -> None:
        now = self.clock.next
        if t.status != "Open":
            with self.refused("cancel", "ProcurementWrongStatus", self.wrong_status(t)):
                self.officer.cancel_tender(t.id, reason)
            return
        phase = t.phase(now)
        receipt = self.officer.cancel_tender(t.id, reason)
        assert receipt.event("TenderCancelled").args == {
            "tenderId": t.id,
            "reasonCode": reason,
            "allBondsRefunded": True,  # an officer's cancellation refunds every bond
        }
        t.status, t.refund_all = "Cancelled", True
        OUTCOMES[f"cancel: cancelled ({phase})"] += 1

    def amend(self, t: GhostTender, bidding: int, reveal: int) -> None:
        now = self.clock.next
        new_bidding, new_reveal = now + bidding, now + bidding + reveal
        error: tuple[str, dict[str, Any]] | None = None
        if t.status != "Open":
            error = ("ProcurementWrongStatus", self.wrong_status(t))
        elif t.bids:
            error = ("ProcurementAlreadyBid", {"tenderId": t.id})
        elif bidding <= 0 or reveal <= 0:
            error = ("GovchainInvalidWindow", {"start": new_bidding, "end": new_reveal})
        document = keccak(text=f"amended {t.id}")
        if error is not None:
            with self.refused("amend", *error):
                self.officer.amend_tender(t.id, document, new_bidding, new_reveal)
            return
        receipt = self.officer.amend_tender(t.id, document, new_bidding, new_reveal)
        assert receipt.event("TenderAmended").args == {
            "tenderId": t.id,
            "documentHash": document,
            "biddingDeadline": new_bidding,
            "revealDeadline": new_reveal,
        }
        t.bidding_deadline, t.reveal_deadline = new_bidding, new_reveal
        t.document_hash = document
        OUTCOMES["amend: amended"] += 1

    # -- rules ------------------------------------------------------------------------------------

    @initialize(
        tenders=st.lists(tender_terms, min_size=1, max_size=2),
        bids=st.lists(st.tuples(picks, suppliers, prices), min_size=2, max_size=8),
    )
    def open_first_tenders(
        self, tenders: list[dict[str, Any]], bids: list[tuple[int, int, tuple[int, int]]]
    ) -> None:
        """Start every example with tenders and a few bids to work on."""
        for terms in tenders:
            self.create(terms)
        for pick, s, price in bids:
            t = _pick(list(self.tenders.values()), pick)
            self.commit(t, s, _price(price, t.ceiling))

    @precondition(
        lambda self: (
            len(self.tenders) < MAX_TENDERS
            and sum(t.status not in FINAL for t in self.tenders.values()) < MAX_RUNNING
        )
    )
    @rule(
        terms=tender_terms,
        valid=st.sampled_from([True, True, True, True, False]),
        bidders=st.lists(st.tuples(suppliers, prices), max_size=3),
    )
    def create_tender(
        self, terms: dict[str, Any], valid: bool, bidders: list[tuple[int, tuple[int, int]]]
    ) -> None:
        """Open a tender (sometimes with a bidding deadline already reached) and bid on it."""
        t = self.create(terms, valid=valid)
        if t is not None:
            for s, price in bidders:
                self.commit(t, s, _price(price, t.ceiling))

    @rule(
        pick=picks,
        s=suppliers,
        price=prices,
        action=st.sampled_from(
            ["commit", "commit", "recommit", "recommit", "commit anywhere"]
            + ["reveal", "reveal", "reveal", "reveal stale", "reveal forged", "reveal anyone"]
        ),
    )
    def bid(self, pick: int, s: int, price: tuple[int, int], action: str) -> None:
        """A commitment on a tender still taking bids (a bidder's second one with `recommit`),
        or on any tender; or a reveal, preferably in a reveal window (time travels to one if
        none is open): honest, of a replaced commitment, of a forged price, or by anyone."""
        if action == "commit anywhere":
            t = _pick(list(self.tenders.values()), pick)
            self.commit(t, s, _price(price, t.ceiling))
        elif action.startswith("commit") or action == "recommit":
            t = self.choose(pick, lambda t, now: t.phase(now) == "Bidding")
            if action == "recommit" and t.bids:
                s = _pick(list(t.bids), s)
            self.commit(t, s, _price(price, t.ceiling))
        else:
            mode = action.removeprefix("reveal").strip() or "honest"
            t = self.choose(
                pick,
                lambda t, now: t.phase(now) == "Revealing" and bool(t.unrevealed),
                lambda t: t.bidding_deadline + 1 if t.status == "Open" and t.unrevealed else None,
            )
            unrevealed = t.unrevealed
            if mode == "stale":  # a bidder that replaced its commitment, if there is one
                unrevealed = [x for x in unrevealed if t.bids[x].stale] or unrevealed
            self.reveal(t, _pick(unrevealed, s) if unrevealed and mode != "anyone" else s, mode)

    @rule(pick=picks, ready=st.booleans())
    def award_tender(self, pick: int, ready: bool) -> None:
        """An award; with `ready`, of a tender whose deadline has passed (travelling there)."""
        t = self.choose(
            pick,
            lambda t, now: (
                not ready
                or (t.status == "Open" and now > t.reveal_deadline)
                or (t.status == "Reaward" and now > t.window_end)
            ),
            lambda t: (
                t.reveal_deadline + 1
                if t.status == "Open"
                else (t.window_end + 1 if t.status == "Reaward" else None)
            ),
        )
        self.award(t)

    @rule(
        pick=picks,
        s=suppliers,
        action=st.sampled_from(
            ["withdraw", "withdraw", "withdraw twice", "withdraw again", "withdraw anyone"]
            + ["forfeits", "forfeits twice"]
        ),
    )
    def settle(self, pick: int, s: int, action: str) -> None:
        """A bidder withdraws its bond: once, twice in a row, again after a refund (a double
        refund must fail with ProcurementBondNotRefundable), or any supplier from any tender;
        or the forfeited bonds are claimed for the buyer (once, or twice in a row)."""
        if action.startswith("forfeits"):
            t = self.choose(
                pick,
                lambda t, now: t.status != "Open" and bool(t.unrevealed) and not t.forfeits_paid,
            )
            self.pay_forfeits(t)
            if action == "forfeits twice":
                self.pay_forfeits(t)
            return
        returned = [
            (t, x) for t in self.tenders.values() for x, b in t.bids.items() if b.bond_returned
        ]
        if action == "withdraw again" and returned:
            self.withdraw(*_pick(returned, pick))
            return
        bid_on = [t for t in self.tenders.values() if t.bids]
        if action == "withdraw anyone" or not bid_on:
            self.withdraw(_pick(list(self.tenders.values()), pick), s)
            return
        t = _pick([t for t in bid_on if t.status != "Open"] or bid_on, pick)
        s = _pick(list(t.bids), s)
        self.withdraw(t, s)
        if action == "withdraw twice":
            self.withdraw(t, s)

    @precondition(lambda self: bool(self.in_status("Awarded", "Reaward")))
    @rule(
        pick=picks,
        s=suppliers,
        action=st.sampled_from(
            ["challenge", "challenge", "challenge anyone", "resolve", "resolve", "resolve any"]
            + ["nominate", "nominate all"]
        ),
        resolution=st.sampled_from(RESOLUTIONS),
        reason=st.integers(0, 2**16 - 1),
        order=st.permutations(range(N_SUPPLIERS)),
    )
    def contest(
        self, pick: int, s: int, action: str, resolution: str, reason: int, order: list[int]
    ) -> None:
        """A bidder (or any supplier) challenges an award, preferably during its standstill;
        the reviewer decides an open challenge (or any: decided, moot or unknown ones); or a
        supplier (eligible or not), or every bidder in a random order, is nominated for the
        re-award."""
        if action.startswith("challenge"):
            t = self.choose(pick, lambda t, now: t.status == "Awarded" and now <= t.standstill_end)
            if action == "challenge" and t.bids:
                s = _pick(list(t.bids), s)
            self.challenge(t, s)
        elif action.startswith("resolve"):
            live = [
                (t, c.id)
                for t in self.in_status("Awarded")
                for c in t.challenges
                if c.status == "Open" and c.award_round == t.award_round
            ]
            if live and action == "resolve":
                t, challenge_id = _pick(live, pick)
            else:
                t = _pick(
                    [t for t in self.tenders.values() if t.challenges] or [*self.tenders.values()],
                    pick,
                )
                challenge_id = 1 + pick % (len(t.challenges) + 1)
            self.resolve(t, challenge_id, resolution, reason)
        else:
            t = self.choose(pick, lambda t, now: t.status == "Reaward")
            for candidate in order if action == "nominate all" else [s]:
                if action == "nominate" or candidate in t.bids:
                    self.nominate(t, candidate)

    @precondition(lambda self: bool(self.in_status("Awarded", "Contracted")))
    @rule(
        pick=picks,
        action=st.sampled_from(
            ["fund", "fund final", "fund final", "fund other buyer"]
            + ["confirm", "confirm", "confirm officer", "confirm unknown"]
            + ["terminate buyer", "terminate officer", "terminate stranger"]
        ),
        plan=milestone_plans,
        milestone=picks,
        reason=st.integers(0, 2**16 - 1),
    )
    def execute(
        self, pick: int, action: str, plan: tuple[str, list[int]], milestone: int, reason: int
    ) -> None:
        """The buyer escrows the price (with `final`, once the standstill is over: travelling
        past it, dismissing open challenges first; or the other buyer tries); an inspector
        (or the tender's own officer) confirms a milestone (or one that does not exist); the
        buyer, an officer or the supplier terminates the contract."""
        if action.startswith("fund"):
            t = self.choose(pick, lambda t, now: t.status == "Awarded")
            if action == "fund final" and t.status == "Awarded":
                for c in t.challenges:
                    if c.status == "Open" and c.award_round == t.award_round:
                        self.resolve(t, c.id, "Dismiss", 0)
                self.clock.advance_to(t.standstill_end)  # approval, then escrow just after
            self.fund(t, plan, payer=(1 - t.buyer) if action == "fund other buyer" else None)
        elif action.startswith("confirm"):
            t = self.choose(pick, lambda t, now: t.status == "Contracted")
            if action == "confirm unknown":
                milestone = len(t.milestones) + milestone % 3
            elif t.milestones:
                milestone %= len(t.milestones)
            self.confirm(t, milestone, action == "confirm officer")
        else:
            t = self.choose(pick, lambda t, now: t.status == "Contracted")
            self.terminate(t, action.removeprefix("terminate "), reason)

    @rule(
        pick=picks,
        action=st.sampled_from(["cancel", "cancel", "amend", "official", "official", "registry"]),
        bidding=st.sampled_from([0, HOUR, DAY, 4 * DAY]),
        reveal=st.sampled_from([0, HOUR, DAY]),
        who=st.integers(0, 5),
        standing=st.sampled_from(["Approved", "Approved", "Debarred", "None"]),
    )
    def administer(
        self, pick: int, action: str, bidding: int, reveal: int, who: int, standing: str
    ) -> None:
        """Cancel a tender; amend one without bids; have an official (or the buyer) try to bid
        (ProcurementOfficialCannotBid); or change a supplier's standing in the registry."""
        if action == "cancel":
            self.cancel(self.choose(pick, lambda t, now: t.status == "Open"), who)
        elif action == "amend":
            self.amend(
                self.choose(pick, lambda t, now: t.status == "Open" and not t.bids), bidding, reveal
            )
        elif action == "official":
            self.official_commit(self.choose(pick, lambda t, now: t.phase(now) == "Bidding"), who)
        else:
            s = who % N_SUPPLIERS
            receipt = self.registrar.set_supplier_status(self.addresses[s], standing)
            assert receipt.event("SupplierStatusChanged")["supplier"] == self.addresses[s]
            self.registry[s] = standing
            OUTCOMES[f"registry: {standing}"] += 1

    @rule(
        action=st.sampled_from(
            ["commit", "reveal", "award", "withdraw", "challenge", "nominate", "fund", "confirm"]
            + ["forfeits", "terminate", "cancel"]
        ),
        pick=picks,
        s=suppliers,
    )
    def while_paused(self, action: str, pick: int, s: int) -> None:
        """Pause, try one action, unpause: bidding, awards, escrow and milestones stop; reveals,
        withdrawals, challenges and nominations go on (a pause must not cost a bond, a
        challenge or a re-award), and so do forfeits, terminations and cancellations."""
        self.admin.pause()
        self.paused = True
        try:
            if action == "commit":
                t = self.choose(pick, lambda t, now: t.status == "Open")
                self.commit(t, s, t.ceiling // 2)
            elif action == "reveal":
                t = self.choose(
                    pick, lambda t, now: t.phase(now) == "Revealing" and bool(t.unrevealed)
                )
                self.reveal(t, _pick(t.unrevealed, s) if t.unrevealed else s)
            elif action == "award":
                self.award(self.choose(pick, lambda t, now: t.status in ("Open", "Reaward")))
            elif action == "withdraw":
                self.withdraw(self.choose(pick, lambda t, now: t.status != "Open"), s)
            elif action == "challenge":
                t = self.choose(pick, lambda t, now: t.status == "Awarded")
                self.challenge(t, _pick(list(t.bids), s) if t.bids else s)
            elif action == "nominate":
                self.nominate(self.choose(pick, lambda t, now: t.status == "Reaward"), s)
            elif action == "fund":
                self.fund(self.choose(pick, lambda t, now: t.status == "Awarded"), ("exact", [1]))
            elif action == "forfeits":
                self.pay_forfeits(self.choose(pick, lambda t, now: t.status != "Open"))
            elif action == "terminate":
                t = self.choose(pick, lambda t, now: t.status == "Contracted")
                self.terminate(t, "buyer", 3)
            elif action == "cancel":
                self.cancel(self.choose(pick, lambda t, now: t.status == "Open"), 4)
            else:
                self.confirm(self.choose(pick, lambda t, now: t.status == "Contracted"), 0, False)
        finally:
            self.admin.unpause()
            self.paused = False

    @rule(pick=picks, hops=st.integers(1, 5), drive=drives, terms=tender_terms)
    def advance(self, pick: int, hops: int, drive: Drive, terms: dict[str, Any]) -> None:
        """Drive one running tender through up to `hops` phases (see `step_tender`). With every
        tender over, a new one opens (for the examples where swarm testing disabled
        create_tender)."""
        live = [t for t in self.tenders.values() if t.status not in FINAL]
        if not live and len(self.tenders) < MAX_TENDERS:
            fresh = self.create({**terms, "registered_only": False})
            assert fresh is not None
            live = [fresh]
        t = _pick(live or list(self.tenders.values()), pick)
        for _ in range(hops):
            if not self.step_tender(t, drive):
                break

    @precondition(lambda self: len(self.tenders) < MAX_TENDERS)
    @rule(drive=drives, terms=tender_terms)
    def lifecycle(self, drive: Drive, terms: dict[str, Any]) -> None:
        """A new tender, from its opening to its end, each phase as `step_tender` does it
        (a contract to its last milestone; as many re-awards as the challenges win)."""
        t = self.create({**terms, "registered_only": False})
        assert t is not None
        OUTCOMES["lifecycle"] += 1
        for _ in range(LIFECYCLE_HOPS):
            if not self.step_tender(t, drive):
                break

    @precondition(lambda self: any(t.status not in FINAL for t in self.tenders.values()))
    @rule(drive=drives)
    def advance_every(self, drive: Drive) -> None:
        """One phase of every running tender (see `step_tender`), the one whose phase ends
        first, first (so that travelling to its deadline skips no other's)."""
        now = self.clock.next
        for t in sorted(
            (t for t in self.tenders.values() if t.status not in FINAL),
            key=lambda t: t.phase_end(now),
        ):
            self.step_tender(t, drive)

    def pass_time(self, instant: int, d: Drive) -> None:
        """Travel until the next transaction is at `instant`; on the way, the bidders in
        `d.reveal_mask` of every tender whose reveal window would be skipped reveal (time
        stops in the window: bidders watch their deadlines)."""
        for _ in range(MAX_TENDERS):
            now = self.clock.next
            waiting = [
                t
                for t in self.in_status("Open")
                if now <= t.reveal_deadline < instant
                and any(d.reveal_mask >> s & 1 for s in t.unrevealed)
            ]
            if not waiting:
                break
            t = min(waiting, key=lambda t: t.reveal_deadline)
            self.clock.advance_to(t.bidding_deadline + 1)
            OUTCOMES["time: stopped to reveal"] += 1
            for s in t.unrevealed:
                if d.reveal_mask >> s & 1:
                    self.reveal(t, s)
        self.clock.advance_to(instant)

    def nominations(self, t: GhostTender, d: Drive) -> None:
        """The re-award's nominations: the eligible bidders in `d.reveal_mask` (all of them if
        it names none; with `d.probe`, a disqualified one first, refused)."""
        if d.probe:
            disqualified = [s for s, b in t.bids.items() if b.disqualified]
            self.nominate(t, _pick(disqualified, d.reveal_mask))
        eligible = [s for s, b in t.bids.items() if b.status == "Revealed" and not b.disqualified]
        for s in [s for s in eligible if d.reveal_mask >> s & 1] or eligible:
            self.nominate(t, s)

    def step_tender(self, t: GhostTender, d: Drive) -> bool:
        """Move `t` on by one phase, doing what the phase is for; with `d.probe`, first try
        what the phase must refuse, and act on its deadline to the second. False once the
        tender is over and settled.

        Bidding: `d.bidders` commit (with `d.tie`, all at one price; the last exactly at the
        deadline); probes: an official, and then a late bidder, are refused. Revealing: the
        bidders in `d.reveal_mask` reveal (replaced and forged commitments refused first with
        `d.probe`, then one honest reveal exactly at the reveal deadline, where the award is
        still too early, and one a second too late). Award. Standstill:
        a challenge (`d.challenge`) or the wait, after an escrow refused as too early. The
        reviewer's `d.resolution` (an unknown challenge refused first), and a re-award's
        nominations at once. Escrow (a malformed one refused first). Re-award: nominations,
        the wait, then the award. A milestone (refused first to the tender's officer and for
        one paid already), or with `d.terminate` a termination (refused first to the
        supplier). Over: every bidder asks for its bond back (twice, with `d.probe`) and
        the forfeits are claimed (twice)."""
        now = self.clock.next
        phase = t.phase(now)
        OUTCOMES[f"advance: from {phase}"] += 1
        probe = d.probe
        if phase == "Bidding":
            for k, (s, price) in enumerate(d.bidders):
                if d.tie:
                    price = d.bidders[0][1]
                if probe and k == len(d.bidders) - 1:
                    self.clock.advance_to(t.bidding_deadline)
                    self.official_commit(t, s)
                    OUTCOMES["boundary: commit at the bidding deadline"] += 1
                self.commit(t, s, _price(price, t.ceiling))
            if probe:
                self.clock.advance_to(t.bidding_deadline + 1)
                self.commit(t, d.bidders[0][0], t.ceiling)
            self.pass_time(t.bidding_deadline + 1, d)
        elif phase == "Revealing":
            revealing = [s for s in t.unrevealed if d.reveal_mask >> s & 1]
            for k, s in enumerate(revealing):
                if probe and t.bids[s].stale:
                    self.reveal(t, s, "stale")
                elif probe and k == 0:
                    self.reveal(t, s, "forged")
                if probe and k == len(revealing) - 1:
                    self.clock.advance_to(t.reveal_deadline)
                    self.award(t)  # too early, by one second
                    OUTCOMES["boundary: reveal at the reveal deadline"] += 1
                self.reveal(t, s)
            self.pass_time(t.reveal_deadline + 1, d)
            if probe and t.unrevealed:
                self.reveal(t, t.unrevealed[0])  # too late, by one second
        elif phase == "AwaitingAward":
            self.award(t)
        elif phase == "Standstill":
            if probe:
                self.fund(t, ("exact", d.plan[1]))  # not final yet
            fresh = [s for s, b in t.bids.items() if b.challenged_in_round <= t.award_round]
            if d.challenge and fresh:
                self.challenge(t, _pick(fresh, d.reveal_mask))
            else:
                self.pass_time(t.standstill_end + 1, d)
        elif phase == "Challenged":
            if probe:
                self.resolve(t, len(t.challenges) + 1, "Dismiss", 0)  # no such challenge
            live = [c for c in t.challenges if c.status == "Open"]
            self.resolve(t, _pick(live, d.reveal_mask).id, d.resolution, 7)
            if t.status == "Reaward":
                self.nominations(t, d)
        elif phase == "AwardFinal":
            if probe:
                self.fund(t, (d.plan[0] if d.plan[0] != "exact" else "short", d.plan[1]))
            if t.status == "Awarded":
                self.fund(t, ("exact", d.plan[1]))
        elif phase == "Reaward" and now <= t.window_end:
            self.nominations(t, d)
            self.pass_time(t.window_end + 1, d)
        elif phase == "Reaward":
            self.award(t)
        elif phase == "Contracted" and d.terminate:
            if probe:
                self.terminate(t, "stranger", 9)
            self.terminate(t, ("buyer", "officer")[d.reveal_mask % 2], 9)
        elif phase == "Contracted":
            unpaid = min(set(range(len(t.milestones))) - t.paid)
            if probe:
                self.confirm(t, unpaid, True)  # the tender's own officer
            self.confirm(t, unpaid, False)
            if probe:
                self.confirm(t, unpaid, False)  # paid already (or the contract is complete)
        else:
            for s, b in t.bids.items():
                if not b.bond_returned:
                    self.withdraw(t, s)
                    if probe:
                        self.withdraw(t, s)
            if not t.forfeits_paid:
                self.pay_forfeits(t)
                if probe:
                    self.pay_forfeits(t)
            return False
        return True

    @rule(
        pick=picks,
        boundary=st.sampled_from(["bidding", "reveal", "standstill", "nomination"]),
        offset=st.integers(0, 1),
        first=st.booleans(),
        s=suppliers,
    )
    def at_boundary(self, pick: int, boundary: str, offset: int, first: bool, s: int) -> None:
        """Act exactly at a deadline (inclusive) or one second after it."""
        if boundary == "bidding":
            ts = [(t, t.bidding_deadline) for t in self.in_status("Open")]
        elif boundary == "reveal":
            ts = [(t, t.reveal_deadline) for t in self.in_status("Open")]
        elif boundary == "standstill":
            ts = [(t, t.standstill_end) for t in self.in_status("Awarded")]
        else:
            ts = [(t, t.window_end) for t in self.in_status("Reaward")]
        ts = [(t, i) for t, i in ts if i + offset > self.clock.next]
        if not ts:
            return
        t, instant = _pick(ts, pick)
        funding = boundary == "standstill" and not (first and t.bids)
        # The client approves before it funds: the approval one second before the instant.
        self.clock.advance_to(instant + offset - (1 if funding else 0))
        OUTCOMES[f"boundary: {boundary} +{offset}"] += 1
        if boundary == "bidding":
            if first or not t.unrevealed:
                self.commit(t, s, t.ceiling // 3)
            else:
                self.reveal(t, _pick(t.unrevealed, s))
        elif boundary == "reveal":
            if first and t.unrevealed:
                self.reveal(t, _pick(t.unrevealed, s))
            else:
                self.award(t)
        elif boundary == "standstill":
            if first and t.bids:
                self.challenge(t, _pick(list(t.bids), s))
            else:
                self.fund(t, ("exact", [1]))
        elif first:
            self.nominate(t, s)
        else:
            self.award(t)

    @precondition(
        lambda self: not any(t.phase(self.clock.next) == "Revealing" for t in self.tenders.values())
    )
    @rule(seconds=st.sampled_from([HOUR, 6 * HOUR, DAY, 2 * DAY, 5 * DAY]))
    def travel(self, seconds: int) -> None:
        """Time passes (not while a reveal window is open: the other rules skip enough of them)."""
        self.clock.advance_to(self.clock.next + seconds)

    # -- invariants -------------------------------------------------------------------------------

    def batch(self, requests: list[tuple[str, list[Any]]]) -> list[Any]:
        """Many JSON-RPC requests in one batch (web3's per-call overhead would dominate)."""
        provider: Any = self.world.chain.w3.provider
        responses = provider.make_batch_request(requests)
        assert isinstance(responses, list), responses
        out = []
        for response in sorted(responses, key=lambda x: int(x["id"])):
            assert "error" not in response, response
            out.append(response["result"])
        return out

    @invariant()
    def chain_matches_model(self) -> None:
        self.checks += 1
        w = self.world
        views = w.views
        followed = sorted(self.balances)
        calls: list[tuple[str, bytes]] = [
            (w.token, keccak(text="balanceOf(address)")[:4] + encode(["address"], [a]))
            for a in followed
        ]
        tenders = list(self.tenders.values())
        for t in tenders:
            calls.append((w.procurement, views["tender"].data(t.id)))
            calls.append((w.procurement, views["phase"].data(t.id)))
            calls.append((w.procurement, views["escrow"].data(t.id)))
            calls.append((w.procurement, views["challengeCount"].data(t.id)))
            calls += [(w.procurement, views["bid"].data(t.id, a)) for a in self.addresses]
            calls += [(w.procurement, views["challenge"].data(t.id, c.id)) for c in t.challenges]
        requests: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", ["latest", False])]
        requests += [
            ("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"]) for to, data in calls
        ]
        block, *raw = self.batch(requests)
        results = iter(bytes.fromhex(str(r)[2:]) for r in raw)
        assert int(block["timestamp"], 16) == self.clock.latest, "a block was mined off the clock"

        # Every followed account holds what the ledger says; the contract holds exactly what
        # the tenders owe: bonds not returned nor forfeited, escrow not released nor refunded.
        for address in followed:
            assert int.from_bytes(next(results), "big") == self.balances[address], address
        assert self.balances[w.procurement] == sum(t.held for t in tenders)

        now = self.clock.latest
        for t in tenders:
            (stored,) = views["tender"].result(next(results))
            (phase,) = views["phase"].result(next(results))
            escrow, milestones = views["escrow"].result(next(results))
            (challenge_count,) = views["challengeCount"].result(next(results))
            # The rule: the leader is the best eligible bid, computed from scratch.
            if t.status in ("Open", "Reaward"):
                assert t.leader == t.best(), f"tender {t.id}"
            if t.announced is not None:
                assert t.announced[0] == t.leader
            assert stored == {
                "token": w.token,
                "biddingDeadline": t.bidding_deadline,
                "revealDeadline": t.reveal_deadline,
                "buyer": self.buyer_of(t),
                "bond": t.bond,
                "officer": w.officer.address,
                "ceiling": t.ceiling,
                "standstill": t.standstill,
                "status": _status(t.status),
                "registeredOnly": t.registered_only,
                "refundAllBonds": t.refund_all,
                "forfeitsPaid": t.forfeits_paid,
                "bidCount": len(t.bids),
                "revealedCount": len(t.bids) - len(t.unrevealed),
                "commitSeq": t.commit_seq,
                "openChallenges": t.open_challenges,
                "awardRound": t.award_round,
                "awardedAt": t.awarded_at,
                "leader": ZERO_ADDRESS if t.leader is None else self.addresses[t.leader],
                "leadingPrice": t.leading_price,
            }, f"tender {t.id}"
            assert PHASE[phase] == t.phase(now), f"tender {t.id}"
            assert escrow == {
                "funded": t.funded,
                "released": t.released,
                "milestoneCount": len(t.milestones),
                "paidMask": sum(1 << i for i in t.paid),
            }, f"tender {t.id}"
            assert list(milestones) == t.milestones
            assert t.released == t.escrow_paid + t.escrow_refunded
            assert challenge_count == len(t.challenges)
            for s, address in enumerate(self.addresses):
                (record,) = views["bid"].result(next(results))
                b = t.bids.get(s)
                if b is None:
                    assert record["status"] == 0, f"tender {t.id} bid {s}"
                    continue
                assert record == {
                    "commitment": b.sealed.commitment if b.status == "Committed" else ZERO32,
                    "price": b.price,
                    "seq": b.seq,
                    "status": ("None", "Committed", "Revealed", "NonCompliant").index(b.status),
                    "bondReturned": b.bond_returned,
                    "disqualified": b.disqualified,
                    "challengedInRound": b.challenged_in_round,
                }, f"tender {t.id} bid {s} ({address})"
            for c in t.challenges:
                (record,) = views["challenge"].result(next(results))
                assert record == {
                    "challenger": self.addresses[c.challenger],
                    "awardRound": c.award_round,
                    "status": ("None", "Open", "Dismissed", "Upheld").index(c.status),
                    "documentHash": c.document_hash,
                }, f"tender {t.id} challenge {c.id}"

        # The client's event-based report (a dozen RPC calls): every few steps, of the tenders
        # that changed since their last report; of every tender at the end (teardown).
        if self.checks % REPORT_EVERY == 0:
            for t in tenders:
                state = t.fingerprint()
                if self.reported.get(t.id) != state:
                    self.check_report(t)
                    self.reported[t.id] = state

    def check_client_tender(self, t: GhostTender) -> None:
        """The client's own view of the tender (a winner only once awarded)."""
        record = self.anyone.tender(t.id)
        awarded = t.status in ("Awarded", "Contracted", "Completed", "Terminated")
        assert t.leader is not None or not awarded
        assert (
            record.status,
            record.phase,
            record.document_hash,
            record.bidding_deadline,
            record.reveal_deadline,
            record.bid_count,
            record.revealed_count,
            record.open_challenges,
            record.awarded_at,
            record.winner,
            record.winning_price,
        ) == (
            t.status,
            t.phase(self.clock.latest),
            t.document_hash,
            t.bidding_deadline,
            t.reveal_deadline,
            len(t.bids),
            len(t.bids) - len(t.unrevealed),
            t.open_challenges,
            t.awarded_at,
            self.addresses[t.leader] if awarded and t.leader is not None else None,
            t.leading_price if awarded else None,
        ), f"tender {t.id}: {record}"

    def check_report(self, t: GhostTender) -> None:
        report = self.anyone.report(t.id)
        assert report.balanced, f"tender {t.id}: {report}"
        assert (report.title, report.phase) == ("Stateful tender", t.phase(self.clock.latest))
        assert report.bidders == [self.addresses[s] for s in t.bids]
        assert report.unrevealed == [self.addresses[s] for s in t.unrevealed]
        assert [(r.bidder, r.price, r.compliant) for r in report.revealed] == [
            (self.addresses[s], price, ok) for s, price, ok in t.reveals
        ]
        if t.announced is None:
            assert (report.winner, report.price) == (None, None)
        else:
            assert (report.winner, report.price) == (
                self.addresses[t.announced[0]],
                t.announced[1],
            )
        assert (
            report.bonds_posted,
            report.bonds_returned,
            report.bonds_forfeited,
            report.escrow_funded,
            report.escrow_paid,
            report.escrow_refunded,
            report.held,
        ) == (
            t.bond * len(t.bids),
            t.bond * t.returned,  # each BondReturned event counted: a second one would show
            t.forfeited,
            t.funded,
            t.escrow_paid,
            t.escrow_refunded,
            t.held,
        ), f"tender {t.id}"
        expected: list[dict[str, Any]] = []
        for c in t.challenges:
            entry: dict[str, Any] = {"id": c.id, "challenger": self.addresses[c.challenger]}
            if c.resolution is not None:
                entry["resolution"], entry["reason_code"] = c.resolution
            else:  # open against the current award, or made moot when it was set aside
                entry["resolution"] = None if c.award_round == t.award_round else "Moot"
            expected.append(entry)
        assert report.challenges == expected, f"tender {t.id}"
        assert report.milestones_paid == [{"milestone": m, "amount": a} for m, a in t.payments]
        OUTCOMES["report: checked" + (" (moot challenges)" if "Moot" in str(expected) else "")] += 1


# What the brief of this machine requires it to reach; derandomised, so a miss is not luck but a
# change of generation (Hypothesis version, rules, strategies) that the rules must be tuned to.
MUST_REACH = (
    "commit: committed",
    "commit: replaced",
    "commit: ProcurementBiddingClosed",
    "reveal: compliant",
    "reveal: non-compliant",
    "reveal (stale): ProcurementCommitmentMismatch",
    "reveal: ProcurementRevealNotOpen",
    "award: awarded",
    "award: awarded on a tie",
    "award: no award",
    "award: ProcurementAwardTooEarly",
    "withdraw: returned",
    "withdraw again: ProcurementBondNotRefundable",
    "forfeits: paid",
    "forfeits again: ProcurementNoForfeits",
    "challenge: lodged",
    "resolve: Dismiss",
    "resolve: Reaward",
    "resolve: Cancel",
    "nominate: nominated",
    "award: awarded after a re-award",
    "fund: escrowed",
    "fund: ProcurementMilestones",
    "fund: ProcurementAwardNotFinal",
    "confirm: paid",
    "confirm: completed",
    "terminate: by",
    "cancel: cancelled",
    "official commit: ProcurementOfficialCannotBid",
    "boundary: commit at the bidding deadline",
    "boundary: reveal at the reveal deadline",
    "confirm: ProcurementInspectorConflict",
    "confirm: ProcurementMilestonePaid",
    "nominate disqualified: ProcurementBidNotEligible",
    "terminate: ProcurementNotAuthorized",
)


def test_procurement_state_machine(world: World) -> None:
    OUTCOMES.clear()
    run_state_machine_as_test(lambda: ProcurementMachine(world), settings=SETTINGS)  # type: ignore[arg-type]
    print("\n".join(f"{n:5} {k}" for k, n in sorted(OUTCOMES.items())))  # shown with -s
    missed = [m for m in MUST_REACH if not any(k.startswith(m) for k in OUTCOMES)]
    assert not missed, f"the examples never reached: {missed}"
