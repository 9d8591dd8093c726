"""Ballot through its Python client: every rule, every named error.

One deployment serves the whole module; the ``chain`` fixture reverts each test's changes. Window
edges are tested to the second with ``evm_setNextBlockTimestamp`` (``env.at``), which also stamps
the gas estimate a client makes before sending: a call that would revert raises the decoded
custom error and sends nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from ballot_env import DAY, DOCUMENT, OPTIONS, BallotEnv, make_ballot_env
from govchain import contract_error
from govchain.chain import Chain
from govchain.clients.ballot import (
    BallotClient,
    BallotInputError,
    ElectionResult,
    SignedCommit,
    VoteReceipt,
    VoterRoll,
    ballot_commitment,
    label_hash,
)
from govchain.clients.base import address_topic, topic
from govchain.events import EventRegistry
from govchain.project import Project
from govchain.revert import ErrorRegistry
from govchain.session import Session, registries

ROOT = Path(__file__).resolve().parents[1]
ZERO = b"\x00" * 32
UINT48_MAX = 2**48 - 1


@dataclass(frozen=True)
class Deployed:
    project: Project
    errors: ErrorRegistry
    events: EventRegistry
    env: BallotEnv


@pytest.fixture(scope="module")
def deployed(project: Project, _anvil_chain: Chain, tmp_path_factory: Any) -> Iterator[Deployed]:
    """One deployment for the module (the chain is reverted to it around each test)."""
    snapshot = _anvil_chain.rpc("evm_snapshot")
    errors, events = registries(project)
    session = Session(project, _anvil_chain, errors, events)
    env = make_ballot_env(session, _anvil_chain, tmp_path_factory.mktemp("receipts"))
    yield Deployed(project, errors, events, env)
    assert _anvil_chain.rpc("evm_revert", snapshot) is True


@pytest.fixture
def env(deployed: Deployed, chain: Chain, tmp_path: Path) -> BallotEnv:
    """The module's deployment, driven through this test's session (fresh nonce tracking)."""
    session = Session(deployed.project, chain, deployed.errors, deployed.events)
    return deployed.env.rebind(session, chain, tmp_path / "receipts")


# -- helpers --------------------------------------------------------------------------------------


def who(client: BallotClient) -> str:
    return str(client.sender.address)


def nonce(env: BallotEnv, client: BallotClient) -> int:
    return int(env.chain.w3.eth.get_transaction_count(who(client)))


def balance(env: BallotEnv, client: BallotClient) -> int:
    return int(env.chain.w3.eth.get_balance(who(client)))


def commitment_of(env: BallotEnv, election_id: int, client: BallotClient) -> bytes:
    return bytes(env.authority.contract.functions.commitmentOf(election_id, who(client)).call())


def commit_raw(client: BallotClient, election_id: int, commitment: bytes, proof: list[str]) -> Any:
    """``commit`` straight to the contract, bypassing the client (no receipt file)."""
    return client.sender.transact(client.contract.functions.commit(election_id, commitment, proof))


def reveal_raw(client: BallotClient, election_id: int, voter: str, choice: int, salt: bytes) -> Any:
    return client.sender.transact(
        client.contract.functions.reveal(election_id, voter, choice, salt)
    )


def create_raw(client: BallotClient, env: BallotEnv, **overrides: Any) -> Any:
    """``createElection`` with raw terms (a zero root, a zero count, any labels)."""
    now = env.now()
    terms: dict[str, Any] = {
        "documentHash": DOCUMENT,
        "rollRoot": env.roll.root,
        "voterCount": len(env.roll),
        "commitStart": now + DAY,
        "commitEnd": now + 8 * DAY,
        "revealEnd": now + 11 * DAY,
        "quorum": 0,
        "optionLabels": [label_hash(o) for o in OPTIONS],
        "title": "raw",
    }
    terms.update(overrides)
    fields = [
        "documentHash",
        "rollRoot",
        "voterCount",
        "commitStart",
        "commitEnd",
        "revealEnd",
        "quorum",
        "optionLabels",
        "title",
    ]
    call = client.contract.functions.createElection(tuple(terms[f] for f in fields))
    return client.sender.transact(call)


def new_receipt(voter: BallotClient, election_id: int, choice: int) -> VoteReceipt:
    return VoteReceipt.new(election_id, who(voter), choice)


def sign(
    env: BallotEnv, voter: BallotClient, receipt: VoteReceipt, deadline: int | None = None
) -> SignedCommit:
    """The voter's signed commitment, to be sent by the relayer."""
    if deadline is None:
        deadline = env.authority.election(receipt.election_id).commit_end
    return env.relayer.sign_commit(voter.sender.account, receipt, deadline=deadline)


def relay(env: BallotEnv, voter: BallotClient, receipt: VoteReceipt) -> SignedCommit:
    signed = sign(env, voter, receipt)
    env.relayer.commit_by_sig(signed, env.roll.proof(who(voter)))
    return signed


def flip(hex_node: str) -> str:
    raw = bytearray(bytes.fromhex(hex_node[2:]))
    raw[-1] ^= 1
    return "0x" + raw.hex()


def voting(env: BallotEnv, **overrides: Any) -> int:
    """A new election whose commit window is open."""
    election_id = env.create(**overrides)
    env.to_commit(election_id)
    return election_id


# -- end to end -----------------------------------------------------------------------------------


def test_secret_ballots_are_counted_once_and_recount_matches(env: BallotEnv) -> None:
    election_id = env.create()
    env.to_commit(election_id)
    choices = [0, 1, 0, 2, 0]
    receipts = [env.vote(v, election_id, c) for v, c in zip(env.voters, choices, strict=False)]
    changed = env.vote(env.voters[1], election_id, 0)  # the last commitment counts
    env.to_reveal(election_id)
    for receipt in [*receipts[:1], changed, *receipts[2:4]]:  # voter 4 never reveals
        env.relayer.reveal(receipt)
    env.to_close(election_id)
    env.relayer.finalize(election_id)
    result = env.authority.result(election_id)
    assert result.tallies == [3, 0, 1]
    assert (result.turnout, result.revealed, result.unrevealed) == (5, 4, 1)
    assert result.finalized and result.quorum_met
    recount = env.relayer.recount(election_id)
    assert recount.matches
    assert env.relayer.counted_choice(election_id, env.voters[1].sender.address) == 0
    assert env.relayer.counted_choice(election_id, env.voters[4].sender.address) is None


# -- creating elections ---------------------------------------------------------------------------


