"""Gas of ``Ballot`` through its Python client, against the issue's budgets.

What is measured: ``gas_used`` from the receipts of real transactions on an anvil devnet that
this script starts and stops, each sent through :class:`~govchain.clients.ballot.BallotClient`
(so what election authorities, voters and relayers run is what is measured; the 21,000 base cost
and calldata are included), and the time :meth:`VoterRoll.from_addresses` takes to build the
1,000,000-voter roll.

Set-up (as ``tests/ballot_env.py``): ``Ballot`` deployed by the admin (dev account 0), the
ELECTION_AUTHORITY_ROLE granted to dev account 1, dev account 2 as the relayer. The roll has
1,000,000 addresses: ``keccak256(ROLL_TAG || i)[12:]`` for the citizens nobody holds a key of,
and, at evenly spaced places among them, the benchmark's own voters: 80 accounts whose private
keys are ``keccak256(VOTER_TAG || k)``, funded with ``anvil_setBalance``, and 5 relayed voters
(keys ``keccak256(RELAYED_TAG || k)``) who hold no ether and commit through the relayer. The tree
sorts its leaves by hash, so every voter's proof has the real depth of a million-leaf tree: 20
nodes, or 19 for the 48,576 leaves on the shallower level. Salts are ``keccak256`` of the
election, voter and ballot number, so the calldata and the gas are the same from run to run.

Scenario, in order (each step through the client):

1. the authority creates three elections on the roll, each with a realistic title and an
   election document's hash: the first of the deployment (64 options: its id counter is created
   from zero), a referendum (2 options, quorum 20) and a participatory budget (64 options,
   quorum 50,000);
2. commit window: 25 voters commit in the referendum (24 of them reveal later) and 5 of them
   re-commit another choice (the last commitment counts); the 5 relayed voters sign EIP-712
   commitments that the relayer submits with ``commitBySig`` (2 of them sign a second one); all
   80 voters commit in the participatory budget, choices spread so that every option gets at
   least one vote (options 0-15 two);
3. reveal window: every ballot revealed (the relayed ones by the relayer), one referendum ballot
   left unrevealed;
4. after the reveal window: each election finalised (``finalize`` with 2 and with 64 options).

Which case a budget row uses:

- create: the 64-option election after the first of the deployment; the first election writes
  the id counter from zero (once per deployment), an informational row;
- commit: a voter's first ballot in an election (its slot written from zero), the largest of
  every proof depth; the re-commit and the relayed ``commitBySig`` are informational rows;
- reveal: the largest case, a reveal that counts the first vote of a tally word (eight options
  share a 256-bit word, written from zero). It recurs in every election, once for each group of
  eight options that gets a vote (at most 8 times with 64 options), so it is not a one-off of the
  deployment; the first reveal of an election is such a reveal. The steady state (the word
  already holds votes) is an informational row;
- finalise: 64 options, every tally non-zero.

After each transaction (outside the measurement): status 1, the event with every argument
(``ElectionCreated``, ``VoteCommitted`` with ``replaced``, ``VoteRevealed``,
``ElectionFinalized``), the stored election and commitment read back, the vote receipt file the
client wrote before committing, the ballot a relayed signature names as ``previous`` (and the
signature refused as stale once used), ``result()`` moved by exactly the
revealed choice, ``counted_choice``, and at the end ``result()`` and ``recount().matches``
against the tallies the script expects. A failed check exits with status 2.

Run from the repository root::

    .venv/bin/python -m benchmarks.ballot_gas [--roll N] [--json PATH]

``--roll`` other than 1,000,000 makes the commit row informational (for quick runs). Exit
status: 0 (budgets are reported, not enforced; FAIL rows are printed as such), 2 if a correctness
check failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_account import Account
from eth_utils import keccak

from benchmarks import gas as bench
from benchmarks.gas import GasByCase, Row, check, event
from govchain.clients.ballot import BallotClient, VoteReceipt, VoterRoll, label_hash
from govchain.errors import ContractError
from govchain.merkle import keccak256
from govchain.sender import Receipt
from govchain.session import Session

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

ROLL_SIZE = 1_000_000
ROLL_TAG = b"govchain/benchmarks/ballot_gas/roll"
VOTER_TAG = b"govchain/benchmarks/ballot_gas/voter"
RELAYED_TAG = b"govchain/benchmarks/ballot_gas/relayed"
SALT_TAG = b"govchain/benchmarks/ballot_gas/salt"
VOTERS = 80  # funded voters, all of whom vote in the 64-option election
REFERENDUM_VOTERS = 25  # of them, those who vote in the referendum
RECOMMITS = 5  # referendum voters who commit a second time
RELAYED = 5  # voters without ether, committing through the relayer
RELAYED_RECOMMITS = 2
UNREVEALED = 1  # referendum ballots never revealed
VOTER_FUNDS = 10**20  # 100 ether each (anvil_setBalance)
ADMIN, AUTHORITY, RELAYER = range(3)

REFERENDUM_TITLE = (
    "Referendum 2026: should the city build the new public library at Harbour Square?"
)
BUDGET_TITLE = (
    "Participatory budget 2026: choose one of 64 neighbourhood projects (EUR 4.8 million)"
)
FIRST_TITLE = "Participatory budget 2025: choose one of 64 neighbourhood projects (EUR 4.5 million)"
REFERENDUM_OPTIONS = ["Yes", "No"]
PROJECTS = (
    "bike lanes",
    "street trees",
    "playground",
    "library hours",
    "youth centre",
    "bus shelters",
    "public toilets",
    "sports field",
)
DISTRICTS = (
    "Old Town",
    "Harbour",
    "Northgate",
    "Riverside",
    "Hillcrest",
    "Mill Quarter",
    "Eastfield",
    "Station",
)
BUDGET_OPTIONS = [
    f"Project {k + 1:02d}: {p} in {d}"
    for k, (d, p) in enumerate((d, p) for d in DISTRICTS for p in PROJECTS)
]
REFERENDUM_QUORUM = 20
BUDGET_QUORUM = 50_000  # 5 % of the roll: not met by the benchmark's 80 ballots
DAY = bench.DAY

BUDGET_CREATE = 200_000
BUDGET_COMMIT = 75_000
BUDGET_REVEAL = 60_000
BUDGET_FINALIZE = 100_000

CREATE_FIRST = "create: first election of the deployment (64 options)"
CREATE_2 = "create: 2 options"
CREATE_64 = "create: 64 options"
RECOMMIT = "commit: re-commit (replaces the voter's ballot)"
RELAYED_FIRST = "commitBySig: voter's first ballot (previous: none)"
RELAYED_AGAIN = "commitBySig: re-commit (previous: the relayed first ballot)"
REVEAL_FIRST = "reveal: first of the election (its tally word from zero)"
REVEAL_WORD = "reveal: first vote of a later tally word (from zero)"
REVEAL_STEADY = "reveal: tally word already holds votes (steady state)"
FINALIZE_2 = "finalize: 2 options"
FINALIZE_64 = "finalize: 64 options"


def commit_case(depth: int) -> str:
    return f"commit: voter's first ballot, proof of {depth} nodes"


# -- data ----------------------------------------------------------------------------------------


def citizen(i: int) -> str:
    """Roll entry ``i`` of the citizens who are not the benchmark's voters."""
    return "0x" + keccak256(ROLL_TAG + i.to_bytes(4, "big"))[12:].hex()


