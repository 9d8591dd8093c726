"""EIP-712 typed data for govchain contracts, with the domain read from the contract itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web3.contract import Contract

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def typed_data(
    contract: Contract,
    primary_type: str,
    fields: Sequence[tuple[str, str]],
    message: Mapping[str, Any],
) -> dict[str, Any]:
    """The full typed-data document to sign for ``contract`` (an OpenZeppelin EIP712 contract).

    The domain comes from the contract's ERC-5267 ``eip712Domain()``, so a signature is bound to
    the chain id and address the contract reports.
    """
    _, name, version, chain_id, verifying, _, _ = contract.functions.eip712Domain().call()
    return {
        "types": {
            "EIP712Domain": DOMAIN_TYPE,
            primary_type: [{"name": n, "type": t} for n, t in fields],
        },
        "primaryType": primary_type,
        "domain": {
            "name": name,
            "version": version,
            "chainId": chain_id,
            "verifyingContract": verifying,
        },
        "message": dict(message),
    }
