"""Customs demo: a tariff schedule, six import declarations, and what happens to each of them.

The tariff authority schedules general rates for five HS codes, a duty-free rate for Kenyan tea
(a trade agreement) and 20 % VAT. Five importers file; one pays through its customs broker; a
bank escrows the Kenyan tea exporter's money until the goods clear; an officer holds a steel
shipment for inspection, then releases it; an apparel importer wins an appeal on the customs
value and is refunded from the pool the treasury funded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from eth_utils import keccak

from govchain.clients.customs import CustomsClient, DeclarationLine, TariffLine
from govchain.demo import DemoContext, DomainResult, Highlight

DOMAIN = "customs"
DAY = 86_400
# anvil stamps blocks from the wall clock: a rate must still be in the future when its
# transaction is mined, so it is scheduled a little after the latest block.
SCHEDULE_MARGIN = 120
INSPECTION_DAYS = 2  # the held steel is weighed and graded before release
ESCROW_DAYS = 30  # the bank's money returns to it if the tea has not cleared by then

# Six-digit HS codes (leading zeros dropped) and ISO 3166-1 numeric origins.
EV_CARS, BLACK_TEA, STEEL_PLATE, LAPTOPS, COTTON_TSHIRTS = 870380, 90230, 720851, 847130, 610910
GERMANY, KENYA, INDIA, CHINA, BANGLADESH = 276, 404, 356, 156, 50
GENERAL_RATES = {EV_CARS: 1000, BLACK_TEA: 500, STEEL_PLATE: 600, LAPTOPS: 0, COTTON_TSHIRTS: 1200}
PREFERENTIAL = (BLACK_TEA, KENYA, 0)  # duty-free under an economic partnership agreement
VAT_BPS = 2000

TRADERS = {
    "harbourline-motors": "Harbourline Motors Ltd",
    "kilima-tea": "Kilima Tea Importers",
    "baltic-steel": "Baltic Steel Trading",
    "northgate-electronics": "Northgate Electronics",
    "sunrise-apparel": "Sunrise Apparel",
}
BROKER, BANK, EXPORTER = "meridian-brokers", "coastal-trade-bank", "highlands-tea-estates"
BANK_NAME, EXPORTER_NAME = "Coastal Trade Bank", "Highlands Tea Estates (Kericho, Kenya)"
OFFICIALS = {
    "TARIFF_AUTHORITY_ROLE": "customs-tariff-office",
    "TRADER_REGISTRAR_ROLE": "customs-registrar",
    "CUSTOMS_OFFICER_ROLE": "customs-officer",
    "APPEALS_OFFICER_ROLE": "customs-appeals",
}
TRADER_FUNDS = 500_000_00  # 500,000.00 PUB each: more than any importer's duties
BANK_FUNDS = 100_000_00
REFUND_POOL = 25_000_00
INSPECTION_REASON = 21  # physical examination: weight and grade of the steel
APPEAL_REASON = 7  # customs value corrected: buying commission is not part of it


@dataclass(frozen=True)
class Filing:
    key: str
    trader: str
    lines: list[DeclarationLine]
    document: str  # the made-up papers whose keccak-256 is recorded on chain


KENYAN_TEA = DeclarationLine(BLACK_TEA, KENYA, 36_500_00, 18_000)  # the exporter's escrowed price
FILINGS = [
    Filing(
        "ev-cars",
        "harbourline-motors",
        [DeclarationLine(EV_CARS, GERMANY, 168_000_00, 4)],
        "Invoice HM-2026-0117, bill of lading HLCU-HAM-553201: 4 electric saloons",
    ),
    Filing(
        "tea",
        "kilima-tea",
        [
            KENYAN_TEA,
            DeclarationLine(BLACK_TEA, INDIA, 12_400_00, 6_000),
        ],
        "Invoice KT-8841, Mombasa and Kolkata bills of lading: black tea in 3 kg packs",
    ),
    Filing(
        "steel",
        "baltic-steel",
        [DeclarationLine(STEEL_PLATE, CHINA, 92_750_00, 240)],
        "Invoice BST-24-0392, mill certificate 7731: hot-rolled plate, 240 t",
    ),
    Filing(
        "laptops",
        "northgate-electronics",
        [DeclarationLine(LAPTOPS, CHINA, 54_000_00, 600)],
        "Invoice NGE-5512, air waybill 176-22819034: 600 notebook computers",
    ),
    Filing(
        "tshirts",
        "sunrise-apparel",
        [DeclarationLine(COTTON_TSHIRTS, BANGLADESH, 28_600_00, 22_000)],
        "Invoice SA-0907 incl. buying commission, bill of lading MSKU-CGP-88120: cotton T-shirts",
    ),
    Filing(
        "steel-coil",
        "baltic-steel",
        [DeclarationLine(STEEL_PLATE, INDIA, 41_300_00, 110)],
        "Invoice BST-24-0401, mill certificate 7802: hot-rolled plate, 110 t",
    ),
]
HELD, ESCROWED, BROKERED, APPEALED = "steel", "tea", "ev-cars", "tshirts"
# The appeal's finding: the T-shirts' value without the 2,400.00 buying commission.
CORRECTED_TSHIRTS = [DeclarationLine(COTTON_TSHIRTS, BANGLADESH, 26_200_00, 22_000)]


def document_hash(text: str) -> bytes:
    return keccak(text=text)


def run(ctx: DemoContext) -> DomainResult:
    governance: CustomsClient = CustomsClient.connect(ctx.session)
    officials = _appoint_officials(ctx, governance)
    tariff_start = _load_tariff(ctx, officials["TARIFF_AUTHORITY_ROLE"])

    traders = _register_traders(ctx, governance, officials["TRADER_REGISTRAR_ROLE"])
    broker, bank = ctx.actors([BROKER, BANK])
    exporter = ctx.actor(EXPORTER)
    ctx.step(DOMAIN, "funding importers, the broker and the bank; treasury funds the refund pool")
    ctx.mint([t.sender.address for t in traders.values()] + [broker.address], TRADER_FUNDS)
    ctx.mint([bank.address], BANK_FUNDS)
    ctx.mint([ctx.admin.address], REFUND_POOL)
    governance.fund_refund_pool(REFUND_POOL)  # the admin is the treasury duties are paid to
    traders["harbourline-motors"].authorize_broker(broker.address)

    ids: dict[str, int] = {}
    collected = 0
    for done, filing in enumerate(FILINGS, start=1):
        receipt = traders[filing.trader].file(filing.lines, document_hash(filing.document))
        ids[filing.key] = int(receipt.event("DeclarationFiled")["declarationId"])
        assessed = receipt.event("DeclarationAssessed")
        collected += int(assessed["duty"]) + int(assessed["vat"])
        ctx.count(DOMAIN, done, len(FILINGS), "declarations filed and assessed")

    ctx.step(DOMAIN, f"{BANK_NAME} escrows the Kenyan tea's price for {EXPORTER_NAME}")
    escrow_amount = KENYAN_TEA.customs_value
    opened = governance.as_account(bank).open_escrow(
        ids[ESCROWED], exporter.address, escrow_amount, ctx.now() + ESCROW_DAYS * DAY
    )
    escrow_id = int(opened.event("EscrowOpened")["escrowId"])

    payers = {f.key: traders[f.trader] for f in FILINGS}
    payers[BROKERED] = governance.as_account(broker)  # the importer's broker pays and clears
    for done, filing in enumerate(FILINGS, start=1):
        payers[filing.key].pay(ids[filing.key])
        ctx.count(DOMAIN, done, len(FILINGS), "duty and VAT paid")

    officer = officials["CUSTOMS_OFFICER_ROLE"]
    ctx.step(DOMAIN, f"officer holds declaration {ids[HELD]} (steel) for physical inspection")
    officer.hold(ids[HELD], INSPECTION_REASON)
    ctx.travel(INSPECTION_DAYS * DAY)
    officer.release(ids[HELD])

    cleared = [f for f in FILINGS if f.key != HELD]
    for done, filing in enumerate(cleared, start=1):
        payers[filing.key].release(ids[filing.key])
        ctx.count(DOMAIN, done, len(cleared), "goods released")

    ctx.step(DOMAIN, f"the tea has cleared: {EXPORTER_NAME} claims escrow {escrow_id}")
    governance.as_account(exporter).claim_escrow(escrow_id)

    refund = _appeal(ctx, traders["sunrise-apparel"], officials["APPEALS_OFFICER_ROLE"], ids)
    return DomainResult(
        DOMAIN,
        _highlights(ids, escrow_id, escrow_amount, refund),
        {
            "declarations": ids,
            "traders": {key: t.sender.address for key, t in traders.items()},
            "broker": broker.address,
            "bank": bank.address,
            "exporter": exporter.address,
            "escrow_id": escrow_id,
            "escrow_amount": escrow_amount,
            "collected": collected,
            "refund": refund,
            "refund_pool_funded": REFUND_POOL,
            "tariff_start": tariff_start,
        },
    )


def _appoint_officials(ctx: DemoContext, governance: CustomsClient) -> dict[str, CustomsClient]:
    ctx.step(DOMAIN, "governance appoints the tariff office, registrar, officer and appeals")
    accounts = ctx.actors(list(OFFICIALS.values()))
    clients: dict[str, CustomsClient] = {}
    for (role, _), account in zip(OFFICIALS.items(), accounts, strict=True):
        governance.grant_role(role, account.address)
        clients[role] = governance.as_account(account)
    return clients


def _load_tariff(ctx: DemoContext, authority: CustomsClient) -> int:
    """Schedule the rates shortly after the chain's clock and move past that instant."""
    start = ctx.now() + SCHEDULE_MARGIN
    hs_code, origin, rate = PREFERENTIAL
    lines = [TariffLine(hs, bps, start) for hs, bps in GENERAL_RATES.items()]
    lines.append(TariffLine(hs_code, rate, start, origin))
    ctx.step(DOMAIN, f"tariff office schedules {len(lines)} duty rates and {VAT_BPS // 100} % VAT")
    authority.load_schedule(lines)
    authority.set_vat_rate(VAT_BPS, start)
    ctx.travel_to(start)  # rates apply to declarations filed from `start` on
    return start


