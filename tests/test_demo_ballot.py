"""The ballot demo and the agency's election set-up script, checked on chain through the client."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from eth_utils import keccak, to_checksum_address

from govchain.clients.ballot import BallotClient, VoteReceipt, VoterRoll
from govchain.demo import DemoContext, demo_account
from govchain.demo.ballot import OPTIONS, VOTERS, run
from govchain.session import Session

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scripts" / "examples"
sys.path.insert(0, str(ROOT / "scripts"))

import ballot_setup_election  # noqa: E402


def test_demo_election_is_final_and_every_counted_ballot_matches_its_receipt(
    demo_context: DemoContext,
) -> None:
    ctx = demo_context
    ballot: BallotClient = BallotClient.connect(ctx.session)
    # Another election (and a later clock) first: the demo must not assume id 1 or the time.
    office = ctx.actor("earlier-authority")
    ballot.grant_role("ELECTION_AUTHORITY_ROLE", office.address)
    ctx.travel(40 * 86_400)
    now = ctx.now()
    earlier = ballot.as_account(office).create_election(
        title="Earlier referendum",
        document_hash=keccak(text="earlier referendum"),
        roll=VoterRoll.from_addresses([office.address]),
        options=["Yes", "No"],
        commit_start=now + 10,
        commit_end=now + 20,
        reveal_end=now + 30,
    )
    earlier_id = int(earlier.event("ElectionCreated")["electionId"])

    result = run(ctx)
    facts = result.facts
    election_id = facts["election_id"]
    assert election_id == earlier_id + 1

    record = ballot.election(election_id)
    assert record.finalized
    assert record.voter_count == VOTERS
    assert "0x" + record.roll_root.hex() == facts["roll_root"]
    assert record.authority == facts["authority"]
    assert record.option_count == len(OPTIONS)

    stored = ballot.result(election_id)
    assert stored.finalized and stored.quorum_met
    assert stored.tallies == facts["tallies"]
    assert sum(stored.tallies) == stored.revealed == facts["revealed"]
    assert stored.turnout == facts["ballots_cast"] < VOTERS
    assert stored.unrevealed == len(facts["never_revealed"]) > 0
    assert stored.turnout == stored.revealed + stored.unrevealed

    recount = ballot.recount(election_id)
    assert recount.matches
    assert recount.tallies == stored.tallies

    # Ghost accounting: rebuild the tally from the receipts the relay kept (the last ballot of
    # each voter), skipping those never revealed, and check each one was counted as sealed.
    latest: dict[str, VoteReceipt] = {}
    for path in sorted(Path(facts["receipts_dir"]).glob("*-ballot-*.json")):
        receipt = VoteReceipt.load(path)
        assert receipt.election_id == election_id
        latest[receipt.voter] = receipt  # ballot-2 sorts after ballot-1: the last one wins
    assert len(latest) == facts["ballots_cast"]
    rebuilt: Counter[int] = Counter()
    for voter, receipt in latest.items():
        counted = ballot.counted_choice(election_id, voter)
        if voter in facts["never_revealed"]:
            assert counted is None and not ballot.has_revealed(election_id, voter)
        else:
            assert counted == receipt.choice
            rebuilt[receipt.choice] += 1
    assert [rebuilt[i] for i in range(len(OPTIONS))] == stored.tallies

    # A changed mind counts once, for the second ballot.
    for voter in facts["changed_mind"]:
        first = VoteReceipt.load(Path(facts["receipts_dir"]) / f"{voter}-ballot-1.json")
        assert latest[voter].choice != first.choice

    # Relayed voters paid nothing and sent nothing; in-person voters sent their own ballot.
    w3 = ctx.session.chain.w3
    relayed = [to_checksum_address(v) for v in latest if v not in facts["in_person"]]
    assert len(relayed) == facts["relayed"]
    assert all(w3.eth.get_transaction_count(v) == 0 for v in relayed)
    assert all(w3.eth.get_balance(v) == 0 for v in relayed)
    in_person = [to_checksum_address(v) for v in facts["in_person"]]
    assert all(w3.eth.get_transaction_count(v) == 1 for v in in_person)

    # Residents who stayed home are on the roll but cast nothing.
    residents = {demo_account(f"riverside-resident-{n:03d}").address for n in range(1, 201)}
    assert set(latest) < residents
    assert len(residents - set(latest)) == VOTERS - facts["ballots_cast"]

    assert 3 <= len(result.highlights) <= 6
    assert result.highlights[0].path == f"/records/election/{election_id}"
    assert f"/tx/{facts['finalize_tx']}" in [h.path for h in result.highlights]


def test_setup_script_creates_the_election_of_the_csv_and_writes_its_roll(
    suite_session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ballot: BallotClient = BallotClient.connect(suite_session)
    office = suite_session.chain.accounts[0]  # the script's default signer on the devnet
    ballot.grant_role("ELECTION_AUTHORITY_ROLE", office.address)
    before = int(ballot.contract.functions.electionCount().call())
    out = tmp_path / "roll"
    voters = EXAMPLES / "ballot_voters.csv"
    election = EXAMPLES / "ballot_election.json"

    assert ballot_setup_election.main([str(voters), str(election), "--out", str(out)]) == 0

    terms = json.loads(election.read_text())
    expected = VoterRoll.from_csv(voters)
    election_id = before + 1
    record = ballot.election(election_id)
    assert record.authority == office.address
    assert "0x" + record.roll_root.hex() == expected.root == VoterRoll.load(out).root
    assert record.voter_count == len(expected) == 12
    assert record.option_count == len(terms["options"])
    assert record.quorum == terms["quorum"]
    assert record.document_hash == keccak((EXAMPLES / terms["document"]).read_bytes())
    assert record.commit_end - record.commit_start == 7 * 86_400
    assert record.reveal_end - record.commit_end == 3 * 86_400
    assert len(list((out / "proofs").glob("*.json"))) == 12
    printed = capsys.readouterr().out
    assert f"election {election_id} created" in printed and expected.root in printed

    # A second run must not overwrite the published roll, and creates nothing.
    assert ballot_setup_election.main([str(voters), str(election), "--out", str(out)]) == 1
    assert "tree.json exists" in capsys.readouterr().out
    assert int(ballot.contract.functions.electionCount().call()) == election_id


def test_setup_script_refused_without_the_authority_role(
    suite_session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ballot: BallotClient = BallotClient.connect(suite_session)
    args = [str(EXAMPLES / "ballot_voters.csv"), str(EXAMPLES / "ballot_election.json")]
    assert ballot_setup_election.main([*args, "--out", str(tmp_path / "roll")]) == 1
    printed = capsys.readouterr().out
    role = "0x" + keccak(text="ELECTION_AUTHORITY_ROLE").hex()
    assert "AccessControlUnauthorizedAccount" in printed and role in printed
    assert suite_session.chain.accounts[0].address in printed
    assert int(ballot.contract.functions.electionCount().call()) == 0
    assert not (tmp_path / "roll").exists()
