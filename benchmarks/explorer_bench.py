"""Citizen explorer at scale: indexing rate for N govchain events, and page times at that size.

What is measured, on an anvil devnet (automine: one transaction per block, the explorer's usual
chain and the indexer's worst case) that this script starts and stops, with the whole suite
deployed by ``govchain.deploy.deploy_suite`` into a throwaway copy of the project (the
repository's ``deployments/`` is never touched):

1. generation (not timed for the table, printed as a note): the land registrar registers N - k
   parcels through ``Sender.send_many`` (JSON-RPC batches of 100), each one ``ParcelRegistered``
   event, after the k events of the deployment and role grant (``RoleGranted``);
2. indexing: ``Indexer.sync()`` from the deployment block to the head into a fresh SQLite file
   (``time.perf_counter`` around the call), reported as events/s. Then every indexed event is
   checked against the chain: as many rows as ``ParcelRegistered`` logs, all parcels present;
3. pages: the web app served in-process (Starlette's test client: no network in the timing),
   each page requested once to warm up, then ``--requests`` times; the median is reported for
   the domain list (``/records/parcel``: N parcels, first page of 100), a transaction page
   (``/tx/…``, a different registration each time: decoded call, logs in words, live reads)
   and, informational, the home page, a parcel's record page (live checks against the
   registry) and the full CSV list of N parcels.

Run from the repository root::

    .venv/bin/python -m benchmarks.explorer_bench [--events 10000] [--requests 20] [--json PATH]

Exit status: 0 whatever the targets (FAIL rows are reported, not enforced); 2 if a correctness
check failed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak
from starlette.testclient import TestClient

from govchain.accounts import dev_accounts
from govchain.chain import Chain, _web3_http, start_anvil
from govchain.clients.land import LandClient, ParcelSpec, parcel_id
from govchain.compiler import compile_project
from govchain.deploy import deploy_suite
from govchain.explorer.app import Explorer, create_app
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.project import Project
from govchain.session import Session, registries

DEFAULT_EVENTS = 10_000
DEFAULT_REQUESTS = 20
DEFAULT_PER_BLOCK = 100  # a busy chain's block; anvil slows down badly past ~10,000 blocks
TARGET_RATE = 1_000.0  # events/s: a day of a busy registry indexed in seconds
TARGET_PAGE = 0.25  # s: the median page a citizen waits for
DEED = b"\x11" * 32


class CorrectnessError(AssertionError):
    """The index does not hold what the chain says."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CorrectnessError(what)


@dataclass
class Row:
    measurement: str
    unit: str  # "events/s" or "ms"
    measured: float
    target: float | None = None  # events/s: at least; ms: at most

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "info"
        ok = (
            self.measured >= self.target
            if self.unit == "events/s"
            else self.measured <= self.target
        )
        return "PASS" if ok else "FAIL"

    def cells(self) -> tuple[str, str, str, str]:
        def number(value: float) -> str:
            return f"{value:,.0f} {self.unit}" if self.unit == "events/s" else f"{value:,.1f} ms"

        if self.target is None:
            target = "-"
        else:
            target = (">= " if self.unit == "events/s" else "<= ") + number(self.target)
        return (self.measurement, target, number(self.measured), self.verdict)


def format_table(rows: list[Row]) -> str:
    """A Markdown table in the style of the gas benchmarks: what, target, measured, result."""
    header = ("measurement", "target", "measured", "result")
    cells = [r.cells() for r in rows]
    widths = [max(len(line[k]) for line in [header, *cells]) for k in range(4)]

    def line(values: tuple[str, ...]) -> str:
        a, b, c, d = values
        return f"| {a:<{widths[0]}} | {b:>{widths[1]}} | {c:>{widths[2]}} | {d:<{widths[3]}} |"

    rule = (
        "|"
        + "|".join("-" * (w + 1) + (":" if k in (1, 2) else "-") for k, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(header), rule, *(line(c) for c in cells)])


@contextmanager
def throwaway_project() -> Iterator[Project]:
    """A copy of the repository's project (contracts and node_modules linked, build copied) so
    that the deployment record this benchmark writes lands in a temporary folder."""
    source = Project.discover()
    compile_project(source)
    with tempfile.TemporaryDirectory(prefix="govchain-explorer-bench-") as folder:
        base = Path(folder)
        shutil.copy(source.root / "govchain.yaml", base / "govchain.yaml")
        (base / "node_modules").symlink_to(source.node_modules)
        (base / "contracts").symlink_to(source.contracts_dir)
        shutil.copytree(source.build_dir, base / "build")
        yield Project.load(base)


