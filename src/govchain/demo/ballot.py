"""Ballot demo: a participatory-budget vote of 200 residents, relayed, revealed and recounted.

Most residents hold no ether, so they sign their sealed ballot (EIP-712) and the city's ballot
relay submits it and pays the gas; a handful vote from their own wallets. The relay keeps the
vote receipts (choice and salt) it is given and reveals them after voting closes, except those
of residents who never handed theirs in: those ballots are cast but never counted. Anyone then
finalises, and a recount from the events alone must match the stored tally.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import keccak

from govchain.clients.ballot import BallotClient, VoteReceipt, VoterRoll
from govchain.demo import DemoContext, DemoError, DomainResult, Highlight, demo_account

DOMAIN = "ballot"
HOUR = 3_600
DAY = 86_400
VOTERS = 200
STAY_HOME = 24  # on the roll, never vote
IN_PERSON = 5  # vote from their own funded wallets; everyone else is relayed
CHANGE_MIND = 3  # relayed voters who re-vote before voting closes (the last ballot counts)
NEVER_REVEAL = 11  # cast a ballot but never hand in the receipt: never counted
SEED = 2026  # same choices every run, so the story (and the winner) is stable

TITLE = "Riverside participatory budget 2026"
OPTIONS = (
    "Riverside Park renovation",
    "Harbour Street cycle bridge",
    "Eastgate library extension",
    "Youth sports hall",
)
WEIGHTS = (36, 28, 22, 14)
NOTICE = (
    "City of Riverside - notice of election\n"
    f"{TITLE}\n\n"
    "Which project should receive the 2026 participatory budget of 1,200,000.00 PUB?\n"
    + "".join(f"{i}. {label}\n" for i, label in enumerate(OPTIONS))
    + "\nVoting opens one hour after this notice and runs for seven days; sealed ballots are\n"
    "revealed during the following three days. Residents on the published roll may vote from\n"
    "their own wallet or sign their ballot for the city's ballot relay, which pays the fees.\n"
)


@dataclass
class Ballots:
    """The receipts the relay holds, and what happened to each voter's ballot."""

    directory: Path
    latest: dict[str, Path] = field(default_factory=dict)  # voter → receipt of the last ballot
    relayed_tx: str = ""
    replaced_tx: str = ""

    def keep(self, receipt: VoteReceipt) -> Path:
        """A fresh file per ballot: a re-vote must not overwrite the earlier salt."""
        number = 2 if receipt.voter in self.latest else 1
        path = self.directory / f"{receipt.voter}-ballot-{number}.json"
        self.latest[receipt.voter] = path
        return path


