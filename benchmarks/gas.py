"""What the gas benchmarks share: a devnet, checks, the table, the JSON and the exit status.

A gas benchmark (``welfare_gas``, ``procurement_gas``, ``land_gas``) hands :func:`run_main` a
function that measures on a fresh devnet (anvil started and stopped by :func:`devnet`, with the
suite deployed by :func:`deploy`), sending transactions through a govchain client and checking
each one outside the measurement (:func:`check`, :func:`event`, :class:`Balances`; a failure
raises :class:`CorrectnessError`). It returns a :class:`Result`: :class:`Row` objects, each a
measured figure against its budget (or informational), and notes. :func:`run_main` prints

- the table (:func:`format_table`), a blank line, the notes, a line naming the missed budgets if
  any, and a last line naming the node;
- with ``--json PATH``, the same numbers as JSON (:func:`summarize`, :func:`write_json`);

and returns the exit status: 0 whatever the budgets (FAIL rows are reported, not enforced), 2 if
a correctness check failed.

Benchmarks that record gas by case (several transactions of one kind, e.g. "commit") keep a
:class:`GasByCase`: a budget row is the largest of the cases it covers, and :func:`case_notes`
prints min / mean / max of each.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from govchain.accounts import dev_accounts
from govchain.chain import Chain, _web3_http, start_anvil
from govchain.clients.base import ContractClient
from govchain.compiler import compile_project
from govchain.project import Project
from govchain.sender import Receipt
from govchain.session import Session, registries

DAY = 86_400
ZERO_ADDRESS = "0x" + "00" * 20
TOKEN_ARGS = ("Public Unit", "PUB", 2)  # PaymentToken: name, symbol, decimals (1.00 PUB = 100)

Client = TypeVar("Client", bound=ContractClient)


class CorrectnessError(AssertionError):
    """A transaction did not do what it should (wrong event, state, payee or amount)."""


# -- the devnet ----------------------------------------------------------------------------------


@contextmanager
def devnet(accounts: int | None = None) -> Iterator[Session]:
    """Compile the project, start anvil (``accounts`` funded dev accounts, anvil's 10 by
    default), and yield a :class:`Session` on it; anvil is stopped on the way out, always."""
    project = Project.discover()
    compile_project(project)
    extra = () if accounts is None else ("--accounts", str(accounts))
    anvil = start_anvil(project, extra_args=extra)
    keys = list(dev_accounts() if accounts is None else dev_accounts(accounts))
    chain = Chain("local", _web3_http(anvil.url), keys, anvil=anvil, url=anvil.url)
    try:
        errors, events = registries(project)
        yield Session(project, chain, errors, events)
    finally:
        chain.close()


def node_version(session: Session) -> str:
    return str(session.chain.w3.client_version)


def deploy(
    session: Session, contract: str, client: type[Client], roles: dict[str, int]
) -> tuple[Any, Client]:
    """Deploy ``PaymentToken`` (:data:`TOKEN_ARGS`) and ``contract``, both administered by the
    session's account (also the token's minter), and grant ``roles`` (role name: index of the
    dev account) through ``contract``'s client. The token and that client, signing as the
    admin."""
    admin = session.sender.address
    token = session.deploy("PaymentToken", *TOKEN_ARGS, admin, admin)
    governance = client(session, session.deploy(contract, admin), session.sender)
    for role, index in roles.items():
        governance.grant_role(role, session.chain.accounts[index].address)
    return token, governance


@dataclass
class DevnetEnv:
    """A benchmark's deployment: the session and the payment token, with chain helpers."""

    session: Session
    token: Any

    @property
    def chain(self) -> Chain:
        return self.session.chain

    def now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    def travel_to(self, timestamp: int) -> None:
        """Mine the next block at ``timestamp`` (anvil time travel)."""
        self.chain.rpc("evm_setNextBlockTimestamp", timestamp)
        self.chain.rpc("evm_mine")

    def balance(self, address: str) -> int:
        """The payment token's balance of ``address``."""
        return int(self.token.functions.balanceOf(address).call())


# -- checks --------------------------------------------------------------------------------------


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CorrectnessError(what)


def event(receipt: Receipt, name: str) -> dict[str, Any]:
    """The arguments of the single ``name`` event of a successful ``receipt``."""
    check(receipt.status == 1, f"{receipt.tx_hash} has status {receipt.status}")
    try:
        return dict(receipt.event(name).args)
    except LookupError as exc:
        raise CorrectnessError(str(exc)) from None


class Balances:
    """Balances before a transaction (``balance_of`` each address), to check what it moved."""

    def __init__(self, balance_of: Callable[[str], int], *addresses: str) -> None:
        self.balance_of = balance_of
        self.before = {a: balance_of(a) for a in addresses}

    def moved(self, changes: dict[str, int], what: str) -> None:
        """Each address moved by exactly ``changes[address]`` (0 if not named)."""
        for address, before in self.before.items():
            got = self.balance_of(address) - before
            want = changes.get(address, 0)
            check(got == want, f"{what}: balance of {address} moved by {got}, expected {want}")


# -- rows ----------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Row:
    """One line of the table: ``measured`` against ``budget`` (None: informational)."""

    operation: str
    unit: str = "gas"  # "gas" or "s"
    measured: float
    budget: float | None = None
    strict: bool = False  # budget is "<" rather than "<="
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.budget is None:
            return None
        return self.measured < self.budget if self.strict else self.measured <= self.budget

    @property
    def verdict(self) -> str:
        return {None: "info", True: "PASS", False: "FAIL"}[self.passed]


