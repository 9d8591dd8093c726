"""Transaction throughput: govchain's :class:`~govchain.sender.Sender` against a naive web3.py loop.

What is measured: the wall-clock time (``time.perf_counter``) to get N
``PaymentToken.mint(recipient, 1)`` transactions mined, on an anvil devnet (automine) that this
script starts and stops. Both phases send the same transaction, from the same account (the
deployer, the token's only minter), to the same node, and both start from the same chain state:
an ``evm_snapshot`` taken after the deployment is restored after every phase, so neither runs on
a longer chain than the other.

(a) naive: what a typical web3.py script does, one transaction at a time: the nonce from
    ``eth_getTransactionCount``, ``build_transaction`` (which estimates gas and fetches the chain
    id and fees), sign locally, ``send_raw_transaction``, then ``wait_for_transaction_receipt``
    with web3's defaults (0.1 s poll interval) before the next one;
(b) govchain: ``Sender.send_call`` N times without waiting (nonces tracked locally, gas still
    estimated per transaction), then ``Sender.wait_all`` for the receipts (events decoded).

Why: the sender exists so that independent transactions do not wait for one another; this checks
the claim that it is at least ``TARGET_RATIO`` times faster than the naive loop. After each phase
(outside the timing) every receipt must have status 1 and the recipient's balance must have grown
by exactly N, so speed is never bought with lost or failed transactions.

``--history BLOCKS`` mines that many empty blocks before the snapshot, to model a devnet that has
been running for a while: past a few hundred blocks anvil often has no receipt ready at the naive
loop's first poll, and web3's 0.1 s poll interval then dominates that loop.

Run from the repository root::

    .venv/bin/python -m benchmarks.throughput [--n 500] [--repeat 1] [--history 0] [--json PATH]

Exit status: 0 if the target is met, 1 if it is not, 2 if a correctness check failed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from govchain.accounts import dev_accounts
from govchain.chain import Chain, _web3_http, start_anvil
from govchain.compiler import compile_project, load_artifact
from govchain.project import Project
from govchain.sender import Sender
from govchain.session import registries

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract import Contract

TARGET_RATIO = 5.0
DEFAULT_N = 500
TOKEN_ARGS = ("Public Unit", "PUB", 2)
NAIVE = "naive web3.py"
SENDER = "Sender.send_call"
BULK = "Sender.send_many"


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


@dataclass(frozen=True)
class Setup:
    """What both phases share: the node, the token, who mints and who receives."""

    chain: Chain
    token: Contract
    minter: LocalAccount
    recipient: str
    sender_factory: Callable[[], Sender]


# -- setup ---------------------------------------------------------------------------------------


def start_chain(project: Project) -> Chain:
    """A throwaway anvil (no state file), wrapped in a Chain that stops it on close."""
    anvil = start_anvil(project)
    return Chain("local", _web3_http(anvil.url), list(dev_accounts()), anvil=anvil, url=anvil.url)


def deploy_token(chain: Chain, project: Project, sender: Sender) -> Contract:
    """Deploy PaymentToken with the sender's account as admin and minter."""
    artifact = load_artifact(project, "PaymentToken")
    admin = sender.address
    receipt = sender.deploy(artifact["bytecode"], artifact["abi"], *TOKEN_ARGS, admin, admin)
    if receipt.contract_address is None:
        raise CorrectnessError(f"deployment {receipt.tx_hash} has no contract address")
    address = to_checksum_address(receipt.contract_address)
    return chain.w3.eth.contract(address=address, abi=artifact["abi"])


def prepare(chain: Chain, project: Project, history: int) -> Setup:
    errors, events = registries(project)
    minter, recipient = chain.accounts[0], chain.accounts[1]

    def new_sender() -> Sender:
        # A fresh sender per phase: the chain is reverted between phases, so a cached nonce
        # would be stale; a new one starts cold (chain id, nonce, fees) as a script's would.
        return Sender(chain.w3, minter, errors=errors, events=events)

    token = deploy_token(chain, project, new_sender())
    if history > 0:
        chain.rpc("anvil_mine", hex(history))
    return Setup(chain, token, minter, recipient.address, new_sender)


# -- the two phases ------------------------------------------------------------------------------


def naive_loop(setup: Setup, n: int) -> list[int]:
    """Send, wait, send, wait... as a typical web3.py script does; returns receipt statuses."""
    from web3 import HTTPProvider, Web3

    # A plain Web3 as a script would make it (govchain's own provider caches the chain id).
    w3, account = Web3(HTTPProvider(setup.chain.url)), setup.minter
    token = w3.eth.contract(address=setup.token.address, abi=setup.token.abi)
    statuses = []
    for _ in range(n):
        nonce = w3.eth.get_transaction_count(account.address)
        tx = token.functions.mint(setup.recipient, 1).build_transaction(
            {"from": account.address, "nonce": nonce}
        )
        signed = account.sign_transaction(tx)  # type: ignore[arg-type]
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
        statuses.append(int(receipt["status"]))
    return statuses


def sender_batch(setup: Setup, n: int) -> list[int]:
    """Send all N without waiting, then collect the receipts; returns receipt statuses."""
    sender = setup.sender_factory()
    mint = setup.token.functions.mint
    pending = [sender.send_call(mint(setup.recipient, 1)) for _ in range(n)]
    return [receipt.status for receipt in sender.wait_all(pending)]


