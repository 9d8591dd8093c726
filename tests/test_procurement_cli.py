"""`govchain procurement …` end to end on the test session's devnet."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli_runner import GroupRunner
from govchain.chain import Chain
from govchain.cli import main
from govchain.cli_procurement import DURATION, WHEN, TokenUnits, When
from govchain.project import Project
from govchain.session import Session, registries

CLI = GroupRunner("procurement")
_invoke, _run, _refused, _usage_error = CLI.invoke, CLI.run, CLI.refused, CLI.usage_error

DAY = 86_400


def _travel(chain: Chain, seconds: int) -> None:
    """Move the devnet's clock forward (no waiting)."""
    chain.rpc("evm_increaseTime", seconds)
    chain.rpc("evm_mine")


def test_a_tender_runs_from_the_command_line(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    officer, inspector, buyer, alice, bob, carol = (
        chain.accounts[i].address for i in (1, 3, 5, 6, 7, 8)
    )
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    _run("grant", "PROCUREMENT_OFFICER_ROLE", officer)
    _run("grant", "contract_inspector_role", inspector)  # role names are case-insensitive
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    token, procurement = session.contract("PaymentToken"), session.contract("Procurement")
    for who in (alice, bob, carol, buyer):  # the treasury (account 0) mints the devnet token
        session.sender.transact(token.functions.mint(who, 10**9))

    spec = tmp_path / "specification.txt"
    spec.write_text("Resurface 4.2 km of road in district 4.\n")
    created = _run(
        "create-tender",
        "--dev-account",
        "1",
        "--title",
        "Road resurfacing, district 4",
        "--buyer",
        buyer.lower(),  # any case; shown checksummed
        "--document",
        spec,
        "--ceiling",
        "500000",
        "--bond",
        "1000.00",
        "--bidding-deadline",
        "7d",
        "--reveal-deadline",
        "10d",
        "--standstill",
        "5d",
    )
    assert created.startswith("tender 1 created: Road resurfacing, district 4\n")
    assert "ceiling 500,000.00 PUB, bond 1,000.00 PUB" in created
    assert "(in 7d)" in created and "(in 10d)" in created

    # Alice keeps her bid where she chooses; Bob takes the default place under .govchain/.
    alice_file = tmp_path / "alice-bid.json"
    sealed = _run(
        "seal-bid", "1", "--price", "412000.50", "--keep", alice_file, "--dev-account", "6"
    )
    assert f"kept in {alice_file}" in sealed
    assert "the ONLY way to reveal the bid" in sealed
    assert "its bond of 1,000.00 PUB is FORFEITED" in sealed
    assert stat.S_IMODE(alice_file.stat().st_mode) == 0o600
    _run("bid", "1", "--price", "398500", "--offer", spec, "--dev-account", "7")
    bob_file = devnet_project.state_dir / "bids" / "local" / f"tender-1-{bob}.json"
    assert json.loads(bob_file.read_text())["price"] == "39850000"

    # Carol would overwrite Alice's bid file; Bob would overwrite his own: both are refused
    # before anything is sent (no approval, no commitment).
    alice_before = alice_file.read_bytes()
    refused = _refused("seal-bid", "1", "--price", "1", "--keep", alice_file, "--dev-account", "8")
    assert "already exists" in refused and "--keep" in refused
    assert alice_file.read_bytes() == alice_before
    assert "already exists" in _refused("bid", "1", "--price", "390000", "--dev-account", "7")
    assert token.functions.allowance(carol, procurement.address).call() == 0
    # More decimals than the token has is a usage error, also before anything is sent.
    too_fine = _invoke(
        "bid", "1", "--price", "1.005", "--keep", tmp_path / "x", "--dev-account", "8"
    )
    assert too_fine.exit_code == 2 and "more than 2 decimals (PUB)" in too_fine.output
    assert not (tmp_path / "x").exists()

    # A contract revert is one line naming the custom error, never a traceback.
    early = _refused("reveal", "--bid-file", alice_file, "--dev-account", "6")
    assert early.startswith("error: Procurement: ProcurementRevealNotOpen(tenderId=1, ")
    assert "Traceback" not in early
    wrong_signer = _refused("reveal", "--bid-file", alice_file, "--dev-account", "7")
    assert f"is {alice}'s bid but you sign as {bob}" in wrong_signer

    _travel(chain, 7 * DAY + 60)
    # A commitment that reverts leaves no bid file behind (its salt protects nothing).
    late_file = tmp_path / "late.json"
    late = _refused("seal-bid", "1", "--price", "300000", "--keep", late_file, "--dev-account", "8")
    assert f"the bid was not committed; removed {late_file}" in late
    assert "error: Procurement: ProcurementBiddingClosed(tenderId=1, " in late
    assert not late_file.exists()
    assert "412,000.50 PUB, compliant" in _run(
        "reveal", "--bid-file", alice_file, "--dev-account", "6"
    )
    assert "398,500.00 PUB, compliant" in _run(
        "reveal", "--bid-file", bob_file, "--dev-account", "7"
    )
    assert _refused("award", "1").startswith("error: Procurement: ProcurementAwardTooEarly(")

    _travel(chain, 3 * DAY)
    awarded = _run("award", "1", "--dev-account", "9")
    assert f"tender 1 awarded to {bob} at 398,500.00 PUB; standstill until " in awarded
    listing = _run("list").splitlines()
    assert listing[1].split()[:4] == ["1", "Standstill", "Awarded", "2/2"]
    assert listing[1].endswith("  Road resurfacing, district 4")

    text = _run("show", "1")
    assert "  phase          Standstill (status Awarded)" in text
    assert f"  {bob}            398,500.00 PUB  compliant  <- winner" in text
    assert f"  {alice}            412,000.50 PUB  compliant\n" in text
    assert f"winner: {bob} at 398,500.00 PUB" in text
    assert "  balanced         yes" in text

    # After the standstill: bonds back, escrow in two milestones, the inspector pays them.
    _travel(chain, 5 * DAY + 60)
    assert "bond of 1,000.00 PUB returned" in _run("withdraw-bond", "1", "--dev-account", "6")
    funded = _run(
        "fund-escrow", "1", "--milestone", "100000", "--milestone", "298500", "--dev-account", "5"
    )
    assert f"escrowed 398,500.00 PUB for {bob} in 2 milestone(s)" in funded
    inspection = tmp_path / "inspection.txt"
    inspection.write_text("first 1 km done\n")
    _run("confirm-milestone", "1", "0", "--report", inspection, "--dev-account", "3")

    report = json.loads(_run("report", "1", "--json"))
    assert report["winner"] == bob and report["price"] == 39_850_000
    assert {(r["bidder"], r["price"], r["compliant"]) for r in report["revealed"]} == {
        (alice, 41_200_050, True),
        (bob, 39_850_000, True),
    }
    assert report["unrevealed"] == [] and report["challenges"] == []
    assert report["milestones_paid"] == [{"milestone": 0, "amount": 10_000_000}]
    assert report["bonds_posted"] == 200_000 and report["bonds_returned"] == 100_000
    assert report["held"] == 100_000 + 29_850_000 and report["balanced"] is True
    assert report["phase"] == "Contracted" and report["tender"]["bond"] == 100_000
    assert token.functions.balanceOf(procurement.address).call() == report["held"]

    # A view that reverts is decoded too.
    missing = _refused("show", "99")
    assert missing.startswith("error: Procurement: ProcurementUnknownTender(tenderId=99)")


def test_amounts_and_deadlines_are_read_exactly() -> None:
    pub = TokenUnits("0x" + "00" * 20, "PUB", 2)
    assert pub.parse("412000.5", "--price") == 41_200_050
    assert pub.parse("792281625142643375935439503.33", "--ceiling") == 2**96 - 3  # no rounding
    assert pub.format(2**96 - 3) == "792,281,625,142,643,375,935,439,503.33 PUB"
    for bad in ("1.005", "-1", "NaN", "ten"):
        with pytest.raises(click.BadParameter):
            pub.parse(bad, "--price")
    assert DURATION.convert("1d12h", None, None) == 129_600
    assert DURATION.convert("600", None, None) == 600
    assert WHEN.convert("+2w", None, None).resolve(1_000) == 1_000 + 14 * DAY
    assert WHEN.convert("1900000000", None, None) == When(at=1_900_000_000)
    assert WHEN.convert("2030-01-01T01:00+01:00", None, None) == When(at=1_893_456_000)
    for bad in ("2030-01-01", "soon", "1x"):
        with pytest.raises(click.BadParameter):
            WHEN.convert(bad, None, None)
