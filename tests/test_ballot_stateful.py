"""Ballot as a state machine: one election, a roll of 24 voters, one ghost ballot box.

Hypothesis drives direct and relayed commits (valid, re-commits, out-of-range choices, voters off
the roll, expired signatures, replayed signatures, signatures withheld and relayed later, when
the voter may have committed since), reveals (valid, stale receipts, wrong salts or choices,
double reveals, voters who never committed), finalisation and time travel through the
election's phases (before voting, commit window, reveal window, closed) in random order, against
one deployment on the session's anvil. Every action first predicts its outcome from the ghost
(success, or the exact custom error with its arguments), and after every step the chain is read
back and must agree with the ghost:

- the result's tallies are the ghost's, vote for vote;
- sum of tallies + unrevealed == turnout == the number of distinct voters who committed;
- each voter's ``commitmentOf`` and ``hasRevealed`` are the ghost's (a relayed signature names
  the ``commitmentOf`` it replaces, and must still find it in the voter's slot to apply);
- ``recount()`` (from events alone) matches the stored result and the ghost, and finds no voter
  counted twice; each revealed ballot's ``counted_choice`` is the choice revealed.

The roll mixes seven dev accounts with seventeen generated keys (funded with
``anvil_setBalance``), plus two generated keys that are not on the roll. An earlier election with
revealed ballots shares the contract, so every recount must keep to its own election.

Each example runs between ``evm_snapshot`` and ``evm_revert`` on the session's anvil. Phases are
entered by ``evm_setNextBlockTimestamp`` at their first second, and time only moves within a phase
while it stays ``MARGIN`` clear of the phase's end, so the latest block decides every outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from eth_abi import decode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from batched_calls import address_word as _address
from batched_calls import batch_eth_call
from batched_calls import selector as _selector
from batched_calls import word as _word
from devnet_clock import MachineClock, machine_settings
from govchain import contract_error
from govchain.chain import Chain
from govchain.clients.ballot import (
    BallotClient,
    ElectionResult,
    SignedCommit,
    VoteReceipt,
    VoterRoll,
)
from govchain.events import EventRegistry
from govchain.project import Project
from govchain.revert import ErrorRegistry
from govchain.session import Session

HOUR = 3_600
DAY = 86_400
MARGIN = HOUR  # far above the few seconds a transaction is stamped after the latest block
GENERATED = 17  # generated voters on the roll, beside the seven dev accounts
OUTSIDERS = 2  # generated keys not on the roll
FUNDS = 10**20
STEPS = 36
PHASES = ("before", "commit", "reveal", "closed")

SETTINGS = machine_settings(12, STEPS)

T = TypeVar("T")
OUTCOMES: Counter[str] = Counter()  # what the examples exercised, checked by the test


def _pick(items: list[T], k: int) -> T:
    return items[k % len(items)]


COMMITMENT_OF = _selector("commitmentOf(uint256,address)")
HAS_REVEALED = _selector("hasRevealed(uint256,address)")
RESULT = _selector("result(uint256)")
RESULT_TYPE = "(uint256[],uint256,uint256,uint256,bool,bool)"  # IBallot.Result
# Ballot's marker in a revealed voter's slot (where ``commitmentOf`` reads zero).
REVEALED = (1).to_bytes(32, "big")


# -- the deployment shared by every example -------------------------------------------------------


@dataclass(frozen=True)
class World:
    project: Project
    chain: Chain
    errors: ErrorRegistry
    events: EventRegistry
    ballot: str
    authority: LocalAccount
    relayer: LocalAccount
    voters: tuple[LocalAccount, ...]  # on the roll
    outsiders: tuple[LocalAccount, ...]  # not on it
    roll: VoterRoll
    decoy: int  # an earlier election with revealed ballots


@pytest.fixture
def world(session: Session, chain: Chain) -> World:
    """Ballot, an authority, 24 voters on a roll (17 freshly funded), and a decoy election."""
    a = chain.accounts
    admin, authority, relayer = a[0], a[1], a[2]
    generated = [
        Account.from_key(keccak(b"govchain ballot voter" + i.to_bytes(2, "big")))
        for i in range(GENERATED + OUTSIDERS)
    ]
    for account in generated:
        chain.rpc("anvil_setBalance", account.address, hex(FUNDS))
    voters = (*a[3:10], *generated[:GENERATED])
    roll = VoterRoll.from_addresses([v.address for v in voters])
    contract = session.deploy("Ballot", admin.address)
    governance = BallotClient(session, contract, session.sender)
    governance.grant_role("ELECTION_AUTHORITY_ROLE", authority.address)
    by_authority = governance.as_account(authority)

    # The decoy: three voters, all revealed, in an election that is over.
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    created = by_authority.create_election(
        title="Decoy",
        document_hash=keccak(text="decoy"),
        roll=roll,
        options=["A", "B"],
        commit_start=now + 10,
        commit_end=now + HOUR,
        reveal_end=now + 2 * HOUR,
    )
    decoy = int(created.event("ElectionCreated")["electionId"])
    chain.rpc("evm_setNextBlockTimestamp", now + 10)
    receipts = []
    for voter in voters[:3]:
        receipt = VoteReceipt.new(decoy, voter.address, 1)
        client = governance.as_account(voter)
        client.sender.transact(
            contract.functions.commit(decoy, receipt.commitment, roll.proof(voter.address))
        )
        receipts.append(receipt)
    chain.rpc("evm_setNextBlockTimestamp", now + HOUR + 1)
    for receipt in receipts:
        governance.as_account(relayer).reveal(receipt)
    return World(
        project=session.project,
        chain=chain,
        errors=session.errors,
        events=session.events,
        ballot=contract.address,
        authority=authority,
        relayer=relayer,
        voters=voters,
        outsiders=tuple(generated[GENERATED:]),
        roll=roll,
        decoy=decoy,
    )


# -- the ghost ballot box -------------------------------------------------------------------------


Signed = tuple[SignedCommit, VoteReceipt]


@dataclass
class GhostVoter:
    account: LocalAccount
    on_roll: bool
    receipts: list[VoteReceipt] = field(default_factory=list)  # every commitment, last counts
    used: list[Signed] = field(default_factory=list)  # signatures already relayed
    withheld: list[Signed] = field(default_factory=list)  # signed, not relayed (yet)
    revealed: bool = False

    @property
    def address(self) -> str:
        return str(self.account.address)

    @property
    def committed(self) -> bool:
        return bool(self.receipts)

    @property
    def commitment(self) -> bytes:
        """What ``commitmentOf`` must return."""
        if self.revealed or not self.receipts:
            return bytes(32)
        return self.receipts[-1].commitment

    @property
    def slot(self) -> bytes:
        """The voter's ballot slot, which a relayed signature's ``previous`` must equal."""
        return REVEALED if self.revealed else self.commitment


picks = st.integers(0, 2**10)  # taken modulo the number of choices


def _in(*phases: str) -> Callable[[BallotMachine], bool]:
    """In one of ``phases``, and not yet due to leave it."""
    return lambda self: self.phase in phases and not self.overdue()


# -- the machine ----------------------------------------------------------------------------------


class BallotMachine(MachineClock, RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.snapshot = world.chain.rpc("evm_snapshot")
        # A fresh session per example: senders cache nonces, which evm_revert invalidates.
        self.session = Session(world.project, world.chain, world.errors, world.events)
        contract = self.session.contract("Ballot", world.ballot)
        client = BallotClient(self.session, contract, self.session.sender)
        self.authority = client.as_account(world.authority)
        self.relayer = client.as_account(world.relayer)
        self.clients = {
            account.address: client.as_account(account)
            for account in (*world.voters, *world.outsiders)
        }
        self.voters = [GhostVoter(v, True) for v in world.voters]
        self.outsiders = [GhostVoter(v, False) for v in world.outsiders]
        self.election_id = 0
        self.phase = "before"
        self.options = 0
        self.quorum = 0
        self.tallies: list[int] = []
        self.finalized = False
        self.commit_start = self.commit_end = self.reveal_end = 0
        self.phase_steps = 0
        self.budget: dict[str, int] = {}  # steps per phase: then time moves on
        self.latest = 0
        self.salts = 0
        self.changed = True  # the election changed since the last recount

    # -- helpers ----------------------------------------------------------------------------------

    def phase_end(self) -> int:
        return {
            "before": self.commit_start - 1,
            "commit": self.commit_end,
            "reveal": self.reveal_end,
        }[self.phase]

    def committers(self) -> list[GhostVoter]:
        return [v for v in self.voters if v.committed]

    def client(self, voter: GhostVoter) -> BallotClient:
        return self.clients[voter.address]

    def proof(self, voter: GhostVoter, pick: int) -> list[str]:
        """The voter's own proof, or (off the roll) some voter's."""
        if voter.on_roll:
            return self.world.roll.proof(voter.address)
        return self.world.roll.proof(_pick(self.voters, pick).address)

    def attempt(
        self, label: str, action: Callable[[], Any], error: str | None, **inputs: Any
    ) -> Any:
        """Run ``action``: it must succeed (``error`` None) or raise exactly ``error(inputs)``."""
        if error is None:
            OUTCOMES[f"{label}: ok"] += 1
            return action()
        OUTCOMES[f"{label}: {error}"] += 1
        with pytest.raises(contract_error(error)) as info:
            action()
        assert info.value.inputs == inputs, f"{label}: {error}"
        return None

    def commit_error(self, voter: GhostVoter) -> tuple[str | None, dict[str, Any]]:
        """What ``_commit`` does for ``voter`` now."""
        if self.phase != "commit":
            return "BallotOutsideWindow", {
                "electionId": self.election_id,
                "opens": self.commit_start,
                "closes": self.commit_end,
            }
        if not voter.on_roll:
            return "BallotNotOnRoll", {"electionId": self.election_id, "voter": voter.address}
        return None, {}

    def seal(self, voter: GhostVoter, choice: int) -> VoteReceipt:
        """A new receipt with a salt never used before (deterministic, for replayable examples)."""
        self.salts += 1
        return VoteReceipt(self.election_id, voter.address, choice, keccak(b"%d" % self.salts))

    def committed(self, voter: GhostVoter, receipt: VoteReceipt, sent: Any) -> None:
        event = sent.event("VoteCommitted")
        assert (event["voter"], bytes(event["commitment"]), event["replaced"]) == (
            voter.address,
            receipt.commitment,
            voter.committed,
        )
        if voter.committed:
            OUTCOMES["commit: replaced an earlier commitment"] += 1
        if receipt.choice >= self.options:
            OUTCOMES["commit: sealed an out-of-range choice"] += 1
        voter.receipts.append(receipt)
        self.changed = True

    # -- set-up -----------------------------------------------------------------------------------

    @initialize(
        options=st.integers(2, 6),
        quorum=st.sampled_from([0, 2, 8, 30]),  # 30: more than the roll
        budget=st.tuples(st.integers(0, 2), st.integers(8, 14), st.integers(6, 12)),
    )
    def create(self, options: int, quorum: int, budget: tuple[int, int, int]) -> None:
        now = self.now()
        self.commit_start, self.commit_end = now + DAY, now + 4 * DAY
        self.reveal_end = self.commit_end + 2 * DAY
        created = self.authority.create_election(
            title="Stateful",
            document_hash=keccak(text="stateful"),
            roll=self.world.roll,
            options=[f"option {i}" for i in range(options)],
            commit_start=self.commit_start,
            commit_end=self.commit_end,
            reveal_end=self.reveal_end,
            quorum=quorum,
        )
        self.election_id = int(created.event("ElectionCreated")["electionId"])
        assert self.election_id == self.world.decoy + 1
        self.options, self.quorum, self.tallies = options, quorum, [0] * options
        self.budget = dict(zip(PHASES, budget, strict=False))

    # -- time -------------------------------------------------------------------------------------

    def overdue(self) -> bool:
        """Whether the phase has had its budget of steps (then only ``next_phase`` may run)."""
        return self.phase != "closed" and self.phase_steps >= self.budget[self.phase]

    @precondition(lambda self: self.overdue())
    @rule()
    def next_phase(self) -> None:
        """Enter the next phase at its first second, once this one has had its steps."""
        self.phase = PHASES[PHASES.index(self.phase) + 1]
        self.phase_steps = 0
        self.travel_to(
            {
                "commit": self.commit_start,
                "reveal": self.commit_end + 1,
                "closed": self.reveal_end + 1,
            }[self.phase]
        )
        OUTCOMES[f"time: entered {self.phase}"] += 1

    @precondition(_in("before", "commit", "reveal"))
    @rule(hours=st.integers(1, 30))
    def wait(self, hours: int) -> None:
        """Move within the phase, staying MARGIN clear of its end."""
        target = self.latest + hours * HOUR
        if target < self.phase_end() - MARGIN:
            self.travel_to(target)
            OUTCOMES["time: waited"] += 1

    # -- committing -------------------------------------------------------------------------------

    @precondition(_in("commit"))
    @rule(pick=picks, choice=st.integers(0, 6), outsider=st.sampled_from([False] * 5 + [True]))
    def commit(self, pick: int, choice: int, outsider: bool) -> None:
        """A voter commits and pays; sometimes one off the roll tries (with another's proof)."""
        self.do_commit(_pick(self.outsiders if outsider else self.voters, pick), pick, choice)

    @precondition(_in("commit"))
    @rule(votes=st.lists(st.tuples(picks, st.integers(0, 6)), min_size=2, max_size=6))
    def commit_many(self, votes: list[tuple[int, int]]) -> None:
        """Several voters on the roll commit (a choice out of range now and then)."""
        for pick, choice in votes:
            self.do_commit(_pick(self.voters, pick), pick, choice)

    def do_commit(self, voter: GhostVoter, pick: int, choice: int) -> None:
        choice %= self.options + 1  # choice == options: out of range, sealed all the same
        receipt = self.seal(voter, choice)
        contract = self.client(voter)
        error, inputs = self.commit_error(voter)

        def send() -> Any:
            call = contract.contract.functions.commit(
                self.election_id, receipt.commitment, self.proof(voter, pick)
            )
            return contract.sender.transact(call)

        if error is None and voter.committed:
            # A re-commit in private, after a coercer made the voter sign another ballot (over
            # the current one) and kept the signature: ``late`` may send it.
            coerced = self.seal(voter, (choice + 1) % (self.options + 1))
            signed = self.relayer.sign_commit(voter.account, coerced, deadline=self.commit_end)
            voter.withheld.append((signed, coerced))
        sent = self.attempt("commit", send, error, **inputs)
        if sent is not None:
            self.committed(voter, receipt, sent)

    @precondition(_in("commit"))
    @rule(
        pick=picks,
        choice=st.integers(0, 6),
        variant=st.sampled_from(["ok", "ok", "ok", "expired", "outsider"]),
    )
    def relayed_commit(self, pick: int, choice: int, variant: str) -> None:
        """The relayer submits a voter's signed commitment; the voter pays nothing."""
        self.do_relayed(pick, choice, variant)

    def do_relayed(self, pick: int, choice: int, variant: str) -> None:
        voter = _pick(self.outsiders if variant == "outsider" else self.voters, pick)
        choice %= self.options + 1
        receipt = self.seal(voter, choice)
        deadline = self.latest - 1 if variant == "expired" else self.commit_end
        signed = self.relayer.sign_commit(voter.account, receipt, deadline=deadline)
        assert signed.previous == voter.commitment
        if variant == "expired" or self.phase in ("reveal", "closed"):  # checked first
            error, inputs = "BallotSignatureExpired", {"deadline": deadline}
        else:
            error, inputs = self.commit_error(voter)
        before = self.world.chain.w3.eth.get_balance(voter.address)
        sent = self.attempt(
            "relayed",
            lambda: self.relayer.commit_by_sig(signed, self.proof(voter, pick)),
            error,
            **inputs,
        )
        if sent is not None:
            assert sent.sender == self.relayer.sender.address
            assert self.world.chain.w3.eth.get_balance(voter.address) == before
            self.committed(voter, receipt, sent)
            voter.used.append((signed, receipt))
            # Then the voter signs another ballot over this one, and the relayer (or whoever
            # extracted it) holds it back, for ``late`` to send.
            other = self.seal(voter, (choice + 1) % (self.options + 1))
            withheld = self.relayer.sign_commit(voter.account, other, deadline=self.commit_end)
            assert withheld.previous == receipt.commitment
            voter.withheld.append((withheld, other))

    @precondition(
        lambda self: _in("commit")(self) and any(v.used or v.withheld for v in self.voters)
    )
    @rule(pick=picks)
    def late(self, pick: int) -> None:
        """A signature signed earlier is relayed: again (a replay), or at last (withheld)."""
        self.do_late(pick)

    def do_late(self, pick: int) -> None:
        """It applies only if the ballot it names is still the voter's: never for a replay, and
        for a withheld one only if the voter has not committed since signing it. (After the
        commit window, the signature has expired first.)"""
        signers = [v for v in self.voters if v.used or v.withheld]
        if not signers:
            return
        voter = _pick(signers, pick)
        signatures = voter.used + voter.withheld
        signed, receipt = _pick(signatures, pick)
        label = "replay" if (signed, receipt) in voter.used else "withheld"
        if self.phase != "commit":  # signed with the commit window's end as deadline
            error, inputs = "BallotSignatureExpired", {"deadline": signed.deadline}
        elif signed.previous != voter.slot:
            error, inputs = (
                "BallotStaleSignature",
                {"electionId": self.election_id, "voter": voter.address},
            )
        else:
            error, inputs = self.commit_error(voter)
        sent = self.attempt(
            label,
            lambda: self.relayer.commit_by_sig(signed, self.proof(voter, 0)),
            error,
            **inputs,
        )
        if sent is not None:
            self.committed(voter, receipt, sent)
            if label == "withheld":
                voter.withheld.remove((signed, receipt))
                voter.used.append((signed, receipt))

    # -- revealing --------------------------------------------------------------------------------

    @precondition(_in("reveal"))
    @rule(
        pick=picks,
        variant=st.sampled_from(["own", "own", "stale", "salt", "choice", "never"]),
        by_voter=st.booleans(),
    )
    def reveal(self, pick: int, variant: str, by_voter: bool) -> None:
        """Someone reveals a ballot: the voter's latest receipt, or a wrong one."""
        self.do_reveal(pick, variant, by_voter)

    @precondition(_in("reveal"))
    @rule(picks=st.lists(picks, min_size=2, max_size=6))
    def reveal_many(self, picks: list[int]) -> None:
        """The relayer reveals several voters' latest receipts (mostly ones not yet revealed)."""
        for pick in picks:
            self.do_reveal(pick, "fresh" if pick % 4 else "own", False)

    def do_reveal(self, pick: int, variant: str, by_voter: bool) -> None:
        committers = self.committers()
        if variant == "never" or not committers:
            never = [v for v in self.voters if not v.committed] + self.outsiders
            voter = _pick(never, pick)
            receipt = VoteReceipt(self.election_id, voter.address, 0, keccak(b"never"))
        else:
            unrevealed = [v for v in committers if not v.revealed]
            voter = _pick(unrevealed if variant == "fresh" and unrevealed else committers, pick)
            receipt = voter.receipts[-1]
            if variant == "stale" and len(voter.receipts) > 1:
                receipt = _pick(voter.receipts[:-1], pick)
            elif variant == "salt":
                receipt = VoteReceipt(
                    self.election_id, voter.address, receipt.choice, keccak(receipt.salt)
                )
            elif variant == "choice":
                receipt = VoteReceipt(
                    self.election_id,
                    voter.address,
                    (receipt.choice + 1) % (self.options + 1),
                    receipt.salt,
                )
        sender = self.client(_pick(self.voters, pick // 7)) if by_voter else self.relayer
        latest = voter.receipts[-1] if voter.receipts else None
        error: str | None
        inputs: dict[str, Any] = {"electionId": self.election_id, "voter": voter.address}
        if self.phase != "reveal":
            error = "BallotOutsideWindow"
            inputs = {
                "electionId": self.election_id,
                "opens": self.commit_end + 1,
                "closes": self.reveal_end,
            }
        elif latest is None:
            error = "BallotNoCommitment"
        elif voter.revealed:
            error = "BallotAlreadyRevealed"
        elif receipt.commitment != latest.commitment:
            error = "BallotCommitmentMismatch"
        elif receipt.choice >= self.options:
            error = "BallotInvalidChoice"
            inputs = {
                "electionId": self.election_id,
                "choice": receipt.choice,
                "optionCount": self.options,
            }
        else:
            error = None
        sent = self.attempt("reveal", lambda: sender.reveal(receipt), error, **inputs)
        if sent is not None:
            event = sent.event("VoteRevealed")
            assert (event["voter"], int(event["choice"])) == (voter.address, receipt.choice)
            voter.revealed = True
            self.changed = True
            self.tallies[receipt.choice] += 1
            assert self.relayer.counted_choice(self.election_id, voter.address) == receipt.choice

    # -- finalising -------------------------------------------------------------------------------

    @precondition(lambda self: self.phase == "closed" and not self.finalized)  # never overdue
    @rule()
    def finalize(self) -> None:
        self.do_finalize()

    # -- anything, at any time ------------------------------------------------------------------

    @precondition(lambda self: not self.overdue())
    @rule(
        action=st.sampled_from(["commit", "relayed", "late", "reveal", "finalize"]),
        pick=picks,
        choice=st.integers(0, 6),
    )
    def stray(self, action: str, pick: int, choice: int) -> None:
        """An action whatever the phase (mostly the wrong one: the window errors)."""
        if action == "commit":
            self.do_commit(_pick(self.voters, pick), pick, choice)
        elif action == "relayed":
            self.do_relayed(pick, choice, "ok")
        elif action == "late":
            self.do_late(pick)
        elif action == "reveal":
            self.do_reveal(pick, "own", False)
        else:
            self.do_finalize()

    def do_finalize(self) -> None:
        if self.phase != "closed":
            error, inputs = (
                "BallotRevealNotOver",
                {"electionId": self.election_id, "revealEnd": self.reveal_end},
            )
        elif self.finalized:
            error, inputs = "BallotAlreadyFinalized", {"electionId": self.election_id}
        else:
            error, inputs = None, {}
        sent = self.attempt(
            "finalize", lambda: self.relayer.finalize(self.election_id), error, **inputs
        )
        if sent is not None:
            self.finalized = True
            self.changed = True
            event = sent.event("ElectionFinalized")
            revealed = sum(self.tallies)
            turnout = len(self.committers())
            assert [int(t) for t in event["tallies"]] == self.tallies
            assert (int(event["turnout"]), int(event["revealed"]), int(event["unrevealed"])) == (
                turnout,
                revealed,
                turnout - revealed,
            )
            assert event["quorumMet"] is (revealed >= self.quorum)
            OUTCOMES["finalize: quorum " + ("met" if revealed >= self.quorum else "not met")] += 1

    # -- invariants -------------------------------------------------------------------------------

    def eth_calls(self, datas: list[bytes]) -> list[bytes]:
        """Many eth_calls to the Ballot in one JSON-RPC batch."""
        return batch_eth_call(self.world.chain, [(self.world.ballot, d) for d in datas])

    @invariant()
    def chain_agrees_with_the_ghost(self) -> None:
        """Every step: one JSON-RPC batch; after each change, also a recount from the events."""
        if not self.election_id:
            return
        self.phase_steps += 1
        ghosts = self.voters + self.outsiders
        eid = _word(self.election_id)
        calls = [RESULT + eid]
        for v in ghosts:
            calls += [
                COMMITMENT_OF + eid + _address(v.address),
                HAS_REVEALED + eid + _address(v.address),
            ]
        answers = iter(self.eth_calls(calls))
        tallies, turnout, revealed, unrevealed, quorum_met, finalized = decode(
            [RESULT_TYPE], next(answers)
        )[0]
        distinct = len(self.committers())
        assert list(tallies) == self.tallies
        assert sum(tallies) + unrevealed == turnout == distinct
        assert revealed == sum(self.tallies) == sum(v.revealed for v in self.voters)
        assert quorum_met is (revealed >= self.quorum)
        assert finalized is self.finalized
        for v in ghosts:
            assert next(answers) == v.commitment, v.address
            assert decode(["bool"], next(answers))[0] is v.revealed, v.address
        if self.changed:
            self.changed = False
            recount = self.relayer.recount(self.election_id)
            assert recount.matches
            assert recount.duplicate_voters == []  # no voter counted twice
            assert recount.invalid_choice_voters == []
            assert (recount.tallies, recount.turnout, recount.revealed) == (
                self.tallies,
                distinct,
                sum(self.tallies),
            )
            assert recount.stored == ElectionResult(
                list(tallies), turnout, revealed, unrevealed, quorum_met, finalized
            )
            OUTCOMES["recount: matched"] += 1


# What the machine must reach; derandomised, so a miss is not luck but a change of generation
# (Hypothesis version, rules, strategies) that the rules must be tuned to.
MUST_REACH = (
    "commit: ok",
    "commit: replaced an earlier commitment",
    "commit: sealed an out-of-range choice",
    "commit: BallotOutsideWindow",
    "commit: BallotNotOnRoll",
    "relayed: ok",
    "relayed: BallotSignatureExpired",
    "relayed: BallotNotOnRoll",
    "replay: BallotStaleSignature",
    "withheld: ok",
    "withheld: BallotStaleSignature",
    "reveal: ok",
    "reveal: BallotOutsideWindow",
    "reveal: BallotNoCommitment",
    "reveal: BallotAlreadyRevealed",
    "reveal: BallotCommitmentMismatch",
    "reveal: BallotInvalidChoice",
    "finalize: ok",
    "finalize: BallotRevealNotOver",
    "finalize: BallotAlreadyFinalized",
    "finalize: quorum met",
    "finalize: quorum not met",
    "time: entered closed",
    "recount: matched",
)


def test_ballot_state_machine(world: World) -> None:
    OUTCOMES.clear()
    run_state_machine_as_test(lambda: BallotMachine(world), settings=SETTINGS)  # type: ignore[arg-type]
    print("\n".join(f"{n:5} {k}" for k, n in sorted(OUTCOMES.items())))  # shown with -s
    missed = [m for m in MUST_REACH if not any(k.startswith(m) for k in OUTCOMES)]
    assert not missed, f"the examples never reached: {missed}"
