"""Customs through its Python client: every transition, every named error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from customs_env import (
    CARS,
    CHINA,
    DAY,
    EXPORTER,
    GERMANY,
    INVOICE,
    KENYA,
    STEEL,
    TEA,
    TRADER_FUNDS,
    CustomsEnv,
    make_customs_env,
)
from govchain import contract_error
from govchain.chain import Chain
from govchain.clients.customs import (
    CustomsClient,
    CustomsInputError,
    DeclarationLine,
    TariffLine,
    assess,
    load_declaration,
    load_tariff_csv,
)
from govchain.project import Project
from govchain.sender import Receipt
from govchain.session import Session, registries

# DeclarationStatus, AppealStatus and EscrowStatus codes, as the errors report them.
ASSESSED, PAID, HELD, RELEASED, SEIZED = range(1, 6)
LODGED, UPHELD, DISMISSED = range(1, 4)
ESCROW_OPEN, ESCROW_RELEASED, ESCROW_REFUNDED = range(1, 4)
MAX_LINES = 50
UINT96_MAX = 2**96 - 1
ZERO_ADDRESS = "0x" + "00" * 20
AMENDED = keccak(text="corrected invoice")
GROUNDS = keccak(text="grounds of appeal")
LINE_TYPE = "(uint32,uint16,uint96,uint64)[]"

# The schedule in force for every test (set by the module's deployment).
BASE_RATES = {CARS: 1_000, TEA: 500, STEEL: 2_500}
BASE_PREFERENTIAL = {(TEA, KENYA): 0, (STEEL, CHINA): 1_200}
BASE_VAT = 1_600

CAR = DeclarationLine(CARS, GERMANY, 2_500_001, 1)  # duty 250,000 (floor of 250,000.1)
CAR_DUE = 250_000 + (2_500_001 + 250_000) * 1_600 // 10_000


@pytest.fixture(scope="module")
def deployed(project: Project, _anvil_chain: Chain) -> Iterator[CustomsEnv]:
    """One deployment and schedule for the module (the chain is reverted to it around each test)."""
    snapshot = _anvil_chain.rpc("evm_snapshot")
    errors, events = registries(project)
    session = Session(project, _anvil_chain, errors, events)
    env = make_customs_env(session, _anvil_chain)
    base = [TariffLine(hs, rate, 0) for hs, rate in BASE_RATES.items()]
    base += [TariffLine(hs, rate, 0, origin) for (hs, origin), rate in BASE_PREFERENTIAL.items()]
    env.base_start = env.schedule(base, vat_bps=BASE_VAT)
    yield env
    assert _anvil_chain.rpc("evm_revert", snapshot) is True


@pytest.fixture
def env(deployed: CustomsEnv, session: Session, chain: Chain) -> CustomsEnv:
    """The module's deployment, driven through this test's session (fresh nonce tracking)."""
    return deployed.bind(session, chain)


# -- helpers ---------------------------------------------------------------------------------------


def who(client: CustomsClient) -> str:
    return str(client.sender.address)


def role(name: str) -> bytes:
    return keccak(text=name)


def at(env: CustomsEnv, timestamp: int) -> None:
    """Stamp the next block (and the estimates made against it) at ``timestamp``."""
    env.chain.rpc("evm_setNextBlockTimestamp", timestamp)


def mined_at(env: CustomsEnv, receipt: Receipt) -> int:
    return int(env.chain.w3.eth.get_block(receipt.block_number)["timestamp"])


def args(receipt: Receipt, name: str) -> dict[str, Any]:
    return dict(receipt.event(name).args)


def denied(client: CustomsClient, role_name: str) -> dict[str, Any]:
    return {"account": who(client), "neededRole": role(role_name)}


def raw(client: CustomsClient, function: str, *arguments: Any) -> Receipt:
    """Call the contract straight, bypassing the client's conveniences (e.g. approvals)."""
    return client.sender.transact(client.contract.functions[function](*arguments))


def approve(env: CustomsEnv, client: CustomsClient, amount: int) -> None:
    client.sender.transact(env.token.functions.approve(client.address, amount))


def mint(env: CustomsEnv, account: str, amount: int) -> None:
    env.governance.sender.transact(env.token.functions.mint(account, amount))


def lines_hash(lines: list[DeclarationLine]) -> bytes:
    return keccak(encode([LINE_TYPE], [[line.as_struct() for line in lines]]))


def base_rate(hs_code: int, origin: int) -> int:
    return BASE_PREFERENTIAL.get((hs_code, origin), BASE_RATES[hs_code])


def due_of(env: CustomsEnv, declaration_id: int) -> int:
    record = env.officer.declaration(declaration_id)
    return record.duty + record.vat


def filed_car(env: CustomsEnv, trader: int = 0) -> int:
    return env.file(env.traders[trader], [CAR])


def paid_car(env: CustomsEnv, trader: int = 0) -> int:
    declaration_id = filed_car(env, trader)
    env.traders[trader].pay(declaration_id)
    return declaration_id


def open_escrow(
    env: CustomsEnv, declaration_id: int, amount: int = 70_000, deadline: int | None = None
) -> tuple[int, int]:
    """Escrow ``amount`` from the funder for EXPORTER; returns (escrow id, deadline)."""
    deadline = env.now() + 30 * DAY if deadline is None else deadline
    receipt = env.funder.open_escrow(declaration_id, EXPORTER, amount, deadline)
    return int(receipt.event("EscrowOpened")["escrowId"]), deadline


# -- the whole path --------------------------------------------------------------------------------


def test_declaration_is_assessed_paid_to_the_treasury_and_released(env: CustomsEnv) -> None:
    env.schedule(
        [TariffLine(CARS, 1_000, 0), TariffLine(TEA, 500, 0), TariffLine(TEA, 0, 0, KENYA)],
        vat_bps=1_600,
    )
    trader = env.traders[0]
    lines = [
        DeclarationLine(CARS, GERMANY, 2_500_001, 1),
        DeclarationLine(TEA, KENYA, 40_000, 500),
        DeclarationLine(TEA, GERMANY, 10_003, 10),
    ]
    preview = trader.preview(lines)
    assert preview.rates == [1_000, 0, 500]
    declaration_id = env.file(trader, lines)
    record = trader.declaration(declaration_id)
    assert (record.duty, record.vat) == (preview.duty, preview.vat)
    assert record.duty == 250_000 + 0 + 500  # floors: 250,000.1 and 500.15
    treasury = env.treasury.sender.address
    before = env.balance(treasury)
    trader.pay(declaration_id)
    assert env.balance(treasury) == before + preview.total
    env.officer.release(declaration_id)
    assert trader.declaration(declaration_id).status == "Released"
    statement = trader.statement(trader.sender.address)
    assert [d.declaration_id for d in statement.declarations] == [declaration_id]
    assert statement.total_paid == preview.total


# -- the tariff schedule ---------------------------------------------------------------------------


def test_rates_take_effect_at_their_time_and_history_is_kept(env: CustomsEnv) -> None:
    start = env.base_start
    later = env.now() + DAY
    assert args(env.authority.set_tariff(TariffLine(CARS, 1_500, later)), "TariffSet") == {
        "hsCode": CARS,
        "rateBps": 1_500,
        "effectiveFrom": later,
    }
    pref = env.authority.set_tariff(TariffLine(CARS, 300, later, GERMANY))
    assert args(pref, "PreferentialTariffSet") == {
        "hsCode": CARS,
        "origin": GERMANY,
        "rateBps": 300,
        "effectiveFrom": later,
    }
    assert args(env.authority.set_vat_rate(2_000, later), "VatRateSet") == {
        "rateBps": 2_000,
        "effectiveFrom": later,
    }
    view = env.traders[0]
    # Before the base schedule nothing was in force; VAT was 0.
    with pytest.raises(contract_error("CustomsNoTariffLine")) as info:
        view.duty_rate(CARS, GERMANY, start - 1)
    assert info.value.inputs == {"hsCode": CARS, "timestamp": start - 1}
    assert view.vat_rate(start - 1) == 0
    assert view.duty_rate(CARS, GERMANY, start) == (1_000, False)
    assert view.duty_rate(CARS, GERMANY, later - 1) == (1_000, False)
    assert view.duty_rate(CARS, GERMANY, later) == (300, True)
    assert view.duty_rate(CARS, CHINA, later) == (1_500, False)
    assert view.duty_rate(TEA, KENYA, start) == (0, True)  # a preferential rate of zero
    assert (view.vat_rate(later - 1), view.vat_rate(later)) == (1_600, 2_000)
    assert view.duty_rate(CARS, GERMANY) == (1_000, False)  # default: the latest block
    env.travel_to(later + 10)
    assert view.duty_rate(CARS, GERMANY) == (300, True)
    assert view.vat_rate() == 2_000
    # History did not change by the new rates taking effect.
    assert view.duty_rate(CARS, GERMANY, later - 1) == (1_000, False)


