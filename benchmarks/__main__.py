"""Every benchmark in one command: one table, one JSON file.

``python -m benchmarks`` (``make bench``) runs each benchmark module in a subprocess of its own
(``python -m benchmarks.<module> ... --json <tmpfile>``) so that each starts its own anvil, frees
its memory (a million-leaf tree, a million-voter roll) before the next one, and stays runnable
on its own. From the JSON each module writes it builds one list of rows (area, operation, budget,
measured, unit, result), prints them as one table with a section per area, and writes them with
the run's context (node, solc and anvil versions, date, cores) to ``benchmarks/results.json``.

What the table shows: every budgeted row (gas of each function the issues budgeted, the sender's
ratio to the naive loop, the 100,000-leaf tree build, the explorer's targets), and the
comparisons asked for beside them (the sender and naive rates, OpenZeppelin's Node tree build).
``--all`` also prints the informational rows (sub-cases, unbudgeted functions); the JSON always
holds every row, and each module's own summary and printed output.

Exit status: 0 when every benchmark ran and passed its correctness checks, whatever the budgets
(FAIL rows are reported, not enforced); 1 if a benchmark failed a correctness check or crashed
(its output is printed on stderr, and the table still shows what the others measured).

Run from the repository root::

    .venv/bin/python -m benchmarks [--only gas,merkle] [--quick] [--all] [--output PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results.json"
# A --quick run must not overwrite the committed figures of a full run.
QUICK_OUTPUT = Path(tempfile.gettempdir()) / "govchain-bench-quick.json"
GAS_AREAS = ("welfare", "procurement", "land", "customs", "ballot")
OUTPUT_TAIL = 40  # lines of a failed benchmark's output repeated on stderr


# -- rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Row:
    """One line of the combined table; ``budget`` None means informational."""

    area: str
    operation: str
    measured: float
    unit: str  # gas, s, tx/s, x (a ratio), events/s, ms
    budget: float | None = None
    comparator: str = "<="  # measured <comparator> budget passes: "<=", "<" or ">="
    headline: bool = True  # printed without --all
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.budget is None:
            return None
        return {
            "<=": self.measured <= self.budget,
            "<": self.measured < self.budget,
            ">=": self.measured >= self.budget,
        }[self.comparator]

    @property
    def result(self) -> str:
        return {None: "info", True: "PASS", False: "FAIL"}[self.passed]

    def as_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "operation": self.operation.strip(),
            "budget": self.budget,
            "comparator": None if self.budget is None else self.comparator,
            "measured": self.measured,
            "unit": self.unit,
            "result": self.result,
            **({"detail": self.detail} if self.detail else {}),
        }


# -- from each module's JSON to rows -------------------------------------------------------------


def gas_rows(area: str, summary: dict[str, Any]) -> list[Row]:
    """``benchmarks.gas.summarize``: rows of gas (or seconds) against budgets. Indented rows are
    sub-cases of the row above; the table shows the budgeted rows."""
    rows = []
    for r in summary["rows"]:
        rows.append(
            Row(
                area=area,
                operation=r["operation"],
                measured=r["measured"],
                unit=r.get("unit", "gas"),
                budget=r["budget"],
                comparator="<" if r.get("strict") else "<=",
                headline=r["budget"] is not None and not r["operation"].startswith(" "),
                detail=r.get("detail") or {},
            )
        )
    return rows


def throughput_rows(area: str, summary: dict[str, Any]) -> list[Row]:
    """``benchmarks.throughput``: the three phases' rates and the bulk path's ratio (target)."""
    n = summary["n"]
    phases = [
        ("naive", f"naive web3.py loop, {n} mints"),
        ("sender", f"Sender.send_call, {n} mints"),
        ("sender_many", f"Sender.send_many, {n} mints"),
    ]
    rows = [
        Row(
            area=area,
            operation=label,
            measured=summary[key]["tx_per_s"],
            unit="tx/s",
            detail={k: summary[key][k] for k in ("seconds", "ratio", "all_seconds")},
        )
        for key, label in phases
    ]
    rows.append(
        Row(
            area=area,
            operation="send_many / naive (same run)",
            measured=summary["ratio"],
            unit="x",
            budget=summary["target"],
            comparator=">=",
            detail={"repeat": summary["repeat"], "history_blocks": summary["history_blocks"]},
        )
    )
    return rows


def merkle_rows(area: str, summary: dict[str, Any]) -> list[Row]:
    """``benchmarks.merkle_build``: Python and Node build times for each size (equal roots)."""
    rows = []
    for r in summary["rows"]:
        n = r["n"]
        at_target = n == summary["target_n"]
        rows.append(
            Row(
                area=area,
                operation=f"tree build, {n:,} leaves: govchain.merkle (Python)",
                measured=r["python_seconds"],
                unit="s",
                budget=summary["target_seconds"] if at_target else None,
                comparator="<",
                detail={"get_proof_us": r["proof_microseconds"], "root": r["python_root"]},
            )
        )
        if r["node_seconds"] is not None:
            rows.append(
                Row(
                    area=area,
                    operation=f"tree build, {n:,} leaves: @openzeppelin/merkle-tree (Node)",
                    measured=r["node_seconds"],
                    unit="s",
                    detail={
                        "node_over_python": r["node_seconds"] / r["python_seconds"],
                        "roots_equal": r["roots_equal"],
                    },
                )
            )
    return rows


def explorer_rows(area: str, summary: dict[str, Any]) -> list[Row]:
    """``benchmarks.explorer_bench``: the indexing rate (at least) and page times (at most)."""
    return [
        Row(
            area=area,
            operation=r["measurement"],
            measured=r["measured"],
            unit=r["unit"],
            budget=r["target"],
            comparator=">=" if r["unit"] == "events/s" else "<=",
            headline=r["target"] is not None,
        )
        for r in summary["rows"]
    ]


# -- the benchmarks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    """A benchmark module, its arguments for a full and a quick run, and its rows."""

    key: str  # for --only
    area: str  # the table's section
    module: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    to_rows: Callable[[str, dict[str, Any]], list[Row]]


BENCHMARKS = (
    Benchmark(
        "welfare",
        "gas: welfare",
        "benchmarks.welfare_gas",
        (),
        ("--leaves", "10000", "--repeat", "1"),
        gas_rows,
    ),
    Benchmark("procurement", "gas: procurement", "benchmarks.procurement_gas", (), (), gas_rows),
    Benchmark("land", "gas: land", "benchmarks.land_gas", (), (), gas_rows),
    Benchmark("customs", "gas: customs", "benchmarks.customs_gas", (), (), gas_rows),
    Benchmark("ballot", "gas: ballot", "benchmarks.ballot_gas", (), ("--roll", "1000"), gas_rows),
    Benchmark(
        "throughput",
        "throughput",
        "benchmarks.throughput",
        ("--n", "500", "--repeat", "3"),
        ("--n", "20"),
        throughput_rows,
    ),
    Benchmark(
        "merkle",
        "merkle build",
        "benchmarks.merkle_build",
        ("--n", "100000", "--n", "1000000"),
        ("--n", "1000", "--n", "10000"),
        merkle_rows,
    ),
    Benchmark(
        "explorer",
        "explorer",
        "benchmarks.explorer_bench",
        (),
        ("--events", "300", "--requests", "3"),
        explorer_rows,
    ),
)
GROUPS = {"gas": GAS_AREAS}


@dataclass
class Run:
    """What one benchmark's subprocess did."""

    benchmark: Benchmark
    argv: list[str]
    exit_code: int
    seconds: float
    output: str  # what it printed (stdout and stderr), unless --verbose showed it
    summary: dict[str, Any] | None  # its --json, if it wrote one
    rows: list[Row]

    @property
    def ok(self) -> bool:
        # 1 is how throughput and merkle_build say "target missed" (after writing their JSON);
        # without a JSON, or with any other status, the benchmark failed or crashed.
        return self.summary is not None and self.exit_code in (0, 1)

    @property
    def status(self) -> str:
        if self.ok:
            return "ok"
        if self.exit_code == 2:
            return "correctness check failed"
        return f"failed (exit status {self.exit_code})"


