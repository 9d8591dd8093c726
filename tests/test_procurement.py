"""Procurement through its Python client: every rule, every named error."""

from __future__ import annotations

import dataclasses
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak

from govchain import contract_error
from govchain.chain import Chain
from govchain.clients.procurement import (
    ProcurementClient,
    RevealedBid,
    SealedBid,
    SealedBidError,
)
from govchain.project import Project
from govchain.session import Session, registries
from procurement_env import (
    BOND,
    BUYER_FUNDS,
    CEILING,
    DAY,
    SPEC,
    STANDSTILL,
    SUPPLIER_FUNDS,
    ProcurementEnv,
    event_args,
    make_env,
)

NOMINATION_WINDOW = 2 * DAY
MAX_MILESTONES = 32
# TenderStatus codes, as ProcurementWrongStatus reports them.
OPEN, AWARDED, REAWARD, NO_AWARD, CANCELLED, CONTRACTED, COMPLETED, TERMINATED = range(1, 9)
ZERO_ADDRESS = "0x" + "00" * 20
REPORT = keccak(text="inspection report")
GROUNDS = keccak(text="grounds for the challenge")
# A fixed, valid checksummed address for tests that need no chain.
SOMEONE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture(scope="module")
def deployed(
    project: Project, _anvil_chain: Chain, tmp_path_factory: Any
) -> Iterator[ProcurementEnv]:
    """One deployment for the module (the chain is reverted to it around each test)."""
    snapshot = _anvil_chain.rpc("evm_snapshot")
    errors, events = registries(project)
    session = Session(project, _anvil_chain, errors, events)
    yield make_env(session, _anvil_chain, tmp_path_factory.mktemp("bids"))
    assert _anvil_chain.rpc("evm_revert", snapshot) is True


@pytest.fixture
def env(deployed: ProcurementEnv, session: Session, chain: Chain, tmp_path: Path) -> ProcurementEnv:
    """The module's deployment, driven through this test's session (fresh nonce tracking)."""
    contract = session.contract("Procurement", deployed.governance.address)

    def bind(client: ProcurementClient) -> ProcurementClient:
        return ProcurementClient(session, contract, session.sender_for(client.sender.account))

    return dataclasses.replace(
        deployed,
        session=session,
        chain=chain,
        token=session.contract("PaymentToken", deployed.token.address),
        governance=bind(deployed.governance),
        officer=bind(deployed.officer),
        reviewer=bind(deployed.reviewer),
        inspector=bind(deployed.inspector),
        registrar=bind(deployed.registrar),
        buyer=bind(deployed.buyer),
        suppliers=[bind(s) for s in deployed.suppliers],
        anyone=bind(deployed.anyone),
        bid_dir=tmp_path / "bids",
    )


# -- helpers --------------------------------------------------------------------------------------


def who(client: ProcurementClient) -> str:
    return str(client.sender.address)


def role(name: str) -> bytes:
    return keccak(text=name)


def at(env: ProcurementEnv, timestamp: int) -> None:
    """Stamp the next block (and the estimates made against it) at ``timestamp``."""
    env.chain.rpc("evm_setNextBlockTimestamp", timestamp)


def revoke(env: ProcurementEnv, role_name: str, account: str) -> None:
    functions = env.governance.contract.functions
    env.governance.sender.transact(functions.revokeRole(role(role_name), account))


def mint(env: ProcurementEnv, account: str, amount: int) -> None:
    env.governance.sender.transact(env.token.functions.mint(account, amount))


def commit_raw(client: ProcurementClient, tender_id: int, commitment: bytes) -> Any:
    """``commitBid`` straight to the contract, bypassing the client's checks."""
    return client.sender.transact(client.contract.functions.commitBid(tender_id, commitment))


def nonce(env: ProcurementEnv, account: str) -> int:
    return int(env.chain.w3.eth.get_transaction_count(account))


def held(env: ProcurementEnv) -> int:
    """What the Procurement contract holds, in tokens."""
    return env.balance(env.officer.address)


def allowance(env: ProcurementEnv, owner: str) -> int:
    return int(env.token.functions.allowance(owner, env.officer.address).call())


def is_official(env: ProcurementEnv, account: str) -> bool:
    return bool(env.officer.contract.functions.isOfficial(account).call())


def challenge_record(env: ProcurementEnv, tender_id: int, challenge_id: int) -> dict[str, Any]:
    return env.officer._view_struct("challenge", tender_id, challenge_id)


def challenge(client: ProcurementClient, tender_id: int) -> int:
    receipt = client.challenge_award(tender_id, GROUNDS)
    return int(receipt.event("ChallengeLodged")["challengeId"])


def terms(env: ProcurementEnv, **overrides: Any) -> dict[str, Any]:
    now = env.now()
    base: dict[str, Any] = {
        "title": "Bridge repair",
        "buyer": who(env.buyer),
        "token": env.token.address,
        "document_hash": SPEC,
        "ceiling": CEILING,
        "bond": BOND,
        "bidding_deadline": now + 7 * DAY,
        "reveal_deadline": now + 10 * DAY,
        "standstill": STANDSTILL,
        "registered_only": False,
    }
    base.update(overrides)
    return base


# -- opening, amending, cancelling ----------------------------------------------------------------


def test_create_tender_records_the_terms(env: ProcurementEnv) -> None:
    spec = terms(env, registered_only=True)
    receipt = env.officer.create_tender(**spec)
    assert event_args(receipt, "TenderCreated") == {
        "tenderId": 1,
        "buyer": who(env.buyer),
        "officer": who(env.officer),
        "token": env.token.address,
        "documentHash": SPEC,
        "ceiling": CEILING,
        "bond": BOND,
        "biddingDeadline": spec["bidding_deadline"],
        "revealDeadline": spec["reveal_deadline"],
        "standstill": STANDSTILL,
        "registeredOnly": True,
        "title": "Bridge repair",
    }
    record = env.officer.tender(1)
    assert (record.status, record.phase) == ("Open", "Bidding")
    assert (record.buyer, record.officer, record.token) == (
        who(env.buyer),
        who(env.officer),
        env.token.address,
    )
    assert (record.ceiling, record.bond, record.standstill) == (CEILING, BOND, STANDSTILL)
    assert (record.bidding_deadline, record.reveal_deadline) == (
        spec["bidding_deadline"],
        spec["reveal_deadline"],
    )
    assert record.document_hash == SPEC and record.registered_only is True
    assert (record.bid_count, record.winner, record.winning_price) == (0, None, None)
    assert env.officer.tender_count() == 1
    second = env.open_tender(title="Street lighting")
    assert second == 2
    assert env.anyone.tenders() == [
        (1, "Bridge repair", "Bidding"),
        (2, "Street lighting", "Bidding"),
    ]


def test_create_tender_rejects_zero_addresses_oversized_amounts_and_bad_windows(
    env: ProcurementEnv,
) -> None:
    now = env.now() + 100
    at(env, now)
    window = {"bidding_deadline": now + DAY, "reveal_deadline": now + 2 * DAY}
    cases: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
        ({"buyer": ZERO_ADDRESS}, "GovchainZeroAddress", {"parameter": "buyer"}),
        ({"token": ZERO_ADDRESS}, "GovchainZeroAddress", {"parameter": "token"}),
        ({"ceiling": 0}, "GovchainZeroAmount", {"parameter": "ceiling"}),
        (
            {"ceiling": 2**96},
            "ProcurementAmountTooLarge",
            {"parameter": "ceiling", "amount": 2**96},
        ),
        ({"bond": 2**96}, "ProcurementAmountTooLarge", {"parameter": "bond", "amount": 2**96}),
        (
            {"bidding_deadline": now, "reveal_deadline": now + DAY},
            "GovchainInvalidWindow",
            {"start": now, "end": now + DAY},
        ),
        (
            {"bidding_deadline": now - DAY, "reveal_deadline": now + DAY},
            "GovchainInvalidWindow",
            {"start": now - DAY, "end": now + DAY},
        ),
        (
            {"bidding_deadline": now + DAY, "reveal_deadline": now + DAY},
            "GovchainInvalidWindow",
            {"start": now + DAY, "end": now + DAY},
        ),
        (
            {"bidding_deadline": now + DAY, "reveal_deadline": 2**48},
            "GovchainInvalidWindow",
            {"start": now + DAY, "end": 2**48},
        ),
    ]
    for overrides, error, inputs in cases:
        with pytest.raises(contract_error(error)) as info:
            env.officer.create_tender(**terms(env, **{**window, **overrides}))
        assert info.value.inputs == inputs, overrides
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as denied:
        env.buyer.create_tender(**terms(env, **window))
    assert denied.value.inputs == {
        "account": who(env.buyer),
        "neededRole": role("PROCUREMENT_OFFICER_ROLE"),
    }
    assert env.officer.tender_count() == 0
    # The limits themselves are accepted.
    widest = terms(
        env,
        ceiling=2**96 - 1,
        bond=2**96 - 1,
        bidding_deadline=now + 1,
        reveal_deadline=2**48 - 1,
    )
    receipt = env.officer.create_tender(**widest)
    created = receipt.event("TenderCreated")
    assert (created["ceiling"], created["bond"], created["revealDeadline"]) == (
        2**96 - 1,
        2**96 - 1,
        2**48 - 1,
    )
    record = env.officer.tender(1)
    assert (record.ceiling, record.bond, record.bidding_deadline, record.reveal_deadline) == (
        2**96 - 1,
        2**96 - 1,
        now + 1,
        2**48 - 1,
    )


