"""Merkle tree build time: :class:`govchain.merkle.StandardMerkleTree` against OpenZeppelin's.

What is measured: the wall-clock time (``time.perf_counter`` in Python, ``performance.now`` in
Node) to build a ``StandardMerkleTree`` of N leaves with leaf encoding
``["uint256", "address", "uint256"]`` and read its root: ``StandardMerkleTree.of(values,
encoding).root`` on both sides. Generating the values is not timed. Node runs
``@openzeppelin/merkle-tree`` 1.0.8 from ``node_modules``, in its own process, on values it
generates itself with the same deterministic generator as Python (value ``i`` is ``[i, address
derived from i, amount derived from i]``, as decimal strings and lowercase hex), so both sides
build the same tree: the roots must be equal.

Also reported: the time of one ``get_proof`` on the Python tree (it is O(log N): the value's tree
index is precomputed). ``--checksummed`` adds a Python run on EIP-55 checksummed addresses, which
the Python tree validates (OpenZeppelin does not).

Why: tree building must stay fast enough for a registry of a million beneficiaries; the target
is 100,000 leaves in under ``TARGET_SECONDS`` on the two-core development machine.

Run from the repository root::

    .venv/bin/python -m benchmarks.merkle_build [--n 100000] [--n 1000000] [--repeat 1]
        [--checksummed] [--skip-node] [--json PATH]

``--json PATH`` also writes the rows (seconds, roots) and the verdict there, for
``python -m benchmarks``.

Exit status: 0 if the target is met (or 100,000 is not among the sizes), 1 if it is not,
2 if the Python and Node roots differ.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_utils import to_checksum_address

from govchain.merkle import StandardMerkleTree

ROOT = Path(__file__).resolve().parents[1]
ENCODING = ["uint256", "address", "uint256"]
TARGET_N = 100_000
TARGET_SECONDS = 2.0
ADDRESS_FACTOR = 0x9E3779B97F4A7C15F39CC0605CEDC8341082276B  # odd: i -> address is one-to-one

NODE_SCRIPT = r"""
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');
const n = Number(process.argv[1]);
const factor = 0x9E3779B97F4A7C15F39CC0605CEDC8341082276Bn;
const values = [];
for (let i = 0; i < n; i++) {
  const b = BigInt(i);
  const address = '0x' + (((b + 1n) * factor) % (1n << 160n)).toString(16).padStart(40, '0');
  values.push([b.toString(), address, (((b * 1000003n + 7n) ** 2n) % (10n ** 24n)).toString()]);
}
const start = performance.now();
const tree = StandardMerkleTree.of(values, ['uint256', 'address', 'uint256']);
const root = tree.root;
const seconds = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ seconds, root }));
"""


def values_for(n: int, *, checksummed: bool = False) -> list[list[str]]:
    """The benchmark's leaves (the Node script generates the same ones)."""
    values = []
    for i in range(n):
        address = "0x" + f"{(i + 1) * ADDRESS_FACTOR % (1 << 160):040x}"
        if checksummed:
            address = to_checksum_address(address)
        values.append([str(i), address, str((i * 1_000_003 + 7) ** 2 % 10**24)])
    return values


@dataclass
class Row:
    n: int
    python_seconds: float
    proof_microseconds: float
    python_root: str
    checksummed_seconds: float | None = None
    node_seconds: float | None = None
    node_root: str | None = None


def time_python(values: list[list[str]], repeat: int) -> tuple[float, StandardMerkleTree]:
    timings = []
    tree = None
    for _ in range(repeat):
        tree = None  # free the previous tree before building the next one
        start = time.perf_counter()
        tree = StandardMerkleTree.of(values, ENCODING)
        _ = tree.root
        timings.append(time.perf_counter() - start)
    assert tree is not None
    return statistics.median(timings), tree


def time_proof(tree: StandardMerkleTree) -> float:
    count = 1000
    start = time.perf_counter()
    for k in range(count):
        tree.get_proof(k * 7919 % len(tree))
    return (time.perf_counter() - start) / count * 1e6


def time_node(n: int) -> tuple[float, str]:
    done = subprocess.run(
        ["node", "--max-old-space-size=8192", "-e", NODE_SCRIPT, str(n)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"node failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    return float(result["seconds"]), str(result["root"])


def measure(n: int, repeat: int, *, checksummed: bool, node: bool) -> Row:
    values = values_for(n)
    seconds, tree = time_python(values, repeat)
    row = Row(n, seconds, time_proof(tree), tree.root)
    del tree, values
    if checksummed:
        row.checksummed_seconds, tree = time_python(values_for(n, checksummed=True), repeat)
        assert tree.root == row.python_root
        del tree
    if node:
        row.node_seconds, row.node_root = time_node(n)
    return row


def render(rows: list[Row]) -> str:
    header = ["N", "Python of+root", "Python get_proof"]
    if any(r.checksummed_seconds is not None for r in rows):
        header.append("Python, EIP-55 addresses")
    if any(r.node_seconds is not None for r in rows):
        header += ["Node (OZ 1.0.8) of+root", "Node / Python", "roots"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for r in rows:
        cells = [f"{r.n:,}", f"{r.python_seconds:.2f} s", f"{r.proof_microseconds:.0f} µs"]
        if "Python, EIP-55 addresses" in header:
            cells.append(f"{r.checksummed_seconds:.2f} s" if r.checksummed_seconds else "-")
        if r.node_seconds is not None:
            same = "equal" if r.node_root == r.python_root else "DIFFERENT"
            ratio = r.node_seconds / r.python_seconds
            cells += [f"{r.node_seconds:.2f} s", f"{ratio:.1f}×", same]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.merkle_build", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--n", type=int, action="append", help="leaves (repeatable; default 100000)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="Python runs per size (median)")
    parser.add_argument(
        "--checksummed", action="store_true", help="also time EIP-55 checksummed addresses"
    )
    parser.add_argument("--skip-node", action="store_true", help="do not run OpenZeppelin's")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    args.n = args.n or [TARGET_N]
    return args


def write_json(path: Path, rows: list[Row], repeat: int) -> None:
    """The rows (with whether each pair of roots is equal) and the target's verdict."""
    target = [r for r in rows if r.n == TARGET_N]
    summary = {
        "encoding": ENCODING,
        "repeat": repeat,
        "target_n": TARGET_N,
        "target_seconds": TARGET_SECONDS,
        "rows": [
            {
                **asdict(r),
                "roots_equal": None if r.node_root is None else r.node_root == r.python_root,
            }
            for r in rows
        ],
        "passed": None if not target else target[0].python_seconds < TARGET_SECONDS,
    }
    path.write_text(json.dumps(summary, indent=2) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    rows = []
    for n in args.n:
        rows.append(measure(n, args.repeat, checksummed=args.checksummed, node=not args.skip_node))
        print(f"measured N={n:,}", file=sys.stderr)
    print(render(rows))
    if args.json is not None:
        write_json(args.json, rows, args.repeat)
    if any(r.node_root is not None and r.node_root != r.python_root for r in rows):
        print("FAIL: the Python and Node roots differ", file=sys.stderr)
        return 2
    target_rows = [r for r in rows if r.n == TARGET_N]
    if target_rows and target_rows[0].python_seconds >= TARGET_SECONDS:
        print(f"FAIL: {TARGET_N:,} leaves took ≥ {TARGET_SECONDS} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
