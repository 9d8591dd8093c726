"""Reorganisations (``anvil_reorg``) under the explorer and under the reconciliation reports.

anvil_reorg(depth, txBlockPairs) replaces the last ``depth`` blocks by as many new ones holding
only the transactions given: what the old blocks held is gone from the chain, as on a real
network when the branch a client saw loses (anvil does not put them back in its pool). Every
report rebuilt from events (welfare reconciliation, customs statement, tender report, ballot
recount) and the explorer's database must then equal what the contract holds: no phantom claim,
payment or vote. Sending the dropped transactions again (the same signed bytes: valid again,
their nonces are free) must bring everything back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak
from web3.exceptions import TransactionNotFound

from ballot_env import make_ballot_env
from customs_env import CARS, GERMANY, CustomsEnv, make_customs_env
from govchain.chain import Chain
from govchain.clients.customs import DeclarationLine, TariffLine
from govchain.clients.welfare import RoundPlan, WelfareClient
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.sender import Receipt
from govchain.session import Session
from procurement_env import make_env as make_procurement_env

DAY = 86_400
FAMILIES = 8


def reorg(chain: Chain, depth: int, replacements: Sequence[dict[str, Any]] = ()) -> None:
    """Replace the last ``depth`` blocks; ``replacements`` go into the first new block."""
    pairs = [[tx, 0] for tx in replacements]
    chain.rpc("anvil_reorg", depth, pairs)


def raw_transactions(chain: Chain, receipts: Sequence[Receipt]) -> list[str]:
    """The signed bytes of mined transactions, to send them again after they are dropped."""
    return [str(chain.rpc("eth_getRawTransactionByHash", r.tx_hash)) for r in receipts]


def last_transactions(chain: Chain, count: int) -> list[str]:
    """The signed bytes of the transactions of the last ``count`` blocks, oldest first."""
    head = int(chain.w3.eth.block_number)
    hashes = [
        "0x" + bytes(tx_hash).hex()  # type: ignore[arg-type]  # hashes: full=False
        for number in range(head - count + 1, head + 1)
        for tx_hash in chain.w3.eth.get_block(number)["transactions"]
    ]
    return [str(chain.rpc("eth_getRawTransactionByHash", tx_hash)) for tx_hash in hashes]


def resend(chain: Chain, raws: Sequence[str]) -> None:
    for raw in raws:
        tx_hash = chain.rpc("eth_sendRawTransaction", raw)
        assert chain.w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1


def is_mined(chain: Chain, receipt: Receipt) -> bool:
    try:
        chain.w3.eth.get_transaction_receipt(receipt.tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        return False
    return True


# -- welfare: reconciliation and explorer ---------------------------------------------------------


@dataclass
class Round:
    session: Session
    welfare: WelfareClient  # signs as a citizen: claims are open to anyone
    plan: RoundPlan
    round_id: int
    token: Any

    def balance(self, address: str) -> int:
        return int(self.token.functions.balanceOf(address).call())


@pytest.fixture
def open_round(suite_session: Session) -> Round:
    """A funded round of the deployed suite, open for claims."""
    session = suite_session
    officer, manager, fund, citizen = (session.chain.accounts[i] for i in (1, 2, 3, 9))
    governance: WelfareClient = WelfareClient.connect(session)
    governance.grant_role("ELIGIBILITY_OFFICER_ROLE", officer.address)
    governance.grant_role("PROGRAMME_MANAGER_ROLE", manager.address)
    token = session.contract("PaymentToken")
    session.sender.transact(token.functions.mint(fund.address, 10**9))
    session.sender_for(fund).transact(token.functions.approve(governance.address, 10**9))
    programme_id = int(
        governance.create_programme(
            name="Heating support",
            token=token.address,
            funding=fund.address,
            manager=manager.address,
            officer=officer.address,
        ).event("ProgrammeCreated")["programmeId"]
    )
    plan = RoundPlan.from_entitlements(
        (Account.create().address, 1_000 + i) for i in range(FAMILIES)
    )
    proposed = governance.as_account(officer).propose_round(programme_id, plan)
    round_id = int(proposed.event("RoundProposed")["roundId"])
    now = int(session.chain.w3.eth.get_block("latest")["timestamp"])
    governance.as_account(manager).publish_round(round_id, now, now + 30 * DAY)
    return Round(session, governance.as_account(citizen), plan, round_id, token)


def claimed_in_explorer(store: Store, round_id: int) -> list[int]:
    rows = store.events(kind="round", record=str(round_id), names=["Claimed"])
    return sorted(int(row.args["index"]) for row in rows)


def test_reorg_dropping_claims_leaves_reconciliation_and_explorer_as_the_contract(
    open_round: Round, tmp_path: Path
) -> None:
    r = open_round
    chain = r.session.chain
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    indexer = Indexer(r.session, store)
    claims = [r.welfare.claim(r.round_id, r.plan, i) for i in range(5)]  # one block each
    indexer.sync()
    assert claimed_in_explorer(store, r.round_id) == [0, 1, 2, 3, 4]
    dropped = raw_transactions(chain, claims[2:])

    reorg(chain, 3)  # the blocks of claims 2, 3 and 4 lose to a branch without them

    assert [is_mined(chain, c) for c in claims] == [True, True, False, False, False]
    report = r.welfare.reconcile(r.round_id)
    assert report.claimed_indexes == [0, 1]  # no phantom claims
    assert report.claimed == sum(r.plan.entitlement(i).amount for i in (0, 1))
    assert report.unclaimed_indexes == [2, 3, 4, 5, 6, 7]
    on_chain = r.welfare.round(r.round_id)
    assert report.outstanding == report.contract_remaining == on_chain.remaining
    assert report.balanced and r.balance(r.welfare.address) == on_chain.remaining
    assert [r.welfare.is_claimed(r.round_id, i) for i in range(5)] == [True] * 2 + [False] * 3
    families = [e.beneficiary for e in r.plan.entitlements]
    assert [r.balance(f) for f in families[2:5]] == [0, 0, 0]

    synced = indexer.sync()
    assert synced.reorg_depth >= 1 and synced.dropped >= 3
    assert claimed_in_explorer(store, r.round_id) == [0, 1]
    assert store.transaction(claims[3].tx_hash) is None

    resend(chain, dropped)  # the same signed claims, mined again on the new branch

    again = r.welfare.reconcile(r.round_id)
    assert again.claimed_indexes == [0, 1, 2, 3, 4] and again.balanced
    assert [r.balance(f) for f in families[:5]] == [e.amount for e in r.plan.entitlements[:5]]
    indexer.sync()
    assert claimed_in_explorer(store, r.round_id) == [0, 1, 2, 3, 4]
    assert store.transaction(claims[3].tx_hash) is not None


def test_reorg_to_a_branch_with_another_claim_is_reported_as_that_branch(
    open_round: Round, tmp_path: Path
) -> None:
    """The winning branch has its own transaction: the reports follow it, not the lost one."""
    r = open_round
    chain = r.session.chain
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    indexer = Indexer(r.session, store)
    lost = r.welfare.claim(r.round_id, r.plan, 6)
    indexer.sync()
    assert claimed_in_explorer(store, r.round_id) == [6]
    e = r.plan.entitlement(7)
    claim_7 = r.welfare.contract.functions.claim(
        r.round_id, e.index, e.beneficiary, e.amount, r.plan.proof(7)
    )
    # No client method builds an unsent transaction: anvil signs this one for the dev account.
    other = {
        "from": chain.accounts[8].address,
        "to": r.welfare.address,
        "data": claim_7._encode_transaction_data(),
        "gas": hex(200_000),
    }

    reorg(chain, 1, [other])

    assert not is_mined(chain, lost)
    report = r.welfare.reconcile(r.round_id)
    assert report.claimed_indexes == [7] and report.claimed == e.amount and report.balanced
    assert r.balance(r.plan.entitlement(6).beneficiary) == 0
    assert r.balance(e.beneficiary) == e.amount
    indexer.sync()
    assert claimed_in_explorer(store, r.round_id) == [7]


# -- customs: the trader's statement --------------------------------------------------------------


@pytest.fixture
def customs(session: Session, chain: Chain) -> CustomsEnv:
    env = make_customs_env(session, chain)
    env.schedule([TariffLine(CARS, 1_000, 0)], vat_bps=1_600)
    return env


def test_reorg_dropping_a_duty_payment_leaves_the_statement_as_the_contract(
    customs: CustomsEnv,
) -> None:
    env, chain = customs, customs.chain
    trader = env.traders[0]
    car = [DeclarationLine(CARS, GERMANY, 2_000_000, 1)]
    first, second = env.file(trader, car), env.file(trader, car)
    trader.pay(first)
    due = trader.declaration(second).due
    treasury_before = env.balance(env.treasury.sender.address)
    trader.pay(second)  # an approval, then the payment: two blocks
    dropped = last_transactions(chain, 2)
    assert env.balance(env.treasury.sender.address) == treasury_before + due

    reorg(chain, 2)

    statement = trader.statement(trader.sender.address)
    by_id = {entry.declaration_id: entry for entry in statement.declarations}
    assert (by_id[first].status, by_id[second].status) == ("Paid", "Assessed")
    assert by_id[second].paid == 0 and by_id[first].paid == due  # same lines, same duty
    assert statement.total_paid == due
    assert trader.declaration(second).due == due  # still owed, as the statement says
    assert env.balance(env.treasury.sender.address) == treasury_before

    resend(chain, dropped)

    statement = trader.statement(trader.sender.address)
    assert [entry.status for entry in statement.declarations] == ["Paid", "Paid"]
    assert statement.total_paid == 2 * due
    assert env.balance(env.treasury.sender.address) == treasury_before + due


# -- procurement: the tender report ---------------------------------------------------------------


def test_reorg_dropping_a_milestone_payment_leaves_the_tender_report_as_the_contract(
    session: Session, chain: Chain, tmp_path: Path
) -> None:
    env = make_procurement_env(session, chain, tmp_path)
    tender_id, _ = env.awarded([3_000_000, 3_500_000])
    env.past_standstill(tender_id)
    env.buyer.fund_escrow(tender_id, [1_000_000, 2_000_000])
    env.inspector.confirm_milestone(tender_id, 0, keccak(text="works report 1"))
    winner = env.suppliers[0].sender.address
    paid_once = env.balance(winner)
    env.inspector.confirm_milestone(tender_id, 1, keccak(text="works report 2"))
    dropped = last_transactions(chain, 1)

    reorg(chain, 1)

    report = env.anyone.report(tender_id)
    assert [m["amount"] for m in report.milestones_paid] == [1_000_000]  # nothing phantom
    assert report.escrow_paid == 1_000_000 and report.balanced
    assert report.held == env.balance(env.governance.address)  # what the contract holds
    assert env.anyone.escrow(tender_id).held == 2_000_000
    assert env.balance(winner) == paid_once

    resend(chain, dropped)

    report = env.anyone.report(tender_id)
    assert [m["amount"] for m in report.milestones_paid] == [1_000_000, 2_000_000]
    assert report.escrow_paid == 3_000_000 and report.balanced
    assert report.held == env.balance(env.governance.address)
    assert env.balance(winner) == paid_once + 2_000_000


# -- ballot: the recount --------------------------------------------------------------------------


def test_reorg_dropping_reveals_leaves_the_recount_as_the_contract(
    session: Session, chain: Chain, tmp_path: Path
) -> None:
    env = make_ballot_env(session, chain, tmp_path)
    election_id = env.create()
    env.to_commit(election_id)
    receipts = [env.vote(v, election_id, i % 3) for i, v in enumerate(env.voters)]
    env.to_reveal(election_id)
    for receipt in receipts:  # one block each
        env.relayer.reveal(receipt)
    assert env.relayer.recount(election_id).tallies == [3, 2, 2]
    dropped = last_transactions(chain, 2)

    reorg(chain, 2)  # the reveals of voters 5 (choice 2) and 6 (choice 0) are gone

    recount = env.relayer.recount(election_id)
    assert recount.matches  # the events and the stored tally agree
    assert (recount.tallies, recount.revealed, recount.turnout) == ([2, 2, 1], 5, 7)
    late = [v.sender.address for v in env.voters[5:]]
    assert [env.relayer.has_revealed(election_id, v) for v in late] == [False, False]
    assert [env.relayer.counted_choice(election_id, v) for v in late] == [None, None]

    resend(chain, dropped)

    recount = env.relayer.recount(election_id)
    assert recount.matches and (recount.tallies, recount.revealed) == ([3, 2, 2], 7)
