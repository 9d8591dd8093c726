"""The citizen's verify page: a transaction hash, a welfare proof, a vote receipt or a land sale,
answered yes or no with the evidence read from the chain; bad uploads get a clear 4xx page.

The chain is populated by the real clients: a parcel sold with the suite's token, a published
welfare round with one entitlement paid (the per-beneficiary proof files written by
``RoundPlan.write``), and an election whose receipts are the files ``BallotClient.commit`` keeps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_utils import keccak
from starlette.testclient import TestClient

from govchain.chain import Chain
from govchain.cli import main
from govchain.clients.ballot import BallotClient, VoteReceipt, VoterRoll
from govchain.clients.land import LandClient, ParcelSpec
from govchain.clients.welfare import RoundPlan, WelfareClient
from govchain.explorer.app import Explorer, create_app
from govchain.explorer.evidence import MAX_UPLOAD
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.project import Project
from govchain.session import Session, registries

DEED = b"\x11" * 32
DAY = 86_400
TRACE = re.compile(r"Traceback|File \"/", re.MULTILINE)


@dataclass
class World:
    explorer: Explorer
    client: TestClient
    chain: Chain
    txs: dict[str, str]
    proofs: Path  # the round's proofs/ folder, as RoundPlan.write left it
    receipts: dict[str, Path]  # vote receipts as the ballot client kept them
    round_id: int
    election_id: int

    def proof_of(self, account: int) -> dict[str, Any]:
        address = self.chain.accounts[account].address
        data: dict[str, Any] = json.loads((self.proofs / f"{address}.json").read_text())
        return data

    def upload(self, data: bytes | str, name: str = "file.json", path: str = "/verify") -> Any:
        raw = data.encode() if isinstance(data, str) else data
        return self.client.post(path, files={"file": (name, raw, "application/json")})


def _mine_at(chain: Chain, timestamp: int) -> None:
    chain.rpc("evm_setNextBlockTimestamp", timestamp)
    chain.rpc("evm_mine")


@pytest.fixture
def world(devnet_project: Project, chain: Chain, tmp_path: Path) -> Iterator[World]:
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    accounts = chain.accounts
    token = session.contract("PaymentToken")
    txs: dict[str, str] = {}

    # Land: 0042-18 registered to accounts[5], sold to accounts[6] for 500.00 PUB.
    land = LandClient.connect(session)
    land.grant_role("REGISTRAR_ROLE", accounts[1].address)
    registrar = land.as_account(accounts[1])
    txs["register"] = registrar.register(
        "0042-18", accounts[5].address, ParcelSpec(b"\x02" * 32, 900, 110), DEED
    ).tx_hash
    session.sender.transact(token.functions.mint(accounts[6].address, 50_000))
    deadline = int(chain.w3.eth.get_block("latest")["timestamp"]) + DAY
    land.as_account(accounts[5]).offer_sale(
        "0042-18", accounts[6].address, token.address, 50_000, deadline
    )
    txs["sale"] = land.as_account(accounts[6]).accept_sale("0042-18", DEED).tx_hash

    # Welfare: a round of three entitlements, published; entry 0 paid.
    welfare = WelfareClient.connect(session)
    official, officer_account = accounts[2], accounts[1]
    welfare.grant_role("PROGRAMME_MANAGER_ROLE", official.address)
    welfare.grant_role("ELIGIBILITY_OFFICER_ROLE", officer_account.address)
    session.sender.transact(token.functions.mint(official.address, 1_000_000))
    session.sender_for(official).transact(token.functions.approve(welfare.address, 2**256 - 1))
    programme = welfare.create_programme(
        name="Child benefit",
        token=token.address,
        funding=official.address,
        manager=official.address,
        officer=officer_account.address,
    ).event("ProgrammeCreated")["programmeId"]
    plan = RoundPlan.from_entitlements([(accounts[i].address, 1_000 * i) for i in (7, 8, 9)])
    plan.write(tmp_path / "round")
    proposed = welfare.as_account(officer_account).propose_round(int(programme), plan)
    round_id = int(proposed.event("RoundProposed")["roundId"])
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    txs["publish"] = (
        welfare.as_account(official).publish_round(round_id, now, now + 30 * DAY).tx_hash
    )
    txs["claim"] = welfare.claim(round_id, plan, 0).tx_hash

    # Ballot: accounts 3, 4 and 8 on the roll. 3 votes 1 and reveals; 4 votes 0 then replaces
    # it with 2 and reveals; 8 votes and never reveals.
    ballot = BallotClient.connect(session)
    ballot.grant_role("ELECTION_AUTHORITY_ROLE", official.address)
    roll = VoterRoll.from_addresses([accounts[i].address for i in (3, 4, 8)])
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    created = ballot.as_account(official).create_election(
        title="Referendum on the new library",
        document_hash=keccak(text="question"),
        roll=roll,
        options=["Yes", "No", "Abstain"],
        commit_start=now + DAY,
        commit_end=now + 8 * DAY,
        reveal_end=now + 11 * DAY,
    )
    election_id = int(created.event("ElectionCreated")["electionId"])
    _mine_at(chain, now + DAY)
    receipts: dict[str, Path] = {}
    kept: dict[str, VoteReceipt] = {}
    for label, voter, choice in [("3", 3, 1), ("4-first", 4, 0), ("4", 4, 2), ("8", 8, 1)]:
        voter_client = ballot.as_account(accounts[voter])
        kept[label] = VoteReceipt.new(election_id, accounts[voter].address, choice)
        receipts[label] = tmp_path / f"vote-{label}.json"
        voter_client.commit(kept[label], roll.proof(accounts[voter].address), keep=receipts[label])
    _mine_at(chain, now + 8 * DAY + 1)
    txs["reveal"] = ballot.reveal(kept["3"]).tx_hash
    ballot.reveal(kept["4"])

    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    state = Explorer(session, store, Indexer(session, store))
    state.sync()
    with TestClient(create_app(state, sync_every=None)) as client:
        yield World(
            state,
            client,
            chain,
            txs,
            tmp_path / "round" / "proofs",
            receipts,
            round_id,
            election_id,
        )


def _clean(page: Any) -> None:
    assert not TRACE.search(page.text)


# -- a transaction ------------------------------------------------------------------------------


def test_a_transaction_hash_is_answered_with_its_block_and_confirmations(world: World) -> None:
    tx = world.txs["register"]
    receipt = world.chain.w3.eth.get_transaction_receipt(tx)  # type: ignore[arg-type]
    block = int(receipt["blockNumber"])
    head = int(world.chain.w3.eth.block_number)
    page = world.client.get("/verify", params={"tx": tx})
    assert page.status_code == 200
    assert 'Transaction: <span class="ok">yes</span>' in page.text
    assert f"included in block {block} with {head - block + 1:,} confirmations" in page.text
    assert "Parcel 0042-18 (900 m²) registered to" in page.text
    _clean(page)

    data = world.client.get("/api/verify", params={"tx": tx}).json()
    assert data["answer"] == "yes" and data["ok"] is True
    assert data["checked_at_block"] == head
    facts = {f["label"]: f for f in data["evidence"]}
    assert facts["Included in"]["ok"] is True and facts["Included in"]["href"] == f"/block/{block}"
    assert facts["Result"]["text"] == "succeeded"
    # The same through the form, as a browser without JavaScript posts it.
    posted = world.client.post("/verify", data={"tx": f"  {tx.upper().replace('0X', '0x')}  "})
    assert posted.status_code == 200 and "included in block" in posted.text
    posted = world.client.post("/api/verify", json={"tx": tx})
    assert posted.json()["ok"] is True
    # Brackets inside strings are not nesting: a shallow file with them is read as usual.
    noted = json.dumps({"tx": tx, "note": '[[[[[[[[[[[[["]]]'})
    assert world.upload(noted, path="/api/verify").json()["ok"] is True

    unknown = world.client.get("/api/verify", params={"tx": "0x" + "ab" * 32}).json()
    assert unknown["ok"] is False
    assert unknown["summary"] == "No: this chain has no mined transaction with this hash."
    assert "no mined transaction" in world.client.get("/verify?tx=0x" + "ab" * 32).text


def test_the_form_works_without_javascript(world: World) -> None:
    page = world.client.get("/verify")
    assert page.status_code == 200
    assert '<form class="check" action="/verify" method="post" enctype="multipart/form-data"' in (
        page.text
    )
    for field in ('for="tx"', 'for="sale-parcel"', 'for="sale-tx"', 'for="file"'):
        assert field in page.text  # every input labelled
    assert "<script" not in page.text
    # The contract-code check moved, and is still linked from every page.
    assert 'href="/verify/contracts"' in page.text
    assert world.client.get("/verify/contracts").status_code == 200


# -- a welfare proof ----------------------------------------------------------------------------


def test_a_welfare_proof_is_checked_against_its_round_and_payment(world: World) -> None:
    accounts = world.chain.accounts
    paid = world.upload(json.dumps(world.proof_of(7)), f"{accounts[7].address}.json")
    assert paid.status_code == 200
    assert f"proof is valid against round {world.round_id}&#39;s root" in paid.text
    assert f"published in tx {world.txs['publish']}" in paid.text
    assert "is paid" in paid.text and world.txs["claim"] in paid.text
    _clean(paid)

    unpaid = world.upload(json.dumps(world.proof_of(8)), path="/api/verify").json()
    assert unpaid["ok"] is True
    facts = {f["label"]: f for f in unpaid["evidence"]}
    assert facts["The proof"]["ok"] is True
    assert facts[f"Round {world.round_id}'s root"]["ok"] is True
    assert facts["Published"]["href"] == f"/tx/{world.txs['publish']}"
    assert facts["Entitlement"]["text"].startswith("unpaid — it can be claimed from")
    assert "is unpaid" in unpaid["summary"]
    # The file posted as the JSON body answers the same.
    body = world.client.post("/api/verify", json=world.proof_of(8)).json()
    assert body["summary"] == unpaid["summary"]

    # A changed amount breaks the proof: no.
    forged = world.proof_of(9) | {"amount": "999999"}
    answer = world.upload(json.dumps(forged), path="/api/verify").json()
    assert answer["ok"] is False and "not valid" in answer["summary"]
    # A valid proof of a list no round was ever proposed with: no.
    other = RoundPlan.from_entitlements([(accounts[7].address, 5)])
    lonely = {
        "root": other.root,
        "index": 0,
        "beneficiary": accounts[7].address,
        "amount": "5",
        "proof": other.proof(0),
    }
    answer = world.upload(json.dumps(lonely), path="/api/verify").json()
    assert answer["ok"] is False
    assert answer["summary"].startswith("No: the proof is valid for its own root, but no welfare")


# -- a vote receipt -----------------------------------------------------------------------------


def test_a_vote_receipt_says_whether_and_how_the_ballot_was_counted(world: World) -> None:
    receipt = world.receipts["3"].read_text()
    salt = json.loads(receipt)["salt"]
    page = world.upload(receipt, "vote.json")
    assert page.status_code == 200
    assert "Yes: the vote was counted for option 1." in page.text
    assert world.txs["reveal"] in page.text
    assert salt not in page.text and salt[2:] not in page.text  # never the salt
    _clean(page)
    data = world.upload(receipt, path="/api/verify").json()
    assert data["ok"] is True and salt[2:] not in json.dumps(data)

    replaced = world.upload(world.receipts["4-first"].read_text(), path="/api/verify").json()
    assert replaced["ok"] is False
    assert "replaced by a later one" in replaced["summary"]
    assert world.upload(world.receipts["4"].read_text(), path="/api/verify").json()["summary"] == (
        "Yes: the vote was counted for option 2."
    )

    sealed_text = world.receipts["8"].read_text()
    sealed = world.upload(sealed_text, path="/api/verify").json()
    assert sealed["ok"] is False
    assert sealed["summary"].startswith("Not counted yet: the ballot is cast and sealed")
    shown = json.dumps(sealed)
    assert "option 1" not in shown  # a sealed ballot's choice stays hidden
    assert json.loads(sealed_text)["salt"][2:] not in shown

    # After the reveal period, the unopened ballot is plainly not counted.
    election = BallotClient.connect(world.explorer.session).election(world.election_id)
    _mine_at(world.chain, election.reveal_end + 1)
    closed = world.upload(sealed_text, path="/api/verify").json()
    assert closed["summary"] == "No: the ballot was cast but never opened, so it was not counted."

    # A receipt whose choice was edited no longer matches its commitment: refused, not answered.
    edited = json.loads(receipt) | {"choice": 2}
    refused = world.upload(json.dumps(edited))
    assert refused.status_code == 422
    assert "<h1>This vote receipt does not add up</h1>" in refused.text
    assert salt[2:] not in refused.text
    unknown = json.loads(receipt)
    answer = world.client.post("/api/verify", json=unknown | {"electionId": 99}).json()
    assert answer == {
        "error": "This vote receipt does not add up",
        "detail": answer["detail"],
        "status": 422,
    }


# -- a land sale --------------------------------------------------------------------------------


def test_a_land_sale_names_the_buyer_and_the_owner_now(world: World) -> None:
    accounts = world.chain.accounts
    tx = world.txs["sale"]
    page = world.client.get("/verify", params={"tx": tx, "parcel": "0042-18"})
    assert page.status_code == 200
    short = f"{accounts[6].address[:6]}…{accounts[6].address[-4:]}"
    assert "Yes: parcel 0042-18 was sold by" in page.text and f"to {short}" in page.text
    assert "the buyer still owns it" in page.text
    assert 'href="/records/parcel/0042-18#title"' in page.text
    _clean(page)

    # The parcel's chain of title links each step to its check: the sale as a sale.
    record = world.client.get("/records/parcel/0042-18").text
    assert f'href="/verify?tx={tx}&amp;parcel=0042-18"' in record
    assert f'href="/verify?tx={world.txs["register"]}"' in record
    steps = world.client.get("/api/records/parcel/0042-18").json()["chain_of_title"]
    assert [(s["how"], s["owner"], s["previous"]) for s in steps] == [
        ("registered to", accounts[5].address, None),
        ("sold to", accounts[6].address, accounts[5].address),
    ]
    assert steps[1]["tx"] == tx

    receipt = json.dumps({"parcel": "0042-18", "tx": tx})
    data = world.upload(receipt, "sale.json", path="/api/verify").json()
    assert data["ok"] is True and data["what"] == "land sale"
    owner = {f["label"]: f for f in data["evidence"]}["Owner now"]
    assert owner["ok"] is True and owner["text"].startswith(accounts[6].address)

    # The registration transaction sold nothing; the sale did not sell another parcel.
    wrong = world.client.get(
        "/api/verify", params={"tx": world.txs["register"], "parcel": "0042-18"}
    ).json()
    assert wrong["ok"] is False and "did not complete a sale of parcel 0042-18" in wrong["summary"]
    other = world.client.get("/api/verify", params={"tx": tx, "parcel": "0042-17"}).json()
    assert other["ok"] is False

    # Once the buyer sells on, the answer says the title has changed hands since.
    land = LandClient.connect(world.explorer.session)
    deadline = int(world.chain.w3.eth.get_block("latest")["timestamp"]) + DAY
    token = world.explorer.session.contract("PaymentToken")
    world.explorer.session.sender.transact(token.functions.mint(accounts[0].address, 100))
    seller = land.as_account(accounts[6])
    seller.offer_sale("0042-18", accounts[0].address, token.address, 100, deadline)
    land.accept_sale("0042-18", DEED)
    again = world.client.get("/api/verify", params={"tx": tx, "parcel": "0042-18"}).json()
    assert again["ok"] is True and "its owner now is" in again["summary"]


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "heading"),
    [
        (b"this is not json", 400, "That file is not JSON"),
        (b"\xff\xfe\x00binary", 400, "That file is not JSON"),
        (b"[" * 50_000 + b"]" * 50_000, 413, "That upload is too big"),
        (b"[" * 30_000 + b"]" * 30_000, 422, "This file is not one the explorer can check"),
        (b"[" * 9 + b"]" * 9, 422, "This file is not one the explorer can check"),
        (b"", 400, "That file is empty"),
        (b'{"hello": "world"}', 422, "This file is not one the explorer can check"),
        (b"[1, 2, 3]", 422, "This file is not one the explorer can check"),
        (
            b'{"root": "0x12", "index": 0, "beneficiary": "0x", "amount": "1", "proof": []}',
            422,
            "This welfare proof is not well formed",
        ),
        (
            b'{"root": "0x'
            + b"00" * 32
            + b'", "index": -1, "beneficiary": "0x'
            + b"11" * 20
            + b'", "amount": "1", "proof": []}',
            422,
            "This welfare proof is not well formed",
        ),
        (
            b'{"electionId": true, "voter": "0x", "choice": 0, "salt": "", "commitment": ""}',
            422,
            "This vote receipt is not well formed",
        ),
        (b'{"parcel": "0042-18", "tx": "0x1234"}', 400, "That is not a transaction hash"),
        (b'{"parcel": "", "tx": "0x' + b"ab" * 32 + b'"}', 400, "That is not a parcel number"),
        (b'{"tx": 12}', 422, "This receipt is not well formed"),
        (b" " * (MAX_UPLOAD + 1), 413, "That file is too big"),
    ],
)
def test_bad_uploads_get_a_clear_4xx_page(
    world: World, body: bytes, status: int, heading: str
) -> None:
    page = world.upload(body)
    assert page.status_code == status, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in page.text
    _clean(page)
    assert len(page.text) < 20_000
    api = world.upload(body, path="/api/verify")
    assert api.status_code == status and api.json()["error"] == heading


@pytest.mark.parametrize(
    ("params", "status", "heading"),
    [
        ({"tx": "0x1234"}, 400, "That is not a transaction hash"),
        ({"tx": "<script>alert(1)</script>"}, 400, "That is not a transaction hash"),
        ({"tx": ""}, 400, "Nothing to verify"),
        ({"parcel": "0042-18"}, 400, "A transaction hash is needed"),
        ({"tx": "0x" + "ab" * 32, "parcel": "x" * 40}, 400, "That is not a parcel number"),
        ({"tx": "0x" + "ab" * 32, "parcel": "é"}, 400, "That is not a parcel number"),
    ],
)
def test_bad_typed_input_gets_a_clear_4xx_page(
    world: World, params: dict[str, str], status: int, heading: str
) -> None:
    for page in (
        world.client.get("/verify", params=params),
        world.client.post("/verify", data=params),
    ):
        assert page.status_code == status
        assert f"<h1>{heading}</h1>" in page.text and "<script>alert" not in page.text
        _clean(page)
    api = world.client.get("/api/verify", params=params)
    assert api.status_code == status and api.json()["error"] == heading


def test_requests_the_verify_page_cannot_read(world: World) -> None:
    assert world.client.get("/api/verify").status_code == 400  # nothing asked
    plain = world.client.post(
        "/api/verify", content=b"0x1234", headers={"content-type": "text/plain"}
    )
    assert plain.status_code == 415 and plain.json()["error"] == "Send a form or a JSON file"
    huge = world.client.post(
        "/verify",
        content=b"x" * 200_000,
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert huge.status_code == 413 and "<h1>That upload is too big</h1>" in huge.text
    broken = world.client.post(
        "/verify", content=b"--xyz\r\nnonsense", headers={"content-type": "multipart/form-data"}
    )
    assert broken.status_code == 400 and "<h1>That form could not be read</h1>" in broken.text
    two = world.client.post(
        "/verify",
        files=[("file", ("a.json", b"{}", "application/json")), ("file", ("b.json", b"{}", "x"))],
    )
    assert two.status_code == 400
    for page in (plain, huge, broken, two):
        _clean(page)
