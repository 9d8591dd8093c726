"""The land demo and the agency's registration script, checked on chain through the client."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from govchain import contract_error
from govchain.clients.land import LandClient
from govchain.demo import DemoContext, demo_account
from govchain.demo.land import FARM_PARTS, PARCELS, run
from govchain.project import Project
from govchain.session import Session

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scripts" / "examples" / "land_parcels_0912.csv"


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
    second = run(demo_context)
    assert second.facts["district"] != first.facts["district"]
    land: LandClient = LandClient.connect(demo_context.session)
    assert land.title(second.facts["history_parcel"]).owner == second.facts["history_owners"][-1]
