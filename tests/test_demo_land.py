"""The land demo and the agency's registration script, checked on chain through the client."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from eth_utils import keccak

from demo_pages import assert_highlights_open
from govchain.clients.land import LandClient, geometry_hash
from govchain.demo import DemoContext, DomainResult
from govchain.demo.land import FARM_PARTS, PARCELS, run
from govchain.session import Session

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "scripts" / "examples" / "land_district_0912" / "parcels.csv"


def _script() -> ModuleType:
    path = ROOT / "scripts" / "land_register_parcels.py"
    spec = importlib.util.spec_from_file_location("land_register_parcels", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def balance(ctx: DemoContext, address: str) -> int:
    return int(ctx.token().functions.balanceOf(address).call())


def test_demo_registers_sells_charges_freezes_and_subdivides(demo_context: DemoContext) -> None:
    ctx = demo_context
    treasury_before = balance(ctx, ctx.admin.address)
    result = run(ctx)
    facts = result.facts
    land: LandClient = LandClient.connect(ctx.session)

    # Twenty first registrations, each live (or retired by the subdivision) with its area.
    assert facts["registered"] == len(facts["parcels"]) == 20
    areas = {p: land.title(p).area for p in facts["parcels"]}
    assert sum(areas.values()) == facts["total_area"] == sum(a for _, _, a, _ in PARCELS)

    # Every sale: the buyer holds the title; seller's share and tax add up to the price.
    tax_bps = facts["tax_bps"]
    assert land.transfer_tax() == (facts["treasury"], tax_bps) and tax_bps > 0
    assert len(facts["sales"]) == 7
    final_sales = {s["parcel"]: s for s in facts["sales"]}
    for parcel, sale in final_sales.items():
        assert land.owner_of(parcel) == sale["buyer"]
        assert sale["tax"] == sale["price"] * tax_bps // 10_000
    unsold = set(facts["parcels"]) - set(final_sales) - {facts["subdivision"]["parent"]}
    for parcel in unsold:
        assert land.owner_of(parcel) == facts["first_owners"][parcel]

    # Ghost accounting: each party's tokens = funding + proceeds - payments; tax to the treasury.
    expected: dict[str, int] = dict(facts["funded"])
    for sale in facts["sales"]:
        expected[sale["buyer"]] = expected.get(sale["buyer"], 0) - sale["price"]
        expected[sale["seller"]] = expected.get(sale["seller"], 0) + sale["price"] - sale["tax"]
    for address, amount in expected.items():
        assert balance(ctx, address) == amount, address
    assert facts["tax_total"] == sum(s["tax"] for s in facts["sales"]) > 0
    assert balance(ctx, facts["treasury"]) - treasury_before == facts["tax_total"]

    # The mortgage blocked the sale and was released; the title is clear today.
    lien = facts["lien"]
    assert lien["blocked_with"] == "LandHasLiens"
    record = land.lien(lien["parcel"], lien["lien_id"])
    assert (record.holder, record.amount, record.released) == (
        lien["holder"],
        lien["amount"],
        True,
    )
    assert land.title(lien["parcel"]).active_liens == []

    # The court's freeze was lifted, and the parcel sold afterwards.
    frozen = land.title(facts["frozen"]["parcel"])
    assert not frozen.frozen and frozen.owner == final_sales[frozen.number]["buyer"]
    court_steps = [e for e in land.title_history(frozen.number) if e.event.startswith("Title")]
    case = facts["frozen"]["case"].encode().ljust(32, b"\x00")
    assert [(e.event, e.args["caseReference"]) for e in court_steps] == [
        ("TitleFrozen", case),
        ("TitleUnfrozen", case),
    ]

    # The farm is retired into three parts owned by its owner (one sold), areas adding up.
    split = facts["subdivision"]
    parent = land.title(split["parent"])
    assert parent.status == "Retired" and parent.owner is None
    assert parent.children == list(split["children"])
    assert sum(land.title(c).area for c in parent.children) == parent.area == sum(FARM_PARTS)
    for child in parent.children:
        owner = final_sales[child]["buyer"] if child in final_sales else split["owner"]
        assert land.title(child).parents == [split["parent"]]
        assert land.owner_of(child) == owner

    # The offer that lapsed was withdrawn; the accepted one was the lower price.
    lapsed = [e.event for e in land.title_history(facts["lapsed_offer"])]
    assert lapsed[1:] == ["SaleOffered", "SaleWithdrawn", "SaleOffered", "SaleCompleted"]
    assert land.title(facts["lapsed_offer"]).sale is None
    assert final_sales[facts["lapsed_offer"]]["price"] < 182_000 * 100

    # The chain of title: registered, sold, mortgaged, released, sold again.
    history = land.title_history(facts["history_parcel"])
    assert [e.event for e in history] == [
        "ParcelRegistered",
        "SaleOffered",
        "SaleCompleted",
        "LienRecorded",
        "LienReleased",
        "SaleOffered",
        "SaleCompleted",
    ]
    owners = [history[0].args["owner"]] + [
        e.args["buyer"] for e in history if e.event == "SaleCompleted"
    ]
    assert owners == facts["history_owners"]
    assert facts["history_steps"] == len(history)
    assert 3 <= len(result.highlights) <= 6
    assert all(h.path.startswith(("/records/parcel/", "/tx/0x")) for h in result.highlights)


def test_demo_runs_again_in_a_fresh_district(demo_context: DemoContext) -> None:
    first = run(demo_context)
    # What `govchain up` records in demo.json reads back the same.
    assert DomainResult.from_json(json.loads(json.dumps(first.to_json()))) == first
    second = run(demo_context)
    assert second.facts["district"] != first.facts["district"]
    land: LandClient = LandClient.connect(demo_context.session)
    assert land.title(second.facts["history_parcel"]).owner == second.facts["history_owners"][-1]


def test_demo_highlights_open_in_the_explorer(demo_context: DemoContext, tmp_path: Path) -> None:
    result = run(demo_context)
    assert_highlights_open(demo_context.session, result.highlights, tmp_path)


def test_script_registers_the_extract(
    suite_session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script()
    land: LandClient = LandClient.connect(suite_session)
    rows = list(csv.DictReader(EXTRACT.open(newline="")))

    # Without the registrar role the registry refuses, and the script says so in one line.
    assert script.main([str(EXTRACT)]) == 1
    refused = capsys.readouterr().err
    assert "AccessControlUnauthorizedAccount" in refused and "Traceback" not in refused

    land.grant_role("REGISTRAR_ROLE", suite_session.chain.deployer.address)
    assert script.main(["--network", "local", str(EXTRACT)]) == 0
    out = capsys.readouterr().out
    assert out.endswith("3 parcels registered, 22,830 m² in all\n")
    for row in rows:
        title = land.title(row["number"])
        assert title.owner == row["owner"] and title.status == "Live"
        assert (title.area, title.land_use) == (int(row["area"]), int(row["land_use"]))
        assert title.deed_hash == keccak((EXTRACT.parent / row["document"]).read_bytes())
        geometry = (EXTRACT.parent / row["geometry"]).read_bytes()
        assert title.geometry_hash == geometry_hash(geometry)

    # A second run would register the same parcels again: the registry refuses the first.
    assert script.main([str(EXTRACT)]) == 1
    assert "LandAlreadyRegistered" in capsys.readouterr().err


def test_script_refuses_a_parcel_listed_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = EXTRACT.read_text().splitlines()
    extract = tmp_path / "parcels.csv"
    extract.write_text("\n".join([*lines, lines[1]]) + "\n")
    for row in csv.DictReader(EXTRACT.open(newline="")):
        for column in ("geometry", "document"):
            (tmp_path / row[column]).write_bytes((EXTRACT.parent / row[column]).read_bytes())
    assert _script().main([str(extract)]) == 1
    assert "parcel 0912-3 is listed twice" in capsys.readouterr().err