def test_create_election_stores_terms_and_emits_them(env: BallotEnv) -> None:
    now = env.now()
    created = env.authority.create_election(
        title="Library",
        document_hash=DOCUMENT,
        roll=env.roll,
        options=OPTIONS,
        commit_start=now + DAY,
        commit_end=now + 2 * DAY,
        reveal_end=now + 3 * DAY,
        quorum=4,
    )
    event = created.event("ElectionCreated")
    election_id = int(event["electionId"])
    assert election_id == 1
    assert event["authority"] == who(env.authority)
    assert [bytes(x) for x in event["optionLabels"]] == [label_hash(o) for o in OPTIONS]
    assert (event["title"], int(event["voterCount"]), int(event["quorum"])) == ("Library", 7, 4)
    record = env.relayer.election(election_id)
    assert record.authority == who(env.authority)
    assert "0x" + record.roll_root.hex() == env.roll.root
    assert (record.voter_count, record.option_count, record.quorum, record.committed) == (
        7,
        3,
        4,
        0,
    )
    assert (record.commit_start, record.commit_end, record.reveal_end) == (
        now + DAY,
        now + 2 * DAY,
        now + 3 * DAY,
    )
    assert record.document_hash == DOCUMENT and not record.finalized
    assert env.relayer.result(election_id) == ElectionResult([0, 0, 0], 0, 0, 0, False, False)
    assert int(env.relayer.contract.functions.electionCount().call()) == 1
    assert env.create() == 2


@pytest.mark.parametrize("count", [0, 1, 65])
def test_create_election_needs_2_to_64_options(env: BallotEnv, count: int) -> None:
    with pytest.raises(contract_error("BallotOptionCount")) as info:
        env.create(options=[f"option {i}" for i in range(count)])
    assert info.value.inputs == {"count": count}


def test_create_election_accepts_2_and_64_options(env: BallotEnv) -> None:
    assert env.relayer.election(env.create(options=["Yes", "No"])).option_count == 2
    many = env.create(options=[f"option {i}" for i in range(64)])
    assert env.relayer.election(many).option_count == 64
    assert int(env.relayer.contract.functions.MAX_OPTIONS().call()) == 64


@pytest.mark.parametrize(
    "overrides", [{"rollRoot": ZERO}, {"voterCount": 0}], ids=["zero root", "zero voters"]
)
def test_create_election_rejects_an_empty_roll(env: BallotEnv, overrides: dict[str, Any]) -> None:
    with pytest.raises(contract_error("BallotEmptyRoll")) as info:
        create_raw(env.authority, env, **overrides)
    assert info.value.inputs == {}


def test_create_election_rejects_bad_windows(env: BallotEnv) -> None:
    now = env.now()
    bad = [
        (now - 1, now + DAY, now + 2 * DAY),  # opens in the past
        (now + 2 * DAY, now + DAY, now + 3 * DAY),  # closes before it opens
        (now + DAY, now + 2 * DAY, now + 2 * DAY),  # no reveal window
        (now + DAY, now + 2 * DAY, now + DAY),  # reveal ends before commits do
        (now + DAY, now + 2 * DAY, UINT48_MAX + 1),  # beyond the stored width
    ]
    for start, end, reveal_end in bad:
        env.at(now + 10)
        with pytest.raises(contract_error("GovchainInvalidWindow")) as info:
            env.create(commit_start=start, commit_end=end, reveal_end=reveal_end)
        assert info.value.inputs == {"start": start, "end": reveal_end}


def test_create_election_accepts_the_tightest_windows(env: BallotEnv) -> None:
    now = env.now()
    env.at(now + 5)  # opens the very second it is created; one-second commit and reveal windows
    election_id = env.create(commit_start=now + 5, commit_end=now + 5, reveal_end=now + 6)
    record = env.relayer.election(election_id)
    assert (record.commit_start, record.commit_end, record.reveal_end) == (
        now + 5,
        now + 5,
        now + 6,
    )
    far = env.create(reveal_end=UINT48_MAX)
    assert env.relayer.election(far).reveal_end == UINT48_MAX


def test_create_election_needs_the_authority_role(env: BallotEnv) -> None:
    for client in (env.voters[0], env.relayer, env.governance):
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            env.create(by=client)
        assert info.value.inputs == {
            "account": who(client),
            "neededRole": keccak(text="ELECTION_AUTHORITY_ROLE"),
        }


def test_unknown_election_is_named(env: BallotEnv) -> None:
    election_id = env.create()
    receipt = new_receipt(env.voters[0], election_id + 1, 0)
    proof = env.roll.proof(who(env.voters[0]))
    actions = [
        lambda: env.authority.replace_roll(election_id + 1, env.roll),
        lambda: env.voters[0].commit(receipt, proof, keep=env.receipt_dir / "unknown.json"),
        lambda: env.relayer.commit_by_sig(sign(env, env.voters[0], receipt, 2**40), proof),
        lambda: env.relayer.reveal(receipt),
        lambda: env.relayer.finalize(election_id + 1),
        lambda: env.relayer.election(election_id + 1),
        lambda: env.relayer.result(election_id + 1),
    ]
    for action in actions:
        with pytest.raises(contract_error("BallotUnknownElection")) as info:
            action()
        assert info.value.inputs == {"electionId": election_id + 1}
    with pytest.raises(contract_error("BallotUnknownElection")) as info:
        env.relayer.finalize(0)
    assert info.value.inputs == {"electionId": 0}


# -- the voter roll -------------------------------------------------------------------------------


def test_replace_roll_before_opening_swaps_who_may_vote(env: BallotEnv) -> None:
    election_id = env.create()
    kept, dropped = env.voters[:4], env.voters[4:]
    newcomers = [env.relayer, env.governance]
    roll = VoterRoll.from_addresses([who(c) for c in kept + newcomers])
    start = env.authority.election(election_id).commit_start
    env.at(start - 1)  # the last second it may change
    replaced = env.authority.replace_roll(election_id, roll).event("RollReplaced")
    assert (replaced["rollRoot"], int(replaced["voterCount"])) == (bytes.fromhex(roll.root[2:]), 6)
    record = env.relayer.election(election_id)
    assert ("0x" + record.roll_root.hex(), record.voter_count) == (roll.root, 6)

    env.to_commit(election_id)
    for voter in dropped:  # the old roll's proofs no longer open the new root
        with pytest.raises(contract_error("BallotNotOnRoll")) as info:
            commit_raw(voter, election_id, keccak(b"x"), env.roll.proof(who(voter)))
        assert info.value.inputs == {"electionId": election_id, "voter": who(voter)}
    with pytest.raises(contract_error("BallotNotOnRoll")):  # kept, but with the old proof
        commit_raw(kept[0], election_id, keccak(b"x"), env.roll.proof(who(kept[0])))
    for voter in kept + newcomers:
        commit_raw(voter, election_id, keccak(who(voter).encode()), roll.proof(who(voter)))
    assert env.relayer.result(election_id).turnout == 6


def test_replace_roll_is_frozen_once_voting_opens(env: BallotEnv) -> None:
    election_id = env.create()
    start = env.authority.election(election_id).commit_start
    roll = VoterRoll.from_addresses([who(v) for v in env.voters[:2]])
    for when in (start, start + 3 * DAY):
        env.at(when)
        with pytest.raises(contract_error("BallotVotingStarted")) as info:
            env.authority.replace_roll(election_id, roll)
        assert info.value.inputs == {"electionId": election_id, "commitStart": start}
    assert "0x" + env.relayer.election(election_id).roll_root.hex() == env.roll.root


def test_replace_roll_only_by_the_elections_authority(env: BallotEnv) -> None:
    election_id = env.create()
    env.governance.grant_role("ELECTION_AUTHORITY_ROLE", who(env.relayer))  # another authority
    roll = VoterRoll.from_addresses([who(env.relayer)])
    for client in (env.relayer, env.voters[0], env.governance):
        with pytest.raises(contract_error("BallotNotAuthority")) as info:
            client.replace_roll(election_id, roll)
        assert info.value.inputs == {"electionId": election_id, "account": who(client)}


