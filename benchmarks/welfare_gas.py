"""Gas of ``WelfareDisbursement`` through its Python client, against the issue's budgets.

What is measured: ``gas_used`` from the receipts of real transactions on an anvil devnet that
this script starts and stops, each sent through :class:`~govchain.clients.welfare.WelfareClient`
(so what agencies run is what is measured), plus the wall-clock time of
``RoundPlan.from_entitlements`` for the round's beneficiary list.

Set-up (as ``tests/test_welfare.py``): ``PaymentToken`` and ``WelfareDisbursement`` deployed, the
programme roles granted to distinct dev accounts, the funding account minted and approved, one
programme with no claim delay. The data are deterministic: beneficiary ``i`` is the address
``keccak256(SEED_TAG || i)[12:]`` (an account nobody holds, with no token) and is owed
``100 + (i * 7919) % 10_000`` token units (1.00 to 100.99 PUB). Index choices use
``random.Random(--seed)``.

- **propose / publish round**: a first round of one beneficiary, then the ``--leaves`` round;
  the table shows the larger figure of each (the first publication on a deployment is the
  dearest: it creates the contract's token balance).
- **claim**: ``WelfareClient.claim`` sent by a third party (a relayer account), each to a fresh
  address. "random": 25 indexes drawn at random, each in a bitmap word no other measured
  transaction touches (every claim sets a new word: the cold case); "consecutive": 25 adjacent
  indexes (the first sets a new word, the others share it).
- **batch pay**: ``WelfareClient.batch_pay`` (one multiproof per batch) from the payer account;
  two adjacent batches of 200 consecutive indexes laid out as ``pay_all`` lays them out
  (starting at a multiple of 200), and one batch of 200 random indexes (informational).
  Amortised = the batch's ``gas_used`` / 200 (the 21,000 base cost and calldata included).
- **tree build**: ``RoundPlan.from_entitlements`` over ``(address, amount)`` rows with lowercase
  addresses (it validates and checksums them, then builds the tree); also, for context,
  ``StandardMerkleTree.of`` alone on the checksummed leaves.

After each transaction (outside any timing): status 1, one ``Claimed`` event per beneficiary with
the right index, the beneficiary's balance from 0 to its amount (claims), the round's
``remaining`` down by exactly what was paid (batches). A failed check exits with status 2.

Run from the repository root::

    .venv/bin/python -m benchmarks.welfare_gas [--leaves 100000] [--seed 7] [--json PATH]

Exit status: 0 (budgets are reported, not enforced; FAIL rows are printed as such), 2 if a
correctness check failed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak

from benchmarks import gas as bench
from benchmarks.gas import CorrectnessError, Row
from govchain.clients.welfare import LEAF_ENCODING, RoundPlan, WelfareClient
from govchain.merkle import StandardMerkleTree
from govchain.sender import Receipt
from govchain.session import Session

DEFAULT_LEAVES = 100_000
DEFAULT_SEED = 7
DEFAULT_REPEAT = 3
MIN_LEAVES = 10_000  # 25 bitmap words of their own for the random claims, and spare ones
CLAIMS = 25
BATCH = 200
CONSECUTIVE_BATCHES = 2
WORD_BITS = 256  # the contract's settled-bitmap word
FUNDS = 10**15
SEED_TAG = b"govchain/benchmarks/welfare_gas"
MANAGER, OFFICER, PAYER, FUNDING, RELAYER = 1, 2, 4, 5, 9  # dev accounts (0: the admin)
DOC = keccak(text="welfare gas benchmark round")

BUDGET_ROUND = 150_000
BUDGET_CLAIM_RANDOM = 95_000
BUDGET_CLAIM_CONSECUTIVE = 78_000
BUDGET_BATCH = 35_000
BUDGET_BUILD_SECONDS = 2.0
BUDGET_LEAVES = 100_000  # the claim and build budgets are stated for a round of this size

# Uniswap merkle-distributor, as quoted in the issue (not measured here).
REFERENCE_RANDOM = 93_048
REFERENCE_CONSECUTIVE = 76_689


# -- data ----------------------------------------------------------------------------------------


def beneficiary(i: int) -> str:
    """A deterministic fresh address (lowercase hex): nobody holds its key or its token."""
    return "0x" + keccak(SEED_TAG + i.to_bytes(32, "big"))[12:].hex()


def amount(i: int) -> int:
    return 100 + (i * 7919) % 10_000


def rows_for(n: int, offset: int = 0) -> list[tuple[str, int]]:
    return [(beneficiary(offset + i), amount(offset + i)) for i in range(n)]


@dataclass(frozen=True)
class Layout:
    """Which indexes of the round each measurement uses; no two measurements share a bitmap word."""

    random_claims: list[int]
    consecutive_claims: list[int]
    consecutive_batches: list[list[int]]
    random_batch: list[int]


def layout(n: int, seed: int) -> Layout:
    rng = random.Random(seed)
    first = n * 6 // 10
    consecutive_claims = list(range(first, first + CLAIMS))
    start = n * 7 // 10 // BATCH * BATCH  # where pay_all's batches start: multiples of 200
    batches = [
        list(range(start + k * BATCH, start + (k + 1) * BATCH)) for k in range(CONSECUTIVE_BATCHES)
    ]
    reserved = {i // WORD_BITS for i in consecutive_claims}
    reserved |= {i // WORD_BITS for batch in batches for i in batch}
    # Random claims: each in a bitmap word of its own (and of no other measurement).
    words = [w for w in range((n + WORD_BITS - 1) // WORD_BITS) if w not in reserved]
    random_claims = []
    for word in rng.sample(words, CLAIMS):
        high = min(n, (word + 1) * WORD_BITS)
        random_claims.append(rng.randrange(word * WORD_BITS, high))
    # Random batch: any 200 other indexes outside the words used above.
    reserved |= {i // WORD_BITS for i in random_claims}
    pool = [i for i in range(n) if i // WORD_BITS not in reserved]
    random_batch = rng.sample(pool, BATCH)
    return Layout(random_claims, consecutive_claims, batches, random_batch)


# -- set-up --------------------------------------------------------------------------------------


@dataclass
class Env(bench.DevnetEnv):
    officer: WelfareClient
    manager: WelfareClient
    payer: WelfareClient
    relayer: WelfareClient
    programme_id: int


def set_up(session: Session) -> Env:
    accounts = session.chain.accounts
    manager, officer, payer, funding, relayer = (
        accounts[i] for i in (MANAGER, OFFICER, PAYER, FUNDING, RELAYER)
    )
    roles = {
        "PROGRAMME_MANAGER_ROLE": MANAGER,
        "ELIGIBILITY_OFFICER_ROLE": OFFICER,
        "PAYER_ROLE": PAYER,
    }
    token, governance = bench.deploy(session, "WelfareDisbursement", WelfareClient, roles)
    session.sender.transact(token.functions.mint(funding.address, FUNDS))
    session.sender_for(funding).transact(token.functions.approve(governance.address, 2**256 - 1))
    created = governance.create_programme(
        name="Benchmark allowance",
        token=token.address,
        funding=funding.address,
        manager=manager.address,
        officer=officer.address,
        document_hash=keccak(text="programme rules"),
    )
    return Env(
        session=session,
        token=token,
        officer=governance.as_account(officer),
        manager=governance.as_account(manager),
        payer=governance.as_account(payer),
        relayer=governance.as_account(relayer),
        programme_id=int(created.event("ProgrammeCreated")["programmeId"]),
    )


# -- measurements --------------------------------------------------------------------------------


def open_round(env: Env, plan: RoundPlan) -> tuple[int, int, int]:
    """Propose and publish ``plan`` (open now, for 90 days): round id and the two gas figures."""
    proposed = env.officer.propose_round(env.programme_id, plan, DOC)
    round_id = int(proposed.event("RoundProposed")["roundId"])
    now = env.now()
    published = env.manager.publish_round(round_id, now, now + 90 * bench.DAY)
    record = env.manager.round(round_id)
    if record.status != "Published" or record.remaining != plan.total:
        raise CorrectnessError(f"round {round_id}: {record.status}, remaining {record.remaining}")
    return round_id, proposed.gas_used, published.gas_used


def check_claimed(receipt: Receipt, plan: RoundPlan, indexes: Sequence[int]) -> None:
    if receipt.status != 1:
        raise CorrectnessError(f"{receipt.tx_hash} has status {receipt.status}")
    events = receipt.events_named("Claimed")
    got = sorted(int(e["index"]) for e in events)
    if got != sorted(indexes):
        raise CorrectnessError(f"{receipt.tx_hash}: Claimed for {got[:5]}…, wanted {indexes[:5]}…")
    for event in events:
        e = plan.entitlement(int(event["index"]))
        if event["beneficiary"] != e.beneficiary or int(event["amount"]) != e.amount:
            raise CorrectnessError(f"{receipt.tx_hash}: Claimed {dict(event.args)} is not {e}")


def claims(env: Env, round_id: int, plan: RoundPlan, indexes: Sequence[int]) -> list[int]:
    """Claim each index as the relayer; gas of each, after checking who got what."""
    gas = []
    for index in indexes:
        e = plan.entitlement(index)
        if env.balance(e.beneficiary) != 0:
            raise CorrectnessError(f"{e.beneficiary} (index {index}) already holds the token")
        receipt = env.relayer.claim(round_id, plan, index)
        check_claimed(receipt, plan, [index])
        if receipt.sender == e.beneficiary:
            raise CorrectnessError("the claim must be sent by a third party")
        if env.balance(e.beneficiary) != e.amount:
            raise CorrectnessError(f"index {index}: {e.beneficiary} was not paid {e.amount}")
        gas.append(receipt.gas_used)
    return gas


def batch(env: Env, round_id: int, plan: RoundPlan, indexes: list[int]) -> dict[str, Any]:
    """One batch_pay as the payer; its gas, after checking the events and the accounting."""
    before = env.payer.round(round_id).remaining
    proof_nodes = len(plan.tree.get_multi_proof(indexes).proof)
    receipt = env.payer.batch_pay(round_id, plan, indexes)
    check_claimed(receipt, plan, indexes)
    owed = sum(plan.entitlement(i).amount for i in indexes)
    paid = before - env.payer.round(round_id).remaining
    if paid != owed:
        raise CorrectnessError(f"batch {receipt.tx_hash}: round paid {paid}, owed {owed}")
    return {
        "gas": receipt.gas_used,
        "per_beneficiary": receipt.gas_used / len(indexes),
        "proof_nodes": proof_nodes,
        "bitmap_words": len({i // WORD_BITS for i in indexes}),
        "first_index": min(indexes),
    }


def time_build(
    rows: list[tuple[str, int]], repeat: int
) -> tuple[RoundPlan, list[float], list[float]]:
    """``from_entitlements`` on the rows; then ``StandardMerkleTree.of`` alone, for context.

    Each is timed ``repeat`` times (the previous result freed first).
    """
    builds: list[float] = []
    plan: RoundPlan | None = None
    for _ in range(repeat):
        plan = None
        start = time.perf_counter()
        plan = RoundPlan.from_entitlements(rows)
        _ = plan.root
        builds.append(time.perf_counter() - start)
    assert plan is not None
    leaves = [e.as_leaf() for e in plan.entitlements]
    # Time the tree the client builds: index order, unless it (still) sorts its leaves.
    sample = 16  # leaves whose hashes happen to be in sorted order: odds 1 in 16!
    sort_leaves = (
        StandardMerkleTree.of(leaves[:sample], LEAF_ENCODING, sort_leaves=False).root
        != RoundPlan.from_entitlements(rows[:sample]).root
    )
    trees: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        tree = StandardMerkleTree.of(leaves, LEAF_ENCODING, sort_leaves=sort_leaves)
        _ = tree.root
        trees.append(time.perf_counter() - start)
        if tree.root != plan.root:
            raise CorrectnessError("StandardMerkleTree.of and RoundPlan disagree on the root")
        del tree
    return plan, builds, trees


def measure(session: Session, n: int, seed: int, repeat: int) -> bench.Result:
    plan, builds, trees = time_build(rows_for(n), repeat)
    if len(plan) != n:
        raise CorrectnessError(f"the plan has {len(plan)} leaves, not {n}")
    where = layout(n, seed)
    env = set_up(session)

    small = RoundPlan.from_entitlements(rows_for(1, offset=n))
    _, propose_small, publish_small = open_round(env, small)  # first round of the deployment
    round_id, propose_big, publish_big = open_round(env, plan)

    random_gas = claims(env, round_id, plan, where.random_claims)
    consecutive_gas = claims(env, round_id, plan, where.consecutive_claims)
    consecutive_batches = [batch(env, round_id, plan, b) for b in where.consecutive_batches]
    random_batch = batch(env, round_id, plan, where.random_batch)
    batch_gas = sum(b["gas"] for b in consecutive_batches)

    size = f"{n:,} leaves"
    rounds = ("first round (1 leaf)", f"second round ({size})")
    propose = dict(zip(rounds, (propose_small, propose_big), strict=True))
    publish = dict(zip(rounds, (publish_small, publish_big), strict=True))
    at_size = n == BUDGET_LEAVES  # other sizes: the claim and build rows are informational
    rows = [
        Row(
            operation="propose round (any size)",
            measured=max(propose.values()),
            budget=BUDGET_ROUND,
            detail=propose,
        ),
        Row(
            operation="publish round (any size)",
            measured=max(publish.values()),
            budget=BUDGET_ROUND,
            detail=publish,
        ),
        Row(
            operation=f"claim, {CLAIMS} random indexes, mean ({size})",
            measured=statistics.mean(random_gas),
            budget=BUDGET_CLAIM_RANDOM if at_size else None,
            detail={"indexes": where.random_claims, "gas": random_gas},
        ),
        Row(
            operation=f"claim, {CLAIMS} consecutive indexes, mean",
            measured=statistics.mean(consecutive_gas),
            budget=BUDGET_CLAIM_CONSECUTIVE if at_size else None,
            detail={"indexes": where.consecutive_claims, "gas": consecutive_gas},
        ),
        Row(
            operation=f"batch pay, {BATCH} consecutive, per beneficiary",
            measured=batch_gas / (BATCH * len(consecutive_batches)),
            budget=BUDGET_BATCH,
            detail={"batches": consecutive_batches},
        ),
        Row(
            operation=f"batch pay, {BATCH} random, per beneficiary",
            measured=random_batch["per_beneficiary"],
            detail={"batches": [random_batch], "indexes": where.random_batch},
        ),
        Row(
            operation=f"tree build, {n:,} leaves (RoundPlan.from_entitlements)",
            unit="s",
            measured=statistics.median(builds),
            budget=BUDGET_BUILD_SECONDS if at_size else None,
            strict=True,
            detail={"seconds": builds},
        ),
        Row(
            operation="  of which StandardMerkleTree.of alone",
            unit="s",
            measured=statistics.median(trees),
            detail={"seconds": trees},
        ),
    ]
    reference = {"random": REFERENCE_RANDOM, "consecutive": REFERENCE_CONSECUTIVE}
    return bench.Result(rows, format_notes(rows), {"reference_uniswap": reference})


# -- reporting -----------------------------------------------------------------------------------


def format_notes(rows: Sequence[Row]) -> list[str]:
    propose, publish = rows[0].detail, rows[1].detail
    notes = [
        "propose / publish: " + "; ".join(f"{k} {propose[k]:,} / {publish[k]:,}" for k in propose),
    ]
    for r in rows:
        if r.operation.startswith("claim"):
            kind = "random" if "random" in r.operation else "consecutive"
            gas = r.detail["gas"]
            notes.append(f"claims, {kind}: min {min(gas):,}, max {max(gas):,}")
        for b in r.detail.get("batches", []):
            kind = "consecutive" if "consecutive" in r.operation else "random"
            notes.append(
                f"batch of {BATCH} {kind} (lowest index {b['first_index']:,}): {b['gas']:,} gas, "
                f"multiproof {b['proof_nodes']:,} nodes, {b['bitmap_words']} bitmap word(s)"
            )
    notes.append(
        f"reference, not measured here: Uniswap merkle-distributor claim {REFERENCE_RANDOM:,} "
        f"random / {REFERENCE_CONSECUTIVE:,} consecutive (figures quoted in the issue)"
    )
    return notes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.welfare_gas",
        description="Gas of WelfareDisbursement (via WelfareClient) against the issue's budgets.",
    )
    parser.add_argument(
        "--leaves", type=int, default=DEFAULT_LEAVES, help="beneficiaries in the measured round"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="for the random indexes")
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, help="tree builds timed (median reported)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    if args.leaves < MIN_LEAVES:
        parser.error(f"--leaves must be at least {MIN_LEAVES} (room for every measurement)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench.run_main(
        lambda session: measure(session, args.leaves, args.seed, args.repeat),
        json_path=args.json,
        params={"leaves": args.leaves, "seed": args.seed, "repeat": args.repeat},
        label=f"seed {args.seed}",
    )


if __name__ == "__main__":
    sys.exit(main())
