"""The customs demo scenario and the agency's tariff-loading script, checked on chain."""

from __future__ import annotations

import csv
import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from demo_pages import assert_highlights_open
from govchain import ContractError
from govchain.clients.customs import CustomsClient, DeclarationLine, assess
from govchain.demo import DemoContext, RecordingProgress, demo_account
from govchain.demo import customs as demo
from govchain.session import Session

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "scripts" / "examples" / "customs_tariff_2030.csv"


def rate_of(hs_code: int, origin: int) -> int:
    """The demo's schedule, written out independently of the chain."""
    if (hs_code, origin) == (demo.BLACK_TEA, demo.KENYA):
        return 0
    return {
        demo.EV_CARS: 1000,
        demo.BLACK_TEA: 500,
        demo.STEEL_PLATE: 600,
        demo.LAPTOPS: 0,
        demo.COTTON_TSHIRTS: 1200,
    }[hs_code]


def due(lines: list[DeclarationLine]) -> int:
    return assess(lines, rate_of, 2000).total


def balance(ctx: DemoContext, address: str) -> int:
    return int(ctx.token().functions.balanceOf(address).call())


def held_by(ctx: DemoContext, customs: CustomsClient, declaration_id: int) -> list[str]:
    """Who held ``declaration_id`` (its DeclarationHeld logs)."""
    events = ctx.session.events
    logs = ctx.session.chain.w3.eth.get_logs(
        {
            "address": customs.contract.address,
            "fromBlock": 0,
            "topics": [
                events.topic("DeclarationHeld"),
                "0x" + declaration_id.to_bytes(32, "big").hex(),
            ],
        }
    )
    return [str(event["officer"]) for event in map(events.decode, logs) if event is not None]


def test_demo_clears_every_declaration_and_settles_escrow_and_appeal(
    demo_context: DemoContext,
) -> None:
    ctx = demo_context
    customs: CustomsClient = CustomsClient.connect(ctx.session)
    treasury_before = balance(ctx, ctx.admin.address)

    result = demo.run(ctx)

    facts = result.facts
    ids: dict[str, int] = facts["declarations"]
    assert len(set(ids.values())) == len(demo.FILINGS) == 6
    charged = 0
    for filing in demo.FILINGS:
        record = customs.declaration(ids[filing.key])
        assert record.status == "Released" and record.paid
        assert record.trader == facts["traders"][filing.trader]
        charged += due(filing.lines)
        if filing.key != demo.APPEALED:
            assert record.duty + record.vat == due(filing.lines)
    assert facts["collected"] == charged
    # Duties and VAT went to the treasury, which also funded the refund pool it minted for.
    assert balance(ctx, ctx.admin.address) - treasury_before == charged

    # The broker paid the cars' duty out of its own funds.
    cars = next(f for f in demo.FILINGS if f.key == demo.BROKERED)
    assert balance(ctx, facts["broker"]) == demo.TRADER_FUNDS - due(cars.lines)

    # The steel was held by the officer, then released.
    officer = demo_account(demo.OFFICIALS["CUSTOMS_OFFICER_ROLE"]).address
    assert held_by(ctx, customs, ids[demo.HELD]) == [officer]

    # The appeal: reassessed on the corrected value, the difference refunded from the pool.
    tshirts = next(f for f in demo.FILINGS if f.key == demo.APPEALED)
    appealed = customs.declaration(ids[demo.APPEALED])
    refund = due(tshirts.lines) - due(demo.CORRECTED_TSHIRTS)
    assert refund > 0 and facts["refund"] == refund
    assert appealed.appeal == "Upheld" and appealed.refunded == refund
    assert appealed.duty + appealed.vat == due(demo.CORRECTED_TSHIRTS)
    assert customs.refund_pool() == demo.REFUND_POOL - refund
    sunrise = facts["traders"]["sunrise-apparel"]
    assert balance(ctx, sunrise) == demo.TRADER_FUNDS - due(tshirts.lines) + refund
    statement = customs.statement(sunrise)
    assert (statement.total_paid, statement.total_refunded) == (due(tshirts.lines), refund)

    # The bank's escrow reached the exporter once the tea cleared.
    escrow = customs.escrow(facts["escrow_id"])
    assert escrow.status == "Released" and escrow.declaration_id == ids[demo.ESCROWED]
    assert escrow.exporter == facts["exporter"] and escrow.funder == facts["bank"]
    assert balance(ctx, facts["exporter"]) == escrow.amount == demo.KENYAN_TEA.customs_value
    assert balance(ctx, facts["bank"]) == demo.BANK_FUNDS - escrow.amount
    assert customs.escrow_held() == 0

    # The preferential rate is in force for Kenyan tea only.
    assert customs.duty_rate(demo.BLACK_TEA, demo.KENYA) == (0, True)
    assert customs.duty_rate(demo.BLACK_TEA, demo.INDIA) == (500, False)
    assert customs.vat_rate() == 2000

    assert 3 <= len(result.highlights) <= 6
    paths = {h.path for h in result.highlights}
    assert f"/records/declaration/{ids[demo.APPEALED]}" in paths
    assert f"/records/declaration/{ids[demo.ESCROWED]}" in paths