def sender_bulk(setup: Setup, n: int) -> list[int]:
    """Independent transactions as JSON-RPC batches (estimate, broadcast, receipts)."""
    sender = setup.sender_factory()
    mint = setup.token.functions.mint
    pending = sender.send_many([mint(setup.recipient, 1) for _ in range(n)])
    return [receipt.status for receipt in sender.wait_all(pending)]


PHASES: dict[str, Callable[[Setup, int], list[int]]] = {
    NAIVE: naive_loop,
    SENDER: sender_batch,
    BULK: sender_bulk,
}
KEYS = {NAIVE: "naive", SENDER: "sender", BULK: "sender_many"}


# -- measuring and checking ----------------------------------------------------------------------


def balance(setup: Setup) -> int:
    return int(setup.token.functions.balanceOf(setup.recipient).call())


def measure(name: str, setup: Setup, n: int) -> PhaseResult:
    """Time one phase, then check its receipts and the recipient's balance."""
    before = balance(setup)
    start = time.perf_counter()
    statuses = PHASES[name](setup, n)
    seconds = time.perf_counter() - start
    check(name, n, statuses, balance(setup) - before)
    return PhaseResult(name, n, seconds)


def check(name: str, n: int, statuses: Sequence[int], minted: int) -> None:
    if len(statuses) != n:
        raise CorrectnessError(f"{name}: {len(statuses)} receipts for {n} transactions")
    failed = sum(1 for status in statuses if status != 1)
    if failed:
        raise CorrectnessError(f"{name}: {failed} of {n} receipts have status 0")
    if minted != n:
        raise CorrectnessError(f"{name}: recipient balance grew by {minted}, expected {n}")


def revert_to(chain: Chain, snapshot: str) -> str:
    """Restore ``snapshot`` (anvil consumes it) and return a fresh one of the same state."""
    if chain.rpc("evm_revert", snapshot) is not True:
        raise CorrectnessError(f"evm_revert({snapshot}) failed")
    return str(chain.rpc("evm_snapshot"))


def run_phases(setup: Setup, n: int, repeat: int) -> dict[str, list[PhaseResult]]:
    """Alternate the phases ``repeat`` times, each from the same snapshot."""
    results: dict[str, list[PhaseResult]] = {name: [] for name in PHASES}
    snapshot = str(setup.chain.rpc("evm_snapshot"))
    for _ in range(repeat):
        for name in PHASES:
            results[name].append(measure(name, setup, n))
            snapshot = revert_to(setup.chain, snapshot)
    return results


def run_benchmark(n: int, repeat: int = 1, history: int = 0) -> dict[str, list[PhaseResult]]:
    """Start anvil, deploy the token, run the phases; anvil is always stopped."""
    project = Project.discover()
    compile_project(project)
    chain = start_chain(project)
    try:
        return run_phases(prepare(chain, project, history), n, repeat)
    finally:
        chain.close()


# -- reporting -----------------------------------------------------------------------------------


def median_result(results: Sequence[PhaseResult]) -> PhaseResult:
    seconds = statistics.median_low(r.seconds for r in results)
    return PhaseResult(results[0].name, results[0].n, seconds)


def summarize(results: dict[str, list[PhaseResult]], history: int) -> dict[str, Any]:
    medians = {name: median_result(runs) for name, runs in results.items()}
    naive = medians[NAIVE]
    summary: dict[str, Any] = {
        "n": naive.n,
        "repeat": len(results[NAIVE]),
        "history_blocks": history,
        "target": TARGET_RATIO,
    }
    for name, result in medians.items():
        summary[KEYS[name]] = {
            "seconds": result.seconds,
            "tx_per_s": result.rate,
            "ratio": result.rate / naive.rate,
            "all_seconds": [r.seconds for r in results[name]],
        }
    # The target is for the sender's bulk path: independent transactions, sent together.
    summary["ratio"] = summary[KEYS[BULK]]["ratio"]
    summary["passed"] = summary["ratio"] >= TARGET_RATIO
    return summary


def format_table(summary: dict[str, Any]) -> str:
    lines = [f"{'phase':<18}{'N':>6}{'seconds':>10}{'tx/s':>10}{'vs naive':>10}"]
    for name, key in KEYS.items():
        row = summary[key]
        lines.append(
            f"{name:<18}{summary['n']:>6}{row['seconds']:>10.2f}{row['tx_per_s']:>10.1f}"
            f"{row['ratio']:>9.2f}x"
        )
    verdict = "PASS" if summary["passed"] else "FAIL"
    ratio, target = summary["ratio"], summary["target"]
    lines.append(f"ratio ({BULK} / naive): {ratio:.2f}x   target: >= {target:g}x   {verdict}")
    if summary["repeat"] > 1 or summary["history_blocks"]:
        lines.append(
            f"(median of {summary['repeat']} run(s) each; "
            f"{summary['history_blocks']} empty blocks of history before the phases)"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.throughput",
        description="Throughput of govchain's Sender against a naive web3.py loop on anvil.",
    )
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="transactions per phase")
    parser.add_argument("--repeat", type=int, default=1, help="runs per phase (median reported)")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="BLOCKS",
        help="empty blocks to mine before measuring (a devnet with history)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1 or args.history < 0:
        parser.error("--n and --repeat must be at least 1, --history at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = run_benchmark(args.n, args.repeat, args.history)
    except CorrectnessError as exc:
        print(f"correctness check failed: {exc}", file=sys.stderr)
        return 2
    summary = summarize(results, args.history)
    print(format_table(summary))
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
