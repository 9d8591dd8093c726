"""The shared contracts: role wiring (GovchainAccess, Roles) and the devnet PaymentToken."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from govchain import contract_error
from govchain.compiler import load_artifact
from govchain.eip712 import typed_data
from govchain.session import Session

GOVERNANCE = keccak(text="GOVERNANCE_ROLE")
MINTER = keccak(text="MINTER_ROLE")
DEFAULT_ADMIN = bytes(32)


def test_role_identifiers_are_keccak_of_their_names(token: Any) -> None:
    assert token.functions.GOVERNANCE_ROLE().call() == GOVERNANCE
    assert token.functions.MINTER_ROLE().call() == MINTER


def test_constructor_grants_admin_governance_and_minter(session: Session, token: Any) -> None:
    admin = session.chain.accounts[0].address
    assert token.functions.hasRole(DEFAULT_ADMIN, admin).call()
    assert token.functions.hasRole(GOVERNANCE, admin).call()
    assert token.functions.hasRole(MINTER, admin).call()
    assert token.functions.getRoleAdmin(MINTER).call() == GOVERNANCE
    assert token.functions.decimals().call() == 2
    assert token.functions.symbol().call() == "PUB"


def test_mint_emits_minted_and_transfer(session: Session, token: Any) -> None:
    citizen = session.chain.accounts[3].address
    receipt = session.sender.transact(token.functions.mint(citizen, 12_345))
    minted = receipt.event("Minted")
    assert minted.args == {"to": citizen, "amount": 12_345, "minter": session.sender.address}
    assert receipt.event("Transfer")["value"] == 12_345
    assert token.functions.balanceOf(citizen).call() == 12_345


def test_mint_reverts_for_account_without_minter_role(session: Session, token: Any) -> None:
    outsider = session.chain.accounts[1]
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        session.sender_for(outsider).transact(token.functions.mint(outsider.address, 1))
    assert info.value.inputs == {"account": outsider.address, "neededRole": MINTER}


def test_mint_reverts_on_zero_amount(session: Session, token: Any) -> None:
    with pytest.raises(contract_error("GovchainZeroAmount")) as info:
        session.sender.transact(token.functions.mint(session.sender.address, 0))
    assert info.value.inputs == {"parameter": "amount"}


def test_governance_can_grant_and_revoke_minter(session: Session, token: Any) -> None:
    treasury = session.chain.accounts[2]
    receipt = session.sender.transact(token.functions.grantRole(MINTER, treasury.address))
    assert receipt.event("RoleGranted")["account"] == treasury.address
    session.sender_for(treasury).transact(token.functions.mint(treasury.address, 5))
    session.sender.transact(token.functions.revokeRole(MINTER, treasury.address))
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")):
        session.sender_for(treasury).transact(token.functions.mint(treasury.address, 5))


def test_non_governance_cannot_grant_minter(session: Session, token: Any) -> None:
    outsider = session.chain.accounts[4]
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        session.sender_for(outsider).transact(token.functions.grantRole(MINTER, outsider.address))
    assert info.value.inputs["neededRole"] == GOVERNANCE


@pytest.mark.parametrize(
    ("admin_index", "minter_index", "parameter"), [(None, 0, "admin"), (0, None, "minter")]
)
def test_constructor_rejects_zero_addresses(
    session: Session, admin_index: int | None, minter_index: int | None, parameter: str
) -> None:
    zero = "0x" + "00" * 20
    admin = session.chain.accounts[admin_index].address if admin_index is not None else zero
    minter = session.chain.accounts[minter_index].address if minter_index is not None else zero
    artifact = load_artifact(session.project, "PaymentToken")
    with pytest.raises(contract_error("GovchainZeroAddress")) as info:
        session.sender.deploy(artifact["bytecode"], artifact["abi"], "P", "P", 2, admin, minter)
    assert info.value.inputs == {"parameter": parameter}


def test_permit_lets_a_spender_move_funds_with_the_owners_signature(
    session: Session, token: Any
) -> None:
    owner, spender = session.chain.accounts[5], session.chain.accounts[6]
    session.sender.transact(token.functions.mint(owner.address, 1_000))
    deadline = session.chain.w3.eth.get_block("latest")["timestamp"] + 3600
    message = typed_data(
        token,
        "Permit",
        [
            ("owner", "address"),
            ("spender", "address"),
            ("value", "uint256"),
            ("nonce", "uint256"),
            ("deadline", "uint256"),
        ],
        {
            "owner": owner.address,
            "spender": spender.address,
            "value": 400,
            "nonce": 0,
            "deadline": deadline,
        },
    )
    signed = owner.sign_message(encode_typed_data(full_message=message))
    relay = session.sender_for(spender)
    permit = token.functions.permit(
        owner.address,
        spender.address,
        400,
        deadline,
        signed.v,
        signed.r.to_bytes(32, "big"),
        signed.s.to_bytes(32, "big"),
    )
    relay.transact(permit)
    assert token.functions.allowance(owner.address, spender.address).call() == 400
    relay.transact(token.functions.transferFrom(owner.address, spender.address, 400))
    assert token.functions.balanceOf(spender.address).call() == 400
    # The same signature cannot be replayed: the nonce moved on.
    with pytest.raises(contract_error("ERC2612InvalidSigner")):
        relay.transact(permit)