def test_replace_roll_rejects_an_empty_roll(env: BallotEnv) -> None:
    election_id = env.create()
    functions = env.authority.contract.functions
    for root, count in ((ZERO, 3), (env.roll.root, 0)):
        with pytest.raises(contract_error("BallotEmptyRoll")):
            env.authority.sender.transact(functions.replaceRoll(election_id, root, count))


def test_not_on_the_roll(env: BallotEnv) -> None:
    election_id = voting(env)
    outsider = env.relayer
    for proof in (env.roll.proof(who(env.voters[0])), []):
        with pytest.raises(contract_error("BallotNotOnRoll")) as info:
            commit_raw(outsider, election_id, keccak(b"ballot"), proof)
        assert info.value.inputs == {"electionId": election_id, "voter": who(outsider)}
    with pytest.raises(BallotInputError, match="not on the roll"):
        env.roll.proof(who(outsider))


def test_a_proof_must_be_the_voters_own_and_intact(env: BallotEnv) -> None:
    election_id = voting(env)
    voter, other = env.voters[0], env.voters[1]
    proof = env.roll.proof(who(voter))
    bad_proofs = [
        env.roll.proof(who(other)),  # someone else's
        [flip(proof[0]), *proof[1:]],  # tampered
        proof[:-1],  # truncated
        [*proof, proof[-1]],  # padded
        list(reversed(proof)),
        [],
    ]
    for bad in bad_proofs:
        with pytest.raises(contract_error("BallotNotOnRoll")) as info:
            commit_raw(voter, election_id, keccak(b"ballot"), bad)
        assert info.value.inputs == {"electionId": election_id, "voter": who(voter)}
    assert commitment_of(env, election_id, voter) == ZERO
    commit_raw(voter, election_id, keccak(b"ballot"), proof)
    assert commitment_of(env, election_id, voter) == keccak(b"ballot")


def test_a_roll_root_is_not_a_voter(env: BallotEnv) -> None:
    """An inner node of the tree cannot pass for a leaf: leaves are hashed twice."""
    election_id = voting(env)
    voter = env.voters[0]
    proof = env.roll.proof(who(voter))
    with pytest.raises(contract_error("BallotNotOnRoll")):
        commit_raw(voter, election_id, keccak(b"ballot"), proof[1:])


def test_voter_roll_rejects_duplicates_bad_addresses_and_emptiness(tmp_path: Path) -> None:
    address = to_checksum_address("0x" + "ab" * 20)
    with pytest.raises(BallotInputError, match="on the roll twice"):
        VoterRoll.from_addresses([address, address.lower()])
    with pytest.raises(BallotInputError, match="voter 2: 'nope' is not an address"):
        VoterRoll.from_addresses([address, "nope"])
    with pytest.raises(BallotInputError, match="is not an address"):
        VoterRoll.from_addresses(["0x" + "ab" * 19])
    with pytest.raises(BallotInputError, match="at least one voter"):
        VoterRoll.from_addresses([])
    empty = tmp_path / "empty.csv"
    empty.write_text("address\n\n")
    with pytest.raises(BallotInputError, match="at least one voter"):
        VoterRoll.from_csv(empty)


def test_voter_roll_from_csv_with_or_without_header(tmp_path: Path) -> None:
    addresses = [to_checksum_address("0x" + f"{i:040x}") for i in range(1, 6)]
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(a.lower() for a in addresses) + "\n")
    headed = tmp_path / "headed.csv"
    headed.write_text(
        "voter,name\n" + "".join(f" {a} ,person {i}\n\n" for i, a in enumerate(addresses))
    )
    expected = VoterRoll.from_addresses(addresses)
    for path in (plain, headed):
        roll = VoterRoll.from_csv(path)
        assert roll.root == expected.root
        assert sorted(roll.voters) == sorted(addresses)
        assert len(roll) == 5
    duplicated = tmp_path / "duplicated.csv"
    duplicated.write_text(f"{addresses[0]}\n{addresses[1]}\n{addresses[0].lower()}\n")
    with pytest.raises(BallotInputError, match="voter 3: .* on the roll twice"):
        VoterRoll.from_csv(duplicated)


def test_voter_roll_from_csv_keeps_the_first_voter_after_a_byte_order_mark(
    tmp_path: Path,
) -> None:
    """Spreadsheets' 'CSV UTF-8' starts with a BOM: it must not hide the first voter."""
    addresses = [to_checksum_address("0x" + f"{i:040x}") for i in range(1, 4)]
    bare = tmp_path / "excel.csv"
    bare.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(addresses).encode() + b"\r\n")
    headed = tmp_path / "excel-headed.csv"
    headed.write_bytes(b"\xef\xbb\xbfaddress\r\n" + "\r\n".join(addresses).encode() + b"\r\n")
    for path in (bare, headed):
        assert sorted(VoterRoll.from_csv(path).voters) == sorted(addresses)


def test_voter_roll_membership_and_proofs(env: BallotEnv) -> None:
    first = who(env.voters[0])
    assert first in env.roll and first.lower() in env.roll
    assert who(env.relayer) not in env.roll
    assert 42 not in env.roll
    assert env.roll.proof(first.lower()) == env.roll.proof(first)
    assert "not an address" not in env.roll
    assert "0x1234" not in env.roll


def test_voter_roll_write_load_round_trip(env: BallotEnv, tmp_path: Path) -> None:
    written = env.roll.write(tmp_path / "roll")
    assert (written / "tree.json").is_file()
    for path in (written, written / "tree.json"):
        loaded = VoterRoll.load(path)
        assert loaded.root == env.roll.root
        assert loaded.voters == env.roll.voters
        for voter in env.roll.voters:
            assert loaded.proof(voter) == env.roll.proof(voter)
    for voter in env.roll.voters:
        published = json.loads((written / "proofs" / f"{voter}.json").read_text())
        assert published == {"root": env.roll.root, "voter": voter, "proof": env.roll.proof(voter)}
    # A published proof file is enough to vote.
    election_id = voting(env)
    published = json.loads((written / "proofs" / f"{who(env.voters[2])}.json").read_text())
    commit_raw(env.voters[2], election_id, keccak(b"b"), published["proof"])


def test_voter_roll_load_rejects_other_trees_and_garbage(tmp_path: Path) -> None:
    from govchain.merkle import StandardMerkleTree

    other = tmp_path / "other.json"
    other.write_text(json.dumps(StandardMerkleTree.of([[1], [2]], ["uint256"]).dump()))
    with pytest.raises(BallotInputError, match="leaf encoding"):
        VoterRoll.load(other)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(BallotInputError, match="cannot read the roll"):
        VoterRoll.load(garbage)
    with pytest.raises(BallotInputError, match="cannot read the roll"):
        VoterRoll.load(tmp_path / "missing.json")
    roll = VoterRoll.from_addresses(["0x" + "11" * 20, "0x" + "22" * 20])
    dump = roll.tree.dump()
    dump["tree"][0] = flip(dump["tree"][0])  # a root that its leaves do not hash to
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(dump))
    with pytest.raises(BallotInputError):
        VoterRoll.load(tampered)