def test_rates_must_take_effect_in_the_future(env: CustomsEnv) -> None:
    t = env.now() + 100
    cases = [t, t - 1, env.base_start, 1, 2**32]
    for effective in cases:
        for line in (TariffLine(CARS, 9, effective), TariffLine(CARS, 9, effective, GERMANY)):
            at(env, t)
            with pytest.raises(contract_error("CustomsRateNotInFuture")) as info:
                env.authority.set_tariff(line)
            assert info.value.inputs == {"effectiveFrom": effective}, line
        at(env, t)
        with pytest.raises(contract_error("CustomsRateNotInFuture")) as info:
            env.authority.set_vat_rate(9, effective)
        assert info.value.inputs == {"effectiveFrom": effective}
    # One second after the block is accepted, as is the last instant the keys can hold.
    at(env, t)
    env.authority.set_tariff(TariffLine(CARS, 1_100, t + 1))
    env.authority.set_tariff(TariffLine(STEEL, 2_600, 2**32 - 1))
    assert env.traders[0].duty_rate(CARS, GERMANY, t + 1) == (1_100, False)
    assert env.traders[0].duty_rate(CARS, GERMANY, t) == (1_000, False)


def test_a_pending_rate_can_be_replaced_but_not_preceded(env: CustomsEnv) -> None:
    later = env.now() + 10 * DAY
    env.authority.set_tariff(TariffLine(CARS, 1_500, later))
    env.authority.set_tariff(TariffLine(CARS, 1_700, later))  # same instant: replaces
    assert env.traders[0].duty_rate(CARS, GERMANY, later) == (1_700, False)
    # A change before one already scheduled is refused (the history only grows).
    with pytest.raises(contract_error("CheckpointUnorderedInsertion")) as info:
        env.authority.set_tariff(TariffLine(CARS, 1_200, later - DAY))
    assert info.value.inputs == {}
    # Other HS codes have their own history.
    env.authority.set_tariff(TariffLine(TEA, 700, later - DAY))
    assert env.traders[0].duty_rate(TEA, GERMANY, later - DAY) == (700, False)


def test_hs_codes_and_origins_are_checked(env: CustomsEnv) -> None:
    later = env.now() + DAY
    for bad in (0, 9_999, 1_000_000, 2**32 - 1):
        for line in (TariffLine(bad, 1, later), TariffLine(bad, 1, later, GERMANY)):
            with pytest.raises(contract_error("CustomsInvalidHsCode")) as info:
                env.authority.set_tariff(line)
            assert info.value.inputs == {"hsCode": bad}
    for bad in (0, 1_000, 2**16 - 1):
        with pytest.raises(contract_error("CustomsInvalidOrigin")) as info:
            env.authority.set_tariff(TariffLine(CARS, 1, later, bad))
        assert info.value.inputs == {"origin": bad}
    # The bounds themselves are valid.
    env.authority.set_tariff(TariffLine(10_000, 1, later))
    env.authority.set_tariff(TariffLine(999_999, 2, later))
    env.authority.set_tariff(TariffLine(10_000, 3, later, 1))
    env.authority.set_tariff(TariffLine(999_999, 4, later, 999))
    view = env.traders[0]
    assert view.duty_rate(10_000, 1, later) == (3, True)
    assert view.duty_rate(10_000, 2, later) == (1, False)
    assert view.duty_rate(999_999, 999, later) == (4, True)


def test_only_the_tariff_authority_sets_rates(env: CustomsEnv) -> None:
    later = env.now() + DAY
    for client in (env.traders[0], env.officer, env.governance, env.registrar):
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            client.set_tariff(TariffLine(CARS, 1, later))
        assert info.value.inputs == denied(client, "TARIFF_AUTHORITY_ROLE")
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            client.set_tariff(TariffLine(CARS, 1, later, GERMANY))
        assert info.value.inputs == denied(client, "TARIFF_AUTHORITY_ROLE")
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            client.set_vat_rate(1, later)
        assert info.value.inputs == denied(client, "TARIFF_AUTHORITY_ROLE")
    assert env.traders[0].duty_rate(CARS, GERMANY, later) == (1_000, False)


def test_officials_functions_refuse_other_accounts(env: CustomsEnv) -> None:
    declaration_id = filed_car(env)
    trader = env.traders[0]
    calls = [
        ("TRADER_REGISTRAR_ROLE", lambda c: c.set_trader(who(env.broker))),
        ("CUSTOMS_OFFICER_ROLE", lambda c: c.override_assessment(declaration_id, 1, 1, 1)),
        ("CUSTOMS_OFFICER_ROLE", lambda c: c.hold(declaration_id, 1)),
        ("CUSTOMS_OFFICER_ROLE", lambda c: c.seize(declaration_id, 1)),
        ("APPEALS_OFFICER_ROLE", lambda c: c.decide_appeal(declaration_id, False)),
        ("PAUSER_ROLE", lambda c: c.pause()),
    ]
    for role_name, call in calls:
        for client in (trader, env.authority):
            with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
                call(client)
            assert info.value.inputs == denied(client, role_name)
    assert trader.declaration(declaration_id).status == "Assessed"


# -- traders and brokers ---------------------------------------------------------------------------


def test_only_registered_traders_file(env: CustomsEnv) -> None:
    outsider = env.broker
    assert not outsider.contract.functions.isTrader(who(outsider)).call()
    with pytest.raises(contract_error("CustomsNotRegisteredTrader")) as info:
        outsider.file([CAR], INVOICE)
    assert info.value.inputs == {"account": who(outsider)}
    licence = keccak(text="licence")
    receipt = env.registrar.set_trader(who(outsider), True, licence)
    assert args(receipt, "TraderRegistered") == {
        "trader": who(outsider),
        "registered": True,
        "documentHash": licence,
    }
    assert outsider.contract.functions.isTrader(who(outsider)).call()
    first = env.file(outsider, [CAR])
    assert outsider.declaration(first).trader == who(outsider)
    # Deregistered: no more filing; what was filed can still be paid.
    receipt = env.registrar.set_trader(who(outsider), False, licence)
    assert args(receipt, "TraderRegistered")["registered"] is False
    with pytest.raises(contract_error("CustomsNotRegisteredTrader")) as info:
        outsider.file([CAR], INVOICE)
    assert info.value.inputs == {"account": who(outsider)}
    outsider.pay(first)
    assert outsider.declaration(first).status == "Paid"
    with pytest.raises(contract_error("GovchainZeroAddress")) as info:
        env.registrar.set_trader(ZERO_ADDRESS)
    assert info.value.inputs == {"parameter": "trader"}


# -- filing and assessment -------------------------------------------------------------------------


