"""Client of ``Ballot``: voter rolls, sealed ballots, reveals, results and independent recounts.

>>> roll = VoterRoll.from_csv("roll.csv")                       # one address per line
>>> ballot = BallotClient.connect(govchain.connect("local"))
>>> receipt = VoteReceipt.new(election_id, voter.address, choice=2)
>>> ballot.as_account(voter).commit(receipt, roll.proof(voter.address), keep="my-vote.json")
>>> ballot.recount(election_id).matches

The roll is an OpenZeppelin StandardMerkleTree over ``(address)`` leaves, byte-compatible with
``@openzeppelin/merkle-tree``. A vote receipt holds the ballot's salt: without it the ballot can
never be revealed, so :meth:`BallotClient.commit` writes it before anything is sent and never
overwrites a file.
"""

from __future__ import annotations

import csv
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from govchain.clients.base import ContractClient, address_topic, topic
from govchain.eip712 import typed_data
from govchain.errors import GovchainError
from govchain.merkle import MerkleTreeError, StandardMerkleTree, checksum_address
from govchain.private_file import write_once
from govchain.sender import Receipt

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

ROLL_ENCODING = ("address",)
COMMIT_FIELDS = (  # IBallot's EIP-712 Commit, in order
    ("electionId", "uint256"),
    ("voter", "address"),
    ("commitment", "bytes32"),
    ("previous", "bytes32"),
    ("deadline", "uint256"),
)


class BallotInputError(GovchainError, ValueError):
    """A voter roll, roll file or vote receipt is malformed, or would be overwritten."""


def ballot_commitment(election_id: int, voter: str, choice: int, salt: bytes) -> bytes:
    """``keccak256(abi.encode(electionId, voter, choice, salt))``, as the contract computes it."""
    return keccak(
        encode(["uint256", "address", "uint256", "bytes32"], [election_id, voter, choice, salt])
    )


def label_hash(label: str) -> bytes:
    """The on-chain identifier of an option's label (its UTF-8 keccak-256)."""
    return keccak(text=label)