ROLL_SCRIPT = r"""
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const tree = StandardMerkleTree.of(input.addresses.map(a => [a]), ['address']);
const loaded = StandardMerkleTree.load(input.pythonDump);
const proofs = {};
for (const [i, v] of tree.entries()) proofs[v[0]] = tree.getProof(i);
process.stdout.write(JSON.stringify({
  root: tree.root, proofs, dump: tree.dump(), loadedRoot: loaded.root,
  verified: input.addresses.every(a => loaded.verify([a], loaded.getProof([a]))),
}));
"""


def test_roll_matches_openzeppelin_merkle_tree_and_votes_on_chain(
    env: BallotEnv, tmp_path: Path
) -> None:
    """The roll is the tree ``@openzeppelin/merkle-tree`` builds; either side loads the other."""
    addresses = [who(v) for v in env.voters] + [who(env.relayer).lower()]
    roll = VoterRoll.from_addresses(addresses)
    done = subprocess.run(
        ["node", "-e", ROLL_SCRIPT],
        input=json.dumps({"addresses": addresses, "pythonDump": roll.tree.dump()}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    oz = json.loads(done.stdout)
    assert oz["root"] == roll.root == oz["loadedRoot"]
    assert oz["verified"] is True
    for voter in roll.voters:
        proof = oz["proofs"].get(voter, oz["proofs"].get(voter.lower()))
        assert proof == roll.proof(voter)
    (tmp_path / "tree.json").write_text(json.dumps(oz["dump"]))
    from_oz = VoterRoll.load(tmp_path)
    assert from_oz.root == roll.root
    assert sorted(v.lower() for v in from_oz.voters) == sorted(a.lower() for a in addresses)
    # The OpenZeppelin root and proof open the election on chain.
    election_id = voting(env, roll=from_oz)
    relayer_proof = oz["proofs"][who(env.relayer).lower()]
    commit_raw(env.relayer, election_id, keccak(b"relayer votes"), relayer_proof)
    assert env.relayer.result(election_id).turnout == 1


# -- committing -----------------------------------------------------------------------------------


def test_commit_window_is_inclusive_at_both_ends(env: BallotEnv) -> None:
    election_id = env.create()
    record = env.authority.election(election_id)
    start, end = record.commit_start, record.commit_end
    voter = env.voters[0]
    proof = env.roll.proof(who(voter))
    expected = {"electionId": election_id, "opens": start, "closes": end}
    env.at(start - 1)
    with pytest.raises(contract_error("BallotOutsideWindow")) as info:
        commit_raw(voter, election_id, keccak(b"early"), proof)
    assert info.value.inputs == expected
    env.at(start)
    env.vote(voter, election_id, 0)  # opens at commitStart
    env.at(end)
    last = env.vote(voter, election_id, 1)  # still open at commitEnd
    env.at(end + 1)
    with pytest.raises(contract_error("BallotOutsideWindow")) as info:
        commit_raw(voter, election_id, keccak(b"late"), proof)
    assert info.value.inputs == expected
    assert commitment_of(env, election_id, voter) == last.commitment
    assert env.relayer.result(election_id).turnout == 1


def test_commit_after_the_window_through_the_client_sends_nothing(env: BallotEnv) -> None:
    election_id = env.create()
    env.to_reveal(election_id)
    voter = env.voters[0]
    before = nonce(env, voter)
    with pytest.raises(contract_error("BallotOutsideWindow")):
        env.vote(voter, election_id, 1)
    assert nonce(env, voter) == before


@pytest.mark.parametrize("commitment", [ZERO, (1).to_bytes(32, "big")], ids=["zero", "one"])
def test_empty_commitment(env: BallotEnv, commitment: bytes) -> None:
    """Zero, and the slot's internal 'revealed' marker (one), are not commitments."""
    election_id = voting(env)
    voter = env.voters[0]
    with pytest.raises(contract_error("BallotEmptyCommitment")) as info:
        commit_raw(voter, election_id, commitment, env.roll.proof(who(voter)))
    assert info.value.inputs == {}


def test_recommit_the_last_commitment_counts_and_turnout_counts_the_voter_once(
    env: BallotEnv,
) -> None:
    election_id = voting(env)
    voter, other = env.voters[0], env.voters[1]
    receipts = [env.vote(voter, election_id, c) for c in (0, 1, 2, 1)]
    env.vote(other, election_id, 0)
    assert commitment_of(env, election_id, voter) == receipts[-1].commitment
    record = env.relayer.election(election_id)
    assert record.committed == 2
    committed = env.session.events.topic("VoteCommitted")
    events = list(env.relayer._events([committed, topic(election_id), address_topic(who(voter))]))
    assert [e["replaced"] for e in events] == [False, True, True, True]
    env.to_reveal(election_id)
    for old in receipts[:-1]:  # only the last one opens the seal
        with pytest.raises(contract_error("BallotCommitmentMismatch")):
            env.relayer.reveal(old)
    env.relayer.reveal(receipts[-1])
    result = env.relayer.result(election_id)
    assert (result.tallies, result.turnout, result.revealed, result.unrevealed) == (
        [0, 1, 0],
        2,
        1,
        1,
    )
    assert env.relayer.counted_choice(election_id, who(voter)) == 1


def test_commitments_are_bound_to_election_and_voter(env: BallotEnv) -> None:
    first, second = voting(env), env.create(commit_start=env.now() + 10)
    env.to_commit(second)
    voter, other = env.voters[0], env.voters[1]
    receipt = env.vote(voter, first, 2)
    assert receipt.commitment == ballot_commitment(first, who(voter), 2, receipt.salt)
    assert receipt.commitment == bytes(
        env.relayer.contract.functions.ballotCommitment(first, who(voter), 2, receipt.salt).call()
    )
    # Another voter copying the sealed ballot cannot open it as their own.
    commit_raw(other, first, receipt.commitment, env.roll.proof(who(other)))
    # The same sealed ballot committed to another election does not open there either.
    commit_raw(voter, second, receipt.commitment, env.roll.proof(who(voter)))
    env.to_reveal(second)
    env.relayer.reveal(receipt)
    for election_id, client in ((first, other), (second, voter)):
        with pytest.raises(contract_error("BallotCommitmentMismatch")) as info:
            reveal_raw(env.relayer, election_id, who(client), 2, receipt.salt)
        assert info.value.inputs == {"electionId": election_id, "voter": who(client)}
    assert env.relayer.result(first).tallies == [0, 0, 1]


def test_commit_refuses_a_receipt_for_another_voter_without_sending_anything(
    env: BallotEnv,
) -> None:
    election_id = voting(env)
    voter, other = env.voters[0], env.voters[1]
    receipt = new_receipt(other, election_id, 0)
    keep = env.receipt_dir / "other.json"
    before = nonce(env, voter)
    with pytest.raises(BallotInputError, match="the receipt is for"):
        voter.commit(receipt, env.roll.proof(who(other)), keep=keep)
    assert nonce(env, voter) == before
    assert not keep.exists()
    assert commitment_of(env, election_id, other) == ZERO
    assert commitment_of(env, election_id, voter) == ZERO


def test_commit_refuses_to_overwrite_a_receipt_file_and_sends_nothing(env: BallotEnv) -> None:
    election_id = voting(env)
    voter = env.voters[0]
    first = new_receipt(voter, election_id, 0)
    keep = env.receipt_dir / "vote.json"
    voter.commit(first, env.roll.proof(who(voter)), keep=keep)
    saved = keep.read_bytes()
    assert stat.S_IMODE(keep.stat().st_mode) == 0o600
    before = nonce(env, voter)
    with pytest.raises(BallotInputError, match="already exists"):
        voter.commit(new_receipt(voter, election_id, 1), env.roll.proof(who(voter)), keep=keep)
    assert keep.read_bytes() == saved
    assert nonce(env, voter) == before
    assert commitment_of(env, election_id, voter) == first.commitment
    assert VoteReceipt.load(keep) == first


# -- vote receipts --------------------------------------------------------------------------------


def test_vote_receipt_save_load_and_never_overwrite(tmp_path: Path) -> None:
    voter = to_checksum_address("0x" + "ab" * 20)
    receipt = VoteReceipt.new(3, voter.lower(), 2)
    assert receipt.voter == voter and len(receipt.salt) == 32
    path = receipt.save(tmp_path / "deep" / "vote.json")
    assert VoteReceipt.load(path) == receipt
    data = json.loads(path.read_text())
    assert data["commitment"] == "0x" + ballot_commitment(3, voter, 2, receipt.salt).hex()
    with pytest.raises(BallotInputError, match="already exists"):
        VoteReceipt.new(3, voter, 1).save(path)
    assert VoteReceipt.load(path) == receipt
    with pytest.raises(BallotInputError, match="must not be negative"):
        VoteReceipt.new(3, voter, -1)


def _tamper(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    changed = dict(data)
    if value is None:
        del changed[key]
    else:
        changed[key] = value
    return changed


def test_vote_receipt_load_rejects_tampered_files(tmp_path: Path) -> None:
    voter = to_checksum_address("0x" + "ab" * 20)
    receipt = VoteReceipt.new(3, voter, 2)
    data = json.loads(receipt.save(tmp_path / "vote.json").read_text())
    other_salt = "0x" + bytes(reversed(receipt.salt)).hex()
    variants = {
        "choice changed": _tamper(data, "choice", 1),
        "salt changed": _tamper(data, "salt", other_salt),
        "election changed": _tamper(data, "electionId", 4),
        "voter changed": _tamper(data, "voter", "0x" + "cd" * 20),
        "commitment changed": _tamper(data, "commitment", "0x" + "00" * 32),
        "commitment missing": _tamper(data, "commitment", None),
        "salt missing": _tamper(data, "salt", None),
        "short salt": _tamper(data, "salt", "0x" + "11" * 31),
        "salt not hex": _tamper(data, "salt", "0xzz"),
        "negative choice": _tamper(data, "choice", -1),
        "voter not an address": _tamper(data, "voter", "mayor"),
        "not an object": [1, 2],
    }
    for name, variant in variants.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(variant))
        with pytest.raises(BallotInputError):
            VoteReceipt.load(path)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data)[:-5])
    with pytest.raises(BallotInputError, match="not a vote receipt"):
        VoteReceipt.load(broken)
    with pytest.raises(BallotInputError, match="no such vote receipt"):
        VoteReceipt.load(tmp_path / "missing.json")


