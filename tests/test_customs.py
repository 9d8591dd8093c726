"""Customs through its Python client: every transition, every named error."""

from __future__ import annotations

import pytest

from customs_env import CARS, GERMANY, KENYA, TEA, CustomsEnv, make_customs_env
from govchain.chain import Chain
from govchain.clients.customs import DeclarationLine, TariffLine
from govchain.session import Session


@pytest.fixture
def env(session: Session, chain: Chain) -> CustomsEnv:
    return make_customs_env(session, chain)


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