def stats(gas: Sequence[int]) -> dict[str, Any]:
    return {"n": len(gas), "min": min(gas), "max": max(gas), "mean": statistics.mean(gas)}


class GasByCase(dict[str, list[int]]):
    """Gas of every measured transaction, by case (``"commit"``, ``"accept: ..."``)."""

    def record(self, case: str, receipt: Receipt) -> int:
        """Keep the receipt's gas under ``case`` (after its checks have passed)."""
        self.setdefault(case, []).append(receipt.gas_used)
        return receipt.gas_used

    def row(self, label: str, cases: Sequence[str], budget: int | None = None) -> Row:
        """The largest gas of ``cases``, with min / mean / max of each in the detail."""
        values = [g for c in cases for g in self[c]]
        detail = {c: stats(self[c]) for c in cases}
        return Row(operation=label, measured=max(values), budget=budget, detail=detail)

    def info_rows(self, cases: Sequence[str]) -> list[Row]:
        """An informational row for each case, named as the case."""
        return [self.row(case, [case]) for case in cases]


def case_notes(rows: Sequence[Row]) -> list[str]:
    """For each top-level row (not indented) of :meth:`GasByCase.row` that covers more than one
    transaction: every case's count, min, mean and max."""
    notes = []
    for r in rows:
        if r.operation.startswith("  ") or not any(s["n"] > 1 for s in r.detail.values()):
            continue
        cases = "; ".join(
            f"{case} n={s['n']} min {s['min']:,} mean {s['mean']:,.0f} max {s['max']:,}"
            for case, s in r.detail.items()
        )
        notes.append(f"{r.operation.strip()}: {cases}")
    return notes


def failure_notes(rows: Sequence[Row]) -> list[str]:
    """One line naming the missed budgets, if any."""
    failed = [r.operation.strip() for r in rows if r.passed is False]
    if not failed:
        return []
    return [f"FAIL: {len(failed)} budget(s) missed: " + "; ".join(failed)]


# -- reporting -----------------------------------------------------------------------------------


def _number(value: float, unit: str) -> str:
    return f"{value:.2f} s" if unit == "s" else f"{value:,.0f}"


def _budget(row: Row) -> str:
    if row.budget is None:
        return "-"
    return ("< " if row.strict else "<= ") + _number(row.budget, row.unit)


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table: operation, budget, measured, result (PASS, FAIL or info)."""
    header = ("operation", "budget", "measured", "result")
    cells = [(r.operation, _budget(r), _number(r.measured, r.unit), r.verdict) for r in rows]
    widths = [max(len(line[k]) for line in [header, *cells]) for k in range(4)]

    def line(values: Sequence[str]) -> str:
        a, b, c, d = values
        return f"| {a:<{widths[0]}} | {b:>{widths[1]}} | {c:>{widths[2]}} | {d:<{widths[3]}} |"

    rule = (
        "|"
        + "|".join("-" * (w + 1) + (":" if k in (1, 2) else "-") for k, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(header), rule, *(line(c) for c in cells)])


def rows_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """The rows as JSON objects with their result. ``unit`` and ``strict`` are left out when
    every row is a "<=" gas figure (they would say nothing)."""
    plain = all(r.unit == "gas" and not r.strict for r in rows)
    out = []
    for r in rows:
        item = {**asdict(r), "result": r.verdict}
        if plain:
            del item["unit"], item["strict"]
        out.append(item)
    return out


def summarize(
    rows: Sequence[Row],
    node: str,
    params: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON summary: the run's ``params``, the node, the rows, ``extra``, and whether every
    budget was met."""
    return {
        **params,
        "node": node,
        "rows": rows_json(rows),
        **(extra or {}),
        "passed": all(r.passed is not False for r in rows),
    }


def write_json(path: Path, summary: dict[str, Any]) -> None:
    path.write_text(json.dumps(summary, indent=2) + "\n")


@dataclass
class Result:
    """What a benchmark's measurement hands back to :func:`run_main`."""

    rows: list[Row]
    notes: list[str]  # printed under the table (the missed budgets are added by run_main)
    extra: dict[str, Any] = field(default_factory=dict)  # JSON after the rows


def run_main(
    measure: Callable[[Session], Result],
    *,
    json_path: Path | None,
    params: dict[str, Any],
    label: str,
    accounts: int | None = None,
) -> int:
    """Run ``measure`` on a fresh devnet (``accounts`` funded dev accounts), then print the
    table, the notes and the footer ``(node, label)``, and write the JSON summary (``params``
    first) to ``json_path`` if given. 0, or 2 (the reason on stderr) if a correctness check
    failed."""
    try:
        with devnet(accounts) as session:
            node = node_version(session)
            result = measure(session)
    except CorrectnessError as exc:
        print(f"correctness check failed: {exc}", file=sys.stderr)
        return 2
    rows = result.rows
    print(format_table(rows))
    print()
    print("\n".join([*result.notes, *failure_notes(rows)]))
    print(f"({node}, {label})")
    if json_path is not None:
        write_json(json_path, summarize(rows, node, params, result.extra))
    return 0
