"""The welfare demo and the agency's round-publishing script, checked on chain through the client."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from eth_utils import keccak

from govchain.clients.welfare import RoundPlan, WelfareClient
from govchain.demo import DemoContext, demo_account
from govchain.demo.welfare import BENEFICIARIES, DECISION, PER_CHILD, children, run
from govchain.session import Session

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "scripts" / "examples" / "welfare_round_2026_12.csv"
SAMPLE_DECISION = ROOT / "scripts" / "examples" / "welfare_decision_2026_12.txt"


def _balance(ctx: DemoContext, address: str) -> int:
    return int(ctx.token().functions.balanceOf(address).call())


def test_demo_pays_claims_revokes_and_claws_back_a_balanced_round(
    demo_context: DemoContext,
) -> None:
    ctx = demo_context
    welfare: WelfareClient = WelfareClient.connect(ctx.session)
    rounds_before = int(welfare.contract.functions.roundCount().call())

    result = run(ctx)
    facts = result.facts

    assert result.domain == "welfare"
    assert 3 <= len(result.highlights) <= 6
    assert all(h.path.startswith(("/records/", "/tx/0x")) for h in result.highlights)
    assert facts["round_id"] == rounds_before + 1

    programme = welfare.programme(facts["programme_id"])
    assert programme.name == "Child benefit" and programme.funding == facts["fund"]
    record = welfare.round(facts["round_id"])
    assert record.programme_id == facts["programme_id"]
    assert record.status == "ClawedBack" and record.remaining == 0
    assert record.beneficiary_count == BENEFICIARIES
    assert record.document_hash == DECISION

    # Every family's money is where the scenario says: paid, claimed, or not at all.
    amount = {i: children(i) * PER_CHILD for i in range(BENEFICIARIES)}
    family = {i: demo_account(f"beneficiary-{i}").address for i in range(BENEFICIARIES)}
    paid = [i for i in range(BENEFICIARIES) if welfare.is_claimed(facts["round_id"], i)]
    unpaid = sorted(set(range(BENEFICIARIES)) - set(paid))
    assert unpaid == facts["unclaimed_indexes"] and len(unpaid) == 25
    for i in [0, 199, 200, facts["agent_index"], *facts["relayer_claim_indexes"][:3], 949]:
        assert _balance(ctx, family[i]) == amount[i], i
    for i in [facts["revoked_index"], *unpaid]:
        assert _balance(ctx, family[i]) == 0, i
    assert facts["revoked_index"] in paid  # settled by the revocation, so never payable

    # The reconciliation rebuilt from events balances to the unit, and agrees with the token.
    report = welfare.reconcile(facts["round_id"])
    assert report.balanced and report.outstanding == 0
    assert report.funded == sum(amount.values()) == record.total == facts["funded"]
    assert report.revoked == amount[facts["revoked_index"]] == record.revoked
    assert report.clawed_back == sum(amount[i] for i in unpaid) == record.clawed_back
    assert report.claimed + report.revoked + report.clawed_back == report.funded
    assert report.revoked_indexes == [facts["revoked_index"]]
    assert len(report.claimed_indexes) == facts["paid_families"] == 974
    assert _balance(ctx, facts["fund"]) == report.revoked + report.clawed_back
    assert _balance(ctx, welfare.address) == 0


def test_demo_runs_again_on_a_chain_where_it_already_ran(demo_context: DemoContext) -> None:
    first = run(demo_context).facts
    second = run(demo_context).facts
    assert second["programme_id"] == first["programme_id"] + 1
    assert second["round_id"] == first["round_id"] + 1
    welfare: WelfareClient = WelfareClient.connect(demo_context.session)
    assert welfare.reconcile(second["round_id"]).balanced