# -- revealing ------------------------------------------------------------------------------------


def test_reveal_window_is_open_after_commits_close_until_reveal_end(env: BallotEnv) -> None:
    election_id = voting(env)
    record = env.authority.election(election_id)
    receipts = [env.vote(v, election_id, i % 3) for i, v in enumerate(env.voters[:3])]
    expected = {
        "electionId": election_id,
        "opens": record.commit_end + 1,
        "closes": record.reveal_end,
    }
    env.at(record.commit_end)  # commits still open: no reveal yet
    with pytest.raises(contract_error("BallotOutsideWindow")) as info:
        env.relayer.reveal(receipts[0])
    assert info.value.inputs == expected
    env.at(record.commit_end + 1)
    env.relayer.reveal(receipts[0])
    env.at(record.reveal_end)
    env.relayer.reveal(receipts[1])
    env.at(record.reveal_end + 1)
    with pytest.raises(contract_error("BallotOutsideWindow")) as info:
        env.relayer.reveal(receipts[2])
    assert info.value.inputs == expected
    env.at(record.reveal_end + 2)
    env.relayer.finalize(election_id)
    result = env.relayer.result(election_id)
    assert (result.tallies, result.revealed, result.unrevealed) == ([1, 1, 0], 2, 1)


def test_reveal_before_any_commit_window_closes(env: BallotEnv) -> None:
    election_id = env.create()
    receipt = new_receipt(env.voters[0], election_id, 0)
    record = env.authority.election(election_id)
    with pytest.raises(contract_error("BallotOutsideWindow")) as info:
        env.relayer.reveal(receipt)
    assert info.value.inputs == {
        "electionId": election_id,
        "opens": record.commit_end + 1,
        "closes": record.reveal_end,
    }


def test_reveal_with_wrong_salt_or_choice_is_a_mismatch(env: BallotEnv) -> None:
    election_id = voting(env)
    voter = env.voters[0]
    receipt = env.vote(voter, election_id, 1)
    env.to_reveal(election_id)
    wrong = [
        dataclasses.replace(receipt, salt=bytes(reversed(receipt.salt))),
        dataclasses.replace(receipt, choice=0),
        dataclasses.replace(receipt, choice=2),
        dataclasses.replace(receipt, choice=1 + 2**128),
    ]
    for bad in wrong:
        with pytest.raises(contract_error("BallotCommitmentMismatch")) as info:
            env.relayer.reveal(bad)
        assert info.value.inputs == {"electionId": election_id, "voter": who(voter)}
    assert not env.relayer.has_revealed(election_id, who(voter))
    env.relayer.reveal(receipt)
    assert env.relayer.has_revealed(election_id, who(voter))


def test_reveal_of_a_choice_out_of_range_is_refused_and_stays_unrevealed(env: BallotEnv) -> None:
    election_id = voting(env)
    voter, honest = env.voters[0], env.voters[1]
    out_of_range = [env.vote(voter, election_id, 3)]  # the contract cannot see inside the seal
    out_of_range.append(dataclasses.replace(out_of_range[0], choice=2**256 - 1))
    huge = VoteReceipt(election_id, who(honest), 2**256 - 1, b"\x07" * 32)
    commit_raw(honest, election_id, huge.commitment, env.roll.proof(who(honest)))
    env.to_reveal(election_id)
    with pytest.raises(contract_error("BallotInvalidChoice")) as info:
        env.relayer.reveal(out_of_range[0])
    assert info.value.inputs == {"electionId": election_id, "choice": 3, "optionCount": 3}
    with pytest.raises(contract_error("BallotInvalidChoice")) as info:
        env.relayer.reveal(huge)
    assert info.value.inputs == {"electionId": election_id, "choice": 2**256 - 1, "optionCount": 3}
    assert not env.relayer.has_revealed(election_id, who(voter))
    assert commitment_of(env, election_id, voter) == out_of_range[0].commitment
    env.to_close(election_id)
    env.relayer.finalize(election_id)
    result = env.relayer.result(election_id)
    assert (result.tallies, result.turnout, result.revealed, result.unrevealed) == (
        [0, 0, 0],
        2,
        0,
        2,
    )
    assert env.relayer.counted_choice(election_id, who(voter)) is None
    assert env.relayer.recount(election_id).matches


