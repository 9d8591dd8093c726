"""``python -m benchmarks``: one table and one JSON file from every benchmark module.

The smoke test runs the real aggregator in ``--quick`` mode on a subset (a gas benchmark, the
Merkle build with Node beside Python, the sender's throughput); the exit-status tests run it on
stand-in modules written to a temporary folder, so that a budget missed and a correctness
failure can each be produced on demand.

The module is loaded from its file: the venv's ``cchecksum`` ships a top-level ``benchmarks``
package of its own, which ``import benchmarks`` would find first from the tests.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

MAIN = Path(__file__).resolve().parents[1] / "benchmarks" / "__main__.py"


def load_main() -> ModuleType:
    spec = importlib.util.spec_from_file_location("govchain_benchmarks_main", MAIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench_main = load_main()

ROW_KEYS = {"area", "operation", "budget", "comparator", "measured", "unit", "result"}


def table_lines(out: str) -> list[list[str]]:
    """The cells of each table row printed on stdout (header and rule included)."""
    return [
        [c.strip() for c in line.strip("|").split("|")]
        for line in out.splitlines()
        if line.startswith("|")
    ]


def test_quick_subset_prints_one_table_and_writes_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "results.json"
    status = bench_main.main(
        ["--only", "land,merkle,throughput", "--quick", "--output", str(output)]
    )
    out = capsys.readouterr().out

    assert status == 0
    lines = table_lines(out)
    assert lines[0] == ["area", "operation", "budget", "measured", "result"]
    areas = [cells[0] for cells in lines[2:] if cells[0]]
    assert areas == ["gas: land", "throughput", "merkle build"]  # one section each, in order
    operations = {cells[1]: cells for cells in lines[2:]}
    land = operations["first registration (largest case)"]
    assert land[2] == "<= 160,000" and land[4] in ("PASS", "FAIL")
    assert "send_many / naive (same run)" in operations
    node_row = operations["tree build, 10,000 leaves: @openzeppelin/merkle-tree (Node)"]
    assert node_row[3].endswith(" s") and node_row[4] == "info"
    assert all(cells[4] in ("PASS", "FAIL", "info") for cells in lines[2:])

    results = json.loads(output.read_text())
    assert results["mode"] == "quick" and results["complete"] is True
    assert results["machine"]["cores"] >= 1
    assert results["versions"]["node"].startswith("v")
    assert results["versions"]["solc"].startswith("0.8.")
    assert results["versions"]["anvil"].startswith("anvil")
    assert set(results["benchmarks"]) == {"land", "throughput", "merkle"}
    assert all(b["exit_status"] in (0, 1) for b in results["benchmarks"].values())
    rows = results["rows"]
    assert all(set(r) >= ROW_KEYS for r in rows)
    assert {r["area"] for r in rows} == {"gas: land", "throughput", "merkle build"}
    # Every budgeted row of the land benchmark is there, with its verdict and unit.
    land_json = results["benchmarks"]["land"]["summary"]["rows"]
    budgeted = [r for r in rows if r["area"] == "gas: land" and r["budget"] is not None]
    assert len(budgeted) == sum(1 for r in land_json if r["budget"] is not None) >= 4
    assert all(r["unit"] == "gas" and r["comparator"] == "<=" for r in budgeted)
    merkle = [r for r in rows if r["area"] == "merkle build"]
    assert [r["operation"].split(":")[0] for r in merkle] == [
        "tree build, 1,000 leaves",
        "tree build, 1,000 leaves",
        "tree build, 10,000 leaves",
        "tree build, 10,000 leaves",
    ]
    assert all(r["detail"]["roots_equal"] for r in merkle if "Node" in r["operation"])
    ratio = next(r for r in rows if r["operation"] == "send_many / naive (same run)")
    assert ratio["comparator"] == ">=" and ratio["budget"] == 5.0 and ratio["unit"] == "x"


# -- exit status, on stand-in benchmark modules ---------------------------------------------------

STAND_IN = """
import json, sys
from pathlib import Path

path = Path(sys.argv[sys.argv.index("--json") + 1])
rows = [
    {{"operation": "cheap call", "measured": 100, "budget": 1000, "result": "PASS"}},
    {{"operation": "dear call", "measured": 5000, "budget": 1000, "result": "FAIL"}},
    {{"operation": "  a sub-case", "measured": 50, "budget": None, "result": "info"}},
]
if {write_json}:
    path.write_text(json.dumps({{"node": "anvil/stand-in", "rows": rows}}))
print("stand-in output")
sys.exit({status})
"""


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Modules ``budget_missed`` (FAIL row, exit 1 after its JSON, as throughput does) and
    ``broken`` (a correctness check failed: exit 2, no JSON), on the children's PYTHONPATH."""
    for name, write_json, status in [("budget_missed", True, 1), ("broken", False, 2)]:
        (tmp_path / f"{name}.py").write_text(
            textwrap.dedent(STAND_IN.format(write_json=write_json, status=status))
        )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return tmp_path


def use(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    benchmarks = tuple(
        bench_main.Benchmark(m, f"area {m}", m, (), (), bench_main.gas_rows) for m in modules
    )
    monkeypatch.setattr(bench_main, "BENCHMARKS", benchmarks)


def test_missed_budget_is_reported_not_enforced(
    stand_ins: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, "budget_missed")
    output = stand_ins / "results.json"

    assert bench_main.main(["--output", str(output)]) == 0
    out = capsys.readouterr().out
    operations = {cells[1]: cells for cells in table_lines(out)[2:]}
    assert operations["dear call"][2:] == ["<= 1,000", "5,000", "FAIL"]
    assert "a sub-case" not in operations  # informational: only with --all
    assert "1 PASS, 1 FAIL, 1 info" in out
    results = json.loads(output.read_text())
    assert results["passed"] is False and results["complete"] is True
    assert [r["result"] for r in results["rows"]] == ["PASS", "FAIL", "info"]


def test_all_prints_the_informational_rows(
    stand_ins: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, "budget_missed")

    bench_main.main(["--all", "--output", str(stand_ins / "results.json")])
    operations = [cells[1] for cells in table_lines(capsys.readouterr().out)[2:]]
    assert operations == ["cheap call", "dear call", "a sub-case"]


def test_failed_correctness_check_exits_non_zero(
    stand_ins: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, "budget_missed", "broken")
    output = stand_ins / "results.json"

    assert bench_main.main(["--output", str(output)]) == 1
    captured = capsys.readouterr()
    operations = {cells[1]: cells for cells in table_lines(captured.out)[2:]}
    assert operations["benchmark correctness check failed: see stderr"][4] == "ERROR"
    assert "dear call" in operations  # the others' rows are still printed
    assert "stand-in output" in captured.err
    results = json.loads(output.read_text())
    assert results["complete"] is False
    assert results["benchmarks"]["broken"]["status"] == "correctness check failed"


def test_only_rejects_an_unknown_name() -> None:
    with pytest.raises(SystemExit, match="unknown benchmark"):
        bench_main.main(["--only", "gas,nonsense"])
