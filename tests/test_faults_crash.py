"""Crashes: the devnet is SIGKILLed in the middle of a job and restarted from its state file.

anvil (``start_anvil(..., state_file=...)``) dumps its whole state to the file once a second,
in place. A SIGKILL therefore loses whatever was mined after the last dump: up to a second of
blocks whose receipts the job has already seen. Rerunning the interrupted job on the restored
chain must finish it: nobody paid twice, nothing lost, finished work not redone.

Why the tests are deterministic although anvil dumps on its own clock:

- we never kill blindly. :meth:`Devnet.wait_for_dump` polls the state file (a file, not chain
  state) until anvil has rewritten it, it parses, and it holds the block we care about. So we
  know a complete dump contains that block, and the SIGKILL cannot land in the middle of a
  write (anvil writes in place: a kill during a write would leave a truncated file);
- for the case "blocks mined after the last dump are lost", we keep the bytes of that dump and
  put them back after the SIGKILL. That is exactly the file a kill arriving before anvil's next
  tick leaves behind, without racing that tick (which a loaded 2-core machine would lose
  sometimes, silently turning the test into "nothing was lost").
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3.exceptions import TransactionNotFound

from conftest import make_project
from govchain.accounts import dev_accounts
from govchain.chain import LOCAL, AnvilProcess, Chain, _web3_http, local_state_file, start_anvil
from govchain.clients.land import LandClient
from govchain.clients.welfare import RoundPlan, WelfareClient
from govchain.demo import DemoState, run_demo
from govchain.deploy import deploy_suite
from govchain.errors import NetworkError
from govchain.project import Project
from govchain.sender import Receipt
from govchain.session import Session, registries

DAY = 86_400
BENEFICIARIES = 1_000
BATCH = 200
DUMP_TIMEOUT = 30.0  # anvil dumps every second; this only bounds a hung devnet


class Devnet:
    """The project's own anvil with a state file: started, killed and restarted by the test."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.state_file = local_state_file(project)
        self.anvil: AnvilProcess | None = None

    def start(self) -> Session:
        """Start (or restart from the state file) and return a fresh session on it."""
        assert self.anvil is None or self.anvil.process.poll() is not None
        self.anvil = start_anvil(self.project, state_file=self.state_file)
        chain = Chain(
            LOCAL,
            _web3_http(self.anvil.url),
            list(dev_accounts()),
            anvil=self.anvil,
            url=self.anvil.url,
        )
        errors, events = registries(self.project)
        return Session(self.project, chain, errors, events)

    def wait_for_dump(self, block: int) -> bytes:
        """The bytes of the first complete dump, written from now on, holding ``block``."""
        before = self._mtime()
        deadline = time.monotonic() + DUMP_TIMEOUT
        while time.monotonic() < deadline:
            if self._mtime() != before:
                data = self.state_file.read_bytes()
                try:
                    head = int(json.loads(data)["best_block_number"])
                except (ValueError, KeyError):
                    head = -1  # caught mid-write: the file is complete a moment later
                if head >= block:
                    return data
            time.sleep(0.01)  # polling a file anvil writes, not chain state
        raise AssertionError(f"no dump holding block {block} within {DUMP_TIMEOUT}s")

    def kill(self) -> None:
        """SIGKILL: no shutdown dump, as in a power cut."""
        assert self.anvil is not None
        self.anvil.process.kill()
        self.anvil.process.wait()

    def stop(self) -> None:
        if self.anvil is not None:
            self.anvil.stop()

    def _mtime(self) -> int:
        return self.state_file.stat().st_mtime_ns if self.state_file.exists() else 0


@pytest.fixture
def devnet(tmp_path: Path, project: Project) -> Iterator[Devnet]:
    devnet = Devnet(make_project(tmp_path / "proj", project))
    yield devnet
    devnet.stop()


# -- welfare batch pay ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Welfare:
    """A funded programme's addresses: what a restarted job needs to find its round again."""

    welfare: str
    token: str
    funding: str
    programme_id: int


