"""Land demo: a cadastral district's titles, from first registration to a chain of title.

Twenty parcels of one cadastral district are registered; titles change hands in sales that swap
title and payment in one transaction (with a transfer tax to the treasury); a bank's mortgage
blocks a sale until it is released; a court freezes a title during an inheritance dispute; a farm
is subdivided into three parcels. Everything goes through :class:`LandClient`, as an agency's
script would. Documents (deeds, surveys, court orders) are made up: only their hashes go on chain.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from govchain.clients.land import LandClient, ParcelSpec, geometry_hash
from govchain.demo import DemoContext, DemoError, DomainResult, Highlight
from govchain.errors import ContractError
from govchain.revert import contract_error

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

DOMAIN = "land"
DAY = 86_400
PUB = 100  # PaymentToken has 2 decimals: 1 PUB = 100 units
TAX_BPS = 200  # 2 % transfer tax, set only if governance has not configured one already
FIRST_DISTRICT = 731  # cadastral districts are tried from here until a fresh one is found

# Land-use codes of the (made-up) national classification.
RESIDENTIAL, COMMERCIAL, ARABLE, PASTURE, FOREST = 110, 140, 210, 220, 310

# (parcel within the district, first owner, area in m², land use): the register's first page.
PARCELS: tuple[tuple[str, str, int, int], ...] = (
    ("12", "Amara Okafor", 684, RESIDENTIAL),
    ("13", "Jonas Lindqvist", 702, RESIDENTIAL),
    ("14", "Mei Tanaka", 655, RESIDENTIAL),
    ("15", "Rafael Duarte", 1_120, RESIDENTIAL),
    ("17", "Ingrid Halvorsen", 890, RESIDENTIAL),
    ("18", "Tomasz Wisniewski", 2_450, COMMERCIAL),
    ("21", "Fatima El Amrani", 812, RESIDENTIAL),
    ("22", "Daniel Kovac", 760, RESIDENTIAL),
    ("23", "Sofia Marchetti", 14_300, ARABLE),
    ("26", "Kwame Mensah", 24_000, ARABLE),
    ("27", "Elena Popescu", 31_750, PASTURE),
    ("30", "Liam O'Connor", 5_600, FOREST),
    ("31", "Amara Okafor", 48_900, FOREST),
    ("34", "Jonas Lindqvist", 960, RESIDENTIAL),
    ("35", "Mei Tanaka", 1_045, RESIDENTIAL),
    ("38", "Rafael Duarte", 3_200, COMMERCIAL),
    ("41", "Ingrid Halvorsen", 18_650, ARABLE),
    ("42", "Tomasz Wisniewski", 730, RESIDENTIAL),
    ("45", "Fatima El Amrani", 9_800, PASTURE),
    ("47", "Daniel Kovac", 1_380, RESIDENTIAL),
)
BUYERS = ("Hannah Becker", "Yusuf Demir", "Priya Raman")
FARM_PARTS = (9_500, 8_200, 6_300)  # the subdivision of parcel 26 (24,000 m²)
CASE = "DC-2026/0481"  # the district court's inheritance case


@dataclass
class Registry:
    """The registry as each party sees it, and the district the demo registers in."""

    ctx: DemoContext
    governance: LandClient
    registrar: LandClient
    lender: LandClient
    court: LandClient
    people: dict[str, LocalAccount]
    district: str
    token: str
    sales: list[dict[str, Any]]

    def number(self, plot: str) -> str:
        return f"{self.district}-{plot}"

    def as_person(self, name: str) -> LandClient:
        client: LandClient = self.registrar.as_account(self.people[name])
        return client

    def address(self, name: str) -> str:
        return str(self.people[name].address)

    def sell(
        self, number: str, seller: str, buyer: str, price: int, *, days: int = 30
    ) -> dict[str, Any]:
        """Offer, (approval if governance requires it), acceptance with payment: one sale."""
        deadline = self.ctx.now() + days * DAY
        self.as_person(seller).offer_sale(number, self.address(buyer), self.token, price, deadline)
        if self.registrar.sale_approval_required():
            self.registrar.approve_sale(number)
        deed = document(
            f"Deed of sale of parcel {number}: {seller} to {buyer}, {price / PUB:,.2f} PUB"
        )
        receipt = self.as_person(buyer).accept_sale(number, deed, price=price, token=self.token)
        sold = receipt.event("SaleCompleted")
        sale = {
            "parcel": number,
            "seller": self.address(seller),
            "buyer": self.address(buyer),
            "price": price,
            "tax": int(sold["tax"]),
            "tx": receipt.tx_hash,
        }
        self.sales.append(sale)
        return sale


def document(text: str) -> bytes:
    """keccak-256 of a made-up document: what the registry records of it."""
    return keccak(text=text)


def survey(number: str, area: int, index: int) -> bytes:
    """Geometry hash of a surveyed rectangle of ``area`` m², the ``index``-th along a lane."""
    # Rectangles twice as deep as wide, side by side from a point in the countryside.
    width = math.sqrt(area / 2)
    metre_lat = 1 / 111_320
    metre_lon = metre_lat / math.cos(math.radians(46.05))
    west = 14.505 + index * 0.003
    south = 46.05
    east, north = west + width * metre_lon, south + 2 * width * metre_lat
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    feature = {
        "type": "Feature",
        "properties": {"parcel": number, "area_m2": area},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]],
        },
    }
    return geometry_hash(json.dumps(feature, separators=(",", ":")))


def refused(error: str, attempt: Callable[[], object]) -> ContractError:
    """Run ``attempt``, which the registry must refuse with ``error`` (the demo shows a rule)."""
    try:
        attempt()
    except contract_error(error) as exc:
        return exc
    raise DemoError(f"the land registry accepted what it should refuse with {error}")


def fresh_district(land: LandClient) -> str:
    """A cadastral district none of whose demo parcels exist yet (a rerun gets a new one)."""
    district = FIRST_DISTRICT
    while True:
        try:
            land.title(f"{district:04d}-{PARCELS[0][0]}")
        except contract_error("LandNotLive"):
            return f"{district:04d}"
        district += 1


def setup(ctx: DemoContext) -> Registry:
    ctx.step(DOMAIN, "staffing the land registry: registrar, mortgage lender, district court")
    governance: LandClient = LandClient.connect(ctx.session)
    names = sorted({owner for _, owner, _, _ in PARCELS} | set(BUYERS))
    officials = ctx.actors(["land registrar", "Northbank Mortgages", "District Court"])
    people = dict(zip(names, ctx.actors(names), strict=True))
    for role, official in zip(
        ("REGISTRAR_ROLE", "LENDER_ROLE", "COURT_ROLE"), officials, strict=True
    ):
        governance.grant_role(role, official.address)
    if governance.transfer_tax()[1] == 0:
        # The suite's treasury role is the deployer on a devnet (govchain.yaml).
        governance.set_transfer_tax(ctx.admin.address, TAX_BPS)
    registrar, lender, court = (governance.as_account(a) for a in officials)
    return Registry(
        ctx=ctx,
        governance=governance,
        registrar=registrar,
        lender=lender,
        court=court,
        people=people,
        district=fresh_district(governance),
        token=str(ctx.token().address),
        sales=[],
    )


def register_district(reg: Registry) -> list[str]:
    ctx = reg.ctx
    numbers = []
    for index, (plot, owner, area, land_use) in enumerate(PARCELS):
        number = reg.number(plot)
        spec = ParcelSpec(survey(number, area, index), area, land_use)
        deed = document(f"First registration of parcel {number} ({area} m2) to {owner}")
        reg.registrar.register(number, reg.address(owner), spec, deed)
        numbers.append(number)
        ctx.count(DOMAIN, index + 1, len(PARCELS), f"registering district {reg.district}")
    return numbers


def fund_buyers(reg: Registry) -> dict[str, int]:
    """Buyers' banks pay each buyer's purchases into their account; amounts by address."""
    purchases = {
        "Hannah Becker": 214_500 * PUB,
        "Yusuf Demir": 229_000 * PUB,
        "Priya Raman": 168_000 * PUB,
        "Jonas Lindqvist": 395_000 * PUB,
        "Sofia Marchetti": 176_500 * PUB,
        "Kwame Mensah": 96_000 * PUB,
        "Fatima El Amrani": 41_000 * PUB,
    }
    reg.ctx.step(DOMAIN, f"funding {len(purchases)} buyers' accounts")
    for name, amount in purchases.items():
        reg.ctx.mint([reg.address(name)], amount)
    return {reg.address(name): amount for name, amount in purchases.items()}


def mortgage_then_resale(reg: Registry, number: str) -> dict[str, Any]:
    """The new owner's mortgage blocks her sale until the bank releases it."""
    ctx = reg.ctx
    ctx.step(DOMAIN, f"Northbank records Hannah Becker's mortgage on parcel {number}")
    amount = 150_000 * PUB
    loan = document(f"Mortgage deed, Northbank loan NB-88214, parcel {number}")
    lien_id = int(reg.lender.record_lien(number, amount, loan).event("LienRecorded")["lienId"])
    ctx.travel(180 * DAY)  # half a year later she moves away and sells
    ctx.step(DOMAIN, "a sale of a mortgaged title is refused until the lender releases it")
    deadline = ctx.now() + 30 * DAY
    blocked = refused(
        "LandHasLiens",
        lambda: reg.as_person("Hannah Becker").offer_sale(
            number, reg.address("Yusuf Demir"), reg.token, 229_000 * PUB, deadline
        ),
    )
    reg.lender.release_lien(number, lien_id)  # the loan is repaid
    reg.sell(number, "Hannah Becker", "Yusuf Demir", 229_000 * PUB)
    return {
        "parcel": number,
        "lien_id": lien_id,
        "holder": str(reg.lender.sender.address),
        "amount": amount,
        "blocked_with": blocked.error_name,
    }