def test_amend_before_the_first_bid_moves_deadlines_and_document(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    old = env.officer.tender(tender_id)
    new_doc = keccak(text="tender specification v2")
    bidding, reveal = old.bidding_deadline + 3 * DAY, old.reveal_deadline + 5 * DAY
    receipt = env.officer.amend_tender(tender_id, new_doc, bidding, reveal)
    assert event_args(receipt, "TenderAmended") == {
        "tenderId": tender_id,
        "documentHash": new_doc,
        "biddingDeadline": bidding,
        "revealDeadline": reveal,
    }
    record = env.officer.tender(tender_id)
    assert (record.bidding_deadline, record.reveal_deadline) == (bidding, reveal)
    assert record.document_hash == new_doc
    # Bidding stays open past the original deadline.
    env.travel_to(old.bidding_deadline + 1)
    assert env.officer.phase(tender_id) == "Bidding"
    env.commit(env.suppliers[0], tender_id, 3_000_000)
    with pytest.raises(contract_error("ProcurementAlreadyBid")) as info:
        env.officer.amend_tender(tender_id, SPEC, bidding + DAY, reveal + DAY)
    assert info.value.inputs == {"tenderId": tender_id}
    record = env.officer.tender(tender_id)
    assert (record.bidding_deadline, record.reveal_deadline) == (bidding, reveal)
    assert record.document_hash == new_doc


def test_amend_rejects_bad_windows_outsiders_and_closed_tenders(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    now = env.now() + 100
    at(env, now)
    with pytest.raises(contract_error("GovchainInvalidWindow")) as info:
        env.officer.amend_tender(tender_id, SPEC, now + 2 * DAY, now + DAY)
    assert info.value.inputs == {"start": now + 2 * DAY, "end": now + DAY}
    with pytest.raises(contract_error("GovchainInvalidWindow")) as info:
        env.officer.amend_tender(tender_id, SPEC, now, now + DAY)
    assert info.value.inputs == {"start": now, "end": now + DAY}
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as denied:
        env.buyer.amend_tender(tender_id, SPEC, now + DAY, now + 2 * DAY)
    assert denied.value.inputs["account"] == who(env.buyer)
    with pytest.raises(contract_error("ProcurementUnknownTender")) as unknown:
        env.officer.amend_tender(99, SPEC, now + DAY, now + 2 * DAY)
    assert unknown.value.inputs == {"tenderId": 99}
    env.officer.cancel_tender(tender_id, 1)
    with pytest.raises(contract_error("ProcurementWrongStatus")) as closed:
        env.officer.amend_tender(tender_id, SPEC, now + DAY, now + 2 * DAY)
    assert closed.value.inputs == {"tenderId": tender_id, "actual": CANCELLED}


def test_cancel_before_the_reveal_deadline_refunds_every_bond(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    sealed = [env.commit(s, tender_id, p) for s, p in zip(env.suppliers, [3, 4, 5], strict=True)]
    assert held(env) == 3 * BOND
    env.to_reveal(tender_id)
    env.suppliers[0].reveal_bid(sealed[0])
    receipt = env.officer.cancel_tender(tender_id, 42)
    assert event_args(receipt, "TenderCancelled") == {
        "tenderId": tender_id,
        "reasonCode": 42,
        "allBondsRefunded": True,
    }
    assert env.officer.phase(tender_id) == "Cancelled"
    with pytest.raises(contract_error("ProcurementNoForfeits")) as none:
        env.anyone.pay_forfeited_bonds(tender_id)
    assert none.value.inputs == {"tenderId": tender_id}
    # The revealed bidder and the two who never revealed all get their bond back, once.
    for supplier in env.suppliers:
        returned = supplier.withdraw_bond(tender_id)
        assert event_args(returned, "BondReturned") == {
            "tenderId": tender_id,
            "bidder": who(supplier),
            "amount": BOND,
        }
        assert env.balance(who(supplier)) == SUPPLIER_FUNDS
        with pytest.raises(contract_error("ProcurementBondNotRefundable")) as twice:
            supplier.withdraw_bond(tender_id)
        assert twice.value.inputs == {"tenderId": tender_id, "bidder": who(supplier)}
    assert held(env) == 0
    assert env.balance(who(env.buyer)) == BUYER_FUNDS
    with pytest.raises(contract_error("ProcurementWrongStatus")) as closed:
        env.suppliers[1].reveal_bid(sealed[1])
    assert closed.value.inputs == {"tenderId": tender_id, "actual": CANCELLED}
    with pytest.raises(contract_error("ProcurementWrongStatus")):
        env.anyone.award(tender_id)
    report = env.anyone.report(tender_id)
    assert report.balanced and report.held == 0 and report.bonds_returned == 3 * BOND


def test_cancel_during_bidding_refunds_unrevealed_bonds(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    env.commit(env.suppliers[0], tender_id, 3_000_000)
    receipt = env.officer.cancel_tender(tender_id, 3)
    assert receipt.event("TenderCancelled")["allBondsRefunded"] is True
    with pytest.raises(contract_error("ProcurementWrongStatus")) as closed:
        env.commit(env.suppliers[1], tender_id, 3_000_000)
    assert closed.value.inputs == {"tenderId": tender_id, "actual": CANCELLED}
    env.suppliers[0].withdraw_bond(tender_id)
    assert env.balance(who(env.suppliers[0])) == SUPPLIER_FUNDS
    assert held(env) == 0


def test_cancel_after_the_reveal_deadline_still_refunds_every_bond(env: ProcurementEnv) -> None:
    # An officer's cancellation, at any time before the award, refunds revealed and unrevealed
    # bonds alike (only a cancellation decided on a challenge leaves forfeits).
    tender_id = env.open_tender()
    revealed = env.commit(env.suppliers[0], tender_id, 3_000_000)
    env.commit(env.suppliers[1], tender_id, 2_000_000)
    env.to_reveal(tender_id)
    env.suppliers[0].reveal_bid(revealed)
    record = env.officer.tender(tender_id)
    at(env, record.reveal_deadline + 1)
    receipt = env.officer.cancel_tender(tender_id, 8)
    assert event_args(receipt, "TenderCancelled") == {
        "tenderId": tender_id,
        "reasonCode": 8,
        "allBondsRefunded": True,
    }
    with pytest.raises(contract_error("ProcurementNoForfeits")) as none:
        env.anyone.pay_forfeited_bonds(tender_id)
    assert none.value.inputs == {"tenderId": tender_id}
    for supplier in env.suppliers[:2]:
        supplier.withdraw_bond(tender_id)
        assert env.balance(who(supplier)) == SUPPLIER_FUNDS
    assert env.balance(who(env.buyer)) == BUYER_FUNDS
    assert held(env) == 0


def test_cancel_needs_the_officer_role_and_an_open_tender(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    for outsider in (env.buyer, env.reviewer, env.anyone, env.suppliers[0]):
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            outsider.cancel_tender(tender_id, 1)
        assert info.value.inputs == {
            "account": who(outsider),
            "neededRole": role("PROCUREMENT_OFFICER_ROLE"),
        }
    assert env.officer.phase(tender_id) == "Bidding"
    with pytest.raises(contract_error("ProcurementUnknownTender")) as unknown:
        env.officer.cancel_tender(7, 1)
    assert unknown.value.inputs == {"tenderId": 7}
    awarded, _ = env.awarded([3_000_000])
    with pytest.raises(contract_error("ProcurementWrongStatus")) as late:
        env.officer.cancel_tender(awarded, 1)
    assert late.value.inputs == {"tenderId": awarded, "actual": AWARDED}


# -- bidding --------------------------------------------------------------------------------------


def test_commit_pulls_the_bond_once_and_recommitting_replaces_the_bid(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    first, second = env.suppliers[:2]
    original = env.seal(first, tender_id, 4_000_000)
    first.approve_bond(tender_id)
    receipt = first.commit_bid(original, keep=env.bid_dir / "first.json")
    assert event_args(receipt, "BidCommitted") == {
        "tenderId": tender_id,
        "bidder": who(first),
        "commitment": original.commitment,
        "seq": 1,
        "replaced": False,
    }
    assert env.balance(who(first)) == SUPPLIER_FUNDS - BOND
    assert allowance(env, who(first)) == 0
    env.commit(second, tender_id, 3_500_000)
    # No new approval: a second bond pull would fail for want of allowance.
    replacement = env.seal(first, tender_id, 2_500_000)
    receipt = first.commit_bid(replacement, keep=env.bid_dir / "first-again.json")
    assert event_args(receipt, "BidCommitted") == {
        "tenderId": tender_id,
        "bidder": who(first),
        "commitment": replacement.commitment,
        "seq": 3,
        "replaced": True,
    }
    assert env.balance(who(first)) == SUPPLIER_FUNDS - BOND
    assert held(env) == 2 * BOND
    record = env.officer.tender(tender_id)
    assert record.bid_count == 2
    assert env.officer.bid(tender_id, who(first)).seq == 3
    assert env.officer.bid(tender_id, who(second)).seq == 2
    env.to_reveal(tender_id)
    with pytest.raises(contract_error("ProcurementCommitmentMismatch")) as stale:
        first.reveal_bid(original)
    assert stale.value.inputs == {"tenderId": tender_id, "bidder": who(first)}
    first.reveal_bid(replacement)
    assert env.officer.bid(tender_id, who(first)).price == 2_500_000


def test_commit_without_an_approved_bond_is_refused(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    supplier = env.suppliers[0]
    with pytest.raises(contract_error("ERC20InsufficientAllowance")) as info:
        commit_raw(supplier, tender_id, b"\x01" * 32)
    assert info.value.inputs == {
        "spender": env.officer.address,
        "allowance": 0,
        "needed": BOND,
    }
    assert env.officer.bid(tender_id, who(supplier)).status == "None"


def test_commit_is_refused_after_the_bidding_deadline(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    deadline = env.officer.tender(tender_id).bidding_deadline
    for supplier in env.suppliers[:2]:
        supplier.approve_bond(tender_id)
    at(env, deadline)
    sealed = env.seal(env.suppliers[0], tender_id, 3_000_000)
    env.suppliers[0].commit_bid(sealed, keep=env.bid_dir / "on-time.json")  # at the deadline
    at(env, deadline + 1)
    for supplier in env.suppliers[:2]:  # a new bid, and a replacement, alike
        with pytest.raises(contract_error("ProcurementBiddingClosed")) as info:
            commit_raw(supplier, tender_id, b"\x02" * 32)
        assert info.value.inputs == {"tenderId": tender_id, "biddingDeadline": deadline}
    assert env.officer.tender(tender_id).bid_count == 1
    assert env.balance(who(env.suppliers[1])) == SUPPLIER_FUNDS


def test_commit_rejects_an_empty_commitment_and_unknown_tenders(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    supplier = env.suppliers[0]
    supplier.approve_bond(tender_id)
    with pytest.raises(contract_error("ProcurementEmptyCommitment")) as info:
        commit_raw(supplier, tender_id, b"\x00" * 32)
    assert info.value.inputs == {}
    with pytest.raises(contract_error("ProcurementUnknownTender")) as unknown:
        commit_raw(supplier, 5, b"\x01" * 32)
    assert unknown.value.inputs == {"tenderId": 5}


def test_officials_and_the_buyer_cannot_bid(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    officials = [
        env.officer,
        env.reviewer,
        env.inspector,
        env.registrar,
        env.governance,  # admin and governance
        env.buyer,
    ]
    for official in officials:
        with pytest.raises(contract_error("ProcurementOfficialCannotBid")) as info:
            commit_raw(official, tender_id, b"\x03" * 32)
        assert info.value.inputs == {"account": who(official)}
    assert [is_official(env, who(o)) for o in officials] == [True] * 5 + [False]
    assert env.officer.tender(tender_id).bid_count == 0
    # The buyer of this tender is a supplier like any other on someone else's tender.
    other = env.open_tender(buyer=who(env.suppliers[0]))
    env.commit(env.buyer, other, 3_000_000)
    with pytest.raises(contract_error("ProcurementOfficialCannotBid")) as own:
        commit_raw(env.suppliers[0], other, b"\x03" * 32)
    assert own.value.inputs == {"account": who(env.suppliers[0])}


def test_an_account_whose_roles_are_revoked_may_bid_again(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    supplier = env.suppliers[0]
    env.governance.grant_role("CONTRACT_INSPECTOR_ROLE", who(supplier))
    env.governance.grant_role("PROCUREMENT_REVIEWER_ROLE", who(supplier))
    with pytest.raises(contract_error("ProcurementOfficialCannotBid")):
        env.commit(supplier, tender_id, 3_000_000)
    revoke(env, "CONTRACT_INSPECTOR_ROLE", who(supplier))
    with pytest.raises(contract_error("ProcurementOfficialCannotBid")) as still:
        commit_raw(supplier, tender_id, b"\x04" * 32)  # still a reviewer
    assert still.value.inputs == {"account": who(supplier)}
    revoke(env, "PROCUREMENT_REVIEWER_ROLE", who(supplier))
    assert not is_official(env, who(supplier))
    env.commit(supplier, tender_id, 3_000_000)
    assert env.balance(who(supplier)) == SUPPLIER_FUNDS - BOND
    # A registrar who leaves office, likewise.
    registrar = who(env.registrar)
    revoke(env, "SUPPLIER_REGISTRAR_ROLE", registrar)
    mint(env, registrar, BOND)
    env.commit(env.registrar, tender_id, 3_100_000)
    assert env.officer.bid(tender_id, registrar).status == "Committed"
    assert env.balance(registrar) == 0


def test_a_debarred_supplier_cannot_bid_until_reinstated(env: ProcurementEnv) -> None:
    open_tender = env.open_tender()
    registered_only = env.open_tender(registered_only=True)
    supplier = env.suppliers[0]
    decision = keccak(text="debarment decision 2026/14")
    receipt = env.registrar.set_supplier_status(who(supplier), "Debarred", decision, 12)
    assert event_args(receipt, "SupplierStatusChanged") == {
        "supplier": who(supplier),
        "status": 2,
        "documentHash": decision,
        "reasonCode": 12,
    }
    assert env.anyone.supplier_status(who(supplier)) == "Debarred"
    supplier.approve_bond(open_tender)
    for tender_id in (open_tender, registered_only):
        with pytest.raises(contract_error("ProcurementSupplierDebarred")) as info:
            commit_raw(supplier, tender_id, b"\x05" * 32)
        assert info.value.inputs == {"account": who(supplier)}
    assert env.balance(who(supplier)) == SUPPLIER_FUNDS
    env.registrar.set_supplier_status(who(supplier), "Approved")
    env.commit(supplier, open_tender, 3_000_000)
    env.commit(supplier, registered_only, 3_000_000)
    assert env.balance(who(supplier)) == SUPPLIER_FUNDS - 2 * BOND
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as denied:
        env.officer.set_supplier_status(who(supplier), "Debarred")
    assert denied.value.inputs == {
        "account": who(env.officer),
        "neededRole": role("SUPPLIER_REGISTRAR_ROLE"),
    }
    with pytest.raises(contract_error("GovchainZeroAddress")) as zero:
        env.registrar.set_supplier_status(ZERO_ADDRESS, "Approved")
    assert zero.value.inputs == {"parameter": "supplier"}


def test_a_registered_only_tender_needs_an_approved_supplier(env: ProcurementEnv) -> None:
    tender_id = env.open_tender(registered_only=True)
    public = env.open_tender()
    unregistered, approved = env.suppliers[0], env.suppliers[1]
    env.registrar.set_supplier_status(who(approved), "Approved")
    unregistered.approve_bond(tender_id)
    with pytest.raises(contract_error("ProcurementSupplierNotRegistered")) as info:
        commit_raw(unregistered, tender_id, b"\x06" * 32)
    assert info.value.inputs == {"account": who(unregistered)}
    env.commit(approved, tender_id, 3_000_000)
    env.commit(unregistered, public, 3_000_000)  # open tenders take anyone
    assert env.officer.tender(tender_id).bid_count == 1
    assert env.officer.tender(public).bid_count == 1
    env.registrar.set_supplier_status(who(unregistered), "Approved")
    env.commit(unregistered, tender_id, 3_000_000)
    assert env.officer.tender(tender_id).bid_count == 2


# -- revealing ------------------------------------------------------------------------------------


def test_reveal_only_between_the_two_deadlines(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    early, on_time, late = env.suppliers
    sealed = {who(s): env.commit(s, tender_id, 3_000_000 + i) for i, s in enumerate(env.suppliers)}
    record = env.officer.tender(tender_id)
    bidding, reveal = record.bidding_deadline, record.reveal_deadline
    window = {"tenderId": tender_id, "biddingDeadline": bidding, "revealDeadline": reveal}
    at(env, bidding)
    with pytest.raises(contract_error("ProcurementRevealNotOpen")) as info:
        early.reveal_bid(sealed[who(early)])
    assert info.value.inputs == window
    at(env, bidding + 1)
    early.reveal_bid(sealed[who(early)])
    assert env.officer.phase(tender_id) == "Revealing"
    at(env, reveal)
    on_time.reveal_bid(sealed[who(on_time)])
    at(env, reveal + 1)
    with pytest.raises(contract_error("ProcurementRevealNotOpen")) as info:
        late.reveal_bid(sealed[who(late)])
    assert info.value.inputs == window
    env.travel_to(reveal + 1)
    assert env.officer.phase(tender_id) == "AwaitingAward"
    assert [env.officer.bid(tender_id, who(s)).status for s in env.suppliers] == [
        "Revealed",
        "Revealed",
        "Committed",
    ]
    assert env.officer.tender(tender_id).revealed_count == 2


def test_reveal_with_wrong_terms_fails_and_succeeds_only_once(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    supplier = env.suppliers[0]
    sealed = env.commit(supplier, tender_id, 3_000_000)
    env.to_reveal(tender_id)
    wrong = [
        dataclasses.replace(sealed, salt=bytes(32)),
        dataclasses.replace(sealed, price=sealed.price + 1),
        dataclasses.replace(sealed, price=sealed.price - 1),
        dataclasses.replace(sealed, offer_doc_hash=keccak(text="another offer")),
    ]
    for bad in wrong:
        with pytest.raises(contract_error("ProcurementCommitmentMismatch")) as info:
            supplier.reveal_bid(bad)
        assert info.value.inputs == {"tenderId": tender_id, "bidder": who(supplier)}
    assert env.officer.bid(tender_id, who(supplier)).status == "Committed"
    receipt = supplier.reveal_bid(sealed)
    assert event_args(receipt, "BidRevealed") == {
        "tenderId": tender_id,
        "bidder": who(supplier),
        "price": 3_000_000,
        "offerDocHash": sealed.offer_doc_hash,
        "compliant": True,
    }
    with pytest.raises(contract_error("ProcurementAlreadyRevealed")) as again:
        supplier.reveal_bid(sealed)
    assert again.value.inputs == {"tenderId": tender_id, "bidder": who(supplier)}
    stranger = env.suppliers[1]
    with pytest.raises(contract_error("ProcurementNoBid")) as none:
        stranger.reveal_bid(dataclasses.replace(sealed, bidder=who(stranger)))
    assert none.value.inputs == {"tenderId": tender_id, "bidder": who(stranger)}
    record = env.officer.tender(tender_id)
    assert (record.revealed_count, record.bid_count) == (1, 1)


def test_a_copied_commitment_cannot_be_revealed_by_the_copier(env: ProcurementEnv) -> None:
    tender_id = env.open_tender()
    honest, copier = env.suppliers[:2]
    original = env.commit(honest, tender_id, 3_000_000)
    copier.approve_bond(tender_id)
    commit_raw(copier, tender_id, original.commitment)
    assert env.officer.tender(tender_id).bid_count == 2
    env.to_reveal(tender_id)
    with pytest.raises(contract_error("ProcurementCommitmentMismatch")) as info:
        copier.reveal_bid(original)  # the honest bidder's very terms
    assert info.value.inputs == {"tenderId": tender_id, "bidder": who(copier)}
    as_copier = dataclasses.replace(original, bidder=who(copier))
    with pytest.raises(contract_error("ProcurementCommitmentMismatch")):
        copier.reveal_bid(as_copier)
    honest.reveal_bid(original)
    env.to_award(tender_id)
    env.anyone.award(tender_id)
    assert env.officer.tender(tender_id).winner == who(honest)
    with pytest.raises(contract_error("ProcurementBondNotRefundable")):
        copier.withdraw_bond(tender_id)
    env.anyone.pay_forfeited_bonds(tender_id)
    assert env.balance(who(env.buyer)) == BUYER_FUNDS + BOND
    assert env.balance(who(copier)) == SUPPLIER_FUNDS - BOND


# -- award ----------------------------------------------------------------------------------------


def test_award_waits_for_the_reveal_deadline_and_picks_the_lowest_price(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    sealed = [
        env.commit(s, tender_id, p)
        for s, p in zip(env.suppliers, [3_000_000, 2_500_000, 2_700_000], strict=True)
    ]
    env.to_reveal(tender_id)
    for supplier, bid in zip(env.suppliers, sealed, strict=True):
        supplier.reveal_bid(bid)
    reveal = env.officer.tender(tender_id).reveal_deadline
    at(env, reveal)
    with pytest.raises(contract_error("ProcurementAwardTooEarly")) as info:
        env.anyone.award(tender_id)
    assert info.value.inputs == {"tenderId": tender_id, "notBefore": reveal}
    at(env, reveal + 1)
    receipt = env.anyone.award(tender_id)
    assert event_args(receipt, "TenderAwarded") == {
        "tenderId": tender_id,
        "winner": who(env.suppliers[1]),
        "price": 2_500_000,
        "standstillEnds": reveal + 1 + STANDSTILL,
    }
    record = env.officer.tender(tender_id)
    assert (record.status, record.phase, record.awarded_at) == ("Awarded", "Standstill", reveal + 1)
    assert (record.winner, record.winning_price) == (who(env.suppliers[1]), 2_500_000)
    with pytest.raises(contract_error("ProcurementWrongStatus")) as again:
        env.anyone.award(tender_id)
    assert again.value.inputs == {"tenderId": tender_id, "actual": AWARDED}
    with pytest.raises(contract_error("ProcurementUnknownTender")) as unknown:
        env.anyone.award(tender_id + 1)
    assert unknown.value.inputs == {"tenderId": tender_id + 1}
    with pytest.raises(contract_error("ProcurementNoForfeits")):
        env.anyone.pay_forfeited_bonds(tender_id)  # everyone revealed


def test_ties_go_to_the_earliest_commitment_and_recommitting_moves_to_the_back(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    first, second, third = env.suppliers
    price = 3_000_000
    sealed = [env.commit(s, tender_id, price) for s in env.suppliers]  # seq 1, 2, 3
    again = env.seal(first, tender_id, price)
    first.commit_bid(again, keep=env.bid_dir / "again.json")  # seq 4
    assert [env.officer.bid(tender_id, who(s)).seq for s in env.suppliers] == [4, 2, 3]
    env.to_reveal(tender_id)
    third.reveal_bid(sealed[2])
    first.reveal_bid(again)
    second.reveal_bid(sealed[1])
    env.to_award(tender_id)
    winner = env.anyone.award(tender_id).event("TenderAwarded")
    assert (winner["winner"], winner["price"]) == (who(second), price)


def test_bids_above_the_ceiling_or_of_zero_are_non_compliant_and_cannot_win(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    over, zero, at_ceiling = env.suppliers
    sealed = [
        env.commit(s, tender_id, p)
        for s, p in zip(env.suppliers, [CEILING + 1, 0, CEILING], strict=True)
    ]
    env.to_reveal(tender_id)
    compliant = [
        bool(s.reveal_bid(b).event("BidRevealed")["compliant"])
        for s, b in zip(env.suppliers, sealed, strict=True)
    ]
    assert compliant == [False, False, True]
    assert env.officer.bid(tender_id, who(over)).status == "NonCompliant"
    assert env.officer.bid(tender_id, who(zero)).status == "NonCompliant"
    assert env.officer.bid(tender_id, who(at_ceiling)).status == "Revealed"
    env.to_award(tender_id)
    awarded = env.anyone.award(tender_id).event("TenderAwarded")
    assert (awarded["winner"], awarded["price"]) == (who(at_ceiling), CEILING)


def test_no_compliant_bid_means_no_award_and_revealers_get_their_bonds_back(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    huge, zero, silent = env.suppliers
    sealed = [
        env.commit(s, tender_id, p)
        for s, p in zip(env.suppliers, [2**100, 0, 3_000_000], strict=True)
    ]
    env.to_reveal(tender_id)
    revealed = huge.reveal_bid(sealed[0]).event("BidRevealed")
    assert (revealed["price"], revealed["compliant"]) == (2**100, False)
    assert env.officer.bid(tender_id, who(huge)).price == 2**96 - 1  # saturated
    zero.reveal_bid(sealed[1])
    env.to_award(tender_id)
    receipt = env.anyone.award(tender_id)
    assert event_args(receipt, "TenderNotAwarded") == {"tenderId": tender_id}
    assert receipt.events_named("TenderAwarded") == []
    record = env.officer.tender(tender_id)
    assert (record.status, record.phase, record.winner) == ("NoAward", "NoAward", None)
    with pytest.raises(contract_error("ProcurementWrongStatus")) as again:
        env.anyone.award(tender_id)
    assert again.value.inputs == {"tenderId": tender_id, "actual": NO_AWARD}
    for supplier in (huge, zero):
        supplier.withdraw_bond(tender_id)
        assert env.balance(who(supplier)) == SUPPLIER_FUNDS
    with pytest.raises(contract_error("ProcurementBondNotRefundable")) as kept:
        silent.withdraw_bond(tender_id)
    assert kept.value.inputs == {"tenderId": tender_id, "bidder": who(silent)}
    forfeited = env.anyone.pay_forfeited_bonds(tender_id)
    assert event_args(forfeited, "BondsForfeited") == {
        "tenderId": tender_id,
        "buyer": who(env.buyer),
        "bids": 1,
        "amount": BOND,
    }
    assert env.balance(who(env.buyer)) == BUYER_FUNDS + BOND
    assert held(env) == 0
    with pytest.raises(contract_error("ProcurementNoForfeits")):
        env.anyone.pay_forfeited_bonds(tender_id)
    with pytest.raises(contract_error("ProcurementWrongStatus")) as no_contract:
        env.buyer.fund_escrow(tender_id, [1])
    assert no_contract.value.inputs == {"tenderId": tender_id, "actual": NO_AWARD}


def test_bonds_are_returned_once_to_revealers_and_forfeited_once_to_the_buyer(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    prices = [4_000_000, 3_000_000, 3_500_000, 3_600_000]
    mint(env, who(env.anyone), BOND)
    bidders = [*env.suppliers, env.anyone]
    sealed = [env.commit(s, tender_id, p) for s, p in zip(bidders, prices, strict=True)]
    env.to_reveal(tender_id)
    bidders[0].reveal_bid(sealed[0])
    bidders[1].reveal_bid(sealed[1])
    env.to_award(tender_id)
    # Nothing moves while the tender is undecided.
    with pytest.raises(contract_error("ProcurementBondNotRefundable")) as early:
        bidders[0].withdraw_bond(tender_id)
    assert early.value.inputs == {"tenderId": tender_id, "bidder": who(bidders[0])}
    with pytest.raises(contract_error("ProcurementWrongStatus")) as undecided:
        env.anyone.pay_forfeited_bonds(tender_id)
    assert undecided.value.inputs == {"tenderId": tender_id, "actual": OPEN}
    env.anyone.award(tender_id)
    for bidder in bidders[:2]:  # the loser and the winner alike
        bidder.withdraw_bond(tender_id)
        assert env.balance(who(bidder)) == SUPPLIER_FUNDS
        assert env.officer.bid(tender_id, who(bidder)).bond_returned is True
        with pytest.raises(contract_error("ProcurementBondNotRefundable")) as twice:
            bidder.withdraw_bond(tender_id)
        assert twice.value.inputs == {"tenderId": tender_id, "bidder": who(bidder)}
    for silent in bidders[2:]:
        with pytest.raises(contract_error("ProcurementBondNotRefundable")) as kept:
            silent.withdraw_bond(tender_id)
        assert kept.value.inputs == {"tenderId": tender_id, "bidder": who(silent)}
    with pytest.raises(contract_error("ProcurementNoBid")) as none:
        env.buyer.withdraw_bond(tender_id)
    assert none.value.inputs == {"tenderId": tender_id, "bidder": who(env.buyer)}
    receipt = env.reviewer.pay_forfeited_bonds(tender_id)  # anyone may call
    assert event_args(receipt, "BondsForfeited") == {
        "tenderId": tender_id,
        "buyer": who(env.buyer),
        "bids": 2,
        "amount": 2 * BOND,
    }
    assert env.balance(who(env.buyer)) == BUYER_FUNDS + 2 * BOND
    with pytest.raises(contract_error("ProcurementNoForfeits")) as once:
        env.anyone.pay_forfeited_bonds(tender_id)
    assert once.value.inputs == {"tenderId": tender_id}
    assert env.balance(who(env.buyer)) == BUYER_FUNDS + 2 * BOND
    assert held(env) == 0
    with pytest.raises(contract_error("ProcurementBondNotRefundable")):
        bidders[2].withdraw_bond(tender_id)  # still not, after the forfeit


# -- standstill and challenges --------------------------------------------------------------------


def test_challenges_come_from_bidders_during_the_standstill_once_per_award(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    sealed = [
        env.commit(s, tender_id, p)
        for s, p in zip(env.suppliers, [3_000_000, 3_500_000, 3_200_000], strict=True)
    ]
    env.to_reveal(tender_id)
    env.suppliers[0].reveal_bid(sealed[0])
    env.suppliers[1].reveal_bid(sealed[1])
    env.to_award(tender_id)
    with pytest.raises(contract_error("ProcurementChallengeClosed")) as before:
        env.suppliers[1].challenge_award(tender_id, GROUNDS)  # nothing awarded yet
    assert before.value.inputs == {"tenderId": tender_id}
    env.anyone.award(tender_id)
    ends = env.officer.tender(tender_id).awarded_at + STANDSTILL
    for outsider in (env.anyone, env.buyer):
        with pytest.raises(contract_error("ProcurementNotBidder")) as info:
            outsider.challenge_award(tender_id, GROUNDS)
        assert info.value.inputs == {"tenderId": tender_id, "account": who(outsider)}
    receipt = env.suppliers[1].challenge_award(tender_id, GROUNDS)
    assert event_args(receipt, "ChallengeLodged") == {
        "tenderId": tender_id,
        "challengeId": 1,
        "challenger": who(env.suppliers[1]),
        "documentHash": GROUNDS,
    }
    assert env.officer.phase(tender_id) == "Challenged"
    assert env.officer.tender(tender_id).open_challenges == 1
    assert challenge_record(env, tender_id, 1) == {
        "challenger": who(env.suppliers[1]),
        "awardRound": 0,
        "status": 1,
        "documentHash": GROUNDS,
    }
    with pytest.raises(contract_error("ProcurementAlreadyChallenged")) as twice:
        env.suppliers[1].challenge_award(tender_id, keccak(text="more grounds"))
    assert twice.value.inputs == {"tenderId": tender_id, "bidder": who(env.suppliers[1])}
    at(env, ends)  # the last second of the standstill; an unrevealed bidder is a bidder
    assert challenge(env.suppliers[2], tender_id) == 2
    at(env, ends + 1)
    with pytest.raises(contract_error("ProcurementChallengeClosed")) as after:
        env.suppliers[0].challenge_award(tender_id, GROUNDS)
    assert after.value.inputs == {"tenderId": tender_id}
    assert int(env.officer.contract.functions.challengeCount(tender_id).call()) == 2
    assert env.officer.tender(tender_id).open_challenges == 2


def test_a_dismissed_challenge_lets_the_award_become_final(env: ProcurementEnv) -> None:
    tender_id, _ = env.awarded([3_000_000, 3_500_000, 3_200_000])
    first = challenge(env.suppliers[1], tender_id)
    second = challenge(env.suppliers[2], tender_id)
    env.past_standstill(tender_id)
    assert env.officer.phase(tender_id) == "Challenged"
    with pytest.raises(contract_error("ProcurementAwardNotFinal")) as info:
        env.buyer.fund_escrow(tender_id, [3_000_000])
    assert info.value.inputs == {"tenderId": tender_id}
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as denied:
        env.officer.resolve_challenge(tender_id, first, "Dismiss")
    assert denied.value.inputs == {
        "account": who(env.officer),
        "neededRole": role("PROCUREMENT_REVIEWER_ROLE"),
    }
    receipt = env.reviewer.resolve_challenge(tender_id, first, "Dismiss", 4)
    assert event_args(receipt, "ChallengeResolved") == {
        "tenderId": tender_id,
        "challengeId": first,
        "resolution": 0,
        "reasonCode": 4,
    }
    assert challenge_record(env, tender_id, first)["status"] == 2  # Dismissed
    # One challenge is still open: not final yet.
    assert env.officer.phase(tender_id) == "Challenged"
    with pytest.raises(contract_error("ProcurementAwardNotFinal")):
        env.buyer.fund_escrow(tender_id, [3_000_000])
    with pytest.raises(contract_error("ProcurementChallengeNotOpen")) as done:
        env.reviewer.resolve_challenge(tender_id, first, "Reaward")
    assert done.value.inputs == {"tenderId": tender_id, "challengeId": first}
    with pytest.raises(contract_error("ProcurementChallengeNotOpen")) as unknown:
        env.reviewer.resolve_challenge(tender_id, 9, "Dismiss")
    assert unknown.value.inputs == {"tenderId": tender_id, "challengeId": 9}
    env.reviewer.resolve_challenge(tender_id, second, "Dismiss", 5)
    assert env.officer.phase(tender_id) == "AwardFinal"
    env.buyer.fund_escrow(tender_id, [3_000_000])
    assert env.officer.phase(tender_id) == "Contracted"
    assert env.officer.tender(tender_id).winner == who(env.suppliers[0])


def test_a_challenge_dismissed_during_the_standstill_still_waits_for_its_end(
    env: ProcurementEnv,
) -> None:
    tender_id, _ = env.awarded([3_000_000, 3_500_000])
    lodged = challenge(env.suppliers[1], tender_id)
    env.reviewer.resolve_challenge(tender_id, lodged, "Dismiss")
    assert env.officer.phase(tender_id) == "Standstill"
    with pytest.raises(contract_error("ProcurementAwardNotFinal")):
        env.buyer.fund_escrow(tender_id, [3_000_000])
    env.past_standstill(tender_id)
    assert env.officer.phase(tender_id) == "AwardFinal"


def test_reaward_disqualifies_the_winner_and_awards_the_next_nominated_bid(
    env: ProcurementEnv,
) -> None:
    tender_id, _ = env.awarded([3_000_000, 3_500_000, 3_200_000])
    winner, runner_up, third = env.suppliers
    upheld = challenge(runner_up, tender_id)
    superseded = challenge(third, tender_id)
    receipt = env.reviewer.resolve_challenge(tender_id, upheld, "Reaward", 9)
    opened_at = env.now()
    window_end = opened_at + NOMINATION_WINDOW
    assert event_args(receipt, "ChallengeResolved") == {
        "tenderId": tender_id,
        "challengeId": upheld,
        "resolution": 1,
        "reasonCode": 9,
    }
    assert event_args(receipt, "ReawardOpened") == {
        "tenderId": tender_id,
        "disqualified": who(winner),
        "windowEnd": window_end,
    }
    record = env.officer.tender(tender_id)
    assert (record.status, record.phase, record.winner) == ("Reaward", "Reaward", None)
    assert (record.awarded_at, record.open_challenges) == (opened_at, 0)
    assert env.officer.bid(tender_id, who(winner)).disqualified is True
    assert challenge_record(env, tender_id, upheld)["status"] == 3  # Upheld
    # The other challenge was against the award just set aside.
    with pytest.raises(contract_error("ProcurementChallengeNotOpen")) as moot:
        env.reviewer.resolve_challenge(tender_id, superseded, "Dismiss")
    assert moot.value.inputs == {"tenderId": tender_id, "challengeId": superseded}
    with pytest.raises(contract_error("ProcurementChallengeClosed")):
        runner_up.challenge_award(tender_id, GROUNDS)
    for ineligible in (winner, env.anyone):
        with pytest.raises(contract_error("ProcurementBidNotEligible")) as info:
            env.anyone.nominate_bid(tender_id, who(ineligible))
        assert info.value.inputs == {"tenderId": tender_id, "bidder": who(ineligible)}
    with pytest.raises(contract_error("ProcurementAwardTooEarly")) as early:
        env.anyone.award(tender_id)
    assert early.value.inputs == {"tenderId": tender_id, "notBefore": window_end}
    nominated = env.anyone.nominate_bid(tender_id, who(runner_up))
    assert event_args(nominated, "BidNominated") == {
        "tenderId": tender_id,
        "bidder": who(runner_up),
        "price": 3_500_000,
    }
    at(env, window_end)  # the last second of the window
    env.buyer.nominate_bid(tender_id, who(third))
    at(env, window_end + 1)
    with pytest.raises(contract_error("ProcurementNominationClosed")) as closed:
        env.anyone.nominate_bid(tender_id, who(runner_up))
    assert closed.value.inputs == {"tenderId": tender_id, "windowEnd": window_end}
    awarded = env.anyone.award(tender_id)
    assert event_args(awarded, "TenderAwarded") == {
        "tenderId": tender_id,
        "winner": who(third),
        "price": 3_200_000,
        "standstillEnds": window_end + 1 + STANDSTILL,
    }
    record = env.officer.tender(tender_id)
    assert (record.phase, record.winner, record.winning_price) == (
        "Standstill",
        who(third),
        3_200_000,
    )
    # A new award may be challenged again, by the same bidder, and by the disqualified one.
    again = challenge(runner_up, tender_id)
    assert challenge_record(env, tender_id, again)["awardRound"] == 1
    assert challenge(winner, tender_id) == again + 1


def test_reaward_nominations_break_ties_by_commitment_order(env: ProcurementEnv) -> None:
    tender_id, _ = env.awarded([3_000_000, 3_200_000, 3_200_000])
    upheld = challenge(env.suppliers[1], tender_id)
    env.reviewer.resolve_challenge(tender_id, upheld, "Reaward")
    env.anyone.nominate_bid(tender_id, who(env.suppliers[2]))
    env.anyone.nominate_bid(tender_id, who(env.suppliers[1]))
    env.travel_to(env.officer.tender(tender_id).awarded_at + NOMINATION_WINDOW + 1)
    awarded = env.anyone.award(tender_id).event("TenderAwarded")
    assert (awarded["winner"], awarded["price"]) == (who(env.suppliers[1]), 3_200_000)


def test_reaward_without_an_eligible_nomination_ends_without_award(env: ProcurementEnv) -> None:
    tender_id, _ = env.awarded([3_000_000, CEILING + 1, 3_500_000], reveal=[True, True, False])
    winner, non_compliant, silent = env.suppliers
    upheld = challenge(non_compliant, tender_id)
    env.reviewer.resolve_challenge(tender_id, upheld, "Reaward")
    for bidder in (non_compliant, silent):
        with pytest.raises(contract_error("ProcurementBidNotEligible")) as info:
            env.anyone.nominate_bid(tender_id, who(bidder))
        assert info.value.inputs == {"tenderId": tender_id, "bidder": who(bidder)}
    env.travel_to(env.officer.tender(tender_id).awarded_at + NOMINATION_WINDOW + 1)
    receipt = env.anyone.award(tender_id)
    assert event_args(receipt, "TenderNotAwarded") == {"tenderId": tender_id}
    assert env.officer.phase(tender_id) == "NoAward"
    for revealed in (winner, non_compliant):
        revealed.withdraw_bond(tender_id)
        assert env.balance(who(revealed)) == SUPPLIER_FUNDS
    env.anyone.pay_forfeited_bonds(tender_id)
    assert env.balance(who(env.buyer)) == BUYER_FUNDS + BOND
    assert held(env) == 0
    report = env.anyone.report(tender_id)
    assert report.winner is None and report.balanced


def test_a_challenge_upheld_with_cancel_cancels_the_tender(env: ProcurementEnv) -> None:
    tender_id, _ = env.awarded([3_000_000, 3_500_000, 3_200_000], reveal=[True, True, False])
    upheld = challenge(env.suppliers[1], tender_id)
    receipt = env.reviewer.resolve_challenge(tender_id, upheld, "Cancel", 21)
    assert event_args(receipt, "ChallengeResolved") == {
        "tenderId": tender_id,
        "challengeId": upheld,
        "resolution": 2,
        "reasonCode": 21,
    }
    assert event_args(receipt, "TenderCancelled") == {
        "tenderId": tender_id,
        "reasonCode": 21,
        "allBondsRefunded": False,
    }
    assert env.officer.phase(tender_id) == "Cancelled"
    assert env.officer.tender(tender_id).winner is None
    env.past_standstill(tender_id)
    with pytest.raises(contract_error("ProcurementWrongStatus")) as info:
        env.buyer.fund_escrow(tender_id, [3_000_000])
    assert info.value.inputs == {"tenderId": tender_id, "actual": CANCELLED}
    with pytest.raises(contract_error("ProcurementChallengeNotOpen")):
        env.reviewer.resolve_challenge(tender_id, upheld, "Dismiss")
    for revealed in env.suppliers[:2]:
        revealed.withdraw_bond(tender_id)
        assert env.balance(who(revealed)) == SUPPLIER_FUNDS
    with pytest.raises(contract_error("ProcurementBondNotRefundable")):
        env.suppliers[2].withdraw_bond(tender_id)
    env.anyone.pay_forfeited_bonds(tender_id)
    assert env.balance(who(env.buyer)) == BUYER_FUNDS + BOND
    assert held(env) == 0


# -- escrow and milestones ------------------------------------------------------------------------


def test_escrow_is_funded_by_the_buyer_in_milestones_once_the_award_is_final(
    env: ProcurementEnv,
) -> None:
    price = 3_200_000
    tender_id, _ = env.awarded([price, 3_500_000])
    with pytest.raises(contract_error("ProcurementAwardNotFinal")) as early:
        env.buyer.fund_escrow(tender_id, [price])
    assert early.value.inputs == {"tenderId": tender_id}
    with pytest.raises(contract_error("ProcurementWrongStatus")) as not_yet:
        env.buyer.terminate_contract(tender_id, 1)
    assert not_yet.value.inputs == {"tenderId": tender_id, "actual": AWARDED}
    env.past_standstill(tender_id)
    for outsider in (env.suppliers[0], env.officer):
        with pytest.raises(contract_error("ProcurementNotBuyer")) as info:
            outsider.fund_escrow(tender_id, [price])
        assert info.value.inputs == {"tenderId": tender_id, "account": who(outsider)}
    bad = [
        [1_000_000, 2_000_000],  # short
        [price, 1],  # over
        [price, 0],  # a zero milestone
        [0, price],
        [],
    ]
    for milestones in bad:
        with pytest.raises(contract_error("ProcurementMilestones")) as info:
            env.buyer.fund_escrow(tender_id, milestones)
        assert info.value.inputs == {
            "tenderId": tender_id,
            "count": len(milestones),
            "sum": sum(milestones),
            "awardedPrice": price,
        }, milestones
    with pytest.raises(contract_error("ProcurementMilestones")) as too_many:
        env.buyer.fund_escrow(tender_id, [100_000] * (MAX_MILESTONES + 1))
    assert too_many.value.inputs["count"] == MAX_MILESTONES + 1
    assert too_many.value.inputs["awardedPrice"] == price
    assert env.balance(who(env.buyer)) == BUYER_FUNDS
    most = [price // MAX_MILESTONES] * MAX_MILESTONES
    receipt = env.buyer.fund_escrow(tender_id, most)
    assert event_args(receipt, "EscrowFunded") == {
        "tenderId": tender_id,
        "supplier": who(env.suppliers[0]),
        "amount": price,
        "milestones": most,
    }
    assert env.balance(who(env.buyer)) == BUYER_FUNDS - price
    assert held(env) == 2 * BOND + price
    escrow = env.anyone.escrow(tender_id)
    assert (escrow.funded, escrow.released, escrow.milestones, escrow.paid) == (price, 0, most, [])
    assert env.officer.phase(tender_id) == "Contracted"
    with pytest.raises(contract_error("ProcurementWrongStatus")) as twice:
        env.buyer.fund_escrow(tender_id, [price])
    assert twice.value.inputs == {"tenderId": tender_id, "actual": CONTRACTED}
    assert env.balance(who(env.buyer)) == BUYER_FUNDS - price


def test_too_many_milestones_are_reported_with_their_whole_sum(env: ProcurementEnv) -> None:
    price = 3_300_000
    tender_id, _ = env.awarded([price])
    env.past_standstill(tender_id)
    milestones = [100_000] * (MAX_MILESTONES + 1)  # they do add up to the price
    with pytest.raises(contract_error("ProcurementMilestones")) as info:
        env.buyer.fund_escrow(tender_id, milestones)
    assert info.value.inputs == {
        "tenderId": tender_id,
        "count": MAX_MILESTONES + 1,
        "sum": price,
        "awardedPrice": price,
    }


def test_milestones_are_paid_once_on_an_independent_inspectors_confirmation(
    env: ProcurementEnv,
) -> None:
    tender_id, _ = env.awarded([3_000_000, 3_500_000])
    env.past_standstill(tender_id)
    env.buyer.fund_escrow(tender_id, [1_000_000, 2_000_000])
    supplier = env.suppliers[0]
    start = env.balance(who(supplier))
    for outsider in (env.officer, env.buyer, env.reviewer, supplier):
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            outsider.confirm_milestone(tender_id, 0, REPORT)
        assert info.value.inputs == {
            "account": who(outsider),
            "neededRole": role("CONTRACT_INSPECTOR_ROLE"),
        }
    # The tender's own officer, or its supplier, even made inspectors, may not confirm.
    for conflicted in (env.officer, supplier):
        env.governance.grant_role("CONTRACT_INSPECTOR_ROLE", who(conflicted))
        with pytest.raises(contract_error("ProcurementInspectorConflict")) as info:
            conflicted.confirm_milestone(tender_id, 0, REPORT)
        assert info.value.inputs == {"tenderId": tender_id, "inspector": who(conflicted)}
    with pytest.raises(contract_error("ProcurementUnknownMilestone")) as unknown:
        env.inspector.confirm_milestone(tender_id, 2, REPORT)
    assert unknown.value.inputs == {"tenderId": tender_id, "milestone": 2}
    # Another officer, who did not run this tender, may inspect it.
    env.governance.grant_role("PROCUREMENT_OFFICER_ROLE", who(env.anyone))
    env.governance.grant_role("CONTRACT_INSPECTOR_ROLE", who(env.anyone))
    receipt = env.anyone.confirm_milestone(tender_id, 1, REPORT)
    assert event_args(receipt, "MilestonePaid") == {
        "tenderId": tender_id,
        "milestone": 1,
        "supplier": who(supplier),
        "amount": 2_000_000,
        "inspector": who(env.anyone),
        "reportHash": REPORT,
    }
    assert receipt.events_named("ContractCompleted") == []
    assert env.balance(who(supplier)) == start + 2_000_000
    with pytest.raises(contract_error("ProcurementMilestonePaid")) as twice:
        env.inspector.confirm_milestone(tender_id, 1, REPORT)
    assert twice.value.inputs == {"tenderId": tender_id, "milestone": 1}
    escrow = env.anyone.escrow(tender_id)
    assert (escrow.released, escrow.paid, escrow.held) == (2_000_000, [1], 1_000_000)
    receipt = env.inspector.confirm_milestone(tender_id, 0, REPORT)
    assert event_args(receipt, "ContractCompleted") == {"tenderId": tender_id, "paid": 3_000_000}
    assert env.balance(who(supplier)) == start + 3_000_000
    assert env.balance(who(env.buyer)) == BUYER_FUNDS - 3_000_000
    assert env.officer.phase(tender_id) == "Completed"
    assert held(env) == 2 * BOND
    with pytest.raises(contract_error("ProcurementWrongStatus")) as done:
        env.inspector.confirm_milestone(tender_id, 0, REPORT)
    assert done.value.inputs == {"tenderId": tender_id, "actual": COMPLETED}
    with pytest.raises(contract_error("ProcurementWrongStatus")):
        env.buyer.terminate_contract(tender_id, 1)


@pytest.mark.parametrize("terminator", ["buyer", "officer"])
def test_termination_refunds_exactly_the_undisbursed_escrow(
    env: ProcurementEnv, terminator: str
) -> None:
    price = 3_000_000
    tender_id, _ = env.awarded([price, 3_500_000])
    env.past_standstill(tender_id)
    env.buyer.fund_escrow(tender_id, [500_000, 1_000_000, 1_500_000])
    env.inspector.confirm_milestone(tender_id, 1, REPORT)
    supplier = who(env.suppliers[0])
    for outsider in (env.suppliers[0], env.inspector, env.anyone):
        with pytest.raises(contract_error("ProcurementNotAuthorized")) as info:
            outsider.terminate_contract(tender_id, 17)
        assert info.value.inputs == {"tenderId": tender_id, "account": who(outsider)}
    buyer, contract, paid = env.balance(who(env.buyer)), held(env), env.balance(supplier)
    receipt = getattr(env, terminator).terminate_contract(tender_id, 17)
    assert event_args(receipt, "ContractTerminated") == {
        "tenderId": tender_id,
        "refunded": 2_000_000,
        "reasonCode": 17,
    }
    assert env.balance(who(env.buyer)) == buyer + 2_000_000
    assert held(env) == contract - 2_000_000 == 2 * BOND
    assert env.balance(supplier) == paid
    assert env.balance(who(env.buyer)) == BUYER_FUNDS - 1_000_000
    escrow = env.anyone.escrow(tender_id)
    assert (escrow.held, escrow.paid) == (0, [1])
    assert env.officer.phase(tender_id) == "Terminated"
    with pytest.raises(contract_error("ProcurementWrongStatus")) as info:
        env.inspector.confirm_milestone(tender_id, 0, REPORT)
    assert info.value.inputs == {"tenderId": tender_id, "actual": TERMINATED}
    with pytest.raises(contract_error("ProcurementWrongStatus")):
        env.buyer.terminate_contract(tender_id, 17)
    report = env.anyone.report(tender_id)
    assert (report.escrow_funded, report.escrow_paid, report.escrow_refunded) == (
        price,
        1_000_000,
        2_000_000,
    )


# -- pause ----------------------------------------------------------------------------------------


def test_pause_stops_bids_awards_and_payments_but_not_reveals_refunds_or_challenges(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    first, second, late = env.suppliers
    sealed = [env.commit(first, tender_id, 3_000_000), env.commit(second, tender_id, 3_500_000)]
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as denied:
        env.officer.pause()
    assert denied.value.inputs == {"account": who(env.officer), "neededRole": role("PAUSER_ROLE")}
    env.governance.pause()
    late.approve_bond(tender_id)
    with pytest.raises(contract_error("EnforcedPause")) as paused:
        commit_raw(late, tender_id, b"\x07" * 32)
    assert paused.value.inputs == {}
    with pytest.raises(contract_error("EnforcedPause")):
        env.officer.create_tender(**terms(env))
    env.to_reveal(tender_id)
    first.reveal_bid(sealed[0])
    second.reveal_bid(sealed[1])
    env.to_award(tender_id)
    with pytest.raises(contract_error("EnforcedPause")):
        env.anyone.award(tender_id)
    env.governance.unpause()
    env.anyone.award(tender_id)
    env.governance.pause()
    second.withdraw_bond(tender_id)
    assert env.balance(who(second)) == SUPPLIER_FUNDS
    lodged = challenge(second, tender_id)
    env.reviewer.resolve_challenge(tender_id, lodged, "Dismiss")
    env.past_standstill(tender_id)
    with pytest.raises(contract_error("EnforcedPause")):
        env.buyer.fund_escrow(tender_id, [3_000_000])
    env.governance.unpause()
    env.buyer.fund_escrow(tender_id, [3_000_000])
    env.governance.pause()
    with pytest.raises(contract_error("EnforcedPause")):
        env.inspector.confirm_milestone(tender_id, 0, REPORT)
    env.governance.unpause()
    env.inspector.confirm_milestone(tender_id, 0, REPORT)
    assert env.balance(who(first)) == SUPPLIER_FUNDS - BOND + 3_000_000


def test_nomination_goes_on_while_paused_because_its_window_runs(env: ProcurementEnv) -> None:
    tender_id, _ = env.awarded([3_000_000, 3_500_000])
    upheld = challenge(env.suppliers[1], tender_id)
    env.reviewer.resolve_challenge(tender_id, upheld, "Reaward")
    env.governance.pause()
    nominated = env.anyone.nominate_bid(tender_id, who(env.suppliers[1]))
    assert event_args(nominated, "BidNominated")["bidder"] == who(env.suppliers[1])


# -- sealed bids in the client --------------------------------------------------------------------


def test_sealed_bid_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    sealed = SealedBid.new(3, SOMEONE.lower(), 3_000_000, b"our offer")
    assert sealed.bidder == SOMEONE
    assert sealed.offer_doc_hash == keccak(b"our offer") and len(sealed.salt) == 32
    path = sealed.save(tmp_path / "nested" / "bid.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text()
    other = SealedBid.new(3, SOMEONE, 2_000_000)
    with pytest.raises(SealedBidError, match="already exists"):
        other.save(path)
    assert path.read_text() == content
    assert SealedBid.load(path) == sealed
    with pytest.raises(SealedBidError, match="must not be negative"):
        SealedBid.new(3, SOMEONE, -1)


def test_sealed_bid_load_round_trips_and_rejects_a_tampered_file(tmp_path: Path) -> None:
    sealed = SealedBid.new(7, SOMEONE, 3_000_000, b"offer")
    path = sealed.save(tmp_path / "bid.json")
    loaded = SealedBid.load(path)
    assert loaded == sealed and loaded.commitment == sealed.commitment
    data = json.loads(path.read_text())
    assert data["commitment"] == "0x" + sealed.commitment.hex()
    tampered = {
        "price": str(sealed.price - 1),
        "salt": "0x" + bytes(32).hex(),
        "tenderId": 8,
        "bidder": "0x" + "11" * 20,
        "offerDocHash": "0x" + keccak(text="other offer").hex(),
    }
    for key, value in tampered.items():
        target = tmp_path / f"tampered-{key}.json"
        target.write_text(json.dumps({**data, key: value}))
        with pytest.raises(SealedBidError, match="commitment missing or not matching"):
            SealedBid.load(target)
    short = tmp_path / "short.json"
    short.write_text(json.dumps({**data, "salt": "0x1234"}))
    with pytest.raises(SealedBidError, match="32 bytes"):
        SealedBid.load(short)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(SealedBidError, match="not a sealed-bid file"):
        SealedBid.load(garbage)
    missing_key = tmp_path / "no-salt.json"
    missing_key.write_text(json.dumps({k: v for k, v in data.items() if k != "salt"}))
    with pytest.raises(SealedBidError, match="not a sealed-bid file"):
        SealedBid.load(missing_key)
    with pytest.raises(SealedBidError, match="no such sealed-bid file"):
        SealedBid.load(tmp_path / "absent.json")


def test_sealed_bid_load_rejects_out_of_range_numbers(tmp_path: Path) -> None:
    sealed = SealedBid.new(7, SOMEONE, 3_000_000, b"offer")
    data = json.loads(sealed.save(tmp_path / "bid.json").read_text())
    bare = {k: v for k, v in data.items() if k != "commitment"}
    for n, (base, key, value) in enumerate(
        [
            (data, "price", "-1"),
            (data, "tenderId", -1),
            (data, "price", str(2**256)),
            (bare, "price", "-1"),
        ]
    ):
        target = tmp_path / f"out-of-range-{n}.json"
        target.write_text(json.dumps({**base, key: value}))
        with pytest.raises(SealedBidError):
            SealedBid.load(target)


def test_commit_bid_refuses_a_bid_sealed_for_another_address_and_sends_nothing(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    owner, other = env.suppliers[:2]
    other.approve_bond(tender_id)
    sealed = env.seal(owner, tender_id, 3_000_000)
    keep = env.bid_dir / "foreign.json"
    sent = nonce(env, who(other))
    with pytest.raises(SealedBidError, match="sealed for"):
        other.commit_bid(sealed, keep=keep)
    assert not keep.exists()
    assert nonce(env, who(other)) == sent
    assert env.officer.bid(tender_id, who(other)).status == "None"
    assert env.officer.tender(tender_id).bid_count == 0
    assert env.balance(who(other)) == SUPPLIER_FUNDS


def test_commit_bid_refuses_to_overwrite_a_kept_bid_and_sends_nothing(
    env: ProcurementEnv,
) -> None:
    tender_id = env.open_tender()
    supplier = env.suppliers[0]
    supplier.approve_bond(tender_id)
    first = env.seal(supplier, tender_id, 3_000_000)
    keep = env.bid_dir / "mine.json"
    supplier.commit_bid(first, keep=keep)
    content = keep.read_text()
    sent = nonce(env, who(supplier))
    second = env.seal(supplier, tender_id, 2_000_000)
    with pytest.raises(SealedBidError, match="already exists"):
        supplier.commit_bid(second, keep=keep)
    assert keep.read_text() == content
    assert nonce(env, who(supplier)) == sent
    assert env.officer.bid(tender_id, who(supplier)).seq == 1
    env.to_reveal(tender_id)
    supplier.reveal_bid(SealedBid.load(keep))  # the kept file still reveals the bid
    assert env.officer.bid(tender_id, who(supplier)).price == 3_000_000


# -- the report -----------------------------------------------------------------------------------


def test_report_rebuilds_a_full_run_from_events_and_balances(env: ProcurementEnv) -> None:
    tender_id = env.open_tender(title="School roof")
    loser, winner, silent = env.suppliers
    keep = env.bid_dir / "loser.json"
    loser.approve_bond(tender_id)
    loser.commit_bid(env.seal(loser, tender_id, 4_000_000), keep=keep)
    env.commit(winner, tender_id, 3_000_000)
    final = env.seal(winner, tender_id, 2_800_000)
    winner.commit_bid(final, keep=env.bid_dir / "winner-final.json")
    env.commit(silent, tender_id, 3_300_000)
    other = env.open_tender(title="Other tender")
    env.commit(loser, other, 1_000_000)
    report = env.anyone.report(tender_id)
    assert (report.title, report.phase, report.winner) == ("School roof", "Bidding", None)
    assert report.bidders == [who(loser), who(winner), who(silent)]
    assert report.bonds_posted == report.held == 3 * BOND and report.balanced
    assert report.held + env.anyone.report(other).held == held(env)

    env.to_reveal(tender_id)
    loser.reveal_bid(SealedBid.load(keep))
    winner.reveal_bid(final)
    env.to_award(tender_id)
    env.anyone.award(tender_id)
    lodged = challenge(loser, tender_id)
    env.reviewer.resolve_challenge(tender_id, lodged, "Dismiss", 3)
    env.past_standstill(tender_id)
    env.buyer.fund_escrow(tender_id, [800_000, 2_000_000])
    env.inspector.confirm_milestone(tender_id, 0, REPORT)
    middle = env.anyone.report(tender_id)
    assert middle.held == 3 * BOND + 2_000_000 and middle.balanced
    env.buyer.terminate_contract(tender_id, 2)
    loser.withdraw_bond(tender_id)
    winner.withdraw_bond(tender_id)
    env.anyone.pay_forfeited_bonds(tender_id)

    report = env.anyone.report(tender_id)
    assert report.title == "School roof" and report.phase == "Terminated"
    assert report.bidders == [who(loser), who(winner), who(silent)]
    assert report.unrevealed == [who(silent)]
    assert report.revealed == [
        RevealedBid(who(loser), 4_000_000, True, keccak(b"offer 4000000")),
        RevealedBid(who(winner), 2_800_000, True, keccak(b"offer 2800000")),
    ]
    assert (report.winner, report.price) == (who(winner), 2_800_000)
    assert report.challenges == [
        {"id": 1, "challenger": who(loser), "resolution": "Dismiss", "reason_code": 3}
    ]
    assert report.milestones_paid == [{"milestone": 0, "amount": 800_000}]
    assert (report.bonds_posted, report.bonds_returned, report.bonds_forfeited) == (
        3 * BOND,
        2 * BOND,
        BOND,
    )
    assert (report.escrow_funded, report.escrow_paid, report.escrow_refunded) == (
        2_800_000,
        800_000,
        2_000_000,
    )
    assert report.held == 0 and report.balanced
    assert report.as_dict()["balanced"] is True
    assert not dataclasses.replace(report, escrow_paid=report.escrow_paid + 1).balanced
    assert not dataclasses.replace(report, held=1).balanced
    # Every token is where the report says it went.
    assert held(env) == BOND  # the other tender's bond only
    assert env.balance(who(loser)) == SUPPLIER_FUNDS - BOND
    assert env.balance(who(winner)) == SUPPLIER_FUNDS + 800_000
    assert env.balance(who(silent)) == SUPPLIER_FUNDS - BOND
    assert env.balance(who(env.buyer)) == BUYER_FUNDS - 800_000 + BOND


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
