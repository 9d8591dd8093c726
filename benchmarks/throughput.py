"""Transaction throughput: govchain's :class:`~govchain.sender.Sender` against a naive web3.py loop.

What is measured: the wall-clock time to get N ``PaymentToken.mint(recipient, 1)`` transactions
mined on a fresh anvil devnet (automine, started by this script), the same kind of transaction
from the same account to the same node in both phases:

(a) naive: what a typical web3.py script does, one transaction at a time: take the nonce from
    ``eth_getTransactionCount``, ``build_transaction`` (which estimates gas and fetches fees),
    sign locally, ``send_raw_transaction``, then ``wait_for_transaction_receipt`` with web3's
    defaults (0.1 s poll interval) before the next one;
(b) govchain: ``Sender.send_call`` N times without waiting (nonces tracked locally), then
    ``Sender.wait_all`` for the receipts.

Why: the sender exists so that independent transactions do not wait for each other's receipts;
this benchmark checks that it is at least ``TARGET_RATIO`` times faster than the naive loop,
which is the claim made for it. After each phase (outside the timing) every receipt must have
status 1 and the recipient's balance must have grown by exactly N, so speed is never bought with
lost or failed transactions.

Run from the repository root::

    .venv/bin/python -m benchmarks.throughput [--n 500] [--json PATH]

Exit status: 0 if the target is met, 1 if it is not, 2 if a correctness check failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govchain.accounts import dev_accounts
from govchain.chain import _web3_http, start_anvil
from govchain.compiler import compile_project, load_artifact
from govchain.project import Project
from govchain.sender import Sender
from govchain.session import registries

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
    from web3.contract import Contract

TARGET_RATIO = 5.0
DEFAULT_N = 500
TOKEN_ARGS = ("Public Unit", "PUB", 2)


class CorrectnessError(AssertionError):
    """A phase lost a transaction, had one revert, or minted the wrong amount."""


@dataclass(frozen=True)
class PhaseResult:
    """One timed phase: ``n`` transactions mined in ``seconds``."""

    name: str
    n: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.n / self.seconds


# -- setup ---------------------------------------------------------------------------------------


def deploy_token(w3: Web3, project: Project, deployer: LocalAccount) -> Contract:
    """Deploy PaymentToken with ``deployer`` as admin and minter; return the bound contract."""
    errors, events = registries(project)
    sender = Sender(w3, deployer, errors=errors, events=events)
    artifact = load_artifact(project, "PaymentToken")
    address = deployer.address
    receipt = sender.deploy(artifact["bytecode"], artifact["abi"], *TOKEN_ARGS, address, address)
    return w3.eth.contract(address=receipt.contract_address, abi=artifact["abi"])  # type: ignore[call-overload,no-any-return]


# -- the two phases ------------------------------------------------------------------------------


def naive_loop(w3: Web3, token: Contract, account: LocalAccount, recipient: str, n: int) -> list[int]:
    """Send, wait, send, wait... as a typical web3.py script does; returns receipt statuses."""
    statuses = []
    for _ in range(n):
        nonce = w3.eth.get_transaction_count(account.address)
        tx = token.functions.mint(recipient, 1).build_transaction(
            {"from": account.address, "nonce": nonce}
        )
        signed = account.sign_transaction(tx)  # type: ignore[arg-type]
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
        statuses.append(int(receipt["status"]))
    return statuses


def sender_batch(sender: Sender, token: Contract, recipient: str, n: int) -> list[int]:
    """Send all N without waiting, then collect the receipts; returns receipt statuses."""
    pending = [sender.send_call(token.functions.mint(recipient, 1)) for _ in range(n)]
    return [receipt.status for receipt in sender.wait_all(pending)]


# -- measuring and checking ----------------------------------------------------------------------


def measure(
    name: str, token: Contract, recipient: str, n: int, run: Callable[[], list[int]]
) -> PhaseResult:
    """Time ``run`` and check its outcome against the recipient's balance."""
    before = int(token.functions.balanceOf(recipient).call())
    start = time.perf_counter()
    statuses = run()
    seconds = time.perf_counter() - start
    after = int(token.functions.balanceOf(recipient).call())
    check(name, n, statuses, after - before)
    return PhaseResult(name, n, seconds)


def check(name: str, n: int, statuses: Sequence[int], minted: int) -> None:
    if len(statuses) != n:
        raise CorrectnessError(f"{name}: {len(statuses)} receipts for {n} transactions")
    failed = sum(1 for status in statuses if status != 1)
    if failed:
        raise CorrectnessError(f"{name}: {failed} of {n} receipts have status 0")
    if minted != n:
        raise CorrectnessError(f"{name}: recipient balance grew by {minted}, expected {n}")


def run_benchmark(n: int) -> tuple[PhaseResult, PhaseResult]:
    """Start anvil, deploy the token, run both phases; anvil is always stopped."""
    project = Project.discover()
    compile_project(project)
    anvil = start_anvil(project)  # no state file: a throwaway devnet
    try:
        w3 = _web3_http(anvil.url)
        deployer, recipient_account = dev_accounts()[:2]
        recipient = recipient_account.address
        token = deploy_token(w3, project, deployer)
        naive = measure(
            "naive web3.py", token, recipient, n,
            lambda: naive_loop(w3, token, deployer, recipient, n),
        )
        # A fresh sender: the deploy sender's cached nonce is stale after the naive phase, and
        # a new one starts cold (chain id, nonce, fees) as a script's first sender would.
        errors, events = registries(project)
        sender = Sender(w3, deployer, errors=errors, events=events)
        govchain = measure(
            "govchain Sender", token, recipient, n,
            lambda: sender_batch(sender, token, recipient, n),
        )
    finally:
        anvil.stop()
    return naive, govchain


# -- reporting -----------------------------------------------------------------------------------


def report(naive: PhaseResult, govchain: PhaseResult) -> dict[str, Any]:
    ratio = govchain.rate / naive.rate
    return {
        "n": naive.n,
        "naive": {"seconds": naive.seconds, "tx_per_s": naive.rate},
        "sender": {"seconds": govchain.seconds, "tx_per_s": govchain.rate},
        "ratio": ratio,
        "target": TARGET_RATIO,
        "passed": ratio >= TARGET_RATIO,
    }


def format_table(naive: PhaseResult, govchain: PhaseResult, summary: dict[str, Any]) -> str:
    lines = [f"{'phase':<18}{'N':>6}{'seconds':>10}{'tx/s':>10}"]
    for phase in (naive, govchain):
        lines.append(f"{phase.name:<18}{phase.n:>6}{phase.seconds:>10.2f}{phase.rate:>10.1f}")
    verdict = "PASS" if summary["passed"] else "FAIL"
    lines.append(
        f"ratio (sender / naive): {summary['ratio']:.2f}x   target: >= {TARGET_RATIO:g}x   {verdict}"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.throughput", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="transactions per phase")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        naive, govchain = run_benchmark(args.n)
    except CorrectnessError as exc:
        print(f"correctness check failed: {exc}", file=sys.stderr)
        return 2
    summary = report(naive, govchain)
    print(format_table(naive, govchain, summary))
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
