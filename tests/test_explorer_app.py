"""The explorer's pages, JSON and CSV over an indexed devnet (Starlette's test client)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from govchain.chain import Chain
from govchain.cli import main
from govchain.clients.land import LandClient, ParcelSpec
from govchain.explorer.app import Explorer, create_app
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.project import Project
from govchain.session import Session, registries

DEED = b"\x11" * 32


@pytest.fixture
def explorer(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> Iterator[tuple[Explorer, TestClient]]:
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    land = LandClient.connect(session)
    land.grant_role("REGISTRAR_ROLE", chain.accounts[1].address)
    registrar = land.as_account(chain.accounts[1])
    registrar.register(
        "0042-17", chain.accounts[5].address, ParcelSpec(b"\x01" * 32, 1_250, 110), DEED
    )
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    app_state = Explorer(session, store, Indexer(session, store))
    app_state.sync()
    with TestClient(create_app(app_state, sync_every=None)) as client:
        yield app_state, client


def test_home_shows_activity_in_plain_words(explorer: tuple[Explorer, TestClient]) -> None:
    _, client = explorer
    page = client.get("/")
    assert page.status_code == 200
    assert "Parcel 0042-17 (1,250 m²) registered to" in page.text
    assert '<label for="q">' in page.text  # the search box is labelled


def test_record_page_is_checked_against_the_chain(
    explorer: tuple[Explorer, TestClient], chain: Chain
) -> None:
    _, client = explorer
    data = client.get("/api/records/parcel/0042-17").json()
    assert data["proof"]["ok"] is True
    owner = {c["label"]: c for c in data["proof"]["checks"]}["owner"]
    assert owner["contract"] == chain.accounts[5].address
    assert data["history"][0]["event"] == "ParcelRegistered"
    assert data["history"][0]["confirmations"] >= 1
    page = client.get("/records/parcel/0042-17")
    assert "everything agrees" in page.text
    csv_rows = client.get("/records/parcel/0042-17.csv").text.splitlines()
    assert csv_rows[0] == "block,tx,log_index,event,sentence" and len(csv_rows) == 2


def test_search_finds_records_transactions_and_blocks(
    explorer: tuple[Explorer, TestClient],
) -> None:
    _, client = explorer
    found = client.get("/search", params={"q": "0042-17"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == "/records/parcel/0042-17"
    tx = client.get("/api/records/parcel/0042-17").json()["history"][0]["tx"]
    assert (
        client.get("/search", params={"q": tx}, follow_redirects=False).headers["location"]
        == f"/tx/{tx}"
    )
    assert client.get(f"/api/tx/{tx}").json()["transaction"]["status"] == 1
    assert client.get("/search", params={"q": "tender 99"}).status_code == 404


def test_verify_page_compares_deployed_code_with_the_build(
    explorer: tuple[Explorer, TestClient],
) -> None:
    _, client = explorer
    results = client.get("/api/verify/contracts").json()
    assert {r["name"] for r in results} >= {"LandRegistry", "Procurement", "Ballot"}
    assert all(r["code_matches_build"] is True for r in results)


def test_a_reorganisation_removes_the_record_from_the_pages_and_the_api(
    explorer: tuple[Explorer, TestClient], devnet_project: Project, chain: Chain
) -> None:
    state, client = explorer
    owner = chain.accounts[5].address
    fork = chain.rpc("evm_snapshot")
    registrar = LandClient.connect(state.session).as_account(chain.accounts[1])
    orphan = registrar.register("0077-01", owner, ParcelSpec(b"\x07" * 32, 700, 110), DEED)
    state.sync()
    assert client.get("/records/parcel/0077-01").status_code == 200
    assert "Parcel 0077-01 (700 m²) registered to" in client.get("/").text
    assert client.get(f"/api/tx/{orphan.tx_hash}").json()["indexed"] is True
    assert client.get("/api/verify", params={"tx": orphan.tx_hash}).json()["ok"] is True
    orphaned_head = int(chain.w3.eth.block_number)

    # The branch with 0077-01 is undone; the new branch is longer than the old one.
    assert chain.rpc("evm_revert", fork) is True
    errors, events = registries(devnet_project)
    fresh = Session(devnet_project, chain, errors, events)  # nonces of the new branch
    LandClient.connect(fresh).as_account(chain.accounts[1]).register(
        "0088-01", owner, ParcelSpec(b"\x08" * 32, 800, 110), DEED
    )
    chain.rpc("anvil_mine", 3)
    assert int(chain.w3.eth.block_number) > orphaned_head
    state.sync()

    page = client.get("/records/parcel/0077-01")
    assert page.status_code == 404 and "<h1>No parcel 0077-01 here</h1>" in page.text
    api = client.get("/api/records/parcel/0077-01")
    assert api.status_code == 404 and api.json()["error"] == "No parcel 0077-01 here"
    listed = [r["id"] for r in client.get("/api/records/parcel").json()["records"]]
    assert listed == ["0042-17", "0088-01"]
    home = client.get("/").text
    assert "0077-01" not in home and "Parcel 0088-01 (800 m²) registered to" in home
    assert "0077-01" not in client.get("/records/parcel.csv").text
    assert client.get(f"/api/tx/{orphan.tx_hash}").status_code == 404
    assert client.get("/api/verify", params={"tx": orphan.tx_hash}).json()["ok"] is False
    # The owner's page no longer lists the orphaned title.
    titles = client.get(f"/api/address/{owner}").json()["titles"]
    assert [t["parcel"] for t in titles] == ["0042-17", "0088-01"]