def lapsed_offer(reg: Registry, number: str) -> None:
    """An offer left unanswered past its deadline cannot be accepted; a lower one is."""
    ctx = reg.ctx
    ctx.step(DOMAIN, f"an offer of parcel {number} lapses unanswered; a lower one is accepted")
    jonas, sofia = reg.as_person("Jonas Lindqvist"), reg.as_person("Sofia Marchetti")
    jonas.offer_sale(
        number, reg.address("Sofia Marchetti"), reg.token, 182_000 * PUB, ctx.now() + 14 * DAY
    )
    ctx.travel(15 * DAY)
    late = document(f"Deed of sale of parcel {number}, signed after the offer lapsed")
    refused("LandSaleExpired", lambda: sofia.accept_sale(number, late))
    jonas.withdraw_sale(number)
    reg.sell(number, "Jonas Lindqvist", "Sofia Marchetti", 176_500 * PUB)


def court_freeze(reg: Registry, number: str) -> None:
    """A court freezes a title while heirs dispute it; once lifted, the heir sells."""
    ctx = reg.ctx
    ctx.step(DOMAIN, f"the district court freezes parcel {number} (inheritance case {CASE})")
    case = CASE.encode().ljust(32, b"\x00")  # short references are recorded as text
    reg.court.freeze(number, case)
    deadline = ctx.now() + 30 * DAY
    refused(
        "LandFrozen",
        lambda: reg.as_person("Elena Popescu").offer_sale(
            number, reg.address("Kwame Mensah"), reg.token, 96_000 * PUB, deadline
        ),
    )
    ctx.travel(60 * DAY)  # the heirs settle
    reg.court.unfreeze(number, case)
    reg.sell(number, "Elena Popescu", "Kwame Mensah", 96_000 * PUB)


