"""Deploy the govchain suite the way an agency's script would.

    python scripts/deploy.py --network local          # the project's devnet (anvil)
    python scripts/deploy.py --network sepolia --account agency
    ape run deploy                                    # ape's local network, same package

It compiles, deploys what govchain.yaml lists (skipping what is already deployed and unchanged),
records the result in deployments/<network>.json and prints the addresses.
"""

from __future__ import annotations

import argparse
import sys

import govchain
from govchain.deploy import DeployOutcome, deploy_suite


def report(outcome: DeployOutcome) -> None:
    for name, entry in outcome.record.contracts.items():
        how = "deployed now" if name in outcome.deployed else "already deployed"
        print(f"{name:<16} {entry.address}  ({how})")


def run(network: str, account: str | None = None) -> DeployOutcome:
    with govchain.connect(network, account=account) as gc:
        outcome = deploy_suite(gc.project, gc.chain, gc.sender)
        report(outcome)
        print(f"record: {outcome.path}")
        return outcome


def main() -> None:
    """Entry point of `ape run deploy`: deploy on the network ape is connected to."""
    from ape import accounts, chain
    from eth_account import Account

    from govchain.chain import Chain
    from govchain.project import Project
    from govchain.session import Session, registries

    project = Project.discover()
    signers = [Account.from_key(a.private_key) for a in accounts.test_accounts[:3]]
    ape_chain = Chain("ape-" + chain.provider.network.name, chain.provider.web3, signers)
    errors, events = registries(project)
    session = Session(project, ape_chain, errors, events)
    # ape's local chain lives only as long as this process: print, do not record it.
    outcome = deploy_suite(project, ape_chain, session.sender, save=False)
    report(outcome)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="local")
    parser.add_argument("--account", default=None, help="keystore name (non-devnet networks)")
    options = parser.parse_args()
    try:
        run(options.network, options.account)
    except govchain.GovchainError as exc:
        sys.exit(f"error: {exc}")
