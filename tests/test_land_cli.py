"""`govchain land …` end to end on the test session's devnet."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from cli_runner import GroupRunner
from govchain.chain import Chain
from govchain.cli import main
from govchain.clients.land import parcel_id
from govchain.project import Project
from govchain.session import Session, registries

CLI = GroupRunner("land")
_invoke, _run, _refused, _usage_error = CLI.invoke, CLI.run, CLI.refused, CLI.usage_error

RECEIPT = re.compile(r"^tx (0x[0-9a-f]{64}) \(block (\d+), ", re.MULTILINE)


def _tx(output: str) -> tuple[str, int]:
    """The transaction hash and block of a command's receipt line."""
    match = RECEIPT.search(output)
    assert match is not None, output
    return match.group(1), int(match.group(2))


def _geojson(path: Path, corner: float) -> Path:
    ring = [[corner, 0.0], [corner + 0.001, 0.0], [corner + 0.001, 0.001], [corner, 0.0]]
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    return path


def test_a_title_is_registered_sold_charged_frozen_and_split_from_the_command_line(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    registrar, lender, court, alice, bob, carol, treasury = (
        chain.accounts[i].address for i in range(1, 8)
    )
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    _run("grant", "REGISTRAR_ROLE", registrar)
    _run("grant", "lender_role", lender)  # role names are case-insensitive
    _run("grant", "COURT_ROLE", court)
    _run("grant", "DEFAULT_ADMIN_ROLE", carol)
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    token, registry = session.contract("PaymentToken"), session.contract("LandRegistry")
    assert registry.functions.hasRole(b"\x00" * 32, carol).call()
    session.sender.transact(token.functions.mint(bob, 1_000_000_00))  # 1,000,000.00 PUB

    deed = tmp_path / "deed.txt"
    deed.write_text("Deed of first registration.\n")
    sale_deed = tmp_path / "sale.txt"
    sale_deed.write_text("Deed of sale, 0042-17, Alice to Bob.\n")
    registered = _run(
        "register",
        "0042-17",
        "--owner",
        alice.lower(),  # any case; shown checksummed
        "--geometry",
        _geojson(tmp_path / "0042-17.geojson", 10.0),
        "--area",
        "1000",
        "--land-use",
        "110",
        "--deed",
        deed,
        "--dev-account",
        "1",
    )
    assert registered.startswith(f"parcel 0042-17 registered to {alice} (1,000 m², land use 110)")
    registration_tx, registration_block = _tx(registered)
    g18 = _geojson(tmp_path / "0042-18.geojson", 11.0)
    register_18 = ("register", "0042-18", "--owner", bob, "--geometry", g18, "--area", "750")
    register_18 += ("--land-use", "210", "--deed", deed)
    denied = _refused(*register_18)  # account 0 governs but does not register
    assert denied.startswith(
        "error: LandRegistry: AccessControlUnauthorizedAccount(account="
        f"'{chain.accounts[0].address}', neededRole=0x"
    )
    _run(*register_18, "--dev-account", "1")

    # A sale with a 1.5% transfer tax, which the registrar must approve first.
    assert f"transfer tax 1.50% (150 bps), paid to {treasury}" in _run(
        "set-tax", "--treasury", treasury, "--bps", "150"
    )
    assert "sales need the registrar's approval" in _run("require-approval", "on")
    offered = _run(
        "offer",
        "0042-17",
        "--buyer",
        bob,
        "--price",
        "250000",
        "--deadline",
        "30d",
        "--dev-account",
        "4",
    )
    assert f"parcel 0042-17 offered to {bob} for 250,000.00 PUB until " in offered
    assert "(in 30d)" in offered and "the registrar must approve the sale" in offered
    unapproved = _refused("accept", "0042-17", "--deed", sale_deed, "--dev-account", "5")
    assert unapproved.startswith("error: LandRegistry: LandSaleNotApproved(parcelId='0042-17')")
    shown = _run("show", "0042-17")
    assert f"sale: to {bob} for 250,000.00 PUB, awaiting the registrar's approval" in shown
    _run("approve-sale", "0042-17", "--dev-account", "1")
    balances = [token.functions.balanceOf(who).call() for who in (alice, bob, treasury)]
    bought = _run(
        "accept", "0042-17", "--deed", sale_deed, "--price", "250000.00", "--dev-account", "5"
    )
    assert f"parcel 0042-17 bought by {bob} for 250,000.00 PUB" in bought
    assert f"246,250.00 PUB to the seller {alice}, 3,750.00 PUB transfer tax" in bought
    sale_tx, sale_block = _tx(bought)
    after = [token.functions.balanceOf(who).call() for who in (alice, bob, treasury)]
    assert [b - a for a, b in zip(balances, after, strict=True)] == [
        24_625_000,
        -25_000_000,
        375_000,
    ]
    assert registry.functions.ownerOf(parcel_id("0042-17")).call() == bob

    # A lien blocks a sale until its holder, and only its holder, releases it.
    mortgage = tmp_path / "mortgage.pdf"
    mortgage.write_bytes(b"%PDF mortgage of 0042-17")
    recorded = _run(
        "lien",
        "record",
        "0042-17",
        "--amount",
        "100000",
        "--document",
        mortgage,
        "--dev-account",
        "2",
    )
    assert f"lien 1 of 100,000.00 PUB recorded on parcel 0042-17 for {lender}" in recorded
    resale = ("offer", "0042-17", "--buyer", carol, "--price", "300000")
    resale += ("--deadline", "2099-01-01T00:00+00:00", "--dev-account", "5")
    blocked = _refused(*resale)
    assert blocked.startswith(
        "error: LandRegistry: LandHasLiens(parcelId='0042-17', activeLiens=1)"
    )
    assert f"  lien 1: 100,000.00 PUB to {lender}" in _run("show", "0042-17")
    assert _refused("lien", "release", "0042-17", "1", "--dev-account", "5").startswith(
        f"error: LandRegistry: LandNotLienholder(parcelId='0042-17', lienId=1, account='{bob}')"
    )
    _run("lien", "release", "0042-17", "1", "--dev-account", "2")
    assert "until 2099-01-01 00:00:00 UTC" in _run(*resale)
    assert "the offer of parcel 0042-17 is withdrawn" in _run(
        "withdraw", "0042-17", "--dev-account", "5"
    )

    # A court freezes 0042-18: its owner cannot sell it until the freeze is lifted.
    frozen = _run("freeze", "0042-18", "--case", "CV-2031-0042", "--dev-account", "3")
    assert "parcel 0042-18 frozen (case 'CV-2031-0042')" in frozen
    assert _refused(
        "offer",
        "0042-18",
        "--buyer",
        carol,
        "--price",
        "1",
        "--deadline",
        "1d",
        "--dev-account",
        "5",
    ).startswith("error: LandRegistry: LandFrozen(parcelId='0042-18')")
    assert "  frozen     YES, by a court" in _run("show", "0042-18")
    _run("unfreeze", "0042-18", "--case", "CV-2031-0042", "--dev-account", "3")
    order = tmp_path / "order.txt"
    order.write_text("Judgment: 0042-18 passes to Carol.\n")
    moved = _run(
        "forced-transfer", "0042-18", "--to", carol, "--order", order, "--dev-account", "3"
    )
    assert f"parcel 0042-18 transferred by court order from {bob} to {carol}" in moved
    frozen_history = json.loads(_run("title-history", "0042-18", "--json"))
    assert [e["event"] for e in frozen_history] == [
        "ParcelRegistered",
        "TitleFrozen",
        "TitleUnfrozen",
        "ForcedTransfer",
    ]
    assert frozen_history[1]["description"] == "a court froze parcel 0042-18 (case 'CV-2031-0042')"

    # Subdivision: the parts must add up to the whole; the parent retires.
    geo_a = _geojson(tmp_path / "a.geojson", 10.0)
    geo_b = _geojson(tmp_path / "b.geojson", 10.0005)
    split = ("subdivide", "0042-17", "--child", f"0042-17-A:600:110:{geo_a}", "--deed", deed)
    assert _refused(
        *split, "--child", f"0042-17-B:300:210:{geo_b}", "--dev-account", "1"
    ).startswith("error: LandRegistry: LandAreaMismatch(parentsArea=1000, childrenArea=900)")
    subdivided = _run(*split, "--child", f"0042-17-B:400:210:{geo_b}", "--dev-account", "1")
    assert "parcel 0042-17 subdivided into 0042-17-A (600 m²), 0042-17-B (400 m²)" in subdivided

    # The child's chain of title starts with its parent's registration and sale.
    history = _run("title-history", "0042-17-A")
    lines = history.splitlines()
    assert (
        lines[0] == "chain of title of parcel 0042-17-A and the parcels it came from, oldest first:"
    )
    registration = lines.index(f"  block {registration_block}, tx {registration_tx}")
    assert lines[registration + 1].startswith(
        "    registered parcel 0042-17 (1000 m², land use 110)"
    )
    sale = lines.index(f"  block {sale_block}, tx {sale_tx}")
    assert lines[sale + 1] == (
        f"    sold parcel 0042-17 from {alice[:6]}…{alice[-4:]} to {bob[:6]}…{bob[-4:]} "
        "for 250,000.00 PUB (tax 3,750.00 PUB)"
    )
    assert "    lien 1 of 100,000.00 PUB recorded on 0042-17" in history
    assert registration < sale < lines.index("    created parcel 0042-17-A from 0042-17")
    assert "0042-17-B" not in history.replace("retired into 0042-17-A, 0042-17-B", "")
    entries = json.loads(_run("title-history", "0042-17-A", "--json"))
    assert entries[0]["event"] == "ParcelRegistered" and entries[0]["tx_hash"] == registration_tx
    assert entries[0]["args"]["owner"] == alice and entries[0]["parcel"] == "0042-17"
    own = json.loads(_run("title-history", "0042-17-A", "--no-ancestors", "--json"))
    assert [e["event"] for e in own] == ["ParcelRegistered", "ParcelDerived"]

    title = json.loads(_run("show", "0042-17-A", "--json"))
    assert title["owner"] == bob and title["status"] == "Live"
    assert (title["area"], title["land_use"], title["frozen"]) == (600, 110, False)
    assert title["parents"] == ["0042-17"] and title["children"] == []
    assert title["liens"] == [] and title["sale"] is None
    parent = _run("show", "0042-17")
    assert "  status     Retired" in parent and "  owner      none (retired)" in parent
    assert "  children   0042-17-A, 0042-17-B" in parent

    # And merged back: the new title's parents are the two parts.
    merged = _run(
        "merge",
        "0042-17-A",
        "0042-17-B",
        "--into",
        "0042-17-C",
        "--area",
        "1000",
        "--land-use",
        "110",
        "--geometry",
        tmp_path / "0042-17.geojson",
        "--deed",
        deed,
        "--dev-account",
        "1",
    )
    assert "parcels 0042-17-A, 0042-17-B merged into 0042-17-C (1,000 m²)" in merged
    assert "  parents    0042-17-A, 0042-17-B" in _run("show", "0042-17-C")


def test_bad_input_is_a_usage_error_and_unknown_parcels_are_named(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    assert "must be 1 to 32 printable ASCII characters" in _usage_error("show", "x" * 33)
    not_geojson = tmp_path / "parcel.txt"
    not_geojson.write_text("a field by the river")
    register = ("register", "0042-17", "--owner", chain.accounts[4].address, "--area", "10")
    register += ("--land-use", "110", "--deed", not_geojson, "--geometry")
    assert "is not GeoJSON" in _usage_error(*register, not_geojson)
    assert "'--child': -5 is not in the range 1<=x<=" in _usage_error(
        "subdivide", "0042-17", "--child", f"0042-17-A:-5:110:{not_geojson}", "--deed", not_geojson
    )
    assert "is not NUMBER:AREA:LANDUSE:GEOMETRY_FILE" in _usage_error(
        "subdivide", "0042-17", "--child", "0042-17-A:600", "--deed", not_geojson
    )
    assert "not one of 'on', 'off'" in _usage_error("require-approval", "maybe")
    too_fine = ("offer", "0042-17", "--buyer", chain.accounts[5].address, "--price", "1.005")
    assert "more than 2 decimals (PUB)" in _usage_error(*too_fine, "--deadline", "1d")
    assert "has no UTC offset" in _usage_error(
        "offer",
        "0042-17",
        "--buyer",
        chain.accounts[5].address,
        "--price",
        "1",
        "--deadline",
        "2030-01-01",
    )
    # A view that reverts is decoded too, naming the parcel by its number.
    missing = _refused("show", "9999-99")
    assert missing == "error: LandRegistry: LandNotLive(parcelId='9999-99')\n"
    assert _refused("title-history", "9999-99") == missing
