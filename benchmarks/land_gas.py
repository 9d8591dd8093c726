"""Gas of ``LandRegistry`` through its Python client, against the issue's budgets.

What is measured: ``gas_used`` from the receipts of real transactions on an anvil devnet that
this script starts and stops, each sent through :class:`~govchain.clients.land.LandClient` (so
what registrars, owners, buyers, lenders and courts run is what is measured; the 21,000 base cost
and calldata are included). ``LandClient.accept_sale`` sends the buyer's ERC-20 approval of
exactly the price, then ``acceptSale``: the row is ``acceptSale``.

Set-up (as ``tests/land_env.py``): ``PaymentToken`` (2 decimals) and ``LandRegistry`` deployed,
REGISTRAR_ROLE, LENDER_ROLE and COURT_ROLE granted to distinct dev accounts, a transfer tax of
2 % to a treasury account (``set_transfer_tax``) that holds none of the token at first. Every
buyer holds the token (1,000,000.00 PUB, minted before anything is measured); some sellers hold
it (5,000.00 PUB) and some never did. Parcels have cadastral numbers like ``"0042-17"``
(subdivided parts ``"0042-17/1"``), a GeoJSON geometry hash, areas of 400 to 48,000 m² and a
land-use code; prices are whole amounts between 95,000.00 and 480,000.00 PUB.

Scenario, in order (each step through the client):

1. registration of every title: first to owners who never held one (their ERC-721 balance slot
   is created), then second titles to some of the same owners;
2. sales (offer, then the buyer's acceptance with atomic payment and tax): the first sale of the
   deployment (the treasury's first tax: its token balance is created); then every combination
   of a buyer who holds a title or not and a seller who holds the token or not, three of each,
   sellers keeping another title; one seller selling its only title; an offer replaced by a
   new one and withdrawn; with the registrar's approval required (governance), an offer, its
   approval and its acceptance;
3. liens: a lender records its own; the registrar records one for a lender; a second lien on a
   title; the lender releases one;
4. a court freezes a title with a lien and orders it transferred to an heir who never held a
   title (the lien stays), then lifts the freeze;
5. the registrar subdivides a title into 2 and another into 16, and merges 2 titles into one.

Which case a budget row uses: the largest of the cases that recur for as long as the registry
is in use (a first title for an owner; a buyer's first title; a seller who never held the
token; a lien recorded by a lender or by the registrar). The first tax payment of a deployment
happens once (afterwards the treasury always holds the token), so it is an informational row
of its own, as are the cheaper cases.

After each transaction (outside the measurement): status 1, the expected events with the right
arguments (the registry's and the token's), the title read back through the client (owner,
status, sale, liens, lineage, deed), every ERC-721 balance and token balance that should move, by
exactly what should move. A failed check exits with status 2.

Run from the repository root::

    .venv/bin/python -m benchmarks.land_gas [--json PATH]

Exit status: 0 (budgets are reported, not enforced; FAIL rows are printed as such), 2 if a
correctness check failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak

from benchmarks import gas as bench
from benchmarks.gas import Balances, GasByCase, Row, check, event
from govchain.clients.land import LandClient, ParcelSpec, geometry_hash, parcel_id
from govchain.sender import Receipt
from govchain.session import Session

UNIT = 100  # 2 decimals: 1.00 PUB
TAX_BPS = 200  # 2 %
BUYER_FUNDS = 1_000_000 * UNIT
SELLER_FUNDS = 5_000 * UNIT  # what a seller "who holds the token" holds before it sells
LIEN_AMOUNT = 150_000 * UNIT
OFFER_DAYS = 30
RESIDENTIAL, AGRICULTURAL, COMMERCIAL = 110, 210, 310
DEED_OF_REGISTRATION = keccak(text="deed of first registration")
LOAN = keccak(text="mortgage deed")
CASE = keccak(text="case 2026/117")
ORDER = keccak(text="succession order 2026/117")
SPLIT = keccak(text="subdivision plan")
MERGER = keccak(text="merger plan")
# Accounts: anvil's dev mnemonic with --accounts raised, so that every citizen signs for itself.
ADMIN, REGISTRAR, LENDER, COURT, TREASURY = range(5)
FIRST_CITIZEN = 10
SAMPLES = 3  # sales of each buyer/seller combination, liens of each kind
PARTS = (2, 16)  # subdivisions of 0042-17 and 0107-03 (MAX_PARTS)

DATA_NOTE = (
    "parcels 0012-01, ..., 0042-17 (7 characters), 400 to 48,000 m²; prices "
    f"95,000.00 to 480,000.00 PUB, transfer tax {TAX_BPS / 100:g} % to the "
    f"treasury; liens of {LIEN_AMOUNT / UNIT:,.2f} PUB; acceptSale only (the client's ERC-20 "
    "approval before it is a transaction of its own)"
)

BUDGET_REGISTER = 160_000
BUDGET_OFFER = 90_000
BUDGET_ACCEPT = 130_000
BUDGET_LIEN = 80_000


# -- data ----------------------------------------------------------------------------------------


def number(district: int, parcel: int) -> str:
    """A cadastral parcel number: district and parcel, e.g. ``"0042-17"``."""
    return f"{district:04d}-{parcel:02d}"


def spec_for(parcel: str, area: int, land_use: int = RESIDENTIAL) -> ParcelSpec:
    """A parcel record: the hash of a GeoJSON polygon derived from its number, its area."""
    x = int.from_bytes(keccak(text=parcel)[:2], "big") / 1e5
    ring = [[4.35 + x, 50.84], [4.351 + x, 50.84], [4.351 + x, 50.841], [4.35 + x, 50.84]]
    geojson = f'{{"type": "Polygon", "coordinates": [{ring}], "parcel": "{parcel}"}}'
    return ParcelSpec(geometry_hash(geojson), area, land_use)


def area_of(k: int) -> int:
    """Deterministic areas between about 400 and 48,000 m²."""
    return 400 + (k * 7_919) % 47_600


def price_of(k: int) -> int:
    """Deterministic whole-PUB prices between 95,000.00 and 480,000.00."""
    return (95_000 + (k * 38_501) % 385_001) * UNIT


# -- set-up --------------------------------------------------------------------------------------


@dataclass
class Env(bench.DevnetEnv):
    governance: LandClient
    registrar: LandClient
    lender: LandClient
    court: LandClient
    citizens: list[LandClient]
    treasury: str
    gas: GasByCase = field(default_factory=GasByCase)
    titles: dict[str, ParcelSpec] = field(default_factory=dict)  # every parcel registered
    _next_area: int = 0

    @property
    def registry(self) -> str:
        return self.registrar.address

    def titles_held(self, address: str) -> int:
        """The ERC-721 balance of ``address``."""
        return int(self.registrar.contract.functions.balanceOf(address).call())

    def owner_of(self, parcel: str) -> str:
        return self.registrar.owner_of(parcel)

    def new_spec(self, parcel: str, land_use: int = RESIDENTIAL) -> ParcelSpec:
        self._next_area += 1
        return spec_for(parcel, area_of(self._next_area), land_use)


def set_up(session: Session) -> Env:
    accounts = session.chain.accounts
    roles = {"REGISTRAR_ROLE": REGISTRAR, "LENDER_ROLE": LENDER, "COURT_ROLE": COURT}
    token, governance = bench.deploy(session, "LandRegistry", LandClient, roles)
    treasury = accounts[TREASURY].address
    taxed = governance.set_transfer_tax(treasury, TAX_BPS)
    check(event(taxed, "TransferTaxSet")["bps"] == TAX_BPS, "transfer tax not set")
    return Env(
        session=session,
        token=token,
        governance=governance,
        registrar=governance.as_account(accounts[REGISTRAR]),
        lender=governance.as_account(accounts[LENDER]),
        court=governance.as_account(accounts[COURT]),
        citizens=[governance.as_account(a) for a in accounts[FIRST_CITIZEN:ACCOUNTS]],
        treasury=treasury,
    )


def fund(env: Env, people: Sequence[LandClient], amount: int) -> None:
    """Mint ``amount`` to each (set-up, not measured)."""
    sender = env.session.sender
    sender.wait_all(
        sender.send_many([env.token.functions.mint(p.sender.address, amount) for p in people])
    )
    for p in people:
        check(env.balance(p.sender.address) == amount, f"{p.sender.address} was not funded")


# -- checks --------------------------------------------------------------------------------------


def registry_events(env: Env, receipt: Receipt, name: str) -> list[dict[str, Any]]:
    """The ``name`` events the registry emitted (not the token's), in log order."""
    return [dict(e.args) for e in receipt.events_named(name) if e.address == env.registry]


def token_transfers(env: Env, receipt: Receipt) -> list[tuple[str, str, int]]:
    return [
        (e["from"], e["to"], int(e["value"]))
        for e in receipt.events_named("Transfer")
        if e.address == env.token.address
    ]


def check_title_moves(
    env: Env, receipt: Receipt, moves: Sequence[tuple[str, str, str]], what: str
) -> None:
    """The registry's ERC-721 ``Transfer`` events are exactly ``(from, to, parcel)``, in order."""
    got = [
        (e["from"], e["to"], int(e["tokenId"])) for e in registry_events(env, receipt, "Transfer")
    ]
    want = [(a, b, parcel_id(p)) for a, b, p in moves]
    check(got == want, f"{what}: ERC-721 transfers {got}, expected {want}")


# -- the scenario --------------------------------------------------------------------------------


def register(env: Env, parcel: str, owner: str, spec: ParcelSpec | None = None) -> None:
    spec = env.new_spec(parcel) if spec is None else spec
    held = env.titles_held(owner)
    receipt = env.registrar.register(parcel, owner, spec, DEED_OF_REGISTRATION)
    registered = event(receipt, "ParcelRegistered")
    check(
        int(registered["parcelId"]) == parcel_id(parcel)
        and registered["owner"] == owner
        and bytes(registered["geometryHash"]) == spec.geometry_hash
        and int(registered["area"]) == spec.area
        and int(registered["landUse"]) == spec.land_use
        and bytes(registered["deedHash"]) == DEED_OF_REGISTRATION
        and registered["registrar"] == env.registrar.sender.address,
        f"ParcelRegistered {registered}",
    )
    check_title_moves(env, receipt, [(bench.ZERO_ADDRESS, owner, parcel)], f"register {parcel}")
    check(env.owner_of(parcel) == owner, f"{parcel}: owner {env.owner_of(parcel)}")
    check(env.titles_held(owner) == held + 1, f"{owner} holds {env.titles_held(owner)} titles")
    title = env.registrar.title(parcel)
    check(
        title.number == parcel
        and title.status == "Live"
        and title.area == spec.area
        and title.geometry_hash == spec.geometry_hash
        and title.deed_hash == DEED_OF_REGISTRATION,
        f"title {title}",
    )
    env.titles[parcel] = spec
    env.gas.record(
        "register: owner's first title" if held == 0 else "register: owner holds a title", receipt
    )


def offer(
    env: Env, parcel: str, seller: LandClient, buyer: LandClient, price: int, days: int = OFFER_DAYS
) -> int:
    """``seller`` offers ``parcel`` to ``buyer`` for ``days``; the offer's deadline."""
    before = env.registrar.title(parcel).sale
    deadline = env.now() + days * bench.DAY
    receipt = seller.offer_sale(parcel, buyer.sender.address, env.token.address, price, deadline)
    offered = event(receipt, "SaleOffered")
    check(
        int(offered["parcelId"]) == parcel_id(parcel)
        and offered["seller"] == seller.sender.address
        and offered["buyer"] == buyer.sender.address
        and offered["token"] == env.token.address
        and int(offered["price"]) == price
        and int(offered["deadline"]) == deadline,
        f"SaleOffered {offered}",
    )
    sale = env.registrar.title(parcel).sale
    check(
        sale is not None
        and sale.buyer == buyer.sender.address
        and sale.price == price
        and sale.deadline == deadline
        and not sale.approved,
        f"{parcel}: sale {sale}",
    )
    env.gas.record(
        "offer: no open offer" if before is None else "offer: replaces an open offer", receipt
    )
    return deadline


@dataclass
class Sale:
    parcel: str
    seller: LandClient
    buyer: LandClient
    price: int
    case: str  # what the acceptance should be (checked against the state before it)


FIRST_TAX = "accept: first tax payment of the deployment"
APPROVE = "approve sale (approval required)"
FORCED = "forced transfer (frozen, with a lien, to an heir)"
APPROVED = "accept: approved sale (approval required)"
ONLY_TITLE = "accept: seller sells its only title"


def combination(buyer_titled: bool, seller_funded: bool) -> str:
    """A steady-state acceptance: does the buyer hold a title, does the seller hold the token?"""
    buyer = "buyer holds a title" if buyer_titled else "buyer's first title"
    seller = "seller holds the token" if seller_funded else "seller never held it"
    return f"accept: {buyer}, {seller}"


def accept_case(env: Env, seller: str, buyer: str) -> str:
    """Which case an acceptance is, from the state before it."""
    if env.balance(env.treasury) == 0:
        return FIRST_TAX
    if env.governance.contract.functions.saleApprovalRequired().call():
        return APPROVED
    if env.titles_held(seller) == 1:
        return ONLY_TITLE
    return combination(env.titles_held(buyer) > 0, env.balance(seller) > 0)


@dataclass(frozen=True)
class Plan:
    """One sale of the scenario: what its acceptance should be, and the parties before it."""

    case: str
    buyer_titled: bool  # the buyer is registered a title of its own first
    seller_funded: bool  # the seller is minted the token first
    seller_keeps: bool = True  # the seller holds a second title, which it keeps


PLANS = [
    Plan(FIRST_TAX, buyer_titled=False, seller_funded=False),
    *(
        Plan(combination(titled, funded), buyer_titled=titled, seller_funded=funded)
        for titled in (False, True)
        for funded in (False, True)
        for _ in range(SAMPLES)
    ),
    Plan(ONLY_TITLE, buyer_titled=False, seller_funded=True, seller_keeps=False),
    Plan(APPROVED, buyer_titled=True, seller_funded=True),
]
# A seller and a buyer per sale, an heir and the owner of the parcels subdivided and merged.
ACCOUNTS = FIRST_CITIZEN + 2 * len(PLANS) + 2


def accept(env: Env, sale: Sale) -> None:
    """The buyer accepts the open sale through the client (approval, then ``acceptSale``)."""
    parcel, price = sale.parcel, sale.price
    s, b = sale.seller.sender.address, sale.buyer.sender.address
    case = accept_case(env, s, b)
    check(case == sale.case, f"sale of {parcel} is the case {case!r}, not {sale.case!r}")
    deed = keccak(text=f"deed of sale of {parcel} to {b}")
    tax = price * TAX_BPS // 10_000
    titles = Balances(env.titles_held, s, b)
    money = Balances(env.balance, s, b, env.treasury, env.registry)
    receipt = sale.buyer.accept_sale(parcel, deed)
    completed = event(receipt, "SaleCompleted")
    check(
        int(completed["parcelId"]) == parcel_id(parcel)
        and completed["seller"] == s
        and completed["buyer"] == b
        and completed["token"] == env.token.address
        and int(completed["price"]) == price
        and int(completed["tax"]) == tax
        and bytes(completed["deedHash"]) == deed,
        f"SaleCompleted {completed}",
    )
    check_title_moves(env, receipt, [(s, b, parcel)], f"sale of {parcel}")
    transfers = token_transfers(env, receipt)
    check(
        transfers == [(b, env.treasury, tax), (b, s, price - tax)],
        f"sale of {parcel}: token transfers {transfers}",
    )
    titles.moved({s: -1, b: 1}, f"titles, sale of {parcel}")
    money.moved({b: -price, s: price - tax, env.treasury: tax}, f"payment, sale of {parcel}")
    allowance = env.token.functions.allowance(b, env.registry).call()
    check(allowance == 0, f"{b} still allows the registry {allowance}")
    title = env.registrar.title(parcel)
    check(title.owner == b and title.sale is None, f"{parcel} after the sale: {title}")
    check(title.deed_hash == deed, f"{parcel}: deed {title.deed_hash.hex()}")
    env.gas.record(case, receipt)


def withdraw(env: Env, parcel: str, seller: LandClient) -> None:
    receipt = seller.withdraw_sale(parcel)
    withdrawn = event(receipt, "SaleWithdrawn")
    check(
        int(withdrawn["parcelId"]) == parcel_id(parcel)
        and withdrawn["seller"] == seller.sender.address,
        f"SaleWithdrawn {withdrawn}",
    )
    check(env.registrar.title(parcel).sale is None, f"{parcel}: the offer is still open")
    env.gas.record("withdraw sale", receipt)


def approve(env: Env, parcel: str) -> None:
    receipt = env.registrar.approve_sale(parcel)
    approved = event(receipt, "SaleApproved")
    check(
        int(approved["parcelId"]) == parcel_id(parcel)
        and approved["registrar"] == env.registrar.sender.address,
        f"SaleApproved {approved}",
    )
    sale = env.registrar.title(parcel).sale
    check(sale is not None and sale.approved, f"{parcel}: sale {sale}")
    env.gas.record(APPROVE, receipt)


def record_lien(env: Env, parcel: str, by: LandClient) -> int:
    """A lien held by the lender, recorded by ``by`` (the lender or the registrar); its id."""
    holder = env.lender.sender.address
    before = env.registrar.title(parcel).active_liens
    receipt = by.record_lien(parcel, LIEN_AMOUNT, LOAN, holder=holder)
    recorded = event(receipt, "LienRecorded")
    lien_id = int(recorded["lienId"])
    check(
        int(recorded["parcelId"]) == parcel_id(parcel)
        and recorded["holder"] == holder
        and int(recorded["amount"]) == LIEN_AMOUNT
        and bytes(recorded["documentHash"]) == LOAN,
        f"LienRecorded {recorded}",
    )
    lien = env.registrar.lien(parcel, lien_id)
    check(lien.holder == holder and lien.amount == LIEN_AMOUNT and not lien.released, f"{lien}")
    after = env.registrar.title(parcel).active_liens
    check(after == [*before, lien_id], f"{parcel}: active liens {after}, before {before}")
    if by is env.lender:
        case = "lien: recorded by the lender (own lien)"
    else:
        case = "lien: recorded by the registrar for a lender"
    if before:
        case = "lien: a second lien on the title"
    env.gas.record(case, receipt)
    return lien_id


def release_lien(env: Env, parcel: str, lien_id: int) -> None:
    before = env.registrar.title(parcel).active_liens
    receipt = env.lender.release_lien(parcel, lien_id)
    released = event(receipt, "LienReleased")
    check(
        int(released["parcelId"]) == parcel_id(parcel)
        and int(released["lienId"]) == lien_id
        and released["holder"] == env.lender.sender.address,
        f"LienReleased {released}",
    )
    check(env.registrar.lien(parcel, lien_id).released, f"{parcel}: lien {lien_id} not released")
    after = env.registrar.title(parcel).active_liens
    check(after == [i for i in before if i != lien_id], f"{parcel}: active liens {after}")
    env.gas.record("release lien", receipt)


def freeze(env: Env, parcel: str, frozen: bool) -> None:
    name = "TitleFrozen" if frozen else "TitleUnfrozen"
    call = env.court.freeze if frozen else env.court.unfreeze
    receipt = call(parcel, CASE)
    args = event(receipt, name)
    check(
        int(args["parcelId"]) == parcel_id(parcel)
        and bytes(args["caseReference"]) == CASE
        and args["court"] == env.court.sender.address,
        f"{name} {args}",
    )
    check(env.registrar.title(parcel).frozen is frozen, f"{parcel}: frozen is not {frozen}")
    env.gas.record("freeze" if frozen else "unfreeze", receipt)


def forced_transfer(env: Env, parcel: str, heir: str) -> None:
    owner = env.owner_of(parcel)
    liens = env.registrar.title(parcel).active_liens
    titles = Balances(env.titles_held, owner, heir)
    receipt = env.court.forced_transfer(parcel, heir, ORDER)
    forced = event(receipt, "ForcedTransfer")
    check(
        int(forced["parcelId"]) == parcel_id(parcel)
        and forced["from"] == owner
        and forced["to"] == heir
        and bytes(forced["orderHash"]) == ORDER
        and forced["court"] == env.court.sender.address,
        f"ForcedTransfer {forced}",
    )
    check_title_moves(env, receipt, [(owner, heir, parcel)], f"forced transfer of {parcel}")
    titles.moved({owner: -1, heir: 1}, f"titles, forced transfer of {parcel}")
    title = env.registrar.title(parcel)
    check(title.owner == heir and title.active_liens == liens, f"{parcel}: {title}")
    env.gas.record(FORCED, receipt)


def check_derived(
    env: Env,
    receipt: Receipt,
    parents: Sequence[str],
    children: Sequence[str],
    owner: str,
    deed: bytes,
) -> None:
    """After a subdivision or merge: events, retired parents, live children with lineage."""
    retired = registry_events(env, receipt, "ParcelRetired")
    check(
        [int(r["parcelId"]) for r in retired] == [parcel_id(p) for p in parents]
        and all(
            [int(c) for c in r["children"]] == [parcel_id(c) for c in children] for r in retired
        )
        and all(bytes(r["deedHash"]) == deed for r in retired),
        f"ParcelRetired {retired}",
    )
    derived = registry_events(env, receipt, "ParcelDerived")
    check(
        [int(d["parcelId"]) for d in derived] == [parcel_id(c) for c in children]
        and all([int(p) for p in d["parents"]] == [parcel_id(p) for p in parents] for d in derived),
        f"ParcelDerived {derived}",
    )
    registered = registry_events(env, receipt, "ParcelRegistered")
    check(
        [(int(r["parcelId"]), r["owner"]) for r in registered]
        == [(parcel_id(c), owner) for c in children],
        f"ParcelRegistered {registered}",
    )
    for p in parents:
        title = env.registrar.title(p)
        check(title.status == "Retired" and title.owner is None, f"{p}: {title}")
        check(title.children == list(children), f"{p}: children {title.children}")
    for c in children:
        title = env.registrar.title(c)
        check(title.status == "Live" and title.owner == owner, f"{c}: {title}")
        check(title.parents == list(parents), f"{c}: parents {title.parents}")
        check(title.area == env.titles[c].area and title.deed_hash == deed, f"{c}: {title}")


def subdivide(env: Env, parcel: str, parts: int) -> list[str]:
    owner = env.owner_of(parcel)
    total = env.titles[parcel].area
    share = total // parts
    children = [f"{parcel}/{k}" for k in range(1, parts + 1)]
    areas = [share] * (parts - 1) + [total - share * (parts - 1)]
    specs = [spec_for(c, a) for c, a in zip(children, areas, strict=True)]
    titles = Balances(env.titles_held, owner)
    receipt = env.registrar.subdivide(parcel, list(zip(children, specs, strict=True)), SPLIT)
    env.titles.update(zip(children, specs, strict=True))
    check(receipt.status == 1, f"subdivision of {parcel}: status {receipt.status}")
    moves = [(bench.ZERO_ADDRESS, owner, c) for c in children] + [
        (owner, bench.ZERO_ADDRESS, parcel)
    ]
    check_title_moves(env, receipt, moves, f"subdivision of {parcel}")
    check_derived(env, receipt, [parcel], children, owner, SPLIT)
    titles.moved({owner: parts - 1}, f"titles, subdivision of {parcel}")
    env.gas.record(f"subdivide into {parts}", receipt)
    return children


def merge(env: Env, parcels: Sequence[str], child: str) -> None:
    owner = env.owner_of(parcels[0])
    spec = spec_for(child, sum(env.titles[p].area for p in parcels), COMMERCIAL)
    titles = Balances(env.titles_held, owner)
    receipt = env.registrar.merge(parcels, child, spec, MERGER)
    env.titles[child] = spec
    check(receipt.status == 1, f"merge into {child}: status {receipt.status}")
    moves = [(bench.ZERO_ADDRESS, owner, child)] + [(owner, bench.ZERO_ADDRESS, p) for p in parcels]
    check_title_moves(env, receipt, moves, f"merge into {child}")
    check_derived(env, receipt, parcels, [child], owner, MERGER)
    titles.moved({owner: 1 - len(parcels)}, f"titles, merge into {child}")
    env.gas.record(f"merge of {len(parcels)}", receipt)


def set_approval_required(env: Env, required: bool) -> None:
    """Governance (set-up of a step, not measured)."""
    receipt = env.governance.set_sale_approval_required(required)
    check(bool(event(receipt, "SaleApprovalRequired")["required"]) is required, "approval")


def run_scenario(env: Env) -> None:
    people = iter(env.citizens)
    sellers = [next(people) for _ in PLANS]
    buyers = [next(people) for _ in PLANS]
    heir, divider = next(people), next(people)
    fund(env, buyers, BUYER_FUNDS)
    fund(env, [s for s, p in zip(sellers, PLANS, strict=True) if p.seller_funded], SELLER_FUNDS)

    # 1. Registration: first titles (the sellers', some buyers', the divider's), then second
    # titles of the sellers who keep one. Sellers' parcels are 0012-NN, buyers' 0013-NN.
    sellers_parcels = (number(12, k) for k in range(1, 100))
    sales: list[Sale] = []
    for k, (plan, seller, buyer) in enumerate(zip(PLANS, sellers, buyers, strict=True)):
        parcel = next(sellers_parcels)
        register(env, parcel, seller.sender.address)
        sales.append(Sale(parcel, seller, buyer, price_of(k + 1), plan.case))
        if plan.buyer_titled:
            register(env, number(13, k + 1), buyer.sender.address)
    register(env, "0042-17", divider.sender.address, spec_for("0042-17", 1_250))
    register(env, "0107-03", divider.sender.address, spec_for("0107-03", 48_000, AGRICULTURAL))
    kept: dict[str, str] = {}  # seller -> the title it keeps
    for plan, seller in zip(PLANS, sellers, strict=True):
        if plan.seller_keeps:
            kept[seller.sender.address] = parcel = next(sellers_parcels)
            register(env, parcel, seller.sender.address)

    # 2. Sales: the first (the treasury's first tax), the combinations, the only title.
    for sale in sales:
        if sale.case != APPROVED:
            offer(env, sale.parcel, sale.seller, sale.buyer, sale.price)
            accept(env, sale)
    # An offer replaced by a lower one for longer (every field of the offer changes), then
    # withdrawn: the seller keeps its title.
    seller = sellers[1]
    parcel = kept[seller.sender.address]
    offer(env, parcel, seller, buyers[0], price_of(40))
    offer(env, parcel, seller, buyers[0], price_of(40) - 5_000 * UNIT, OFFER_DAYS + 15)
    withdraw(env, parcel, seller)
    # The registrar's approval required.
    approved = next(sale for sale in sales if sale.case == APPROVED)
    set_approval_required(env, True)
    offer(env, approved.parcel, approved.seller, approved.buyer, approved.price)
    approve(env, approved.parcel)
    accept(env, approved)
    set_approval_required(env, False)

    # 3. Liens on titles the sellers kept.
    lien_titles = list(kept.values())
    own = [record_lien(env, p, env.lender) for p in lien_titles[:SAMPLES]]
    for p in lien_titles[SAMPLES : 2 * SAMPLES]:
        record_lien(env, p, env.registrar)
    record_lien(env, lien_titles[0], env.lender)  # a second lien on a title
    release_lien(env, lien_titles[0], own[0])

    # 4. Court: freeze a title with a lien, transfer it to an heir, lift the freeze.
    inherited = lien_titles[1]
    freeze(env, inherited, True)
    forced_transfer(env, inherited, heir.sender.address)
    freeze(env, inherited, False)

    # 5. Subdivision and merge.
    halves = subdivide(env, "0042-17", PARTS[0])
    subdivide(env, "0107-03", PARTS[1])
    merge(env, halves, "0042-31")


# -- the table -----------------------------------------------------------------------------------


def build_rows(by_case: GasByCase) -> list[Row]:
    """Budget rows: the largest of the cases that recur while the registry is in use; the
    deployment's first tax payment and the cheaper cases are informational rows."""
    row = by_case.row
    registers = ["register: owner's first title", "register: owner holds a title"]
    offers = ["offer: no open offer", "offer: replaces an open offer"]
    accepts = [combination(b, s) for b in (False, True) for s in (False, True)]
    liens = [
        "lien: recorded by the lender (own lien)",
        "lien: recorded by the registrar for a lender",
        "lien: a second lien on the title",
    ]
    return [
        row("first registration (largest case)", registers, BUDGET_REGISTER),
        row("  owner's first title (ERC-721 balance from zero)", registers[:1]),
        row("  owner already holds a title", registers[1:]),
        row("sale offer (no open offer)", offers[:1], BUDGET_OFFER),
        row("  offer replacing an open one", offers[1:]),
        row("accept with atomic payment, 2 % tax (largest case)", accepts, BUDGET_ACCEPT),
        row("  buyer's first title, seller never held the token", accepts[:1]),
        row("  buyer's first title, seller holds the token", accepts[1:2]),
        row("  buyer holds a title, seller never held the token", accepts[2:3]),
        row("  buyer holds a title, seller holds the token", accepts[3:]),
        row("  seller sells its only title (holds the token)", [ONLY_TITLE]),
        row("  approved sale (approval required)", [APPROVED]),
        row("  first tax payment of the deployment", [FIRST_TAX]),
        row("lien record (largest case)", liens, BUDGET_LIEN),
        row("  by the lender (LENDER_ROLE, own lien)", liens[:1]),
        row("  by the registrar, for a lender", liens[1:2]),
        row("  second lien on a title", liens[2:]),
        *by_case.info_rows(
            [
                "withdraw sale",
                APPROVE,
                "release lien",
                "freeze",
                "unfreeze",
                FORCED,
                *(f"subdivide into {n}" for n in PARTS),
                "merge of 2",
            ]
        ),
    ]


def measure(session: Session) -> bench.Result:
    env = set_up(session)
    run_scenario(env)
    rows = build_rows(env.gas)
    notes = [*bench.case_notes(rows), DATA_NOTE]
    return bench.Result(rows, notes, {"gas_by_case": dict(env.gas)})


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.land_gas",
        description="Gas of LandRegistry (via LandClient) against the issue's budgets.",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench.run_main(
        measure,
        json_path=args.json,
        params={"tax_bps": TAX_BPS},
        label=f"transfer tax {TAX_BPS / 100:g} %",
        accounts=ACCOUNTS,
    )


if __name__ == "__main__":
    sys.exit(main())