def deploy_welfare(session: Session) -> Welfare:
    admin, manager, officer, payer, funding = session.chain.accounts[:5]
    token = session.deploy("PaymentToken", "Public Unit", "PUB", 2, admin.address, admin.address)
    contract = session.deploy("WelfareDisbursement", admin.address)
    governance = WelfareClient(session, contract, session.sender)
    for role, account in [
        ("PROGRAMME_MANAGER_ROLE", manager),
        ("ELIGIBILITY_OFFICER_ROLE", officer),
        ("PAYER_ROLE", payer),
    ]:
        governance.grant_role(role, account.address)
    session.sender.transact(token.functions.mint(funding.address, 10**12))
    session.sender_for(funding).transact(token.functions.approve(contract.address, 2**256 - 1))
    created = governance.create_programme(
        name="Child benefit",
        token=token.address,
        funding=funding.address,
        manager=manager.address,
        officer=officer.address,
    )
    programme_id = int(created.event("ProgrammeCreated")["programmeId"])
    return Welfare(contract.address, token.address, funding.address, programme_id)


def client(session: Session, deployed: Welfare, role: int) -> WelfareClient:
    """The welfare client signing as ``accounts[role]`` (0 admin, 1 manager, 2 officer, 3 payer)."""
    contract = session.contract("WelfareDisbursement", deployed.welfare)
    return WelfareClient(session, contract, session.sender_for(session.chain.accounts[role]))


def balances(session: Session, token_address: str, holders: list[str]) -> list[int]:
    """Token balances of many holders in JSON-RPC batches (1,000 single calls take seconds)."""
    token = session.contract("PaymentToken", token_address)
    result: list[int] = []
    for start in range(0, len(holders), 250):
        with session.chain.w3.batch_requests() as batch:
            for holder in holders[start : start + 250]:
                batch.add(token.functions.balanceOf(holder))
            result += [int(value) for value in batch.execute()]  # type: ignore[call-overload]
    return result


class PayerThatWatches(WelfareClient):
    """The payer's client, calling ``after_batch`` with each batch's receipt (the crash hook)."""

    def batch_pay(self, round_id: int, plan: RoundPlan, indexes: Any) -> Receipt:
        receipt = super().batch_pay(round_id, plan, indexes)
        AFTER_BATCH[0](receipt)
        return receipt


AFTER_BATCH: list[Any] = [lambda receipt: None]


@pytest.fixture
def watch_batches() -> Iterator[list[Any]]:
    yield AFTER_BATCH
    AFTER_BATCH[0] = lambda receipt: None


def test_pay_all_killed_mid_round_and_rerun_pays_each_family_exactly_once(
    devnet: Devnet, watch_batches: list[Any]
) -> None:
    session = devnet.start()
    deployed = deploy_welfare(session)
    plan = RoundPlan.from_entitlements(
        (Account.create().address, 100 + i % 7) for i in range(BENEFICIARIES)
    )
    officer, manager = client(session, deployed, 2), client(session, deployed, 1)
    round_id = int(
        officer.propose_round(deployed.programme_id, plan).event("RoundProposed")["roundId"]
    )
    now = int(session.chain.w3.eth.get_block("latest")["timestamp"])
    manager.publish_round(round_id, now, now + 30 * DAY)
    funding_after_publish = balances(session, deployed.token, [deployed.funding])[0]

    # First run: batches 1 and 2 make it into a dump; batch 3 is mined (its receipt seen by the
    # job) after that dump; then the devnet dies and the job with it, at batch 4.
    receipts: list[Receipt] = []
    saved: list[bytes] = []

    def after_batch(receipt: Receipt) -> None:
        receipts.append(receipt)
        if len(receipts) == 2:
            saved.append(devnet.wait_for_dump(receipt.block_number))
        elif len(receipts) == 3:
            devnet.kill()

    watch_batches[0] = after_batch
    payer = client(session, deployed, 3)
    watched = PayerThatWatches(session, payer.contract, payer.sender)
    with pytest.raises(NetworkError):
        watched.pay_all(round_id, plan, batch_size=BATCH)
    assert len(receipts) == 3
    devnet.state_file.write_bytes(saved[0])  # the kill came before anvil's next tick

    session = devnet.start()
    payer = client(session, deployed, 3)
    with pytest.raises(TransactionNotFound):  # the third batch's receipt was seen, then lost
        session.chain.w3.eth.get_transaction_receipt(receipts[2].tx_hash)  # type: ignore[arg-type]
    survived = list(range(2 * BATCH))
    assert [payer.is_claimed(round_id, i) for i in (0, 2 * BATCH - 1, 2 * BATCH)] == [
        True,
        True,
        False,
    ]

    rerun = payer.pay_all(round_id, plan, batch_size=BATCH)
    assert rerun.already_settled == survived
    assert rerun.paid_indexes == list(range(2 * BATCH, BENEFICIARIES))

    # Every index settled in the bitmap, one Claimed event each, each family paid its amount once.
    bitmap = payer.contract.functions
    assert all(bitmap.isClaimed(round_id, i).call() for i in range(0, BENEFICIARIES, 37))
    report = payer.reconcile(round_id)
    assert report.claimed_indexes == list(range(BENEFICIARIES))  # sorted: a repeat would show
    assert report.claimed == plan.total and report.outstanding == 0 and report.balanced
    families = [e.beneficiary for e in plan.entitlements]
    assert balances(session, deployed.token, families) == [e.amount for e in plan.entitlements]
    assert balances(session, deployed.token, [deployed.welfare, deployed.funding]) == [
        0,
        funding_after_publish,
    ]
    # A third run has nothing left to do (a sample: each index costs pay_all one eth_call).
    third = payer.pay_all(round_id, plan, indexes=range(0, BENEFICIARIES, 50))
    assert third.receipts == [] and len(third.already_settled) == BENEFICIARIES // 50