def test_double_reveal_is_refused(env: BallotEnv) -> None:
    election_id = voting(env)
    voter = env.voters[0]
    receipt = env.vote(voter, election_id, 2)
    env.to_reveal(election_id)
    env.voters[3].reveal(receipt)  # anyone may reveal, once
    assert commitment_of(env, election_id, voter) == ZERO
    for client in (env.relayer, voter):
        with pytest.raises(contract_error("BallotAlreadyRevealed")) as info:
            client.reveal(receipt)
        assert info.value.inputs == {"electionId": election_id, "voter": who(voter)}
    # Even with a wrong choice: the slot is spent before the seal is checked.
    with pytest.raises(contract_error("BallotAlreadyRevealed")):
        env.relayer.reveal(dataclasses.replace(receipt, choice=0))
    assert env.relayer.result(election_id).tallies == [0, 0, 1]


def test_reveal_without_a_commitment(env: BallotEnv) -> None:
    election_id = voting(env)
    env.vote(env.voters[0], election_id, 0)
    env.to_reveal(election_id)
    for client in (env.voters[1], env.relayer):
        with pytest.raises(contract_error("BallotNoCommitment")) as info:
            env.relayer.reveal(new_receipt(client, election_id, 0))
        assert info.value.inputs == {"electionId": election_id, "voter": who(client)}


def test_tallies_across_packed_words_of_64_options(env: BallotEnv) -> None:
    election_id = voting(env, options=[f"option {i}" for i in range(64)])
    choices = [0, 7, 8, 31, 32, 63, 63]
    receipts = [env.vote(v, election_id, c) for v, c in zip(env.voters, choices, strict=True)]
    env.to_reveal(election_id)
    for receipt in receipts:
        env.relayer.reveal(receipt)
    tallies = env.relayer.result(election_id).tallies
    expected = [0] * 64
    for choice in choices:
        expected[choice] += 1
    assert tallies == expected
    assert env.relayer.recount(election_id).matches


def test_tallies_with_options_not_a_multiple_of_eight(env: BallotEnv) -> None:
    election_id = voting(env, options=[f"option {i}" for i in range(9)])
    choices = [8, 8, 7, 0, 1]
    receipts = [env.vote(v, election_id, c) for v, c in zip(env.voters, choices, strict=False)]
    env.to_reveal(election_id)
    for receipt in receipts:
        env.relayer.reveal(receipt)
    assert env.relayer.result(election_id).tallies == [1, 1, 0, 0, 0, 0, 0, 1, 2]


# -- relayed commitments --------------------------------------------------------------------------


@contextlib.contextmanager
def raises(error: str, **inputs: Any) -> Iterator[None]:
    """The block must revert with exactly ``error(inputs)``."""
    with pytest.raises(contract_error(error)) as info:
        yield
    assert info.value.inputs == inputs


def stale(election_id: int, voter: BallotClient) -> contextlib.AbstractContextManager[None]:
    """The signature names a ballot that is not the voter's current one."""
    return raises("BallotStaleSignature", electionId=election_id, voter=who(voter))


def signed_by(
    voter: BallotClient, signed: SignedCommit, contract: Any, **changes: Any
) -> SignedCommit:
    """``signed`` with ``changes``, genuinely signed by ``voter`` (through ``commitDigest``)."""
    changed = dataclasses.replace(signed, **changes)
    digest = contract.functions.commitDigest(
        changed.election_id,
        changed.voter,
        changed.commitment,
        changed.previous,
        changed.deadline,
    ).call()
    signature = Account.unsafe_sign_hash(digest, voter.sender.account.key).signature
    return dataclasses.replace(changed, signature=bytes(signature))


def test_relayed_commit_the_relayer_pays_and_the_ballot_counts(env: BallotEnv) -> None:
    election_id = voting(env)
    voter = env.voters[0]
    receipt = new_receipt(voter, election_id, 2)
    receipt.save(env.receipt_dir / "relayed.json")
    voter_balance, voter_nonce, relayer_balance = (
        balance(env, voter),
        nonce(env, voter),
        balance(env, env.relayer),
    )
    signed = sign(env, voter, receipt)
    assert signed.previous == ZERO  # a first ballot replaces nothing
    sent = env.relayer.commit_by_sig(signed, env.roll.proof(who(voter)))
    assert sent.sender == who(env.relayer)
    event = sent.event("VoteCommitted")
    assert (event["voter"], bytes(event["commitment"]), event["replaced"]) == (
        who(voter),
        receipt.commitment,
        False,
    )
    assert (balance(env, voter), nonce(env, voter)) == (voter_balance, voter_nonce)
    assert balance(env, env.relayer) < relayer_balance
    assert commitment_of(env, election_id, voter) == receipt.commitment
    env.to_reveal(election_id)
    env.relayer.reveal(VoteReceipt.load(env.receipt_dir / "relayed.json"))
    assert (balance(env, voter), nonce(env, voter)) == (voter_balance, voter_nonce)
    assert env.relayer.result(election_id).tallies == [0, 0, 1]
    assert env.relayer.counted_choice(election_id, who(voter)) == 2


def test_relayed_commit_replay_fails_after_the_voter_recommits(env: BallotEnv) -> None:
    election_id = voting(env)
    voter = env.voters[0]
    proof = env.roll.proof(who(voter))
    first = new_receipt(voter, election_id, 0)
    old = relay(env, voter, first)
    assert old.previous == ZERO
    with stale(election_id, voter):  # straight replay: it names a ballot no longer there
        env.relayer.commit_by_sig(old, proof)
    direct = env.vote(voter, election_id, 1)  # the voter changes their mind, paying themselves
    with stale(election_id, voter):
        env.relayer.commit_by_sig(old, proof)
    assert commitment_of(env, election_id, voter) == direct.commitment
    latest = new_receipt(voter, election_id, 2)
    again = relay(env, voter, latest)  # and again, relayed: it names the direct ballot
    assert again.previous == direct.commitment
    for replayed in (old, again):
        with stale(election_id, voter):
            env.relayer.commit_by_sig(replayed, proof)
    # The old signature re-aimed at the current ballot: not what the voter signed.
    with raises("BallotInvalidSignature", voter=who(voter)):
        env.relayer.commit_by_sig(dataclasses.replace(old, previous=latest.commitment), proof)
    assert commitment_of(env, election_id, voter) == latest.commitment
    assert env.relayer.election(election_id).committed == 1
    env.to_reveal(election_id)
    with pytest.raises(contract_error("BallotCommitmentMismatch")):
        env.relayer.reveal(first)
    env.relayer.reveal(latest)
    assert env.relayer.result(election_id).tallies == [0, 0, 1]


