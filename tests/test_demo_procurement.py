"""The procurement demo and the agency's open-tender script, checked on chain."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from eth_utils import keccak

from demo_pages import assert_highlights_open
from govchain.clients.procurement import ProcurementClient
from govchain.demo import DemoContext, RecordingProgress, demo_account
from govchain.demo.procurement import (
    BIDDERS,
    BOND,
    BUYER,
    BUYER_FUNDS,
    CEILING,
    CHALLENGE_REASON,
    MILESTONES,
    run,
    supplier_actor,
)
from govchain.session import Session

ROOT = Path(__file__).resolve().parents[1]
NOTICE = ROOT / "scripts" / "examples" / "procurement_tender.json"
DAY = 86_400


def _script() -> ModuleType:
    path = ROOT / "scripts" / "procurement_open_tender.py"
    spec = importlib.util.spec_from_file_location("procurement_open_tender", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _balances(ctx: DemoContext, addresses: list[str]) -> dict[str, int]:
    token = ctx.token()
    return {a: int(token.functions.balanceOf(a).call()) for a in addresses}


def test_demo_awards_the_lowest_compliant_bid_and_pays_every_milestone(
    demo_context: DemoContext,
) -> None:
    ctx = demo_context
    procurement: ProcurementClient = ProcurementClient.connect(ctx.session)
    suppliers = {b.name: demo_account(supplier_actor(b.name)).address for b in BIDDERS}
    buyer = demo_account(BUYER).address
    watched = [*suppliers.values(), buyer, procurement.address]
    before = _balances(ctx, watched)

    result = run(ctx)
    facts = result.facts
    tender_id = facts["tender_id"]
    assert facts["suppliers"] == suppliers and facts["buyer"] == buyer

    # The rule, computed here independently: the lowest revealed price within the ceiling.
    compliant = [b for b in BIDDERS if b.reveals and 0 < b.price <= CEILING]
    best = min(compliant, key=lambda b: b.price)
    tender = procurement.tender(tender_id)
    assert (tender.status, tender.phase) == ("Completed", "Completed")
    assert tender.winner == suppliers[best.name] == facts["winner"]
    assert tender.winning_price == best.price == facts["price"]
    assert (tender.bid_count, tender.revealed_count) == (len(BIDDERS), len(BIDDERS) - 1)
    assert tender.ceiling == CEILING and tender.bond == BOND and tender.registered_only

    for bidder in BIDDERS:
        bid = procurement.bid(tender_id, suppliers[bidder.name])
        assert procurement.supplier_status(suppliers[bidder.name]) == "Approved"
        if not bidder.reveals:
            assert (bid.status, bid.price, bid.bond_returned) == ("Committed", None, False)
        elif bidder.price > CEILING:
            assert bid.status == "NonCompliant" and bid.bond_returned
        else:
            assert (bid.status, bid.price, bid.bond_returned) == ("Revealed", bidder.price, True)
    assert facts["unrevealed"] == [suppliers[b.name] for b in BIDDERS if not b.reveals]

    # The escrow: the whole price, split as planned, every milestone paid, nothing left.
    escrow = procurement.escrow(tender_id)
    assert escrow.milestones == facts["milestones"]
    assert sum(escrow.milestones) == escrow.funded == escrow.released == best.price
    assert escrow.paid == list(range(len(MILESTONES))) and escrow.held == 0
    assert [m * 100 // best.price for m in escrow.milestones] == [p for _, p in MILESTONES]

    # The history from events alone: one challenge, dismissed; one bond forfeited; balanced.
    report = procurement.report(tender_id)
    assert report.challenges == [
        {
            "id": facts["challenge_id"],
            "challenger": facts["challenger"],
            "resolution": "Dismiss",
            "reason_code": CHALLENGE_REASON,
        }
    ]
    assert report.bonds_forfeited == BOND == facts["forfeited"]
    assert report.escrow_paid == facts["paid"] == best.price
    assert report.balanced and report.held == 0

    # Ghost accounting: every unit that moved is where the scenario says it went.
    after = _balances(ctx, watched)
    delta = {a: after[a] - before[a] for a in watched}
    for bidder in BIDDERS:
        earned = best.price if bidder is best else 0
        kept = BOND if bidder.reveals else 0  # each supplier was minted one bond
        assert delta[suppliers[bidder.name]] == kept + earned, bidder.name
    assert delta[buyer] == BUYER_FUNDS - best.price + BOND
    assert delta[procurement.address] == 0


def test_demo_highlights_open_in_the_explorer(demo_context: DemoContext, tmp_path: Path) -> None:
    demo_context.progress = progress = RecordingProgress()
    result = run(demo_context)
    assert "procurement: opening the tender" in progress.lines
    assert f"procurement: sealed bids committed {len(BIDDERS)}/{len(BIDDERS)}" in progress.lines
    assert "procurement: milestones inspected and paid 3/3" in progress.lines
    paths = [h.path for h in result.highlights]
    assert 3 <= len(paths) <= 6 and paths[0] == f"/records/tender/{result.facts['tender_id']}"
    assert_highlights_open(demo_context.session, result.highlights, tmp_path)


def test_demo_runs_again_on_a_chain_that_already_has_tenders(demo_context: DemoContext) -> None:
    ctx = demo_context
    procurement: ProcurementClient = ProcurementClient.connect(ctx.session)
    first = run(ctx).facts
    ctx.travel(400 * DAY)  # the clock is wherever the previous demo left it
    second = run(ctx).facts
    assert second["tender_id"] == first["tender_id"] + 1 == procurement.tender_count()
    assert procurement.tender(second["tender_id"]).status == "Completed"
    assert procurement.escrow(second["tender_id"]).released == second["price"]


def test_script_opens_the_tender_of_its_notice(
    suite_session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script()
    procurement: ProcurementClient = ProcurementClient.connect(suite_session)
    deployer = suite_session.chain.deployer.address
    notice = json.loads(NOTICE.read_text())

    # Without the officer role the contract refuses, and the script says so in one line.
    assert script.main([str(NOTICE)]) == 1
    refused = capsys.readouterr().err
    assert "AccessControlUnauthorizedAccount" in refused and "Traceback" not in refused
    assert procurement.tender_count() == 0

    procurement.grant_role("PROCUREMENT_OFFICER_ROLE", deployer)
    now = int(suite_session.chain.w3.eth.get_block("latest")["timestamp"])
    assert script.main(["--network", "local", str(NOTICE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"tender 1 opened: {notice['title']}\n")
    assert "ceiling 286,000.00 PUB, bond 2,500.00 PUB" in out

    tender = procurement.tender(1)
    assert tender.officer == deployer and tender.buyer == notice["buyer"]
    assert (tender.ceiling, tender.bond) == (286_000_00, 2_500_00)
    assert tender.document_hash == keccak(NOTICE.read_bytes())
    # Deadlines count from the chain's clock when the tender was opened (a block or two later).
    assert 0 <= tender.bidding_deadline - (now + 21 * DAY) <= 5
    assert tender.reveal_deadline - tender.bidding_deadline == 3 * DAY
    assert tender.standstill == 10 * DAY and tender.phase == "Bidding"


def test_script_refuses_milestones_that_do_not_add_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = json.loads(NOTICE.read_text())
    notice["milestones"][0]["percent"] = 45
    bad = tmp_path / "notice.json"
    bad.write_text(json.dumps(notice))
    assert _script().main([str(bad)]) == 1
    assert "must add up to 100" in capsys.readouterr().err