def _register_traders(
    ctx: DemoContext, governance: CustomsClient, registrar: CustomsClient
) -> dict[str, CustomsClient]:
    accounts = ctx.actors(list(TRADERS))
    traders: dict[str, CustomsClient] = {}
    for done, ((key, name), account) in enumerate(zip(TRADERS.items(), accounts, strict=True), 1):
        certificate = document_hash(f"Certificate of registration as importer: {name}")
        registrar.set_trader(account.address, True, certificate)
        traders[key] = governance.as_account(account)
        ctx.count(DOMAIN, done, len(TRADERS), "importers registered")
    return traders


def _appeal(
    ctx: DemoContext, trader: CustomsClient, appeals: CustomsClient, ids: dict[str, int]
) -> int:
    """The importer appeals; the officer re-assesses the corrected value at filing-time rates."""
    declaration_id = ids[APPEALED]
    ctx.step(DOMAIN, f"{TRADERS['sunrise-apparel']} appeals declaration {declaration_id}'s value")
    trader.appeal(declaration_id, document_hash("Buying agency agreement SA-BA-2025 and appeal"))
    filed_at = appeals.declaration(declaration_id).filed_at
    corrected = appeals.preview(CORRECTED_TSHIRTS, at=filed_at)
    decided = appeals.decide_appeal(
        declaration_id, True, corrected.duty, corrected.vat, APPEAL_REASON
    )
    return int(decided.event("AppealDecided")["refund"])


def _highlights(
    ids: dict[str, int], escrow_id: int, escrow_amount: int, refund: int
) -> list[Highlight]:
    def declaration(key: str, text: str) -> Highlight:
        return Highlight(f"Declaration {ids[key]}: {text}", f"/records/declaration/{ids[key]}")

    return [
        Highlight(
            "Black tea (HS 090230): 5 % duty, duty-free from Kenya under a trade agreement",
            f"/records/tariff/{BLACK_TEA}",
        ),
        declaration(
            ESCROWED,
            f"Kenyan and Indian tea; escrow {escrow_id} paid the Kenyan exporter "
            f"{_pub(escrow_amount)} when the goods cleared",
        ),
        declaration(HELD, "steel held by an officer for inspection, then released"),
        declaration(APPEALED, f"appeal on the customs value upheld, {_pub(refund)} refunded"),
        declaration(BROKERED, "electric cars from Germany, duty paid by the importer's broker"),
    ]


def _pub(units: int) -> str:
    return f"{Decimal(units).scaleb(-2):,.2f} PUB"
