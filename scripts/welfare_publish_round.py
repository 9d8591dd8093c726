"""Publish this month's welfare round from a CSV of beneficiaries: propose it, then fund it.

    python scripts/welfare_publish_round.py scripts/examples/welfare_round_2026_12.csv \\
        --programme 1 --account eligibility-officer --manager programme-manager \\
        --decision scripts/examples/welfare_decision_2026_12.txt --network sepolia

The CSV has `address,amount` lines, amounts in whole token units ("250.00"). The eligibility
officer (--account) proposes the round's Merkle root; the programme manager (--manager) publishes
it, which pulls the total from the programme's fund; claims open after the programme's veto
window and stay open --days days. Keystore passwords are prompted for (or $GOVCHAIN_PASSWORD).
On a devnet either may be left out: the development account the programme names signs.
The tree and one proof per beneficiary go to --out, for the payer and the claimants.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eth_account.signers.local import LocalAccount

import govchain
from govchain.accounts import load_keystore
from govchain.cli_options import TokenUnits, document_hash, moment, password_for
from govchain.clients.welfare import RoundPlan, WelfareClient
from govchain.session import Session


def signer(session: Session, keystore: str | None, address: str, option: str) -> LocalAccount:
    """The keystore's account, or on a devnet the development account at ``address``."""
    if keystore:
        return load_keystore(keystore, password_for(keystore))
    if session.chain.is_devnet:
        for account in session.chain.accounts:
            if account.address == address:
                return account  # the programme's own dev account
    raise govchain.ConfigError(f"who signs as {address}? pass its keystore with {option}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("beneficiaries", type=Path, help="CSV of address,amount")
    parser.add_argument("--programme", type=int, required=True, help="programme id")
    parser.add_argument("--network", default="local")
    parser.add_argument("--account", help="keystore of the eligibility officer (proposes)")
    parser.add_argument("--manager", help="keystore of the programme manager (publishes)")
    parser.add_argument("--decision", type=Path, help="eligibility decision; its hash is recorded")
    parser.add_argument("--days", type=int, default=30, help="claim window (default 30 days)")
    parser.add_argument("--out", type=Path, help="round files (default rounds/<network>/round-N)")
    args = parser.parse_args(argv)
    try:
        with govchain.connect(
            args.network, account=args.account, password=password_for(args.account)
        ) as session:
            welfare: WelfareClient = WelfareClient.connect(session)
            programme = welfare.programme(args.programme)
            units = TokenUnits.of(welfare, programme.token)
            plan = RoundPlan.from_csv(args.beneficiaries, decimals=units.decimals)
            officer = signer(session, args.account, programme.officer, "--account")
            manager = signer(session, args.manager, programme.manager, "--manager")

            proposed = welfare.as_account(officer).propose_round(
                args.programme, plan, document_hash(args.decision)
            )
            round_id = int(proposed.event("RoundProposed")["roundId"])
            print(
                f"round {round_id} proposed by {programme.officer}: {len(plan)} beneficiaries, "
                f"{units.format(plan.total)}, root {plan.root}"
            )
            now = int(session.chain.w3.eth.get_block("latest")["timestamp"])
            window = programme.claim_delay + args.days * 86_400
            published = welfare.as_account(manager).publish_round(round_id, now, now + window)
            opens = int(published.event("RoundPublished")["claimableAt"])
            print(f"round {round_id} published and funded by {programme.manager}")
            print(f"  claims from {moment(opens, now)} to {moment(now + window, now)}")
            out = plan.write(args.out or Path("rounds", args.network, f"round-{round_id}"))
            print(f"  tree and {len(plan)} proofs written to {out}/")
    except govchain.GovchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
