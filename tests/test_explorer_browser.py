"""The explorer in a real browser (Debian's Chromium through Playwright): a citizen's path."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner
from playwright.sync_api import Browser, sync_playwright

from govchain.chain import Chain
from govchain.cli import main
from govchain.clients.land import LandClient, ParcelSpec
from govchain.explorer.app import Explorer, create_app
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.project import Project
from govchain.session import Session, registries

CHROMIUM = "/usr/bin/chromium"  # `make test` installs it from Debian; never downloaded at run time
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run `make test` (it installs chromium)"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(devnet_project: Project, chain: Chain, tmp_path: Path) -> Iterator[str]:
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    land = LandClient.connect(session)
    land.grant_role("REGISTRAR_ROLE", chain.accounts[1].address)
    land.as_account(chain.accounts[1]).register(
        "0042-17", chain.accounts[5].address, ParcelSpec(b"\x01" * 32, 1_250, 110), b"\x11" * 32
    )
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    state = Explorer(session, store, Indexer(session, store))
    state.sync()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(state, sync_every=None), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # the server's own readiness flag, set once it listens
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_a_citizen_finds_a_parcel_by_keyboard_and_sees_it_verified(
    browser: Browser, site: str
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(site)
    assert page.get_by_role("heading", name="Latest public activity").is_visible()
    search = page.get_by_label("Search a transaction, address, block, or record")
    search.focus()
    page.keyboard.type("0042-17")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/records/parcel/0042-17")
    assert page.get_by_role("heading", name="Parcel 0042-17").is_visible()
    assert "everything agrees" in page.get_by_role("heading", level=2).first.inner_text()
    assert page.get_by_text("Parcel 0042-17 (1,250 m²) registered to").is_visible()
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Verify the contracts").click()
    assert page.get_by_text("matches the source").first.is_visible()