def subdivide_farm(reg: Registry, farm: str) -> list[tuple[str, int]]:
    """The farm is split in three; its owner sells the middle part to a neighbour."""
    parts = [(f"{farm}/{i}", area) for i, area in enumerate(FARM_PARTS, start=1)]
    reg.ctx.step(DOMAIN, f"parcel {farm} subdivided into {', '.join(n for n, _ in parts)}")
    reg.registrar.subdivide(
        farm,
        [
            (number, ParcelSpec(survey(number, area, len(PARCELS) + i), area, ARABLE))
            for i, (number, area) in enumerate(parts)
        ],
        document(f"Subdivision plan of parcel {farm}, surveyor's file S-2026-117"),
    )
    reg.sell(parts[1][0], "Kwame Mensah", "Fatima El Amrani", 41_000 * PUB)
    return parts


def run(ctx: DemoContext) -> DomainResult:
    reg = setup(ctx)
    ctx.step(DOMAIN, f"first registration of {len(PARCELS)} parcels in district {reg.district}")
    numbers = register_district(reg)
    funded = fund_buyers(reg)

    ctx.step(DOMAIN, "sales: title and payment swap in one transaction, tax to the treasury")
    history, frozen, farm = reg.number("15"), reg.number("27"), reg.number("26")
    first_sale = reg.sell(history, "Rafael Duarte", "Hannah Becker", 214_500 * PUB)
    reg.sell(reg.number("22"), "Daniel Kovac", "Priya Raman", 168_000 * PUB)
    reg.sell(reg.number("18"), "Tomasz Wisniewski", "Jonas Lindqvist", 395_000 * PUB)
    lien = mortgage_then_resale(reg, history)
    lapsed_offer(reg, reg.number("34"))
    court_freeze(reg, frozen)
    parts = subdivide_farm(reg, farm)

    ctx.step(DOMAIN, f"reading back the chain of title of parcel {history}")
    steps = reg.registrar.title_history(history)
    treasury, bps = reg.governance.transfer_tax()
    highlights = [
        Highlight(
            f"Parcel {history}: sold twice; a mortgage blocked the second sale until the bank "
            f"released it ({len(steps)} steps of title history)",
            f"/records/parcel/{history}",
        ),
        Highlight(
            f"Sale of {history}: title to the buyer, price to the seller and "
            f"{bps / 100:g}% tax to the treasury, all in one transaction",
            f"/tx/{first_sale['tx']}",
        ),
        Highlight(
            f"Parcel {frozen}: frozen by a court during an inheritance case, then sold",
            f"/records/parcel/{frozen}",
        ),
        Highlight(
            f"Parcel {farm}: {sum(FARM_PARTS):,} m² of farmland split into three parcels",
            f"/records/parcel/{farm}",
        ),
        Highlight(
            f"Parcel {parts[1][0]}: one part of the split farm, sold to a neighbour",
            f"/records/parcel/{parts[1][0]}",
        ),
    ]
    facts: dict[str, Any] = {
        "district": reg.district,
        "parcels": numbers,
        "registered": len(numbers),
        "total_area": sum(area for _, _, area, _ in PARCELS),
        "first_owners": {reg.number(p): reg.address(o) for p, o, _, _ in PARCELS},
        "funded": funded,
        "sales": reg.sales,
        "treasury": treasury,
        "tax_bps": bps,
        "tax_total": sum(s["tax"] for s in reg.sales),
        "history_parcel": history,
        "history_owners": [
            reg.address(name) for name in ("Rafael Duarte", "Hannah Becker", "Yusuf Demir")
        ],
        "history_steps": len(steps),
        "lien": lien,
        "frozen": {"parcel": frozen, "case": CASE},
        "lapsed_offer": reg.number("34"),
        "subdivision": {
            "parent": farm,
            "owner": reg.address("Kwame Mensah"),
            "children": dict(parts),
        },
    }
    return DomainResult(DOMAIN, highlights, facts)