# -- the demo -------------------------------------------------------------------------------------


class KillDuring:
    """A demo progress that kills the devnet when ``domain`` reports the step ``message``.

    It first waits for a dump holding the current head, so the restored chain is the chain as
    it was at that step: the interrupted domain is then half done on it, by construction.
    """

    def __init__(self, devnet: Devnet, session: Session, domain: str, message: str) -> None:
        self.devnet, self.session = devnet, session
        self.domain, self.message = domain, message
        self.killed_at: int | None = None

    def step(self, domain: str, message: str) -> None:
        if domain == self.domain and message.startswith(self.message):
            self.killed_at = int(self.session.chain.w3.eth.block_number)
            self.devnet.wait_for_dump(self.killed_at)
            self.devnet.kill()

    def count(self, domain: str, done: int, total: int, message: str) -> None:
        pass


def test_demo_killed_during_welfare_reruns_only_welfare_and_loses_no_money(
    devnet: Devnet,
) -> None:
    session = devnet.start()
    deploy_suite(devnet.project, session.chain, session.sender)
    suite = {n: e.address for n, e in session.record().contracts.items()}
    # Killed after the round is published and funded and one entitlement revoked, before any
    # payment: the worst moment, with a whole month of benefit held by the contract.
    progress = KillDuring(devnet, session, "welfare", "veto window passes")
    with pytest.raises(NetworkError):
        run_demo(session, progress, domains=("land", "welfare"))
    assert progress.killed_at is not None

    session = devnet.start()
    assert int(session.chain.w3.eth.block_number) == progress.killed_at
    state = DemoState.load(session)  # same genesis (pinned timestamp) and suite: still valid
    assert list(state.results) == ["land"] and state.suite == suite
    land_facts = state.results["land"].facts
    welfare = WelfareClient.connect(session)
    interrupted = welfare.round(1)
    assert interrupted.status == "Published" and interrupted.revoked > 0

    outcome = run_demo(session, domains=("land", "welfare"))

    assert (outcome.skipped, outcome.seeded) == (["land"], ["welfare"])
    facts = outcome.results["welfare"].facts
    # The rerun starts the domain afresh: a new programme and round, run to the end.
    assert (facts["programme_id"], facts["round_id"]) == (2, 2)
    assert facts["balanced"] and facts["clawed_back"] > 0
    assert welfare.round(2).remaining == 0
    # The interrupted round's money is still all there, held in its own round, claimable.
    again = welfare.round(1)
    assert again.status == "Published" and again.remaining == interrupted.remaining
    first = welfare.reconcile(1)
    assert first.balanced and first.claimed == 0
    assert first.funded == first.revoked + first.outstanding == interrupted.total
    token = session.contract("PaymentToken")
    assert int(token.functions.balanceOf(welfare.address).call()) == interrupted.remaining
    # The land domain finished before the crash: its records survived the restart unchanged.
    land = LandClient.connect(session)
    parcel = land_facts["history_parcel"]
    assert land.owner_of(parcel) == land_facts["history_owners"][-1]
    assert len(land.title_history(parcel)) == land_facts["history_steps"]
    assert DemoState.load(session).results.keys() == {"land", "welfare"}