def run(benchmark: Benchmark, quick: bool, verbose: bool) -> Run:
    """Run ``benchmark`` as ``python -m <module> ... --json <tmpfile>`` and read its rows."""
    args = list(benchmark.quick if quick else benchmark.full)
    with tempfile.TemporaryDirectory(prefix="govchain-bench-") as folder:
        path = Path(folder) / f"{benchmark.key}.json"
        argv = [sys.executable, "-m", benchmark.module, *args, "--json", str(path)]
        start = time.perf_counter()
        # Its table and notes go to our stderr (--verbose) or into the JSON: stdout keeps the
        # one combined table.
        done = subprocess.run(
            argv,
            cwd=ROOT,
            stdout=sys.stderr if verbose else subprocess.PIPE,
            stderr=None if verbose else subprocess.STDOUT,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        summary = json.loads(path.read_text()) if path.is_file() else None
    output = done.stdout or ""
    result = Run(
        benchmark, ["-m", benchmark.module, *args], done.returncode, seconds, output, None, []
    )
    if summary is not None:
        result.summary = summary
        result.rows = benchmark.to_rows(benchmark.area, summary)
    return result


# -- the table -----------------------------------------------------------------------------------


def number(value: float, unit: str) -> str:
    if unit == "gas":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "x":
        return f"{value:.1f}×"
    if unit == "events/s":
        return f"{value:,.0f} events/s"
    return f"{value:,.1f} {unit}"


def budget_cell(row: Row) -> str:
    return "-" if row.budget is None else f"{row.comparator} {number(row.budget, row.unit)}"


def format_table(runs: Sequence[Run], show_all: bool) -> str:
    """A Markdown table (area, operation, budget, measured, result); each area names its first
    row. A benchmark that failed gets an ERROR row saying so."""
    header = ("area", "operation", "budget", "measured", "result")
    cells: list[tuple[str, str, str, str, str]] = []
    for r in runs:
        shown = [row for row in r.rows if show_all or row.headline]
        lines = [
            (row.operation, budget_cell(row), number(row.measured, row.unit), row.result)
            for row in shown
        ]
        if not r.ok:
            lines.append((f"benchmark {r.status}: see stderr", "-", "-", "ERROR"))
        for k, (operation, budget, measured, result) in enumerate(lines):
            cells.append((r.benchmark.area if k == 0 else "", operation, budget, measured, result))
    widths = [max(len(line[k]) for line in [header, *cells]) for k in range(5)]
    right = (2, 3)  # numbers

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(widths[k]) if k in right else v.ljust(widths[k]) for k, v in enumerate(values)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (w + 1) + (":" if k in right else "-") for k, w in enumerate(widths)
    )
    return "\n".join([line(header), rule + "|", *(line(c) for c in cells)])


