"""LandRegistry through its Python client: every rule, every named error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_utils import keccak

from govchain import contract_error
from govchain.chain import Chain
from govchain.clients.land import (
    LandClient,
    LandClientError,
    ParcelNumberError,
    ParcelSpec,
    parcel_id,
    parcel_number,
)
from govchain.events import EventRegistry
from govchain.project import Project
from govchain.revert import ErrorRegistry
from govchain.session import Session, registries
from land_env import DAY, DEED, LandDeployment, LandEnv, deploy_land, land_env_at, spec

ZERO = "0x" + "00" * 20
REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
COURT_ROLE = keccak(text="COURT_ROLE")
GOVERNANCE_ROLE = keccak(text="GOVERNANCE_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
DEED_OF_SALE = keccak(text="deed of sale")
LOAN = keccak(text="mortgage deed")
CASE = keccak(text="case 2026/117")
ORDER = keccak(text="court order 2026/117")
SPLIT = keccak(text="subdivision plan")


@dataclass(frozen=True)
class Deployed:
    project: Project
    errors: ErrorRegistry
    events: EventRegistry
    land: LandDeployment


@pytest.fixture(scope="module")
def deployed(project: Project, _anvil_chain: Chain) -> Iterator[Deployed]:
    """One registry for the whole module, undone after it; each test starts from it afresh
    (the ``chain`` fixture reverts every test's changes). The ABI registries are read once."""
    snapshot = _anvil_chain.rpc("evm_snapshot")
    errors, events = registries(project)
    land = deploy_land(Session(project, _anvil_chain, errors, events), _anvil_chain)
    yield Deployed(project, errors, events, land)
    assert _anvil_chain.rpc("evm_revert", snapshot) is True


@pytest.fixture
def env(chain: Chain, deployed: Deployed) -> LandEnv:
    session = Session(deployed.project, chain, deployed.errors, deployed.events)
    return land_env_at(session, chain, deployed.land)


def addr(client: LandClient) -> str:
    return client.sender.address


def owner_of(env: LandEnv, number: str) -> str:
    return str(env.call(env.registrar.contract.functions.ownerOf(parcel_id(number))))


def titles_held(env: LandEnv, client: LandClient) -> int:
    return int(env.registrar.contract.functions.balanceOf(addr(client)).call())


def assert_unregistered(env: LandEnv, number: str) -> None:
    ident = parcel_id(number)
    with pytest.raises(contract_error("LandNotLive")) as info:
        env.call(env.registrar.contract.functions.title(ident))
    assert info.value.inputs == {"parcelId": ident}
    assert env.registrar.contract.functions.parcel(ident).call()[4] == 0  # ParcelStatus.None


def unauthorised(info: pytest.ExceptionInfo, account: LandClient, role: bytes) -> None:
    assert info.value.inputs == {"account": addr(account), "neededRole": role}


# ---------------------------------------------------------------------------------------------
# Parcel numbers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["0042-17", "7", "X" * 32, "0042-17/3 (lot B) @ 12:00"])
def test_parcel_id_is_the_left_aligned_number_and_reverses(env: LandEnv, number: str) -> None:
    ident = parcel_id(number)
    assert ident == int.from_bytes(number.encode("ascii").ljust(32, b"\x00"), "big")
    assert parcel_number(ident) == number
    assert env.registrar.contract.functions.parcelNumber(ident).call() == number
    assert parcel_id(ident) == ident  # an int is taken as an id already


@pytest.mark.parametrize("number", ["", "X" * 33, "0042-ü", "Ω", "00\x0042"])
def test_client_refuses_parcel_numbers_that_cannot_be_ids(env: LandEnv, number: str) -> None:
    alice = env.citizens[0]
    with pytest.raises(ParcelNumberError):
        parcel_id(number)
    with pytest.raises(ParcelNumberError):
        env.registrar.register(number, addr(alice), spec("x", 1_000), DEED)
    assert titles_held(env, alice) == 0


@pytest.mark.parametrize(
    "ident",
    [0, int.from_bytes(b"\x000042-17".ljust(32, b"\x00"), "big"), 1],
    ids=["zero", "leading-zero-byte", "only-last-byte"],
)
def test_contract_refuses_ids_with_an_empty_number(env: LandEnv, ident: int) -> None:
    alice = env.citizens[0]
    with pytest.raises(contract_error("LandInvalidParcelNumber")) as info:
        env.registrar.register(ident, addr(alice), spec("x", 1_000), DEED)
    assert info.value.inputs == {"parcelId": ident}
    assert titles_held(env, alice) == 0


@pytest.mark.parametrize(
    "ident",
    [parcel_id("0042-17") | 1, int.from_bytes(b"\xff42".ljust(32, b"\x00"), "big")],
    ids=["byte-after-terminator", "non-ascii"],
)
def test_contract_refuses_ids_that_are_not_a_parcel_number(env: LandEnv, ident: int) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    with pytest.raises(contract_error("LandInvalidParcelNumber")) as info:
        env.registrar.register(ident, addr(bob), spec("x", 1_000), DEED)
    assert info.value.inputs == {"parcelId": ident}


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------


def test_registration_records_the_title(env: LandEnv) -> None:
    alice = env.citizens[0]
    record = spec("0042-17", 1_250, 310)
    receipt = env.registrar.register("0042-17", addr(alice), record, DEED)
    event = receipt.event("ParcelRegistered")
    assert event.args == {
        "parcelId": parcel_id("0042-17"),
        "owner": addr(alice),
        "geometryHash": record.geometry_hash,
        "area": 1_250,
        "landUse": 310,
        "deedHash": DEED,
        "registrar": addr(env.registrar),
    }
    title = env.registrar.title("0042-17")
    assert (title.number, title.parcel_id, title.owner, title.status) == (
        "0042-17",
        parcel_id("0042-17"),
        addr(alice),
        "Live",
    )
    assert (title.geometry_hash, title.deed_hash, title.area, title.land_use) == (
        record.geometry_hash,
        DEED,
        1_250,
        310,
    )
    assert not title.frozen and title.active_liens == [] and title.sale is None
    assert title.parents == [] and title.children == []
    stored = env.registrar.contract.functions.parcel(parcel_id("0042-17")).call()
    block = env.chain.w3.eth.get_block(receipt.block_number)
    assert stored[-1] == block["timestamp"]  # registeredAt
    assert owner_of(env, "0042-17") == addr(alice) and titles_held(env, alice) == 1


@pytest.mark.parametrize("who", ["lender", "court", "citizen", "governance"])
def test_registration_needs_the_registrar_role(env: LandEnv, who: str) -> None:
    caller = env.citizens[0] if who == "citizen" else getattr(env, who)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        caller.register("0042-17", addr(caller), spec("0042-17", 1_000), DEED)
    unauthorised(info, caller, REGISTRAR_ROLE)
    assert_unregistered(env, "0042-17")


def test_a_parcel_is_registered_once(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    with pytest.raises(contract_error("LandAlreadyRegistered")) as info:
        env.register("0042-17", bob, area=5_000)
    assert info.value.inputs == {"parcelId": parcel_id("0042-17")}
    assert owner_of(env, "0042-17") == addr(alice)
    assert env.registrar.title("0042-17").area == 1_000
    assert titles_held(env, bob) == 0


def test_a_retired_parcel_cannot_be_registered_again(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.registrar.subdivide(
        "0042-17", [("0042-17/1", spec("a", 400)), ("0042-17/2", spec("b", 600))], SPLIT
    )
    for number in ["0042-17", "0042-17/1"]:
        with pytest.raises(contract_error("LandAlreadyRegistered")) as info:
            env.register(number, bob)
        assert info.value.inputs == {"parcelId": parcel_id(number)}
    assert env.registrar.title("0042-17").status == "Retired"
    assert titles_held(env, bob) == 0


def test_registration_needs_an_area_and_an_owner(env: LandEnv) -> None:
    alice = env.citizens[0]
    with pytest.raises(contract_error("GovchainZeroAmount")) as info:
        env.register("0042-17", alice, area=0)
    assert info.value.inputs == {"parameter": "area"}
    with pytest.raises(contract_error("GovchainZeroAddress")) as info:
        env.registrar.register("0042-17", ZERO, spec("0042-17", 1_000), DEED)
    assert info.value.inputs == {"parameter": "owner"}
    env.register("0042-17", alice, area=1)  # the smallest area is fine
    assert env.registrar.title("0042-17").area == 1


# ---------------------------------------------------------------------------------------------
# ERC-721 surface: approvals yes, transfers outside the registry no
# ---------------------------------------------------------------------------------------------


def plain_transfers(client: LandClient, source: str, target: str, ident: int) -> list:
    functions = client.contract.functions
    return [
        functions.transferFrom(source, target, ident),
        client.contract.get_function_by_signature("safeTransferFrom(address,address,uint256)")(
            source, target, ident
        ),
        client.contract.get_function_by_signature(
            "safeTransferFrom(address,address,uint256,bytes)"
        )(source, target, ident, b"title"),
    ]


def test_owner_cannot_transfer_a_title_outside_the_registry(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    for call in plain_transfers(alice, addr(alice), addr(bob), ident):
        with pytest.raises(contract_error("LandTransferOutsideRegistry")) as info:
            alice.sender.transact(call)
        assert info.value.inputs == {"parcelId": ident}
    assert owner_of(env, "0042-17") == addr(alice)
    assert (titles_held(env, alice), titles_held(env, bob)) == (1, 0)


def test_approved_operators_move_nothing(env: LandEnv) -> None:
    alice, bob, carol, dave = env.citizens
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    functions = alice.contract.functions
    alice.sender.transact(functions.approve(addr(bob), ident))
    alice.sender.transact(functions.setApprovalForAll(addr(carol), True))
    assert functions.getApproved(ident).call() == addr(bob)
    assert functions.isApprovedForAll(addr(alice), addr(carol)).call() is True
    for operator in (bob, carol):
        for target in (addr(operator), addr(dave)):
            for call in plain_transfers(operator, addr(alice), target, ident):
                with pytest.raises(contract_error("LandTransferOutsideRegistry")) as info:
                    operator.sender.transact(call)
                assert info.value.inputs == {"parcelId": ident}
    # A stranger is refused just the same.
    for call in plain_transfers(dave, addr(alice), addr(dave), ident):
        with pytest.raises(contract_error("LandTransferOutsideRegistry")):
            dave.sender.transact(call)
    assert owner_of(env, "0042-17") == addr(alice)
    assert [titles_held(env, c) for c in env.citizens] == [1, 0, 0, 0]


def test_a_registry_move_clears_the_erc721_approval(env: LandEnv) -> None:
    alice, bob, carol = env.citizens[:3]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    alice.sender.transact(alice.contract.functions.approve(addr(carol), ident))
    env.offer("0042-17", alice, bob, 1_000)
    bob.accept_sale("0042-17", DEED_OF_SALE)
    assert alice.contract.functions.getApproved(ident).call() == ZERO


def test_token_uri_is_base_uri_and_parcel_number(env: LandEnv) -> None:
    alice = env.citizens[0]
    functions = env.registrar.contract.functions
    longest = "L" * 32
    env.register("0042-17", alice)
    env.register(longest, alice)
    assert functions.name().call() == "govchain Land Title"
    assert functions.symbol().call() == "TITLE"
    assert functions.tokenURI(parcel_id("0042-17")).call() == "0042-17"
    base = "https://land.example.gov/titles/"
    receipt = env.governance.sender.transact(functions.setBaseURI(base))
    assert receipt.event("BaseURISet").args == {"baseURI": base}
    assert functions.tokenURI(parcel_id("0042-17")).call() == base + "0042-17"
    assert functions.tokenURI(parcel_id(longest)).call() == base + longest
    with pytest.raises(contract_error("ERC721NonexistentToken")) as info:
        env.call(functions.tokenURI(parcel_id("0042-18")))
    assert info.value.inputs == {"tokenId": parcel_id("0042-18")}
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        env.registrar.sender.transact(functions.setBaseURI("https://evil.example/"))
    unauthorised(info, env.registrar, GOVERNANCE_ROLE)
    assert functions.tokenURI(parcel_id("0042-17")).call() == base + "0042-17"


@pytest.mark.parametrize(
    ("interface", "supported"),
    [
        ("80ac58cd", True),  # ERC-721
        ("5b5e139f", True),  # ERC-721 metadata
        ("7965db0b", True),  # AccessControl
        ("01ffc9a7", True),  # ERC-165
        ("780e9d63", False),  # ERC-721 enumerable
        ("36372b07", False),  # ERC-20
        ("ffffffff", False),
    ],
)
def test_supports_interface(env: LandEnv, interface: str, supported: bool) -> None:
    functions = env.registrar.contract.functions
    assert functions.supportsInterface(bytes.fromhex(interface)).call() is supported


# ---------------------------------------------------------------------------------------------
# Sales
# ---------------------------------------------------------------------------------------------


def test_sale_swaps_title_and_payment_and_history_tells_it(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.governance.set_transfer_tax(env.treasury, 200)  # 2 %
    env.register("0042-17", alice)
    env.offer("0042-17", alice, bob, 1_000_000)
    before = env.balance(addr(alice)), env.balance(addr(bob))
    bob.accept_sale("0042-17", DEED)
    assert env.registrar.owner_of("0042-17") == addr(bob)
    assert env.balance(addr(alice)) == before[0] + 980_000
    assert env.balance(addr(bob)) == before[1] - 1_000_000
    assert env.balance(env.treasury) == 20_000
    env.registrar.subdivide(
        "0042-17",
        [
            ("0042-17/1", ParcelSpec(b"\x01" * 32, 400, 110)),
            ("0042-17/2", ParcelSpec(b"\x02" * 32, 600, 110)),
        ],
        DEED,
    )
    child = env.registrar.title("0042-17/1")
    assert child.owner == addr(bob) and child.parents == ["0042-17"]
    history = env.registrar.title_history("0042-17/1")
    assert [h.event for h in history] == [
        "ParcelRegistered",
        "SaleOffered",
        "SaleCompleted",
        "ParcelRegistered",
        "ParcelDerived",
        "ParcelRetired",
    ]
    assert all(h.tx_hash.startswith("0x") for h in history)


def test_sale_without_tax_leaves_the_seller_only_the_money(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    deadline = env.offer("0042-17", alice, bob, 750_000)
    offer = env.registrar.title("0042-17").sale
    assert offer is not None
    assert (offer.buyer, offer.token, offer.price, offer.deadline, offer.approved) == (
        addr(bob),
        env.token.address,
        750_000,
        deadline,
        False,
    )
    alice_before, bob_before = env.balance(addr(alice)), env.balance(addr(bob))
    receipt = bob.accept_sale("0042-17", DEED_OF_SALE)
    assert receipt.event("SaleCompleted").args == {
        "parcelId": parcel_id("0042-17"),
        "seller": addr(alice),
        "buyer": addr(bob),
        "token": env.token.address,
        "price": 750_000,
        "tax": 0,
        "deedHash": DEED_OF_SALE,
    }
    assert env.balance(addr(alice)) == alice_before + 750_000
    assert env.balance(addr(bob)) == bob_before - 750_000
    assert env.balance(env.registrar.address) == 0 and env.balance(env.treasury) == 0
    title = env.registrar.title("0042-17")
    assert title.owner == addr(bob) and title.sale is None and title.deed_hash == DEED_OF_SALE
    assert (titles_held(env, alice), titles_held(env, bob)) == (0, 1)
    # The seller has the money, and no way back to the title.
    with pytest.raises(contract_error("LandNotOwner")) as info:
        env.offer("0042-17", alice, bob, 1)
    assert info.value.inputs == {"parcelId": parcel_id("0042-17"), "account": addr(alice)}
    with pytest.raises(contract_error("LandNotOwner")):
        alice.withdraw_sale("0042-17")
    for call in plain_transfers(alice, addr(bob), addr(alice), parcel_id("0042-17")):
        with pytest.raises(contract_error("LandTransferOutsideRegistry")):
            alice.sender.transact(call)
    # ... and the buyer cannot pay twice.
    with pytest.raises(LandClientError):
        bob.accept_sale("0042-17", DEED_OF_SALE)
    with pytest.raises(contract_error("LandNoSale")) as info:
        env.accept_raw(bob, "0042-17", 750_000)
    assert info.value.inputs == {"parcelId": parcel_id("0042-17")}
    assert env.balance(addr(alice)) == alice_before + 750_000
    assert env.balance(addr(bob)) == bob_before - 750_000
    assert owner_of(env, "0042-17") == addr(bob)


@pytest.mark.parametrize(
    ("price", "bps", "tax"),
    [
        (1_000_000, 200, 20_000),
        (9_999, 250, 249),  # 249.975 rounds down
        (12_345_678, 137, 169_135),  # 169 135.79
        (39, 255, 0),  # 0.99: no tax at all
        (1, 2_000, 0),
        (10_000, 2_000, 2_000),  # the maximum
        (2**96 - 1, 2_000, (2**96 - 1) * 2_000 // 10_000),
    ],
)
def test_transfer_tax_is_split_exactly_and_rounds_down(
    env: LandEnv, price: int, bps: int, tax: int
) -> None:
    alice, bob = env.citizens[:2]
    if price > env.balance(addr(bob)):
        env.session.sender.transact(env.token.functions.mint(addr(bob), price))
    env.governance.set_transfer_tax(env.treasury, bps)
    env.register("0042-17", alice)
    env.offer("0042-17", alice, bob, price)
    alice_before, bob_before = env.balance(addr(alice)), env.balance(addr(bob))
    receipt = bob.accept_sale("0042-17", DEED_OF_SALE)
    assert receipt.event("SaleCompleted")["tax"] == tax
    assert env.balance(env.treasury) == tax
    assert env.balance(addr(alice)) == alice_before + price - tax
    assert env.balance(addr(bob)) == bob_before - price
    assert env.balance(env.registrar.address) == 0
    assert owner_of(env, "0042-17") == addr(bob)


def test_transfer_tax_is_bounded_and_needs_a_treasury(env: LandEnv) -> None:
    functions = env.governance.contract.functions
    assert functions.MAX_TAX_BPS().call() == 2_000
    with pytest.raises(contract_error("LandInvalidTax")) as info:
        env.governance.set_transfer_tax(env.treasury, 2_001)
    assert info.value.inputs == {"treasury": env.treasury, "bps": 2_001}
    with pytest.raises(contract_error("LandInvalidTax")) as info:
        env.governance.set_transfer_tax(ZERO, 1)
    assert info.value.inputs == {"treasury": ZERO, "bps": 1}
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        env.registrar.set_transfer_tax(env.treasury, 100)
    unauthorised(info, env.registrar, GOVERNANCE_ROLE)
    assert (functions.taxBps().call(), functions.treasury().call()) == (0, ZERO)
    receipt = env.governance.set_transfer_tax(env.treasury, 2_000)
    assert receipt.event("TransferTaxSet").args == {"treasury": env.treasury, "bps": 2_000}
    assert (functions.taxBps().call(), functions.treasury().call()) == (2_000, env.treasury)
    env.governance.set_transfer_tax(ZERO, 0)  # no tax needs no treasury
    assert (functions.taxBps().call(), functions.treasury().call()) == (0, ZERO)


def test_a_buyer_who_cannot_pay_gets_nothing(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    poor = env.registrar.as_account(env.chain.accounts[9])
    env.governance.set_transfer_tax(env.treasury, 100)
    env.register("0042-17", alice)
    env.offer("0042-17", alice, poor, 50_000)
    with pytest.raises(contract_error("ERC20InsufficientBalance")) as info:
        poor.accept_sale("0042-17", DEED_OF_SALE)
    assert info.value.inputs == {"sender": addr(poor), "balance": 0, "needed": 500}
    # Funds, but no allowance for the registry.
    env.session.sender.transact(env.token.functions.mint(addr(poor), 50_000))
    with pytest.raises(contract_error("ERC20InsufficientAllowance")) as info:
        env.accept_raw(poor, "0042-17", 50_000, allowance=0)
    assert info.value.inputs == {"spender": env.registrar.address, "allowance": 0, "needed": 500}
    # An allowance for the tax only: the seller's share cannot be pulled, the tax is undone too.
    with pytest.raises(contract_error("ERC20InsufficientAllowance")) as info:
        env.accept_raw(poor, "0042-17", 50_000, allowance=500)
    assert info.value.inputs == {
        "spender": env.registrar.address,
        "allowance": 0,
        "needed": 49_500,
    }
    assert owner_of(env, "0042-17") == addr(alice)
    assert env.registrar.title("0042-17").sale is not None
    assert env.balance(addr(poor)) == 50_000 and env.balance(env.treasury) == 0
    assert env.balance(addr(alice)) == env.balance(addr(bob))  # both still CITIZEN_FUNDS
    poor.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(poor)
    assert (env.balance(addr(poor)), env.balance(env.treasury)) == (0, 500)
    assert env.balance(addr(alice)) == env.balance(addr(bob)) + 49_500


def test_only_the_owner_offers_and_only_a_sound_offer(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    token = env.token.address
    later = env.now() + DAY
    with pytest.raises(contract_error("LandNotOwner")) as info:
        bob.offer_sale("0042-17", addr(bob), token, 1_000, later)
    assert info.value.inputs == {"parcelId": ident, "account": addr(bob)}
    with pytest.raises(contract_error("LandNotOwner")):
        env.registrar.offer_sale("0042-17", addr(bob), token, 1_000, later)
    for buyer, pay_in, price in [
        (addr(alice), token, 1_000),  # to oneself
        (ZERO, token, 1_000),
        (addr(bob), ZERO, 1_000),
        (addr(bob), token, 0),
        (addr(bob), token, 2**96),  # does not fit the stored price
    ]:
        with pytest.raises(contract_error("LandInvalidSale")) as info:
            alice.offer_sale("0042-17", buyer, pay_in, price, later)
        assert info.value.inputs == {"parcelId": ident}
    for deadline in (env.now() - 1, 2**48):
        with pytest.raises(contract_error("GovchainInvalidWindow")) as info:
            alice.offer_sale("0042-17", addr(bob), token, 1_000, deadline)
        assert info.value.inputs["end"] == deadline
        assert info.value.inputs["start"] >= env.now()
    with pytest.raises(contract_error("LandNotLive")) as info:
        alice.offer_sale("0042-18", addr(bob), token, 1_000, later)
    assert info.value.inputs == {"parcelId": parcel_id("0042-18")}
    assert env.registrar.title("0042-17").sale is None
    alice.offer_sale("0042-17", addr(bob), token, 2**96 - 1, 2**48 - 1)  # the largest terms
    sale = env.registrar.title("0042-17").sale
    assert sale is not None and (sale.price, sale.deadline) == (2**96 - 1, 2**48 - 1)


def test_only_the_named_buyer_accepts_on_the_agreed_terms(env: LandEnv) -> None:
    alice, bob, carol = env.citizens[:3]
    other = env.session.deploy(
        "PaymentToken",
        "Other Unit",
        "OTH",
        2,
        env.session.sender.address,
        env.session.sender.address,
    )
    env.session.sender.transact(other.functions.mint(addr(bob), 10**9))
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    env.offer("0042-17", alice, bob, 10_000)
    balances = [env.balance(addr(c)) for c in env.citizens]
    with pytest.raises(contract_error("LandNotBuyer")) as info:
        carol.accept_sale("0042-17", DEED_OF_SALE)
    assert info.value.inputs == {"parcelId": ident, "account": addr(carol)}
    with pytest.raises(contract_error("LandNotBuyer")):
        env.accept_raw(alice, "0042-17", 10_000)
    terms_changed = {"parcelId": ident, "price": 10_000, "token": env.token.address}
    for price in (9_999, 10_001):
        with pytest.raises(contract_error("LandSaleTermsChanged")) as info:
            bob.accept_sale("0042-17", DEED_OF_SALE, price=price)
        assert info.value.inputs == terms_changed
    with pytest.raises(contract_error("LandSaleTermsChanged")) as info:
        bob.accept_sale("0042-17", DEED_OF_SALE, token=other.address)
    assert info.value.inputs == terms_changed
    assert owner_of(env, "0042-17") == addr(alice)
    assert [env.balance(addr(c)) for c in env.citizens] == balances
    assert int(other.functions.balanceOf(addr(bob)).call()) == 10**9
    bob.accept_sale("0042-17", DEED_OF_SALE, price=10_000, token=env.token.address)
    assert owner_of(env, "0042-17") == addr(bob)
    assert env.balance(addr(bob)) == balances[1] - 10_000
    assert env.balance(addr(alice)) == balances[0] + 10_000


def test_a_sale_can_be_accepted_until_its_deadline_only(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.register("0042-18", alice)
    first = env.offer("0042-17", alice, bob, 1_000, days=7)
    second = env.offer("0042-18", alice, bob, 1_000, days=7)
    # At the deadline itself: still open.
    bob.sender.transact(env.token.functions.approve(env.registrar.address, 1_000))
    env.chain.rpc("evm_setNextBlockTimestamp", first)
    receipt = bob.sender.transact(
        bob.contract.functions.acceptSale(parcel_id("0042-17"), env.token.address, 1_000, DEED)
    )
    assert env.chain.w3.eth.get_block(receipt.block_number)["timestamp"] == first
    assert owner_of(env, "0042-17") == addr(bob)
    # One second later: expired, and nothing moves.
    env.travel_to(second + 1)
    before = env.balance(addr(alice)), env.balance(addr(bob))
    with pytest.raises(contract_error("LandSaleExpired")) as info:
        bob.accept_sale("0042-18", DEED_OF_SALE)
    assert info.value.inputs == {"parcelId": parcel_id("0042-18"), "deadline": second}
    assert owner_of(env, "0042-18") == addr(alice)
    assert (env.balance(addr(alice)), env.balance(addr(bob))) == before
    # The owner may offer again.
    env.offer("0042-18", alice, bob, 1_000)
    bob.accept_sale("0042-18", DEED_OF_SALE)
    assert owner_of(env, "0042-18") == addr(bob)


def test_a_new_offer_replaces_the_old_one(env: LandEnv) -> None:
    alice, bob, carol = env.citizens[:3]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    env.offer("0042-17", alice, bob, 1_000)
    deadline = env.offer("0042-17", alice, carol, 2_000, days=3)
    sale = env.registrar.title("0042-17").sale
    assert sale is not None and (sale.buyer, sale.price, sale.deadline) == (
        addr(carol),
        2_000,
        deadline,
    )
    with pytest.raises(contract_error("LandNotBuyer")) as info:
        env.accept_raw(bob, "0042-17", 1_000)
    assert info.value.inputs == {"parcelId": ident, "account": addr(bob)}
    # Re-offered to the same buyer at a higher price: the buyer's old terms are refused.
    env.offer("0042-17", alice, carol, 5_000)
    with pytest.raises(contract_error("LandSaleTermsChanged")) as info:
        env.accept_raw(carol, "0042-17", 2_000)
    assert info.value.inputs == {"parcelId": ident, "price": 5_000, "token": env.token.address}
    before = env.balance(addr(alice)), env.balance(addr(carol))
    carol.accept_sale("0042-17", DEED_OF_SALE, price=5_000)
    assert owner_of(env, "0042-17") == addr(carol)
    assert (env.balance(addr(alice)), env.balance(addr(carol))) == (
        before[0] + 5_000,
        before[1] - 5_000,
    )


def test_a_withdrawn_offer_cannot_be_accepted(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    with pytest.raises(contract_error("LandNoSale")) as info:
        alice.withdraw_sale("0042-17")
    assert info.value.inputs == {"parcelId": ident}
    env.offer("0042-17", alice, bob, 1_000)
    with pytest.raises(contract_error("LandNotOwner")) as info:
        bob.withdraw_sale("0042-17")
    assert info.value.inputs == {"parcelId": ident, "account": addr(bob)}
    receipt = alice.withdraw_sale("0042-17")
    assert receipt.event("SaleWithdrawn").args == {"parcelId": ident, "seller": addr(alice)}
    assert env.registrar.title("0042-17").sale is None
    with pytest.raises(LandClientError):
        bob.accept_sale("0042-17", DEED_OF_SALE)
    before = env.balance(addr(bob))
    with pytest.raises(contract_error("LandNoSale")) as info:
        env.accept_raw(bob, "0042-17", 1_000)
    assert info.value.inputs == {"parcelId": ident}
    with pytest.raises(contract_error("LandNoSale")):
        alice.withdraw_sale("0042-17")
    assert owner_of(env, "0042-17") == addr(alice) and env.balance(addr(bob)) == before


def test_sales_may_require_the_registrars_approval(env: LandEnv) -> None:
    alice, bob, carol = env.citizens[:3]
    functions = env.governance.contract.functions
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        env.registrar.set_sale_approval_required(True)
    unauthorised(info, env.registrar, GOVERNANCE_ROLE)
    receipt = env.governance.set_sale_approval_required(True)
    assert receipt.event("SaleApprovalRequired").args == {"required": True}
    assert functions.saleApprovalRequired().call() is True
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    with pytest.raises(contract_error("LandNoSale")) as info:
        env.registrar.approve_sale("0042-17")
    assert info.value.inputs == {"parcelId": ident}
    env.offer("0042-17", alice, bob, 1_000)
    with pytest.raises(contract_error("LandSaleNotApproved")) as info:
        bob.accept_sale("0042-17", DEED_OF_SALE)
    assert info.value.inputs == {"parcelId": ident}
    for outsider in (alice, bob, env.lender):
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            outsider.approve_sale("0042-17")
        unauthorised(info, outsider, REGISTRAR_ROLE)
    receipt = env.registrar.approve_sale("0042-17")
    assert receipt.event("SaleApproved").args == {
        "parcelId": ident,
        "registrar": addr(env.registrar),
    }
    sale = env.registrar.title("0042-17").sale
    assert sale is not None and sale.approved
    before = env.balance(addr(alice)), env.balance(addr(bob))
    bob.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(bob)
    assert (env.balance(addr(alice)), env.balance(addr(bob))) == (
        before[0] + 1_000,
        before[1] - 1_000,
    )
    # A new offer needs a new approval, even after the old one was approved.
    env.offer("0042-17", bob, carol, 2_000)
    env.registrar.approve_sale("0042-17")
    env.offer("0042-17", bob, carol, 2_500)
    sale = env.registrar.title("0042-17").sale
    assert sale is not None and not sale.approved
    with pytest.raises(contract_error("LandSaleNotApproved")):
        carol.accept_sale("0042-17", DEED_OF_SALE)
    # Governance may drop the requirement.
    env.governance.set_sale_approval_required(False)
    carol.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(carol)


# ---------------------------------------------------------------------------------------------
# Liens
# ---------------------------------------------------------------------------------------------


def test_a_lien_blocks_the_sale_until_its_holder_releases_it(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    receipt = env.lender.record_lien("0042-17", 300_000, LOAN)
    assert receipt.event("LienRecorded").args == {
        "parcelId": ident,
        "lienId": 1,
        "holder": addr(env.lender),
        "amount": 300_000,
        "documentHash": LOAN,
    }
    assert env.registrar.title("0042-17").active_liens == [1]
    lien = env.registrar.lien("0042-17", 1)
    assert (lien.lien_id, lien.holder, lien.amount, lien.released) == (
        1,
        addr(env.lender),
        300_000,
        False,
    )
    with pytest.raises(contract_error("LandHasLiens")) as info:
        env.offer("0042-17", alice, bob, 1_000)
    assert info.value.inputs == {"parcelId": ident, "activeLiens": 1}
    receipt = env.lender.release_lien("0042-17", 1)
    assert receipt.event("LienReleased").args == {
        "parcelId": ident,
        "lienId": 1,
        "holder": addr(env.lender),
    }
    assert env.registrar.lien("0042-17", 1).released
    assert env.registrar.title("0042-17").active_liens == []
    env.offer("0042-17", alice, bob, 1_000)
    before = env.balance(addr(alice)), env.balance(addr(bob))
    bob.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(bob)
    assert (env.balance(addr(alice)), env.balance(addr(bob))) == (
        before[0] + 1_000,
        before[1] - 1_000,
    )


def test_a_lien_recorded_after_the_offer_blocks_the_acceptance(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.offer("0042-17", alice, bob, 1_000)
    env.lender.record_lien("0042-17", 5_000, LOAN)
    env.lender.record_lien("0042-17", 7_000, LOAN)
    before = env.balance(addr(alice)), env.balance(addr(bob))
    with pytest.raises(contract_error("LandHasLiens")) as info:
        bob.accept_sale("0042-17", DEED_OF_SALE)
    assert info.value.inputs == {"parcelId": parcel_id("0042-17"), "activeLiens": 2}
    env.lender.release_lien("0042-17", 2)
    assert env.registrar.title("0042-17").active_liens == [1]
    with pytest.raises(contract_error("LandHasLiens")) as info:
        bob.accept_sale("0042-17", DEED_OF_SALE)
    assert info.value.inputs == {"parcelId": parcel_id("0042-17"), "activeLiens": 1}
    assert owner_of(env, "0042-17") == addr(alice)
    assert (env.balance(addr(alice)), env.balance(addr(bob))) == before
    env.lender.release_lien("0042-17", 1)
    bob.accept_sale("0042-17", DEED_OF_SALE)  # the offer survived the liens
    assert owner_of(env, "0042-17") == addr(bob)
    assert (env.balance(addr(alice)), env.balance(addr(bob))) == (
        before[0] + 1_000,
        before[1] - 1_000,
    )


def test_only_the_lienholder_releases_a_lien(env: LandEnv) -> None:
    alice = env.citizens[0]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    env.lender.record_lien("0042-17", 5_000, LOAN)
    for intruder in (alice, env.registrar, env.court, env.governance):
        with pytest.raises(contract_error("LandNotLienholder")) as info:
            intruder.release_lien("0042-17", 1)
        assert info.value.inputs == {"parcelId": ident, "lienId": 1, "account": addr(intruder)}
    assert env.registrar.title("0042-17").active_liens == [1]
    with pytest.raises(contract_error("LandUnknownLien")) as info:
        env.lender.release_lien("0042-17", 2)
    assert info.value.inputs == {"parcelId": ident, "lienId": 2}
    env.lender.release_lien("0042-17", 1)
    with pytest.raises(contract_error("LandUnknownLien")) as info:
        env.lender.release_lien("0042-17", 1)
    assert info.value.inputs == {"parcelId": ident, "lienId": 1}


def test_lenders_record_their_own_liens_and_registrars_anyones(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    with pytest.raises(contract_error("LandNotLender")) as info:
        env.lender.record_lien("0042-17", 5_000, LOAN, holder=addr(bob))
    assert info.value.inputs == {"account": addr(env.lender)}
    for outsider in (alice, bob, env.court):
        with pytest.raises(contract_error("LandNotLender")) as info:
            outsider.record_lien("0042-17", 5_000, LOAN)
        assert info.value.inputs == {"account": addr(outsider)}
    assert env.registrar.title("0042-17").active_liens == []
    # The registrar records a lien for a holder without any role; that holder releases it.
    receipt = env.registrar.record_lien("0042-17", 5_000, LOAN, holder=addr(bob))
    assert receipt.event("LienRecorded")["holder"] == addr(bob)
    env.registrar.record_lien("0042-17", 6_000, LOAN, holder=addr(env.lender))
    assert env.registrar.title("0042-17").active_liens == [1, 2]
    with pytest.raises(contract_error("LandNotLienholder")):
        env.registrar.release_lien("0042-17", 1)
    bob.release_lien("0042-17", 1)
    env.lender.release_lien("0042-17", 2)
    assert env.registrar.title("0042-17").active_liens == []
    # Amounts must fit 88 bits and not be zero; the holder must be someone.
    for amount in (0, 2**88):
        with pytest.raises(contract_error("LandInvalidLienAmount")) as info:
            env.lender.record_lien("0042-17", amount, LOAN)
        assert info.value.inputs == {"amount": amount}
    with pytest.raises(contract_error("GovchainZeroAddress")) as info:
        env.registrar.record_lien("0042-17", 5_000, LOAN, holder=ZERO)
    assert info.value.inputs == {"parameter": "holder"}
    with pytest.raises(contract_error("LandNotLive")) as info:
        env.lender.record_lien("0042-18", 5_000, LOAN)
    assert info.value.inputs == {"parcelId": parcel_id("0042-18")}
    receipt = env.lender.record_lien("0042-17", 2**88 - 1, LOAN)
    assert receipt.event("LienRecorded")["lienId"] == 3
    assert env.registrar.lien("0042-17", 3).amount == 2**88 - 1
    assert env.registrar.title("0042-17").active_liens == [3]


# ---------------------------------------------------------------------------------------------
# Courts
# ---------------------------------------------------------------------------------------------


def test_a_frozen_title_cannot_be_offered_until_the_court_unfreezes_it(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    with pytest.raises(contract_error("LandNotFrozen")) as info:
        env.court.unfreeze("0042-17", CASE)
    assert info.value.inputs == {"parcelId": ident}
    receipt = env.court.freeze("0042-17", CASE)
    assert receipt.event("TitleFrozen").args == {
        "parcelId": ident,
        "caseReference": CASE,
        "court": addr(env.court),
    }
    assert env.registrar.title("0042-17").frozen
    with pytest.raises(contract_error("LandFrozen")) as info:
        env.court.freeze("0042-17", CASE)
    assert info.value.inputs == {"parcelId": ident}
    with pytest.raises(contract_error("LandFrozen")) as info:
        env.offer("0042-17", alice, bob, 1_000)
    assert info.value.inputs == {"parcelId": ident}
    receipt = env.court.unfreeze("0042-17", CASE)
    assert receipt.event("TitleUnfrozen").args == {
        "parcelId": ident,
        "caseReference": CASE,
        "court": addr(env.court),
    }
    assert not env.registrar.title("0042-17").frozen
    with pytest.raises(contract_error("LandNotFrozen")):
        env.court.unfreeze("0042-17", CASE)
    env.offer("0042-17", alice, bob, 1_000)
    bob.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(bob)


def test_a_freeze_after_the_offer_blocks_the_acceptance(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.offer("0042-17", alice, bob, 1_000)
    env.court.freeze("0042-17", CASE)
    before = env.balance(addr(alice)), env.balance(addr(bob))
    with pytest.raises(contract_error("LandFrozen")) as info:
        bob.accept_sale("0042-17", DEED_OF_SALE)
    assert info.value.inputs == {"parcelId": parcel_id("0042-17")}
    assert owner_of(env, "0042-17") == addr(alice)
    assert (env.balance(addr(alice)), env.balance(addr(bob))) == before
    env.court.unfreeze("0042-17", CASE)
    bob.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(bob)


def test_court_orders_need_the_court_role(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    for outsider in (alice, bob, env.registrar, env.lender, env.governance):
        for attempt in (
            lambda c: c.freeze("0042-17", CASE),
            lambda c: c.unfreeze("0042-17", CASE),
            lambda c: c.forced_transfer("0042-17", addr(bob), ORDER),
        ):
            with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
                attempt(outsider)
            unauthorised(info, outsider, COURT_ROLE)
    assert owner_of(env, "0042-17") == addr(alice)
    assert not env.registrar.title("0042-17").frozen


def test_a_forced_transfer_moves_a_frozen_title_cancels_its_sale_and_keeps_its_liens(
    env: LandEnv,
) -> None:
    alice, bob, carol = env.citizens[:3]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    env.offer("0042-17", alice, bob, 1_000)
    env.lender.record_lien("0042-17", 5_000, LOAN)
    env.court.freeze("0042-17", CASE)
    with pytest.raises(contract_error("GovchainZeroAddress")) as info:
        env.court.forced_transfer("0042-17", ZERO, ORDER)
    assert info.value.inputs == {"parameter": "to"}
    balances = [env.balance(addr(c)) for c in env.citizens]
    receipt = env.court.forced_transfer("0042-17", addr(carol), ORDER)
    assert receipt.event("ForcedTransfer").args == {
        "parcelId": ident,
        "from": addr(alice),
        "to": addr(carol),
        "orderHash": ORDER,
        "court": addr(env.court),
    }
    title = env.registrar.title("0042-17")
    assert title.owner == addr(carol) and owner_of(env, "0042-17") == addr(carol)
    assert title.sale is None and title.frozen and title.active_liens == [1]
    assert (titles_held(env, alice), titles_held(env, carol)) == (0, 1)
    assert [env.balance(addr(c)) for c in env.citizens] == balances  # nobody paid
    env.court.unfreeze("0042-17", CASE)
    with pytest.raises(contract_error("LandNoSale")) as info:
        env.accept_raw(bob, "0042-17", 1_000)
    assert info.value.inputs == {"parcelId": ident}
    with pytest.raises(contract_error("LandHasLiens")) as info:
        env.offer("0042-17", carol, bob, 1_000)
    assert info.value.inputs == {"parcelId": ident, "activeLiens": 1}
    env.lender.release_lien("0042-17", 1)
    env.offer("0042-17", carol, bob, 1_000)
    bob.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(bob)
    assert env.balance(addr(carol)) == balances[2] + 1_000


# ---------------------------------------------------------------------------------------------
# Subdivision and merge
# ---------------------------------------------------------------------------------------------


def parts(prefix: str, *areas: int) -> list[tuple[str, ParcelSpec]]:
    return [(f"{prefix}/{n}", spec(f"{prefix}/{n}", area)) for n, area in enumerate(areas, 1)]


def test_subdivision_retires_the_parent_into_children_of_the_same_owner(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.offer("0042-17", alice, bob, 1_000)  # an open offer dies with the parent
    receipt = env.registrar.subdivide("0042-17", parts("0042-17", 250, 350, 400), SPLIT)
    children = ["0042-17/1", "0042-17/2", "0042-17/3"]
    assert receipt.event("ParcelRetired").args == {
        "parcelId": parcel_id("0042-17"),
        "children": [parcel_id(c) for c in children],
        "deedHash": SPLIT,
    }
    assert [e["parcelId"] for e in receipt.events_named("ParcelDerived")] == [
        parcel_id(c) for c in children
    ]
    parent = env.registrar.title("0042-17")
    assert (parent.status, parent.owner, parent.children, parent.sale) == (
        "Retired",
        None,
        children,
        None,
    )
    for child, area in zip(children, (250, 350, 400), strict=True):
        title = env.registrar.title(child)
        assert (title.status, title.owner, title.area, title.parents, title.deed_hash) == (
            "Live",
            addr(alice),
            area,
            ["0042-17"],
            SPLIT,
        )
    assert titles_held(env, alice) == 3
    with pytest.raises(contract_error("LandNoSale")):
        env.accept_raw(bob, "0042-17", 1_000)


def test_subdivision_into_two_to_sixteen_parts(env: LandEnv) -> None:
    alice = env.citizens[0]
    assert env.registrar.contract.functions.MAX_PARTS().call() == 16
    env.register("0042-17", alice, area=1_600)
    ident = parcel_id("0042-17")
    for areas in ([1_600], [100] * 16 + [0], []):
        with pytest.raises(contract_error("LandPartCount")) as info:
            env.registrar.subdivide("0042-17", parts("0042-17", *areas), SPLIT)
        assert info.value.inputs == {"count": len(areas)}
    # Ids and records of different lengths.
    call = env.registrar.contract.functions.subdivide(
        ident,
        [parcel_id("0042-17/1"), parcel_id("0042-17/2")],
        [spec("a", 1_600).as_struct()],
        SPLIT,
    )
    with pytest.raises(contract_error("LandPartCount")) as info:
        env.registrar.sender.transact(call)
    assert info.value.inputs == {"count": 2}
    assert env.registrar.title("0042-17").status == "Live"
    env.registrar.subdivide("0042-17", parts("0042-17", *[100] * 16), SPLIT)
    assert len(env.registrar.title("0042-17").children) == 16
    assert titles_held(env, alice) == 16


def test_subdivision_areas_must_add_up(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.register("0099-01", bob)
    for areas in ((400, 500), (400, 601), (999, 2)):
        with pytest.raises(contract_error("LandAreaMismatch")) as info:
            env.registrar.subdivide("0042-17", parts("0042-17", *areas), SPLIT)
        assert info.value.inputs == {"parentsArea": 1_000, "childrenArea": sum(areas)}
    with pytest.raises(contract_error("GovchainZeroAmount")) as info:
        env.registrar.subdivide("0042-17", parts("0042-17", 1_000, 0), SPLIT)
    assert info.value.inputs == {"parameter": "area"}
    for taken in ("0099-01", "0042-17"):
        with pytest.raises(contract_error("LandAlreadyRegistered")) as info:
            env.registrar.subdivide(
                "0042-17", [("0042-17/1", spec("a", 500)), (taken, spec("b", 500))], SPLIT
            )
        assert info.value.inputs == {"parcelId": parcel_id(taken)}
    with pytest.raises(contract_error("LandAlreadyRegistered")):
        env.registrar.subdivide(
            "0042-17", [("0042-17/1", spec("a", 500)), ("0042-17/1", spec("b", 500))], SPLIT
        )
    with pytest.raises(contract_error("LandNotLive")) as info:
        env.registrar.subdivide("0042-18", parts("0042-18", 500, 500), SPLIT)
    assert info.value.inputs == {"parcelId": parcel_id("0042-18")}
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        alice.subdivide("0042-17", parts("0042-17", 500, 500), SPLIT)
    unauthorised(info, alice, REGISTRAR_ROLE)
    assert env.registrar.title("0042-17").status == "Live"
    assert owner_of(env, "0042-17") == addr(alice) and titles_held(env, alice) == 1
    assert_unregistered(env, "0042-17/1")


def test_a_frozen_or_liened_title_cannot_be_subdivided(env: LandEnv) -> None:
    alice = env.citizens[0]
    env.register("0042-17", alice)
    ident = parcel_id("0042-17")
    env.court.freeze("0042-17", CASE)
    with pytest.raises(contract_error("LandFrozen")) as info:
        env.registrar.subdivide("0042-17", parts("0042-17", 500, 500), SPLIT)
    assert info.value.inputs == {"parcelId": ident}
    env.court.unfreeze("0042-17", CASE)
    env.lender.record_lien("0042-17", 5_000, LOAN)
    with pytest.raises(contract_error("LandHasLiens")) as info:
        env.registrar.subdivide("0042-17", parts("0042-17", 500, 500), SPLIT)
    assert info.value.inputs == {"parcelId": ident, "activeLiens": 1}
    assert env.registrar.title("0042-17").status == "Live"
    env.lender.release_lien("0042-17", 1)
    env.registrar.subdivide("0042-17", parts("0042-17", 500, 500), SPLIT)
    assert env.registrar.title("0042-17").status == "Retired"


def test_merge_joins_titles_of_one_owner_with_lineage_both_ways(env: LandEnv) -> None:
    alice = env.citizens[0]
    env.register("0042-17", alice, area=300)
    env.register("0042-18", alice, area=700)
    env.register("0042-19", alice, area=50)
    merged = spec("0042-M", 1_050, 120)
    receipt = env.registrar.merge(["0042-17", "0042-18", "0042-19"], "0042-M", merged, SPLIT)
    assert receipt.event("ParcelDerived").args == {
        "parcelId": parcel_id("0042-M"),
        "parents": [parcel_id("0042-17"), parcel_id("0042-18"), parcel_id("0042-19")],
    }
    assert [e["parcelId"] for e in receipt.events_named("ParcelRetired")] == [
        parcel_id("0042-17"),
        parcel_id("0042-18"),
        parcel_id("0042-19"),
    ]
    child = env.registrar.title("0042-M")
    assert (child.owner, child.area, child.land_use, child.parents, child.deed_hash) == (
        addr(alice),
        1_050,
        120,
        ["0042-17", "0042-18", "0042-19"],
        SPLIT,
    )
    for parent in ("0042-17", "0042-18", "0042-19"):
        title = env.registrar.title(parent)
        assert (title.status, title.owner, title.children) == ("Retired", None, ["0042-M"])
    assert titles_held(env, alice) == 1


def test_merge_refuses_bad_parents(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice, area=300)
    env.register("0042-18", alice, area=700)
    env.register("0042-19", bob, area=100)
    a, b, c = parcel_id("0042-17"), parcel_id("0042-18"), parcel_id("0042-19")
    with pytest.raises(contract_error("LandOwnersDiffer")) as info:
        env.registrar.merge(["0042-17", "0042-19"], "0042-M", spec("m", 400), SPLIT)
    assert info.value.inputs == {"parcelId": c, "owner": addr(bob), "expected": addr(alice)}
    with pytest.raises(contract_error("LandNotLive")) as info:
        env.registrar.merge(["0042-17", "0042-17"], "0042-M", spec("m", 600), SPLIT)
    assert info.value.inputs == {"parcelId": a}
    with pytest.raises(contract_error("LandNotLive")) as info:
        env.registrar.merge(["0042-17", "0042-20"], "0042-M", spec("m", 600), SPLIT)
    assert info.value.inputs == {"parcelId": parcel_id("0042-20")}
    for area in (999, 1_001):
        with pytest.raises(contract_error("LandAreaMismatch")) as info:
            env.registrar.merge(["0042-17", "0042-18"], "0042-M", spec("m", area), SPLIT)
        assert info.value.inputs == {"parentsArea": 1_000, "childrenArea": area}
    for count in (0, 1, 17):
        with pytest.raises(contract_error("LandPartCount")) as info:
            env.registrar.merge(
                [f"0042-{n}" for n in range(count)], "0042-M", spec("m", 1_000), SPLIT
            )
        assert info.value.inputs == {"count": count}
    with pytest.raises(contract_error("LandAlreadyRegistered")) as info:
        env.registrar.merge(["0042-17", "0042-18"], "0042-18", spec("m", 1_000), SPLIT)
    assert info.value.inputs == {"parcelId": b}
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        env.lender.merge(["0042-17", "0042-18"], "0042-M", spec("m", 1_000), SPLIT)
    unauthorised(info, env.lender, REGISTRAR_ROLE)
    env.court.freeze("0042-18", CASE)
    with pytest.raises(contract_error("LandFrozen")) as info:
        env.registrar.merge(["0042-17", "0042-18"], "0042-M", spec("m", 1_000), SPLIT)
    assert info.value.inputs == {"parcelId": b}
    env.court.unfreeze("0042-18", CASE)
    env.lender.record_lien("0042-17", 5_000, LOAN)
    with pytest.raises(contract_error("LandHasLiens")) as info:
        env.registrar.merge(["0042-18", "0042-17"], "0042-M", spec("m", 1_000), SPLIT)
    assert info.value.inputs == {"parcelId": a, "activeLiens": 1}
    for number in ("0042-17", "0042-18", "0042-19"):
        assert env.registrar.title(number).status == "Live"
    assert_unregistered(env, "0042-M")
    assert (titles_held(env, alice), titles_held(env, bob)) == (2, 1)
    env.lender.release_lien("0042-17", 1)
    env.registrar.merge(["0042-18", "0042-17"], "0042-M", spec("m", 1_000), SPLIT)
    assert env.registrar.title("0042-M").parents == ["0042-18", "0042-17"]


def test_a_retired_title_is_history_only(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.registrar.subdivide("0042-17", parts("0042-17", 500, 500), SPLIT)
    ident = parcel_id("0042-17")
    functions = env.registrar.contract.functions
    with pytest.raises(contract_error("ERC721NonexistentToken")) as info:
        owner_of(env, "0042-17")
    assert info.value.inputs == {"tokenId": ident}
    with pytest.raises(contract_error("ERC721NonexistentToken")):
        env.call(functions.tokenURI(ident))
    not_live = {"parcelId": ident}
    for attempt in (
        lambda: env.offer("0042-17", alice, bob, 1_000),
        lambda: alice.withdraw_sale("0042-17"),
        lambda: env.lender.record_lien("0042-17", 5_000, LOAN),
        lambda: env.registrar.record_lien("0042-17", 5_000, LOAN, holder=addr(bob)),
        lambda: env.court.freeze("0042-17", CASE),
        lambda: env.court.unfreeze("0042-17", CASE),
        lambda: env.court.forced_transfer("0042-17", addr(bob), ORDER),
        lambda: env.registrar.subdivide("0042-17", parts("0042-17-x", 500, 500), SPLIT),
        lambda: env.registrar.merge(["0042-17/1", "0042-17"], "0042-M", spec("m", 1_500), SPLIT),
    ):
        with pytest.raises(contract_error("LandNotLive")) as info:
            attempt()
        assert info.value.inputs == not_live
    for call in plain_transfers(alice, addr(alice), addr(bob), ident):
        with pytest.raises(contract_error("LandTransferOutsideRegistry")):
            alice.sender.transact(call)
    title = env.registrar.title("0042-17")
    assert (title.status, title.owner, title.area, title.children) == (
        "Retired",
        None,
        1_000,
        ["0042-17/1", "0042-17/2"],
    )
    assert functions.parcel(ident).call()[4] == 2  # ParcelStatus.Retired
    assert_unregistered(env, "0042-99")


def test_client_views_report_named_errors(env: LandEnv) -> None:
    alice = env.citizens[0]
    env.register("0042-17", alice)
    env.registrar.subdivide("0042-17", parts("0042-17", 500, 500), SPLIT)
    with pytest.raises(contract_error("ERC721NonexistentToken")) as info:
        env.registrar.owner_of("0042-17")
    assert info.value.inputs == {"tokenId": parcel_id("0042-17")}
    with pytest.raises(contract_error("LandNotLive")) as info:
        env.registrar.title("0042-99")
    assert info.value.inputs == {"parcelId": parcel_id("0042-99")}


# ---------------------------------------------------------------------------------------------
# Pause
# ---------------------------------------------------------------------------------------------


def test_pause_stops_business_but_not_the_courts(env: LandEnv) -> None:
    alice, bob, carol = env.citizens[:3]
    env.register("0042-17", alice)
    env.register("0042-18", alice)
    env.register("0042-19", alice)
    env.offer("0042-17", alice, bob, 1_000)
    env.lender.record_lien("0042-19", 5_000, LOAN)
    for outsider in (env.registrar, env.court, alice):
        with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
            outsider.pause()
        unauthorised(info, outsider, PAUSER_ROLE)
    env.governance.pause()
    balances = [env.balance(addr(c)) for c in env.citizens]
    for attempt in (
        lambda: env.register("0042-20", alice),
        lambda: env.offer("0042-18", alice, bob, 1_000),
        lambda: bob.accept_sale("0042-17", DEED_OF_SALE),
        lambda: env.lender.record_lien("0042-18", 5_000, LOAN),
        lambda: env.registrar.subdivide("0042-18", parts("0042-18", 500, 500), SPLIT),
        lambda: env.registrar.merge(["0042-17", "0042-18"], "0042-M", spec("m", 2_000), SPLIT),
    ):
        with pytest.raises(contract_error("EnforcedPause")) as info:
            attempt()
        assert info.value.inputs == {}
    assert [env.balance(addr(c)) for c in env.citizens] == balances
    assert owner_of(env, "0042-17") == addr(alice)
    # Court orders go on; so do releasing a lien and withdrawing an offer.
    env.court.freeze("0042-18", CASE)
    env.court.unfreeze("0042-18", CASE)
    env.court.forced_transfer("0042-18", addr(carol), ORDER)
    assert owner_of(env, "0042-18") == addr(carol)
    env.lender.release_lien("0042-19", 1)
    alice.withdraw_sale("0042-17")
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")):
        env.registrar.unpause()
    env.governance.unpause()
    env.register("0042-20", alice)
    env.offer("0042-17", alice, bob, 1_000)
    bob.accept_sale("0042-17", DEED_OF_SALE)
    assert owner_of(env, "0042-17") == addr(bob)


# ---------------------------------------------------------------------------------------------
# Chain of title
# ---------------------------------------------------------------------------------------------


def test_title_history_is_every_step_oldest_first_with_its_transaction(env: LandEnv) -> None:
    alice, bob, carol = env.citizens[:3]
    steps = [
        ("ParcelRegistered", env.register("0042-17", alice)),
        ("LienRecorded", env.lender.record_lien("0042-17", 5_000, LOAN)),
        ("LienReleased", env.lender.release_lien("0042-17", 1)),
    ]
    env.offer("0042-17", alice, carol, 1_000)
    steps.append(("SaleOffered", None))
    steps.append(("SaleWithdrawn", alice.withdraw_sale("0042-17")))
    env.governance.set_sale_approval_required(True)
    env.offer("0042-17", alice, bob, 1_000)
    steps.append(("SaleOffered", None))
    steps.append(("SaleApproved", env.registrar.approve_sale("0042-17")))
    steps.append(("SaleCompleted", bob.accept_sale("0042-17", DEED_OF_SALE)))
    steps.append(("TitleFrozen", env.court.freeze("0042-17", CASE)))
    steps.append(("ForcedTransfer", env.court.forced_transfer("0042-17", addr(carol), ORDER)))
    steps.append(("TitleUnfrozen", env.court.unfreeze("0042-17", CASE)))
    env.register("0099-01", bob)  # another parcel's history stays out
    env.offer("0099-01", bob, alice, 7)
    history = env.registrar.title_history("0042-17")
    assert [h.event for h in history] == [name for name, _ in steps]
    for entry, (_, receipt) in zip(history, steps, strict=True):
        assert entry.parcel == "0042-17"
        if receipt is not None:
            assert (entry.tx_hash, entry.block_number) == (receipt.tx_hash, receipt.block_number)
    assert [h.block_number for h in history] == sorted(h.block_number for h in history)
    assert len({h.tx_hash for h in history}) == len(history)
    assert history[0].description.startswith("registered parcel 0042-17 (1000 m², land use 110)")
    assert history[-1].args["caseReference"] == CASE
    assert env.registrar.title_history("0042-17", ancestors=False) == history


def test_a_childs_history_starts_with_its_ancestors(env: LandEnv) -> None:
    alice, bob = env.citizens[:2]
    env.register("0042-17", alice)
    env.register("0042-18", alice, area=500)
    env.offer("0042-18", alice, bob, 1_000)
    env.offer("0042-18", alice, bob, 900)
    alice.withdraw_sale("0042-18")
    split = env.registrar.subdivide("0042-17", parts("0042-17", 500, 500), SPLIT)
    merged = env.registrar.merge(["0042-17/2", "0042-18"], "0042-M", spec("0042-M", 1_000), SPLIT)
    child = env.registrar.title_history("0042-17/1")
    assert [(h.parcel, h.event) for h in child] == [
        ("0042-17", "ParcelRegistered"),
        ("0042-17/1", "ParcelRegistered"),
        ("0042-17/1", "ParcelDerived"),
        ("0042-17", "ParcelRetired"),
    ]
    assert {h.tx_hash for h in child[1:]} == {split.tx_hash}
    grandchild = env.registrar.title_history("0042-M")
    assert [(h.parcel, h.event) for h in grandchild] == [
        ("0042-17", "ParcelRegistered"),
        ("0042-18", "ParcelRegistered"),
        ("0042-18", "SaleOffered"),
        ("0042-18", "SaleOffered"),
        ("0042-18", "SaleWithdrawn"),
        ("0042-17/2", "ParcelRegistered"),
        ("0042-17/2", "ParcelDerived"),
        ("0042-17", "ParcelRetired"),
        ("0042-M", "ParcelRegistered"),
        ("0042-17/2", "ParcelRetired"),
        ("0042-18", "ParcelRetired"),
        ("0042-M", "ParcelDerived"),
    ]
    assert {h.tx_hash for h in grandchild[-4:]} == {merged.tx_hash}
    own = env.registrar.title_history("0042-M", ancestors=False)
    assert [h.event for h in own] == ["ParcelRegistered", "ParcelDerived"]
