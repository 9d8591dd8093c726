"""WelfareDisbursement through its Python client: every path, every named error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak

from govchain import contract_error
from govchain.chain import Chain
from govchain.clients.welfare import RoundPlan, RoundPlanError, WelfareClient
from govchain.session import Session

DAY = 86_400
FUNDS = 10**12
DOC = keccak(text="eligibility decision 2026-11")


@dataclass
class Env:
    session: Session
    chain: Chain
    token: Any
    governance: WelfareClient
    manager: WelfareClient
    officer: WelfareClient
    auditor: WelfareClient
    payer: WelfareClient
    anyone: WelfareClient
    funding: str
    programme_id: int

    def now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    def travel(self, seconds: int) -> None:
        self.chain.rpc("evm_increaseTime", seconds)
        self.chain.rpc("evm_mine")

    def balance(self, address: str) -> int:
        return int(self.token.functions.balanceOf(address).call())

    def open_round(self, plan: RoundPlan, *, start: int | None = None, days: int = 30) -> int:
        proposed = self.officer.propose_round(self.programme_id, plan, DOC)
        round_id = int(proposed.event("RoundProposed")["roundId"])
        start = self.now() if start is None else start
        self.manager.publish_round(round_id, start, start + days * DAY)
        return round_id


@pytest.fixture
def env(session: Session, chain: Chain) -> Env:
    admin, manager, officer, auditor, payer, funding = chain.accounts[:6]
    token = session.deploy("PaymentToken", "Public Unit", "PUB", 2, admin.address, admin.address)
    welfare = session.deploy("WelfareDisbursement", admin.address)
    governance = WelfareClient(session, welfare, session.sender)
    for role, account in [
        ("PROGRAMME_MANAGER_ROLE", manager),
        ("ELIGIBILITY_OFFICER_ROLE", officer),
        ("AUDITOR_ROLE", auditor),
        ("PAYER_ROLE", payer),
        ("PAUSER_ROLE", admin),
    ]:
        governance.grant_role(role, account.address)
    session.sender.transact(token.functions.mint(funding.address, FUNDS))
    session.sender_for(funding).transact(token.functions.approve(welfare.address, 2**256 - 1))
    created = governance.create_programme(
        name="Child benefit",
        token=token.address,
        funding=funding.address,
        manager=manager.address,
        officer=officer.address,
        document_hash=keccak(text="programme rules"),
    )
    return Env(
        session=session,
        chain=chain,
        token=token,
        governance=governance,
        manager=governance.as_account(manager),
        officer=governance.as_account(officer),
        auditor=governance.as_account(auditor),
        payer=governance.as_account(payer),
        anyone=governance.as_account(chain.accounts[9]),
        funding=funding.address,
        programme_id=int(created.event("ProgrammeCreated")["programmeId"]),
    )


def _plan(count: int, amount: int = 1_000) -> RoundPlan:
    return RoundPlan.from_entitlements((Account.create().address, amount + i) for i in range(count))


# -- programmes and rounds ------------------------------------------------------------------------


def test_programme_is_recorded_with_two_distinct_officials(env: Env) -> None:
    programme = env.governance.programme(env.programme_id)
    assert programme.name == "Child benefit"
    assert programme.funding == env.funding
    assert programme.manager != programme.officer


def test_same_account_cannot_be_manager_and_officer(env: Env) -> None:
    one = env.chain.accounts[1].address
    with pytest.raises(contract_error("WelfareSameOfficial")) as info:
        env.governance.create_programme(
            name="x", token=env.token.address, funding=env.funding, manager=one, officer=one
        )
    assert info.value.inputs == {"account": one}


def test_publishing_pulls_exactly_the_total_from_funding(env: Env) -> None:
    plan = _plan(5)
    before = env.balance(env.funding)
    round_id = env.open_round(plan)
    assert env.balance(env.funding) == before - plan.total
    assert env.balance(env.governance.address) == plan.total
    record = env.governance.round(round_id)
    assert record.status == "Published"
    assert record.total == plan.total and record.beneficiary_count == 5
    assert "0x" + record.merkle_root.hex() == plan.root


def test_only_the_programmes_officer_proposes_and_only_its_manager_publishes(env: Env) -> None:
    plan = _plan(3)
    with pytest.raises(contract_error("WelfareNotEligibilityOfficer")) as info:
        env.manager.propose_round(env.programme_id, plan, DOC)
    assert info.value.inputs["account"] == env.manager.sender.address
    round_id = int(
        env.officer.propose_round(env.programme_id, plan, DOC).event("RoundProposed")["roundId"]
    )
    with pytest.raises(contract_error("WelfareNotProgrammeManager")):
        env.officer.publish_round(round_id, env.now(), env.now() + DAY)


# -- claims ---------------------------------------------------------------------------------------


def test_claim_pays_the_beneficiary_exactly_once(env: Env) -> None:
    plan = _plan(8)
    round_id = env.open_round(plan)
    entitlement = plan.entitlement(3)
    receipt = env.anyone.claim(round_id, plan, 3)
    claimed = receipt.event("Claimed")
    assert claimed.args == {
        "programmeId": env.programme_id,
        "roundId": round_id,
        "beneficiary": entitlement.beneficiary,
        "index": 3,
        "amount": entitlement.amount,
    }
    assert env.balance(entitlement.beneficiary) == entitlement.amount
    with pytest.raises(contract_error("WelfareAlreadyClaimed")) as info:
        env.anyone.claim(round_id, plan, 3)
    assert info.value.inputs == {"roundId": round_id, "index": 3}
    assert env.balance(entitlement.beneficiary) == entitlement.amount


def test_claim_with_a_wrong_amount_or_proof_is_refused(env: Env) -> None:
    plan = _plan(8)
    round_id = env.open_round(plan)
    e = plan.entitlement(2)
    claim = env.anyone.contract.functions.claim
    with pytest.raises(contract_error("WelfareInvalidProof")) as info:
        env.anyone.sender.transact(
            claim(round_id, e.index, e.beneficiary, e.amount + 1, plan.proof(2))
        )
    assert info.value.inputs == {"roundId": round_id, "index": 2}
    other = plan.proof(3)
    with pytest.raises(contract_error("WelfareInvalidProof")):
        env.anyone.sender.transact(claim(round_id, e.index, e.beneficiary, e.amount, other))
    thief = env.chain.accounts[9].address
    with pytest.raises(contract_error("WelfareInvalidProof")):
        env.anyone.sender.transact(claim(round_id, e.index, thief, e.amount, plan.proof(2)))


def test_claim_outside_the_window_is_refused(env: Env) -> None:
    plan = _plan(2)
    start = env.now() + DAY
    round_id = env.open_round(plan, start=start, days=10)
    with pytest.raises(contract_error("WelfareRoundNotOpen")) as info:
        env.anyone.claim(round_id, plan, 0)
    assert info.value.inputs == {"roundId": round_id, "claimableAt": start, "end": start + 10 * DAY}
    env.travel(DAY)
    env.anyone.claim(round_id, plan, 0)
    env.travel(11 * DAY)
    with pytest.raises(contract_error("WelfareRoundNotOpen")):
        env.anyone.claim(round_id, plan, 1)


def test_claims_stop_while_paused(env: Env) -> None:
    plan = _plan(2)
    round_id = env.open_round(plan)
    env.governance.sender.transact(env.governance.contract.functions.pause())
    with pytest.raises(contract_error("EnforcedPause")):
        env.anyone.claim(round_id, plan, 0)
    env.governance.sender.transact(env.governance.contract.functions.unpause())
    env.anyone.claim(round_id, plan, 0)


# -- revocation, veto, clawback -------------------------------------------------------------------


def test_revoked_entitlement_cannot_be_claimed_and_its_money_returns(env: Env) -> None:
    plan = _plan(4)
    round_id = env.open_round(plan)
    before = env.balance(env.funding)
    receipt = env.officer.revoke(round_id, plan, 1, reason_code=7)
    assert receipt.event("Revoked")["reasonCode"] == 7
    assert env.balance(env.funding) == before + plan.entitlement(1).amount
    with pytest.raises(contract_error("WelfareAlreadyClaimed")):
        env.anyone.claim(round_id, plan, 1)
    with pytest.raises(contract_error("WelfareNotEligibilityOfficer")):
        env.manager.revoke(round_id, plan, 2, reason_code=7)


def test_clawback_waits_for_the_end_then_returns_the_rest(env: Env) -> None:
    plan = _plan(6)
    round_id = env.open_round(plan, days=5)
    env.anyone.claim(round_id, plan, 0)
    env.officer.revoke(round_id, plan, 1, reason_code=3)
    with pytest.raises(contract_error("WelfareRoundNotEnded")):
        env.anyone.clawback(round_id)
    env.travel(6 * DAY)
    before = env.balance(env.funding)
    env.anyone.clawback(round_id)
    unpaid = sum(plan.entitlement(i).amount for i in range(2, 6))
    assert env.balance(env.funding) == before + unpaid
    assert env.balance(env.governance.address) == 0
    report = env.anyone.reconcile(round_id)
    assert report.balanced
    assert (
        report.funded,
        report.claimed,
        report.revoked,
        report.clawed_back,
        report.outstanding,
    ) == (
        plan.total,
        plan.entitlement(0).amount,
        plan.entitlement(1).amount,
        unpaid,
        0,
    )


def test_auditor_vetoes_during_the_delay_only(session: Session, env: Env) -> None:
    delayed = env.governance.create_programme(
        name="Disaster relief",
        token=env.token.address,
        funding=env.funding,
        manager=env.manager.sender.address,
        officer=env.officer.sender.address,
        claim_delay=2 * DAY,
    )
    env.programme_id = int(delayed.event("ProgrammeCreated")["programmeId"])
    plan = _plan(3)
    vetoed = env.open_round(plan)
    before = env.balance(env.funding)
    receipt = env.auditor.veto_round(vetoed, 12)
    assert receipt.event("RoundVetoed")["returned"] == plan.total
    assert env.balance(env.funding) == before + plan.total
    with pytest.raises(contract_error("WelfareRoundWrongStatus")):
        env.anyone.claim(vetoed, plan, 0)
    kept = env.open_round(plan)
    env.travel(2 * DAY)
    with pytest.raises(contract_error("WelfareVetoPeriodOver")):
        env.auditor.veto_round(kept, 12)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")):
        env.anyone.veto_round(kept, 12)
    env.anyone.claim(kept, plan, 0)


# -- agents ---------------------------------------------------------------------------------------


def test_agent_claims_with_the_beneficiarys_signature_and_cannot_replay(env: Env) -> None:
    beneficiary = Account.create()
    plan = RoundPlan.from_entitlements([(beneficiary.address, 500), (Account.create().address, 9)])
    round_id = env.open_round(plan)
    agent = env.anyone
    auth = agent.authorize_claim(
        beneficiary,
        round_id,
        plan.entitlement(0),
        agent=agent.sender.address,
        deadline=env.now() + DAY,
    )
    receipt = agent.claim_with_authorization(auth, plan)
    assert receipt.event("AgentClaimed")["agent"] == agent.sender.address
    assert env.balance(beneficiary.address) == 500
    with pytest.raises(contract_error("WelfareAlreadyClaimed")):
        agent.claim_with_authorization(auth, plan)


def test_agent_authorisation_is_bound_to_agent_deadline_and_chain(env: Env) -> None:
    beneficiary = Account.create()
    plan = RoundPlan.from_entitlements([(beneficiary.address, 500), (Account.create().address, 9)])
    round_id = env.open_round(plan)
    agent, stranger = env.anyone, env.payer
    auth = agent.authorize_claim(
        beneficiary,
        round_id,
        plan.entitlement(0),
        agent=agent.sender.address,
        deadline=env.now() + DAY,
    )
    with pytest.raises(contract_error("WelfareNotAuthorizedAgent")):
        stranger.claim_with_authorization(auth, plan)
    # A signature made for another chain id does not verify here.
    import dataclasses

    original = agent.contract.functions.eip712Domain
    fields = original().call()
    other_chain = list(fields)
    other_chain[3] = 1
    agent.contract.functions.eip712Domain = lambda: type(
        "F", (), {"call": lambda self: other_chain}
    )()  # type: ignore[method-assign]
    try:
        foreign = agent.authorize_claim(
            beneficiary,
            round_id,
            plan.entitlement(0),
            agent=agent.sender.address,
            deadline=env.now() + DAY,
        )
    finally:
        agent.contract.functions.eip712Domain = original  # type: ignore[method-assign]
    with pytest.raises(contract_error("WelfareInvalidAuthorization")) as info:
        agent.claim_with_authorization(foreign, plan)
    assert info.value.inputs == {"beneficiary": beneficiary.address}
    expired = dataclasses.replace(auth, deadline=env.now() - 1)
    with pytest.raises(contract_error("WelfareAuthorizationExpired")):
        agent.claim_with_authorization(expired, plan)


# -- batch pay ------------------------------------------------------------------------------------


def test_batch_pay_pays_each_entry_once_and_skips_settled_ones(env: Env) -> None:
    plan = _plan(20)
    round_id = env.open_round(plan)
    env.anyone.claim(round_id, plan, 4)
    receipt = env.payer.batch_pay(round_id, plan, list(range(10)))
    assert sorted(int(e["index"]) for e in receipt.events_named("Claimed")) == [
        0,
        1,
        2,
        3,
        5,
        6,
        7,
        8,
        9,
    ]
    batch = receipt.event("BatchPaid")
    assert (batch["paid"], batch["skipped"]) == (9, 1)
    for i in range(10):
        assert env.balance(plan.entitlement(i).beneficiary) == plan.entitlement(i).amount
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")):
        env.anyone.batch_pay(round_id, plan, [10, 11])


def test_interrupted_batch_pay_of_1000_resumes_without_paying_anyone_twice(env: Env) -> None:
    plan = _plan(1000, amount=10)
    round_id = env.open_round(plan)
    # The first run "crashes" after two batches of 200.
    env.payer.batch_pay(round_id, plan, list(range(0, 200)))
    env.payer.batch_pay(round_id, plan, list(range(200, 400)))
    result = env.payer.pay_all(round_id, plan, batch_size=200)
    assert result.already_settled == list(range(400))
    assert result.paid_indexes == list(range(400, 1000))
    assert env.balance(env.governance.address) == 0
    report = env.anyone.reconcile(round_id)
    assert report.claimed == plan.total and report.unclaimed_indexes == []
    assert sorted(report.claimed_indexes) == list(range(1000))
    again = env.payer.pay_all(round_id, plan)
    assert again.receipts == [] and len(again.already_settled) == 1000


def test_reconciliation_lists_unclaimed_indexes(env: Env) -> None:
    plan = _plan(6)
    round_id = env.open_round(plan)
    env.anyone.claim(round_id, plan, 0)
    env.officer.revoke(round_id, plan, 5, reason_code=1)
    report = env.anyone.reconcile(round_id)
    assert report.unclaimed_indexes == [1, 2, 3, 4]
    assert report.outstanding == sum(plan.entitlement(i).amount for i in range(1, 5))
    assert report.balanced


# -- round plans ----------------------------------------------------------------------------------


def test_plan_rejects_bad_rows_with_their_position() -> None:
    good = Account.create().address
    with pytest.raises(RoundPlanError, match="entry 1: 'nope' is not an address"):
        RoundPlan.from_entitlements([(good, 1), ("nope", 1)])
    with pytest.raises(RoundPlanError, match="entry 1: .* is already entry 0"):
        RoundPlan.from_entitlements([(good, 1), (good.lower(), 2)])
    with pytest.raises(RoundPlanError, match="entry 0: amount 0 must be a positive integer"):
        RoundPlan.from_entitlements([(good, 0)])
    bad_checksum = good[:2] + good[2:].swapcase() if good[2:] != good[2:].swapcase() else None
    if bad_checksum and not (bad_checksum[2:].islower() or bad_checksum[2:].isupper()):
        with pytest.raises(RoundPlanError, match="invalid EIP-55 checksum"):
            RoundPlan.from_entitlements([(bad_checksum, 1)])
    assert RoundPlan.from_entitlements([(good.lower(), 1)]).entitlement(0).beneficiary == good
    with pytest.raises(RoundPlanError, match="at least one beneficiary"):
        RoundPlan.from_entitlements([])


def test_plan_round_trips_through_csv_and_tree_files(tmp_path: Any) -> None:
    rows = [(Account.create().address, f"{i}.25") for i in range(1, 4)]
    source = tmp_path / "march.csv"
    source.write_text("address,amount\n" + "".join(f"{a},{v}\n" for a, v in rows))
    plan = RoundPlan.from_csv(source, decimals=2)
    assert [e.amount for e in plan.entitlements] == [125, 225, 325]
    plan.write(tmp_path / "round")
    loaded = RoundPlan.load(tmp_path / "round")
    assert loaded.root == plan.root and loaded.entitlements == plan.entitlements
    assert (tmp_path / "round" / "proofs" / f"{rows[0][0]}.json").is_file()
    bad = tmp_path / "bad.csv"
    bad.write_text("address,amount\n" + f"{rows[0][0]},1.234\n")
    with pytest.raises(RoundPlanError, match="bad.csv:2: amount 1.234 has more than 2 decimals"):
        RoundPlan.from_csv(bad, decimals=2)


def test_reconciliation_is_unbalanced_when_events_and_contract_disagree() -> None:
    from govchain.clients.welfare import Reconciliation

    agreed = Reconciliation(1, 1, 3, 300, 100, 0, 0, 200, 200, [0], [], [1, 2])
    assert agreed.balanced
    assert not Reconciliation(1, 1, 3, 300, 100, 0, 0, 200, 150, [0], [], [1, 2]).balanced
    assert not Reconciliation(1, 1, 3, 300, 400, 0, 0, -100, -100, [0], [], []).balanced


def test_grant_role_by_name_handles_the_zero_default_admin_role(env: Env) -> None:
    newcomer = env.chain.accounts[8].address
    env.governance.grant_role("DEFAULT_ADMIN_ROLE", newcomer)
    assert env.governance.contract.functions.hasRole(b"\x00" * 32, newcomer).call()
