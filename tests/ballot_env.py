"""A deployed Ballot with an election authority and a roll of dev accounts, shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eth_utils import keccak

from devnet_clock import DevnetClock
from govchain.chain import Chain
from govchain.clients.ballot import BallotClient, VoteReceipt, VoterRoll
from govchain.session import Session

DAY = 86_400
DOCUMENT = keccak(text="municipal referendum 2026: question and options")
OPTIONS = ["Yes", "No", "Abstain"]


@dataclass
class BallotEnv(DevnetClock):
    session: Session
    chain: Chain
    governance: BallotClient
    authority: BallotClient
    voters: list[BallotClient]
    relayer: BallotClient
    roll: VoterRoll
    receipt_dir: Path

    def at(self, timestamp: int) -> None:
        """Stamp the next block (and the gas estimates made against it) at ``timestamp``."""
        self.chain.rpc("evm_setNextBlockTimestamp", timestamp)

    def rebind(self, session: Session, chain: Chain, receipt_dir: Path) -> BallotEnv:
        """The same deployment driven through ``session`` (fresh nonce tracking, e.g. per test)."""
        contract = session.contract("Ballot", self.governance.address)

        def bind(client: BallotClient) -> BallotClient:
            return BallotClient(session, contract, session.sender_for(client.sender.account))

        return replace(
            self,
            session=session,
            chain=chain,
            governance=bind(self.governance),
            authority=bind(self.authority),
            voters=[bind(v) for v in self.voters],
            relayer=bind(self.relayer),
            receipt_dir=receipt_dir,
        )

    def create(self, by: BallotClient | None = None, **overrides: Any) -> int:
        """A new election (by the authority unless ``by``); its commit window opens in a day."""
        now = self.now()
        terms: dict[str, Any] = {
            "title": "Referendum on the new library",
            "document_hash": DOCUMENT,
            "roll": self.roll,
            "options": OPTIONS,
            "commit_start": now + DAY,
            "commit_end": now + 8 * DAY,
            "reveal_end": now + 11 * DAY,
            "quorum": 0,
        }
        terms.update(overrides)
        created = (by or self.authority).create_election(**terms)
        return int(created.event("ElectionCreated")["electionId"])

    def vote(self, voter: BallotClient, election_id: int, choice: int) -> VoteReceipt:
        receipt = VoteReceipt.new(election_id, voter.sender.address, choice)
        keep = (
            self.receipt_dir / f"{election_id}-{voter.sender.address}-{receipt.salt.hex()[:8]}.json"
        )
        voter.commit(receipt, self.roll.proof(voter.sender.address), keep=keep)
        return receipt

    def to_commit(self, election_id: int) -> None:
        self.travel_to(self.authority.election(election_id).commit_start)

    def to_reveal(self, election_id: int) -> None:
        self.travel_to(self.authority.election(election_id).commit_end + 1)

    def to_close(self, election_id: int) -> None:
        self.travel_to(self.authority.election(election_id).reveal_end + 1)


def make_ballot_env(session: Session, chain: Chain, receipt_dir: Path) -> BallotEnv:
    accounts = chain.accounts
    admin, authority, relayer = accounts[0], accounts[1], accounts[2]
    ballot = session.deploy("Ballot", admin.address)
    governance = BallotClient(session, ballot, session.sender)
    governance.grant_role("ELECTION_AUTHORITY_ROLE", authority.address)
    voters = [governance.as_account(a) for a in accounts[3:10]]
    roll = VoterRoll.from_addresses([v.sender.address for v in voters])
    return BallotEnv(
        session=session,
        chain=chain,
        governance=governance,
        authority=governance.as_account(authority),
        voters=voters,
        relayer=governance.as_account(relayer),
        roll=roll,
        receipt_dir=receipt_dir,
    )