def test_demo_runs_again_and_its_highlights_open_in_the_explorer(
    demo_context: DemoContext, tmp_path: Path
) -> None:
    first = demo.run(demo_context).facts
    demo_context.progress = progress = RecordingProgress()
    result = demo.run(demo_context)
    second = result.facts

    # A chain with earlier customs records: fresh ids, a later schedule, the same outcome.
    customs: CustomsClient = CustomsClient.connect(demo_context.session)
    assert min(second["declarations"].values()) > max(first["declarations"].values())
    assert second["escrow_id"] == first["escrow_id"] + 1
    assert second["tariff_start"] > first["tariff_start"]
    for declaration_id in second["declarations"].values():
        assert customs.declaration(declaration_id).status == "Released"
    assert customs.escrow(second["escrow_id"]).status == "Released"
    assert customs.refund_pool() == 2 * (demo.REFUND_POOL - first["refund"])

    assert "customs: declarations filed and assessed 6/6" in progress.lines
    assert "customs: goods released 5/5" in progress.lines
    held = second["declarations"][demo.HELD]
    assert f"customs: officer holds declaration {held} (steel) for physical inspection" in (
        progress.lines
    )
    assert_highlights_open(demo_context.session, result.highlights, tmp_path)


# -- the agency script --------------------------------------------------------------------------


def load_script() -> ModuleType:
    path = ROOT / "scripts" / "customs_load_tariff.py"
    spec = importlib.util.spec_from_file_location("customs_load_tariff", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shifted_sample(tmp_path: Path, now: int) -> tuple[Path, list[list[str]]]:
    """The sample schedule with its dates moved to start 30 days after the chain's clock.

    The sample is dated for real years; the devnet's clock follows the wall clock, so the test
    keeps the sample's rows and spacing but never depends on today's date.
    """
    with SAMPLE.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [r for r in rows[1:] if r and not r[0].startswith("#")]
    first = min(date.fromisoformat(r[2]) for r in body)
    start = datetime.fromtimestamp(now, UTC).date() + timedelta(days=30)
    for row in body:
        row[2] = (start + (date.fromisoformat(row[2]) - first)).isoformat()
    path = tmp_path / "tariff.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    return path, body


def midnight(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def test_script_loads_the_sample_schedule_and_prints_it(
    suite_session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customs: CustomsClient = CustomsClient.connect(suite_session)
    deployer = suite_session.sender.address
    customs.grant_role("TARIFF_AUTHORITY_ROLE", deployer)
    now = int(suite_session.chain.w3.eth.get_block("latest")["timestamp"])
    path, rows = shifted_sample(tmp_path, now)
    assert any(len(r) == 4 and r[3] for r in rows), "the sample shows a preferential rate"

    assert load_script().main([str(path), "--network", "local"]) == 0

    out = capsys.readouterr().out
    assert f"{len(rows)} tariff line(s)" in out
    for row in rows:
        origin = int(row[3]) if len(row) == 4 and row[3] else 0
        rate, preferential = customs.duty_rate(int(row[0]), origin, at=midnight(row[2]))
        assert (rate, preferential) == (int(row[1]), bool(origin))
        assert f"HS {int(row[0]):06d}" in out


def test_script_refuses_a_rate_in_the_past_and_sets_nothing(
    suite_session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customs: CustomsClient = CustomsClient.connect(suite_session)
    customs.grant_role("TARIFF_AUTHORITY_ROLE", suite_session.sender.address)
    now = int(suite_session.chain.w3.eth.get_block("latest")["timestamp"])
    path = tmp_path / "tariff.csv"
    path.write_text(f"hs_code,rate_bps,effective_from\n090230,450,{now + 86_400}\n300490,0,1000\n")

    assert load_script().main([str(path)]) == 1

    assert "CustomsRateNotInFuture" in capsys.readouterr().err
    with pytest.raises(ContractError, match="CustomsNoTariffLine"):
        customs.duty_rate(90230, 404, at=now + 86_400)