def test_a_withheld_signature_cannot_override_a_later_direct_commit(env: BallotEnv) -> None:
    """The anti-coercion promise: the voter's last commitment counts, however it was sent."""
    election_id = voting(env)
    voter = env.voters[0]
    proof = env.roll.proof(who(voter))
    coerced = new_receipt(voter, election_id, 0)
    withheld = sign(env, voter, coerced)  # deadline: the end of the commit window
    own = env.vote(voter, election_id, 1)  # later, in private, the voter's own choice
    with stale(election_id, voter):
        env.relayer.commit_by_sig(withheld, proof)
    assert commitment_of(env, election_id, voter) == own.commitment
    # Signed over the voter's current ballot and withheld: a later relayed ballot voids it too.
    withheld = sign(env, voter, new_receipt(voter, election_id, 0))
    assert withheld.previous == own.commitment
    later = new_receipt(voter, election_id, 2)
    relay(env, voter, later)
    with stale(election_id, voter):
        env.relayer.commit_by_sig(withheld, proof)
    assert commitment_of(env, election_id, voter) == later.commitment
    # On the window's last second, its deadline, it is still refused: stale, not yet expired.
    env.at(withheld.deadline)
    with stale(election_id, voter):
        env.relayer.commit_by_sig(withheld, proof)
    env.to_reveal(election_id)
    with pytest.raises(contract_error("BallotCommitmentMismatch")):
        env.relayer.reveal(coerced)
    env.relayer.reveal(later)
    assert env.relayer.counted_choice(election_id, who(voter)) == 2


def test_two_signatures_over_the_same_ballot_only_the_first_relayed_counts(
    env: BallotEnv,
) -> None:
    """A voter who hands two relayers a signature each: the second to arrive is stale."""
    election_id = voting(env)
    voter = env.voters[0]
    proof = env.roll.proof(who(voter))
    one, two = new_receipt(voter, election_id, 0), new_receipt(voter, election_id, 1)
    first, second = sign(env, voter, one), sign(env, voter, two)
    assert first.previous == second.previous == ZERO
    env.voters[5].commit_by_sig(second, proof)  # another relayer is quicker
    with stale(election_id, voter):
        env.relayer.commit_by_sig(first, proof)
    assert commitment_of(env, election_id, voter) == two.commitment
    assert env.relayer.election(election_id).committed == 1


def test_relayed_commit_deadline_is_inclusive(env: BallotEnv) -> None:
    election_id = voting(env)
    voter, other = env.voters[0], env.voters[1]
    deadline = env.now() + 100
    on_time = sign(env, voter, new_receipt(voter, election_id, 1), deadline)
    late = sign(env, other, new_receipt(other, election_id, 1), deadline)
    env.at(deadline)
    env.relayer.commit_by_sig(on_time, env.roll.proof(who(voter)))
    env.at(deadline + 1)
    with pytest.raises(contract_error("BallotSignatureExpired")) as info:
        env.relayer.commit_by_sig(late, env.roll.proof(who(other)))
    assert info.value.inputs == {"deadline": deadline}
    assert commitment_of(env, election_id, other) == ZERO


def test_relayed_commit_wrongly_signed(env: BallotEnv) -> None:
    election_id = voting(env)
    voter, impostor = env.voters[0], env.voters[1]
    receipt = new_receipt(voter, election_id, 1)
    signed = sign(env, voter, receipt)
    digest = env.relayer.contract.functions.commitDigest(
        election_id, who(voter), receipt.commitment, ZERO, signed.deadline
    ).call()
    by_impostor = Account.unsafe_sign_hash(digest, impostor.sender.account.key).signature
    forgeries = [
        dataclasses.replace(signed, signature=bytes(by_impostor)),  # someone else's key
        dataclasses.replace(signed, commitment=keccak(b"another ballot")),  # altered ballot
        dataclasses.replace(signed, previous=keccak(b"another previous")),  # altered previous
        dataclasses.replace(signed, deadline=signed.deadline + 1),  # altered deadline
        dataclasses.replace(signed, election_id=env.create()),  # another election
        dataclasses.replace(signed, signature=b"\x01" * 65),  # not a signature
        dataclasses.replace(signed, signature=b""),
    ]
    for forged in forgeries:
        with pytest.raises(contract_error("BallotInvalidSignature")) as info:
            env.relayer.commit_by_sig(forged, env.roll.proof(who(voter)))
        assert info.value.inputs == {"voter": who(voter)}
    # A genuine signature relayed for another voter's address does not commit for them.
    with pytest.raises(contract_error("BallotInvalidSignature")) as info:
        env.relayer.commit_by_sig(
            dataclasses.replace(signed, voter=who(impostor)), env.roll.proof(who(impostor))
        )
    assert info.value.inputs == {"voter": who(impostor)}
    with pytest.raises(BallotInputError, match="cannot sign"):
        env.relayer.sign_commit(impostor.sender.account, receipt, deadline=signed.deadline)
    assert commitment_of(env, election_id, voter) == ZERO
    env.relayer.commit_by_sig(signed, env.roll.proof(who(voter)))
    assert commitment_of(env, election_id, voter) == receipt.commitment


def test_relayed_commit_naming_a_ballot_that_is_not_the_voters_current_one(
    env: BallotEnv,
) -> None:
    """Genuinely signed, but over a ``previous`` that is not (or no longer) the voter's ballot."""
    election_id = voting(env)
    voter = env.voters[0]
    proof = env.roll.proof(who(voter))
    contract = env.relayer.contract
    signed = sign(env, voter, new_receipt(voter, election_id, 1))
    never = signed_by(voter, signed, contract, previous=keccak(b"never committed"))
    with stale(election_id, voter):  # the voter has no ballot yet
        env.relayer.commit_by_sig(never, proof)
    assert commitment_of(env, election_id, voter) == ZERO
    current = env.vote(voter, election_id, 0)
    with stale(election_id, voter):  # a first-ballot signature, once there is a ballot
        env.relayer.commit_by_sig(signed, proof)
    with stale(election_id, voter):
        env.relayer.commit_by_sig(never, proof)
    # Another voter's ballot, or this voter's ballot in another election, is not it either.
    other = env.vote(env.voters[1], election_id, 0)
    second = env.create(commit_start=env.now() + 10)
    env.to_commit(second)
    elsewhere = env.vote(voter, second, 2)
    for previous in (other.commitment, elsewhere.commitment):
        with stale(election_id, voter):
            env.relayer.commit_by_sig(signed_by(voter, signed, contract, previous=previous), proof)
    assert commitment_of(env, election_id, voter) == current.commitment
    # Naming the current ballot, the same signed ballot goes through.
    env.relayer.commit_by_sig(
        signed_by(voter, signed, contract, previous=current.commitment), proof
    )
    assert commitment_of(env, election_id, voter) == signed.commitment
    assert env.relayer.election(election_id).committed == 2  # the voter and voters[1]


