"""The explorer in a real browser (Debian's Chromium through Playwright): a citizen's path."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, sync_playwright

from govchain.chain import Chain
from govchain.cli import main
from govchain.clients.land import LandClient, ParcelSpec
from govchain.explorer.app import MAX_REQUEST_HEAD, Explorer, create_app
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


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the main pages' screenshots are kept (``$GOVCHAIN_SCREENSHOTS`` or a pytest temp
    folder); printed so that a run leaves its artefacts findable."""
    given = os.environ.get("GOVCHAIN_SCREENSHOTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=folder / f"{name}.png", full_page=True)


@pytest.fixture
def site(devnet_project: Project, chain: Chain, tmp_path: Path) -> Iterator[str]:
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    accounts = chain.accounts
    land = LandClient.connect(session)
    land.grant_role("REGISTRAR_ROLE", accounts[1].address)
    registrar = land.as_account(accounts[1])
    registrar.register(
        "0042-17", accounts[5].address, ParcelSpec(b"\x01" * 32, 1_250, 110), b"\x11" * 32
    )
    # 0042-18: registered to accounts[5], then sold to accounts[6] for 500.00 PUB.
    registrar.register(
        "0042-18", accounts[5].address, ParcelSpec(b"\x02" * 32, 900, 110), b"\x11" * 32
    )
    token = session.contract("PaymentToken")
    session.sender.transact(token.functions.mint(accounts[6].address, 50_000))
    deadline = int(chain.w3.eth.get_block("latest")["timestamp"]) + 86_400
    land.as_account(accounts[5]).offer_sale(
        "0042-18", accounts[6].address, token.address, 50_000, deadline
    )
    land.as_account(accounts[6]).accept_sale("0042-18", b"\x11" * 32)
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    state = Explorer(session, store, Indexer(session, store))
    state.sync()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(state, sync_every=None),
        port=port,
        log_level="warning",
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD,  # as `govchain explorer` serves it
    )
    server = uvicorn.Server(config)
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


def test_a_citizen_follows_a_chain_of_title_and_verifies_the_sale(
    browser: Browser,
    site: str,
    chain: Chain,
    screenshots: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seller, buyer = chain.accounts[5].address, chain.accounts[6].address
    # No JavaScript at all: every step is a link or a plain form.
    page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto(site)
    assert page.get_by_text("Parcel 0042-18 sold by").is_visible()
    shoot(page, screenshots, "home")
    page.get_by_label("Search a transaction, address, block, or record").fill("0042-18")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(f"{site}/records/parcel/0042-18")
    title = page.locator("section", has=page.get_by_role("heading", name="Chain of title"))
    steps = title.get_by_role("listitem")
    assert steps.count() == 2
    assert steps.nth(0).inner_text().startswith(f"Registered to {seller}")
    assert steps.nth(1).inner_text().startswith(f"Sold to {buyer}")
    assert "everything agrees" in page.get_by_role("heading", level=2).first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, screenshots, "record-parcel-0042-18")

    # Follow the title to its owner now: the registry confirms the owner.
    steps.nth(1).get_by_role("link", name=buyer).click()
    page.wait_for_url(f"{site}/address/{buyer}")
    owned = page.get_by_role("row", name=re.compile("0042-18"))
    assert "bought" in owned.inner_text() and "owner confirmed" in owned.inner_text()
    page.go_back()

    # The sale's transaction, decoded.
    steps.nth(1).get_by_role("link", name=re.compile("^tx ")).click()
    page.wait_for_url(re.compile(f"{site}/tx/0x[0-9a-f]{{64}}$"))
    sale_tx = page.url.rsplit("/", 1)[1]
    assert "Called acceptSale on LandRegistry" in page.locator("p.lead").inner_text()
    shoot(page, screenshots, "tx-sale")

    # Verify it: the hash pasted into the verify page.
    page.get_by_role("link", name="Verify a transaction or receipt").click()
    page.wait_for_url(f"{site}/verify")
    page.get_by_label("Transaction hash", exact=True).fill(sale_tx)
    page.get_by_role("button", name="Verify the transaction").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Transaction: yes"
    verdict = page.get_by_role("status").inner_text()
    assert re.search(
        r"Yes: included in block \d+ with \d+ confirmations?, and it succeeded", verdict
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, screenshots, "verify-transaction")

    # The same sale as a receipt file, uploaded.
    receipt = tmp_path / "sale.json"
    receipt.write_text(json.dumps({"parcel": "0042-18", "tx": sale_tx}))
    page.goto(f"{site}/verify")
    page.get_by_label("Welfare proof, vote receipt or sale receipt").set_input_files(receipt)
    page.get_by_role("button", name="Verify the file").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Land sale: yes"
    assert "the buyer still owns it" in page.get_by_role("status").inner_text()
    shoot(page, screenshots, "verify-sale")

    # A file that is not a receipt: a clear refusal, not a stack trace.
    junk = tmp_path / "junk.json"
    junk.write_text("not json at all")
    page.goto(f"{site}/verify")
    page.get_by_label("Welfare proof, vote receipt or sale receipt").set_input_files(junk)
    page.get_by_role("button", name="Verify the file").click()
    assert page.get_by_role("heading", level=1).inner_text() == "That file is not JSON"

    # The contract badge: the registry's code is exactly the published source.
    page.get_by_role("link", name="Verify the contracts").click()
    page.wait_for_url(f"{site}/verify/contracts")
    page.get_by_role("link", name="LandRegistry", exact=True).click()
    page.wait_for_url(f"{site}/contract/LandRegistry")
    assert page.get_by_role("heading", name=re.compile("Exact match")).is_visible()
    shoot(page, screenshots, "contract-LandRegistry")
    page.close()
    taken = ", ".join(sorted(p.name for p in screenshots.glob("*.png")))
    with capsys.disabled():  # shown even when pytest captures output: where the artefacts are
        print(f"\nscreenshots of the main pages in {screenshots}: {taken}")


def test_the_real_server_answers_a_100_kb_query_with_a_clear_page(site: str) -> None:
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(site)
    connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=10)
    try:
        connection.request("GET", "/search?q=" + "a" * 100_000)
        response = connection.getresponse()
        text = response.read().decode()
    finally:
        connection.close()
    assert response.status == 414
    assert response.getheader("content-type", "").startswith("text/html")
    assert "<h1>That address is too long</h1>" in text and "Traceback" not in text
    assert len(text) < 20_000
