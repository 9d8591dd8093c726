"""LandRegistry as a state machine: titles, sales, liens, court orders and lineage, one ghost model.

Hypothesis registers parcels to random citizens (and tries numbers that are taken or are no parcel
number, and zero areas), then in random order: offers sales (random buyer, token, price and
deadline; invalid offers too) and accepts them through the client, as the named buyer or not,
with the offer's terms or changed ones, in time, an hour late, in the block stamped exactly at
the deadline or one second after it, with or without the registrar's approval when governance
requires it, after the seller withdrew or changed the offer or a court or lender stepped in
meanwhile, and with buyers short of money; withdraws and approves offers; changes the transfer
tax (rate and treasury, valid or not); records liens (lender, registrar, non-lenders) that block
sale, subdivision and merge, and releases them (holder or not, twice); freezes and unfreezes
titles; orders forced transfers (frozen, liened, for sale, while paused); subdivides and merges
(areas that add up and areas that do not, taken child numbers, wrong part counts, a parcel listed
twice, parcels of different owners); pauses the registry for one action; lets citizens try
officials' work; tries the three plain ERC-721 transfers as the owner, an approved account, an
operator and a stranger, of live and retired titles; and moves time.

A ghost model records every parcel (owner, area, status, freeze, liens, open sale, ERC-721
approval, lineage and its events in order) and a ledger of every token balance. Every action
first predicts its outcome from the model (success, or the exact custom error with its
arguments: a failure must change nothing), and after every step the chain is read back (one
JSON-RPC batch) and must agree with the model:

- every live parcel has exactly the ghost owner (``ownerOf``, ``title().owner``), and each
  account's ERC-721 ``balanceOf`` is the number of live parcels the model gives it;
- retired parcels never move again: ``ownerOf`` and ``getApproved`` revert with
  ``ERC721NonexistentToken``, ``title()`` says Retired with no owner, no sale and no lien, and
  the model never makes them live again;
- the live area is the sum of the areas of first registrations (subdivisions and merges conserve
  it), and every record (area, geometry, land use, deed, lineage, ``parcelNumber``) is the
  model's;
- payments are conserved: every token balance (citizens, officials, every treasury ever set, the
  registry) is the ledger's, the registry itself never holds a token, and each token's supply is
  the sum of the ledger;
- ``title()`` shows the model's freeze, open sale (with its approval) and active liens, and
  ``lien()`` each lien's holder, amount and release; governance settings are the model's;
- the client's ``title``, ``owner_of`` and ``title_history`` (with ancestors) tell the model's
  story: for a parcel changed lately every CLIENT_EVERY steps, for every parcel at the end.

Each example runs between ``evm_snapshot`` and ``evm_revert`` on the session's anvil. Time only
moves by ``evm_increaseTime`` + ``evm_mine`` or ``evm_setNextBlockTimestamp`` + ``evm_mine``. A
transaction is stamped a few seconds after the latest block, so before an ordinary acceptance the
machine steps clear of the sale's deadline (``MARGIN``) and the latest block's timestamp then
decides whether the offer has expired; the acceptances at the deadline stamp their block exactly.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, TypeVar

import pytest
from eth_abi import decode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from batched_calls import address_word as _address
from batched_calls import batch_eth_call
from batched_calls import selector as _selector
from batched_calls import word as _word
from devnet_clock import MachineClock, machine_settings
from govchain import contract_error
from govchain.chain import Chain
from govchain.clients.land import (
    LandClient,
    LandClientError,
    ParcelSpec,
    parcel_id,
    parcel_number,
)
from govchain.errors import ContractError
from govchain.events import EventRegistry
from govchain.project import Project
from govchain.revert import ErrorRegistry
from govchain.session import Session
from land_env import CITIZEN_FUNDS, DEED, make_land_env

HOUR = 3_600
DAY = 86_400
MARGIN = 15 * 60  # well above the few seconds between the latest block and the next transaction
OUTSIDER_FUNDS = 50_000  # per token: enough for some purchases and not for others
INITIAL_TAX_BPS = 250
MAX_TAX_BPS = 2_000
MAX_PARTS = 16
MAX_UINT88 = 2**88 - 1
MAX_UINT96 = 2**96 - 1
ZERO = "0x" + "00" * 20
STEPS = 30
CLIENT_CHECKS = 1  # parcels changed since the last client check whose title and history it checks
CLIENT_EVERY = 2  # steps between client checks (the client is slow); every parcel at the end

SETTINGS = machine_settings(20, STEPS)


T = TypeVar("T")
OUTCOMES: Counter[str] = Counter()  # what the examples exercised, checked by the test
Expected = tuple[str, dict[str, Any]] | None  # the custom error and its arguments, or success


BALANCE_OF = _selector("balanceOf(address)")  # ERC-20 and ERC-721 alike
TOTAL_SUPPLY = _selector("totalSupply()")
OWNER_OF = _selector("ownerOf(uint256)")
GET_APPROVED = _selector("getApproved(uint256)")
IS_APPROVED_FOR_ALL = _selector("isApprovedForAll(address,address)")
TITLE = _selector("title(uint256)")
LIEN = _selector("lien(uint256,uint256)")
TAX_BPS = _selector("taxBps()")
TREASURY = _selector("treasury()")
APPROVAL_REQUIRED = _selector("saleApprovalRequired()")
PAUSED = _selector("paused()")
PARCEL_NUMBER = _selector("parcelNumber(uint256)")


def _role(name: str) -> bytes:
    return keccak(text=name)


# -- the deployment shared by every example -------------------------------------------------------


@dataclass(frozen=True)
class World:
    project: Project
    chain: Chain
    errors: ErrorRegistry
    events: EventRegistry
    land: str
    tokens: tuple[str, str]
    title_abi_type: str  # the Title struct as one ABI tuple type, from the compiled ABI
    admin: LocalAccount
    registrar: LocalAccount
    lender: LocalAccount
    court: LocalAccount
    treasury: LocalAccount
    people: tuple[LocalAccount, ...]  # who may own, sell and buy: four citizens and an outsider

    @property
    def accounts(self) -> tuple[LocalAccount, ...]:
        return tuple(self.chain.accounts)


def _tuple_type(component: dict[str, Any]) -> str:
    if component["type"].startswith("tuple"):
        inner = ",".join(_tuple_type(c) for c in component["components"])
        return f"({inner}){component['type'][len('tuple') :]}"
    return str(component["type"])


@pytest.fixture
def world(session: Session, chain: Chain) -> World:
    """LandRegistry with its officials (land_env), a second payment token, an outsider.

    The four citizens hold CITIZEN_FUNDS of both tokens; the outsider (no role, no land at first)
    holds OUTSIDER_FUNDS of each, so some purchases it accepts run out of money. The transfer tax
    starts at INITIAL_TAX_BPS, paid to the land_env treasury.
    """
    env = make_land_env(session, chain)
    accounts = chain.accounts
    outsider = accounts[9]
    other = session.deploy(
        "PaymentToken", "Other Unit", "OTH", 2, accounts[0].address, accounts[0].address
    )
    mints = [other.functions.mint(c.sender.address, CITIZEN_FUNDS) for c in env.citizens]
    mints += [t.functions.mint(outsider.address, OUTSIDER_FUNDS) for t in (env.token, other)]
    session.sender.wait_all(session.sender.send_many(mints))
    env.governance.set_transfer_tax(env.treasury, INITIAL_TAX_BPS)
    title_output = next(
        item["outputs"][0]
        for item in env.governance.contract.abi
        if item.get("type") == "function" and item.get("name") == "title"
    )
    return World(
        project=session.project,
        chain=chain,
        errors=session.errors,
        events=session.events,
        land=env.governance.address,
        tokens=(env.token.address, other.address),
        title_abi_type=_tuple_type(title_output),
        admin=accounts[0],
        registrar=accounts[1],
        lender=accounts[2],
        court=accounts[3],
        treasury=accounts[4],
        people=(*accounts[5:9], outsider),
    )


# -- the ghost model ------------------------------------------------------------------------------


@dataclass
class GhostSale:
    buyer: str
    token: str
    price: int
    deadline: int
    approved: bool = False


@dataclass
class GhostLien:
    holder: str
    amount: int
    released: bool = False


@dataclass
class GhostParcel:
    id: int
    owner: str  # the last owner once retired
    area: int
    geometry: bytes
    land_use: int
    deed: bytes
    status: str = "Live"
    frozen: bool = False
    liens: dict[int, GhostLien] = field(default_factory=dict)  # lien id (from 1) -> lien
    sale: GhostSale | None = None
    approved: str = ZERO  # ERC-721 getApproved
    parents: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    history: list[tuple[int, str]] = field(default_factory=list)  # (global order, event name)

    @property
    def live(self) -> bool:
        return self.status == "Live"

    @property
    def number(self) -> str:
        return parcel_number(self.id)

    @property
    def active_liens(self) -> list[int]:
        return [i for i, lien in sorted(self.liens.items()) if not lien.released]


def _raw_id(raw: bytes) -> int:
    return int.from_bytes(raw.ljust(32, b"\x00"), "big")


# Ids that are no parcel number (printable ASCII not starting with a space, then zero padding).
BAD_NUMBERS = [
    42,  # first byte zero: empty
    _raw_id(b" LR-1"),  # starts with a space
    _raw_id(b"LR\x01-1"),  # a control character
    _raw_id(b"LR\x7f-1"),  # DEL
    _raw_id(b"LR\xc3\xa9-1"),  # not ASCII
    _raw_id(b"LR-1\x00\x00X"),  # something after the padding began: "LR-1" again, to the eye
]


def _pick(items: list[T], k: int) -> T:
    return items[k % len(items)]


def _error(name: str, **inputs: Any) -> Expected:
    return (name, inputs)


picks = st.integers(0, 2**10)  # taken modulo the number of choices
areas = st.integers(2, 10**6)
prices = st.integers(1, 60_000) | st.integers(1, 10**9)
deadline_hours = st.sampled_from([1, 2, 6, 24, 72])
rarely = st.sampled_from([False, False, False, False, True])
whos = st.sampled_from(["buyer"] * 6 + ["someone else", "outsider"])
mistakes_strategy = st.lists(
    st.sampled_from(["someone else", "outsider", "price", "token"]), max_size=3, unique=True
)
terms_strategy = st.sampled_from(["exact"] * 6 + ["price", "token"])


# -- the machine ----------------------------------------------------------------------------------


class LandMachine(MachineClock, RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.snapshot = world.chain.rpc("evm_snapshot")
        # A fresh session per example: senders cache nonces, which evm_revert invalidates.
        self.session = Session(world.project, world.chain, world.errors, world.events)
        contract = self.session.contract("LandRegistry", world.land)
        self.contract = contract
        client = LandClient(self.session, contract, self.session.sender)
        self.governance = client
        self.registrar = client.as_account(world.registrar)
        self.lender = client.as_account(world.lender)
        self.court = client.as_account(world.court)
        self.clients = {a.address: client.as_account(a) for a in world.accounts}
        self.tokens = [self.session.contract("PaymentToken", t) for t in world.tokens]
        self.people = [a.address for a in world.people]
        self.outsider = world.people[-1].address
        self.treasuries = [world.treasury.address, self.outsider, self.people[0], ZERO]
        self.lien_holders = [world.lender.address, world.registrar.address, self.outsider]
        self.tracked = [a.address for a in world.accounts] + [world.land]

        self.parcels: dict[int, GhostParcel] = {}
        self.registered_area = 0  # sum of first-registration areas
        self.ledger: Counter[tuple[str, str]] = Counter()  # (token, account) -> balance
        for token in world.tokens:
            for person in self.people[:-1]:
                self.ledger[token, person] = CITIZEN_FUNDS
            self.ledger[token, self.outsider] = OUTSIDER_FUNDS
        self.tax_bps = INITIAL_TAX_BPS
        self.treasury = world.treasury.address
        self.approval_required = False
        self.paused = False
        self.operators: set[tuple[str, str]] = set()  # (owner, operator) by setApprovalForAll
        self.counter = 0  # parcel numbers
        self.order = 0  # global order of history events
        self.checks = 0
        self.touched: dict[int, None] = {}  # parcels changed by the current step, in order
        self.latest = self.now()

    # -- helpers ----------------------------------------------------------------------------------

    def clear_of(self, instant: int) -> int:
        """Move time off `instant` by at least MARGIN; returns the latest block's timestamp."""
        now = self.now()
        while abs(now - instant) < MARGIN:
            OUTCOMES["time: stepped off a deadline"] += 1
            self.travel_by(2 * MARGIN)
            now = self.now()
        return now

    def fresh_id(self) -> int:
        self.counter += 1
        return parcel_id(f"LR-{self.counter:05d}")

    def live(self) -> list[GhostParcel]:
        return [p for p in self.parcels.values() if p.live]

    def retired(self) -> list[GhostParcel]:
        return [p for p in self.parcels.values() if not p.live]

    def choose(self, pick: int, retired: bool = False) -> GhostParcel:
        """A live parcel; with `retired`, a retired one if there is one."""
        return _pick((self.retired() if retired else []) or self.live(), pick)

    def someone_else(self, pick: int, *not_these: str) -> str:
        return _pick([p for p in self.people if p not in not_these], pick)

    def log(self, parcel: GhostParcel, event: str) -> None:
        self.order += 1
        parcel.history.append((self.order, event))
        self.touched[parcel.id] = None

    def move(self, parcel: GhostParcel, to: str) -> None:
        """What every registry move does besides changing the owner."""
        parcel.owner = to
        parcel.sale = None
        parcel.approved = ZERO
        self.touched[parcel.id] = None

    def paused_error(self) -> Expected:
        return _error("EnforcedPause") if self.paused else None

    def divisible_error(self, parcel: GhostParcel) -> Expected:
        """Why the registrar may not split or merge `parcel` (or sell it, for the last two)."""
        if not parcel.live:
            return _error("LandNotLive", parcelId=parcel.id)
        return self.sellable_error(parcel)

    def sellable_error(self, parcel: GhostParcel) -> Expected:
        if parcel.frozen:
            return _error("LandFrozen", parcelId=parcel.id)
        if parcel.active_liens:
            return _error("LandHasLiens", parcelId=parcel.id, activeLiens=len(parcel.active_liens))
        return None

    def outcome(self, label: str, expected: Expected, action: Callable[[], T]) -> T | None:
        """Run `action`: it must succeed if `expected` is None, else fail with exactly it."""
        if expected is None:
            result = action()
            OUTCOMES[f"{label}: ok"] += 1
            return result
        name, inputs = expected
        with pytest.raises(contract_error(name)) as info:
            action()
        assert info.value.inputs == inputs, f"{label}: {info.value}"
        OUTCOMES[f"{label}: {name}"] += 1
        return None

    def transact(self, account: str, call: Any) -> Any:
        return self.session.sender_for(self._account(account)).transact(call)

    def _account(self, address: str) -> LocalAccount:
        return next(a for a in self.world.accounts if a.address == address)

    def eth_calls(self, calls: Iterable[tuple[str, bytes]]) -> list[bytes | ContractError]:
        """A revert comes back as its decoded error."""
        return batch_eth_call(self.world.chain, calls, self.world.errors)

    # -- actions: each predicts its outcome from the model, then checks it -------------------------

    def register(self, owner: str, area: int, kind: str, taken: int | None = None) -> int:
        """Register a parcel (`kind` "fresh"), or try an existing number ("taken": `taken` or
        any), a number that is no parcel number ("bad number") or a zero area; returns its id."""
        ident = self.fresh_id()
        if taken is not None:
            ident = taken
        elif kind == "taken" and self.parcels:
            ident = _pick(sorted(self.parcels), area)
        elif kind == "bad number":
            ident = _pick(BAD_NUMBERS, area)
        elif kind == "32 characters":
            ident = parcel_id(f"LR-{self.counter:05d}-".ljust(32, "X"))
        elif kind == "zero area":
            area = 0
        geometry = keccak(text=f"geometry {ident} {area}")
        land_use = 100 + area % 300
        expected = self.paused_error()
        if expected is None:
            if kind == "bad number":
                expected = _error("LandInvalidParcelNumber", parcelId=ident)
            elif area == 0:
                expected = _error("GovchainZeroAmount", parameter="area")
            elif ident in self.parcels:
                expected = _error("LandAlreadyRegistered", parcelId=ident)
        spec = ParcelSpec(geometry, area, land_use)
        receipt = self.outcome(
            f"register ({kind})",
            expected,
            lambda: self.registrar.register(ident, owner, spec, DEED),
        )
        if receipt is None:
            return ident
        event = receipt.event("ParcelRegistered")
        assert (event["parcelId"], event["owner"], event["area"], event["registrar"]) == (
            ident,
            owner,
            area,
            self.world.registrar.address,
        )
        parcel = GhostParcel(ident, owner, area, geometry, land_use, DEED)
        self.parcels[ident] = parcel
        self.registered_area += area
        self.log(parcel, "ParcelRegistered")
        return ident

    def predict_accept(
        self, parcel: GhostParcel, caller: str, price: int, token: str, now: int
    ) -> Expected:
        """What `caller` accepting the open sale of `parcel` with `price` in `token` comes to."""
        sale = parcel.sale
        assert sale is not None
        if self.paused:
            return _error("EnforcedPause")
        if caller != sale.buyer:
            return _error("LandNotBuyer", parcelId=parcel.id, account=caller)
        if now > sale.deadline:
            return _error("LandSaleExpired", parcelId=parcel.id, deadline=sale.deadline)
        if (price, token) != (sale.price, sale.token):
            return _error(
                "LandSaleTermsChanged", parcelId=parcel.id, price=sale.price, token=sale.token
            )
        if self.approval_required and not sale.approved:
            return _error("LandSaleNotApproved", parcelId=parcel.id)
        expected = self.sellable_error(parcel)
        if expected is not None:
            return expected
        # The payment: tax to the treasury first, then the rest to the seller.
        tax = price * self.tax_bps // 10_000
        balance = self.ledger[token, caller]
        if tax and balance < tax:
            return _error("ERC20InsufficientBalance", sender=caller, balance=balance, needed=tax)
        if tax and self.treasury != caller:
            balance -= tax
        if balance < price - tax:
            return _error(
                "ERC20InsufficientBalance", sender=caller, balance=balance, needed=price - tax
            )
        return None

    def terms(self, sale: GhostSale, terms: str) -> tuple[int, str]:
        """The offer's price and token ("exact"), or with a changed "price" or "token"."""
        if terms == "price":
            return (sale.price + 1 if sale.price < MAX_UINT96 else sale.price - 1, sale.token)
        if terms == "token":
            return (sale.price, next(t for t in self.world.tokens if t != sale.token))
        return (sale.price, sale.token)

    def mistaken_accepts(self, parcel: GhostParcel, mistakes: list[str], other: int) -> None:
        """Acceptances that must fail and change nothing: by someone who is not the buyer, or by
        the buyer with the wrong price or token (sent straight to the contract)."""
        sale = parcel.sale
        if sale is None:
            return
        now = self.clear_of(sale.deadline)
        for mistake in mistakes:
            caller = sale.buyer
            if mistake == "someone else":
                caller = self.someone_else(other, sale.buyer)
            elif mistake == "outsider":
                caller = self.outsider
            price, token = self.terms(sale, mistake)
            expected = self.predict_accept(parcel, caller, price, token, now)
            if expected is None or expected[0].startswith("ERC20"):
                continue  # no mistake after all (the outsider may be the buyer)
            call = self.contract.functions.acceptSale(parcel.id, token, price, DEED)
            label = "wrong buyer" if caller != sale.buyer else mistake
            self.outcome(
                f"accept ({label})",
                expected,
                lambda caller=caller, call=call: self.transact(caller, call),
            )

    def accept(
        self,
        parcel: GhostParcel,
        caller: str,
        terms: str,
        agreed: tuple[int, str] | None = None,
    ) -> None:
        """`caller` accepts the open sale of `parcel`, through the client, with the offer's
        terms (`terms` "exact"), a changed price or the other token; or with the terms it
        `agreed` to, which the seller may have changed since."""
        sale = parcel.sale
        if sale is None:
            # The client refuses before sending; the contract itself says LandNoSale.
            with pytest.raises(LandClientError):
                self.clients[caller].accept_sale(parcel.id, DEED)
            expected = self.paused_error() or _error("LandNoSale", parcelId=parcel.id)
            call = self.contract.functions.acceptSale(parcel.id, self.world.tokens[0], 1, DEED)
            self.outcome("accept (no sale)", expected, lambda: self.transact(caller, call))
            return
        now = self.clear_of(sale.deadline)
        price, token = self.terms(sale, terms) if agreed is None else agreed
        expected = self.predict_accept(parcel, caller, price, token, now)
        label = f"accept ({terms if agreed is None else 'as read'})"
        if expected is not None and expected[0] == "ERC20InsufficientBalance":
            label = "accept (buyer short of money)"
        elif caller != sale.buyer:
            label = "accept (wrong buyer)"
        deed = keccak(text=f"deed of sale {parcel.id} {self.order}")
        client = self.clients[caller]
        if terms == "exact" and agreed is None:  # the client reads the offer's terms itself
            receipt = self.outcome(label, expected, lambda: client.accept_sale(parcel.id, deed))
        else:
            receipt = self.outcome(
                label,
                expected,
                lambda: client.accept_sale(parcel.id, deed, price=price, token=token),
            )
        if receipt is not None:
            self.settle(parcel, receipt, deed)

    def settle(self, parcel: GhostParcel, receipt: Any, deed: bytes) -> None:
        """Title and payment swapped by `receipt`: check its event, then book it."""
        sale = parcel.sale
        assert sale is not None
        seller, caller, price, token = parcel.owner, sale.buyer, sale.price, sale.token
        tax = price * self.tax_bps // 10_000
        event = receipt.event("SaleCompleted")
        assert (
            event["seller"],
            event["buyer"],
            event["token"],
            event["price"],
            event["tax"],
            event["deedHash"],
        ) == (seller, caller, token, price, tax, deed)
        erc20 = self.tokens[self.world.tokens.index(token)]
        assert erc20.functions.allowance(caller, self.world.land).call() == 0
        OUTCOMES["accept: paid tax" if tax else "accept: no tax"] += 1
        self.ledger[token, caller] -= price
        self.ledger[token, self.treasury] += tax
        self.ledger[token, seller] += price - tax
        parcel.deed = deed
        self.move(parcel, caller)
        self.log(parcel, "SaleCompleted")

    # -- rules: registration and governance ------------------------------------------------------

    @initialize(
        parcels=st.lists(st.tuples(picks, areas), min_size=2, max_size=5),
    )
    def register_first_parcels(self, parcels: list[tuple[int, int]]) -> None:
        for owner, area in parcels:
            self.register(_pick(self.people, owner), area, "fresh")

    @rule(
        owner=picks,
        area=areas,
        kind=st.sampled_from(
            ["fresh", "fresh", "taken", "bad number", "zero area", "32 characters"]
        ),
    )
    def register_parcel(self, owner: int, area: int, kind: str) -> None:
        """A registration; a fresh one is tried again at once, for someone else (the number is
        taken now: LandAlreadyRegistered). Every kind of id that is no parcel number fails."""
        if kind == "bad number":
            for bad in BAD_NUMBERS:
                self.register(_pick(self.people, owner), area, kind, bad)
            return
        ident = self.register(_pick(self.people, owner), area, kind)
        if kind in ("fresh", "32 characters") and ident in self.parcels:
            self.register(_pick(self.people, owner + 1), area, "taken", ident)

    @rule(
        treasury=picks,
        bps=st.sampled_from([0, 1, 250, 999, MAX_TAX_BPS, MAX_TAX_BPS + 1, 10_000]),
        approval=st.sampled_from([None, None, None, True, False]),
    )
    def governance_changes(self, treasury: int, bps: int, approval: bool | None) -> None:
        """A new transfer tax (rate and treasury, valid or not), or sales needing approval."""
        if approval is None:
            self.set_transfer_tax(_pick(self.treasuries, treasury), bps)
        else:
            self.governance.set_sale_approval_required(approval)
            self.approval_required = approval

    def set_transfer_tax(self, to: str, bps: int) -> None:
        expected: Expected = None
        if bps > MAX_TAX_BPS or (bps != 0 and to == ZERO):
            expected = _error("LandInvalidTax", treasury=to, bps=bps)
        if (
            self.outcome("set tax", expected, lambda: self.governance.set_transfer_tax(to, bps))
            is not None
        ):
            self.tax_bps, self.treasury = bps, to

    @rule(
        pick=picks,
        other=picks,
        action=st.sampled_from(
            ["register", "offer", "accept", "lien", "subdivide", "merge"]
            + ["forced transfer", "freeze", "withdraw", "release"]
        ),
    )
    def while_paused(self, pick: int, other: int, action: str) -> None:
        """Pause, try one thing, unpause: registrations, sales, liens, subdivisions and merges
        stop (EnforcedPause); court orders, withdrawals and releases go on."""
        self.governance.pause()
        self.paused = True
        live = self.live()
        parcel = self.choose(pick)
        if action == "register":
            self.register(_pick(self.people, other), 1_000 + other, "fresh")
        elif action == "offer":
            to = self.someone_else(other, parcel.owner)
            self.offer(parcel, parcel.owner, to, self.world.tokens[0], 1_000, 24, "valid")
        elif action == "accept":
            offered = [p for p in live if p.sale is not None]
            if offered:
                self.accept_offered(_pick(offered, pick), other, "buyer", "exact", False)
            else:
                self.accept(parcel, self.someone_else(other), "exact")
        elif action == "lien":
            self.lien_on(parcel, other, "lender", 1_000)
        elif action == "subdivide":
            self.subdivide_parcel(parcel, 2, other, "valid")
        elif action == "merge":
            others = [p for p in live if p is not parcel]
            self.merge_parcels([parcel, *(others and [_pick(others, other)])], 0, "")
        elif action == "forced transfer":
            self.force(parcel, _pick(self.people, other))
        elif action == "freeze":
            self.court_freeze(parcel, not parcel.frozen)
        elif action == "withdraw":
            offered = self.offered()
            parcel = _pick(offered, pick) if offered else parcel
            self.withdraw(parcel, parcel.owner)
        else:
            self.release_lien(pick, other, "holder")
        self.governance.unpause()
        self.paused = False

    @rule(
        person=picks,
        pick=picks,
        action=st.sampled_from(
            ["register", "subdivide", "approve", "freeze", "force", "tax", "pause"]
        ),
    )
    def act_without_role(self, person: int, pick: int, action: str) -> None:
        """A citizen doing an official's work: AccessControlUnauthorizedAccount, nothing moves."""
        who = _pick(self.people, person)
        me = self.clients[who]
        parcel = self.choose(pick)
        spec = ParcelSpec(b"\x01" * 32, 1, 1)
        calls: dict[str, tuple[str, Callable[[], Any]]] = {
            "register": ("REGISTRAR_ROLE", lambda: me.register("X-1", who, spec, DEED)),
            "subdivide": (
                "REGISTRAR_ROLE",
                lambda: me.subdivide(parcel.id, [("X-1", spec), ("X-2", spec)], DEED),
            ),
            "approve": ("REGISTRAR_ROLE", lambda: me.approve_sale(parcel.id)),
            "freeze": ("COURT_ROLE", lambda: me.freeze(parcel.id, b"\x00" * 32)),
            "force": ("COURT_ROLE", lambda: me.forced_transfer(parcel.id, who, b"\x00" * 32)),
            "tax": ("GOVERNANCE_ROLE", lambda: me.set_transfer_tax(who, 0)),
            "pause": ("PAUSER_ROLE", lambda: me.pause() if not self.paused else me.unpause()),
        }
        role, call = calls[action]
        expected = _error("AccessControlUnauthorizedAccount", account=who, neededRole=_role(role))
        self.outcome(f"{action} without role", expected, call)

    # -- rules: sales ------------------------------------------------------------------------------

    @rule(
        pick=picks,
        buyer=picks,
        token=st.integers(0, 1),
        price=prices,
        hours=deadline_hours,
        variant=st.sampled_from(
            ["valid"] * 8
            + ["not owner", "retired", "to self", "zero price", "zero token", "huge price", "past"]
        ),
    )
    def offer_sale(
        self, pick: int, buyer: int, token: int, price: int, hours: int, variant: str
    ) -> None:
        parcel = self.choose(pick, retired=variant == "retired")
        variant = "valid" if variant == "retired" and parcel.live else variant
        seller = parcel.owner
        caller = self.someone_else(buyer, seller) if variant == "not owner" else seller
        to = seller if variant == "to self" else self.someone_else(buyer, seller)
        currency = ZERO if variant == "zero token" else self.world.tokens[token]
        price = {"zero price": 0, "huge price": MAX_UINT96 + 1}.get(variant, price)
        self.offer(parcel, caller, to, currency, price, hours, variant)

    def offer(
        self,
        parcel: GhostParcel,
        caller: str,
        to: str,
        currency: str,
        price: int,
        hours: int,
        variant: str,
    ) -> None:
        now = self.now()
        deadline = now - HOUR if variant == "past" else now + hours * HOUR
        seller = parcel.owner
        expected = self.paused_error()
        if expected is not None:
            pass
        elif not parcel.live:
            expected = _error("LandNotLive", parcelId=parcel.id)
        elif caller != seller:
            expected = _error("LandNotOwner", parcelId=parcel.id, account=caller)
        else:
            expected = self.sellable_error(parcel)
        if expected is None and (
            to == seller or currency == ZERO or price == 0 or price > MAX_UINT96
        ):
            expected = _error("LandInvalidSale", parcelId=parcel.id)
        client = self.clients[caller]
        if expected is None and deadline <= now:
            with pytest.raises(contract_error("GovchainInvalidWindow")) as info:
                client.offer_sale(parcel.id, to, currency, price, deadline)
            assert info.value.inputs["end"] == deadline
            assert info.value.inputs["start"] >= now
            OUTCOMES["offer: GovchainInvalidWindow"] += 1
            return
        receipt = self.outcome(
            f"offer ({variant})",
            expected,
            lambda: client.offer_sale(parcel.id, to, currency, price, deadline),
        )
        if receipt is None:
            return
        event = receipt.event("SaleOffered")
        assert (event["seller"], event["buyer"], event["token"], event["price"]) == (
            seller,
            to,
            currency,
            price,
        )
        if parcel.sale is not None:
            OUTCOMES["offer: replaced an offer"] += 1
        parcel.sale = GhostSale(to, currency, price, deadline)
        self.log(parcel, "SaleOffered")

    def accept_offered(
        self, parcel: GhostParcel, other: int, who: str, terms: str, expire: bool
    ) -> None:
        """Accept the open sale of `parcel` as `who` (its buyer, someone else, the outsider);
        with `expire`, the clock first jumps past the deadline by evm_setNextBlockTimestamp."""
        sale = parcel.sale
        assert sale is not None
        if expire and sale.deadline + HOUR > self.now():
            self.travel_to(sale.deadline + HOUR)
        caller = {
            "buyer": sale.buyer,
            "someone else": self.someone_else(other, sale.buyer),
            "outsider": self.outsider,
        }[who]
        self.accept(parcel, caller, terms)

    def offered(self) -> list[GhostParcel]:
        return [p for p in self.live() if p.sale is not None]

    @precondition(lambda self: self.offered())
    @rule(
        pick=picks,
        other=picks,
        who=whos,
        terms=terms_strategy,
        expire=rarely,
        with_sale=st.sampled_from([True] * 5 + [False]),
        mistakes=mistakes_strategy,
    )
    def accept_sale(
        self,
        pick: int,
        other: int,
        who: str,
        terms: str,
        expire: bool,
        with_sale: bool,
        mistakes: list[str],
    ) -> None:
        """The buyer (or not) accepts an open sale after some `mistakes`, or tries a parcel
        with none."""
        offered = self.offered()
        parcel = _pick(offered, pick) if offered and with_sale else self.choose(pick, not other % 3)
        if parcel.sale is None:
            self.accept(parcel, self.someone_else(other), terms)
        else:
            self.mistaken_accepts(parcel, mistakes, other)
            self.accept_offered(parcel, other, who, terms, expire)

    @rule(
        pick=picks,
        buyer=picks,
        token=st.integers(0, 1),
        price=prices,
        hours=deadline_hours,
        other=picks,
        who=whos,
        terms=terms_strategy,
        timing=st.sampled_from(["in time"] * 4 + ["an hour late", "at the deadline", "1s late"]),
        approve=st.sampled_from([True, True, False]),
        mistakes=mistakes_strategy,
        meanwhile=st.sampled_from(
            ["nothing"] * 6
            + ["withdraw", "new price", "new token", "new buyer", "freeze", "lien", "court order"]
        ),
    )
    def offer_and_accept(
        self,
        pick: int,
        buyer: int,
        token: int,
        price: int,
        hours: int,
        other: int,
        who: str,
        terms: str,
        timing: str,
        approve: bool,
        mistakes: list[str],
        meanwhile: str,
    ) -> None:
        """A sale from offer to acceptance of a title that may be sold (if there is one), with
        the registrar's approval when `approve`. `meanwhile`, between the buyer reading the offer
        and accepting it, the seller withdraws it or changes its terms, or a court or a lender
        steps in; the buyer then accepts what it read. First come the `mistakes`; the acceptance
        comes in time, an hour late, or (by the buyer, nothing happening meanwhile) in the block
        stamped exactly at the deadline or one second later."""
        live = self.live()
        parcel = _pick([p for p in live if self.sellable_error(p) is None] or live, pick)
        seller = parcel.owner
        to = self.someone_else(buyer, seller)
        self.offer(parcel, seller, to, self.world.tokens[token], price, hours, "valid")
        sale = parcel.sale
        if sale is None:
            return
        if approve:
            self.registrar.approve_sale(parcel.id)
            sale.approved = True
            self.log(parcel, "SaleApproved")
        self.mistaken_accepts(parcel, mistakes, other)
        caller = {
            "buyer": sale.buyer,
            "someone else": self.someone_else(other, sale.buyer),
            "outsider": self.outsider,
        }[who]
        agreed = None
        if meanwhile != "nothing":
            OUTCOMES[f"sale: meanwhile {meanwhile}"] += 1
            agreed = (sale.price, sale.token)
        if meanwhile == "withdraw":
            self.withdraw(parcel, seller)
        elif meanwhile.startswith("new "):
            new_buyer = self.someone_else(other, seller, to) if meanwhile == "new buyer" else to
            new_token = sale.token
            if meanwhile == "new token":
                new_token = next(t for t in self.world.tokens if t != sale.token)
            new_price = sale.price + 1 if meanwhile == "new price" else sale.price
            self.offer(parcel, seller, new_buyer, new_token, new_price, hours, "valid")
        elif meanwhile == "freeze":
            self.court_freeze(parcel, True)
        elif meanwhile == "lien":
            self.lien_on(parcel, other, "lender", 10**6)
        elif meanwhile == "court order":
            self.force(parcel, _pick(self.people, other))
        if timing in ("at the deadline", "1s late") and meanwhile == "nothing":
            self.accept_at(parcel, late=int(timing == "1s late"))
            return
        if timing == "an hour late" and sale.deadline + HOUR > self.now():
            self.travel_to(sale.deadline + HOUR)
        self.accept(parcel, caller, terms, agreed)

    @rule(
        pick=picks,
        other=picks,
        action=st.sampled_from(["withdraw"] * 3 + ["withdraw by another", "approve"] * 2),
    )
    def withdraw_or_approve_sale(self, pick: int, other: int, action: str) -> None:
        """The owner (or not) withdraws an offer; the registrar approves one (of an open sale
        mostly, else of a parcel with none: LandNoSale)."""
        offered = self.offered()
        parcel = _pick(offered, pick) if offered and pick % 4 else self.choose(pick, pick % 5 == 0)
        if action == "approve":
            self.approve(parcel)
        elif action == "withdraw":
            self.withdraw(parcel, parcel.owner)
        else:
            self.withdraw(parcel, self.someone_else(other, parcel.owner))

    def withdraw(self, parcel: GhostParcel, caller: str) -> None:
        expected: Expected = None
        if not parcel.live:
            expected = _error("LandNotLive", parcelId=parcel.id)
        elif caller != parcel.owner:
            expected = _error("LandNotOwner", parcelId=parcel.id, account=caller)
        elif parcel.sale is None:
            expected = _error("LandNoSale", parcelId=parcel.id)
        if self.outcome(
            "withdraw", expected, lambda: self.clients[caller].withdraw_sale(parcel.id)
        ):
            parcel.sale = None
            self.log(parcel, "SaleWithdrawn")

    def approve(self, parcel: GhostParcel) -> None:
        expected = None if parcel.sale else _error("LandNoSale", parcelId=parcel.id)
        if self.outcome("approve sale", expected, lambda: self.registrar.approve_sale(parcel.id)):
            assert parcel.sale is not None
            parcel.sale.approved = True
            self.log(parcel, "SaleApproved")

    # -- rules: liens and court orders -------------------------------------------------------------

    def lien_on(self, parcel: GhostParcel, holder: int, by: str, amount: int) -> None:
        lender = self.world.lender.address
        caller, owner_of_lien = {
            "lender": (lender, lender),
            "registrar": (self.world.registrar.address, _pick(self.lien_holders, holder)),
            "lender for another": (lender, self.outsider),
            "citizen": (self.people[holder % 4], self.people[holder % 4]),
        }[by]
        expected = self.paused_error()
        if expected is not None:
            pass
        elif by in ("lender for another", "citizen"):
            expected = _error("LandNotLender", account=caller)
        elif amount == 0 or amount > MAX_UINT88:
            expected = _error("LandInvalidLienAmount", amount=amount)
        elif not parcel.live:
            expected = _error("LandNotLive", parcelId=parcel.id)
        document = keccak(text=f"mortgage {parcel.id} {self.order}")
        receipt = self.outcome(
            f"record lien ({by})",
            expected,
            lambda: self.clients[caller].record_lien(
                parcel.id, amount, document, holder=owner_of_lien
            ),
        )
        if receipt is None:
            return
        lien_id = len(parcel.liens) + 1
        event = receipt.event("LienRecorded")
        assert (event["lienId"], event["holder"], event["amount"]) == (
            lien_id,
            owner_of_lien,
            amount,
        )
        parcel.liens[lien_id] = GhostLien(owner_of_lien, amount)
        self.log(parcel, "LienRecorded")

    @rule(
        pick=picks,
        lien=picks,
        by=st.sampled_from(["holder"] * 3 + ["someone else"] * 2 + ["released or unknown"]),
    )
    def release_lien(self, pick: int, lien: int, by: str) -> None:
        liened = [p for p in self.parcels.values() if p.active_liens]
        if by == "released or unknown" or not liened:
            parcel = _pick(list(self.parcels.values()), pick)
            done = [i for i, x in parcel.liens.items() if x.released]
            lien_id = _pick(done, lien) if done and lien % 2 else len(parcel.liens) + 1
            caller = self.world.lender.address
        else:
            parcel = _pick(liened, pick)
            lien_id = _pick(parcel.active_liens, lien)
            holder = parcel.liens[lien_id].holder
            caller = holder if by == "holder" else self.someone_else(lien, holder)
        self.release(parcel, lien_id, caller)

    def release(self, parcel: GhostParcel, lien_id: int, caller: str) -> None:
        record = parcel.liens.get(lien_id)
        expected: Expected = None
        if record is None or record.released:
            expected = _error("LandUnknownLien", parcelId=parcel.id, lienId=lien_id)
        elif caller != record.holder:
            expected = _error(
                "LandNotLienholder", parcelId=parcel.id, lienId=lien_id, account=caller
            )
        if self.outcome(
            "release lien", expected, lambda: self.clients[caller].release_lien(parcel.id, lien_id)
        ):
            assert record is not None
            record.released = True
            self.log(parcel, "LienReleased")

    @rule(
        pick=picks,
        other=picks,
        by=st.sampled_from(["lender"] * 3 + ["registrar"] * 2 + ["lender for another", "citizen"]),
        amount=st.sampled_from([1, 10**6, 10**9, MAX_UINT88]) | st.sampled_from([0, 2**88]),
        retired=rarely,
        blocked=st.sampled_from(["offer", "subdivide", "merge", "nothing"]),
        release_by=st.sampled_from(["holder", "holder", "someone else", "nobody"]),
    )
    def mortgage(
        self,
        pick: int,
        other: int,
        by: str,
        amount: int,
        retired: bool,
        blocked: str,
        release_by: str,
    ) -> None:
        """A lien (recorded by a lender for itself or by the registrar for anyone) blocks sale,
        subdivision and merge (LandHasLiens) until its holder, and only its holder, releases it."""
        parcel = self.choose(pick, retired)
        before = len(parcel.liens)
        self.lien_on(parcel, other, by, amount)
        if len(parcel.liens) == before or release_by == "nobody":
            return
        lien_id = len(parcel.liens)
        if blocked == "offer":
            to = self.someone_else(other, parcel.owner)
            self.offer(parcel, parcel.owner, to, self.world.tokens[0], amount, 24, "liened")
        elif blocked == "subdivide":
            self.subdivide_parcel(parcel, 2, other, "liened")
        elif blocked == "merge":
            others = [p for p in self.live() if p is not parcel]
            mine = [p for p in others if p.owner == parcel.owner]
            self.merge_parcels([parcel, *(mine or others)[:1]], other, "liened")
        holder = parcel.liens[lien_id].holder
        caller = holder if release_by == "holder" else self.someone_else(other, holder)
        self.release(parcel, lien_id, caller)

    @rule(
        pick=picks,
        to=picks,
        action=st.sampled_from(
            ["toggle freeze"] * 2 + ["unfreeze", "again", "order", "order", "order to zero"]
        ),
        retired=rarely,
    )
    def court_acts(self, pick: int, to: int, action: str, retired: bool) -> None:
        """The court freezes a title that is not frozen and unfreezes one that is (`again`: the
        other way round, LandFrozen / LandNotFrozen), or orders a transfer, frozen, liened, for
        sale or not (never of a retired title)."""
        parcel = self.choose(pick, retired)
        frozen = [p for p in self.live() if p.frozen]
        if action == "unfreeze" and frozen:
            parcel = _pick(frozen, pick)
        if action in ("toggle freeze", "unfreeze"):
            self.court_freeze(parcel, not parcel.frozen)
        elif action == "again":
            self.court_freeze(parcel, parcel.frozen)
        else:
            self.force(parcel, ZERO if action == "order to zero" else _pick(self.people, to))

    def court_freeze(self, parcel: GhostParcel, freeze: bool) -> None:
        case = keccak(text=f"case {parcel.id}")
        expected: Expected = None
        if not parcel.live:
            expected = _error("LandNotLive", parcelId=parcel.id)
        elif freeze and parcel.frozen:
            expected = _error("LandFrozen", parcelId=parcel.id)
        elif not freeze and not parcel.frozen:
            expected = _error("LandNotFrozen", parcelId=parcel.id)
        call = self.court.freeze if freeze else self.court.unfreeze
        if self.outcome(
            "freeze" if freeze else "unfreeze", expected, lambda: call(parcel.id, case)
        ):
            parcel.frozen = freeze
            self.log(parcel, "TitleFrozen" if freeze else "TitleUnfrozen")

    def force(self, parcel: GhostParcel, heir: str) -> None:
        order = keccak(text=f"order {parcel.id} {self.order}")
        expected: Expected = None
        if not parcel.live:
            expected = _error("LandNotLive", parcelId=parcel.id)
        elif heir == ZERO:
            expected = _error("GovchainZeroAddress", parameter="to")
        label = "forced transfer"
        if expected is None:
            label += " (frozen)" if parcel.frozen else ""
            label += " (liened)" if parcel.active_liens else ""
            label += " (for sale)" if parcel.sale else ""
            label += " (while paused)" if self.paused else ""
        receipt = self.outcome(
            label, expected, lambda: self.court.forced_transfer(parcel.id, heir, order)
        )
        if receipt is None:
            return
        event = receipt.event("ForcedTransfer")
        assert (event["from"], event["to"], event["orderHash"]) == (parcel.owner, heir, order)
        self.move(parcel, heir)
        self.log(parcel, "ForcedTransfer")

    # -- rules: subdivision and merge --------------------------------------------------------------

    @rule(
        pick=picks,
        count=st.integers(2, 5),
        seed=st.integers(0, 2**32),
        variant=st.sampled_from(
            ["valid"] * 4
            + ["more area", "less area", "zero child", "taken id", "same id twice"]
            + ["part count", "unequal lists"]
        ),
        retired=rarely,
        mistake=st.sampled_from(["none"] * 2 + ["more area", "less area", "zero child"]),
    )
    def subdivide(
        self, pick: int, count: int, seed: int, variant: str, retired: bool, mistake: str
    ) -> None:
        """A subdivision, valid or not (`variant`); a valid one after a `mistake` first."""
        parent = self.choose(pick, retired)
        if variant == "valid" and mistake != "none":
            self.subdivide_parcel(parent, count, seed, mistake)
        self.subdivide_parcel(parent, count, seed, variant)

    def subdivide_parcel(self, parent: GhostParcel, count: int, seed: int, variant: str) -> None:
        """Split `parent` into `count` parts whose areas add up (unless `variant` says not)."""
        rng = random.Random(seed)
        if variant == "part count":
            parts = [1] * rng.choice([0, 1, MAX_PARTS + 1])
        elif parent.area >= count:
            bounds = [0, *sorted(rng.sample(range(1, parent.area), count - 1)), parent.area]
            parts = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
        else:  # too small to split: the parts cannot add up
            parts = [1] * count
        ids = [self.fresh_id() for _ in parts]
        if variant == "more area" and parts:
            parts[-1] += 1 + seed % 1000
        elif variant == "less area" and any(a > 1 for a in parts):
            k = next(i for i, a in enumerate(parts) if a > 1)
            parts[k] -= 1
        elif variant == "zero child" and parts:
            parts[-1] = 0
        elif variant == "taken id" and ids:
            ids[-1] = _pick(sorted(self.parcels), seed)
        elif variant == "same id twice" and len(ids) >= 2:
            ids[-1] = ids[0]
        specs = [
            ParcelSpec(keccak(text=f"geometry {i}"), a, parent.land_use)
            for i, a in zip(ids, parts, strict=True)
        ]
        expected = self.paused_error()
        if expected is None and (not 2 <= len(ids) <= MAX_PARTS or variant == "unequal lists"):
            expected = _error("LandPartCount", count=len(ids))
        expected = expected or self.divisible_error(parent)
        if expected is None:
            for k, (ident, area) in enumerate(zip(ids, parts, strict=True)):
                if area == 0:
                    expected = _error("GovchainZeroAmount", parameter="area")
                elif ident in self.parcels or ident in ids[:k]:
                    expected = _error("LandAlreadyRegistered", parcelId=ident)
                if expected is not None:
                    break
        if expected is None and sum(parts) != parent.area:
            expected = _error("LandAreaMismatch", parentsArea=parent.area, childrenArea=sum(parts))
        deed = keccak(text=f"subdivision {parent.id}")
        if variant == "unequal lists":  # one part's record missing: only the contract can be asked
            records = [spec.as_struct() for spec in specs[:-1]]
            call = self.contract.functions.subdivide(parent.id, ids, records, deed)
            self.outcome(
                "subdivide (unequal lists)",
                expected,
                lambda: self.transact(self.world.registrar.address, call),
            )
            return
        receipt = self.outcome(
            f"subdivide ({variant})",
            expected,
            lambda: self.registrar.subdivide(parent.id, list(zip(ids, specs, strict=True)), deed),
        )
        if receipt is None:
            return
        assert [e["parcelId"] for e in receipt.events_named("ParcelDerived")] == ids
        for ident, spec in zip(ids, specs, strict=True):
            child = GhostParcel(
                ident, parent.owner, spec.area, spec.geometry_hash, spec.land_use, deed
            )
            child.parents = [parent.id]
            self.parcels[ident] = child
            self.log(child, "ParcelRegistered")
            self.log(child, "ParcelDerived")
        self.retire(parent, ids)

    def retire(self, parcel: GhostParcel, children: list[int]) -> None:
        parcel.status = "Retired"
        parcel.children = children
        parcel.sale = None
        parcel.approved = ZERO
        self.log(parcel, "ParcelRetired")

    @rule(
        pick=picks,
        count=st.integers(2, 4),
        seed=st.integers(0, 2**32),
        variant=st.sampled_from(
            ["one owner"] * 5
            + ["any parcels", "twice", "more area", "less area", "taken id", "part count"]
        ),
        mistake=st.sampled_from(["none"] * 2 + ["more area", "less area", "taken id"]),
    )
    def merge(self, pick: int, count: int, seed: int, variant: str, mistake: str) -> None:
        """A merger, valid or not (`variant`); a valid one after a `mistake` first."""
        rng = random.Random(seed)
        live = self.live()
        owners = Counter(p.owner for p in live)
        rich = sorted(o for o, n in owners.items() if n >= 2)
        if variant != "any parcels" and not rich:
            # Nobody holds two titles: the registrar first gives one more to an owner.
            self.register(_pick(live, pick).owner, 1_000 + seed % 10**6, "fresh")
            live = self.live()
            rich = [live[-1].owner]
        if variant != "any parcels":
            owner = _pick(rich, pick)
            mine = [p for p in live if p.owner == owner]
            chosen = rng.sample(mine, min(count, len(mine)))
        else:
            pool = list(self.parcels.values())
            chosen = rng.sample(pool, min(count, len(pool)))
        if variant == "twice":
            chosen.insert(rng.randrange(1, len(chosen) + 1), chosen[0])
        elif variant == "part count":
            chosen = chosen[:1] if seed % 2 else [chosen[0]] * (MAX_PARTS + 1)
        elif variant == "one owner" and mistake != "none":
            self.merge_parcels(chosen, seed, mistake)
        self.merge_parcels(chosen, seed, variant)

    def merge_parcels(self, chosen: list[GhostParcel], seed: int, variant: str) -> None:
        """Merge `chosen` into a new parcel of their combined area (unless `variant` says not)."""
        area = sum(p.area for p in chosen)
        area += {"more area": 1, "less area": -1}.get(variant, 0)
        child = self.fresh_id()
        if variant == "taken id":
            child = _pick(sorted(self.parcels), seed)
        spec = ParcelSpec(keccak(text=f"geometry {child}"), area, chosen[0].land_use)

        expected = self.paused_error()
        if expected is None and not 2 <= len(chosen) <= MAX_PARTS:
            expected = _error("LandPartCount", count=len(chosen))
        expected = expected or self.divisible_error(chosen[0])
        if expected is None:
            if area == 0:
                expected = _error("GovchainZeroAmount", parameter="area")
            elif child in self.parcels:
                expected = _error("LandAlreadyRegistered", parcelId=child)
        first_owner = chosen[0].owner
        gone: set[int] = set()
        for p in chosen:
            if expected is not None:
                break
            if p.id in gone:
                expected = _error("LandNotLive", parcelId=p.id)
            else:
                expected = self.divisible_error(p)
            if expected is None and p.owner != first_owner:
                expected = _error(
                    "LandOwnersDiffer", parcelId=p.id, owner=p.owner, expected=first_owner
                )
            gone.add(p.id)
        total = sum(p.area for p in chosen)
        if expected is None and total != area:
            expected = _error("LandAreaMismatch", parentsArea=total, childrenArea=area)
        deed = keccak(text=f"merger {child}")
        ids = [p.id for p in chosen]
        receipt = self.outcome(
            f"merge ({variant})", expected, lambda: self.registrar.merge(ids, child, spec, deed)
        )
        if receipt is None:
            return
        assert receipt.event("ParcelDerived")["parents"] == ids
        merged = GhostParcel(child, first_owner, area, spec.geometry_hash, spec.land_use, deed)
        merged.parents = ids
        self.parcels[child] = merged
        self.log(merged, "ParcelRegistered")
        for p in chosen:
            self.retire(p, [child])
        self.log(merged, "ParcelDerived")

    # -- rules: plain ERC-721 transfers and time ---------------------------------------------------

    @rule(
        pick=picks,
        other=picks,
        by=st.sampled_from(["owner", "approved", "operator", "stranger"]),
        retired=rarely,
        to_zero=rarely,
    )
    def erc721_transfer(self, pick: int, other: int, by: str, retired: bool, to_zero: bool) -> None:
        """Titles never move by ERC-721 transfer (any of the three), whoever asks, live or
        retired; approvals work and move nothing."""
        parcel = self.choose(pick, retired)
        owner = parcel.owner
        caller = owner if by == "owner" else self.someone_else(other, owner)
        nft = self.contract.functions
        if by == "approved":
            expected = None if parcel.live else _error("ERC721NonexistentToken", tokenId=parcel.id)
            if self.outcome(
                "erc721 approve",
                expected,
                lambda: self.transact(owner, nft.approve(caller, parcel.id)),
            ):
                parcel.approved = caller
        elif by == "operator":
            self.transact(owner, nft.setApprovalForAll(caller, True))
            self.operators.add((owner, caller))
        to = ZERO if to_zero else self.someone_else(other + 1, owner)
        source = caller if by == "stranger" and other % 2 else owner  # a stranger may claim it
        transfers = {
            "transferFrom": nft.transferFrom(source, to, parcel.id),
            "safeTransferFrom": self.contract.get_function_by_signature(
                "safeTransferFrom(address,address,uint256)"
            )(source, to, parcel.id),
            "safeTransferFrom+data": self.contract.get_function_by_signature(
                "safeTransferFrom(address,address,uint256,bytes)"
            )(source, to, parcel.id, b"gift"),
        }
        if to == ZERO:
            # OpenZeppelin checks the receiver before any move: the title stays put all the same.
            expected = _error("ERC721InvalidReceiver", receiver=ZERO)
        else:
            expected = _error("LandTransferOutsideRegistry", parcelId=parcel.id)
        for method, call in transfers.items():
            self.outcome(
                f"erc721 by {by}{'' if parcel.live else ' (retired)'}",
                expected,
                lambda call=call: self.transact(caller, call),
            )
            OUTCOMES[f"erc721 {method}: {expected[0]}"] += 1

    def sale_deadlines_ahead(self) -> list[GhostSale]:
        return [
            p.sale for p in self.live() if p.sale is not None and p.sale.deadline >= self.latest
        ]

    @precondition(lambda self: self.sale_deadlines_ahead())
    @rule(
        pick=picks,
        how=st.sampled_from([HOUR, 6 * HOUR, DAY, 3 * DAY, "before deadline", "after deadline"]),
    )
    def travel(self, pick: int, how: int | str) -> None:
        """Move time on (evm_increaseTime), or jump (evm_setNextBlockTimestamp) to an hour
        before or after an open sale's deadline."""
        if isinstance(how, int):
            self.travel_by(how)
            return
        sale = _pick(self.sale_deadlines_ahead(), pick)
        target = sale.deadline + (HOUR if how == "after deadline" else -HOUR)
        if target > self.now():
            self.travel_to(target)

    def deadlines_to_meet(self) -> list[GhostParcel]:
        """Open sales whose deadline is more than a minute away (by the last timestamp read)."""
        return [p for p in self.offered() if p.sale and p.sale.deadline > self.latest + 60]

    @precondition(lambda self: self.deadlines_to_meet())
    @rule(pick=picks, late=st.sampled_from([0, 1]))
    def accept_on_the_deadline(self, pick: int, late: int) -> None:
        """The buyer accepts in the block stamped exactly at the deadline (accepted: the deadline
        is the last valid second) or one second later (LandSaleExpired)."""
        self.now()
        candidates = self.deadlines_to_meet()
        if candidates:
            self.accept_at(_pick(candidates, pick), late)

    def accept_at(self, parcel: GhostParcel, late: int) -> None:
        """The buyer accepts in the block stamped `late` seconds after the sale's deadline."""
        sale = parcel.sale
        assert sale is not None
        erc20 = self.tokens[self.world.tokens.index(sale.token)]
        self.transact(sale.buyer, erc20.functions.approve(self.world.land, sale.price))
        # A block cannot be stamped before its parent: if the clock has already passed the
        # moment asked for, accept in the next second instead (and name the offset honestly).
        at = max(sale.deadline + late, self.now() + 1)
        late = at - sale.deadline
        expected = self.predict_accept(parcel, sale.buyer, sale.price, sale.token, at)
        deed = keccak(text=f"deed of sale {parcel.id} {self.order}")
        call = self.contract.functions.acceptSale(parcel.id, sale.token, sale.price, deed)
        self.world.chain.rpc("evm_setNextBlockTimestamp", at)
        receipt = self.outcome(
            f"accept at deadline + {late}s", expected, lambda: self.transact(sale.buyer, call)
        )
        if receipt is None:
            self.world.chain.rpc("evm_mine")  # the block stamped `at`, with nothing in it
        else:
            self.settle(parcel, receipt, deed)
        assert self.now() == at

    # -- invariants -------------------------------------------------------------------------------

    @invariant()
    def chain_matches_model(self) -> None:
        self.checks += 1
        self.now()
        w = self.world
        land = w.land
        parcels = list(self.parcels.values())
        calls = [(land, q) for q in (TAX_BPS, TREASURY, APPROVAL_REQUIRED, PAUSED)]
        calls += [(land, BALANCE_OF + _address(a)) for a in self.tracked]
        for token in w.tokens:
            calls.append((token, TOTAL_SUPPLY))
            calls += [(token, BALANCE_OF + _address(a)) for a in self.tracked]
        calls += [
            (land, IS_APPROVED_FOR_ALL + _address(o) + _address(x)) for o, x in self.operators
        ]
        for p in parcels:
            calls.append((land, TITLE + _word(p.id)))
            calls.append((land, OWNER_OF + _word(p.id)))
            calls.append((land, GET_APPROVED + _word(p.id)))
            calls.append((land, PARCEL_NUMBER + _word(p.id)))
            calls += [(land, LIEN + _word(p.id) + _word(i)) for i in p.liens]
        results = iter(self.eth_calls(calls))

        def raw() -> bytes:
            value = next(results)
            assert isinstance(value, bytes), value
            return value

        def uint() -> int:
            return int.from_bytes(raw(), "big")

        def address() -> str:
            return to_checksum_address(raw()[12:])

        # Governance settings.
        assert uint() == self.tax_bps
        assert address() == self.treasury
        assert bool(uint()) == self.approval_required
        assert bool(uint()) == self.paused
        # Exactly one owner per live title: ERC-721 balances are the model's counts.
        live = [p for p in parcels if p.live]
        counts = Counter(p.owner for p in live)
        for account in self.tracked:
            assert uint() == counts[account], f"ERC-721 balanceOf({account})"
        assert set(counts) <= set(self.tracked)
        # Payments are conserved: every balance is the ledger's; the registry holds nothing.
        for token in w.tokens:
            supply = uint()
            assert supply == sum(v for (t, _), v in self.ledger.items() if t == token)
            for account in self.tracked:
                assert uint() == self.ledger[token, account], f"{token} balanceOf({account})"
            assert self.ledger[token, land] == 0
        for owner, operator in self.operators:
            assert uint() == 1, f"operator {operator} of {owner}"
        # Every title as the model has it.
        live_area = 0
        for p in parcels:
            title = decode([w.title_abi_type], raw())[0]
            ident, owner, record, sale, liens, parents, children = title
            geometry, deed, area, land_use, status, frozen, active, count, at = record
            assert ident == p.id
            assert (geometry, deed, area, land_use) == (p.geometry, p.deed, p.area, p.land_use)
            assert ("None", "Live", "Retired")[status] == p.status, p.number
            assert (frozen, active, count) == (p.frozen, len(p.active_liens), len(p.liens))
            assert 0 < at <= self.latest
            assert list(liens) == p.active_liens, p.number
            assert (list(parents), list(children)) == (p.parents, p.children), p.number
            buyer, deadline, approved, token, price = sale
            if p.sale is None:
                assert (buyer, deadline, approved, token, price) == (
                    ZERO.lower(),
                    0,
                    False,
                    ZERO.lower(),
                    0,
                )
            else:
                s = p.sale
                assert (to_checksum_address(buyer), deadline, approved) == (
                    s.buyer,
                    s.deadline,
                    s.approved,
                )
                assert (to_checksum_address(token), price) == (s.token, s.price)
            owned, approval = next(results), next(results)
            assert decode(["string"], raw()) == (p.number,)  # the id is the number, both ways
            if p.live:
                live_area += p.area
                assert to_checksum_address(owner) == p.owner, p.number
                assert isinstance(owned, bytes) and to_checksum_address(owned[12:]) == p.owner
                assert isinstance(approval, bytes)
                assert to_checksum_address(approval[12:]) == p.approved, p.number
            else:
                # Retired: burned, no owner, nothing for sale, nothing charged; never live again.
                assert owner == ZERO.lower() and p.sale is None and not p.active_liens
                for reverted in (owned, approval):
                    assert isinstance(reverted, ContractError), reverted
                    assert reverted.error_name == "ERC721NonexistentToken"
                    assert reverted.inputs == {"tokenId": p.id}
            for lien_id, lien in p.liens.items():
                holder, amount, released = decode(["address", "uint88", "bool"], raw())
                assert (to_checksum_address(holder), amount, released) == (
                    lien.holder,
                    lien.amount,
                    lien.released,
                ), f"{p.number} lien {lien_id}"
        assert next(results, None) is None
        # Subdivisions and merges conserve the registered area.
        assert live_area == self.registered_area
        self.check_client()

    def check_client(self) -> None:
        """The client's title and chain of title (with ancestors) of the parcels this step changed
        (the last CLIENT_CHECKS of them, every CLIENT_EVERY steps: the client is slow), and of
        every parcel at the end."""
        if self.checks % CLIENT_EVERY and self.checks < STEPS:
            return
        changed = [self.parcels[i] for i in self.touched][-CLIENT_CHECKS:]
        for p in self.parcels.values() if self.checks >= STEPS else changed:
            title = self.governance.title(p.number)
            assert (title.owner, title.status, title.frozen, title.area) == (
                p.owner if p.live else None,
                p.status,
                p.frozen,
                p.area,
            )
            assert title.active_liens == p.active_liens
            if p.live:
                assert self.governance.owner_of(p.number) == p.owner
            else:
                with pytest.raises(contract_error("ERC721NonexistentToken")):
                    self.governance.owner_of(p.number)
            assert title.parents == [parcel_number(i) for i in p.parents]
            assert title.children == [parcel_number(i) for i in p.children]
            history = self.governance.title_history(p.number)
            expected = sorted((n, q.number, e) for q in self.ancestry(p) for n, e in q.history)
            assert [(h.parcel, h.event) for h in history] == [(q, e) for _, q, e in expected], (
                p.number
            )
            OUTCOMES["client: title history" + (" with ancestors" if p.parents else "")] += 1
        self.touched.clear()

    def ancestry(self, parcel: GhostParcel) -> list[GhostParcel]:
        seen: dict[int, GhostParcel] = {}
        pending = [parcel]
        while pending:
            p = pending.pop()
            if p.id not in seen:
                seen[p.id] = p
                pending.extend(self.parcels[i] for i in p.parents)
        return list(seen.values())