def test_filing_records_the_declaration_and_its_assessment(env: CustomsEnv) -> None:
    trader = env.traders[1]
    lines = [
        DeclarationLine(STEEL, CHINA, 1_000_003, 20),  # preferential 12 %
        DeclarationLine(STEEL, GERMANY, 999, 1),  # general 25 %
        DeclarationLine(TEA, KENYA, 77_777, 3),  # preferential 0 %
    ]
    receipt = trader.file(lines, INVOICE)
    filed = args(receipt, "DeclarationFiled")
    assert filed == {
        "declarationId": 1,
        "trader": who(trader),
        "documentHash": INVOICE,
        "lines": [line.as_struct() for line in lines],
    }
    duties = [1_000_003 * 1_200 // 10_000, 999 * 2_500 // 10_000, 0]
    assert duties == [120_000, 249, 0]  # floors of 120,000.36 and 249.75
    vats = [
        (1_000_003 + 120_000) * 1_600 // 10_000,  # 179,200.48
        (999 + 249) * 1_600 // 10_000,  # VAT on value plus duty: 199.68
        77_777 * 1_600 // 10_000,  # 12,444.32
    ]
    assert args(receipt, "DeclarationAssessed") == {
        "declarationId": 1,
        "duty": sum(duties),
        "vat": sum(vats),
        "rates": [1_200, 2_500, 0],
        "lineDuties": duties,
    }
    record = trader.declaration(1)
    assert record.trader == who(trader)
    assert (record.status, record.paid, record.appeal) == ("Assessed", False, "None")
    assert record.filed_at == mined_at(env, receipt)
    assert (record.line_count, record.duty, record.vat, record.refunded) == (
        3,
        sum(duties),
        sum(vats),
        0,
    )
    assert (record.document_hash, record.lines_hash) == (INVOICE, lines_hash(lines))
    assert record.due == sum(duties) + sum(vats)
    # The client's preview and formula agree to the unit.
    preview = trader.preview(lines, at=record.filed_at)
    assert (preview.duty, preview.vat, preview.rates, preview.line_duties) == (
        sum(duties),
        sum(vats),
        [1_200, 2_500, 0],
        duties,
    )
    assert assess(lines, base_rate, BASE_VAT) == preview
    assert env.file(trader, [CAR]) == 2  # ids count up


def test_a_declaration_has_one_to_fifty_lines(env: CustomsEnv) -> None:
    trader = env.traders[0]
    assert trader.contract.functions.MAX_LINES().call() == MAX_LINES
    for count in (0, MAX_LINES + 1):
        with pytest.raises(contract_error("CustomsLineCount")) as info:
            trader.file([CAR] * count, INVOICE)
        assert info.value.inputs == {"count": count}
    declaration_id = env.file(trader, [CAR] * MAX_LINES)
    record = trader.declaration(declaration_id)
    assert (record.line_count, record.duty) == (MAX_LINES, MAX_LINES * 250_000)
    for count in (0, MAX_LINES + 1):
        with pytest.raises(contract_error("CustomsLineCount")) as info:
            trader.amend(declaration_id, [CAR] * count, AMENDED)
        assert info.value.inputs == {"count": count}
    assert trader.declaration(declaration_id).line_count == MAX_LINES


def test_a_line_with_zero_value_is_refused(env: CustomsEnv) -> None:
    trader = env.traders[0]
    empty = DeclarationLine(TEA, KENYA, 0, 5)
    with pytest.raises(contract_error("CustomsZeroValue")) as info:
        trader.file([CAR, CAR, empty], INVOICE)
    assert info.value.inputs == {"line": 2}
    with pytest.raises(contract_error("CustomsZeroValue")) as info:
        trader.file([empty], INVOICE)
    assert info.value.inputs == {"line": 0}
    declaration_id = filed_car(env)
    with pytest.raises(contract_error("CustomsZeroValue")) as info:
        trader.amend(declaration_id, [CAR, empty], AMENDED)
    assert info.value.inputs == {"line": 1}


def test_a_line_needs_a_rate_in_force_at_filing(env: CustomsEnv) -> None:
    trader = env.traders[0]
    later = env.now() + DAY
    coffee = 90_111
    env.authority.set_tariff(TariffLine(coffee, 800, later))  # not yet in force
    env.authority.set_tariff(TariffLine(200_000, 800, later, KENYA))  # only preferential
    t = env.now() + 10
    for hs_code, origin in [(coffee, KENYA), (123, GERMANY), (999_998, GERMANY)]:
        at(env, t)
        with pytest.raises(contract_error("CustomsNoTariffLine")) as info:
            trader.file([CAR, DeclarationLine(hs_code, origin, 100, 1)], INVOICE)
        assert info.value.inputs == {"hsCode": hs_code, "timestamp": t}
        t += 1
    env.travel_to(later)
    at(env, later + 1)
    with pytest.raises(contract_error("CustomsNoTariffLine")) as info:
        trader.file([DeclarationLine(200_000, GERMANY, 100, 1)], INVOICE)
    assert info.value.inputs == {"hsCode": 200_000, "timestamp": later + 1}
    declaration_id = env.file(
        trader, [DeclarationLine(200_000, KENYA, 100, 1), DeclarationLine(coffee, KENYA, 100, 1)]
    )
    assert trader.declaration(declaration_id).duty == 8 + 8


def test_assessments_that_do_not_fit_96_bits_are_refused(env: CustomsEnv) -> None:
    trader = env.traders[0]
    env.schedule([TariffLine(CARS, 2**16 - 1, 0)], vat_bps=2**16 - 1)
    biggest = DeclarationLine(CARS, GERMANY, UINT96_MAX, 1)
    duty = UINT96_MAX * (2**16 - 1) // 10_000
    with pytest.raises(contract_error("CustomsAmountTooLarge")) as info:
        trader.file([biggest], INVOICE)
    assert info.value.inputs == {"amount": duty}
    # The duty fits, the VAT does not.
    value = UINT96_MAX // 7
    line = DeclarationLine(CARS, GERMANY, value, 1)
    line_duty = value * (2**16 - 1) // 10_000
    assert line_duty <= UINT96_MAX
    with pytest.raises(contract_error("CustomsAmountTooLarge")) as info:
        trader.file([line], INVOICE)
    assert info.value.inputs == {"amount": (value + line_duty) * (2**16 - 1) // 10_000}


def test_a_filing_is_assessed_at_the_rates_of_its_time(env: CustomsEnv) -> None:
    """Preferential beats general, VAT on value + duty, and the history holds for amendments."""
    trader = env.traders[0]
    steel = [DeclarationLine(STEEL, CHINA, 10_000, 1), DeclarationLine(STEEL, KENYA, 10_000, 1)]
    early = trader.file(steel, INVOICE)
    early_id = int(early.event("DeclarationFiled")["declarationId"])
    assert args(early, "DeclarationAssessed")["rates"] == [1_200, 2_500]
    change = env.now() + 5 * DAY
    env.authority.set_tariff(TariffLine(STEEL, 3_000, change))
    env.authority.set_tariff(TariffLine(STEEL, 100, change, KENYA))
    env.authority.set_tariff(TariffLine(STEEL, 1_300, change, CHINA))
    env.authority.set_vat_rate(2_000, change)
    # Filed the second before the change: old rates; filed at the change: the new ones.
    at(env, change - 1)
    before = env.file(trader, steel)
    at(env, change)
    after_receipt = trader.file(steel + [DeclarationLine(STEEL, GERMANY, 10_000, 1)], INVOICE)
    after = int(after_receipt.event("DeclarationFiled")["declarationId"])
    assert args(after_receipt, "DeclarationAssessed") == {
        "declarationId": after,
        "duty": 1_300 + 100 + 3_000,
        "vat": (11_300 + 10_100 + 13_000) * 2_000 // 10_000,
        "rates": [1_300, 100, 3_000],
        "lineDuties": [1_300, 100, 3_000],
    }
    old = {"duty": 1_200 + 2_500, "vat": (11_200 + 12_500) * 1_600 // 10_000}
    for declaration_id in (early_id, before):
        record = trader.declaration(declaration_id)
        assert {"duty": record.duty, "vat": record.vat} == old
    # Amended after the change: re-assessed at the rates in force when it was filed.
    env.travel_to(change + DAY)
    amended_lines = steel + [DeclarationLine(STEEL, GERMANY, 20_001, 1)]
    receipt = trader.amend(early_id, amended_lines, AMENDED)
    assert args(receipt, "DeclarationAmended") == {
        "declarationId": early_id,
        "documentHash": AMENDED,
        "lines": [line.as_struct() for line in amended_lines],
    }
    assert args(receipt, "DeclarationAssessed") == {
        "declarationId": early_id,
        "duty": 1_200 + 2_500 + 5_000,  # 20,001 × 25 % = 5,000.25
        "vat": 11_200 * 1_600 // 10_000 + 12_500 * 1_600 // 10_000 + 25_001 * 1_600 // 10_000,
        "rates": [1_200, 2_500, 2_500],
        "lineDuties": [1_200, 2_500, 5_000],
    }
    record = trader.declaration(early_id)
    assert record.filed_at == mined_at(env, early)
    assert (record.line_count, record.document_hash) == (3, AMENDED)
    assert record.lines_hash == lines_hash(amended_lines)
    preview = trader.preview(amended_lines, at=record.filed_at)
    assert (preview.duty, preview.vat) == (record.duty, record.vat)
    assert trader.preview(amended_lines).rates == [1_300, 100, 3_000]  # today's rates


# -- amendment -------------------------------------------------------------------------------------


def test_only_the_trader_amends_and_only_before_payment(env: CustomsEnv) -> None:
    declaration_id = filed_car(env)
    for client in (env.traders[1], env.officer, env.broker):
        with pytest.raises(contract_error("CustomsNotTrader")) as info:
            client.amend(declaration_id, [CAR, CAR], AMENDED)
        assert info.value.inputs == {"declarationId": declaration_id, "account": who(client)}
    with pytest.raises(contract_error("CustomsUnknownDeclaration")) as info:
        env.traders[0].amend(99, [CAR], AMENDED)
    assert info.value.inputs == {"declarationId": 99}
    env.traders[0].pay(declaration_id)
    with pytest.raises(contract_error("CustomsAlreadyPaid")) as info:
        env.traders[0].amend(declaration_id, [CAR, CAR], AMENDED)
    assert info.value.inputs == {"declarationId": declaration_id}
    # A seized declaration that was never paid cannot be amended either.
    seized = filed_car(env)
    env.officer.hold(seized, 1)
    env.officer.seize(seized, 2)
    with pytest.raises(contract_error("CustomsWrongStatus")) as info:
        env.traders[0].amend(seized, [CAR], AMENDED)
    assert info.value.inputs == {"declarationId": seized, "status": SEIZED}
    record = env.traders[0].declaration(declaration_id)
    assert (record.line_count, record.document_hash) == (1, INVOICE)


def test_amending_a_held_declaration_keeps_the_goods_held(env: CustomsEnv) -> None:
    declaration_id = filed_car(env)
    env.officer.hold(declaration_id, 7)
    env.traders[0].amend(declaration_id, [CAR, CAR], AMENDED)  # allowed: it is unpaid
    assert env.traders[0].declaration(declaration_id).status == "Held"
    env.traders[0].pay(declaration_id)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")):
        env.traders[1].release(declaration_id)


def test_a_line_with_an_invalid_origin_is_refused(env: CustomsEnv) -> None:
    for origin in (0, 1_000):
        with pytest.raises(contract_error("CustomsInvalidOrigin")) as info:
            env.traders[0].file([DeclarationLine(CARS, origin, 100, 1)], INVOICE)
        assert info.value.inputs == {"origin": origin}


# -- payment ---------------------------------------------------------------------------------------


def test_payment_of_exactly_the_due_amount_goes_to_the_treasury(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = filed_car(env)
    due = due_of(env, declaration_id)
    assert due == CAR_DUE
    treasury, payer = who(env.treasury), who(trader)
    approve(env, trader, due + 1)
    for offered in (0, due - 1, due + 1):
        with pytest.raises(contract_error("CustomsPaymentMismatch")) as info:
            raw(trader, "pay", declaration_id, offered)
        assert info.value.inputs == {
            "declarationId": declaration_id,
            "due": due,
            "offered": offered,
        }
    assert (env.balance(treasury), env.balance(payer)) == (TRADER_FUNDS, TRADER_FUNDS)
    receipt = raw(trader, "pay", declaration_id, due)
    assert args(receipt, "DutyPaid") == {
        "declarationId": declaration_id,
        "trader": payer,
        "payer": payer,
        "amount": due,
    }
    assert env.balance(treasury) == TRADER_FUNDS + due
    assert env.balance(payer) == TRADER_FUNDS - due
    assert env.held() == 0  # straight to the treasury
    record = trader.declaration(declaration_id)
    assert (record.status, record.paid, record.due) == ("Paid", True, 0)
    with pytest.raises(contract_error("CustomsAlreadyPaid")) as info:
        raw(trader, "pay", declaration_id, due)
    assert info.value.inputs == {"declarationId": declaration_id}
    with pytest.raises(contract_error("CustomsAlreadyPaid")):
        trader.pay(declaration_id)
    assert env.balance(treasury) == TRADER_FUNDS + due
    with pytest.raises(contract_error("CustomsUnknownDeclaration")) as info:
        raw(trader, "pay", 99, 1)
    assert info.value.inputs == {"declarationId": 99}


def test_payment_needs_the_allowance(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = filed_car(env)
    approve(env, trader, CAR_DUE - 1)
    with pytest.raises(contract_error("ERC20InsufficientAllowance")) as info:
        raw(trader, "pay", declaration_id, CAR_DUE)
    assert info.value.inputs == {
        "spender": trader.address,
        "allowance": CAR_DUE - 1,
        "needed": CAR_DUE,
    }
    assert trader.declaration(declaration_id).paid is False


def test_only_the_trader_or_its_brokers_pay(env: CustomsEnv) -> None:
    trader, other, broker = env.traders[0], env.traders[1], env.broker
    first, second, third = filed_car(env), filed_car(env), filed_car(env)
    theirs = filed_car(env, trader=1)
    for client in (other, broker, env.officer):
        approve(env, client, CAR_DUE)
        with pytest.raises(contract_error("CustomsNotAuthorizedPayer")) as info:
            raw(client, "pay", first, CAR_DUE)
        assert info.value.inputs == {"declarationId": first, "account": who(client)}
    assert not trader.contract.functions.isBroker(who(trader), who(broker)).call()
    receipt = trader.authorize_broker(who(broker))
    assert args(receipt, "BrokerAuthorized") == {
        "trader": who(trader),
        "broker": who(broker),
        "authorized": True,
    }
    assert trader.contract.functions.isBroker(who(trader), who(broker)).call()
    receipt = broker.pay(first)
    assert args(receipt, "DutyPaid") == {
        "declarationId": first,
        "trader": who(trader),
        "payer": who(broker),
        "amount": CAR_DUE,
    }
    # The broker's tokens paid, not the trader's.
    assert env.balance(who(broker)) == TRADER_FUNDS - CAR_DUE
    assert env.balance(who(trader)) == TRADER_FUNDS
    assert env.balance(who(env.treasury)) == TRADER_FUNDS + CAR_DUE
    broker.pay(second)
    # Authorised by one trader only.
    with pytest.raises(contract_error("CustomsNotAuthorizedPayer")) as info:
        broker.pay(theirs)
    assert info.value.inputs == {"declarationId": theirs, "account": who(broker)}
    receipt = trader.authorize_broker(who(broker), False)
    assert args(receipt, "BrokerAuthorized")["authorized"] is False
    assert not trader.contract.functions.isBroker(who(trader), who(broker)).call()
    with pytest.raises(contract_error("CustomsNotAuthorizedPayer")) as info:
        broker.pay(third)
    assert info.value.inputs == {"declarationId": third, "account": who(broker)}
    assert env.balance(who(broker)) == TRADER_FUNDS - 2 * CAR_DUE
    assert env.balance(who(env.treasury)) == TRADER_FUNDS + 2 * CAR_DUE
    with pytest.raises(contract_error("GovchainZeroAddress")) as info:
        trader.authorize_broker(ZERO_ADDRESS)
    assert info.value.inputs == {"parameter": "broker"}


# -- officers: override, hold, release, seize ------------------------------------------------------


def test_an_officer_overrides_an_unpaid_assessment(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = filed_car(env)
    before = trader.declaration(declaration_id)
    receipt = env.officer.override_assessment(declaration_id, 300_000, 12_345, 42)
    assert args(receipt, "AssessmentOverridden") == {
        "declarationId": declaration_id,
        "oldDuty": before.duty,
        "oldVat": before.vat,
        "newDuty": 300_000,
        "newVat": 12_345,
        "reasonCode": 42,
    }
    record = trader.declaration(declaration_id)
    assert (record.duty, record.vat, record.status) == (300_000, 12_345, "Assessed")
    # A second override reports the first one as the old assessment.
    receipt = env.officer.override_assessment(declaration_id, 1, 2, 43)
    assert args(receipt, "AssessmentOverridden") == {
        "declarationId": declaration_id,
        "oldDuty": 300_000,
        "oldVat": 12_345,
        "newDuty": 1,
        "newVat": 2,
        "reasonCode": 43,
    }
    for duty, vat, too_large in [(2**96, 0, 2**96), (0, 2**96, 2**96)]:
        with pytest.raises(contract_error("CustomsAmountTooLarge")) as info:
            env.officer.override_assessment(declaration_id, duty, vat, 1)
        assert info.value.inputs == {"amount": too_large}
    approve(env, trader, 3)
    with pytest.raises(contract_error("CustomsPaymentMismatch")) as info:
        raw(trader, "pay", declaration_id, CAR_DUE)
    assert info.value.inputs == {"declarationId": declaration_id, "due": 3, "offered": CAR_DUE}
    trader.pay(declaration_id)
    assert env.balance(who(env.treasury)) == TRADER_FUNDS + 3
    with pytest.raises(contract_error("CustomsAlreadyPaid")) as info:
        env.officer.override_assessment(declaration_id, 0, 0, 1)
    assert info.value.inputs == {"declarationId": declaration_id}
    with pytest.raises(contract_error("CustomsUnknownDeclaration")):
        env.officer.override_assessment(99, 0, 0, 1)


def test_a_zero_assessment_is_paid_without_a_transfer(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = filed_car(env)
    env.officer.hold(declaration_id, 1)
    env.officer.override_assessment(declaration_id, 0, 0, 9)  # a held declaration too
    receipt = raw(trader, "pay", declaration_id, 0)  # no allowance needed
    assert args(receipt, "DutyPaid")["amount"] == 0
    assert receipt.events_named("Transfer") == []
    record = trader.declaration(declaration_id)
    assert (record.status, record.paid) == ("Held", True)
    env.officer.release(declaration_id)
    assert env.balance(who(env.treasury)) == TRADER_FUNDS


def test_release_needs_payment_and_anyone_releases_paid_goods(env: CustomsEnv) -> None:
    declaration_id = filed_car(env)
    for client in (env.traders[1], env.officer, env.traders[0]):
        with pytest.raises(contract_error("CustomsNotPaid")) as info:
            client.release(declaration_id)
        assert info.value.inputs == {"declarationId": declaration_id}
    env.traders[0].pay(declaration_id)
    receipt = env.traders[1].release(declaration_id)  # anyone, once paid
    assert args(receipt, "GoodsReleased") == {
        "declarationId": declaration_id,
        "releasedBy": who(env.traders[1]),
    }
    assert env.traders[0].declaration(declaration_id).status == "Released"
    for call in (
        lambda: env.officer.release(declaration_id),
        lambda: env.officer.hold(declaration_id, 1),
        lambda: env.officer.seize(declaration_id, 1),
    ):
        with pytest.raises(contract_error("CustomsWrongStatus")) as info:
            call()
        assert info.value.inputs == {"declarationId": declaration_id, "status": RELEASED}
    with pytest.raises(contract_error("CustomsUnknownDeclaration")) as info:
        env.officer.release(99)
    assert info.value.inputs == {"declarationId": 99}


def test_held_goods_are_released_only_by_an_officer_once_paid(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = filed_car(env)
    receipt = env.officer.hold(declaration_id, 17)
    assert args(receipt, "DeclarationHeld") == {
        "declarationId": declaration_id,
        "reasonCode": 17,
        "officer": who(env.officer),
    }
    record = trader.declaration(declaration_id)
    assert (record.status, record.paid) == ("Held", False)
    with pytest.raises(contract_error("CustomsWrongStatus")) as info:
        env.officer.hold(declaration_id, 18)
    assert info.value.inputs == {"declarationId": declaration_id, "status": HELD}
    with pytest.raises(contract_error("CustomsNotPaid")) as info:
        env.officer.release(declaration_id)
    assert info.value.inputs == {"declarationId": declaration_id}
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        trader.release(declaration_id)
    assert info.value.inputs == denied(trader, "CUSTOMS_OFFICER_ROLE")
    trader.pay(declaration_id)  # a held declaration can be paid; it stays held
    record = trader.declaration(declaration_id)
    assert (record.status, record.paid) == ("Held", True)
    assert env.balance(who(env.treasury)) == TRADER_FUNDS + CAR_DUE
    for client in (trader, env.traders[1]):
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            client.release(declaration_id)
        assert info.value.inputs == denied(client, "CUSTOMS_OFFICER_ROLE")
    receipt = env.officer.release(declaration_id)
    assert args(receipt, "GoodsReleased")["releasedBy"] == who(env.officer)
    assert trader.declaration(declaration_id).status == "Released"
    # Paid goods can be held too, and then need the officer as well.
    paid = paid_car(env)
    env.officer.hold(paid, 3)
    record = trader.declaration(paid)
    assert (record.status, record.paid) == ("Held", True)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")):
        env.traders[1].release(paid)
    env.officer.release(paid)
    assert trader.declaration(paid).status == "Released"


def test_only_held_goods_are_seized(env: CustomsEnv) -> None:
    trader = env.traders[0]
    assessed, paid = filed_car(env), paid_car(env)
    for declaration_id, status in ((assessed, ASSESSED), (paid, PAID)):
        with pytest.raises(contract_error("CustomsWrongStatus")) as info:
            env.officer.seize(declaration_id, 5)
        assert info.value.inputs == {"declarationId": declaration_id, "status": status}
    with pytest.raises(contract_error("CustomsUnknownDeclaration")):
        env.officer.seize(99, 5)
    for declaration_id in (assessed, paid):
        env.officer.hold(declaration_id, 4)
        receipt = env.officer.seize(declaration_id, 5)
        assert args(receipt, "GoodsSeized") == {
            "declarationId": declaration_id,
            "reasonCode": 5,
            "officer": who(env.officer),
        }
        assert trader.declaration(declaration_id).status == "Seized"
    # The duty paid on seized goods stays with the treasury.
    assert env.balance(who(env.treasury)) == TRADER_FUNDS + CAR_DUE
    for call in (
        lambda i: env.officer.seize(i, 6),
        lambda i: env.officer.hold(i, 6),
        lambda i: env.officer.release(i),
        lambda i: env.officer.override_assessment(i, 0, 0, 6),
        lambda i: trader.amend(i, [CAR], AMENDED),
    ):
        with pytest.raises(contract_error("CustomsWrongStatus")) as info:
            call(assessed)
        assert info.value.inputs == {"declarationId": assessed, "status": SEIZED}
    approve(env, trader, CAR_DUE)
    with pytest.raises(contract_error("CustomsWrongStatus")) as info:
        raw(trader, "pay", assessed, CAR_DUE)
    assert info.value.inputs == {"declarationId": assessed, "status": SEIZED}
    with pytest.raises(contract_error("CustomsAlreadyPaid")):
        raw(trader, "pay", paid, CAR_DUE)


# -- appeals ---------------------------------------------------------------------------------------


def test_an_appeal_is_lodged_once_by_the_trader_after_payment(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = filed_car(env)
    with pytest.raises(contract_error("CustomsNotPaid")) as info:
        trader.appeal(declaration_id, GROUNDS)
    assert info.value.inputs == {"declarationId": declaration_id}
    trader.pay(declaration_id)
    for client in (env.traders[1], env.broker, env.appeals):
        with pytest.raises(contract_error("CustomsNotTrader")) as info:
            client.appeal(declaration_id, GROUNDS)
        assert info.value.inputs == {"declarationId": declaration_id, "account": who(client)}
    with pytest.raises(contract_error("CustomsUnknownDeclaration")):
        trader.appeal(99, GROUNDS)
    receipt = trader.appeal(declaration_id, GROUNDS)
    assert args(receipt, "AppealLodged") == {
        "declarationId": declaration_id,
        "documentHash": GROUNDS,
    }
    assert trader.declaration(declaration_id).appeal == "Lodged"
    with pytest.raises(contract_error("CustomsAppealExists")) as info:
        trader.appeal(declaration_id, GROUNDS)
    assert info.value.inputs == {"declarationId": declaration_id, "appeal": LODGED}


def test_an_appeal_must_exist_to_be_decided(env: CustomsEnv) -> None:
    declaration_id = paid_car(env)
    with pytest.raises(contract_error("CustomsNoAppeal")) as info:
        env.appeals.decide_appeal(declaration_id, True, 0, 0, 1)
    assert info.value.inputs == {"declarationId": declaration_id}
    with pytest.raises(contract_error("CustomsNoAppeal")):
        env.appeals.decide_appeal(declaration_id, False)
    with pytest.raises(contract_error("CustomsUnknownDeclaration")) as info:
        env.appeals.decide_appeal(99, False)
    assert info.value.inputs == {"declarationId": 99}
    env.traders[0].appeal(declaration_id, GROUNDS)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        env.officer.decide_appeal(declaration_id, True, 0, 0, 1)
    assert info.value.inputs == denied(env.officer, "APPEALS_OFFICER_ROLE")


def test_an_upheld_appeal_refunds_the_difference_from_the_pool(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = paid_car(env)  # released goods can still be appealed
    env.traders[1].release(declaration_id)
    trader.appeal(declaration_id, GROUNDS)
    with pytest.raises(contract_error("GovchainZeroAmount")) as info:
        env.treasury.fund_refund_pool(0)
    assert info.value.inputs == {"parameter": "amount"}
    receipt = env.treasury.fund_refund_pool(500_000)
    assert args(receipt, "RefundPoolFunded") == {"funder": who(env.treasury), "amount": 500_000}
    assert (env.treasury.refund_pool(), env.held()) == (500_000, 500_000)
    treasury_before = env.balance(who(env.treasury))
    assert treasury_before == TRADER_FUNDS + CAR_DUE - 500_000
    new_duty, new_vat = 200_000, (2_500_001 + 200_000) * 1_600 // 10_000
    refund = CAR_DUE - new_duty - new_vat
    receipt = env.appeals.decide_appeal(declaration_id, True, new_duty, new_vat, 77)
    assert args(receipt, "AppealDecided") == {
        "declarationId": declaration_id,
        "upheld": True,
        "newDuty": new_duty,
        "newVat": new_vat,
        "refund": refund,
        "reasonCode": 77,
    }
    assert refund == 58_000
    assert env.balance(who(trader)) == TRADER_FUNDS - CAR_DUE + refund
    assert (env.treasury.refund_pool(), env.held()) == (500_000 - refund, 500_000 - refund)
    assert env.balance(who(env.treasury)) == treasury_before
    record = trader.declaration(declaration_id)
    assert (record.duty, record.vat, record.refunded) == (new_duty, new_vat, refund)
    assert (record.appeal, record.status, record.paid) == ("Upheld", "Released", True)
    with pytest.raises(contract_error("CustomsNoAppeal")):
        env.appeals.decide_appeal(declaration_id, True, 0, 0, 1)
    with pytest.raises(contract_error("CustomsAppealExists")) as info:
        trader.appeal(declaration_id, GROUNDS)
    assert info.value.inputs == {"declarationId": declaration_id, "appeal": UPHELD}


def test_an_upheld_appeal_must_lower_the_assessment_and_the_pool_must_cover_it(
    env: CustomsEnv,
) -> None:
    trader = env.traders[0]
    declaration_id = paid_car(env)
    trader.appeal(declaration_id, GROUNDS)
    for duty, vat in [(250_000, CAR_DUE - 250_000), (0, CAR_DUE), (CAR_DUE, 1)]:
        with pytest.raises(contract_error("CustomsInvalidReassessment")) as info:
            env.appeals.decide_appeal(declaration_id, True, duty, vat, 1)
        assert info.value.inputs == {
            "declarationId": declaration_id,
            "paid": CAR_DUE,
            "reassessed": duty + vat,
        }
    with pytest.raises(contract_error("CustomsRefundPoolShort")) as info:
        env.appeals.decide_appeal(declaration_id, True, 0, 0, 1)
    assert info.value.inputs == {"needed": CAR_DUE, "available": 0}
    env.traders[1].fund_refund_pool(CAR_DUE - 1)  # anyone may fund the pool
    assert env.balance(who(env.traders[1])) == TRADER_FUNDS - CAR_DUE + 1
    with pytest.raises(contract_error("CustomsRefundPoolShort")) as info:
        env.appeals.decide_appeal(declaration_id, True, 0, 0, 1)
    assert info.value.inputs == {"needed": CAR_DUE, "available": CAR_DUE - 1}
    # A partial refund the pool covers; the appeal stays lodged until then.
    assert trader.declaration(declaration_id).appeal == "Lodged"
    receipt = env.appeals.decide_appeal(declaration_id, True, 0, 1, 1)
    assert args(receipt, "AppealDecided")["refund"] == CAR_DUE - 1
    assert env.balance(who(trader)) == TRADER_FUNDS - 1
    assert (env.treasury.refund_pool(), env.held()) == (0, 0)


def test_a_dismissed_appeal_changes_nothing(env: CustomsEnv) -> None:
    trader = env.traders[0]
    declaration_id = paid_car(env)
    env.treasury.fund_refund_pool(1_000_000)
    trader.appeal(declaration_id, GROUNDS)
    before = trader.declaration(declaration_id)
    receipt = env.appeals.decide_appeal(declaration_id, False, 1, 1, 3)
    assert args(receipt, "AppealDecided") == {
        "declarationId": declaration_id,
        "upheld": False,
        "newDuty": before.duty,
        "newVat": before.vat,
        "refund": 0,
        "reasonCode": 3,
    }
    record = trader.declaration(declaration_id)
    assert (record.duty, record.vat, record.refunded, record.appeal) == (
        before.duty,
        before.vat,
        0,
        "Dismissed",
    )
    assert env.balance(who(trader)) == TRADER_FUNDS - CAR_DUE
    assert (env.treasury.refund_pool(), env.held()) == (1_000_000, 1_000_000)
    with pytest.raises(contract_error("CustomsAppealExists")) as info:
        trader.appeal(declaration_id, GROUNDS)
    assert info.value.inputs == {"declarationId": declaration_id, "appeal": DISMISSED}
    with pytest.raises(contract_error("CustomsNoAppeal")):
        env.appeals.decide_appeal(declaration_id, True, 0, 0, 1)


def big_paid_appeal(env: CustomsEnv) -> int:
    """A declaration paid at duty = VAT = 2^96 - 1 (an override), appealed, with a large pool."""
    trader = env.traders[0]
    paid = 2 * UINT96_MAX
    mint(env, who(trader), paid)
    mint(env, who(env.treasury), paid)
    declaration_id = filed_car(env)
    env.officer.override_assessment(declaration_id, UINT96_MAX, UINT96_MAX, 1)
    trader.pay(declaration_id)
    trader.appeal(declaration_id, GROUNDS)
    env.treasury.fund_refund_pool(paid)
    return declaration_id


def test_an_upheld_appeal_never_truncates_the_new_duty(env: CustomsEnv) -> None:
    declaration_id = big_paid_appeal(env)
    with pytest.raises(contract_error("CustomsAmountTooLarge")) as info:
        env.appeals.decide_appeal(declaration_id, True, 2**96, 0, 1)
    assert info.value.inputs == {"amount": 2**96}


def test_an_upheld_appeal_records_the_refund_it_pays(env: CustomsEnv) -> None:
    declaration_id = big_paid_appeal(env)
    receipt = env.appeals.decide_appeal(declaration_id, True, 0, 0, 1)
    refund = int(receipt.event("AppealDecided")["refund"])
    assert refund == 2 * UINT96_MAX
    assert env.appeals.declaration(declaration_id).refunded == refund


# -- trade-finance escrow --------------------------------------------------------------------------


def test_an_escrow_pays_the_exporter_once_the_goods_are_released(env: CustomsEnv) -> None:
    trader, funder = env.traders[0], env.funder
    declaration_id = filed_car(env)
    deadline = env.now() + 30 * DAY
    receipt = funder.open_escrow(declaration_id, EXPORTER, 70_000, deadline)
    assert args(receipt, "EscrowOpened") == {
        "escrowId": 1,
        "declarationId": declaration_id,
        "exporter": EXPORTER,
        "funder": who(funder),
        "amount": 70_000,
        "deadline": deadline,
    }
    record = funder.escrow(1)
    assert (record.funder, record.exporter, record.amount) == (who(funder), EXPORTER, 70_000)
    assert (record.deadline, record.status, record.declaration_id) == (
        deadline,
        "Open",
        declaration_id,
    )
    assert (env.held(), funder.escrow_held(), funder.refund_pool()) == (70_000, 70_000, 0)
    assert env.balance(who(funder)) == TRADER_FUNDS - 70_000
    with pytest.raises(contract_error("CustomsNotReleased")) as info:
        env.broker.claim_escrow(1)
    assert info.value.inputs == {"escrowId": 1, "status": ASSESSED}
    trader.pay(declaration_id)
    with pytest.raises(contract_error("CustomsNotReleased")) as info:
        env.broker.claim_escrow(1)
    assert info.value.inputs == {"escrowId": 1, "status": PAID}
    with pytest.raises(contract_error("CustomsEscrowNotRefundable")) as info:
        env.broker.refund_escrow(1)
    assert info.value.inputs == {"escrowId": 1, "deadline": deadline}
    env.broker.release(declaration_id)
    receipt = env.broker.claim_escrow(1)  # anyone
    assert args(receipt, "EscrowSettled") == {
        "escrowId": 1,
        "declarationId": declaration_id,
        "to": EXPORTER,
        "released": True,
        "amount": 70_000,
    }
    assert env.balance(EXPORTER) == 70_000
    assert (env.held(), funder.escrow_held()) == (0, 0)
    assert funder.escrow(1).status == "Released"
    for call in (env.broker.claim_escrow, env.funder.refund_escrow):
        with pytest.raises(contract_error("CustomsEscrowClosed")) as info:
            call(1)
        assert info.value.inputs == {"escrowId": 1, "status": ESCROW_RELEASED}
    assert env.balance(EXPORTER) == 70_000
    assert env.balance(who(funder)) == TRADER_FUNDS - 70_000


def test_an_escrow_returns_to_the_funder_when_the_goods_are_seized(env: CustomsEnv) -> None:
    declaration_id = filed_car(env)
    env.officer.hold(declaration_id, 1)
    escrow_id, deadline = open_escrow(env, declaration_id, 50_000)  # held goods: still allowed
    second, _ = open_escrow(env, declaration_id, 20_000)
    assert (env.held(), env.funder.escrow_held()) == (70_000, 70_000)
    with pytest.raises(contract_error("CustomsEscrowNotRefundable")) as info:
        env.broker.refund_escrow(escrow_id)
    assert info.value.inputs == {"escrowId": escrow_id, "deadline": deadline}
    env.officer.seize(declaration_id, 2)
    with pytest.raises(contract_error("CustomsNotReleased")) as info:
        env.broker.claim_escrow(escrow_id)
    assert info.value.inputs == {"escrowId": escrow_id, "status": SEIZED}
    receipt = env.broker.refund_escrow(escrow_id)  # anyone, before the deadline
    assert args(receipt, "EscrowSettled") == {
        "escrowId": escrow_id,
        "declarationId": declaration_id,
        "to": who(env.funder),
        "released": False,
        "amount": 50_000,
    }
    assert env.balance(who(env.funder)) == TRADER_FUNDS - 20_000
    assert (env.held(), env.funder.escrow_held()) == (20_000, 20_000)
    for call in (env.broker.claim_escrow, env.broker.refund_escrow):
        with pytest.raises(contract_error("CustomsEscrowClosed")) as info:
            call(escrow_id)
        assert info.value.inputs == {"escrowId": escrow_id, "status": ESCROW_REFUNDED}
    env.funder.refund_escrow(second)
    assert env.funder.escrow(second).status == "Refunded"
    assert (env.balance(who(env.funder)), env.held(), env.balance(EXPORTER)) == (
        TRADER_FUNDS,
        0,
        0,
    )


def test_an_escrow_returns_to_the_funder_after_the_deadline(env: CustomsEnv) -> None:
    declaration_id = paid_car(env)  # paid but never released
    escrow_id, deadline = open_escrow(env, declaration_id)
    at(env, deadline)  # the deadline itself is still in time
    with pytest.raises(contract_error("CustomsEscrowNotRefundable")) as info:
        env.broker.refund_escrow(escrow_id)
    assert info.value.inputs == {"escrowId": escrow_id, "deadline": deadline}
    env.chain.rpc("evm_mine")
    at(env, deadline + 1)
    receipt = env.broker.refund_escrow(escrow_id)
    assert args(receipt, "EscrowSettled")["to"] == who(env.funder)
    assert env.balance(who(env.funder)) == TRADER_FUNDS
    assert env.held() == 0
    # Released afterwards: the exporter gets nothing from the refunded escrow.
    env.broker.release(declaration_id)
    with pytest.raises(contract_error("CustomsEscrowClosed")) as info:
        env.broker.claim_escrow(escrow_id)
    assert info.value.inputs == {"escrowId": escrow_id, "status": ESCROW_REFUNDED}
    assert env.balance(EXPORTER) == 0


def test_released_goods_pay_the_exporter_even_after_the_deadline(env: CustomsEnv) -> None:
    declaration_id = filed_car(env)
    escrow_id, deadline = open_escrow(env, declaration_id)
    env.travel_to(deadline + DAY)
    env.traders[0].pay(declaration_id)
    env.broker.release(declaration_id)
    with pytest.raises(contract_error("CustomsEscrowNotRefundable")) as info:
        env.funder.refund_escrow(escrow_id)
    assert info.value.inputs == {"escrowId": escrow_id, "deadline": deadline}
    env.broker.claim_escrow(escrow_id)
    assert env.balance(EXPORTER) == 70_000
    assert env.balance(who(env.funder)) == TRADER_FUNDS - 70_000
    assert env.held() == 0


def test_opening_an_escrow_is_checked(env: CustomsEnv) -> None:
    funder = env.funder
    declaration_id = filed_car(env)
    t = env.now() + 100
    cases: list[tuple[Any, str, dict[str, Any]]] = [
        ((99, EXPORTER, 1, t + DAY), "CustomsUnknownDeclaration", {"declarationId": 99}),
        (
            (declaration_id, ZERO_ADDRESS, 1, t + DAY),
            "GovchainZeroAddress",
            {"parameter": "exporter"},
        ),
        ((declaration_id, EXPORTER, 0, t + DAY), "GovchainZeroAmount", {"parameter": "amount"}),
        ((declaration_id, EXPORTER, 2**96, t + DAY), "CustomsAmountTooLarge", {"amount": 2**96}),
        ((declaration_id, EXPORTER, 1, t), "GovchainInvalidWindow", {"start": t, "end": t}),
        ((declaration_id, EXPORTER, 1, t - 5), "GovchainInvalidWindow", {"start": t, "end": t - 5}),
        ((declaration_id, EXPORTER, 1, 2**48), "GovchainInvalidWindow", {"start": t, "end": 2**48}),
    ]
    approve(env, funder, 2**96)
    mint(env, who(funder), 2**96)
    for arguments, error, inputs in cases:
        at(env, t)
        with pytest.raises(contract_error(error)) as info:
            raw(funder, "openEscrow", *arguments)
        assert info.value.inputs == inputs, arguments
    at(env, t)
    raw(funder, "openEscrow", declaration_id, EXPORTER, UINT96_MAX, 2**48 - 1)  # the limits
    assert funder.escrow(1).amount == UINT96_MAX
    for unknown in (0, 2):
        for call in (funder.escrow, funder.claim_escrow, funder.refund_escrow):
            with pytest.raises(contract_error("CustomsUnknownEscrow")) as info:
                call(unknown)
            assert info.value.inputs == {"escrowId": unknown}
    # No new escrow on goods already released or seized.
    released = paid_car(env)
    env.broker.release(released)
    seized = filed_car(env)
    env.officer.hold(seized, 1)
    env.officer.seize(seized, 1)
    for closed, status in ((released, RELEASED), (seized, SEIZED)):
        with pytest.raises(contract_error("CustomsWrongStatus")) as info:
            funder.open_escrow(closed, EXPORTER, 1, env.now() + DAY)
        assert info.value.inputs == {"declarationId": closed, "status": status}


# -- pause -----------------------------------------------------------------------------------------


def test_pause_stops_filing_payment_release_and_new_escrows_only(env: CustomsEnv) -> None:
    trader = env.traders[0]
    assessed, paid, appealed = filed_car(env), paid_car(env), paid_car(env)
    held = paid_car(env)
    env.officer.hold(held, 1)
    trader.appeal(appealed, GROUNDS)
    released = paid_car(env)
    escrow_id, _ = open_escrow(env, released)
    env.broker.release(released)
    seized = filed_car(env)
    seized_escrow, _ = open_escrow(env, seized)
    env.officer.hold(seized, 1)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        trader.pause()
    assert info.value.inputs == denied(trader, "PAUSER_ROLE")
    with pytest.raises(contract_error("ExpectedPause")):
        env.governance.unpause()
    env.governance.pause()
    approve(env, trader, CAR_DUE)
    stopped = [
        lambda: trader.file([CAR], INVOICE),
        lambda: trader.amend(assessed, [CAR, CAR], AMENDED),
        lambda: raw(trader, "pay", assessed, CAR_DUE),
        lambda: env.broker.release(paid),
        lambda: env.officer.release(held),
        lambda: env.funder.open_escrow(assessed, EXPORTER, 1, env.now() + DAY),
    ]
    for call in stopped:
        with pytest.raises(contract_error("EnforcedPause")):
            call()
    with pytest.raises(contract_error("EnforcedPause")):
        env.governance.pause()
    # Everything else goes on: officers, appeals, the pool, settling escrows, the schedule.
    env.officer.override_assessment(assessed, 1, 1, 1)
    env.officer.seize(seized, 2)
    env.officer.hold(paid, 2)
    trader.appeal(held, GROUNDS)
    env.treasury.fund_refund_pool(10_000)
    env.appeals.decide_appeal(appealed, True, CAR_DUE - 10_000, 0, 1)
    env.broker.claim_escrow(escrow_id)
    env.broker.refund_escrow(seized_escrow)
    env.authority.set_tariff(TariffLine(CARS, 1, env.now() + DAY))
    env.registrar.set_trader(who(env.broker))
    trader.authorize_broker(who(env.broker))
    assert env.balance(EXPORTER) == 70_000
    assert env.balance(who(env.funder)) == TRADER_FUNDS - 70_000
    env.governance.unpause()
    trader.pay(assessed)
    env.officer.release(held)
    assert trader.declaration(assessed).status == "Paid"
    assert env.file(trader, [CAR]) == 7


# -- statements ------------------------------------------------------------------------------------


def test_a_statement_lists_what_each_trader_was_assessed_paid_and_refunded(
    env: CustomsEnv,
) -> None:
    a, b = env.traders
    tea = [DeclarationLine(TEA, KENYA, 50_000, 10)]
    first = a.file([CAR], INVOICE)
    first_id = int(first.event("DeclarationFiled")["declarationId"])
    a.amend(first_id, tea, AMENDED)  # duty 0, VAT 8,000
    a.pay(first_id)
    a.appeal(first_id, GROUNDS)
    env.treasury.fund_refund_pool(10_000)
    env.appeals.decide_appeal(first_id, True, 0, 6_000, 1)
    second_id = env.file(a, [CAR])
    env.officer.override_assessment(second_id, 5, 6, 2)
    theirs = b.file([CAR], INVOICE)
    theirs_id = int(theirs.event("DeclarationFiled")["declarationId"])
    b.pay(theirs_id)
    env.broker.release(theirs_id)
    # An escrow whose id equals a declaration id must not be mistaken for it.
    open_escrow(env, second_id)

    statement = env.broker.statement(who(a))
    assert statement.trader == who(a)
    assert [d.declaration_id for d in statement.declarations] == [first_id, second_id]
    one, two = statement.declarations
    assert (one.status, one.lines, one.duty, one.vat, one.paid, one.refunded) == (
        "Paid",
        tea,
        0,
        6_000,
        8_000,
        2_000,
    )
    assert (one.filed_block, one.filed_tx) == (first.block_number, first.tx_hash)
    assert (two.status, two.lines, two.duty, two.vat, two.paid, two.refunded) == (
        "Assessed",
        [CAR],
        5,
        6,
        0,
        0,
    )
    assert (statement.total_paid, statement.total_refunded) == (8_000, 2_000)
    other = env.broker.statement(who(b))
    assert [(d.declaration_id, d.status, d.paid) for d in other.declarations] == [
        (theirs_id, "Released", CAR_DUE)
    ]
    assert (other.declarations[0].filed_block, other.declarations[0].filed_tx) == (
        theirs.block_number,
        theirs.tx_hash,
    )
    assert env.broker.statement(who(env.broker)).declarations == []


# -- views beyond 2106 -----------------------------------------------------------------------------


def test_rate_views_answer_for_any_timestamp(env: CustomsEnv) -> None:
    assert env.traders[0].vat_rate(2**32) == BASE_VAT
    assert env.traders[0].duty_rate(CARS, GERMANY, 2**32) == (1_000, False)


# -- tariff and declaration files ------------------------------------------------------------------


def test_load_tariff_csv(tmp_path: Path) -> None:
    path = tmp_path / "tariff.csv"
    path.write_text(
        "hs_code,rate_bps,effective_from,origin\n"
        "# general rates\n"
        "870380,1000,1800000000\n"
        "\n"
        "090230,500,2027-01-01,\n"
        "090230,0,2027-01-01T01:00:00+01:00,404\n"
    )
    assert load_tariff_csv(path) == [
        TariffLine(CARS, 1_000, 1_800_000_000),
        TariffLine(TEA, 500, 1_798_761_600),
        TariffLine(TEA, 0, 1_798_761_600, KENYA),
    ]
    for body, message in [
        ("870380,1000\n", "expected hs_code"),
        ("870380,ten,1800000000\n", "must be integers"),
        ("870380,10,tomorrow\n", "not a Unix time"),
    ]:
        path.write_text(body)
        with pytest.raises(CustomsInputError, match=message):
            load_tariff_csv(path)


def test_load_tariff_csv_says_a_date_time_needs_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "tariff.csv"
    path.write_text("870380,10,2027-01-01T00:00:00\n")
    with pytest.raises(CustomsInputError, match="needs a UTC offset"):
        load_tariff_csv(path)


def test_load_tariff_csv_keeps_the_first_line_after_a_byte_order_mark(tmp_path: Path) -> None:
    """Spreadsheets' "CSV UTF-8" starts with a BOM: the first line is still read (or skipped
    as the header it is)."""
    path = tmp_path / "tariff.csv"
    path.write_bytes("\ufeff870380,1000,1800000000\n090230,500,1800000000\n".encode())
    assert [line.hs_code for line in load_tariff_csv(path)] == [CARS, TEA]
    path.write_bytes("\ufeffhs_code,rate_bps,effective_from\n090230,500,1800000000\n".encode())
    assert load_tariff_csv(path) == [TariffLine(TEA, 500, 1_800_000_000)]


def test_load_declaration(tmp_path: Path) -> None:
    path = tmp_path / "declaration.json"
    path.write_text(
        json.dumps(
            {
                "invoice": "INV-42",
                "lines": [
                    {"hs_code": CARS, "origin": GERMANY, "customs_value": "2500001", "quantity": 1},
                    {"hs_code": TEA, "origin": KENYA, "customs_value": 40_000},
                ],
            }
        )
    )
    lines, rest = load_declaration(path)
    assert lines == [CAR, DeclarationLine(TEA, KENYA, 40_000, 0)]
    assert rest == {"invoice": "INV-42"}
    for body, message in [
        ({"lines": []}, "at least one line"),
        ({"lines": [{"hs_code": CARS}]}, "not a declaration file"),
        ([1, 2], "not a declaration file"),
    ]:
        path.write_text(json.dumps(body))
        with pytest.raises(CustomsInputError, match=message):
            load_declaration(path)
    path.write_text("{")
    with pytest.raises(CustomsInputError, match="not a declaration file"):
        load_declaration(path)
    with pytest.raises(CustomsInputError, match="no such declaration file"):
        load_declaration(tmp_path / "missing.json")
