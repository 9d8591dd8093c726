"""Gas of ``Customs`` through its Python client, against the issue's budgets.

What is measured: ``gas_used`` from the receipts of real transactions on an anvil devnet that
this script starts and stops, each sent through :class:`~govchain.clients.customs.CustomsClient`
(so what traders, brokers, officers, banks and exporters run is what is measured; the 21,000
base cost and calldata are included). ``CustomsClient.pay``, ``fund_refund_pool`` and
``open_escrow`` send the payer's ERC-20 approval of exactly the amount first (a transaction of
its own); the rows are ``pay``, ``fundRefundPool`` and ``openEscrow``.

Set-up (as ``tests/customs_env.py``): ``PaymentToken`` (2 decimals) and ``Customs`` deployed,
TARIFF_AUTHORITY_ROLE, TRADER_REGISTRAR_ROLE, CUSTOMS_OFFICER_ROLE and APPEALS_OFFICER_ROLE
granted to distinct dev accounts, a treasury account that holds none of the token at first, six
registered traders (three of them authorise a customs broker), a broker, a bank (escrow funder)
and two exporters that hold the token (minted before anything is measured); two more exporters
never hold it. The tariff schedule: 20 HS codes, each with 3 to 9 general rates in its history
(one every quarter), 5 of them with next year's rate already published (a change still in the
future); 12 preferential rates (HS code, origin) with 2 to 5 rates each; VAT with 4 rates. All of
it is set for future times in JSON-RPC batches, as ``CustomsClient.load_schedule`` sends them
(each rate is read back at its effective time), and the chain then travels past the history (not
past next year's rates), so every lookup searches a real history.

Declarations: customs values of 1,000.00 to 2,500,000.00 PUB and quantities of 1 to 5,000 drawn
with ``random.Random(--seed)``. In each declaration the lines have distinct (HS code, origin)
pairs: distinct HS codes up to 20 lines (a 50-line declaration uses every code two or three
times, from different origins), two lines in five from an origin with a preferential rate for
their code, the others at the general rate.

Scenario, in order (each step through the client):

1. the first declaration of the deployment (1 line: the declaration counter from zero), then
   3 declarations each of 1, 2, 5, 10 and 50 lines, by the six traders in turn;
2. a 5-line declaration amended (5 lines, one replaced), a 2-line one overridden by an officer;
3. payments: the first of the deployment (the treasury's balance created), then every other
   declaration but two, by the trader or, for the traders who authorised it, by the broker;
4. the treasury funds the refund pool (the pool and the contract's balance from zero);
5. the bank opens 8 escrows for exporters (the first of the deployment: counter and total from
   zero);
6. an officer holds a paid declaration and an unpaid one; the traders release their paid goods
   (the rule), the officer releases the held paid one;
7. exporters claim the escrows of released goods (two exporters who hold the token, two who
   never held it);
8. the officer seizes the held unpaid goods; the bank's escrow on them is refunded;
9. a trader appeals and the appeals officer upholds it (refund from the pool); another appeal
   is dismissed; the treasury tops the pool up;
10. the tariff authority publishes rates for the following year (a general rate on a code with
    history, a preferential one, the first rate of a new HS code).

One escrow stays open to the end on goods not yet paid, and the refund pool is never emptied,
so after the one-off cases no transfer creates or empties the contract's token balance or the
escrow total.

Which case a budget row uses: the largest of the cases that recur for as long as the deployment
is in use (filing: every sample of each size; payment by the trader or by a broker; release by
the trader once paid or by an officer after a hold; an escrow claimed by an exporter who holds
the token). What happens once per deployment (its first declaration, the treasury's first
payment, the first refund-pool funding, the first escrow) and an exporter who never held the
token are informational rows of their own. The marginal cost of a line is
``(largest n-line filing - largest 1-line filing) / (n - 1)`` for n = 2, 5, 10 and 50, the
budget row being the largest of the four.

After each transaction (outside the measurement): status 1, the events with every argument
(``DeclarationFiled`` with its lines, ``DeclarationAssessed`` with the rates and line duties,
``DutyPaid``, ``EscrowSettled``, ...), and the token's ``Transfer``; the declaration or escrow read
back through the client (status, paid, appeal, duty, VAT, refunded, line count, lines hash,
filing time); every filing and amendment equal to the client's preview made before it and to
this script's own model of the schedule (the rate of every line, preferential or general); every
token balance that should move (payer, treasury, contract, trader, bank, exporter), by exactly
what should move, the payer's allowance back to zero, and the refund pool and escrow total. At
the end every trader's statement (from events) and the contract's balance (refund pool plus
escrows) are checked. A failed check exits with status 2.

Run from the repository root::

    .venv/bin/python -m benchmarks.customs_gas [--seed 7] [--json PATH]

Exit status: 0 (budgets are reported, not enforced; FAIL rows are printed as such), 2 if a
correctness check failed.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from benchmarks import gas as bench
from benchmarks.gas import Balances, GasByCase, Row, check, event
from govchain.clients.customs import (
    Assessment,
    CustomsClient,
    DeclarationLine,
    TariffLine,
    assess,
)
from govchain.sender import Receipt, Sender
from govchain.session import Session

DEFAULT_SEED = 7
UNIT = 100  # 2 decimals: 1.00 PUB
QUARTER = 91 * bench.DAY
YEAR = 365 * bench.DAY
TRADER_FUNDS = 100_000_000 * UNIT
BROKER_FUNDS = 100_000_000 * UNIT
BANK_FUNDS = 100_000_000 * UNIT
EXPORTER_FUNDS = 1_000 * UNIT  # what an exporter "who holds the token" holds before it is paid
ESCROW_DAYS = 60
SIZES = (1, 2, 5, 10, 50)  # lines per declaration
SAMPLES = 3  # declarations of each size
LINE_TUPLE = "(uint32,uint16,uint96,uint64)[]"
INVOICE = "commercial invoice and bill of lading"
OVERRIDE_REASON, HOLD_REASON, SEIZE_REASON, APPEAL_REASON = 31, 12, 44, 7

# Accounts: anvil's dev mnemonic with --accounts raised, so that every party signs for itself.
ADMIN, AUTHORITY, REGISTRAR, OFFICER, APPEALS, TREASURY, BROKER, BANK = range(8)
FIRST_TRADER = 10
TRADERS = 6
BROKERED = (1, 3, 5)  # traders (by index) who authorise the broker, which pays for them
FIRST_EXPORTER = FIRST_TRADER + TRADERS
EXPORTERS = 4  # the first two are minted EXPORTER_FUNDS, the other two never hold the token
ACCOUNTS = FIRST_EXPORTER + EXPORTERS

# Origins (ISO 3166-1 numeric). Preferential rates exist only for the first group.
KENYA, VIETNAM, KOREA, CHILE, GHANA, COLOMBIA, MOROCCO = 404, 704, 410, 152, 288, 170, 504
GENERAL_ORIGINS = (156, 840, 276, 356, 792, 76, 392)  # CN, US, DE, IN, TR, BR, JP

# HS code: general rates in bps, one a quarter (the last is in force), and next year's rate
# if already published. Codes below 100000 are written without their leading zero.
HS_CODES: dict[int, tuple[tuple[int, ...], int | None]] = {
    870380: ((1_000, 1_000, 800, 650, 500), 450),  # electric cars
    870899: ((450, 400, 350), None),  # vehicle parts
    401110: ((450, 450, 450, 400), None),  # car tyres
    847130: ((200, 150, 100, 50, 0, 0, 0), None),  # laptops
    851712: ((300, 250, 200, 100), 0),  # mobile phones
    852872: ((1_400, 1_400, 1_200, 1_000, 1_000, 900), None),  # television sets
    610910: ((1_200, 1_200, 1_200, 1_100), None),  # cotton T-shirts
    640399: ((800, 800, 750, 700, 700, 650, 650, 600), 550),  # leather footwear
    940360: ((270, 270, 250), None),  # wooden furniture
    392690: ((650, 650, 600, 550, 500), None),  # articles of plastics
    300490: ((100, 50, 0, 0, 0, 0), None),  # medicaments
    220421: ((1_320, 1_320, 1_300, 1_250, 1_200, 1_150, 1_100, 1_100, 1_050), None),  # wine
    80390: ((1_600, 1_500, 1_450, 1_400), 1_300),  # bananas
    180632: ((830, 830, 800, 800, 750), None),  # chocolate
    950300: ((470, 470, 400), None),  # toys
    30617: ((1_200, 1_200, 1_100, 1_000, 900, 800, 700), None),  # shrimp
    90111: ((750, 700, 650), None),  # coffee, not roasted
    90230: ((500, 500, 450, 400, 400, 350), 300),  # black tea
    720851: ((300, 400, 500, 500, 600, 800, 900, 1_000), None),  # steel plate
    271019: ((470, 470, 470, 350), None),  # gas oil
}
# (HS code, origin): preferential rates, one a quarter, phasing down under trade agreements.
PREFERENCES: dict[tuple[int, int], tuple[int, ...]] = {
    (90230, KENYA): (250, 100, 0),
    (90111, KENYA): (300, 150, 0),
    (80390, COLOMBIA): (1_000, 750, 500, 250),
    (640399, VIETNAM): (800, 600, 400, 200, 0),
    (610910, VIETNAM): (1_200, 900, 600, 300),
    (30617, VIETNAM): (1_000, 700, 400),
    (870380, KOREA): (800, 600, 400, 200, 0),
    (852872, KOREA): (1_000, 700, 350),
    (851712, KOREA): (100, 0),
    (220421, CHILE): (500, 250, 0),
    (180632, GHANA): (600, 300, 0),
    (720851, MOROCCO): (300, 150),
}
VAT_HISTORY = (1_600, 1_700, 1_900, 2_000)
HISTORY_QUARTERS = 1 + max(len(h) for h, _ in HS_CODES.values())
# Rates published at the end (the "set tariff" rows): after every pending rate.
NEW_GENERAL = (870899, 300)  # a code with history
NEW_PREFERENTIAL = (401110, KOREA, 200)  # no preference before: a new trace
NEW_CODE = (850760, 270)  # lithium-ion batteries: not in the schedule yet

BUDGET_FILE = 180_000  # one line
BUDGET_LINE = 60_000  # each further line
BUDGET_PAY = 80_000
BUDGET_RELEASE = 60_000
BUDGET_CLAIM = 70_000

FIRST_FILE = "file: first declaration of the deployment"
FIRST_PAY = "pay: first payment of the deployment"
PAY_TRADER = "pay: by the trader"
PAY_BROKER = "pay: by an authorised broker"
RELEASE_TRADER = "release: paid, by the trader"
RELEASE_OFFICER = "release: held and paid, by an officer"
CLAIM_HOLDER = "claim escrow: exporter holds the token"
CLAIM_NEW = "claim escrow: exporter never held the token"
FIRST_ESCROW = "open escrow: first of the deployment"
OPEN_ESCROW = "open escrow"
FIRST_POOL = "fund refund pool: first (pool and contract balance from zero)"
TOP_UP = "fund refund pool: top-up"


MARGINAL = "file, each further line"


def file_case(lines: int) -> str:
    return f"file: {lines} line{'s' if lines > 1 else ''}"


# -- the schedule (this script's own model of it, to check the contract and the preview) ----------


def expected_rate(hs_code: int, origin: int) -> tuple[int, bool]:
    """The rate in force at present (after the history, before next year's rates)."""
    if (hs_code, origin) in PREFERENCES:
        return PREFERENCES[(hs_code, origin)][-1], True
    return HS_CODES[hs_code][0][-1], False


def schedule_lines(start: int) -> list[TariffLine]:
    """Every rate of the history (version k from ``start + k`` quarters) and next year's."""
    pending_at = start + HISTORY_QUARTERS * QUARTER + YEAR
    lines = []
    for hs_code, (history, pending) in HS_CODES.items():
        lines += [TariffLine(hs_code, r, start + k * QUARTER) for k, r in enumerate(history)]
        if pending is not None:
            lines.append(TariffLine(hs_code, pending, pending_at))
    for (hs_code, origin), history in PREFERENCES.items():
        lines += [
            TariffLine(hs_code, r, start + k * QUARTER, origin) for k, r in enumerate(history)
        ]
    return lines


def lines_hash(lines: Sequence[DeclarationLine]) -> bytes:
    """``keccak256(abi.encode(lines))`` as the contract stores it."""
    return keccak(encode([LINE_TUPLE], [[line.as_struct() for line in lines]]))


class LineMaker:
    """Declarations' lines: distinct (HS code, origin) pairs, two lines in five preferential."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.preferred: dict[int, list[int]] = {}
        for hs_code, origin in PREFERENCES:
            self.preferred.setdefault(hs_code, []).append(origin)

    def lines(self, sample: int, count: int) -> list[DeclarationLine]:
        rng = self.rng
        codes: list[int] = []  # HS codes not yet used in this pass over the schedule
        used: set[tuple[int, int]] = set()
        out = []
        for j in range(count):
            if not codes:
                codes = list(HS_CODES)
                rng.shuffle(codes)
            preferential = (sample + j) % 5 in (1, 3)
            pair = None
            if preferential:
                for hs_code in codes:
                    free = [o for o in self.preferred.get(hs_code, []) if (hs_code, o) not in used]
                    if free:
                        pair = (hs_code, free[0])
                        break
            if pair is None:
                hs_code = codes[0]
                origin = next(
                    GENERAL_ORIGINS[(sample + j + k) % len(GENERAL_ORIGINS)]
                    for k in range(len(GENERAL_ORIGINS))
                    if (hs_code, GENERAL_ORIGINS[(sample + j + k) % len(GENERAL_ORIGINS)])
                    not in used
                )
                pair = (hs_code, origin)
            codes.remove(pair[0])
            used.add(pair)
            value = rng.randrange(1_000 * UNIT, 2_500_000 * UNIT + 1)
            out.append(DeclarationLine(pair[0], pair[1], value, rng.randrange(1, 5_001)))
        return out


# -- set-up --------------------------------------------------------------------------------------


@dataclass
class Declaration:
    """A declaration of the scenario, as this script tracks it."""

    id: int
    trader: CustomsClient
    lines: list[DeclarationLine]
    filed_at: int
    assessment: Assessment
    paid: int = 0
    refunded: int = 0


@dataclass
class Env(bench.DevnetEnv):
    governance: CustomsClient
    authority: CustomsClient
    registrar: CustomsClient
    officer: CustomsClient
    appeals: CustomsClient
    treasury: CustomsClient
    broker: CustomsClient
    bank: CustomsClient
    traders: list[CustomsClient]
    exporters: list[CustomsClient]
    maker: LineMaker
    gas: GasByCase = field(default_factory=GasByCase)
    declarations: list[Declaration] = field(default_factory=list)
    escrows: int = 0
    preferential_lines: int = 0
    general_lines: int = 0

    @property
    def customs(self) -> str:
        return self.officer.address

    def allowance(self, owner: str) -> int:
        return int(self.token.functions.allowance(owner, self.customs).call())

    def timestamp(self, receipt: Receipt) -> int:
        return int(self.chain.w3.eth.get_block(receipt.block_number)["timestamp"])


def set_up(session: Session, seed: int) -> Env:
    accounts = session.chain.accounts
    admin = session.sender.address
    token = session.deploy("PaymentToken", *bench.TOKEN_ARGS, admin, admin)
    contract = session.deploy("Customs", admin, token.address, accounts[TREASURY].address)
    governance = CustomsClient(session, contract, session.sender)
    roles = {
        "TARIFF_AUTHORITY_ROLE": AUTHORITY,
        "TRADER_REGISTRAR_ROLE": REGISTRAR,
        "CUSTOMS_OFFICER_ROLE": OFFICER,
        "APPEALS_OFFICER_ROLE": APPEALS,
    }
    for role, index in roles.items():
        governance.grant_role(role, accounts[index].address)

    def client(index: int) -> CustomsClient:
        return governance.as_account(accounts[index])

    env = Env(
        session=session,
        token=token,
        governance=governance,
        authority=client(AUTHORITY),
        registrar=client(REGISTRAR),
        officer=client(OFFICER),
        appeals=client(APPEALS),
        treasury=client(TREASURY),
        broker=client(BROKER),
        bank=client(BANK),
        traders=[client(FIRST_TRADER + k) for k in range(TRADERS)],
        exporters=[client(FIRST_EXPORTER + k) for k in range(EXPORTERS)],
        maker=LineMaker(random.Random(seed)),
    )
    funds = {t.sender.address: TRADER_FUNDS for t in env.traders}
    funds[env.broker.sender.address] = BROKER_FUNDS
    funds[env.bank.sender.address] = BANK_FUNDS
    for exporter in env.exporters[:2]:
        funds[exporter.sender.address] = EXPORTER_FUNDS
    sender = session.sender
    send_all(session, sender, [token.functions.mint(a, v) for a, v in funds.items()])
    for address, amount in funds.items():
        check(env.balance(address) == amount, f"{address} was not funded")
    for k, trader in enumerate(env.traders):
        address = trader.sender.address
        registered = event(
            env.registrar.set_trader(address, True, keccak(text=address)), "TraderRegistered"
        )
        check(registered["trader"] == address and registered["registered"], f"{registered}")
        if k in BROKERED:
            trader.authorize_broker(env.broker.sender.address)
            check(
                governance.contract.functions.isBroker(address, env.broker.sender.address).call(),
                "broker",
            )
    check(env.balance(env.treasury.sender.address) == 0, "the treasury holds the token already")
    load_schedule(env)
    return env


def send_all(session: Session, sender: Sender, calls: Sequence[Any]) -> list[Receipt]:
    """``send_many``, then one block mined, then ``wait_all`` (set-up only). anvil's automine
    can leave a transaction of a burst from one sender in its pool, never mined
    (foundry-rs/foundry#10122): seen once here while loading the schedule (``load_schedule``
    waited 180 s for a receipt). The extra block picks up whatever was left."""
    pending = sender.send_many(calls)
    session.chain.rpc("evm_mine")
    return sender.wait_all(pending)


def load_schedule(env: Env) -> None:
    """The whole history set for the future in JSON-RPC batches (as
    ``CustomsClient.load_schedule`` sends it), then the chain moved past it."""
    start = env.now() + 60
    lines = schedule_lines(start)
    functions = env.authority.contract.functions
    calls = [
        functions.setTariff(t.hs_code, t.rate_bps, t.effective_from)
        if t.origin is None
        else functions.setPreferentialTariff(t.hs_code, t.origin, t.rate_bps, t.effective_from)
        for t in lines
    ]
    receipts = send_all(env.session, env.authority.sender, calls)
    receipts += [
        env.authority.set_vat_rate(rate, start + k * QUARTER) for k, rate in enumerate(VAT_HISTORY)
    ]
    check(all(r.status == 1 for r in receipts), "a rate of the schedule was not set")
    for line, receipt in zip(lines, receipts, strict=False):
        args = event(receipt, "TariffSet" if line.origin is None else "PreferentialTariffSet")
        check(
            (int(args["hsCode"]), int(args["rateBps"]), int(args["effectiveFrom"]))
            == (line.hs_code, line.rate_bps, line.effective_from),
            f"rate {line}: {args}",
        )
        origin = GENERAL_ORIGINS[0] if line.origin is None else line.origin
        got = env.officer.duty_rate(line.hs_code, origin, at=line.effective_from)
        check(got == (line.rate_bps, line.origin is not None), f"rate {line}: {got} then")
    env.travel_to(start + HISTORY_QUARTERS * QUARTER)
    for hs_code, (history, _) in HS_CODES.items():
        got = env.officer.duty_rate(hs_code, GENERAL_ORIGINS[0])
        check(got == (history[-1], False), f"HS {hs_code}: rate in force {got}")
    for (hs_code, origin), history in PREFERENCES.items():
        got = env.officer.duty_rate(hs_code, origin)
        check(got == (history[-1], True), f"HS {hs_code} from {origin}: rate in force {got}")
    check(env.officer.vat_rate() == VAT_HISTORY[-1], "VAT rate in force")


# -- checks --------------------------------------------------------------------------------------


def token_transfers(env: Env, receipt: Receipt) -> list[tuple[str, str, int]]:
    return [
        (e["from"], e["to"], int(e["value"]))
        for e in receipt.events_named("Transfer")
        if e.address == env.token.address
    ]


def check_assessed(
    env: Env,
    receipt: Receipt,
    declaration: Declaration,
    preview: Assessment,
    what: str,
) -> None:
    """``DeclarationAssessed`` and the stored declaration equal ``preview``, itself equal to
    this script's model of the schedule."""
    lines = declaration.lines
    model = [expected_rate(line.hs_code, line.origin)[0] for line in lines]
    check(preview.rates == model, f"{what}: preview rates {preview.rates}, schedule {model}")
    vat_bps = VAT_HISTORY[-1]
    duties = [line.customs_value * rate // 10_000 for line, rate in zip(lines, model, strict=True)]
    vat = sum(
        (line.customs_value + d) * vat_bps // 10_000 for line, d in zip(lines, duties, strict=True)
    )
    check(
        (preview.duty, preview.vat, preview.line_duties) == (sum(duties), vat, duties),
        f"{what}: preview {preview}",
    )
    at_filing = declaration.trader.preview(lines, at=declaration.filed_at)
    check(at_filing == preview, f"{what}: preview at filing time {at_filing}, before {preview}")
    assessed = event(receipt, "DeclarationAssessed")
    check(
        int(assessed["declarationId"]) == declaration.id
        and int(assessed["duty"]) == preview.duty
        and int(assessed["vat"]) == preview.vat
        and [int(r) for r in assessed["rates"]] == preview.rates
        and [int(d) for d in assessed["lineDuties"]] == preview.line_duties,
        f"{what}: DeclarationAssessed {assessed}",
    )
    record = env.officer.declaration(declaration.id)
    check(
        record.status == "Assessed"
        and not record.paid
        and record.appeal == "None"
        and record.trader == declaration.trader.sender.address
        and record.filed_at == declaration.filed_at
        and record.line_count == len(lines)
        and (record.duty, record.vat, record.refunded) == (preview.duty, preview.vat, 0)
        and record.lines_hash == lines_hash(lines),
        f"{what}: stored {record}",
    )
    check(token_transfers(env, receipt) == [], f"{what}: the token moved")


def check_lines_event(args: dict[str, Any], lines: Sequence[DeclarationLine], what: str) -> None:
    got = [tuple(int(v) for v in line) for line in args["lines"]]
    check(got == [line.as_struct() for line in lines], f"{what}: lines {got}")


# -- the scenario --------------------------------------------------------------------------------


def file(env: Env, trader: CustomsClient, lines: list[DeclarationLine], case: str) -> Declaration:
    document = keccak(text=f"{INVOICE} {len(env.declarations) + 1}")
    preview = trader.preview(lines)  # what a trader sees before filing
    expected_id = len(env.declarations) + 1
    funds = Balances(env.balance, trader.sender.address, env.customs)
    receipt = trader.file(lines, document)
    filed = event(receipt, "DeclarationFiled")
    check(
        int(filed["declarationId"]) == expected_id
        and filed["trader"] == trader.sender.address
        and bytes(filed["documentHash"]) == document,
        f"DeclarationFiled {filed}",
    )
    check_lines_event(filed, lines, f"declaration {expected_id}")
    declaration = Declaration(expected_id, trader, lines, env.timestamp(receipt), preview)
    check_assessed(env, receipt, declaration, preview, f"declaration {expected_id}")
    record = env.officer.declaration(expected_id)
    check(record.document_hash == document, f"declaration {expected_id}: {record}")
    funds.moved({}, f"filing of declaration {expected_id}")
    env.declarations.append(declaration)
    preferential = sum(expected_rate(line.hs_code, line.origin)[1] for line in lines)
    env.preferential_lines += preferential
    env.general_lines += len(lines) - preferential
    env.gas.record(case, receipt)
    return declaration


def amend(env: Env, declaration: Declaration) -> None:
    """Replace one line (another code, from another origin) and correct every value by 3 %."""
    lines = [
        DeclarationLine(line.hs_code, line.origin, line.customs_value * 97 // 100, line.quantity)
        for line in declaration.lines
    ]
    taken = {(line.hs_code, line.origin) for line in lines}
    replacement = next(
        (hs_code, origin)
        for hs_code in HS_CODES
        for origin in GENERAL_ORIGINS
        if (hs_code, origin) not in taken
    )
    lines[-1] = DeclarationLine(*replacement, lines[-1].customs_value, lines[-1].quantity)
    document = keccak(text=f"{INVOICE} {declaration.id}, corrected")
    preview = declaration.trader.preview(lines, at=declaration.filed_at)
    receipt = declaration.trader.amend(declaration.id, lines, document)
    amended = event(receipt, "DeclarationAmended")
    check(
        int(amended["declarationId"]) == declaration.id
        and bytes(amended["documentHash"]) == document,
        f"DeclarationAmended {amended}",
    )
    check_lines_event(amended, lines, f"amendment of {declaration.id}")
    declaration.lines, declaration.assessment = lines, preview
    check_assessed(env, receipt, declaration, preview, f"amendment of {declaration.id}")
    check(
        env.officer.declaration(declaration.id).document_hash == document,
        f"amendment of {declaration.id}: document hash",
    )
    env.gas.record(f"amend ({len(lines)} lines)", receipt)


def override(env: Env, declaration: Declaration) -> None:
    """The officer re-values the goods: duty and VAT down by a tenth."""
    old = declaration.assessment
    duty, vat = old.duty * 9 // 10, old.vat * 9 // 10
    receipt = env.officer.override_assessment(declaration.id, duty, vat, OVERRIDE_REASON)
    overridden = event(receipt, "AssessmentOverridden")
    check(
        int(overridden["declarationId"]) == declaration.id
        and (int(overridden["oldDuty"]), int(overridden["oldVat"])) == (old.duty, old.vat)
        and (int(overridden["newDuty"]), int(overridden["newVat"])) == (duty, vat)
        and int(overridden["reasonCode"]) == OVERRIDE_REASON,
        f"AssessmentOverridden {overridden}",
    )
    record = env.officer.declaration(declaration.id)
    check(
        (record.duty, record.vat, record.status, record.paid) == (duty, vat, "Assessed", False),
        f"override of {declaration.id}: {record}",
    )
    declaration.assessment = Assessment(duty, vat, old.rates, old.line_duties)
    env.gas.record("override assessment", receipt)


def pay(env: Env, declaration: Declaration, payer: CustomsClient, case: str) -> None:
    trader, by = declaration.trader.sender.address, payer.sender.address
    treasury = env.treasury.sender.address
    before = env.officer.declaration(declaration.id)
    due = declaration.assessment.total
    check(
        before.due == due and due > 0,
        f"declaration {declaration.id}: due {before.due}, expected {due}",
    )
    if case == FIRST_PAY:
        check(env.balance(treasury) == 0, "the treasury holds the token before the first payment")
    else:
        check(
            env.balance(treasury) > 0, f"the treasury holds no token before paying {declaration.id}"
        )
    funds = Balances(env.balance, trader, by, treasury, env.customs)
    receipt = payer.pay(declaration.id)
    paid = event(receipt, "DutyPaid")
    check(
        int(paid["declarationId"]) == declaration.id
        and paid["trader"] == trader
        and paid["payer"] == by
        and int(paid["amount"]) == due,
        f"DutyPaid {paid}",
    )
    transfers = token_transfers(env, receipt)
    check(transfers == [(by, treasury, due)], f"payment of {declaration.id}: transfers {transfers}")
    funds.moved({by: -due, treasury: due}, f"payment of {declaration.id}")
    check(env.allowance(by) == 0, f"{by} still allows the contract {env.allowance(by)}")
    record = env.officer.declaration(declaration.id)
    status = "Held" if before.status == "Held" else "Paid"
    check(record.paid and record.status == status and record.due == 0, f"paid {record}")
    declaration.paid = due
    env.gas.record(case, receipt)


def fund_pool(env: Env, amount: int, case: str) -> None:
    treasury = env.treasury.sender.address
    pool = env.officer.refund_pool()
    check((pool == 0) == (case == FIRST_POOL), f"refund pool {pool} before {case!r}")
    funds = Balances(env.balance, treasury, env.customs)
    receipt = env.treasury.fund_refund_pool(amount)
    funded = event(receipt, "RefundPoolFunded")
    check(funded["funder"] == treasury and int(funded["amount"]) == amount, f"{funded}")
    check(
        token_transfers(env, receipt) == [(treasury, env.customs, amount)],
        f"pool funding: transfers {token_transfers(env, receipt)}",
    )
    funds.moved({treasury: -amount, env.customs: amount}, "refund pool funding")
    check(env.officer.refund_pool() == pool + amount, "refund pool")
    check(env.balance(treasury) > 0 and env.allowance(treasury) == 0, "treasury after funding")
    env.gas.record(case, receipt)


def open_escrow(env: Env, declaration: Declaration, exporter: CustomsClient) -> int:
    """The bank escrows the goods' value (the sum of customs values) for ``exporter``."""
    amount = sum(line.customs_value for line in declaration.lines)
    funder, to = env.bank.sender.address, exporter.sender.address
    deadline = env.now() + ESCROW_DAYS * bench.DAY
    held = env.officer.escrow_held()
    case = FIRST_ESCROW if env.escrows == 0 else OPEN_ESCROW
    check((held == 0) == (case == FIRST_ESCROW), f"escrow total {held} before {case!r}")
    funds = Balances(env.balance, funder, to, env.customs)
    receipt = env.bank.open_escrow(declaration.id, to, amount, deadline)
    opened = event(receipt, "EscrowOpened")
    escrow_id = int(opened["escrowId"])
    check(
        escrow_id == env.escrows + 1
        and int(opened["declarationId"]) == declaration.id
        and opened["exporter"] == to
        and opened["funder"] == funder
        and int(opened["amount"]) == amount
        and int(opened["deadline"]) == deadline,
        f"EscrowOpened {opened}",
    )
    check(token_transfers(env, receipt) == [(funder, env.customs, amount)], "escrow transfer")
    funds.moved({funder: -amount, env.customs: amount}, f"escrow {escrow_id}")
    record = env.officer.escrow(escrow_id)
    check(
        (record.declaration_id, record.funder, record.exporter, record.amount, record.deadline)
        == (declaration.id, funder, to, amount, deadline)
        and record.status == "Open",
        f"escrow {record}",
    )
    check(env.officer.escrow_held() == held + amount, "escrow total")
    check(env.allowance(funder) == 0, "the bank still allows the contract")
    env.escrows = escrow_id
    env.gas.record(case, receipt)
    return escrow_id


def hold(env: Env, declaration: Declaration) -> None:
    before = env.officer.declaration(declaration.id)
    receipt = env.officer.hold(declaration.id, HOLD_REASON)
    held = event(receipt, "DeclarationHeld")
    check(
        int(held["declarationId"]) == declaration.id
        and int(held["reasonCode"]) == HOLD_REASON
        and held["officer"] == env.officer.sender.address,
        f"DeclarationHeld {held}",
    )
    record = env.officer.declaration(declaration.id)
    check(record.status == "Held" and record.paid == before.paid, f"held {record}")
    env.gas.record("hold: paid goods" if before.paid else "hold: assessed, unpaid", receipt)


def release(env: Env, declaration: Declaration, by: CustomsClient) -> None:
    before = env.officer.declaration(declaration.id)
    receipt = by.release(declaration.id)
    released = event(receipt, "GoodsReleased")
    check(
        int(released["declarationId"]) == declaration.id
        and released["releasedBy"] == by.sender.address,
        f"GoodsReleased {released}",
    )
    record = env.officer.declaration(declaration.id)
    check(record.status == "Released" and record.paid, f"released {record}")
    case = RELEASE_OFFICER if before.status == "Held" else RELEASE_TRADER
    check(case == RELEASE_OFFICER or by is declaration.trader, "released by the trader")
    env.gas.record(case, receipt)


def settle(env: Env, escrow_id: int, by: CustomsClient, claim: bool) -> None:
    """The exporter claims the escrow (goods released), or the bank has it back (seized)."""
    escrow = env.officer.escrow(escrow_id)
    to = escrow.exporter if claim else escrow.funder
    if claim:
        case = CLAIM_HOLDER if env.balance(to) > 0 else CLAIM_NEW
    else:
        case = "refund escrow (goods seized)"
    held = env.officer.escrow_held()
    funds = Balances(env.balance, escrow.exporter, escrow.funder, env.customs)
    receipt = by.claim_escrow(escrow_id) if claim else by.refund_escrow(escrow_id)
    settled = event(receipt, "EscrowSettled")
    check(
        int(settled["escrowId"]) == escrow_id
        and int(settled["declarationId"]) == escrow.declaration_id
        and settled["to"] == to
        and bool(settled["released"]) is claim
        and int(settled["amount"]) == escrow.amount,
        f"EscrowSettled {settled}",
    )
    check(token_transfers(env, receipt) == [(env.customs, to, escrow.amount)], "escrow transfer")
    funds.moved({to: escrow.amount, env.customs: -escrow.amount}, f"escrow {escrow_id}")
    status = env.officer.escrow(escrow_id).status
    check(status == ("Released" if claim else "Refunded"), f"escrow {escrow_id}: {status}")
    left = env.officer.escrow_held()
    check(left == held - escrow.amount and left > 0, f"escrow total {left}, before {held}")
    env.gas.record(case, receipt)


def seize(env: Env, declaration: Declaration) -> None:
    receipt = env.officer.seize(declaration.id, SEIZE_REASON)
    seized = event(receipt, "GoodsSeized")
    check(
        int(seized["declarationId"]) == declaration.id
        and int(seized["reasonCode"]) == SEIZE_REASON
        and seized["officer"] == env.officer.sender.address,
        f"GoodsSeized {seized}",
    )
    record = env.officer.declaration(declaration.id)
    check(record.status == "Seized" and not record.paid, f"seized {record}")
    env.gas.record("seize", receipt)


def appeal(env: Env, declaration: Declaration) -> None:
    document = keccak(text=f"grounds of appeal against {declaration.id}")
    receipt = declaration.trader.appeal(declaration.id, document)
    lodged = event(receipt, "AppealLodged")
    check(
        int(lodged["declarationId"]) == declaration.id
        and bytes(lodged["documentHash"]) == document,
        f"AppealLodged {lodged}",
    )
    check(env.officer.declaration(declaration.id).appeal == "Lodged", "appeal not lodged")
    env.gas.record("appeal", receipt)


def reassessed(declaration: Declaration) -> Assessment:
    """What an upheld appeal decides: the goods re-classified at half their rates."""
    return assess(
        declaration.lines, lambda hs, origin: expected_rate(hs, origin)[0] // 2, VAT_HISTORY[-1]
    )


def decide(env: Env, declaration: Declaration, uphold: bool) -> None:
    """Upheld: the new assessment of :func:`reassessed`, the difference refunded."""
    old = declaration.assessment
    trader = declaration.trader.sender.address
    if uphold:
        new = reassessed(declaration)
        refund = declaration.paid - new.total
    else:
        new, refund = old, 0
    pool = env.officer.refund_pool()
    check(0 <= refund <= pool and (refund > 0) == uphold, f"refund {refund}, pool {pool}")
    funds = Balances(env.balance, trader, env.customs, env.treasury.sender.address)
    receipt = env.appeals.decide_appeal(declaration.id, uphold, new.duty, new.vat, APPEAL_REASON)
    decided = event(receipt, "AppealDecided")
    check(
        int(decided["declarationId"]) == declaration.id
        and bool(decided["upheld"]) is uphold
        and (int(decided["newDuty"]), int(decided["newVat"])) == (new.duty, new.vat)
        and int(decided["refund"]) == refund
        and int(decided["reasonCode"]) == APPEAL_REASON,
        f"AppealDecided {decided}",
    )
    want = [(env.customs, trader, refund)] if uphold else []
    check(
        token_transfers(env, receipt) == want, f"appeal transfers {token_transfers(env, receipt)}"
    )
    funds.moved({trader: refund, env.customs: -refund}, f"appeal of {declaration.id}")
    check(env.officer.refund_pool() == pool - refund, "refund pool after the decision")
    record = env.officer.declaration(declaration.id)
    check(
        record.appeal == ("Upheld" if uphold else "Dismissed")
        and (record.duty, record.vat, record.refunded) == (new.duty, new.vat, refund),
        f"decided {record}",
    )
    declaration.assessment, declaration.refunded = new, refund
    env.gas.record("decide appeal: " + ("upheld with refund" if uphold else "dismissed"), receipt)


def set_tariff(env: Env, line: TariffLine, case: str) -> None:
    receipt = env.authority.set_tariff(line)
    if line.origin is None:
        args = event(receipt, "TariffSet")
    else:
        args = event(receipt, "PreferentialTariffSet")
        check(int(args["origin"]) == line.origin, f"PreferentialTariffSet {args}")
    check(
        int(args["hsCode"]) == line.hs_code
        and int(args["rateBps"]) == line.rate_bps
        and int(args["effectiveFrom"]) == line.effective_from,
        f"{case}: {args}",
    )
    origin = GENERAL_ORIGINS[0] if line.origin is None else line.origin
    got = env.officer.duty_rate(line.hs_code, origin, at=line.effective_from)
    check(got == (line.rate_bps, line.origin is not None), f"{case}: rate then {got}")
    if line.hs_code in HS_CODES:  # the rate in force now has not changed
        now = env.officer.duty_rate(line.hs_code, origin)
        check(now == expected_rate(line.hs_code, origin), f"{case}: rate now {now}")
    env.gas.record(case, receipt)


def final_checks(env: Env) -> None:
    """Every trader's statement (from events) and the contract's balance."""
    for trader in env.traders:
        address = trader.sender.address
        mine = [d for d in env.declarations if d.trader is trader]
        statement = env.officer.statement(address)
        check(
            [d.declaration_id for d in statement.declarations] == [d.id for d in mine]
            and statement.total_paid == sum(d.paid for d in mine)
            and statement.total_refunded == sum(d.refunded for d in mine),
            f"statement of {address}",
        )
        for entry, d in zip(statement.declarations, mine, strict=True):
            check(
                (entry.duty, entry.vat, entry.lines)
                == (d.assessment.duty, d.assessment.vat, d.lines),
                f"statement of {address}, declaration {d.id}",
            )
    held = env.officer.refund_pool() + env.officer.escrow_held()
    check(
        env.balance(env.customs) == held,
        f"the contract holds {env.balance(env.customs)}, not {held}",
    )


def run_scenario(env: Env) -> None:
    traders, exporters = env.traders, env.exporters
    turn = itertools.cycle(traders)

    def next_trader() -> CustomsClient:
        return next(turn)

    # 1. Filing: the first declaration of the deployment, then SAMPLES of each size.
    first = file(env, next_trader(), env.maker.lines(0, 1), FIRST_FILE)
    by_size: dict[int, list[Declaration]] = {}
    for n in SIZES:
        by_size[n] = [
            file(env, next_trader(), env.maker.lines(i, n), file_case(n)) for i in range(SAMPLES)
        ]
    one, two, five = by_size[1], by_size[2], by_size[5]

    # 2. Before payment: an amendment and an officer's override.
    amend(env, five[0])
    override(env, two[0])

    # 3. Payments: the first (the treasury's balance created), then all but two, by the trader
    # or by the broker for traders who authorised it (alternately).
    pay(env, first, first.trader, FIRST_PAY)
    seized, outstanding = two[1], one[2]
    brokered = 0
    for d in env.declarations[1:]:
        if d in (seized, outstanding):
            continue
        if traders.index(d.trader) in BROKERED and brokered % 2 == 0:
            pay(env, d, env.broker, PAY_BROKER)
        else:
            pay(env, d, d.trader, PAY_TRADER)
        brokered += traders.index(d.trader) in BROKERED

    # 4. The treasury funds the refund pool from a quarter of its receipts.
    fund_pool(env, env.balance(env.treasury.sender.address) // 4, FIRST_POOL)

    # 5. Escrows (exporters 0 and 1 hold the token, 2 and 3 never held it).
    claims = [
        (open_escrow(env, first, exporters[0]), exporters[0]),
        (open_escrow(env, one[0], exporters[1]), exporters[1]),
        (open_escrow(env, one[1], exporters[2]), exporters[2]),
        (open_escrow(env, five[1], exporters[0]), exporters[0]),
        (open_escrow(env, five[2], exporters[3]), exporters[3]),
        (open_escrow(env, two[2], exporters[1]), exporters[1]),
    ]
    refunded = open_escrow(env, seized, exporters[1])
    open_escrow(env, outstanding, exporters[0])  # stays open: the goods are never paid

    # 6. Holds, then release: the traders release paid goods, the officer the held ones.
    hold(env, five[1])
    hold(env, seized)
    for d in env.declarations:
        if d.paid and d is not five[1]:
            release(env, d, d.trader)
    release(env, five[1], env.officer)

    # 7. Exporters claim.
    for escrow_id, exporter in claims:
        settle(env, escrow_id, exporter, claim=True)

    # 8. Seizure; the bank has its escrow back.
    seize(env, seized)
    settle(env, refunded, env.bank, claim=False)

    # 9. Appeals: one upheld with a refund from the pool (the first 2-line declaration whose
    # re-classification lowers what was paid), one dismissed; the pool topped up.
    upheld = next(
        d for d in [two[2], *by_size[5], *by_size[10]] if d.paid and reassessed(d).total < d.paid
    )
    appeal(env, upheld)
    decide(env, upheld, uphold=True)
    appeal(env, one[1])
    decide(env, one[1], uphold=False)
    fund_pool(env, 50_000 * UNIT, TOP_UP)

    # 10. Next year's rates published.
    later = env.now() + 2 * YEAR
    set_tariff(
        env, TariffLine(NEW_GENERAL[0], NEW_GENERAL[1], later), "set tariff: code with history"
    )
    hs_code, origin, rate = NEW_PREFERENTIAL
    set_tariff(
        env,
        TariffLine(hs_code, rate, later, origin),
        "set preferential tariff: first for the origin",
    )
    set_tariff(
        env, TariffLine(NEW_CODE[0], NEW_CODE[1], later), "set tariff: first rate of a new code"
    )
    final_checks(env)


# -- the table -----------------------------------------------------------------------------------


def marginal_rows(by_case: GasByCase) -> list[Row]:
    """The marginal cost of a line from 1 to n lines (largest filings), and the largest."""
    largest = {n: max(by_case[file_case(n)]) for n in SIZES}
    rows = []
    for n in SIZES[1:]:
        rows.append(
            Row(
                operation=f"  from 1 to {n} lines",
                measured=(largest[n] - largest[1]) / (n - 1),
                detail={"lines": n, "gas": largest[n], "gas_1_line": largest[1]},
            )
        )
    top = max(rows, key=lambda r: r.measured)
    head = Row(
        operation=f"{MARGINAL} (largest marginal)",
        measured=top.measured,
        budget=BUDGET_LINE,
        detail={r.operation.strip(): r.measured for r in rows},
    )
    return [head, *rows]


def build_rows(by_case: GasByCase) -> list[Row]:
    row = by_case.row
    files = [
        row(
            f"file {n} line{'s' if n > 1 else ''} (largest of {SAMPLES})",
            [file_case(n)],
            BUDGET_FILE + BUDGET_LINE * (n - 1),
        )
        for n in SIZES
    ]
    pays = [PAY_TRADER, PAY_BROKER]
    releases = [RELEASE_TRADER, RELEASE_OFFICER]
    return [
        *files,
        *marginal_rows(by_case),
        row("  first declaration of the deployment (1 line)", [FIRST_FILE]),
        row("pay duty and VAT (largest case)", pays, BUDGET_PAY),
        row("  by the trader", pays[:1]),
        row("  by an authorised broker", pays[1:]),
        row("  first payment of the deployment (treasury from zero)", [FIRST_PAY]),
        row("release goods (largest case)", releases, BUDGET_RELEASE),
        row("  paid, released by the trader", releases[:1]),
        row("  held and paid, released by an officer", releases[1:]),
        row("escrow release: claimEscrow (exporter holds the token)", [CLAIM_HOLDER], BUDGET_CLAIM),
        row("  exporter who never held the token", [CLAIM_NEW]),
        *by_case.info_rows(
            [
                "amend (5 lines)",
                "override assessment",
                "hold: assessed, unpaid",
                "hold: paid goods",
                "seize",
                "appeal",
                "decide appeal: upheld with refund",
                "decide appeal: dismissed",
                FIRST_POOL,
                TOP_UP,
                FIRST_ESCROW,
                OPEN_ESCROW,
                "refund escrow (goods seized)",
                "set tariff: code with history",
                "set preferential tariff: first for the origin",
                "set tariff: first rate of a new code",
            ]
        ),
    ]


def fit_note(env: Env) -> str:
    """Least-squares gas = a + b × lines over every steady-state filing."""
    points = [(n, g) for n in SIZES for g in env.gas[file_case(n)]]
    mean_n = sum(n for n, _ in points) / len(points)
    mean_g = sum(g for _, g in points) / len(points)
    slope = sum((n - mean_n) * (g - mean_g) for n, g in points) / sum(
        (n - mean_n) ** 2 for n, _ in points
    )
    return (
        f"least-squares fit over {len(points)} filings: {mean_g - slope * mean_n:,.0f} "
        f"+ {slope:,.0f} per line"
    )


def measure(session: Session, seed: int) -> bench.Result:
    env = set_up(session, seed)
    run_scenario(env)
    rows = build_rows(env.gas)
    lines = env.preferential_lines + env.general_lines
    by_case = [r for r in rows if r.unit == "gas" and not r.operation.startswith(MARGINAL)]
    notes = [
        *bench.case_notes(by_case),
        fit_note(env),
        f"schedule: {len(HS_CODES)} HS codes with {sum(len(h) for h, _ in HS_CODES.values())} "
        f"general rates ({sum(p is not None for _, p in HS_CODES.values())} codes with next "
        f"year's rate published), {len(PREFERENCES)} preferential (HS code, origin) with "
        f"{sum(len(h) for h in PREFERENCES.values())} rates, VAT {VAT_HISTORY[-1] / 100:g} % "
        f"after {len(VAT_HISTORY) - 1} changes; {lines} lines filed, "
        f"{env.preferential_lines} at a preferential rate",
    ]
    extra = {"gas_by_case": dict(env.gas)}
    return bench.Result(rows, notes, extra)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.customs_gas",
        description="Gas of Customs (via CustomsClient) against the issue's budgets.",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="for the lines' values")
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