# What the brief of this machine asks it to reach (see test_land_state_machine for how a miss is
# treated); the rarer refusals (LandNotLienholder, GovchainInvalidWindow on offers,
# LandInvalidTax) have example tests of their own in test_land.py.
MUST_REACH = (
    "register (fresh): ok",
    "register (taken): LandAlreadyRegistered",
    "register (bad number): LandInvalidParcelNumber",
    "register (32 characters): ok",
    "offer (valid): ok",
    "accept (exact): ok",
    "accept: paid tax",
    "accept (wrong buyer): LandNotBuyer",
    "accept *: LandSaleExpired",
    "accept at deadline + 0s: ok",
    "accept at deadline + 1s: LandSaleExpired",
    "accept (as read): ",
    "accept (price): LandSaleTermsChanged",
    "accept (token): LandSaleTermsChanged",
    "withdraw: ok",
    "record lien (lender): ok",
    "release lien: ok",
    "freeze: ok",
    "unfreeze: ok",
    "forced transfer*: ok",
    "forced transfer (frozen",
    "forced transfer: GovchainZeroAddress",
    "record lien (*): LandNotLender",
    "subdivide (valid): ok",
    "subdivide (more area): LandAreaMismatch",
    "merge (one owner): ok",
    "merge (less area): LandAreaMismatch",
    "merge (*): LandOwnersDiffer",
    "erc721 approve: ok",
    "erc721 by owner: LandTransferOutsideRegistry",
    "erc721 by approved: LandTransferOutsideRegistry",
    "erc721 by operator: LandTransferOutsideRegistry",
    "erc721 by stranger: LandTransferOutsideRegistry",
    "erc721 transferFrom: LandTransferOutsideRegistry",
    "erc721 safeTransferFrom: LandTransferOutsideRegistry",
    "erc721 safeTransferFrom+data: LandTransferOutsideRegistry",
    "client: title history with ancestors",
)


def test_land_state_machine(world: World) -> None:
    OUTCOMES.clear()
    run_state_machine_as_test(lambda: LandMachine(world), settings=SETTINGS)  # type: ignore[arg-type]
    print("\n".join(f"{n:5} {k}" for k, n in sorted(OUTCOMES.items())))  # shown with -s
    missed = [m for m in MUST_REACH if not any(fnmatchcase(k, m + "*") for k in OUTCOMES)]
    # Reported, not asserted: anvil stamps automined blocks from the wall clock, so on a loaded
    # machine the same derandomised examples can take other branches (deadlines met or missed).
    # Every refusal on this list also has an example test in test_land.py.
    if missed:
        print(f"the examples did not reach: {missed}")
    assert len(missed) <= len(MUST_REACH) // 4, f"most of the machine went unexercised: {missed}"