def run(ctx: DemoContext) -> DomainResult:
    ctx.step(DOMAIN, "appointing the electoral office and the ballot relay")
    office, relay_account, observer = ctx.actors(
        ["riverside-electoral-office", "riverside-ballot-relay", "civic-observer"]
    )
    governance = BallotClient.connect(ctx.session)
    governance.grant_role("ELECTION_AUTHORITY_ROLE", office.address)
    authority: BallotClient = governance.as_account(office)
    relay: BallotClient = governance.as_account(relay_account)

    ctx.step(DOMAIN, f"publishing the roll of {VOTERS} residents and the election notice")
    names = [f"riverside-resident-{n:03d}" for n in range(1, VOTERS + 1)]
    residents = [demo_account(name) for name in names]
    roll = VoterRoll.from_addresses(a.address for a in residents)
    start = ctx.now() + HOUR
    created = authority.create_election(
        title=TITLE,
        document_hash=keccak(text=NOTICE),
        roll=roll,
        options=OPTIONS,
        commit_start=start,
        commit_end=start + 7 * DAY,
        reveal_end=start + 10 * DAY,
        quorum=VOTERS // 4,
    )
    election_id = int(created.event("ElectionCreated")["electionId"])
    # The block hash tells this chain's election apart from a same-numbered one of an older devnet.
    base = ctx.workdir / f"ballot-election-{election_id}-{created.block_hash[2:10]}"
    roll.write(base / "roll")
    (base / "notice.txt").write_text(NOTICE)
    ballots = Ballots(base / "receipts")
    ballots.directory.mkdir(parents=True, exist_ok=True)

    rng = random.Random(SEED)
    turnout = rng.sample(range(VOTERS), VOTERS - STAY_HOME)
    voting = [residents[i] for i in turnout]
    in_person = ctx.actors([names[i] for i in turnout[:IN_PERSON]])  # they pay their own gas
    relayed = voting[IN_PERSON:]
    record = authority.election(election_id)
    ctx.travel_to(record.commit_start)

    ctx.step(DOMAIN, f"{IN_PERSON} residents vote from their own wallets")
    for voter in in_person:
        receipt = VoteReceipt.new(election_id, voter.address, _choose(rng))
        client: BallotClient = governance.as_account(voter)
        client.commit(receipt, roll.proof(voter.address), keep=ballots.keep(receipt))

    deadline = record.commit_end
    for done, voter in enumerate(relayed, start=1):
        receipt = VoteReceipt.new(election_id, voter.address, _choose(rng))
        receipt.save(ballots.keep(receipt))  # the salt is safe before anything is sent
        signed = relay.sign_commit(voter, receipt, deadline=deadline)
        tx = relay.commit_by_sig(signed, roll.proof(voter.address))
        ballots.relayed_tx = ballots.relayed_tx or tx.tx_hash
        ctx.count(DOMAIN, done, len(relayed), "relaying signed sealed ballots")

    ctx.step(DOMAIN, f"{CHANGE_MIND} residents change their minds before voting closes")
    changed = rng.sample(relayed, CHANGE_MIND)
    for voter in changed:
        first = VoteReceipt.load(ballots.latest[voter.address])
        others = [c for c in range(len(OPTIONS)) if c != first.choice]
        receipt = VoteReceipt.new(election_id, voter.address, rng.choice(others))
        receipt.save(ballots.keep(receipt))
        signed = relay.sign_commit(voter, receipt, deadline=deadline)
        ballots.replaced_tx = relay.commit_by_sig(signed, roll.proof(voter.address)).tx_hash

    ctx.travel_to(record.commit_end + 1)
    silent = rng.sample(voting, NEVER_REVEAL)
    silent_set = {v.address for v in silent}
    to_reveal = [v.address for v in voting if v.address not in silent_set]
    for done, address in enumerate(to_reveal, start=1):
        relay.reveal(VoteReceipt.load(ballots.latest[address]))
        ctx.count(DOMAIN, done, len(to_reveal), "revealing the receipts handed in")

    ctx.travel_to(record.reveal_end + 1)
    ctx.step(DOMAIN, "finalising and recounting from the events")
    observed: BallotClient = governance.as_account(observer)
    finalized = observed.finalize(election_id)
    recount = observed.recount(election_id)
    if not recount.matches:
        raise DemoError(f"election {election_id}: the recount from events does not match")
    result = recount.stored
    intended = [0] * len(OPTIONS)  # what the receipts handed in say, to compare with the chain
    for address in to_reveal:
        intended[VoteReceipt.load(ballots.latest[address]).choice] += 1
    if result.tallies != intended:
        raise DemoError(f"election {election_id}: tallies {result.tallies}, receipts {intended}")
    winner = OPTIONS[intended.index(max(intended))]
    silent_voter = silent[0].address
    return DomainResult(
        DOMAIN,
        highlights=[
            Highlight(
                f"Election {election_id}: {len(voting)} of {VOTERS} residents voted, "
                f"{len(to_reveal)} ballots counted; '{winner}' won",
                f"/records/election/{election_id}",
            ),
            Highlight(
                "A sealed ballot signed by a resident with no ether and sent by the city's relay",
                f"/tx/{ballots.relayed_tx}",
            ),
            Highlight(
                "A resident changed their mind: the new sealed ballot replaced the first",
                f"/tx/{ballots.replaced_tx}",
            ),
            Highlight(
                "A resident who voted but never revealed: the ballot was never counted",
                f"/address/{silent_voter}",
            ),
            Highlight(
                "The final result, stored on chain; a recount from the events matches it",
                f"/tx/{finalized.tx_hash}",
            ),
        ],
        facts={
            "election_id": election_id,
            "title": TITLE,
            "options": list(OPTIONS),
            "roll_root": roll.root,
            "voters": VOTERS,
            "ballots_cast": len(voting),
            "in_person": [v.address for v in in_person],
            "relayed": len(relayed),
            "changed_mind": [v.address for v in changed],
            "never_revealed": sorted(silent_set),
            "revealed": len(to_reveal),
            "tallies": intended,
            "winner": winner,
            "quorum": VOTERS // 4,
            "authority": office.address,
            "relay": relay_account.address,
            "receipts_dir": str(ballots.directory),
            "finalize_tx": finalized.tx_hash,
        },
    )


def _choose(rng: random.Random) -> int:
    return rng.choices(range(len(OPTIONS)), weights=WEIGHTS)[0]