def test_a_revealed_ballot_is_no_previous(env: BallotEnv) -> None:
    """After a reveal ``commitmentOf`` reads zero, but a first-ballot signature does not apply."""
    election_id = voting(env)
    voter = env.voters[0]
    receipt = env.vote(voter, election_id, 1)
    record = env.authority.election(election_id)
    far = record.reveal_end + DAY
    signed = sign(env, voter, new_receipt(voter, election_id, 0), far)
    env.to_reveal(election_id)
    env.relayer.reveal(receipt)
    assert commitment_of(env, election_id, voter) == ZERO
    late = signed_by(voter, signed, env.relayer.contract, previous=ZERO)
    with stale(election_id, voter):  # checked before the window: the slot holds the marker
        env.relayer.commit_by_sig(late, env.roll.proof(who(voter)))
    assert env.relayer.counted_choice(election_id, who(voter)) == 1


def test_relayed_commit_still_needs_the_window_and_the_roll(env: BallotEnv) -> None:
    election_id = env.create()
    outsider = env.governance  # dev account 0: not on the roll
    early = sign(env, env.voters[0], new_receipt(env.voters[0], election_id, 0))
    record = env.authority.election(election_id)
    with pytest.raises(contract_error("BallotOutsideWindow")) as info:
        env.relayer.commit_by_sig(early, env.roll.proof(who(env.voters[0])))
    assert info.value.inputs == {
        "electionId": election_id,
        "opens": record.commit_start,
        "closes": record.commit_end,
    }
    env.to_commit(election_id)
    stranger = sign(env, outsider, new_receipt(outsider, election_id, 0))
    with pytest.raises(contract_error("BallotNotOnRoll")) as info:
        env.relayer.commit_by_sig(stranger, env.roll.proof(who(env.voters[0])))
    assert info.value.inputs == {"electionId": election_id, "voter": who(outsider)}
    assert commitment_of(env, election_id, outsider) == ZERO
    assert commitment_of(env, election_id, env.voters[0]) == ZERO
    env.relayer.commit_by_sig(early, env.roll.proof(who(env.voters[0])))  # still good, in time
    assert commitment_of(env, election_id, env.voters[0]) == early.commitment


# -- finalising, quorum, results ------------------------------------------------------------------


def test_finalize_only_after_the_reveal_window_and_once(env: BallotEnv) -> None:
    election_id = voting(env)
    receipt = env.vote(env.voters[0], election_id, 1)
    record = env.authority.election(election_id)
    for when in (record.commit_start + 1, record.commit_end + 1, record.reveal_end):
        env.at(when)
        with pytest.raises(contract_error("BallotRevealNotOver")) as info:
            env.relayer.finalize(election_id)
        assert info.value.inputs == {"electionId": election_id, "revealEnd": record.reveal_end}
    env.relayer.reveal(receipt)  # at revealEnd, the last second of the reveal window
    env.at(record.reveal_end + 1)
    finalized = env.voters[5].finalize(election_id).event("ElectionFinalized")  # anyone
    assert [int(t) for t in finalized["tallies"]] == [0, 1, 0]
    assert (
        int(finalized["turnout"]),
        int(finalized["revealed"]),
        int(finalized["unrevealed"]),
        finalized["quorumMet"],
    ) == (1, 1, 0, True)
    assert env.relayer.election(election_id).finalized
    assert env.relayer.result(election_id) == ElectionResult([0, 1, 0], 1, 1, 0, True, True)
    with pytest.raises(contract_error("BallotAlreadyFinalized")) as info:
        env.relayer.finalize(election_id)
    assert info.value.inputs == {"electionId": election_id}


def test_finalize_with_no_votes(env: BallotEnv) -> None:
    election_id = env.create(quorum=1)
    env.to_close(election_id)
    env.relayer.finalize(election_id)
    assert env.relayer.result(election_id) == ElectionResult([0, 0, 0], 0, 0, 0, False, True)
    recount = env.relayer.recount(election_id)
    assert recount.matches and recount.tallies == [0, 0, 0]


@pytest.mark.parametrize(("revealed", "met"), [(2, False), (3, True), (5, True)])
def test_quorum_counts_revealed_ballots(env: BallotEnv, revealed: int, met: bool) -> None:
    election_id = voting(env, quorum=3)
    receipts = [env.vote(v, election_id, i % 2) for i, v in enumerate(env.voters[:5])]
    assert env.relayer.result(election_id).quorum_met is False  # turnout 5 is not enough
    env.to_reveal(election_id)
    for receipt in receipts[:revealed]:
        env.relayer.reveal(receipt)
    env.to_close(election_id)
    event = env.relayer.finalize(election_id).event("ElectionFinalized")
    assert event["quorumMet"] is met
    result = env.relayer.result(election_id)
    assert (result.quorum_met, result.turnout, result.revealed, result.unrevealed) == (
        met,
        5,
        revealed,
        5 - revealed,
    )


def test_counted_choice_per_voter_and_election(env: BallotEnv) -> None:
    first = env.create()
    second = env.create()
    env.to_commit(second)
    voter, other = env.voters[0], env.voters[1]
    receipts = [env.vote(voter, first, 2), env.vote(voter, second, 0), env.vote(other, first, 1)]
    assert env.relayer.counted_choice(first, who(voter)) is None
    env.to_reveal(second)
    for receipt in receipts[:2]:
        env.relayer.reveal(receipt)
    assert env.relayer.counted_choice(first, who(voter)) == 2
    assert env.relayer.counted_choice(second, who(voter)) == 0
    assert env.relayer.counted_choice(first, who(voter).lower()) == 2
    assert env.relayer.counted_choice(first, who(other)) is None
    assert env.relayer.counted_choice(second, who(other)) is None


def test_recount_matches_and_detects_a_tampered_stored_result(env: BallotEnv) -> None:
    first, second = env.create(), env.create()
    env.to_commit(second)
    receipts = [env.vote(v, first, i % 3) for i, v in enumerate(env.voters)]
    env.vote(env.voters[0], first, 1)  # re-commit: turnout still counts voter 0 once
    receipts[0] = env.vote(env.voters[0], first, 1)
    other = [env.vote(v, second, 2) for v in env.voters[:2]]  # another election, same logs
    env.to_reveal(second)
    for receipt in receipts[:5] + other:
        env.relayer.reveal(receipt)
    recount = env.relayer.recount(first)
    assert recount.matches
    assert (recount.tallies, recount.turnout, recount.revealed) == ([1, 3, 1], 7, 5)
    assert recount.stored == env.relayer.result(first)
    assert recount.duplicate_voters == [] and recount.invalid_choice_voters == []
    assert env.relayer.recount(second).tallies == [0, 0, 2]
    stored = recount.stored
    tampered = [
        dataclasses.replace(stored, tallies=[2, 2, 1]),  # one vote moved
        dataclasses.replace(stored, tallies=[1, 3, 2]),  # one vote added
        dataclasses.replace(stored, turnout=6),
        dataclasses.replace(stored, revealed=4),
    ]
    for result in tampered:
        assert not dataclasses.replace(recount, stored=result).matches
    assert not dataclasses.replace(recount, duplicate_voters=[who(env.voters[0])]).matches
    assert not dataclasses.replace(recount, invalid_choice_voters=[who(env.voters[0])]).matches
    assert not dataclasses.replace(recount, tallies=[1, 2, 2]).matches
    env.to_close(first)
    env.relayer.finalize(first)
    final = env.relayer.recount(first)
    assert final.matches and final.stored.finalized and final.stored.unrevealed == 2
