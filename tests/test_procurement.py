"""Procurement through its Python client: every rule, every named error."""

from __future__ import annotations

from pathlib import Path

import pytest

from govchain.chain import Chain
from govchain.session import Session
from procurement_env import BOND, ProcurementEnv, make_env


@pytest.fixture
def env(session: Session, chain: Chain, tmp_path: Path) -> ProcurementEnv:
    return make_env(session, chain, tmp_path / "bids")


def test_lowest_compliant_price_wins_and_milestones_pay_the_supplier(env: ProcurementEnv) -> None:
    tender_id, _ = env.awarded([4_000_000, 3_000_000, 3_500_000], reveal=[True, True, False])
    record = env.officer.tender(tender_id)
    assert record.phase == "Standstill"
    assert record.winner == env.suppliers[1].sender.address
    assert record.winning_price == 3_000_000
    env.past_standstill(tender_id)
    assert env.officer.phase(tender_id) == "AwardFinal"
    env.buyer.fund_escrow(tender_id, [1_000_000, 2_000_000])
    winner = env.suppliers[1].sender.address
    before = env.balance(winner)
    env.inspector.confirm_milestone(tender_id, 0, b"\x01" * 32)
    env.inspector.confirm_milestone(tender_id, 1, b"\x02" * 32)
    assert env.balance(winner) == before + 3_000_000
    assert env.officer.phase(tender_id) == "Completed"
    for supplier in env.suppliers[:2]:
        supplier.withdraw_bond(tender_id)
    env.anyone.pay_forfeited_bonds(tender_id)
    report = env.officer.report(tender_id)
    assert report.unrevealed == [env.suppliers[2].sender.address]
    assert report.bonds_forfeited == BOND
    assert report.held == 0 and report.balanced
    assert env.balance(env.officer.address) == 0