def key_account(tag: bytes, k: int) -> LocalAccount:
    account: LocalAccount = Account.from_key(keccak(tag + k.to_bytes(4, "big")))
    return account


def salt(election_id: int, voter: str, ballot: int) -> bytes:
    """A deterministic salt (a real voter's client draws 32 random bytes)."""
    return keccak(
        SALT_TAG + election_id.to_bytes(32, "big") + bytes.fromhex(voter[2:]) + bytes([ballot])
    )


def roll_addresses(size: int, members: Sequence[str]) -> list[str]:
    """``size`` addresses: citizens, with ``members`` at evenly spaced places among them."""
    addresses = [citizen(i) for i in range(size)]
    step = size // len(members)
    for j, member in enumerate(members):
        addresses[j * step + step // 2] = member
    return addresses


@dataclass
class RollBuild:
    roll: VoterRoll
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU time (less sensitive to other load on the machine)


def build_roll(addresses: Sequence[str]) -> RollBuild:
    wall, cpu = time.perf_counter(), time.process_time()
    roll = VoterRoll.from_addresses(addresses)
    _ = roll.root
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    check(len(roll) == len(addresses), f"the roll has {len(roll)} voters, not {len(addresses)}")
    return RollBuild(roll, seconds, cpu_seconds)


# -- set-up --------------------------------------------------------------------------------------


@dataclass
class Env(bench.DevnetEnv):
    governance: BallotClient
    authority: BallotClient
    relayer: BallotClient
    voters: list[BallotClient]
    relayed: list[LocalAccount]
    build: RollBuild
    receipts_dir: Path
    gas: GasByCase = field(default_factory=GasByCase)
    proofs: dict[str, list[str]] = field(default_factory=dict)  # voter: proof
    expected: dict[int, dict[str, int]] = field(default_factory=dict)  # election: voter: choice
    committers: dict[int, set[str]] = field(default_factory=dict)  # election: voters
    _ballots: int = 0  # receipt files written

    @property
    def roll(self) -> VoterRoll:
        return self.build.roll

    def proof(self, voter: str) -> list[str]:
        if voter not in self.proofs:
            self.proofs[voter] = self.roll.proof(voter)
        return self.proofs[voter]

    def receipt_path(self, vote: VoteReceipt) -> Path:
        self._ballots += 1
        return self.receipts_dir / f"{vote.election_id}-{vote.voter}-{self._ballots}.json"


def set_up(session: Session, roll_size: int, receipts_dir: Path) -> Env:
    accounts = session.chain.accounts
    admin = accounts[ADMIN]
    contract = session.deploy("Ballot", admin.address)
    governance = BallotClient(session, contract, session.sender)
    granted = governance.grant_role("ELECTION_AUTHORITY_ROLE", accounts[AUTHORITY].address)
    check(granted.status == 1, "ELECTION_AUTHORITY_ROLE not granted")
    voter_accounts = [key_account(VOTER_TAG, k) for k in range(VOTERS)]
    relayed = [key_account(RELAYED_TAG, k) for k in range(RELAYED)]
    for a in voter_accounts:  # the relayed voters hold no ether: that is the point of relaying
        session.chain.rpc("anvil_setBalance", a.address, hex(VOTER_FUNDS))
        check(session.chain.w3.eth.get_balance(a.address) == VOTER_FUNDS, f"{a.address} unfunded")
    members = [a.address for a in voter_accounts + relayed]
    build = build_roll(roll_addresses(roll_size, members))
    return Env(
        session=session,
        token=None,
        governance=governance,
        authority=governance.as_account(accounts[AUTHORITY]),
        relayer=governance.as_account(accounts[RELAYER]),
        voters=[governance.as_account(a) for a in voter_accounts],
        relayed=relayed,
        build=build,
        receipts_dir=receipts_dir,
    )


# -- the scenario --------------------------------------------------------------------------------


def create(
    env: Env,
    case: str,
    title: str,
    options: Sequence[str],
    quorum: int,
    windows: tuple[int, int, int],
) -> int:
    authority = env.authority
    count = int(authority.contract.functions.electionCount().call())
    document = keccak(text=f"election document: {title}\n" + "\n".join(options))
    commit_start, commit_end, reveal_end = windows
    receipt = authority.create_election(
        title=title,
        document_hash=document,
        roll=env.roll,
        options=options,
        commit_start=commit_start,
        commit_end=commit_end,
        reveal_end=reveal_end,
        quorum=quorum,
    )
    created = event(receipt, "ElectionCreated")
    election_id = int(created["electionId"])
    root = bytes.fromhex(env.roll.root[2:])
    check(
        election_id == count + 1
        and created["authority"] == authority.sender.address
        and bytes(created["documentHash"]) == document
        and bytes(created["rollRoot"]) == root
        and int(created["voterCount"]) == len(env.roll)
        and (created["commitStart"], created["commitEnd"], created["revealEnd"]) == windows
        and int(created["quorum"]) == quorum
        and [bytes(h) for h in created["optionLabels"]] == [label_hash(o) for o in options]
        and created["title"] == title,
        f"ElectionCreated {created}",
    )
    record = authority.election(election_id)
    check(
        record.authority == authority.sender.address
        and record.roll_root == root
        and record.voter_count == len(env.roll)
        and (record.commit_start, record.commit_end, record.reveal_end) == windows
        and record.option_count == len(options)
        and record.quorum == quorum
        and record.committed == 0
        and not record.finalized
        and record.document_hash == document,
        f"election {election_id}: {record}",
    )
    check(
        authority.result(election_id).tallies == [0] * len(options),
        f"election {election_id} starts with votes",
    )
    env.expected[election_id] = {}
    env.committers[election_id] = set()
    env.gas.record(case, receipt)
    return election_id


def check_committed(
    env: Env, receipt: Receipt, vote: VoteReceipt, replaced: bool, committed_before: int
) -> None:
    committed = event(receipt, "VoteCommitted")
    check(
        int(committed["electionId"]) == vote.election_id
        and committed["voter"] == vote.voter
        and bytes(committed["commitment"]) == vote.commitment
        and committed["replaced"] is replaced,
        f"VoteCommitted {committed}, expected replaced={replaced}",
    )
    contract = env.authority.contract
    stored = bytes(contract.functions.commitmentOf(vote.election_id, vote.voter).call())
    check(stored == vote.commitment, f"{vote.voter}: stored commitment {stored.hex()}")
    after = env.authority.election(vote.election_id).committed
    want = committed_before + (0 if replaced else 1)
    check(after == want, f"election {vote.election_id}: {after} committed, expected {want}")
    env.expected[vote.election_id][vote.voter] = vote.choice
    env.committers[vote.election_id].add(vote.voter)


def commit(env: Env, voter: BallotClient, election_id: int, choice: int) -> VoteReceipt:
    address = voter.sender.address
    replaced = address in env.committers[election_id]
    vote = VoteReceipt(election_id, address, choice, salt(election_id, address, int(replaced)))
    proof = env.proof(address)
    before = env.authority.election(election_id).committed
    keep = env.receipt_path(vote)
    receipt = voter.commit(vote, proof, keep=keep)
    check(VoteReceipt.load(keep) == vote, f"{keep} does not hold the ballot committed")
    check(receipt.sender == address, f"commit sent by {receipt.sender}, not {address}")
    check_committed(env, receipt, vote, replaced, before)
    env.gas.record(RECOMMIT if replaced else commit_case(len(proof)), receipt)
    return vote


def commit_by_sig(env: Env, voter: LocalAccount, election_id: int, choice: int) -> VoteReceipt:
    address = voter.address
    replaced = address in env.committers[election_id]
    vote = VoteReceipt(election_id, address, choice, salt(election_id, address, int(replaced)))
    contract = env.relayer.contract
    previous = bytes(contract.functions.commitmentOf(election_id, address).call())
    check((previous != bytes(32)) is replaced, f"{address}: current ballot {previous.hex()}")
    signed = env.relayer.sign_commit(voter, vote, deadline=env.now() + DAY)
    check(signed.previous == previous and signed.commitment == vote.commitment, f"signed {signed}")
    before = env.authority.election(election_id).committed
    receipt = env.relayer.commit_by_sig(signed, env.proof(address))
    check(receipt.sender == env.relayer.sender.address, f"relayed by {receipt.sender}")
    check_committed(env, receipt, vote, replaced, before)
    check(env.chain.w3.eth.get_balance(address) == 0, f"{address} paid for its relayed commit")
    try:  # good once: the ballot it names is gone (refused at the estimate, nothing sent)
        env.relayer.commit_by_sig(signed, env.proof(address))
    except ContractError as refused:
        stale = refused.error_name == "BallotStaleSignature" and refused.inputs == {
            "electionId": election_id,
            "voter": address,
        }
        check(stale, f"{address}: replay refused with {refused}")
    else:
        check(False, f"{address}: a relayed signature was accepted twice")
    env.gas.record(RELAYED_AGAIN if replaced else RELAYED_FIRST, receipt)
    return vote


def reveal(env: Env, sender: BallotClient, vote: VoteReceipt) -> None:
    election_id, choice = vote.election_id, vote.choice
    before = env.authority.result(election_id)
    word = choice // 8
    if before.revealed == 0:
        case = REVEAL_FIRST
    elif not any(before.tallies[8 * word : 8 * word + 8]):
        case = REVEAL_WORD
    else:
        case = REVEAL_STEADY
    receipt = sender.reveal(vote)
    revealed = event(receipt, "VoteRevealed")
    check(
        int(revealed["electionId"]) == election_id
        and revealed["voter"] == vote.voter
        and int(revealed["choice"]) == choice,
        f"VoteRevealed {revealed}",
    )
    after = env.authority.result(election_id)
    want = list(before.tallies)
    want[choice] += 1
    check(after.tallies == want, f"election {election_id}: tallies {after.tallies}, want {want}")
    check(
        after.revealed == before.revealed + 1, f"election {election_id}: {after.revealed} revealed"
    )
    check(env.authority.has_revealed(election_id, vote.voter), f"{vote.voter} not revealed")
    counted = env.authority.counted_choice(election_id, vote.voter)
    check(counted == choice, f"{vote.voter}: counted for {counted}, not {choice}")
    env.gas.record(case, receipt)


def finalize(env: Env, election_id: int, options: int, quorum: int, case: str) -> None:
    expected = env.expected[election_id]
    revealed_voters = [v for v in expected if env.authority.has_revealed(election_id, v)]
    tallies = [0] * options
    for voter in revealed_voters:
        tallies[expected[voter]] += 1
    turnout, revealed = len(env.committers[election_id]), len(revealed_voters)
    receipt = env.relayer.finalize(election_id)
    final = event(receipt, "ElectionFinalized")
    check(
        int(final["electionId"]) == election_id
        and [int(t) for t in final["tallies"]] == tallies
        and int(final["turnout"]) == turnout
        and int(final["revealed"]) == revealed
        and int(final["unrevealed"]) == turnout - revealed
        and final["quorumMet"] is (revealed >= quorum),
        f"ElectionFinalized {final}, expected tallies {tallies}, turnout {turnout}",
    )
    result = env.authority.result(election_id)
    check(
        result.finalized
        and result.tallies == tallies
        and (result.turnout, result.revealed, result.unrevealed)
        == (turnout, revealed, turnout - revealed)
        and result.quorum_met is (revealed >= quorum),
        f"election {election_id}: result {result}",
    )
    check(env.authority.election(election_id).finalized, f"election {election_id} not final")
    recount = env.relayer.recount(election_id)
    check(recount.matches and recount.tallies == tallies, f"recount of {election_id}: {recount}")
    env.gas.record(case, receipt)


def budget_choice(k: int) -> int:
    """Voter ``k``'s choice among the 64 options: every option once, then options 0-15 again."""
    return k % len(BUDGET_OPTIONS)


def run_scenario(env: Env) -> None:
    now = env.now()
    windows = (now + DAY, now + 8 * DAY, now + 11 * DAY)
    create(env, CREATE_FIRST, FIRST_TITLE, BUDGET_OPTIONS, BUDGET_QUORUM, windows)
    referendum = create(
        env, CREATE_2, REFERENDUM_TITLE, REFERENDUM_OPTIONS, REFERENDUM_QUORUM, windows
    )
    budget = create(env, CREATE_64, BUDGET_TITLE, BUDGET_OPTIONS, BUDGET_QUORUM, windows)

    env.travel_to(windows[0])
    referendum_voters = env.voters[:REFERENDUM_VOTERS]
    votes: dict[tuple[int, str], tuple[BallotClient, VoteReceipt]] = {}
    for k, voter in enumerate(referendum_voters):
        vote = commit(env, voter, referendum, k % 2)
        votes[(referendum, vote.voter)] = (voter, vote)
    for voter in referendum_voters[:RECOMMITS]:  # the voter changes its mind
        previous = votes[(referendum, voter.sender.address)][1].choice
        vote = commit(env, voter, referendum, 1 - previous)
        votes[(referendum, vote.voter)] = (voter, vote)
    for k, account in enumerate(env.relayed):
        vote = commit_by_sig(env, account, referendum, k % 2)
        votes[(referendum, vote.voter)] = (env.relayer, vote)
    for account in env.relayed[:RELAYED_RECOMMITS]:
        previous = votes[(referendum, account.address)][1].choice
        vote = commit_by_sig(env, account, referendum, 1 - previous)
        votes[(referendum, vote.voter)] = (env.relayer, vote)
    for k, voter in enumerate(env.voters):
        vote = commit(env, voter, budget, budget_choice(k))
        votes[(budget, vote.voter)] = (voter, vote)

    env.travel_to(windows[1] + 1)
    unrevealed = {referendum_voters[-1 - j].sender.address for j in range(UNREVEALED)}
    for (_, address), (sender, vote) in votes.items():
        if address not in unrevealed or vote.election_id != referendum:
            reveal(env, sender, vote)

    env.travel_to(windows[2] + 1)
    finalize(env, referendum, len(REFERENDUM_OPTIONS), REFERENDUM_QUORUM, FINALIZE_2)
    finalize(env, budget, len(BUDGET_OPTIONS), BUDGET_QUORUM, FINALIZE_64)
    tallies = env.authority.result(budget).tallies
    check(min(tallies) >= 1, f"an option of the participatory budget got no vote: {tallies}")


# -- the table -----------------------------------------------------------------------------------


def build_rows(env: Env, roll_size: int) -> list[Row]:
    by_case = env.gas
    row = by_case.row
    depths = sorted(
        (int(c.rsplit(" ", 2)[1]) for c in by_case if c.startswith("commit: voter's first")),
        reverse=True,
    )
    firsts = [commit_case(d) for d in depths]
    reveals = [REVEAL_FIRST, REVEAL_WORD, REVEAL_STEADY]
    at_size = roll_size == ROLL_SIZE
    return [
        row("create election, 64 options", [CREATE_64], BUDGET_CREATE),
        row("  2 options", [CREATE_2]),
        row("  first election of the deployment (64 options)", [CREATE_FIRST]),
        row(
            f"commit with proof, {roll_size:,}-voter roll (first ballot)",
            firsts,
            BUDGET_COMMIT if at_size else None,
        ),
        *(row(f"  proof of {d} nodes", [commit_case(d)]) for d in depths),
        row("  re-commit (replaces the ballot)", [RECOMMIT]),
        row("  relayed commitBySig, voter's first ballot", [RELAYED_FIRST]),
        row("  relayed commitBySig, re-commit", [RELAYED_AGAIN]),
        row("reveal (largest case: first vote of a tally word)", reveals, BUDGET_REVEAL),
        row("  first reveal of an election", [REVEAL_FIRST]),
        row("  first vote of a later tally word", [REVEAL_WORD]),
        row("  steady state (the word already holds votes)", [REVEAL_STEADY]),
        row("finalise, 64 options", [FINALIZE_64], BUDGET_FINALIZE),
        row("  finalise, 2 options", [FINALIZE_2]),
        Row(
            operation=f"voter roll build, {roll_size:,} addresses (VoterRoll.from_addresses)",
            unit="s",
            measured=env.build.seconds,
            detail={"seconds": env.build.seconds, "cpu_seconds": env.build.cpu_seconds},
        ),
        Row(
            operation="  CPU time of that build (this process only)",
            unit="s",
            measured=env.build.cpu_seconds,
        ),
    ]


def format_notes(env: Env, rows: Sequence[Row]) -> list[str]:
    depths: dict[int, int] = {}
    for proof in env.proofs.values():
        depths[len(proof)] = depths.get(len(proof), 0) + 1
    spread = ", ".join(f"{n} of {d} nodes" for d, n in sorted(depths.items(), reverse=True))
    return [
        *bench.case_notes([r for r in rows if r.unit == "gas"]),
        f"voter roll: {len(env.roll):,} addresses, root {env.roll.root}; the benchmark's "
        f"{len(env.proofs)} voters' proofs: {spread}",
        f"titles of {len(REFERENDUM_TITLE)} and {len(BUDGET_TITLE)} characters; reveal budget row "
        "= the largest case, the first vote counted in a tally word (every election, once per "
        "group of eight options that gets a vote)",
    ]


def measure(session: Session, roll_size: int) -> bench.Result:
    with tempfile.TemporaryDirectory(prefix="ballot-gas-") as receipts:
        env = set_up(session, roll_size, Path(receipts))
        run_scenario(env)
    rows = build_rows(env, roll_size)
    depths = {voter: len(proof) for voter, proof in env.proofs.items()}
    extra: dict[str, Any] = {
        "gas_by_case": dict(env.gas),
        "roll_root": env.roll.root,
        "proof_depths": depths,
    }
    return bench.Result(rows, format_notes(env, rows), extra)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ballot_gas",
        description="Gas of Ballot (via BallotClient) against the issue's budgets.",
    )
    parser.add_argument(
        "--roll",
        type=int,
        default=ROLL_SIZE,
        metavar="N",
        help=f"voters on the roll (default {ROLL_SIZE:,}; other sizes: commit row informational)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    if args.roll < VOTERS + RELAYED:
        parser.error(f"--roll must be at least {VOTERS + RELAYED} (the benchmark's voters)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench.run_main(
        lambda session: measure(session, args.roll),
        json_path=args.json,
        params={"roll_size": args.roll, "voters": VOTERS, "relayed_voters": RELAYED},
        label=f"{args.roll:,}-voter roll",
    )


if __name__ == "__main__":
    sys.exit(main())