def verdict_line(runs: Sequence[Run]) -> str:
    rows = [row for r in runs for row in r.rows]
    counts = {v: sum(1 for row in rows if row.result == v) for v in ("PASS", "FAIL", "info")}
    failed = [f"{row.area}: {row.operation.strip()}" for row in rows if row.result == "FAIL"]
    line = f"{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['info']} info"
    if failed:
        line += " (budgets missed, reported not enforced: " + "; ".join(failed) + ")"
    broken = [f"{r.benchmark.key} {r.status}" for r in runs if not r.ok]
    if broken:
        line += "\nbenchmarks that did not complete: " + "; ".join(broken)
    return line


# -- context -------------------------------------------------------------------------------------


def command_version(*argv: str) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout else None


def solc_version() -> str | None:
    """The compiler the benchmarks' contracts were built with (native or solcjs)."""
    from govchain.compiler import find_solc
    from govchain.errors import GovchainError
    from govchain.project import Project

    try:
        solc = find_solc(Project.discover())
    except GovchainError:
        return None
    return f"{solc.version} ({solc.kind})"


def package_version(name: str) -> str | None:
    package = ROOT / "node_modules" / name / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.is_file() else None


def context(runs: Sequence[Run], quick: bool) -> dict[str, Any]:
    # The node the benchmarks talked to, else the project's anvil binary (e.g. --only merkle).
    anvil = next((r.summary["node"] for r in runs if r.summary and "node" in r.summary), None)
    anvil = anvil or command_version(str(ROOT / "node_modules" / ".bin" / "anvil"), "--version")
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "machine": {
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {
            "node": command_version("node", "--version"),
            "solc": solc_version(),
            "anvil": anvil,
            "openzeppelin_merkle_tree": package_version("@openzeppelin/merkle-tree"),
        },
    }


