"""Set up an election from a voter-roll CSV and an election file, as an electoral office would.

    python scripts/ballot_setup_election.py scripts/examples/ballot_voters.csv \\
        scripts/examples/ballot_election.json --out roll/ [--network local] [--account agency]

The CSV has one voter address per line (first column; a header line is allowed). The JSON gives
the title, the election document (a path relative to the JSON; its keccak-256 is recorded), the
option labels in order, the quorum and the windows: each a duration from the chain's current
time ("1d", "36h") or an ISO 8601 time with a UTC offset. The signing account needs
ELECTION_AUTHORITY_ROLE on the Ballot contract. The roll (tree.json and one proof per voter) is
written to --out, for the office to publish.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import click

import govchain
from govchain.cli_options import WHEN, chain_now, document_hash, moment
from govchain.clients.ballot import BallotClient, VoterRoll

WINDOWS = ("commit_start", "commit_end", "reveal_end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("voters", type=Path, help="CSV of voter addresses")
    parser.add_argument("election", type=Path, help="JSON: title, document, options, windows")
    parser.add_argument("--out", type=Path, default=Path("roll"), help="where to write the roll")
    parser.add_argument("--network", default="local")
    parser.add_argument("--account", default=None, help="keystore name (non-devnet networks)")
    args = parser.parse_args(argv)
    try:
        if (args.out / "tree.json").exists():  # a published roll must not change under voters
            raise govchain.GovchainError(f"{args.out}/tree.json exists: choose another --out")
        terms = json.loads(args.election.read_text())
        roll = VoterRoll.from_csv(args.voters)
        with govchain.connect(args.network, account=args.account) as session:
            ballot = BallotClient.connect(session)
            now = chain_now(ballot)
            tx = ballot.create_election(
                title=terms["title"],
                document_hash=document_hash(args.election.parent / terms["document"]),
                roll=roll,
                options=terms["options"],
                quorum=int(terms.get("quorum", 0)),
                **{w: WHEN.convert(terms[w], None, None).resolve(now) for w in WINDOWS},
            )
        roll.write(args.out)  # rebuilt from the same CSV, it gives the same root if lost
    except KeyError as exc:
        print(f"error: {args.election} has no {exc}")
        return 1
    except (govchain.GovchainError, OSError, ValueError) as exc:
        print(f"error: {exc}")
        return 1
    except click.BadParameter as exc:  # a window that is neither a duration nor a time
        print(f"error: {exc.format_message()}")
        return 1
    created = tx.event("ElectionCreated")
    print(f"election {created['electionId']} created: {terms['title']}")
    print(f"  roll root {roll.root} ({len(roll)} voters) written to {args.out}/")
    print(f"  options   {', '.join(terms['options'])}")
    print(f"  voting    from {moment(created['commitStart'], now)}")
    print(f"            until {moment(created['commitEnd'], now)}")
    print(f"  reveals   until {moment(created['revealEnd'], now)}")
    print(f"  tx        {tx.tx_hash}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