def median_seconds(fetch: Callable[[int], Any], requests: int) -> float:
    fetch(-1)  # warm-up: templates compiled, connections open
    times = []
    for i in range(requests):
        start = time.perf_counter()
        fetch(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(
    events: int, requests: int, per_block: int
) -> tuple[list[Row], list[str], dict[str, Any]]:
    with throwaway_project() as project:
        anvil = start_anvil(project)
        chain = Chain(
            "local", _web3_http(anvil.url), list(dev_accounts()), anvil=anvil, url=anvil.url
        )
        try:
            errors, event_registry = registries(project)
            session = Session(project, chain, errors, event_registry)
            deploy_suite(project, chain, session.sender)
            rows, notes = _measure(session, events, requests, per_block)
            return rows, notes, {"node": str(chain.w3.client_version)}
        finally:
            chain.close()


def _measure(
    session: Session, events: int, requests: int, per_block: int
) -> tuple[list[Row], list[str]]:
    chain = session.chain
    registrar_account, owner = chain.accounts[1], chain.accounts[5].address
    land = LandClient.connect(session)
    land.grant_role("REGISTRAR_ROLE", registrar_account.address)
    store_dir = Path(tempfile.mkdtemp(prefix="govchain-explorer-db-"))
    try:
        # How many events the deployment made (role grants): the rest are registrations.
        probe = Store(f"sqlite:///{store_dir / 'probe.db'}")
        before = Indexer(session, probe).sync().events
        parcels = max(0, events - before)
        registrar = land.as_account(registrar_account)
        calls = [
            registrar.contract.functions.register(
                parcel_id(f"{i // 100:04d}-{i % 100:02d}"),
                owner,
                ParcelSpec(keccak(i.to_bytes(32, "big")), 100 + i % 900, 110).as_struct(),
                DEED,
            )
            for i in range(parcels)
        ]
        start = time.perf_counter()
        receipts = []
        chain.rpc("evm_setAutomine", False)
        try:
            for first in range(0, len(calls), per_block):
                pending = registrar.sender.send_many(calls[first : first + per_block])
                while int(chain.rpc("txpool_status")["pending"], 16):
                    chain.rpc("evm_mine")  # until every transaction of the batch is in a block
                receipts += registrar.sender.wait_all(pending)
        finally:
            chain.rpc("evm_setAutomine", True)
        generated = time.perf_counter() - start
        check(all(r.status == 1 for r in receipts), "a registration failed")
        txs = [r.tx_hash for r in receipts]

        store = Store(f"sqlite:///{store_dir / 'explorer.db'}")
        indexer = Indexer(session, store)
        start = time.perf_counter()
        report = indexer.sync()
        indexing = time.perf_counter() - start
        head = int(chain.w3.eth.block_number)
        check(
            report.events == before + parcels,
            f"indexed {report.events} events, expected {before + parcels}",
        )
        check(store.count_records("parcel") == parcels, "parcels missing from the index")
        check(store.counts()["transactions"] >= parcels, "transactions missing from the index")
        again = time.perf_counter()
        check(indexer.sync().events == 0, "a second sync found new events")
        idle = time.perf_counter() - again

        explorer = Explorer(session, store, indexer)
        rows: list[Row] = [
            Row(
                f"indexing {report.events:,} events ({head:,} blocks)",
                "events/s",
                report.events / indexing,
                TARGET_RATE,
            ),
        ]
        with TestClient(create_app(explorer, sync_every=None)) as client:

            def get(path: str) -> Any:
                response = client.get(path)
                check(response.status_code == 200, f"{path}: status {response.status_code}")
                return response

            def tx_page(i: int) -> Any:
                page = get(f"/tx/{txs[(i * 997) % len(txs)]}")
                check("ParcelRegistered" in page.text, "tx page without its event")

            def list_page(_: int) -> Any:
                page = get("/records/parcel")
                check(f"{parcels:,} records" in page.text, "list page without its count")

            pages = [
                (
                    f"domain list: /records/parcel (page 1 of {-(-parcels // 100):,})",
                    list_page,
                    TARGET_PAGE,
                ),
                ("transaction page: /tx/…", tx_page, TARGET_PAGE),
                ("  home page: /", lambda _: get("/"), None),
                (
                    "  record page: /records/parcel/0000-00",
                    lambda _: get("/records/parcel/0000-00"),
                    None,
                ),
                (
                    f"  full CSV list: /records/parcel.csv ({parcels:,} rows)",
                    lambda _: get("/records/parcel.csv"),
                    None,
                ),
            ]
            for label, fetch, target in pages:
                seconds = median_seconds(fetch, requests)
                rows.append(
                    Row(label, "ms", seconds * 1000, None if target is None else target * 1000)
                )
        notes = [
            f"generated {parcels:,} registrations in {generated:.1f} s "
            f"({parcels / generated:,.0f} tx/s through Sender.send_many), plus {before} events "
            "of the deployment",
            f"indexing took {indexing:.2f} s; a sync with nothing new {idle * 1000:.1f} ms",
            f"page times: median of {requests} requests each, after one warm-up request",
        ]
        return rows, notes
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument(
        "--per-block",
        type=int,
        default=DEFAULT_PER_BLOCK,
        help="registrations mined per block (1: one transaction per block, as anvil automines)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)
    try:
        rows, notes, extra = measure(args.events, args.requests, args.per_block)
    except CorrectnessError as exc:
        print(f"correctness check failed: {exc}", file=sys.stderr)
        return 2
    print(format_table(rows))
    print()
    print("\n".join(notes))
    failed = [r.measurement.strip() for r in rows if r.verdict == "FAIL"]
    if failed:
        print(f"FAIL: {len(failed)} target(s) missed: " + "; ".join(failed))
    print(f"({extra['node']}, {args.events:,} events, {args.per_block} per block, SQLite)")
    if args.json is not None:
        summary = {
            "events": args.events,
            "requests": args.requests,
            "per_block": args.per_block,
            **extra,
            "rows": [
                {
                    "measurement": r.measurement.strip(),
                    "unit": r.unit,
                    "measured": r.measured,
                    "target": r.target,
                    "result": r.verdict,
                }
                for r in rows
            ],
            "notes": notes,
        }
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