def results(runs: Sequence[Run], quick: bool) -> dict[str, Any]:
    return {
        **context(runs, quick),
        "passed": all(row.passed is not False for r in runs for row in r.rows),
        "complete": all(r.ok for r in runs),
        "rows": [row.as_json() for r in runs for row in r.rows],
        "benchmarks": {
            r.benchmark.key: {
                "area": r.benchmark.area,
                "command": ["python", *r.argv],
                "exit_status": r.exit_code,
                "status": r.status,
                "seconds": round(r.seconds, 2),
                "summary": r.summary,
                "output": r.output.splitlines(),
            }
            for r in runs
        },
    }


# -- the command ---------------------------------------------------------------------------------


def selected(only: str | None) -> list[Benchmark]:
    if only is None:
        return list(BENCHMARKS)
    keys: set[str] = set()
    for name in (part.strip() for part in only.split(",") if part.strip()):
        keys.update(GROUPS.get(name, (name,)))
    known = {b.key for b in BENCHMARKS}
    if unknown := sorted(keys - known):
        names = ", ".join([*GROUPS, *sorted(known)])
        raise SystemExit(f"--only: unknown benchmark(s) {', '.join(unknown)}; choose from {names}")
    return [b for b in BENCHMARKS if b.key in keys]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help="comma-separated: gas (the five gas benchmarks), "
        + ", ".join(b.key for b in BENCHMARKS),
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes (a smoke test: budgets may not apply)"
    )
    parser.add_argument("--all", action="store_true", help="also print the informational rows")
    parser.add_argument(
        "--verbose", action="store_true", help="let each benchmark print as it runs (stderr)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help=f"where the JSON goes (default {DEFAULT_OUTPUT.relative_to(ROOT)}; "
        f"with --quick {QUICK_OUTPUT})",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    benchmarks = selected(args.only)
    output = args.output or (QUICK_OUTPUT if args.quick else DEFAULT_OUTPUT)
    runs = []
    for k, benchmark in enumerate(benchmarks, 1):
        print(f"[{k}/{len(benchmarks)}] {benchmark.area} ({benchmark.module})", file=sys.stderr)
        done = run(benchmark, args.quick, args.verbose)
        print(f"      {done.status} in {done.seconds:.1f} s", file=sys.stderr)
        if not done.ok and done.output:
            print("\n".join(done.output.splitlines()[-OUTPUT_TAIL:]), file=sys.stderr)
        runs.append(done)
    summary = results(runs, args.quick)
    output.write_text(json.dumps(summary, indent=2) + "\n")
    versions, machine = summary["versions"], summary["machine"]
    print(format_table(runs, args.all))
    print()
    print(verdict_line(runs))
    footer = [
        versions["anvil"],
        versions["node"] and f"node {versions['node']}",
        versions["solc"] and f"solc {versions['solc']}",
        f"{machine['cores']} cores",
        summary["date"],
        f"{summary['mode']} run",
    ]
    print(f"({', '.join(part for part in footer if part)}; JSON: {output})")
    return 0 if summary["complete"] else 1


if __name__ == "__main__":
    sys.exit(main())