@dataclass(frozen=True)
class VoterRoll:
    """Who may vote: a Merkle tree over the voters' addresses."""

    tree: StandardMerkleTree

    @classmethod
    def from_addresses(cls, addresses: Iterable[str]) -> VoterRoll:
        voters: list[tuple[str]] = []
        seen: set[str] = set()
        for number, address in enumerate(addresses, start=1):
            try:
                checksummed = checksum_address(address.strip())
            except MerkleTreeError as exc:
                raise BallotInputError(
                    f"voter {number}: {address!r} is not an address ({exc})"
                ) from None
            if checksummed in seen:
                raise BallotInputError(f"voter {number}: {checksummed} is on the roll twice")
            seen.add(checksummed)
            voters.append((checksummed,))
        if not voters:
            raise BallotInputError("a voter roll needs at least one voter")
        return cls(StandardMerkleTree.of(voters, ROLL_ENCODING))

    @classmethod
    def from_csv(cls, path: str | Path) -> VoterRoll:
        """One address per line (first column); a header line is allowed."""
        addresses: list[str] = []
        with open(path, newline="", encoding="utf-8-sig") as handle:  # spreadsheets add a BOM
            for number, row in enumerate(csv.reader(handle), start=1):
                if not row or not row[0].strip():
                    continue
                if number == 1 and not row[0].strip().lower().startswith("0x"):
                    continue  # header
                addresses.append(row[0])
        return cls.from_addresses(addresses)

    @classmethod
    def load(cls, path: str | Path) -> VoterRoll:
        """A roll from ``tree.json`` written by :meth:`write` or ``@openzeppelin/merkle-tree``."""
        path = Path(path)
        if path.is_dir():
            path = path / "tree.json"
        try:
            tree = StandardMerkleTree.load(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise BallotInputError(f"{path}: cannot read the roll: {exc}") from None
        if tuple(tree.leaf_encoding) != ROLL_ENCODING:
            raise BallotInputError(
                f"{path}: leaf encoding {tree.leaf_encoding} is not {ROLL_ENCODING}"
            )
        return cls(tree)

    @property
    def root(self) -> str:
        return self.tree.root

    @property
    def voters(self) -> list[str]:
        return [str(value[0]) for _, value in self.tree.entries()]

    def __len__(self) -> int:
        return len(self.tree)

    def __contains__(self, address: object) -> bool:
        try:
            return isinstance(address, str) and checksum_address(address) in set(self.voters)
        except MerkleTreeError:
            return False

    def proof(self, voter: str) -> list[str]:
        try:
            return self.tree.get_proof((to_checksum_address(voter),))
        except MerkleTreeError:
            raise BallotInputError(f"{voter} is not on the roll") from None

    def write(self, directory: str | Path) -> Path:
        """Write ``tree.json`` (OpenZeppelin format) and one proof file per voter to publish."""
        directory = Path(directory)
        proofs = directory / "proofs"
        proofs.mkdir(parents=True, exist_ok=True)
        (directory / "tree.json").write_text(json.dumps(self.tree.dump()))
        for voter in self.voters:
            (proofs / f"{voter}.json").write_text(
                json.dumps({"root": self.root, "voter": voter, "proof": self.proof(voter)})
            )
        return directory


@dataclass(frozen=True)
class VoteReceipt:
    """A voter's sealed ballot: the choice and the salt that hide it until the reveal."""

    election_id: int
    voter: str
    choice: int
    salt: bytes

    @classmethod
    def new(cls, election_id: int, voter: str, choice: int) -> VoteReceipt:
        if choice < 0:
            raise BallotInputError(f"choice must not be negative, got {choice}")
        return cls(election_id, to_checksum_address(voter), choice, secrets.token_bytes(32))

    @property
    def commitment(self) -> bytes:
        return ballot_commitment(self.election_id, self.voter, self.choice, self.salt)

    def save(self, path: str | Path) -> Path:
        """Write the receipt (owner-only); never overwrite an existing file."""
        data = {
            "electionId": self.election_id,
            "voter": self.voter,
            "choice": self.choice,
            "salt": "0x" + self.salt.hex(),
            "commitment": "0x" + self.commitment.hex(),
        }
        try:
            return write_once(path, data)
        except FileExistsError:
            raise BallotInputError(
                f"{path} already exists: it may hold the only copy of another ballot's salt; "
                "choose another file"
            ) from None

    @classmethod
    def load(cls, path: str | Path) -> VoteReceipt:
        try:
            data = json.loads(Path(path).read_text())
            receipt = cls(
                int(data["electionId"]),
                to_checksum_address(data["voter"]),
                int(data["choice"]),
                bytes.fromhex(str(data["salt"]).removeprefix("0x")),
            )
        except FileNotFoundError:
            raise BallotInputError(f"{path}: no such vote receipt") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BallotInputError(f"{path}: not a vote receipt ({exc})") from None
        if len(receipt.salt) != 32 or not 0 <= receipt.choice < 2**256 or receipt.election_id < 0:
            raise BallotInputError(f"{path}: salt must be 32 bytes, choice and election a uint256")
        if data.get("commitment") != "0x" + receipt.commitment.hex():
            raise BallotInputError(f"{path}: commitment missing or not matching the receipt")
        return receipt


@dataclass(frozen=True)
class SignedCommit:
    """A voter's EIP-712 signature letting a relayer submit their commitment once."""

    election_id: int
    voter: str
    commitment: bytes
    previous: bytes  # the voter's commitment this one replaces (zero bytes for a first ballot)
    deadline: int
    signature: bytes


@dataclass(frozen=True)
class ElectionRecord:
    id: int
    authority: str
    roll_root: bytes
    voter_count: int
    commit_start: int
    commit_end: int
    reveal_end: int
    option_count: int
    quorum: int
    committed: int
    finalized: bool
    document_hash: bytes


@dataclass(frozen=True)
class ElectionResult:
    tallies: list[int]
    turnout: int
    revealed: int
    unrevealed: int
    quorum_met: bool
    finalized: bool


@dataclass(frozen=True)
class Recount:
    """A tally rebuilt from reveal events alone, beside the one the contract stores."""

    election_id: int
    tallies: list[int]
    turnout: int
    revealed: int
    stored: ElectionResult
    duplicate_voters: list[str]
    invalid_choice_voters: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return (
            self.tallies == self.stored.tallies
            and self.turnout == self.stored.turnout
            and self.revealed == self.stored.revealed
            and not self.duplicate_voters
            and not self.invalid_choice_voters
        )


class BallotClient(ContractClient):
    """Elections, sealed ballots, relayed commitments, results and recounts."""

    contract_name = "Ballot"

    # authority

    def create_election(
        self,
        *,
        title: str,
        document_hash: bytes,
        roll: VoterRoll,
        options: Sequence[str],
        commit_start: int,
        commit_end: int,
        reveal_end: int,
        quorum: int = 0,
    ) -> Receipt:
        """Create an election; its id is ``receipt.event("ElectionCreated")["electionId"]``."""
        terms = (
            document_hash,
            roll.root,
            len(roll),
            commit_start,
            commit_end,
            reveal_end,
            quorum,
            [label_hash(label) for label in options],
            title,
        )
        return self._transact(self.contract.functions.createElection(terms))

    def replace_roll(self, election_id: int, roll: VoterRoll) -> Receipt:
        return self._transact(
            self.contract.functions.replaceRoll(election_id, roll.root, len(roll))
        )

    # voter

    def commit(self, receipt: VoteReceipt, proof: Sequence[str], *, keep: str | Path) -> Receipt:
        """Save ``receipt`` to ``keep`` (refusing to overwrite), then commit it."""
        if receipt.voter != self.sender.address:
            raise BallotInputError(
                f"the receipt is for {receipt.voter} but this client signs as {self.sender.address}"
            )
        receipt.save(keep)
        return self._transact(
            self.contract.functions.commit(receipt.election_id, receipt.commitment, list(proof))
        )

    def sign_commit(
        self, voter: LocalAccount, receipt: VoteReceipt, *, deadline: int
    ) -> SignedCommit:
        """Sign, as ``voter``, the EIP-712 permission for a relayer to commit ``receipt``."""
        from eth_account.messages import encode_typed_data

        if voter.address != receipt.voter:
            raise BallotInputError(f"{voter.address} cannot sign {receipt.voter}'s ballot")
        previous = bytes(
            self._call(self.contract.functions.commitmentOf(receipt.election_id, voter.address))
        )
        message = {
            "electionId": receipt.election_id,
            "voter": receipt.voter,
            "commitment": receipt.commitment,
            "previous": previous,
            "deadline": deadline,
        }
        typed = typed_data(self.contract, "Commit", COMMIT_FIELDS, message)
        signed = voter.sign_message(encode_typed_data(full_message=typed))
        return SignedCommit(
            receipt.election_id,
            receipt.voter,
            receipt.commitment,
            previous,
            deadline,
            bytes(signed.signature),
        )

    def commit_by_sig(self, signed: SignedCommit, proof: Sequence[str]) -> Receipt:
        """Submit a voter's signed commitment (the signer of this client pays the gas)."""
        return self._transact(
            self.contract.functions.commitBySig(
                signed.election_id,
                signed.voter,
                signed.commitment,
                list(proof),
                signed.previous,
                signed.deadline,
                signed.signature,
            )
        )

    def reveal(self, receipt: VoteReceipt) -> Receipt:
        return self._transact(
            self.contract.functions.reveal(
                receipt.election_id, receipt.voter, receipt.choice, receipt.salt
            )
        )

    # anyone

    def finalize(self, election_id: int) -> Receipt:
        return self._transact(self.contract.functions.finalize(election_id))

    def election(self, election_id: int) -> ElectionRecord:
        e = self._view_struct("election", election_id)
        return ElectionRecord(
            id=election_id,
            authority=e["authority"],
            roll_root=bytes(e["rollRoot"]),
            voter_count=int(e["voterCount"]),
            commit_start=int(e["commitStart"]),
            commit_end=int(e["commitEnd"]),
            reveal_end=int(e["revealEnd"]),
            option_count=int(e["optionCount"]),
            quorum=int(e["quorum"]),
            committed=int(e["committed"]),
            finalized=bool(e["finalized"]),
            document_hash=bytes(e["documentHash"]),
        )

    def result(self, election_id: int) -> ElectionResult:
        r = self._view_struct("result", election_id)
        return ElectionResult(
            tallies=[int(t) for t in r["tallies"]],
            turnout=int(r["turnout"]),
            revealed=int(r["revealed"]),
            unrevealed=int(r["unrevealed"]),
            quorum_met=bool(r["quorumMet"]),
            finalized=bool(r["finalized"]),
        )

    def has_revealed(self, election_id: int, voter: str) -> bool:
        return bool(self._call(self.contract.functions.hasRevealed(election_id, voter)))

    def counted_choice(self, election_id: int, voter: str) -> int | None:
        """The choice ``voter``'s ballot was counted for (its reveal event), or None."""
        revealed = self.session.events.topic("VoteRevealed")
        for event in self._events([revealed, topic(election_id), address_topic(voter)]):
            return int(event["choice"])
        return None

    def recount(self, election_id: int) -> Recount:
        """Recount from ``VoteCommitted``/``VoteRevealed`` events alone and compare."""
        record = self.election(election_id)
        tallies = [0] * record.option_count
        committed: set[str] = set()
        revealed: set[str] = set()
        duplicates: list[str] = []
        invalid: list[str] = []
        for event in self._events([None, topic(election_id)]):
            if event.name == "VoteCommitted":
                committed.add(str(event["voter"]))
            elif event.name == "VoteRevealed":
                voter = str(event["voter"])
                if voter in revealed:
                    duplicates.append(voter)
                revealed.add(voter)
                choice = int(event["choice"])
                if choice < len(tallies):
                    tallies[choice] += 1
                else:  # only a faulty contract could emit it; the recount must say so, not crash
                    invalid.append(voter)
        return Recount(
            election_id,
            tallies,
            len(committed),
            len(revealed),
            self.result(election_id),
            duplicates,
            invalid,
        )


__all__ = [
    "BallotClient",
    "BallotInputError",
    "ElectionRecord",
    "ElectionResult",
    "Recount",
    "SignedCommit",
    "VoteReceipt",
    "VoterRoll",
    "ballot_commitment",
    "label_hash",
]
