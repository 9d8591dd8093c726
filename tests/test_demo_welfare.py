"""The welfare demo and the agency's round-publishing script, checked on chain via the client."""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_utils import keccak

from demo_pages import assert_highlights_open
from govchain.clients.welfare import RoundPlan, WelfareClient
from govchain.demo import DemoContext, RecordingProgress, demo_account
from govchain.demo.welfare import BENEFICIARIES, DECISION, PER_CHILD, children, run
from govchain.session import Session

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "scripts" / "examples" / "welfare_round_2026_12.csv"
SAMPLE_DECISION = ROOT / "scripts" / "examples" / "welfare_decision_2026_12.txt"


def _script_main() -> Callable[[list[str]], int]:
    """The agency script's ``main``, loaded from its file (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "welfare_publish_round", ROOT / "scripts" / "welfare_publish_round.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    main: Callable[[list[str]], int] = module.main
    return main


def _balance(ctx: DemoContext, address: str) -> int:
    return int(ctx.token().functions.balanceOf(address).call())


def test_demo_pays_claims_revokes_and_claws_back_a_balanced_round(
    demo_context: DemoContext, tmp_path: Path
) -> None:
    ctx = demo_context
    ctx.progress = progress = RecordingProgress()
    # Another programme's round already exists and the clock has moved on, as after other demos.
    session = ctx.session
    officer, manager, fund = (a.address for a in session.chain.accounts[1:4])
    other = _programme(session, officer, manager, fund)
    welfare: WelfareClient = WelfareClient.connect(session)
    welfare.as_account(session.chain.accounts[1]).propose_round(
        other, RoundPlan.from_entitlements([(demo_account("someone").address, 100)])
    )
    ctx.travel(90 * 86_400)
    rounds_before = int(welfare.contract.functions.roundCount().call())

    result = run(ctx)
    facts = result.facts

    assert result.domain == "welfare"
    assert 3 <= len(result.highlights) <= 6
    assert all(h.path.startswith(("/records/", "/tx/0x")) for h in result.highlights)
    assert f"/records/round/{facts['round_id']}" in [h.path for h in result.highlights]
    assert facts["programme_id"] == other + 1
    assert facts["round_id"] == rounds_before + 1

    programme = welfare.programme(facts["programme_id"])
    assert programme.name == "Child benefit" and programme.funding == facts["fund"]
    record = welfare.round(facts["round_id"])
    assert record.programme_id == facts["programme_id"]
    assert record.status == "ClawedBack" and record.remaining == 0
    assert record.beneficiary_count == BENEFICIARIES
    assert record.document_hash == DECISION

    # The reconciliation rebuilt from events balances to the unit, and agrees with the contract.
    amount = {i: children(i) * PER_CHILD for i in range(BENEFICIARIES)}
    report = welfare.reconcile(facts["round_id"])
    unpaid = facts["unclaimed_indexes"]
    assert report.balanced and report.outstanding == 0
    assert report.funded == sum(amount.values()) == record.total == facts["funded"]
    assert report.revoked == amount[facts["revoked_index"]] == record.revoked
    assert report.clawed_back == sum(amount[i] for i in unpaid) == record.clawed_back
    assert report.claimed + report.revoked + report.clawed_back == report.funded
    assert report.revoked_indexes == [facts["revoked_index"]]
    assert len(unpaid) == 25
    assert report.claimed_indexes == sorted(
        set(range(BENEFICIARIES)) - set(unpaid) - {facts["revoked_index"]}
    )
    assert len(report.claimed_indexes) == facts["paid_families"] == 974
    assert _balance(ctx, facts["fund"]) == report.revoked + report.clawed_back
    assert _balance(ctx, welfare.address) == 0  # the other round is proposed, not funded

    # Every family's money is where the scenario says: paid (by batch, relayer or agent) or not.
    family = {i: demo_account(f"beneficiary-{i}").address for i in range(BENEFICIARIES)}
    for i in [0, 199, 200, 949, facts["agent_index"], *facts["relayer_claim_indexes"][:3]]:
        assert welfare.is_claimed(facts["round_id"], i)
        assert _balance(ctx, family[i]) == amount[i], i
    for i in [facts["revoked_index"], *unpaid]:
        assert _balance(ctx, family[i]) == 0, i
    assert welfare.is_claimed(facts["round_id"], facts["revoked_index"])  # never payable now
    assert not any(welfare.is_claimed(facts["round_id"], i) for i in unpaid)
    assert facts["batch_paid"] == 949 and facts["batches"] == 5

    assert "welfare: families paid in batches 949/949" in progress.lines
    assert "welfare: claims sent through the relayer 24/24" in progress.lines
    assert_highlights_open(session, result.highlights, tmp_path)


def _programme(
    session: Session, officer: str, manager: str, fund: str, claim_delay: int = 0
) -> int:
    """A programme run by ``officer`` and ``manager``, paid from ``fund`` (minted and approved)."""
    welfare: WelfareClient = WelfareClient.connect(session)
    welfare.grant_role("ELIGIBILITY_OFFICER_ROLE", officer)
    welfare.grant_role("PROGRAMME_MANAGER_ROLE", manager)
    token = session.contract("PaymentToken")
    session.sender.transact(token.functions.mint(fund, 10_000_000))
    created = welfare.create_programme(
        name="Child benefit",
        token=token.address,
        funding=fund,
        manager=manager,
        officer=officer,
        claim_delay=claim_delay,
        document_hash=keccak(text="Child Benefit Regulations 2026"),
    )
    return int(created.event("ProgrammeCreated")["programmeId"])


def _sample_total() -> int:
    with SAMPLE.open() as handle:
        return sum(round(float(row["amount"]) * 100) for row in csv.DictReader(handle))


def test_publish_round_script_proposes_and_funds_the_csv_round(
    suite_session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = suite_session
    officer, manager, fund = (a.address for a in session.chain.accounts[1:4])
    programme_id = _programme(session, officer, manager, fund, claim_delay=3_600)
    token = session.contract("PaymentToken")
    session.sender_for(session.chain.accounts[3]).transact(
        token.functions.approve(session.record().address("WelfareDisbursement"), 2**256 - 1)
    )
    welfare: WelfareClient = WelfareClient.connect(session)
    out = tmp_path / "december"

    code = _script_main()(
        [
            str(SAMPLE),
            "--programme",
            str(programme_id),
            "--decision",
            str(SAMPLE_DECISION),
            "--out",
            str(out),
        ]
    )

    assert code == 0
    round_id = int(welfare.contract.functions.roundCount().call())
    record = welfare.round(round_id)
    plan = RoundPlan.from_csv(SAMPLE, decimals=2)
    assert record.programme_id == programme_id and record.status == "Published"
    assert "0x" + record.merkle_root.hex() == plan.root == RoundPlan.load(out).root
    assert record.total == plan.total == _sample_total() and record.beneficiary_count == 12
    assert record.document_hash == keccak(SAMPLE_DECISION.read_bytes())
    assert record.end - record.claimable_at == 30 * 86_400
    assert int(token.functions.balanceOf(fund).call()) == 10_000_000 - plan.total
    assert int(token.functions.balanceOf(welfare.address).call()) == plan.total
    printed = capsys.readouterr().out
    assert f"round {round_id} proposed by {officer}: 12 beneficiaries" in printed
    assert f"{plan.total / 100:,.2f} PUB" in printed

    # The proofs it wrote let anyone pay a beneficiary once the veto window has passed.
    session.chain.rpc("evm_setNextBlockTimestamp", record.claimable_at)
    first = RoundPlan.load(out).entitlement(0)
    welfare.as_account(session.chain.accounts[9]).claim(round_id, RoundPlan.load(out), 0)
    assert int(token.functions.balanceOf(first.beneficiary).call()) == first.amount


def test_publish_round_script_refuses_when_nobody_can_sign_for_the_officer(
    suite_session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    session = suite_session
    outsider = demo_account("not-a-dev-account").address
    manager, fund = (a.address for a in session.chain.accounts[2:4])
    programme_id = _programme(session, outsider, manager, fund)
    welfare: WelfareClient = WelfareClient.connect(session)
    rounds = int(welfare.contract.functions.roundCount().call())

    assert _script_main()([str(SAMPLE), "--programme", str(programme_id)]) == 1

    assert f"who signs as {outsider}? pass its keystore with --account" in capsys.readouterr().err
    assert int(welfare.contract.functions.roundCount().call()) == rounds
